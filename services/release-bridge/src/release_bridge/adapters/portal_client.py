"""Sends signed webhook bodies to the portal over HTTP and reports what happened, never raising."""

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Final, Self

import aiohttp
from yarl import URL

from release_bridge.domain.classify import DeliveryOutcome, TransportErrorKind, parse_retry_after

EXCERPT_CHARS: Final = 512
_EXCERPT_BYTES: Final = EXCERPT_CHARS * 4
USER_AGENT: Final = "licensing-academy-release-bridge/1"
_SCHEMES: Final = frozenset({"http", "https"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PortalClient:
    """POSTs to the portal webhook URL; redirects are not followed (a moved endpoint is a fault).

    aiohttp, not httpx: at 100 webhooks a second httpx's POST took ~1.2 ms of CPU each and
    aiohttp's ~0.1 ms (measured here, same server). The session (one connection pool) opens on
    the first send, inside the event loop that uses it; close it with `aclose` (or `async
    with`).
    """

    def __init__(
        self,
        *,
        connect_timeout: timedelta = timedelta(seconds=3),
        read_timeout: timedelta = timedelta(seconds=10),
        total_timeout: timedelta = timedelta(seconds=15),
        max_connections: int = 50,
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._total_timeout = total_timeout.total_seconds()  # the whole send, body included
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=connect_timeout.total_seconds(),
            sock_read=read_timeout.total_seconds(),
        )
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._clock = clock
        self._monotonic = monotonic

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                timeout=self._timeout,
                headers={"user-agent": USER_AGENT},
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def send(self, url: str, *, body: bytes, headers: Mapping[str, str]) -> DeliveryOutcome:
        """POST `body` with `headers`; HTTP and network failures become the outcome."""
        started = self._monotonic()
        status: int | None = None
        retry_after: timedelta | None = None
        excerpt = ""
        try:
            target = URL(url)
            if target.scheme not in _SCHEMES or not target.host:
                raise ValueError(f"not an http(s) URL: {url}")
        except ValueError as exc:
            return self._failed(started, "invalid_url", exc)
        try:
            async with (
                asyncio.timeout(self._total_timeout),
                self._http().post(
                    target, data=body, headers=dict(headers), allow_redirects=False
                ) as response,
            ):
                status = response.status
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), now=self._clock()
                )
                excerpt = await _read_excerpt(response)
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            if status is None:
                return self._failed(started, "timeout", exc)
        except aiohttp.InvalidURL as exc:
            return self._failed(started, "invalid_url", exc)
        except aiohttp.ClientConnectorError as exc:
            return self._failed(started, "connect", exc)
        except aiohttp.ClientError as exc:
            if status is None:
                return self._failed(started, "transport", exc)
        return DeliveryOutcome(
            status_code=status,
            latency=self._elapsed(started),
            response_excerpt=excerpt,
            retry_after=retry_after,
        )

    def _failed(
        self, started: float, kind: TransportErrorKind, exc: BaseException
    ) -> DeliveryOutcome:
        detail = str(exc) or type(exc).__name__
        return DeliveryOutcome(
            status_code=None,
            latency=self._elapsed(started),
            error=f"{type(exc).__name__}: {detail}"[:EXCERPT_CHARS],
            error_kind=kind,
        )

    def _elapsed(self, started: float) -> timedelta:
        return timedelta(seconds=max(self._monotonic() - started, 0.0))


async def _read_excerpt(response: aiohttp.ClientResponse) -> str:
    """The first `EXCERPT_CHARS` characters of the body; a failing body read keeps what arrived."""
    received = bytearray()
    try:
        async for chunk in response.content.iter_any():
            received.extend(chunk)
            if len(received) >= _EXCERPT_BYTES:
                break
    except (aiohttp.ClientError, TimeoutError):
        pass
    return bytes(received[:_EXCERPT_BYTES]).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
