"""Reading and adding to a resident's vault."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from datameent.domain import catalogue
from datameent.domain.accounts import Role, User
from datameent.domain.bsn import mask_bsn
from datameent.domain.persons import Person
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.vault import AttributeValue, NewValue, Provenance, check_new_value
from datameent.errors import NotFound
from datameent.services.clock import utcnow
from datameent.store.uow import Store, UnitOfWork


@dataclass(frozen=True)
class VaultView:
    """What one person's vault shows to one viewer."""

    person: Person
    bsn: str
    """In full for the resident themselves; masked for everyone else."""
    current: list[AttributeValue]
    versions: list[AttributeValue]
    """Every version, newest first, current ones included; only the current ones unless the
    history was asked for."""
    recorders: dict[UUID, User]
    own: bool


def _authorize(uow: UnitOfWork, actor: User, action: Action, person_id: UUID) -> Permit:
    """Gather the facts the policy needs about `actor` and `person_id`, and ask it."""
    in_caseload = uow.caseloads.is_active(actor.id, person_id, utcnow())
    return uow.authorize(AccessRequest(actor, action, person_id, in_active_caseload=in_caseload))


def _is_own(actor: User, person_id: UUID) -> bool:
    return actor.has(Role.RESIDENT) and actor.person_id == person_id


def read_vault(store: Store, actor: User, person_id: UUID, *, history: bool = False) -> VaultView:
    """Everything held about a person, with provenance (and history), as `actor` may see it."""
    with store.unit_of_work() as uow:
        permit = _authorize(uow, actor, Action.READ_VAULT, person_id)
        person = uow.persons.get(person_id)
        if person is None:
            raise NotFound()
        versions = uow.vault.values(permit, person_id, history=history)
        bsn = uow.persons.bsn(permit, person_id)
        recorders = uow.accounts.many(
            v.provenance.recorded_by for v in versions if v.provenance.recorded_by
        )
        uow.commit()
    own = _is_own(actor, person_id)
    return VaultView(
        person=person,
        bsn=bsn if own else mask_bsn(bsn),
        current=[v for v in versions if v.current],
        versions=versions,
        recorders=recorders,
        own=own,
    )


def record_attribute(store: Store, actor: User, person_id: UUID, new: NewValue) -> AttributeValue:
    """Add a new version of one fact. Residents add only what they declare themselves."""
    with store.unit_of_work() as uow:
        permit = _authorize(uow, actor, Action.RECORD_ATTRIBUTE, person_id)
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
        uow.commit()
    return value
