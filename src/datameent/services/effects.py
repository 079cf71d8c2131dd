"""What works for whom, as the product uses it: training, versions, advice, the choice, the
objection.

*Training* is a processing of its own (activity `effecten-leren`, AVG art. 89): the effects
service's system account asks the policy before the work (a refusal is logged at once) and the
log names the inputs read in the transaction that registers the version. Each version is saved
under the data directory as `effects/<version>.joblib`, its SHA-256 kept in the registry (a
changed file is refused on loading), with its model card and algorithm-register entry generated
from the training (`analytics.effects.card`). The fairness audit and, for a synthetic town, the
measurement against the truth run on the clients held out from fitting. The privacy officer puts
a version in use (`activate`), which publishes its register entry.

*Advice* for one client reads only the model's inputs, through the reader's permit under the
purpose re-integratie (or the resident's own), logged like every read; it is personal only while
the version in use passed its held-out test, otherwise the average effects; a resident's
objection (GDPR art. 21) stops it before anything is read. The case manager's *choice* becomes a
decision that names the model version and what it said.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl

from datameent.analytics.effects import card, data, evaluate, explain, fairness, model, refused
from datameent.analytics.effects.synthetic import SyntheticWarehouse
from datameent.domain import catalogue, warehouse
from datameent.domain.accounts import Role, User
from datameent.domain.attributes import JsonValue
from datameent.domain.decisions import Decision, DecisionKind, ModelSupport
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.text import Text
from datameent.errors import AccessDenied, InvalidInput, NotFound, Problem
from datameent.services.accounts import system_account
from datameent.services.clock import today, utcnow
from datameent.services.decisions import record_decision
from datameent.store.effects import RegisteredModel
from datameent.store.uow import Store

Progress = Callable[[str], None]
SERVICE_ACCOUNT = "effecten"
FOLDER = "effects"


@dataclass(frozen=True)
class Source:
    """What a training reads: warehouse-shaped persons, the audit groups, and (synthetic towns
    only) the truth."""

    persons: pl.DataFrame
    reference_year: int
    audit: pl.DataFrame | None = None
    truth: pl.DataFrame | None = None

    @classmethod
    def synthetic(cls, town: SyntheticWarehouse) -> Source:
        return cls(town.persons, town.reference_year, town.audit, town.truth)

    @classmethod
    def warehouse(cls, folder: Path, audit: Path | None = None) -> Source:
        """A warehouse export (`datameent warehouse export`); `audit`: a Parquet file with
        `person` and `migration_background` from the statistics office, if linked."""
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            persons = pl.read_parquet(folder / "persons.parquet")
            groups = pl.read_parquet(audit) if audit else None
            year = date.fromisoformat(manifest["exported_on"]).year
        except (OSError, ValueError, KeyError, pl.exceptions.PolarsError) as error:
            raise refused(
                f"{folder} is geen volledige export van het datawarehouse.",
                f"{folder} is not a complete warehouse export.",
            ) from error
        return cls(persons, year, groups)


@dataclass(frozen=True)
class Trained:
    version: str
    file: Path
    reliable: bool
    card: dict[str, Any]
    truth: evaluate.TruthReport | None


def service_account(store: Store) -> User:
    return system_account(store, SERVICE_ACCOUNT, "Effecten leren")


@dataclass(frozen=True)
class Fitted:
    """A trained version with its card, not yet saved or registered."""

    training: model.Training
    card: dict[str, Any]
    truth: evaluate.TruthReport | None


def train(
    store: Store,
    actor: User,
    source: Source,
    data_dir: Path,
    settings: model.TrainingSettings | None = None,
    *,
    progress: Progress | None = None,
) -> Trained:
    """Train a new version on `source` and register it (not yet in use: see `activate`)."""
    with store.unit_of_work() as uow:
        # Asked before the work, not after it: a refusal is logged and raised at once; an
        # allowed training is logged as started (and again with its registration).
        permit = uow.authorize(AccessRequest(actor, Action.TRAIN_EFFECTS))
        uow.log.touch(permit, None, set())
        uow.commit()
    return register(store, actor, fit(source, settings, progress=progress), data_dir)


def fit(
    source: Source,
    settings: model.TrainingSettings | None = None,
    *,
    progress: Progress | None = None,
) -> Fitted:
    """Train, audit and describe a version (see `model.train`, `fairness.audit`, `card`)."""
    tell = progress or (lambda _: None)
    tell("reading")
    observed = data.observations(source.persons, source.reference_year, source.audit)
    if len(observed) == 0:
        raise refused(
            "Er zijn geen cliënten met een bekende hulp en uitkomst.",
            "There are no clients with a known instrument and outcome.",
        )
    training = model.train(
        observed,
        settings or model.TrainingSettings(),
        reference_year=source.reference_year,
        trained_on=today(),
        progress=tell,
    )
    tell("fairness audit")
    groups = observed.groups[pl.Series(training.held_out)]
    truth, rows = None, None
    if source.truth is not None:
        persons = pl.DataFrame({"person": [observed.persons[i] for i in training.held_out]})
        rows = persons.join(source.truth, on="person", how="left", maintain_order="left")
        truth = evaluate.score(training.prediction, rows)
    audit = fairness.audit(training.prediction, groups, rows)
    document = card.card(training.model, audit, truth)
    document["registerEntry"] = card.register_entry(training.model, audit)
    return Fitted(training, document, truth)


def register(store: Store, actor: User, fitted: Fitted, data_dir: Path) -> Trained:
    """Save a fitted version under the data directory and register it, logged as the training's
    processing (its inputs read from the warehouse)."""
    trained = fitted.training.model
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{trained.version}.joblib"
    digest = model.save(trained, path)
    (folder / f"{trained.version}.card.json").write_text(
        json.dumps(fitted.card, indent=2, ensure_ascii=False) + "\n"
    )
    (folder / f"{trained.version}.card.md").write_text(card.markdown(fitted.card))
    read = data.ATTRIBUTES | {data.TREATMENT, data.OUTCOME}
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.TRAIN_EFFECTS))
        uow.log.touch(permit, None, set(read))
        earlier = uow.effect_models.get(trained.version)
        uow.effect_models.add(
            RegisteredModel(
                trained.version,
                utcnow(),
                actor.id,
                str(path),
                digest,
                trained.validation.reliable,
                fitted.card,
                earlier.active if earlier else False,
            )
        )
        uow.commit()
    return Trained(trained.version, path, trained.validation.reliable, fitted.card, fitted.truth)


def versions(store: Store) -> list[RegisteredModel]:
    with store.unit_of_work(write=False) as uow:
        return uow.effect_models.all()


def model_versions(store: Store, actor: User) -> list[RegisteredModel]:
    """Every version with its model card, for those who read protected statistics (analysts,
    the privacy officer, the client council)."""
    with store.unit_of_work() as uow:
        uow.authorize(AccessRequest(actor, Action.VIEW_STATISTICS))
        found = uow.effect_models.all()
        uow.commit()
    return found


def loaded(store: Store, version: str | None = None) -> tuple[RegisteredModel, model.EffectModel]:
    """A registered version (default: the one in use) and its model, checked against its hash."""
    with store.unit_of_work(write=False) as uow:
        found = uow.effect_models.get(version) if version else uow.effect_models.active()
    if found is None:
        raise refused(
            "Er is geen model met die versie." if version else "Er is nog geen model in gebruik.",
            "There is no model of that version." if version else "No model is in use yet.",
        )
    return found, _load(found.file, found.sha256)


@functools.lru_cache(maxsize=2)
def _load(file: str, sha256: str) -> model.EffectModel:
    """A model file read and checked once per process: a page asks for advice on every view,
    and reading and hashing the file takes most of a second. Keyed by the registered hash, so a
    new version (or a file registered anew) is read again."""
    return model.load(Path(file), sha256)


def evaluate_on(
    store: Store, source: Source, version: str | None = None, about: dict[str, Any] | None = None
) -> tuple[RegisteredModel, evaluate.TruthReport, fairness.FairnessReport]:
    """Score a registered version on a synthetic town it was not trained on (its truth known),
    and keep the result with the version's card (`about`: what the town was)."""
    if source.truth is None:
        raise refused(
            "Evalueren tegen de waarheid kan alleen met een synthetische gemeente.",
            "Evaluating against the truth needs a synthetic municipality.",
        )
    registered, fitted = loaded(store, version)
    observed = data.observations(source.persons, source.reference_year, source.audit)
    prediction = fitted.predict(observed.x)
    persons = pl.DataFrame({"person": list(observed.persons)})
    truth = persons.join(source.truth, on="person", how="left", maintain_order="left")
    report = evaluate.score(prediction, truth)
    with store.unit_of_work() as uow:
        uow.effect_models.add_evaluation(
            registered.version,
            {"on": today().isoformat(), **(about or {}), **card.truth_section(report)},
        )
        uow.commit()
    return registered, report, fairness.audit(prediction, observed.groups, truth)


