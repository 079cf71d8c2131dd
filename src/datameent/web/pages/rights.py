"""Pages for my story and my rights (residents), corrections (case managers), and erasure and
objection requests (the privacy officer)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain import catalogue, purposes
from datameent.domain.rights import RIGHT_KIND_LABELS, RIGHT_STATUS_LABELS, RightKind
from datameent.domain.story import SUGGESTED_TITLES
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.services import rights, story
from datameent.services.clock import utcnow
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)

_CHOOSE = Text("Maak een keuze.", "Make a choice.")


async def _form(request: Request, limit: int = 10000) -> dict[str, str]:
    return {k: str(v)[:limit] for k, v in (await request.form()).items() if k != "csrf_token"}


# My story -------------------------------------------------------------------------------------


def _story_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    editing: str = "",
) -> Response:
    mine = story.my_story(store, user)
    context = {
        "mine": mine,
        "purposes": purposes,
        "suggestions": SUGGESTED_TITLES,
        "form": form or {},
        "problems": error.problems if error else (),
        "editing": editing,
        "saved": request.query_params.get("opgeslagen") == "1",
    }
    return render(request, "my_story.html", context, status=422 if error else 200)


@router.get("/mijn-verhaal")
def my_story(request: Request, user: PageUser, store: StoreDep) -> Response:
    return _story_page(request, user, store)


@router.post("/mijn-verhaal")
async def write(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    section = form.get("section_id", "")
    try:
        section_id = UUID(section) if section else None
    except ValueError:
        raise NotFound() from None
    try:
        story.write_section(store, user, section_id, form.get("title", ""), form.get("body", ""))
    except InvalidInput as error:
        return _story_page(request, user, store, form=form, error=error, editing=section)
    return RedirectResponse("/mijn-verhaal?opgeslagen=1", 303)


@router.post("/mijn-verhaal/{section_id}/delen")
async def share(request: Request, section_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    try:
        story.share_section(store, user, section_id, UUID(form.get("case_id", "")))
    except ValueError:
        raise InvalidInput(Problem("caseId", _CHOOSE)) from None
    return RedirectResponse("/mijn-verhaal?opgeslagen=1", 303)


@router.post("/mijn-verhaal/delen/{share_id}/stoppen")
def stop_sharing(share_id: UUID, user: PageUser, store: StoreDep) -> Response:
    story.stop_sharing(store, user, share_id)
    return RedirectResponse("/mijn-verhaal?opgeslagen=1", 303)


# My rights ------------------------------------------------------------------------------------


def _rights_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    locale = locale_of(request)
    mine = rights.my_rights(store, user, locale)
    context = {
        "mine": mine,
        "purposes": purposes,
        "kind_labels": RIGHT_KIND_LABELS,
        "status_labels": RIGHT_STATUS_LABELS,
        "label": lambda key: (
            catalogue.BY_KEY[key].label.in_(locale) if key in catalogue.BY_KEY else key
        ),
        "form": form or {},
        "problems": error.problems if error else (),
        "filed": request.query_params.get("ingediend") == "1",
    }
    return render(request, "my_rights.html", context, status=422 if error else 200)


@router.get("/mijn-rechten")
def my_rights(request: Request, user: PageUser, store: StoreDep, over: str = "") -> Response:
    """`over`: the data item a question or correction is about, chosen from My data."""
    chosen = over[:64]
    form = {"subject-question": chosen, "subject-correction": chosen} if chosen else None
    return _rights_page(request, user, store, form=form)


@router.post("/mijn-rechten")
async def file_request(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request, 2000)
    try:
        kind = RightKind(form.get("kind", ""))
    except ValueError:
        return _rights_page(
            request, user, store, form=form, error=InvalidInput(Problem("kind", _CHOOSE))
        )
    try:
        rights.file_request(
            store,
            user,
            kind,
            form.get(f"explanation-{kind}", ""),
            subject=form.get(f"subject-{kind}") or None,
            proposed=form.get("proposed", ""),
        )
    except InvalidInput as error:
        problems = tuple(Problem(f"{p.field}-{kind}", p.message) for p in error.problems)
        return _rights_page(request, user, store, form=form, error=InvalidInput(*problems))
    return RedirectResponse("/mijn-rechten?ingediend=1#verzoeken", 303)


@router.get("/mijn-rechten/inzage")
def readable_export(request: Request, user: PageUser, store: StoreDep) -> Response:
    if user.person_id is None:
        raise NotFound()
    document = rights.export(store, user, user.person_id)
    locale = locale_of(request)
    context = {
        "doc": document,
        "label": lambda key: (
            catalogue.BY_KEY[key].label.in_(locale) if key in catalogue.BY_KEY else key
        ),
        "purpose_name": _purpose_name(locale),
        "show": lambda value: (
            json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        ),
    }
    return render(request, "export.html", context)


def _purpose_name(locale: str) -> Any:
    def name(ref: str) -> str:
        code, _, version = ref.partition(":v")
        found = purposes.BY_REF.get(ref) or purposes.CURRENT.get(code)
        return found.name.in_(locale) if found else ref

    return name


@router.get("/mijn-rechten/mijn-gegevens.json")
def download_export(user: PageUser, store: StoreDep) -> Response:
    if user.person_id is None:
        raise NotFound()
    document = rights.export(store, user, user.person_id)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    headers = {"content-disposition": 'attachment; filename="mijn-gegevens.json"'}
    return Response(body, media_type="application/json", headers=headers)


# Staff ----------------------------------------------------------------------------------------


@router.post("/clienten/{person_id}/verbeteren/{request_id}")
async def decide_correction(
    request: Request, person_id: UUID, request_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await _form(request, 2000)
    corrected = None
    if form.get("decision") == "approve":
        definition = catalogue.definition(form.get("key", ""))
        corrected = definition.parse_text(form.get("value", ""))
    rights.decide_correction(
        store, user, request_id, corrected=corrected, note=form.get("note", "")
    )
    return RedirectResponse(f"/clienten/{person_id}?verbeterd=1#over-gegevens", 303)


@router.post("/clienten/{person_id}/gegevensvraag/{request_id}")
async def answer_question(
    request: Request, person_id: UUID, request_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await _form(request, 2000)
    rights.answer_question(store, user, request_id, form.get("answer", ""))
    return RedirectResponse(f"/clienten/{person_id}?beantwoord=1#over-gegevens", 303)


@router.get("/privacy/rechten")
def rights_queue(request: Request, user: PageUser, store: StoreDep) -> Response:
    context = {
        "waiting": rights.requests_to_handle(store, user),
        "kind_labels": RIGHT_KIND_LABELS,
        "purposes": purposes,
        "label": lambda key: (
            catalogue.BY_KEY[key].label.in_(locale_of(request)) if key in catalogue.BY_KEY else key
        ),
        "decided": request.query_params.get("besloten") == "1",
        "problems": (),
        "now": utcnow(),
    }
    return render(request, "rights_queue.html", context)


@router.post("/privacy/rechten/{request_id}")
async def decide(request: Request, request_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request, 2000)
    rights.decide_request(
        store, user, request_id, grant=form.get("decision") == "grant", note=form.get("note", "")
    )
    return RedirectResponse("/privacy/rechten?besloten=1", 303)


@router.post("/privacy/gegevensvraag/{request_id}")
async def answer(request: Request, request_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request, 2000)
    rights.answer_question(store, user, request_id, form.get("answer", ""))
    return RedirectResponse("/privacy/rechten?besloten=1", 303)


@router.post("/berichten/wissen/{request_id}")
def confirm_erasure(request_id: UUID, user: PageUser, store: StoreDep) -> Response:
    rights.confirm_erasure(store, user, request_id)
    return RedirectResponse("/berichten", 303)
