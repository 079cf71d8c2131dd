"""The privacy officer sees on their page whether and when the master key was rotated, and a
rotation that did not finish."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from datameent.services import keys
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.uow import Store
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import login
from tests.support import MASTER_KEY, SEED_PERSONS


class Stop(Exception):
    pass


def key_section(live: LiveServer) -> str:
    with httpx.Client(base_url=live.url, timeout=30) as officer:
        login(officer, "privacy1")
        page = officer.get("/privacy").text
    start = page.index('id="keys"')
    return page[start : page.index("</section>", start)]


def test_the_privacy_officer_sees_the_master_keys_rotations(
    live: LiveServer, seeded_url: str
) -> None:
    assert "nog nooit gewisseld" in key_section(live)
    rotating = Store(make_engine(seeded_url), KeyRing(os.urandom(32), MASTER_KEY))

    def stop(done: int, total: int) -> None:
        raise Stop()

    with pytest.raises(Stop):
        keys.rotate_master_key(rotating, batch=40, progress=stop)
    unfinished = key_section(live)
    assert "niet afgemaakt" in unfinished and "tot nu toe 40 sleutels" in unfinished
    keys.rotate_master_key(rotating)
    rotating.dispose()
    done = key_section(live)
    assert "Laatst gewisseld" in done and f"{SEED_PERSONS - 40} sleutels" in done


def test_a_server_without_the_current_master_key_says_nothing_of_it_to_users(
    seeded_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rotating = Store(make_engine(seeded_url), KeyRing(os.urandom(32), MASTER_KEY))
    keys.rotate_master_key(rotating)
    rotating.dispose()
    stale = LiveServer(seeded_url, tmp_path)  # still on the old master key
    try:
        with httpx.Client(base_url=stale.url, timeout=30) as client, caplog.at_level("ERROR"):
            page = login(client, "inwoner1")
            api = client.post(
                "/api/v1/auth/token", data={"username": "inwoner1", "password": "demo"}
            )
    finally:
        stale.stop()
    assert page.status_code == 503 and "Er ging iets mis aan onze kant" in page.text
    assert "DATAMEENT_" not in page.text and "sleutel" not in page.text.lower()
    assert api.status_code == 503 and "DATAMEENT_" not in api.text
    assert api.headers["content-type"] == "application/problem+json"
    assert [r for r in caplog.records if "does not open this database's keys" in r.getMessage()]
