"""The effect model: per client, how much each instrument changes the chance of paid work.

A doubly-robust learner (EconML's `ForestDRLearner`): gradient-boosted nuisance models (the
chance of each instrument given the profile, the chance of work given profile and instrument)
fitted with cross-fitting, then one honest generalised random forest per instrument on the
doubly-robust scores, which gives each client an effect, and a second, less smoothed one per
instrument on the same scores for the 95 % interval (`TrainingSettings.interval_leaf`).
Around it:

* **too little data** per instrument is refused, not extrapolated;
* **overlap**: a client whose chance of getting an instrument (or of getting none) is below
  `min_propensity` has no comparable counterparts for it; their effect for that instrument is
  flagged and never suggested;
* **the held-out test**: a fifth of the clients is kept apart. On it the model's effects and one
  constant effect per instrument are scored against doubly-robust pseudo-outcomes; only when
  the model is better, with 95 % confidence, is `Validation.reliable` true, and only then do
  pages show per-profile suggestions (otherwise they show the average effects);
* **explanations**: a small boosted tree per instrument distils the forest's effects, so that
  exact Shapley values (LightGBM's TreeSHAP) say which inputs moved one client's effect; its
  fidelity is measured and published.
"""

from __future__ import annotations

import copy
import hashlib
import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray

from datameent.analytics.effects import refused
from datameent.analytics.effects.data import INSTRUMENTS, NAMES, Array, Observations

Progress = Callable[[str], None]
MIN_OVERLAP = 0.02
"""Fewer training clients than this share with comparable counterparts for an instrument, and
training is refused: its effect could only be extrapolated."""
FORMAT = 2
"""Bumped when a saved model's shape changes; older files are refused, not misread."""


@dataclass(frozen=True)
class TrainingSettings:
    trees: int = 200
    """Trees per instrument's forest (a multiple of 4, for the intervals' little bags)."""
    min_leaf: int = 60
    """Clients per leaf of the forests: larger is smoother and less noisy."""
    max_features: float = 0.5
    """Share of the inputs each split of the forests chooses among (drawn anew per split).
    Half of them grows the forests in three quarters of the time of all of them, with the same
    PEHE and coverage on four towns; docs/benchmarks.md has the figures."""
    interval_leaf: int = 35
    """Clients per leaf of the forests that give the 95 % intervals: fewer than `min_leaf`
    (undersmoothing), so that where an effect changes sharply the smoothing's bias does not
    push the interval off the true effect; the estimate itself comes from the smoother forest."""
    interval_trees: int = 100
    """Trees per forest for the intervals (a multiple of 4)."""
    folds: int = 3
    """Cross-fitting folds of the nuisance models."""
    boosting_rounds: int = 200
    min_per_instrument: int = 200
    """Fewer clients with an instrument than this and training is refused."""
    min_propensity: float = 0.05
    """Below this chance of getting an instrument, a client has no comparable counterparts."""
    validation_share: float = 0.2
    seed: int = 0
    threads: int = 2

    def __post_init__(self) -> None:
        if self.trees % 4 or self.interval_trees % 4:
            raise ValueError("forests need a multiple of 4 trees (their intervals' little bags)")
        if self.interval_leaf > self.min_leaf:
            raise ValueError("the forests for the intervals must be less smoothed, not more")


@dataclass(frozen=True)
class Average:
    """One instrument's average effect on the held-out clients (doubly robust), with 95 %."""

    instrument: str
    effect: float
    lower: float
    upper: float
    clients: int
    """Clients in the training data who got the instrument (fitted and held out)."""


@dataclass(frozen=True)
class Validation:
    """The held-out test against one constant effect per instrument, on doubly-robust scores.

    Suggestions exist to choose an instrument, so the test is whether choosing by the model
    beats giving everyone the instrument with the best average effect: the paired difference
    of the two policies' doubly-robust gains, client by client, must be above zero with 95 %
    confidence. The squared distance of the effects to the scores is reported beside it (it
    weighs every instrument, also those never chosen, and is far noisier)."""

    clients: int
    gain_model: float
    """How many more clients (a share) would be at work within 12 months if everyone got the
    model's suggestion than if nobody got an instrument."""
    gain_constant: float
    """... if everyone got, of the instruments they have comparable counterparts for, the one
    with the best average effect."""
    advantage_lower: float
    """One-sided 95 % lower bound of `gain_model - gain_constant`."""
    risk_model: float
    """Mean squared distance of the model's effects to the doubly-robust scores."""
    risk_constant: float
    """... of the constant effects."""

    @property
    def reliable(self) -> bool:
        """Per-profile suggestions may be shown: the model beats the constant effect."""
        return self.advantage_lower > 0


