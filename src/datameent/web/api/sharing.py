"""Purposes, data requests, grants, break-glass and the inbox over the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from pydantic import Field

from datameent.domain import catalogue, purposes
from datameent.domain.purposes import Purpose
from datameent.domain.sharing import (
    Answer,
    AskedItem,
    BreakGlass,
    Case,
    DataRequest,
    Grant,
    RequestItem,
    Review,
)
from datameent.services import inbox, sharing
from datameent.web.api.schemas import Input, LocalText, Schema
from datameent.web.deps import ApiUser, StoreDep, run
from datameent.web.i18n import Formats, accept_language_locale

router = APIRouter(tags=["sharing"])


# Shapes ---------------------------------------------------------------------------------------


class PurposeOut(Schema):
    code: str
    version: int
    name: LocalText
    description: LocalText
    legal_basis: str
    basis: Literal["duty", "consent"]
    required: list[str] = Field(description="Attribute keys the purpose needs (preselected).")
    optional: list[str] = Field(description="Attribute keys the purpose may ask when needed.")
    grant_days: int
    retention: LocalText
    refusal: LocalText = Field(description="What refusing to answer means, in plain words.")

    @classmethod
    def of(cls, p: Purpose) -> PurposeOut:
        return cls(
            code=p.code,
            version=p.version,
            name=LocalText(nl=p.name.nl, en=p.name.en),
            description=LocalText(nl=p.description.nl, en=p.description.en),
            legal_basis=p.legal_basis,
            basis=p.basis.value,
            required=sorted(p.required),
            optional=sorted(p.optional),
            grant_days=p.grant_days,
            retention=LocalText(nl=p.retention.nl, en=p.retention.en),
            refusal=LocalText(nl=p.refusal.nl, en=p.refusal.en),
        )


class CaseOut(Schema):
    id: UUID
    purpose: str
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, c: Case) -> CaseOut:
        return cls(id=c.id, purpose=c.purpose_code, opened_at=c.opened_at, closed_at=c.closed_at)


class RequestItemOut(Schema):
    key: str
    label: str
    reason: str
    in_purpose: bool = Field(
        description="False: outside the purpose, approved by a second officer."
    )
    justification: str | None
    approval: str
    answer: str | None
    decline_reason: str | None
    answered_at: datetime | None

    @classmethod
    def of(cls, i: RequestItem, locale: str) -> RequestItemOut:
        definition = catalogue.BY_KEY.get(i.key)
        return cls(
            key=i.key,
            label=definition.label.in_(locale) if definition else i.key,
            reason=i.reason,
            in_purpose=i.in_purpose,
            justification=i.justification,
            approval=i.approval.value,
            answer=i.answer.value if i.answer else None,
            decline_reason=i.decline_reason,
            answered_at=i.answered_at,
        )


class RequestOut(Schema):
    id: UUID
    case_id: UUID
    person_id: UUID
    purpose: str
    purpose_version: int
    legal_basis: str
    basis: str
    refusal: str = Field(description="What refusing means, in the caller's language.")
    requested_by: UUID
    created_at: datetime
    due_date: date
    status: str
    items: list[RequestItemOut]

    @classmethod
    def of(cls, r: DataRequest, locale: str, *, resident: bool = False) -> RequestOut:
        purpose = purposes.version(r.purpose_code, r.purpose_version)
        items = r.askable_items if resident else r.items
        return cls(
            id=r.id,
            case_id=r.case_id,
            person_id=r.person_id,
            purpose=r.purpose_code,
            purpose_version=r.purpose_version,
            legal_basis=purpose.legal_basis,
            basis=purpose.basis.value,
            refusal=purpose.refusal.in_(locale),
            requested_by=r.requested_by,
            created_at=r.created_at,
            due_date=r.due_date,
            status=r.status.value,
            items=[RequestItemOut.of(i, locale) for i in items],
        )


class GrantOut(Schema):
    id: UUID
    case_id: UUID
    purpose: str
    purpose_version: int
    basis: str
    keys: list[str]
    valid_from: datetime
    valid_to: datetime
    revoked_at: datetime | None
    request_id: UUID | None
    state: str
    revocable: bool

    @classmethod
    def of(cls, g: Grant, now: datetime) -> GrantOut:
        return cls(
            id=g.id,
            case_id=g.case_id,
            purpose=g.purpose_code,
            purpose_version=g.purpose_version,
            basis=g.basis.value,
            keys=sorted(g.keys),
            valid_from=g.valid_from,
            valid_to=g.valid_to,
            revoked_at=g.revoked_at,
            request_id=g.request_id,
            state=g.state(now).value,
            revocable=g.revocable and g.state(now).value == "active",
        )


class BreakGlassOut(Schema):
    id: UUID
    person_id: UUID
    actor_id: UUID
    reason: str
    opened_at: datetime
    expires_at: datetime
    review: str | None
    review_note: str | None

    @classmethod
    def of(cls, b: BreakGlass) -> BreakGlassOut:
        return cls(
            id=b.id,
            person_id=b.person_id,
            actor_id=b.actor_id,
            reason=b.reason,
            opened_at=b.opened_at,
            expires_at=b.expires_at,
            review=b.review.value if b.review else None,
            review_note=b.review_note,
        )


class CaseFileOut(Schema):
    person_id: UUID
    client_number: str
    cases: list[CaseOut]
    requests: list[RequestOut]
    grants: list[GrantOut]
    break_glass: list[BreakGlassOut]
    readable_purposes: list[str] = Field(
        description="Purposes a read of this person's vault can name now."
    )


class MySharingOut(Schema):
    cases: list[CaseOut]
    requests: list[RequestOut]
    grants: list[GrantOut]
    break_glass: list[BreakGlassOut]


class AskedItemIn(Input):
    key: str = Field(max_length=64)
    reason: str = Field(max_length=500)
    justification: str = Field(
        default="",
        max_length=2000,
        description="Required (at least 20 characters) for an attribute outside the purpose.",
    )


class RequestIn(Input):
    purpose: str = Field(max_length=64)
    due_date: date
    items: list[AskedItemIn] = Field(max_length=60)


class AnswerIn(Input):
    key: str = Field(max_length=64)
    answer: Answer
    value: Any = Field(default=None, description="For answer 'given': the new value.")
    reason: str = Field(default="", max_length=500, description="For answer 'declined'.")


class AnswersIn(Input):
    answers: list[AnswerIn] = Field(min_length=1, max_length=60)


class ApprovalIn(Input):
    approve: bool


class ShareIn(Input):
    case_id: UUID
    keys: list[str] = Field(min_length=1, max_length=60)


class BreakGlassIn(Input):
    reason: str = Field(max_length=500)


class ReviewIn(Input):
    review: Review
    note: str = Field(max_length=1000)


class NotificationOut(Schema):
    id: UUID
    kind: str
    text: str
    link: str | None
    created_at: datetime | None
    read: bool


# Routes ---------------------------------------------------------------------------------------

Lang = Annotated[str | None, Header(alias="accept-language")]


@router.get("/purposes", response_model=list[PurposeOut], response_model_by_alias=True)
async def list_purposes(
    user: ApiUser, all_versions: Annotated[bool, Query(alias="allVersions")] = False
) -> list[PurposeOut]:
    """The purpose register: the newest version of each purpose, or every version."""
    chosen = purposes.REGISTER if all_versions else tuple(purposes.CURRENT.values())
    return [PurposeOut.of(p) for p in chosen]


@router.get("/persons/{person_id}/cases", response_model=CaseFileOut, response_model_by_alias=True)
async def read_case_file(
    person_id: UUID, user: ApiUser, store: StoreDep, accept_language: Lang = None
) -> CaseFileOut:
    """A client's cases, requests and grants (never a value): for their case manager."""
    file = await run(store, sharing.case_file, store, user, person_id)
    locale = accept_language_locale(accept_language)
    return CaseFileOut(
        person_id=file.person_id,
        client_number=file.client_number,
        cases=[CaseOut.of(c) for c in file.cases],
        requests=[RequestOut.of(r, locale) for r in file.requests],
        grants=[GrantOut.of(g, file.now) for g in file.grants],
        break_glass=[BreakGlassOut.of(b) for b in file.break_glass],
        readable_purposes=[p.code for p in file.readable_purposes()],
    )


