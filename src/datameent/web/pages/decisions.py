"""Pages for decisions: my decisions (residents), recording one (case managers), objections
with their deadlines and their review (team leads, the privacy officer, reviewers)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from datameent.domain.decisions import (
    KIND_EXPLANATIONS,
    KIND_LABELS,
    MAX_ATTACHMENT,
    OUTCOME_LABELS,
    ROUTES,
    STATUS_LABELS,
    ContestKind,
    DecisionKind,
    Outcome,
)
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem
from datameent.services import decisions, registers
from datameent.services.clock import today
from datameent.store.uow import Store
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

router = APIRouter(route_class=OnTheLoop)

_CHOOSE = Text("Maak een keuze.", "Make a choice.")
_BAD_DATE = Text("Dit moet een datum zijn (jjjj-mm-dd).", "This must be a date (yyyy-mm-dd).")


def made_known_on(form: dict[str, str]) -> date:
    """The day a decision was made known, from a form, or a plain error."""
    try:
        return date.fromisoformat(form.get("made_known_on", ""))
    except ValueError:
        raise InvalidInput(Problem("madeKnownOn", _BAD_DATE)) from None


def labels(store: Store) -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "kind_explanations": KIND_EXPLANATIONS,
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "routes": ROUTES,
        "activity": lambda uri: registers.activity(store, uri),
        "kinds": list(DecisionKind),
        "outcomes": list(Outcome),
    }


def _my_page(
    request: Request,
    user: PageUser,
    store: StoreDep,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    target: str = "",
) -> Response:
    file = decisions.my_decisions(store, user)
    context = {
        **labels(store),
        "file": file,
        "form": form or {},
        "problems": error.problems if error else (),
        "target": target,
        "sent": request.query_params.get("verstuurd") == "1",
    }
    return render(request, "my_decisions.html", context, status=422 if error else 200)


@router.get("/mijn-besluiten")
def my_decisions(request: Request, user: PageUser, store: StoreDep) -> Response:
    return _my_page(request, user, store)


@router.post("/mijn-besluiten/{decision_id}")
async def contest(request: Request, decision_id: UUID, user: PageUser, store: StoreDep) -> Response:
    data = await request.form()
    form = {k: str(v)[:4000] for k, v in data.items() if isinstance(v, str) and k != "csrf_token"}
    uploads = [f for f in data.getlist("files") if isinstance(f, UploadFile) and f.filename]
    files = [
        decisions.NewFile(f.filename or "", f.content_type or "", await f.read(MAX_ATTACHMENT + 1))
        for f in uploads
    ]
    try:
        kind = ContestKind(form.get("kind", ""))
    except ValueError:
        error = InvalidInput(Problem("kind", _CHOOSE))
        return _my_page(request, user, store, form=form, error=error, target=str(decision_id))
    try:
        decisions.contest(
            store,
            user,
            decision_id,
            kind,
            form.get("text", ""),
            late_reason=form.get("late_reason", ""),
            files=files,
        )
    except InvalidInput as error:
        return _my_page(request, user, store, form=form, error=error, target=str(decision_id))
    return RedirectResponse(f"/mijn-besluiten?verstuurd=1#besluit-{decision_id}", 303)


@router.get("/bijlagen/{attachment_id}")
@router.get("/mijn-besluiten/bijlagen/{attachment_id}")
def download(attachment_id: UUID, user: PageUser, store: StoreDep) -> Response:
    found, content = decisions.attachment(store, user, attachment_id)
    headers = {"content-disposition": f'attachment; filename="{found.filename}"'}
    return Response(content, media_type=found.content_type, headers=headers)


# Case managers --------------------------------------------------------------------------------


@router.post("/clienten/{person_id}/besluit")
async def record(request: Request, person_id: UUID, user: PageUser, store: StoreDep) -> Response:
    data = await request.form()
    form = {k: str(v)[:4000] for k, v in data.items() if k != "csrf_token"}
    relied = [UUID(str(v)) for v in data.getlist("relied_on")][:100]
    try:
        kind = DecisionKind(form.get("kind", ""))
    except ValueError:
        raise InvalidInput(Problem("kind", _CHOOSE)) from None
    known = made_known_on(form)
    decisions.record_decision(
        store,
        user,
        person_id,
        kind=kind,
        outcome=form.get("outcome", ""),
        legal_basis=form.get("legal_basis", ""),
        made_known_on=known,
        purpose=form.get("purpose", ""),
        relied_on=relied,
    )
    return RedirectResponse(f"/clienten/{person_id}?besloten=1#besluiten", 303)


@router.post("/clienten/{person_id}/vraag/{contest_id}")
async def answer(
    request: Request, person_id: UUID, contest_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await request.form()
    decisions.answer_question(store, user, contest_id, str(form.get("answer", ""))[:4000])
    return RedirectResponse(f"/clienten/{person_id}#besluiten", 303)


# Reviewers, team leads and the privacy officer ------------------------------------------------


@router.get("/bezwaren")
def objections(request: Request, user: PageUser, store: StoreDep) -> Response:
    watched = decisions.deadline_watch(store, user)
    context = {
        "watched": watched,
        "today": today(),
        "me": user.id,
        "may_release": decisions.may_release(user),
        "reviewable": {w.id for w in watched if decisions.may_review(user, w)},
        "released": request.query_params.get("vrijgegeven") == "1",
    }
    return render(request, "objections.html", context)


@router.get("/bezwaren/{contest_id}")
def review(request: Request, contest_id: UUID, user: PageUser, store: StoreDep) -> Response:
    item, decision = decisions.for_review(store, user, contest_id)
    context = {
        **labels(store),
        "item": item,
        "decision": decision,
        "decide_by": item.decide_by(decision.made_known_on),
        "done": request.query_params.get("klaar") == "1",
    }
    return render(request, "review.html", context)


@router.post("/bezwaren/{contest_id}")
async def decide(request: Request, contest_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await request.form()
    try:
        outcome = Outcome(str(form.get("outcome", "")))
    except ValueError:
        raise InvalidInput(Problem("outcome", _CHOOSE)) from None
    decisions.decide_objection(
        store,
        user,
        contest_id,
        outcome,
        str(form.get("reasons", ""))[:4000],
        new_outcome=str(form.get("new_outcome", ""))[:4000],
    )
    return RedirectResponse(f"/bezwaren/{contest_id}?klaar=1", 303)


@router.post("/bezwaren/{contest_id}/vrijgeven")
def release(contest_id: UUID, user: PageUser, store: StoreDep) -> Response:
    decisions.release_review(store, user, contest_id)
    return RedirectResponse("/bezwaren?vrijgegeven=1", 303)


@router.post("/bezwaren/{contest_id}/verlengen")
async def extend(request: Request, contest_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await request.form()
    decisions.extend_review(store, user, contest_id, str(form.get("reason", ""))[:1000])
    return RedirectResponse(f"/bezwaren/{contest_id}?klaar=1", 303)
