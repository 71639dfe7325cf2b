"""The baseline endpoints: bare FastAPI + asyncpg (one insert), and a bare webhook receiver."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, Response


def submit_app() -> FastAPI:
    """POST /submit inserts one row: what every exam submit must at least do."""
    pool: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["p"] = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=5, max_size=10)
        async with pool["p"].acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_submissions (id bigserial PRIMARY KEY, "
                "attempt_id text, answers jsonb, at timestamptz default now())"
            )
        yield
        await pool["p"].close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/submit/{attempt_id}")
    async def submit(attempt_id: str, request: Request) -> dict[str, str]:
        body = await request.body()
        async with pool["p"].acquire() as conn:
            await conn.execute(
                "INSERT INTO bench_submissions (attempt_id, answers) VALUES ($1, $2::jsonb)",
                attempt_id,
                body.decode(),
            )
        return {"status": "recorded"}

    return app


def webhook_app() -> FastAPI:
    """POST /webhooks answers 204: a portal that does nothing but acknowledge."""
    app = FastAPI()

    @app.post("/webhooks")
    async def receive(request: Request) -> Response:
        await request.body()
        return Response(status_code=204)

    return app
