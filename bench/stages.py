"""Where a pass's time goes between the submit and the portal's 2xx, from the services' own
timestamps (one machine clock): the benchmark's view, read after a window; services never do.

Stages per pass: the submit itself (request start -> response); the assessment outbox relay
(response -> the CertificationIssued row marked sent, i.e. Kafka acknowledged it); Kafka and
the bridge's consumer (sent -> the decision's clock reading, `deliveries.decided_at`); the
decision's commit and the delivery worker picking it up (decided -> the first attempt's
start); the signed POST (attempt start -> the stand-in's 2xx).
"""

import itertools
from collections.abc import Sequence
from typing import Any

import asyncpg

from bench.common import Latencies
from bench.learners import Submitted
from contracts.assessment import CertificationIssued

STAGES = ("submit", "outbox relay", "kafka + bridge consumer", "commit + delivery pickup", "post")


async def stage_times(
    database_url: str, passes: Sequence[Submitted], portal_2xx: dict[str, float]
) -> dict[str, dict[str, float]]:
    """p50/p99 ms of each stage over the passes delivered."""
    from academy_testkit.postgres import plain

    operators = [p.operator_id for p in passes]
    conn = await asyncpg.connect(plain(database_url))
    try:
        sent = {
            row["key"]: row["sent_at"].timestamp()
            for row in await conn.fetch(
                "SELECT key, sent_at FROM assessment.outbox WHERE key = ANY($1::text[]) "
                "AND headers->>'ce_type' = $2 AND sent_at IS NOT NULL",
                operators,
                CertificationIssued.ce_type,
            )
        }
        bridge: dict[str, tuple[float, float]] = {
            row["operator_id"]: (row["decided_at"].timestamp(), row["first"].timestamp())
            for row in await conn.fetch(
                "SELECT d.operator_id, d.decided_at, min(a.started_at) AS first "
                "FROM release_bridge.deliveries d "
                "JOIN release_bridge.delivery_attempts a USING (webhook_id) "
                "WHERE d.operator_id = ANY($1::text[]) "
                "AND d.webhook_type = 'tooling.released.v1' GROUP BY 1, 2",
                operators,
            )
        }
    finally:
        await conn.close()
    spans: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for p in passes:
        op = p.operator_id
        if op not in sent or op not in bridge or p.certificate_id not in portal_2xx:
            continue
        decided, attempt = bridge[op]
        points = [p.started, p.responded, sent[op], decided, attempt, portal_2xx[p.certificate_id]]
        for stage, (a, b) in zip(STAGES, itertools.pairwise(points), strict=True):
            spans[stage].append(b - a)
    return {stage: _p50_p99(values) for stage, values in spans.items()}


def _p50_p99(values: list[float]) -> dict[str, Any]:
    lat = Latencies(values)
    return {
        "count": len(values),
        "p50_ms": round(lat.pct(50) * 1000, 1),
        "p99_ms": round(lat.pct(99) * 1000, 1),
    }
