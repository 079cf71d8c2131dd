"""The model card and the algorithm-register entry of a trained effect model.

Both are generated from the trained version itself (its data, validation, overlap, explanation
fidelity and fairness audit), never written by hand, so they cannot drift from what runs. The
card is JSON (for machines) and Markdown (for people, in Dutch and English); the register entry
holds the fields of the Dutch Algoritmeregister publication standard (`domain.registers`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from datameent.analytics.effects.data import (
    AUDIT_GROUPS,
    EXCLUDED_ZRM,
    FEATURES,
    INSTRUMENT_LABELS,
)
from datameent.analytics.effects.evaluate import TruthReport
from datameent.analytics.effects.fairness import FairnessReport
from datameent.analytics.effects.model import EffectModel

METHOD = (
    "Doubly-robust forest (EconML ForestDRLearner): gradient-boosted nuisance models (LightGBM) "
    "with cross-fitting, one honest generalised random forest per instrument, 95 % intervals by "
    "bootstrap of little bags from forests with smaller leaves (undersmoothed, so that the "
    "smoothing's bias does not shift them); explanations by exact Shapley values of distilled "
    "boosted trees."
)


def card(
    model: EffectModel, fairness: FairnessReport | None, truth: TruthReport | None = None
) -> dict[str, Any]:
    """The model card of `model` as a JSON-ready document."""
    validation = model.validation
    return {
        "model": "wat-werkt-voor-wie",
        "version": model.version,
        "trainedOn": model.trained_on.isoformat(),
        "method": METHOD,
        "intendedUse": (
            "Suggestions of reintegration instruments for a case manager, who decides and "
            "records their own choice. Never a decision, never a risk or fraud score."
        ),
        "inputs": [{"key": f.column, "label": f.label._asdict()} for f in FEATURES],
        "notInputs": {
            "auditGroups": list(AUDIT_GROUPS),
            "zrmSpecialCategories": sorted(EXCLUDED_ZRM),
            "other": ["pc4", "neighbourhood", "case_manager"],
        },
        "data": {
            "clients": model.clients,
            "skipped": model.skipped,
            "perInstrument": {a.instrument: a.clients for a in model.averages},
        },
        "settings": asdict(model.settings),
        "averageEffects": [asdict(a) for a in model.averages],
        "validation": {**asdict(validation), "reliable": validation.reliable},
        "overlap": model.overlap,
        "explanationFidelity": model.fidelity,
        "fairness": fairness_section(fairness) if fairness else None,
        "groundTruth": truth_section(truth) if truth else None,
        "limitations": [
            "Effects are learnt from which support case managers chose in the past; influences "
            "on that choice that are not among the inputs can bias them.",
            "A client without comparable counterparts for an instrument gets no estimate for it.",
            "Per-profile suggestions are shown only while the held-out test is passed; "
            "otherwise only the average effects are shown.",
        ],
    }


def fairness_section(report: FairnessReport) -> dict[str, Any]:
    return {
        "minimumGroup": report.minimum_group,
        "differences": report.differences,
        "hiddenGroups": report.hidden,
        "groups": [asdict(r) for r in report.rows],
    }


def truth_section(report: TruthReport) -> dict[str, Any]:
    return {
        **{k: v for k, v in asdict(report).items() if k != "instruments"},
        "peheRatio": report.pehe_ratio,
        "policyShare": report.policy_share,
        "instruments": [asdict(s) for s in report.instruments],
    }


def _pct(share: float) -> str:
    return f"{share * 100:.1f}"


def markdown(document: dict[str, Any]) -> str:
    """The card as a page of Markdown, in Dutch with English beside it."""
    v = document["validation"]
    lines = [
        f"# Modelkaart / Model card: wat werkt voor wie — versie {document['version']}",
        "",
        f"Getraind op / trained on: {document['trainedOn']}. {document['method']}",
        "",
        "## Gebruik / Intended use",
        "",
        "Suggesties voor de klantmanager, die zelf beslist en die keuze vastlegt. Nooit een "
        "besluit, nooit een risico- of fraudescore.",
        f"_{document['intendedUse']}_",
        "",
        "## Toets op nieuwe cliënten / Held-out test",
        "",
        f"- Cliënten apart gehouden / held out: {v['clients']:,}",
        f"- Winst met suggesties / gain following suggestions: {_pct(v['gain_model'])} per 100",
        f"- Winst met één vaste hulp / gain with one instrument for all: "
        f"{_pct(v['gain_constant'])} per 100",
        f"- Ondergrens van het verschil (95 %) / lower bound of the advantage: "
        f"{_pct(v['advantage_lower'])} per 100",
        "- Uitkomst / result: "
        + (
            "**betrouwbaar: suggesties per persoon worden getoond** / reliable: per-person "
            "suggestions are shown"
            if v["reliable"]
            else "**niet betrouwbaar: alleen gemiddelden worden getoond** / not reliable: only "
            "averages are shown"
        ),
        "",
        "## Gemiddelde effecten / Average effects (95 %)",
        "",
        "| Hulp / instrument | Effect per 100 | 95 % | Cliënten / clients | Zonder vergelijking "
        "/ no overlap |",
        "|---|---|---|---|---|",
    ]
    for a in document["averageEffects"]:
        label = INSTRUMENT_LABELS[a["instrument"]]
        lines.append(
            f"| {label.nl} / {label.en} | {_pct(a['effect'])} | {_pct(a['lower'])} to "
            f"{_pct(a['upper'])} | {a['clients']:,} | "
            f"{_pct(document['overlap'][a['instrument']])} % |"
        )
    lines += [
        "",
        "## Invoer / Inputs",
        "",
        ", ".join(f"{i['label']['nl']} ({i['label']['en']})" for i in document["inputs"]),
        "",
        "Geen invoer / not inputs: "
        + ", ".join(document["notInputs"]["auditGroups"] + document["notInputs"]["other"])
        + "; ZRM: "
        + ", ".join(document["notInputs"]["zrmSpecialCategories"])
        + " (AVG art. 9/10).",
        "",
        "## Uitleg / Explanations",
        "",
        "Getrouwheid (R², apart gehouden) / fidelity: "
        + ", ".join(f"{k} {val:.2f}" for k, val in document["explanationFidelity"].items()),
    ]
    if fairness := document["fairness"]:
        lines += [
            "",
            "## Eerlijkheid / Fairness",
            "",
            f"Groepen kleiner dan {fairness['minimumGroup']} worden niet getoond / groups "
            f"smaller than {fairness['minimumGroup']} are not shown.",
            "",
            "| Groep / attribute | Verschil verwachte winst / gain gap | Verschil fout / error "
            "gap | Verschil gemiste kans / regret gap |",
            "|---|---|---|---|",
        ]
        for attribute, gaps in fairness["differences"].items():
            label = AUDIT_GROUPS[attribute]
            lines.append(
                f"| {label.nl} / {label.en} | {_pct(gaps.get('expected_gain', 0))} | "
                f"{_pct(gaps.get('error', 0))} | {_pct(gaps.get('regret', 0))} |"
            )
    if truth := document["groundTruth"]:
        lines += [
            "",
            "## Gemeten tegen de waarheid (synthetisch) / Measured against the truth",
            "",
            f"- PEHE {truth['pehe']:.4f}; vaste effecten / constant {truth['pehe_constant']:.4f}"
            f" (ratio {truth['peheRatio']:.2f}); nul / zero {truth['pehe_zero']:.4f}",
            f"- Dekking 95 %-intervallen / coverage: {truth['coverage']:.3f}",
            f"- Winst / gain: model {_pct(truth['gain_model'])}, orakel / oracle "
            f"{_pct(truth['gain_oracle'])} ({truth['policyShare'] * 100:.0f} %), één vaste "
            f"hulp / one for all {_pct(truth['gain_constant'])}, vaste effecten onder wat "
            f"vergelijkbaar is / constant effects among what is supported "
            f"{_pct(truth['gain_constant_supported'])} per 100",
        ]
    lines += ["", "## Beperkingen / Limitations", ""]
    lines += [f"- {text}" for text in document["limitations"]]
    return "\n".join(lines) + "\n"


def register_entry(model: EffectModel, fairness: FairnessReport | None) -> dict[str, str]:
    """The algorithm-register fields for this version (published as a new version of the entry
    `wat-werkt-voor-wie`)."""
    v = model.validation
    reliable = (
        "Deze versie is beter dan één vaste hulp voor iedereen (toets op apart gehouden "
        "cliënten), dus suggesties per persoon worden getoond."
        if v.reliable
        else "Deze versie is niet aantoonbaar beter dan één vaste hulp voor iedereen, dus "
        "alleen gemiddelde effecten worden getoond."
    )
    gaps = ""
    if fairness:
        attribute, gap = fairness.largest("expected_gain")
        gaps = (
            f" Grootste verschil in verwachte winst tussen groepen: {_pct(gap)} per 100 "
            f"({AUDIT_GROUPS[attribute].nl.lower()})."
        )
    return {
        "code": "wat-werkt-voor-wie",
        "name": "Wat werkt voor wie: suggesties voor hulp naar werk",
        "description": (
            "Een model schat per soort hulp (opleiding, coaching, werkervaringsplaats, "
            "loonkostensubsidie, taalcursus) hoeveel groter de kans op betaald werk binnen een "
            "jaar wordt. De klantmanager ziet de suggestie met de onzekerheid en beslist zelf. "
            f"Modelversie {model.version}, getraind op {model.trained_on.isoformat()} met "
            f"{model.clients:,} cliënten."
        ),
        "organisation": "Gemeente (demo)",
        "status": "in_use" if v.reliable else "in_development",
        "purpose_and_impact": (
            "Inwoners sneller de hulp geven die bij hen past. Het model wijst geen fraude aan en "
            "beslist niets: een suggestie wordt pas een besluit als een klantmanager dat neemt. "
            + reliable
        ),
        "considerations": (
            "Alleen inzetten als het model beter is dan één vaste hulp per soort; anders toont "
            "datameent alleen gemiddelden. Cliënten zonder vergelijkbare anderen krijgen voor "
            "die hulp geen schatting."
        ),
        "human_involvement": (
            "De klantmanager bespreekt de suggestie met de inwoner en legt een eigen keuze vast "
            "als besluit. De inwoner ziet de suggestie, de uitleg en het besluit, en kan "
            "bezwaar maken tegen de verwerking en tegen het besluit."
        ),
        "risk_management": (
            "Eerlijkheidstoets per leeftijdsgroep, geslacht, migratieachtergrond en huishouden "
            "bij elke training; gevoelige gegevens zijn geen invoer. Leeftijd is wel invoer, "
            "omdat het effect van loonkostensubsidie met de leeftijd verschilt." + gaps
        ),
        "legal_basis": "Participatiewet art. 7 lid 1 sub a; AVG art. 6 lid 1 sub e; art. 89",
        "processing_activity": "effecten-leren",
        "impact_assessments": "DPIA en IAMA in voorbereiding",
        "data_and_sources": (
            "Gepseudonimiseerde gegevens van de gemeente: "
            + ", ".join(f.label.nl for f in FEATURES)
            + ". Geen gezondheids- of justitiegegevens."
        ),
        "technical_working": METHOD,
        "supplier": "Eigen ontwikkeling (datameent)",
        "source_code": "In de repository van datameent, map src/datameent/analytics/effects",
    }
