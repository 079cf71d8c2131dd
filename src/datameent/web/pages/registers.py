"""The public registers as pages: readable without logging in; kept by the privacy officer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.processing import CATEGORIES
from datameent.domain.registers import (
    ACTIVITY_TEXTS,
    FIELD_LABELS,
    STATUS_LABELS,
    activity_form,
    algorithm_document,
)
from datameent.errors import InvalidInput
from datameent.services import registers
from datameent.web.deps import OptionalPageUser, PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)


@router.get("/registers")
def public_registers(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    context = {
        "activities": registers.processing_register(store),
        "algorithms": [
            (algorithm_document(e), e.version, at) for e, at in registers.algorithm_register(store)
        ],
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "categories": CATEGORIES,
        "may_edit": registers.may_publish(user),
        "published": request.query_params.get("gepubliceerd") == "1",
    }
    return render(request, "registers.html", context)


def _form_page(
    request: Request, store: StoreDep, form: dict[str, Any], error: InvalidInput | None = None
) -> Response:
    context = {
        "form": form,
        "problems": error.problems if error else (),
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "activities": list(registers.activity_names(store).values()),
    }
    return render(request, "algorithm_form.html", context, status=422 if error else 200)


@router.get("/registers/algoritmes/nieuw")
def new_algorithm(request: Request, user: PageUser, store: StoreDep, code: str = "") -> Response:
    registers.ensure_may_publish(user)
    form: dict[str, Any] = {}
    for entry, _ in registers.algorithm_register(store):
        if entry.code == code:
            form = algorithm_document(entry)
    return _form_page(request, store, form)


@router.post("/registers/algoritmes")
async def publish(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = {k: str(v)[:6000] for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        registers.publish_algorithm(store, user, form)
    except InvalidInput as error:
        return _form_page(request, store, form, error)
    return RedirectResponse("/registers?gepubliceerd=1#algoritmes", 303)


def _activity_page(
    request: Request, form: dict[str, Any], error: InvalidInput | None = None
) -> Response:
    context = {
        "form": form,
        "problems": error.problems if error else (),
        "text_labels": ACTIVITY_TEXTS,
        "categories": CATEGORIES,
    }
    return render(request, "activity_form.html", context, status=422 if error else 200)


@router.get("/registers/verwerkingen/nieuw")
def new_activity(request: Request, user: PageUser, store: StoreDep, code: str = "") -> Response:
    registers.ensure_may_publish(user)
    current = registers.activity_names(store).get(code)
    return _activity_page(request, activity_form(current) if current else {})


@router.post("/registers/verwerkingen")
async def publish_activity(request: Request, user: PageUser, store: StoreDep) -> Response:
    submitted = await request.form()
    form: dict[str, Any] = {
        k: str(v)[:6000] for k, v in submitted.items() if k not in ("csrf_token", "categories")
    }
    form["categories"] = [str(c)[:64] for c in submitted.getlist("categories")[:20]]
    try:
        registers.publish_activity(store, user, form)
    except InvalidInput as error:
        return _activity_page(request, form, error)
    return RedirectResponse("/registers?gepubliceerd=1#verwerkingen", 303)
