"""The access policy: the one place that decides who may do what with personal data.

Deny by default. A service gathers the facts (is this person in the actor's active caseload?),
asks `decide`, and gets a `Decision` that keeps its reasons, allowed or not, so that the
processing log can record why. Repositories that touch personal data demand a `Permit`, which
only an allowing decision hands out: there is no way to read a vault without asking.

A case manager reads a resident's vault only for a named purpose, and then only the
attributes the resident granted for an open case with that purpose (policy v2); in an emergency
a stated break-glass reason opens the whole file, flagged to the privacy officer. A permit for a
read carries its *scope*: the attribute keys the repository may return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from datameent.domain import complaints
from datameent.domain.accounts import Role, User
from datameent.domain.sharing import Case, Grant, readable_keys
from datameent.domain.story import StoryShare, scope_key
from datameent.errors import AccessDenied


class Action(StrEnum):
    READ_VAULT = "vault.read"
    RECORD_ATTRIBUTE = "vault.record"
    REGISTER_PERSON = "person.register"
    LIST_OWN_CASELOAD = "caseload.list"
    VIEW_TEAM_CASES = "caseload.team"
    ASSIGN_CASE = "caseload.assign"
    MANAGE_ACCOUNTS = "accounts.manage"
    LOG_IN = "account.log_in"
    ERASE_PERSON = "person.erase"
    READ_PROCESSING_LOG = "log.read"
    SUPERVISE = "log.supervise"
    ERASE_EXPIRED_LOG = "log.retention"
    ROTATE_KEYS = "keys.rotate"
    VIEW_CASES = "case.view"
    OPEN_CASE = "case.open"
    REQUEST_DATA = "request.create"
    APPROVE_REQUEST = "request.approve"
    ANSWER_REQUEST = "request.answer"
    SHARE = "grant.share"
    REVOKE_GRANT = "grant.revoke"
    BREAK_GLASS = "vault.break_glass"
    WRITE_STORY = "story.write"
    READ_STORY = "story.read"
    SHARE_STORY = "story.share"
    EXERCISE_RIGHTS = "rights.request"
    EXPORT = "rights.export"
    HANDLE_CORRECTION = "rights.correct"
    HANDLE_RIGHTS = "rights.handle"
    RECORD_DECISION = "decision.record"
    READ_DECISIONS = "decision.read"
    CONTEST = "decision.contest"
    REVIEW_OBJECTION = "objection.review"
    RELEASE_REVIEW = "objection.release"
    EXPORT_STATISTICS = "statistics.export"
    LINK_RECORDS = "statistics.link"
    TRAIN_EFFECTS = "statistics.effects"
    VIEW_STATISTICS = "statistics.view"
    VIEW_DATA_QUALITY = "statistics.quality"
    VIEW_DEADLINES = "objection.deadlines"
    MANAGE_REGISTERS = "register.manage"
    START_DIALOGUE = "dialogue.start"
    RUN_DIALOGUE = "dialogue.run"
    FILE_COMPLAINT = "complaint.file"
    READ_COMPLAINT = "complaint.read"
    HANDLE_COMPLAINT = "complaint.handle"
    VIEW_COMPLAINTS = "complaint.queue"


PERSON_ACTIONS = frozenset(
    {
        Action.READ_VAULT,
        Action.RECORD_ATTRIBUTE,
        Action.ERASE_PERSON,
        Action.READ_PROCESSING_LOG,
        Action.LOG_IN,
        Action.VIEW_CASES,
        Action.OPEN_CASE,
        Action.REQUEST_DATA,
        Action.ANSWER_REQUEST,
        Action.SHARE,
        Action.REVOKE_GRANT,
        Action.BREAK_GLASS,
        Action.WRITE_STORY,
        Action.READ_STORY,
        Action.SHARE_STORY,
        Action.EXERCISE_RIGHTS,
        Action.EXPORT,
        Action.HANDLE_CORRECTION,
        Action.RECORD_DECISION,
        Action.READ_DECISIONS,
        Action.CONTEST,
        Action.REVIEW_OBJECTION,
        Action.FILE_COMPLAINT,
        Action.READ_COMPLAINT,
        Action.HANDLE_COMPLAINT,
    }
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
    purpose: str | None = None
    """The purpose (code) the access names. A case manager's read must name one."""
    grants: tuple[Grant, ...] = ()
    """The subject's grants that could apply (any state: the policy judges them)."""
    cases: Mapping[UUID, Case] = field(default_factory=dict)
    """The cases those grants belong to."""
    break_glass: bool = False
    """The actor holds an active break-glass access to the subject."""
    requested_by: UUID | None = None
    """For approvals: who made the request (a second officer must approve)."""
    at: datetime | None = None
    """The moment of the access, for judging grants."""
    story_shares: tuple[StoryShare, ...] = ()
    """The subject's story shares (any state), for reading their story."""
    decided_by: UUID | None = None
    """For reviewing an objection: who made the decision objected to."""
    reviewer: UUID | None = None
    """For reviewing an objection: who has taken it into review (None while nobody has)."""
    owner: UUID | None = None
    """For running a data dialogue: the facilitator who started the session."""
    complained_about: UUID | None = None
    """For a complaint: the employee whose conduct it is about (None: nobody named)."""
    handler: UUID | None = None
    """For a complaint: who has taken it to handle (None while nobody has)."""


