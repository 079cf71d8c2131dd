"""Text in the two languages datameent speaks."""

from __future__ import annotations

from typing import NamedTuple


class Text(NamedTuple):
    """A short text in Dutch (the default, B1 level) and English."""

    nl: str
    en: str

    def in_(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl
