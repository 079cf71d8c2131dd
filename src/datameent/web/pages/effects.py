"""Pages for "what works for whom": the advice for a client (case manager), the resident's own
advice with their objection, and the model versions with their cards (analysts, the privacy
officer, the client council)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.analytics.effects.data import AUDIT_GROUPS, INSTRUMENT_LABELS, INSTRUMENTS
from datameent.domain.accounts import User
from datameent.domain.text import Text
from datameent.errors import InvalidInput
from datameent.services import effects
from datameent.services.clock import today
from datameent.web.deps import PageUser, StoreDep
from datameent.web.pages.decisions import made_known_on
from datameent.web.templating import render

router = APIRouter()


def _context(advice: effects.Advice, own: bool) -> dict[str, Any]:
    return {
        "advice": advice,
        "own": own,
        "states": effects.AdviceState,
        "instrument_labels": INSTRUMENT_LABELS,
        "instruments": INSTRUMENTS,
    }


@router.get("/clienten/{person_id}/hulp-naar-werk")
def client_advice(request: Request, person_id: UUID, user: PageUser, store: StoreDep) -> Response:
    advice = effects.advise(store, user, person_id)
    context = {
        **_context(advice, own=False),
        "person_id": person_id,
        "today": today().isoformat(),
    }
    return render(request, "advice_client.html", context)


@router.post("/clienten/{person_id}/hulp-naar-werk")
async def record_choice(
    request: Request, person_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = {k: str(v)[:4000] for k, v in (await request.form()).items()}
    effects.record_choice(
        store,
        user,
        person_id,
        chosen=form.get("chosen", ""),
        outcome=form.get("outcome", ""),
        made_known_on=made_known_on(form),
    )
    return RedirectResponse(f"/clienten/{person_id}?besloten=1#besluiten", 303)


def _resident(user: User) -> UUID:
    if user.person_id is None:
        raise InvalidInput(
            detail=Text("Deze pagina is voor inwoners.", "This page is for residents.")
        )
    return user.person_id


@router.get("/mijn-hulp-naar-werk")
def my_advice(request: Request, user: PageUser, store: StoreDep) -> Response:
    advice = effects.advise(store, user, _resident(user))
    return render(request, "advice_mine.html", _context(advice, own=True))


@router.post("/mijn-hulp-naar-werk/bezwaar")
async def my_objection(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = await request.form()
    effects.set_objection(store, user, _resident(user), form.get("objecting") == "yes")
    return RedirectResponse("/mijn-hulp-naar-werk", 303)


@router.get("/statistiek/modellen")
def model_versions(request: Request, user: PageUser, store: StoreDep) -> Response:
    found = effects.model_versions(store, user)
    context = {
        "models": found,
        "instrument_labels": INSTRUMENT_LABELS,
        "audit_labels": AUDIT_GROUPS,
    }
    return render(request, "models.html", context)


@router.post("/statistiek/modellen/{version}/in-gebruik")
def activate(version: str, user: PageUser, store: StoreDep) -> Response:
    effects.activate(store, user, version)
    return RedirectResponse("/statistiek/modellen", 303)
