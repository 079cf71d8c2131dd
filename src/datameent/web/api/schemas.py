"""JSON shapes of the API: camelCase on the wire, as the Dutch API design rules ask."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from datameent.domain import catalogue
from datameent.domain.processing import ProcessingActivity
from datameent.domain.processing_log import describe
from datameent.domain.vault import Source
from datameent.services.ledger import LogLine


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Input(Schema):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Token(BaseModel):
    """OAuth2 names its fields in snake_case (RFC 6749); we follow it here."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(Schema):
    id: UUID
    username: str
    display_name: str
    roles: list[str]
    team: str | None
    person_id: UUID | None
    caseload: list[UUID] | None = Field(
        description="Person ids of the active caseload (case managers only)."
    )


class LocalText(Schema):
    nl: str
    en: str


class ChoiceOut(Schema):
    code: str
    label: LocalText


class AttributeDefinitionOut(Schema):
    key: str
    category: str
    label: LocalText
    type: str
    text_format: str | None = Field(
        None, description="For text with a form of its own: postcode, phone or email."
    )
    unit: LocalText | None
    sensitivity: str
    retention_years: int
    self_declarable: bool
    choices: list[ChoiceOut]
    minimum: float | None
    maximum: float | None


class AttributeOut(Schema):
    id: UUID
    key: str
    label: str
    category: str
    value: Any
    source: Source
    recorded_by: str | None = Field(description="Name of who recorded it.")
    recorded_by_id: UUID | None
    recorded_at: datetime
    valid_from: date | None
    valid_to: date | None
    verified: bool
    instrument_version: str | None
    current: bool


class AttributeIn(Input):
    key: str = Field(max_length=64)
    value: Any
    source: Source
    valid_from: date | None = None
    valid_to: date | None = None
    verified: bool = False
    instrument_version: str | None = Field(None, max_length=32)


class PersonIn(Input):
    bsn: str = Field(max_length=20)
    given_name: str = Field(max_length=1000)
    name_prefix: str | None = Field(None, max_length=1000)
    family_name: str = Field(max_length=1000)
    birth_date: str = Field(max_length=20)
    source: Source = Source.SELF_DECLARED
    verified: bool = False


class PersonOut(Schema):
    id: UUID
    client_number: str
    bsn: str | None = Field(
        description="In full only for the resident themselves; masked under break-glass; "
        "absent when the read's purpose does not include it."
    )
    name: str
    created_at: datetime


class AssignmentIn(Input):
    person_id: UUID
    case_manager_id: UUID


class AssignmentOut(Schema):
    id: UUID
    person_id: UUID
    case_manager_id: UUID
    starts_at: datetime


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str = Field(description="Base64 of the SHA-256 root hash.")
    note: str = Field(description="The checkpoint as a C2SP signed note (Ed25519).")
    origin: str
    created_at: datetime


class PublicKeyOut(Schema):
    origin: str
    key_name: str
    algorithm: str
    public_key: str = Field(description="Base64 of the 32-byte Ed25519 public key.")
    verifier_key: str = Field(description="The signed-note verifier key: name+id+key.")
    earlier_verifier_keys: list[str] = Field(
        description="The verifier keys the log was signed with before this one, oldest first: "
        "older checkpoints are signed by them (and the newest by this key too)."
    )


class InclusionProofOut(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str] = Field(description="Base64 sibling hashes, in RFC 9162 order.")


class ConsistencyProofOut(Schema):
    first: int
    second: int
    hashes: list[str]


class ActorOut(Schema):
    name: str | None
    roles: list[str]
    team: str | None
    representative: bool = Field(
        False,
        description="Done by someone the resident authorised with DigiD Machtigen, on their "
        "behalf (who they are is not shown).",
    )


class LineQuestionOut(Schema):
    request_id: UUID = Field(description="The rights request (`kind` access_question).")
    status: str
    filed_at: datetime
    answer_by: datetime


class LogLineOut(Schema):
    index: int
    time: datetime
    operation: str
    outcome: str
    description: LocalText = Field(
        description="What happened (or was attempted and refused), in words for the resident."
    )
    processing_activity_id: str
    purpose: LocalText | None
    legal_basis: str | None
    who: ActorOut
    attributes: list[str]
    attribute_labels: list[LocalText]
    trace_id: str
    record: str | None = Field(
        description="The log record as hashed into the log (RFC 8785 JSON); its SHA-256 is "
        "the leaf input of entry `index`."
    )
    question: LineQuestionOut | None = Field(
        None,
        description="The resident's question to the privacy officer about this entry, if they "
        "asked one (the newest); what they wrote is read through the rights request.",
    )

    @classmethod
    def from_line(cls, line: LogLine, activity: ProcessingActivity | None) -> LogLineOut:
        what = describe(line.operation, line.outcome)
        labels = [
            LocalText(nl=d.label.nl, en=d.label.en)
            for d in (catalogue.BY_KEY.get(k) for k in line.attribute_keys)
            if d is not None
        ]
        return cls(
            index=line.index,
            time=line.started_at,
            operation=line.operation,
            outcome=line.outcome,
            description=LocalText(nl=what.nl, en=what.en),
            processing_activity_id=line.activity_uri,
            purpose=LocalText(nl=activity.name.nl, en=activity.name.en) if activity else None,
            legal_basis=activity.legal_basis if activity else None,
            who=ActorOut(
                name=line.actor_name,
                roles=line.actor_roles,
                team=line.actor_team,
                representative=line.by_representative,
            ),
            attributes=line.attribute_keys,
            attribute_labels=labels,
            trace_id=line.trace_id,
            record=line.record,
            question=None
            if line.question is None
            else LineQuestionOut(
                request_id=line.question.request_id,
                status=line.question.status.value,
                filed_at=line.question.filed_at,
                answer_by=line.question.answer_by,
            ),
        )
