"""Recomputing the tree from the records, in parts that can run side by side.

A part scans the records and leaves of one index range ``[start, end)``: it checks each record
against its digest and its leaf, and folds the leaves into the complete, aligned subtrees that
lie inside the range (a subtree of ``2**level`` leaves at ``index`` covers
``[index * 2**level, (index + 1) * 2**level)``). Parts are joined left to right by the same
rule, so the tree of the whole log (and its root at any size) comes out the same whether it was
scanned in one part or in many. Pure: the rows come from whoever calls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from datameent.ledger.hashing import EMPTY_ROOT, root_from_frontier

Subtree = tuple[int, int, bytes]
"""(level, index, hash) of a complete subtree."""


@dataclass(frozen=True)
class Fault:
    """The first index where records and tree disagree, and how."""

    index: int
    problem: str


@dataclass
class Part:
    """What a scanned range contributes: its subtrees, and a copy of them at each wanted size
    inside the range (to compute the root at that size)."""

    start: int
    end: int
    subtrees: list[Subtree] = field(default_factory=list)
    at: dict[int, list[Subtree]] = field(default_factory=dict)


def push(stack: list[Subtree], subtree: Subtree) -> None:
    """Add the next subtree to the right; join it with its left sibling while there is one."""
    sha256 = hashlib.sha256
    level, index, node = subtree
    while index & 1 and stack and stack[-1][0] == level:
        node = sha256(b"\x01" + stack.pop()[2] + node).digest()
        level, index = level + 1, index >> 1
    stack.append((level, index, node))


def join(left: Sequence[Subtree], right: Iterable[Subtree]) -> list[Subtree]:
    """The subtrees of two adjacent ranges, as one range."""
    stack = list(left)
    for subtree in right:
        push(stack, subtree)
    return stack


def root(stack: Sequence[Subtree]) -> bytes:
    """RFC 9162's root of the leaves the subtrees cover, from index 0."""
    return root_from_frontier([node for _level, _index, node in stack])


def scan(
    records: Iterator[tuple[int, bytes, str | None]],
    leaves: Iterator[tuple[int, bytes]],
    start: int,
    end: int,
    wanted: Iterable[int] = (),
    erased_below: int = 0,
) -> Part | Fault:
    """Check the records ``(seq, digest, payload)`` and leaves ``(index, hash)`` of
    ``[start, end)``, both in index order, and fold them into a `Part`. A payload of None is
    a record erased for retention (its digest still stands), allowed only below
    `erased_below`, the boundary the log's latest erasure record states: above it, a missing
    payload is content removed without leave. Written for speed: it runs once per record of
    the whole log, so hashing is inlined."""
    sha256 = hashlib.sha256
    part = Part(start, end)
    stack = part.subtrees
    wanted = set(wanted)
    expected = start
    for stop in sorted({w for w in wanted if start < w < end} | {end}):
        if expected < stop:
            for (seq, digest, payload), (index, leaf) in zip(records, leaves, strict=False):
                if seq != expected or index != expected:
                    return Fault(expected, _row_problem(expected, seq, index))
                digest, leaf = bytes(digest), bytes(leaf)
                if payload is None:
                    if expected >= erased_below:
                        return Fault(expected, "a record's content was removed")
                elif sha256(payload.encode()).digest() != digest:
                    return Fault(expected, "a record was changed")
                if sha256(b"\x00" + digest).digest() != leaf:
                    return Fault(expected, "a record does not match its leaf")
                node, level, i = leaf, 0, expected
                while i & 1 and stack and stack[-1][0] == level:
                    node = sha256(b"\x01" + stack.pop()[2] + node).digest()
                    level, i = level + 1, i >> 1
                stack.append((level, i, node))
                expected += 1
                if expected == stop:
                    break
        if expected != stop:
            return Fault(expected, "records or leaves are missing at the end")
        if stop in wanted:
            part.at[stop] = list(stack)
    return part


def _row_problem(expected: int, seq: int | None, index: int | None) -> str:
    if seq is None or seq > expected:
        return "a record is missing"
    if index is None or index > expected:
        return "a leaf is missing"
    return "a record or leaf was added or is out of order"


def combine(parts: Sequence[Part | Fault], wanted: Iterable[int]) -> dict[int, bytes] | Fault:
    """Join the parts of ``[0, n)`` in order; the roots at the `wanted` sizes (and at 0)."""
    stack: list[Subtree] = []
    roots: dict[int, bytes] = {}
    for part in parts:
        if isinstance(part, Fault):
            return part
        for size, subtrees in part.at.items():
            roots[size] = root(join(stack, subtrees))
        stack = join(stack, part.subtrees)
    roots[0] = EMPTY_ROOT
    return {size: roots[size] for size in {0, *wanted} if size in roots}
