"""The rights domain's pure rules: every kind of request is named in words, and a question
about the log names a line by its index, nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.notifications import RIGHT_LABELS, Kind, Notification
from datameent.domain.rights import (
    RIGHT_KIND_LABELS,
    RightKind,
    RightsRequest,
    RightStatus,
    check_log_index,
)
from datameent.errors import InvalidInput


@pytest.mark.parametrize("kind", list(RightKind))
def test_every_kind_of_request_is_named_on_pages_and_in_messages(kind: RightKind) -> None:
    assert kind in RIGHT_KIND_LABELS
    for locale in ("nl", "en"):
        text = Notification(uuid4(), uuid4(), Kind.RIGHTS_FILED, {"client": "K1", "right": kind})
        said = text.text(locale)
        assert RIGHT_LABELS[kind.value].in_(locale) in said


@given(st.integers(min_value=0, max_value=10**15))
def test_a_line_is_named_by_its_index(index: int) -> None:
    assert check_log_index(str(index)) == index
    assert check_log_index(f" {index}\n") == index


@pytest.mark.parametrize(
    "text", [None, "", " ", "-1", "+3", "1.5", "1e3", "twaalf", "١٢", "9" * 19]
)
def test_anything_else_is_not_a_line(text: str | None) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_log_index(text)
    assert [p.field for p in raised.value.problems] == ["subject"]


def test_only_a_question_about_the_log_has_a_line() -> None:
    def request(kind: RightKind, subject: str | None) -> RightsRequest:
        at = datetime(2026, 12, 7, tzinfo=UTC)
        return RightsRequest(
            uuid4(), uuid4(), kind, subject, None, "Waarom?", None, at, RightStatus.OPEN
        )

    assert request(RightKind.ACCESS_QUESTION, "42").log_index == 42
    assert request(RightKind.QUESTION, "42").log_index is None
    assert request(RightKind.OBJECTION, "re-integratie").log_index is None


def test_a_request_is_late_once_its_month_has_passed_and_only_while_open() -> None:
    filed = datetime(2026, 11, 1, 9, tzinfo=UTC)
    asked = RightsRequest(
        uuid4(),
        uuid4(),
        RightKind.QUESTION,
        "phone",
        None,
        "Waarom?",
        None,
        filed,
        RightStatus.OPEN,
    )
    assert asked.answer_by == filed + timedelta(days=30)
    assert not asked.overdue(asked.answer_by) and asked.overdue(asked.answer_by + timedelta(1))
    done = replace(asked, status=RightStatus.ANSWERED)
    assert not done.overdue(asked.answer_by + timedelta(days=1))
