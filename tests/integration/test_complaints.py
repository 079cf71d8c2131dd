"""Complaints about conduct (Awb chapter 9) through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from datameent.domain.accounts import Role
from datameent.domain.complaints import ComplaintStatus, Hearing, Judgement, handling_deadline
from datameent.domain.notifications import Kind
from datameent.domain.rights import RightKind
from datameent.errors import AccessDenied, Conflict, InvalidInput, NotFound
from datameent.services import clock, complaints, inbox, ledger, rights
from datameent.store.tables import audit_records, cases, log_records
from datameent.store.tables import complaints as complaint_rows
from datameent.store.uow import Store
from tests.integration.test_sharing_service import manager_of
from tests.support import user


def _lead_of(store: Store, team: str | None) -> str:
    with store.unit_of_work(write=False) as uow:
        return uow.accounts.by_role(Role.TEAM_LEAD, team)[0].username


def _kinds(store: Store, username: str) -> list[Kind]:
    return [n.kind for n in inbox.inbox(store, user(store, username)).notifications]


def test_a_complaint_about_the_case_manager_is_heard_and_judged_by_someone_else(
    seeded: Store,
) -> None:
    resident = user(seeded, "inwoner4")
    person = resident.person_id
    assert person
    manager = manager_of(seeded, resident)
    lead = user(seeded, _lead_of(seeded, manager.team))
    officer = user(seeded, "privacy1")
    today = clock.today()

    for conduct, occurred in (
        ("   ", None),
        ("x" * 4001, None),
        ("Onbeleefd.", today + timedelta(1)),
    ):
        with pytest.raises(InvalidInput):
            complaints.file_complaint(seeded, resident, conduct, occurred_on=occurred)
    assert complaints.my_complaints(seeded, resident) == [], "nothing was filed"

    filed = complaints.file_complaint(
        seeded,
        resident,
        "Mijn klantmanager lachte me uit aan de balie.",
        occurred_on=today - timedelta(days=3),
        about_case_manager=True,
    )
    assert filed.about == manager.id and filed.status is ComplaintStatus.RECEIVED
    assert filed.handle_by == handling_deadline(today)
    assert Kind.COMPLAINT_RECEIVED in _kinds(seeded, resident.username), "Awb 9:6"
    assert Kind.COMPLAINT_ABOUT_YOU in _kinds(seeded, manager.username), "Awb 9:9"
    assert Kind.COMPLAINT_FILED in _kinds(seeded, lead.username)
    assert Kind.COMPLAINT_FILED not in _kinds(seeded, manager.username)

    copy = complaints.open_complaint(seeded, manager, filed.id)
    assert copy.complaint.conduct == "Mijn klantmanager lachte me uit aan de balie."
    assert not copy.handling, "the employee reads a copy, and does not handle it"
    for act in (
        lambda: complaints.take(seeded, manager, filed.id),
        lambda: complaints.record_hearing(seeded, manager, filed.id, Hearing.HELD, "Ik was het."),
    ):
        with pytest.raises(AccessDenied):  # Awb 9:7
            act()
    listed = {w.id: w for w in complaints.waiting(seeded, lead)}
    assert listed[filed.id].may_take and listed[filed.id].client_number.startswith("K")
    with pytest.raises(AccessDenied):
        complaints.waiting(seeded, manager)
    with pytest.raises(Conflict):  # taken first
        complaints.record_hearing(seeded, lead, filed.id, Hearing.HELD, "Gesprek gevoerd.")

    complaints.take(seeded, lead, filed.id)
    with pytest.raises(AccessDenied):  # one handler at a time
        complaints.take(seeded, officer, filed.id)
    with pytest.raises(InvalidInput):  # judged on the merits before anyone was heard
        complaints.decide(seeded, lead, filed.id, Judgement.FOUNDED, "Het klopt.")
    with pytest.raises(InvalidInput):
        complaints.record_hearing(seeded, lead, filed.id, Hearing.HELD, "  ")
    until = complaints.postpone(seeded, lead, filed.id, "De klantmanager is twee weken weg.")
    assert until == handling_deadline(filed.received_on, postponed=True)
    assert Kind.COMPLAINT_POSTPONED in _kinds(seeded, resident.username)
    with pytest.raises(Conflict):  # Awb 9:11: once
        complaints.postpone(seeded, lead, filed.id, "Nog langer.")
    complaints.record_hearing(
        seeded, lead, filed.id, Hearing.HELD, "Beiden gesproken; de klantmanager erkent het."
    )
    decided = complaints.decide(
        seeded,
        lead,
        filed.id,
        Judgement.FOUNDED,
        "U bent niet netjes behandeld. De klantmanager biedt excuses aan en volgt een training.",
    )
    assert decided.status is ComplaintStatus.DECIDED and decided.judgement is Judgement.FOUNDED
    assert Kind.COMPLAINT_DECIDED in _kinds(seeded, resident.username)
    assert Kind.COMPLAINT_ABOUT_YOU_DECIDED in _kinds(seeded, manager.username)
    with pytest.raises(Conflict):
        complaints.decide(seeded, lead, filed.id, Judgement.UNFOUNDED, "Toch niet.")
    with pytest.raises(Conflict):
        complaints.settle(seeded, resident, filed.id)
    mine = complaints.my_complaints(seeded, resident)
    assert [(c.judgement, c.hearing, c.postponed) for c in mine] == [
        (Judgement.FOUNDED, Hearing.HELD, True)
    ]
    assert mine[0].findings and "excuses" in mine[0].findings
    assert filed.id not in {w.id for w in complaints.waiting(seeded, lead)}

    log = ledger.processing_log_of(seeded, resident, person)
    handled = [x for x in log if x.operation == "complaint.handle" and x.outcome == "allowed"]
    assert handled and all(x.activity_uri.split(":")[-2] == "klachtbehandeling" for x in handled)
    assert any(
        x.operation == "complaint.read" and x.actor_name == manager.display_name for x in log
    )
    refused = [x for x in log if x.operation == "complaint.handle" and x.outcome == "denied"]
    assert {x.actor_name for x in refused} >= {manager.display_name, officer.display_name}


def test_a_complaint_from_a_log_line_names_its_writer_and_nothing_of_another_persons_log(
    seeded: Store,
) -> None:
    resident, neighbour = user(seeded, "inwoner6"), user(seeded, "inwoner2")
    assert resident.person_id and neighbour.person_id
    manager = manager_of(seeded, resident)
    line = next(
        x
        for x in ledger.processing_log_of(seeded, resident, resident.person_id)
        if x.actor_name == manager.display_name
    )
    theirs = ledger.processing_log_of(seeded, neighbour, neighbour.person_id)[0].index
    with seeded.unit_of_work(write=False) as uow:
        beyond = uow.ledger.size() + 10
    for index in (theirs, beyond):
        with pytest.raises(InvalidInput) as raised:
            complaints.file_complaint(seeded, resident, "Waarom keek hij?", log_index=index)
        assert [p.field for p in raised.value.problems] == ["logIndex"]
    own = next(
        x for x in ledger.processing_log_of(seeded, resident, resident.person_id) if x.by_the_person
    )
    nobody = complaints.file_complaint(seeded, resident, "Dit was ik zelf.", log_index=own.index)
    assert nobody.about is None, "a line the resident wrote names no employee"

    filed = complaints.file_complaint(
        seeded, resident, "Hij keek zonder reden in mijn dossier.", log_index=line.index
    )
    assert filed.about == manager.id and filed.log_index == line.index
    assert Kind.COMPLAINT_FILED in _kinds(seeded, "privacy1"), "a complaint about the log"

    complaints.settle(seeded, resident, filed.id)  # Awb 9:5: put right
    settled = next(c for c in complaints.my_complaints(seeded, resident) if c.id == filed.id)
    assert settled.status is ComplaintStatus.SETTLED and settled.judgement is None
    with pytest.raises(Conflict):
        complaints.settle(seeded, resident, filed.id)
    with pytest.raises(AccessDenied):  # someone else's complaint
        complaints.settle(seeded, neighbour, nobody.id)
    with pytest.raises(NotFound):
        complaints.open_complaint(seeded, user(seeded, "privacy1"), neighbour.person_id)


def test_the_texts_are_sealed_with_the_residents_key_and_go_with_an_erasure(
    seeded: Store,
) -> None:
    resident = user(seeded, "inwoner8")
    assert resident.person_id
    officer = user(seeded, "privacy1")
    filed = complaints.file_complaint(seeded, resident, "De medewerker schreeuwde tegen me.")
    with seeded.engine.connect() as connection:
        stored = connection.execute(
            select(complaint_rows.c.conduct).where(complaint_rows.c.id == filed.id)
        ).scalar_one()
        audits = connection.execute(
            select(audit_records.c.payload)
            .join(log_records, log_records.c.seq == audit_records.c.seq)
            .where(log_records.c.operation == "complaint.file")
        ).scalars()
        assert all("schreeuwde" not in (a or "") for a in audits)
    assert b"schreeuwde" not in stored

    erasure = rights.file_request(seeded, resident, RightKind.ERASURE, "Wis alles.")
    with seeded.engine.begin() as connection:  # no legal duty keeps the data any longer
        connection.execute(
            cases.update()
            .where(cases.c.person_id == resident.person_id)
            .values(closed_at=cases.c.opened_at)
        )
    rights.decide_request(seeded, officer, erasure.id, grant=True, note="Gewist.")
    after = complaints.my_complaints(seeded, resident)
    assert [(c.id, c.status, c.conduct) for c in after] == [
        (filed.id, ComplaintStatus.RECEIVED, None)
    ], "the course stays, the words are gone"
