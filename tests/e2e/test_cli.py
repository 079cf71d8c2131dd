"""The `datameent` command as an operator uses it: real processes, real ports."""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from datameent.ledger import NoteKey, open_note
from tests.e2e.conftest import free_port

DATAMEENT = [sys.executable, "-m", "datameent"]
KEYS = {
    "DATAMEENT_SECRET_KEY": "an-operator-secret-that-is-long-enough-0123456789",
    "DATAMEENT_MASTER_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
    "DATAMEENT_LOG_SIGNING_KEY": base64.b64encode(bytes(range(96, 128))).decode(),
}


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAMEENT_")}
    return {**env, "DATAMEENT_DATA_DIR": str(data_dir), **extra}


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        DATAMEENT + args, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@contextmanager
def server(args: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        DATAMEENT + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/inloggen").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not come up")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    result = run(["serve", "--port", str(free_port())], environment(tmp_path))
    assert result.returncode == 1
    for setting in ("DATAMEENT_SECRET_KEY", "DATAMEENT_MASTER_KEY", "DATAMEENT_LOG_SIGNING_KEY"):
        assert setting in result.stderr, setting
    assert "Traceback" not in result.stderr


def test_an_operator_sets_up_serves_and_nothing_personal_reaches_the_log(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["serve"], env).returncode == 1, "an unmigrated database is refused"
    assert run(["db", "upgrade"], env).returncode == 0
    seeded = run(["seed", "--persons", "61", "--seed", "3"], env)
    assert seeded.returncode == 0, seeded.stderr
    again = run(["seed", "--persons", "5"], env)
    assert again.returncode == 1 and "not empty" in again.stderr
    weak = run(
        ["users", "create", "kees", "--role", "case_manager", "--password-stdin"],
        env,
        stdin="short\n",
    )
    assert weak.returncode == 1 and "at least 12" in weak.stderr
    made = run(
        [
            "users",
            "create",
            "kees",
            "--role",
            "case_manager",
            "--team",
            "Team 1",
            "--name",
            "Kees Klant",
            "--password-stdin",
        ],
        env,
        stdin="a long passphrase\n",
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    with server(["serve", "--port", str(port)], env, port) as process:
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}")
        token = api.post(
            "/api/v1/auth/token", data={"username": "kees", "password": "a long passphrase"}
        )
        assert token.status_code == 200
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        intake = {
            "bsn": "111222333",
            "givenName": "Fenna",
            "familyName": "Vrolijk",
            "birthDate": "1970-01-01",
        }
        assert api.post("/api/v1/persons", json=intake, headers=headers).status_code == 201
        bad = {**intake, "bsn": "123456782x", "givenName": "Geheimenaam"}
        assert api.post("/api/v1/persons", json=bad, headers=headers).status_code == 422
        api.post("/api/v1/auth/token", data={"username": "kees", "password": "Wachtwoord99"})
        process.terminate()
        log = process.communicate(timeout=30)[0]
    for secret in ("111222333", "123456782", "Fenna", "Vrolijk", "Geheimenaam", "Wachtwoord99"):
        assert secret not in log, secret
    assert "Traceback" not in log


def test_the_demo_serves_a_login_page_with_demo_accounts(tmp_path: Path) -> None:
    port = free_port()
    started = time.monotonic()
    args = [
        "demo",
        "--persons",
        "20",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
        "--no-effects",
    ]
    with server(args, environment(tmp_path), port) as process:
        elapsed = time.monotonic() - started
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}")
        for username in ("inwoner1", "klantmanager1", "teamleider1", "privacy1", "admin1"):
            response = api.post(
                "/api/v1/auth/token", data={"username": username, "password": "demo"}
            )
            assert response.status_code == 200, username
        # The statistics are prepared once the server answers; until then "no figures yet".
        analyst = api.post("/api/v1/auth/token", data={"username": "analist1", "password": "demo"})
        headers = {"Authorization": f"Bearer {analyst.json()['access_token']}"}
        deadline = time.monotonic() + 60
        while (table := api.get("/api/v1/statistics/tables", headers=headers)).status_code == 404:
            assert time.monotonic() < deadline, "the demo's statistics were never prepared"
            time.sleep(0.2)
        assert table.status_code == 200 and table.json()["cells"]
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "klantmanager1" in output and "password: demo" in output
    assert "could not be prepared" not in output
    assert elapsed < 30, f"the demo took {elapsed:.1f} s to serve"


