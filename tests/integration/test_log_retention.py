"""Erasing processing-log lines for retention, on SQLite and PostgreSQL: the content goes, the
digests stay, every proof and checkpoint still holds, and content removed any other way is
still found."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from datameent.errors import AccessDenied
from datameent.ledger import NoteKey, leaf_hash, verify_inclusion
from datameent.services import ledger, vault
from datameent.services.clock import utcnow
from datameent.store.ledger import ERASURE
from datameent.store.tables import audit_records, log_records
from datameent.store.uow import Store
from tests.support import LOG_KEY, LOG_ORIGIN, user

KEY = NoteKey(LOG_ORIGIN, LOG_KEY)


def rows(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(
                log_records,
                audit_records.c.payload.label("audit"),
                audit_records.c.user_id,
            )
            .join(audit_records, audit_records.c.seq == log_records.c.seq)
            .order_by(log_records.c.seq)
        )
        return [dict(row._mapping) for row in found]


def _read_a_few(store: Store) -> None:
    for n in (1, 2, 3):
        resident = user(store, f"inwoner{n}")
        assert resident.person_id
        vault.read_vault(store, resident, resident.person_id)


def _ended(store: Store, index: int) -> datetime:
    moment = rows(store)[index]["ended_at"]
    assert isinstance(moment, datetime)
    return moment


def test_erased_lines_keep_their_digests_and_every_proof_and_checkpoint_holds(
    seeded: Store,
) -> None:
    _read_a_few(seeded)
    before = rows(seeded)
    checkpoint = ledger.make_checkpoint(seeded, KEY, LOG_ORIGIN)
    assert checkpoint is not None
    older_than = _ended(seeded, len(before) - 2)  # the seed's records share one end time
    expected = next(i for i, r in enumerate(before) if r["ended_at"] >= older_than)  # type: ignore[operator]
    service = ledger.retention_account(seeded)
    seen: list[tuple[int, int]] = []

    done = ledger.erase_expired(
        seeded, service, older_than, batch=7, progress=lambda n, total: seen.append((n, total))
    )

    assert (done.erased, done.erased_below, done.previously_below) == (expected, expected, 0)
    assert seen[-1] == (expected, expected) and len(seen) == -(-expected // 7)
    after = rows(seeded)
    for old, new in zip(before, after, strict=False):
        assert new["digest"] == old["digest"]
        if new["seq"] < expected:  # type: ignore[operator]
            assert new["payload"] is None and new["subject"] is None
            assert new["audit"] is None and new["user_id"] is None
        else:
            assert new == old
    # Each batch logged itself, in its own transaction, with the boundary it reached.
    erasures = after[len(before) :]
    assert [r["operation"] for r in erasures] == [ERASURE] * len(seen)
    stated = [json.loads(str(r["payload"]))["attributes"] for r in erasures]
    assert [s["datameent.erased_below"] for s in stated] == [min(n, expected) for n, _ in seen]
    assert all("dpl.core.data_subject_id" not in s for s in stated)
    assert all(r["subject"] is None and json.loads(str(r["audit"]))["rule"] == "log-retention"
               for r in erasures)  # fmt: skip

    report = ledger.verify_log(seeded, KEY.verifier())
    assert report.ok and report.size == len(after) and report.checkpoints == 1
    assert ledger.verify_log(seeded, KEY.verifier(), parts=3) == report
    for index in (0, expected - 1):  # an erased line is still in the signed tree
        proof = ledger.prove_inclusion(seeded, index, checkpoint.size)
        assert proof.leaf_hash == leaf_hash(bytes(before[index]["digest"]))  # type: ignore[arg-type]
        verify_inclusion(proof.leaf_hash, index, checkpoint.size, proof.hashes, checkpoint.root)

    again = ledger.erase_expired(seeded, service, older_than)
    assert (again.erased, again.erased_below) == (0, expected)
    assert len(rows(seeded)) == len(after), "nothing to erase, nothing logged"


def test_a_dry_run_counts_and_changes_nothing(seeded: Store) -> None:
    before = rows(seeded)
    done = ledger.erase_expired(
        seeded, ledger.retention_account(seeded), utcnow() + timedelta(seconds=1), dry_run=True
    )
    assert done.dry_run and done.erased == len(before) and done.erased_below == len(before)
    assert rows(seeded) == before


def test_the_resident_no_longer_sees_erased_lines(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    vault.read_vault(seeded, resident, resident.person_id)
    assert ledger.processing_log_of(seeded, resident, resident.person_id)
    ledger.erase_expired(seeded, ledger.retention_account(seeded), utcnow() + timedelta(seconds=1))
    lines = ledger.processing_log_of(seeded, resident, resident.person_id)
    assert lines == [], "erased lines have no pseudonym left to find them by"


def test_only_the_retention_service_erases_and_a_refusal_is_logged(seeded: Store) -> None:
    before = rows(seeded)
    officer = user(seeded, "privacy1")
    with pytest.raises(AccessDenied):
        ledger.erase_expired(seeded, officer, utcnow() + timedelta(seconds=1))
    after = rows(seeded)
    assert after[: len(before)] == before
    [refusal] = after[len(before) :]
    assert refusal["operation"] == ERASURE and refusal["outcome"] == "denied"


@pytest.mark.parametrize("parts", [1, 3])
def test_content_removed_above_the_boundary_is_found(seeded: Store, parts: int) -> None:
    _read_a_few(seeded)
    ledger.make_checkpoint(seeded, KEY, LOG_ORIGIN)
    cut = len(rows(seeded)) - 2
    done = ledger.erase_expired(seeded, ledger.retention_account(seeded), _ended(seeded, cut))
    assert done.erased > 0
    target = done.erased_below + 1  # a read after the boundary (the erasure record is next)
    with seeded.engine.begin() as connection:
        connection.execute(
            update(log_records).where(log_records.c.seq == target).values(payload=None)
        )
    report = ledger.verify_log(seeded, KEY.verifier(), parts=parts)
    assert (report.first_bad_index, report.problem) == (target, "a record's content was removed")


def test_a_row_that_only_claims_to_be_an_erasure_moves_no_boundary(seeded: Store) -> None:
    _read_a_few(seeded)
    cut = len(rows(seeded)) - 2
    done = ledger.erase_expired(seeded, ledger.retention_account(seeded), _ended(seeded, cut))
    assert done.erased
    _read_a_few(seeded)
    last = rows(seeded)[-1]["seq"]
    with seeded.engine.begin() as connection:  # its payload still says what it really was
        connection.execute(
            update(log_records)
            .where(log_records.c.seq == last)
            .values(operation=ERASURE, subject=None)
        )
    report = ledger.verify_log(seeded, KEY.verifier())
    assert (report.first_bad_index, report.problem) == (0, "a record's content was removed")
