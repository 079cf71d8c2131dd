"""Intake: a case manager registers a new applicant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.vault import SOURCE_LABELS, Source
from datameent.errors import Conflict, InvalidInput, Problem
from datameent.services.persons import IntakeForm, ensure_may_register, register_person
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import locale_of, render

router = APIRouter(route_class=OnTheLoop)

Short = Annotated[str, Form(max_length=200)]
_SOURCES = (Source.SELF_DECLARED, Source.BRP, Source.MUNICIPALITY)


def _page(
    request: Request, form: dict[str, str], problems: tuple[Problem, ...], status: int = 200
) -> Response:
    locale = locale_of(request)
    sources = [(s.value, SOURCE_LABELS[s].in_(locale)) for s in _SOURCES]
    context = {"form": form, "problems": problems, "sources": sources}
    return render(request, "intake.html", context, status=status)


@router.get("/intake")
def intake_page(request: Request, user: PageUser) -> Response:
    ensure_may_register(user)
    return _page(request, {}, ())


@router.post("/intake")
def intake(
    request: Request,
    user: PageUser,
    store: StoreDep,
    bsn: Short = "",
    given_name: Short = "",
    name_prefix: Short = "",
    family_name: Short = "",
    birth_date: Short = "",
    source: Short = "self_declared",
    verified: Short = "",
) -> Response:
    form = {
        "given_name": given_name,
        "name_prefix": name_prefix,
        "family_name": family_name,
        "birth_date": birth_date,
        "source": source,
        "verified": verified,
    }
    try:
        chosen = Source(source) if source in {s.value for s in _SOURCES} else Source.SELF_DECLARED
        person = register_person(
            store,
            user,
            IntakeForm(
                bsn,
                given_name,
                name_prefix.strip() or None,
                family_name,
                birth_date.strip(),
                chosen,
                verified == "on",
            ),
        )
    except InvalidInput as error:
        return _page(request, form, error.problems, 422)
    except Conflict as error:
        problem = Problem("bsn", error.detail or Conflict.title)
        return _page(request, form, (problem,), 409)
    return RedirectResponse(f"/clienten/{person.id}?opgeslagen=1", 303)