_PERMIT_SEAL = object()


@dataclass(frozen=True)
class Permit:
    """Proof that the policy allowed `action` on `subject` for `actor_id`."""

    actor_id: UUID
    action: Action
    subject: UUID | None
    rule: str
    seal: object = field(repr=False, compare=False)
    scope: frozenset[str] | None = None
    """The attribute keys this permit opens; None: every key."""

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
    scope: frozenset[str] | None = None
    """For reads: the attribute keys allowed; None: every key."""
    grants: tuple[UUID, ...] = ()
    """The grants the decision relied on."""

    def permit_hides_existence(self) -> bool:
        """A denial about one person must look like that person does not exist."""
        return self.request.action in PERSON_ACTIONS

    def permit(self) -> Permit:
        """The permit this decision grants, or `AccessDenied` with the reasons."""
        if not self.allowed:
            raise AccessDenied(self.reasons, hide_existence=self.permit_hides_existence())
        request = self.request
        return Permit(
            request.actor.id, request.action, request.subject, self.rule, _PERMIT_SEAL, self.scope
        )


@dataclass(frozen=True)
class Scope:
    """A rule's answer when it allows only part of a vault."""

    keys: frozenset[str]
    grants: tuple[UUID, ...]


Rule = Callable[[AccessRequest], "bool | Scope"]


def _own_record(r: AccessRequest) -> bool:
    return r.actor.has(Role.RESIDENT) and r.subject is not None and r.subject == r.actor.person_id


def _own_caseload(r: AccessRequest) -> bool:
    return r.actor.has(Role.CASE_MANAGER) and r.subject is not None and r.in_active_caseload


def _granted(r: AccessRequest) -> bool | Scope:
    """Policy v2: the attributes granted for an open case with the named purpose."""
    if not _own_caseload(r) or r.purpose is None or r.at is None:
        return False
    # The purpose first (a C-level string comparison), then the subject as an integer:
    # UUID.__eq__ is a Python-level call, ten times slower over a whole caseload's grants.
    purpose, subject = r.purpose, r.subject.int if r.subject is not None else -1
    mine = [g for g in r.grants if g.purpose_code == purpose and g.person_id.int == subject]
    keys, used = readable_keys(mine, r.cases, r.purpose, r.at)
    return Scope(keys, used) if keys else False


def _story_shared(r: AccessRequest) -> bool | Scope:
    """The story sections the resident shares with an open case, for their case manager."""
    if not _own_caseload(r) or r.at is None:
        return False
    at = r.at
    shares = [
        s
        for s in r.story_shares
        if s.person_id == r.subject
        and s.active_at(at)
        and s.case_id in r.cases
        and r.cases[s.case_id].open_at(at)
    ]
    if not shares:
        return False
    return Scope(frozenset(scope_key(s.section_id) for s in shares), tuple(s.id for s in shares))


def _independent_reviewer(r: AccessRequest) -> bool:
    """Awb 7:5: the objection is reviewed by someone who was not involved in the decision; and
    by one reviewer: once someone has taken it into review, it is theirs until a team lead
    releases it."""
    return (
        r.subject is not None
        and r.decided_by is not None
        and may_review(r.actor, r.decided_by, r.reviewer)
    )


def may_review(actor: User, decided_by: UUID, reviewer: UUID | None) -> bool:
    """The reviewing rule on its own (`independent-review`): whether `actor` could review an
    objection to a decision `decided_by` made, taken by `reviewer` (None: nobody yet). For
    offering the link to it; opening it is decided, and logged, as every access."""
    return (
        (actor.has(Role.TEAM_LEAD) or actor.has(Role.CASE_MANAGER))
        and decided_by != actor.id
        and reviewer in (None, actor.id)
    )


def _independent_handler(r: AccessRequest) -> bool:
    """Awb 9:7: a team lead or the privacy officer who is not the one complained about; once
    taken, the complaint is its handler's."""
    return (
        r.subject is not None
        and (r.actor.has(Role.TEAM_LEAD) or r.actor.has(Role.PRIVACY_OFFICER))
        and complaints.may_handle(r.actor.id, r.complained_about, r.handler)
    )