def test_the_ledger_commands_sign_prove_and_catch_a_rewritten_record(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    verified = run(["ledger", "verify"], env)
    # Per person a registration and a recording; residents 1 and 8 also get an open request;
    # then the decisions in their history and resident 2's objection to one: 18 more.
    assert verified.returncode == 0 and "40 records" in verified.stdout
    note = run(["ledger", "checkpoint"], env).stdout
    key = NoteKey(
        "datameent.local/verwerkingenlogboek", base64.b64decode(KEYS["DATAMEENT_LOG_SIGNING_KEY"])
    )
    assert open_note(note, key.verifier()).size == 40
    proof = run(["ledger", "prove", "7"], env)
    assert proof.returncode == 0 and '"verified": true' in proof.stdout
    assert run(["ledger", "prove", "40"], env).returncode == 1
    database = sqlite3.connect(tmp_path / "datameent.sqlite3")
    database.execute(
        "UPDATE log_records SET payload = replace(payload, 'Ok', 'Error') WHERE seq = 13"
    )
    database.commit()
    database.close()
    broken = run(["ledger", "verify"], env)
    assert broken.returncode == 1 and "First bad index: 13" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_expired_log_lines_are_erased_and_the_log_still_verifies(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS, DATAMEENT_LOG_RETENTION_DAYS="365")
    assert run(["seed", "--persons", "10"], env).returncode == 0
    assert run(["ledger", "checkpoint"], env).returncode == 0
    fresh = run(["ledger", "erase-expired"], env)
    assert fresh.returncode == 0 and "No log lines" in fresh.stdout
    database = sqlite3.connect(tmp_path / "datameent.sqlite3")
    # The first ten lines ended two years ago (and the rest later, as numbered).
    database.execute(
        "UPDATE log_records SET ended_at = '2024' || substr(ended_at, 5) WHERE seq < 10"
    )
    database.commit()
    dry = run(["ledger", "erase-expired", "--dry-run"], env)
    assert dry.returncode == 0 and "Would erase 10 log lines" in dry.stdout
    erased = run(["ledger", "erase-expired"], env)
    assert erased.returncode == 0 and "Erased 10 log lines" in erased.stdout, erased.stderr
    emptied = database.execute(
        "SELECT count(*) FROM log_records WHERE payload IS NULL AND subject IS NULL"
    ).fetchone()
    assert emptied == (10,)
    verified = run(["ledger", "verify"], env)
    assert verified.returncode == 0 and "41 records" in verified.stdout, verified.stderr
    database.execute("UPDATE log_records SET payload = NULL WHERE seq = 15")
    database.commit()
    database.close()
    broken = run(["ledger", "verify"], env)
    assert broken.returncode == 1 and "First bad index: 15" in broken.stderr
    assert "removed" in broken.stderr and "Traceback" not in broken.stderr


def test_synth_writes_a_municipality_and_refuses_to_overwrite(tmp_path: Path) -> None:
    import polars as pl

    out = tmp_path / "stad"
    env = environment(tmp_path / "data")
    made = run(["synth", "--persons", "4000", "--seed", "9", "--out", str(out)], env)
    assert made.returncode == 0, made.stderr
    assert "4,000 residents" in made.stdout and "Traceback" not in made.stderr
    persons = pl.read_parquet(out / "persons.parquet")
    assert persons.height == 4000 and (out / "ground_truth" / "potential_outcomes.parquet").exists()
    counts = pl.read_parquet(out / "population_counts.parquet")
    assert counts["people"].sum() == 4000, "every inhabitant counted once, none by name"
    assert set(counts.columns) == {"pc4", "age_band", "sex", "household_type", "people"}
    again = run(["synth", "--persons", "10", "--out", str(out)], env)
    assert again.returncode == 1 and "not an empty directory" in again.stderr
    assert pl.read_parquet(out / "persons.parquet").height == 4000, "nothing was overwritten"
    bad = run(["synth", "--persons", "0", "--out", str(tmp_path / "leeg")], env)
    assert bad.returncode != 0 and not (tmp_path / "leeg").exists()


def test_warehouse_export_runs_from_the_command_line_and_needs_its_key(tmp_path: Path) -> None:
    import polars as pl

    env = environment(tmp_path / "data", DATAMEENT_ENVIRONMENT="demo")
    assert run(["db", "upgrade"], env).returncode == 0
    assert run(["seed", "--persons", "30"], env).returncode == 0
    out = tmp_path / "beleid"
    done = run(["warehouse", "export", "--domain", "beleid", "--out", str(out)], env)
    assert done.returncode == 0, done.stderr
    assert "Exported 30 persons" in done.stdout
    assert pl.read_parquet(out / "persons.parquet").height == 30
    again = run(["warehouse", "export", "--domain", "beleid", "--out", str(out)], env)
    assert again.returncode == 1 and "not an empty directory" in again.stderr
    bad = tmp_path / "bevolking-fout.csv"
    bad.write_text(
        "pc4,age_band,sex,household_type,people\n3701,27-34,V,single,40\n"
        "0123,27-34,V,single,12\n3702,27-34,Q,single,-3\n"
    )
    wrong = run(["warehouse", "population", "--file", str(bad), "--out", str(out)], env)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    for column in ("pc4", "sex", "people"):
        assert f"{column}: The value" in wrong.stderr, column
    assert "Rows: 1 (for example row 3)." in wrong.stderr
    assert not (out / "population.parquet").exists(), "nothing loaded half"
    # A long name: the message stays on one line however long the path (no wrapping at 80).
    unreadable = tmp_path / ("bestand-zonder-tabel-" * 5 + "leeg.parquet")
    unreadable.write_text("geen tabel")
    broken = run(["warehouse", "population", "--file", str(unreadable), "--out", str(out)], env)
    assert broken.returncode == 1
    assert f"{unreadable} cannot be read as a table" in broken.stderr.splitlines()[0]
    good = tmp_path / "bevolking.csv"
    good.write_text("pc4,age_band,sex,household_type,people\n3701,27-34,V,single,40\n")
    loaded = run(["warehouse", "population", "--file", str(good), "--out", str(out)], env)
    assert loaded.returncode == 0 and "Loaded 1 population counts" in loaded.stdout
    assert pl.read_parquet(out / "population.parquet")["people"].to_list() == [40]
    production = environment(tmp_path / "data", **KEYS)
    refused = run(
        ["warehouse", "export", "--domain", "beleid", "--out", str(tmp_path / "p")], production
    )
    assert refused.returncode == 1 and "DATAMEENT_PSEUDONYM_KEY" in refused.stderr
    assert not (tmp_path / "p").exists()


def test_quality_reports_rules_and_rows_but_never_values(tmp_path: Path) -> None:
    import polars as pl

    env = environment(tmp_path / "data")
    out = tmp_path / "stad"
    assert run(["synth", "--persons", "3000", "--out", str(out)], env).returncode == 0
    extract = out / "statistics_office_extract.parquet"
    clean = run(["quality", "--extract", str(extract), "--strict"], env)
    assert clean.returncode == 0 and "No findings" in clean.stdout, clean.stdout
    broken = tmp_path / "broken.parquet"
    pl.read_parquet(extract).with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("999999999"))
        .otherwise(pl.col("bsn"))
        .alias("bsn")
    ).write_parquet(broken)
    found = run(["quality", "--extract", str(broken), "--strict"], env)
    assert found.returncode == 1 and "eleven_test" in found.stdout
    assert "999999999" not in found.stdout + found.stderr
    missing = run(["quality", "--warehouse", str(tmp_path / "nowhere")], env)
    assert missing.returncode == 1 and "could not be read" in missing.stderr


