"""Exam-submit throughput and p99 with 32 concurrent clients, against a bare insert endpoint."""

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from academy.local.loopback import go_live_when_published
from academy.local.mesh import Mesh, mint
from academy_testkit.issuer import DevIssuer
from bench.catalogue_feed import publish_bundled_catalogue
from bench.common import Latencies, database, mesh, uvicorn_app, write_result

TRACK = "MGA.compliance_officer"
OPERATOR = "op-bench"


async def _run_concurrently(
    jobs: list[Callable[[], Awaitable[float]]], concurrency: int
) -> tuple[Latencies, float]:
    queue: asyncio.Queue[Callable[[], Awaitable[float]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            job = queue.get_nowait()
            latencies.append(await job())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Latencies(latencies), time.perf_counter() - started


async def _prepare(running: Mesh, count: int) -> list[tuple[str, str, dict[str, list[str]]]]:
    """Publish the catalogue, set the operator live in MGA, train and open one attempt per staff."""
    assert running.kafka_bootstrap
    await publish_bundled_catalogue(running.kafka_bootstrap)
    admin = mint(running.url("issuer"), "bench.admin", "academy-vendor", ["academy_admin"])
    issuer = DevIssuer(running.url("issuer"), key_file=running.state_dir / "issuer-key.pem")
    base = running.url("assessment")
    prepared: list[tuple[str, str, dict[str, list[str]]]] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.to_thread(
            go_live_when_published, base, OPERATOR, ["MGA"], token=admin, reason="benchmark"
        )
        probe = issuer.mint(sub="bench-probe", operator_id=OPERATOR, groups=["compliance_officer"])
        for _ in range(300):  # the track arrives through Kafka
            tracks = (await client.get("/v1/me/tracks", headers=_auth(probe))).json()
            if any(t.get("track_key") == TRACK for t in tracks.get("tracks", [])):
                break
            await asyncio.sleep(0.2)

        async def open_one(n: int) -> float:
            token = issuer.mint(
                sub=f"bench-{n}", operator_id=OPERATOR, groups=["compliance_officer"]
            )
            track = (await client.get(f"/v1/me/tracks/{TRACK}", headers=_auth(token))).json()
            for module in track["modules"]:  # the exam needs every required module completed
                done = await client.put(
                    f"/v1/me/tracks/{TRACK}/modules/{module['id']}/completion",
                    headers=_auth(token),
                )
                done.raise_for_status()
            response = await client.post(f"/v1/me/tracks/{TRACK}/attempts", headers=_auth(token))
            response.raise_for_status()
            body = response.json()
            answers = {q["id"]: [q["options"][0]["id"]] for q in body["paper"]["questions"]}
            prepared.append((token, body["attempt_id"], answers))
            return 0.0

        await _run_concurrently([functools.partial(open_one, n) for n in range(count)], 16)
    return prepared


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _measure_assessment(
    base: str, prepared: list[Any], concurrency: int
) -> tuple[Latencies, float]:
    async with httpx.AsyncClient(
        base_url=base, timeout=30, limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        def job(
            token: str, attempt: str, answers: dict[str, list[str]]
        ) -> Callable[[], Awaitable[float]]:
            async def run() -> float:
                started = time.perf_counter()
                response = await client.post(
                    f"/v1/me/attempts/{attempt}/submission",
                    json={"answers": answers},
                    headers={**_auth(token), "Idempotency-Key": str(uuid.uuid4())},
                )
                response.raise_for_status()
                return time.perf_counter() - started

            return run

        return await _run_concurrently([job(*p) for p in prepared], concurrency)


async def _measure_baseline(
    base: str, prepared: list[Any], concurrency: int
) -> tuple[Latencies, float]:
    async with httpx.AsyncClient(
        base_url=base, timeout=30, limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        def job(attempt: str, answers: dict[str, list[str]]) -> Callable[[], Awaitable[float]]:
            async def run() -> float:
                started = time.perf_counter()
                response = await client.post(f"/submit/{attempt}", json={"answers": answers})
                response.raise_for_status()
                return time.perf_counter() - started

            return run

        return await _run_concurrently([job(a, ans) for _, a, ans in prepared], concurrency)


def run(count: int = 1200, concurrency: int = 32, rounds: int = 4) -> dict[str, Any]:
    """Interleave rounds of ours and the baseline so load drift hits both sides alike."""
    from academy_testkit.postgres import plain

    ours_lat: list[float] = []
    base_lat: list[float] = []
    ours_time = base_time = 0.0
    with database() as url, mesh(url, only={"issuer", "assessment"}) as running:
        prepared = asyncio.run(_prepare(running, count))
        with uvicorn_app("bench.baseline_app:submit_app", {"BENCH_DSN": plain(url)}) as base:
            size = len(prepared) // rounds
            for n in range(rounds):
                chunk = prepared[n * size : (n + 1) * size]
                lat, took = asyncio.run(
                    _measure_assessment(running.url("assessment"), chunk, concurrency)
                )
                ours_lat += lat.seconds
                ours_time += took
                lat, took = asyncio.run(_measure_baseline(base, chunk, concurrency))
                base_lat += lat.seconds
                base_time += took
    ours = {
        "throughput_per_s": round(len(ours_lat) / ours_time, 1),
        **Latencies(ours_lat).summary(),
    }
    baseline = {
        "throughput_per_s": round(len(base_lat) / base_time, 1),
        **Latencies(base_lat).summary(),
    }
    result = {
        "workload": f"{len(ours_lat)} exam submits ({len(prepared[0][2])} answers each), "
        f"{concurrency} concurrent clients, {rounds} interleaved rounds",
        "assessment": ours,
        "baseline_bare_fastapi_asyncpg_insert": baseline,
        "throughput_ratio": round(ours["throughput_per_s"] / baseline["throughput_per_s"], 3),
        "p99_ratio": round(ours["p99_ms"] / baseline["p99_ms"], 2),
        "target": "throughput ratio >= 0.5",
    }
    write_result("submit", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
