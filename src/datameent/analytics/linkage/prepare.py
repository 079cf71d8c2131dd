"""Dutch quasi-identifiers, standardised the same way for every linkage method.

Registers write the same person differently: "Müller" and "Muller", "van der Berg" with the
prefix in its own field or in the surname, "Van der Berg" and "Berg, van der", a postcode with
or without its space, "12A", "12 A" and "12-a". Comparing before standardising would count
those as disagreements and teach the model that surnames are unreliable. Every method in this
package (the Fellegi-Sunter model, the Bloom-filter encodings) compares these columns:

    given_name      folded (lower case, no diacritics, letters only), e.g. "jose"
    given_initial   its first letter; a register that holds only initials holds only this
    surname         the surname without its prefixes ("van der berg" -> "berg")
    surname_initial its first letter (for blocking)
    surname_prefix  the prefixes, joined ("vander"), empty if none
    birth_date      ISO date as text ("1984-03-07"), so edits and day/month swaps are visible
    birth_year      the year alone, for blocking
    sex             M, V or X
    postcode        PC6 without space ("3712CL"); pc4 its first four digits
    house_number    the number without addition ("120"); house the number with a normalised
                    addition ("120a")
    street          folded street name
    earlier_postcode, earlier_house_number
                    the address before the last move, where a source keeps it (the BRP does);
                    null otherwise
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from datameent.analytics.linkage import refused
from datameent.domain.warehouse import DIRECT_IDENTIFIERS

QUASI_IDENTIFIERS = ("given_name", "name_prefix", "family_name", "sex", "birth_date", "street",
                     "house_number", "postcode")  # fmt: skip
"""The columns a source must have for probabilistic or Bloom-filter linkage."""

IDENTIFYING = frozenset({"bsn", "city", *QUASI_IDENTIFIERS, *DIRECT_IDENTIFIERS}) - {"sex"}
"""Columns that never reach a research output: what identifies a person, alone or combined.
(Sex alone is a research variable, as in the statistics warehouse.)"""

COMPARED = ("given_name", "given_initial", "surname", "surname_initial", "surname_prefix",
            "birth_date", "birth_year", "sex", "postcode", "pc4", "house_number", "house",
            "street", "earlier_postcode", "earlier_house_number")  # fmt: skip
"""The standardised columns the methods compare."""

PREFIX_WORDS = ("van", "der", "den", "de", "het", "'t", "t", "ten", "ter", "te", "in", "op", "uit",
                "aan", "bij", "onder", "over", "voor", "von", "vom", "zu", "la", "le", "du", "des",
                "d", "l", "el", "al", "da", "dos", "di")  # fmt: skip
"""Words that begin Dutch (and some foreign) surnames and are written apart, in the prefix
field or not: "van der", "ten", "in 't", "de la", "el"."""

_PREFIXES = r"^(?:(?:" + "|".join(w.replace("'", "'?") for w in PREFIX_WORDS) + r")(?:\s+|'))+"


def require_columns(table: pl.DataFrame, columns: Iterable[str], name: str) -> None:
    """Refuse source `name` if it lacks any of `columns` or holds no records."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise refused(
            f"Bron {name} mist de kolommen {', '.join(missing)}.",
            f"Source {name} lacks the columns {', '.join(missing)}.",
        )
    if table.height == 0:
        raise refused(f"Bron {name} is leeg.", f"Source {name} is empty.")


def check_source(table: pl.DataFrame, id_column: str, name: str) -> None:
    """Refuse a source that cannot be linked, with a message that names what is wrong."""
    require_columns(table, (id_column, *QUASI_IDENTIFIERS), name)
    if table[id_column].null_count():
        raise refused(
            f"Bron {name} heeft records zonder {id_column}.",
            f"Source {name} has records without {id_column}.",
        )
    if table[id_column].n_unique() != table.height:
        raise refused(
            f"Bron {name} heeft dubbele waarden in {id_column}.",
            f"Source {name} has duplicate values in {id_column}.",
        )


def check_research_columns(columns: Iterable[str], name: str) -> None:
    """Refuse research variables that identify a person (data minimisation)."""
    identifying = sorted(set(columns) & IDENTIFYING)
    if identifying:
        raise refused(
            f"Bron {name}: {', '.join(identifying)} mag niet in de onderzoeksuitvoer "
            "(dat identificeert personen).",
            f"Source {name}: {', '.join(identifying)} may not go into the research output "
            "(it identifies persons).",
        )


def fold(column: str | pl.Expr) -> pl.Expr:
    """Lower case without diacritics, letters and single spaces only: "Müller-Lüdenscheidt "
    becomes "muller ludenscheidt"."""
    expr = pl.col(column) if isinstance(column, str) else column
    return (
        expr.cast(pl.String)
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z' ]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" '")
    )


def _postcode(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.extract(r"^\s*(\d+)", 1)


def standardise(table: pl.DataFrame, id_column: str, keep: Iterable[str] = ()) -> pl.DataFrame:
    """`id_column`, the `COMPARED` columns and `keep`, from a source with `QUASI_IDENTIFIERS`.
    Empty values become null, so that they count as unknown rather than as disagreement."""
    prefix_and_surname = pl.concat_str(
        [fold("name_prefix").fill_null(""), fold("family_name").fill_null("")], separator=" "
    ).str.strip_chars(" ")
    given = fold("given_name")
    postcode = _postcode("postcode")
    house = pl.col("house_number").cast(pl.String).str.to_lowercase()
    digits = _number("house_number")
    earlier = all(c in table.columns for c in ("earlier_postcode", "earlier_house_number"))
    addition = house.str.replace(r"^\s*\d+", "").str.replace_all(r"[^a-z0-9]+", "")
    birth = pl.col("birth_date").cast(pl.Date)
    out = table.select(
        pl.col(id_column),
        given.alias("given_name"),
        given.str.slice(0, 1).alias("given_initial"),
        prefix_and_surname.str.replace(_PREFIXES, "").str.replace_all(" ", "").alias("surname"),
        prefix_and_surname.str.replace(_PREFIXES, "").str.slice(0, 1).alias("surname_initial"),
        prefix_and_surname.str.extract(_PREFIXES, 0)
        .str.replace_all(r"[\s']", "")
        .fill_null("")
        .alias("surname_prefix"),
        birth.dt.to_string("%Y-%m-%d").alias("birth_date"),
        birth.dt.year().alias("birth_year"),
        pl.col("sex").cast(pl.String).str.to_uppercase().alias("sex"),
        postcode.alias("postcode"),
        postcode.str.slice(0, 4).alias("pc4"),
        digits.alias("house_number"),
        pl.concat_str([digits, addition]).alias("house"),
        fold("street").str.replace_all(" ", "").alias("street"),
        (_postcode("earlier_postcode") if earlier else pl.lit(None, pl.String)).alias(
            "earlier_postcode"
        ),
        (_number("earlier_house_number") if earlier else pl.lit(None, pl.String)).alias(
            "earlier_house_number"
        ),
        *[pl.col(c) for c in keep],
    )
    text = [c for c in COMPARED if out.schema[c] == pl.String]
    return out.with_columns(
        pl.when(pl.col(c).str.len_chars() > 0).then(pl.col(c)).alias(c) for c in text
    )