@dataclass(frozen=True)
class Prediction:
    """Effects for a batch of clients: one column per instrument other than "none"."""

    effect: Array
    lower: Array
    upper: Array
    propensity: Array
    """The chance of each instrument (all six), as case managers chose."""
    supported: NDArray[np.bool_]
    """The client has comparable counterparts for that instrument (and for "none")."""

    def suggestions(self) -> NDArray[np.int64]:
        """Per row, the index into `INSTRUMENTS` of the supported instrument with the largest
        effect if that effect is positive, else 0 ("none": nothing supported or nothing helps)."""
        effect = np.where(self.supported, self.effect, -np.inf)
        best = np.argmax(effect, axis=1) if len(effect) else np.zeros(0, dtype=np.int64)
        gain = effect[np.arange(len(effect)), best]
        return np.where(gain > 0, best + 1, 0).astype(np.int64)

    def suggestion(self, row: int) -> int | None:
        """`suggestions` for one row, None for "none"."""
        return int(self.suggestions()[row]) or None

    def by_constant(self, constant: Array) -> NDArray[np.int64]:
        """What `suggestions` would choose with one constant effect per instrument instead of
        each row's own, among the same supported instruments."""
        return replace(self, effect=np.broadcast_to(constant, self.effect.shape)).suggestions()


@dataclass
class EffectModel:
    """One trained version: the estimator, what it was trained on, and how it did."""

    version: str
    trained_on: date
    reference_year: int
    settings: TrainingSettings
    clients: int
    skipped: dict[str, int]
    averages: tuple[Average, ...]
    validation: Validation
    overlap: dict[str, float]
    """Per instrument: the share of training clients without comparable counterparts."""
    fidelity: dict[str, float]
    """Per instrument: R² of the explanation's distilled trees against the forest (held out)."""
    estimator: Any = field(repr=False)
    intervals: Any = field(repr=False)
    """The same estimator with the less smoothed forests of `TrainingSettings.interval_leaf`."""
    explainers: tuple[Any, ...] = field(repr=False)
    format: int = FORMAT

    @property
    def instruments(self) -> tuple[str, ...]:
        return INSTRUMENTS[1:]

    def propensity(self, x: Array) -> Array:
        """The chance of each instrument given the profile, averaged over the fold models."""
        models = self.estimator.models_propensity[0]
        return np.asarray(sum(m.predict_proba(x) for m in models) / len(models))

    def predict(self, x: Array) -> Prediction:
        """Effects, intervals and overlap for complete rows `x`."""
        effect = self.estimator.const_marginal_effect(x)
        lower, upper = self.intervals.const_marginal_effect_interval(x, alpha=0.05)
        # The interval always holds the estimate it is shown with.
        lower, upper = np.minimum(lower, effect), np.maximum(upper, effect)
        propensity = self.propensity(x)
        return Prediction(effect, lower, upper, propensity, self._supported(propensity))

    def effects(self, x: Array) -> tuple[Array, NDArray[np.bool_]]:
        """`predict`'s effects and overlap alone: a fraction of its time, for many rows."""
        return self.estimator.const_marginal_effect(x), self._supported(self.propensity(x))

    def _supported(self, propensity: Array) -> NDArray[np.bool_]:
        floor = self.settings.min_propensity
        return np.asarray((propensity[:, 1:] >= floor) & (propensity[:, :1] >= floor))

    def contributions(self, x: Array, instrument: int) -> tuple[float, Array]:
        """Shapley values of the inputs of one client (1-d `x`) for the effect of `instrument`
        (index into `INSTRUMENTS`, not 0): the distilled tree's base value and one value per
        input, which add up to the distilled effect."""
        values = self.explainers[instrument - 1].predict(x.reshape(1, -1), pred_contrib=True)[0]
        return float(values[-1]), np.asarray(values[:-1])


@dataclass(frozen=True)
class Training:
    """A trained model and its held-out clients (for the fairness audit and the truth)."""

    model: EffectModel
    held_out: NDArray[np.int64]
    """Rows of the training data kept apart from fitting."""
    prediction: Prediction
    """The model's prediction for the held-out rows."""


