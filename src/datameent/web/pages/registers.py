"""The public registers as pages: readable without logging in; kept by the privacy officer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain import processing
from datameent.domain.registers import FIELD_LABELS, STATUS_LABELS, algorithm_document
from datameent.errors import InvalidInput
from datameent.services import registers
from datameent.web.deps import OptionalPageUser, PageUser, StoreDep
from datameent.web.templating import render

router = APIRouter()


@router.get("/registers")
def public_registers(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    context = {
        "activities": registers.processing_register(),
        "algorithms": [
            (algorithm_document(e), e.version, at) for e, at in registers.algorithm_register(store)
        ],
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "may_edit": registers.may_publish(user),
        "published": request.query_params.get("gepubliceerd") == "1",
    }
    return render(request, "registers.html", context)


def _form_page(
    request: Request, form: dict[str, Any], error: InvalidInput | None = None
) -> Response:
    context = {
        "form": form,
        "problems": error.problems if error else (),
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "activities": list(processing.CURRENT.values()),
    }
    return render(request, "algorithm_form.html", context, status=422 if error else 200)


@router.get("/registers/algoritmes/nieuw")
def new_algorithm(request: Request, user: PageUser, store: StoreDep, code: str = "") -> Response:
    registers.ensure_may_publish(user)
    form: dict[str, Any] = {}
    for entry, _ in registers.algorithm_register(store):
        if entry.code == code:
            form = algorithm_document(entry)
    return _form_page(request, form)


@router.post("/registers/algoritmes")
async def publish(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = {k: str(v)[:6000] for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        registers.publish_algorithm(store, user, form)
    except InvalidInput as error:
        return _form_page(request, form, error)
    return RedirectResponse("/registers?gepubliceerd=1#algoritmes", 303)
