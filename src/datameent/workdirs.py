"""Private working directories that a killed process does not leave behind.

Two kinds of work write files before they are done:

- a probabilistic linkage run writes tables with names into a scratch directory of its own in
  the system's temporary directory (DuckDB's spill, Spark's intermediate Parquet);
- the warehouse export and the linkage output stage their files in a hidden directory inside
  the output directory, and move them into place (an atomic rename) only when all are written.

Both remove their directory when they end, but a process that is killed cannot. So each holds a
lock on a file in its directory for as long as it lives (the operating system lets go of the
lock when the process ends, however it ends), and the next one to work there first removes the
directories whose lock no one holds any more. An output directory that holds nothing but such
remains counts as empty (`empty`), so a killed export does not block the next.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SCRATCH = "datameent-linkage-"
"""Scratch directories of linkage runs, in the system's temporary directory."""
STAGING = ".datameent-staging-"
"""Staging directories, inside the output directory they stage for."""
IN_USE = ".in-use"
UNLOCKED_GRACE_SECONDS = 3600.0
"""A directory without a lock file is only removed after this long: a run makes its directory
first and its lock file a moment later, and directories of older versions have none."""


@contextlib.contextmanager
def locked_directory(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """A new, private directory in `parent` (the system's temporary directory by default),
    locked while the caller works in it and removed when it is done; abandoned ones with the
    same prefix are removed first (`remove_abandoned`)."""
    remove_abandoned(prefix, parent)
    # Between letting go of the lock and removing the directory, another run may remove it.
    with tempfile.TemporaryDirectory(
        prefix=prefix, dir=parent, ignore_cleanup_errors=True
    ) as directory:
        # Locked under another name, then renamed: whoever can open the lock file finds it held.
        claiming = os.path.join(directory, ".claiming")
        with open(claiming, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            os.rename(claiming, os.path.join(directory, IN_USE))
            yield Path(directory)


def staging_directory(out: Path) -> contextlib.AbstractContextManager[Path]:
    """A directory inside `out` to write files in before moving them into place."""
    return locked_directory(STAGING, out)


def empty(out: Path) -> bool:
    """Whether `out` may be written as a new output directory: it does not exist, or is a
    directory that is empty once what killed runs left in it is removed."""
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    remove_abandoned(STAGING, out)
    return not any(out.iterdir())


def remove_abandoned(prefix: str, parent: Path | None = None) -> list[str]:
    """Remove the directories with `prefix` in `parent` (the system's temporary directory by
    default) that no living process holds; the removed ones' paths."""
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(f"{prefix}*"):
        if path.is_dir() and not path.is_symlink() and _abandoned(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
    return removed


def _abandoned(path: Path) -> bool:
    try:
        lock = open(path / IN_USE)  # noqa: SIM115 - held open while the lock is tried
    except FileNotFoundError:
        try:
            return time.time() - path.stat().st_mtime > UNLOCKED_GRACE_SECONDS
        except FileNotFoundError:
            return False
    except OSError:  # another user's directory, say: not ours to judge
        return False
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
