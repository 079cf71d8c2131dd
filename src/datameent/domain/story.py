"""My story ("tell it once"): the resident's own account of their situation, in sections.

A resident writes their story once, section by section, and shares each section with a case
(consent: they can stop sharing at any moment). A new case manager reads it instead of asking
again. Sections are versioned like vault values: a change makes a new version, and whoever a
section is shared with is told that it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

MAX_TITLE = 120
MAX_BODY = 8000

SUGGESTED_TITLES: tuple[Text, ...] = (
    Text("Mijn situatie nu", "My situation now"),
    Text("Wat er gebeurd is", "What happened"),
    Text("Mijn gezondheid", "My health"),
    Text("Werk en opleiding", "Work and education"),
    Text("Geld en schulden", "Money and debts"),
    Text("Thuis en gezin", "Home and family"),
    Text("Wat mij helpt", "What helps me"),
)


@dataclass(frozen=True)
class StorySection:
    id: UUID
    """This version."""
    section_id: UUID
    person_id: UUID
    version: int
    title: str
    body: str
    written_at: datetime
    current: bool


@dataclass(frozen=True)
class StoryShare:
    id: UUID
    person_id: UUID
    section_id: UUID
    case_id: UUID
    shared_at: datetime
    revoked_at: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.shared_at <= moment and (self.revoked_at is None or moment < self.revoked_at)


def scope_key(section_id: UUID) -> str:
    """How a story section appears in a permit's scope and in the log's attribute keys."""
    return f"story:{section_id}"


_TITLE = Text("Geef dit deel een titel.", "Give this section a title.")
_BODY = Text("Schrijf iets in dit deel.", "Write something in this section.")
_TITLE_LONG = Text(
    f"De titel mag hoogstens {MAX_TITLE} tekens hebben.",
    f"The title may have at most {MAX_TITLE} characters.",
)
_BODY_LONG = Text(
    f"Dit deel mag hoogstens {MAX_BODY} tekens hebben. Maak er twee delen van.",
    f"This section may have at most {MAX_BODY} characters. Split it in two.",
)


def check_section(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    problems = []
    if not title:
        problems.append(Problem("title", _TITLE))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("title", _TITLE_LONG))
    if not body:
        problems.append(Problem("body", _BODY))
    elif len(body) > MAX_BODY:
        problems.append(Problem("body", _BODY_LONG))
    if problems:
        raise InvalidInput(*problems)
    return title, body
