"""Persons and their vault over the API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from pydantic import TypeAdapter

from datameent.domain import catalogue
from datameent.domain.accounts import User
from datameent.domain.persons import display_name
from datameent.domain.vault import AttributeValue, NewValue
from datameent.services import persons as person_service
from datameent.services import vault as vault_service
from datameent.web.api.schemas import AttributeIn, AttributeOut, PersonIn, PersonOut
from datameent.web.deps import ApiUser, StoreDep, run
from datameent.web.i18n import accept_language_locale

router = APIRouter(tags=["vault"])
_ATTRIBUTES = TypeAdapter(list[AttributeOut])


def _attribute(value: AttributeValue, recorders: dict[UUID, User], locale: str) -> AttributeOut:
    p = value.provenance
    recorder = recorders.get(p.recorded_by) if p.recorded_by else None
    definition = catalogue.BY_KEY.get(value.key)
    return AttributeOut(
        id=value.id,
        key=value.key,
        label=definition.label.in_(locale) if definition else value.key,
        category=definition.category.value if definition else "",
        value=value.value,
        source=p.source,
        recorded_by=recorder.display_name if recorder else None,
        recorded_by_id=p.recorded_by,
        recorded_at=p.recorded_at,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        verified=p.verified,
        instrument_version=p.instrument_version,
        current=value.current,
    )


@router.get("/persons/{person_id}", response_model=PersonOut, response_model_by_alias=True)
async def read_person(
    person_id: UUID,
    user: ApiUser,
    store: StoreDep,
    purpose: Annotated[str | None, Query(max_length=64)] = None,
) -> PersonOut:
    view = await run(store, vault_service.read_vault, store, user, person_id, purpose=purpose)
    names = {v.key: v.value for v in view.current}
    return PersonOut(
        id=view.person.id,
        client_number=view.person.client_number,
        bsn=view.bsn,
        name=display_name(
            names.get("given_name"), names.get("name_prefix"), names.get("family_name")
        ),
        created_at=view.person.created_at,
    )


@router.get(
    "/persons/{person_id}/attributes",
    response_model=list[AttributeOut],
    response_model_by_alias=True,
)
async def read_attributes(
    person_id: UUID,
    user: ApiUser,
    store: StoreDep,
    history: bool = False,
    purpose: Annotated[
        str | None,
        Query(
            max_length=64,
            description="The purpose the read serves. A case manager must name one and sees "
            "only the attributes granted for it; the resident sees everything.",
        ),
    ] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    view = await run(
        store,
        vault_service.read_vault,
        store,
        user,
        person_id,
        purpose=purpose,
        history=history,
    )
    locale = accept_language_locale(accept_language)
    items = [_attribute(v, view.recorders, locale) for v in view.versions]
    # Serialised directly: the items are already validated models, and this is the hottest
    # read of the API (see docs/benchmarks.md).
    return Response(_ATTRIBUTES.dump_json(items, by_alias=True), media_type="application/json")


@router.post(
    "/persons/{person_id}/attributes",
    status_code=201,
    response_model=AttributeOut,
    response_model_by_alias=True,
)
async def record_attribute(
    person_id: UUID, body: AttributeIn, user: ApiUser, store: StoreDep
) -> AttributeOut:
    new = NewValue(
        key=body.key,
        value=body.value,
        source=body.source,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        verified=body.verified,
        instrument_version=body.instrument_version,
    )
    value = await run(store, vault_service.record_attribute, store, user, person_id, new)
    return _attribute(value, {user.id: user}, "nl")


@router.post("/persons", status_code=201, response_model=PersonOut, response_model_by_alias=True)
async def register_person(
    body: PersonIn, user: ApiUser, store: StoreDep, response: Response
) -> PersonOut:
    form = person_service.IntakeForm(
        bsn=body.bsn,
        given_name=body.given_name,
        name_prefix=body.name_prefix,
        family_name=body.family_name,
        birth_date=body.birth_date,
        source=body.source,
        verified=body.verified,
    )
    person = await run(store, person_service.register_person, store, user, form)
    response.headers["location"] = f"/api/v1/persons/{person.id}"
    return await read_person(person.id, user, store, purpose="bijstand-aanvraag")
