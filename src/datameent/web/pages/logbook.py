"""Wie keek in mijn gegevens? The resident's processing log, each line checkable and each line
someone else wrote open to a question to the privacy officer; and the same log of any resident
for the privacy officer, found by client number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain import catalogue
from datameent.domain.accounts import ROLE_LABELS, Role
from datameent.domain.deadlines import dutch_day
from datameent.domain.processing import ProcessingActivity
from datameent.domain.processing_log import describe
from datameent.domain.rights import LineQuestion, RightKind
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound
from datameent.services import ledger, registers, rights
from datameent.services.ledger import LineCheck, LogLine
from datameent.web.deps import PageUser, SettingsDep, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)


REPRESENTATIVE = Text("Uw gemachtigde (DigiD Machtigen)", "Your representative (DigiD Machtigen)")
THEIR_REPRESENTATIVE = Text(
    "Gemachtigde van de inwoner (DigiD Machtigen)",
    "The resident's representative (DigiD Machtigen)",
)
YOU = Text("Uzelf", "You")
THE_RESIDENT = Text("De inwoner zelf", "The resident")


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
    question: LineQuestion | None = None


def _who(line: LogLine, locale: str, officer: bool) -> str:
    """Who did it, as the resident reads it (`Uzelf`), or the privacy officer (`officer`)."""
    roles = [Role(r) for r in line.actor_roles if r in Role.__members__.values()]
    if Role.RESIDENT in roles and line.by_representative:
        return (THEIR_REPRESENTATIVE if officer else REPRESENTATIVE).in_(locale)
    if Role.RESIDENT in roles:
        return (THE_RESIDENT if officer else YOU).in_(locale)
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


def _shown(
    line: LogLine, activity: ProcessingActivity | None, locale: str, officer: bool
) -> ShownLine:
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
        who=_who(line, locale, officer),
        why=activity.name.in_(locale) if activity else line.activity_uri,
        legal_basis=activity.legal_basis if activity else "",
        data=labels,
        denied=line.outcome == "denied",
        record=line.record,
        themselves=line.by_the_person,
        question=line.question,
    )


@dataclass(frozen=True)
class Entry:
    """One entry of the page: a line, or lines in a row that say the same (who, what, why,
    which data, refused or not) on one day, such as a case manager's list that showed the
    resident's name at every visit. Each line keeps its own check."""

    lines: list[ShownLine]
    """Newest first."""

    @property
    def line(self) -> ShownLine:
        return self.lines[0]

    @property
    def earliest(self) -> datetime:
        return self.lines[-1].when


def _fold(lines: list[ShownLine]) -> list[Entry]:
    """`lines` (newest first) as entries: a line that says what the one before said, on the
    same day, joins its entry."""
    entries: list[Entry] = []
    for line in lines:
        if entries and _saying(entries[-1].line) == _saying(line):
            entries[-1].lines.append(line)
        else:
            entries.append(Entry([line]))
    return entries


def _saying(line: ShownLine) -> tuple[object, ...]:
    """What a line says, apart from its moment: who did what, why, to which data, on which day.
    A line the resident asked about stands on its own, with its question."""
    day = dutch_day(line.when)
    return (line.what, line.who, line.why, line.data, line.denied, day, line.question)


def _start(lines: list[ShownLine], before: str) -> int:
    """Where a page of `lines` (newest first) begins: at the first line older than the index
    `before`. An index, not a page number, so that lines added meanwhile (looking at the log
    is one) do not move a line onto the next page as well."""
    if not before.isdecimal():
        return 0
    return next((n for n, line in enumerate(lines) if line.index < int(before)), len(lines))


def _in_period(line: LogLine, start: date | None, end: date | None) -> bool:
    day = dutch_day(line.started_at)
    return (start is None or day >= start) and (end is None or day <= end)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Choice:
    """The page's filters as given in its address (dates as typed, which may be invalid)."""

    van: str = ""
    tot: str = ""
    doel: str = ""
    wie: str = ""
    voor: str = ""


ChoiceDep = Annotated[Choice, Depends()]
"""The filters from the query string (FastAPI reads a dataclass's fields as its parameters)."""


@router.get("/mijn-gegevens/logboek")
def my_log(
    request: Request, user: PageUser, store: StoreDep, settings: SettingsDep, choice: ChoiceDep
) -> Response:
    if user.person_id is None:
        raise NotFound()
    lines = ledger.processing_log_of(store, user, user.person_id)
    context = _log(request, store, lines, choice, officer=False)
    context["kept"] = _kept(settings.log_retention_days)
    return render(request, "my_log.html", context)


