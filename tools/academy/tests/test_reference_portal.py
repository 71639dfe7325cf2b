"""The reference portal, on real Postgres: a verified release webhook becomes ToolingUnlocked."""

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData, select
from standardwebhooks.webhooks import Webhook

from academy.local.portal import PortalSettings, create, create_schema
from academy_runtime.service import ServiceRuntime
from academy_runtime.tables import outbox_table
from contracts import decode
from contracts.common import Evidence, ModuleCompletion, TrainingRecord
from contracts.portal import ToolingUnlocked
from contracts.webhooks import ToolingReleased, ToolingReleasedData

pytestmark = pytest.mark.integration

SECRET = "whsec_" + base64.b64encode(b"reference-portal-test-secret-000").decode()
outbox = outbox_table(MetaData(schema="portal"))


@pytest.fixture
async def portal(database_url: str) -> AsyncIterator[tuple[Any, ServiceRuntime]]:
    settings = PortalSettings(
        environment="test",
        database_url=SecretStr(database_url),
        webhook_secrets=[SecretStr(SECRET)],
    )
    app, runtime = create(settings)
    await create_schema(runtime)
    yield app, runtime
    await runtime.engine.dispose()


def _released(operator: str, training: TrainingRecord | None) -> ToolingReleased:
    passed = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    return ToolingReleased(
        timestamp=datetime.now(UTC),
        data=ToolingReleasedData(
            release_id=str(uuid.uuid4()),
            operator_id=operator,
            jurisdiction="MGA",
            tooling=["mga-licensing-suite"],
            reason="certification",
            evidence=[
                Evidence(
                    certificate_id=f"cert-{n}",
                    staff_id=f"staff-{n}",
                    role="compliance_officer",
                    track_version="mga-2026.1",
                    passed_at=passed,
                    expires_at=passed + timedelta(days=548),
                    training=record,
                )
                for n, record in enumerate([training, None])
            ],
        ),
    )


async def _deliver(app: Any, message: ToolingReleased) -> int:
    body = message.model_dump_json()
    webhook_id, now = message.data.release_id, datetime.now(UTC)
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body),
        "content-type": "application/json",
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        response = await client.post("/webhooks/academy", content=body, headers=headers)
    return response.status_code


async def _unlocked(runtime: ServiceRuntime, operator: str) -> list[ToolingUnlocked]:
    query = select(outbox.c.headers, outbox.c.payload).where(
        outbox.c.headers["ce_type"].astext == ToolingUnlocked.ce_type,
        outbox.c.headers["ce_tenantid"].astext == operator,
    )
    async with runtime.sessions() as session:
        rows = (await session.execute(query.order_by(outbox.c.id))).all()
    return [decode(row.headers, row.payload).data for row in rows]


async def test_tooling_unlocked_echoes_each_evidence_training_record(
    portal: tuple[Any, ServiceRuntime],
) -> None:
    app, runtime = portal
    operator = f"op-{uuid.uuid4().hex[:8]}"
    done = datetime(2026, 11, 19, 16, 5, tzinfo=UTC)
    record = TrainingRecord(
        modules_required=["aml", "kyc"],
        modules_completed=[ModuleCompletion(module_id="aml", completed_at=done)],
    )
    message = _released(operator, record)

    status = await _deliver(app, message)

    [unlocked] = await _unlocked(runtime, operator)
    assert status == 204
    assert unlocked.release_id == message.data.release_id
    assert [e.training for e in unlocked.evidence] == [record, None]
    assert unlocked.evidence == message.data.evidence