def _complained_about(r: AccessRequest) -> bool:
    """Awb 9:9: the employee a complaint is about receives a copy of it."""
    return (
        r.subject is not None
        and r.complained_about == r.actor.id
        and not r.actor.has(Role.RESIDENT)
    )


def _deadline_watch(r: AccessRequest) -> bool:
    return _team_lead(r) or r.actor.has(Role.PRIVACY_OFFICER)


def _break_glass(r: AccessRequest) -> bool:
    return r.actor.has(Role.CASE_MANAGER) and r.subject is not None and r.break_glass


def _second_officer(r: AccessRequest) -> bool:
    return (
        (r.actor.has(Role.PRIVACY_OFFICER) or r.actor.has(Role.TEAM_LEAD))
        and r.requested_by is not None
        and r.requested_by != r.actor.id
    )


def _is_case_manager(r: AccessRequest) -> bool:
    return r.actor.has(Role.CASE_MANAGER)


def _team_lead(r: AccessRequest) -> bool:
    return r.actor.has(Role.TEAM_LEAD) and r.actor.team is not None


def _assign_within_team(r: AccessRequest) -> bool:
    return (
        _team_lead(r) and r.target_team == r.actor.team and r.subject_team in (None, r.actor.team)
    )


def _is_system(r: AccessRequest) -> bool:
    """A system connection: never logs in, acts only from the operator's command line."""
    return r.actor.has(Role.SYSTEM)


def _reads_statistics(r: AccessRequest) -> bool:
    return any(
        r.actor.has(role) for role in (Role.ANALYST, Role.PRIVACY_OFFICER, Role.COUNCIL_MEMBER)
    )


def _checks_quality(r: AccessRequest) -> bool:
    return r.actor.has(Role.ANALYST) or r.actor.has(Role.PRIVACY_OFFICER)


def _is_admin(r: AccessRequest) -> bool:
    return r.actor.has(Role.ADMIN)


def _is_privacy_officer(r: AccessRequest) -> bool:
    return r.actor.has(Role.PRIVACY_OFFICER)


def _is_facilitator(r: AccessRequest) -> bool:
    return r.actor.has(Role.FACILITATOR)


def _own_session(r: AccessRequest) -> bool:
    return r.actor.has(Role.FACILITATOR) and r.owner is not None and r.owner == r.actor.id


def _privacy_officer(r: AccessRequest) -> bool:
    return r.actor.has(Role.PRIVACY_OFFICER) and r.subject is not None


