"""RFC 9162 §2.1.1: leaves and interior nodes are hashed with different prefixes, so that a leaf
can never be passed off as a node (second-preimage resistance)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root hash of the empty tree: SHA-256 of nothing."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """The root of a tree from the hashes of its complete subtrees, largest (leftmost) first:
    folded from the right, as RFC 9162 splits."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def extend(
    size: int, frontier: Sequence[bytes], leaves: Sequence[bytes]
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """Append `leaves` to a tree of `size` leaves whose complete right-edge subtrees are
    `frontier`: the complete subtrees this makes, as (level, index at that level, hash), and the
    frontier after. O(1) hashes per leaf on average; nothing else of the tree is read."""
    frontier, nodes = list(frontier), []
    for leaf in leaves:
        node, level, index = leaf, 0, size
        nodes.append((0, index, node))
        while index & 1:
            node = node_hash(frontier.pop(), node)
            level, index = level + 1, index >> 1
            nodes.append((level, index, node))
        frontier.append(node)
        size += 1
    return nodes, frontier


def split(size: int) -> int:
    """The largest power of two smaller than `size` (for size > 1): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)
