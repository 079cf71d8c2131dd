"""What a processing-log record says, following the Logboek Dataverwerkingen standard.

The record itself holds what the standard asks (trace, span, operation, times, status, the
processing activity and a pseudonym of the person), never a value and never who the employee
is. Who acted, under which rule and which attributes were touched go into a separate audit
record; the log record carries that audit record's digest, so both are tamper-evident while
the employee stays out of the log proper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from datameent.domain.accounts import User
from datameent.domain.text import Text

SERVICE = {"service.name": "datameent", "service.version": "0.1.0"}
SUBJECT_ID_TYPE = "urn:datameent:pseudoniem:logboek:v1"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


def _time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the standard's timestamps."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Entry:
    """One processing of one person's data (or of none), as it happens."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    operation: str
    activity_uri: str
    subject: UUID | None
    actor: User
    rule: str
    reasons: tuple[str, ...]
    outcome: Outcome
    started_at: datetime
    ended_at: datetime | None = None
    keys: set[str] = field(default_factory=set)
    purpose: str | None = None
    """The purpose (code:vN) the access named, if any."""
    grants: tuple[UUID, ...] = ()
    """The grants the access relied on."""
    details: dict[str, int] = field(default_factory=dict)
    """Figures the record states about the processing itself (`datameent.<name>`), such as
    the index below which an erasure for retention left only digests."""

    def audit(self) -> dict[str, Any]:
        audit = {
            "user_id": str(self.actor.id),
            "roles": sorted(self.actor.roles),
            "team": self.actor.team,
            "rule": self.rule,
            "reasons": list(self.reasons),
            "attribute_keys": sorted(self.keys),
            "purpose": self.purpose,
            "grants": [str(g) for g in self.grants],
        }
        if self.actor.representative is not None:  # DigiD Machtigen: who acted for them
            audit["representative"] = self.actor.representative
        return audit

    def record(self, subject_pseudonym: str | None, audit_digest: str) -> dict[str, Any]:
        """The log record in the standard's own field names."""
        assert self.ended_at is not None
        attributes: dict[str, Any] = {
            "dpl.core.processing_activity_id": self.activity_uri,
            "datameent.outcome": self.outcome.value,
            "datameent.audit_digest": audit_digest,
            **{f"datameent.{name}": value for name, value in self.details.items()},
        }
        if subject_pseudonym is not None:
            attributes["dpl.core.data_subject_id"] = subject_pseudonym
            attributes["dpl.core.data_subject_id_type"] = SUBJECT_ID_TYPE
        record: dict[str, Any] = {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "name": self.operation,
            "status": "Ok",
            "start_time": _time(self.started_at),
            "end_time": _time(self.ended_at),
            "resource": {"attributes": SERVICE},
            "attributes": attributes,
        }
        if self.parent_span_id:
            record["parent_span_id"] = self.parent_span_id
        return record


