"""Pass-to-unlock latency at 20 and 100 passes/s, against a direct signed POST to the same portal.

Ours: CertificationIssued events (one per operator, MGA: one compliance officer releases) are
produced onto `academy.assessment.v1` at a fixed rate; latency runs from the moment each is
produced to the moment the release bridge received the portal's 2xx for its release (the
ledger's `acknowledged_at`, the bridge's clock on the same machine). Baseline: the same portal
receives signed `tooling.released.v1` POSTs at the same rate straight from an aiohttp client
(the bridge's own client library); latency runs from signing to the 2xx. Rounds of ours and
the baseline interleave per rate.

`uv run python -m bench.unlock`; BENCH_UNLOCK_ROUNDS, BENCH_UNLOCK_SECONDS scale it.
"""

import asyncio
import os
from typing import Any

import aiohttp

from academy.local.mesh import Mesh
from bench.common import Latencies, client_session, database, mesh, write_result
from bench.release_feed import (
    Ledger,
    PassProducer,
    direct_posts,
    paced,
    portal_keys,
    portal_webhook_url,
    warm_up,
)

RATES = (20, 100)
ROUNDS = int(os.environ.get("BENCH_UNLOCK_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_UNLOCK_SECONDS", "6"))
TARGET_P99_MS = 250.0


async def _ours(
    producer: PassProducer, ledger: Ledger, *, rate: int, count: int, tag: str
) -> tuple[list[float], float]:
    """Latencies, and the rate passes became unlocks (first pass produced to last 2xx)."""
    operators = [f"op-{tag}-{n:05d}" for n in range(count)]
    produced: dict[str, float] = {}
    acks: list[asyncio.Future[Any]] = []

    async def one(n: int) -> None:
        produced[operators[n]], ack = await producer.send(operators[n])
        acks.append(ack)

    await asyncio.gather(*await paced(count, rate, one))
    await asyncio.gather(*acks)
    acknowledged = await ledger.wait_acknowledged(operators, within_s=120)
    window = max(acknowledged.values()) - min(produced.values())
    return [acknowledged[op] - produced[op] for op in operators], count / window


async def _rounds(
    producer: PassProducer, ledger: Ledger, client: aiohttp.ClientSession, url: str, *, rate: int
) -> dict[str, list[float]]:
    """Interleaved rounds at one rate: latencies of both sides, ours' unlocks/s per round."""
    count = round(rate * SECONDS)
    measured: dict[str, list[float]] = {"ours": [], "baseline": [], "sustained": []}
    for n in range(ROUNDS):
        latencies, per_s = await _ours(producer, ledger, rate=rate, count=count, tag=f"u{rate}r{n}")
        measured["ours"] += latencies
        measured["sustained"].append(per_s)
        await asyncio.sleep(1.0)  # let the portal's outbox settle between sides
        measured["baseline"] += await direct_posts(
            client, url, portal_keys(), rate=rate, count=count, tag=f"b{rate}r{n}"
        )
        await asyncio.sleep(1.0)
    return measured


async def _measure(running: Mesh, database_url: str) -> dict[str, dict[str, list[float]]]:
    assert running.kafka_bootstrap
    ledger = await Ledger.connect(database_url)
    try:
        await warm_up(running, ledger)
        url = portal_webhook_url(running)
        async with (
            PassProducer(running.kafka_bootstrap) as producer,
            client_session() as client,
        ):
            await direct_posts(client, url, portal_keys(), rate=20, count=20, tag="warm-base")
            return {
                str(rate): await _rounds(producer, ledger, client, url, rate=rate) for rate in RATES
            }
    finally:
        await ledger.close()


def _compare(ours: list[float], base: list[float], sustained: list[float]) -> dict[str, Any]:
    mine, theirs = Latencies(ours).summary(), Latencies(base).summary()
    return {
        "release_bridge": {**mine, "unlocks_per_s_by_round": [round(r, 1) for r in sustained]},
        "baseline_direct_signed_post": theirs,
        "p50_ratio": round(mine["p50_ms"] / theirs["p50_ms"], 2),
        "p99_ratio": round(mine["p99_ms"] / theirs["p99_ms"], 2),
    }


def run() -> dict[str, Any]:
    with (
        database() as url,
        mesh(url, only={"release-bridge", "portal"}) as running,
    ):
        samples = asyncio.run(_measure(running, url))
    by_rate = {
        rate: _compare(s["ours"], s["baseline"], s["sustained"]) for rate, s in samples.items()
    }
    p99_at_20 = by_rate["20"]["release_bridge"]["p99_ms"]
    result = {
        "workload": f"CertificationIssued on Kafka -> release -> signed webhook -> portal 2xx, "
        f"one operator per pass, {ROUNDS} interleaved rounds of {SECONDS:g} s per rate",
        "measured_to": "release bridge receives the portal's 2xx (deliveries.acknowledged_at)",
        "rates": by_rate,
        "target": f"p99 < {TARGET_P99_MS:g} ms at 20 passes/s",
        "target_met": p99_at_20 < TARGET_P99_MS,
        "summary_rows": [
            {
                "metric": f"{metric} @ {rate}/s (ms)",
                "ours": r["release_bridge"][f"{metric}_ms"],
                "baseline": r["baseline_direct_signed_post"][f"{metric}_ms"],
                "ratio": r[f"{metric}_ratio"],
                "target": f"< {TARGET_P99_MS:g} ms" if (rate, metric) == ("20", "p99") else "",
                "met": p99_at_20 < TARGET_P99_MS if (rate, metric) == ("20", "p99") else None,
            }
            for rate, r in by_rate.items()
            for metric in ("p50", "p99")
        ],
    }
    write_result("unlock", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