# Activation -------------------------------------------------------------------------------------


def activate(store: Store, actor: User, version: str) -> RegisteredModel:
    """Put a registered version in use, and publish its algorithm-register entry as a new
    version of `wat-werkt-voor-wie`. For those who manage the registers (privacy officer)."""
    from datameent.services.registers import publish_algorithm

    with store.unit_of_work(write=False) as uow:
        found = uow.effect_models.get(version)
    if found is None:
        raise refused("Er is geen model met die versie.", "There is no model of that version.")
    model.load(Path(found.file), found.sha256)  # refuse a changed file before anything else
    publish_algorithm(store, actor, found.card["registerEntry"])
    with store.unit_of_work() as uow:
        uow.authorize(AccessRequest(actor, Action.MANAGE_REGISTERS))
        uow.effect_models.activate(version)
        uow.commit()
    return replace(found, active=True)


# Advice for one client --------------------------------------------------------------------------

PURPOSE = "re-integratie"
"""The purpose a suggestion is asked under: its attributes are the model's inputs."""
ALGORITHM = "wat-werkt-voor-wie"


class AdviceState(StrEnum):
    PERSONAL = "personal"
    """Suggestions per profile: the version in use passed its held-out test."""
    AVERAGES = "averages"
    """Only average effects: the version in use is not better than one instrument for all."""
    MISSING = "missing"
    """Inputs are missing (not recorded, or not covered by the access)."""
    OBJECTED = "objected"
    """The resident objects to suggestions (GDPR art. 21): nothing is computed."""
    NO_MODEL = "no_model"
    NO_ACCESS = "no_access"
    """The reader's access does not open the client's data for support towards work."""


