"""Accounts, their roles, login sessions and the record of login attempts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from datameent.domain.accounts import AccountChange, ChangeKind, Role, User, acting_for
from datameent.store import driver
from datameent.store.tables import (
    account_changes,
    auth_sessions,
    login_attempts,
    user_roles,
    users,
)

# On the driver: the caller's session is looked up on every request, the recorders of the
# values on every vault read.
_USERS_WITH_ROLES = driver.Select(
    select(users, user_roles.c.role)
    .outerjoin(user_roles, user_roles.c.user_id == users.c.id)
    .where(users.c.id.in_(bindparam("ids", expanding=True)))
)
_SESSION_USER = driver.Select(
    select(users, user_roles.c.role, auth_sessions.c.representative, auth_sessions.c.idle_until)
    .join(auth_sessions, auth_sessions.c.user_id == users.c.id)
    .outerjoin(user_roles, user_roles.c.user_id == users.c.id)
    .where(
        auth_sessions.c.token_hash == bindparam("token_hash"),
        auth_sessions.c.kind == bindparam("kind"),
        auth_sessions.c.expires_at > bindparam("now"),
        or_(auth_sessions.c.idle_until.is_(None), auth_sessions.c.idle_until > bindparam("now")),
        auth_sessions.c.revoked_at.is_(None),
    )
)


class AccountRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, user: User, password_hash: str | None, created_at: datetime) -> None:
        self._db.execute(
            users.insert().values(
                id=user.id,
                username=user.username,
                display_name=user.display_name,
                password_hash=password_hash,
                person_id=user.person_id,
                team=user.team,
                active=user.active,
                created_at=created_at,
                must_change_password=user.must_change_password,
            )
        )
        self._db.execute(
            user_roles.insert(), [{"user_id": user.id, "role": r.value} for r in user.roles]
        )

    def add_many(self, rows: Iterable[tuple[User, str | None]], created_at: datetime) -> None:
        """Bulk insert, for seeding a synthetic municipality."""
        pairs = list(rows)
        if not pairs:
            return
        self._db.execute(
            users.insert(),
            [
                {
                    "id": u.id,
                    "username": u.username,
                    "display_name": u.display_name,
                    "password_hash": h,
                    "person_id": u.person_id,
                    "team": u.team,
                    "active": u.active,
                    "created_at": created_at,
                }
                for u, h in pairs
            ],
        )
        self._db.execute(
            user_roles.insert(),
            [{"user_id": u.id, "role": r.value} for u, _ in pairs for r in u.roles],
        )

    def get(self, user_id: UUID) -> User | None:
        row = self._db.execute(select(users).where(users.c.id == user_id)).first()
        return self._to_user(row) if row else None

    def by_username(self, username: str) -> tuple[User, str | None] | None:
        row = self._db.execute(select(users).where(users.c.username == username)).first()
        return (self._to_user(row), row.password_hash) if row else None

    def by_sign_on(self, issuer: str, subject: str) -> User | None:
        """The account bound to `subject` at the identity provider `issuer`."""
        query = select(users).where(users.c.sso_issuer == issuer, users.c.sso_subject == subject)
        row = self._db.execute(query).first()
        return self._to_user(row) if row else None

    def link_sign_on(self, user_id: UUID, issuer: str, subject: str) -> None:
        """Bind the account to `subject` at `issuer`; its password goes (it logs in there)."""
        self._db.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(
                sso_issuer=issuer,
                sso_subject=subject,
                password_hash=None,
                must_change_password=False,
            )
        )

    def unlink_sign_on(self, user_id: UUID) -> None:
        self._db.execute(
            update(users).where(users.c.id == user_id).values(sso_issuer=None, sso_subject=None)
        )

    def of_person(self, person_id: UUID) -> User | None:
        """The resident's own account, if they have one."""
        row = self._db.execute(select(users).where(users.c.person_id == person_id)).first()
        return self._to_user(row) if row else None

    def by_role(self, role: Role, team: str | None = None) -> list[User]:
        query = select(users).join(user_roles).where(user_roles.c.role == role.value)
        if team is not None:
            query = query.where(users.c.team == team)
        return [self._to_user(row) for row in self._db.execute(query.order_by(users.c.username))]

    def many(self, user_ids: Iterable[UUID]) -> dict[UUID, User]:
        """Several users with their roles, in one query."""
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = _USERS_WITH_ROLES.rows(self._db, {"ids": ids})
        roles: dict[UUID, set[Role]] = {}
        first: dict[UUID, Any] = {}
        for row in rows:
            first.setdefault(row.id, row)
            if row.role:
                roles.setdefault(row.id, set()).add(Role(row.role))
        return {i: _user(row, frozenset(roles.get(i, ()))) for i, row in first.items()}

    def set_password_hash(
        self, user_id: UUID, password_hash: str, *, must_change: bool | None = None
    ) -> None:
        """A new hash (the same password rehashed, or a new one); with `must_change`, whether
        its holder must choose another before anything else."""
        values: dict[str, Any] = {"password_hash": password_hash}
        if must_change is not None:
            values["must_change_password"] = must_change
        self._db.execute(update(users).where(users.c.id == user_id).values(**values))

    def without_person(self) -> list[User]:
        """Every account that belongs to no person (residents' do), by username: employees'
        and system connections, a few hundred at most (searched in `domain.accounts.matches`,
        which folds accents as SQLite's `lower()` cannot)."""
        query = select(users).where(users.c.person_id.is_(None))
        rows = self._db.execute(query.order_by(users.c.username)).all()
        roles = self._roles_of([r.id for r in rows]) if rows else {}
        return [_user(r, roles.get(r.id, frozenset())) for r in rows]

    def created_at(self, user_id: UUID) -> datetime | None:
        query = select(users.c.created_at).where(users.c.id == user_id)
        found: datetime | None = self._db.execute(query).scalar_one_or_none()
        return found

    def edit(self, user_id: UUID, display_name: str, team: str | None) -> None:
        self._db.execute(
            update(users).where(users.c.id == user_id).values(display_name=display_name, team=team)
        )

    def set_roles(self, user_id: UUID, roles: frozenset[Role]) -> None:
        self._db.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
        self._db.execute(user_roles.insert(), [{"user_id": user_id, "role": r} for r in roles])

    def set_active(self, user_id: UUID, active: bool) -> None:
        self._db.execute(update(users).where(users.c.id == user_id).values(active=active))

    def add_change(self, user: User, change: ChangeKind, at: datetime, by: UUID | None) -> None:
        """A line in `user`'s history, with the roles and team it has after `change`."""
        self._db.execute(
            account_changes.insert().values(
                user_id=user.id,
                changed_at=at,
                changed_by=by,
                change=change.value,
                roles=",".join(sorted(user.roles)),
                team=user.team,
            )
        )

    def changes(self, user_id: UUID) -> list[AccountChange]:
        """The account's history, newest first."""
        query = (
            select(account_changes)
            .where(account_changes.c.user_id == user_id)
            .order_by(account_changes.c.id.desc())
        )
        return [_change(r) for r in self._db.execute(query)]

    def changes_since(self, since: datetime) -> list[tuple[UUID, AccountChange]]:
        """Every account's changes since `since`, by account, newest first."""
        query = (
            select(account_changes)
            .where(account_changes.c.changed_at >= since)
            .order_by(account_changes.c.id.desc())
        )
        return [(r.user_id, _change(r)) for r in self._db.execute(query)]

    def _roles_of(self, user_ids: list[UUID]) -> dict[UUID, frozenset[Role]]:
        found: dict[UUID, set[Role]] = {}
        query = select(user_roles).where(user_roles.c.user_id.in_(user_ids))
        for row in self._db.execute(query):
            found.setdefault(row.user_id, set()).add(Role(row.role))
        return {k: frozenset(v) for k, v in found.items()}

    def _to_user(self, row: Row[tuple[object, ...]]) -> User:
        user_id = row._mapping["id"]
        return _user(row, self._roles_of([user_id]).get(user_id, frozenset()))

    # Sessions -----------------------------------------------------------------------------

    def add_session(
        self,
        token_hash: str,
        user_id: UUID,
        kind: str,
        at: datetime,
        expires_at: datetime,
        representative: str | None = None,
        idle_until: datetime | None = None,
    ) -> None:
        self._db.execute(
            auth_sessions.insert().values(
                token_hash=token_hash,
                user_id=user_id,
                kind=kind,
                created_at=at,
                expires_at=expires_at,
                idle_until=idle_until,
                representative=representative,
            )
        )

    def session_user(self, token_hash: str, kind: str, now: datetime) -> User | None:
        """The user of a live session, in one query."""
        found = self.live_session(token_hash, kind, now)
        return found[0] if found else None

    def live_session(
        self, token_hash: str, kind: str, now: datetime
    ) -> tuple[User, datetime | None] | None:
        """The user of a live session and when it ends without a request (None: it does not),
        in one query."""
        rows = _SESSION_USER.rows(self._db, {"token_hash": token_hash, "kind": kind, "now": now})
        if not rows:
            return None
        roles = frozenset(Role(r.role) for r in rows if r.role)
        user = _user(rows[0], roles)
        representative = rows[0].representative
        acting = user if representative is None else acting_for(user, representative)
        return acting, rows[0].idle_until

    def keep_alive(self, token_hash: str, idle_until: datetime, now: datetime) -> None:
        """Move on to `idle_until` the moment a live web session ends without a request (not
        back, and not for a session that ended in between)."""
        s = auth_sessions.c
        query = (
            update(auth_sessions)
            .where(
                s.token_hash == token_hash,
                s.revoked_at.is_(None),
                s.expires_at > now,
                s.idle_until > now,
                s.idle_until < idle_until,
            )
            .values(idle_until=idle_until)
        )
        self._db.execute(query)

    def revoke_sessions_of(self, user_id: UUID, at: datetime, *, but: str | None = None) -> int:
        """End every live session and API token of the user now, except the one whose token
        hash is `but`; how many ended."""
        query = update(auth_sessions).where(*_live(user_id, at, but)).values(revoked_at=at)
        return int(self._db.execute(query).rowcount)

    def last_sessions(self, user_ids: Iterable[UUID]) -> dict[UUID, datetime]:
        """When each user last logged in (opened a session or took an API token)."""
        ids = list(set(user_ids))
        if not ids:
            return {}
        query = (
            select(auth_sessions.c.user_id, func.max(auth_sessions.c.created_at))
            .where(auth_sessions.c.user_id.in_(ids))
            .group_by(auth_sessions.c.user_id)
        )
        return {row[0]: row[1] for row in self._db.execute(query).all()}

    def live_sessions(self, user_id: UUID, now: datetime, *, but: str | None = None) -> int:
        """How many sessions and API tokens of the user are live, but the one hashed `but`."""
        query = select(func.count()).where(*_live(user_id, now, but))
        return int(self._db.execute(query).scalar_one())

    def revoke_session(self, token_hash: str, at: datetime) -> None:
        self._db.execute(
            update(auth_sessions)
            .where(auth_sessions.c.token_hash == token_hash)
            .values(revoked_at=at)
        )

    # Login attempts -----------------------------------------------------------------------

    def record_attempt(
        self, username_key: str, client_key: str, at: datetime, succeeded: bool
    ) -> None:
        self._db.execute(
            login_attempts.insert().values(
                username_key=username_key,
                client_key=client_key,
                attempted_at=at,
                succeeded=succeeded,
            )
        )

    def failures_since(
        self, since: datetime, *, username_key: str | None = None, client_key: str | None = None
    ) -> tuple[int, datetime | None]:
        """How many failed attempts since `since`, and when the first of them was."""
        la = login_attempts
        conditions = [la.c.attempted_at >= since, la.c.succeeded.is_(False)]
        if username_key is not None:
            conditions.append(la.c.username_key == username_key)
        if client_key is not None:
            conditions.append(la.c.client_key == client_key)
        row = self._db.execute(
            select(func.count(), func.min(la.c.attempted_at)).where(and_(*conditions))
        ).one()
        return int(row[0]), row[1]


def _live(user_id: UUID, at: datetime, but: str | None) -> list[ColumnElement[bool]]:
    """The user's sessions that are live at `at`, but the one whose token hash is `but`."""
    s = auth_sessions.c
    live = [
        s.user_id == user_id,
        s.revoked_at.is_(None),
        s.expires_at > at,
        or_(s.idle_until.is_(None), s.idle_until > at),
    ]
    return live if but is None else [*live, s.token_hash != but]


def _change(row: Any) -> AccountChange:
    roles = frozenset(Role(r) for r in (row.roles or "").split(",") if r)
    return AccountChange(ChangeKind(row.change), row.changed_at, row.changed_by, roles, row.team)


def _user(row: Any, roles: frozenset[Role]) -> User:
    """A user from a row of `users` (SQLAlchemy's or a driver statement's: both by name)."""
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=roles,
        person_id=row.person_id,
        team=row.team,
        active=row.active,
        must_change_password=row.must_change_password,
        sso=row.sso_subject is not None,
    )
