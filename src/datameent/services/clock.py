"""The time services use: timezone-aware UTC for moments, and the Dutch calendar for days
(`domain.deadlines.DUTCH_TIME`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from datameent.domain.deadlines import DUTCH_TIME, dutch_day


def utcnow() -> datetime:
    return datetime.now(UTC)


def today(now: datetime | None = None) -> date:
    """The date in the Netherlands now (or at `now`), not in UTC or on the server's clock."""
    return dutch_day(now or utcnow())


def days_back(days: int, now: datetime | None = None) -> datetime:
    """The same time of day, `days` days ago on the Dutch clock (in UTC).

    Counting 24-hour blocks instead would, across a change to or from summer time, start a
    period of "the last 90 days" an hour off, and near midnight on another date than the one
    a reader counts back to."""
    local = (now or utcnow()).astimezone(DUTCH_TIME)
    return (local - timedelta(days=days)).astimezone(UTC)