@router.get("/privacy/logboek")
def person_log(
    request: Request,
    user: PageUser,
    store: StoreDep,
    choice: ChoiceDep,
    klantnummer: str = "",
) -> Response:
    """A resident's log for the privacy officer, found by client number: to answer a resident
    who asks without logging in, or to look into a complaint. Looking is itself logged, so the
    resident sees it."""
    if not ledger.may_read_any_log(user):
        raise NotFound()
    number = klantnummer.strip().upper()[:20]
    context: dict[str, object] = {"number": number, "found": False, "unknown": False}
    if number:
        try:
            lines = ledger.processing_log_of_client(store, user, number)
        except NotFound:
            return render(request, "person_log.html", {**context, "unknown": True}, status=404)
        context |= _log(request, store, lines, choice, officer=True, fixed={"klantnummer": number})
        context["found"] = True
    return render(request, "person_log.html", context)


def _log(
    request: Request,
    store: StoreDep,
    lines: list[LogLine],
    choice: Choice,
    *,
    officer: bool,
    fixed: dict[str, str] | None = None,
) -> dict[str, object]:
    """What the log's part of either page shows: the lines chosen, fifty at a time, and who
    appears in them how often. `fixed` are query parameters every link and the form keep."""
    locale = locale_of(request)
    since, until = _date(choice.van), _date(choice.tot)
    who = Who(choice.wie) if choice.wie in Who.__members__.values() else Who.EVERYONE
    in_choice = [
        _shown(line, registers.activity(store, line.activity_uri), locale, officer)
        for line in lines
        if _in_period(line, since, until)
        and (not choice.doel or line.activity_uri.split(":")[-2] == choice.doel)
    ]
    chosen = [line for line in in_choice if who.keeps(line)]
    at = _start(chosen, choice.voor)
    shown = chosen[at : at + PER_PAGE]
    newer = max(at - PER_PAGE, 0)
    purposes = [(code, a.name.in_(locale)) for code, a in registers.activity_names(store).items()]
    filters = {
        "van": choice.van if since else "",
        "tot": choice.tot if until else "",
        "doel": choice.doel,
        "wie": who.value,
    }
    return {
        "entries": _fold(shown),
        "shown": len(shown),
        "first": at + 1,
        "matching": len(chosen),
        "total": len(lines),
        "fixed": fixed or {},
        "query": {**(fixed or {}), **{k: v for k, v in filters.items() if v}},
        "newer": (chosen[newer - 1].index if newer else "") if at else None,
        "older": shown[-1].index if at + PER_PAGE < len(chosen) else None,
        "others": _actors([x for x in in_choice if not x.themselves]),
        "themselves": sum(x.themselves for x in in_choice),
        "purposes": purposes,
        "filters": filters,
        "bad_dates": bool((choice.van and not since) or (choice.tot and not until)),
        "officer": officer,
        "here": request.url.path,
    }


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
    return render(request, "log_check.html", _check(request, store, result, None))


@router.get("/privacy/logboek/{index}")
def check_persons_line(
    request: Request, index: int, user: PageUser, store: StoreDep, klantnummer: str = ""
) -> Response:
    """The privacy officer's check of a line of a resident's log, without scripts."""
    number = klantnummer.strip().upper()[:20]
    person_id = ledger.person_of_client(store, user, number)
    state = request.app.state
    result = ledger.check_line(
        store, user, person_id, index, state.note_key, state.settings.log_origin
    )
    return render(request, "log_check.html", _check(request, store, result, number))


def _check(
    request: Request, store: StoreDep, result: LineCheck, number: str | None
) -> dict[str, object]:
    """What the check's page shows: the outcome, the line in words, and where to go back to
    (the resident's own log, or the log of the client `number` for the privacy officer)."""
    officer = number is not None
    line = _line(request, store, result.line, officer) if result.line else None
    return {"check": result, "line": line, "back": number}


def _line(request: Request, store: StoreDep, line: LogLine, officer: bool) -> ShownLine:
    return _shown(line, registers.activity(store, line.activity_uri), locale_of(request), officer)


# A question about a line ------------------------------------------------------------------------


@router.get("/mijn-gegevens/logboek/{index}/vraag")
def ask_about_line(request: Request, index: int, user: PageUser, store: StoreDep) -> Response:
    """The resident asks the privacy officer about one line: why someone looked, or whether
    that was allowed. The case manager does not answer: they may be the one who looked."""
    return _question_page(request, user, store, index)


@router.post("/mijn-gegevens/logboek/{index}/vraag")
async def file_question(request: Request, index: int, user: PageUser, store: StoreDep) -> Response:
    form = {k: str(v)[:2000] for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        rights.file_request(
            store,
            user,
            RightKind.ACCESS_QUESTION,
            form.get("explanation", ""),
            subject=str(index),
        )
    except InvalidInput as error:
        return _question_page(request, user, store, index, form=form, error=error)
    return RedirectResponse("/mijn-rechten?ingediend=1#verzoeken", 303)


def _question_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    index: int,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    if user.person_id is None:
        raise NotFound()
    line = ledger.line_of(store, user, user.person_id, index)
    context = {
        "line": _line(request, store, line, officer=False),
        "form": form or {},
        "problems": error.problems if error else (),
    }
    return render(request, "log_question.html", context, status=422 if error else 200)