def test_link_writes_the_research_output_and_refuses_bad_input(tmp_path: Path) -> None:
    import polars as pl

    env = environment(tmp_path / "data", DATAMEENT_ENVIRONMENT="development")
    assert run(["db", "upgrade"], env).returncode == 0
    town = tmp_path / "stad"
    assert (
        run(["synth", "--persons", "3000", "--seed", "4", "--out", str(town)], env).returncode == 0
    )
    sources = [
        "--left", str(town / "persons.parquet"),
        "--right", str(town / "statistics_office_extract.parquet"),
        "--truth", str(town / "ground_truth" / "statistics_office_links.parquet"),
        "--keep-left", "household_type", "--keep-right", "migration_background",
    ]  # fmt: skip
    out = tmp_path / "gekoppeld"
    done = run(["link", "--method", "bloom", *sources, "--out", str(out)], env)
    assert done.returncode == 0, done.stderr
    assert "with the bloom method" in done.stdout and "F1 0.9" in done.stdout
    research = pl.read_parquet(out / "research.parquet")
    assert research.columns == [
        "link", "gemeente_household_type", "statistiekbureau_migration_background"
    ]  # fmt: skip

    refused = run(
        ["link", *sources[:6], "--keep-left", "family_name", "--out", str(tmp_path / "x")], env
    )
    assert refused.returncode == 1 and "family_name may not go into" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "x").exists()
    again = run(["link", "--method", "bloom", *sources, "--out", str(out)], env)
    assert again.returncode == 1 and "not an empty directory" in again.stderr
    unknown = run(["link", "--method", "magic", *sources, "--out", str(tmp_path / "y")], env)
    assert unknown.returncode == 1 and "Choose --method" in unknown.stderr
    production = environment(tmp_path / "data", **KEYS)
    keyless = run(["link", *sources, "--out", str(tmp_path / "z")], production)
    assert keyless.returncode == 1 and "DATAMEENT_LINKAGE_KEY" in keyless.stderr


