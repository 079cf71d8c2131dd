"""The start: each role lands where its work is."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.accounts import Role
from datameent.web.deps import PageUser
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)

_LANDING = (
    (Role.RESIDENT, "/mijn-gegevens"),
    (Role.CASE_MANAGER, "/clienten"),
    (Role.TEAM_LEAD, "/team"),
    (Role.PRIVACY_OFFICER, "/privacy"),
    (Role.ANALYST, "/statistiek"),
    (Role.COUNCIL_MEMBER, "/statistiek"),
    (Role.FACILITATOR, "/datadialoog"),
    (Role.ADMIN, "/beheer/accounts"),
)


@router.get("/")
def home(user: PageUser) -> Response:
    for role, path in _LANDING:
        if user.has(role):
            return RedirectResponse(path, 303)
    return RedirectResponse("/start", 303)


@router.get("/start")
def start(request: Request, user: PageUser) -> Response:
    return render(request, "start.html", {})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """For browsers that ask for it by this name instead of the page's icon link."""
    return RedirectResponse("/static/favicon.svg", 301)


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
