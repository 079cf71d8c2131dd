"""Benchmark: a room at a data dialogue, over real HTTP on SQLite.

    .venv/bin/python -m benchmarks.dialogue [--seconds 10] [--phones 100]

Every phone asks `/meedoen/status` every two seconds, and the big screen its live fragment;
these polls are the load a session puts on the server. A facilitator starts a session, the
phones join and vote (then answer the questionnaire), and wrk measures, at 8 and 32 concurrent
connections: the phones' status poll (rotating over every phone's cookie), the big screen's
fragment during a vote and with the questionnaire's protected results, and, as the baseline in
the same run, `/health` on the same server (the framework and middleware, no database). Needs
Debian's `wrk`.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import httpx

from benchmarks.vault_read import prepare, run_wrk, start

CONCURRENCY = (8, 32)


def _csrf(client: httpx.Client, page: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(page).text)
    assert match, page
    return match.group(1)


def _post(client: httpx.Client, page: str, url: str, data: dict[str, str]) -> httpx.Response:
    response = client.post(url, data={**data, "csrf_token": _csrf(client, page)})
    assert response.status_code in (200, 303), (url, response.status_code)
    return response


def wrk(
    base: str, requests: list[tuple[str, str]], connections: int, seconds: int, directory: Path
) -> dict[str, float]:
    """wrk over `requests` (path, cookie header), in turn."""
    entries = ",".join(f"{{{json.dumps(p)}, {json.dumps(c)}}}" for p, c in requests)
    script = (
        f"local requests = {{{entries}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        '  return wrk.format("GET", requests[i][1], {["Cookie"] = requests[i][2]})\n'
        "end\n"
    )
    return run_wrk(base, script, connections, seconds, directory)


def measure(directory: Path, seconds: int, phones: int) -> dict[str, object]:
    env = prepare(directory)
    process, base = start("datameent", env, 1)
    try:
        laptop = httpx.Client(base_url=base, timeout=60)
        _post(laptop, "/inloggen", "/inloggen", {"username": "facilitator1", "password": "demo"})
        control = _post(laptop, "/datadialoog", "/datadialoog", {"title": "Benchmark"})
        control_path = control.headers["location"]
        page = laptop.get(control_path).text  # builds the game's tables once
        code = re.search(r'id="code">([A-Z0-9]{6})<', page).group(1)  # type: ignore[union-attr]
        staff = f"dm_session={laptop.cookies['dm_session']}"

        cookies = []
        for _ in range(phones):
            with httpx.Client(base_url=base, timeout=60) as phone:
                _post(phone, "/meedoen", "/meedoen", {"code": code})
                cookies.append((phone.cookies["dm_dialoog"], phone.cookies["dm_csrf"]))
        _post(laptop, control_path, f"{control_path}/verder", {})
        for n, (token, csrf) in enumerate(cookies):
            with httpx.Client(base_url=base, timeout=60) as phone:
                phone.cookies.set("dm_dialoog", token)
                phone.cookies.set("dm_csrf", csrf)
                choice = ("easy", "hard", "no")[n % 3]
                _post(phone, "/meedoen", "/meedoen/stem", {"step": "sources", "choice": choice})

        stage = quote("sources:ask")
        polls = [(f"/meedoen/status?seen={stage}", f"dm_dialoog={t}") for t, _ in cookies]
        live = [(f"{control_path}/scherm/live?seen={stage}", staff)]
        health = [("/health", "")]
        found: dict[str, object] = {}
        for name, requests in (("health", health), ("phone_poll", polls), ("screen_vote", live)):
            found[name] = {c: wrk(base, requests, c, seconds, directory) for c in CONCURRENCY}

        for _ in range(12):  # through the game to the questionnaire
            _post(laptop, control_path, f"{control_path}/verder", {})
        html = ""
        for n, (token, csrf) in enumerate(cookies):
            with httpx.Client(base_url=base, timeout=60) as phone:
                phone.cookies.set("dm_dialoog", token)
                phone.cookies.set("dm_csrf", csrf)
                html = html or phone.get("/meedoen/nu").text
                ids = list(dict.fromkeys(re.findall(r'name="s-([0-9a-f-]{36})"', html)))
                answers = {f"s-{s}": str(1 + (n + i) % 5) for i, s in enumerate(ids)}
                _post(phone, "/meedoen", "/meedoen/vragenlijst", answers)
        _post(laptop, control_path, f"{control_path}/verder", {})
        results = [(f"{control_path}/scherm/live?seen={quote('questionnaire:answer')}", staff)]
        found["screen_results"] = {
            c: wrk(base, results, c, seconds, directory) for c in CONCURRENCY
        }
        laptop.close()
        return found
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--phones", type=int, default=100)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="datameent-bench-") as scratch:
        found = measure(Path(scratch), args.seconds, args.phones)
    health = found["health"]
    assert isinstance(health, dict)
    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "phones": args.phones,
        **found,
    }
    for name in ("phone_poll", "screen_vote", "screen_results"):
        measured = found[name]
        assert isinstance(measured, dict)
        report[f"{name}_ratio"] = {
            c: round(measured[c]["rps"] / health[c]["rps"], 3) for c in CONCURRENCY
        }
    print(json.dumps(report, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
