"""Measuring an effect model against the synthetic municipality's ground truth.

Only a synthetic town knows every client's true effect (the difference between their chances of
work with and without each instrument), so only there can the model be measured honestly:

* **PEHE** (precision in estimating heterogeneous effects): the root mean squared error of the
  per-client effects, next to the same error of simple baselines: zero effect, and one constant
  effect per instrument (the true average: the best any constant can do);
* **coverage**: how often the 95 % interval holds the true effect;
* **policy value**: how many more clients find work if each gets the model's suggestion, as a
  share of what the oracle (who knows every true effect) achieves, next to giving everyone the
  instrument with the best average effect.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from datameent.analytics.effects.data import INSTRUMENTS, Array
from datameent.analytics.effects.model import EffectModel, Prediction


@dataclass(frozen=True)
class InstrumentScore:
    instrument: str
    pehe: float
    pehe_constant: float
    """PEHE of the true average effect, given to everyone."""
    pehe_zero: float
    coverage: float
    true_average: float
    estimated_average: float


@dataclass(frozen=True)
class TruthReport:
    clients: int
    instruments: tuple[InstrumentScore, ...]
    pehe: float
    """Over all instruments (root mean of the squared errors)."""
    pehe_constant: float
    pehe_zero: float
    coverage: float
    gain_model: float
    """True gain in the share at work of following the model's suggestions, over no instrument."""
    gain_constant: float
    """... of giving everyone the instrument with the best true average effect."""
    gain_constant_supported: float
    """... of choosing, among the instruments a client has counterparts for, the one with the
    best estimated average effect: the baseline of the model's own held-out test."""
    gain_oracle: float
    """... of giving everyone their truly best instrument."""

    @property
    def pehe_ratio(self) -> float:
        """The model's PEHE as a share of the constant effect's: below 1 is better."""
        return self.pehe / self.pehe_constant

    @property
    def policy_share(self) -> float:
        """The model's gain as a share of the oracle's."""
        return self.gain_model / self.gain_oracle if self.gain_oracle else 0.0


def against_truth(model: EffectModel, x: Array, truth: pl.DataFrame) -> TruthReport:
    """Score `model` on rows `x` whose true effects and chances are `truth` (same order), as
    `synthetic.warehouse` writes them."""
    return score(model.predict(x), truth)


def score(prediction: Prediction, truth: pl.DataFrame) -> TruthReport:
    tau = truth.select([f"tau_{n}" for n in INSTRUMENTS[1:]]).to_numpy()
    chance = truth.select([f"p_{n}" for n in INSTRUMENTS]).to_numpy()
    n = len(tau)
    error = prediction.effect - tau
    covered = (prediction.lower <= tau) & (tau <= prediction.upper)
    average = tau.mean(axis=0)
    scores = tuple(
        InstrumentScore(
            instrument=name,
            pehe=_rms(error[:, k]),
            pehe_constant=_rms(tau[:, k] - average[k]),
            pehe_zero=_rms(tau[:, k]),
            coverage=float(covered[:, k].mean()),
            true_average=float(average[k]),
            estimated_average=float(prediction.effect[:, k].mean()),
        )
        for k, name in enumerate(INSTRUMENTS[1:])
    )
    suggested = prediction.suggestions()
    by_constant = _by_constant_effect(prediction)
    rows = np.arange(n)
    best = int(np.argmax(average)) + 1 if average.max() > 0 else 0
    return TruthReport(
        clients=n,
        instruments=scores,
        pehe=_rms(error),
        pehe_constant=_rms(tau - average),
        pehe_zero=_rms(tau),
        coverage=float(covered.mean()),
        gain_model=float((chance[rows, suggested] - chance[:, 0]).mean()),
        gain_constant=float((chance[:, best] - chance[:, 0]).mean()),
        gain_constant_supported=float((chance[rows, by_constant] - chance[:, 0]).mean()),
        gain_oracle=float((chance.max(axis=1) - chance[:, 0]).mean()),
    )


def _by_constant_effect(prediction: Prediction) -> NDArray[np.int64]:
    """Per client, the supported instrument with the best average estimated effect (0: none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an instrument nobody is supported for
        shown = np.where(prediction.supported, prediction.effect, np.nan)
        constant = np.nan_to_num(np.nanmean(shown, axis=0), nan=-np.inf)
    return prediction.by_constant(constant)


def _rms(values: Array) -> float:
    return float(np.sqrt(np.mean(np.square(values))))