_RULES: dict[Action, tuple[tuple[str, str, Rule], ...]] = {
    Action.READ_VAULT: (
        ("own-record", "the resident reads their own vault", _own_record),
        ("break-glass", "the case manager stated an emergency; flagged for review", _break_glass),
        ("grant", "the resident granted these attributes for an open case", _granted),
    ),
    Action.RECORD_ATTRIBUTE: (
        ("own-record", "the resident adds to their own vault", _own_record),
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
        ("register-feed", "a connection to a base register delivers data", _is_system),
    ),
    Action.REGISTER_PERSON: (
        ("intake", "case managers register new applicants", _is_case_manager),
        ("register-feed", "a connection to a base register delivers data", _is_system),
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
    Action.LOG_IN: (("own-record", "the resident logs in to their own file", _own_record),),
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
    Action.ERASE_EXPIRED_LOG: (
        (
            "log-retention",
            "the retention service erases log lines whose retention period ended",
            _is_system,
        ),
    ),
    Action.ROTATE_KEYS: (
        (
            "key-management",
            "the key service wraps the data keys again under a new master key",
            _is_system,
        ),
    ),
    Action.VIEW_CASES: (
        ("own-record", "the resident sees their own cases and requests", _own_record),
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.OPEN_CASE: (
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.REQUEST_DATA: (
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.APPROVE_REQUEST: (
        ("four-eyes", "a second officer judges a request outside its purpose", _second_officer),
    ),
    Action.ANSWER_REQUEST: (("own-record", "the resident answers a request", _own_record),),
    Action.SHARE: (("own-record", "the resident shares their own data", _own_record),),
    Action.REVOKE_GRANT: (("own-record", "the resident withdraws consent", _own_record),),
    Action.BREAK_GLASS: (("break-glass", "a case manager states an emergency", _is_case_manager),),
    Action.WRITE_STORY: (("own-record", "the resident writes their own story", _own_record),),
    Action.READ_STORY: (
        ("own-record", "the resident reads their own story", _own_record),
        (
            "story-share",
            "the resident shares these story sections with an open case",
            _story_shared,
        ),
    ),
    Action.SHARE_STORY: (("own-record", "the resident shares their own story", _own_record),),
    Action.EXERCISE_RIGHTS: (
        ("own-record", "the resident exercises their rights (GDPR art. 15-21)", _own_record),
    ),
    Action.EXPORT: (
        ("own-record", "the resident takes out everything held about them", _own_record),
    ),
    Action.HANDLE_CORRECTION: (
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
        ("supervision", "the privacy officer handles data subjects' requests", _privacy_officer),
    ),
    Action.HANDLE_RIGHTS: (
        ("supervision", "the privacy officer handles data subjects' requests", _is_privacy_officer),
    ),
    Action.RECORD_DECISION: (
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.READ_DECISIONS: (
        ("own-record", "the resident reads the decisions about them", _own_record),
        ("active-caseload", "the person is in the case manager's active caseload", _own_caseload),
    ),
    Action.CONTEST: (("own-record", "the resident questions or objects", _own_record),),
    Action.REVIEW_OBJECTION: (
        (
            "independent-review",
            "a reviewer who did not make the decision (Awb 7:5)",
            _independent_reviewer,
        ),
    ),
    Action.RELEASE_REVIEW: (
        (
            "release-review",
            "a team lead hands an objection in review back to the queue",
            _team_lead,
        ),
    ),
    Action.EXPORT_STATISTICS: (
        (
            "statistics-export",
            "the pseudonymisation service exports for statistics (AVG art. 89)",
            _is_system,
        ),
    ),
    Action.LINK_RECORDS: (
        (
            "research-linkage",
            "the linkage service links sources for research (AVG art. 89)",
            _is_system,
        ),
    ),
    Action.TRAIN_EFFECTS: (
        (
            "effects-training",
            "the effects service learns what works for whom from the warehouse (AVG art. 89)",
            _is_system,
        ),
    ),
    Action.VIEW_STATISTICS: (
        (
            "statistics",
            "analysts, the privacy officer and the client council read protected tables",
            _reads_statistics,
        ),
    ),
    Action.VIEW_DATA_QUALITY: (
        (
            "data-quality",
            "analysts and the privacy officer check the warehouse's quality",
            _checks_quality,
        ),
    ),
    Action.MANAGE_REGISTERS: (
        ("register-keeper", "the privacy officer keeps the public registers", _is_privacy_officer),
        ("admin", "administrators keep the public registers", _is_admin),
    ),
    Action.VIEW_DEADLINES: (
        ("deadline-watch", "team leads and the privacy officer watch deadlines", _deadline_watch),
    ),
    Action.FILE_COMPLAINT: (
        ("own-record", "the resident complains about how they were treated", _own_record),
    ),
    Action.READ_COMPLAINT: (
        ("own-record", "the resident reads their own complaint", _own_record),
        (
            "complained-about",
            "the employee complained about receives a copy (Awb 9:9)",
            _complained_about,
        ),
    ),
    Action.HANDLE_COMPLAINT: (
        (
            "independent-handler",
            "a handler who is not the one complained about (Awb 9:7)",
            _independent_handler,
        ),
    ),
    Action.VIEW_COMPLAINTS: (
        ("complaint-watch", "team leads and the privacy officer watch complaints", _deadline_watch),
    ),
    Action.START_DIALOGUE: (("facilitator", "facilitators start data dialogues", _is_facilitator),),
    Action.RUN_DIALOGUE: (
        ("own-session", "a facilitator runs the data dialogue they started", _own_session),
    ),
}


def allows(actor: User, action: Action, *, owner: UUID | None = None) -> bool:
    """Whether `actor` may start `action` at all (no person involved; for a data dialogue, on
    the session `owner` started): for offering a form or a menu item, or for an action that
    touches no personal data. Never a way to reach personal data: that always goes through
    `decide` and the processing log."""
    return decide(AccessRequest(actor, action, owner=owner)).allowed


def decide(request: AccessRequest) -> Decision:
    """Allow when a rule for the action holds; otherwise deny. Always with reasons."""
    if not request.actor.active:
        return Decision(request, False, "default-deny", ("the account is not active",))
    if request.actor.must_change_password:
        reason = "the account's password was given by someone else and is not yet replaced"
        return Decision(request, False, "default-deny", (reason,))
    for name, reason, rule in _RULES.get(request.action, ()):
        verdict = rule(request)
        if isinstance(verdict, Scope):
            return Decision(request, True, name, (reason,), verdict.keys, verdict.grants)
        if verdict:
            return Decision(request, True, name, (reason,))
    roles = ",".join(sorted(request.actor.roles)) or "none"
    reason = f"no rule allows {request.action} for roles {roles}"
    if request.action is Action.READ_VAULT and request.actor.has(Role.CASE_MANAGER):
        reason += _why_no_grant(request)
    return Decision(request, False, "default-deny", (reason,))


def _why_no_grant(r: AccessRequest) -> str:
    if not r.in_active_caseload:
        return ": the person is not in the active caseload"
    if r.purpose is None:
        return ": the read names no purpose"
    return f": no active grant for purpose {r.purpose} on an open case"
