"""A linkage run's scratch directory, and what crashed runs left behind.

A probabilistic run writes tables with names into a directory of its own in the system's
temporary directory (DuckDB's spill, Spark's intermediate Parquet) and removes it when it ends.
A process that is killed cannot remove it. So each run holds a lock on a file in its directory
for as long as it lives (the operating system lets go of the lock when the process ends, however
it ends), and every new run first removes the directories whose lock no one holds any more.
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

PREFIX = "datameent-linkage-"
IN_USE = ".in-use"
UNLOCKED_GRACE_SECONDS = 3600.0
"""A directory without a lock file is only removed after this long: a run makes its directory
first and its lock file a moment later, and directories of older versions have none."""


@contextlib.contextmanager
def scratch_directory() -> Iterator[str]:
    """A new, private scratch directory for one run, locked while the run lives and removed when
    it ends; abandoned ones are removed first (`remove_abandoned`)."""
    remove_abandoned()
    # Between letting go of the lock and removing the directory, another run may remove it.
    with tempfile.TemporaryDirectory(prefix=PREFIX, ignore_cleanup_errors=True) as scratch:
        # Locked under another name, then renamed: whoever can open the lock file finds it held.
        claiming = os.path.join(scratch, ".claiming")
        with open(claiming, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            os.rename(claiming, os.path.join(scratch, IN_USE))
            yield scratch


def remove_abandoned() -> list[str]:
    """Remove the scratch directories in the system's temporary directory that no living run
    holds; the removed ones' paths."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
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
