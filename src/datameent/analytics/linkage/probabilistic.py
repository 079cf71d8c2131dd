"""Probabilistic linkage (Fellegi-Sunter) with Splink, on standardised Dutch quasi-identifiers.

The model compares five things: the given name, the surname (without its prefix), the birth
date, sex and the address (postcode, house number and street as one comparison, since they are
not independent evidence). Each has levels from exact agreement down to disagreement, chosen
for the errors Dutch registers make: a keying error in a name (Damerau-Levenshtein 1, or
Jaro-Winkler >= 0.9), only an initial where the other source has the full given name, day and
month swapped in a birth date, a digit mistyped, an address from before a move (the BRP keeps
the earlier address: when one source holds it, it is compared too), a house-number addition
written differently (same number). Exact name agreement is weighed by
how common the name is (term-frequency adjustment: two records called "de Jong" say less than
two called "Wijnaldum").

Training needs no labels: u from random pairs, the match rate from strict deterministic rules,
m by expectation maximisation on two blockings that each leave the other half of the evidence
free. Prediction uses four blocking rules OR'ed, so a person is found if they agree on the
birth date and the initial of either name, or on postcode and house number, or on surname,
initial and birth year. (Surname and initial alone would compare 800 million pairs at a million
records each: every Jan de Jong with every J. de Jong; the birth date alone 32 million. These
rules compare about 19 million and miss 0.3 % of the true pairs of the benchmark: those with
both an unusable birth date and another address.) When both sources hold a
person at most once, links are resolved one-to-one, greedily from the most to the least probable
pair (`bloom.one_to_one_links`, shared with the Bloom-filter method).

The same settings run on DuckDB (the default, in-process) and on Spark (`backend="spark"`,
for national scale); only the database API differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from datameent.analytics.linkage import refused
from datameent.analytics.linkage.bloom import one_to_one_links
from datameent.analytics.linkage.prepare import standardise
from datameent.workdirs import SCRATCH, locked_directory

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")
Progress = Callable[[str], None]

LEFT_ID = "left_id"
RIGHT_ID = "right_id"
THRESHOLD = 0.9
U_PAIRS = 2e6
"""Random pairs for the u probabilities (what non-matches look like)."""
U_CHUNKS: dict[Backend, int] = {"duckdb": 10, "spark": 1}
"""In how many parts the random pairs are counted, per comparison (Splink's default is a probe
and then ten parts, stopping once every level has been seen often enough). Each part is a job
of its own, and on Spark a job costs a second or more before it counts anything: a town's
linkage spent 48 of its 85 seconds there. Spark counts all pairs in one job per comparison."""
EM_PAIRS = 1e6
"""Blocked pairs per EM session at most: enough for stable m probabilities at any scale (more
only costs time: a million records blocked on birth date give 32 million pairs)."""
TRAINING_BLOCKS = {"birth_date": ("birth_date",), "address": ("postcode", "house_number")}
"""Expectation maximisation runs once per blocking: each trains the comparisons it leaves free."""
"""Match probability at or above which a pair is a link (before one-to-one resolution)."""


@dataclass(frozen=True)
class Scored:
    """The scored candidate pairs and what the model learned."""

    pairs: pl.DataFrame
    """left_id, right_id, match_weight, match_probability: every candidate pair scored."""
    links: pl.DataFrame
    """left_id, right_id, match_probability: the links at the threshold (one-to-one if asked)."""
    model: dict[str, Any]
    """The trained Splink model (settings with m and u), to save with the run."""
    estimated_match_rate: float
    """Splink's estimate of the share of record pairs that match (no labels needed)."""


