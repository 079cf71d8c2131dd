"""Privacy-preserving linkage on Bloom-filter encodings of the quasi-identifiers (CLKs).

Two data holders share a secret (never the linkage unit). Each encodes its records into
cryptographic long-term keys (Schnell, Bachteler and Reiher 2011): every name is cut into
bigrams, every other field into tokens, and each token sets `k` bits of a 1,024-bit filter
chosen by HMAC-SHA256 under the shared secret (double hashing). A record's filter holds no
readable name; without the secret nobody can test a guess against it. Records are compared by
the Dice coefficient of their filters, 2|A ∩ B| / (|A| + |B|): similar names share most
bigrams and so most bits, which is what makes the encoding tolerant of typing errors.

Blocking is privacy-preserving too: each record carries a few keyed block keys (HMAC of the
birth date; of postcode and house number; of surname, initial and birth year), and only records
sharing a key are compared. The linkage unit sees only filters, block keys and record ids.

The similarity kernel is compiled with Numba (hardware popcount over 64-bit words, parallel
over blocks); encoding is vectorised with Polars and NumPy, hashing each distinct token once.
The Data61 `clkhash`/`anonlink` packages did this before; they are unmaintained since 2023 and
serve only as the baseline of `benchmarks/linkage.py`.

Bloom-filter encodings are not unbreakable: frequency attacks on bigrams have recovered names
from filters without a secret and with few fields. Hence the secret key, the mixing of all
fields into one filter, and the rule that filters are destroyed after the linkage run.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numba
import numpy as np
import polars as pl
from numba import types
from numba.extending import intrinsic
from numpy.typing import NDArray

from datameent.analytics.linkage import refused
from datameent.analytics.linkage.keyed import fingerprint
from datameent.analytics.linkage.prepare import standardise

BITS = 1024
WORDS = BITS // 64
THRESHOLD = 0.75
"""Dice coefficient at or above which two filters are a link (before one-to-one resolution)."""
CHUNK = 65_536
"""Records encoded at once (bounds the memory of the bit matrix to 64 MiB)."""

Progress = Callable[[int], None]

# Tokens per field and the bits each token sets (its weight in the Dice coefficient).
FIELDS: dict[str, int] = {
    "given_name": 12,
    "surname": 12,
    "birth": 24,
    "sex": 6,
    "address": 12,
}
BLOCKS = ("birth_date", "postcode house_number", "surname given_initial birth_year")
"""Block keys: records are compared when they agree on at least one of these."""


@dataclass(frozen=True)
class Encoded:
    """What a data holder sends to the linkage unit: ids, filters, keyed block keys."""

    ids: pl.Series
    filters: NDArray[np.uint64]
    """One row of `WORDS` 64-bit words per record."""
    blocks: pl.DataFrame
    """`row` (index into ids) and `key` (keyed hash as a 64-bit integer), one per block key."""
    key_fingerprint: str
    """Of the secret the filters were made with: filters under two secrets never match."""


def _secret(secret: bytes) -> bytes:
    if len(secret) < 16:
        raise ValueError("the shared linkage secret must be at least 16 bytes")
    return hmac.new(secret, b"datameent clk", hashlib.sha256).digest()


def tokens(table: pl.DataFrame) -> pl.DataFrame:
    """`row`, `field` and `token` for every token of every record of a standardised table."""
    rows = table.with_row_index("row")
    parts = []
    for field, column in (("given_name", "given_name"), ("surname", "surname")):
        padded = rows.select(
            "row", pl.concat_str([pl.lit("_"), pl.col(column), pl.lit("_")]).alias("s")
        ).drop_nulls("s")
        grams = (
            padded.with_columns(pl.int_ranges(0, pl.col("s").str.len_chars() - 1).alias("at"))
            .explode("at")
            .select("row", pl.col("s").str.slice(pl.col("at"), 2).alias("token"))
        )
        parts.append(grams.with_columns(pl.lit(field).alias("field")))
    birth_day = pl.col("birth_date").str.slice(8, 2)
    birth_month = pl.col("birth_date").str.slice(5, 2)
    other = rows.select(
        "row",
        pl.concat_list(
            ("y" + pl.col("birth_date").str.slice(0, 4)),
            ("n" + birth_day),
            ("n" + birth_month),
            ("d" + pl.col("birth_date")),
        ).alias("birth"),
        pl.concat_list("s" + pl.col("sex")).alias("sex"),
        pl.concat_list(
            ("p" + pl.col("pc4")),
            ("q" + pl.col("postcode")),
            ("h" + pl.col("house_number")),
            ("a" + pl.col("house")),
            ("s" + pl.col("street")),
        ).alias("address"),
    )
    for field in ("birth", "sex", "address"):
        parts.append(
            other.select("row", pl.col(field).alias("token"))
            .explode("token")
            .drop_nulls("token")
            .with_columns(pl.lit(field).alias("field"))
        )
    return pl.concat(parts, how="diagonal").select(pl.col("row").cast(pl.UInt32), "field", "token")


def _positions(secret: bytes, field: str, distinct: list[str]) -> NDArray[np.int64]:
    """The `FIELDS[field]` bit positions of each distinct token (keyed double hashing)."""
    k = FIELDS[field]
    out = np.empty((len(distinct), k), dtype=np.int64)
    steps = np.arange(k, dtype=np.int64)
    for i, token in enumerate(distinct):
        digest = hmac.new(secret, f"{field}\x00{token}".encode(), hashlib.sha256).digest()
        h1 = int.from_bytes(digest[:4], "little")
        h2 = int.from_bytes(digest[4:8], "little") | 1
        out[i] = (h1 + steps * h2) % BITS
    return out


def encode(
    table: pl.DataFrame,
    id_column: str,
    secret: bytes,
    *,
    standardised: bool = False,
    progress: Progress | None = None,
) -> Encoded:
    """Encode a source (with the quasi-identifiers of `prepare`) under the shared `secret`."""
    key = _secret(secret)
    rows = table if standardised else standardise(table, id_column)
    filters = np.zeros((rows.height, WORDS), dtype=np.uint64)
    for start in range(0, rows.height, CHUNK):
        part = rows.slice(start, CHUNK)
        _fill(filters[start : start + part.height], tokens(part), key)
        if progress:
            progress(part.height)
    return Encoded(rows[id_column], filters, block_keys(rows, key), fingerprint(key))


def _fill(filters: NDArray[np.uint64], found: pl.DataFrame, key: bytes) -> None:
    bits = np.zeros((filters.shape[0], BITS), dtype=bool)
    for (field,), group in found.group_by("field"):
        distinct = group["token"].unique().sort()
        positions = _positions(key, str(field), distinct.to_list())
        which = group["token"].cast(pl.Enum(distinct)).to_physical().to_numpy()
        row = group["row"].to_numpy()
        bits[np.repeat(row, positions.shape[1]), positions[which].ravel()] = True
    filters[:] = np.packbits(bits, axis=1, bitorder="little").view(np.uint64)


def block_keys(rows: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """One keyed 64-bit block key per record and blocking rule (none where a field is empty)."""
    block_secret = hmac.new(key, b"blocking", hashlib.sha256).digest()
    parts = []
    for rule, spec in enumerate(BLOCKS):
        columns = spec.split()
        value = pl.concat_str([pl.lit(str(rule)), *[pl.col(c) for c in columns]], separator="|")
        found = rows.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), value.alias("v"))
        found = found.drop_nulls("v")
        distinct = found["v"].unique()
        hashed = np.fromiter(
            (
                int.from_bytes(
                    hmac.new(block_secret, v.encode(), hashlib.sha256).digest()[:8], "little",
                    signed=True,
                )
                for v in distinct.to_list()
            ),
            dtype=np.int64,
            count=distinct.len(),
        )  # fmt: skip
        lookup = pl.DataFrame({"v": distinct, "key": hashed})
        parts.append(found.join(lookup, on="v").select("row", "key"))
    return pl.concat(parts)


# The kernel ------------------------------------------------------------------------------------


@intrinsic
def _ctpop(typingctx, value):  # type: ignore[no-untyped-def]  # noqa: ARG001
    """Numba intrinsic for LLVM's ctpop: one POPCNT instruction on 64-bit words."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]  # noqa: ARG001
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


