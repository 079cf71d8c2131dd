"""The privacy officer sees on their page whether and when the master key was rotated, and a
rotation that did not finish."""

from __future__ import annotations

import os

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
