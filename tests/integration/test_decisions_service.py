"""Decisions and contestation through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from datameent.domain import deadlines
from datameent.domain.decisions import ContestKind, ContestStatus, DecisionKind, Outcome
from datameent.domain.notifications import Kind
from datameent.domain.vault import NewValue, Source
from datameent.errors import AccessDenied, Conflict, InvalidInput
from datameent.services import clock, decisions, inbox, vault
from datameent.store.tables import contest_attachments, log_records
from datameent.store.uow import Store
from tests.integration.test_sharing_service import manager_of
from tests.support import user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _decide(seeded: Store, resident_name: str, made_known: date | None = None):  # type: ignore[no-untyped-def]
    resident = user(seeded, resident_name)
    assert resident.person_id
    manager = manager_of(seeded, resident)
    view = vault.read_vault(seeded, manager, resident.person_id, purpose="re-integratie")
    relied = [v.id for v in view.current if v.key in ("education_level", "hours_available")]
    decision = decisions.record_decision(
        seeded,
        manager,
        resident.person_id,
        kind=DecisionKind.INSTRUMENT_ASSIGNED,
        outcome="U volgt de opleiding tot heftruckchauffeur, 12 weken.",
        legal_basis="Participatiewet art. 7 lid 1 sub a",
        made_known_on=made_known or clock.today(),
        purpose="re-integratie",
        relied_on=relied,
    )
    return resident, manager, decision


def test_a_decision_rests_on_versions_the_decider_may_see(seeded: Store) -> None:
    resident, manager, decision = _decide(seeded, "inwoner11")
    assert decision.relied_on and decision.objection_deadline == deadlines.objection_deadline(
        clock.today()
    )
    mine = decisions.my_decisions(seeded, resident)
    assert mine.decisions[0].id == decision.id, "the newest first, before their history's"
    assert mine.decisions[0].outcome.startswith("U volgt")
    assert Kind.DECISION_NEW in {n.kind for n in inbox.inbox(seeded, resident).notifications}

    vault.record_attribute(
        seeded,
        resident,
        resident.person_id,  # type: ignore[arg-type]
        NewValue("hours_available", 12, Source.SELF_DECLARED),
    )
    full = vault.read_vault(seeded, resident, resident.person_id, history=True)  # type: ignore[arg-type]
    old = next(
        v for v in full.versions if v.id in decision.relied_on and v.key == "hours_available"
    )
    assert not old.current, "corrected since"
    assert clock.today() in full.used_in[old.id], "the old version shows the decision it served"
    savings = next(v for v in full.current if v.key == "savings")
    with pytest.raises(InvalidInput):  # savings are not granted for reintegration
        decisions.record_decision(
            seeded,
            manager,
            resident.person_id,  # type: ignore[arg-type]
            kind=DecisionKind.BENEFIT_ADJUSTED,
            outcome="Lager",
            legal_basis="Participatiewet art. 34",
            made_known_on=clock.today(),
            purpose="re-integratie",
            relied_on=[savings.id],
        )
    with pytest.raises(InvalidInput):
        decisions.record_decision(
            seeded,
            manager,
            resident.person_id,  # type: ignore[arg-type]
            kind=DecisionKind.BENEFIT_ADJUSTED,
            outcome="Lager",
            legal_basis="",
            made_known_on=clock.today() + timedelta(days=3),
            purpose="re-integratie",
            relied_on=[],
        )


def test_an_objection_is_reviewed_by_someone_else_and_supersedes(seeded: Store) -> None:
    before = len(decisions.my_decisions(seeded, user(seeded, "inwoner12")).decisions)
    resident, manager, decision = _decide(seeded, "inwoner12")
    lead = next(
        user(seeded, f"teamleider{n}")
        for n in (1, 2)
        if user(seeded, f"teamleider{n}").team == manager.team
    )
    objection = decisions.contest(
        seeded,
        resident,
        decision.id,
        ContestKind.OBJECTION,
        "Ik heb rugklachten; heftruckrijden kan ik niet.",
        files=[decisions.NewFile("brief huisarts.pdf", "application/pdf", PDF)],
    ).contestation
    assert not objection.late and objection.attachments[0].content_type == "application/pdf"
    with seeded.engine.connect() as connection:
        stored = connection.scalars(select(contest_attachments.c.content)).all()
    assert stored and all(b"%PDF" not in blob for blob in stored), "encrypted at rest"
    assert Kind.CONTEST_FILED in {n.kind for n in inbox.inbox(seeded, lead).notifications}

    with pytest.raises(AccessDenied):  # the decider may not review their own decision
        decisions.decide_objection(seeded, manager, objection.id, Outcome.REJECTED, "Nee")
    letter = objection.attachments[0].id
    assert decisions.attachment(seeded, resident, letter)[1] == PDF
    assert decisions.attachment(seeded, lead, letter)[1] == PDF, "the reviewer reads it"
    with pytest.raises(AccessDenied):
        decisions.attachment(seeded, manager, letter)  # the decider does not
    with pytest.raises(AccessDenied):
        decisions.attachment(seeded, user(seeded, "inwoner1"), letter)
    watch = decisions.deadline_watch(seeded, lead)
    assert objection.id in {w.id for w in watch}
    assert next(w for w in watch if w.id == objection.id).decide_by == deadlines.decision_deadline(
        clock.today()
    )
    decisions.extend_review(seeded, lead, objection.id, "Medisch advies nodig.")
    with pytest.raises(Conflict):
        decisions.extend_review(seeded, lead, objection.id, "Nog eens.")
    with pytest.raises(InvalidInput):  # upheld needs the new decision
        decisions.decide_objection(seeded, lead, objection.id, Outcome.UPHELD, "Terecht.")
    decisions.decide_objection(
        seeded,
        lead,
        objection.id,
        Outcome.UPHELD,
        "De klachten zijn aangetoond.",
        new_outcome="U volgt een opleiding tot logistiek planner.",
    )
    after = decisions.my_decisions(seeded, resident)
    assert len(after.decisions) == before + 2, "both decisions stay visible"
    old = next(d for d in after.decisions if d.id == decision.id)
    new = after.superseded_by(old)
    assert new is not None and new.decided_by == lead.id and new.supersedes == decision.id
    decided = after.of(old)[0]
    assert decided.status is ContestStatus.DECIDED and decided.outcome is Outcome.UPHELD
    assert decided.extended and decided.reasons == "De klachten zijn aangetoond."
    with pytest.raises(Conflict):
        decisions.decide_objection(seeded, lead, objection.id, Outcome.REJECTED, "Toch niet.")


def test_late_objections_need_a_reason_and_bad_files_are_refused(seeded: Store) -> None:
    long_ago = clock.today() - timedelta(days=70)
    resident, _, decision = _decide(seeded, "inwoner13", made_known=long_ago)
    records = None
    with seeded.engine.connect() as connection:
        records = len(connection.scalars(select(log_records.c.seq)).all())
    with pytest.raises(InvalidInput) as caught:
        decisions.contest(seeded, resident, decision.id, ContestKind.OBJECTION, "Oneens.")
    assert caught.value.problems[0].field == "lateReason"
    with pytest.raises(InvalidInput):
        decisions.contest(
            seeded,
            resident,
            decision.id,
            ContestKind.QUESTION,
            "Wat betekent dit?",
            files=[decisions.NewFile("x.exe", "application/pdf", b"MZ\x90\x00")],
        )
    with pytest.raises(InvalidInput):
        decisions.contest(
            seeded,
            resident,
            decision.id,
            ContestKind.QUESTION,
            "Wat betekent dit?",
            files=[decisions.NewFile("big.pdf", "application/pdf", PDF + b"0" * (5 << 20))],
        )
    with seeded.engine.connect() as connection:
        outcomes = connection.scalars(
            select(log_records.c.outcome).where(log_records.c.seq >= records)
        ).all()
    assert outcomes == ["denied"] * 3, "each refused attempt is logged as denied"
    late = decisions.contest(
        seeded,
        resident,
        decision.id,
        ContestKind.OBJECTION,
        "Oneens.",
        late_reason="Ik lag in het ziekenhuis toen de brief kwam.",
    ).contestation
    assert late.late and late.late_reason

    other = user(seeded, "inwoner14")
    with pytest.raises(AccessDenied):
        decisions.contest(seeded, other, decision.id, ContestKind.QUESTION, "Waarom?")


def test_a_question_is_answered_by_the_case_manager(seeded: Store) -> None:
    resident, manager, decision = _decide(seeded, "inwoner15")
    question = decisions.contest(
        seeded, resident, decision.id, ContestKind.QUESTION, "Wanneer begint de opleiding?"
    ).contestation
    with pytest.raises(InvalidInput):
        decisions.decide_objection(
            seeded, user(seeded, "teamleider1"), question.id, Outcome.REJECTED, "x"
        )
    decisions.answer_question(seeded, manager, question.id, "Op 1 februari.")
    answered = decisions.my_decisions(seeded, resident).contestations[0]
    assert answered.status is ContestStatus.ANSWERED and answered.reasons == "Op 1 februari."


def test_an_objection_is_one_reviewers_until_a_team_lead_releases_it(seeded: Store) -> None:
    resident, manager, decision = _decide(seeded, "inwoner13")
    lead = next(
        user(seeded, f"teamleider{n}")
        for n in (1, 2)
        if user(seeded, f"teamleider{n}").team == manager.team
    )
    colleague = next(
        u
        for u in (user(seeded, f"klantmanager{n}") for n in range(1, 9))
        if u.team == manager.team and u.id != manager.id
    )
    objection = decisions.contest(
        seeded, resident, decision.id, ContestKind.OBJECTION, "Ik ben het er niet mee eens."
    ).contestation
    item, _ = decisions.for_review(seeded, lead, objection.id)
    assert item.status is ContestStatus.IN_REVIEW and item.reviewer_id == lead.id
    mine = next(w for w in decisions.deadline_watch(seeded, lead) if w.id == objection.id)
    assert mine.reviewer == lead.id

    def denied() -> int:
        with seeded.engine.connect() as connection:
            return len(
                connection.scalars(
                    select(log_records.c.seq).where(log_records.c.outcome == "denied")
                ).all()
            )

    before = denied()
    with pytest.raises(AccessDenied):  # deciding on someone else's objection
        decisions.decide_objection(seeded, colleague, objection.id, Outcome.REJECTED, "Nee.")
    with pytest.raises(AccessDenied):
        decisions.for_review(seeded, colleague, objection.id)
    with pytest.raises(AccessDenied):  # only a team lead releases
        decisions.release_review(seeded, colleague, objection.id)
    assert denied() == before + 3, "every refused attempt is logged as denied"
    assert decisions.for_review(seeded, lead, objection.id)[0].reviewer_id == lead.id

    decisions.release_review(seeded, lead, objection.id)
    with pytest.raises(Conflict):
        decisions.release_review(seeded, lead, objection.id)
    decisions.decide_objection(
        seeded, colleague, objection.id, Outcome.REJECTED, "Terecht genomen."
    )
    with pytest.raises(AccessDenied):
        decisions.for_review(seeded, lead, objection.id)
    decided = decisions.my_decisions(seeded, resident).of(decision)[0]
    assert decided.reviewer_id == colleague.id and decided.outcome is Outcome.REJECTED


def test_the_synthetic_municipality_has_decisions_and_objections_to_work_on(
    seeded: Store,
) -> None:
    """The demo's residents find decisions that rest on their data, the first one a duty still
    open to objection; the team lead finds objections due in weeks, within a week and overdue;
    the privacy officer watches them but is not offered to review one."""
    first = decisions.my_decisions(seeded, user(seeded, "inwoner1"))
    assert first.decisions and all(d.relied_on for d in first.decisions)
    assert all(first.relied_on[d.id] for d in first.decisions), "each names its data"
    newest = first.decisions[0]
    assert newest.kind is DecisionKind.OBLIGATION_IMPOSED
    assert newest.objection_deadline >= clock.today(), "still open to objection"

    lead = user(seeded, "teamleider1")
    watched = decisions.deadline_watch(seeded, lead)
    today = clock.today()
    states = {w.overdue(today) or ("near" if w.near(today) else "later") for w in watched}
    assert states == {True, "near", "later"}
    assert all(decisions.may_review(lead, w) for w in watched)
    officer = user(seeded, "privacy1")
    assert decisions.deadline_watch(seeded, officer)
    assert not any(decisions.may_review(officer, w) for w in watched)
