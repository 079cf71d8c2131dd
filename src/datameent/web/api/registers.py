"""The public registers over the API: readable without logging in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from datameent.domain.processing import CATEGORIES
from datameent.domain.registers import AlgorithmEntry, activity_document, algorithm_document
from datameent.services import registers
from datameent.web.api.schemas import Input, Schema
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["public registers"])
AllVersions = Annotated[bool, Query(alias="allVersions")]


class AlgorithmIn(Input):
    code: str = Field(max_length=64)
    name: str = Field(max_length=5000)
    description: str = Field(max_length=5000)
    organisation: str = Field(max_length=5000)
    status: str = Field(max_length=32, description="in_development, in_use or out_of_use")
    purpose_and_impact: str = Field(max_length=5000)
    considerations: str = Field(max_length=5000)
    human_involvement: str = Field(max_length=5000)
    risk_management: str = Field(max_length=5000)
    legal_basis: str = Field(max_length=5000)
    processing_activity: str = Field(max_length=64)
    impact_assessments: str = Field(default="", max_length=5000)
    data_and_sources: str = Field(max_length=5000)
    technical_working: str = Field(max_length=5000)
    supplier: str = Field(default="", max_length=5000)
    source_code: str = Field(default="", max_length=5000)


class AlgorithmOut(Schema):
    version: int
    published_at: datetime | None
    entry: dict[str, Any] = Field(description="The Algoritmeregister standard's fields.")

    @classmethod
    def of(cls, entry: AlgorithmEntry, at: datetime | None) -> AlgorithmOut:
        return cls(version=entry.version, published_at=at, entry=algorithm_document(entry))


class ActivityIn(Input):
    """A processing activity as the privacy officer describes it: every text in Dutch and in
    English."""

    code: str = Field(max_length=64)
    name_nl: str = Field(max_length=5000)
    name_en: str = Field(max_length=5000)
    purpose_nl: str = Field(max_length=5000)
    purpose_en: str = Field(max_length=5000)
    legal_basis: str = Field(max_length=1000)
    categories: list[str] = Field(
        max_length=20, description="Categories of personal data: " + ", ".join(CATEGORIES)
    )
    data_subjects_nl: str = Field(max_length=5000)
    data_subjects_en: str = Field(max_length=5000)
    recipients_nl: str = Field(max_length=5000)
    recipients_en: str = Field(max_length=5000)
    retention_nl: str = Field(max_length=5000)
    retention_en: str = Field(max_length=5000)
    security_nl: str = Field(max_length=5000)
    security_en: str = Field(max_length=5000)
    controller_nl: str = Field(max_length=5000)
    controller_en: str = Field(max_length=5000)
    dpo_nl: str = Field(max_length=5000)
    dpo_en: str = Field(max_length=5000)
    transfers_nl: str = Field(max_length=5000)
    transfers_en: str = Field(max_length=5000)


@router.get("/registers/processing-activities")
async def processing_register(
    store: StoreDep, all_versions: AllVersions = False
) -> list[dict[str, Any]]:
    """The register of processing activities (GDPR art. 30). Public: no login needed. Each log
    record's `processingActivityId` is the `id` of one version here."""
    return await run(store, registers.processing_register, store, all_versions=all_versions)


@router.post("/registers/processing-activities", status_code=201)
async def publish_activity(body: ActivityIn, user: ApiUser, store: StoreDep) -> dict[str, Any]:
    """Publish a processing activity or a new version of it (the privacy officer and
    administrators). Log records made from now on name the new version."""
    activity = await run(store, registers.publish_activity, store, user, body.model_dump())
    return activity_document(activity)


@router.get(
    "/registers/algorithms", response_model=list[AlgorithmOut], response_model_by_alias=True
)
async def algorithm_register(
    store: StoreDep, all_versions: AllVersions = False
) -> list[AlgorithmOut]:
    """The algorithm register (Algoritmeregister standard). Public: no login needed."""
    found = await run(store, registers.algorithm_register, store, all_versions=all_versions)
    return [AlgorithmOut.of(entry, at) for entry, at in found]


@router.post(
    "/registers/algorithms",
    status_code=201,
    response_model=AlgorithmOut,
    response_model_by_alias=True,
)
async def publish(body: AlgorithmIn, user: ApiUser, store: StoreDep) -> AlgorithmOut:
    """Publish an entry or a new version of it (the privacy officer and administrators)."""
    entry = await run(store, registers.publish_algorithm, store, user, body.model_dump())
    return AlgorithmOut.of(entry, None)
