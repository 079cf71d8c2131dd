"""The inbox: short messages to residents and staff about what changed.

A notification holds a kind and parameters (codes, ids, client numbers), never a value, so it
can be stored and shown without decrypting anything. The text is made when it is shown, in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from datameent.domain import catalogue, purposes
from datameent.domain.text import Text


class Kind(StrEnum):
    REQUEST_NEW = "request.new"
    REQUEST_ANSWERED = "request.answered"
    APPROVAL_NEEDED = "request.approval_needed"
    APPROVAL_DONE = "request.approval_done"
    GRANT_REVOKED = "grant.revoked"
    HANDOVER = "case.handover"
    HANDOVER_AWAY = "case.handover_away"
    BREAK_GLASS = "vault.break_glass"
    BREAK_GLASS_OPENED = "vault.break_glass_opened"
    CORRECTION = "vault.correction"
    STORY_UPDATED = "story.updated"
    RIGHTS_FILED = "rights.filed"
    RIGHTS_DECIDED = "rights.decided"
    ERASURE_CONFIRM = "rights.erasure_confirm"
    DECISION_NEW = "decision.new"
    CONTEST_FILED = "decision.contested"
    CONTEST_DECIDED = "decision.contest_decided"
    COMPLAINT_RECEIVED = "complaint.received"
    COMPLAINT_FILED = "complaint.filed"
    COMPLAINT_ABOUT_YOU = "complaint.about_you"
    COMPLAINT_POSTPONED = "complaint.postponed"
    COMPLAINT_DECIDED = "complaint.decided"
    COMPLAINT_SETTLED = "complaint.settled"
    COMPLAINT_ABOUT_YOU_DECIDED = "complaint.about_you_decided"


_TEXTS: dict[Kind, Text] = {
    Kind.REQUEST_NEW: Text(
        "De gemeente vraagt u om gegevens voor: {purpose}. Graag vóór {due}.",
        "The municipality asks you for data for: {purpose}. Please answer before {due}.",
    ),
    Kind.REQUEST_ANSWERED: Text(
        "Cliënt {client} heeft uw verzoek beantwoord ({purpose}).",
        "Client {client} answered your request ({purpose}).",
    ),
    Kind.APPROVAL_NEEDED: Text(
        "Een verzoek voor cliënt {client} vraagt iets buiten het doel. Beoordeel het.",
        "A request for client {client} asks for something outside its purpose. Please judge it.",
    ),
    Kind.APPROVAL_DONE: Text(
        "Uw verzoek voor cliënt {client} is beoordeeld door een tweede medewerker.",
        "Your request for client {client} was judged by a second officer.",
    ),
    Kind.GRANT_REVOKED: Text(
        "Cliënt {client} heeft toestemming ingetrokken ({purpose}). "
        "U ziet deze gegevens niet meer.",
        "Client {client} withdrew consent ({purpose}). You no longer see this data.",
    ),
    Kind.HANDOVER: Text(
        "U hebt een nieuwe klantmanager. Wat u eerder deelde, gaat mee naar uw nieuwe "
        "klantmanager. Uw vorige klantmanager kan uw gegevens niet meer zien.",
        "You have a new case manager. What you shared before goes with your file to your new "
        "case manager. Your previous case manager can no longer see your data.",
    ),
    Kind.HANDOVER_AWAY: Text(
        "Cliënt {client} is overgedragen aan een collega. U hebt geen toegang meer.",
        "Client {client} was handed over to a colleague. You no longer have access.",
    ),
    Kind.BREAK_GLASS: Text(
        "Een medewerker heeft uw dossier geopend met noodtoegang. De privacy officer controleert "
        "of dat terecht was. U ziet de reden bij Wie keek in mijn gegevens.",
        "An employee opened your file with emergency access. The privacy officer checks whether "
        "that was justified. You can see the reason under Who looked at my data.",
    ),
    Kind.BREAK_GLASS_OPENED: Text(
        "Noodtoegang tot cliënt {client}: controleer de reden.",
        "Emergency access to client {client}: please review the reason.",
    ),
    Kind.CORRECTION: Text(
        "Cliënt {client} heeft een gegeven verbeterd dat met u gedeeld is: {attribute}.",
        "Client {client} corrected data shared with you: {attribute}.",
    ),
    Kind.STORY_UPDATED: Text(
        "Cliënt {client} heeft een deel van het eigen verhaal bijgewerkt dat met u gedeeld is.",
        "Client {client} updated a part of their story that is shared with you.",
    ),
    Kind.RIGHTS_FILED: Text(
        "Cliënt {client} heeft een verzoek ingediend: {right}. Behandel het binnen een maand.",
        "Client {client} filed a request: {right}. Please handle it within a month.",
    ),
    Kind.RIGHTS_DECIDED: Text(
        "Er is een antwoord op uw verzoek: {right}. Bekijk het bij Mijn rechten.",
        "Your request has been answered: {right}. See My rights.",
    ),
    Kind.ERASURE_CONFIRM: Text(
        "De gegevens van cliënt {client} zijn gewist. Verwijder ook wat u zelf bewaard hebt "
        "en bevestig dat.",
        "The data of client {client} has been erased. Remove what you kept yourself as well, "
        "and confirm.",
    ),
    Kind.DECISION_NEW: Text(
        "Er is een besluit over u genomen. Bezwaar maken kan tot en met {until}.",
        "A decision was made about you. You can object until {until} inclusive.",
    ),
    Kind.CONTEST_FILED: Text(
        "Cliënt {client} heeft een vraag gesteld of bezwaar gemaakt tegen een besluit.",
        "Client {client} asked a question about, or objected to, a decision.",
    ),
    Kind.CONTEST_DECIDED: Text(
        "Er is een antwoord op uw vraag of bezwaar. Bekijk het bij Mijn besluiten.",
        "Your question or objection has been answered. See My decisions.",
    ),
    Kind.COMPLAINT_RECEIVED: Text(
        "We hebben uw klacht ontvangen. U hoort uiterlijk op {until} wat de gemeente ervan vindt.",
        "We have received your complaint. You will hear what the municipality thinks of it by "
        "{until} at the latest.",
    ),
    Kind.COMPLAINT_FILED: Text(
        "Cliënt {client} heeft een klacht ingediend. Zoek iemand die hem behandelt en er niet "
        "bij betrokken was.",
        "Client {client} filed a complaint. Find someone to handle it who was not involved.",
    ),
    Kind.COMPLAINT_ABOUT_YOU: Text(
        "Cliënt {client} heeft een klacht over u ingediend. U kunt hem lezen; u wordt gehoord "
        "voordat er een oordeel is.",
        "Client {client} filed a complaint about you. You can read it; you will be heard before "
        "there is a judgement.",
    ),
    Kind.COMPLAINT_POSTPONED: Text(
        "Het duurt langer om uw klacht te behandelen. U hoort uiterlijk op {until} wat de "
        "gemeente ervan vindt. De reden staat bij Mijn klachten.",
        "Handling your complaint takes longer. You will hear what the municipality thinks of "
        "it by {until} at the latest. The reason is under My complaints.",
    ),
    Kind.COMPLAINT_DECIDED: Text(
        "Uw klacht is afgehandeld. Lees bij Mijn klachten wat de gemeente vindt en doet.",
        "Your complaint has been handled. Read under My complaints what the municipality finds "
        "and does.",
    ),
    Kind.COMPLAINT_SETTLED: Text(
        "Cliënt {client} zegt dat de klacht is opgelost. Er hoeft geen oordeel meer te komen.",
        "Client {client} says the complaint has been put right. No judgement is needed.",
    ),
    Kind.COMPLAINT_ABOUT_YOU_DECIDED: Text(
        "De klacht van cliënt {client} over u is afgehandeld. U kunt het oordeel lezen.",
        "The complaint of client {client} about you has been handled. You can read the judgement.",
    ),
}

RIGHT_LABELS: dict[str, Text] = {
    "correction": Text("verbetering van een gegeven", "correction of data"),
    "erasure": Text("wissen van uw gegevens", "erasure of your data"),
    "objection": Text("bezwaar tegen een verwerking", "objection to a processing"),
    "question": Text("vraag over een gegeven", "question about a data item"),
    "access_question": Text(
        "vraag over een regel in het logboek", "question about a line in the log"
    ),
}


_DATES = frozenset({"until", "due"})
"""Parameters that hold a date (ISO), written the reader's way when shown."""


@dataclass(frozen=True)
class Notification:
    id: UUID
    user_id: UUID
    kind: Kind
    params: dict[str, Any] = field(default_factory=dict)
    link: str | None = None
    created_at: datetime | None = None
    read_at: datetime | None = None

    def text(self, locale: str, day: Callable[[date], str] = date.isoformat) -> str:
        """The message in `locale`, its dates written by `day` (the reader's way of writing a
        date: "19 januari 2027"; ISO when none is given)."""
        values = {k: v for k, v in self.params.items() if isinstance(v, str)}
        for name in _DATES.intersection(values):
            try:
                values[name] = day(date.fromisoformat(values[name]))
            except ValueError:
                pass
        purpose = purposes.CURRENT.get(values.get("purpose", ""))
        if purpose is not None:
            values["purpose"] = purpose.name.in_(locale)
        definition = catalogue.BY_KEY.get(values.get("attribute", ""))
        if definition is not None:
            values["attribute"] = definition.label.in_(locale)
        right = RIGHT_LABELS.get(values.get("right", ""))
        if right is not None:
            values["right"] = right.in_(locale)
        return _TEXTS[self.kind].in_(locale).format_map(_Missing(values))


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"
