"""A record-linkage run: two sources in, a research table without identifiers out, logged.

The run is a processing of its own (activity `koppeling-onderzoek`, AVG art. 89): the linkage
service's system account asks the policy, and one processing-log record naming the compared
quasi-identifiers is committed *before* any output is put in place; if that commit fails,
nothing is written. Outputs are staged in a fresh directory and moved into place at the end,
so a failed run leaves nothing half-written.

What comes out (the *research output*): `links.parquet` (a research pseudonym per link, keyed
pseudonyms of both record ids, the match probability or similarity, the method),
`research.parquet` (the linked rows with the research variables asked for, never a
quasi-identifier), `quality.json` and `precision_recall.parquet` (when the truth is known).
The clerical-review sample holds names and birth dates and so goes elsewhere, only on request,
to the data holders' reviewers (`review_out`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from datameent import workdirs
from datameent.analytics.linkage import bloom, evaluate, keyed, probabilistic, refused
from datameent.analytics.linkage.prepare import (
    IDENTIFYING,
    QUASI_IDENTIFIERS,
    check_research_columns,
    check_source,
    require_columns,
)
from datameent.analytics.pseudonyms import Pseudonymiser
from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action
from datameent.services.accounts import system_account
from datameent.store.uow import Store

Method = Literal["keyed", "probabilistic", "bloom"]
METHODS: tuple[Method, ...] = ("keyed", "probabilistic", "bloom")
BACKENDS = probabilistic.BACKENDS
SERVICE_ACCOUNT = "koppeling"
"""The system account a linkage runs as; it never logs in."""
RESEARCH_DOMAIN = "onderzoek"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LinkRequest:
    method: Method
    left: Path
    right: Path
    left_id: str
    right_id: str
    left_name: str = "gemeente"
    right_name: str = "statistiekbureau"
    keep_left: tuple[str, ...] = ()
    keep_right: tuple[str, ...] = ()
    threshold: float | None = None
    """The method's own default when None."""
    one_to_one: bool = True
    truth: Path | None = None
    """A table with the true links (columns `left_id` and `right_id` of the request), if known."""
    project: str = "onderzoek"
    backend: probabilistic.Backend = "duckdb"
    bsn_column: str = "bsn"


@dataclass(frozen=True)
class LinkKeys:
    linkage: bytes
    """Shared by the two data holders: BSN pseudonyms and Bloom filters."""
    research: bytes
    """The pseudonymisation key: record pseudonyms in the research output."""
    ttp: bytes | None = None
    """The trusted third party's, for keyed linkage."""


@dataclass(frozen=True)
class LinkRun:
    method: Method
    left_records: int
    right_records: int
    links: int
    threshold: float
    seconds: float
    files: tuple[str, ...]
    accuracy: evaluate.Accuracy | None
    report: dict[str, Any] = field(repr=False)


def service_account(store: Store) -> User:
    """The linkage service's system account, made on first use."""
    return system_account(store, SERVICE_ACCOUNT, "Koppeling")


