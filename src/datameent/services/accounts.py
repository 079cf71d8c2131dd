"""Logging in and out, sessions and API tokens, and administering accounts.

Employees' accounts are kept by an administrator (or the operator, on the command line): their
name, team and roles, and stopping an account when someone leaves, which ends every session and
API token at once. Every change is kept in the account's history with who made it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from datameent.domain.accounts import (
    AccountChange,
    AccountEdit,
    ChangeKind,
    Role,
    User,
    acting_for,
    check_deactivation,
    check_edit,
    check_may_have_password,
    check_new_account,
    check_new_employee,
    check_new_password,
    check_sign_on,
    is_administered,
    matches,
    refuse_representative,
    tidy,
)
from datameent.domain.digid import (
    ACCOUNT_STOPPED,
    UNKNOWN_RESIDENT,
    Level,
    check_level,
    resident_account,
)
from datameent.domain.policy import AccessRequest, Action, allows
from datameent.domain.text import Text
from datameent.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    LoginFailed,
    NotFound,
    PasswordChangeRequired,
    Problem,
    SignOnRefused,
    TooManyAttempts,
)
from datameent.services.clock import utcnow
from datameent.services.passwords import (
    hash_password,
    needs_rehash,
    temporary_password,
    verify_password,
)
from datameent.services.sign_on import DigidLogin, Identity, LogoutNotice
from datameent.store.accounts import AccountRepository
from datameent.store.uow import Store, UnitOfWork

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


def open_session(
    store: Store, user: User, kind: str, lifetime: timedelta, idle: timedelta | None = None
) -> str:
    """A new random session token; only its hash is stored. It lasts `lifetime`, and with
    `idle` (browser sessions) ends sooner when no request comes for that long. No API token for
    an account whose password someone else gave: its holder replaces it on the web first."""
    if kind == API and user.must_change_password:
        raise PasswordChangeRequired()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.unit_of_work() as uow:
        uow.accounts.add_session(
            _token_hash(token),
            user.id,
            kind,
            now,
            now + lifetime,
            user.representative,
            now + idle if idle is not None else None,
        )
        uow.commit()
    return token


KEEP_ALIVE_AFTER = timedelta(minutes=1)
"""A request moves on the end of an idle browser session at most this often (a write), so
that a page of many requests writes once."""


@dataclass(frozen=True)
class PageSession:
    user: User
    ends_in: timedelta | None
    """How long the session lasts without another request; None: no idle limit."""
    keep_alive: bool
    """Whether this request should move that moment on (`keep_session_alive`)."""


def page_session(store: Store, token: str, idle: timedelta) -> PageSession | None:
    """The browser session of `token`, if it is live (its user's account too): see
    `user_for_token`. A session ends after `idle` without a request, in steps of
    `KEEP_ALIVE_AFTER`."""
    now = utcnow()
    with store.unit_of_work(write=False) as uow:
        found = uow.accounts.live_session(_token_hash(token), WEB, now)
    if found is None or not found[0].active:
        return None
    user, idle_until = found
    if idle_until is None:
        return PageSession(user, None, keep_alive=False)
    left = idle_until - now
    return PageSession(user, left, keep_alive=left < idle - KEEP_ALIVE_AFTER)


def keep_session_alive(store: Store, token: str, idle: timedelta) -> None:
    """A request came in the browser session of `token`: it now ends `idle` from now."""
    now = utcnow()
    with store.unit_of_work() as uow:
        uow.accounts.keep_alive(_token_hash(token), now + idle, now)
        uow.commit()


def user_for_token(store: Store, token: str, kind: str) -> User | None:
    """The user of a live session; None for a stopped account (whose sessions were ended when
    it was stopped: this holds even if one was opened in the same moment)."""
    with store.unit_of_work(write=False) as uow:
        user = uow.accounts.session_user(_token_hash(token), kind, utcnow())
    return user if user is not None and user.active else None


def other_sessions(store: Store, user: User, token: str | None) -> int:
    """How many sessions and API tokens of `user` are live besides the one of `token`."""
    with store.unit_of_work(write=False) as uow:
        return uow.accounts.live_sessions(
            user.id, utcnow(), but=_token_hash(token) if token else None
        )


def end_other_sessions(store: Store, user: User, token: str | None) -> int:
    """Log `user` out everywhere but here (the session of `token`): a phone that was lost, a
    library computer left logged in. Returns how many sessions ended. Not for someone acting
    for a resident: those sessions are the resident's."""
    refuse_representative(user)
    with store.unit_of_work() as uow:
        ended = uow.accounts.revoke_sessions_of(
            user.id, utcnow(), but=_token_hash(token) if token else None
        )
        uow.commit()
    return ended


def sign_on(store: Store, identity: Identity) -> User:
    """The account of someone the municipality's identity provider vouched for: the one bound
    to them, or else the employee's account with the username the provider gave, which is
    bound to them now (its password goes, and the history says so). `SignOnRefused`, saying
    why, if there is none they may use."""
    with store.unit_of_work() as uow:
        user = uow.accounts.by_sign_on(identity.issuer, identity.subject)
        if user is not None:
            return check_sign_on(user, linking=False)
        username = (identity.username or "").strip().lower()
        found = uow.accounts.by_username(username) if username else None
        user = check_sign_on(found[0] if found else None, linking=True)
        uow.accounts.link_sign_on(user.id, identity.issuer, identity.subject)
        user = replace(user, sso=True, must_change_password=False)
        uow.accounts.add_change(user, ChangeKind.LINKED, utcnow(), user.id)  # by logging in
        uow.commit()
    return user


def sign_on_resident(store: Store, login: DigidLogin, minimum: Level) -> User:
    """The account of a resident DigiD vouched for, found by their BSN: made at their first
    login, and bound to DigiD from then on (a password they had goes: DigiD is the stronger
    door to the same file). The login is logged in the resident's own processing log, so that
    they see when somebody logged in as them. `SignOnRefused`, saying why and what to do: a
    level below `minimum` (before anything is looked up), no file, a stopped account.

    With DigiD Machtigen (`login.acting_bsn`), someone the resident authorised logs in for
    them: the account is theirs as above, but the user returned acts as that representative
    (`User.representative`, a keyed pseudonym of their BSN), so that this login and everything
    done in the session are logged as the representative's; the resident's own way of logging
    in (a password) is left as it is."""
    check_level(login.level, minimum)
    representative = (
        store.keys.lookup_key(f"digid-machtigen:{login.acting_bsn}") if login.acting_bsn else None
    )
    with store.unit_of_work() as uow:
        person_id = uow.persons.id_by_bsn(login.bsn)
        if person_id is None:
            raise SignOnRefused(UNKNOWN_RESIDENT)
        user = uow.accounts.of_person(person_id)
        now = utcnow()
        subject = f"person:{person_id}"
        made = user is None
        if user is None:
            person = uow.persons.get(person_id)
            assert person is not None  # found by the BSN just now
            user = resident_account(person_id, person.client_number)
            if representative is not None:  # bound at the resident's own first DigiD login
                user = replace(user, sso=False)
            if uow.accounts.by_username(user.username) is not None:  # taken by hand: unlikely
                user = replace(user, username=f"{user.username}-{secrets.token_hex(3)}")
            uow.accounts.add(user, None, now)
            uow.accounts.add_change(user, ChangeKind.CREATED, now, user.id)
        if representative is not None:
            acting = acting_for(user, representative)
        else:
            acting = replace(user, sso=True, must_change_password=False)  # no password to change
        try:
            permit = uow.authorize(AccessRequest(acting, Action.LOG_IN, person_id))
        except AccessDenied:  # a stopped account: the attempt is in their log
            raise SignOnRefused(ACCOUNT_STOPPED) from None
        # It found the file; a first login names the new account by the client number.
        uow.log.touch(permit, person_id, {"bsn", "client_number"} if made else {"bsn"})
        if representative is None:
            if not user.sso:
                uow.accounts.add_change(acting, ChangeKind.LINKED, now, user.id)
            uow.accounts.link_sign_on(user.id, login.issuer, subject)
        uow.commit()
    return acting


def unlink_sign_on(store: Store, actor: User | None, user_id: UUID) -> int:
    """An administrator undoes an employee's link to the identity provider (they have a new
    account there, or it was linked to the wrong one): every session of theirs ends, and the
    next login through the provider links again, by username. Returns how many ended. The
    operator (`actor` None) may undo a resident's link to DigiD too, so that they can be given
    a password (their next DigiD login binds them again)."""
    now = utcnow()
    with store.unit_of_work() as uow:
        _authorize_admin(uow, actor)
        user = _employee(uow, user_id) if actor is not None else uow.accounts.get(user_id)
        if user is None:
            raise NotFound()
        ended = 0
        if user.sso:
            uow.accounts.unlink_sign_on(user_id)
            ended = uow.accounts.revoke_sessions_of(user_id, now)
            uow.accounts.add_change(replace(user, sso=False), ChangeKind.UNLINKED, now, _id(actor))
        uow.commit()
    return ended


def end_sessions_at_provider(store: Store, notice: LogoutNotice) -> int:
    """The municipality's identity provider says that someone logged out there, or that their
    account there ended (back-channel logout): every session and API token of the account bound
    to them ends now, not when it would expire. Returns how many; 0 for someone unknown."""
    now = utcnow()
    with store.unit_of_work() as uow:
        user = uow.accounts.by_sign_on(notice.issuer, notice.subject)
        ended = uow.accounts.revoke_sessions_of(user.id, now) if user is not None else 0
        uow.commit()
    return ended


def close_session(store: Store, token: str) -> None:
    with store.unit_of_work() as uow:
        uow.accounts.revoke_session(_token_hash(token), utcnow())
        uow.commit()


_WRONG_PASSWORD = Text("Uw huidige wachtwoord klopt niet.", "Your current password is not right.")
_SAME_PASSWORD = Text(
    "Kies een ander wachtwoord dan uw huidige.", "Choose a password other than your current one."
)


def change_password(
    store: Store,
    user: User,
    current: str,
    new: str,
    repeated: str,
    client: str,
    limits: LoginLimits,
    session: str | None,
) -> int:
    """`user` chooses a new password, giving their current one (checked and throttled as a
    login is). Every other session and API token of theirs ends: whoever had learned the old
    password is out; `session` (the token they use now) goes on. Returns how many ended.
    Not for someone acting for a resident (DigiD Machtigen): the password is the resident's."""
    refuse_representative(user)
    check_new_password(user.username, new, repeated)
    if new == current:
        raise InvalidInput(Problem("new_password", _SAME_PASSWORD))
    try:
        authenticate(store, user.username, current, client, limits)
    except LoginFailed:
        raise InvalidInput(Problem("current_password", _WRONG_PASSWORD)) from None
    _, ended = _set_password(store, None, user.id, new, by=user.id, keep=session, must_change=False)
    return ended


def set_password(store: Store, user_id: UUID, new: str, *, temporary: bool = False) -> int:
    """The operator on the server sets someone's password (they forgot it); every session and
    API token of theirs ends. `temporary`: they must choose their own at their next login.
    Returns how many sessions ended."""
    with store.unit_of_work(write=False) as uow:
        user = uow.accounts.get(user_id)
    if user is None or Role.SYSTEM in user.roles:
        raise NotFound()
    check_new_password(user.username, new, new)
    _, ended = _set_password(store, None, user_id, new, by=None, keep=None, must_change=temporary)
    return ended


def reset_password(store: Store, actor: User, user_id: UUID) -> tuple[User, str]:
    """An administrator gives an employee who forgot their password a temporary one, to hand
    over: every session of theirs ends, and they choose their own at their next login. Returns
    the employee and the temporary password (shown once, never stored in plain text)."""
    password = temporary_password()
    employee, _ = _set_password(
        store, actor, user_id, password, by=actor.id, keep=None, must_change=True
    )
    return employee, password


def _set_password(
    store: Store,
    actor: User | None,
    user_id: UUID,
    new: str,
    *,
    by: UUID | None,
    keep: str | None,
    must_change: bool,
) -> tuple[User, int]:
    """Store `new` for `user_id`, end their sessions but `keep`, and note it in their history
    as done `by` someone (None: the operator). An `actor` (an administrator) is asked in the
    same transaction, and reaches employees' accounts only. The slow hash is made before.
    Returns the account and how many sessions ended."""
    password_hash = hash_password(new)
    now = utcnow()
    with store.unit_of_work() as uow:
        if actor is not None:
            _authorize_admin(uow, actor)
            user = _employee(uow, user_id)
        else:
            found = uow.accounts.get(user_id)
            if found is None:
                raise NotFound()
            user = found
        check_may_have_password(user)
        uow.accounts.set_password_hash(user_id, password_hash, must_change=must_change)
        ended = uow.accounts.revoke_sessions_of(
            user_id, now, but=_token_hash(keep) if keep else None
        )
        uow.accounts.add_change(user, ChangeKind.PASSWORD, now, by)
        uow.commit()
    return replace(user, must_change_password=must_change), ended


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    roles: frozenset[Role]
    password: str | None
    person_id: UUID | None = None
    team: str | None = None
    temporary: bool = False
    """The password is handed over: its holder must choose their own at their first login."""


def create_account(store: Store, actor: User | None, new: NewAccount) -> User:
    """Create an account. `actor=None` is the command line on the server itself, trusted like
    the database; over the web only an administrator may do this, for employees."""
    username = new.username.strip().lower()
    details = AccountEdit(new.display_name, new.team, new.roles)
    if actor is not None:  # an administrator makes employees' accounts: their rules first
        details = check_new_employee(username, details)
    check_new_account(username, new.password, new.roles, new.person_id)
    user = User(
        uuid4(),
        username,
        tidy(details.display_name) or username,
        new.roles,
        new.person_id,
        tidy(details.team),
        must_change_password=new.temporary and new.password is not None,
    )
    password_hash = hash_password(new.password) if new.password is not None else None
    with store.unit_of_work() as uow:
        if actor is not None:
            uow.authorize(AccessRequest(actor, Action.MANAGE_ACCOUNTS))
        if uow.accounts.by_username(username) is not None:
            raise Conflict()
        if new.person_id is not None and uow.persons.get(new.person_id) is None:
            raise Conflict()
        now = utcnow()
        uow.accounts.add(user, password_hash, now)
        uow.accounts.add_change(user, ChangeKind.CREATED, now, _id(actor))
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


@dataclass(frozen=True)
class EmployeeAccount:
    user: User
    last_login: datetime | None
    """When they last logged in or took an API token; None: never."""


def employee_accounts(store: Store, actor: User | None, search: str = "") -> list[EmployeeAccount]:
    """Employees' accounts for their administrator (residents' and system connections are not
    listed), optionally those whose username or name contains `search`."""
    with store.unit_of_work() as uow:
        _authorize_admin(uow, actor)
        found = [
            u for u in uow.accounts.without_person() if is_administered(u) and matches(u, search)
        ]
        last = uow.accounts.last_sessions(u.id for u in found)
        uow.commit()
    return [EmployeeAccount(u, last.get(u.id)) for u in found]


@dataclass(frozen=True)
class AccountFile:
    """One employee's account as its administrator sees it."""

    user: User
    created_at: datetime | None
    last_login: datetime | None
    live_sessions: int
    open_cases: int
    """Clients assigned to them now: a team lead hands these over when the account stops."""
    history: list[AccountChange]
    names: dict[UUID, str]
    """Who made the changes in `history`, by id."""


def account_file(store: Store, actor: User | None, user_id: UUID) -> AccountFile:
    now = utcnow()
    with store.unit_of_work() as uow:
        _authorize_admin(uow, actor)
        user = _employee(uow, user_id)
        history = uow.accounts.changes(user_id)
        names = uow.accounts.many(c.by for c in history if c.by is not None)
        result = AccountFile(
            user,
            uow.accounts.created_at(user_id),
            uow.accounts.last_sessions([user_id]).get(user_id),
            uow.accounts.live_sessions(user_id, now),
            len(uow.caseloads.active_for(user_id, now)),
            history,
            {i: u.display_name for i, u in names.items()},
        )
        uow.commit()
    return result


def edit_account(store: Store, actor: User | None, user_id: UUID, edit: AccountEdit) -> User:
    """Set an employee's name, team and roles. A change of roles takes effect at their next
    request: the policy reads the account's roles each time."""
    with store.unit_of_work() as uow:
        _authorize_admin(uow, actor)
        user = _employee(uow, user_id)
        edit = check_edit(_id(actor), user, edit)
        changed = replace(user, display_name=edit.display_name, team=edit.team, roles=edit.roles)
        if changed != user:
            uow.accounts.edit(user_id, changed.display_name, changed.team)
            if changed.roles != user.roles:
                uow.accounts.set_roles(user_id, changed.roles)
            uow.accounts.add_change(changed, ChangeKind.CHANGED, utcnow(), _id(actor))
        uow.commit()
    return changed


def set_account_active(store: Store, actor: User | None, user_id: UUID, active: bool) -> int:
    """Stop an employee's account (`active` False): they can no longer log in, and every session
    and API token they hold ends now; or let it work again. Returns how many sessions ended."""
    now = utcnow()
    ended = 0
    with store.unit_of_work() as uow:
        _authorize_admin(uow, actor)
        user = _employee(uow, user_id)
        if not active:
            check_deactivation(_id(actor), user)
        if user.active != active:
            uow.accounts.set_active(user_id, active)
            if not active:
                ended = uow.accounts.revoke_sessions_of(user_id, now)
            kind = ChangeKind.REACTIVATED if active else ChangeKind.DEACTIVATED
            uow.accounts.add_change(user, kind, now, _id(actor))
        uow.commit()
    return ended


def create_employee_account(
    store: Store, actor: User, username: str, details: AccountEdit, *, password: bool = True
) -> tuple[User, str | None]:
    """An administrator makes an employee's account with a temporary password to hand over
    (returned, shown once); the employee chooses their own at their first login. Without
    `password` (single sign-on is set up) the employee logs in through the municipality's
    identity provider, with the same username as there."""
    given = temporary_password() if password else None
    new = NewAccount(username, details.display_name, details.roles, given, None, details.team, True)
    return create_account(store, actor, new), given


def ensure_may_administer(actor: User) -> None:
    """`AccessDenied` unless `actor` may administer accounts: for offering the form to make
    one (no personal data involved; making it asks the policy again, logged)."""
    if not allows(actor, Action.MANAGE_ACCOUNTS):
        raise AccessDenied(("no rule allows accounts.manage",))


def _authorize_admin(uow: UnitOfWork, actor: User | None) -> None:
    """`actor` None is the command line on the server itself, trusted like the database."""
    if actor is not None:
        uow.authorize(AccessRequest(actor, Action.MANAGE_ACCOUNTS))


def _employee(uow: UnitOfWork, user_id: UUID) -> User:
    user = uow.accounts.get(user_id)
    if user is None or not is_administered(user):
        raise NotFound()
    return user


def _id(actor: User | None) -> UUID | None:
    return actor.id if actor else None
