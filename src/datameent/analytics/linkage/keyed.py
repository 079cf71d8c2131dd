"""Linkage on keyed pseudonyms of the BSN, through a trusted third party.

Three roles, three secrets kept apart:

* Each **data holder** (the municipality, the statistics office) holds the *linkage key* they
  share. It turns every BSN into a keyed pseudonym (HMAC-SHA256) and splits its source in two:
  an *identifier file* (a random row token and the pseudonym) for the trusted third party, and
  a *payload file* (the same row tokens and the research variables) for the researcher.
* The **trusted third party** (TTP) holds the *TTP key*. It sees only row tokens and
  pseudonyms, never a BSN and never a payload. It maps each pseudonym to a *research pseudonym*
  under its own key and the project's name (two projects cannot join their outputs), shuffles,
  and sends each data holder's mapping (row token -> research pseudonym) to the researcher.
* The **researcher** holds no key. They join payloads to mappings on the row tokens and the
  sources to each other on the research pseudonym: a linked table without any identifier.

The BSN never leaves the data holder, the linkage key never leaves the data holders, the TTP
key never leaves the TTP, and the row tokens are random per delivery, so they link nothing
outside this run. A fingerprint of each key travels with what it made, so that a delivery made
under another key is refused with a clear message instead of linking nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from datameent.analytics.linkage import refused
from datameent.analytics.linkage.prepare import check_research_columns, require_columns
from datameent.domain.bsn import is_valid_bsn

PROJECT = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
TOKEN_BYTES = 12
PSEUDONYM_HEX = 32
"""128-bit pseudonyms written as hex."""


def fingerprint(key: bytes) -> str:
    """A short public fingerprint of a key: equal keys have equal fingerprints, and it tells
    nothing about the key (HMAC of a fixed message)."""
    return hmac.new(key, b"datameent key fingerprint", hashlib.sha256).hexdigest()[:16]


def _check_key(key: bytes, dutch: str, english: str) -> None:
    if len(key) < 16:
        raise refused(
            f"De {dutch} is te kort (minstens 16 bytes).",
            f"The {english} is too short (at least 16 bytes).",
        )


def _hmac_column(key: bytes, values: Iterable[str | None]) -> list[str | None]:
    return [
        None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]
        for v in values
    ]


@dataclass(frozen=True)
class Delivery:
    """What one data holder sends: the identifiers to the TTP, the payload to the researcher."""

    party: str
    key_fingerprint: str
    identifiers: pl.DataFrame
    """row_token, pseudonym (keyed BSN pseudonym, null where the BSN is missing or invalid)."""
    payload: pl.DataFrame
    """row_token and the research variables: never the BSN or another direct identifier."""


def deliver(
    source: pl.DataFrame,
    party: str,
    linkage_key: bytes,
    *,
    bsn_column: str = "bsn",
    payload: Iterable[str] = (),
    one_per_person: bool = True,
) -> Delivery:
    """Split `source` into its identifier file and payload file (run by the data holder)."""
    _check_key(linkage_key, "koppelsleutel", "linkage key")
    if bsn_column not in source.columns:
        raise refused(
            f"Bron {party} heeft geen kolom {bsn_column}.",
            f"Source {party} has no column {bsn_column}.",
        )
    variables = list(payload)
    check_research_columns(variables, party)
    require_columns(source, variables, party)
    bsns = [
        b if b is not None and is_valid_bsn(str(b)) else None
        for b in source[bsn_column].cast(pl.String).to_list()
    ]
    if one_per_person:
        seen = pl.Series(bsns, dtype=pl.String).drop_nulls()
        if seen.n_unique() != seen.len():
            raise refused(
                f"Bron {party} bevat personen meer dan eens (hetzelfde BSN); "
                "ontdubbel eerst of koppel zonder één-op-één.",
                f"Source {party} holds some persons more than once (the same BSN); "
                "deduplicate first or link without one-to-one.",
            )
    tokens = [secrets.token_hex(TOKEN_BYTES) for _ in range(source.height)]
    identifiers = pl.DataFrame(
        {"row_token": tokens, "pseudonym": _hmac_column(linkage_key, bsns)},
        schema={"row_token": pl.String, "pseudonym": pl.String},
    ).sample(fraction=1.0, shuffle=True)
    data = pl.DataFrame({"row_token": tokens}).hstack(source.select(variables))
    return Delivery(party, fingerprint(linkage_key), identifiers, data)


@dataclass(frozen=True)
class TrustedThirdParty:
    """The TTP of one research project; its key stays inside (never shown or returned)."""

    project: str
    _key: bytes

    @classmethod
    def for_project(cls, key: bytes, project: str) -> TrustedThirdParty:
        _check_key(key, "TTP-sleutel", "TTP key")
        if not PROJECT.match(project):
            raise refused(
                "Een projectnaam is kort: kleine letters, cijfers en streepjes.",
                "A project name is short: lower-case letters, digits and dashes.",
            )
        derived = hmac.new(key, b"datameent research project " + project.encode(), "sha256")
        return cls(project, derived.digest())

    def map(self, deliveries: Mapping[str, Delivery]) -> dict[str, pl.DataFrame]:
        """Per party: row_token -> research_pseudonym (null where the BSN was missing),
        shuffled. Refuses deliveries made under different linkage keys."""
        if len(deliveries) < 2:
            raise refused(
                "Koppelen vraagt minstens twee bronnen.", "Linking needs at least two sources."
            )
        prints = {d.key_fingerprint for d in deliveries.values()}
        if len(prints) != 1:
            raise refused(
                "De bronnen zijn met verschillende koppelsleutels gepseudonimiseerd; "
                "vraag de bronhouders dezelfde sleutel te gebruiken.",
                "The sources were pseudonymised with different linkage keys; ask the data "
                "holders to use the same key.",
            )
        out = {}
        for party, delivery in deliveries.items():
            research = _hmac_column(self._key, delivery.identifiers["pseudonym"].to_list())
            out[party] = (
                delivery.identifiers.select("row_token")
                .with_columns(pl.Series("research_pseudonym", research, dtype=pl.String))
                .sample(fraction=1.0, shuffle=True)
            )
        return out

    def __repr__(self) -> str:  # never show the key
        return f"TrustedThirdParty(project={self.project!r})"


def assemble(
    payloads: Mapping[str, pl.DataFrame], mappings: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """The researcher's linked table: one row per research pseudonym found in any source, each
    party's variables prefixed with its name, and `in_<party>` telling where the person is."""
    linked: pl.DataFrame | None = None
    for party, payload in payloads.items():
        rows = payload.join(mappings[party], on="row_token", how="inner").drop("row_token")
        rows = (
            rows.drop_nulls("research_pseudonym")
            .rename({c: f"{party}_{c}" for c in rows.columns if c != "research_pseudonym"})
            .with_columns(pl.lit(True).alias(f"in_{party}"))
        )
        linked = rows if linked is None else linked.join(
            rows, on="research_pseudonym", how="full", coalesce=True
        )  # fmt: skip
    assert linked is not None
    flags = [c for c in linked.columns if c.startswith("in_")]
    return linked.with_columns(pl.col(flags).fill_null(False)).sort("research_pseudonym")