def _read(path: Path, name: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise refused(
            f"Bron {name} ({path.name}) kan niet gelezen worden als Parquet-bestand.",
            f"Source {name} ({path.name}) cannot be read as a Parquet file.",
        ) from error


def _check_out(out: Path) -> None:
    if not workdirs.empty(out):
        raise refused(
            f"{out} bestaat al en is geen lege map; kies een andere.",
            f"{out} exists and is not an empty directory; choose another.",
        )


def _check_request(request: LinkRequest, left: pl.DataFrame, right: pl.DataFrame) -> None:
    if request.method not in METHODS:
        raise refused("Onbekende koppelmethode.", "Unknown linkage method.")
    if request.left_name == request.right_name:
        raise refused("Geef de twee bronnen verschillende namen.", "Name the two sources apart.")
    for table, name, column, keep in (
        (left, request.left_name, request.left_id, request.keep_left),
        (right, request.right_name, request.right_id, request.keep_right),
    ):
        check_research_columns(keep, name)
        keyed_ids = [column, request.bsn_column] if request.method == "keyed" else []
        require_columns(table, [*keyed_ids, *keep], name)
        if request.method != "keyed":
            check_source(table, column, name)
    if request.threshold is not None and not 0 < request.threshold <= 1:
        raise refused("De drempel ligt tussen 0 en 1.", "The threshold lies between 0 and 1.")


def _check_duplicates(table: pl.DataFrame, name: str, request: LinkRequest) -> None:
    """One-to-one assumes each source holds a person once: refuse an exact duplicate person."""
    if not request.one_to_one or request.method == "keyed":
        return
    identity = [c for c in ("given_name", "family_name", "birth_date", "postcode") if c in table]
    duplicated = table.select(identity).drop_nulls().is_duplicated().sum()
    if duplicated:
        raise refused(
            f"Bron {name} bevat {duplicated} records die dezelfde persoon lijken te zijn "
            "(zelfde naam, geboortedatum en postcode); ontdubbel eerst of koppel zonder "
            "één-op-één.",
            f"Source {name} holds {duplicated} records that seem to be the same person (same "
            "name, birth date and postcode); deduplicate first or link without one-to-one.",
        )


@dataclass(frozen=True)
class _Result:
    links: pl.DataFrame
    """left_id, right_id, score, link (research pseudonym or None)."""
    pairs: pl.DataFrame
    """left_id, right_id, score: every candidate pair scored."""
    threshold: float
    score: str
    """What `score` is: match_probability or similarity."""
    extra: dict[str, Any]


def _keyed(
    request: LinkRequest, left: pl.DataFrame, right: pl.DataFrame, keys: LinkKeys
) -> _Result:
    if keys.ttp is None:
        raise refused(
            "Koppelen op versleutelde BSN's vraagt de sleutel van de vertrouwde derde partij.",
            "Linking on keyed BSN pseudonyms needs the trusted third party's key.",
        )
    deliveries = {
        side: keyed.deliver(
            table, name, keys.linkage, bsn_column=request.bsn_column, payload=[column],
            one_per_person=request.one_to_one,
        )
        for side, table, name, column in (
            ("left", left, request.left_name, request.left_id),
            ("right", right, request.right_name, request.right_id),
        )
    }  # fmt: skip
    ttp = keyed.TrustedThirdParty.for_project(keys.ttp, request.project)
    mapped = ttp.map(deliveries)
    sides = []
    for side, column in (("left", request.left_id), ("right", request.right_id)):
        found = (
            deliveries[side]
            .payload.join(mapped[side], on="row_token")
            .drop_nulls("research_pseudonym")
        )
        sides.append(
            found.select(pl.col(column).cast(pl.String).alias(f"{side}_id"), "research_pseudonym")
        )
    linked = sides[0].join(sides[1], on="research_pseudonym")
    score, link = pl.lit(1.0).alias("score"), pl.col("research_pseudonym").alias("link")
    links = linked.select("left_id", "right_id", score, link)
    return _Result(links, links.drop("link"), 1.0, "match_probability", {})


def _probabilistic(
    request: LinkRequest, left: pl.DataFrame, right: pl.DataFrame, tell: Progress
) -> _Result:
    threshold = request.threshold or probabilistic.THRESHOLD
    scored = probabilistic.link(
        left, right, left_id=request.left_id, right_id=request.right_id,
        one_to_one=request.one_to_one, threshold=threshold, backend=request.backend,
        progress=tell,
    )  # fmt: skip
    links = scored.links.rename({"match_probability": "score"})
    pairs = scored.pairs.select("left_id", "right_id", pl.col("match_probability").alias("score"))
    extra = {
        "splink_estimated_match_probability_of_two_random_records": scored.estimated_match_rate,
        "splink_expected_matches": scored.estimated_match_rate * left.height * right.height,
        "backend": request.backend,
    }
    return _Result(
        links.with_columns(pl.lit(None, pl.String).alias("link")),
        pairs,
        threshold,
        "match_probability",
        extra,
    )


def _bloom(
    request: LinkRequest, left: pl.DataFrame, right: pl.DataFrame, keys: LinkKeys, tell: Progress
) -> _Result:
    threshold = request.threshold or bloom.THRESHOLD
    tell("encoding")
    a = bloom.encode(left, request.left_id, keys.linkage)
    b = bloom.encode(right, request.right_id, keys.linkage)
    tell("comparing")
    floor = max(0.0, threshold - 0.15)
    matched = bloom.match(a, b, threshold=floor, one_to_one=request.one_to_one)
    links = matched.links.filter(pl.col("dice") >= threshold)
    cast = [pl.col("left_id").cast(pl.String), pl.col("right_id").cast(pl.String)]
    return _Result(
        links.select(*cast, pl.col("dice").alias("score"), pl.lit(None, pl.String).alias("link")),
        matched.pairs.select(*cast, pl.col("dice").alias("score")),
        threshold,
        "similarity",
        {"comparisons": matched.comparisons, "filter_bits": bloom.BITS},
    )


def run(
    store: Store,
    actor: User,
    request: LinkRequest,
    keys: LinkKeys,
    out: Path,
    *,
    review_out: Path | None = None,
    progress: Progress | None = None,
) -> LinkRun:
    """Link `request.left` and `request.right` into `out` (see the module's description)."""
    tell = progress or (lambda _: None)
    started = time.perf_counter()
    _check_out(out)
    if review_out is not None:
        _check_out(review_out)
    tell("reading")
    left = _read(request.left, request.left_name)
    right = _read(request.right, request.right_name)
    _check_request(request, left, right)
    _check_duplicates(left, request.left_name, request)
    _check_duplicates(right, request.right_name, request)
    left = left.with_columns(pl.col(request.left_id).cast(pl.String))
    right = right.with_columns(pl.col(request.right_id).cast(pl.String))
    truth = _truth(request) if request.truth else None

    if request.method == "keyed":
        result = _keyed(request, left, right, keys)
    elif request.method == "probabilistic":
        result = _probabilistic(request, left, right, tell)
    else:
        result = _bloom(request, left, right, keys, tell)

    tell("reporting")
    pseudonyms = Pseudonymiser.for_domain(keys.research, RESEARCH_DOMAIN)
    link_table = _link_table(result, request, pseudonyms)
    research = _research(result, request, left, right, link_table)
    accuracy = (
        evaluate.accuracy(result.links, truth, result.threshold) if truth is not None else None
    )
    report = {
        "method": request.method,
        "project": request.project,
        "activity": "koppeling-onderzoek",
        "sources": {request.left_name: left.height, request.right_name: right.height},
        "threshold": result.threshold,
        "score": result.score,
        "one_to_one": request.one_to_one,
        "links": link_table.height,
        "label_free": evaluate.label_free(result.pairs, result.links, result.threshold),
        "accuracy": evaluate.as_dict(accuracy) if accuracy else None,
        "research_columns": research.columns,
        "identifying_columns_kept_out": sorted(IDENTIFYING | {request.bsn_column}),
        **result.extra,
    }
    staged = {
        "links.parquet": link_table,
        "research.parquet": research,
    }
    if truth is not None:
        staged["precision_recall.parquet"] = evaluate.precision_recall_curve(result.pairs, truth)
    review = None
    if review_out is not None and request.method != "keyed":
        low, high = (0.5, 0.99) if result.score == "match_probability" else (
            result.threshold - 0.1, result.threshold + 0.1
        )  # fmt: skip
        review = evaluate.review_sample(
            result.pairs, left, right, left_id=request.left_id, right_id=request.right_id,
            low=low, high=high,
        )  # fmt: skip
    report["seconds"] = round(time.perf_counter() - started, 2)
    files = _write(out, staged, report, review, review_out, store, actor, request)
    return LinkRun(
        request.method, left.height, right.height, link_table.height, result.threshold,
        report["seconds"], files, accuracy, report,
    )  # fmt: skip


def _truth(request: LinkRequest) -> pl.DataFrame:
    assert request.truth is not None
    table = _read(request.truth, "truth")
    missing = [c for c in (request.left_id, request.right_id) if c not in table.columns]
    if missing:
        raise refused(
            f"Het bestand met de ware koppelingen mist {', '.join(missing)}.",
            f"The file of true links lacks {', '.join(missing)}.",
        )
    return table.drop_nulls([request.left_id, request.right_id]).select(
        pl.col(request.left_id).cast(pl.String).alias("left_id"),
        pl.col(request.right_id).cast(pl.String).alias("right_id"),
    )


def _link_table(result: _Result, request: LinkRequest, pseudonyms: Pseudonymiser) -> pl.DataFrame:
    def record(side: str, name: str) -> pl.Expr:
        return pl.col(f"{side}_id").map_elements(
            lambda v: pseudonyms.pseudonym(f"record-{name}", v), return_dtype=pl.String
        )

    links = result.links.with_columns(
        pl.when(pl.col("link").is_null())
        .then(
            pl.concat_str(["left_id", "right_id"], separator="\x00").map_elements(
                lambda v: pseudonyms.pseudonym(f"link-{request.project}", v),
                return_dtype=pl.String,
            )
        )
        .otherwise(pl.col("link"))
        .alias("link")
    )
    return links.select(
        "link",
        record("left", request.left_name).alias(f"{request.left_name}_record"),
        record("right", request.right_name).alias(f"{request.right_name}_record"),
        (
            pl.col("score") if result.score == "match_probability" else pl.lit(None, pl.Float64)
        ).alias("match_probability"),
        (pl.col("score") if result.score == "similarity" else pl.lit(None, pl.Float64)).alias(
            "similarity"
        ),
        pl.lit(request.method).alias("method"),
        "left_id",
        "right_id",
    )


def _research(
    result: _Result,
    request: LinkRequest,
    left: pl.DataFrame,
    right: pl.DataFrame,
    link_table: pl.DataFrame,
) -> pl.DataFrame:
    """The linked rows with the research variables of each side, prefixed by its name."""
    rows = link_table.select("link", "left_id", "right_id")
    for side, table, column, keep, name in (
        ("left", left, request.left_id, request.keep_left, request.left_name),
        ("right", right, request.right_id, request.keep_right, request.right_name),
    ):
        variables = table.select(
            pl.col(column).cast(pl.String).alias(f"{side}_id"),
            *[pl.col(c).alias(f"{name}_{c}") for c in keep],
        )
        rows = rows.join(variables, on=f"{side}_id", how="left")
    return rows.drop("left_id", "right_id").sort("link")


def _write(
    out: Path,
    staged: dict[str, pl.DataFrame],
    report: dict[str, Any],
    review: pl.DataFrame | None,
    review_out: Path | None,
    store: Store,
    actor: User,
    request: LinkRequest,
) -> tuple[str, ...]:
    """Stage every file, log the run, then move the files into place."""
    out.mkdir(parents=True, exist_ok=True)
    with workdirs.staging_directory(out) as staging:
        staged["links.parquet"] = staged["links.parquet"].drop("left_id", "right_id")
        for name, table in staged.items():
            table.write_parquet(staging / name)
        (staging / "quality.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        if review is not None and review_out is not None:
            review_out.mkdir(parents=True, exist_ok=True)
            review.write_parquet(staging / "uncertain_pairs.parquet")
        compared = set(QUASI_IDENTIFIERS) if request.method != "keyed" else {request.bsn_column}
        with store.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(actor, Action.LINK_RECORDS))
            uow.log.touch(permit, None, compared)
            uow.commit()
        if review is not None and review_out is not None:
            (staging / "uncertain_pairs.parquet").replace(review_out / "uncertain_pairs.parquet")
        names = (*staged, "quality.json")
        for name in names:
            (staging / name).replace(out / name)
        return tuple(names)


# The keyed method with its roles apart ---------------------------------------------------------
#
# `run` with the keyed method plays all three roles in one process (a test environment, or a
# municipality that is its own trusted third party). Between organisations each role runs its
# own step with only its own key, and files travel between them:
#
#   data holder:  deliver  -> identifiers.parquet (to the TTP), payload.parquet (to the
#                             researcher), delivery.json (party, key fingerprint, rows)
#   TTP:          map      -> mapping-<party>.parquet per delivery (to the researcher)
#   researcher:   assemble -> research.parquet


def _stage_and_move(out: Path, files: dict[str, pl.DataFrame], notes: dict[str, Any]) -> None:
    """Write `files` and `delivery.json`-like `notes` into `out` all at once (or not at all)."""
    _check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".stage-", dir=out))
    try:
        for name, table in files.items():
            table.write_parquet(staging / name)
        for name, document in notes.items():
            (staging / name).write_text(json.dumps(document, indent=2) + "\n")
        for name in (*files, *notes):
            (staging / name).replace(out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def deliver(
    store: Store,
    actor: User,
    source: Path,
    party: str,
    linkage_key: bytes,
    out: Path,
    *,
    bsn_column: str = "bsn",
    keep: tuple[str, ...] = (),
) -> int:
    """The data holder's step: split `source` into the TTP's identifier file and the
    researcher's payload file. Logged as the linkage processing (the BSN is read)."""
    _check_out(out)
    table = _read(source, party)
    delivery = keyed.deliver(table, party, linkage_key, bsn_column=bsn_column, payload=keep)
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.LINK_RECORDS))
        uow.log.touch(permit, None, {bsn_column})
        uow.commit()
    notes = {"party": party, "key_fingerprint": delivery.key_fingerprint, "rows": table.height}
    _stage_and_move(
        out,
        {"identifiers.parquet": delivery.identifiers, "payload.parquet": delivery.payload},
        {"delivery.json": notes},
    )
    return table.height


