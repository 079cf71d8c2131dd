"""The case manager's caseload."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.services.caseloads import my_caseload
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/clienten")
def caseload(
    request: Request, user: PageUser, store: StoreDep, zoek: str = "", wacht: str = ""
) -> Response:
    """The caseload by name; with `wacht`, only clients whose requests wait, overdue first
    and then by the first answer date."""
    cases = my_caseload(store, user)
    query = zoek.strip().casefold()[:100]
    shown = [
        c
        for c in cases
        if (not query or query in (c.name or "").casefold() or query in c.client_number.casefold())
        and (not wacht or c.waiting.anything)
    ]
    if wacht:
        shown.sort(key=lambda c: (-c.waiting.overdue, c.waiting.next_due or date.max))
    context = {
        "cases": shown,
        "total": len(cases),
        "overdue": sum(1 for c in cases if c.waiting.overdue),
        "zoek": zoek,
        "wacht": bool(wacht),
    }
    return render(request, "caseload.html", context)
