"""The team lead's overview: cases in the team, and handing them over."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.accounts import User
from datameent.errors import InvalidInput
from datameent.services.caseloads import TeamOverview, assign_case, team_overview
from datameent.store.uow import Store
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/team")
def team(
    request: Request,
    user: PageUser,
    store: StoreDep,
    klantmanager: str = "",
    klantnummer: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Each case manager's load and the cases waiting for one; with `klantmanager` that case
    manager's clients (to hand over all of a leaver's clients, say), with `klantnummer` that
    client's case. Only then are clients' names read (and logged)."""
    overview = _overview(store, user, klantmanager, klantnummer)
    saved = request.query_params.get("opgeslagen") == "1"
    return render(request, "team.html", _context(overview, klantnummer, saved=saved))


def _overview(store: Store, user: User, case_manager: str, client_number: str) -> TeamOverview:
    try:
        chosen = UUID(case_manager) if case_manager else None
    except ValueError:
        chosen = None
    return team_overview(store, user, case_manager=chosen, client_number=client_number)


def _context(
    overview: TeamOverview, client_number: str, *, saved: bool = False, problems: object = ()
) -> dict[str, object]:
    return {
        "overview": overview,
        "load": {w.case_manager.id: w.clients for w in overview.workload},
        "client_number": client_number,
        "saved": saved,
        "problems": problems,
    }


@router.post("/team/toewijzen")
def assign(
    request: Request,
    user: PageUser,
    store: StoreDep,
    person_id: Annotated[UUID, Form()],
    case_manager_id: Annotated[UUID, Form()],
    terug: Annotated[UUID | None, Form()] = None,
    klantnummer: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Hand a case over; back to the list it was handed over from (`terug`: one case
    manager's clients; `klantnummer`: the client looked up)."""
    try:
        assign_case(store, user, person_id, case_manager_id)
    except InvalidInput as error:
        overview = _overview(store, user, str(terug or ""), klantnummer)
        context = _context(overview, klantnummer, problems=error.problems)
        return render(request, "team.html", context, status=422)
    back = {"opgeslagen": "1"}
    if terug:
        back["klantmanager"] = str(terug)
    elif klantnummer:
        back["klantnummer"] = klantnummer
    return RedirectResponse(f"/team?{urlencode(back)}", 303)