def _key(start: int) -> str:
    return base64.b64encode(bytes(range(start, start + 32))).decode()


def test_the_keyed_method_runs_with_its_roles_apart(tmp_path: Path) -> None:
    import polars as pl

    town = tmp_path / "stad"
    holder = environment(
        tmp_path / "gemeente", DATAMEENT_ENVIRONMENT="development", DATAMEENT_LINKAGE_KEY=_key(0)
    )
    assert (
        run(["synth", "--persons", "2000", "--seed", "6", "--out", str(town)], holder).returncode
        == 0
    )
    assert run(["db", "upgrade"], holder).returncode == 0
    municipality, office = tmp_path / "levering-gemeente", tmp_path / "levering-cbs"
    for source, party, keep, out in (
        (town / "persons.parquet", "gemeente", "household_type", municipality),
        (town / "statistics_office_extract.parquet", "cbs", "migration_background", office),
    ):
        done = run(["ttp", "deliver", "--source", str(source), "--party", party,
                    "--keep", keep, "--out", str(out)], holder)  # fmt: skip
        assert done.returncode == 0, done.stderr
    identifiers = pl.read_parquet(municipality / "identifiers.parquet")
    assert identifiers.columns == ["row_token", "pseudonym"]
    bsns = set(pl.read_parquet(town / "persons.parquet")["bsn"])
    assert not bsns & set(identifiers["pseudonym"])

    ttp = environment(
        tmp_path / "ttp", DATAMEENT_TTP_KEY=base64.b64encode(bytes(range(64, 96))).decode()
    )  # noqa: E501
    mappings = tmp_path / "koppeltabellen"
    mapped = run(["ttp", "map", "--delivery", str(municipality), "--delivery", str(office),
                  "--project", "wat-werkt", "--out", str(mappings)], ttp)  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr
    researcher = environment(tmp_path / "onderzoeker")
    out = tmp_path / "onderzoek"
    made = run(["ttp", "assemble", "--payload", str(municipality), "--payload", str(office),
                "--mappings", str(mappings), "--out", str(out)], researcher)  # fmt: skip
    assert made.returncode == 0, made.stderr
    research = pl.read_parquet(out / "research.parquet")
    assert set(research.columns) == {
        "research_pseudonym", "gemeente_household_type", "in_gemeente",
        "cbs_migration_background", "in_cbs",
    }  # fmt: skip
    both = research.filter(pl.col("in_gemeente") & pl.col("in_cbs")).height
    truth = pl.read_parquet(town / "ground_truth" / "statistics_office_links.parquet")
    extract = pl.read_parquet(town / "statistics_office_extract.parquet")
    expected = truth.join(extract, on="record_id").drop_nulls(["person_id", "bsn"]).height
    assert both == expected

    keyless = run(["ttp", "map", "--delivery", str(municipality), "--delivery", str(office),
                   "--project", "wat-werkt", "--out", str(tmp_path / "x")], researcher)  # fmt: skip
    assert keyless.returncode == 1 and "DATAMEENT_TTP_KEY" in keyless.stderr
    other = environment(
        tmp_path / "ander", DATAMEENT_ENVIRONMENT="development", DATAMEENT_LINKAGE_KEY=_key(1)
    )
    assert run(["db", "upgrade"], other).returncode == 0
    stranger = tmp_path / "levering-ander"
    assert run(["ttp", "deliver", "--source", str(town / "statistics_office_extract.parquet"),
                "--party", "cbs", "--out", str(stranger)], other).returncode == 0  # fmt: skip
    refused = run(["ttp", "map", "--delivery", str(municipality), "--delivery", str(stranger),
                   "--project", "wat-werkt", "--out", str(tmp_path / "y")], ttp)  # fmt: skip
    assert refused.returncode == 1 and "different linkage keys" in refused.stderr
    assert not (tmp_path / "y").exists() or not any((tmp_path / "y").iterdir())


