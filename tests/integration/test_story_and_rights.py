"""My story and the resident's rights through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from sqlalchemy import select

from datameent.domain import catalogue
from datameent.domain.accounts import User
from datameent.domain.notifications import Kind
from datameent.domain.rights import LineQuestion, RightKind, RightStatus
from datameent.errors import AccessDenied, Conflict, DataErased, InvalidInput, NotFound
from datameent.services import caseloads, inbox, ledger, rights, story, supervision, vault
from datameent.store.tables import cases, story_sections
from datameent.store.uow import Store
from tests.integration.test_sharing_service import manager_of
from tests.support import user


def test_a_story_is_told_once_and_read_by_the_case_manager_it_is_shared_with(
    seeded: Store,
) -> None:
    resident = user(seeded, "inwoner7")
    person = resident.person_id
    assert person
    manager = manager_of(seeded, resident)
    assert story.shared_story(seeded, manager, person) == []

    section = story.write_section(
        seeded, resident, None, "Wat er gebeurd is", "Na mijn scheiding raakte ik mijn werk kwijt."
    )
    private = story.write_section(
        seeded, resident, None, "Mijn gezondheid", "Dit houd ik voor mij."
    )
    mine = story.my_story(seeded, resident)
    trajectory = next(c for c in mine.cases.values() if c.purpose_code == "re-integratie")
    story.share_section(seeded, resident, section.section_id, trajectory.id)
    with pytest.raises(Conflict):
        story.share_section(seeded, resident, section.section_id, trajectory.id)
    with pytest.raises(InvalidInput):  # a section that does not exist
        story.share_section(seeded, resident, UUID(int=5), trajectory.id)

    read = story.shared_story(seeded, manager, person)
    assert [s.title for s in read] == ["Wat er gebeurd is"]
    assert private.section_id not in {s.section_id for s in read}

    story.write_section(
        seeded,
        resident,
        section.section_id,
        "Wat er gebeurd is",
        "Na mijn scheiding raakte ik mijn werk kwijt. Nu woon ik weer zelfstandig.",
    )
    assert Kind.STORY_UPDATED in {n.kind for n in inbox.inbox(seeded, manager).notifications}
    assert "zelfstandig" in story.shared_story(seeded, manager, person)[0].body
    assert len(story.my_story(seeded, resident).history) == 3, "the first version is kept"
    with seeded.engine.connect() as connection:
        stored = connection.scalars(select(story_sections.c.body)).all()
    assert all(b"scheiding" not in blob for blob in stored), "stored encrypted"

    # Handover: the story goes with the case to the next case manager.
    lead = next(
        user(seeded, f"teamleider{n}")
        for n in (1, 2)
        if user(seeded, f"teamleider{n}").team == manager.team
    )
    colleague = next(
        user(seeded, f"klantmanager{n}")
        for n in (1, 2, 3)
        if user(seeded, f"klantmanager{n}").team == manager.team
        and user(seeded, f"klantmanager{n}").id != manager.id
    )
    caseloads.assign_case(seeded, lead, person, colleague.id)
    assert [s.title for s in story.shared_story(seeded, colleague, person)] == ["Wat er gebeurd is"]
    with pytest.raises(AccessDenied):
        story.shared_story(seeded, manager, person)

    share = story.my_story(seeded, resident).shared_with(section.section_id)[0]
    story.stop_sharing(seeded, resident, share.id)
    assert story.shared_story(seeded, colleague, person) == []


def test_the_export_holds_everything_and_only_for_oneself(seeded: Store) -> None:
    resident, other = user(seeded, "inwoner1"), user(seeded, "inwoner2")
    assert resident.person_id
    story.write_section(seeded, resident, None, "Mijn situatie nu", "Ik zoek werk in de zorg.")
    document = rights.export(seeded, resident, resident.person_id)
    assert document["person"]["bsn"].isdigit()
    assert {"given_name", "zrm_financien"} <= {a["key"] for a in document["attributes"]}
    assert document["grants"] and document["requests"] and document["processingLog"]
    assert document["story"][0]["text"] == "Ik zoek werk in de zorg."
    json.dumps(document)  # it is JSON as it stands
    with pytest.raises(AccessDenied) as caught:
        rights.export(seeded, other, resident.person_id)
    assert caught.value.hide_existence


def test_a_correction_of_municipality_data_reaches_the_recipients(seeded: Store) -> None:
    resident = user(seeded, "inwoner8")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    with pytest.raises(InvalidInput):  # self-declared: the resident corrects it directly
        rights.file_request(seeded, resident, RightKind.CORRECTION, "Klopt niet", subject="phone")
    request = rights.file_request(
        seeded,
        resident,
        RightKind.CORRECTION,
        "Mijn zoon woont sinds de zomer bij mij; we zijn met drie.",
        subject="household_size",
        proposed="3",
    )
    assert Kind.RIGHTS_FILED in {n.kind for n in inbox.inbox(seeded, manager).notifications}
    waiting = rights.about_data_of(seeded, manager, resident.person_id)
    assert [r.id for r in waiting] == [request.id]
    rights.decide_correction(seeded, manager, request.id, corrected=3, note="Nagekeken in de BRP.")
    view = vault.read_vault(seeded, resident, resident.person_id, history=True)
    household = next(v for v in view.current if v.key == "household_size")
    assert household.value == 3 and household.provenance.verified
    assert len([v for v in view.versions if v.key == "household_size"]) >= 2, "old one kept"
    decided = rights.my_rights(seeded, resident).requests[0]
    assert decided.status is RightStatus.GRANTED and decided.decision_note
    with pytest.raises(Conflict):
        rights.decide_correction(seeded, manager, request.id, corrected=True, note="nogmaals")


def answer_once(store: Store, by: User, resident: User, request_id: UUID, answer: str) -> None:
    """`by` answers the question; the resident reads the answer and is told; a second answer
    is refused."""
    rights.answer_question(store, by, request_id, answer)
    answered = next(r for r in rights.my_rights(store, resident).requests if r.id == request_id)
    assert (answered.status, answered.decision_note) == (RightStatus.ANSWERED, answer)
    assert Kind.RIGHTS_DECIDED in {n.kind for n in inbox.inbox(store, resident).notifications}
    with pytest.raises(Conflict):
        rights.answer_question(store, by, request_id, "Nogmaals.")


def test_a_question_about_a_data_item_is_answered_by_the_case_manager(seeded: Store) -> None:
    resident = user(seeded, "inwoner10")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    officer = user(seeded, "privacy1")
    mine = rights.my_rights(seeded, resident)
    held = {k for k, _ in mine.held}
    assert "phone" in held - {k for k, _ in mine.recorded_by_others}, "self-declared: asked too"
    nothing = next(d.key for d in catalogue.DEFINITIONS if d.key not in held)
    for subject in ("no_such_key", nothing):  # unknown, or nothing held about it
        with pytest.raises(InvalidInput) as raised:
            rights.file_request(seeded, resident, RightKind.QUESTION, "Waarom?", subject=subject)
        assert [p.field for p in raised.value.problems] == ["subject"]
    with pytest.raises(InvalidInput):
        rights.file_request(seeded, resident, RightKind.QUESTION, "  ", subject="phone")
    assert not rights.about_data_of(seeded, manager, resident.person_id), "nothing was filed"
    asked = rights.file_request(
        seeded, resident, RightKind.QUESTION, "Waar komt dit nummer vandaan?", subject="phone"
    )
    told = inbox.inbox(seeded, manager).notifications
    assert any(n.kind is Kind.RIGHTS_FILED and "#over-gegevens" in n.link for n in told)
    assert not any(
        n.kind is Kind.RIGHTS_FILED for n in inbox.inbox(seeded, officer).notifications
    ), "the case manager answers; the privacy officer is not bothered"
    waiting = rights.about_data_of(seeded, manager, resident.person_id)
    assert [(r.id, r.kind) for r in waiting] == [(asked.id, RightKind.QUESTION)]
    with pytest.raises(InvalidInput):  # a question is answered, not granted or refused
        rights.decide_request(seeded, officer, asked.id, grant=True, note="Ja.")
    with pytest.raises(InvalidInput):
        rights.decide_correction(seeded, manager, asked.id, corrected=None, note="Nee.")
    stranger = next(
        u for u in (user(seeded, f"klantmanager{n}") for n in range(1, 9)) if u.id != manager.id
    )
    with pytest.raises(AccessDenied):
        rights.answer_question(seeded, stranger, asked.id, "Geen idee.")
    answer_once(seeded, manager, resident, asked.id, "U gaf het zelf op bij de aanvraag.")
    assert not rights.about_data_of(seeded, manager, resident.person_id)


def test_a_question_about_a_log_line_is_for_the_privacy_officer_alone(seeded: Store) -> None:
    resident, neighbour = user(seeded, "inwoner10"), user(seeded, "inwoner2")
    assert resident.person_id and neighbour.person_id
    manager = manager_of(seeded, resident)
    officer = user(seeded, "privacy1")
    vault.read_vault(seeded, neighbour, neighbour.person_id)
    looked = next(
        line
        for line in ledger.processing_log_of(seeded, resident, resident.person_id)
        if line.actor_name == manager.display_name
    )
    theirs = ledger.processing_log_of(seeded, neighbour, neighbour.person_id)[0].index
    with seeded.unit_of_work(write=False) as uow:
        beyond = uow.ledger.size() + 10
    for subject in (str(theirs), str(beyond), "abc", "-1", "1.5", "", None):
        with pytest.raises(InvalidInput) as raised:
            rights.file_request(
                seeded, resident, RightKind.ACCESS_QUESTION, "Waarom?", subject=subject
            )
        assert [p.field for p in raised.value.problems] == ["subject"], subject
    assert not rights.my_rights(seeded, resident).requests, "nothing was filed"

    asked = rights.file_request(
        seeded,
        resident,
        RightKind.ACCESS_QUESTION,
        "Ik ken deze persoon niet. Waarom keek die in mijn gegevens?",
        subject=f" {looked.index} ",
    )
    assert asked.log_index == looked.index and asked.subject == str(looked.index)
    told = inbox.inbox(seeded, officer).notifications
    assert any(n.kind is Kind.RIGHTS_FILED and n.link == "/privacy/rechten" for n in told)
    assert not any(
        n.kind is Kind.RIGHTS_FILED for n in inbox.inbox(seeded, manager).notifications
    ), "the case manager may be the one who looked: they are not told"
    assert not rights.about_data_of(seeded, manager, resident.person_id)
    waiting = [(r.id, r.kind) for r, _ in rights.requests_to_handle(seeded, officer)]
    assert (asked.id, RightKind.ACCESS_QUESTION) in waiting
    overview = supervision.attention(seeded, officer)
    assert overview.log_questions == 1 and overview.oldest_log_question == asked.filed_at
    for reader in (resident, officer):  # the line carries the question, on both sides
        marked = {
            line.index: line.question
            for line in ledger.processing_log_of(seeded, reader, resident.person_id)
            if line.question
        }
        assert list(marked) == [looked.index]
        assert marked[looked.index] == LineQuestion(asked.id, RightStatus.OPEN, asked.filed_at)
    assert not any(
        line.question for line in ledger.processing_log_of(seeded, neighbour, neighbour.person_id)
    )

    with pytest.raises(AccessDenied):
        rights.answer_question(seeded, manager, asked.id, "Ik bereidde uw gesprek voor.")
    with pytest.raises(InvalidInput):  # answered, not granted or refused
        rights.decide_request(seeded, officer, asked.id, grant=True, note="Ja.")
    with pytest.raises(InvalidInput):
        rights.answer_question(seeded, officer, asked.id, "   ")
    still = next(r for r in rights.my_rights(seeded, resident).requests if r.id == asked.id)
    assert still.status is RightStatus.OPEN and still.decision_note is None

    answer_once(seeded, officer, resident, asked.id, "Uw klantmanager bereidde uw gesprek voor.")
    assert supervision.attention(seeded, officer).log_questions == 0
    line = ledger.line_of(seeded, resident, resident.person_id, looked.index)
    assert line.question and line.question.status is RightStatus.ANSWERED


def test_an_objection_upheld_ends_the_grants_of_that_purpose(seeded: Store) -> None:
    resident = user(seeded, "inwoner9")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    officer = user(seeded, "privacy1")
    with pytest.raises(InvalidInput):
        rights.file_request(seeded, resident, RightKind.OBJECTION, "x", subject="geen-doel")
    request = rights.file_request(
        seeded,
        resident,
        RightKind.OBJECTION,
        "Ik wil niet dat mijn ZRM-scores voor re-integratie gebruikt worden.",
        subject="re-integratie",
    )
    assert vault.read_vault(seeded, manager, resident.person_id, purpose="re-integratie").current
    with pytest.raises(AccessDenied):
        rights.decide_request(seeded, manager, request.id, grant=True, note="x")
    assert request.id in {r.id for r, _ in rights.requests_to_handle(seeded, officer)}
    rights.decide_request(seeded, officer, request.id, grant=True, note="Bezwaar gegrond.")
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, resident.person_id, purpose="re-integratie")
    assert Kind.RIGHTS_DECIDED in {n.kind for n in inbox.inbox(seeded, resident).notifications}


def test_erasure_waits_for_a_legal_duty_then_shreds_and_asks_recipients(seeded: Store) -> None:
    resident = user(seeded, "inwoner10")
    person = resident.person_id
    assert person
    officer = user(seeded, "privacy1")
    manager = manager_of(seeded, resident)
    request = rights.file_request(seeded, resident, RightKind.ERASURE, "Wis alles over mij.")
    with pytest.raises(Conflict):  # open cases under a legal duty: retention comes first
        rights.decide_request(seeded, officer, request.id, grant=True, note="Wissen.")

    # Once the duties end (the trajectory and review close), erasure goes ahead.
    with seeded.engine.begin() as connection:
        connection.execute(
            cases.update().where(cases.c.person_id == person).values(closed_at=cases.c.opened_at)
        )
    rights.decide_request(seeded, officer, request.id, grant=True, note="Geen plicht meer.")
    with pytest.raises(DataErased):
        vault.read_vault(seeded, resident, person)
    pending = rights.erasures_to_confirm(seeded, manager)
    assert request.id in {c.request_id for c in pending}
    rights.confirm_erasure(seeded, manager, request.id)
    with pytest.raises(NotFound):
        rights.confirm_erasure(seeded, manager, request.id)
    status = rights.my_rights(seeded, resident)
    assert status.requests[0].status is RightStatus.GRANTED
    assert status.requests[0].explanation is None, "shredded with everything else"
    assert all(c.confirmed_at for c in status.confirmations)
    assert any(r.who.startswith("Klantmanager") for r in status.recipients)
