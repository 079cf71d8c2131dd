"""Data quality: column rules on every row, ZRM plausibility, scorer drift; never a value."""

from __future__ import annotations

import polars as pl
import pytest

from datameent.analytics import quality
from datameent.analytics.synth import Population, population


@pytest.fixture(scope="module")
def town() -> Population:
    return population(60_000, seed=11)


def test_a_clean_extract_passes_and_each_broken_rule_is_named_with_rows(town: Population) -> None:
    extract = town.extract
    assert quality.check_schema(extract, quality.registry_extract()) == []
    broken = extract.with_row_index("_i").with_columns(
        pl.when(pl.col("_i") == 3).then(pl.lit("999999999")).otherwise(pl.col("bsn")).alias("bsn"),
        pl.when(pl.col("_i").is_in([5, 8])).then(pl.lit("37AB")).otherwise(pl.col("postcode"))
        .alias("postcode"),
        pl.when(pl.col("_i") == 9).then(pl.lit("Q")).otherwise(pl.col("sex")).alias("sex"),
    ).drop("_i")  # fmt: skip
    found = {
        (f.column, f.rule): f for f in quality.check_schema(broken, quality.registry_extract())
    }
    assert found[("bsn", "eleven_test")].examples == (3,)
    assert found[("postcode", "str_matches")].examples == (5, 8)
    assert found[("sex", "isin")].rows == 1
    text = repr(list(found.values()))
    assert "999999999" not in text and "37AB" not in text, "findings never show values"


def test_zrm_plausibility_finds_empty_half_out_of_range_and_mixed_versions() -> None:
    scores = {z: [3.0, 3.0, 3.0, 3.0] for z in quality.ZRM}
    scores["zrm_financien"] = [2.5, 3.0, None, 7.0]
    zrm = pl.DataFrame(
        {
            "person": ["a", "a", "b", "c"],
            "instrument_version": ["ZRM 2017", "ZRM 2013", "ZRM 2017", "ZRM 1999"],
            **scores,
        }
    ).with_columns(
        pl.Series("zrm_basale_adl", [1.0, 3.0, 3.0, 3.0]),
        pl.Series("zrm_instrumentele_adl", [5.0, 3.0, 3.0, 3.0]),
    )
    rules = {(f.rule, f.column): f.examples for f in quality.zrm_plausibility(zrm)}
    assert rules[("half_score", "zrm_financien")] == (0,)
    assert rules[("out_of_range", "zrm_financien")] == (3,)
    assert rules[("empty_domains", None)] == (2,)
    assert rules[("impossible:basale_adl_vs_instrumentele_adl", None)] == (0,)
    assert rules[("unknown_instrument", "instrument_version")] == (3,)
    assert rules[("mixed_instrument_versions", "instrument_version")] == (0, 1)


def test_scorer_drift_finds_the_scorers_the_generator_made_drift(town: Population) -> None:
    zrm = town.zrm.rename({"person_id": "person"}).with_columns(pl.col("scorer").cast(pl.String))
    persons = town.persons.rename({"person_id": "person"})
    found = quality.scorer_drift(zrm, persons, ["household_type", "education_level"])
    assert {d.scorer for d in found} == {str(s) for s in town.drifting_scorers}
    assert all(d.difference > 0 and d.z > 3 for d in found)


def test_a_missing_column_is_a_finding_and_the_other_columns_are_still_checked(
    town: Population,
) -> None:
    """Before, a table without a column the schema coerces made pandera raise, and the command
    said the data "could not be read: is the path right?"."""
    persons = town.persons.rename({"person_id": "person"}).head(50)
    broken = persons.drop("sex").with_columns(pl.lit("0000").alias("pc4"))
    found = {
        (f.rule, f.column): f for f in quality.check_schema(broken, quality.warehouse_persons())
    }
    assert found[(quality.MISSING_COLUMN, "sex")].rows == 50
    assert found[("str_matches", "pc4")].rows == 50


def test_every_finding_is_put_in_words_for_the_page(town: Population) -> None:
    extract = town.extract.head(20).with_columns(
        pl.lit("999999999").alias("bsn"), pl.lit("").alias("given_name"),
        pl.lit("37AB").alias("postcode"), pl.lit("Q").alias("sex"),
        pl.lit("0").alias("house_number"), pl.lit("r").alias("record_id"),
    ).drop("family_name")  # fmt: skip
    scores = {z: [3.0, 2.5, None, 7.0] for z in quality.ZRM}
    zrm = pl.DataFrame({"person": ["a", "a", "b", "c"],
                        "instrument_version": ["ZRM 2017", "ZRM 2013", "ZRM 2017", "x"],
                        **scores})  # fmt: skip
    drift = quality.Finding(
        "zrm plausibility", "scorer_drift:-0.31", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", 40
    )
    findings = [
        *quality.check_schema(extract, quality.registry_extract()),
        *quality.zrm_plausibility(zrm),
        *(
            quality.Finding("zrm plausibility", f"impossible:{r}", None, 1)
            for r, _, _ in quality.IMPOSSIBLE
        ),
        drift,
    ]
    assert len({f.rule.partition(":")[0] for f in findings}) >= 12
    for finding in findings:
        words = quality.rule_in_words(finding)
        assert finding.rule not in (words.nl, words.en), f"{finding.rule} has no words"
        assert quality.TABLE_NAMES[finding.table]
    assert quality.rule_in_words(drift).nl.startswith(
        "Deze scoorder geeft gemiddeld 0,31 punt lager"
    )
    assert quality.column_in_words(drift) == ("Scoorder 0f1e2d3c", "Scorer 0f1e2d3c")
    half = next(f for f in findings if f.rule == "half_score")
    assert quality.column_in_words(half).nl.startswith("ZRM ")
