"""What works for whom: the effect of each reintegration instrument on exit to paid work, per
profile, from observational data.

Not "who is a risk" but "which support helps this person". The parts:

* `data`: the model's inputs, read from a warehouse table (pseudonymised, generalised), and the
  groups the fairness audit compares (never inputs);
* `model`: a doubly-robust forest (EconML's `ForestDRLearner`, cross-fitted nuisance models)
  with per-person intervals, overlap checks, and the held-out test that decides whether
  per-profile suggestions may be shown at all;
* `evaluate`: honest measurement against the synthetic municipality's ground truth;
* `fairness`: the audit across sensitive groups (fairlearn);
* `explain`: the main factors behind a suggestion, in plain language;
* `card`: the model card and the algorithm-register entry of a trained version.
"""

from __future__ import annotations

from datameent.domain.text import Text
from datameent.errors import InvalidInput


def refused(dutch: str, english: str) -> InvalidInput:
    """The error for data an effect model cannot use, in both languages."""
    return InvalidInput(detail=Text(dutch, english))
