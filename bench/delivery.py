"""Release-bridge delivery throughput, against a raw aiohttp POST loop to the same portal.

Ours: with the breaker forced open (support API), a batch of passes is decided into pending
deliveries; the breaker is then reset and the bridge's delivery worker sends them all (lease,
sign, POST, record the outcome, breaker and events in the ledger). Throughput is the batch over
the ledger's window from the first lease to the last 2xx. Baseline: the same number of signed
`tooling.released.v1` POSTs from a bare aiohttp client (the bridge's own client library) with
as many requests in flight as the bridge's DELIVERY_CONCURRENCY, timed from the first request
to the last 2xx. Rounds interleave.

`uv run python -m bench.delivery`; BENCH_DELIVERY_ROUNDS, BENCH_DELIVERY_BATCH scale it.
"""

import asyncio
import os
import time
from typing import Any

import aiohttp
import httpx

from academy.local.mesh import Mesh, mint
from bench.common import client_session, database, mesh, write_result
from bench.release_feed import (
    Ledger,
    PassProducer,
    portal_keys,
    portal_webhook_url,
    release_body,
    signed_post,
    warm_up,
)
from release_bridge.settings import ReleaseBridgeSettings

ROUNDS = int(os.environ.get("BENCH_DELIVERY_ROUNDS", "3"))
BATCH = int(os.environ.get("BENCH_DELIVERY_BATCH", "600"))
TARGET_RATIO = 0.3
ENDPOINT = "portal"


def _concurrency() -> int:
    """The bridge's requests in flight: the same for the raw loop, so both get the same chances."""
    return ReleaseBridgeSettings.model_fields["delivery_concurrency"].get_default() or 1


async def _breaker(client: httpx.AsyncClient, action: str) -> None:
    response = await client.post(
        f"/v1/support/breakers/{ENDPOINT}/{action}",
        json={"reason": f"benchmark: {action} around a delivery batch"},
    )
    response.raise_for_status()


async def _ours(
    support: httpx.AsyncClient, producer: PassProducer, ledger: Ledger, *, tag: str
) -> tuple[float, int]:
    operators = [f"op-{tag}-{n:05d}" for n in range(BATCH)]
    await _breaker(support, "force-open")
    await producer.send_all(operators)
    await ledger.wait_pending(operators, within_s=180)
    await _breaker(support, "reset")
    await ledger.wait_acknowledged(operators, within_s=180)
    first, last, attempts = await ledger.delivery_window(operators)
    return last - first, attempts


async def _raw(client: aiohttp.ClientSession, url: str, *, tag: str, concurrency: int) -> float:
    keys = portal_keys()
    bodies = [release_body(f"op-{tag}-{n:05d}") for n in range(BATCH)]
    queue = iter(bodies)

    async def loop() -> None:
        for webhook_id, body in queue:
            await signed_post(client, url, keys, webhook_id, body)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return time.perf_counter() - started


async def _measure(running: Mesh, database_url: str, concurrency: int) -> dict[str, Any]:
    assert running.kafka_bootstrap
    ledger = await Ledger.connect(database_url)
    token = mint(running.url("issuer"), "bench.support", "academy-vendor", ["academy_support"])
    ours_s: list[float] = []
    raw_s: list[float] = []
    attempts = 0
    try:
        await warm_up(running, ledger)
        url = portal_webhook_url(running)
        async with (
            PassProducer(running.kafka_bootstrap) as producer,
            httpx.AsyncClient(
                base_url=running.url("release-bridge"),
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ) as support,
            client_session(limit=concurrency) as client,
        ):
            for n in range(ROUNDS):
                took, sent = await _ours(support, producer, ledger, tag=f"d{n}")
                ours_s.append(took)
                attempts += sent
                await asyncio.sleep(1.0)
                raw_s.append(await _raw(client, url, tag=f"raw{n}", concurrency=concurrency))
                await asyncio.sleep(1.0)
    finally:
        await ledger.close()
    return {"ours_s": ours_s, "raw_s": raw_s, "attempts": attempts}


def run() -> dict[str, Any]:
    concurrency = _concurrency()
    with (
        database() as url,
        mesh(url, only={"issuer", "release-bridge", "portal"}) as running,
    ):
        measured = asyncio.run(_measure(running, url, concurrency))
    total = BATCH * ROUNDS
    ours = round(total / sum(measured["ours_s"]), 1)
    raw = round(total / sum(measured["raw_s"]), 1)
    ratio = round(ours / raw, 3)
    result = {
        "workload": f"{ROUNDS} interleaved rounds of {BATCH} tooling.released.v1 webhooks "
        f"to the reference portal, {concurrency} requests in flight on both sides",
        "release_bridge": {
            "deliveries_per_s": ours,
            "attempts": measured["attempts"],
            "round_seconds": [round(s, 2) for s in measured["ours_s"]],
        },
        "baseline_raw_aiohttp_loop": {
            "posts_per_s": raw,
            "round_seconds": [round(s, 2) for s in measured["raw_s"]],
        },
        "throughput_ratio": ratio,
        "target": f"throughput ratio >= {TARGET_RATIO:g}",
        "target_met": ratio >= TARGET_RATIO,
        "summary_rows": [
            {
                "metric": "deliveries/s",
                "ours": ours,
                "baseline": raw,
                "ratio": ratio,
                "target": f">= {TARGET_RATIO:g}x",
                "met": ratio >= TARGET_RATIO,
            }
        ],
    }
    write_result("delivery", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
