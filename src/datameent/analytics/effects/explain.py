"""Why the model expects an instrument to help one client, in plain language (B1), with its
uncertainty in words.

The factors are the inputs with the largest Shapley values (`EffectModel.contributions`) for that
client and instrument; the effect is told as a natural frequency ("of 100 people like you, about
6 more find work"), which readers understand better than percentage points. Every text comes in
two forms: to the resident ("your work experience") and about them, for staff.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datameent.analytics.effects.data import (
    FEATURES,
    INSTRUMENT_LABELS,
    INSTRUMENTS,
    Array,
    Feature,
)
from datameent.analytics.effects.model import EffectModel, Prediction
from datameent.domain.text import Text

FACTORS = 3
UNCERTAIN_WIDTH = 0.2
"""An interval wider than this (20 of 100 people) is called uncertain in words."""


@dataclass(frozen=True)
class Factor:
    feature: Feature
    value: float
    contribution: float
    """Change in the effect (a share) that this input accounts for."""

    def text(self, own: bool = True) -> Text:
        """The factor in words, to the resident (`own`: "your ...") or about them."""
        value = self.feature.describe(self.value)
        label = self.feature.label
        nl, en = (f"uw {label.nl}", f"your {label.en}") if own else (label.nl, label.en)
        if self.contribution >= 0:
            return Text(
                f"{nl} ({value.nl}): dit maakt de kans groter",
                f"{en} ({value.en}): this makes the chance larger",
            )
        return Text(
            f"{nl} ({value.nl}): dit maakt de kans kleiner",
            f"{en} ({value.en}): this makes the chance smaller",
        )


@dataclass(frozen=True)
class Explanation:
    instrument: str
    effect: float
    lower: float
    upper: float
    factors: tuple[Factor, ...]

    def summary(self, own: bool = True) -> Text:
        """The effect in words, to the resident (`own`) or about them (to staff)."""
        return _summary(INSTRUMENT_LABELS[self.instrument], self.effect, own)

    @property
    def certainty(self) -> Text:
        return certainty(self.lower, self.upper)

    def text(self, own: bool = True) -> Text:
        """Summary, factors and certainty as one paragraph."""
        parts = [self.summary(own), *(f.text(own) for f in self.factors), self.certainty]
        return Text(
            " ".join(p.nl.rstrip(".") + "." for p in parts),
            " ".join(p.en.rstrip(".") + "." for p in parts),
        )


def explain(
    model: EffectModel, x: Array, prediction: Prediction, row: int, instrument: int
) -> Explanation:
    """The explanation of `instrument` (index into `INSTRUMENTS`, not 0) for the client in `row`
    of `prediction`, whose inputs are `x` (1-d)."""
    k = instrument - 1
    effect = float(prediction.effect[row, k])
    lower, upper = float(prediction.lower[row, k]), float(prediction.upper[row, k])
    _, values = model.contributions(x, instrument)
    order = np.argsort(-np.abs(values))[:FACTORS]
    factors = tuple(
        Factor(FEATURES[i], float(x[i]), float(values[i])) for i in order if values[i] != 0
    )
    return Explanation(INSTRUMENTS[instrument], effect, lower, upper, factors)


def _people(share: float) -> int:
    return abs(round(share * 100))


def _summary(label: Text, effect: float, own: bool) -> Text:
    people = _people(effect)
    like_nl, like_en = ("mensen zoals u", "people like you") if own else (
        "mensen zoals deze cliënt", "people like this client")  # fmt: skip
    what_nl, what_en = label.nl.lower(), label.en.lower()
    if people == 0:
        return Text(
            f"Met {what_nl} vinden {like_nl} naar schatting niet vaker werk.",
            f"With {what_en}, {like_en} are not expected to find work more often.",
        )
    more_nl, more_en = ("meer", "more") if effect > 0 else ("minder", "fewer")
    return Text(
        f"Van 100 {like_nl} vinden er met {what_nl} naar schatting {people} {more_nl} binnen "
        "een jaar werk.",
        f"Of 100 {like_en}, about {people} {more_en} find work within a year with {what_en}.",
    )


def certainty(lower: float, upper: float) -> Text:
    """The uncertainty of an effect in words."""
    low, high = round(lower * 100), round(upper * 100)
    if lower <= 0 <= upper:
        return Text(
            f"We weten niet zeker of dit helpt. Het verschil ligt ergens tussen {low} en {high} "
            "van de 100 mensen, en kan dus ook nul zijn.",
            f"We are not sure this helps. The difference lies somewhere between {low} and "
            f"{high} of 100 people, so it may be none.",
        )
    if upper - lower > UNCERTAIN_WIDTH:
        return Text(
            f"We zijn niet zeker hoe groot het verschil is: ergens tussen {low} en {high} van "
            "de 100 mensen.",
            f"We are not sure how large the difference is: somewhere between {low} and {high} "
            "of 100 people.",
        )
    return Text(
        f"De schatting is redelijk zeker: tussen {low} en {high} van de 100 mensen.",
        f"The estimate is fairly certain: between {low} and {high} of 100 people.",
    )