def test_effects_train_and_evaluate_from_the_command_line(tmp_path: Path) -> None:
    import json

    env = environment(tmp_path / "data", DATAMEENT_ENVIRONMENT="demo")
    assert run(["db", "upgrade"], env).returncode == 0
    too_few = run(["effects", "train", "--synthetic", "60000", "--trees", "24"], env)
    assert too_few.returncode == 1 and "Too little data" in too_few.stderr
    assert "Traceback" not in too_few.stderr
    both = run(["effects", "train", "--synthetic", "60000", "--warehouse", str(tmp_path)], env)
    assert both.returncode == 1 and "either --warehouse" in both.stderr
    trained = run(["effects", "train", "--synthetic", "300000", "--trees", "24"], env)
    assert trained.returncode == 0, trained.stderr
    assert "Version " in trained.stdout and "Against the truth" in trained.stdout
    [card] = (tmp_path / "data" / "effects").glob("*.card.json")
    version = json.loads(card.read_text())["version"]
    out = tmp_path / "report"
    evaluated = run(["effects", "evaluate", "--synthetic", "60000", "--out", str(out)], env)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"Version {version}" in evaluated.stdout and "coverage" in evaluated.stdout
    report = json.loads((out / "evaluation.json").read_text())
    assert report["evaluatedOn"] == {"residents": 60000, "seed": 4242}
    assert report["groundTruth"]["clients"] > 1000
    assert (out / "evaluation.md").read_text().startswith("# Modelkaart")