@router.post(
    "/persons/{person_id}/requests",
    status_code=201,
    response_model=RequestOut,
    response_model_by_alias=True,
)
async def create_request(
    person_id: UUID, body: RequestIn, user: ApiUser, store: StoreDep, response: Response
) -> RequestOut:
    """Ask a resident for attributes for one purpose. Attributes outside the purpose need a
    justification and wait for a second officer (status ``awaiting_approval``)."""
    asked = [AskedItem(i.key, i.reason, i.justification) for i in body.items]
    request = await run(
        store, sharing.create_request, store, user, person_id, body.purpose, asked, body.due_date
    )
    response.headers["location"] = f"/api/v1/me/requests/{request.id}"
    return RequestOut.of(request, "nl")


@router.post(
    "/requests/{request_id}/items/{key}/approval",
    response_model=RequestOut,
    response_model_by_alias=True,
)
async def judge_item(
    request_id: UUID, key: str, body: ApprovalIn, user: ApiUser, store: StoreDep
) -> RequestOut:
    """Four eyes: a second officer (never the requester) approves or refuses an item."""
    request = await run(store, sharing.judge_item, store, user, request_id, key, body.approve)
    return RequestOut.of(request, "nl")


@router.get(
    "/requests/awaiting-approval", response_model=list[RequestOut], response_model_by_alias=True
)
async def awaiting_approval(user: ApiUser, store: StoreDep) -> list[RequestOut]:
    waiting = await run(store, sharing.approvals_waiting, store, user)
    return [RequestOut.of(r, "nl") for r, _ in waiting]


