"""My story: write it once, share it section by section, let a new case manager read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from datameent.domain.accounts import User
from datameent.domain.notifications import Kind, Notification
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.sharing import Case
from datameent.domain.story import StorySection, StoryShare, check_section
from datameent.domain.text import Text
from datameent.errors import Conflict, InvalidInput, NotFound, Problem
from datameent.services.clock import utcnow
from datameent.store.uow import Store, UnitOfWork

NO_SUCH_SECTION = Text("Dit deel van uw verhaal bestaat niet.", "This section does not exist.")
NO_SUCH_CASE = Text(
    "Deze zaak bestaat niet of is gesloten.", "This case does not exist or is closed."
)
ALREADY_SHARED = Text("Dit deel is al gedeeld met deze zaak.", "Already shared with this case.")


@dataclass(frozen=True)
class MyStory:
    sections: list[StorySection]
    """Current versions, oldest section first."""
    history: list[StorySection]
    """Every version."""
    shares: list[StoryShare]
    cases: dict[UUID, Case]
    """Open cases the resident can share with."""
    now: datetime

    def shared_with(self, section_id: UUID) -> list[StoryShare]:
        return [s for s in self.shares if s.section_id == section_id and s.active_at(self.now)]


def my_story(store: Store, actor: User) -> MyStory:
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.READ_STORY, person_id, at=now))
        versions = uow.story.sections(permit, person_id, history=True)
        shares = uow.story.shares_of(person_id)
        cases = {c.id: c for c in uow.sharing.cases_of(person_id).values() if c.open_at(now)}
        uow.commit()
    return MyStory([v for v in versions if v.current], versions, shares, cases, now)


def write_section(
    store: Store, actor: User, section_id: UUID | None, title: str, body: str
) -> StorySection:
    """Write a new section or a new version of one. Whoever it is shared with is told."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.WRITE_STORY, person_id))
        clean_title, clean_body = check_section(title, body)
        if section_id is not None and section_id not in uow.story.section_ids(person_id):
            raise InvalidInput(Problem("sectionId", NO_SUCH_SECTION))
        section = uow.story.write(permit, person_id, section_id, clean_title, clean_body, now)
        if section_id is not None:
            _tell_readers(uow, permit, person_id, section_id, now)
        uow.commit()
    return section


def _tell_readers(
    uow: UnitOfWork, permit: Permit, person_id: UUID, section_id: UUID, now: datetime
) -> None:
    cases = uow.sharing.cases_of(person_id)
    shared = [
        s
        for s in uow.story.shares_of(person_id)
        if s.section_id == section_id
        and s.active_at(now)
        and s.case_id in cases
        and cases[s.case_id].open_at(now)
    ]
    assignment = uow.caseloads.open_for_person(person_id)
    if not shared or assignment is None:
        return
    note = Notification(
        uuid4(),
        assignment.case_manager_id,
        Kind.STORY_UPDATED,
        {"client": uow.persons.client_number(permit, person_id)},
        f"/clienten/{person_id}#verhaal",
    )
    uow.notifications.add([note], now)


def share_section(store: Store, actor: User, section_id: UUID, case_id: UUID) -> StoryShare:
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SHARE_STORY, person_id))
        if section_id not in uow.story.section_ids(person_id):
            raise InvalidInput(Problem("sectionId", NO_SUCH_SECTION))
        case = uow.sharing.case(case_id)
        if case is None or case.person_id != person_id or not case.open_at(now):
            raise InvalidInput(Problem("caseId", NO_SUCH_CASE))
        if any(
            s.section_id == section_id and s.case_id == case_id and s.active_at(now)
            for s in uow.story.shares_of(person_id)
        ):
            raise Conflict(ALREADY_SHARED)
        share = StoryShare(uuid4(), person_id, section_id, case_id, now)
        uow.story.add_share(permit, share)
        uow.commit()
    return share


def stop_sharing(store: Store, actor: User, share_id: UUID) -> None:
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SHARE_STORY, person_id))
        share = next((s for s in uow.story.shares_of(person_id) if s.id == share_id), None)
        if share is None:
            raise NotFound()
        uow.story.stop_share(permit, share, now)
        uow.commit()


def shared_story(store: Store, actor: User, person_id: UUID) -> list[StorySection]:
    """What a case manager may read of a client's story: the sections shared with an open
    case of that client. Nothing shared: an empty list, and nothing is read or logged."""
    now = utcnow()
    with store.unit_of_work() as uow:
        shares = tuple(uow.story.shares_of(person_id))
        if not any(s.active_at(now) for s in shares):
            return []
        request = AccessRequest(
            actor,
            Action.READ_STORY,
            person_id,
            in_active_caseload=uow.caseloads.is_active(actor.id, person_id, now),
            story_shares=shares,
            cases=uow.sharing.cases_of(person_id),
            at=now,
        )
        permit = uow.authorize(request)
        sections = uow.story.sections(permit, person_id)
        uow.commit()
    return sections