STATE_TEXTS = {
    AdviceState.PERSONAL: Text(
        "Suggesties voor deze persoon, met hoe zeker ze zijn. De klantmanager beslist.",
        "Suggestions for this person, with how certain they are. The case manager decides.",
    ),
    AdviceState.AVERAGES: Text(
        "Het model is nu niet betrouwbaar genoeg voor advies per persoon. Hieronder staan "
        "alleen de gemiddelde effecten van elke soort hulp.",
        "The model is not reliable enough for personal advice now. Below are only the average "
        "effects of each kind of support.",
    ),
    AdviceState.MISSING: Text(
        "Er is geen suggestie: het model mist gegevens. Er wordt niets geschat.",
        "There is no suggestion: the model lacks data. Nothing is estimated.",
    ),
    AdviceState.OBJECTED: Text(
        "De inwoner heeft bezwaar gemaakt tegen suggesties van het rekenmodel. Er wordt niets "
        "berekend.",
        "The resident objected to suggestions from the model. Nothing is computed.",
    ),
    AdviceState.NO_MODEL: Text("Er is nog geen model in gebruik.", "No model is in use yet."),
    AdviceState.NO_ACCESS: Text(
        "U kunt voor hulp naar werk geen gegevens van deze cliënt zien: er is geen lopend "
        "traject re-integratie waarvoor de gegevens gedeeld zijn. Vraag ze op met een verzoek. "
        "Er wordt niets geschat.",
        "You cannot see this client's data for support towards work: there is no open "
        "re-integratie trajectory the data were shared for. Ask for them with a request. "
        "Nothing is estimated.",
    ),
}


