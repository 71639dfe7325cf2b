"""A run of decisions' reads and writes, one statement per kind of work (DecisionStore part).

Each statement takes its rows as arrays (`unnest`), so its text, compiled form and prepared
statement are the same for any run length. Rows are locked in sorted key order, so two
transactions locking overlapping sets wait for each other instead of deadlocking.
"""

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.common import ReleasePolicy
from release_bridge.adapters.orm import certificates, release_ledger, release_policies
from release_bridge.adapters.rows import held_from_row, ledger_from_row, policy_lock_key
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate
from release_bridge.service.ports import CertificateRecord, LedgerKey

_TEXTS = ARRAY(Text)
_TIMES = ARRAY(DateTime(timezone=True))
#: The certificate columns an issuance writes, and each one's array type.
_ISSUED: dict[str, ARRAY[Any]] = {
    "certificate_id": _TEXTS,
    "operator_id": _TEXTS,
    "staff_id": _TEXTS,
    "role": _TEXTS,
    "jurisdiction": _TEXTS,
    "track_version": _TEXTS,
    "passed_at": _TIMES,
    "expires_at": _TIMES,
    "training": _TEXTS,  # JSON text, cast to jsonb in the statement
}


class SqlDecisionBatches:
    """The batch methods of `SqlDecisionStore` (it sets `_session`)."""

    _session: AsyncSession

    async def save_certificates_then_lock(self, issued: Sequence[CertificateRecord]) -> set[str]:
        """Upsert in certificate id order, then take each jurisdiction's shared lock in
        jurisdiction order, in one statement (the lock after the row locks, as one by one).

        A stored certificate of another operator or jurisdiction is left as it is (its row
        locked, not returned): the caller decides those one by one. Returns the ids saved.
        """
        if not issued:
            return set()
        rows = sorted(issued, key=lambda record: record.certificate.certificate_id)
        jurisdictions = sorted({record.certificate.jurisdiction for record in rows})
        parameters = {
            **{f"c_{name}": [_issued_value(record, name) for record in rows] for name in _ISSUED},
            "l_jurisdiction": jurisdictions,
            "l_key": [policy_lock_key(jurisdiction) for jurisdiction in jurisdictions],
        }
        return set(
            (await self._session.execute(_SAVE_CERTIFICATES_THEN_LOCK, parameters)).scalars()
        )

    async def lock_ledgers_under_policies(
        self, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, tuple[ReleaseLedger, ReleasePolicy]]:
        """`lock_ledger_under_policy` for every key, rows created and locked in key order."""
        if not keys:
            return {}
        pairs = _pair_values(sorted(set(keys)))
        rows = (await self._session.execute(_LOCK_LEDGERS_UNDER_POLICIES, pairs)).all()
        policies: dict[str, ReleasePolicy] = {}
        found: dict[LedgerKey, tuple[ReleaseLedger, ReleasePolicy]] = {}
        for row in rows:
            if row.jurisdiction not in policies:
                policies[row.jurisdiction] = ReleasePolicy.model_validate(row.policy_document)
            found[(row.operator_id, row.jurisdiction)] = (
                ledger_from_row(row),
                policies[row.jurisdiction],
            )
        return found

    async def certificates_of(
        self, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, list[HeldCertificate]]:
        """`certificates` for every key (each list in certificate id order), in one read."""
        if not keys:
            return {}
        pairs = _pair_values(sorted(set(keys)))
        rows = (await self._session.execute(_CERTIFICATES_OF, pairs)).all()
        held: dict[LedgerKey, list[HeldCertificate]] = {key: [] for key in keys}
        for row in rows:
            held[(row.operator_id, row.jurisdiction)].append(held_from_row(row))
        return held

    async def save_ledgers(self, saved: Sequence[tuple[ReleaseLedger, datetime | None]]) -> None:
        """`save_ledger` for several rows: one executemany, a single round trip."""
        if not saved:
            return
        await self._session.execute(
            _SAVE_LEDGERS,
            [_ledger_values(ledger, next_check_at) for ledger, next_check_at in saved],
        )


def _pairs() -> Any:
    """(operator_id, jurisdiction) rows from two array parameters, with their position `n`."""
    return (
        func.unnest(
            bindparam("k_operator", type_=_TEXTS), bindparam("k_jurisdiction", type_=_TEXTS)
        )
        .table_valued("operator_id", "jurisdiction", with_ordinality="n")
        .render_derived(name="pairs")
    )


