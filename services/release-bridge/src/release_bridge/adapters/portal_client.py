"""Sends signed webhook bodies to the portal over HTTP and reports what happened, never raising."""

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Final, Self

import httpx

from release_bridge.domain.classify import DeliveryOutcome, TransportErrorKind, parse_retry_after

EXCERPT_CHARS: Final = 512
_EXCERPT_BYTES: Final = EXCERPT_CHARS * 4
USER_AGENT: Final = "licensing-academy-release-bridge/1"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PortalClient:
    """POSTs to the portal webhook URL; redirects are not followed (a moved endpoint is a fault)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        total_timeout: timedelta = timedelta(seconds=15),
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._http = http
        self._total_timeout = total_timeout.total_seconds()
        self._clock = clock
        self._monotonic = monotonic

    @classmethod
    def create(
        cls,
        *,
        connect_timeout: timedelta = timedelta(seconds=3),
        read_timeout: timedelta = timedelta(seconds=10),
        total_timeout: timedelta = timedelta(seconds=15),
        max_connections: int = 50,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> "PortalClient":
        """A client with its own connection pool; close it with `aclose` (or `async with`)."""
        timeout = httpx.Timeout(
            connect=connect_timeout.total_seconds(),
            read=read_timeout.total_seconds(),
            write=read_timeout.total_seconds(),
            pool=connect_timeout.total_seconds(),
        )
        http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
            limits=httpx.Limits(max_connections=max_connections),
            transport=transport,
        )
        return cls(http, total_timeout=total_timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

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
            async with (
                asyncio.timeout(self._total_timeout),
                self._http.stream("POST", url, content=body, headers=dict(headers)) as response,
            ):
                status = response.status_code
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), now=self._clock()
                )
                excerpt = await _read_excerpt(response)
        except (TimeoutError, httpx.TimeoutException) as exc:
            if status is None:
                return self._failed(started, "timeout", exc)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return self._failed(started, "invalid_url", exc)
        except httpx.ConnectError as exc:
            return self._failed(started, "connect", exc)
        except httpx.HTTPError as exc:
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


async def _read_excerpt(response: httpx.Response) -> str:
    """The first `EXCERPT_CHARS` characters of the body; a failing body read keeps what arrived."""
    received = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            received.extend(chunk)
            if len(received) >= _EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    return bytes(received[:_EXCERPT_BYTES]).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
