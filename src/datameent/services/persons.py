"""Registering a new applicant (intake)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from datameent.domain import purposes
from datameent.domain.accounts import User
from datameent.domain.attributes import JsonValue
from datameent.domain.caseload import Assignment
from datameent.domain.persons import Intake, Person, check_intake
from datameent.domain.policy import AccessRequest, Action, allows
from datameent.domain.sharing import Case, Grant, grant_period
from datameent.domain.text import Text
from datameent.domain.vault import Provenance, Source
from datameent.errors import AccessDenied, Conflict
from datameent.services.clock import utcnow
from datameent.store.uow import Store, UnitOfWork

ALREADY_KNOWN = Text(
    "Er is al iemand ingeschreven met dit BSN. Vraag uw teamleider om de zaak aan u toe te wijzen.",
    "Someone is already registered with this BSN. Ask your team lead to assign the case to you.",
)


@dataclass(frozen=True)
class IntakeForm:
    bsn: str
    given_name: str
    name_prefix: str | None
    family_name: str
    birth_date: object
    source: Source = Source.SELF_DECLARED
    verified: bool = False
    """True when the case manager checked an identity document."""


def ensure_may_register(actor: User) -> None:
    """Refuse the intake form to anyone who may not register applicants."""
    if not allows(actor, Action.REGISTER_PERSON):
        raise AccessDenied(("only case managers register applicants",))


def register_person(store: Store, actor: User, form: IntakeForm) -> Person:
    """Register an applicant, put them in the case manager's caseload, record their details."""
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.REGISTER_PERSON))
        intake = check_intake(
            form.bsn, form.given_name, form.name_prefix, form.family_name, form.birth_date
        )
        number = uow.persons.next_client_number()  # intakes take turns from here on
        if uow.persons.id_by_bsn(intake.bsn) is not None:
            raise Conflict(ALREADY_KNOWN)
        person = Person(uuid4(), number, now)
        uow.persons.add(permit, person, intake.bsn)
        uow.caseloads.add(Assignment(uuid4(), actor.id, person.id, now, None, actor.id))
        _record_intake(uow, actor, person, intake, form, now)
        uow.commit()
    return person


def _record_intake(
    uow: UnitOfWork,
    actor: User,
    person: Person,
    intake: Intake,
    form: IntakeForm,
    now: datetime,
) -> None:
    in_caseload = uow.caseloads.is_active(actor.id, person.id, now)
    request = AccessRequest(actor, Action.RECORD_ATTRIBUTE, person.id, in_caseload)
    permit = uow.authorize(request)
    provenance = Provenance(form.source, actor.id, now, verified=form.verified)
    values: list[tuple[str, JsonValue]] = [
        ("given_name", intake.given_name),
        ("name_prefix", intake.name_prefix),
        ("family_name", intake.family_name),
        ("birth_date", intake.birth_date.isoformat()),
    ]
    given = [(k, v, provenance) for k, v in values if v is not None]
    uow.vault.record(permit, person.id, given)
    _open_application(uow, actor, person, {k for k, _, _ in given}, now)


def _open_application(
    uow: UnitOfWork, actor: User, person: Person, keys: set[str], now: datetime
) -> None:
    """The applicant gave their details at the desk to apply for bijstand: that opens the
    application case, and what they gave is granted to it (a legal duty, Participatiewet
    art. 17), so that the case manager reads it under that purpose and no other."""
    purpose = purposes.current("bijstand-aanvraag")
    in_caseload = uow.caseloads.is_active(actor.id, person.id, now)
    opening = uow.authorize(AccessRequest(actor, Action.OPEN_CASE, person.id, in_caseload))
    case = Case(uuid4(), person.id, purpose.code, now, actor.id)
    uow.sharing.add_case(opening, case)
    start, end = grant_period(purpose, now)
    grant = Grant(
        uuid4(),
        person.id,
        case.id,
        purpose.code,
        purpose.version,
        purpose.basis,
        frozenset(keys),
        start,
        end,
        now,
    )
    uow.sharing.add_grant(opening, grant)
