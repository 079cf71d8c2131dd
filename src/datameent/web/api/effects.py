"""Suggestions of the effect model ("what works for whom") over the API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from datameent.domain.text import Text
from datameent.errors import InvalidInput
from datameent.services import effects
from datameent.web.api.schemas import Input, Schema
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["what works for whom"])


class TextOut(Schema):
    nl: str
    en: str

    @classmethod
    def of(cls, text: Text) -> TextOut:
        return cls(nl=text.nl, en=text.en)


class OptionOut(Schema):
    instrument: str
    label: TextOut
    effect: float
    """More at work within a year, as a share (0.06: 6 of 100)."""
    lower: float
    upper: float
    supported: bool
    """False: hardly anyone like this person got it; never suggested."""
    explanation: TextOut | None


class AdviceOut(Schema):
    person_id: UUID
    state: effects.AdviceState
    message: TextOut
    model_version: str | None
    suggested: str | None
    options: list[OptionOut]
    missing: list[TextOut]
    objected_since: datetime | None


class ObjectionIn(Input):
    objecting: bool


@router.get(
    "/persons/{person_id}/suggestions", response_model=AdviceOut, response_model_by_alias=True
)
async def suggestions(person_id: UUID, user: ApiUser, store: StoreDep) -> AdviceOut:
    """The suggested support towards work for a person: for the resident themselves and for
    their case manager under the purpose re-integratie. Personal suggestions only while the
    model in use passed its held-out test; otherwise the average effects."""
    advice = await run_in_threadpool(effects.advise, store, user, person_id)
    own = user.person_id == person_id
    return AdviceOut(
        person_id=advice.person_id,
        state=advice.state,
        message=TextOut.of(advice.message_for(own)),
        model_version=advice.version,
        suggested=advice.suggested,
        options=[
            OptionOut(
                instrument=o.instrument,
                label=TextOut.of(o.label),
                effect=o.effect,
                lower=o.lower,
                upper=o.upper,
                supported=o.supported,
                explanation=TextOut.of(o.explanation.text(own)) if o.explanation else None,
            )
            for o in advice.options
        ],
        missing=[TextOut.of(m) for m in advice.missing],
        objected_since=advice.objected_since,
    )


@router.put("/me/suggestions-objection", status_code=204)
async def objection(body: ObjectionIn, user: ApiUser, store: StoreDep) -> None:
    """The resident objects to suggestions from the model (GDPR art. 21), or withdraws that."""
    if user.person_id is None:
        raise InvalidInput(detail=Text("Dit is voor inwoners.", "This is for residents."))
    await run(store, effects.set_objection, store, user, user.person_id, body.objecting)
