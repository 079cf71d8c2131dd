"""Complaints (Awb chapter 9): the handling period, the rules for a judgement, and who may
handle or read a complaint."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.accounts import Role, User
from datameent.domain.complaints import (
    Complaint,
    ComplaintStatus,
    Hearing,
    Judgement,
    check_complaint,
    check_judgement,
    handling_deadline,
)
from datameent.domain.deadlines import is_working_day
from datameent.domain.policy import AccessRequest, Action, decide
from datameent.errors import InvalidInput
from tests.unit.test_policy import PERSON, make_user


def _complaint(**changes: object) -> Complaint:
    base = Complaint(
        uuid4(),
        PERSON,
        "Onbeleefd aan de balie.",
        None,
        None,
        None,
        datetime(2026, 12, 7, 23, 30, tzinfo=UTC),  # 8 December in Dutch time
        ComplaintStatus.IN_HANDLING,
    )
    return base.__class__(**{**base.__dict__, **changes})


def test_six_weeks_from_receipt_in_dutch_time_and_four_more_once_postponed() -> None:
    complaint = _complaint()
    assert complaint.received_on == date(2026, 12, 8)
    assert complaint.handle_by == date(2027, 1, 19)
    assert _complaint(postponed=True).handle_by == date(2027, 2, 16)
    # Received 9 November 2026: six weeks end on Monday 21 December; a Christmas-week receipt
    # ends on a working day, not on a holiday (Algemene termijnenwet).
    assert handling_deadline(date(2026, 11, 9)) == date(2026, 12, 21)
    assert handling_deadline(date(2026, 11, 14)) == date(2026, 12, 28)  # Sat 26 Dec: Boxing Day


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.booleans())
def test_the_last_day_is_a_working_day_at_least_six_or_ten_weeks_on(
    received: date, postponed: bool
) -> None:
    end = handling_deadline(received, postponed=postponed)
    assert is_working_day(end)
    assert (end - received).days >= (70 if postponed else 42)
    assert (end - received).days <= (70 if postponed else 42) + 5


def test_a_complaint_needs_words_and_no_date_in_the_future() -> None:
    today = date(2026, 12, 8)
    assert check_complaint("  Onbeleefd.  ", date(2026, 12, 8), today) == "Onbeleefd."
    for text, day in (("", None), ("x" * 4001, None), ("Onbeleefd.", date(2026, 12, 9))):
        with pytest.raises(InvalidInput):
            check_complaint(text, day, today)


def test_a_judgement_on_the_merits_waits_for_the_hearing_not_a_refusal_to_handle() -> None:
    unheard = _complaint()
    with pytest.raises(InvalidInput) as raised:
        check_judgement(unheard, Judgement.FOUNDED, "Het klopt.")
    assert [p.field for p in raised.value.problems] == ["hearing"]
    assert check_judgement(unheard, Judgement.NOT_HANDLED, " Ouder dan een jaar. ") == (
        "Ouder dan een jaar."
    )
    heard = _complaint(hearing=Hearing.WAIVED)
    assert check_judgement(heard, Judgement.UNFOUNDED, "Niet gebleken.") == "Niet gebleken."
    with pytest.raises(InvalidInput):
        check_judgement(heard, Judgement.UNFOUNDED, "   ")


def test_a_conduct_more_than_a_year_back_may_be_left_unhandled() -> None:
    assert _complaint(occurred_on=date(2025, 12, 7)).long_ago()
    assert not _complaint(occurred_on=date(2025, 12, 9)).long_ago()
    assert not _complaint().long_ago()


def test_who_may_handle_a_complaint_and_who_reads_a_copy() -> None:
    lead = make_user(Role.TEAM_LEAD, team="Team 1")
    officer = make_user(Role.PRIVACY_OFFICER, team="Privacy")
    manager = make_user(Role.CASE_MANAGER, team="Team 1")
    resident = make_user(Role.RESIDENT, person=PERSON)

    def allowed(
        actor: User, action: Action, about: UUID | None = None, handler: UUID | None = None
    ) -> bool:
        request = AccessRequest(actor, action, PERSON, complained_about=about, handler=handler)
        return decide(request).allowed

    assert allowed(lead, Action.HANDLE_COMPLAINT, manager.id)
    assert allowed(officer, Action.HANDLE_COMPLAINT, manager.id)
    assert not allowed(manager, Action.HANDLE_COMPLAINT, manager.id), "a case manager never"
    assert not allowed(lead, Action.HANDLE_COMPLAINT, lead.id), "Awb 9:7: not about oneself"
    assert not allowed(lead, Action.HANDLE_COMPLAINT, manager.id, officer.id), "taken by another"
    assert allowed(lead, Action.HANDLE_COMPLAINT, manager.id, lead.id)

    assert allowed(manager, Action.READ_COMPLAINT, manager.id), "Awb 9:9: a copy"
    assert not allowed(lead, Action.READ_COMPLAINT, manager.id)
    assert allowed(resident, Action.READ_COMPLAINT)
    assert allowed(resident, Action.FILE_COMPLAINT)
    assert not allowed(manager, Action.FILE_COMPLAINT)
    assert not allowed(resident, Action.HANDLE_COMPLAINT)
    assert decide(AccessRequest(lead, Action.VIEW_COMPLAINTS)).allowed
    assert decide(AccessRequest(officer, Action.VIEW_COMPLAINTS)).allowed
    assert not decide(AccessRequest(manager, Action.VIEW_COMPLAINTS)).allowed
