"""Statistics pages: key figures and a table builder for policy officers and the client council,
every figure through disclosure control; each chart with a data table and a text alternative;
CSV download."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.analytics.disclosure import REASONS, TOTAL, Status
from datameent.domain.accounts import User
from datameent.domain.statistics import (
    BREAKDOWNS,
    EPSILONS,
    MAX_BREAKDOWNS,
    MEASURES,
    TableRequest,
    category_label,
    category_labels,
    check_request,
    filter_title,
)
from datameent.errors import InvalidInput
from datameent.services import statistics
from datameent.services.statistics import Figures, Noisy, NoPopulation, NoWarehouse
from datameent.web.deps import PageUser, SettingsDep, StoreDep
from datameent.web.templating import locale_of, render

router = APIRouter()

KEY_FIGURES = (("clients", ("age_band",)), ("clients_per_1000", ("age_band",)),
               ("clients", ("household_type",)), ("clients", ("provisions",)),
               ("clients", ("benefit_start_year",)))  # fmt: skip


_STATUSES = frozenset(s.value for s in Status)


@dataclass(frozen=True)
class Row:
    categories: list[str]
    value: str
    hidden: bool
    reason: str
    total: bool


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str


@dataclass(frozen=True)
class Shown:
    title: str
    unit: str
    headers: list[str]
    rows: list[Row]
    bars: list[Bar]
    summary: str
    everything_hidden: bool
    leave_out: str | None
    hidden: int
    noisy: bool = False


def _number(value: float | None, request: TableRequest, locale: str) -> str:
    """A figure as people read it: whole people and euros, one decimal for averages; Dutch
    with a decimal comma and a thousands point."""
    if value is None:
        return ""
    if request.measure.statistic == "count":
        text = f"{int(value):,}"
    elif request.measure.amount:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.1f}"
    if locale == "nl":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def shown(figures: Figures, locale: str) -> Shown:
    table = figures.table
    coarser = BREAKDOWNS[figures.coarser].in_(locale) if figures.coarser else None
    return _shown(figures.request, table.cells, locale, table.everything_suppressed, coarser)


def shown_noisy(noisy: Noisy, locale: str) -> Shown:
    result = _shown(noisy.request, noisy.cells, locale, False, None)
    suffix = " (met ruis)" if locale == "nl" else " (with noise)"
    return dataclasses.replace(result, title=result.title + suffix, noisy=True)


def _shown(
    request: TableRequest,
    cells: pl.DataFrame,
    locale: str,
    everything_hidden: bool,
    leave_out: str | None,
) -> Shown:
    column = request.figure
    rows = []
    hidden = 0
    for cell in cells.rows(named=True):
        status = Status(cell["status"]) if cell["status"] in _STATUSES else Status.SAFE
        hidden += status is not Status.SAFE
        labels = [
            (("Totaal" if locale == "nl" else "Total") if cell[b] == TOTAL else
             category_label(b, cell[b], locale))
            for b in request.breakdowns
        ]  # fmt: skip
        rows.append(
            Row(
                labels,
                _number(cell[column], request, locale),
                status is not Status.SAFE,
                REASONS[status].in_(locale),
                any(cell[b] == TOTAL for b in request.breakdowns),
            )
        )
    bars = []
    if len(request.breakdowns) == 1:
        b = request.breakdowns[0]
        for cell in cells.rows(named=True):
            if cell[b] != TOTAL and cell[column] is not None:
                label = category_label(b, cell[b], locale)
                bars.append(Bar(label, float(cell[column]), _number(cell[column], request, locale)))
    title = request.measure.label.in_(locale)
    if request.breakdowns:
        by = ", ".join(BREAKDOWNS[b].in_(locale).lower() for b in request.breakdowns)
        title += (" naar " if locale == "nl" else " by ") + by
    title += filter_title(request, locale)
    return Shown(
        title,
        request.measure.unit.in_(locale) if request.measure.unit else "",
        [BREAKDOWNS[b].in_(locale) for b in request.breakdowns],
        rows,
        bars,
        _summary(bars, locale),
        everything_hidden,
        leave_out,
        hidden,
    )


def _summary(bars: list[Bar], locale: str) -> str:
    """The chart in words, for who cannot see it."""
    if not bars:
        return ""
    high = max(bars, key=lambda b: b.value)
    low = min(bars, key=lambda b: b.value)
    if locale == "nl":
        return (
            f"Staafdiagram met {len(bars)} staven. Hoogste: {high.label} ({high.shown}). "
            f"Laagste: {low.label} ({low.shown}). De tabel eronder geeft alle cijfers."
        )
    return (
        f"Bar chart with {len(bars)} bars. Highest: {high.label} ({high.shown}). "
        f"Lowest: {low.label} ({low.shown}). The table below gives every figure."
    )


def _request(request: Request) -> tuple[dict[str, Any], TableRequest]:
    params = request.query_params
    measure = params.get("maat", "clients")
    chosen = params.getlist("indeling")[: MAX_BREAKDOWNS + 2] if "maat" in params else ["age_band"]
    key, value = params.get("filter_indeling", ""), params.get("filter_waarde", "")[:64]
    form: dict[str, Any] = {
        "maat": measure,
        "indeling": chosen,
        "filter_indeling": key,
        "filter_waarde": value,
        "ruis": params.get("ruis", ""),
    }
    return form, check_request(measure, chosen, {key: value} if key else {})


@router.get("/statistiek")
def statistics_page(
    request: Request, user: PageUser, settings: SettingsDep, store: StoreDep
) -> Response:
    statistics.ensure_may_read(user)
    locale = locale_of(request)
    context: dict[str, Any] = {
        "measures": MEASURES,
        "breakdowns": BREAKDOWNS,
        "max_breakdowns": MAX_BREAKDOWNS,
        "problems": (),
        "result": None,
        "key_figures": [],
        "missing": None,
        "query": request.url.query,
        "domain": None,
        "exported_on": None,
    }
    status = 200
    try:
        context["form"], table_request = _request(request)
    except InvalidInput as error:
        context["form"] = dict(request.query_params)
        context["problems"] = error.problems
        table_request = None
        status = 422
    noise = _epsilon(context["form"].get("ruis", ""))
    try:
        if table_request is not None and noise is not None:
            noisy = statistics.noisy_table(
                store, settings.warehouse_path, user, table_request, noise
            )
            context["result"] = shown_noisy(noisy, locale)
            context["exported_on"], context["domain"] = noisy.exported_on, noisy.domain
        elif table_request is not None:
            figures = statistics.make_table(settings.warehouse_path, user, table_request)
            context["result"] = shown(figures, locale)
            context["exported_on"] = figures.exported_on
            context["domain"] = figures.domain
        context["key_figures"] = _key_figures(settings.warehouse_path, user, locale)
    except NoWarehouse as error:
        context["missing"] = error.detail
    except InvalidInput as error:  # a noisy table that cannot be made, or is over budget
        context["problems"] = error.problems
        status = 422
    context["budget"] = statistics.remaining_budget(store, user)
    context["may_check"] = statistics.may_check_quality(user)
    context["epsilons"] = EPSILONS
    context["filter_values"] = category_labels(locale)
    return render(request, "statistics.html", context, status=status)


def _key_figures(warehouse: Path, user: User, locale: str) -> list[Shown]:
    """The fixed tables every reader sees first; a rate only where population counts exist."""
    found = []
    for code, by in KEY_FIGURES:
        try:
            found.append(
                shown(statistics.make_table(warehouse, user, check_request(code, by)), locale)
            )
        except NoPopulation:
            continue
    return found


def _epsilon(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return -1.0  # refused by the check, with its message


@router.get("/statistiek.csv")
def statistics_csv(request: Request, user: PageUser, settings: SettingsDep) -> Response:
    locale = locale_of(request)
    _, table_request = _request(request)
    figures = statistics.make_table(settings.warehouse_path, user, table_request)
    result = shown(figures, locale)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([*result.headers, result.title, "toelichting" if locale == "nl" else "note"])
    for row in result.rows:
        writer.writerow([*row.categories, row.value, row.reason if row.hidden else ""])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="datameent-tabel.csv"'},
    )
