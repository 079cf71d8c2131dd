from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from datameent.domain import catalogue
from datameent.domain.vault import (
    AttributeValue,
    NewValue,
    Provenance,
    Source,
    check_new_value,
    current_values,
    history_by_key,
)
from datameent.errors import InvalidInput


def fields_of(error: InvalidInput) -> set[str]:
    return {p.field for p in error.problems}


def test_residents_declare_for_themselves_only() -> None:
    definition = catalogue.definition("phone")
    new = NewValue("phone", "0612345678", Source.UWV, verified=True)
    with pytest.raises(InvalidInput) as caught:
        check_new_value(definition, new, by_resident=True)
    assert fields_of(caught.value) == {"source", "verified"}


def test_residents_cannot_add_what_only_the_municipality_decides() -> None:
    new = NewValue("benefit_type", "bijstand", Source.SELF_DECLARED)
    with pytest.raises(InvalidInput) as caught:
        check_new_value(catalogue.definition("benefit_type"), new, by_resident=True)
    assert fields_of(caught.value) == {"key"}


def test_staff_may_record_from_any_source_and_verify() -> None:
    new = NewValue("phone", "0612345678", Source.BRP, verified=True)
    assert check_new_value(catalogue.definition("phone"), new, by_resident=False) == "0612345678"


def test_every_problem_is_reported_at_once() -> None:
    new = NewValue("zrm_financien", 9, Source.BRP, date(2026, 5, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput) as caught:
        check_new_value(catalogue.definition("zrm_financien"), new, by_resident=False)
    assert fields_of(caught.value) == {"value", "validTo", "instrumentVersion"}


def test_a_zrm_score_keeps_a_known_instrument_version() -> None:
    d = catalogue.definition("zrm_financien")
    ok = NewValue("zrm_financien", 3, Source.MUNICIPALITY, instrument_version="ZRM 2017")
    assert check_new_value(d, ok, by_resident=False) == 3
    unknown = NewValue("zrm_financien", 3, Source.MUNICIPALITY, instrument_version="ZRM 1999")
    with pytest.raises(InvalidInput):
        check_new_value(d, unknown, by_resident=False)
    elsewhere = NewValue("phone", "06", Source.MUNICIPALITY, instrument_version="ZRM 2017")
    with pytest.raises(InvalidInput):
        check_new_value(catalogue.definition("phone"), elsewhere, by_resident=False)


def test_history_lists_the_current_version_first_then_newest_first() -> None:
    person, t0 = uuid4(), datetime(2026, 1, 1, tzinfo=UTC)

    def version(value: str, days: int, current: bool) -> AttributeValue:
        prov = Provenance(Source.BRP, None, t0 + timedelta(days=days))
        return AttributeValue(uuid4(), person, "street", value, prov, current)

    versions = [version("Oud", 0, False), version("Nieuw", 10, True), version("Midden", 5, False)]
    assert [v.value for v in history_by_key(versions)["street"]] == ["Nieuw", "Midden", "Oud"]
    assert current_values(versions)["street"].value == "Nieuw"
