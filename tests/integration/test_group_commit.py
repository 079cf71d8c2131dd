"""Group commit (`Store.run_together`) on SQLite and PostgreSQL: use cases that share one
transaction each keep their own record, their own denial and their own failure, and nothing of
the group counts unless all of it commits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from uuid import UUID

import pytest
from sqlalchemy import select

from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.vault import NewValue, Provenance, Source
from datameent.errors import AccessDenied, Conflict, InvalidInput
from datameent.ledger import NoteKey
from datameent.services import ledger, vault
from datameent.services.caseloads import my_caseload
from datameent.services.clock import utcnow
from datameent.store.engine import WriteLockBusy
from datameent.store.group import Outcome
from datameent.store.tables import attribute_values, log_records
from datameent.store.uow import Store, UnloggedProcessing
from datameent.web.group_commit import run_grouped
from tests.support import (
    LOG_KEY,
    LOG_ORIGIN,
    SEED_PERSONS,
    run_async,
    store_for,
    take_next_log_number,
    user,
)

PURPOSE = "re-integratie"


def new_records(store: Store, after: int) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(log_records).where(log_records.c.seq >= after).order_by(log_records.c.seq)
        )
        return [dict(row._mapping) for row in rows]


def log_size(store: Store) -> int:
    with store.unit_of_work(write=False) as uow:
        return uow.ledger.size()


def clients(store: Store, manager: User) -> list[UUID]:
    return [case.person_id for case in my_caseload(store, manager)]


def stranger(store: Store, manager: User) -> UUID:
    own = set(clients(store, manager))
    for n in range(1, SEED_PERSONS + 1):
        person = user(store, f"inwoner{n}").person_id
        if person is not None and person not in own:
            return person
    raise AssertionError("every resident is in the caseload")


def read(store: Store, manager: User, person: UUID) -> Callable[[], vault.VaultView]:
    return lambda: vault.read_vault(store, manager, person, purpose=PURPOSE)


def values_of(store: Store, person: UUID, key: str) -> int:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(attribute_values.c.id).where(
                attribute_values.c.person_id == person, attribute_values.c.key == key
            )
        )
        return len(rows.all())


def test_reads_together_each_leave_their_record_in_one_commit(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    persons = clients(seeded, manager)[:5]
    before = log_size(seeded)
    outcomes = seeded.run_together([read(seeded, manager, p) for p in persons])
    assert [o.error for o in outcomes] == [None] * 5
    assert [o.value.person.id for o in outcomes if o.value] == persons
    records = new_records(seeded, before)
    assert [r["seq"] for r in records] == list(range(before, before + 5)), "gapless, in order"
    assert [r["subject"] for r in records] == [seeded.keys.subject_pseudonym(p) for p in persons]
    assert len({r["ended_at"] for r in records}) == 1, "one commit ends them all"
    key = NoteKey(LOG_ORIGIN, LOG_KEY)
    ledger.make_checkpoint(seeded, key, LOG_ORIGIN)
    assert ledger.verify_log(seeded, key.verifier()).ok


def test_a_denied_call_keeps_its_record_and_the_others_go_on(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    own, other = clients(seeded, manager)[0], stranger(seeded, manager)
    before = log_size(seeded)
    outcomes = seeded.run_together(
        [read(seeded, manager, own), read(seeded, manager, other), read(seeded, manager, own)]
    )
    assert outcomes[0].error is None and outcomes[2].error is None
    assert isinstance(outcomes[1].error, AccessDenied)
    records = new_records(seeded, before)
    assert [r["outcome"] for r in records] == ["allowed", "denied", "allowed"]
    denied = json.loads(str(records[1]["payload"]))
    assert denied["attributes"]["datameent.outcome"] == "denied"


def test_a_failing_call_leaves_nothing_and_the_others_are_committed(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    person = resident.person_id
    assert person is not None
    before = values_of(seeded, person, "hours_available")

    def record() -> object:
        return vault.record_attribute(
            seeded, resident, person, NewValue("hours_available", 16, Source.SELF_DECLARED)
        )

    def record_then_fail() -> None:
        with seeded.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(resident, Action.RECORD_ATTRIBUTE, person))
            provenance = Provenance(Source.SELF_DECLARED, resident.id, utcnow())
            uow.vault.record(permit, person, [("hours_available", 99, provenance)])
            raise InvalidInput()

    outcomes = seeded.run_together([record, record_then_fail, record])
    assert outcomes[0].error is None and outcomes[2].error is None
    assert isinstance(outcomes[1].error, InvalidInput)
    assert values_of(seeded, person, "hours_available") == before + 2
    view = vault.read_vault(seeded, resident, person, history=True)
    assert 99 not in [v.value for v in view.versions if v.key == "hours_available"]


def test_what_a_unit_of_work_did_not_commit_is_rolled_back_when_it_ends(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    person = resident.person_id
    assert person is not None
    before = values_of(seeded, person, "hours_available")
    provenance = Provenance(Source.SELF_DECLARED, resident.id, utcnow())

    def commit_then_write_more() -> None:
        with seeded.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(resident, Action.RECORD_ATTRIBUTE, person))
            uow.vault.record(permit, person, [("hours_available", 20, provenance)])
            uow.commit()
            again = uow.authorize(AccessRequest(resident, Action.RECORD_ATTRIBUTE, person))
            uow.vault.record(again, person, [("hours_available", 21, provenance)])
            uow.log.discard()  # leave without committing, as a use case that changed its mind

    [outcome] = seeded.run_together([commit_then_write_more])
    assert outcome.error is None
    assert values_of(seeded, person, "hours_available") == before + 1


def test_a_call_that_reads_without_committing_fails_alone(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    resident = user(seeded, "inwoner1")
    person = resident.person_id
    assert person is not None

    def read_without_commit() -> None:
        with seeded.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(resident, Action.READ_VAULT, person))
            uow.vault.values(permit, person, history=False)

    own = clients(seeded, manager)[0]
    before = log_size(seeded)
    outcomes = seeded.run_together([read_without_commit, read(seeded, manager, own)])
    assert isinstance(outcomes[0].error, UnloggedProcessing)
    assert outcomes[1].error is None
    assert [r["subject"] for r in new_records(seeded, before)] == [
        seeded.keys.subject_pseudonym(own)
    ]


def test_when_the_group_cannot_commit_no_call_succeeds_and_nothing_stays(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    resident = user(seeded, "inwoner1")
    person = resident.person_id
    assert person is not None
    own = clients(seeded, manager)[0]  # (listing the caseload is logged too)
    before, values = log_size(seeded), values_of(seeded, person, "hours_available")

    def take_the_next_number() -> None:
        # A record that the group's own first record will collide with.
        with seeded.unit_of_work() as uow:
            take_next_log_number(uow)
            uow.commit()

    def record() -> object:
        return vault.record_attribute(
            seeded, resident, person, NewValue("hours_available", 16, Source.SELF_DECLARED)
        )

    outcomes: list[Outcome[object]] = seeded.run_together(
        [take_the_next_number, record, read(seeded, manager, own)]
    )
    assert all(isinstance(o.error, Conflict) for o in outcomes), outcomes
    assert log_size(seeded) == before and new_records(seeded, before) == []
    assert values_of(seeded, person, "hours_available") == values


def test_groups_do_not_nest(seeded: Store) -> None:
    [outcome] = seeded.run_together([lambda: seeded.run_together([lambda: None])])
    assert isinstance(outcome.error, RuntimeError)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_without_waiting_a_held_write_lock_is_reported_before_any_call_runs(
    seeded: Store,
) -> None:
    ran: list[str] = []
    with seeded.unit_of_work():  # holds SQLite's write lock
        with pytest.raises(WriteLockBusy):
            seeded.run_together([lambda: ran.append("ran")], wait=False)
    assert ran == []
    # Released, the same pooled connection waits for the lock again as it should.
    [outcome] = seeded.run_together([lambda: ran.append("ran")], wait=False)
    assert outcome.error is None and ran == ["ran"]
    with seeded.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_server_processes_take_turns_through_the_write_gate(seeded_url: str) -> None:
    # Two stores on one file stand in for two server processes: each has its own connections
    # and its own handle on the gate's file lock.
    ours, theirs = store_for(seeded_url), store_for(seeded_url)
    try:
        assert ours.write_gate is not None and theirs.write_gate is not None
        manager = user(ours, "klantmanager1")
        person = clients(ours, manager)[0]
        assert theirs.write_gate.try_take(), "the other process runs a group"

        async def main() -> tuple[bool, int, vault.VaultView]:
            read = asyncio.ensure_future(
                run_grouped(ours, vault.read_vault, ours, manager, person, purpose=PURPOSE)
            )
            turns = 0
            for _ in range(50):  # 0.1 s in which the loop keeps turning
                await asyncio.sleep(0.002)
                turns += 1
            waited = not read.done()
            theirs.write_gate.give()  # the kernel wakes our waiter at once
            return waited, turns, await asyncio.wait_for(read, 10)

        waited, turns, view = run_async(main())
        assert waited and turns == 50, "the read waited for the gate, the loop did not"
        assert view.person.id == person
        assert theirs.write_gate.try_take(), "and we let go of the gate after our group"
        theirs.write_gate.give()
    finally:
        ours.dispose()
        theirs.dispose()
