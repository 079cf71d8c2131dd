"""Benchmark: what works for whom, measured against the synthetic municipality's truth.

    .venv/bin/python -m benchmarks.effects [--clients 50000] [--train 40000] [--ihdp 10]
        [--seed 7] [--min-leaf N] [--interval-leaf N] [--trees N]
        [--interval-trees N] [--max-features F]

A synthetic town large enough for `--clients` clients; the first `--train` are the training
data (of which the model itself holds a fifth apart for its reliability test), the rest are
the test clients the figures are measured on. Figures and their baselines, all from this run:

* PEHE against the constant-effect baseline (the true average effect per instrument, the best
  any constant can do) and the zero effect; coverage of the 95 % intervals;
* policy value: the true gain of following the suggestions as a share of the oracle's, next to
  one instrument for everyone;
* training time and all the figures above next to EconML's `CausalForestDML` out of the box
  (one joint forest, the same boosted nuisance models), and the PEHE of a reference that is told
  the town's true functional form (the floor the noise allows);
* the time of one explanation (Shapley values and text) and of one client's full suggestion;
* the public IHDP benchmark (Hill 2011, response surface B, as EconML ships it): PEHE of
  datameent's estimator next to EconML's own estimators over `--ihdp` replications.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import time
import warnings
from datetime import date
from typing import Any

import numpy as np

from datameent.analytics.effects import data, evaluate, explain, fairness, model
from datameent.analytics.effects.synthetic import warehouse
from datameent.analytics.synth import BIJSTAND_RATE, population


def _town(clients: int, seed: int) -> Any:
    residents = math.ceil(clients / (BIJSTAND_RATE * 0.62))
    while True:
        town = warehouse(population(residents, seed))
        if town.persons.height >= clients:
            return town
        residents = int(residents * 1.1)


def _causal_forest(observed: data.Observations, x: Any, truth: Any, threads: int) -> dict[str, Any]:
    """EconML's CausalForestDML out of the box (one joint forest for all instruments), with the
    same boosted nuisance models: the baseline for time and accuracy."""
    from econml.dml import CausalForestDML
    from lightgbm import LGBMClassifier, LGBMRegressor

    started = time.perf_counter()
    forest = CausalForestDML(
        model_y=LGBMRegressor(n_estimators=200, learning_rate=0.05, n_jobs=threads, verbose=-1),
        model_t=LGBMClassifier(n_estimators=200, learning_rate=0.05, n_jobs=threads, verbose=-1),
        discrete_treatment=True, categories=list(range(len(data.INSTRUMENTS))),
        n_jobs=threads, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forest.fit(observed.outcome, observed.treatment, X=observed.x)
    seconds = time.perf_counter() - started
    effect = forest.const_marginal_effect(x)
    lower, upper = forest.const_marginal_effect_interval(x, alpha=0.05)
    supported = np.ones(effect.shape, dtype=bool)
    propensity = np.full((len(x), len(data.INSTRUMENTS)), 1 / len(data.INSTRUMENTS))
    report = evaluate.score(model.Prediction(effect, lower, upper, propensity, supported), truth)
    return {"seconds": round(seconds, 1), **_figures(report)}


def _correctly_specified(train: Any, test: Any, truth: Any, year: int) -> dict[str, Any]:
    """A reference, not an estimator anyone could use: a logistic regression told the true
    functional form of the synthetic town (which profile features drive which effect). Its PEHE
    is near the floor that noise in 40,000 binary outcomes allows."""
    import polars as pl
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    def design(rows: Any, arm: Any) -> Any:
        age = year - rows["birth_year"].to_numpy()
        level = rows["education_level"].replace_strict(
            {e: i for i, e in enumerate(data.EDUCATION)}).to_numpy()  # fmt: skip
        little = rows["dutch_language_level"].is_in(["A2", "A1", "A0"]).to_numpy()
        social = (rows["zrm_sociaal_netwerk"] + rows["zrm_maatschappelijke_participatie"]) / 2
        drivers = np.column_stack([
            np.ones(len(age)), level <= 1, age >= 55, (social <= 2.5).to_numpy(),
            rows["work_experience_years"].to_numpy() < 3, age >= 50, little,
        ]).astype(float)  # fmt: skip
        base = np.column_stack([
            rows["zrm_werk_opleiding"].to_numpy(), level, age, rows["benefit_years"].to_numpy(),
            rows["hours_available"].to_numpy() >= 24, rows["work_obligation_exempt"].to_numpy(),
            little,
        ]).astype(float)  # fmt: skip
        onehot = np.eye(len(data.INSTRUMENTS))[arm][:, 1:]
        return np.column_stack([base, *(onehot[:, [k]] * drivers for k in range(5))])

    code = {n: i for i, n in enumerate(data.INSTRUMENTS)}
    arm = train["reintegration_instrument"].replace_strict(code).to_numpy()
    scaler = StandardScaler().fit(design(train, arm))
    fitted = LogisticRegression(C=100, max_iter=5000).fit(
        scaler.transform(design(train, arm)), train["exit_to_work"].cast(pl.Int8).to_numpy()
    )
    chance = np.column_stack([
        fitted.predict_proba(scaler.transform(design(test, np.full(test.height, k))))[:, 1]
        for k in range(len(data.INSTRUMENTS))
    ])  # fmt: skip
    effect = chance[:, 1:] - chance[:, :1]
    supported = np.ones(effect.shape, dtype=bool)
    propensity = np.full(chance.shape, 1 / len(data.INSTRUMENTS))
    report = evaluate.score(model.Prediction(effect, effect, effect, propensity, supported), truth)
    figures = _figures(report)
    figures.pop("coverage")
    return figures


def _figures(report: evaluate.TruthReport) -> dict[str, Any]:
    return {
        "pehe": round(report.pehe, 4),
        "pehe_ratio": round(report.pehe_ratio, 3),
        "coverage": round(report.coverage, 3),
        "policy_share": round(report.policy_share, 3),
        "per_instrument_ratio": {
            s.instrument: round(s.pehe / s.pehe_constant, 2) for s in report.instruments
        },
    }


def synthetic(clients: int, train: int, seed: int, **settings_: float) -> dict[str, Any]:
    """`settings_`: training settings that differ from the product's (`min_leaf=30`, ...)."""
    started = time.perf_counter()
    town = _town(clients, seed)
    persons, truth = town.persons.head(clients), town.truth.head(clients)
    built = time.perf_counter() - started
    observed = data.observations(persons.head(train), town.reference_year, town.audit.head(clients))
    product = model.TrainingSettings()
    if "min_leaf" in settings_:  # the intervals' forests are never smoother than the estimate's
        settings_.setdefault("interval_leaf", min(product.interval_leaf, settings_["min_leaf"]))
    settings = dataclasses.replace(product, **settings_)
    started = time.perf_counter()
    done = model.train(observed, settings, reference_year=town.reference_year,
                       trained_on=date.today())  # fmt: skip
    seconds = time.perf_counter() - started
    fitted = done.model
    test = persons.slice(train)
    x = data.features(test, town.reference_year)
    baseline = _causal_forest(observed, x, truth.slice(train), settings.threads)
    reference = _correctly_specified(persons.head(train), test, truth.slice(train),
                                     town.reference_year)  # fmt: skip
    prediction = fitted.predict(x)
    report = evaluate.score(prediction, truth.slice(train))
    groups = test.join(town.audit, on="person", how="left").select(list(data.AUDIT_GROUPS))
    audit = fairness.audit(prediction, groups, truth.slice(train))

    rows = min(1000, len(x))
    started = time.perf_counter()
    chosen = prediction.suggestions()
    for row in range(rows):
        best = int(chosen[row]) or 4
        paragraph = explain.explain(fitted, x[row], prediction, row, best).text()
    explanation_ms = (time.perf_counter() - started) / rows * 1000
    assert paragraph.nl
    started = time.perf_counter()
    for row in range(50):
        single = fitted.predict(x[row : row + 1])
        explain.explain(fitted, x[row], single, 0, single.suggestion(0) or 4).text()
    suggestion_ms = (time.perf_counter() - started) / 50 * 1000

    return {
        "clients": clients,
        "train": train,
        "min_leaf": settings.min_leaf,
        "interval_leaf": settings.interval_leaf,
        "interval_trees": settings.interval_trees,
        "trees": settings.trees,
        "max_features": settings.max_features,
        "test": len(x),
        "town_seconds": round(built, 1),
        "training_seconds": round(seconds, 1),
        "training_ratio_to_causal_forest": round(seconds / baseline["seconds"], 2),
        "pehe": round(report.pehe, 4),
        "pehe_constant": round(report.pehe_constant, 4),
        "pehe_zero": round(report.pehe_zero, 4),
        "pehe_ratio": round(report.pehe_ratio, 3),
        "coverage": round(report.coverage, 3),
        "gain_model": round(report.gain_model, 4),
        "gain_constant": round(report.gain_constant, 4),
        "gain_constant_supported": round(report.gain_constant_supported, 4),
        "gain_oracle": round(report.gain_oracle, 4),
        "policy_share": round(report.policy_share, 3),
        "per_instrument": {
            s.instrument: {
                "pehe": round(s.pehe, 4),
                "constant": round(s.pehe_constant, 4),
                "coverage": round(s.coverage, 3),
            }
            for s in report.instruments
        },  # fmt: skip
        "baseline_causal_forest_dml": baseline,
        "reference_correctly_specified": reference,
        "held_out_test": {
            "reliable": fitted.validation.reliable,
            "gain_model": round(fitted.validation.gain_model, 4),
            "gain_constant": round(fitted.validation.gain_constant, 4),
            "advantage_lower": round(fitted.validation.advantage_lower, 4),
        },
        "overlap_flagged": {k: round(v, 3) for k, v in fitted.overlap.items()},
        "explanation_fidelity": {k: round(v, 3) for k, v in fitted.fidelity.items()},
        "fairness_largest_gain_gap": audit.largest("expected_gain"),
        "fairness_largest_regret_gap": audit.largest("regret"),
        "explanation_ms": round(explanation_ms, 2),
        "suggestion_ms": round(suggestion_ms, 1),
    }