OPERATION_LABELS: dict[str, tuple[Text, Text]] = {
    # operation: (what happened, what was attempted and refused)
    "vault.read": (
        Text("Bekeek uw gegevens", "Viewed your data"),
        Text(
            "Probeerde uw gegevens te bekijken en kreeg geen toegang",
            "Tried to view your data and was refused",
        ),
    ),
    "vault.record": (
        Text("Legde gegevens over u vast", "Recorded data about you"),
        Text(
            "Probeerde gegevens over u vast te leggen en kreeg geen toegang",
            "Tried to record data about you and was refused",
        ),
    ),
    "person.register": (
        Text("Schreef u in", "Registered you"),
        Text(
            "Probeerde u in te schrijven en kreeg geen toegang",
            "Tried to register you and was refused",
        ),
    ),
    "caseload.list": (
        Text("Zag uw naam in een lijst van cliënten", "Saw your name in a list of clients"),
        Text("Probeerde een lijst van cliënten te zien", "Tried to see a list of clients"),
    ),
    "caseload.team": (
        Text("Zag uw naam in het overzicht van het team", "Saw your name in the team overview"),
        Text("Probeerde het teamoverzicht te zien", "Tried to see the team overview"),
    ),
    "caseload.assign": (
        Text("Gaf uw dossier aan een klantmanager", "Gave your file to a case manager"),
        Text("Probeerde uw dossier over te dragen", "Tried to hand over your file"),
    ),
    "account.log_in": (
        Text("Logde in met DigiD", "Logged in with DigiD"),
        Text("Probeerde in te loggen met DigiD", "Tried to log in with DigiD"),
    ),
    "log.read": (
        Text("Bekeek dit logboek", "Looked at this log"),
        Text("Probeerde dit logboek te bekijken", "Tried to look at this log"),
    ),
    "log.retention": (
        Text(
            "Wiste logregels waarvan de bewaartermijn voorbij was",
            "Erased log lines whose retention period had ended",
        ),
        Text("Probeerde logregels te wissen", "Tried to erase log lines"),
    ),
    "keys.rotate": (
        Text(
            "Versleutelde de sleutels van dossiers opnieuw met een nieuwe hoofdsleutel",
            "Encrypted the keys of files again under a new master key",
        ),
        Text("Probeerde sleutels opnieuw te versleutelen", "Tried to encrypt keys again"),
    ),
    "case.view": (
        Text("Bekeek uw zaken en verzoeken", "Viewed your cases and requests"),
        Text(
            "Probeerde uw zaken te bekijken en kreeg geen toegang",
            "Tried to view your cases and was refused",
        ),
    ),
    "case.open": (
        Text("Opende een zaak voor u", "Opened a case for you"),
        Text(
            "Probeerde een zaak voor u te openen en kreeg geen toegang",
            "Tried to open a case for you and was refused",
        ),
    ),
    "request.create": (
        Text("Vroeg u om gegevens", "Asked you for data"),
        Text(
            "Probeerde u om gegevens te vragen en kreeg geen toegang",
            "Tried to ask you for data and was refused",
        ),
    ),
    "request.approve": (
        Text(
            "Beoordeelde een vraag buiten het doel (vier ogen)",
            "Judged a question outside the purpose (four eyes)",
        ),
        Text(
            "Probeerde een vraag goed te keuren en kreeg geen toegang",
            "Tried to approve a question and was refused",
        ),
    ),
    "request.answer": (
        Text("Beantwoordde een verzoek", "Answered a request"),
        Text(
            "Probeerde een verzoek te beantwoorden en kreeg geen toegang",
            "Tried to answer a request and was refused",
        ),
    ),
    "grant.share": (
        Text("Deelde gegevens", "Shared data"),
        Text(
            "Probeerde gegevens te delen en kreeg geen toegang",
            "Tried to share data and was refused",
        ),
    ),
    "grant.revoke": (
        Text("Trok toestemming in", "Withdrew consent"),
        Text(
            "Probeerde toestemming in te trekken en kreeg geen toegang",
            "Tried to withdraw consent and was refused",
        ),
    ),
    "vault.break_glass": (
        Text("Opende uw dossier met noodtoegang", "Opened your file with emergency access"),
        Text(
            "Probeerde noodtoegang te krijgen en kreeg geen toegang",
            "Tried to get emergency access and was refused",
        ),
    ),
    "story.write": (
        Text("Schreef aan uw verhaal", "Wrote in your story"),
        Text(
            "Probeerde aan uw verhaal te schrijven en kreeg geen toegang",
            "Tried to write in your story and was refused",
        ),
    ),
    "story.read": (
        Text("Las uw verhaal", "Read your story"),
        Text(
            "Probeerde uw verhaal te lezen en kreeg geen toegang",
            "Tried to read your story and was refused",
        ),
    ),
    "story.share": (
        Text("Deelde uw verhaal of stopte ermee", "Shared your story or stopped sharing"),
        Text(
            "Probeerde uw verhaal te delen en kreeg geen toegang",
            "Tried to share your story and was refused",
        ),
    ),
    "rights.request": (
        Text("Diende een verzoek in over uw rechten", "Filed a request about your rights"),
        Text(
            "Probeerde een verzoek over uw rechten in te dienen en kreeg geen toegang",
            "Tried to file a request about your rights and was refused",
        ),
    ),
    "rights.export": (
        Text("Haalde al uw gegevens op (inzage)", "Took out all your data (access)"),
        Text(
            "Probeerde al uw gegevens op te halen en kreeg geen toegang",
            "Tried to take out all your data and was refused",
        ),
    ),
    "rights.correct": (
        Text("Behandelde uw verzoek om verbetering", "Handled your correction request"),
        Text(
            "Probeerde uw verzoek om verbetering te behandelen en kreeg geen toegang",
            "Tried to handle your correction request and was refused",
        ),
    ),
    "rights.handle": (
        Text("Behandelde uw verzoek over uw rechten", "Handled your request about your rights"),
        Text(
            "Probeerde uw verzoek te behandelen en kreeg geen toegang",
            "Tried to handle your request and was refused",
        ),
    ),
    "decision.record": (
        Text("Legde een besluit over u vast", "Recorded a decision about you"),
        Text(
            "Probeerde een besluit over u vast te leggen en kreeg geen toegang",
            "Tried to record a decision about you and was refused",
        ),
    ),
    "decision.read": (
        Text("Bekeek uw besluiten", "Viewed your decisions"),
        Text(
            "Probeerde uw besluiten te bekijken en kreeg geen toegang",
            "Tried to view your decisions and was refused",
        ),
    ),
    "decision.contest": (
        Text("Stelde een vraag of maakte bezwaar", "Asked a question or objected"),
        Text(
            "Probeerde bezwaar te maken en kreeg geen toegang",
            "Tried to object and was refused",
        ),
    ),
    "objection.review": (
        Text("Behandelde uw bezwaar of vraag", "Handled your objection or question"),
        Text(
            "Probeerde uw bezwaar te behandelen en kreeg geen toegang",
            "Tried to handle your objection and was refused",
        ),
    ),
    "objection.deadlines": (
        Text("Bekeek de termijnen van bezwaren", "Looked at the deadlines of objections"),
        Text(
            "Probeerde de termijnen te bekijken en kreeg geen toegang",
            "Tried to look at the deadlines and was refused",
        ),
    ),
    "register.manage": (
        Text("Publiceerde in een openbaar register", "Published in a public register"),
        Text(
            "Probeerde in een openbaar register te publiceren en kreeg geen toegang",
            "Tried to publish in a public register and was refused",
        ),
    ),
    "person.erase": (
        Text("Wiste uw gegevens", "Erased your data"),
        Text("Probeerde uw gegevens te wissen", "Tried to erase your data"),
    ),
    "objection.release": (
        Text(
            "Gaf uw bezwaar of vraag terug, zodat een andere medewerker het behandelt",
            "Handed your objection or question back, for another employee to handle",
        ),
        Text(
            "Probeerde uw bezwaar terug te geven en kreeg geen toegang",
            "Tried to hand your objection back and was refused",
        ),
    ),
    "statistics.export": (
        Text(
            "Nam uw gegevens zonder naam en BSN op in de statistiek",
            "Included your data, without name or BSN, in the statistics",
        ),
        Text(
            "Probeerde gegevens voor de statistiek op te halen en kreeg geen toegang",
            "Tried to take data for the statistics and was refused",
        ),
    ),
    "statistics.link": (
        Text(
            "Koppelde gegevens zonder naam en BSN voor de statistiek",
            "Linked data without names or BSNs for the statistics",
        ),
        Text(
            "Probeerde gegevens voor de statistiek te koppelen en kreeg geen toegang",
            "Tried to link data for the statistics and was refused",
        ),
    ),
    "statistics.effects": (
        Text(
            "Leerde uit gegevens zonder naam en BSN wat mensen helpt om werk te vinden",
            "Learned from data without names or BSNs what helps people find work",
        ),
        Text(
            "Probeerde te leren wat mensen helpt om werk te vinden en kreeg geen toegang",
            "Tried to learn what helps people find work and was refused",
        ),
    ),
    "statistics.view": (
        Text("Bekeek statistieken", "Viewed statistics"),
        Text("Probeerde statistieken te bekijken", "Tried to view statistics"),
    ),
    "statistics.quality": (
        Text("Bekeek de kwaliteit van de gegevens", "Viewed the quality of the data"),
        Text(
            "Probeerde de kwaliteit van de gegevens te bekijken",
            "Tried to view the quality of the data",
        ),
    ),
    "log.supervise": (
        Text("Hield toezicht op het gebruik van gegevens", "Supervised the use of data"),
        Text(
            "Probeerde toezicht te houden op het gebruik van gegevens",
            "Tried to supervise the use of data",
        ),
    ),
    "accounts.manage": (
        Text("Beheerde de accounts van medewerkers", "Managed employees' accounts"),
        Text("Probeerde accounts te beheren", "Tried to manage accounts"),
    ),
    "dialogue.start": (
        Text("Begon een datadialoog", "Started a data dialogue"),
        Text("Probeerde een datadialoog te beginnen", "Tried to start a data dialogue"),
    ),
    "dialogue.run": (
        Text("Leidde een datadialoog", "Ran a data dialogue"),
        Text("Probeerde een datadialoog te leiden", "Tried to run a data dialogue"),
    ),
    "complaint.file": (
        Text("Diende een klacht in", "Filed a complaint"),
        Text(
            "Probeerde een klacht in te dienen en kreeg geen toegang",
            "Tried to file a complaint and was refused",
        ),
    ),
    "complaint.read": (
        Text("Las uw klacht", "Read your complaint"),
        Text(
            "Probeerde uw klacht te lezen en kreeg geen toegang",
            "Tried to read your complaint and was refused",
        ),
    ),
    "complaint.handle": (
        Text("Behandelde uw klacht", "Handled your complaint"),
        Text(
            "Probeerde uw klacht te behandelen en kreeg geen toegang",
            "Tried to handle your complaint and was refused",
        ),
    ),
    "complaint.queue": (
        Text("Bekeek de lijst van klachten", "Looked at the list of complaints"),
        Text(
            "Probeerde de lijst van klachten te bekijken en kreeg geen toegang",
            "Tried to look at the list of complaints and was refused",
        ),
    ),
}
"""What each operation (an `Action` of the policy) did, in words, for whoever reads the log:
every action has its pair (a test checks), so no line shows a bare operation name."""


def describe(operation: str, outcome: str) -> Text:
    done, refused = OPERATION_LABELS.get(operation, (Text(operation, operation),) * 2)
    return refused if outcome == Outcome.DENIED else done
