"""An append-only Merkle log as in RFC 9162 (Certificate Transparency 2.0): hashing, proofs
and signed checkpoints. Pure: the only I/O is the `SubtreeSource` a caller hands in."""

from datameent.ledger.checkpoint import Checkpoint, NoteKey, open_note, sign_checkpoint
from datameent.ledger.hashing import EMPTY_ROOT, leaf_hash, node_hash
from datameent.ledger.proofs import (
    InvalidProof,
    LeafHashes,
    SubtreeSource,
    consistency_proof,
    inclusion_proof,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "InvalidProof",
    "LeafHashes",
    "NoteKey",
    "SubtreeSource",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "open_note",
    "root_hash",
    "sign_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
