"""Wie keek in mijn gegevens? The resident's processing log, each line checkable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.domain import catalogue
from datameent.domain.accounts import ROLE_LABELS, Role
from datameent.domain.processing import ProcessingActivity
from datameent.domain.processing_log import describe
from datameent.domain.text import Text
from datameent.errors import NotFound
from datameent.services import ledger, registers
from datameent.services.ledger import LogLine
from datameent.web.deps import PageUser, SettingsDep, StoreDep
from datameent.web.i18n import AMSTERDAM
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)


REPRESENTATIVE = Text("Uw gemachtigde (DigiD Machtigen)", "Your representative (DigiD Machtigen)")


@dataclass(frozen=True)
class ShownLine:
    index: int
    when: datetime
    what: str
    who: str
    why: str
    legal_basis: str
    data: list[str]
    denied: bool
    record: str | None
    themselves: bool


def _who(line: LogLine, locale: str) -> str:
    roles = [Role(r) for r in line.actor_roles if r in Role.__members__.values()]
    if Role.RESIDENT in roles and line.by_representative:
        return REPRESENTATIVE.in_(locale)
    if Role.RESIDENT in roles:
        return "Uzelf" if locale == "nl" else "You"
    if Role.SYSTEM in roles:
        return line.actor_name or ""
    role = ", ".join(ROLE_LABELS[r].in_(locale) for r in roles)
    parts = [p for p in (line.actor_name, role, line.actor_team) if p]
    return ", ".join(parts)


PER_PAGE = 50
"""Lines on one page: a resident who looks often has thousands over the years."""

_IDENTIFIERS = {"bsn": Text("BSN", "BSN"), "client_number": Text("Klantnummer", "Client number")}
_ORDER = {key: place for place, key in enumerate([*_IDENTIFIERS, *catalogue.BY_KEY])}


class Who(StrEnum):
    """Whose lines to show; the query parameter's values are Dutch, as the page's address."""

    EVERYONE = ""
    OTHERS = "anderen"
    THEMSELVES = "uzelf"

    def keeps(self, line: ShownLine) -> bool:
        return self is Who.EVERYONE or line.themselves == (self is Who.THEMSELVES)


@dataclass(frozen=True)
class Actor:
    """Someone other than the resident who appears in the chosen lines, and how often."""

    who: str
    times: int
    refused: int
    last: datetime


def _actors(lines: list[ShownLine]) -> list[Actor]:
    """Everyone in `lines` (newest first), most recent first, each once."""
    seen: dict[str, list[ShownLine]] = {}
    for line in lines:
        seen.setdefault(line.who, []).append(line)
    return [
        Actor(who, len(theirs), sum(x.denied for x in theirs), theirs[0].when)
        for who, theirs in seen.items()
    ]


def _shown(line: LogLine, activity: ProcessingActivity | None, locale: str) -> ShownLine:
    """The line in words; the data touched in the order of *Mijn gegevens*, not as stored."""
    keys = sorted((k for k in line.attribute_keys if k in _ORDER), key=_ORDER.__getitem__)
    labels = [
        (_IDENTIFIERS[k] if k in _IDENTIFIERS else catalogue.BY_KEY[k].label).in_(locale)
        for k in keys
    ]
    return ShownLine(
        index=line.index,
        when=line.started_at,
        what=describe(line.operation, line.outcome).in_(locale),
        who=_who(line, locale),
        why=activity.name.in_(locale) if activity else line.activity_uri,
        legal_basis=activity.legal_basis if activity else "",
        data=labels,
        denied=line.outcome == "denied",
        record=line.record,
        themselves=line.by_the_person,
    )


def _start(lines: list[ShownLine], before: str) -> int:
    """Where a page of `lines` (newest first) begins: at the first line older than the index
    `before`. An index, not a page number, so that lines added meanwhile (looking at the log
    is one) do not move a line onto the next page as well."""
    if not before.isdecimal():
        return 0
    return next((n for n, line in enumerate(lines) if line.index < int(before)), len(lines))


def _in_period(line: LogLine, start: date | None, end: date | None) -> bool:
    day = line.started_at.astimezone(AMSTERDAM).date()
    return (start is None or day >= start) and (end is None or day <= end)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/mijn-gegevens/logboek")
def my_log(
    request: Request,
    user: PageUser,
    store: StoreDep,
    settings: SettingsDep,
    van: str = "",
    tot: str = "",
    doel: str = "",
    wie: str = "",
    voor: str = "",
) -> Response:
    if user.person_id is None:
        raise NotFound()
    locale = locale_of(request)
    lines = ledger.processing_log_of(store, user, user.person_id)
    since, until = _date(van), _date(tot)
    who = Who(wie) if wie in Who.__members__.values() else Who.EVERYONE
    in_choice = [
        _shown(line, registers.activity(store, line.activity_uri), locale)
        for line in lines
        if _in_period(line, since, until) and (not doel or line.activity_uri.split(":")[-2] == doel)
    ]
    chosen = [line for line in in_choice if who.keeps(line)]
    at = _start(chosen, voor)
    shown = chosen[at : at + PER_PAGE]
    newer = max(at - PER_PAGE, 0)
    purposes = [(code, a.name.in_(locale)) for code, a in registers.activity_names(store).items()]
    filters = {
        "van": van if since else "",
        "tot": tot if until else "",
        "doel": doel,
        "wie": who.value,
    }
    context = {
        "lines": shown,
        "first": at + 1,
        "matching": len(chosen),
        "total": len(lines),
        "query": {k: v for k, v in filters.items() if v},
        "newer": (chosen[newer - 1].index if newer else "") if at else None,
        "older": shown[-1].index if at + PER_PAGE < len(chosen) else None,
        "others": _actors([x for x in in_choice if not x.themselves]),
        "themselves": sum(x.themselves for x in in_choice),
        "purposes": purposes,
        "filters": filters,
        "bad_dates": bool((van and not since) or (tot and not until)),
        "kept": _kept(settings.log_retention_days),
    }
    return render(request, "my_log.html", context)


def _kept(days: int) -> dict[str, int]:
    """How long lines keep their content, in whole years where the setting is about that."""
    years = round(days / 365.25)
    return {"years": years if years and abs(days - years * 365.25) < 2 else 0, "days": days}


@router.get("/mijn-gegevens/logboek/{index}")
def check_line(request: Request, index: int, user: PageUser, store: StoreDep) -> Response:
    """The same check as the browser does, done by the server, for browsers without scripts."""
    if user.person_id is None:
        raise NotFound()
    state = request.app.state
    result = ledger.check_line(
        store, user, user.person_id, index, state.note_key, state.settings.log_origin
    )
    return render(request, "log_check.html", {"check": result})
