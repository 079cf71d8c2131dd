"""Turning vault contents into what a page shows: labels, formatted values, provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from markupsafe import Markup

from datameent.domain import catalogue, zrm
from datameent.domain.accounts import ROLE_LABELS, Role, User
from datameent.domain.attributes import (
    AttributeDefinition,
    Category,
    JsonValue,
    TextFormat,
    ValueType,
)
from datameent.domain.vault import CATEGORY_LABELS, SOURCE_LABELS, AttributeValue, history_by_key
from datameent.services.vault import VaultView
from datameent.web.i18n import Formats


@dataclass
class ValueRow:
    key: str
    label: str
    value: str
    source: str
    recorded_by: str
    recorded_at: datetime
    valid_from: date | None
    valid_to: date | None
    verified: bool
    instrument_version: str | None
    special: bool
    earlier: list[ValueRow] = field(default_factory=list)
    used_in: list[date] = field(default_factory=list)
    """The days decisions that rested on this version were made known."""


@dataclass
class Group:
    category: Category
    label: str
    rows: list[ValueRow]


def format_value(definition: AttributeDefinition | None, value: JsonValue, locale: str) -> str:
    fmt = Formats(locale)
    if definition is None or value is None:
        return "—" if value is None else str(value)
    kind = definition.value_type
    if kind is ValueType.BOOLEAN:
        return (
            {True: "Ja", False: "Nee"}[bool(value)]
            if locale == "nl"
            else ("Yes" if value else "No")
        )
    if kind is ValueType.CHOICE:
        label = definition.choice_label(str(value))
        return label.in_(locale) if label else str(value)
    if kind is ValueType.ZRM_SCORE and isinstance(value, int):
        return f"{value} – {zrm.SCORE_LABELS[value].in_(locale)}"
    if kind is ValueType.DATE:
        return fmt.date(date.fromisoformat(str(value)))
    if kind is ValueType.DECIMAL and definition.unit and definition.unit.en.startswith("euro"):
        return fmt.money(str(value))
    text = str(value)
    return f"{text} {definition.unit.in_(locale)}" if definition.unit else text


_KEYBOARDS = {
    ValueType.INTEGER: ' inputmode="decimal"',
    ValueType.DECIMAL: ' inputmode="decimal"',
    TextFormat.PHONE: ' inputmode="tel"',
    TextFormat.EMAIL: ' inputmode="email"',
    TextFormat.POSTCODE: ' autocapitalize="characters"',
}


def input_hints(definition: AttributeDefinition | None) -> Markup:
    """The attributes that give a value's text field the right keyboard on a phone."""
    if definition is None:
        return Markup("")
    hint = _KEYBOARDS.get(definition.text_format or definition.value_type, "")
    return Markup(hint)  # fixed strings of this module, nothing a user typed


def recorder_name(user: User | None, locale: str) -> str:
    if user is None:
        return "—"
    role = next(iter(sorted(user.roles)), None)
    if role is Role.SYSTEM or role is None:
        return user.display_name
    return f"{user.display_name} ({ROLE_LABELS[role].in_(locale)})"


def _row(
    value: AttributeValue,
    recorders: dict[UUID, User],
    locale: str,
    used_in: dict[UUID, list[date]] | None = None,
) -> ValueRow:
    definition = catalogue.BY_KEY.get(value.key)
    p = value.provenance
    return ValueRow(
        key=value.key,
        label=definition.label.in_(locale) if definition else value.key,
        value=format_value(definition, value.value, locale),
        source=SOURCE_LABELS[p.source].in_(locale),
        recorded_by=recorder_name(recorders.get(p.recorded_by) if p.recorded_by else None, locale),
        recorded_at=p.recorded_at,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        verified=p.verified,
        instrument_version=p.instrument_version,
        special=bool(definition and definition.sensitivity.value in ("special", "criminal")),
        used_in=(used_in or {}).get(value.id, []),
    )


def vault_groups(view: VaultView, locale: str) -> list[Group]:
    """The vault in catalogue order, grouped as residents see it, each with its history."""
    versions = history_by_key(view.versions)
    groups = []
    for category in Category:
        rows = []
        for definition in catalogue.DEFINITIONS:
            if definition.category is not category or definition.key not in versions:
                continue
            [latest, *earlier] = versions[definition.key]
            row = _row(latest, view.recorders, locale, view.used_in)
            row.earlier = [_row(v, view.recorders, locale, view.used_in) for v in earlier]
            rows.append(row)
        if rows:
            groups.append(Group(category, CATEGORY_LABELS[category].in_(locale), rows))
    return groups


def form_choices(*, residents_only: bool, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The keys someone may record, grouped for an `<optgroup>` per category."""
    grouped = []
    for category in Category:
        options = [
            (d.key, d.label.in_(locale))
            for d in catalogue.DEFINITIONS
            if d.category is category and (d.self_declarable or not residents_only)
        ]
        if options:
            grouped.append((CATEGORY_LABELS[category].in_(locale), options))
    return grouped
