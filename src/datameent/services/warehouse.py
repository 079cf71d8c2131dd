"""The pseudonymised export from the operational store to the statistics warehouse.

A processing under its own purpose (statistics and policy information, AVG art. 6(1)(e) and
art. 89): every person exported gets a processing-log record of their own, written with the
batch that read them. What is written holds no direct identifier and only generalised
quasi-identifiers (`domain.warehouse`); persons and case managers appear as keyed pseudonyms of
one consumer domain (`analytics.pseudonyms`), so the warehouses of two domains cannot be joined.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl

from datameent.analytics.pseudonyms import Pseudonymiser
from datameent.domain import warehouse
from datameent.domain.accounts import User
from datameent.domain.attributes import JsonValue
from datameent.domain.deadlines import dutch_day
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.text import Text
from datameent.domain.vault import AttributeValue
from datameent.errors import DataErased, InvalidInput, Problem
from datameent.services.accounts import system_account
from datameent.services.clock import today
from datameent.store.uow import Store
from datameent.workdirs import staging_directory

UNKNOWN_DOMAIN = Text(
    "Onbekend afnemersdomein. Kies beleid, clientenraad of onderzoek.",
    "Unknown consumer domain. Choose beleid, clientenraad or onderzoek.",
)
BATCH = 500
"""Persons per transaction: their log records are committed with the batch that read them."""


@dataclass(frozen=True)
class Exported:
    domain: str
    persons: int
    assessments: int
    erased: int
    """Persons skipped because their data was erased (nothing of them can be read)."""
    files: tuple[str, ...]


SERVICE_ACCOUNT = "pseudonimisering"
"""The system account the export acts as: it never logs in; residents see it in their log."""


def service_account(store: Store) -> User:
    """The export service's system account, made on first use."""
    return system_account(store, SERVICE_ACCOUNT, "Pseudonimisering")


def export(store: Store, actor: User, domain: str, key: bytes, out: Path) -> Exported:
    """Export every person's current data, generalised and pseudonymised for `domain`, to
    `out` (Parquet files and a DuckDB database). `out` must not exist or be empty."""
    return export_many(store, actor, {domain: out}, key)[0]


def export_many(
    store: Store, actor: User, targets: Mapping[str, Path], key: bytes
) -> list[Exported]:
    """`export` for several consumer domains at once: each person is read (and logged) once,
    and written under each domain's pseudonyms to that domain's directory."""
    unknown = [d for d in targets if d not in warehouse.CONSUMER_DOMAINS]
    if unknown or not targets:
        raise InvalidInput(Problem("domain", UNKNOWN_DOMAIN))
    pseudonyms = {d: Pseudonymiser.for_domain(key, d) for d in targets}
    reference = today()
    with store.unit_of_work(write=False) as uow:
        ids = sorted(uow.persons.all_ids())
    persons: dict[str, list[dict[str, JsonValue]]] = {d: [] for d in targets}
    zrm: dict[str, list[dict[str, JsonValue]]] = {d: [] for d in targets}
    erased = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with store.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(actor, Action.EXPORT_STATISTICS))
            for person_id in chunk:
                try:
                    versions = uow.vault.values(permit, person_id, history=True)
                except DataErased:
                    erased += 1
                    continue
                assignment = uow.caseloads.open_for_person(person_id)
                manager = assignment.case_manager_id if assignment else None
                for domain, pseudonymiser in pseudonyms.items():
                    row, assessed = _person(pseudonymiser, person_id, versions, manager, reference)
                    persons[domain].append(row)
                    zrm[domain].extend(assessed)
            uow.commit()
    return [
        Exported(
            domain,
            len(persons[domain]),
            len(zrm[domain]),
            erased,
            _write(out, domain, persons[domain], zrm[domain], reference.isoformat()),
        )
        for domain, out in targets.items()
    ]


def _person(
    pseudonyms: Pseudonymiser,
    person_id: UUID,
    versions: list[AttributeValue],
    manager: UUID | None,
    reference: date,
) -> tuple[dict[str, JsonValue], list[dict[str, JsonValue]]]:
    current = {v.key: v.value for v in versions if v.current}
    person = pseudonyms.pseudonym("person", str(person_id))
    row: dict[str, JsonValue] = {
        "person": person,
        **warehouse.person_row(current, reference),
        **{k: current.get(k) for k in warehouse.ZRM_KEYS},
        "case_manager": pseudonyms.pseudonym("staff", str(manager)) if manager else None,
    }
    scores = [
        warehouse.Score(
            v.key,
            int(str(v.value)),
            v.provenance.valid_from or dutch_day(v.provenance.recorded_at),
            v.provenance.instrument_version,
            pseudonyms.pseudonym("staff", str(v.provenance.recorded_by))
            if v.provenance.recorded_by
            else None,
        )
        for v in versions
        if v.key in warehouse.ZRM_KEYS and v.value is not None
    ]
    assessed = [{"person": person, **a} for a in warehouse.assessments(scores)]
    return row, assessed


