from statistics import correlation

from datameent.analytics import generate
from datameent.domain import catalogue
from datameent.domain.bsn import is_valid_bsn


def test_the_same_seed_gives_the_same_municipality() -> None:
    assert generate(50, seed=3) == generate(50, seed=3)
    assert generate(50, seed=3) != generate(50, seed=4)


def test_bsns_are_valid_and_distinct() -> None:
    town = generate(2000, seed=1)
    bsns = [p.bsn for p in town.persons]
    assert len(set(bsns)) == len(bsns)
    assert all(is_valid_bsn(b) and b.startswith("999") for b in bsns)


def test_population_shape_is_plausible() -> None:
    town = generate(2000, seed=1)
    ages = [(town.reference_date - p.birth_date).days / 365.25 for p in town.persons]
    assert min(ages) >= 18 and max(ages) < 68
    singles = sum(p.household["household_type"] == "single" for p in town.persons) / 2000
    assert 0.45 < singles < 0.65
    managers = {p.case_manager for p in town.persons}
    assert managers == {s.number for s in town.case_managers}


def test_zrm_domains_hang_together() -> None:
    town = generate(2000, seed=1)
    mental = [p.zrm["geestelijke_gezondheid"] for p in town.persons]
    physical = [p.zrm["lichamelijke_gezondheid"] for p in town.persons]
    participation = [p.zrm["maatschappelijke_participatie"] for p in town.persons]
    network = [p.zrm["sociaal_netwerk"] for p in town.persons]
    assert correlation(mental, physical) > 0.3
    assert correlation(participation, network) > 0.3
    debts = [float(str(p.income["debts"])) for p in town.persons]
    finances = [p.zrm["financien"] for p in town.persons]
    assert correlation(debts, finances) < -0.1


def test_every_generated_value_fits_the_catalogue() -> None:
    for p in generate(300, seed=5).persons:
        for group in (p.household, p.income, p.work):
            for key, value in group.items():
                if value is not None:
                    catalogue.definition(key).validate(
                        value.isoformat() if hasattr(value, "isoformat") else value
                    )
