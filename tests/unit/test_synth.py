"""The synthetic municipality: deterministic, plausible, confounded, with a truth kept apart."""

import json
from pathlib import Path
from statistics import correlation

import numpy as np
import polars as pl
import pytest

from datameent.analytics import generate
from datameent.analytics.synth import INSTRUMENTS, Population, population
from datameent.domain import catalogue
from datameent.domain.bsn import is_valid_bsn


@pytest.fixture(scope="module")
def town() -> Population:
    return population(60_000, seed=11)


def test_the_same_seed_gives_the_same_municipality() -> None:
    assert generate(50, seed=3) == generate(50, seed=3)
    assert generate(50, seed=3) != generate(50, seed=4)
    first, again = population(3_000, seed=5), population(3_000, seed=5)
    for name in ("persons", "clients", "zrm", "extract", "truth", "links"):
        assert getattr(first, name).equals(getattr(again, name)), name
    assert not population(3_000, seed=6).persons.equals(first.persons)


def test_bsns_are_valid_and_distinct() -> None:
    small = [p.bsn for p in generate(300, seed=1).persons]
    assert len(set(small)) == len(small)
    assert all(is_valid_bsn(b) and b.startswith("999") for b in small), "the test series"
    large = population(120_000, seed=1).persons["bsn"]
    assert large.n_unique() == large.len()
    assert all(is_valid_bsn(b) for b in large.sample(5_000, seed=1).to_list())


def test_the_population_is_shaped_like_a_dutch_town(town: Population) -> None:
    ages = town.persons["age"].to_numpy()
    assert 0.15 < (ages < 18).mean() < 0.25 and 0.13 < (ages >= 67).mean() < 0.24
    adults = ((ages >= 18) & (ages < 67)).sum()
    assert 0.02 <= town.clients.height / adults <= 0.05, "2-5 % of adults on bijstand"
    assert town.neighbourhoods.height >= 8
    assert town.persons["neighbourhood"].n_unique() == town.neighbourhoods.height
    children = town.persons.filter(pl.col("age") < 18)["household_type"].unique().to_list()
    assert set(children) <= {"couple_children", "single_parent"}


def test_every_address_has_a_postcode_that_could_be_given(town: Population) -> None:
    postcodes = town.persons["postcode"].unique().to_list()
    assert len(postcodes) > 1_000
    assert all(catalogue.definition("postcode").validate(p) == p for p in postcodes)


def test_clients_are_plausible_and_fit_the_catalogue() -> None:
    demo = generate(2000, seed=1)
    ages = [(demo.reference_date - p.birth_date).days / 365.25 for p in demo.persons]
    assert min(ages) >= 18 and max(ages) < 68
    singles = sum(p.household["household_type"] == "single" for p in demo.persons) / 2000
    assert 0.45 < singles < 0.65
    assert [p.number for p in demo.persons] == list(range(1, 2001))
    assert {p.case_manager for p in demo.persons} == {s.number for s in demo.case_managers}
    for p in demo.persons[:300]:
        for group in (p.household, p.income, p.work):
            for key, value in group.items():
                if value is not None:
                    catalogue.definition(key).validate(
                        value.isoformat() if hasattr(value, "isoformat") else value
                    )


def test_zrm_domains_hang_together() -> None:
    demo = generate(2000, seed=1)
    mental = [p.zrm["geestelijke_gezondheid"] for p in demo.persons]
    physical = [p.zrm["lichamelijke_gezondheid"] for p in demo.persons]
    participation = [p.zrm["maatschappelijke_participatie"] for p in demo.persons]
    network = [p.zrm["sociaal_netwerk"] for p in demo.persons]
    assert correlation(mental, physical) > 0.3
    assert correlation(participation, network) > 0.3
    debts = [float(str(p.income["debts"])) for p in demo.persons]
    finances = [p.zrm["financien"] for p in demo.persons]
    assert correlation(debts, finances) < -0.1


def test_drifting_scorers_score_higher_than_colleagues(town: Population) -> None:
    latest = town.zrm.sort("assessed_on").group_by("client_number").last()
    mean = latest.select(pl.mean_horizontal(pl.col("^zrm_.*$")).alias("m"), "scorer")
    drifting = mean.filter(pl.col("scorer").is_in(town.drifting_scorers))["m"].mean()
    others = mean.filter(~pl.col("scorer").is_in(town.drifting_scorers))["m"].mean()
    assert town.drifting_scorers and drifting - others > 0.3  # type: ignore[operator]


