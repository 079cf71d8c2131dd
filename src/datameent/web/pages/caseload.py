"""The case manager's caseload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.services.caseloads import my_caseload
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/clienten")
def caseload(request: Request, user: PageUser, store: StoreDep, zoek: str = "") -> Response:
    cases = my_caseload(store, user)
    query = zoek.strip().casefold()[:100]
    shown = [
        c
        for c in cases
        if not query or query in (c.name or "").casefold() or query in c.client_number.casefold()
    ]
    return render(request, "caseload.html", {"cases": shown, "total": len(cases), "zoek": zoek})
