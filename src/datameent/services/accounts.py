"""Logging in and out, sessions and API tokens, and creating accounts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from datameent.domain.accounts import Role, User, check_new_account
from datameent.domain.policy import AccessRequest, Action
from datameent.errors import Conflict, LoginFailed, TooManyAttempts
from datameent.services.clock import utcnow
from datameent.services.passwords import hash_password, needs_rehash, verify_password
from datameent.store.accounts import AccountRepository
from datameent.store.uow import Store

WEB = "web"
API = "api"
CLIENT_FAILURE_FACTOR = 10
"""A single network address may fail this many times more often than one username."""


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int
    window: timedelta


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(
    store: Store, username: str, password: str, client: str, limits: LoginLimits
) -> User:
    """The user behind a username and password, or `LoginFailed` / `TooManyAttempts`.

    Failed attempts are counted per username and per network address, both stored only as
    keyed hashes. The slow password check runs outside any write transaction.
    """
    username = username.strip().lower()
    now = utcnow()
    user_key, client_key = store.keys.lookup_key(username), store.keys.lookup_key(client)
    with store.unit_of_work(write=False) as uow:
        _check_throttle(uow.accounts, user_key, client_key, now, limits)
        found = uow.accounts.by_username(username)
    user, stored_hash = found if found else (None, None)
    ok = verify_password(stored_hash, password) and user is not None and user.active
    with store.unit_of_work() as uow:
        uow.accounts.record_attempt(user_key, client_key, now, ok)
        if ok and user is not None and stored_hash and needs_rehash(stored_hash):
            uow.accounts.set_password_hash(user.id, hash_password(password))
        uow.commit()
    if not ok or user is None or Role.SYSTEM in user.roles:
        raise LoginFailed()
    return user


def _check_throttle(
    accounts: AccountRepository,
    user_key: str,
    client_key: str,
    now: datetime,
    limits: LoginLimits,
) -> None:
    since = now - limits.window
    for failures, first, allowed in (
        (*accounts.failures_since(since, username_key=user_key), limits.max_failures),
        (
            *accounts.failures_since(since, client_key=client_key),
            limits.max_failures * CLIENT_FAILURE_FACTOR,
        ),
    ):
        if failures >= allowed:
            wait = (first + limits.window - now).total_seconds() if first else 60
            raise TooManyAttempts(max(1, int(wait) + 1))


def open_session(store: Store, user: User, kind: str, lifetime: timedelta) -> str:
    """A new random session token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.unit_of_work() as uow:
        uow.accounts.add_session(_token_hash(token), user.id, kind, now, now + lifetime)
        uow.commit()
    return token


def user_for_token(store: Store, token: str, kind: str) -> User | None:
    with store.unit_of_work(write=False) as uow:
        return uow.accounts.session_user(_token_hash(token), kind, utcnow())


def close_session(store: Store, token: str) -> None:
    with store.unit_of_work() as uow:
        uow.accounts.revoke_session(_token_hash(token), utcnow())
        uow.commit()


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    roles: frozenset[Role]
    password: str | None
    person_id: UUID | None = None
    team: str | None = None


def create_account(store: Store, actor: User | None, new: NewAccount) -> User:
    """Create an account. `actor=None` is the command line on the server itself, trusted like
    the database; over the web only an administrator may do this."""
    username = new.username.strip().lower()
    check_new_account(username, new.password, new.roles, new.person_id)
    user = User(
        uuid4(), username, new.display_name.strip() or username, new.roles, new.person_id, new.team
    )
    password_hash = hash_password(new.password) if new.password is not None else None
    with store.unit_of_work() as uow:
        if actor is not None:
            uow.authorize(AccessRequest(actor, Action.MANAGE_ACCOUNTS))
        if uow.accounts.by_username(username) is not None:
            raise Conflict()
        if new.person_id is not None and uow.persons.get(new.person_id) is None:
            raise Conflict()
        uow.accounts.add(user, password_hash, utcnow())
        uow.commit()
    return user


def system_account(store: Store, username: str, display_name: str) -> User:
    """A service's system account (it never logs in; residents see its name in their log),
    made on first use."""
    with store.unit_of_work() as uow:
        found = uow.accounts.by_username(username)
        if found is not None:
            return found[0]
        user = User(uuid4(), username, display_name, frozenset({Role.SYSTEM}))
        uow.accounts.add(user, None, utcnow())
        uow.commit()
    return user
