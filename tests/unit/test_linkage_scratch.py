"""A linkage run's scratch directory: locked while the run lives, removed when it ends, and
removed by the next run when a killed run left it behind (it may hold names)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from datameent.analytics.linkage.scratch import (
    IN_USE,
    PREFIX,
    UNLOCKED_GRACE_SECONDS,
    remove_abandoned,
    scratch_directory,
)


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_runs_directory_is_kept_while_it_lives_and_gone_when_it_ends(temporary: Path) -> None:
    with scratch_directory() as scratch:
        assert Path(scratch).parent == temporary and Path(scratch, IN_USE).exists()
        Path(scratch, "names.parquet").write_bytes(b"...")
        assert remove_abandoned() == []
        assert Path(scratch, "names.parquet").exists()
    assert list(temporary.iterdir()) == []


def test_what_a_killed_run_left_is_removed_by_the_next_run(temporary: Path) -> None:
    run = (
        "import sys, time\n"
        "from datameent.analytics.linkage.scratch import scratch_directory\n"
        "with scratch_directory() as scratch:\n"
        "    open(scratch + '/names.parquet', 'w').write('...')\n"
        "    print(scratch, flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "TMPDIR": str(temporary)}
    other = subprocess.Popen(
        [sys.executable, "-c", run], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert other.stdout is not None
        left = Path(other.stdout.readline().strip())
        assert left.parent == temporary
        assert remove_abandoned() == [], "another process's run is alive"
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
        assert (left / "names.parquet").exists(), "a killed run cannot clean up"
        with scratch_directory() as mine:
            assert not left.exists()
            assert [p.name for p in temporary.iterdir()] == [Path(mine).name]
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()


def test_a_directory_without_a_lock_is_removed_only_when_it_is_old(temporary: Path) -> None:
    old, new, other = temporary / f"{PREFIX}old", temporary / f"{PREFIX}new", temporary / "else"
    for directory in (old, new, other):
        directory.mkdir()
        (directory / "names.parquet").write_bytes(b"...")
    long_ago = time.time() - UNLOCKED_GRACE_SECONDS - 60
    for directory in (old, other):
        os.utime(directory, (long_ago, long_ago))
    assert remove_abandoned() == [str(old)]
    assert sorted(p.name for p in temporary.iterdir()) == sorted([new.name, other.name])
