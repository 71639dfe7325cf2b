import asyncio
import gzip
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from release_bridge_testkit import T0
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from release_bridge.adapters.portal_client import PortalClient
from release_bridge.domain.classify import Verdict, classify
from release_bridge.domain.signing import SigningKeys, WebhookSecret, signed_headers

SECRET = WebhookSecret.generate()
BODY = b'{"type":"tooling.released.v1"}'


def _ticks(*values: float) -> object:
    return iter(values).__next__


async def test_unsupported_url_is_a_permanent_outcome() -> None:
    client = PortalClient()

    outcome = await client.send("ftp://portal.test/hook", body=BODY, headers={})
    await client.aclose()

    assert outcome.error_kind == "invalid_url"
    assert classify(outcome) is Verdict.PERMANENT


# -- against a real HTTP server -------------------------------------------------------------

portal = FastAPI()
received_ids: list[str] = []


@portal.post("/hook")
async def hook(request: Request) -> Response:
    body = await request.body()
    try:
        Webhook(SECRET.encoded()).verify(body, dict(request.headers))
    except WebhookVerificationError:
        return Response(status_code=401, content="bad signature")
    received_ids.append(request.headers["webhook-id"])
    return Response(status_code=204)


seen: list[tuple[bytes, str | None]] = []


@portal.post("/accepted")
async def accepted(request: Request) -> Response:
    seen.append((await request.body(), request.headers.get("x-a")))
    return Response(status_code=202, content="accepted")


@portal.post("/long")
async def long_error() -> Response:
    return Response(status_code=500, content="é" * 5000, media_type="text/plain; charset=utf-8")


@portal.post("/gzipped")
async def gzipped() -> Response:
    return Response(
        status_code=422,
        content=gzip.compress(b"payload refused: unknown release"),
        headers={"content-encoding": "gzip"},
    )


@portal.post("/retry-on-date")
async def retry_on_date() -> Response:
    return Response(status_code=503, headers={"retry-after": "Tue, 24 Nov 2026 10:00:30 GMT"})


@portal.post("/slow")
async def slow() -> Response:
    await asyncio.sleep(2)
    return Response(status_code=200)


@portal.post("/busy")
async def busy() -> Response:
    return Response(status_code=503, headers={"retry-after": "7"}, content="try later")


@pytest.fixture(scope="module")
def portal_url() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(portal, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started, "portal test server did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


def _signed(webhook_id: str, body: bytes = BODY) -> dict[str, str]:
    return signed_headers(
        SigningKeys(SECRET), webhook_id=webhook_id, body=body, at=datetime.now(UTC)
    )


async def test_real_portal_accepts_a_signed_webhook(portal_url: str) -> None:
    async with PortalClient() as client:
        outcome = await client.send(f"{portal_url}/hook", body=BODY, headers=_signed("r-real-1"))

    assert outcome.status_code == 204
    assert outcome.latency > timedelta(0)
    assert "r-real-1" in received_ids


async def test_real_portal_rejects_a_tampered_body_as_a_signature_failure(portal_url: str) -> None:
    async with PortalClient() as client:
        outcome = await client.send(
            f"{portal_url}/hook", body=BODY + b" ", headers=_signed("r-real-2")
        )

    assert outcome.status_code == 401
    assert outcome.response_excerpt == "bad signature"
    assert classify(outcome) is Verdict.SIGNATURE_REJECTED


async def test_real_portal_busy_response_carries_retry_after(portal_url: str) -> None:
    async with PortalClient() as client:
        outcome = await client.send(f"{portal_url}/busy", body=BODY, headers=_signed("r-real-3"))

    assert (outcome.status_code, outcome.retry_after) == (503, timedelta(seconds=7))
    assert outcome.response_excerpt == "try later"


async def test_slow_real_portal_times_out(portal_url: str) -> None:
    async with PortalClient(read_timeout=timedelta(milliseconds=300)) as client:
        outcome = await client.send(f"{portal_url}/slow", body=BODY, headers=_signed("r-real-4"))

    assert outcome.error_kind == "timeout"
    assert timedelta(milliseconds=250) < outcome.latency < timedelta(seconds=2)


async def test_total_timeout_bounds_the_whole_request(portal_url: str) -> None:
    async with PortalClient(total_timeout=timedelta(milliseconds=300)) as client:
        outcome = await client.send(f"{portal_url}/slow", body=BODY, headers=_signed("r-real-5"))

    assert outcome.error_kind == "timeout"


async def test_successful_post_reports_status_latency_and_excerpt(portal_url: str) -> None:
    client = PortalClient(monotonic=_ticks(10.0, 10.25))  # type: ignore[arg-type]
    async with client:
        outcome = await client.send(f"{portal_url}/accepted", body=BODY, headers={"x-a": "1"})

    assert outcome.status_code == 202
    assert outcome.latency == timedelta(milliseconds=250)
    assert outcome.response_excerpt == "accepted"
    assert outcome.error is None
    assert (BODY, "1") in seen


async def test_response_excerpt_is_cut_to_512_characters(portal_url: str) -> None:
    async with PortalClient() as client:
        outcome = await client.send(f"{portal_url}/long", body=BODY, headers={})

    assert outcome.status_code == 500
    assert outcome.response_excerpt == "é" * 512


async def test_a_compressed_answer_is_excerpted_as_text(portal_url: str) -> None:
    async with PortalClient() as client:
        outcome = await client.send(f"{portal_url}/gzipped", body=BODY, headers={})

    assert (outcome.status_code, outcome.response_excerpt) == (
        422,
        "payload refused: unknown release",
    )


async def test_retry_after_header_is_parsed_against_the_clock(portal_url: str) -> None:
    async with PortalClient(clock=lambda: T0) as client:
        outcome = await client.send(f"{portal_url}/retry-on-date", body=BODY, headers={})

    assert outcome.retry_after == timedelta(seconds=30)


async def test_a_server_answering_garbage_is_a_transport_failure() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with PortalClient() as client:
            outcome = await client.send(f"http://127.0.0.1:{port}/hook", body=BODY, headers={})
    finally:
        server.close()
        await server.wait_closed()

    assert outcome.status_code is None
    assert outcome.error_kind == "transport"
    assert outcome.error is not None
    assert classify(outcome) is Verdict.RETRYABLE


async def test_a_connect_that_never_completes_is_a_timeout() -> None:
    """A listener whose accept queue is full drops the SYN: the connect itself times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):  # fill the accept queue (Linux admits backlog + 1)
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        async with PortalClient(connect_timeout=timedelta(milliseconds=300)) as client:
            outcome = await client.send(f"http://127.0.0.1:{port}/hook", body=BODY, headers={})
    finally:
        for filler in fillers:
            filler.close()
        listener.close()

    assert outcome.error_kind == "timeout"
    assert classify(outcome) is Verdict.RETRYABLE


async def test_closed_port_is_a_connection_failure() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()

    async with PortalClient() as client:
        outcome = await client.send(f"http://127.0.0.1:{port}/hook", body=BODY, headers={})

    assert outcome.error_kind == "connect"
    assert classify(outcome) is Verdict.RETRYABLE
