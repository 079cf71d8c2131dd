"""Caseloads: what a case manager serves, what a team lead oversees, and handing cases over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from datameent.domain.accounts import Role, User
from datameent.domain.caseload import Assignment
from datameent.domain.notifications import Kind, Notification
from datameent.domain.persons import display_name
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.sharing import Waiting
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.services import clock
from datameent.services.clock import utcnow
from datameent.store.uow import Store, UnitOfWork

NOT_A_CASE_MANAGER = Text(
    "Kies een actieve klantmanager uit uw team.", "Choose an active case manager of your team."
)


@dataclass(frozen=True)
class CaseSummary:
    person_id: UUID
    client_number: str
    name: str | None
    """None where the viewer may see the case but not the name."""
    since: datetime | None
    case_manager: User | None
    waiting: Waiting = Waiting()
    """What the client's requests wait for (an answer, an approval), and until when."""


def my_caseload(store: Store, actor: User) -> list[CaseSummary]:
    """The case manager's own active caseload, by name."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.LIST_OWN_CASELOAD))
        assignments = uow.caseloads.active_for(actor.id, utcnow())
        summaries = _summaries(uow, permit, assignments, {actor.id: actor})
        uow.commit()
    return summaries


@dataclass(frozen=True)
class TeamOverview:
    team: str
    case_managers: list[User]
    """The team's active case managers: who can receive a case."""
    workload: list[Workload]
    unassigned: list[CaseSummary]
    """Persons without a case manager: shown by client number only."""
    cases: list[CaseSummary]
    """The cases asked for, by name: one case manager's, or the one with a client number.
    None when nothing was asked: the team's load is counted without reading a client's name,
    and each name a team lead sees is in that resident's log."""
    of: User | None = None
    """The case manager whose cases were asked for."""
    asked: bool = False
    """Whether cases were asked for (so that "none found" can be said)."""


@dataclass
class Workload:
    case_manager: User
    clients: int = 0
    overdue: int = 0
    """Clients with a request that was not answered in time."""


def team_overview(
    store: Store,
    actor: User,
    *,
    case_manager: UUID | None = None,
    client_number: str | None = None,
) -> TeamOverview:
    """The team lead's view: each case manager's load, the cases waiting for one, and, when
    asked for, the cases of one case manager or client number (to hand over)."""
    team = actor.team or ""
    today = clock.today()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.VIEW_TEAM_CASES))
        # Every case manager of the team counts, a stopped account's too (its cases wait to
        # be handed over); only active ones can receive a case.
        everyone = {u.id: u for u in uow.accounts.by_role(Role.CASE_MANAGER, team)}
        assignments = uow.caseloads.open_in_team(team)
        requests = uow.sharing.waiting_requests(permit, [a.person_id for a in assignments])
        load = {u.id: Workload(u) for u in everyone.values() if u.active}
        for a in assignments:
            if a.case_manager_id not in everyone:
                continue
            mine = load.setdefault(a.case_manager_id, Workload(everyone[a.case_manager_id]))
            mine.clients += 1
            mine.overdue += bool(Waiting.of(requests[a.person_id], today).overdue)
        chosen: list[Assignment] = []
        if case_manager is not None:
            chosen = [a for a in assignments if a.case_manager_id == case_manager]
        elif client_number:
            person = uow.persons.id_by_client_number(client_number.strip().upper())
            chosen = [a for a in assignments if a.person_id == person]
        cases = _summaries(uow, permit, chosen, everyone) if chosen else []
        waiting = uow.caseloads.unassigned_persons()
        numbers = uow.persons.client_numbers(permit, waiting)
        uow.commit()
    unassigned = [CaseSummary(p, numbers[p], None, None, None) for p in waiting]
    return TeamOverview(
        team,
        [u for u in everyone.values() if u.active],
        sorted(load.values(), key=lambda w: (w.case_manager.active, w.case_manager.display_name)),
        sorted(unassigned, key=lambda c: c.client_number),
        cases,
        of=everyone.get(case_manager) if case_manager is not None else None,
        asked=case_manager is not None or bool(client_number),
    )


def _summaries(
    uow: UnitOfWork, permit: Permit, assignments: list[Assignment], managers: dict[UUID, User]
) -> list[CaseSummary]:
    ids = [a.person_id for a in assignments]
    names = uow.vault.names(permit, ids)
    numbers = uow.persons.client_numbers(permit, ids)
    requests = uow.sharing.waiting_requests(permit, ids)
    today = clock.today()
    summaries = [
        CaseSummary(
            a.person_id,
            numbers[a.person_id],
            display_name(*(names.get(a.person_id, {}).get(k) for k in _NAME_PARTS)),
            a.starts_at,
            managers.get(a.case_manager_id),
            Waiting.of(requests[a.person_id], today),
        )
        for a in assignments
    ]
    return sorted(summaries, key=lambda s: _sort_key(names.get(s.person_id, {})))


_NAME_PARTS = ("given_name", "name_prefix", "family_name")


def _sort_key(name: dict[str, str]) -> tuple[str, str]:
    """Dutch order: by family name without its prefix ("van Dijk" under D)."""
    return (name.get("family_name", "").casefold(), name.get("given_name", "").casefold())


def assign_case(store: Store, actor: User, person_id: UUID, case_manager_id: UUID) -> Assignment:
    """Give a case to a case manager; an earlier case manager's access ends at the same moment."""
    now = utcnow()
    with store.unit_of_work() as uow:
        assignee = uow.accounts.get(case_manager_id)
        if assignee is None or not assignee.has(Role.CASE_MANAGER):
            raise InvalidInput(Problem("caseManager", NOT_A_CASE_MANAGER))
        current = uow.caseloads.open_for_person(person_id)
        request = AccessRequest(
            actor,
            Action.ASSIGN_CASE,
            person_id,
            target_team=assignee.team,
            subject_team=_team_of(uow, current),
        )
        permit = uow.authorize(request)
        if uow.persons.get(person_id) is None:
            raise NotFound()
        uow.log.touch(permit, person_id, {"case_assignment"})
        if current is not None and current.case_manager_id == case_manager_id:
            uow.commit()
            return current
        if current is not None:
            uow.caseloads.end(current.id, now)
        assignment = Assignment(uuid4(), case_manager_id, person_id, now, None, actor.id)
        uow.caseloads.add(assignment)
        _tell_about_handover(uow, permit, person_id, current, now)
        uow.commit()
    return assignment


def _team_of(uow: UnitOfWork, assignment: Assignment | None) -> str | None:
    if assignment is None:
        return None
    manager = uow.accounts.get(assignment.case_manager_id)
    return manager.team if manager else None


def _tell_about_handover(
    uow: UnitOfWork,
    permit: Permit,
    person_id: UUID,
    previous: Assignment | None,
    now: datetime,
) -> None:
    """The resident is told their file moved (grants and shared story go with the case, which
    stays the same); the former case manager that their access ended."""
    notes: list[Notification] = []
    resident = uow.accounts.of_person(person_id)
    if resident is not None and previous is not None:
        notes.append(Notification(uuid4(), resident.id, Kind.HANDOVER, {}, "/mijn-verzoeken"))
    if previous is not None:
        number = uow.persons.client_number(permit, person_id)
        notes.append(
            Notification(uuid4(), previous.case_manager_id, Kind.HANDOVER_AWAY, {"client": number})
        )
    uow.notifications.add(notes, now)
