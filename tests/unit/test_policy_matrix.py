"""Access policy v2, the whole matrix: role x relation to the resident x grant state x purpose
match x break-glass, checked against an oracle written from the rules in plain terms; and
property tests that no combination outside those rules opens a single attribute."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.accounts import Role, User
from datameent.domain.policy import AccessRequest, Action, decide
from datameent.domain.purposes import Basis
from datameent.domain.sharing import Case, Grant, GrantState

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
PERSON = UUID("00000000-0000-4000-8000-000000000001")
KEYS = frozenset({"education_level", "hours_available"})
RELATIONS = ("own", "caseload", "stranger")
STATES = ("none", *GrantState)
PURPOSES = ("match", "other", "unnamed")


def grant_in(state: str, case: Case, purpose: str = "re-integratie") -> Grant:
    start, end, revoked = NOW - timedelta(days=1), NOW + timedelta(days=1), None
    if state == GrantState.EXPIRED:
        end = NOW - timedelta(seconds=1)
    elif state == GrantState.PENDING:
        start = NOW + timedelta(seconds=1)
    elif state == GrantState.REVOKED:
        revoked = NOW - timedelta(minutes=5)
    return Grant(
        uuid4(), PERSON, case.id, purpose, 1, Basis.CONSENT, KEYS, start, end, start, None, revoked
    )


@dataclass(frozen=True)
class Cell:
    role: Role
    relation: str
    state: str
    purpose: str
    break_glass: bool
    case_open: bool

    def request(self) -> AccessRequest:
        actor = User(
            uuid4(),
            "someone",
            "Someone",
            frozenset({self.role}),
            PERSON if self.relation == "own" else None,
            "Team 1",
        )
        closed = None if self.case_open else NOW - timedelta(hours=1)
        case = Case(uuid4(), PERSON, "re-integratie", NOW - timedelta(days=30), None, closed)
        grants = () if self.state == "none" else (grant_in(self.state, case),)
        named = {"match": "re-integratie", "other": "schuldhulp", "unnamed": None}[self.purpose]
        return AccessRequest(
            actor,
            Action.READ_VAULT,
            PERSON,
            in_active_caseload=self.relation == "caseload",
            purpose=named,
            grants=grants,
            cases={case.id: case},
            break_glass=self.break_glass,
            at=NOW,
        )

    def oracle(self) -> tuple[bool, frozenset[str] | None]:
        """The rules of issue 4, written out independently of the policy's code."""
        if self.role is Role.RESIDENT and self.relation == "own":
            return True, None
        if self.role is not Role.CASE_MANAGER:
            return False, None
        if self.break_glass:
            return True, None
        if (
            self.relation == "caseload"
            and self.state == GrantState.ACTIVE
            and self.purpose == "match"
            and self.case_open
        ):
            return True, KEYS
        return False, None


CELLS = [
    Cell(*combo)
    for combo in itertools.product(
        list(Role), RELATIONS, STATES, PURPOSES, (False, True), (True, False)
    )
]


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: "-".join(map(str, c.__dict__.values())))
def test_every_cell_of_the_matrix(cell: Cell) -> None:
    decision = decide(cell.request())
    allowed, scope = cell.oracle()
    assert decision.allowed is allowed
    assert decision.reasons
    if allowed:
        assert decision.permit().scope == scope
        expected_rule = {Role.RESIDENT: "own-record", Role.CASE_MANAGER: "grant"}[cell.role]
        if cell.role is Role.CASE_MANAGER and cell.break_glass:
            expected_rule = "break-glass"
        assert decision.rule == expected_rule


# Property tests --------------------------------------------------------------------------------

keys = st.frozensets(st.sampled_from(sorted(KEYS | {"savings", "debts", "zrm_justitie"})))
moments = st.integers(min_value=-3, max_value=3).map(lambda d: NOW + timedelta(days=d))


@st.composite
def worlds(draw: st.DrawFn) -> AccessRequest:
    """Any actor, any facts: several cases and grants in arbitrary states and purposes."""
    roles = draw(st.frozensets(st.sampled_from(list(Role)), max_size=3))
    actor = User(
        uuid4(), "x", "X", roles, draw(st.sampled_from([PERSON, None])), None, draw(st.booleans())
    )
    purposes = ["re-integratie", "schuldhulp", "heronderzoek"]
    cases = {}
    for _ in range(draw(st.integers(0, 3))):
        opened = draw(moments)
        closed = draw(st.one_of(st.none(), moments))
        case = Case(uuid4(), PERSON, draw(st.sampled_from(purposes)), opened, None, closed)
        cases[case.id] = case
    grants = []
    for _ in range(draw(st.integers(0, 4))):
        case_id = draw(st.sampled_from([*cases, uuid4()]))
        start = draw(moments)
        grants.append(
            Grant(
                uuid4(),
                draw(st.sampled_from([PERSON, uuid4()])),
                case_id,
                draw(st.sampled_from(purposes)),
                1,
                draw(st.sampled_from(list(Basis))),
                draw(keys),
                start,
                start + timedelta(days=draw(st.integers(0, 3))),
                start,
                None,
                draw(st.one_of(st.none(), moments)),
            )
        )
    return AccessRequest(
        actor,
        Action.READ_VAULT,
        PERSON,
        in_active_caseload=draw(st.booleans()),
        purpose=draw(st.sampled_from([*purposes, None])),
        grants=tuple(grants),
        cases=cases,
        break_glass=draw(st.booleans()),
        at=draw(moments),
    )


def _grant_opens(grant: Grant, request: AccessRequest) -> bool:
    assert request.at is not None
    case = request.cases.get(grant.case_id)
    return (
        grant.person_id == request.subject
        and grant.purpose_code == request.purpose
        and case is not None
        and case.purpose_code == request.purpose
        and case.opened_at <= request.at
        and (case.closed_at is None or request.at < case.closed_at)
        and grant.valid_from <= request.at < grant.valid_to
        and (grant.revoked_at is None or request.at < grant.revoked_at)
    )


@given(worlds())
def test_no_combination_outside_the_rules_grants_a_read(request: AccessRequest) -> None:
    decision = decide(request)
    if not decision.allowed:
        return
    actor = request.actor
    assert actor.active
    own = Role.RESIDENT in actor.roles and actor.person_id == request.subject
    if decision.scope is None:
        # The whole vault: only the resident, or a case manager under break-glass.
        assert own or (Role.CASE_MANAGER in actor.roles and request.break_glass)
        return
    assert Role.CASE_MANAGER in actor.roles and request.in_active_caseload
    opening = [g for g in request.grants if _grant_opens(g, request)]
    assert opening, "a scoped read needs at least one grant that opens it"
    assert decision.scope == frozenset().union(*(g.keys for g in opening))
    assert set(decision.grants) == {g.id for g in opening}


@given(worlds())
def test_a_read_by_someone_else_always_names_the_grants_it_used(request: AccessRequest) -> None:
    decision = decide(request)
    if decision.allowed and decision.rule == "grant":
        assert decision.grants and request.purpose is not None
