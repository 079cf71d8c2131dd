"""When a request is overdue, and what a client's requests wait for (the caseload list)."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.sharing import DUE_SOON_DAYS, DataRequest, RequestStatus, Waiting

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 11, 7, 10, tzinfo=UTC)


def test_nothing_waits_without_open_requests() -> None:
    done = [(RequestStatus.ANSWERED, TODAY - timedelta(days=9)), (RequestStatus.WITHDRAWN, TODAY)]
    assert Waiting.of(done, TODAY) == Waiting() and not Waiting.of(done, TODAY).anything


def test_an_answer_is_asked_before_the_date_so_on_the_date_it_is_overdue() -> None:
    tomorrow = Waiting.of([(RequestStatus.OPEN, TODAY + timedelta(days=1))], TODAY)
    assert (tomorrow.open, tomorrow.overdue, tomorrow.next_due) == (1, 0, TODAY + timedelta(1))
    today = Waiting.of([(RequestStatus.OPEN, TODAY)], TODAY)
    assert (today.open, today.overdue, today.overdue_since, today.next_due) == (1, 1, TODAY, None)


def test_overdue_and_coming_are_told_apart_with_their_first_dates() -> None:
    waiting = Waiting.of(
        [
            (RequestStatus.OPEN, TODAY - timedelta(days=3)),
            (RequestStatus.OPEN, TODAY - timedelta(days=10)),
            (RequestStatus.OPEN, TODAY + timedelta(days=14)),
            (RequestStatus.OPEN, TODAY + timedelta(days=5)),
            (RequestStatus.AWAITING_APPROVAL, TODAY + timedelta(days=2)),
        ],
        TODAY,
    )
    assert waiting == Waiting(
        open=4,
        overdue=2,
        overdue_since=TODAY - timedelta(days=10),
        next_due=TODAY + timedelta(days=5),
        awaiting_approval=1,
    )


@given(st.lists(st.tuples(st.sampled_from(RequestStatus), st.integers(-60, 60)), max_size=12))
def test_every_open_request_is_either_overdue_or_coming(
    requests: list[tuple[RequestStatus, int]],
) -> None:
    """Days from today: at most zero is overdue (the answer was asked before that date)."""
    waiting = Waiting.of(((s, TODAY + timedelta(days=d)) for s, d in requests), TODAY)
    open_offsets = [d for s, d in requests if s is RequestStatus.OPEN]
    assert waiting.open == len(open_offsets)
    assert waiting.overdue == sum(1 for d in open_offsets if d <= 0)
    assert (waiting.next_due is None) == all(d <= 0 for d in open_offsets)
    assert (waiting.overdue_since is None) == (waiting.overdue == 0)
    assert waiting.anything == any(
        s in (RequestStatus.OPEN, RequestStatus.AWAITING_APPROVAL) for s, _ in requests
    )


def test_a_request_is_overdue_from_its_answer_date_and_only_then_not_due_soon() -> None:
    request = DataRequest(
        uuid4(), uuid4(), uuid4(), "heronderzoek", 1, uuid4(), NOW, TODAY, RequestStatus.OPEN
    )
    before = TODAY - timedelta(days=1)
    assert not request.overdue(before) and request.due_soon(before)
    assert request.overdue(TODAY) and not request.due_soon(TODAY)
    assert request.overdue(TODAY + timedelta(days=30))
    assert not request.due_soon(TODAY - timedelta(days=DUE_SOON_DAYS + 1))
    request.status = RequestStatus.ANSWERED
    assert not request.overdue(TODAY) and not request.due_soon(before)
