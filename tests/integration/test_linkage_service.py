"""A linkage run as the service makes it: real files, a real store on SQLite and PostgreSQL,
its processing-log record, and nothing written when it is refused."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from datameent.analytics.linkage import probabilistic
from datameent.analytics.synth import IDENTITY, LINKAGE_BENCHMARK, linkage_sources
from datameent.errors import AccessDenied, InvalidInput
from datameent.services import linkage
from datameent.store.tables import log_records
from datameent.store.uow import Store
from tests.support import user

KEYS = linkage.LinkKeys(bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96)))


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    town = linkage_sources(2_000, seed=21, noise=LINKAGE_BENCHMARK)
    folder = tmp_path_factory.mktemp("sources")
    municipality = town.municipality.with_columns(
        pl.lit("single").alias("household_type"), pl.lit(3).alias("zrm_financien")
    )
    municipality.write_parquet(folder / "gemeente.parquet")
    town.statistics_office.write_parquet(folder / "cbs.parquet")
    town.links.write_parquet(folder / "truth.parquet")
    return folder


def _request(sources: Path, method: linkage.Method, **changes: object) -> linkage.LinkRequest:
    request = linkage.LinkRequest(
        method, sources / "gemeente.parquet", sources / "cbs.parquet", "person_id", "record_id",
        keep_left=("household_type", "zrm_financien"), keep_right=("migration_background",),
        truth=sources / "truth.parquet",
    )  # fmt: skip
    return linkage.LinkRequest(**{**request.__dict__, **changes})  # type: ignore[arg-type]


def _records(store: Store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(log_records.c.operation, log_records.c.outcome, log_records.c.activity_uri)
        ).all()
    return [(r.operation, r.outcome, r.activity_uri) for r in rows]


@pytest.mark.parametrize("method", linkage.METHODS)
def test_a_run_writes_a_research_table_without_identifiers_and_is_logged(
    store: Store, sources: Path, tmp_path: Path, method: linkage.Method
) -> None:
    actor = linkage.service_account(store)
    done = linkage.run(store, actor, _request(sources, method), KEYS, tmp_path / "out")
    assert done.accuracy is not None
    assert done.accuracy.precision >= 0.99
    assert done.accuracy.f1 >= (0.97 if method != "keyed" else 0.98)
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {
        "links.parquet",
        "research.parquet",
        "quality.json",
        "precision_recall.parquet",
    }

    # Data minimisation: no identifier of either source, by column or by value.
    left = pl.read_parquet(sources / "gemeente.parquet")
    right = pl.read_parquet(sources / "cbs.parquet")
    identifying = {
        str(v) for table in (left, right) for c in (*IDENTITY, "person_id") if c in table
        for v in table[c].drop_nulls().unique().to_list() if len(str(v)) > 3
    } | set(right["record_id"])  # fmt: skip
    for name in ("links.parquet", "research.parquet"):
        table = pl.read_parquet(tmp_path / "out" / name)
        assert not set(table.columns) & {*IDENTITY, "person_id", "record_id"}
        values = {str(v) for c in table.columns for v in table[c].drop_nulls().unique().to_list()}
        assert not values & identifying, f"{name} holds an identifier"
    research = pl.read_parquet(tmp_path / "out" / "research.parquet")
    assert research.columns == [
        "link", "gemeente_household_type", "gemeente_zrm_financien",
        "statistiekbureau_migration_background",
    ]  # fmt: skip
    assert research.height == done.links
    links = pl.read_parquet(tmp_path / "out" / "links.parquet")
    assert set(links["method"]) == {method}
    assert links["link"].is_unique().all()
    report = json.loads((tmp_path / "out" / "quality.json").read_text())
    assert report["accuracy"]["f1"] == done.accuracy.f1
    assert report["label_free"]["links"] == done.links

    assert _records(store)[-1] == (
        "statistics.link", "allowed", "urn:datameent:verwerking:koppeling-onderzoek:v1"
    )  # fmt: skip


def test_the_review_sample_goes_to_the_reviewers_not_the_researchers(
    store: Store, sources: Path, tmp_path: Path
) -> None:
    actor = linkage.service_account(store)
    linkage.run(
        store, actor, _request(sources, "bloom"), KEYS, tmp_path / "out",
        review_out=tmp_path / "review",
    )  # fmt: skip
    sample = pl.read_parquet(tmp_path / "review" / "uncertain_pairs.parquet")
    assert 0 < sample.height <= 50
    assert {"given_name_l", "given_name_r", "birth_date_l", "birth_date_r"} <= set(sample.columns)
    assert "bsn_l" not in sample.columns
    assert "migration_background" not in " ".join(sample.columns)
    assert not (tmp_path / "out" / "uncertain_pairs.parquet").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"keep_right": ("migration_background", "birth_date")}, "may not go into the research"),
        ({"keep_left": ("no_such_column",)}, "lacks the columns no_such_column"),
        ({"left_id": "bsn_typo"}, "lacks the columns bsn_typo"),
        ({"threshold": 1.5}, "between 0 and 1"),
        ({"truth": Path("/nonexistent/truth.parquet")}, "cannot be read"),
        ({"right_name": "gemeente"}, "Name the two sources apart"),
    ],
)
def test_a_refused_run_writes_nothing(
    store: Store, sources: Path, tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    actor = linkage.service_account(store)
    before = _records(store)
    with pytest.raises(InvalidInput) as refused:
        linkage.run(store, actor, _request(sources, "bloom", **changes), KEYS, tmp_path / "out")
    assert refused.value.detail is not None
    assert message in refused.value.detail.en
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert _records(store) == before


def test_sources_with_other_schemas_or_none_at_all_are_refused(
    store: Store, sources: Path, tmp_path: Path
) -> None:
    actor = linkage.service_account(store)
    empty = tmp_path / "empty.parquet"
    pl.read_parquet(sources / "cbs.parquet").clear().write_parquet(empty)
    other = tmp_path / "other.parquet"
    pl.DataFrame({"record_id": ["1"], "naam": ["x"]}).write_parquet(other)
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    twice = tmp_path / "twice.parquet"
    table = pl.read_parquet(sources / "cbs.parquet")
    table.vstack(table.head(3).with_columns(pl.lit("X").alias("record_id") + pl.col("record_id")))\
        .write_parquet(twice)  # fmt: skip
    for path, message in (
        (empty, "is empty"),
        (other, "lacks the columns"),
        (broken, "cannot be read"),
        (twice, "seem to be the same person"),
    ):
        with pytest.raises(InvalidInput) as refused:
            linkage.run(
                store, actor, _request(sources, "probabilistic", right=path), KEYS,
                tmp_path / "out",
            )  # fmt: skip
        assert refused.value.detail is not None
        assert message in refused.value.detail.en, path.name
    keyed_twice = linkage.LinkKeys(KEYS.linkage, KEYS.research, None)
    with pytest.raises(InvalidInput, match="trusted third party"):
        linkage.run(store, actor, _request(sources, "keyed"), keyed_twice, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_only_the_linkage_service_may_link_and_a_refusal_is_logged(
    seeded: Store, sources: Path, tmp_path: Path
) -> None:
    analyst = user(seeded, "analist1")
    with pytest.raises(AccessDenied):
        linkage.run(seeded, analyst, _request(sources, "keyed"), KEYS, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert _records(seeded)[-1][:2] == ("statistics.link", "denied")


def test_spark_links_with_the_same_settings_as_duckdb(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a run writes on the way (Spark: scored pairs, the frequencies of names, its
    # catalogue directory) is gone when the run ends, and nothing lands where it was started.
    scratch, started_in = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    started_in.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(started_in)
    truth = pl.read_parquet(sources / "truth.parquet")
    left = pl.read_parquet(sources / "gemeente.parquet").filter(pl.col("person_id") <= 1_200)
    kept = truth.filter(pl.col("person_id").is_null() | (pl.col("person_id") <= 1_200))
    right = pl.read_parquet(sources / "cbs.parquet").join(kept, on="record_id", how="semi")
    on_duckdb = probabilistic.link(left, right, left_id="person_id", right_id="record_id")
    on_spark = probabilistic.link(
        left, right, left_id="person_id", right_id="record_id", backend="spark", threads=2
    )
    pairs = ["left_id", "right_id"]
    both = on_duckdb.links.join(on_spark.links, on=pairs, how="inner").height
    assert both / max(on_duckdb.links.height, on_spark.links.height) >= 0.98
    true = kept.drop_nulls().select(
        pl.col("person_id").cast(pl.String).alias("left_id"), pl.col("record_id").alias("right_id")
    )
    hits = on_spark.links.join(true, on=pairs, how="semi").height
    assert hits / on_spark.links.height >= 0.99
    assert hits / true.height >= 0.95
    assert list(scratch.iterdir()) == []
    assert list(started_in.iterdir()) == []
