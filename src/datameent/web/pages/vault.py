"""Mijn gegevens (the resident's own vault) and a client's file (for their case manager)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain import catalogue, purposes, zrm
from datameent.domain.accounts import User
from datameent.domain.attributes import ValueType
from datameent.domain.persons import display_name
from datameent.domain.rights import RightKind
from datameent.domain.sharing import GrantState
from datameent.domain.text import Text
from datameent.domain.vault import SOURCE_LABELS, NewValue, Source
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.services import decisions as decisions_service
from datameent.services import rights as rights_service
from datameent.services import sharing as sharing_service
from datameent.services import story as story_service
from datameent.services import vault as vault_service
from datameent.services.clock import today
from datameent.store.uow import Store
from datameent.web.deps import PageUser, StoreDep
from datameent.web.pages import decisions as decision_pages
from datameent.web.pages import sharing as sharing_pages
from datameent.web.present import form_choices, vault_groups
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)

_BAD_DATE = Text("Dit moet een datum zijn (jjjj-mm-dd).", "This must be a date (yyyy-mm-dd).")
_BAD_SOURCE = Text("Kies een bron.", "Choose a source.")


def _vault_page(
    request: Request,
    store: Store,
    user: User,
    person_id: UUID,
    *,
    form: dict[str, Any] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    if user.person_id != person_id:
        return _client_page(request, store, user, person_id, form=form, error=error)
    view = vault_service.read_vault(store, user, person_id, history=True)
    locale = locale_of(request)
    names = {v.key: v.value for v in view.current}
    context = {
        "view": view,
        "groups": vault_groups(view, locale),
        "full_name": display_name(
            names.get("given_name"), names.get("name_prefix"), names.get("family_name")
        ),
        "choices": form_choices(residents_only=view.own, locale=locale),
        "sources": [(s.value, SOURCE_LABELS[s].in_(locale)) for s in Source],
        "zrm_versions": zrm.INSTRUMENT_VERSIONS,
        "form": form or {},
        "problems": error.problems if error else (),
        "saved": request.query_params.get("opgeslagen") == "1",
        "action": "/mijn-gegevens" if view.own else f"/clienten/{person_id}",
    }
    template = "my_data.html" if view.own else "client_file.html"
    return render(request, template, context, status=422 if error else 200)


def _client_page(
    request: Request,
    store: Store,
    user: User,
    person_id: UUID,
    *,
    form: dict[str, Any] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    """A client's file for their case manager: the cases, requests and grants, and the vault
    as far as the chosen purpose opens it (or all of it under emergency access)."""
    file = sharing_service.case_file(store, user, person_id)
    readable = file.readable_purposes()
    chosen = request.query_params.get("doel", "")
    purpose = next((p for p in readable if p.code == chosen), readable[0] if readable else None)
    emergency = any(b.actor_id == user.id and b.active_at(file.now) for b in file.break_glass)
    view = None
    if emergency or purpose is not None:
        code = None if emergency else purpose.code if purpose else None
        view = vault_service.read_vault(store, user, person_id, purpose=code, history=True)
    told = story_service.shared_story(store, user, person_id)
    decided = decisions_service.decisions_of(store, user, person_id)
    about_data = rights_service.about_data_of(store, user, person_id)
    locale = locale_of(request)
    names = {v.key: v.value for v in view.current} if view else {}
    name = display_name(names.get("given_name"), names.get("name_prefix"), names.get("family_name"))
    context = {
        "file": file,
        "story": told,
        "decided": decided,
        "today": today().isoformat(),
        **decision_pages.labels(store),
        "corrections": [r for r in about_data if r.kind is RightKind.CORRECTION],
        "questions": [r for r in about_data if r.kind is RightKind.QUESTION],
        "view": view,
        "readable": readable,
        "purpose": purpose,
        "emergency": emergency,
        "groups": vault_groups(view, locale) if view else [],
        "full_name": name or file.client_number,
        "choices": form_choices(residents_only=False, locale=locale),
        "sources": [(s.value, SOURCE_LABELS[s].in_(locale)) for s in Source],
        "zrm_versions": zrm.INSTRUMENT_VERSIONS,
        "form": form or {},
        "problems": error.problems if error else (),
        "saved": request.query_params.get("opgeslagen") == "1",
        "asked": request.query_params.get("verzoek") == "1",
        "answered": request.query_params.get("beantwoord") == "1"
        or request.query_params.get("verbeterd") == "1",
        "action": f"/clienten/{person_id}",
        "purposes": purposes,
        "labels": sharing_pages.LABELS,
        "label": lambda key: (
            catalogue.BY_KEY[key].label.in_(locale) if key in catalogue.BY_KEY else key
        ),
        "GrantState": GrantState,
        "labels_of": lambda keys: sharing_pages.labels_of(keys, locale),
    }
    return render(request, "client_file.html", context, status=422 if error else 200)


@router.get("/mijn-gegevens")
def my_data(request: Request, user: PageUser, store: StoreDep) -> Response:
    if user.person_id is None:
        raise NotFound()
    return _vault_page(request, store, user, user.person_id)


@router.get("/clienten/{person_id}")
def client_file(request: Request, person_id: UUID, user: PageUser, store: StoreDep) -> Response:
    return _vault_page(request, store, user, person_id)


def _optional_date(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(Problem(field, _BAD_DATE)) from None


def _new_value(form: dict[str, Any], *, own: bool) -> NewValue:
    key = str(form["key"])
    definition = catalogue.definition(key)
    problems: list[Problem] = []
    value: object = None
    try:
        value = definition.parse_text(str(form["value"]))
    except InvalidInput as error:
        problems.extend(Problem("value", p.message) for p in error.problems)
    dates: dict[str, date | None] = {}
    for name in ("valid_from", "valid_to"):
        try:
            dates[name] = _optional_date(str(form.get(name, "")), name)
        except InvalidInput as error:
            problems.extend(error.problems)
    source = Source.SELF_DECLARED if own else _source(str(form.get("source", "")), problems)
    if problems:
        raise InvalidInput(*problems)
    version = str(form.get("instrument_version") or "") or None
    if definition.value_type is not ValueType.ZRM_SCORE:
        version = None
    return NewValue(
        key,
        value,
        source,
        dates["valid_from"],
        dates["valid_to"],
        verified=bool(form.get("verified")) and not own,
        instrument_version=version,
    )


def _source(text: str, problems: list[Problem]) -> Source:
    try:
        return Source(text)
    except ValueError:
        problems.append(Problem("source", _BAD_SOURCE))
        return Source.SELF_DECLARED


def _record(
    request: Request,
    store: Store,
    user: User,
    person_id: UUID,
    form: dict[str, Any],
    redirect: str,
) -> Response:
    own = user.person_id == person_id
    try:
        vault_service.record_attribute(store, user, person_id, _new_value(form, own=own))
    except InvalidInput as error:
        return _vault_page(request, store, user, person_id, form=form, error=error)
    return RedirectResponse(f"{redirect}?opgeslagen=1#toevoegen", 303)


Field = Annotated[str, Form(max_length=70000)]
Short = Annotated[str, Form(max_length=100)]


@router.post("/mijn-gegevens")
def add_my_data(
    request: Request,
    user: PageUser,
    store: StoreDep,
    key: Short = "",
    value: Field = "",
    valid_from: Short = "",
    valid_to: Short = "",
) -> Response:
    if user.person_id is None:
        raise NotFound()
    form = {"key": key, "value": value, "valid_from": valid_from, "valid_to": valid_to}
    return _record(request, store, user, user.person_id, form, "/mijn-gegevens")


@router.post("/clienten/{person_id}")
def add_client_data(
    request: Request,
    person_id: UUID,
    user: PageUser,
    store: StoreDep,
    key: Short = "",
    value: Field = "",
    source: Short = "",
    valid_from: Short = "",
    valid_to: Short = "",
    verified: Short = "",
    instrument_version: Short = "",
) -> Response:
    form = {
        "key": key,
        "value": value,
        "source": source,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "verified": verified == "on",
        "instrument_version": instrument_version,
    }
    return _record(request, store, user, person_id, form, f"/clienten/{person_id}")


@router.get("/partials/waarde-invoer")
def value_input(request: Request, user: PageUser, key: str = "") -> Response:
    """HTMX: the right input for the chosen kind of data (a list, a date, a number...)."""
    definition = catalogue.BY_KEY.get(key)
    context: dict[str, Any] = {"definition": definition, "form": {}, "problems": ()}
    return render(request, "_value_input.html", context)
