"""The rules for administering an employee's account (pure logic)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from datameent.domain.accounts import (
    ADMINISTERED_ROLES,
    MAX_DISPLAY_NAME,
    MAX_TEAM,
    AccountEdit,
    Role,
    User,
    check_deactivation,
    check_edit,
    is_administered,
    matches,
)
from datameent.errors import InvalidInput, NotFound

ADMIN = User(uuid4(), "admin1", "Beheerder", frozenset({Role.ADMIN}))
MANAGER = User(uuid4(), "km", "Klantmanager", frozenset({Role.CASE_MANAGER}), team="Team 1")
RESIDENT = User(uuid4(), "inwoner", "Inwoner", frozenset({Role.RESIDENT}), person_id=uuid4())
SYSTEM = User(uuid4(), "koppeling-brp", "BRP", frozenset({Role.SYSTEM}))


def fields(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [p.field for p in error.value.problems]


def test_an_administrator_gives_every_employee_role_and_no_other() -> None:
    assert Role.RESIDENT not in ADMINISTERED_ROLES and Role.SYSTEM not in ADMINISTERED_ROLES
    assert {Role.CASE_MANAGER, Role.ADMIN, Role.COUNCIL_MEMBER} <= ADMINISTERED_ROLES
    assert is_administered(MANAGER) and is_administered(ADMIN)
    assert not is_administered(RESIDENT) and not is_administered(SYSTEM)


def test_an_edit_is_tidied_and_an_empty_name_becomes_the_username() -> None:
    edit = check_edit(ADMIN.id, MANAGER, AccountEdit("  Kees \t de  Vries ", "   ", MANAGER.roles))
    assert edit == AccountEdit("Kees de Vries", None, MANAGER.roles)
    assert check_edit(None, MANAGER, AccountEdit("", "Team 2", MANAGER.roles)).display_name == "km"


def test_every_problem_of_an_edit_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_edit(
            ADMIN.id,
            MANAGER,
            AccountEdit("x" * (MAX_DISPLAY_NAME + 1), "t" * (MAX_TEAM + 1), frozenset()),
        )
    assert fields(caught) == ["display_name", "team", "roles"]
    for roles in ({Role.RESIDENT}, {Role.SYSTEM}, {Role.CASE_MANAGER, Role.RESIDENT}):
        with pytest.raises(InvalidInput) as wrong:
            check_edit(ADMIN.id, MANAGER, AccountEdit("Kees", None, frozenset(roles)))
        assert fields(wrong) == ["roles"]


def test_an_administrator_keeps_their_own_role_and_account() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_edit(ADMIN.id, ADMIN, AccountEdit("Beheerder", None, frozenset({Role.ANALYST})))
    assert fields(caught) == ["roles"]
    more = frozenset({Role.ADMIN, Role.ANALYST})
    assert check_edit(ADMIN.id, ADMIN, AccountEdit("Beheerder", None, more)).roles == more
    with pytest.raises(InvalidInput) as own:
        check_deactivation(ADMIN.id, ADMIN)
    assert fields(own) == ["active"]
    check_deactivation(ADMIN.id, MANAGER)
    check_deactivation(None, ADMIN)  # the operator on the server may


def test_residents_and_system_connections_are_not_found_by_an_administrator() -> None:
    for account in (RESIDENT, SYSTEM):
        with pytest.raises(NotFound):
            check_edit(ADMIN.id, account, AccountEdit("x", None, frozenset({Role.ANALYST})))
        with pytest.raises(NotFound):
            check_deactivation(ADMIN.id, account)


def test_a_temporary_password_is_long_random_and_easy_to_read_aloud() -> None:
    from datameent.services.passwords import temporary_password

    made = {temporary_password() for _ in range(200)}
    assert len(made) == 200
    for password in made:
        groups = password.split("-")
        assert len(password) == 19 and [len(g) for g in groups] == [4, 4, 4, 4]
        assert not set(password) & set("01ilo"), "no characters that look alike"


def test_a_new_employee_needs_a_username_and_employees_roles() -> None:
    from datameent.domain.accounts import check_new_employee

    tidy = check_new_employee("k.kok", AccountEdit(" Kees  Kok ", "", frozenset({Role.ANALYST})))
    assert tidy == AccountEdit("Kees Kok", None, frozenset({Role.ANALYST}))
    with pytest.raises(InvalidInput) as caught:
        check_new_employee("K K", AccountEdit("", None, frozenset({Role.SYSTEM})))
    assert fields(caught) == ["username", "roles"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("", True),
        ("ozdemir", True),
        ("ÖZDEMİR", True),  # the Turkish dotted capital I too
        ("Özdemir", True),
        ("  ayşe   öz ", True),  # spaces as typed
        ("ayse", True),
        ("strasse", True),  # ß and ss
        ("A.OZDEMIR", True),  # the username
        ("%", False),  # no wildcards
        ("jansen", False),
    ],
)
def test_searching_accounts_ignores_case_and_accents(search: str, found: bool) -> None:
    user = User(uuid4(), "a.ozdemir", "Ayşe Özdemir (Hauptstraße)", frozenset({Role.CASE_MANAGER}))
    assert matches(user, search) is found
