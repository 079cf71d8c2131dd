"""Working directories: locked while their process lives, removed when it ends, and removed by
the next one when a killed process left them behind (a linkage run's may hold names)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from datameent.workdirs import (
    IN_USE,
    SCRATCH,
    STAGING,
    UNLOCKED_GRACE_SECONDS,
    empty,
    locked_directory,
    remove_abandoned,
    staging_directory,
)


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_runs_directory_is_kept_while_it_lives_and_gone_when_it_ends(temporary: Path) -> None:
    with locked_directory(SCRATCH) as scratch:
        assert scratch.parent == temporary and (scratch / IN_USE).exists()
        (scratch / "names.parquet").write_bytes(b"...")
        assert remove_abandoned(SCRATCH) == []
        assert (scratch / "names.parquet").exists()
    assert list(temporary.iterdir()) == []


def _killed_while_working(run: str, temporary: Path) -> tuple[Path, subprocess.Popen[str]]:
    """Start `run` in another process, which prints its directory and then waits."""
    env = {**os.environ, "TMPDIR": str(temporary)}
    other = subprocess.Popen(
        [sys.executable, "-c", run], stdout=subprocess.PIPE, env=env, text=True
    )
    assert other.stdout is not None
    return Path(other.stdout.readline().strip()), other


def test_what_a_killed_run_left_is_removed_by_the_next_run(temporary: Path) -> None:
    run = (
        "import time\n"
        "from datameent.workdirs import SCRATCH, locked_directory\n"
        "with locked_directory(SCRATCH) as scratch:\n"
        "    (scratch / 'names.parquet').write_text('...')\n"
        "    print(scratch, flush=True)\n"
        "    time.sleep(60)\n"
    )
    left, other = _killed_while_working(run, temporary)
    try:
        assert left.parent == temporary
        assert remove_abandoned(SCRATCH) == [], "another process's run is alive"
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
        assert (left / "names.parquet").exists(), "a killed run cannot clean up"
        with locked_directory(SCRATCH) as mine:
            assert not left.exists()
            assert [p.name for p in temporary.iterdir()] == [mine.name]
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()


def test_an_output_directory_with_only_a_killed_exports_staging_counts_as_empty(
    tmp_path: Path,
) -> None:
    out = tmp_path / "export"
    run = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from datameent.workdirs import staging_directory\n"
        f"with staging_directory(Path({str(out)!r})) as staging:\n"
        "    (staging / 'persons.parquet').write_text('...')\n"
        "    print(staging, flush=True)\n"
        "    time.sleep(60)\n"
    )
    out.mkdir()
    left, other = _killed_while_working(run, tmp_path)
    try:
        assert left.parent == out and left.name.startswith(STAGING)
        assert not empty(out), "an export is still writing there"
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
        assert empty(out) and list(out.iterdir()) == []
        (out / "persons.parquet").write_text("...")
        with staging_directory(out) as staging:
            assert not empty(out), "a finished export's files stay"
            assert staging.exists()
        assert [p.name for p in out.iterdir()] == ["persons.parquet"]
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert empty(tmp_path / "nothing-yet") and not empty(out / "persons.parquet")


def test_a_directory_without_a_lock_is_removed_only_when_it_is_old(temporary: Path) -> None:
    old, new, other = temporary / f"{SCRATCH}old", temporary / f"{SCRATCH}new", temporary / "else"
    for directory in (old, new, other):
        directory.mkdir()
        (directory / "names.parquet").write_bytes(b"...")
    long_ago = time.time() - UNLOCKED_GRACE_SECONDS - 60
    for directory in (old, other):
        os.utime(directory, (long_ago, long_ago))
    assert remove_abandoned(SCRATCH) == [str(old)]
    assert sorted(p.name for p in temporary.iterdir()) == sorted([new.name, other.name])
