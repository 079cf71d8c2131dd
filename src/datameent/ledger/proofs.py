"""Tree heads, inclusion proofs and consistency proofs (RFC 9162 §2.1.2 to §2.1.4).

Proofs are made from a `SubtreeSource`: anything that can give the hash of the leaves in
``[start, end)``. A store answers aligned, complete subtrees from saved nodes, so a proof costs
O(log n) lookups instead of rehashing the tree. Verification needs nothing but the proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from datameent.ledger.hashing import EMPTY_ROOT, node_hash, split


class InvalidProof(Exception):
    """A proof does not prove what it claims, or its arguments are out of range."""


class SubtreeSource(Protocol):
    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]), the hash of the leaves from `start` up to `end` (exclusive)."""
        ...


class LeafHashes:
    """A `SubtreeSource` over leaf hashes held in memory: for tests, small logs and checks."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.hashes = hashes

    def subtree(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self.hashes[start]
        k = split(end - start)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))


def root_hash(source: SubtreeSource, size: int) -> bytes:
    return EMPTY_ROOT if size == 0 else source.subtree(0, size)


def inclusion_proof(source: SubtreeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise InvalidProof(f"leaf {index} is not in a tree of size {size}")
    return _path(source, index, 0, size)


def _path(source: SubtreeSource, index: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    k = split(end - start)
    if index < start + k:
        return _path(source, index, start, start + k) + [source.subtree(start + k, end)]
    return _path(source, index, start + k, end) + [source.subtree(start, start + k)]


def consistency_proof(source: SubtreeSource, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]): shows the tree of size `first` is a prefix of `second`."""
    if not 0 <= first <= second:
        raise InvalidProof(f"no consistency proof from size {first} to {second}")
    if first in (0, second):
        return []
    return _subproof(source, first, 0, second, True)


def _subproof(source: SubtreeSource, m: int, start: int, end: int, whole: bool) -> list[bytes]:
    if m == end - start:
        return [] if whole else [source.subtree(start, end)]
    k = split(end - start)
    if m <= k:
        return _subproof(source, m, start, start + k, whole) + [source.subtree(start + k, end)]
    return _subproof(source, m - k, start + k, end, False) + [source.subtree(start, start + k)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2. Raises `InvalidProof` unless `leaf` is at `index` under `root`."""
    if not 0 <= index < size:
        raise InvalidProof("index out of range")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise InvalidProof("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise InvalidProof("the proof does not lead to the root")


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2. Raises `InvalidProof` unless tree `first` is a prefix of `second`."""
    if not 0 <= first <= second:
        raise InvalidProof("sizes out of order")
    if first == second:
        if proof or first_root != second_root:
            raise InvalidProof("equal sizes need equal roots and an empty proof")
        return
    if first == 0:
        if proof:
            raise InvalidProof("the empty tree needs an empty proof")
        return
    if not proof:
        raise InvalidProof("empty proof")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise InvalidProof("the proof does not connect the two roots")