OWN_TEXTS = {
    AdviceState.PERSONAL: Text(
        "Suggesties voor u, met hoe zeker ze zijn. U kiest samen met uw klantmanager.",
        "Suggestions for you, with how certain they are. You choose with your case manager.",
    ),
    AdviceState.MISSING: Text(
        "Er is geen suggestie: het model mist gegevens van u. Er wordt niets geschat.",
        "There is no suggestion: the model lacks some of your data. Nothing is estimated.",
    ),
    AdviceState.OBJECTED: Text(
        "U heeft bezwaar gemaakt tegen suggesties van het rekenmodel. Er wordt niets berekend.",
        "You objected to suggestions from the model. Nothing is computed.",
    ),
}
"""Where the resident reads the state differently from staff."""


@dataclass(frozen=True)
class Option:
    instrument: str
    effect: float
    lower: float
    upper: float
    supported: bool
    """False: no comparable clients got it; never suggested."""
    explanation: explain.Explanation | None = None

    @property
    def label(self) -> Text:
        return data.INSTRUMENT_LABELS[self.instrument]

    @property
    def certainty(self) -> Text:
        return explain.certainty(self.lower, self.upper)


@dataclass(frozen=True)
class Advice:
    person_id: UUID
    state: AdviceState
    version: str | None = None
    options: tuple[Option, ...] = ()
    """Personal: every instrument, best first. Averages: the average effects."""
    suggested: str | None = None
    missing: tuple[Text, ...] = ()
    objected_since: datetime | None = None

    @property
    def message(self) -> Text:
        return STATE_TEXTS[self.state]

    def message_for(self, own: bool) -> Text:
        """The state in words, to the resident themselves (`own`) or to staff."""
        return OWN_TEXTS.get(self.state, self.message) if own else self.message

    def support(self, chosen: str) -> ModelSupport | None:
        """What a decision records about the model that supported it (Dutch, as published)."""
        if self.version is None or self.state not in (AdviceState.PERSONAL, AdviceState.AVERAGES):
            return None
        chosen_label = data.INSTRUMENT_LABELS[chosen].nl.lower()
        if self.state is AdviceState.PERSONAL:
            best = next((o for o in self.options if o.instrument == self.suggested), None)
            output = (
                f"suggestie: {best.label.nl.lower()} (naar schatting {round(best.effect * 100)} "
                f"van 100 meer aan het werk, tussen {round(best.lower * 100)} en "
                f"{round(best.upper * 100)}); gekozen: {chosen_label}"
                if best
                else f"geen hulp helpt naar verwachting; gekozen: {chosen_label}"
            )
            why = best.explanation.text(own=True).nl if best and best.explanation else ""
        else:
            output = f"alleen gemiddelde effecten getoond; gekozen: {chosen_label}"
            why = STATE_TEXTS[AdviceState.AVERAGES].nl
        return ModelSupport(ALGORITHM, self.version, output[:500], why[:2000])


def advise(store: Store, actor: User, person_id: UUID) -> Advice:
    """The advice for one client, as `actor` may see it: the case manager under the purpose
    re-integratie (their access must cover every input), or the resident themselves. Reads and
    logs only the model's inputs."""
    from datameent.services.vault import authorize_access

    try:
        registered, fitted = loaded(store)
    except InvalidInput:
        registered, fitted = None, None
    with store.unit_of_work() as uow:
        own = actor.person_id == person_id
        own_client = actor.has(Role.CASE_MANAGER) and uow.caseloads.is_active(
            actor.id, person_id, utcnow()
        )
        try:
            permit = authorize_access(
                uow, actor, Action.READ_VAULT, person_id, None if own else PURPOSE
            )
        except AccessDenied:
            if not own_client:
                raise
            # Their own client, but no grant for re-integratie: say so (the refusal is logged).
            return Advice(person_id, AdviceState.NO_ACCESS)
        if uow.persons.get(person_id) is None:
            raise NotFound()
        objected = uow.effect_models.objected(person_id)
        if objected is not None:
            uow.commit()
            return Advice(person_id, AdviceState.OBJECTED, objected_since=objected)
        if fitted is None or registered is None:
            uow.commit()
            return Advice(person_id, AdviceState.NO_MODEL)
        uncovered = data.ATTRIBUTES - permit.scope if permit.scope is not None else set()
        values = uow.vault.values(permit, person_id, history=False, only=data.ATTRIBUTES)
        uow.commit()
    current = {v.key: v.value for v in values}
    return advice_for(person_id, registered.version, fitted, current, uncovered, today())