def ihdp(replications: int, threads: int) -> dict[str, Any]:
    """PEHE on IHDP surface B (EconML's loader), 80/20 split, for each estimator."""
    from econml.data.dgps import ihdp_surface_B
    from econml.dml import CausalForestDML
    from econml.dr import LinearDRLearner
    from econml.metalearners import SLearner, TLearner, XLearner
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn.ensemble import GradientBoostingRegressor

    def ours(y: Any, t: Any, x: Any, xt: Any) -> Any:
        settings = model.TrainingSettings(
            min_leaf=10, interval_leaf=10, threads=threads, min_propensity=0.01
        )
        est = model.fit_estimator(x, t.astype(np.int64), y, settings, arms=2)
        return est.const_marginal_effect(xt)[:, 0]

    def boosted() -> Any:
        return GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0)

    def econml_own(name: str) -> Any:
        if name == "TLearner":
            return TLearner(models=boosted())
        if name == "SLearner":
            return SLearner(overall_model=boosted())
        if name == "XLearner":
            return XLearner(models=boosted())
        if name == "LinearDRLearner":
            return LinearDRLearner(random_state=0)
        return CausalForestDML(
            model_y=LGBMRegressor(verbose=-1, n_jobs=threads),
            model_t=LGBMClassifier(verbose=-1, n_jobs=threads),
            discrete_treatment=True, random_state=0, n_jobs=threads,
        )  # fmt: skip

    names = ("datameent", "TLearner", "SLearner", "XLearner", "LinearDRLearner",
             "CausalForestDML")  # fmt: skip
    errors: dict[str, list[float]] = {n: [] for n in names}
    for replication in range(replications):
        y, t, x, tau = ihdp_surface_B(random_state=replication)
        rng = np.random.default_rng(replication)
        order = rng.permutation(len(y))
        cut = int(len(y) * 0.8)
        a, b = order[:cut], order[cut:]
        for name in names:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if name == "datameent":
                    estimate = ours(y[a], t[a], x[a], x[b])
                else:
                    est = econml_own(name)
                    est.fit(y[a], t[a], X=x[a])
                    estimate = np.ravel(est.effect(x[b]))
            errors[name].append(float(np.sqrt(np.mean((estimate - tau[b]) ** 2))))
    return {
        "replications": replications,
        "pehe_mean": {n: round(float(np.mean(v)), 3) for n, v in errors.items()},
        "pehe_sd": {n: round(float(np.std(v)), 3) for n, v in errors.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--train", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ihdp", type=int, default=10, help="IHDP replications (0: skip)")
    parser.add_argument(
        "--min-leaf", type=int, help="clients per leaf of the forests (default: the product's)"
    )
    parser.add_argument(
        "--interval-leaf",
        type=int,
        help="clients per leaf of the forests for the intervals (default: the product's)",
    )
    parser.add_argument("--trees", type=int, help="trees per forest (default: the product's)")
    parser.add_argument(
        "--max-features",
        type=float,
        help="share of the inputs each split chooses among (default: the product's)",
    )
    parser.add_argument(
        "--interval-trees",
        type=int,
        help="trees per forest for the intervals (default: the product's)",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "synthetic": synthetic(
            args.clients,
            args.train,
            args.seed,
            **{
                name: value
                for name in ("min_leaf", "interval_leaf", "trees", "interval_trees", "max_features")
                if (value := getattr(args, name)) is not None
            },
        ),
    }
    if args.ihdp:
        result["ihdp"] = ihdp(args.ihdp, model.TrainingSettings().threads)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
