"""Training the effect model as the service does it: a real store on SQLite and PostgreSQL,
its processing-log record, the registry with the file's hash, and evaluation on a fresh town."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from datameent.analytics.effects import card, data, model
from datameent.analytics.effects.synthetic import warehouse
from datameent.analytics.synth import population
from datameent.domain.decisions import DecisionKind
from datameent.errors import AccessDenied, InvalidInput
from datameent.services import caseloads, clock, decisions, effects, ledger, persons, registers
from datameent.store.tables import log_records
from datameent.store.uow import Store
from tests.support import user

FAST = model.TrainingSettings(
    trees=24,
    interval_trees=12,
    boosting_rounds=30,
    min_leaf=20,
    interval_leaf=10,
    min_per_instrument=40,
)


@pytest.fixture(scope="module")
def source() -> effects.Source:
    return effects.Source.synthetic(warehouse(population(150_000, 8)))


def test_training_is_logged_registered_and_writes_its_card(
    store: Store, source: effects.Source, tmp_path: Path
) -> None:
    actor = effects.service_account(store)
    done = effects.train(store, actor, source, tmp_path, FAST)
    assert done.file == tmp_path / "effects" / f"{done.version}.joblib" and done.file.exists()
    card = json.loads((tmp_path / "effects" / f"{done.version}.card.json").read_text())
    assert card["version"] == done.version and card["groundTruth"]["clients"] > 0
    assert card["registerEntry"]["processing_activity"] == "effecten-leren"
    assert (tmp_path / "effects" / f"{done.version}.card.md").read_text().startswith("# ")
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(log_records.c.operation, log_records.c.outcome, log_records.c.activity_uri)
        ).all()
    first, second = [(r.operation, r.outcome) for r in rows]
    assert first == second == ("statistics.effects", "allowed")
    assert all("effecten-leren" in r.activity_uri for r in rows)
    [registered] = effects.versions(store)
    assert registered.version == done.version and not registered.active
    assert registered.reliable == done.reliable and registered.card == done.card
    again, fitted = effects.loaded(store, done.version)
    assert again.sha256 == registered.sha256 and fitted.version == done.version


def test_a_version_is_evaluated_on_a_town_it_never_saw(
    store: Store, source: effects.Source, tmp_path: Path
) -> None:
    done = effects.train(store, effects.service_account(store), source, tmp_path, FAST)
    fresh = effects.Source.synthetic(warehouse(population(60_000, 99)))
    registered, report, audit = effects.evaluate_on(store, fresh, done.version, {"seed": 99})
    assert registered.version == done.version
    [kept] = effects.versions(store)[0].card["evaluations"]
    assert kept["seed"] == 99 and kept["clients"] == report.clients
    assert report.clients == fresh.persons.height and 0 <= report.coverage <= 1
    assert audit.rows and audit.minimum_group == 10
    with pytest.raises(InvalidInput):
        effects.evaluate_on(store, effects.Source(fresh.persons, 2026), done.version)


def test_only_the_service_may_train_and_a_refusal_registers_nothing(
    seeded: Store, source: effects.Source, tmp_path: Path
) -> None:
    store = seeded
    analyst = user(store, "analist1")
    with pytest.raises(AccessDenied):
        effects.train(store, analyst, source, tmp_path, FAST)
    assert effects.versions(store) == []
    with pytest.raises(InvalidInput):
        effects.loaded(store)
    empty = effects.Source(source.persons.head(0), 2026)
    with pytest.raises(InvalidInput):
        effects.train(store, effects.service_account(store), empty, tmp_path, FAST)
    assert effects.versions(store) == []


# Advice in the product ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(source: effects.Source) -> effects.Fitted:
    return effects.fit(source, FAST)


def _passed(fitted: effects.Fitted) -> effects.Fitted:
    """The same small model, marked as having passed its held-out test, to exercise how personal
    suggestions reach the product. (Whether a model passes is tested in tests/unit/test_effects.py
    and measured at scale in benchmarks/effects.py; this small one does not.)"""
    trained = fitted.training.model
    validation = replace(trained.validation, advantage_lower=0.01)
    marked = replace(trained, version=trained.version[:-1] + "p", validation=validation)
    document = {
        **card.card(marked, None),
        "fairness": fitted.card["fairness"],  # the same clients, the same audit
        "registerEntry": card.register_entry(marked, None),
    }
    return effects.Fitted(replace(fitted.training, model=marked), document, None)


def _in_use(store: Store, fitted: effects.Fitted, tmp_path: Path) -> str:
    done = effects.register(store, effects.service_account(store), fitted, tmp_path)
    effects.activate(store, user(store, "privacy1"), done.version)
    return done.version


def _client(store: Store, manager: str = "klantmanager1") -> UUID:
    return caseloads.my_caseload(store, user(store, manager))[0].person_id


def _reads(store: Store, person_id: UUID) -> list[set[str]]:
    lines = ledger.processing_log_of(store, user(store, "privacy1"), person_id)
    return [set(line.attribute_keys) for line in lines if line.operation == "vault.read"]


def _username(store: Store, person_id: UUID) -> str:
    with store.unit_of_work(write=False) as uow:
        account = uow.accounts.of_person(person_id)
    assert account is not None
    return account.username


def test_personal_suggestions_reach_the_case_manager_and_the_choice_becomes_a_decision(
    seeded: Store, fitted: effects.Fitted, tmp_path: Path
) -> None:
    store = seeded
    before = len(registers.algorithm_register(store, all_versions=True))
    version = _in_use(store, _passed(fitted), tmp_path)
    assert len(registers.algorithm_register(store, all_versions=True)) == before + 1
    [active] = [m for m in effects.versions(store) if m.active]
    assert active.version == version
    person = _client(store)
    manager = user(store, "klantmanager1")
    advice = effects.advise(store, manager, person)
    assert advice.state is effects.AdviceState.PERSONAL and advice.version == version
    assert [o.instrument for o in advice.options if o.supported][:1] == [advice.suggested] or (
        advice.suggested is None
    )
    shown = [o for o in advice.options if o.supported]
    assert shown and all(o.explanation and o.explanation.factors for o in shown)
    assert all(o.lower <= o.effect <= o.upper for o in shown)
    decision = effects.record_choice(
        store, manager, person, chosen="coaching", outcome="U krijgt een coach.",
        made_known_on=clock.today(),
    )  # fmt: skip
    assert decision.kind is DecisionKind.INSTRUMENT_ASSIGNED and decision.model is not None
    assert decision.model.version == version and "gekozen: coaching" in decision.model.output
    resident = user(store, _username(store, person))
    mine = decisions.my_decisions(store, resident)
    assert [d.model.version for d in mine.decisions if d.model] == [version]
    own = effects.advise(store, resident, person)
    assert own.state is effects.AdviceState.PERSONAL and own.suggested == advice.suggested
    # only the model's inputs were read, and every read was logged
    read = _reads(store, person)
    assert len(read) >= 3 and all(keys <= data.ATTRIBUTES for keys in read)


def test_an_objection_stops_every_suggestion_and_can_be_withdrawn(
    seeded: Store, fitted: effects.Fitted, tmp_path: Path
) -> None:
    store = seeded
    _in_use(store, _passed(fitted), tmp_path)
    person = _client(store)
    resident = user(store, _username(store, person))
    effects.set_objection(store, resident, person, True)
    manager = user(store, "klantmanager1")
    objected = effects.advise(store, manager, person)
    assert objected.state is effects.AdviceState.OBJECTED and not objected.options
    decision = effects.record_choice(
        store, manager, person, chosen="training", outcome="U volgt een opleiding.",
        made_known_on=clock.today(),
    )  # fmt: skip
    assert decision.model is None, "no model supported it"
    with pytest.raises(AccessDenied):
        effects.set_objection(store, manager, person, False)
    effects.set_objection(store, resident, person, False)
    assert effects.advise(store, manager, person).state is effects.AdviceState.PERSONAL


def test_without_a_reliable_model_only_averages_are_shown(
    seeded: Store, fitted: effects.Fitted, tmp_path: Path
) -> None:
    store = seeded
    assert effects.advise(store, user(store, "klantmanager1"), _client(store)).state is (
        effects.AdviceState.NO_MODEL
    )
    assert not fitted.training.model.validation.reliable
    _in_use(store, fitted, tmp_path)
    advice = effects.advise(store, user(store, "klantmanager1"), _client(store))
    assert advice.state is effects.AdviceState.AVERAGES
    assert {o.instrument for o in advice.options} == set(data.INSTRUMENTS[1:])
    assert all(o.explanation is None for o in advice.options)


def test_a_stranger_gets_no_advice_and_a_bad_choice_changes_nothing(
    seeded: Store, fitted: effects.Fitted, tmp_path: Path
) -> None:
    store = seeded
    _in_use(store, _passed(fitted), tmp_path)
    stranger = _client(store, "klantmanager2")
    with pytest.raises(AccessDenied):
        effects.advise(store, user(store, "klantmanager1"), stranger)
    person = _client(store)
    manager = user(store, "klantmanager1")
    before = decisions.decisions_of(store, manager, person).decisions
    with pytest.raises(InvalidInput):
        effects.record_choice(
            store, user(store, "klantmanager1"), person, chosen="magic", outcome="x",
            made_known_on=clock.today(),
        )  # fmt: skip
    assert decisions.decisions_of(store, manager, person).decisions == before


def test_without_a_grant_covering_the_inputs_nothing_is_suggested(
    seeded: Store, fitted: effects.Fitted, tmp_path: Path
) -> None:
    """A newly registered applicant has no trajectory yet: no grant for re-integratie opens
    the inputs, so nothing is read or estimated; the case manager is told so plainly, and the
    refusal is logged."""
    store = seeded
    _in_use(store, _passed(fitted), tmp_path)
    form = persons.IntakeForm("111222333", "Noor", None, "Smit", "1990-01-01")
    new = persons.register_person(store, user(store, "klantmanager1"), form)
    advice = effects.advise(store, user(store, "klantmanager1"), new.id)
    assert advice.state is effects.AdviceState.NO_ACCESS and not advice.options
    assert "geen lopend traject re-integratie" in advice.message.nl
    lines = ledger.processing_log_of(store, user(store, "privacy1"), new.id)
    assert [line.outcome for line in lines if line.operation == "vault.read"] == ["denied"]


def test_missing_or_unopened_inputs_are_named_and_nothing_is_suggested(
    fitted: effects.Fitted,
) -> None:
    trained = _passed(fitted).training.model
    some = {"birth_date": "1980-05-01", "education_level": "mbo", "zrm_financien": 3}
    advice = effects.advice_for(uuid4(), trained.version, trained, some, set(), clock.today())
    assert advice.state is effects.AdviceState.MISSING and not advice.options
    labels = {m.en for m in advice.missing}
    assert {"hours available", "level of Dutch"} <= labels and "age" not in labels
    assert "education" not in labels and "ZRM finances" not in labels
    closed = effects.advice_for(
        uuid4(), trained.version, trained, some, {"work_obligation_exempt"}, clock.today()
    )
    assert "Exempt from the duty to work" in {m.en for m in closed.missing}
