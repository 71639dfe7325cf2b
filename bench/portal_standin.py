"""A partner portal stand-in for the user-path benchmark, served in its own process.

It verifies every Standard Webhooks signature with the `standardwebhooks` library (the secret
the mesh's release bridge signs with, from BENCH_PORTAL_SECRET), answers 204 to a valid one
and 401 otherwise, and records when it answered each 2xx with the certificates the webhook
carries, so a pass's latency can be read off as (2xx time - submit time). It keeps nothing
else, so what it costs is the same for the mesh and for the direct-POST baseline.

`uvicorn --factory bench.portal_standin:app`; GET /count and GET /received?after=N read it.
"""

import json
import os
import time
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class Receiver:
    """What the stand-in saw: one record per first delivery of a webhook id."""

    def __init__(self, secret: str) -> None:
        self.verifier = Webhook(secret)
        self.records: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.rejected = 0
        self.duplicates = 0

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            self.verifier.verify(body, headers)
        except WebhookVerificationError:
            self.rejected += 1
            return Response("signature rejected", status_code=401)
        webhook_id = headers["webhook-id"]
        if webhook_id in self.seen:
            self.duplicates += 1
            return Response(status_code=204)
        self.seen.add(webhook_id)
        message = json.loads(body)
        data = message.get("data", {})
        self.records.append(
            {
                "webhook_id": webhook_id,
                "type": message.get("type"),
                "operator_id": data.get("operator_id"),
                "certificates": [e["certificate_id"] for e in data.get("evidence", [])],
                "at": time.time(),  # the 2xx is the next thing this handler does
            }
        )
        return Response(status_code=204)

    async def count(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "received": len(self.records),
                "rejected": self.rejected,
                "duplicates": self.duplicates,
            }
        )

    async def received(self, request: Request) -> Response:
        after = int(request.query_params.get("after", "0"))
        return JSONResponse(self.records[after:])


def app() -> Starlette:
    receiver = Receiver(os.environ["BENCH_PORTAL_SECRET"])
    return Starlette(
        routes=[
            Route("/webhooks/academy", receiver.receive, methods=["POST"]),
            Route("/count", receiver.count, methods=["GET"]),
            Route("/received", receiver.received, methods=["GET"]),
        ]
    )
