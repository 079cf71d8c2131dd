"""The driver's shortcuts convert exactly as SQLAlchemy and `json` do (store/driver.py,
store/vault.py): what a vault read returns must not depend on which path read it."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Uuid
from sqlalchemy.dialects import sqlite

from datameent.store.driver import _result_processor
from datameent.store.types import UTCDateTime
from datameent.store.vault import _loads

SQLITE = sqlite.dialect()


def sqlalchemy_round_trip(type_: Any, value: Any) -> tuple[Any, Any]:
    """`value` as SQLite stores it, and as SQLAlchemy's own processors read it back."""
    impl = type_.dialect_impl(SQLITE)
    stored = impl.bind_processor(SQLITE)(value)
    return stored, impl.result_processor(SQLITE, None)(stored)


@given(st.uuids())
def test_uuids_read_as_sqlalchemy_reads_them(value: UUID) -> None:
    stored, expected = sqlalchemy_round_trip(Uuid(), value)
    found = _result_processor(Uuid(), SQLITE)(stored)  # type: ignore[misc]
    assert found == expected == value and type(found) is UUID
    assert str(found) == str(value) and hash(found) == hash(value)


@given(st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)))
def test_utc_datetimes_read_as_sqlalchemy_reads_them(value: datetime) -> None:
    stored, expected = sqlalchemy_round_trip(UTCDateTime(), value)
    found = _result_processor(UTCDateTime(), SQLITE)(stored)  # type: ignore[misc]
    assert found == expected == value and found.tzinfo is UTC


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(JSON)
def test_stored_values_read_as_json_reads_them(value: Any) -> None:
    stored = json.dumps(value).encode()  # as the vault writes them
    assert same(_loads(stored), json.loads(stored))
