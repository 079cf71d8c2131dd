"""Disclosure-controlled tables over the API: for analysts, the privacy officer and the client
council, each from their own warehouse."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from datameent.analytics.disclosure import REASONS, Status
from datameent.domain.statistics import BREAKDOWNS, MEASURES, check_request
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem
from datameent.services import statistics
from datameent.web.deps import ApiUser, SettingsDep, StoreDep, run

router = APIRouter(tags=["statistics"])

NOISY = Text(
    "Met ruis: het echte aantal kan een beetje anders zijn.",
    "With noise: the real number may differ a little.",
)
_WHERE = Text(
    "Een filter schrijft u als indeling:waarde, bijvoorbeeld household_type:single.",
    "Write a filter as breakdown:value, for example household_type:single.",
)


def _text(text: Text | None) -> dict[str, str] | None:
    return {"nl": text.nl, "en": text.en} if text else None


@router.get("/statistics/vocabulary")
async def vocabulary(user: ApiUser) -> dict[str, Any]:
    """The measures and breakdowns a table can be made of."""
    statistics.ensure_may_read(user)
    return {
        "measures": [
            {"code": m.code, "label": _text(m.label), "unit": _text(m.unit), "kind": m.statistic}
            for m in MEASURES.values()
        ],
        "breakdowns": [{"code": c, "label": _text(t)} for c, t in BREAKDOWNS.items()],
    }


@router.get("/statistics/tables")
async def table(
    user: ApiUser,
    settings: SettingsDep,
    store: StoreDep,
    measure: str = "clients",
    by: Annotated[list[str] | None, Query(max_length=5)] = None,
    where: Annotated[list[str] | None, Query(max_length=5)] = None,
    epsilon: Annotated[float | None, Query(description="0.1, 0.5 or 1: noise instead")] = None,
) -> dict[str, Any]:
    """A table of `measure` by up to three breakdowns (`by`), filtered by `where`
    (`breakdown:value`; the value as the tables show it, in Dutch or English, or its code),
    after disclosure control: suppressed cells have no value, and say why.
    A table in which everything is suppressed says so and names the breakdown to leave out.
    With `epsilon`, a table of counts with differential privacy instead (OpenDP, discrete
    Laplace noise), paid from the reader's privacy budget; refused when the budget is spent."""
    filters: dict[str, str] = {}
    for item in where or []:
        key, sep, value = item.partition(":")
        if not sep or not value:
            raise InvalidInput(Problem("where", _WHERE))
        filters[key] = value
    request = check_request(measure, by or [], filters)
    if epsilon is not None:
        noisy = await run(
            store, statistics.noisy_table, store, settings.warehouse_path, user, request, epsilon
        )
        return {
            "measure": {"code": request.measure.code, "label": _text(request.measure.label)},
            "breakdowns": list(request.breakdowns),
            "filters": dict(request.filters),
            "domain": noisy.domain,
            "exportedOn": noisy.exported_on,
            "privacy": {"epsilon": noisy.epsilon, "remaining": round(noisy.remaining, 6)},
            "cells": [
                {
                    "categories": {b: row[b] for b in request.breakdowns},
                    "value": row["count"],
                    "status": "noisy",
                    "reason": _text(NOISY),
                }
                for row in noisy.cells.rows(named=True)
            ],
        }
    figures = statistics.make_table(settings.warehouse_path, user, request)
    cells = [
        {
            "categories": {b: row[b] for b in request.breakdowns},
            "value": row[request.figure],
            "count": row["count"],
            "status": row["status"],
            "reason": _text(REASONS[Status(row["status"])]) if row["status"] != "safe" else None,
        }
        for row in figures.table.cells.rows(named=True)
    ]
    rules = figures.table.rules
    return {
        "measure": {"code": request.measure.code, "label": _text(request.measure.label)},
        "breakdowns": list(request.breakdowns),
        "filters": dict(request.filters),
        "domain": figures.domain,
        "exportedOn": figures.exported_on,
        "rules": {
            "minFrequency": rules.min_frequency,
            "dominance": {"n": rules.dominance_n, "k": rules.dominance_k},
        },
        "audited": figures.table.audited,
        "everythingSuppressed": figures.table.everything_suppressed,
        "leaveOut": figures.coarser,
        "cells": cells,
    }