def settings() -> Any:
    """The Splink settings for Dutch person records (see the module's description)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name(column: str, initial: str | None = None) -> Any:
        levels = [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
        ]
        if initial:
            # A register that keeps only initials: "b" against "bas" is not a disagreement.
            levels.append(
                cll.CustomLevel(
                    f"(length({column}_l) = 1 OR length({column}_r) = 1) "
                    f"AND {initial}_l = {initial}_r",
                    label_for_charts="Only an initial, and it agrees",
                )
            )
        levels += [cll.DamerauLevenshteinLevel(column, 1), cll.JaroWinklerLevel(column, 0.9)]
        return cl.CustomComparison(
            comparison_levels=[*levels, cll.ElseLevel()], output_column_name=column
        )

    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
                "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
                "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                label_for_charts="Day and month swapped",
            ),
            cll.LevenshteinLevel("birth_date", 1),
            cll.ExactMatchLevel("birth_year"),
            cll.ElseLevel(),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_l IS NULL OR postcode_r IS NULL) AND (street_l IS NULL "
                "OR street_r IS NULL)"
            ).configure(is_null_level=True),
            cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("house")),
            cll.Or(
                cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("house_number")),
                cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("house")),
            ),
            cll.CustomLevel(
                "(earlier_postcode_l = postcode_r AND earlier_house_number_l = house_number_r) "
                "OR (postcode_l = earlier_postcode_r AND house_number_l = earlier_house_number_r)",
                label_for_charts="One's earlier address is the other's",
            ),
            cll.Or(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postcode")),
            cll.ExactMatchLevel("pc4"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="record",
        comparisons=[
            name("given_name", initial="given_initial"),
            name("surname"),
            birth,
            cl.ExactMatch("sex"),
            address,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "given_initial"),
            block_on("birth_date", "surname_initial"),
            block_on("postcode", "house_number"),
            block_on("surname", "given_initial", "birth_year"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _api(backend: Backend, threads: int | None, scratch: str) -> Any:
    """Splink's database API. DuckDB spills to `scratch` (by default it would spill into the
    working directory) and runs in memory otherwise; Spark writes its intermediate tables
    there. `scratch` is removed when the run ends: they hold names."""
    if backend == "spark":
        from datameent.analytics.linkage.spark import spark_api

        return spark_api(scratch, threads, partitions=2 * (threads or 2))
    import duckdb
    from splink import DuckDBAPI

    config: dict[str, str | bool | int | float | list[str]] = {"temp_directory": scratch}
    if threads:
        config["threads"] = int(threads)
    return DuckDBAPI(duckdb.connect(config=config))


def link(
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    left_id: str,
    right_id: str,
    one_to_one: bool = True,
    threshold: float = THRESHOLD,
    backend: Backend = "duckdb",
    seed: int = 1,
    threads: int | None = None,
    progress: Progress | None = None,
) -> Scored:
    """Link `left` and `right` (each with the quasi-identifiers of `prepare`) and score every
    candidate pair. Ids are kept as they are; nothing else of the sources leaves this call."""
    from splink import Linker, block_on

    tell = progress or (lambda _: None)
    logging.getLogger("splink").setLevel(logging.ERROR)
    with locked_directory(SCRATCH) as directory:
        scratch = str(directory)
        tell("standardising")
        a = standardise(left, left_id).rename({left_id: "record"})
        b = standardise(right, right_id).rename({right_id: "record"})
        a = a.with_columns(pl.col("record").cast(pl.String))
        b = b.with_columns(pl.col("record").cast(pl.String))
        api = _api(backend, threads, scratch)
        inputs = [
            api.register(a.to_arrow(), dataset_display_name="source_a"),
            api.register(b.to_arrow(), dataset_display_name="source_b"),
        ]
        linker = Linker(inputs, settings(), log_level=None)
        tell("training")
        linker.training.estimate_probability_two_random_records_match(
            [block_on("birth_date", "surname", "given_name"), block_on("birth_date", "postcode")],
            recall=0.8,
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=U_PAIRS, seed=seed, num_chunks=U_CHUNKS[backend]
        )
        trained = []
        for name, rule in TRAINING_BLOCKS.items():
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), estimate_without_term_frequencies=True, max_pairs=EM_PAIRS
                )
                trained.append(name)
            except ValueError:
                # EM drove an m probability to zero (Splink refuses such a model): in a small
                # source some level holds no match at all. The other session's estimates stand.
                continue
        if not trained:
            raise refused(
                "Te weinig records om het koppelmodel te trainen; gebruik de methode bloom of "
                "keyed, of grotere bronnen.",
                "Too few records to train the linkage model; use the bloom or keyed method, or "
                "larger sources.",
            )
        tell("scoring")
        predictions = linker.inference.predict(threshold_match_probability=0.01)
        pairs = _pairs(predictions)
        links = pairs.filter(pl.col("match_probability") >= threshold)
        if one_to_one:
            tell("one-to-one")
            links = one_to_one_links(links, "match_probability", "left", "right")
        model = linker.misc.save_model_to_json()
        model["datameent_em_sessions"] = trained
        rate = float(model.get("probability_two_random_records_match", 0.0))
        return Scored(
            pairs.rename({"left": LEFT_ID, "right": RIGHT_ID}),
            links.select(
                pl.col("left").alias(LEFT_ID),
                pl.col("right").alias(RIGHT_ID),
                "match_probability",
            ),
            model,
            rate,
        )


def _arrow(frame: Any) -> pl.DataFrame:
    table = frame.as_pyarrow_table() if hasattr(frame, "as_pyarrow_table") else frame
    return pl.from_arrow(table)  # type: ignore[return-value]


def _pairs(predictions: Any) -> pl.DataFrame:
    table = _arrow(predictions)
    left_first = pl.col("source_dataset_l") == "source_a"
    return table.select(
        pl.when(left_first).then(pl.col("record_l")).otherwise(pl.col("record_r")).alias("left"),
        pl.when(left_first).then(pl.col("record_r")).otherwise(pl.col("record_l")).alias("right"),
        "match_weight",
        "match_probability",
    )