_PERSON_COLUMNS = (
    "person", "birth_year", "age_band", "sex", "pc4", "household_type", "household_size",
    "children_count", "housing", "monthly_rent", "income_source", "net_monthly_income", "savings",
    "debts", "debt_counselling", "benefit_type", "benefit_norm", "benefit_start_year",
    "benefit_years", "monthly_benefit", "work_obligation_exempt", "education_level",
    "dutch_language_level", "work_experience_years", "last_employment_year", "hours_available",
    "driving_licence", "reintegration_instrument", "exit_to_work", "provisions", "case_manager",
    *warehouse.ZRM_KEYS,
)  # fmt: skip
_ZRM_COLUMNS = (
    "person", "assessed_month", "instrument_version", "scorer", *warehouse.ZRM_KEYS,
)  # fmt: skip


POPULATION = "population.parquet"
"""Inhabitants per postcode area, age band, sex and household type, beside the warehouse."""


def load_population(out: Path, table: pl.DataFrame) -> int:
    """Put the population counts (the denominators of rates) beside an exported warehouse: as
    `population.parquet` and a `population` table in its DuckDB file. A table that breaks a
    rule is refused whole, every rule named with its rows; the warehouse is unchanged. Later
    exports keep it."""
    from datameent.analytics.quality import check_schema, population_counts, rule_in_words

    findings = check_schema(table, population_counts())
    if findings:
        raise InvalidInput(
            *(
                Problem(
                    f.column or "table",
                    Text(
                        f"{rule_in_words(f).nl} Rijen: {f.rows} (bijvoorbeeld rij "
                        f"{', '.join(str(r + 1) for r in f.examples) or '-'}).",
                        f"{rule_in_words(f).en} Rows: {f.rows} (for example row "
                        f"{', '.join(str(r + 1) for r in f.examples) or '-'}).",
                    ),
                )
                for f in findings
            )
        )
    if not (out / "warehouse.duckdb").exists():
        raise InvalidInput(
            Problem(
                "out",
                Text(
                    "Daar staat geen export; maak eerst de export (datameent warehouse export).",
                    "There is no export there; export first (datameent warehouse export).",
                ),
            )
        )
    import duckdb

    with staging_directory(out) as staging:
        table.write_parquet(staging / POPULATION)
        shutil.copy2(out / "warehouse.duckdb", staging / "warehouse.duckdb")
        with duckdb.connect(str(staging / "warehouse.duckdb")) as connection:
            _population_table(connection, staging / POPULATION)
        manifest = json.loads((out / "manifest.json").read_text())
        manifest.setdefault("rows", {})["population"] = table.height
        manifest["population_people"] = int(table["people"].sum())
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for name in (POPULATION, "warehouse.duckdb", "manifest.json"):
            os.replace(staging / name, out / name)
    return table.height


def _population_table(connection: Any, path: Path) -> None:
    connection.execute("DROP TABLE IF EXISTS population")
    connection.execute("CREATE TABLE population AS SELECT * FROM read_parquet(?)", [str(path)])


def _table(rows: list[dict[str, JsonValue]], columns: tuple[str, ...]) -> pl.DataFrame:
    data = {c: [r.get(c) for r in rows] for c in columns}
    return pl.DataFrame(data, strict=False)


def _write(
    out: Path,
    domain: str,
    persons: list[dict[str, JsonValue]],
    zrm: list[dict[str, JsonValue]],
    reference: str,
) -> tuple[str, ...]:
    """Write the warehouse into a fresh directory next to `out`, then move each file into place
    (an atomic rename): readers see the previous export or this one, never half of one."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    with staging_directory(out) as staging:
        tables = {"persons": _table(persons, _PERSON_COLUMNS), "zrm": _table(zrm, _ZRM_COLUMNS)}
        for name, table in tables.items():
            table.write_parquet(staging / f"{name}.parquet")
        with duckdb.connect(str(staging / "warehouse.duckdb")) as connection:
            for name in tables:
                path = str(staging / f"{name}.parquet")
                connection.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [path])
            if (out / POPULATION).exists():  # loaded earlier: the next export keeps it
                _population_table(connection, out / POPULATION)
        manifest: dict[str, Any] = {
            "domain": domain,
            "exported_on": reference,
            "purpose": "beleidsstatistiek",
            "rows": {name: table.height for name, table in tables.items()},
            "direct_identifiers_removed": sorted(warehouse.DIRECT_IDENTIFIERS | {"bsn"}),
            "generalised": {k: list(v) for k, v in warehouse.GENERALISED.items()},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        files = ("persons.parquet", "zrm.parquet", "warehouse.duckdb", "manifest.json")
        for name in files:
            os.replace(staging / name, out / name)
    return files
