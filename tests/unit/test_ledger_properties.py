"""Every inclusion proof for every index of every tree size up to 300, and every consistency
proof between every pair of sizes up to 150, verifies; and a changed leaf never does."""

import hashlib
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datameent.ledger import (
    InvalidProof,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

MAX = 300


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162's definition of MTH, written as plainly as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


class CachedTree:
    def __init__(self, count: int) -> None:
        self.hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]
        self.subtree = cache(self._subtree)

    def _subtree(self, start: int, end: int) -> bytes:
        return (
            reference_root(self.hashes[start:end]) if end - start <= 2 else self._split(start, end)
        )

    def _split(self, start: int, end: int) -> bytes:
        k = 1
        while k * 2 < end - start:
            k *= 2
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))


TREE = CachedTree(MAX)
ROOTS = [root_hash(TREE, n) for n in range(MAX + 1)]


def test_roots_agree_with_the_plain_definition() -> None:
    for n in list(range(0, 40)) + [64, 127, 128, 129, 255, 256, 257, MAX]:
        assert ROOTS[n] == reference_root(TREE.hashes[:n])


def test_every_inclusion_proof_up_to_300_verifies() -> None:
    checked = 0
    for size in range(1, MAX + 1):
        for index in range(size):
            proof = inclusion_proof(TREE, index, size)
            assert len(proof) <= (size - 1).bit_length()
            verify_inclusion(TREE.hashes[index], index, size, proof, ROOTS[size])
            checked += 1
    assert checked == MAX * (MAX + 1) // 2


def test_every_consistency_proof_up_to_150_verifies() -> None:
    for second in range(1, 151):
        for first in range(0, second + 1):
            proof = consistency_proof(TREE, first, second)
            assert len(proof) <= 2 * max(1, (second - 1).bit_length())
            verify_consistency(first, second, proof, ROOTS[first], ROOTS[second])


@given(st.integers(1, MAX), st.data())
def test_a_changed_leaf_or_wrong_index_never_verifies(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(TREE, index, size)
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf_hash(b"rewritten"), index, size, proof, ROOTS[size])
    other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index)) if size > 1 else None
    if other is not None:
        with pytest.raises(InvalidProof):
            verify_inclusion(TREE.hashes[index], other, size, proof, ROOTS[size])


@given(st.integers(2, MAX), st.data())
def test_a_rewritten_history_is_not_consistent(second: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(1, second - 1))
    changed = data.draw(st.integers(0, first - 1))
    hashes = list(TREE.hashes[:second])
    hashes[changed] = leaf_hash(b"rewritten")
    forged_second = reference_root(hashes)
    proof = consistency_proof(TREE, first, second)
    with pytest.raises(InvalidProof):
        verify_consistency(first, second, proof, ROOTS[first], forged_second)