_popcount: Callable[[Any], int] = cast(Any, _ctpop)


@numba.njit(cache=True, nogil=True)
def _ones(filters: NDArray[np.uint64]) -> NDArray[np.int64]:
    out = np.empty(filters.shape[0], dtype=np.int64)
    for i in range(filters.shape[0]):
        total = 0
        for w in range(filters.shape[1]):
            total += _popcount(filters[i, w])
        out[i] = total
    return out


@numba.njit(cache=True, nogil=True, parallel=True, boundscheck=False)
def _all_pairs_count(
    a: NDArray[np.uint64], b: NDArray[np.uint64], threshold: float
) -> NDArray[np.int64]:
    """Per row of `a`: how many rows of `b` reach `threshold` (the full-comparison kernel)."""
    ones_a, ones_b = _ones(a), _ones(b)
    out = np.zeros(a.shape[0], dtype=np.int64)
    for i in numba.prange(a.shape[0]):
        ai = a[i]
        count = 0
        for j in range(b.shape[0]):
            bj = b[j]
            shared = 0
            for w in range(WORDS):
                shared += _popcount(ai[w] & bj[w])
            if 2.0 * shared >= threshold * (ones_a[i] + ones_b[j]):
                count += 1
        out[i] = count
    return out


@numba.njit(cache=True, nogil=True, parallel=True, boundscheck=False)
def _blocked(
    a: NDArray[np.uint64],
    b: NDArray[np.uint64],
    a_rows: NDArray[np.int64],
    a_starts: NDArray[np.int64],
    b_rows: NDArray[np.int64],
    b_starts: NDArray[np.int64],
    threshold: float,
    write: bool,
    offsets: NDArray[np.int64],
    out_a: NDArray[np.int64],
    out_b: NDArray[np.int64],
    out_score: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Dice of every pair within each block; counts per block, and (when `write`) the pairs
    at or above `threshold` written from `offsets[block]` on."""
    ones_a, ones_b = _ones(a), _ones(b)
    blocks = a_starts.shape[0] - 1
    counts = np.zeros(blocks, dtype=np.int64)
    for k in numba.prange(blocks):
        at = offsets[k] if write else 0
        found = 0
        for x in range(a_starts[k], a_starts[k + 1]):
            i = a_rows[x]
            ai = a[i]
            for y in range(b_starts[k], b_starts[k + 1]):
                j = b_rows[y]
                bj = b[j]
                shared = 0
                for w in range(WORDS):
                    shared += _popcount(ai[w] & bj[w])
                score = 2.0 * shared / (ones_a[i] + ones_b[j])
                if score >= threshold:
                    if write:
                        out_a[at + found] = i
                        out_b[at + found] = j
                        out_score[at + found] = score
                    found += 1
        counts[k] = found
    return counts


@numba.njit(cache=True, nogil=True)
def _greedy(a: NDArray[np.int64], b: NDArray[np.int64], n_a: int, n_b: int) -> NDArray[np.bool_]:
    """One-to-one: walk the pairs from best to worst, keep a pair if both records are free."""
    used_a = np.zeros(n_a, dtype=np.bool_)
    used_b = np.zeros(n_b, dtype=np.bool_)
    keep = np.zeros(a.shape[0], dtype=np.bool_)
    for x in range(a.shape[0]):
        if not used_a[a[x]] and not used_b[b[x]]:
            used_a[a[x]] = True
            used_b[b[x]] = True
            keep[x] = True
    return keep


def one_to_one_links(
    pairs: pl.DataFrame, score: str, left: str = "left_id", right: str = "right_id"
) -> pl.DataFrame:
    """Each record in at most one link: greedily from the highest `score` down, a pair is kept
    when neither of its records is linked yet (ties broken by the ids, so the result does not
    depend on the order of the input)."""
    ordered = pairs.sort([score, left, right], descending=[True, False, False])
    a = ordered[left].rank("dense").cast(pl.Int64).to_numpy() - 1
    b = ordered[right].rank("dense").cast(pl.Int64).to_numpy() - 1
    size_a = int(a.max()) + 1 if a.size else 0
    size_b = int(b.max()) + 1 if b.size else 0
    return ordered.filter(pl.Series(_greedy(a, b, size_a, size_b)))


def comparisons_per_second_kernel(
    a: NDArray[np.uint64], b: NDArray[np.uint64], threshold: float = THRESHOLD
) -> int:
    """Compare every filter of `a` with every filter of `b`: the number of pairs at or above
    `threshold` (the raw kernel, for its benchmark and its test against NumPy)."""
    return int(_all_pairs_count(a, b, threshold).sum())


def _groups(blocks: pl.DataFrame, keys: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rows ordered by block key and the start of each key's run, for the keys in `keys`."""
    ordered = (
        blocks.join(pl.DataFrame({"key": keys}), on="key", how="semi")
        .sort("key", "row")
    )  # fmt: skip
    rows = ordered["row"].cast(pl.Int64).to_numpy()
    sizes = ordered.group_by("key", maintain_order=True).len()["len"].to_numpy()
    starts = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    return rows, starts


def candidates(
    left: Encoded, right: Encoded, threshold: float = THRESHOLD
) -> tuple[pl.DataFrame, int]:
    """Every pair that shares a block key and reaches `threshold`, with its Dice score
    (`left`, `right` as row numbers), and the number of comparisons made."""
    shared = (
        left.blocks.select("key").unique()
        .join(right.blocks.select("key").unique(), on="key")
        .sort("key")["key"]
    )  # fmt: skip
    a_rows, a_starts = _groups(left.blocks, shared)
    b_rows, b_starts = _groups(right.blocks, shared)
    comparisons = int(np.sum(np.diff(a_starts) * np.diff(b_starts)))
    empty_i = np.empty(0, dtype=np.int64)
    empty_f = np.empty(0, dtype=np.float64)
    args = (left.filters, right.filters, a_rows, a_starts, b_rows, b_starts, threshold)
    counts = _blocked(*args, False, empty_i, empty_i, empty_i, empty_f)
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    out_a, out_b = np.empty(total, np.int64), np.empty(total, np.int64)
    score = np.empty(total, np.float64)
    _blocked(*args, True, offsets, out_a, out_b, score)
    pairs = pl.DataFrame({"left": out_a, "right": out_b, "dice": score}).unique(["left", "right"])
    return pairs, comparisons


@dataclass(frozen=True)
class Matched:
    links: pl.DataFrame
    """left_id, right_id, dice: the links, one-to-one if asked."""
    pairs: pl.DataFrame
    """left_id, right_id, dice: every candidate pair at or above the threshold."""
    comparisons: int


def match(
    left: Encoded, right: Encoded, *, threshold: float = THRESHOLD, one_to_one: bool = True
) -> Matched:
    """Match two encoded sources: blocking, Dice, threshold and (if asked) one-to-one."""
    if left.key_fingerprint != right.key_fingerprint:
        raise refused(
            "De bronnen zijn met verschillende geheimen gecodeerd; vraag de bronhouders "
            "hetzelfde gedeelde geheim te gebruiken.",
            "The sources were encoded under different secrets; ask the data holders to use "
            "the same shared secret.",
        )
    pairs, comparisons = candidates(left, right, threshold)
    pairs = pairs.sort(["dice", "left", "right"], descending=[True, False, False])
    links = one_to_one_links(pairs, "dice", "left", "right") if one_to_one else pairs

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            left.ids.gather(frame["left"]).alias("left_id"),
            right.ids.gather(frame["right"]).alias("right_id"),
            "dice",
        )

    return Matched(named(links), named(pairs), comparisons)