def _delivery(folder: Path, part: str) -> keyed.Delivery:
    try:
        notes = json.loads((folder / "delivery.json").read_text())
        table = pl.read_parquet(folder / part)
    except (OSError, ValueError, pl.exceptions.PolarsError) as error:
        raise refused(
            f"{folder} is geen volledige levering (delivery.json en {part}).",
            f"{folder} is not a complete delivery (delivery.json and {part}).",
        ) from error
    empty = pl.DataFrame()
    if part == "identifiers.parquet":
        return keyed.Delivery(notes["party"], notes["key_fingerprint"], table, empty)
    return keyed.Delivery(notes["party"], notes["key_fingerprint"], empty, table)


def map_deliveries(ttp_key: bytes, project: str, deliveries: list[Path], out: Path) -> list[str]:
    """The trusted third party's step: research pseudonyms for every delivery's identifiers.
    Reads only identifier files (never a payload); returns the parties."""
    _check_out(out)
    found = [_delivery(folder, "identifiers.parquet") for folder in deliveries]
    parties = [d.party for d in found]
    if len(set(parties)) != len(parties):
        raise refused("Twee leveringen van dezelfde partij.", "Two deliveries of the same party.")
    mapped = keyed.TrustedThirdParty.for_project(ttp_key, project).map({d.party: d for d in found})
    _stage_and_move(
        out,
        {f"mapping-{party}.parquet": table for party, table in mapped.items()},
        {"mapping.json": {"project": project, "parties": parties}},
    )
    return parties


def assemble_research(payloads: list[Path], mappings: Path, out: Path) -> int:
    """The researcher's step: join each payload to its party's mapping; the linked table."""
    _check_out(out)
    found = [_delivery(folder, "payload.parquet") for folder in payloads]
    tables = {}
    for delivery in found:
        path = mappings / f"mapping-{delivery.party}.parquet"
        if not path.exists():
            raise refused(
                f"Geen koppeltabel van de TTP voor {delivery.party}.",
                f"No mapping from the TTP for {delivery.party}.",
            )
        tables[delivery.party] = pl.read_parquet(path)
    research = keyed.assemble({d.party: d.payload for d in found}, tables)
    _stage_and_move(out, {"research.parquet": research}, {})
    return research.height
