"""The `datameent` command: demo, serve, db, seed, synth, link, ttp, quality, users, ledger,
warehouse."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import platformdirs
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from datameent import workdirs
from datameent.domain.accounts import ROLE_LABELS, Role
from datameent.errors import DatameentError, InvalidInput
from datameent.settings import Environment, Settings

if TYPE_CHECKING:
    from datameent.analytics.effects.evaluate import TruthReport
    from datameent.domain.accounts import User
    from datameent.store.uow import Store

app = typer.Typer(
    help="datameent: a data commons for the social domain.",
    no_args_is_help=True,
    # No stack traces for people: `main` turns errors into a message and exit code 1.
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
ledger_app = typer.Typer(help="The processing log (RFC 9162 Merkle log).", no_args_is_help=True)
keys_app = typer.Typer(help="The master key: its rotation.", no_args_is_help=True)
warehouse_app = typer.Typer(help="The pseudonymised statistics warehouse.", no_args_is_help=True)
ttp_app = typer.Typer(
    help="Linkage on keyed BSN pseudonyms with the roles apart: each role runs its own step "
    "with its own key (data holder: deliver; trusted third party: map; researcher: assemble).",
    no_args_is_help=True,
)
effects_app = typer.Typer(
    help="What works for whom: effects of reintegration instruments per profile.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(effects_app, name="effects")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(ttp_app, name="ttp")
app.add_typer(users_app, name="users")
app.add_typer(ledger_app, name="ledger")
app.add_typer(keys_app, name="keys")
console = Console()
errors = Console(stderr=True, soft_wrap=True)
"""Error messages stay on one line, however long a path in them: whole in a log, findable."""

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Directory for the database and local keys.")
]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: SQLite in data dir).")
]


def _settings(data_dir: Path | None, database_url: str | None, **extra: Any) -> Settings:
    """Settings from the environment, with the command line's choices on top."""
    overrides: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return Settings(**overrides).with_local_keys().validated()


def _export(settings: Settings) -> None:
    """Hand the settings to server worker processes, which read them from the environment."""
    os.environ["DATAMEENT_ENVIRONMENT"] = settings.environment.value
    os.environ["DATAMEENT_DATA_DIR"] = str(settings.data_dir)
    os.environ["DATAMEENT_DATABASE_URL"] = settings.sqlalchemy_url


@contextmanager
def _steps(title: str, steps: tuple[str, ...]) -> Iterator[Callable[[str], None]]:
    """A progress bar over named steps; yields the `tell(step)` a service reports through. A
    step is recognised by its first word ("training on 32,000 clients" is "training")."""
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(title, total=len(steps))

        def tell(step: str) -> None:
            first = step.split()[0] if step.strip() else ""
            known = [i for i, s in enumerate(steps) if s.split()[0] == first]
            progress.update(task, completed=known[0] if known else None,
                            description=step[:1].upper() + step[1:])  # fmt: skip

        yield tell
        progress.update(task, completed=len(steps))


def _fail(error: DatameentError) -> None:
    errors.print(f"[bold red]{error.title.en}[/]")
    if error.detail:
        errors.print(error.detail.en)
    if isinstance(error, InvalidInput):
        for problem in error.problems:
            errors.print(f"  {problem.field}: {problem.message.en}")
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Apply every schema revision (Alembic) to the database."""
    from datameent.store.migrate import upgrade

    settings = _settings(data_dir, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = settings.open_store()
    upgrade(store.engine)
    console.print("The database schema is up to date.")


def _seed(settings: Settings, persons: int, seed: int, password: str | None) -> Any:
    from datameent.services.seed import seed_municipality
    from datameent.store.migrate import upgrade

    store = settings.open_store()
    upgrade(store.engine)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Building the synthetic municipality", total=persons)
        result = seed_municipality(
            store,
            persons,
            seed,
            demo_password=password,
            progress=lambda n: progress.advance(task, n),
        )
    store.dispose()
    return result


@app.command()
def seed(
    persons: Annotated[int, typer.Option(min=1, max=1_000_000)] = 200,
    seed: Annotated[int, typer.Option()] = 42,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Fill an empty database with a synthetic municipality (accounts without passwords)."""
    settings = _settings(data_dir, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = _seed(settings, persons, seed, None)
    except DatameentError as error:
        errors.print("The database is not empty; seed only an empty database.")
        _fail(error)
    console.print(f"{result.municipality}: {result.persons} persons stored.")


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the tables to.")],
    persons: Annotated[int, typer.Option(min=1, max=20_000_000)] = 100_000,
    seed: Annotated[int, typer.Option()] = 42,
    force: Annotated[bool, typer.Option(help="Write into a directory that is not empty.")] = False,
) -> None:
    """Write a synthetic municipality as Parquet: residents, clients, ZRM, a statistics office's
    extract, and the ground truth (potential outcomes, true links) in `ground_truth/`."""
    from datameent.analytics.synth import population

    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        errors.print(f"{out} exists and is not an empty directory; choose another or --force.")
        raise typer.Exit(1)
    steps = ("neighbourhoods", "residents", "clients", "instruments and outcomes",
             "statistics office extract", "writing")  # fmt: skip
    with _steps("Building the synthetic municipality", steps) as tell:
        town = population(persons, seed, progress=tell)
        tell("writing")
        counts = town.write(out)
    table = Table("file", "rows")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"Seed {seed}, {persons:,} residents, written to {out}.")


