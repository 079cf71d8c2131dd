"""The team lead's overview: cases in the team, and handing them over."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from datameent.errors import InvalidInput
from datameent.services.caseloads import assign_case, team_overview
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/team")
def team(request: Request, user: PageUser, store: StoreDep) -> Response:
    overview = team_overview(store, user)
    saved = request.query_params.get("opgeslagen") == "1"
    return render(request, "team.html", {"overview": overview, "saved": saved, "problems": ()})


@router.post("/team/toewijzen")
def assign(
    request: Request,
    user: PageUser,
    store: StoreDep,
    person_id: Annotated[UUID, Form()],
    case_manager_id: Annotated[UUID, Form()],
) -> Response:
    try:
        assign_case(store, user, person_id, case_manager_id)
    except InvalidInput as error:
        overview = team_overview(store, user)
        context = {"overview": overview, "saved": False, "problems": error.problems}
        return render(request, "team.html", context, status=422)
    return RedirectResponse("/team?opgeslagen=1", 303)
