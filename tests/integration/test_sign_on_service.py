"""Single sign-on's use case, on SQLite and PostgreSQL: who the identity provider vouched for
is bound to the employee's account with the same username at the first login and found by the
provider's identifier afterwards; the rules for who may not; and undoing the link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from datameent.domain.accounts import AccountEdit, ChangeKind, Role
from datameent.errors import AccessDenied, InvalidInput, LoginFailed, SignOnRefused
from datameent.services import accounts
from datameent.services.sign_on import Identity
from datameent.store.tables import users
from datameent.store.uow import Store
from tests.support import user

ISSUER = "https://login.gemeente.example"
LIMITS = accounts.LoginLimits(max_failures=5, window=timedelta(minutes=15))


def bound(store: Store, username: str) -> tuple[str | None, str | None, str | None]:
    with store.engine.connect() as db:
        row = db.execute(select(users).where(users.c.username == username)).one()
    return row.sso_issuer, row.sso_subject, row.password_hash


def test_the_first_login_binds_the_account_and_its_password_goes(seeded: Store) -> None:
    signed_on = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    assert signed_on.username == "klantmanager1" and signed_on.sso
    assert bound(seeded, "klantmanager1") == (ISSUER, "abc-123", None)
    assert user(seeded, "klantmanager1").sso
    history = accounts.account_file(seeded, None, signed_on.id).history
    assert [c.kind for c in history] == [ChangeKind.LINKED]
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "klantmanager1", "demo", "::1", LIMITS)


def test_later_logins_go_by_the_identifier_whatever_the_name(seeded: Store) -> None:
    first = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    again = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "someone.renamed"))
    assert again.id == first.id
    assert len(accounts.account_file(seeded, None, first.id).history) == 1  # not linked twice
    with pytest.raises(SignOnRefused) as refused:  # the same name, another person there
        accounts.sign_on(seeded, Identity(ISSUER, "xyz-999", "klantmanager1"))
    assert refused.value.detail is not None and "ander account" in refused.value.detail.nl
    assert bound(seeded, "klantmanager1")[1] == "abc-123"


def test_the_same_identifier_at_another_provider_is_someone_else(seeded: Store) -> None:
    accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    with pytest.raises(SignOnRefused):
        accounts.sign_on(seeded, Identity("https://other.example", "abc-123", "klantmanager1"))


@pytest.mark.parametrize("username", ["inwoner1", "koppeling-brp", "nobody", None])
def test_only_employees_accounts_are_opened(seeded: Store, username: str | None) -> None:
    with pytest.raises(SignOnRefused):
        accounts.sign_on(seeded, Identity(ISSUER, "abc-123", username))
    with seeded.engine.connect() as db:
        assert db.execute(select(users).where(users.c.sso_subject.is_not(None))).all() == []


def test_a_stopped_account_stays_shut_bound_or_not(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    accounts.set_account_active(seeded, None, manager.id, False)
    with pytest.raises(SignOnRefused):
        accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    other = user(seeded, "klantmanager2")
    accounts.set_account_active(seeded, None, other.id, False)
    with pytest.raises(SignOnRefused):
        accounts.sign_on(seeded, Identity(ISSUER, "def-456", "klantmanager2"))
    assert bound(seeded, "klantmanager2")[1] is None


def test_a_handed_over_password_need_not_be_changed_once_bound(seeded: Store) -> None:
    admin = user(seeded, "admin1")
    details = AccountEdit("Nieuwe collega", "Team Noord", frozenset({Role.CASE_MANAGER}))
    made, password = accounts.create_employee_account(
        seeded, admin, "n.collega@gemeente.nl", details
    )
    assert password is not None and made.must_change_password
    signed_on = accounts.sign_on(seeded, Identity(ISSUER, "n-1", "N.Collega@gemeente.nl"))
    assert signed_on.id == made.id and not signed_on.must_change_password
    assert not user(seeded, "n.collega@gemeente.nl").must_change_password


def test_with_single_sign_on_an_account_is_made_without_a_password(seeded: Store) -> None:
    admin = user(seeded, "admin1")
    details = AccountEdit("Nieuwe collega", None, frozenset({Role.ANALYST}))
    made, password = accounts.create_employee_account(
        seeded, admin, "n.collega", details, password=False
    )
    assert password is None and not made.must_change_password
    assert bound(seeded, "n.collega") == (None, None, None)
    assert accounts.sign_on(seeded, Identity(ISSUER, "n-1", "n.collega")).id == made.id


def test_no_password_is_set_beside_the_link_until_it_is_undone(seeded: Store) -> None:
    admin = user(seeded, "admin1")
    manager = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    accounts.open_session(seeded, manager, accounts.WEB, timedelta(hours=1))
    with pytest.raises(InvalidInput):
        accounts.reset_password(seeded, admin, manager.id)
    with pytest.raises(InvalidInput):
        accounts.set_password(seeded, manager.id, "a long enough password")
    assert bound(seeded, "klantmanager1")[2] is None

    assert accounts.unlink_sign_on(seeded, admin, manager.id) == 1  # its session ended
    assert bound(seeded, "klantmanager1") == (None, None, None)
    assert not user(seeded, "klantmanager1").sso
    kinds = [c.kind for c in accounts.account_file(seeded, admin, manager.id).history]
    assert kinds == [ChangeKind.UNLINKED, ChangeKind.LINKED]
    _, password = accounts.reset_password(seeded, admin, manager.id)
    assert accounts.authenticate(seeded, "klantmanager1", password, "::1", LIMITS).id == manager.id
    assert accounts.unlink_sign_on(seeded, admin, manager.id) == 0  # nothing to undo: no change
    assert len(accounts.account_file(seeded, admin, manager.id).history) == 3


def test_only_an_administrator_undoes_a_link(seeded: Store) -> None:
    manager = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    with pytest.raises(AccessDenied):
        accounts.unlink_sign_on(seeded, user(seeded, "teamleider1"), manager.id)
    assert bound(seeded, "klantmanager1")[1] == "abc-123"


def test_the_privacy_officer_sees_a_link_undone_not_each_first_login(seeded: Store) -> None:
    from datameent.services import supervision

    admin = user(seeded, "admin1")
    manager = accounts.sign_on(seeded, Identity(ISSUER, "abc-123", "klantmanager1"))
    accounts.sign_on(seeded, Identity(ISSUER, "def-456", "klantmanager2"))
    history = accounts.account_file(seeded, admin, manager.id).history
    assert [(c.kind, c.by) for c in history] == [(ChangeKind.LINKED, manager.id)]
    accounts.unlink_sign_on(seeded, admin, manager.id)

    seen = supervision.attention(seeded, user(seeded, "privacy1")).account_changes
    assert [(e.account.username, e.change.kind, e.by) for e in seen] == [
        ("klantmanager1", ChangeKind.UNLINKED, admin)
    ], "an employee's own first login is not a finding; someone undoing their link is"
