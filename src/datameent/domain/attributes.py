"""Attribute definitions: what the vault can hold about a person, and the rules for a value.

Every fact about a resident is an attribute with a definition: its key, labels, type, unit, how
sensitive it is (GDPR art. 9 special categories and art. 10 criminal data are marked), and how
long it may be kept. A value that does not fit its definition is refused before anything is
stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from datameent.domain.deadlines import dutch_day
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

MAX_VALUE_BYTES = 64 * 1024
"""The largest value the vault accepts, measured as UTF-8 JSON."""

JsonValue = str | int | bool | None
"""Values are stored as JSON scalars: decimals and dates travel as strings."""


class ValueType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    ZRM_SCORE = "zrm_score"


class TextFormat(StrEnum):
    """Text with a form of its own: checked when it is recorded, so that a typing error is
    caught where it is made rather than when a letter comes back."""

    POSTCODE = "postcode"
    """A Dutch postcode, stored as ``1234 AB``."""
    PHONE = "phone"
    """A phone number: digits with spaces, dashes, dots or brackets, ``+`` in front."""
    EMAIL = "email"


class Sensitivity(StrEnum):
    """How careful we must be with a value.

    `special` is a special category of GDPR art. 9 (health, for example); `criminal` is data
    about criminal convictions and offences (GDPR art. 10). `financial` is not a legal category,
    but residents named money as what they least want read by "arbitrary" employees.
    """

    ORDINARY = "ordinary"
    FINANCIAL = "financial"
    SPECIAL = "special"
    CRIMINAL = "criminal"


class Category(StrEnum):
    """The groups residents see on *Mijn gegevens*."""

    PERSONAL = "personal"
    HOUSEHOLD = "household"
    INCOME = "income"
    BENEFIT = "benefit"
    WORK = "work"
    ZRM = "zrm"


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text


@dataclass(frozen=True)
class AttributeDefinition:
    """One entry of the attribute catalogue."""

    key: str
    category: Category
    label: Text
    value_type: ValueType
    sensitivity: Sensitivity = Sensitivity.ORDINARY
    retention_years: int = 7
    """Years the value is kept after the last case of the person closed."""
    unit: Text | None = None
    choices: tuple[Choice, ...] = ()
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    max_length: int = 200
    text_format: TextFormat | None = None
    past_only: bool = False
    self_declarable: bool = True
    """Whether a resident may add this attribute themselves (as "self-declared")."""

    def choice_label(self, code: str) -> Text | None:
        return next((c.label for c in self.choices if c.code == code), None)

    def validate(self, value: object) -> JsonValue:
        """The value in its stored form, or `InvalidInput` saying what is wrong with it."""
        _check_size(self.key, value)
        check = _VALIDATORS[self.value_type]
        return check(self, value)

    def parse_text(self, text: str) -> JsonValue:
        """Validate a value typed into a form, where everything arrives as text."""
        text = text.strip()
        if self.value_type in (ValueType.INTEGER, ValueType.ZRM_SCORE):
            if not _is_int_text(text):
                raise _invalid(self.key, _NOT_A_WHOLE_NUMBER)
            return self.validate(int(text))
        if self.value_type is ValueType.BOOLEAN:
            mapping = {"true": True, "ja": True, "yes": True, "false": False, "nee": False}
            if text.lower() not in mapping:
                raise _invalid(self.key, _NOT_YES_NO)
            return self.validate(mapping[text.lower()])
        return self.validate(text)


def _is_int_text(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit() and len(digits) <= 12


def _invalid(key: str, message: Text) -> InvalidInput:
    return InvalidInput(Problem(key, message))


_TOO_LARGE = Text(
    "Deze waarde is te groot (meer dan 64 KiB).", "This value is too large (more than 64 KiB)."
)
_EMPTY = Text("Vul een waarde in.", "Please enter a value.")
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_NOT_TEXT = Text("Dit moet tekst zijn.", "This must be text.")
_NOT_A_WHOLE_NUMBER = Text("Dit moet een heel getal zijn.", "This must be a whole number.")
_NOT_A_NUMBER = Text(
    "Dit moet een bedrag of getal zijn, zoals 1250,50.",
    "This must be an amount or number, such as 1250.50.",
)
_OUT_OF_RANGE = Text("Dit getal is te klein of te groot.", "This number is too small or too large.")
_NOT_A_DATE = Text("Dit moet een datum zijn (jjjj-mm-dd).", "This must be a date (yyyy-mm-dd).")
_IN_FUTURE = Text("Deze datum ligt in de toekomst.", "This date is in the future.")
_NOT_YES_NO = Text("Kies ja of nee.", "Choose yes or no.")
_NOT_A_CHOICE = Text("Kies een van de mogelijkheden.", "Choose one of the options.")
_NOT_A_ZRM_SCORE = Text(
    "Een ZRM-score is een heel getal van 1 tot en met 5.",
    "A ZRM score is a whole number from 1 to 5.",
)


def _check_size(key: str, value: object) -> None:
    try:
        size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    except (TypeError, ValueError) as error:
        raise _invalid(key, _NOT_TEXT) from error
    if size > MAX_VALUE_BYTES:
        raise _invalid(key, _TOO_LARGE)


def _text(d: AttributeDefinition, value: object) -> JsonValue:
    if not isinstance(value, str):
        raise _invalid(d.key, _NOT_TEXT)
    value = value.strip()
    if not value:
        raise _invalid(d.key, _EMPTY)
    if d.text_format is not None:
        check, message = _FORMATS[d.text_format]
        formatted = check(value)
        if formatted is None:
            raise _invalid(d.key, message)
        value = formatted
    if len(value) > d.max_length:
        raise _invalid(d.key, _TOO_LONG)
    return value


UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
"""Letter pairs PostNL never gives a postcode, for their associations with the occupation."""


def _postcode(text: str) -> str | None:
    found = re.fullmatch(r"([1-9][0-9]{3}) ?([A-Za-z]{2})", text)
    if found is None or found[2].upper() in UNUSED_POSTCODE_LETTERS:
        return None
    return f"{found[1]} {found[2].upper()}"


def _phone(text: str) -> str | None:
    digits = re.sub(r"[ ().\-]", "", text)
    return " ".join(text.split()) if re.fullmatch(r"\+?[0-9]{8,15}", digits) else None


def _email(text: str) -> str | None:
    return text if re.fullmatch(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+", text) else None


_FORMATS = {
    TextFormat.POSTCODE: (
        _postcode,
        Text("Vul een postcode in zoals 1234 AB.", "Enter a postcode such as 1234 AB."),
    ),
    TextFormat.PHONE: (
        _phone,
        Text(
            "Vul een telefoonnummer in zoals 06 12345678 of +31 6 12345678.",
            "Enter a phone number such as 06 12345678 or +31 6 12345678.",
        ),
    ),
    TextFormat.EMAIL: (
        _email,
        Text(
            "Vul een e-mailadres in zoals naam@voorbeeld.nl.",
            "Enter an email address such as name@example.nl.",
        ),
    ),
}


def _in_range(d: AttributeDefinition, number: int | Decimal) -> bool:
    return (d.minimum is None or number >= d.minimum) and (d.maximum is None or number <= d.maximum)


def _integer(d: AttributeDefinition, value: object) -> JsonValue:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(d.key, _NOT_A_WHOLE_NUMBER)
    if not _in_range(d, value):
        raise _invalid(d.key, _OUT_OF_RANGE)
    return value


def _decimal(d: AttributeDefinition, value: object) -> JsonValue:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(d.key, _NOT_A_NUMBER)
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise _invalid(d.key, _NOT_A_NUMBER) from error
    if not number.is_finite() or len(text) > 20:
        raise _invalid(d.key, _NOT_A_NUMBER)
    if not _in_range(d, number):
        raise _invalid(d.key, _OUT_OF_RANGE)
    return str(number.quantize(Decimal("0.01")))


def _date(d: AttributeDefinition, value: object) -> JsonValue:
    if not isinstance(value, str):
        raise _invalid(d.key, _NOT_A_DATE)
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError as error:
        raise _invalid(d.key, _NOT_A_DATE) from error
    if parsed.year < 1900 or len(value.strip()) != 10:
        raise _invalid(d.key, _NOT_A_DATE)
    if d.past_only and parsed > dutch_day(datetime.now(UTC)):
        raise _invalid(d.key, _IN_FUTURE)
    return parsed.isoformat()


def _boolean(d: AttributeDefinition, value: object) -> JsonValue:
    if not isinstance(value, bool):
        raise _invalid(d.key, _NOT_YES_NO)
    return value


def _choice(d: AttributeDefinition, value: object) -> JsonValue:
    if not isinstance(value, str) or value not in {c.code for c in d.choices}:
        raise _invalid(d.key, _NOT_A_CHOICE)
    return value


def _zrm_score(d: AttributeDefinition, value: object) -> JsonValue:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise _invalid(d.key, _NOT_A_ZRM_SCORE)
    return value


_VALIDATORS = {
    ValueType.TEXT: _text,
    ValueType.INTEGER: _integer,
    ValueType.DECIMAL: _decimal,
    ValueType.DATE: _date,
    ValueType.BOOLEAN: _boolean,
    ValueType.CHOICE: _choice,
    ValueType.ZRM_SCORE: _zrm_score,
}
