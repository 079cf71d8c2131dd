"""The team lead's overview: cases in the team, and handing them over."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from datameent.errors import InvalidInput
from datameent.services.caseloads import TeamOverview, assign_case, team_overview
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/team")
def team(request: Request, user: PageUser, store: StoreDep, klantmanager: str = "") -> Response:
    """The team's cases, or with `klantmanager` one case manager's (to hand over all of a
    leaver's clients, say)."""
    overview = team_overview(store, user)
    saved = request.query_params.get("opgeslagen") == "1"
    return render(request, "team.html", _context(overview, klantmanager, saved=saved))


def _context(
    overview: TeamOverview, chosen: str, *, saved: bool = False, problems: object = ()
) -> dict[str, object]:
    workload = overview.workload()
    of = next((w.case_manager for w in workload if str(w.case_manager.id) == chosen), None)
    cases = [c for c in overview.cases if of is None or c.case_manager == of]
    return {
        "overview": overview,
        "workload": workload,
        "load": {w.case_manager.id: w.clients for w in workload},
        "cases": cases,
        "of": of,
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
) -> Response:
    """Hand a case over; back to the list it was handed over from (`terug`: one case
    manager's clients, when the team lead was handing those over)."""
    try:
        assign_case(store, user, person_id, case_manager_id)
    except InvalidInput as error:
        context = _context(team_overview(store, user), str(terug or ""), problems=error.problems)
        return render(request, "team.html", context, status=422)
    back = f"&klantmanager={terug}" if terug else ""
    return RedirectResponse(f"/team?opgeslagen=1{back}", 303)
