"""Periods counted in days follow the municipality's clock, also across summer time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from datameent.services.clock import MUNICIPAL_TIME, days_back


def test_a_quarter_back_from_a_winter_night_starts_on_the_date_a_reader_counts_to() -> None:
    # 7 December 2026, 23:42 in Amsterdam (CET); 90 days back is 8 September, in summer time.
    now = datetime(2026, 12, 7, 22, 42, tzinfo=UTC)
    since = days_back(90, now).astimezone(MUNICIPAL_TIME)
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
    local_now, local_since = now.astimezone(MUNICIPAL_TIME), since.astimezone(MUNICIPAL_TIME)
    assert (local_now.date() - local_since.date()).days == days
    # Only the hour that summer time adds or takes can lie between the two.
    assert abs((now - since) - timedelta(days=days)) <= timedelta(hours=1)
