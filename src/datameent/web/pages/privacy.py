"""The privacy officer's page: what needs attention in the processing log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.domain.accounts import CHANGE_LABELS, ROLE_LABELS
from datameent.domain.processing_log import describe
from datameent.services.supervision import attention, verify_log_now
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


PERIODS = (7, 30, 90)
"""The periods the page looks back over, in days: a week, a month, a quarter."""


def _page(
    request: Request, user: PageUser, store: StoreDep, report: object = None, days: int = 7
) -> Response:
    context = {
        "attention": attention(store, user, days),
        "days": days,
        "periods": PERIODS,
        "report": report,
        "describe": describe,
        "change_labels": CHANGE_LABELS,
        "role_labels": ROLE_LABELS,
    }
    return render(request, "privacy.html", context)


@router.get("/privacy")
def privacy(request: Request, user: PageUser, store: StoreDep, dagen: str = "7") -> Response:
    """What needs attention over the last week (or `dagen`: one of `PERIODS`)."""
    days = int(dagen) if dagen.isdecimal() and int(dagen) in PERIODS else PERIODS[0]
    return _page(request, user, store, days=days)


@router.post("/privacy/controle")
def verify_now(request: Request, user: PageUser, store: StoreDep) -> Response:
    """Recompute the whole log now and say whether it verifies."""
    settings = request.app.state.settings
    report = verify_log_now(
        store, user, request.app.state.note_key.verifier(), settings.earlier_verifiers()
    )
    return _page(request, user, store, report)
