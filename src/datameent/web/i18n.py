"""Languages: Dutch (default, B1 level) and English, through Babel.

Message ids in code and templates are English; `locales/nl/LC_MESSAGES/messages.po` holds the
Dutch. The catalog is compiled in memory at start-up, so no compiled `.mo` file is kept in git.
A test fails when a message in a template or page has no Dutch translation.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

from datameent.domain.deadlines import DUTCH_TIME, dutch_day

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
CATALOG = Path(__file__).parent / "locales" / "nl" / "LC_MESSAGES" / "messages.po"

Gettext = Callable[..., str]


def load_translations() -> dict[str, gettext.NullTranslations]:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="nl")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return {"nl": Translations(fp=buffer), "en": gettext.NullTranslations()}


def make_gettext(translations: gettext.NullTranslations) -> Gettext:
    """`_("Hello %(name)s", name=...)`: translate, then fill in the named values."""

    def _(message: str, **values: object) -> str:
        text = translations.gettext(message)
        return text % values if values else text

    return _


def pick_locale(cookie: str | None) -> str:
    return cookie if cookie in LOCALES else DEFAULT_LOCALE


def accept_language_locale(header: str | None) -> str:
    """For the API: English when the client prefers it, otherwise Dutch."""
    if not header:
        return DEFAULT_LOCALE
    first = header.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else DEFAULT_LOCALE


_DUTCH, _BRITISH = Locale.parse("nl_NL"), Locale.parse("en_GB")


class Formats:
    """Dates, times, numbers and money as people in `locale` write them."""

    def __init__(self, locale: str) -> None:
        # Parsed once: Babel parses a locale given by name again at every call (a tenth of
        # a page's rendering, with a date on every row of a file).
        self.locale = _DUTCH if locale == "nl" else _BRITISH

    def date(self, value: date | None) -> str:
        return format_date(value, format="long", locale=self.locale) if value else ""

    def day(self, value: datetime) -> str:
        """The day of a moment, in Amsterdam: "7 december 2026"."""
        return self.date(dutch_day(value))

    def time(self, value: datetime) -> str:
        """The time of day in Amsterdam: "14:05"."""
        return format_datetime(value, format="HH:mm", tzinfo=DUTCH_TIME, locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(
            value, format="d MMMM y, HH:mm", tzinfo=DUTCH_TIME, locale=self.locale
        )

    def money(self, value: str | Decimal) -> str:
        return format_currency(Decimal(value), "EUR", locale=self.locale)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float, places: int) -> str:
        """A number with a fixed count of decimals, as the locale writes it."""
        pattern = "#,##0." + "0" * places if places else "#,##0"
        return format_decimal(round(value, places), format=pattern, locale=self.locale)

    def per100(self, share: float) -> str:
        """A share as "so many of 100", with one decimal: 0.155 -> "15,5" in Dutch."""
        return self.decimal(share * 100, 1)
