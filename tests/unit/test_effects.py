"""The effect model's library: inputs, training with its checks, the held-out test, evaluation
against the truth, the fairness audit, explanations and the model card, on a small synthetic
town (real EconML, real fairlearn)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from datameent.analytics.effects import card, data, evaluate, explain, fairness, model
from datameent.analytics.effects.synthetic import SyntheticWarehouse, warehouse
from datameent.analytics.synth import population
from datameent.domain import purposes
from datameent.domain.registers import check_algorithm
from datameent.errors import InvalidInput

FAST = model.TrainingSettings(
    trees=40,
    interval_trees=20,
    boosting_rounds=40,
    min_leaf=20,
    interval_leaf=10,
    min_per_instrument=40,
)


@pytest.fixture(scope="module")
def town() -> SyntheticWarehouse:
    return warehouse(population(150_000, 5))


@pytest.fixture(scope="module")
def trained(town: SyntheticWarehouse) -> tuple[data.Observations, model.Training]:
    observed = data.observations(town.persons, town.reference_year, town.audit)
    done = model.train(observed, FAST, reference_year=town.reference_year, trained_on=date.today())
    return observed, done


def _prediction(effect: list[list[float]], supported: list[list[bool]] | None = None) -> (
    model.Prediction
):  # fmt: skip
    e = np.asarray(effect, dtype=float)
    s = np.ones(e.shape, dtype=bool) if supported is None else np.asarray(supported)
    return model.Prediction(e, e - 0.05, e + 0.05, np.full((len(e), 6), 1 / 6), s)


def test_the_synthetic_town_reads_as_a_warehouse_without_sensitive_inputs(
    town: SyntheticWarehouse,
) -> None:
    observed = data.observations(town.persons, town.reference_year, town.audit)
    assert len(observed) == town.persons.height > 2000
    assert observed.x.shape == (len(observed), len(data.FEATURES))
    assert not np.isnan(observed.x).any()
    assert set(observed.groups.columns) == set(data.AUDIT_GROUPS)
    inputs = set(data.NAMES)
    assert not inputs & {"sex", "migration_background", "household_type", "pc4", "age_band"}
    assert not inputs & {f"zrm_{d}" for d in data.EXCLUDED_ZRM}
    assert set(np.unique(observed.treatment)) == set(range(len(data.INSTRUMENTS)))


def test_the_inputs_are_what_the_reintegration_purpose_covers_and_no_more() -> None:
    reintegration = next(p for p in purposes.REGISTER if p.code == "re-integratie")
    assert data.ATTRIBUTES <= reintegration.attributes
    assert not data.ATTRIBUTES & {"debts", "benefit_start", "net_monthly_income", "postcode"}


def test_rows_without_outcome_or_inputs_are_left_out_and_counted(
    town: SyntheticWarehouse,
) -> None:
    rows = town.persons.head(10).with_row_index()
    rows = rows.with_columns(
        pl.when(pl.col("index") == 0).then(None).otherwise(pl.col("exit_to_work"))
        .alias("exit_to_work"),
        pl.when(pl.col("index") == 1).then(None).otherwise(pl.col("hours_available"))
        .alias("hours_available"),
        pl.when(pl.col("index") == 2).then(None).otherwise(pl.col("reintegration_instrument"))
        .alias("reintegration_instrument"),
    ).drop("index")  # fmt: skip
    observed = data.observations(rows, town.reference_year)
    assert len(observed) == 7
    assert observed.skipped == {"no_instrument": 1, "no_outcome": 1, "missing_inputs": 1}


def test_an_unknown_instrument_or_missing_column_is_refused(town: SyntheticWarehouse) -> None:
    odd = town.persons.head(5).with_columns(pl.lit("magic").alias("reintegration_instrument"))
    with pytest.raises(InvalidInput) as raised:
        data.observations(odd, town.reference_year)
    assert "onbekende soort hulp" in str(raised.value.detail.nl)
    with pytest.raises(InvalidInput) as raised:
        data.observations(town.persons.drop("exit_to_work"), town.reference_year)
    assert "exit_to_work" in str(raised.value.detail.en)


def test_too_little_data_for_an_instrument_is_refused_and_nothing_is_estimated(
    town: SyntheticWarehouse,
) -> None:
    few = town.persons.filter(
        (pl.col("reintegration_instrument") != "language_course") | (pl.col("birth_year") < 1970)
    )
    observed = data.observations(few, town.reference_year)
    with pytest.raises(InvalidInput) as raised:
        model.train(observed, FAST, reference_year=2026, trained_on=date.today())
    assert "language_course" in str(raised.value.detail.en)
    assert "Te weinig gegevens" in str(raised.value.detail.nl)


def test_an_instrument_without_overlap_is_refused(town: SyntheticWarehouse) -> None:
    """Everyone with no Dutch gets a language course and nobody else does: there is nobody to
    compare with, so nothing is estimated."""
    rigid = town.persons.with_columns(
        pl.when(pl.col("dutch_language_level") == "A0").then(pl.lit("language_course"))
        .when(pl.col("reintegration_instrument") == "language_course").then(pl.lit("none"))
        .otherwise(pl.col("reintegration_instrument")).alias("reintegration_instrument")
    )  # fmt: skip
    observed = data.observations(rigid, town.reference_year)
    assert (observed.treatment == 5).sum() >= FAST.min_per_instrument
    with pytest.raises(InvalidInput) as raised:
        model.train(observed, FAST, reference_year=2026, trained_on=date.today())
    assert "No overlap" in str(raised.value.detail.en) and "language_course" in str(
        raised.value.detail.en
    )


def test_a_trained_model_predicts_effects_intervals_and_overlap(
    trained: tuple[data.Observations, model.Training],
) -> None:
    observed, done = trained
    fitted = done.model
    assert len(done.held_out) == round(len(observed) * FAST.validation_share)
    assert done.prediction.effect.shape == (len(done.held_out), 5)
    p = done.prediction
    assert np.all(p.lower <= p.effect) and np.all(p.effect <= p.upper)
    assert np.allclose(p.propensity.sum(axis=1), 1)
    # a language course is hardly ever given to native speakers: they lack counterparts
    level = observed.x[done.held_out, data.NAMES.index("dutch_language_level")]
    flagged = ~p.supported[:, 4]
    assert flagged[level == 0].mean() > 0.3 > 3 * flagged[level >= 3].mean()
    assert fitted.overlap["language_course"] > fitted.overlap["coaching"]
    assert {a.instrument for a in fitted.averages} == set(data.INSTRUMENTS[1:])
    assert all(a.lower <= a.effect <= a.upper for a in fitted.averages)
    v = fitted.validation
    assert v.clients == len(done.held_out)
    assert v.reliable == (v.advantage_lower > 0)


def test_the_intervals_come_from_less_smoothed_forests_that_leave_the_estimates_alone(
    trained: tuple[data.Observations, model.Training],
) -> None:
    observed, done = trained
    x = observed.x[done.held_out]
    # Smaller leaves: more variance, so wider intervals than the estimate's own forest gives.
    wide = done.prediction.upper - done.prediction.lower
    low, high = done.model.estimator.const_marginal_effect_interval(x, alpha=0.05)
    assert wide.mean() > 1.2 * (high - low).mean()
    # Growing the second forests on the cached scores does not touch the first ones.
    rows = slice(0, 6_000)
    small = replace(FAST, trees=8, interval_trees=8, boosting_rounds=20, folds=2)
    fitted = model.fit_estimator(
        observed.x[rows], observed.treatment[rows], observed.outcome[rows], small, cache=True
    )
    before = fitted.const_marginal_effect(x[:200])
    refitted = model.refit_forests(fitted, small.interval_leaf, small.interval_trees)
    # (the forests' threads add up in any order: equal to the last bits, not bit for bit)
    assert np.allclose(fitted.const_marginal_effect(x[:200]), before, rtol=0, atol=1e-12)
    assert not np.allclose(refitted.const_marginal_effect(x[:200]), before, rtol=0, atol=1e-3)
    assert refitted.models_regression[0][0] is fitted.models_regression[0][0]  # shared
    # A saved model keeps no training rows.
    for estimator in (done.model.estimator, done.model.intervals, fitted, refitted):
        assert estimator._cached_values is None


def test_forests_are_sized_for_their_intervals() -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        model.TrainingSettings(interval_trees=50)
    with pytest.raises(ValueError, match="less smoothed"):
        model.TrainingSettings(min_leaf=30, interval_leaf=40)


def test_a_suggestion_is_the_best_supported_positive_effect() -> None:
    p = _prediction(
        [[0.1, 0.3, -0.1, 0.0, 0.2], [-0.1, -0.2, -0.3, -0.1, -0.1], [0.1, 0.3, 0.0, 0.0, 0.2]],
        [[True] * 5, [True] * 5, [True, False, True, True, True]],
    )
    assert p.suggestion(0) == 2  # coaching
    assert p.suggestion(1) is None  # nothing helps
    assert p.suggestion(2) == 5  # coaching unsupported: the language course
    assert p.suggestions().tolist() == [2, 0, 5]
    # by one constant effect per instrument, among the same supported instruments
    assert p.by_constant(np.array([0.1, 0.3, -0.1, 0.0, 0.2])).tolist() == [2, 2, 5]
    assert p.by_constant(np.full(5, -0.1)).tolist() == [0, 0, 0]


def test_the_evaluation_of_a_perfect_prediction_is_perfect() -> None:
    tau = np.array([[0.1, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.2, 0.0, 0.0]])
    base = np.array([0.2, 0.3])
    truth = pl.DataFrame(
        {
            **{
                f"p_{n}": base + (tau[:, i - 1] if i else 0) for i, n in enumerate(data.INSTRUMENTS)
            },  # fmt: skip
            **{f"tau_{n}": tau[:, i] for i, n in enumerate(data.INSTRUMENTS[1:])},
        }
    )
    report = evaluate.score(_prediction(tau.tolist()), truth)
    assert report.pehe == 0 and report.coverage == 1
    assert report.gain_model == pytest.approx(report.gain_oracle) == pytest.approx(0.15)
    assert report.pehe_constant == pytest.approx(np.sqrt(np.mean((tau - tau.mean(0)) ** 2)))
    zero = evaluate.score(_prediction(np.zeros((2, 5)).tolist()), truth)
    assert zero.gain_model == 0 and zero.pehe == pytest.approx(zero.pehe_zero)


def test_with_little_data_the_held_out_test_withholds_what_the_truth_confirms_is_worse(
    town: SyntheticWarehouse, trained: tuple[data.Observations, model.Training]
) -> None:
    """About 2,600 training clients are too few to learn effects per profile: following the
    model would help fewer people than one instrument for all, and the held-out test (which
    cannot see the truth) does not call it reliable, so pages show only averages."""
    observed, done = trained
    persons = pl.DataFrame({"person": [observed.persons[i] for i in done.held_out]})
    truth = persons.join(town.truth, on="person", how="left", maintain_order="left")
    report = evaluate.score(done.prediction, truth)
    assert report.clients == len(done.held_out)
    chosen = [done.prediction.suggestion(i) or 0 for i in range(report.clients)]
    chance = truth.select([f"p_{n}" for n in data.INSTRUMENTS]).to_numpy()
    gain = np.mean(chance[np.arange(report.clients), chosen] - chance[:, 0])
    assert report.gain_model == pytest.approx(gain)
    assert report.gain_model < report.gain_constant < report.gain_oracle
    assert not done.model.validation.reliable


def test_the_fairness_audit_compares_groups_and_hides_small_ones() -> None:
    p = _prediction([[0.2, 0, 0, 0, 0]] * 12 + [[0, 0.1, 0, 0, 0]] * 12 + [[0, 0, 0, 0, 0]] * 3)
    groups = pl.DataFrame({"sex": ["v"] * 12 + ["m"] * 12 + ["x"] * 3})
    report = fairness.audit(p, groups)
    shown = {r.group: r for r in report.rows}
    assert set(shown) == {"v", "m"} and report.hidden == {"sex": 1}
    assert shown["v"].measures["suggested_training"] == 1
    assert shown["m"].measures["suggested_coaching"] == 1
    assert report.differences["sex"]["expected_gain"] == pytest.approx(0.1)
    assert report.largest("expected_gain") == ("sex", pytest.approx(0.1))


def test_an_explanation_names_the_main_factors_in_plain_words(
    trained: tuple[data.Observations, model.Training],
) -> None:
    observed, done = trained
    row = 0
    x = observed.x[done.held_out[row]]
    fitted = done.model
    base, values = fitted.contributions(x, 4)
    distilled = fitted.explainers[3].predict(x.reshape(1, -1))[0]
    assert base + values.sum() == pytest.approx(distilled, abs=1e-6)
    told = explain.explain(fitted, x, done.prediction, row, 4)
    assert told.instrument == "wage_subsidy" and 0 < len(told.factors) <= explain.FACTORS
    assert "loonkostensubsidie" in told.summary().nl and "mensen zoals u" in told.summary().nl
    assert "zoals deze cliënt" in told.summary(own=False).nl
    assert all(f.text().nl.startswith("uw ") for f in told.factors)
    assert not any(f.text(own=False).nl.startswith("uw ") for f in told.factors)
    paragraph = told.text().nl
    assert told.factors[0].text().nl in paragraph and told.certainty.nl.rstrip(".") in paragraph
    contributions = [abs(f.contribution) for f in told.factors]
    assert contributions == sorted(contributions, reverse=True)


def test_uncertainty_is_said_in_words() -> None:
    assert "niet zeker of dit helpt" in explain.certainty(-0.02, 0.1).nl
    assert "not sure how large" in explain.certainty(0.01, 0.3).en
    assert "redelijk zeker" in explain.certainty(0.05, 0.1).nl


def test_the_card_and_register_entry_come_from_the_trained_version(
    trained: tuple[data.Observations, model.Training],
) -> None:
    observed, done = trained
    audit = fairness.audit(done.prediction, observed.groups[pl.Series(done.held_out)])
    document = card.card(done.model, audit)
    assert document["version"] == done.model.version
    assert document["validation"]["reliable"] == done.model.validation.reliable
    assert set(document["fairness"]["differences"]) == set(data.AUDIT_GROUPS)
    text = card.markdown(document)
    assert done.model.version in text and "Eerlijkheid / Fairness" in text
    entry = check_algorithm(card.register_entry(done.model, audit), {"effecten-leren"})
    assert entry.code == "wat-werkt-voor-wie" and done.model.version in entry.description


def test_a_saved_model_loads_only_unchanged(
    trained: tuple[data.Observations, model.Training], tmp_path: Path
) -> None:
    observed, done = trained
    path = tmp_path / "m.joblib"
    digest = model.save(done.model, path)
    again = model.load(path, digest)
    x = observed.x[:3]
    assert np.allclose(again.predict(x).effect, done.model.predict(x).effect)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(InvalidInput) as raised:
        model.load(path, digest)
    assert "veranderd" in str(raised.value.detail.nl)