def test_a_command_on_the_database_does_not_load_the_web_application(tmp_path: Path) -> None:
    """An operator's command waits for no pages: opening the store through the web application
    was 2 of the 3.5 seconds `users list` took."""
    env = environment(tmp_path, **KEYS)
    assert run(["db", "upgrade"], env).returncode == 0
    script = (
        "import sys\n"
        "from datameent.cli import main\n"
        "sys.argv = ['datameent', 'users', 'list']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('datameent.web')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "username" in done.stdout  # it read the (empty) list of accounts
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_operator_lists_edits_and_stops_employees_accounts(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    made = run(
        [
            "users",
            "create",
            "j.jansen",
            "--role",
            "case_manager",
            "--password-stdin",
            "--temporary",
        ],
        env,
        stdin="a long enough password\n",
    )
    assert made.returncode == 0, made.stderr
    database = sqlite3.connect(tmp_path / "datameent.sqlite3")
    query = "SELECT must_change_password FROM users WHERE username = 'j.jansen'"
    assert database.execute(query).fetchone() == (1,), "--temporary: they choose their own first"
    database.close()
    listed = run(["users", "list", "--search", "jansen"], env)
    assert listed.returncode == 0 and "j.jansen" in listed.stdout and "never" in listed.stdout
    assert "inwoner" not in run(["users", "list"], env).stdout

    edited = run(["users", "edit", "j.jansen", "--team", "Team 1", "--name", "Jan Jansen"], env)
    assert edited.returncode == 0 and "Jan Jansen, team Team 1, roles case_manager" in edited.stdout
    refused = run(["users", "edit", "j.jansen", "--role", "resident"], env)
    assert refused.returncode == 1 and "roles:" in refused.stderr
    assert "Traceback" not in refused.stderr

    stopped = run(["users", "deactivate", "j.jansen"], env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    listed = run(["users", "list", "--search", "jansen"], env).stdout
    assert re.search(r"j\.jansen.*\bno\b", listed)
    assert run(["users", "reactivate", "j.jansen"], env).returncode == 0
    reset = run(
        ["users", "set-password", "j.jansen", "--password-stdin"], env, "nog een lang wachtwoord\n"
    )
    assert reset.returncode == 0 and "New password for j.jansen" in reset.stdout
    short = run(["users", "set-password", "j.jansen", "--password-stdin"], env, "kort\n")
    assert short.returncode == 1 and "new_password: A password has at least 12" in short.stderr
    for unknown in (["deactivate", "nobody"], ["deactivate", "inwoner1"]):
        missing = run(["users", *unknown], env)
        assert missing.returncode == 1 and "No employee's account named" in missing.stderr


def test_the_operator_undoes_a_link_to_the_identity_provider(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    not_linked = run(["users", "unlink", "klantmanager1"], env)
    assert not_linked.returncode == 1 and "is not linked" in not_linked.stderr
    database = sqlite3.connect(tmp_path / "datameent.sqlite3")
    with database:  # as the first login through the provider leaves it
        database.execute(
            "UPDATE users SET sso_issuer = 'https://login.example', sso_subject = 'abc',"
            " password_hash = NULL WHERE username = 'klantmanager1'"
        )
    listed = run(["users", "list", "--search", "klantmanager1"], env).stdout
    assert "provider" in listed
    refused = run(
        ["users", "set-password", "klantmanager1", "--password-stdin"], env, "a long password 1\n"
    )
    assert refused.returncode == 1 and "Undo the link first" in refused.stderr
    undone = run(["users", "unlink", "klantmanager1"], env)
    assert undone.returncode == 0 and "is undone" in undone.stdout, undone.stderr
    row = database.execute(
        "SELECT sso_issuer, sso_subject FROM users WHERE username = 'klantmanager1'"
    ).fetchone()
    assert row == (None, None)
    database.close()
    reset = run(
        ["users", "set-password", "klantmanager1", "--password-stdin"], env, "a long password 1\n"
    )
    assert reset.returncode == 0, reset.stderr


def test_the_operator_undoes_a_residents_link_to_digid(tmp_path: Path) -> None:
    """A resident who cannot use DigiD any more gets a password back from the operator."""
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    missing = run(["users", "unlink", "nobody"], env)
    assert missing.returncode == 1 and "No account named nobody" in missing.stderr
    database = sqlite3.connect(tmp_path / "datameent.sqlite3")
    with database:  # as the first DigiD login leaves it
        database.execute(
            "UPDATE users SET sso_issuer = 'https://digid.example', sso_subject = 'person:x',"
            " password_hash = NULL WHERE username = 'inwoner1'"
        )
    password = ["users", "set-password", "inwoner1", "--password-stdin"]
    refused = run(password, env, "a long password 1\n")
    assert refused.returncode == 1 and "Undo the link first" in refused.stderr
    undone = run(["users", "unlink", "inwoner1"], env)
    assert undone.returncode == 0 and "is undone" in undone.stdout, undone.stderr
    row = database.execute("SELECT sso_issuer FROM users WHERE username = 'inwoner1'").fetchone()
    database.close()
    assert row == (None,)
    assert run(password, env, "a long password 1\n").returncode == 0


def test_the_operator_rotates_the_master_key(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    new = base64.b64encode(bytes(range(160, 192))).decode()
    alone = environment(tmp_path, **{**KEYS, "DATAMEENT_MASTER_KEY": new})
    rotating = environment(
        tmp_path, **{**KEYS, "DATAMEENT_MASTER_KEY": new},
        DATAMEENT_PREVIOUS_MASTER_KEY=KEYS["DATAMEENT_MASTER_KEY"],
    )  # fmt: skip
    # The new key without the old one opens nothing: refused before anything changes.
    for args in (["keys", "rotate"], ["serve", "--port", str(free_port())]):
        refused = run(args, alone)
        assert refused.returncode == 1 and "does not open" in refused.stderr, args
        assert "Traceback" not in refused.stderr
    status = run(["keys", "status"], rotating)
    assert status.returncode == 0 and "0 of 10 data keys" in status.stdout
    assert "10 are not yet" in status.stdout
    rotated = run(["keys", "rotate"], rotating)
    assert rotated.returncode == 0 and "Wrapped 10 data keys again" in rotated.stdout
    after = run(["keys", "status"], alone)
    assert after.returncode == 0 and "10 of 10 data keys" in after.stdout
    assert "finished" in after.stdout and "10 data keys wrapped again" in after.stdout
    # Now the old key is the one that opens nothing; the log still verifies.
    old = run(["keys", "status"], env)
    assert old.returncode == 1 and "does not open" in old.stderr
    assert run(["ledger", "verify"], alone).returncode == 0
    port = free_port()
    with server(["serve", "--port", str(port)], alone, port):
        assert httpx.get(f"http://127.0.0.1:{port}/inloggen").status_code == 200
    # With the previous key still set, the server starts and reminds the operator to remove it.
    port = free_port()
    with server(["serve", "--port", str(port)], rotating, port) as process:
        assert httpx.get(f"http://127.0.0.1:{port}/inloggen").status_code == 200
    assert process.stdout is not None
    assert "remove DATAMEENT_PREVIOUS_MASTER_KEY" in process.stdout.read()


def test_the_log_verifies_across_a_change_of_its_signing_key(tmp_path: Path) -> None:
    env = environment(tmp_path, **KEYS)
    assert run(["seed", "--persons", "10"], env).returncode == 0
    assert run(["ledger", "checkpoint"], env).returncode == 0
    origin = "datameent.local/verwerkingenlogboek"
    old = NoteKey(origin, base64.b64decode(KEYS["DATAMEENT_LOG_SIGNING_KEY"])).verifier()
    seed = bytes(range(200, 232))
    new = NoteKey(origin, seed).verifier()
    changed = environment(
        tmp_path, **{**KEYS, "DATAMEENT_LOG_SIGNING_KEY": base64.b64encode(seed).decode()},
        DATAMEENT_LOG_EARLIER_VERIFIER_KEYS=old,
    )  # fmt: skip
    verified = run(["ledger", "verify"], changed)
    assert verified.returncode == 0 and "1 signed checkpoints" in verified.stdout
    alone = run(["ledger", "verify", "--verifier", new], changed)
    assert alone.returncode == 1 and "bad checkpoint signature" in alone.stderr
    both = run(["ledger", "verify", "--verifier", new, "--verifier", old], changed)
    assert both.returncode == 0, both.stderr
    note = run(["ledger", "checkpoint"], changed).stdout
    assert open_note(note, new).size == open_note(note, old).size == 40
    broken = environment(tmp_path, **KEYS, DATAMEENT_LOG_EARLIER_VERIFIER_KEYS="not-a-key")
    refused = run(["ledger", "verify"], broken)
    assert refused.returncode == 1 and "DATAMEENT_LOG_EARLIER_VERIFIER_KEYS" in refused.stderr
