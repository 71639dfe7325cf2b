"""Policies, certificates, release ledgers and go-live sets in Postgres (DecisionStore)."""

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.common import ReleasePolicy
from release_bridge.adapters.decision_batches import SqlDecisionBatches
from release_bridge.adapters.orm import (
    certificates,
    operator_jurisdictions,
    release_ledger,
    release_policies,
)
from release_bridge.adapters.rows import held_from_row, ledger_from_row, policy_lock_key
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate
from release_bridge.service.ports import CertificateRecord, StoredPolicy


class SqlDecisionStore(SqlDecisionBatches):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_policy(self, stored: StoredPolicy) -> bool:
        values = {
            "jurisdiction": stored.policy.jurisdiction,
            "policy": stored.policy.model_dump(mode="json"),
            "version": stored.version,
            "catalogue_version": stored.catalogue_version,
            "published_at": stored.published_at,
            "updated_at": func.now(),
        }
        statement = insert(release_policies).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[release_policies.c.jurisdiction],
            set_={key: statement.excluded[key] for key in values if key != "jurisdiction"},
            where=release_policies.c.published_at <= statement.excluded.published_at,
        )
        result = await self._session.execute(statement.returning(release_policies.c.jurisdiction))
        return result.first() is not None

    async def lock_jurisdiction(self, jurisdiction: str, *, exclusive: bool) -> None:
        """Serialise policy changes against decisions for one jurisdiction (see releases.py)."""
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        await self._session.execute(select(lock(policy_lock_key(jurisdiction))))

    async def policy(self, jurisdiction: str) -> ReleasePolicy | None:
        document = await self._session.scalar(
            select(release_policies.c.policy).where(release_policies.c.jurisdiction == jurisdiction)
        )
        return ReleasePolicy.model_validate(document) if document is not None else None

    async def published_jurisdictions(self) -> list[str]:
        rows = await self._session.scalars(
            select(release_policies.c.jurisdiction).order_by(release_policies.c.jurisdiction)
        )
        return list(rows)

    async def go_live(self, operator_id: str) -> list[str] | None:
        found = await self._session.scalar(
            select(operator_jurisdictions.c.jurisdictions).where(
                operator_jurisdictions.c.operator_id == operator_id
            )
        )
        return sorted(found) if found is not None else None

    async def operator_ids(self) -> list[str]:
        rows = await self._session.scalars(
            select(operator_jurisdictions.c.operator_id).order_by(
                operator_jurisdictions.c.operator_id
            )
        )
        return list(rows)

    async def set_go_live(
        self, operator_id: str, jurisdictions: list[str], *, at: datetime
    ) -> None:
        await self._session.execute(
            insert(operator_jurisdictions)
            .values(operator_id=operator_id, jurisdictions=jurisdictions)
            .on_conflict_do_update(
                index_elements=[operator_jurisdictions.c.operator_id],
                set_={"jurisdictions": jurisdictions, "updated_at": at},
            )
        )

    async def save_certificate(self, operator_id: str, certificate: HeldCertificate) -> None:
        await self._session.execute(_upsert_certificate(operator_id, certificate))

    async def save_certificate_then_lock(
        self, operator_id: str, certificate: HeldCertificate
    ) -> None:
        """One statement; the lock is taken per row the upsert returns, so after its row lock
        (the order of the two statements it replaces)."""
        saved = _upsert_certificate(operator_id, certificate).returning(
            certificates.c.certificate_id
        )
        shared = func.pg_advisory_xact_lock_shared(policy_lock_key(certificate.jurisdiction))
        await self._session.execute(select(shared).select_from(saved.cte("saved")))

    async def end_certificate(
        self,
        certificate_id: str,
        *,
        expired_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> CertificateRecord | None:
        changes: dict[str, Any] = {"updated_at": func.now()}
        if expired_at is not None:
            changes["expired_at"] = func.coalesce(certificates.c.expired_at, expired_at)
        if revoked_at is not None:
            changes["revoked_at"] = func.coalesce(certificates.c.revoked_at, revoked_at)
        row = (
            await self._session.execute(
                update(certificates)
                .where(certificates.c.certificate_id == certificate_id)
                .values(**changes)
                .returning(*certificates.c)
            )
        ).first()
        return CertificateRecord(row.operator_id, held_from_row(row)) if row is not None else None

    async def certificates(self, operator_id: str, jurisdiction: str) -> list[HeldCertificate]:
        rows = (
            await self._session.execute(
                select(certificates)
                .where(
                    certificates.c.operator_id == operator_id,
                    certificates.c.jurisdiction == jurisdiction,
                )
                .order_by(certificates.c.certificate_id)
            )
        ).all()
        return [held_from_row(row) for row in rows]

    async def lock_ledger(self, operator_id: str, jurisdiction: str) -> ReleaseLedger:
        """Create the ledger row if absent and lock it, in one round trip.

        A no-op DO UPDATE locks the row like SELECT … FOR UPDATE and returns it either way.
        """
        statement = insert(release_ledger).values(
            operator_id=operator_id, jurisdiction=jurisdiction
        )
        row = (
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[release_ledger.c.operator_id, release_ledger.c.jurisdiction],
                    set_={"epoch": release_ledger.c.epoch},
                ).returning(*release_ledger.c)
            )
        ).one()
        return ledger_from_row(row)

    async def lock_ledger_under_policy(
        self, operator_id: str, jurisdiction: str
    ) -> tuple[ReleaseLedger, ReleasePolicy] | None:
        """`lock_ledger` only where a policy is stored, returning both, in one round trip."""
        policy = (
            select(release_policies.c.policy)
            .where(release_policies.c.jurisdiction == jurisdiction)
            .cte("policy")
        )
        wanted = select(literal(operator_id), literal(jurisdiction)).where(
            exists(select(policy.c.policy))
        )
        locked = (
            insert(release_ledger)
            .from_select(["operator_id", "jurisdiction"], wanted)
            .on_conflict_do_update(
                index_elements=[release_ledger.c.operator_id, release_ledger.c.jurisdiction],
                set_={"epoch": release_ledger.c.epoch},
            )
            .returning(*release_ledger.c)
            .cte("locked")
        )
        row = (
            await self._session.execute(
                select(locked, policy.c.policy.label("policy_document")).join(policy, true())
            )
        ).first()
        if row is None:
            return None
        return ledger_from_row(row), ReleasePolicy.model_validate(row.policy_document)

    async def save_ledger(self, ledger: ReleaseLedger, *, next_check_at: datetime | None) -> None:
        await self._session.execute(
            update(release_ledger)
            .where(
                release_ledger.c.operator_id == ledger.operator_id,
                release_ledger.c.jurisdiction == ledger.jurisdiction,
            )
            .values(
                epoch=ledger.epoch,
                released=ledger.released,
                release_id=ledger.release_id,
                policy_met=ledger.policy_met,
                tooling=list(ledger.tooling),
                next_check_at=next_check_at,
                updated_at=func.now(),
            )
        )

    async def operators_with_certificates(self, jurisdiction: str) -> list[str]:
        held = select(certificates.c.operator_id).where(certificates.c.jurisdiction == jurisdiction)
        ledgers = select(release_ledger.c.operator_id).where(
            release_ledger.c.jurisdiction == jurisdiction
        )
        rows = await self._session.scalars(held.union(ledgers))
        return sorted(set(rows))

    async def due_checks(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        rows = (
            await self._session.execute(
                select(release_ledger.c.operator_id, release_ledger.c.jurisdiction)
                .where(
                    release_ledger.c.next_check_at.is_not(None),
                    release_ledger.c.next_check_at <= now,
                    or_(release_ledger.c.released, release_ledger.c.policy_met),
                )
                .order_by(release_ledger.c.next_check_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [(row.operator_id, row.jurisdiction) for row in rows]


def _upsert_certificate(operator_id: str, certificate: HeldCertificate) -> Insert:
    values = {
        "operator_id": operator_id,
        "staff_id": certificate.staff_id,
        "role": certificate.role,
        "jurisdiction": certificate.jurisdiction,
        "track_version": certificate.track_version,
        "passed_at": certificate.passed_at,
        "expires_at": certificate.expires_at,
        "training": (
            certificate.training.model_dump(mode="json")
            if certificate.training is not None
            else None
        ),
    }
    statement = insert(certificates).values(certificate_id=certificate.certificate_id, **values)
    return statement.on_conflict_do_update(
        index_elements=[certificates.c.certificate_id],
        set_={**values, "updated_at": func.now()},
    )