def train(
    data: Observations,
    settings: TrainingSettings | None = None,
    *,
    reference_year: int,
    trained_on: date,
    progress: Progress | None = None,
) -> Training:
    """Fit, check and validate an effect model on `data` (see the module's description)."""
    tell = progress or (lambda _: None)
    settings = settings or TrainingSettings()
    counts = np.bincount(data.treatment, minlength=len(INSTRUMENTS))
    scarce = [INSTRUMENTS[i] for i, c in enumerate(counts) if c < settings.min_per_instrument]
    if scarce:
        raise refused(
            f"Te weinig gegevens: minder dan {settings.min_per_instrument} cliënten kregen "
            f"{', '.join(scarce)}. Er wordt niets geschat.",
            f"Too little data: fewer than {settings.min_per_instrument} clients got "
            f"{', '.join(scarce)}. Nothing is estimated.",
        )
    train_rows, held_out = _split(data, settings)
    x, t, y = data.x[train_rows], data.treatment[train_rows], data.outcome[train_rows]
    tell(f"training on {len(train_rows):,} clients, {len(held_out):,} held out")
    estimator = fit_estimator(x, t, y, settings, cache=True)
    tell("forests for the intervals")
    intervals = refit_forests(estimator, settings.interval_leaf, settings.interval_trees)
    model = EffectModel(
        version=_version(data, settings),
        trained_on=trained_on,
        reference_year=reference_year,
        settings=settings,
        clients=len(data),
        skipped=dict(data.skipped),
        averages=(),
        validation=Validation(0, 0, 0, 0, 0, 0),
        overlap={},
        fidelity={},
        estimator=estimator,
        intervals=intervals,
        explainers=(),
    )
    tell("effects of the training clients")
    effect, supported = model.effects(x)
    model.overlap = {
        name: float(1 - supported[:, k].mean()) for k, name in enumerate(model.instruments)
    }
    lonely = [name for name, share in model.overlap.items() if share > 1 - MIN_OVERLAP]
    if lonely:
        raise refused(
            f"Geen overlap: wie {', '.join(lonely)} kreeg, lijkt op bijna niemand die het niet "
            "kreeg (of omgekeerd). Er is niets te vergelijken; er wordt niets geschat.",
            f"No overlap: those who got {', '.join(lonely)} are like almost nobody who did not "
            "(or the other way round). There is nothing to compare; nothing is estimated.",
        )
    tell("held-out test against a constant effect")
    xv, tv, yv = data.x[held_out], data.treatment[held_out], data.outcome[held_out]
    checked = model.predict(xv)
    scores = _dr_scores(model, xv, tv, yv)
    constant = np.nanmean(np.where(supported, effect, np.nan), axis=0)
    model.validation = _validate(checked, scores, constant)
    model.averages = _averages(scores, checked.supported, counts)
    tell("explanations")
    model.explainers, model.fidelity = _explainers(model, x, effect, xv, checked.effect)
    for k in range(1, len(INSTRUMENTS)):
        for forests in (model.estimator, model.intervals):
            forests.model_cate(T=k).n_jobs = 1  # a suggestion is one client: no process pool
    return Training(model, held_out, checked)


