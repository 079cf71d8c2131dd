"""Pages for complaints about conduct (Awb chapter 9): the resident's own, the list for team
leads and the privacy officer, and one complaint for its handler or, as a copy, for the
employee it is about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.complaints import (
    HEARING_LABELS,
    JUDGEMENT_LABELS,
    OMBUDSMAN,
    STATUS_LABELS,
    Hearing,
    Judgement,
    check_complaint,
)
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.services import complaints
from datameent.services.clock import today
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)

_NOT_A_DATE = Text("Vul een datum in als 14-03-2026.", "Enter a date such as 14-03-2026.")
_CHOOSE = Text("Maak een keuze.", "Make a choice.")
Choice = TypeVar("Choice", Hearing, Judgement)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v)[:5000] for k, v in (await request.form()).items() if k != "csrf_token"}


def _labels() -> dict[str, object]:
    return {
        "status_labels": STATUS_LABELS,
        "hearing_labels": HEARING_LABELS,
        "judgement_labels": JUDGEMENT_LABELS,
        "ombudsman": OMBUDSMAN,
    }


# The resident ---------------------------------------------------------------------------------


def _mine(
    request: Request,
    user: PageUser,
    store: StoreDep,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    context = {
        "mine": complaints.my_complaints(store, user),
        "form": form or {},
        "problems": error.problems if error else (),
        "today": today(),
        "filed": request.query_params.get("ingediend") == "1",
        **_labels(),
    }
    return render(request, "my_complaints.html", context, status=422 if error else 200)


@router.get("/mijn-klachten")
def my_complaints(request: Request, user: PageUser, store: StoreDep, regel: str = "") -> Response:
    """`regel`: the line of the resident's log the complaint starts from."""
    if user.person_id is None:
        raise NotFound()
    return _mine(request, user, store, form={"regel": regel} if regel.isdecimal() else None)


@router.post("/mijn-klachten")
async def file_complaint(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    line = form.get("regel", "")
    try:
        occurred = _date(form.get("occurred_on", ""), form.get("conduct", ""))
        filed = complaints.file_complaint(
            store,
            user,
            form.get("conduct", ""),
            occurred_on=occurred,
            about_case_manager=form.get("about") == "klantmanager",
            log_index=int(line) if line.isdecimal() else None,
        )
    except InvalidInput as error:
        return _mine(request, user, store, form=form, error=error)
    return RedirectResponse(f"/mijn-klachten?ingediend=1#klacht-{filed.id}", 303)


def _date(text: str, conduct: str) -> date | None:
    """The day typed, if any; a day that is none is refused together with whatever else is
    wrong with the complaint, so that every error shows at once."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        problems = [Problem("occurredOn", _NOT_A_DATE)]
        try:
            check_complaint(conduct, None, today())
        except InvalidInput as also:
            problems = [*also.problems, *problems]
        raise InvalidInput(*problems) from error


@router.post("/mijn-klachten/{complaint_id}/opgelost")
def settle(complaint_id: UUID, user: PageUser, store: StoreDep) -> Response:
    complaints.settle(store, user, complaint_id)
    return RedirectResponse(f"/mijn-klachten#klacht-{complaint_id}", 303)


# Handling -------------------------------------------------------------------------------------


@router.get("/klachten")
def waiting(request: Request, user: PageUser, store: StoreDep) -> Response:
    context = {"waiting": complaints.waiting(store, user), "today": today(), **_labels()}
    return render(request, "complaints.html", context)


def _file(
    request: Request,
    user: PageUser,
    store: StoreDep,
    complaint_id: UUID,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    context = {
        "file": complaints.open_complaint(store, user, complaint_id),
        "hearings": list(Hearing),
        "judgements": list(Judgement),
        "form": form or {},
        "problems": error.problems if error else (),
        "saved": request.query_params.get("opgeslagen") == "1",
        "me": user.id,
        **_labels(),
    }
    return render(request, "complaint.html", context, status=422 if error else 200)


@router.get("/klachten/{complaint_id}")
def complaint(request: Request, complaint_id: UUID, user: PageUser, store: StoreDep) -> Response:
    return _file(request, user, store, complaint_id)


def _saved(complaint_id: UUID) -> Response:
    return RedirectResponse(f"/klachten/{complaint_id}?opgeslagen=1", 303)


@router.post("/klachten/{complaint_id}/behandelen")
def take(complaint_id: UUID, user: PageUser, store: StoreDep) -> Response:
    complaints.take(store, user, complaint_id)
    return _saved(complaint_id)


async def _step(
    request: Request,
    user: PageUser,
    store: StoreDep,
    complaint_id: UUID,
    act: Callable[[dict[str, str]], object],
) -> Response:
    """One step of the handling with the form's fields; on bad input the complaint's page again,
    with the errors and what was typed."""
    form = await _form(request)
    try:
        act(form)
    except InvalidInput as error:
        return _file(request, user, store, complaint_id, form=form, error=error)
    return _saved(complaint_id)


def _choice(form: dict[str, str], field: str, kind: type[Choice]) -> Choice:
    try:
        return kind(form.get(field, ""))
    except ValueError as error:
        raise InvalidInput(Problem(field, _CHOOSE)) from error


@router.post("/klachten/{complaint_id}/horen")
async def hearing(
    request: Request, complaint_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    def act(form: dict[str, str]) -> None:
        kind = _choice(form, "hearing", Hearing)
        complaints.record_hearing(store, user, complaint_id, kind, form.get("hearing_note", ""))

    return await _step(request, user, store, complaint_id, act)


@router.post("/klachten/{complaint_id}/uitstellen")
async def postpone(
    request: Request, complaint_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    def act(form: dict[str, str]) -> None:
        complaints.postpone(store, user, complaint_id, form.get("reason", ""))

    return await _step(request, user, store, complaint_id, act)


@router.post("/klachten/{complaint_id}/oordeel")
async def judge(request: Request, complaint_id: UUID, user: PageUser, store: StoreDep) -> Response:
    def act(form: dict[str, str]) -> None:
        judgement = _choice(form, "judgement", Judgement)
        complaints.decide(store, user, complaint_id, judgement, form.get("findings", ""))

    return await _step(request, user, store, complaint_id, act)
