"""Awb periods and the Algemene termijnenwet: holidays, working days, deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.deadlines import (
    atw_end,
    decision_deadline,
    easter_sunday,
    general_holidays,
    is_late,
    is_working_day,
    kings_day,
    objection_deadline,
)

# Easter Sunday from published tables (Gregorian), including the earliest and latest dates.
EASTER = {
    1818: date(1818, 3, 22),
    1943: date(1943, 4, 25),
    2008: date(2008, 3, 23),
    2011: date(2011, 4, 24),
    2019: date(2019, 4, 21),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
    2038: date(2038, 4, 25),
    2285: date(2285, 3, 22),
}


@pytest.mark.parametrize("year", sorted(EASTER))
def test_easter_matches_the_tables(year: int) -> None:
    assert easter_sunday(year) == EASTER[year]


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


def test_the_holidays_of_2026() -> None:
    names = {day: text.nl for day, text in general_holidays(2026).items()}
    assert names == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 5): "Eerste Paasdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 24): "Eerste Pinksterdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }
    assert date(2026, 4, 3) not in names, "Good Friday is not an Atw holiday"


def test_kings_day_moves_to_saturday_when_it_falls_on_a_sunday() -> None:
    assert kings_day(2014) == date(2014, 4, 26)  # 27 April 2014 was a Sunday
    assert kings_day(2025) == date(2025, 4, 26)
    assert kings_day(2026) == date(2026, 4, 27)
    assert kings_day(2006) == date(2006, 4, 29)  # Queen's Day, 30 April a Sunday


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(days)
def test_a_period_runs_on_to_the_first_working_day(day: date) -> None:
    end = atw_end(day)
    assert end >= day and is_working_day(end)
    between = [day + timedelta(days=n) for n in range((end - day).days)]
    assert not any(is_working_day(d) for d in between)
    assert (end - day).days <= 4  # at most Christmas, Boxing Day and a weekend


@given(days)
def test_the_objection_period_is_six_weeks_then_the_next_working_day(made_known: date) -> None:
    deadline = objection_deadline(made_known)
    assert deadline == atw_end(made_known + timedelta(weeks=6))
    assert not is_late(deadline, made_known)
    assert is_late(deadline + timedelta(days=1), made_known)


@given(days)
def test_the_decision_period_follows_the_objection_period(made_known: date) -> None:
    ordinary = decision_deadline(made_known)
    extended = decision_deadline(made_known, extended=True)
    assert is_working_day(ordinary) and is_working_day(extended)
    assert ordinary >= objection_deadline(made_known) + timedelta(weeks=6)
    assert extended >= ordinary + timedelta(weeks=6) - timedelta(days=4)
    assert extended > ordinary


def test_examples_across_holidays() -> None:
    # Made known on Friday 13 November 2026: six weeks end on Christmas Day, then Boxing Day
    # (a Saturday) and a Sunday: the period ends on Monday 28 December.
    assert objection_deadline(date(2026, 11, 13)) == date(2026, 12, 28)
    # Made known on Monday 23 March 2026: six weeks end on Monday 4 May; 5 May is a holiday
    # only when the period ends on it.
    assert objection_deadline(date(2026, 3, 23)) == date(2026, 5, 4)
    assert objection_deadline(date(2026, 3, 24)) == date(2026, 5, 6)
    # Easter Monday 2027 (29 March): made known 15 February 2027.
    assert objection_deadline(date(2027, 2, 15)) == date(2027, 3, 30)
    # Ascension Day 2026 (Thursday 14 May).
    assert objection_deadline(date(2026, 4, 2)) == date(2026, 5, 15)
    # Whit Monday 2026 (25 May).
    assert objection_deadline(date(2026, 4, 13)) == date(2026, 5, 26)
    # The decision on an objection: six weeks after 28 December 2026 is Monday 8 February 2027.
    assert decision_deadline(date(2026, 11, 13)) == date(2027, 2, 8)
    assert decision_deadline(date(2026, 11, 13), extended=True) == date(2027, 3, 22)