def _split(
    data: Observations, settings: TrainingSettings
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    rng = np.random.default_rng(settings.seed)
    order = rng.permutation(len(data))
    cut = len(data) - max(1, round(len(data) * settings.validation_share))
    return np.sort(order[:cut]), np.sort(order[cut:])


def fit_estimator(
    x: Array,
    t: NDArray[np.int64],
    y: Array,
    settings: TrainingSettings,
    arms: int = 0,
    *,
    cache: bool = False,
) -> Any:
    """The fitted doubly-robust forest alone (`arms`: treatment values 0..arms-1, by default
    the instruments), without the checks around it; the benchmark also runs it elsewhere.
    `cache`: keep the doubly-robust scores for `refit_forests`."""
    from econml.dr import ForestDRLearner
    from lightgbm import LGBMClassifier, LGBMRegressor

    def boosting(kind: type[Any]) -> Any:
        return kind(
            n_estimators=settings.boosting_rounds,
            learning_rate=0.05,
            num_leaves=31,
            min_child_samples=40,
            n_jobs=settings.threads,
            random_state=settings.seed,
            verbose=-1,
        )

    estimator = ForestDRLearner(
        model_regression=boosting(LGBMRegressor),
        model_propensity=boosting(LGBMClassifier),
        cv=settings.folds,
        min_propensity=settings.min_propensity,
        categories=list(range(arms or len(INSTRUMENTS))),
        n_estimators=settings.trees,
        min_samples_leaf=settings.min_leaf,
        max_features=settings.max_features,
        honest=True,
        n_jobs=settings.threads,
        random_state=settings.seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LightGBM's feature-name notices
        estimator.fit(y, t, X=x, cache_values=cache)
    return estimator


def refit_forests(estimator: Any, min_leaf: int, trees: int) -> Any:
    """A copy of `estimator` (fitted with `cache`) whose forests are grown again, on the same
    doubly-robust scores, with `trees` trees of `min_leaf` clients per leaf; the nuisance
    models are shared. Both lose the cached scores afterwards: a saved model holds no training
    rows."""
    refitted = copy.copy(estimator)
    refitted.min_samples_leaf, refitted.n_estimators = min_leaf, trees
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refitted.refit_final()
    estimator._cached_values = refitted._cached_values = None
    return refitted


def _dr_scores(model: EffectModel, x: Array, t: NDArray[np.int64], y: Array) -> Array:
    """Doubly-robust pseudo-outcomes of each instrument's effect for held-out rows, from the
    nuisance models fitted on the training rows only."""
    floor = model.settings.min_propensity
    propensity = np.clip(model.propensity(x), floor, 1 - floor)
    regressions = model.estimator.models_regression[0]
    k = len(INSTRUMENTS)
    outcome = np.zeros((len(x), k))
    for i in range(k):
        onehot = np.zeros((len(x), k - 1))
        if i:
            onehot[:, i - 1] = 1
        design = np.hstack([x, onehot])
        mu = sum(m.predict(design) for m in regressions) / len(regressions)
        outcome[:, i] = mu + (t == i) * (y - mu) / propensity[:, i]
    return np.asarray(outcome[:, 1:] - outcome[:, :1])


def _validate(checked: Prediction, scores: Array, constant: Array) -> Validation:
    n = len(scores)
    rows = np.arange(n)
    cells = checked.supported

    def gains(choice: NDArray[np.int64]) -> Array:
        """Per client, the doubly-robust score of the effect of what a policy picks (zero for
        "none"): their mean is the policy's gain over giving nobody an instrument."""
        return np.where(choice > 0, scores[rows, np.maximum(choice, 1) - 1], 0.0)

    # The baseline chooses like the model, among the same supported instruments, but by one
    # constant effect per instrument instead of the client's own.
    model, everyone = gains(checked.suggestions()), gains(checked.by_constant(constant))
    difference = model - everyone
    spread = float(np.std(difference, ddof=1)) if n > 1 else math.inf
    per_cell = max(1, int(cells.sum()))
    return Validation(
        clients=n,
        gain_model=float(model.mean()),
        gain_constant=float(everyone.mean()),
        advantage_lower=float(difference.mean() - 1.645 * spread / math.sqrt(n)),
        risk_model=float(np.where(cells, (scores - checked.effect) ** 2, 0).sum() / per_cell),
        risk_constant=float(np.where(cells, (scores - constant) ** 2, 0).sum() / per_cell),
    )


def _averages(scores: Array, supported: NDArray[np.bool_], counts: Any) -> tuple[Average, ...]:
    result = []
    for k, name in enumerate(INSTRUMENTS[1:]):
        column = scores[supported[:, k], k]
        mean = float(column.mean()) if len(column) else math.nan
        half = 1.96 * float(column.std(ddof=1)) / math.sqrt(len(column)) if len(column) > 1 else 0
        result.append(Average(name, mean, mean - half, mean + half, int(counts[k + 1])))
    return tuple(result)


def _explainers(
    model: EffectModel, x: Array, effect: Array, xv: Array, effect_v: Array
) -> tuple[tuple[Any, ...], dict[str, float]]:
    from lightgbm import LGBMRegressor

    explainers, fidelity = [], {}
    for k, name in enumerate(model.instruments):
        tree = LGBMRegressor(
            n_estimators=150,
            learning_rate=0.1,
            num_leaves=15,
            min_child_samples=50,
            n_jobs=model.settings.threads,
            random_state=model.settings.seed,
            verbose=-1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree.fit(x, effect[:, k])
        residual = effect_v[:, k] - tree.predict(xv)
        total = float(np.var(effect_v[:, k])) or 1.0
        fidelity[name] = float(1 - np.mean(residual**2) / total)
        tree.set_params(n_jobs=1)
        explainers.append(tree)
    return tuple(explainers), fidelity


def _version(data: Observations, settings: TrainingSettings) -> str:
    """A content address of what was learnt from: the same data and settings, the same version."""
    digest = hashlib.sha256()
    digest.update(repr(settings).encode())
    digest.update(repr(NAMES).encode())
    for part in (data.x, data.treatment, data.outcome):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()[:12]


def save(model: EffectModel, path: Path) -> str:
    """Write `model` to `path` (staged, then moved into place); returns its SHA-256, which the
    registry keeps so that a file changed afterwards is refused on loading."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    content = buffer.getvalue()
    staging = path.with_name(path.name + ".part")
    staging.write_bytes(content)
    staging.replace(path)
    return hashlib.sha256(content).hexdigest()


def load(path: Path, sha256: str) -> EffectModel:
    """The model at `path`, if its content still has the registered `sha256` (a pickle is only
    ever read from a file that datameent wrote itself and that nobody changed)."""
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise refused(
            "Het modelbestand is veranderd sinds de training. Het wordt niet gebruikt.",
            "The model file changed since training. It is not used.",
        )
    model = joblib.load(io.BytesIO(content))
    if not isinstance(model, EffectModel) or model.format != FORMAT:
        raise refused(
            "Dit modelbestand is van een andere versie. Train het model opnieuw.",
            "This model file is of another version. Train the model again.",
        )
    return model
