"""A throwaway PostgreSQL server for the tests: initdb in a temporary directory, a free port.

Used when ``DATAMEENT_TEST_POSTGRES_URL`` does not name a server already running. As root,
PostgreSQL's tools refuse to run, so they run as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class Server:
    url: str
    directory: Path | None

    def stop(self) -> None:
        if self.directory is None:
            return
        _run(["pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.directory, ignore_errors=True)


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise PostgresUnavailable(f"{name} not found: install PostgreSQL (Debian: postgresql)")
    return found


def _runuser() -> str:
    for candidate in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser"):
        if candidate and os.path.exists(candidate):
            return candidate
    raise PostgresUnavailable("runuser not found: PostgreSQL cannot be started as root without it")


def _run(command: list[str]) -> None:
    command = [_tool(command[0]), *command[1:]]
    if os.geteuid() == 0:
        command = [_runuser(), "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start() -> Server:
    if url := os.environ.get("DATAMEENT_TEST_POSTGRES_URL"):
        return Server(url, None)
    directory = Path(tempfile.mkdtemp(prefix="datameent-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    data, port = directory / "data", _free_port()
    _run(
        [
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    options = (
        f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    _run(["pg_ctl", "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start"])
    return Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", directory)
