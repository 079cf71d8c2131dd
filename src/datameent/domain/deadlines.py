"""Periods of Dutch administrative law: objecting to a decision and deciding on an objection.

- Awb 6:7 and 6:8: the period to object is six weeks; it starts the day after the decision was
  made known, so it ends on the same weekday six weeks later.
- Awb 7:10: the administrative body decides within six weeks, counted from the day after the
  period to object ended; it may extend once, by at most six weeks, stating why.
- Algemene termijnenwet (Atw) art. 1: a statutory period that ends on a Saturday, a Sunday or a
  generally recognised holiday runs on to the next day that is none of those. Art. 3 lists the
  holidays: New Year's Day, Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday,
  Christmas Day and Boxing Day, the day the King's birthday is celebrated, and 5 May.
  (Good Friday is not one.) Atw art. 2, which gives periods of at least three days two working
  days, never matters for six-week periods.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from datameent.domain.text import Text

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
"""The clock of the municipality and its residents: a day begins and ends in Dutch time, so
"today", a date made known and every period counted from it are Dutch dates."""

OBJECTION_PERIOD = timedelta(weeks=6)
DECISION_PERIOD = timedelta(weeks=6)
EXTENSION = timedelta(weeks=6)
NEAR = timedelta(days=7)
"""An item whose deadline is this close is shown as near."""


def dutch_day(moment: datetime) -> date:
    """The Dutch date of a moment: from midnight to 01:00 (02:00 in summer) it is a day later
    than in UTC."""
    return moment.astimezone(DUTCH_TIME).date()


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
    Butcher; exact for every Gregorian year)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """The day the monarch's birthday is celebrated: 27 April since 2014 (30 April before);
    when that is a Sunday, the Saturday before."""
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@cache
def general_holidays(year: int) -> dict[date, Text]:
    """The generally recognised holidays of the Algemene termijnenwet (art. 3) in `year`."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): Text("Nieuwjaarsdag", "New Year's Day"),
        easter: Text("Eerste Paasdag", "Easter Sunday"),
        easter + timedelta(days=1): Text("Tweede Paasdag", "Easter Monday"),
        kings_day(year): Text("Koningsdag", "King's Day"),
        date(year, 5, 5): Text("Bevrijdingsdag", "Liberation Day"),
        easter + timedelta(days=39): Text("Hemelvaartsdag", "Ascension Day"),
        easter + timedelta(days=49): Text("Eerste Pinksterdag", "Whit Sunday"),
        easter + timedelta(days=50): Text("Tweede Pinksterdag", "Whit Monday"),
        date(year, 12, 25): Text("Eerste Kerstdag", "Christmas Day"),
        date(year, 12, 26): Text("Tweede Kerstdag", "Boxing Day"),
    }


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in general_holidays(day.year)


def atw_end(day: date) -> date:
    """Atw art. 1: a period ending on a Saturday, Sunday or holiday runs to the next day that is
    none of those."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def objection_deadline(made_known: date) -> date:
    """The last day to object to a decision made known on `made_known` (Awb 6:7, 6:8, Atw)."""
    return atw_end(made_known + OBJECTION_PERIOD)


def decision_deadline(made_known: date, *, extended: bool = False) -> date:
    """The last day to decide on an objection against a decision made known on `made_known`
    (Awb 7:10: six weeks from the day after the objection period ended; once extended, six more;
    Atw on the last day)."""
    end = objection_deadline(made_known) + DECISION_PERIOD
    if extended:
        end += EXTENSION
    return atw_end(end)


def is_late(filed_on: date, made_known: date) -> bool:
    """Filed after the objection period: admissible only when the lateness is excusable
    (Awb 6:11), so a reason must be stated."""
    return filed_on > objection_deadline(made_known)
