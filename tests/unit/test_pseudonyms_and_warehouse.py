"""Keyed pseudonyms per consumer domain, and what the warehouse keeps of a person."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.analytics.pseudonyms import Pseudonymiser
from datameent.domain import warehouse
from datameent.domain.warehouse import Score, age_band, assessments, person_row

KEY = bytes(range(32))


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_a_pseudonym_is_stable_within_a_domain_and_differs_across(a: str, b: str) -> None:
    policy = Pseudonymiser.for_domain(KEY, "beleid")
    council = Pseudonymiser.for_domain(KEY, "clientenraad")
    assert policy.pseudonym("person", a) == Pseudonymiser.for_domain(KEY, "beleid").pseudonym(
        "person", a
    )
    assert policy.pseudonym("person", a) != council.pseudonym("person", a)
    assert (policy.pseudonym("person", a) == policy.pseudonym("person", b)) == (a == b)
    other_key = Pseudonymiser.for_domain(bytes(32), "beleid")
    assert policy.pseudonym("person", a) != other_key.pseudonym("person", a)
    assert len(policy.pseudonym("person", a)) == 32


def test_the_key_never_shows_and_bad_keys_or_domains_are_refused() -> None:
    pseudonyms = Pseudonymiser.for_domain(KEY, "onderzoek")
    assert KEY.hex() not in repr(pseudonyms) and "onderzoek" in repr(pseudonyms)
    with pytest.raises(ValueError):
        Pseudonymiser.for_domain(b"short", "beleid")
    with pytest.raises(ValueError):
        Pseudonymiser.for_domain(KEY, "Beleid; DROP TABLE")


def test_a_person_row_holds_no_direct_identifier_and_only_coarse_quasi_identifiers() -> None:
    values = {
        "given_name": "Anna",
        "name_prefix": "de",
        "family_name": "Vries",
        "street": "Marktstraat",
        "house_number": "12A",
        "postcode": "3701 AB",
        "city": "Meenthaven",
        "phone": "0612345678",
        "email": "anna@example.org",
        "last_occupation": "Kok",
        "birth_date": "1980-11-23",
        "sex": "V",
        "benefit_start": "2024-02-01",
        "monthly_benefit": "1401.49",
        "household_type": "single",
    }
    row = person_row(values, date(2026, 11, 22))
    assert not set(row) & (warehouse.DIRECT_IDENTIFIERS | {"birth_date", "postcode", "city"})
    assert row["birth_year"] == 1980 and row["age_band"] == "45-54"
    assert row["pc4"] == "3701" and row["benefit_start_year"] == 2024
    assert row["benefit_years"] == 2
    assert row["monthly_benefit"] == 1401 and row["household_type"] == "single"
    assert "Anna" not in str(row) and "Marktstraat" not in str(row)


def test_age_bands_cover_every_age() -> None:
    assert [age_band(a) for a in (0, 17, 18, 26, 27, 55, 66, 67, 110)] == [
        "0-17", "0-17", "18-26", "18-26", "27-34", "55-66", "55-66", "67+", "67+",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        age_band(-1)


def test_zrm_scores_are_grouped_into_assessments_by_day_version_and_scorer() -> None:
    day, later = date(2026, 3, 4), date(2026, 9, 5)
    scores = [
        Score("zrm_financien", 2, day, "ZRM 2017", "s1"),
        Score("zrm_justitie", 4, day, "ZRM 2017", "s1"),
        Score("zrm_financien", 3, later, "ZRM 2017", "s1"),
        Score("household_size", 3, later, None, None),  # not a ZRM score: ignored
    ]
    found = assessments(scores)
    assert [a["assessed_month"] for a in found] == ["2026-03", "2026-09"]
    assert found[0]["zrm_financien"] == 2 and found[0]["zrm_justitie"] == 4
    assert "zrm_justitie" not in found[1] and found[1]["scorer"] == "s1"
    assert all(isinstance(a["assessed_month"], str) for a in found)
