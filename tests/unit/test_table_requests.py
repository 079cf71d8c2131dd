"""A table request from what someone chose on the statistics page: a filter is typed as the
table shows its categories."""

from __future__ import annotations

import pytest

from datameent.domain.statistics import (
    PUBLIC_CATEGORIES,
    category_code,
    category_label,
    category_labels,
    check_request,
    filter_title,
)
from datameent.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("single", "single"),
        ("Alleenstaand", "single"),
        ("  alleenstaand ", "single"),
        ("Single", "single"),
        ("ALLEENSTAANDE OUDER", "single_parent"),
    ],
)
def test_a_filter_takes_the_category_as_the_table_shows_it(typed: str, code: str) -> None:
    request = check_request("clients", ["age_band"], {"household_type": typed})
    assert request.filters == {"household_type": code}


def test_yes_and_no_are_taken_in_either_language() -> None:
    for typed, code in (("Ja", "true"), ("no", "false"), ("true", "true")):
        assert check_request("clients", [], {"debt_counselling": typed}).filters == {
            "debt_counselling": code
        }


def test_a_category_that_does_not_exist_is_refused_with_the_ones_that_do() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_request("clients", ["age_band"], {"household_type": "alleen"})
    (problem,) = refused.value.problems
    assert problem.field == "filters"
    assert "Kies uit: Alleenstaand, Alleenstaande ouder," in problem.message.nl
    assert "Choose from: Single, Single parent," in problem.message.en


def test_postcode_areas_and_years_have_no_fixed_list_and_are_taken_as_typed() -> None:
    assert category_code("pc4", "9999") == "9999"
    assert check_request("clients", [], {"benefit_start_year": "2024 "}).filters == {
        "benefit_start_year": "2024"
    }


def test_an_empty_filter_is_no_filter() -> None:
    assert check_request("clients", ["age_band"], {"household_type": "  "}).filters == {}


def test_every_category_of_a_fixed_list_is_found_by_its_own_label() -> None:
    for breakdown, codes in PUBLIC_CATEGORIES.items():
        for code in codes:
            for locale in ("nl", "en"):
                assert category_code(breakdown, category_label(breakdown, code, locale)) == code


def test_the_suggested_values_are_the_labels_once_each() -> None:
    labels = category_labels("nl")
    assert "Alleenstaand" in labels and "Vrouw" in labels and "55-66" in labels
    assert len(labels) == len(set(labels))
    assert "single" not in labels


def test_a_filtered_table_says_so_in_its_title() -> None:
    request = check_request("clients", ["age_band"], {"household_type": "single"})
    assert filter_title(request, "nl") == ", alleen met huishouden: Alleenstaand"
    assert filter_title(request, "en") == ", only with household: Single"
    assert filter_title(check_request("clients", ["age_band"]), "nl") == ""
