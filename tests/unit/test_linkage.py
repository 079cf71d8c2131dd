"""Record linkage: standardisation, the three methods and their evaluation, on small tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.analytics.linkage import bloom, evaluate, keyed
from datameent.analytics.linkage.prepare import check_research_columns, check_source, standardise
from datameent.analytics.synth import LINKAGE_BENCHMARK, ExtractNoise, linkage_sources
from datameent.errors import InvalidInput

SECRET = bytes(range(32))


def _person(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "1", "given_name": "Sjoukje", "name_prefix": "van der", "family_name": "Berg",
        "sex": "V", "birth_date": date(1984, 3, 7), "street": "Weerdweg",
        "house_number": "12A", "postcode": "3712 CL",
    }  # fmt: skip
    return {**row, **overrides}


def _table(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(rows))


@pytest.fixture(scope="module")
def town() -> object:
    return linkage_sources(3_000, seed=11, noise=LINKAGE_BENCHMARK)


def _truth(town: object) -> pl.DataFrame:
    links = town.links.drop_nulls()  # type: ignore[attr-defined]
    return links.select(
        pl.col("person_id").cast(pl.String).alias("left_id"),
        pl.col("record_id").alias("right_id"),
    )


# Standardisation ------------------------------------------------------------------------------


def test_the_same_person_written_as_registers_write_her_is_standardised_alike() -> None:
    variants = _table(
        _person(),
        _person(id="2", name_prefix="", family_name="Van der Berg", house_number="12 a"),
        _person(id="3", given_name="Sjoükje", postcode="3712cl", house_number="12-A"),
        _person(id="4", name_prefix="v.d.", family_name="BERG", house_number="12a"),
    )
    rows = standardise(variants, "id").drop("id").unique()
    assert rows.height == 2, "only the abbreviated prefix 'v.d.' stays different"
    first = standardise(variants, "id").row(0, named=True)
    assert first["surname"] == "berg"
    assert first["surname_prefix"] == "vander"
    assert first["given_name"] == "sjoukje"
    assert first["given_initial"] == "s"
    assert first["postcode"] == "3712CL"
    assert first["pc4"] == "3712"
    assert (first["house_number"], first["house"]) == ("12", "12a")
    assert first["birth_date"] == "1984-03-07"


def test_empty_fields_are_unknown_not_disagreeing() -> None:
    row = standardise(_table(_person(postcode="", street=None, given_name=" ")), "id").row(
        0, named=True
    )
    assert row["postcode"] is None
    assert row["street"] is None
    assert row["given_name"] is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_table(_person()).drop("postcode"), "lacks the columns postcode"),
        (_table(_person()).clear(), "is empty"),
        (_table(_person(), _person()), "duplicate values in id"),
        (_table(_person(id=None)), "without id"),
    ],
)
def test_a_source_that_cannot_be_linked_is_refused_with_its_reason(
    table: pl.DataFrame, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_source(table, "id", "gemeente")
    assert refused.value.detail is not None
    assert message in refused.value.detail.en
    assert "gemeente" in refused.value.detail.nl


@pytest.mark.parametrize("column", ["bsn", "family_name", "birth_date", "postcode", "phone"])
def test_identifying_columns_never_become_research_variables(column: str) -> None:
    with pytest.raises(InvalidInput):
        check_research_columns(["household_type", column], "cbs")
    check_research_columns(["household_type", "migration_background"], "cbs")


# Bloom filters --------------------------------------------------------------------------------


def test_encoding_is_keyed_by_the_shared_secret() -> None:
    table = _table(_person(), _person(id="2", given_name="Sjoukje", family_name="Bergh"))
    one = bloom.encode(table, "id", SECRET)
    again = bloom.encode(table, "id", SECRET)
    other = bloom.encode(table, "id", bytes(range(1, 33)))
    assert np.array_equal(one.filters, again.filters)
    assert not np.array_equal(one.filters, other.filters)
    assert set(one.blocks["key"]) == set(again.blocks["key"])
    assert not set(one.blocks["key"]) & set(other.blocks["key"])
    with pytest.raises(ValueError, match="at least 16 bytes"):
        bloom.encode(table, "id", b"short")
    with pytest.raises(InvalidInput) as refused:
        bloom.match(one, other)
    assert refused.value.detail is not None
    assert "different secrets" in refused.value.detail.en


def _dice_reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    shared = np.bitwise_count(a[:, None, :] & b[None, :, :]).sum(axis=2)
    ones = np.bitwise_count(a).sum(axis=1)[:, None] + np.bitwise_count(b).sum(axis=1)[None, :]
    return 2 * shared / ones


def test_the_compiled_kernel_agrees_with_numpy() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2**63, size=(40, bloom.WORDS), dtype=np.uint64) & rng.integers(
        0, 2**63, size=(40, bloom.WORDS), dtype=np.uint64
    )
    b = a.copy()
    b[::2] ^= rng.integers(0, 2**20, size=(20, bloom.WORDS), dtype=np.uint64)
    reference = _dice_reference(a, b)
    for threshold in (0.3, 0.5, 0.9, 1.0):
        expected = int((reference >= threshold).sum())
        assert bloom.comparisons_per_second_kernel(a, b, threshold) == expected


def test_similar_names_have_similar_filters() -> None:
    table = _table(
        _person(),
        _person(id="2", family_name="Bergh"),  # one typo
        _person(id="3", given_name="Mehmet", name_prefix="", family_name="Yilmaz",
                birth_date=date(1990, 1, 2), postcode="3701 AB", house_number="3",
                street="Dorpsstraat", sex="M"),
    )  # fmt: skip
    encoded = bloom.encode(table, "id", SECRET)
    dice = _dice_reference(encoded.filters, encoded.filters)
    assert dice[0, 0] == 1.0
    assert dice[0, 1] > 0.9
    assert dice[0, 2] < 0.5


pairs_strategy = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 20)), max_size=40
)


@given(pairs_strategy)
def test_one_to_one_is_a_greedy_matching(pairs: list[tuple[int, int, int]]) -> None:
    table = pl.DataFrame(
        [(str(a), str(b), s / 20) for a, b, s in pairs],
        schema=["left_id", "right_id", "score"],
        orient="row",
    ).unique(["left_id", "right_id"])
    kept = bloom.one_to_one_links(table, "score")
    assert kept["left_id"].is_unique().all()
    assert kept["right_id"].is_unique().all()
    assert kept.join(table, on=["left_id", "right_id", "score"], how="anti").is_empty()
    linked_left, linked_right = set(kept["left_id"]), set(kept["right_id"])
    best = dict(
        zip(zip(kept["left_id"], kept["right_id"], strict=True), kept["score"], strict=True)
    )
    for a, b, score in table.iter_rows():
        if (a, b) in best:
            continue
        # a pair left out lost to a kept pair at least as good on one of its records
        assert a in linked_left or b in linked_right
        rivals = [s for (x, y), s in best.items() if x == a or y == b]
        assert max(rivals) >= score


def test_bloom_filters_link_a_noisy_town(town: object) -> None:
    left = bloom.encode(town.municipality, "person_id", SECRET)  # type: ignore[attr-defined]
    right = bloom.encode(town.statistics_office, "record_id", SECRET)  # type: ignore[attr-defined]
    matched = bloom.match(left, right)
    links = matched.links.select(
        pl.col("left_id").cast(pl.String), "right_id", pl.col("dice").alias("score")
    )
    result = evaluate.accuracy(links, _truth(town), bloom.THRESHOLD)
    assert result.precision >= 0.99
    assert result.f1 >= 0.98
    assert matched.comparisons < 3_000 * 3_000 / 50, "blocking compares a small share"


# Keyed pseudonyms -----------------------------------------------------------------------------

LINKAGE_KEY = bytes(range(40, 72))
TTP_KEY = bytes(range(80, 112))


def _sources() -> tuple[pl.DataFrame, pl.DataFrame]:
    town = linkage_sources(500, seed=2, noise=ExtractNoise())
    return town.municipality, town.statistics_office


def test_the_trusted_third_party_links_without_seeing_a_bsn_or_a_payload() -> None:
    left, right = _sources()
    a = keyed.deliver(left, "gemeente", LINKAGE_KEY, payload=["sex"])
    b = keyed.deliver(right, "cbs", LINKAGE_KEY, payload=["migration_background"])
    for delivery, source in ((a, left), (b, right)):
        assert set(delivery.identifiers.columns) == {"row_token", "pseudonym"}
        bsns = set(source["bsn"].drop_nulls())
        assert not bsns & set(delivery.identifiers["pseudonym"].drop_nulls())
        assert "bsn" not in delivery.payload.columns
    ttp = keyed.TrustedThirdParty.for_project(TTP_KEY, "wat-werkt")
    assert "key" not in repr(ttp).lower().replace("project", "")
    mapped = ttp.map({"gemeente": a, "cbs": b})
    linked = keyed.assemble({"gemeente": a.payload, "cbs": b.payload}, mapped)
    both = linked.filter(pl.col("in_gemeente") & pl.col("in_cbs"))
    shared = set(left["bsn"]) & set(right["bsn"].drop_nulls())
    assert both.height == len(shared)
    assert set(linked.columns) == {
        "research_pseudonym", "gemeente_sex", "in_gemeente", "cbs_migration_background", "in_cbs",
    }  # fmt: skip
    pseudonyms = set(a.identifiers["pseudonym"].drop_nulls())
    assert not pseudonyms & set(linked["research_pseudonym"]), "research pseudonyms are new"


def test_research_pseudonyms_differ_per_project() -> None:
    left, right = _sources()
    deliveries = {
        "gemeente": keyed.deliver(left, "gemeente", LINKAGE_KEY),
        "cbs": keyed.deliver(right, "cbs", LINKAGE_KEY),
    }
    one = keyed.TrustedThirdParty.for_project(TTP_KEY, "project-a").map(deliveries)
    two = keyed.TrustedThirdParty.for_project(TTP_KEY, "project-b").map(deliveries)
    assert not set(one["cbs"]["research_pseudonym"].drop_nulls()) & set(
        two["cbs"]["research_pseudonym"].drop_nulls()
    )


def test_deliveries_under_different_keys_are_refused_not_linked_to_nobody() -> None:
    left, right = _sources()
    deliveries = {
        "gemeente": keyed.deliver(left, "gemeente", LINKAGE_KEY),
        "cbs": keyed.deliver(right, "cbs", bytes(range(1, 33))),
    }
    with pytest.raises(InvalidInput) as refused:
        keyed.TrustedThirdParty.for_project(TTP_KEY, "wat-werkt").map(deliveries)
    assert refused.value.detail is not None
    assert "different linkage keys" in refused.value.detail.en


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.vstack(t.head(1)), "more than once"),
        (lambda t: t.clear(), "is empty"),
        (lambda t: t.drop("bsn"), "has no column bsn"),
    ],
)
def test_bad_deliveries_are_refused(change: object, message: str) -> None:
    left, _ = _sources()
    with pytest.raises(InvalidInput) as refused:
        keyed.deliver(change(left), "gemeente", LINKAGE_KEY)  # type: ignore[operator]
    assert refused.value.detail is not None
    assert message in refused.value.detail.en
    with pytest.raises(InvalidInput, match="too short"):
        keyed.deliver(left, "gemeente", b"short")
    with pytest.raises(InvalidInput):
        keyed.deliver(left, "gemeente", LINKAGE_KEY, payload=["bsn"])


# Evaluation -----------------------------------------------------------------------------------


def test_accuracy_and_the_precision_recall_curve() -> None:
    links = pl.DataFrame(
        {"left_id": ["1", "2", "3", "4"], "right_id": ["a", "b", "x", "d"],
         "score": [0.99, 0.95, 0.7, 0.4]}
    )  # fmt: skip
    truth = pl.DataFrame(
        {"left_id": ["1", "2", "3", "4", "5"], "right_id": ["a", "b", "c", "d", "e"]}
    )  # noqa: E501
    at = evaluate.accuracy(links, truth, 0.9)
    assert (at.links, at.true_positives, at.precision, at.recall) == (2, 2, 1.0, 0.4)
    assert at.f1 == pytest.approx(2 * 0.4 / 1.4)
    everything = evaluate.accuracy(links, truth, 0.0)
    assert (everything.precision, everything.recall) == (0.75, 0.6)
    curve = evaluate.precision_recall_curve(links, truth, points=5)
    assert curve["recall"].to_list() == sorted(curve["recall"].to_list(), reverse=True)
    assert curve.row(0, named=True)["recall"] == 0.6
    report = evaluate.label_free(links, links.head(2), 0.5)
    assert report["pairs_above_threshold"] == 3
    assert report["candidates_per_left_record"] == {"1": 3, "2": 0, "3+": 0}
    assert sum(b["pairs"] for b in report["score_histogram"]) == 4


def test_the_synthetic_extract_has_the_noise_asked_for() -> None:
    town = linkage_sources(4_000, seed=5, noise=LINKAGE_BENCHMARK)
    again = linkage_sources(4_000, seed=5, noise=LINKAGE_BENCHMARK)
    assert town.statistics_office.equals(again.statistics_office)
    matched = town.links["person_id"].drop_nulls().len()
    assert matched / town.municipality.height == pytest.approx(0.6, abs=0.03)
    assert town.statistics_office.height == pytest.approx(4_000, rel=0.05)
    joined = town.links.drop_nulls().join(
        town.statistics_office, on="record_id"
    ).join(town.municipality, on="person_id", suffix="_m")  # fmt: skip
    changed = (joined["family_name"] != joined["family_name_m"]).mean()
    assert 0.08 < float(changed or 0) < 0.3, "typos, merged prefixes and dropped accents"
    with pytest.raises(ValueError, match="between 0 and 1"):
        ExtractNoise(typos=1.5)
