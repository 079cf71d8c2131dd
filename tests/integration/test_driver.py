"""Statements on the driver (`store.driver`) convert what SQLAlchemy converts, on both databases,
and fail as SQLAlchemy fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError

from datameent.domain.accounts import Role, User
from datameent.store import driver
from datameent.store.tables import break_glass as bg
from datameent.store.tables import log_records, users
from datameent.store.uow import Store

_USERS = select(users.c.id, users.c.username, users.c.created_at).where(
    users.c.id == bindparam("id")
)
_OPEN = select(
    exists()
    .where(bg.c.actor_id == bindparam("actor_id"), bg.c.expires_at > bindparam("at"))
    .label("open")
)
_FIXED = select(users.c.username).where(users.c.username == "driver-test")


def test_a_select_on_the_driver_gives_what_sqlalchemy_gives(store: Store) -> None:
    user = User(uuid4(), "driver-test", "Driver Test", frozenset({Role.CASE_MANAGER}), team="a")
    at = datetime(2026, 11, 22, 12, 30, 15, 123456, tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.accounts.add(user, None, at)
        connection = uow._require_connection()
        expected = connection.execute(_USERS, {"id": user.id}).one()
        found = driver.Select(_USERS).one(connection, {"id": user.id})
        assert tuple(found) == tuple(expected)
        assert found.id == user.id and found.username == "driver-test"
        assert found.created_at == at and found.created_at.tzinfo is not None
        # Booleans come back as booleans, datetimes go in converted, None stays None.
        (none,) = driver.Select(_OPEN).rows(connection, {"actor_id": user.id, "at": at})
        assert none.open is False
        assert driver.Select(_USERS).rows(connection, {"id": uuid4()}) == []
        # Values bound when the statement was built need not be passed again.
        assert driver.Select(_FIXED).rows(connection, {}) == [("driver-test",)]
        uow.commit()


_BY_IDS_AND_NAMES = (
    select(users.c.id, users.c.username, users.c.created_at)
    .where(
        users.c.id.in_(bindparam("ids", expanding=True)),
        users.c.username.in_(bindparam("names", expanding=True)),
        users.c.created_at < bindparam("before"),
    )
    .order_by(users.c.username)
)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_lists_in_a_select_give_what_sqlalchemy_gives(store: Store, count: int) -> None:
    at = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)
    made = [User(uuid4(), f"list-{n}", f"List {n}", frozenset({Role.ANALYST})) for n in range(4)]
    with store.unit_of_work() as uow:
        for user in made:
            uow.accounts.add(user, None, at)
        connection = uow._require_connection()
        params = {
            "ids": [u.id for u in made[:count]] + [uuid4()],
            "names": [u.username for u in made[: max(count - 1, 0)]] + ["nobody"],
            "before": at + timedelta(seconds=1),
        }
        found = driver.Select(_BY_IDS_AND_NAMES).rows(connection, params)
        expected = connection.execute(_BY_IDS_AND_NAMES, params).all()
        assert [tuple(r) for r in found] == [tuple(r) for r in expected]
        assert [r.username for r in found] == [u.username for u in made[: max(count - 1, 0)]]
        # An empty list matches nothing, as SQLAlchemy renders it for each database.
        empty = driver.Select(_BY_IDS_AND_NAMES).rows(connection, {**params, "ids": []})
        assert empty == [] == connection.execute(_BY_IDS_AND_NAMES, {**params, "ids": []}).all()
        uow.commit()


def test_driver_errors_are_sqlalchemy_errors_without_their_parameters(store: Store) -> None:
    # The statement's parameters are left out, as with `hide_parameters`; what the database
    # itself says (PostgreSQL quotes a failing row) stays in the message, which datameent
    # never shows or logs (web/problems.py logs an error's class and frames only).
    with store.unit_of_work() as uow:
        connection = uow._require_connection()
        mark = driver.placeholder(connection.dialect)
        statement = f"INSERT INTO log_records (seq, trace_id) VALUES ({mark}, {mark})"
        with pytest.raises(IntegrityError) as raised:
            driver.execute(connection, statement, (10**9, "trace"))
        assert raised.value.statement == statement
        assert raised.value.params is None  # not kept, so never shown
        if connection.dialect.name == "sqlite":
            assert "trace" not in str(raised.value).replace("trace_id", "")
    with store.unit_of_work(write=False) as uow:
        rows = uow._require_connection().execute(select(log_records.c.seq)).all()
        assert (10**9,) not in rows


def test_rows_come_back_from_a_driver_statement(store: Store) -> None:
    with store.unit_of_work(write=False) as uow:
        connection = uow._require_connection()
        assert driver.execute(connection, "SELECT 1") == [(1,)]
        since = datetime.now(UTC) - timedelta(days=1)
        assert driver.Select(_OPEN).one(connection, {"actor_id": uuid4(), "at": since}) == (False,)