def advice_for(
    person_id: UUID,
    version: str,
    fitted: model.EffectModel,
    current: dict[str, JsonValue],
    uncovered: Collection[str],
    today: date,
) -> Advice:
    """The advice from one person's `current` values of the model's inputs (`uncovered`: inputs
    the reader's access does not open)."""
    row = warehouse.person_row(current, today)
    row |= {k: value for k, value in current.items() if k.startswith("zrm_")}
    frame = pl.DataFrame([row]) if row else pl.DataFrame({"birth_year": [None]})
    x = data.features(frame, today.year)[0]
    lacking = data.missing(x)
    if lacking or uncovered:
        labels = {f.column: f.label for f in lacking}
        labels |= {k: catalogue.definition(k).label for k in uncovered}
        return Advice(person_id, AdviceState.MISSING, version,
                      missing=tuple(labels[k] for k in sorted(labels)))  # fmt: skip
    if not fitted.validation.reliable:
        averages = tuple(
            Option(a.instrument, a.effect, a.lower, a.upper, True)
            for a in sorted(fitted.averages, key=lambda a: -a.effect)
        )
        return Advice(person_id, AdviceState.AVERAGES, version, averages)
    prediction = fitted.predict(x.reshape(1, -1))
    best = prediction.suggestion(0)
    options = []
    for k, name in enumerate(fitted.instruments):
        supported = bool(prediction.supported[0, k])
        told = explain.explain(fitted, x, prediction, 0, k + 1) if supported else None
        effect, low, high = (float(p[0, k]) for p in (prediction.effect, prediction.lower,
                                                      prediction.upper))  # fmt: skip
        options.append(Option(name, effect, low, high, supported, told))
    options.sort(key=lambda o: (not o.supported, -o.effect))
    suggested = data.INSTRUMENTS[best] if best else None
    return Advice(person_id, AdviceState.PERSONAL, version, tuple(options), suggested)


def record_choice(
    store: Store,
    actor: User,
    person_id: UUID,
    *,
    chosen: str,
    outcome: str,
    made_known_on: date,
) -> Decision:
    """The case manager's own choice of instrument, recorded as a decision that names the model
    version and what it said (the suggestion is computed again here, never taken from a form)."""
    if chosen not in data.INSTRUMENTS:
        raise InvalidInput(Problem("chosen", UNKNOWN_INSTRUMENT))
    advice = advise(store, actor, person_id)
    return record_decision(
        store,
        actor,
        person_id,
        kind=DecisionKind.INSTRUMENT_ASSIGNED,
        outcome=outcome,
        legal_basis="Participatiewet art. 7 lid 1 sub a en art. 9",
        made_known_on=made_known_on,
        purpose=PURPOSE,
        relied_on=[],
        model=advice.support(chosen),
    )


UNKNOWN_INSTRUMENT = Text("Kies een soort hulp uit de lijst.", "Choose a kind of support.")


def set_objection(store: Store, actor: User, person_id: UUID, objecting: bool) -> None:
    """The resident objects to suggestions from the model (GDPR art. 21), or withdraws that;
    from then on nothing is computed from their data. Logged as the exercise of a right."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.EXERCISE_RIGHTS, person_id))
        uow.effect_models.set_objection(person_id, utcnow() if objecting else None)
        uow.log.touch(permit, person_id, set())
        uow.commit()
