"""Learners ready to pass: one operator and one compliance officer each, prepared through the
public APIs the demo uses, so a timed window holds nothing but the passing submits.

Per learner: the vendor's admin onboards a new operator in MGA (its release policy asks for one
compliance officer, so every pass is one release), the officer gets a token from the dev
issuer and signs in, support waives the track's training (one call where completing the seven
modules takes seven, which made preparing thousands of learners take a quarter of an hour on
this machine; the pass and its release take the same path either way) and the officer starts
the exam; the correct answers come from the bundled catalogue's answer key.
"""

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import httpx

from academy.local.mesh import Mesh, mint

T = TypeVar("T")
JURISDICTION = "MGA"
TRACK = "MGA.compliance_officer"
ROLE = "compliance_officer"


@dataclass(frozen=True)
class Ready:
    """A learner with an open attempt and the answers that pass it."""

    operator_id: str
    token: str
    attempt_id: str
    answers: dict[str, list[str]]


@dataclass(frozen=True)
class Submitted:
    """One passing submit: when it started and when its response came, in wall-clock seconds."""

    operator_id: str
    certificate_id: str
    started: float
    responded: float


def _track() -> dict[str, list[str]]:
    """The track's answer key, from the content the catalogue publishes."""
    from catalogue.bundled import BUNDLED_CONTENT_DIR
    from catalogue.domain import resolve

    [track] = [t for t in resolve(BUNDLED_CONTENT_DIR).tracks if t.key == TRACK]
    return {q.id: list(q.correct) for q in track.question_pool}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Academy:
    """The mesh's assessment API as a learner's browser and the vendor's admin use it."""

    def __init__(
        self, running: Mesh, client: httpx.AsyncClient, timed: aiohttp.ClientSession
    ) -> None:
        """`client` (httpx, base URL assessment's) prepares; `timed` (aiohttp) sends the submits."""
        self._issuer = running.url("issuer")
        self._client, self._timed = client, timed
        self._submit_url = f"{running.url('assessment')}/v1/me/attempts/{{}}/submission"
        self._admin = mint(self._issuer, "bench.admin", "academy-vendor", ["academy_admin"])
        self._support = mint(self._issuer, "bench.support", "academy-vendor", ["academy_support"])
        self._key = _track()

    async def wait_published(self, *, within_s: float = 180.0) -> None:
        """Until assessment has the catalogue's MGA tracks (go-live answers 422 before)."""
        deadline = time.monotonic() + within_s
        while (status := await self._go_live(f"op-probe-{uuid.uuid4().hex[:8]}")) == 422:
            if time.monotonic() > deadline:
                raise TimeoutError(f"MGA tracks not in assessment after {within_s:.0f}s")
            await asyncio.sleep(0.5)
        if status != 200:
            raise RuntimeError(f"go-live answered {status}")

    async def _go_live(self, operator_id: str) -> int:
        response = await self._client.put(
            f"/v1/admin/operators/{operator_id}/jurisdictions",
            json={"jurisdictions": [JURISDICTION], "reason": "benchmark", "new_operator": True},
            headers=_auth(self._admin),
        )
        return response.status_code

    async def prepare(self, operator_id: str) -> Ready:
        if (status := await self._go_live(operator_id)) != 200:
            raise RuntimeError(f"go-live of {operator_id} answered {status}")
        token = await asyncio.to_thread(
            mint, self._issuer, f"{operator_id}.officer", operator_id, [ROLE]
        )
        client, auth = self._client, _auth(token)
        me = await client.get("/v1/me", headers=auth)
        me.raise_for_status()
        waived = await client.post(
            f"/v1/support/operators/{operator_id}/staff/{me.json()['staff_id']}"
            f"/tracks/{TRACK}/training-waiver",
            json={"reason": "benchmark learner"},
            headers=_auth(self._support),
        )
        waived.raise_for_status()
        started = await client.post(f"/v1/me/tracks/{TRACK}/attempts", headers=auth)
        started.raise_for_status()
        body = started.json()
        answers = {q["id"]: self._key[q["id"]] for q in body["paper"]["questions"]}
        return Ready(operator_id, token, body["attempt_id"], answers)

    async def prepare_all(self, operator_ids: list[str], *, concurrency: int = 16) -> list[Ready]:
        return await _bounded(
            [functools.partial(self.prepare, op) for op in operator_ids], concurrency
        )

    async def submit(self, learner: Ready, *, started: float | None = None) -> Submitted:
        """The passing submit a learner makes; raises unless it passed with a certificate.

        A transport error is retried with the same Idempotency-Key (the API replays the
        recorded outcome), timed from the first try, as a browser's retry would be, or from
        `started` (the submit's scheduled time, when it waited for a connection)."""
        headers = {**_auth(learner.token), "Idempotency-Key": str(uuid.uuid4())}
        started = time.time() if started is None else started
        url = self._submit_url.format(learner.attempt_id)
        for attempt in range(3):  # a keep-alive connection the server just closed; same key
            try:
                async with self._timed.post(
                    url, json={"answers": learner.answers}, headers=headers
                ) as response:
                    outcome: dict[str, Any] = await response.json()
                    responded = time.time()
                    response.raise_for_status()
                break
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError):
                if attempt == 2:
                    raise
        if outcome.get("result") != "pass" or not outcome.get("certificate"):
            raise RuntimeError(f"{learner.operator_id} did not pass: {outcome}")
        certificate = outcome["certificate"]["certificate_id"]
        return Submitted(learner.operator_id, certificate, started, responded)


async def _bounded(jobs: list[Callable[[], Awaitable[T]]], concurrency: int) -> list[T]:
    """Run the jobs with at most `concurrency` at a time; results in job order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))
