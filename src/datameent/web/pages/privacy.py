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


def _page(request: Request, user: PageUser, store: StoreDep, report: object = None) -> Response:
    context = {
        "attention": attention(store, user),
        "report": report,
        "describe": describe,
        "change_labels": CHANGE_LABELS,
        "role_labels": ROLE_LABELS,
    }
    return render(request, "privacy.html", context)


@router.get("/privacy")
def privacy(request: Request, user: PageUser, store: StoreDep) -> Response:
    return _page(request, user, store)


@router.post("/privacy/controle")
def verify_now(request: Request, user: PageUser, store: StoreDep) -> Response:
    """Recompute the whole log now and say whether it verifies."""
    settings = request.app.state.settings
    report = verify_log_now(
        store, user, request.app.state.note_key.verifier(), settings.earlier_verifiers()
    )
    return _page(request, user, store, report)
