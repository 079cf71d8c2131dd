"""The time services use: timezone-aware UTC, always; and the municipality's own clock for
periods counted in days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MUNICIPAL_TIME = ZoneInfo("Europe/Amsterdam")
"""The clock residents and employees read: days begin and end in Dutch time."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def days_back(days: int, now: datetime | None = None) -> datetime:
    """The same time of day, `days` days ago on the municipality's clock (in UTC).

    Counting 24-hour blocks instead would, across a change to or from summer time, start a
    period of "the last 90 days" an hour off, and near midnight on another date than the one
    a reader counts back to."""
    local = (now or utcnow()).astimezone(MUNICIPAL_TIME)
    return (local - timedelta(days=days)).astimezone(UTC)