def test_instruments_are_confounded_and_effects_differ_by_profile(town: Population) -> None:
    data = town.clients.join(town.truth, on="client_number")
    little_dutch = pl.col("dutch_language_level").is_in(["A2", "A1", "A0"])
    share = data.group_by(little_dutch.alias("little")).agg(
        (pl.col("instrument") == "language_course").mean().alias("course"),
        pl.col("tau_language_course").mean().alias("tau"),
    )
    by = {row["little"]: row for row in share.rows(named=True)}
    assert by[True]["course"] > 5 * by[False]["course"], "case managers choose by profile"
    assert by[True]["tau"] - by[False]["tau"] > 0.1, "the course helps those with little Dutch"
    older = data.group_by(pl.col("person_id").is_in(_over(town, 50)).alias("older")).agg(
        pl.col("tau_wage_subsidy").mean()
    )
    tau = dict(older.rows())
    assert tau[True] - tau[False] > 0.05
    propensities = data.select(pl.col("^propensity_.*$")).to_numpy()
    assert np.allclose(propensities.sum(axis=1), 1.0)
    assert propensities.min() < 0.05 and propensities.max() > 0.5
    # Confounding: who got an instrument would have fared differently without it than those who
    # got none (their probability under "none" differs), so a naive comparison is biased.
    untreated = data.filter(pl.col("instrument") == "none")["p_none"].mean()
    bias = [
        abs(data.filter(pl.col("instrument") == k)["p_none"].mean() - untreated)  # type: ignore[operator]
        for k in INSTRUMENTS[1:]
    ]
    assert max(bias) > 0.03


def _over(town: Population, age: int) -> list[int]:
    return town.persons.filter(pl.col("age") >= age)["person_id"].to_list()


def test_potential_outcomes_are_consistent_with_what_is_observed(town: Population) -> None:
    data = town.clients.join(town.truth, on="client_number", suffix="_truth")
    chosen = np.asarray([INSTRUMENTS.index(i) for i in data["instrument"]])
    outcomes = data.select([f"y_{k}" for k in INSTRUMENTS]).to_numpy()
    observed = outcomes[np.arange(data.height), chosen]
    assert (observed == data["exit_to_work_12m"].to_numpy()).all()
    chances = data.select([f"p_{k}" for k in INSTRUMENTS]).to_numpy()
    # One shared draw: whoever succeeds under a lower chance succeeds under every higher one.
    for a in range(len(INSTRUMENTS)):
        for b in range(len(INSTRUMENTS)):
            higher = chances[:, b] >= chances[:, a]
            assert (outcomes[higher & outcomes[:, a], b]).all()
    assert 0.1 < data["exit_to_work_12m"].mean() < 0.4  # type: ignore[operator]


def test_the_statistics_office_extract_is_noisy_and_its_links_are_apart(town: Population) -> None:
    extract, links = town.extract, town.links
    assert "person_id" not in extract.columns and extract["record_id"].n_unique() == extract.height
    linked = links.drop_nulls("person_id")
    assert 0.96 < linked.height / town.persons.height < 0.99
    assert 0.01 < (links.height - linked.height) / town.persons.height < 0.03, "only there"
    pairs = extract.join(links, on="record_id").join(town.persons, on="person_id", suffix="_town")
    for column, low in (("given_name", 0.8), ("family_name", 0.8), ("postcode", 0.75)):
        same = (pairs[column] == pairs[f"{column}_town"]).mean()
        assert low < same < 0.99, column  # type: ignore[operator]
    assert extract["birth_date"].null_count() > 0 and extract["postcode"].null_count() > 0
    assert pairs.filter(pl.col("family_name").str.starts_with("Van ")).height > 0, "prefixes"
    order = links.head(2_000).drop_nulls("person_id")["person_id"].to_numpy()
    assert abs(np.corrcoef(order, np.arange(order.size))[0, 1]) < 0.1, "rows are shuffled"


def test_the_tables_are_written_with_the_truth_apart(tmp_path: Path) -> None:
    town = population(5_000, seed=2)
    counts = town.write(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 2 and manifest["persons"] == 5_000 and manifest["files"] == counts
    clients = pl.read_parquet(tmp_path / "clients.parquet")
    assert not [c for c in clients.columns if c.startswith(("tau_", "p_", "y_", "propensity"))]
    truth = pl.read_parquet(tmp_path / "ground_truth" / "potential_outcomes.parquet")
    assert truth.height == clients.height and "tau_training" in truth.columns
    extract = pl.read_parquet(tmp_path / "statistics_office_extract.parquet")
    assert extract.equals(town.extract)
    assert not (tmp_path / "statistics_office_links.parquet").exists()
    assert (tmp_path / "ground_truth" / "statistics_office_links.parquet").exists()
