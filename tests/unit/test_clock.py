"""Days are Dutch days: "today", and periods counted in days, also across summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.deadlines import DUTCH_TIME, is_late, objection_deadline
from datameent.services.clock import days_back, today


def test_a_quarter_back_from_a_winter_night_starts_on_the_date_a_reader_counts_to() -> None:
    # 7 December 2026, 23:42 in Amsterdam (CET); 90 days back is 8 September, in summer time.
    now = datetime(2026, 12, 7, 22, 42, tzinfo=UTC)
    since = days_back(90, now).astimezone(DUTCH_TIME)
    assert (since.date(), since.hour, since.minute) == (datetime(2026, 9, 8).date(), 23, 42)
    assert now - days_back(90, now) == timedelta(days=90, hours=1)


def test_a_week_back_without_a_change_of_clock_is_seven_times_24_hours() -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert now - days_back(7, now) == timedelta(days=7)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=400),
)
def test_the_start_is_that_many_calendar_days_back_in_amsterdam(now: datetime, days: int) -> None:
    since = days_back(days, now)
    assert since.tzinfo is UTC
    local_now, local_since = now.astimezone(DUTCH_TIME), since.astimezone(DUTCH_TIME)
    assert (local_now.date() - local_since.date()).days == days
    # Only the hour that summer time adds or takes can lie between the two.
    assert abs((now - since) - timedelta(days=days)) <= timedelta(hours=1)


@pytest.mark.parametrize(
    ("moment", "dutch"),
    [
        (datetime(2026, 12, 7, 22, 59, tzinfo=UTC), date(2026, 12, 7)),
        (datetime(2026, 12, 7, 23, 0, tzinfo=UTC), date(2026, 12, 8)),  # midnight, winter time
        (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 7, 1, 22, 0, tzinfo=UTC), date(2026, 7, 2)),  # midnight, summer time
    ],
)
def test_today_is_the_dutch_date_not_the_utc_one(moment: datetime, dutch: date) -> None:
    assert today(moment) == dutch


def test_an_objection_at_half_past_midnight_after_its_last_day_is_late() -> None:
    # Made known on 19 October 2026; the six weeks end on Monday 30 November. At 00:30 Dutch
    # time on 1 December (23:30 UTC on 30 November) the objection is late; at 23:30 Dutch
    # time on 30 November it is not, though both moments fall on 30 November in UTC.
    made_known = date(2026, 10, 19)
    assert objection_deadline(made_known) == date(2026, 11, 30)
    assert not is_late(today(datetime(2026, 11, 30, 22, 30, tzinfo=UTC)), made_known)
    assert is_late(today(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)), made_known)