@warehouse_app.command("export")
def warehouse_export(
    domain: Annotated[str, typer.Option(help="Consumer domain: beleid, clientenraad, onderzoek.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the warehouse to.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export everyone's current data, pseudonymised for one consumer domain and with
    generalised quasi-identifiers, as Parquet and DuckDB. Logged for every person exported."""
    from datameent.services import warehouse

    settings = _settings(data_dir, database_url)
    key = settings.pseudonym_key_bytes()
    if key is None:
        errors.print(
            "DATAMEENT_PSEUDONYM_KEY is not set; the export needs it (see docs/settings.md)."
        )
        raise typer.Exit(1)
    if not workdirs.empty(out):
        errors.print(f"{out} exists and is not an empty directory; choose another.")
        raise typer.Exit(1)
    store = settings.open_store()
    try:
        actor = warehouse.service_account(store)
        with console.status("Exporting and pseudonymising"):
            done = warehouse.export(store, actor, domain, key, out)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(
        f"Exported {done.persons:,} persons and {done.assessments:,} ZRM assessments for "
        f"'{done.domain}' to {out} ({', '.join(done.files)})."
    )
    if done.erased:
        console.print(f"{done.erased} erased persons were skipped.")


@warehouse_app.command("population")
def warehouse_population(
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="Population counts (CSV or Parquet): pc4, age_band, sex, household_type, people.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The exported warehouse's directory.")],
) -> None:
    """Put inhabitants per postcode area, age band, sex and household type (a BRP aggregate)
    beside an exported warehouse, for rates per 1,000 inhabitants. Checked whole first."""
    import polars as pl

    from datameent.services import warehouse

    try:
        if file.suffix.lower() == ".csv":
            text = dict.fromkeys(("pc4", "age_band", "sex", "household_type"), pl.String)
            table = pl.read_csv(file, schema_overrides={**text, "people": pl.Int64})
        else:
            table = pl.read_parquet(file)
    except (OSError, pl.exceptions.PolarsError) as error:
        errors.print(f"{file} cannot be read as a table: {type(error).__name__}.")
        raise typer.Exit(1) from None
    try:
        loaded = warehouse.load_population(out, table)
    except DatameentError as error:
        _fail(error)
    console.print(f"Loaded {loaded:,} population counts into {out}.")


def _columns(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in (value or "").split(",") if c.strip())


@app.command()
def link(
    left: Annotated[
        Path, typer.Option(help="The first source (Parquet), e.g. the municipality's.")
    ],
    right: Annotated[
        Path, typer.Option(help="The second source (Parquet), e.g. the statistics office's.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for the research output.")],
    method: Annotated[str, typer.Option(help="keyed, probabilistic or bloom.")] = "probabilistic",
    left_id: Annotated[
        str, typer.Option(help="Record id column of the first source.")
    ] = "person_id",
    right_id: Annotated[
        str, typer.Option(help="Record id column of the second source.")
    ] = "record_id",
    left_name: Annotated[
        str, typer.Option(help="Name of the first source in the output.")
    ] = "gemeente",
    right_name: Annotated[
        str, typer.Option(help="Name of the second source.")
    ] = "statistiekbureau",
    keep_left: Annotated[
        str | None, typer.Option(help="Research variables of the first source, comma-separated.")
    ] = None,
    keep_right: Annotated[
        str | None, typer.Option(help="Research variables of the second source, comma-separated.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Link at or above this score (default: the method's).")
    ] = None,
    one_to_one: Annotated[
        bool, typer.Option(help="Each source holds a person at most once.")
    ] = True,
    truth: Annotated[
        Path | None,
        typer.Option(
            help="True links (Parquet with both id columns), to measure precision and recall."
        ),
    ] = None,
    project: Annotated[
        str, typer.Option(help="Research project (keys the research pseudonyms).")
    ] = "onderzoek",
    backend: Annotated[
        str, typer.Option(help="duckdb, or spark for national scale (probabilistic).")
    ] = "duckdb",
    review_out: Annotated[
        Path | None,
        typer.Option(
            help="Directory for a sample of uncertain pairs for the data holders' clerical "
            "review (it holds names)."
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Link two sources without exchanging plain identifiers, and write a research table
    without them, with a quality report. The run is logged as a processing for research."""
    from datameent.services import linkage

    if method not in linkage.METHODS or backend not in linkage.BACKENDS:
        errors.print(
            "Choose --method keyed, probabilistic or bloom, and --backend duckdb or spark."
        )
        raise typer.Exit(1)
    settings = _settings(data_dir, database_url)
    linkage_key, research_key = settings.linkage_key_bytes(), settings.pseudonym_key_bytes()
    if linkage_key is None or research_key is None:
        errors.print(
            "DATAMEENT_LINKAGE_KEY and DATAMEENT_PSEUDONYM_KEY must be set to link "
            "(see docs/settings.md)."
        )
        raise typer.Exit(1)
    request = linkage.LinkRequest(
        method, left, right, left_id, right_id, left_name, right_name,
        _columns(keep_left), _columns(keep_right), threshold, one_to_one, truth, project,
        backend,
    )  # fmt: skip
    keys = linkage.LinkKeys(linkage_key, research_key, settings.ttp_key_bytes())
    steps = ("reading", "standardising", "encoding", "training", "comparing", "scoring",
             "one-to-one", "reporting")  # fmt: skip
    store = settings.open_store()
    try:
        actor = linkage.service_account(store)
        with _steps("Linking", steps) as tell:
            done = linkage.run(store, actor, request, keys, out, review_out=review_out,
                               progress=tell)  # fmt: skip
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(
        f"Linked {done.left_records:,} x {done.right_records:,} records with the {done.method} "
        f"method in {done.seconds:.1f} s: {done.links:,} links at threshold {done.threshold:g}."
    )
    if done.accuracy:
        a = done.accuracy
        console.print(f"Against the true links: precision {a.precision:.4f}, recall "
                      f"{a.recall:.4f}, F1 {a.f1:.4f}.")  # fmt: skip
    console.print(f"Written to {out}: {', '.join(done.files)}.")


Warehouse = Annotated[
    Path | None, typer.Option(help="A warehouse export (datameent warehouse export) to read.")
]
Synthetic = Annotated[
    int | None,
    typer.Option(
        min=1000, max=20_000_000,
        help="Instead of a warehouse: a synthetic town of this many residents (truth known).",
    ),
]  # fmt: skip


def _effects_source(warehouse: Path | None, synthetic: int | None, seed: int, audit: Path | None):  # type: ignore[no-untyped-def]
    from datameent.analytics.effects.synthetic import warehouse as synthetic_warehouse
    from datameent.analytics.synth import population
    from datameent.services.effects import Source

    if (warehouse is None) == (synthetic is None):
        errors.print("Choose either --warehouse DIR or --synthetic RESIDENTS.")
        raise typer.Exit(1)
    if warehouse is not None:
        return Source.warehouse(warehouse, audit)
    assert synthetic is not None
    with console.status(f"Building a synthetic town of {synthetic:,} residents"):
        return Source.synthetic(synthetic_warehouse(population(synthetic, seed)))


def _truth_lines(report: TruthReport) -> None:
    console.print(
        f"Against the truth ({report.clients:,} clients): PEHE {report.pehe:.4f}, constant "
        f"effect {report.pehe_constant:.4f} (ratio {report.pehe_ratio:.2f}), coverage of the "
        f"95 % intervals {report.coverage:.3f}, gain {report.gain_model * 100:.1f} per 100 = "
        f"{report.policy_share:.0%} of the oracle's {report.gain_oracle * 100:.1f}."
    )


@effects_app.command("train")
def effects_train(
    warehouse: Warehouse = None,
    synthetic: Synthetic = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic town.")] = 42,
    audit: Annotated[
        Path | None,
        typer.Option(help="Parquet with person and migration_background, for the audit only."),
    ] = None,
    trees: Annotated[
        int,
        typer.Option(
            min=4, max=4000, help="Trees per instrument (the forests for the intervals: half)."
        ),
    ] = 200,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Train a new version of the effect model, with its held-out test, fairness audit, model
    card and algorithm-register entry. Logged as a processing for research (AVG art. 89)."""
    from datameent.analytics.effects.model import TrainingSettings
    from datameent.services import effects

    settings = _settings(data_dir, database_url)
    source = _effects_source(warehouse, synthetic, seed, audit)
    steps = (
        "reading",
        "training",
        "forests for the intervals",
        "effects",
        "held-out",
        "explanations",
        "fairness audit",
    )
    store = settings.open_store()
    try:
        actor = effects.service_account(store)
        with _steps("Training", steps) as tell:
            # Whole little bags of 4 trees, for the intervals' forests half as many.
            bags = max(1, trees // 4)
            chosen = TrainingSettings(trees=4 * bags, interval_trees=4 * max(1, bags // 2))
            done = effects.train(store, actor, source, settings.data_dir, chosen, progress=tell)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    validation = done.card["validation"]
    console.print(
        f"Version {done.version}: suggestions "
        + ("[bold green]reliable[/]" if done.reliable else "[bold yellow]not reliable[/]")
        + f" (gain on held-out clients {validation['gain_model'] * 100:.1f} per 100 against "
        f"{validation['gain_constant'] * 100:.1f} with one instrument for all)."
    )
    if done.truth:
        _truth_lines(done.truth)
    console.print(f"Model and card written to {done.file.parent}.")


@effects_app.command("evaluate")
def effects_evaluate(
    synthetic: Annotated[
        int, typer.Option(min=1000, max=20_000_000, help="Residents of a fresh synthetic town.")
    ],
    seed: Annotated[int, typer.Option(help="Seed of that town (not the training's).")] = 4242,
    version: Annotated[
        str | None, typer.Option(help="Model version (default: the newest).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the report here (JSON and Markdown).")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Measure a trained version against the truth of a synthetic town it never saw: PEHE
    against a constant effect, interval coverage, policy value against the oracle, fairness."""
    from datameent.services import effects

    settings = _settings(data_dir, database_url)
    source = _effects_source(None, synthetic, seed, None)
    store = settings.open_store()
    try:
        if version is None:
            found = effects.versions(store)
            version = found[0].version if found else None
        with console.status("Evaluating"):
            about = {"residents": synthetic, "seed": seed}
            registered, report, audit = effects.evaluate_on(store, source, version, about)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"Version {registered.version}, on a town of {synthetic:,} (seed {seed}).")
    _truth_lines(report)
    attribute, gap = audit.largest("expected_gain")
    console.print(f"Largest gap in expected gain between groups: {gap * 100:.1f} per 100 "
                  f"({attribute}).")  # fmt: skip
    if out is not None:
        from datameent.analytics.effects import card

        out.mkdir(parents=True, exist_ok=True)
        document = {
            **registered.card,
            "groundTruth": card.truth_section(report),
            "fairness": card.fairness_section(audit),
            "evaluatedOn": {"residents": synthetic, "seed": seed},
        }
        (out / "evaluation.json").write_text(json.dumps(document, indent=2, default=str) + "\n")
        (out / "evaluation.md").write_text(card.markdown(document))
        console.print(f"Report written to {out}.")


def _key_or_exit(key: bytes | None, name: str) -> bytes:
    if key is None:
        errors.print(f"{name} is not set; this step needs it (see docs/settings.md).")
        raise typer.Exit(1)
    return key


@ttp_app.command("deliver")
def ttp_deliver(
    source: Annotated[Path, typer.Option(help="The data holder's source (Parquet).")],
    party: Annotated[str, typer.Option(help="This data holder's name, e.g. gemeente.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the delivery.")],
    bsn_column: Annotated[str, typer.Option(help="The column with the BSN.")] = "bsn",
    keep: Annotated[str | None, typer.Option(help="Research variables, comma-separated.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Data holder: keyed BSN pseudonyms for the trusted third party (identifiers.parquet) and
    the research variables for the researcher (payload.parquet). Needs DATAMEENT_LINKAGE_KEY."""
    from datameent.services import linkage

    settings = _settings(data_dir, database_url)
    key = _key_or_exit(settings.linkage_key_bytes(), "DATAMEENT_LINKAGE_KEY")
    store = settings.open_store()
    try:
        rows = linkage.deliver(
            store, linkage.service_account(store), source, party, key, out,
            bsn_column=bsn_column, keep=_columns(keep),
        )  # fmt: skip
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(
        f"Delivery of {party} ({rows:,} records) written to {out}: send identifiers.parquet "
        "and delivery.json to the trusted third party, payload.parquet and delivery.json to "
        "the researcher."
    )


@ttp_app.command("map")
def ttp_map(
    delivery: Annotated[list[Path], typer.Option(help="A delivery directory (twice or more).")],
    project: Annotated[str, typer.Option(help="The research project.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the mappings.")],
) -> None:
    """Trusted third party: research pseudonyms for the deliveries' identifiers (reads only
    identifiers.parquet and delivery.json). Needs DATAMEENT_TTP_KEY."""
    from datameent.services import linkage

    key = _key_or_exit(Settings().with_local_keys().ttp_key_bytes(), "DATAMEENT_TTP_KEY")
    try:
        parties = linkage.map_deliveries(key, project, delivery, out)
    except DatameentError as error:
        _fail(error)
    console.print(
        f"Mappings for {', '.join(parties)} written to {out}; send them to the researcher."
    )


@ttp_app.command("assemble")
def ttp_assemble(
    payload: Annotated[list[Path], typer.Option(help="A delivery directory with its payload.")],
    mappings: Annotated[Path, typer.Option(help="The TTP's mappings directory.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the research table.")],
) -> None:
    """Researcher: the linked research table from the payloads and the TTP's mappings. Needs no
    key and sees no identifier."""
    from datameent.services import linkage

    try:
        rows = linkage.assemble_research(payload, mappings, out)
    except DatameentError as error:
        _fail(error)
    console.print(f"Research table with {rows:,} persons written to {out / 'research.parquet'}.")


@app.command()
def quality(
    warehouse: Annotated[
        Path | None, typer.Option(help="A warehouse written by `warehouse export`.")
    ] = None,
    extract: Annotated[
        Path | None, typer.Option(help="A registry extract (Parquet) to check before loading.")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Exit with 1 when anything is found.")] = False,
) -> None:
    """Check the data before counting with it: column rules (pandera), ZRM plausibility and
    scorer drift. Findings name the rule, the column and row numbers, never a value."""
    from datameent.analytics import quality as checks

    if warehouse is None and extract is None:
        errors.print("Give --warehouse DIR, --extract FILE, or both.")
        raise typer.Exit(1)
    reports = []
    try:
        if warehouse is not None:
            reports.append(checks.warehouse_report(warehouse))
        if extract is not None:
            reports.append(checks.extract_report(extract))
    except (OSError, _polars_error()) as error:
        errors.print(f"The data could not be read ({type(error).__name__}): is the path right?")
        raise typer.Exit(1) from None
    table = Table("table", "rule", "column", "rows", "first rows")
    found = 0
    for report in reports:
        for name, rows in report.tables.items():
            console.print(f"{name}: {rows:,} rows checked")
        for f in report.findings:
            found += 1
            table.add_row(
                f.table, f.rule, f.column or "", f"{f.rows:,}", ", ".join(map(str, f.examples))
            )
    if found:
        console.print(table)
    else:
        console.print("No findings.")
    if found and strict:
        raise typer.Exit(1)


def _polars_error() -> type[Exception]:
    import polars as pl

    return pl.exceptions.PolarsError


def _print_accounts(result: Any, persons: int) -> None:
    table = Table(title="Demo accounts (password: demo)")
    table.add_column("Username")
    table.add_column("Role")
    table.add_column("Team")
    shown = min(persons, 3)
    for n in range(1, shown + 1):
        table.add_row(f"inwoner{n}", ROLE_LABELS[Role.RESIDENT].nl, "")
    if persons > shown:
        table.add_row(f"… inwoner{persons}", ROLE_LABELS[Role.RESIDENT].nl, "")
    for username, role, team in result.accounts:
        table.add_row(username, ROLE_LABELS[role].nl, team or "")
    console.print(table)


@app.command()
def demo(
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    persons: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    seed: Annotated[int, typer.Option()] = 42,
    data_dir: DataDir = None,
    effects: Annotated[
        bool,
        typer.Option(
            help="Learn what works for whom from a synthetic history of 40,000 clients, in the "
            "background (about a minute after the start)."
        ),
    ] = True,
) -> None:
    """Start a fresh demo municipality on http://127.0.0.1 with demo accounts."""
    directory = data_dir or platformdirs.user_data_path("datameent") / "demo"
    settings = _settings(directory, None, environment=Environment.DEMO, port=port)
    settings = settings.model_copy(update={"database_url": None, "host": "127.0.0.1"})
    _fresh_demo_database(settings.data_dir)
    result = _seed(settings, persons, seed, "demo")
    _print_accounts(result, persons)
    from datameent.analytics.game import game

    # Built once the server answers, so the start is not slowed: the statistics (a few
    # seconds, most of it importing the quality check's libraries), then the database game's
    # tables (ready before the first facilitator asks), then the effect model.
    background: list[Callable[[], object]] = [
        lambda: _demo_warehouses(settings, persons, seed),
        game,
    ]
    console.print("Preparing the statistics in the background (a few seconds).")
    if effects:
        background.append(lambda: _demo_effects(settings, seed))
        console.print("Learning what works for whom in the background; the suggestions for "
                      "case managers appear in about a minute.")  # fmt: skip
    _once_serving(port, background)
    console.print(f"Open [bold]http://127.0.0.1:{port}[/] (Ctrl+C stops the demo).")
    _run_server(settings, workers=1)


def _once_serving(port: int, work: list[Callable[[], object]], wait: float = 120) -> None:
    """Run `work`, one after another in a background thread, once the server on `port`
    accepts connections (or after `wait` seconds)."""
    import socket
    import threading
    import time

    def run() -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for task in work:
            task()

    threading.Thread(target=run, daemon=True).start()


DEMO_HISTORY = 2_000_000
"""Residents of the synthetic town the demo's effect model learns from (about 44,000 clients)."""


def _demo_effects(settings: Settings, seed: int) -> None:
    """Train the demo's effect model on a synthetic history and put it in use, as the demo's
    privacy officer would: an operator trains, the privacy officer activates."""
    from datameent.analytics.effects.synthetic import warehouse
    from datameent.analytics.synth import population
    from datameent.services import effects

    store = settings.open_store()
    try:
        source = effects.Source.synthetic(warehouse(population(DEMO_HISTORY, seed)))
        done = effects.train(store, effects.service_account(store), source, settings.data_dir)
        with store.unit_of_work(write=False) as uow:
            officer = uow.accounts.by_username("privacy1")
        if officer is not None:
            effects.activate(store, officer[0], done.version)
    except Exception:  # noqa: BLE001 - a demo without suggestions still serves
        errors.print("The demo's effect model could not be trained; suggestions stay off.")
    finally:
        store.dispose()


def _demo_warehouses(settings: Settings, persons: int, seed: int) -> None:
    """The demo's statistics: the policy and client-council warehouses, exported as an operator
    would (every person exported is logged), with the population counts of the town the demo's
    clients live in (the denominators of rates per 1,000 inhabitants). Until they are ready the
    statistics pages say that there are no figures yet."""
    from datameent.analytics.synth import demo_town, population_counts
    from datameent.services import warehouse

    key = settings.pseudonym_key_bytes()
    assert key is not None, "demo settings make their keys"
    store = settings.open_store()
    try:
        actor = warehouse.service_account(store)
        targets = {d: settings.warehouse_path / d for d in ("beleid", "clientenraad")}
        warehouse.export_many(store, actor, targets, key)
        counts = population_counts(demo_town(persons, seed).persons)
        for target in targets.values():
            warehouse.load_population(target, counts)
    except Exception:  # noqa: BLE001 - a demo without statistics still serves
        errors.print("The demo's statistics could not be prepared; those pages stay empty.")
    finally:
        store.dispose()


def _fresh_demo_database(directory: Path) -> None:
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(directory / "warehouse", ignore_errors=True)
    for name in ("datameent.sqlite3", "datameent.sqlite3-wal", "datameent.sqlite3-shm"):
        path = directory / name
        if path.exists():
            path.unlink()


def _run_server(settings: Settings, workers: int) -> None:
    import uvicorn

    _export(settings)
    uvicorn.run(
        "datameent.web.asgi:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        # Request lines can carry search terms; the processing log is the record of access.
        access_log=False,
        server_header=False,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535)] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64)] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve datameent. Outside demo/development the keys must be set in the environment."""
    from datameent.services.keys import key_status
    from datameent.store.migrate import is_up_to_date

    settings = _settings(data_dir, database_url, host=host, port=port, workers=workers)
    store = settings.open_store()
    try:
        if not is_up_to_date(store.engine):
            errors.print("The database schema is not up to date: run `datameent db upgrade` first.")
            raise typer.Exit(1)
        keys = key_status(store)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    if keys.previous_unused:
        errors.print(_PREVIOUS_UNUSED)
    _run_server(settings, settings.workers)


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[list[Role], typer.Option("--role", help="Repeat for several roles.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    team: Annotated[str | None, typer.Option()] = None,
    person: Annotated[str | None, typer.Option(help="Client number (residents).")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    temporary: Annotated[
        bool, typer.Option(help="They must choose their own password at their first login.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an account. The password is asked for, never given on the command line."""
    from datameent.services.accounts import NewAccount, create_account

    settings = _settings(data_dir, database_url)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = settings.open_store()
    try:
        person_id = None
        if person is not None:
            with store.unit_of_work(write=False) as uow:
                person_id = uow.persons.id_by_client_number(person)
            if person_id is None:
                errors.print(f"No person with client number {person}.")
                raise typer.Exit(1)
        account = NewAccount(
            username, name or username, frozenset(role), password, person_id, team, temporary
        )
        user = create_account(store, None, account)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"Account {user.username} created.")


@users_app.command("list")
def users_list(
    search: Annotated[str, typer.Option(help="Only usernames or names containing this.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List employees' accounts (residents' and system connections are not listed)."""
    from datameent.services.accounts import employee_accounts

    store = _settings(data_dir, database_url).open_store()
    try:
        found = employee_accounts(store, None, search)
    finally:
        store.dispose()
    table = Table("username", "name", "roles", "team", "active", "logs in", "last login (UTC)")
    for account in found:
        user, last = account.user, account.last_login
        table.add_row(
            user.username,
            user.display_name,
            ", ".join(sorted(user.roles)),
            user.team or "",
            "yes" if user.active else "no",
            "provider" if user.sso else "password",
            last.strftime("%Y-%m-%d %H:%M") if last else "never",
        )
    console.print(table)


@users_app.command("edit")
def users_edit(
    username: str,
    role: Annotated[
        list[Role] | None, typer.Option("--role", help="The roles it will have; repeat.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    team: Annotated[str | None, typer.Option(help='Team ("" for none).')] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change an employee's name, team or roles (what is not given stays)."""
    from datameent.domain.accounts import AccountEdit
    from datameent.services.accounts import edit_account

    store = _settings(data_dir, database_url).open_store()
    try:
        user = _employee_named(store, username)
        edit = AccountEdit(
            user.display_name if name is None else name,
            user.team if team is None else team,
            user.roles if role is None else frozenset(role),
        )
        changed = edit_account(store, None, user.id, edit)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    roles, team = ", ".join(sorted(changed.roles)), changed.team or "-"
    console.print(
        f"Account {changed.username}: {changed.display_name}, team {team}, roles {roles}."
    )


@users_app.command("deactivate")
def users_deactivate(
    username: str, data_dir: DataDir = None, database_url: DatabaseUrl = None
) -> None:
    """Stop an employee's account: no more logging in, and every session and API token ends now."""
    from datameent.services.accounts import set_account_active

    store = _settings(data_dir, database_url).open_store()
    try:
        ended = set_account_active(store, None, _employee_named(store, username).id, False)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"Account {username} stopped; {ended} session(s) ended.")


@users_app.command("reactivate")
def users_reactivate(
    username: str, data_dir: DataDir = None, database_url: DatabaseUrl = None
) -> None:
    """Let a stopped employee's account log in again."""
    from datameent.services.accounts import set_account_active

    store = _settings(data_dir, database_url).open_store()
    try:
        set_account_active(store, None, _employee_named(store, username).id, True)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"Account {username} is active again.")


@users_app.command("unlink")
def users_unlink(username: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Undo an account's link to the identity provider (an employee's single sign-on) or to
    DigiD (a resident's): every session of theirs ends; their next login there links again, or
    give them a password."""
    from datameent.services.accounts import unlink_sign_on

    store = _settings(data_dir, database_url).open_store()
    try:
        with store.unit_of_work(write=False) as uow:
            found = uow.accounts.by_username(username.strip().lower())
        if found is None:
            errors.print(f"No account named {username}.")
            raise typer.Exit(1)
        user = found[0]
        if not user.sso:
            errors.print(f"The account {username} is not linked to a login elsewhere.")
            raise typer.Exit(1)
        ended = unlink_sign_on(store, None, user.id)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"The link of {username} is undone; {ended} session(s) ended.")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    temporary: Annotated[
        bool, typer.Option(help="They must choose their own password at their next login.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a new password for someone who forgot theirs; every session of theirs ends. The
    password is asked for, never given on the command line."""
    from datameent.services.accounts import set_password

    settings = _settings(data_dir, database_url)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    store = settings.open_store()
    try:
        with store.unit_of_work(write=False) as uow:
            found = uow.accounts.by_username(username.strip().lower())
        if found is None:
            errors.print(f"No account named {username}.")
            raise typer.Exit(1)
        ended = set_password(store, found[0].id, password, temporary=temporary)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(f"New password for {username}; {ended} session(s) ended.")


def _employee_named(store: Store, username: str) -> User:
    """The employee's account with this username, or a message and exit 1."""
    from datameent.domain.accounts import is_administered

    with store.unit_of_work(write=False) as uow:
        found = uow.accounts.by_username(username.strip().lower())
    if found is None or not is_administered(found[0]):
        errors.print(f"No employee's account named {username}.")
        raise typer.Exit(1)
    return found[0]


def _note_key(settings: Settings) -> Any:
    from datameent.ledger import NoteKey

    return NoteKey(settings.log_origin, settings.log_signing_seed())


@ledger_app.command("verify")
def ledger_verify(
    verifier: Annotated[
        list[str] | None,
        typer.Option(
            help="A published verifier key; repeat it for each key the log was signed with "
            "(default: this server's and DATAMEENT_LOG_EARLIER_VERIFIER_KEYS)."
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute every leaf and root from the stored records and check every checkpoint."""
    from datameent.services.ledger import verify_log

    settings = _settings(data_dir, database_url)
    keys = verifier or [_note_key(settings).verifier(), *settings.earlier_verifiers()]
    store = settings.open_store()
    with Progress(console=console, transient=True) as progress:
        progress.add_task("Verifying the processing log", total=None)
        report = verify_log(store, keys[0], earlier=keys[1:])
    store.dispose()
    if not report.ok:
        errors.print(
            f"[bold red]The log does not verify.[/] First bad index: {report.first_bad_index} "
            f"({report.problem})."
        )
        raise typer.Exit(1)
    console.print(
        f"The log verifies: {report.size} records, {report.checkpoints} signed checkpoints."
    )


@ledger_app.command("erase-expired")
def ledger_erase_expired(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be erased; change nothing.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Erase the content of log lines older than DATAMEENT_LOG_RETENTION_DAYS; their digests,
    the tree and every proof stay. Run it daily (cron or a systemd timer)."""
    from datameent.services.clock import days_back
    from datameent.services.ledger import erase_expired, retention_account

    settings = _settings(data_dir, database_url)
    store = settings.open_store()
    older_than = days_back(settings.log_retention_days)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Erasing expired log lines", total=None)
            done = erase_expired(
                store,
                retention_account(store),
                older_than,
                dry_run=dry_run,
                progress=lambda n, total: progress.update(task, completed=n, total=total),
            )
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    moment = older_than.strftime("%Y-%m-%d %H:%M UTC")
    if not done.erased:
        console.print(f"No log lines that ended before {moment} are left to erase.")
    elif done.dry_run:
        console.print(
            f"Would erase {done.erased} log lines that ended before {moment} "
            f"(indexes {done.previously_below} to {done.erased_below - 1}). Nothing changed."
        )
    else:
        console.print(
            f"Erased {done.erased} log lines that ended before {moment}: every line below "
            f"index {done.erased_below} keeps only its digest."
        )


_PREVIOUS_UNUSED = (
    "Nothing is wrapped under the previous master key any more: remove "
    "DATAMEENT_PREVIOUS_MASTER_KEY from the settings, restart, and destroy that key."
)


@keys_app.command("status")
def keys_status(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Which master keys wrap the persons' data keys, and the rotations so far."""
    from datameent.services.keys import key_status

    store = _settings(data_dir, database_url).open_store()
    try:
        status = key_status(store)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    under = sum(status.wrapped.values())
    console.print(
        f"{under - status.left} of {under} data keys are wrapped under the current master key "
        f"(version {status.version})."
    )
    if status.left:
        console.print(f"{status.left} are not yet: run `datameent keys rotate`.")
    elif status.previous_unused:
        console.print(_PREVIOUS_UNUSED)
    moment = "%Y-%m-%d %H:%M UTC"
    for done in status.rotations:
        ended = f"finished {done.finished_at:{moment}}" if done.finished_at else "not finished"
        console.print(
            f"Rotation to version {done.key_version}: started {done.started_at:{moment}}, "
            f"{ended}; {done.rewrapped} data keys wrapped again.",
            soft_wrap=True,
        )


@keys_app.command("rotate")
def keys_rotate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Wrap every person's data key again under DATAMEENT_MASTER_KEY; the old master key is
    DATAMEENT_PREVIOUS_MASTER_KEY until this has finished. Safe to run again after a stop."""
    from datameent.services.keys import rotate_master_key

    store = _settings(data_dir, database_url).open_store()
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Wrapping data keys again", total=None)
            report = rotate_master_key(
                store, progress=lambda n, total: progress.update(task, completed=n, total=total)
            )
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    console.print(
        f"Wrapped {report.rewrapped} data keys again under the current master key (version "
        f"{report.version}); the identifier keys are kept under it too."
    )
    console.print(_PREVIOUS_UNUSED)


@ledger_app.command("checkpoint")
def ledger_checkpoint(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Sign a checkpoint of the log now, and print it."""
    from datameent.services.ledger import latest_checkpoint, make_checkpoint

    settings = _settings(data_dir, database_url)
    store = settings.open_store()
    made = make_checkpoint(store, _note_key(settings), settings.log_origin)
    latest = made or latest_checkpoint(store)
    store.dispose()
    if latest is None:
        errors.print("The log is empty: there is nothing to sign yet.")
        raise typer.Exit(1)
    sys.stdout.write(latest.note)  # byte for byte: a signed note must not be re-wrapped


@ledger_app.command("prove")
def ledger_prove(
    index: int,
    tree_size: Annotated[int | None, typer.Option(help="Default: the latest checkpoint.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the inclusion proof of record INDEX, checked against the signed checkpoint."""
    import base64
    import json

    from datameent.ledger import open_note, verify_inclusion
    from datameent.services.ledger import latest_checkpoint, make_checkpoint, prove_inclusion

    settings = _settings(data_dir, database_url)
    store = settings.open_store()
    key = _note_key(settings)
    try:
        make_checkpoint(store, key, settings.log_origin)
        checkpoint = latest_checkpoint(store)
        if checkpoint is None:
            errors.print("The log is empty: there is nothing to prove yet.")
            raise typer.Exit(1)
        signed = open_note(checkpoint.note, key.verifier())
        size = tree_size or signed.size
        proof = prove_inclusion(store, index, size)
    except DatameentError as error:
        _fail(error)
    finally:
        store.dispose()
    assert checkpoint is not None
    if size == signed.size:
        verify_inclusion(proof.leaf_hash, index, size, proof.hashes, signed.root)
    b64 = base64.b64encode
    console.print_json(
        json.dumps(
            {
                "leafIndex": index,
                "treeSize": size,
                "leafHash": b64(proof.leaf_hash).decode(),
                "hashes": [b64(h).decode() for h in proof.hashes],
                "checkpoint": checkpoint.note,
                "verified": size == signed.size,
            }
        )
    )


def main() -> None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        app()
    except DatameentError as error:
        errors.print(f"[bold red]{error.title.en}[/]: {error}")
        sys.exit(1)
    except SQLAlchemyError as error:
        errors.print(
            f"[bold red]The database could not be used[/] ({type(error).__name__}). "
            "Is the database URL right, and has `datameent db upgrade` been run?"
        )
        sys.exit(1)
    except Exception as error:  # the class only: a message could hold personal data
        errors.print(f"[bold red]Something went wrong[/] ({type(error).__name__}).")
        sys.exit(1)


__all__ = ["app", "main"]
