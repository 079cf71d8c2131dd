"""Pages for purpose-bound sharing: the resident's requests and shares, a case manager's new
request and emergency access, the privacy officer's four-eyes approvals and break-glass review,
and everyone's inbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain import catalogue, purposes
from datameent.domain.attributes import JsonValue, ValueType
from datameent.domain.purposes import BASIS_LABELS
from datameent.domain.sharing import (
    ANSWER_LABELS,
    GRANT_STATE_LABELS,
    REQUEST_STATUS_LABELS,
    Answer,
    AskedItem,
    GrantState,
    Review,
)
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem
from datameent.services import inbox, rights, sharing
from datameent.services import vault as vault_service
from datameent.services.clock import today
from datameent.web.deps import PageUser, StoreDep
from datameent.web.present import format_value
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)

_BAD_DATE = Text("Kies een datum.", "Choose a date.")
_CHOOSE = Text("Kies wat u wilt doen.", "Choose what you want to do.")

LABELS = {
    "basis": BASIS_LABELS,
    "grant_state": GRANT_STATE_LABELS,
    "request_status": REQUEST_STATUS_LABELS,
    "answer": ANSWER_LABELS,
}


def _label(key: str, locale: str) -> str:
    definition = catalogue.BY_KEY.get(key)
    return definition.label.in_(locale) if definition else key


def labels_of(keys: Iterable[str], locale: str) -> str:
    """Attribute labels, sorted, as one line of text."""
    return ", ".join(sorted(_label(k, locale) for k in keys))


def _common() -> dict[str, Any]:
    return {"labels": LABELS, "purposes": purposes, "GrantState": GrantState}


# The resident -------------------------------------------------------------------------------


@router.get("/mijn-verzoeken")
def my_requests(request: Request, user: PageUser, store: StoreDep) -> Response:
    mine = sharing.my_sharing(store, user)
    locale = locale_of(request)
    context = {
        **_common(),
        "mine": mine,
        "label": lambda key: _label(key, locale),
        "labels_of": lambda keys: labels_of(keys, locale),
        "revoked": request.query_params.get("ingetrokken") == "1",
        "shared": request.query_params.get("gedeeld") == "1",
        "error": None,
    }
    return render(request, "my_requests.html", context)


@router.post("/mijn-delen/zaak/{case_id}")
async def share_on_own_initiative(
    request: Request, case_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await request.form()
    keys = [str(k).removeprefix("share-") for k, v in form.items() if str(k).startswith("share-")]
    sharing.share(store, user, case_id, keys[:60])
    return RedirectResponse("/mijn-verzoeken?gedeeld=1#delen", 303)


@router.post("/mijn-delen/{grant_id}/intrekken")
def revoke(request: Request, grant_id: UUID, user: PageUser, store: StoreDep) -> Response:
    sharing.revoke(store, user, grant_id)
    return RedirectResponse("/mijn-verzoeken?ingetrokken=1#delen", 303)


def _answer_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    request_id: UUID,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    data_request, held = sharing.my_request(store, user, request_id)
    locale = locale_of(request)
    asked = {i.key for i in data_request.askable_items}
    own = vault_service.read_vault(store, user, user.person_id) if asked & held else None  # type: ignore[arg-type]
    values = {
        v.key: format_value(catalogue.BY_KEY.get(v.key), v.value, locale)
        for v in (own.current if own else [])
        if v.key in asked
    }
    context = {
        **_common(),
        "req": data_request,
        "purpose": purposes.version(data_request.purpose_code, data_request.purpose_version),
        "values": values,
        "definitions": catalogue.BY_KEY,
        "ValueType": ValueType,
        "label": lambda key: _label(key, locale),
        "form": form or {},
        "problems": error.problems if error else (),
        "sent": request.query_params.get("verstuurd") == "1",
        "overdue": data_request.overdue(today()),
    }
    return render(request, "answer_request.html", context, status=422 if error else 200)


@router.get("/mijn-verzoeken/{request_id}")
def answer_form(request: Request, request_id: UUID, user: PageUser, store: StoreDep) -> Response:
    return _answer_page(request, user, store, request_id)


@router.post("/mijn-verzoeken/{request_id}")
async def answer(request: Request, request_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = {k: str(v)[:70000] for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        answers = _answers(form)
        sharing.answer_request(store, user, request_id, answers)
    except InvalidInput as error:
        return _answer_page(request, user, store, request_id, form=form, error=error)
    return RedirectResponse(f"/mijn-verzoeken/{request_id}?verstuurd=1", 303)


def _answers(form: dict[str, str]) -> list[sharing.ItemAnswer]:
    """Form fields ``answer-KEY`` (shared, given, declined), ``value-KEY``, ``reason-KEY``."""
    answers: list[sharing.ItemAnswer] = []
    problems: list[Problem] = []
    for field, choice in form.items():
        if not field.startswith("answer-") or not choice:
            continue
        key = field.removeprefix("answer-")
        try:
            kind = Answer(choice)
        except ValueError:
            problems.append(Problem(field, _CHOOSE))
            continue
        value: JsonValue = None
        if kind is Answer.GIVEN:
            definition = catalogue.BY_KEY.get(key)
            if definition is None:
                problems.append(Problem(field, catalogue.UNKNOWN_KEY))
                continue
            try:
                value = definition.parse_text(form.get(f"value-{key}", ""))
            except InvalidInput as error:
                problems.extend(Problem(f"value-{key}", p.message) for p in error.problems)
                continue
        answers.append(sharing.ItemAnswer(key, kind, value, form.get(f"reason-{key}", "")))
    if problems:
        raise InvalidInput(*problems)
    if not answers:
        raise InvalidInput(Problem("answers", _CHOOSE))
    return answers


# The case manager ---------------------------------------------------------------------------


def _request_form_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    person_id: UUID,
    purpose_code: str,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    file = sharing.case_file(store, user, person_id)
    purpose = purposes.CURRENT.get(purpose_code) or purposes.CURRENT["re-integratie"]
    locale = locale_of(request)
    outside = [d for d in catalogue.DEFINITIONS if not purpose.covers(d.key)]
    context = {
        **_common(),
        "file": file,
        "purpose": purpose,
        "required": sorted(purpose.required, key=lambda k: _label(k, locale)),
        "optional": sorted(purpose.optional, key=lambda k: _label(k, locale)),
        "outside": [d.key for d in outside],
        "label": lambda key: _label(key, locale),
        "form": form,
        "problems": error.problems if error else (),
        "default_due": (file.today + timedelta(days=14)).isoformat(),
    }
    return render(request, "new_request.html", context, status=422 if error else 200)


@router.get("/clienten/{person_id}/verzoek")
def new_request(
    request: Request, person_id: UUID, user: PageUser, store: StoreDep, doel: str = ""
) -> Response:
    return _request_form_page(request, user, store, person_id, doel)


@router.post("/clienten/{person_id}/verzoek")
async def create_request(
    request: Request, person_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = {k: str(v)[:4000] for k, v in (await request.form()).items() if k != "csrf_token"}
    purpose_code = form.get("purpose", "")
    asked = [
        AskedItem(key, form.get(f"reason-{key}", ""), form.get(f"justification-{key}", ""))
        for key in catalogue.BY_KEY
        if form.get(f"ask-{key}") == "on"
    ]
    try:
        due = _date(form.get("due_date", ""))
        sharing.create_request(store, user, person_id, purpose_code, asked, due)
    except InvalidInput as error:
        problems = tuple(_form_field(p, asked) for p in error.problems)
        return _request_form_page(
            request, user, store, person_id, purpose_code, form=form, error=InvalidInput(*problems)
        )
    return RedirectResponse(f"/clienten/{person_id}?verzoek=1#verzoeken", 303)


def _form_field(problem: Problem, asked: list[AskedItem]) -> Problem:
    """`items[3].reason` names the fourth asked item: on the page that is `reason-KEY`."""
    if problem.field.startswith("items[") and "]." in problem.field:
        index, _, part = problem.field.removeprefix("items[").partition("].")
        if index.isdigit() and int(index) < len(asked):
            name = {"key": "ask"}.get(part, part)
            return Problem(f"{name}-{asked[int(index)].key}", problem.message)
    return problem


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(Problem("dueDate", _BAD_DATE)) from None


@router.post("/clienten/{person_id}/noodtoegang")
async def break_glass(
    request: Request, person_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await request.form()
    sharing.break_glass(store, user, person_id, str(form.get("reason", ""))[:1000])
    return RedirectResponse(f"/clienten/{person_id}?noodtoegang=1", 303)


# The privacy officer --------------------------------------------------------------------------


@router.get("/privacy/goedkeuren")
def approvals(request: Request, user: PageUser, store: StoreDep) -> Response:
    locale = locale_of(request)
    context = {
        **_common(),
        "waiting": sharing.approvals_waiting(store, user),
        "label": lambda key: _label(key, locale),
        "judged": request.query_params.get("beoordeeld") == "1",
    }
    return render(request, "approvals.html", context)


@router.post("/privacy/goedkeuren/{request_id}/{key}")
async def judge(
    request: Request, request_id: UUID, key: str, user: PageUser, store: StoreDep
) -> Response:
    form = await request.form()
    sharing.judge_item(store, user, request_id, key, form.get("decision") == "approve")
    return RedirectResponse("/privacy/goedkeuren?beoordeeld=1", 303)


@router.get("/privacy/noodtoegang")
def break_glass_review(request: Request, user: PageUser, store: StoreDep) -> Response:
    context = {
        "items": sharing.break_glass_to_review(store, user),
        "reviewed": request.query_params.get("beoordeeld") == "1",
        "problems": (),
    }
    return render(request, "break_glass_review.html", context)


@router.post("/privacy/noodtoegang/{access_id}")
async def review(request: Request, access_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await request.form()
    try:
        verdict = Review(str(form.get("review", "")))
    except ValueError:
        raise InvalidInput(Problem("review", _CHOOSE)) from None
    try:
        sharing.review_break_glass(
            store, user, access_id, verdict, str(form.get("note", ""))[:2000]
        )
    except InvalidInput as error:
        context = {
            "items": sharing.break_glass_to_review(store, user),
            "reviewed": False,
            "problems": error.problems,
        }
        return render(request, "break_glass_review.html", context, status=422)
    return RedirectResponse("/privacy/noodtoegang?beoordeeld=1", 303)


# Everyone's inbox -----------------------------------------------------------------------------


@router.get("/berichten")
def messages(request: Request, user: PageUser, store: StoreDep) -> Response:
    box = inbox.inbox(store, user)
    erasures = rights.erasures_to_confirm(store, user)
    return render(request, "inbox.html", {"box": box, "purposes": purposes, "erasures": erasures})


@router.post("/berichten/gelezen")
def mark_read(user: PageUser, store: StoreDep) -> Response:
    inbox.mark_read(store, user)
    return RedirectResponse("/berichten", 303)
