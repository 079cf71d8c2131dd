import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.domain.bsn import check_digit_complete, is_valid_bsn, mask_bsn, parse_bsn
from datameent.errors import InvalidInput


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999773975"])
def test_known_valid_numbers_pass(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn",
    ["123456789", "000000000", "12345678a", "1234567890", "", "１１１２２２３３３", " 11122233"],
)
def test_invalid_numbers_fail(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


def test_parse_accepts_how_people_type_it() -> None:
    assert parse_bsn(" 1112.22.333 ") == "111222333"
    assert parse_bsn("10000021") == "010000021"


def test_parse_refuses_with_a_field_problem_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bsn("123456789")
    [problem] = caught.value.problems
    assert problem.field == "bsn"
    assert "elfproef" in problem.message.nl and "eleven" in problem.message.en
    assert "123456789" not in problem.message.nl + problem.message.en


eight_digits = st.text(alphabet="0123456789", min_size=8, max_size=8)


@given(eight_digits)
def test_completed_numbers_are_valid(first_eight: str) -> None:
    last = check_digit_complete(first_eight)
    if last is not None:
        assert is_valid_bsn(first_eight + last)


@given(eight_digits, st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_error_is_caught(first_eight: str, position: int, shift: int) -> None:
    last = check_digit_complete(first_eight)
    if last is None:
        return
    bsn = first_eight + last
    changed = bsn[:position] + str((int(bsn[position]) + shift) % 10) + bsn[position + 1 :]
    assert not is_valid_bsn(changed)


def test_mask_shows_only_the_last_three_digits() -> None:
    assert mask_bsn("111222333") == "******333"
