"""The BSN (burgerservicenummer), the Dutch citizen service number.

A BSN has nine digits and passes the "11-proef": the digits weighted 9, 8, ..., 2 and -1 sum to a
multiple of 11. It is the most sensitive identifier we hold: it is stored encrypted, found
through a keyed blind index, and shown in full only to the resident it belongs to.
"""

from __future__ import annotations

from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

INVALID_BSN = Text(
    "Dit is geen geldig BSN. Een BSN heeft 9 cijfers en moet de elfproef doorstaan.",
    "This is not a valid BSN. A BSN has 9 digits and must pass the eleven test.",
)


def is_valid_bsn(value: str) -> bool:
    """True when `value` is nine digits that pass the 11-check (and is not all zeros)."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, value, strict=True))
    return total % 11 == 0 and total != 0


def parse_bsn(raw: str, field: str = "bsn") -> str:
    """Normalise a BSN as people type it (spaces, dots, 8 digits) and validate it."""
    digits = raw.strip().replace(" ", "").replace(".", "")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    if not is_valid_bsn(digits):
        raise InvalidInput(Problem(field, INVALID_BSN))
    return digits


def mask_bsn(bsn: str) -> str:
    """The BSN as staff may see it: only the last three digits."""
    return "******" + bsn[-3:]


def check_digit_complete(first_eight: str) -> str | None:
    """The ninth digit that makes `first_eight` a valid BSN, or None when none does.

    Used by the synthetic municipality to make valid numbers.
    """
    partial = sum(w * int(d) for w, d in zip(_WEIGHTS[:8], first_eight, strict=True))
    last = partial % 11
    return str(last) if last <= 9 and partial - last != 0 else None
