"""Logging in, throttling and sessions, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from datameent.domain.accounts import Role
from datameent.errors import Conflict, InvalidInput, LoginFailed, TooManyAttempts
from datameent.services import accounts
from datameent.services.clock import utcnow
from datameent.store.tables import login_attempts, users
from datameent.store.uow import Store

LIMITS = accounts.LoginLimits(max_failures=3, window=timedelta(minutes=15))


def test_a_right_password_logs_in_and_a_wrong_one_does_not(seeded: Store) -> None:
    user = accounts.authenticate(seeded, "inwoner1", "demo", "127.0.0.1", LIMITS)
    assert user.has(Role.RESIDENT)
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "inwoner1", "wrong", "127.0.0.1", LIMITS)
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "nobody", "demo", "127.0.0.1", LIMITS)


def test_repeated_failures_lock_the_username_for_a_while(seeded: Store) -> None:
    for _ in range(3):
        with pytest.raises(LoginFailed):
            accounts.authenticate(seeded, "inwoner2", "wrong", "10.0.0.1", LIMITS)
    with pytest.raises(TooManyAttempts) as caught:
        accounts.authenticate(seeded, "inwoner2", "demo", "10.0.0.2", LIMITS)
    assert 0 < caught.value.retry_after_seconds <= 15 * 60 + 1
    assert accounts.authenticate(seeded, "inwoner3", "demo", "10.0.0.1", LIMITS)


def test_failed_logins_store_no_username_or_address(seeded: Store) -> None:
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "inwoner1-typo-Secret!", "x", "192.0.2.7", LIMITS)
    with seeded.engine.connect() as connection:
        rows = connection.execute(select(login_attempts)).all()
    stored = " ".join(f"{r.username_key} {r.client_key}" for r in rows)
    assert rows and "inwoner1" not in stored and "192.0.2.7" not in stored


def test_passwords_are_stored_with_argon2id(seeded: Store) -> None:
    with seeded.engine.connect() as connection:
        hashes = {r.password_hash for r in connection.execute(select(users)) if r.password_hash}
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_system_connections_cannot_log_in(seeded: Store) -> None:
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "koppeling-brp", "", "127.0.0.1", LIMITS)


def test_sessions_end_at_logout_and_expiry(seeded: Store) -> None:
    user = accounts.authenticate(seeded, "klantmanager1", "demo", "127.0.0.1", LIMITS)
    token = accounts.open_session(seeded, user, accounts.WEB, timedelta(hours=1))
    assert accounts.user_for_token(seeded, token, accounts.WEB) == user
    assert accounts.user_for_token(seeded, token, accounts.API) is None, "kinds do not mix"
    accounts.close_session(seeded, token)
    assert accounts.user_for_token(seeded, token, accounts.WEB) is None
    expired = accounts.open_session(seeded, user, accounts.API, timedelta(seconds=-1))
    assert accounts.user_for_token(seeded, expired, accounts.API) is None


def test_a_browser_session_ends_after_a_while_without_a_request(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A computer left logged in: the session ends `idle` after the last request, while every
    request (at most one write a minute) moves that end on. API tokens have no such limit."""
    user = accounts.authenticate(seeded, "inwoner1", "demo", "127.0.0.1", LIMITS)
    start, idle = utcnow(), timedelta(minutes=15)

    def at(minutes: float) -> None:
        monkeypatch.setattr(accounts, "utcnow", lambda: start + timedelta(minutes=minutes))

    at(0)
    token = accounts.open_session(seeded, user, accounts.WEB, timedelta(hours=12), idle)
    api = accounts.open_session(seeded, user, accounts.API, timedelta(hours=1))
    at(0.5)
    early = accounts.page_session(seeded, token, idle)
    assert early is not None and early.user == user
    assert early.ends_in == timedelta(minutes=14.5) and not early.keep_alive, "no write yet"
    at(10)
    later = accounts.page_session(seeded, token, idle)
    assert later is not None and later.keep_alive
    accounts.keep_session_alive(seeded, token, idle)
    at(24)  # 14 minutes after the last request
    alive = accounts.page_session(seeded, token, idle)
    assert alive is not None and alive.ends_in == timedelta(minutes=1)
    assert accounts.other_sessions(seeded, user, None) == 2
    at(25.5)  # 15.5 minutes after the last request: ended, for every way of asking
    assert accounts.page_session(seeded, token, idle) is None
    assert accounts.user_for_token(seeded, token, accounts.WEB) is None
    assert accounts.other_sessions(seeded, user, None) == 1, "only the API token is live"
    accounts.keep_session_alive(seeded, token, idle)  # a request that raced the end
    assert accounts.page_session(seeded, token, idle) is None, "an ended session stays ended"
    assert accounts.user_for_token(seeded, api, accounts.API) == user


def test_accounts_are_checked_before_they_are_made(store: Store) -> None:
    new = accounts.NewAccount("kees", "Kees", frozenset({Role.CASE_MANAGER}), "long enough pw!")
    made = accounts.create_account(store, None, new)
    assert accounts.authenticate(store, "KEES", "long enough pw!", "::1", LIMITS).id == made.id
    with pytest.raises(Conflict):
        accounts.create_account(store, None, new)
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(
            store, None, accounts.NewAccount("X", "", frozenset({Role.RESIDENT}), "short")
        )
    assert {p.field for p in caught.value.problems} == {"username", "password", "person"}
