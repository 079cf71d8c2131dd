"""Wie keek in mijn gegevens? The resident's processing log, each line checkable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


def _who(line: LogLine, locale: str) -> str:
    roles = [Role(r) for r in line.actor_roles if r in Role.__members__.values()]
    if Role.RESIDENT in roles and line.by_representative:
        return REPRESENTATIVE.in_(locale)
    if Role.RESIDENT in roles:
        return "U zelf" if locale == "nl" else "You"
    if Role.SYSTEM in roles:
        return line.actor_name or ""
    role = ", ".join(ROLE_LABELS[r].in_(locale) for r in roles)
    parts = [p for p in (line.actor_name, role, line.actor_team) if p]
    return ", ".join(parts)


def _shown(line: LogLine, activity: ProcessingActivity | None, locale: str) -> ShownLine:
    labels = [
        d.label.in_(locale)
        for d in (catalogue.BY_KEY.get(k) for k in line.attribute_keys)
        if d is not None
    ]
    extra = {"bsn": "BSN", "client_number": "Klantnummer" if locale == "nl" else "Client number"}
    labels += [extra[k] for k in line.attribute_keys if k in extra]
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
    )


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
) -> Response:
    if user.person_id is None:
        raise NotFound()
    locale = locale_of(request)
    lines = ledger.processing_log_of(store, user, user.person_id)
    start, end = _date(van), _date(tot)
    chosen = [
        line
        for line in lines
        if _in_period(line, start, end) and (not doel or line.activity_uri.split(":")[-2] == doel)
    ]
    purposes = [(code, a.name.in_(locale)) for code, a in registers.activity_names(store).items()]
    context = {
        "lines": [
            _shown(line, registers.activity(store, line.activity_uri), locale) for line in chosen
        ],
        "total": len(lines),
        "purposes": purposes,
        "filters": {"van": van if start else "", "tot": tot if end else "", "doel": doel},
        "bad_dates": bool((van and not start) or (tot and not end)),
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
