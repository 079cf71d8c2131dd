"""Administering employees' accounts, on SQLite and PostgreSQL: the list, edits, stopping an
account (every session ends), its history, and what an administrator may not do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Table, func, select

from datameent.domain.accounts import AccountEdit, ChangeKind, Role
from datameent.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    LoginFailed,
    NotFound,
    PasswordChangeRequired,
    TooManyAttempts,
)
from datameent.services import accounts, vault
from datameent.services.caseloads import my_caseload
from datameent.store.tables import account_changes, log_records, users
from datameent.store.uow import Store
from tests.support import user

LIMITS = accounts.LoginLimits(max_failures=5, window=timedelta(minutes=15))


def _count(store: Store, table: Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_list_holds_employees_only_with_when_they_last_logged_in(seeded: Store) -> None:
    admin = user(seeded, "admin1")
    accounts.authenticate(seeded, "klantmanager1", "demo", "::1", LIMITS)
    manager = user(seeded, "klantmanager1")
    accounts.open_session(seeded, manager, accounts.WEB, timedelta(hours=1))
    found = accounts.employee_accounts(seeded, admin)
    names = {a.user.username for a in found}
    assert {"admin1", "klantmanager1", "privacy1", "teamleider1"} <= names
    assert not any(n.startswith("inwoner") for n in names), "residents' accounts are not listed"
    assert not any(Role.SYSTEM in a.user.roles for a in found), "nor system connections"
    last = {a.user.username: a.last_login for a in found}
    assert last["klantmanager1"] is not None and last["privacy1"] is None
    searched = [a.user.username for a in accounts.employee_accounts(seeded, admin, "KLANTMAN")]
    assert searched and all(n.startswith("klantmanager") for n in searched)
    assert "klantmanager1" in searched
    assert accounts.employee_accounts(seeded, admin, "%") == [], "no wildcards from the search"


def test_stopping_an_account_ends_every_session_and_login_until_it_works_again(
    seeded: Store,
) -> None:
    admin, manager = user(seeded, "admin1"), user(seeded, "klantmanager1")
    web = accounts.open_session(seeded, manager, accounts.WEB, timedelta(hours=1))
    api = accounts.open_session(seeded, manager, accounts.API, timedelta(hours=1))
    assert accounts.user_for_token(seeded, web, accounts.WEB) == manager

    assert accounts.set_account_active(seeded, admin, manager.id, False) == 2
    assert accounts.user_for_token(seeded, web, accounts.WEB) is None
    assert accounts.user_for_token(seeded, api, accounts.API) is None
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "klantmanager1", "demo", "::1", LIMITS)
    file = accounts.account_file(seeded, admin, manager.id)
    assert not file.user.active and file.live_sessions == 0

    accounts.set_account_active(seeded, admin, manager.id, True)
    assert accounts.authenticate(seeded, "klantmanager1", "demo", "::1", LIMITS).id == manager.id
    history = accounts.account_file(seeded, admin, manager.id).history
    assert [c.kind for c in history] == [ChangeKind.REACTIVATED, ChangeKind.DEACTIVATED]
    assert {c.by for c in history} == {admin.id}


def test_a_stopped_case_manager_keeps_their_clients_for_the_team_lead_to_hand_over(
    seeded: Store,
) -> None:
    admin, manager = user(seeded, "admin1"), user(seeded, "klantmanager1")
    clients = my_caseload(seeded, manager)
    assert clients
    accounts.set_account_active(seeded, admin, manager.id, False)
    assert accounts.account_file(seeded, admin, manager.id).open_cases == len(clients)
    stopped = user(seeded, "klantmanager1")
    with pytest.raises(AccessDenied):
        my_caseload(seeded, stopped)


def test_a_change_of_roles_counts_at_the_next_request(seeded: Store) -> None:
    admin, manager = user(seeded, "admin1"), user(seeded, "klantmanager1")
    [first, *_] = my_caseload(seeded, manager)
    vault.read_vault(seeded, manager, first.person_id, purpose="re-integratie")
    edit = AccountEdit("  Marieke   de Haan ", "  Team 2 ", frozenset({Role.ANALYST}))
    changed = accounts.edit_account(seeded, admin, manager.id, edit)
    assert (changed.display_name, changed.team, changed.roles) == (
        "Marieke de Haan",
        "Team 2",
        frozenset({Role.ANALYST}),
    )
    now = user(seeded, "klantmanager1")
    assert now == changed
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, now, first.person_id, purpose="re-integratie")
    [change] = accounts.account_file(seeded, admin, manager.id).history
    assert (change.kind, change.roles, change.team) == (
        ChangeKind.CHANGED,
        frozenset({Role.ANALYST}),
        "Team 2",
    )
    before = _count(seeded, account_changes)
    accounts.edit_account(seeded, admin, manager.id, edit)
    assert _count(seeded, account_changes) == before, "saving the same again changes nothing"


def test_what_an_administrator_may_not_do_changes_nothing(seeded: Store) -> None:
    admin = user(seeded, "admin1")
    resident = user(seeded, "inwoner1")
    before = _count(seeded, account_changes)
    with pytest.raises(InvalidInput) as own_role:
        accounts.edit_account(
            seeded, admin, admin.id, AccountEdit("Beheerder", None, frozenset({Role.ANALYST}))
        )
    assert [p.field for p in own_role.value.problems] == ["roles"]
    with pytest.raises(InvalidInput) as own_account:
        accounts.set_account_active(seeded, admin, admin.id, False)
    assert [p.field for p in own_account.value.problems] == ["active"]
    with pytest.raises(NotFound):
        accounts.set_account_active(seeded, admin, resident.id, False)
    with pytest.raises(NotFound):
        accounts.account_file(seeded, admin, resident.id)
    manager = user(seeded, "klantmanager1")
    with pytest.raises(InvalidInput) as resident_role:
        accounts.edit_account(
            seeded, admin, manager.id, AccountEdit("x", None, frozenset({Role.RESIDENT}))
        )
    assert [p.field for p in resident_role.value.problems] == ["roles"]
    assert _count(seeded, account_changes) == before
    assert user(seeded, "admin1") == admin and user(seeded, "klantmanager1") == manager
    assert user(seeded, "inwoner1").active


def test_only_an_administrator_administers_and_each_attempt_is_logged(seeded: Store) -> None:
    admin, privacy = user(seeded, "admin1"), user(seeded, "privacy1")
    manager = user(seeded, "klantmanager1")

    def logged() -> list[tuple[str, str]]:
        with seeded.engine.connect() as connection:
            query = select(log_records.c.operation, log_records.c.outcome).order_by(
                log_records.c.seq
            )
            return [(r.operation, r.outcome) for r in connection.execute(query)]

    start = len(logged())
    with pytest.raises(AccessDenied):
        accounts.set_account_active(seeded, privacy, manager.id, False)
    with pytest.raises(AccessDenied):
        accounts.employee_accounts(seeded, privacy)
    accounts.set_account_active(seeded, admin, manager.id, False)
    assert logged()[start:] == [
        ("accounts.manage", "denied"),
        ("accounts.manage", "denied"),
        ("accounts.manage", "allowed"),
    ]
    with seeded.engine.connect() as connection:
        active = connection.execute(select(users.c.active).where(users.c.id == manager.id))
        assert active.scalar_one() is False


def test_the_command_line_administers_without_an_actor_and_says_so_in_the_history(
    seeded: Store,
) -> None:
    manager = user(seeded, "klantmanager1")
    accounts.set_account_active(seeded, None, manager.id, False)
    made = accounts.create_account(
        seeded,
        None,
        accounts.NewAccount("nieuw.collega", "Nieuwe collega", frozenset({Role.ANALYST}), None),
    )
    admin = user(seeded, "admin1")
    [stopped] = accounts.account_file(seeded, admin, manager.id).history
    assert stopped.kind is ChangeKind.DEACTIVATED and stopped.by is None
    [created] = accounts.account_file(seeded, admin, made.id).history
    assert created.kind is ChangeKind.CREATED and created.roles == frozenset({Role.ANALYST})


def test_a_new_password_ends_every_other_session_and_needs_the_current_one(
    seeded: Store,
) -> None:
    resident = user(seeded, "inwoner1")
    here = accounts.open_session(seeded, resident, accounts.WEB, timedelta(hours=1))
    elsewhere = accounts.open_session(seeded, resident, accounts.WEB, timedelta(hours=1))
    token = accounts.open_session(seeded, resident, accounts.API, timedelta(hours=1))
    new = "drie woorden achter elkaar"

    def change(current: str, chosen: str, repeated: str) -> int:
        return accounts.change_password(
            seeded, resident, current, chosen, repeated, "::1", LIMITS, here
        )

    for current, chosen, repeated, problem in (
        ("wrong", new, new, ["current_password"]),
        ("demo", "short", "short", ["new_password"]),
        ("demo", new, new + "!", ["repeated"]),
        ("demo", "inwoner1", "inwoner1x", ["new_password", "repeated"]),
    ):
        with pytest.raises(InvalidInput) as refused:
            change(current, chosen, repeated)
        assert [p.field for p in refused.value.problems] == problem
    assert accounts.user_for_token(seeded, elsewhere, accounts.WEB) == resident, "unchanged"
    assert accounts.authenticate(seeded, "inwoner1", "demo", "::1", LIMITS)

    assert change("demo", new, new) == 2
    assert accounts.user_for_token(seeded, here, accounts.WEB) == resident
    assert accounts.user_for_token(seeded, elsewhere, accounts.WEB) is None
    assert accounts.user_for_token(seeded, token, accounts.API) is None
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "inwoner1", "demo", "::1", LIMITS)
    assert accounts.authenticate(seeded, "inwoner1", new, "::1", LIMITS).id == resident.id


def test_guessing_the_current_password_is_throttled_like_a_login(seeded: Store) -> None:
    resident = user(seeded, "inwoner2")
    for _ in range(LIMITS.max_failures):
        with pytest.raises(InvalidInput):
            accounts.change_password(
                seeded,
                resident,
                "guess",
                "a new long password",
                "a new long password",
                "::1",
                LIMITS,
                None,
            )
    with pytest.raises(TooManyAttempts):
        accounts.change_password(
            seeded,
            resident,
            "demo",
            "a new long password",
            "a new long password",
            "::1",
            LIMITS,
            None,
        )


def test_the_operator_sets_a_forgotten_password_and_every_session_ends(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    session = accounts.open_session(seeded, manager, accounts.WEB, timedelta(hours=1))
    assert accounts.set_password(seeded, manager.id, "een nieuw lang wachtwoord") == 1
    assert accounts.user_for_token(seeded, session, accounts.WEB) is None
    assert accounts.authenticate(
        seeded, "klantmanager1", "een nieuw lang wachtwoord", "::1", LIMITS
    )
    [change] = accounts.account_file(seeded, user(seeded, "admin1"), manager.id).history
    assert change.kind is ChangeKind.PASSWORD and change.by is None
    assert not user(seeded, "klantmanager1").must_change_password
    accounts.set_password(seeded, manager.id, "een tijdelijk wachtwoord", temporary=True)
    assert user(seeded, "klantmanager1").must_change_password
    with pytest.raises(InvalidInput):
        accounts.set_password(seeded, manager.id, "kort")
    brp = user(seeded, "koppeling-brp")
    with pytest.raises(NotFound):
        accounts.set_password(seeded, brp.id, "een nieuw lang wachtwoord")


def test_an_administrator_makes_an_account_whose_holder_chooses_their_own_password(
    seeded: Store,
) -> None:
    admin = user(seeded, "admin1")
    details = AccountEdit(" Fatima  El Idrissi ", "Team 1", frozenset({Role.CASE_MANAGER}))
    made, temporary = accounts.create_employee_account(seeded, admin, " F.ElIdrissi ", details)
    assert (made.username, made.display_name, made.team) == (
        "f.elidrissi",
        "Fatima El Idrissi",
        "Team 1",
    )
    assert made.must_change_password and len(temporary) >= 12
    holder = accounts.authenticate(seeded, "f.elidrissi", temporary, "::1", LIMITS)
    assert holder.must_change_password
    with pytest.raises(AccessDenied):
        my_caseload(seeded, holder)  # the policy itself: nothing before their own password
    with pytest.raises(PasswordChangeRequired):
        accounts.open_session(seeded, holder, accounts.API, timedelta(hours=1))
    with seeded.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash).where(users.c.id == made.id))
        assert temporary not in str(stored.scalar_one()), "only a hash is kept"
    chosen = "mijn eigen lange wachtwoord"
    accounts.change_password(seeded, holder, temporary, chosen, chosen, "::1", LIMITS, None)
    assert not user(seeded, "f.elidrissi").must_change_password
    [changed, created] = accounts.account_file(seeded, admin, made.id).history
    assert (changed.kind, changed.by) == (ChangeKind.PASSWORD, made.id)
    assert (created.kind, created.by) == (ChangeKind.CREATED, admin.id)

    with pytest.raises(Conflict):
        accounts.create_employee_account(seeded, admin, "f.elidrissi", details)
    with pytest.raises(InvalidInput) as refused:
        accounts.create_employee_account(
            seeded, admin, "X", AccountEdit("", None, frozenset({Role.RESIDENT}))
        )
    assert [p.field for p in refused.value.problems] == ["username", "roles"]
    with pytest.raises(AccessDenied):
        accounts.create_employee_account(seeded, user(seeded, "privacy1"), "nieuw", details)


def test_an_administrator_resets_a_forgotten_password_for_employees_only(seeded: Store) -> None:
    admin, manager = user(seeded, "admin1"), user(seeded, "klantmanager1")
    session = accounts.open_session(seeded, manager, accounts.WEB, timedelta(hours=1))
    employee, temporary = accounts.reset_password(seeded, admin, manager.id)
    assert employee.id == manager.id and employee.must_change_password
    assert accounts.user_for_token(seeded, session, accounts.WEB) is None
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "klantmanager1", "demo", "::1", LIMITS)
    assert accounts.authenticate(
        seeded, "klantmanager1", temporary, "::1", LIMITS
    ).must_change_password
    [reset] = accounts.account_file(seeded, admin, manager.id).history
    assert (reset.kind, reset.by) == (ChangeKind.PASSWORD, admin.id)
    with pytest.raises(NotFound):
        accounts.reset_password(seeded, admin, user(seeded, "inwoner1").id)
    with pytest.raises(AccessDenied):
        accounts.reset_password(seeded, user(seeded, "teamleider1"), manager.id)
    assert accounts.authenticate(seeded, "inwoner1", "demo", "::1", LIMITS)


def test_the_privacy_officer_sees_who_was_given_which_roles(seeded: Store) -> None:
    from datameent.services import supervision

    admin, manager = user(seeded, "admin1"), user(seeded, "klantmanager1")
    resident = user(seeded, "inwoner1")
    more = AccountEdit(
        manager.display_name, manager.team, frozenset({Role.CASE_MANAGER, Role.ADMIN})
    )
    accounts.edit_account(seeded, admin, manager.id, more)
    _, temporary = accounts.reset_password(seeded, admin, manager.id)
    mine = "mijn eigen lange wachtwoord"
    accounts.change_password(seeded, manager, temporary, mine, mine, "::1", LIMITS, None)
    accounts.change_password(seeded, resident, "demo", mine, mine, "::1", LIMITS, None)

    seen = supervision.attention(seeded, user(seeded, "privacy1")).account_changes
    assert [(e.account.username, e.change.kind, e.by) for e in seen] == [
        ("klantmanager1", ChangeKind.PASSWORD, admin),
        ("klantmanager1", ChangeKind.CHANGED, admin),
    ], "not someone's own password, and no resident"
    assert seen[1].change.roles == frozenset({Role.CASE_MANAGER, Role.ADMIN})


def test_a_resident_logs_out_everywhere_but_here(seeded: Store) -> None:
    resident, other = user(seeded, "inwoner1"), user(seeded, "inwoner2")
    here = accounts.open_session(seeded, resident, accounts.WEB, timedelta(hours=1))
    library = accounts.open_session(seeded, resident, accounts.WEB, timedelta(hours=1))
    app = accounts.open_session(seeded, resident, accounts.API, timedelta(hours=1))
    theirs = accounts.open_session(seeded, other, accounts.WEB, timedelta(hours=1))
    assert accounts.other_sessions(seeded, resident, here) == 2
    assert accounts.end_other_sessions(seeded, resident, here) == 2
    assert accounts.other_sessions(seeded, resident, here) == 0
    assert accounts.user_for_token(seeded, here, accounts.WEB) == resident
    assert accounts.user_for_token(seeded, library, accounts.WEB) is None
    assert accounts.user_for_token(seeded, app, accounts.API) is None
    assert accounts.user_for_token(seeded, theirs, accounts.WEB) == other, "only their own"


def test_a_search_finds_names_whatever_their_case_and_accents(seeded: Store) -> None:
    """SQLite's lower() knows ASCII only: Ö stayed Ö, and "özdemir" did not find "Özdemir"."""
    admin = user(seeded, "admin1")
    accounts.create_employee_account(
        seeded, admin, "a.ozdemir", AccountEdit("Ayşe Özdemir", None, frozenset({Role.ANALYST}))
    )
    for search in ("özdemir", "ÖZDEMIR", "ayse ozdemir"):
        found = [a.user.username for a in accounts.employee_accounts(seeded, admin, search)]
        assert found == ["a.ozdemir"], search
