"""The access policy: the one place that decides who may do what with personal data.

Deny by default. A service gathers the facts (is this person in the actor's active caseload?),
asks `decide`, and gets a `Decision` that keeps its reasons, allowed or not, so that the
processing log can record why. Repositories that touch personal data demand a `Permit`, which
only an allowing decision hands out: there is no way to read a vault without asking.

Later capabilities (purposes, grants, break-glass) add facts to `AccessRequest` and rules here;
routes and repositories do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from datameent.domain.accounts import Role, User
from datameent.errors import AccessDenied


class Action(StrEnum):
    READ_VAULT = "vault.read"
    RECORD_ATTRIBUTE = "vault.record"
    REGISTER_PERSON = "person.register"
    LIST_OWN_CASELOAD = "caseload.list"
    VIEW_TEAM_CASES = "caseload.team"
    ASSIGN_CASE = "caseload.assign"
    MANAGE_ACCOUNTS = "accounts.manage"
    ERASE_PERSON = "person.erase"
    READ_PROCESSING_LOG = "log.read"
    SUPERVISE = "log.supervise"


PERSON_ACTIONS = frozenset(
    {Action.READ_VAULT, Action.RECORD_ATTRIBUTE, Action.ERASE_PERSON, Action.READ_PROCESSING_LOG}
)
"""Actions on one person: a denial must not reveal whether that person exists."""


@dataclass(frozen=True)
class AccessRequest:
    """Who wants to do what to whom, with the facts the service looked up."""

    actor: User
    action: Action
    subject: UUID | None = None
    """The person concerned, if any."""
    in_active_caseload: bool = False
    """The subject is assigned to the actor right now."""
    target_team: str | None = None
    """For assignments: the team of the case manager who would receive the case."""
    subject_team: str | None = None
    """For assignments: the team that holds the case now (None when nobody does)."""


_PERMIT_SEAL = object()


@dataclass(frozen=True)
class Permit:
    """Proof that the policy allowed `action` on `subject` for `actor_id`."""

    actor_id: UUID
    action: Action
    subject: UUID | None
    rule: str
    seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _PERMIT_SEAL:
            raise AccessDenied(("a permit can only come from domain.policy.decide",))

    def covers(self, action: Action, subject: UUID | None) -> bool:
        return self.action is action and self.subject == subject


@dataclass(frozen=True)
class Decision:
    request: AccessRequest
    allowed: bool
    rule: str
    """The rule that allowed, or ``default-deny``."""
    reasons: tuple[str, ...]

    def permit_hides_existence(self) -> bool:
        """A denial about one person must look like that person does not exist."""
        return self.request.action in PERSON_ACTIONS

    def permit(self) -> Permit:
        """The permit this decision grants, or `AccessDenied` with the reasons."""
        if not self.allowed:
            raise AccessDenied(self.reasons, hide_existence=self.permit_hides_existence())
        request = self.request
        return Permit(request.actor.id, request.action, request.subject, self.rule, _PERMIT_SEAL)


Rule = Callable[[AccessRequest], bool]


def _own_record(r: AccessRequest) -> bool:
    return r.actor.has(Role.RESIDENT) and r.subject is not None and r.subject == r.actor.person_id


def _own_caseload(r: AccessRequest) -> bool:
    return r.actor.has(Role.CASE_MANAGER) and r.subject is not None and r.in_active_caseload


def _is_case_manager(r: AccessRequest) -> bool:
    return r.actor.has(Role.CASE_MANAGER)


def _team_lead(r: AccessRequest) -> bool:
    return r.actor.has(Role.TEAM_LEAD) and r.actor.team is not None


def _assign_within_team(r: AccessRequest) -> bool:
    return (
        _team_lead(r) and r.target_team == r.actor.team and r.subject_team in (None, r.actor.team)
    )


def _register_feed(r: AccessRequest) -> bool:
    return r.actor.has(Role.SYSTEM)


def _is_admin(r: AccessRequest) -> bool:
    return r.actor.has(Role.ADMIN)


def _is_privacy_officer(r: AccessRequest) -> bool:
    return r.actor.has(Role.PRIVACY_OFFICER)


def _privacy_officer(r: AccessRequest) -> bool:
    return r.actor.has(Role.PRIVACY_OFFICER) and r.subject is not None


_RULES: dict[Action, tuple[tuple[str, str, Rule], ...]] = {
    Action.READ_VAULT: (
        ("own-record", "the resident reads their own vault", _own_record),
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.RECORD_ATTRIBUTE: (
        ("own-record", "the resident adds to their own vault", _own_record),
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
        ("register-feed", "a connection to a base register delivers data", _register_feed),
    ),
    Action.REGISTER_PERSON: (
        ("intake", "case managers register new applicants", _is_case_manager),
        ("register-feed", "a connection to a base register delivers data", _register_feed),
    ),
    Action.LIST_OWN_CASELOAD: (
        ("own-caseload", "case managers see their own caseload", _is_case_manager),
    ),
    Action.VIEW_TEAM_CASES: (
        ("team-lead", "team leads see the cases of their own team", _team_lead),
    ),
    Action.ASSIGN_CASE: (
        ("team-lead", "team leads assign cases within their own team", _assign_within_team),
    ),
    Action.MANAGE_ACCOUNTS: (("admin", "administrators manage accounts", _is_admin),),
    Action.READ_PROCESSING_LOG: (
        ("own-record", "the resident reads who processed their data", _own_record),
        ("supervision", "the privacy officer supervises processing", _privacy_officer),
    ),
    Action.SUPERVISE: (
        ("supervision", "the privacy officer supervises processing", _is_privacy_officer),
    ),
    Action.ERASE_PERSON: (
        ("erasure", "the privacy officer carries out an erasure", _privacy_officer),
    ),
}


def allows(actor: User, action: Action) -> bool:
    """Whether `actor` may start `action` at all (no person involved): for offering a form or
    a menu item. Never a way to reach personal data: that always goes through `decide` and the
    processing log."""
    return decide(AccessRequest(actor, action)).allowed


def decide(request: AccessRequest) -> Decision:
    """Allow when a rule for the action holds; otherwise deny. Always with reasons."""
    if not request.actor.active:
        return Decision(request, False, "default-deny", ("the account is not active",))
    for name, reason, rule in _RULES.get(request.action, ()):
        if rule(request):
            return Decision(request, True, name, (reason,))
    roles = ",".join(sorted(request.actor.roles)) or "none"
    reason = f"no rule allows {request.action} for roles {roles}"
    return Decision(request, False, "default-deny", (reason,))