@router.get("/me/sharing", response_model=MySharingOut, response_model_by_alias=True)
async def my_sharing(user: ApiUser, store: StoreDep, accept_language: Lang = None) -> MySharingOut:
    """The resident's requests, grants (with state) and emergency accesses to their file."""
    mine = await run(store, sharing.my_sharing, store, user)
    locale = accept_language_locale(accept_language)
    return MySharingOut(
        cases=[CaseOut.of(c) for c in mine.cases.values()],
        requests=[RequestOut.of(r, locale, resident=True) for r in mine.requests],
        grants=[GrantOut.of(g, mine.now) for g in mine.grants],
        break_glass=[BreakGlassOut.of(b) for b in mine.break_glass],
    )


@router.get("/me/requests/{request_id}", response_model=RequestOut, response_model_by_alias=True)
async def my_request(
    request_id: UUID, user: ApiUser, store: StoreDep, accept_language: Lang = None
) -> RequestOut:
    request, _ = await run(store, sharing.my_request, store, user, request_id)
    return RequestOut.of(request, accept_language_locale(accept_language), resident=True)


@router.post(
    "/me/requests/{request_id}/answers",
    response_model=RequestOut,
    response_model_by_alias=True,
)
async def answer_request(
    request_id: UUID, body: AnswersIn, user: ApiUser, store: StoreDep, accept_language: Lang = None
) -> RequestOut:
    """Answer items: ``shared`` (the vault's current value), ``given`` (a new value, recorded
    as self-declared) or ``declined`` (with a reason when answering is a duty)."""
    answers = [sharing.ItemAnswer(a.key, a.answer, a.value, a.reason) for a in body.answers]
    request = await run(store, sharing.answer_request, store, user, request_id, answers)
    return RequestOut.of(request, accept_language_locale(accept_language), resident=True)


@router.post("/me/grants", status_code=201, response_model=GrantOut, response_model_by_alias=True)
async def share(body: ShareIn, user: ApiUser, store: StoreDep) -> GrantOut:
    """Share attributes with an open case on one's own initiative (consent, revocable)."""
    grant = await run(store, sharing.share, store, user, body.case_id, body.keys)
    return GrantOut.of(grant, grant.created_at)


@router.post("/me/grants/{grant_id}/revoke", response_model=GrantOut, response_model_by_alias=True)
async def revoke(grant_id: UUID, user: ApiUser, store: StoreDep) -> GrantOut:
    """Withdraw consent, with immediate effect. A grant made under a legal duty answers 409."""
    grant = await run(store, sharing.revoke, store, user, grant_id)
    assert grant.revoked_at is not None
    return GrantOut.of(grant, grant.revoked_at)


@router.post(
    "/persons/{person_id}/break-glass",
    status_code=201,
    response_model=BreakGlassOut,
    response_model_by_alias=True,
)
async def break_glass(
    person_id: UUID, body: BreakGlassIn, user: ApiUser, store: StoreDep
) -> BreakGlassOut:
    """Emergency access for a few hours, with a stated reason; the privacy officer and the
    resident are told at once. Reads then use ``GET .../attributes`` without a purpose."""
    access = await run(store, sharing.break_glass, store, user, person_id, body.reason)
    return BreakGlassOut.of(access)


@router.get("/break-glass", response_model=list[BreakGlassOut], response_model_by_alias=True)
async def break_glass_to_review(user: ApiUser, store: StoreDep) -> list[BreakGlassOut]:
    items = await run(store, sharing.break_glass_to_review, store, user)
    return [BreakGlassOut.of(b) for b, _, _ in items]


@router.post("/break-glass/{access_id}/review", status_code=204)
async def review_break_glass(
    access_id: UUID, body: ReviewIn, user: ApiUser, store: StoreDep
) -> Response:
    await run(store, sharing.review_break_glass, store, user, access_id, body.review, body.note)
    return Response(status_code=204)


@router.get("/me/notifications", response_model=list[NotificationOut], response_model_by_alias=True)
async def notifications(
    user: ApiUser, store: StoreDep, accept_language: Lang = None
) -> list[NotificationOut]:
    box = await run(store, inbox.inbox, store, user)
    locale = accept_language_locale(accept_language)
    day = Formats(locale).date
    return [
        NotificationOut(
            id=n.id,
            kind=n.kind.value,
            text=n.text(locale, day),
            link=n.link,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in box.notifications
    ]
