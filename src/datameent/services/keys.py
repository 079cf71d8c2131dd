"""Rotating the master key: every person's data key wrapped again under a new master key.

The operator makes a new key and sets it as ``DATAMEENT_MASTER_KEY``, with the old one as
``DATAMEENT_PREVIOUS_MASTER_KEY``; the servers, restarted so, open keys under either and wrap new
ones under the new key. `rotate_master_key` then keeps the identifier keys in the database
(wrapped under the new key: they must outlive the old one, `store/crypto.py`) and wraps the data
keys again in batches, each in a transaction of its own that is one record in the processing
log (`keys.rotate`, by the key service's system account, without a data subject: no value is
read). A run that stops halfway is safe; the next run goes on. Once `key_status` says that
nothing is left under the old key, the operator removes it from the settings and destroys it.

Values are not encrypted again: they are encrypted under each person's data key, which does
not change. That is what makes the rotation quick (a million persons in two and a half minutes
on SQLite and five and a half on PostgreSQL, docs/benchmarks.md) and is also its limit:
someone who holds the old master key and an old copy of the database can read that copy; see
docs/security.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.text import Text
from datameent.errors import KEYS_NOT_HELD, KeysNotHeld
from datameent.services.accounts import system_account
from datameent.services.clock import utcnow
from datameent.store.crypto import DecryptionFailed, UnknownMasterKey
from datameent.store.keys import Rotation
from datameent.store.uow import Store

KEY_ACCOUNT = "sleutelbeheer"
ROTATE_BATCH = 500
IDENTIFIER_SAMPLE = 50
"""The newest persons whose log pseudonyms show that the identifier keys are this database's."""

IDENTIFIERS_DIFFER = Text(
    "De sleutels voor het BSN-register en het logboek horen niet bij deze database. Staan "
    "DATAMEENT_MASTER_KEY en DATAMEENT_PREVIOUS_MASTER_KEY misschien omgewisseld?",
    "The keys of the BSN index and the processing log do not belong to this database. Are "
    "DATAMEENT_MASTER_KEY and DATAMEENT_PREVIOUS_MASTER_KEY perhaps swapped?",
)


@dataclass(frozen=True)
class KeyStatus:
    version: int
    """The current master key's version (what new keys are wrapped under)."""
    previous_version: int | None
    wrapped: dict[int, int]
    """How many persons' data keys each master key version wraps (LEGACY: from before
    rotation existed, under the first master key)."""
    identifiers_kept: bool
    """Whether the database keeps the identifier keys (from the first rotation on)."""
    rotations: list[Rotation]

    @property
    def left(self) -> int:
        """Data keys not yet wrapped under the current master key."""
        return sum(n for version, n in self.wrapped.items() if version != self.version)

    @property
    def previous_unused(self) -> bool:
        """A previous master key is set, and nothing is wrapped under it any more."""
        return self.previous_version is not None and not self.left


@dataclass(frozen=True)
class RotationReport:
    rewrapped: int
    """Data keys wrapped again under the current master key in this run."""
    version: int


@contextlib.contextmanager
def _keys_held() -> Iterator[None]:
    """A data key that the settings' master keys do not open: `KeysNotHeld`."""
    try:
        yield
    except (DecryptionFailed, UnknownMasterKey) as error:
        raise KeysNotHeld(KEYS_NOT_HELD) from error


def key_account(store: Store) -> User:
    return system_account(store, KEY_ACCOUNT, "Sleutelbeheer")


def key_status(store: Store) -> KeyStatus:
    """Which master keys wrap the database's keys, after trying one data key of each and the
    identifier keys against the log's pseudonyms of the newest persons: a server must not
    start, nor a rotation begin, with keys that do not open them, or with identifier keys of
    another master key (it would find no one by BSN, and keep the wrong identifier keys).
    `KeysNotHeld` if so."""
    keys = store.keys
    with store.unit_of_work(write=False) as uow:
        status = KeyStatus(
            keys.version,
            keys.previous_version,
            uow.keys.versions(),
            bool(uow.keys.identifiers()),
            uow.keys.rotations(),
        )
        for version in status.wrapped:
            sample = uow.keys.sample(version)
            if sample is None:
                continue  # erased since it was counted
            with _keys_held():
                keys.unwrap(sample.person_id, sample.wrapped, sample.version)
        # The identifier keys: the newest persons' log pseudonyms must be in the log (their
        # registration is), unless the log names no one (empty, or erased for retention).
        newest = uow.keys.newest_persons(IDENTIFIER_SAMPLE)
        if newest and uow.keys.logs_subjects():
            if not uow.keys.logs_any_of([keys.subject_pseudonym(p) for p in newest]):
                raise KeysNotHeld(IDENTIFIERS_DIFFER)
    return status


def rotate_master_key(
    store: Store,
    *,
    batch: int = ROTATE_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RotationReport:
    """Wrap every data key that is not under the current master key again under it, after
    keeping the identifier keys under it. `progress(done, total)` after each batch.

    `KeysNotHeld`, before anything changes, if the settings' keys do not open one data key of
    each master key in the database (`key_status`); if a later key does not open all the same,
    the batches before it stay done (a run later, with the right previous key, goes on) and its
    own batch changes nothing."""
    keys = store.keys
    actor = key_account(store)
    total = key_status(store).left
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.ROTATE_KEYS))
        rotation = uow.keys.start_rotation(permit, keys.version, now)
        uow.keys.keep_identifiers(permit, keys.stored_identifiers(), now)
        uow.commit()
    done = total_rewrapped = 0
    after: UUID | None = None
    while True:
        with store.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(actor, Action.ROTATE_KEYS))
            found = uow.keys.wrapped_other_than(keys.version, batch, after)
            if not found and after is not None:
                # From the start once more, for a key that changed while this run passed it.
                found = uow.keys.wrapped_other_than(keys.version, batch)
            if not found:
                uow.keys.finish_rotation(permit, rotation, utcnow())
                uow.commit()
                break
            rewrapped = 0
            for old in found:
                with _keys_held():
                    wrapped = keys.rewrap(old.person_id, old.wrapped, old.version)
                rewrapped += uow.keys.replace(permit, old, wrapped, keys.version)
            uow.keys.count_rewrapped(permit, rotation, rewrapped)
            uow.commit()
        after = found[-1].person_id
        done += len(found)
        total_rewrapped += rewrapped
        if progress is not None:
            progress(min(done, total), total)
    return RotationReport(total_rewrapped, keys.version)
