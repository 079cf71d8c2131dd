import json

import pytest

from datameent.domain import catalogue
from datameent.domain.attributes import MAX_VALUE_BYTES
from datameent.errors import InvalidInput


def check(key: str, value: object) -> object:
    return catalogue.definition(key).validate(value)


def refused(key: str, value: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check(key, value)
    return caught.value


@pytest.mark.parametrize("score", [1, 3, 5])
def test_zrm_scores_from_one_to_five_are_accepted(score: int) -> None:
    assert check("zrm_financien", score) == score


@pytest.mark.parametrize("score", [0, 6, 7, 2.5, "3", True, None])
def test_zrm_scores_outside_one_to_five_or_not_whole_are_refused(score: object) -> None:
    error = refused("zrm_financien", score)
    assert "1 tot en met 5" in error.problems[0].message.nl


def test_all_thirteen_zrm_domains_are_in_the_catalogue() -> None:
    zrm_keys = [d.key for d in catalogue.DEFINITIONS if d.category == "zrm"]
    assert len(zrm_keys) == 13
    assert catalogue.definition("zrm_geestelijke_gezondheid").sensitivity == "special"
    assert catalogue.definition("zrm_justitie").sensitivity == "criminal"


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        catalogue.definition("shoe_size")
    assert caught.value.problems[0].field == "key"


def test_money_is_stored_as_a_two_decimal_string() -> None:
    assert check("net_monthly_income", "1401,5") == "1401.50"
    assert check("net_monthly_income", 1401) == "1401.00"
    refused("net_monthly_income", "-5")
    refused("net_monthly_income", "lots")
    refused("net_monthly_income", "NaN")
    refused("net_monthly_income", True)


def test_integers_respect_their_range() -> None:
    assert check("children_count", 0) == 0
    refused("children_count", -1)
    refused("children_count", 21)
    refused("children_count", 1.5)
    refused("children_count", False)


def test_dates_must_be_iso_and_birth_dates_in_the_past() -> None:
    assert check("birth_date", "1980-02-29") == "1980-02-29"
    refused("birth_date", "29-02-1980")
    refused("birth_date", "1981-02-29")
    refused("birth_date", "2999-01-01")
    refused("birth_date", 19800229)


def test_choices_only_from_the_list() -> None:
    assert check("household_type", "single") == "single"
    refused("household_type", "commune")


def test_text_is_trimmed_and_not_empty() -> None:
    assert check("given_name", "  Fatima ") == "Fatima"
    refused("given_name", "   ")
    refused("given_name", 12)
    refused("given_name", "x" * 101)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("postcode", "1234AB", "1234 AB"),
        ("postcode", " 1234 ab ", "1234 AB"),
        ("phone", "0612345678", "0612345678"),
        ("phone", "+31 (0)6  1234-5678", "+31 (0)6 1234-5678"),
        ("phone", "0031 6 12345678", "0031 6 12345678"),
        ("email", "naam@voorbeeld.nl", "naam@voorbeeld.nl"),
        ("email", " a.b+c@gemeente.example.nl ", "a.b+c@gemeente.example.nl"),
    ],
)
def test_postcodes_phone_numbers_and_email_addresses_are_checked(
    key: str, typed: str, stored: str
) -> None:
    assert check(key, typed) == stored


@pytest.mark.parametrize(
    ("key", "typed", "example"),
    [
        ("postcode", "0123 AB", "1234 AB"),
        ("postcode", "1234 A1", "1234 AB"),
        ("postcode", "1234  AB", "1234 AB"),
        ("postcode", "12345", "1234 AB"),
        ("postcode", "1234 SS", "1234 AB"),  # never given (nor SA, SD)
        ("postcode", "1234sd", "1234 AB"),
        ("phone", "06", "06 12345678"),
        ("phone", "06-1234567x", "06 12345678"),
        ("phone", "++31612345678", "06 12345678"),
        ("phone", "0612345678901234567", "06 12345678"),
        ("email", "naam@voorbeeld", "naam@voorbeeld.nl"),
        ("email", "naam voorbeeld@gemeente.nl", "naam@voorbeeld.nl"),
        ("email", "@gemeente.nl", "naam@voorbeeld.nl"),
        ("email", "a@b@gemeente.nl", "naam@voorbeeld.nl"),
    ],
)
def test_a_typing_error_in_a_postcode_phone_number_or_email_address_is_refused_with_an_example(
    key: str, typed: str, example: str
) -> None:
    message = refused(key, typed).problems[0].message
    english = {"naam@voorbeeld.nl": "name@example.nl"}.get(example, example)
    assert example in message.nl and english in message.en


def test_values_larger_than_64_kib_are_refused_with_a_clear_message() -> None:
    huge = "x" * (MAX_VALUE_BYTES + 1)
    assert len(json.dumps(huge)) > MAX_VALUE_BYTES
    error = refused("last_occupation", huge)
    assert "64 KiB" in error.problems[0].message.nl


def test_form_text_is_parsed_by_type() -> None:
    assert catalogue.definition("zrm_werk_opleiding").parse_text(" 4 ") == 4
    assert catalogue.definition("driving_licence").parse_text("ja") is True
    with pytest.raises(InvalidInput):
        catalogue.definition("zrm_werk_opleiding").parse_text("vier")
    with pytest.raises(InvalidInput):
        catalogue.definition("driving_licence").parse_text("misschien")


def test_every_definition_has_labels_in_both_languages_and_a_retention() -> None:
    for d in catalogue.DEFINITIONS:
        assert d.label.nl and d.label.en, d.key
        assert d.retention_years > 0
        for choice in d.choices:
            assert choice.label.nl and choice.label.en
