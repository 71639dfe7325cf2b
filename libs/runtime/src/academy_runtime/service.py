"""ServiceRuntime: everything a service process needs, built once from its Settings."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime import db, kafka, logs, retention
from academy_runtime.auth import TokenVerifier
from academy_runtime.build import build_info
from academy_runtime.clock import ShiftableClock
from academy_runtime.consumer import IdempotentConsumer
from academy_runtime.dlq import ExactProducer
from academy_runtime.lag import BrokerOffsets, LagMonitor
from academy_runtime.loops import every, sleep_or_stop
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.outbox import OutboxRelay, add_events
from academy_runtime.routes import Route, UnitBinder
from academy_runtime.settings import ServiceSettings
from academy_runtime.tables import inbox_table, outbox_table
from contracts import Envelope
from contracts.mesh import Consumes

log = logging.getLogger(__name__)

U = TypeVar("U")

BackgroundTask = Callable[[asyncio.Event], Awaitable[None]]
#: Background tasks that end when their work is done; every other one runs until stop.
ONE_SHOT_TASKS = frozenset({"broker"})
#: How often `academy_broker_up` is refreshed between probes.
BROKER_WATCH_S = 15.0
#: How often the topic guard checks the cluster's topics.
TOPICS_GUARD_S = 15.0
#: How often topics refused at start are checked again (someone may create them).
TOPICS_RECHECK_S = 30.0


class ServiceRuntime:
    """Engine, sessions, broker, outbox, consumers and background tasks of one service."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        schema: str,
        metadata: MetaData,
        produces: Iterable[str] = (),
    ) -> None:
        self.settings = settings
        self.schema = schema
        self.metadata = metadata
        self.source = f"/academy/{settings.service_name}"
        tables = metadata.tables
        outbox, inbox = f"{schema}.outbox", f"{schema}.inbox"
        self.outbox: Table = tables[outbox] if outbox in tables else outbox_table(metadata)
        self.inbox: Table = tables[inbox] if inbox in tables else inbox_table(metadata)
        self.registry = CollectorRegistry()
        self.build = build_info(settings.service_name)
        self.metrics = RuntimeMetrics(self.registry, self.build)
        self.engine = db.make_engine(settings, schema=schema)
        self.sessions = db.make_sessionmaker(self.engine)
        self.broker: KafkaBroker = kafka.make_broker(settings, registry=self.registry)
        #: Dead letters keep the failed record's exact bytes (FastStream's publish adds headers).
        self.dead_letters = ExactProducer(
            settings.kafka_bootstrap_servers, client_id=f"academy-{settings.service_name}-dlq"
        )
        self.produces = list(produces)
        self.consumers: list[IdempotentConsumer[Any]] = []
        self._tasks: dict[str, BackgroundTask] = {}
        self._stop = asyncio.Event()
        self._running: list[asyncio.Task[None]] = []
        self._named: dict[str, asyncio.Task[None]] = {}
        self.broker_started = False
        #: Why the cluster's topics were refused at start (kafka.TopicsRefused), while they are.
        self.topics_refused: str | None = None
        self.verifier = TokenVerifier(settings)
        self.clock = ShiftableClock()
        #: The outbox relay's producer: rows leave with their stored key and headers, a batch
        #: at a time (FastStream's per-message publish was most of the relay's time).
        self.relay_producer = ExactProducer(
            settings.kafka_bootstrap_servers,
            client_id=f"academy-{settings.service_name}-outbox",
            max_batch_size=256 * 1024,
        )
        self.relay = OutboxRelay(
            sessions=self.sessions,
            outbox=self.outbox,
            producer=self.relay_producer,
            ensure_topics=self.ensure_topics,
            metrics=self.metrics,
            schema=schema,
            listen_dsn=db.plain_dsn(settings.database_url.get_secret_value()),
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
        )

    # -- wiring -------------------------------------------------------------------------
    def subscribe(
        self, consumes: Consumes, units: UnitBinder[U], *routes: Route[U]
    ) -> IdempotentConsumer[U]:
        """Consume `consumes.topics` in batches: each route's handler gets its events in a
        unit of work bound to the batch's inbox transaction; the routes must cover exactly
        the declared types (contracts.mesh), other types of the topics are skipped unread."""
        consumer = IdempotentConsumer(
            consumes=consumes,
            routes=routes,
            units=units,
            broker=self.broker,
            dead_letters=self.dead_letters,
            sessions=self.sessions,
            inbox=self.inbox,
            metrics=self.metrics,
            settings=self.settings,
        )
        self.consumers.append(consumer)
        return consumer

    def background(self, name: str, task: BackgroundTask) -> None:
        self._tasks[name] = task

    def envelope(
        self, data: Any, *, tenant: str, subject: str | None = None, event_id: str | None = None
    ) -> Envelope[Any]:
        """A CloudEvent from this service, now; `event_id` gives it a derived id."""
        derived: dict[str, Any] = {} if event_id is None else {"id": event_id}
        return Envelope(
            data=data,
            tenantid=tenant,
            source=self.source,
            subject=subject,
            time=self.clock.now(),
            **derived,
        )

    async def emit(self, session: AsyncSession, *events: Envelope[Any]) -> None:
        """Stage events in the session's transaction (transactional outbox)."""
        await add_events(session, self.outbox, *events)

    @property
    def topics(self) -> list[str]:
        consumed = [t for c in self.consumers for t in c.topics]
        return kafka.with_dlqs([*self.produces, *consumed])

    async def ensure_topics(self) -> None:
        """Create (local/test) or check (elsewhere) this service's topics; a refusal is kept
        for liveness until a check passes."""
        try:
            await kafka.ensure_topics(self.settings, self.topics)
        except kafka.TopicsRefused as exc:
            self.topics_refused = str(exc)
            raise
        self.topics_refused = None

    # -- lifecycle ----------------------------------------------------------------------
    async def readiness(self) -> dict[str, str]:
        """Each dependency's state; only the database decides readiness (`http.READY_NEEDS`):
        the outbox holds events while the broker is away, so the API stays in service."""
        checks = {}
        try:
            await asyncio.wait_for(db.ping(self.engine), timeout=3.0)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {exc.__class__.__name__}"
        checks["broker"] = await self._broker_state()
        return checks

    async def _broker_state(self) -> str:
        """`ok`, `connecting` or `unreachable: …`, also kept in `academy_broker_up`."""
        if not self.broker_started:
            state = "connecting"
        else:
            try:
                state = "ok" if await self.broker.ping(timeout=3.0) else "unreachable"
            except Exception as exc:
                state = f"unreachable: {exc.__class__.__name__}"
        self.metrics.broker_up.set(1 if state == "ok" else 0)
        return state

    def liveness(self) -> dict[str, str]:
        """What stopped that should run as long as the process does (liveness fails on it, so
        the orchestrator restarts the process): a background task, or a consumer's loop. A
        wedged event loop fails the probe by not answering in time."""
        if self._stop.is_set():
            return {}
        failed = {
            name: "stopped"
            for name, task in self._named.items()
            if name not in ONE_SHOT_TASKS and task.done()
        }
        if self.topics_refused and not self.broker_started:
            failed["topics"] = self.topics_refused  # refused at start: never consumed
        if self.broker_started:
            for consumer in self.consumers:
                subscriber: Any = consumer.subscriber
                loops = list(getattr(subscriber, "tasks", ()))
                if getattr(subscriber, "running", False) and any(t.done() for t in loops):
                    failed[f"consumer {consumer.name}"] = "its consume loop ended"
        return failed

    async def _watch_broker(self, stop: asyncio.Event) -> None:
        """`academy_broker_up` between probes (readiness no longer pulls pods on it)."""

        async def probe() -> None:
            await self._broker_state()

        await every(stop, BROKER_WATCH_S, probe, name="broker watch")

    async def start(self) -> None:
        self._stop.clear()
        self._spawn("broker", self._connect_broker)
        self._spawn("broker-watch", self._watch_broker)
        for name, task in self._tasks.items():
            self._spawn(name, task)

    def _spawn(self, name: str, task: BackgroundTask) -> None:
        async def guarded() -> None:
            while not self._stop.is_set():
                try:
                    await task(self._stop)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("background task %s crashed; restarting in 2 s", name)
                    await sleep_or_stop(self._stop, 2.0)

        running = asyncio.create_task(guarded(), name=f"{self.schema}:{name}")
        self._running.append(running)
        self._named[name] = running

    async def _connect_broker(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                await self.ensure_topics()
                await self.broker.start()
                self.broker_started = True
                break
            except kafka.TopicsRefused as exc:
                log.error("refusing to start consumers and the outbox relay: %s", exc)
                await sleep_or_stop(stop, TOPICS_RECHECK_S)
            except Exception as exc:
                log.warning("broker not reachable yet (%s); retrying in %.1fs", exc, delay)
                await sleep_or_stop(stop, delay)
                delay = min(delay * 2, 10.0)
        if stop.is_set():
            return
        logs.adopt_library_loggers()  # any logger FastStream set up while connecting
        log.info("broker connected", extra={"topics": self.topics})
        self._spawn("outbox-relay", self.relay.run)
        self._spawn("topic-guard", self._guard_topics)
        self._spawn("retention", self._retention)
        if self.consumers:
            self._spawn("consumer-lag", self._lag_monitor().run)

    async def _guard_topics(self, stop: asyncio.Event) -> None:
        """Re-create topics a memory-only or recreated broker lost (local/test), or say loudly
        that they went missing or changed (elsewhere; the outbox holds events meanwhile)."""

        async def check() -> None:
            try:
                await self.ensure_topics()
            except kafka.TopicsRefused as exc:
                log.error("%s", exc)
            except Exception as exc:
                log.warning("topic check failed: %s", exc)

        if not await sleep_or_stop(stop, TOPICS_GUARD_S):
            await every(stop, TOPICS_GUARD_S, check, name="topic check")

    def _lag_monitor(self) -> LagMonitor:
        return LagMonitor(
            [consumer.lag_target for consumer in self.consumers],
            gauge=self.metrics.consumer_lag,
            interval_s=self.settings.consumer_lag_interval_s,
            connect=lambda: BrokerOffsets.connect(self.settings),
        )

    async def _retention(self, stop: asyncio.Event) -> None:
        await retention.run(
            stop,
            self.sessions,
            outbox=self.outbox,
            inbox=self.inbox,
            outbox_keep=timedelta(hours=self.settings.outbox_retention_hours),
            inbox_keep=timedelta(days=self.settings.inbox_retention_days),
        )

    async def stop(self, *, drain_s: float = 10.0) -> None:
        """Let background work finish its step, drain consumers, then close connections."""
        self._stop.set()
        if self._running:
            _done, pending = await asyncio.wait(self._running, timeout=drain_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)
            self._running.clear()
            self._named.clear()
        if self.broker_started:
            await self.broker.stop()
            self.broker_started = False
        await self.relay_producer.stop()
        await self.dead_letters.stop()
        await self.engine.dispose()

    @asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()
