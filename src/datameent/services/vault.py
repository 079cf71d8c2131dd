"""Reading and adding to a resident's vault."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from datameent.domain import catalogue
from datameent.domain.accounts import Role, User
from datameent.domain.bsn import mask_bsn
from datameent.domain.notifications import Kind, Notification
from datameent.domain.persons import Person
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.sharing import GrantState
from datameent.domain.vault import AttributeValue, NewValue, Provenance, check_new_value
from datameent.errors import NotFound
from datameent.services.clock import days_back, utcnow
from datameent.store.uow import Store, UnitOfWork

EMERGENCY_SHOWN_DAYS = 90
"""How long an emergency access stays on top of the resident's own page."""


@dataclass(frozen=True)
class VaultView:
    """What one person's vault shows to one viewer."""

    person: Person
    bsn: str | None
    """In full for the resident themselves; masked for everyone else; None when the read's
    scope does not include it (a case manager reading granted attributes)."""
    current: list[AttributeValue]
    versions: list[AttributeValue]
    """Every version, newest first, current ones included; only the current ones unless the
    history was asked for."""
    recorders: dict[UUID, User]
    own: bool
    scope: frozenset[str] | None = None
    """The attributes this view was limited to; None: everything."""
    rule: str = ""
    """The policy rule that allowed the read (``break-glass`` is shown as such)."""
    emergencies: list[datetime] = field(default_factory=list)
    """For the resident: when their file was opened with emergency access lately."""
    used_in: dict[UUID, list[date]] = field(default_factory=dict)
    """With the history: which versions decisions rested on (value id -> days made known),
    so that a correction shows which decisions used the old value."""


def authorize_access(
    uow: UnitOfWork, actor: User, action: Action, person_id: UUID, purpose: str | None = None
) -> Permit:
    """Gather the facts the policy needs about `actor` and `person_id`, and ask it."""
    now = utcnow()
    if _is_own(actor, person_id) or not actor.has(Role.CASE_MANAGER):
        # Nothing below can change the decision: spare the queries.
        return uow.authorize(AccessRequest(actor, action, person_id, purpose=purpose, at=now))
    if action is not Action.READ_VAULT:
        in_caseload = uow.caseloads.is_active(actor.id, person_id, now)
        return uow.authorize(
            AccessRequest(
                actor, action, person_id, in_active_caseload=in_caseload, purpose=purpose, at=now
            )
        )
    # Only the named purpose's grants can open this read; the policy judges their state.
    in_caseload, break_glass, grants, cases = uow.sharing.read_facts(
        actor.id, person_id, now, purpose
    )
    return uow.authorize(
        AccessRequest(
            actor,
            action,
            person_id,
            in_active_caseload=in_caseload,
            purpose=purpose,
            at=now,
            grants=tuple(grants),
            cases=cases,
            break_glass=break_glass,
        )
    )


def _is_own(actor: User, person_id: UUID) -> bool:
    return actor.has(Role.RESIDENT) and actor.person_id == person_id


def read_vault(
    store: Store,
    actor: User,
    person_id: UUID,
    *,
    purpose: str | None = None,
    history: bool = False,
) -> VaultView:
    """What `actor` may see of a person's vault, with provenance (and history).

    The resident sees everything. A case manager names a purpose and sees only the attributes
    granted for it on an open case (or everything under break-glass)."""
    with store.unit_of_work() as uow:
        permit = authorize_access(uow, actor, Action.READ_VAULT, person_id, purpose)
        person = uow.persons.get(person_id)
        if person is None:
            raise NotFound()
        uow.log.touch(permit, person_id, {"client_number"})  # the view shows it
        versions = uow.vault.values(permit, person_id, history=history)
        bsn = uow.persons.bsn(permit, person_id) if permit.scope is None else None
        recorders = uow.accounts.many(
            v.provenance.recorded_by for v in versions if v.provenance.recorded_by
        )
        used_in = uow.decisions.decisions_using([v.id for v in versions]) if history else {}
        own = _is_own(actor, person_id)
        since = days_back(EMERGENCY_SHOWN_DAYS)
        emergencies = uow.sharing.break_glass_since(person_id, since) if own else []
        uow.commit()
    return VaultView(
        person=person,
        bsn=None if bsn is None else bsn if own else mask_bsn(bsn),
        current=[v for v in versions if v.current],
        versions=versions,
        recorders=recorders,
        own=own,
        scope=permit.scope,
        rule=permit.rule,
        emergencies=emergencies,
        used_in=used_in,
    )


def record_attribute(store: Store, actor: User, person_id: UUID, new: NewValue) -> AttributeValue:
    """Add a new version of one fact. Residents add only what they declare themselves."""
    with store.unit_of_work() as uow:
        permit = authorize_access(uow, actor, Action.RECORD_ATTRIBUTE, person_id)
        definition = catalogue.definition(new.key)
        stored = check_new_value(definition, new, by_resident=_is_own(actor, person_id))
        provenance = Provenance(
            source=new.source,
            recorded_by=actor.id,
            recorded_at=utcnow(),
            valid_from=new.valid_from,
            valid_to=new.valid_to,
            verified=new.verified,
            instrument_version=new.instrument_version,
        )
        [value] = uow.vault.record(permit, person_id, [(new.key, stored, provenance)])
        tell_recipients(uow, permit, actor, person_id, new.key)
        uow.commit()
    return value


def tell_recipients(
    uow: UnitOfWork, permit: Permit, actor: User, person_id: UUID, key: str
) -> None:
    """Rectification reaches every recipient: whoever holds a grant on `key` for an open case
    (the case manager now serving the person, and who asked for it) is told of the new version.
    """
    now = utcnow()
    cases = uow.sharing.cases_of(person_id)
    grants = [
        g
        for g in uow.sharing.grants_of(person_id)
        if key in g.keys
        and g.state(now) is GrantState.ACTIVE
        and g.case_id in cases
        and cases[g.case_id].open_at(now)
    ]
    if not grants:
        return
    recipients: set[UUID] = set()
    assignment = uow.caseloads.open_for_person(person_id)
    if assignment is not None:
        recipients.add(assignment.case_manager_id)
    recipients.discard(actor.id)
    number = uow.persons.client_number(permit, person_id)
    notes = [
        Notification(
            uuid4(),
            user_id,
            Kind.CORRECTION,
            {"client": number, "attribute": key},
            f"/clienten/{person_id}",
        )
        for user_id in sorted(recipients)
    ]
    uow.notifications.add(notes, now)