def _save_certificates_then_lock() -> Any:
    """Upsert the certificates (array parameters), then lock their jurisdictions in order."""
    source = (
        func.unnest(*(bindparam(f"c_{name}", type_=kind) for name, kind in _ISSUED.items()))
        .table_valued(*_ISSUED, with_ordinality="n")
        .render_derived(name="issued")
    )
    columns = [source.c[name] for name in _ISSUED if name != "training"]
    statement = insert(certificates).from_select(
        list(_ISSUED),
        select(*columns, cast(source.c.training, JSONB)).order_by(source.c.n),
    )
    saved = (
        statement.on_conflict_do_update(
            index_elements=[certificates.c.certificate_id],
            set_={
                **{name: statement.excluded[name] for name in _ISSUED},
                "updated_at": func.now(),
            },
            where=and_(
                certificates.c.operator_id == statement.excluded.operator_id,
                certificates.c.jurisdiction == statement.excluded.jurisdiction,
            ),
        )
        .returning(certificates.c.certificate_id, certificates.c.jurisdiction)
        .cte("saved")
    )
    keys = (
        func.unnest(
            bindparam("l_jurisdiction", type_=_TEXTS),
            bindparam("l_key", type_=ARRAY(BigInteger)),
        )
        .table_valued("jurisdiction", "key")
        .render_derived(name="lock_keys")
    )
    # Volatile output is computed after the sort: the locks are taken in this order.
    return (
        select(saved.c.certificate_id, func.pg_advisory_xact_lock_shared(keys.c.key))
        .join_from(saved, keys, keys.c.jurisdiction == saved.c.jurisdiction)
        .order_by(saved.c.jurisdiction, saved.c.certificate_id)
    )


def _lock_ledgers_under_policies() -> Any:
    """Create-or-lock the ledger rows of the key pairs (in order) whose policy exists."""
    wanted = select(_pairs()).cte("wanted")
    policy = (
        select(release_policies.c.jurisdiction, release_policies.c.policy)
        .where(release_policies.c.jurisdiction.in_(select(wanted.c.jurisdiction)))
        .cte("policy")
    )
    locked = (
        insert(release_ledger)
        .from_select(
            ["operator_id", "jurisdiction"],
            select(wanted.c.operator_id, wanted.c.jurisdiction)
            .join_from(wanted, policy, policy.c.jurisdiction == wanted.c.jurisdiction)
            .order_by(wanted.c.n),
        )
        .on_conflict_do_update(
            index_elements=[release_ledger.c.operator_id, release_ledger.c.jurisdiction],
            set_={"epoch": release_ledger.c.epoch},
        )
        .returning(*release_ledger.c)
        .cte("locked")
    )
    return select(locked, policy.c.policy.label("policy_document")).join_from(
        locked, policy, policy.c.jurisdiction == locked.c.jurisdiction
    )


def _certificates_of() -> Any:
    """The certificates of the key pairs, in certificate id order."""
    pairs = _pairs()
    return (
        select(certificates)
        .join_from(
            certificates,
            pairs,
            and_(
                certificates.c.operator_id == pairs.c.operator_id,
                certificates.c.jurisdiction == pairs.c.jurisdiction,
            ),
        )
        .order_by(certificates.c.certificate_id)
    )


_LEDGER_FIELDS = ("epoch", "released", "release_id", "policy_met", "tooling", "next_check_at")
# Built once: a statement object keeps its cache key, so a call only binds its parameters.
_SAVE_CERTIFICATES_THEN_LOCK = _save_certificates_then_lock()
_LOCK_LEDGERS_UNDER_POLICIES = _lock_ledgers_under_policies()
_CERTIFICATES_OF = _certificates_of()
_SAVE_LEDGERS = (
    update(release_ledger)
    .where(
        release_ledger.c.operator_id == bindparam("s_operator_id"),
        release_ledger.c.jurisdiction == bindparam("s_jurisdiction"),
    )
    .values({name: bindparam(f"s_{name}") for name in _LEDGER_FIELDS} | {"updated_at": func.now()})
)


def _pair_values(keys: Sequence[LedgerKey]) -> dict[str, list[str]]:
    return {
        "k_operator": [operator for operator, _ in keys],
        "k_jurisdiction": [jurisdiction for _, jurisdiction in keys],
    }


def _issued_value(record: CertificateRecord, name: str) -> Any:
    certificate = record.certificate
    if name == "operator_id":
        return record.operator_id
    if name == "training":
        training = certificate.training
        return json.dumps(training.model_dump(mode="json")) if training is not None else None
    return getattr(certificate, name)


def _ledger_values(ledger: ReleaseLedger, next_check_at: datetime | None) -> dict[str, Any]:
    return {
        "s_operator_id": ledger.operator_id,
        "s_jurisdiction": ledger.jurisdiction,
        "s_epoch": ledger.epoch,
        "s_released": ledger.released,
        "s_release_id": ledger.release_id,
        "s_policy_met": ledger.policy_met,
        "s_tooling": list(ledger.tooling),
        "s_next_check_at": next_check_at,
    }
