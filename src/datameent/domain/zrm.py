"""The Zelfredzaamheidsmatrix (ZRM): self-sufficiency scored per life domain.

Each of the 13 domains is scored from 1 (acute problems) to 5 (fully self-sufficient). Scores
are only comparable within one version of the instrument, so every score keeps the version it
was made with.
"""

from __future__ import annotations

from datameent.domain.text import Text

INSTRUMENT_VERSIONS = ("ZRM 2017", "ZRM 2013")
"""The versions of the instrument a score may be recorded with; the first is the current one."""

DOMAINS: tuple[tuple[str, Text], ...] = (
    ("financien", Text("Financiën", "Finances")),
    ("werk_opleiding", Text("Werk & opleiding", "Work & education")),
    ("tijdsbesteding", Text("Tijdsbesteding", "Use of time")),
    ("huisvesting", Text("Huisvesting", "Housing")),
    ("huiselijke_relaties", Text("Huiselijke relaties", "Domestic relations")),
    ("geestelijke_gezondheid", Text("Geestelijke gezondheid", "Mental health")),
    ("lichamelijke_gezondheid", Text("Lichamelijke gezondheid", "Physical health")),
    ("middelengebruik", Text("Middelengebruik", "Substance use")),
    ("basale_adl", Text("Basale ADL", "Basic activities of daily living")),
    ("instrumentele_adl", Text("Instrumentele ADL", "Instrumental activities of daily living")),
    ("sociaal_netwerk", Text("Sociaal netwerk", "Social network")),
    ("maatschappelijke_participatie", Text("Maatschappelijke participatie", "Participation")),
    ("justitie", Text("Justitie", "Justice")),
)

HEALTH_DOMAINS = frozenset({"geestelijke_gezondheid", "lichamelijke_gezondheid", "middelengebruik"})
"""Domains that hold health data, a special category under GDPR art. 9."""

CRIMINAL_DOMAINS = frozenset({"justitie"})
"""Domains that hold data about offences, protected by GDPR art. 10."""

SCORE_LABELS: dict[int, Text] = {
    1: Text("Acute problematiek", "Acute problems"),
    2: Text("Niet zelfredzaam", "Not self-sufficient"),
    3: Text("Beperkt zelfredzaam", "Partly self-sufficient"),
    4: Text("Voldoende zelfredzaam", "Sufficiently self-sufficient"),
    5: Text("Volledig zelfredzaam", "Fully self-sufficient"),
}


def attribute_key(domain: str) -> str:
    """The vault key under which a domain's score is stored."""
    return f"zrm_{domain}"
