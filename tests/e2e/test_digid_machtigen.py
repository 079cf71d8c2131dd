"""DigiD Machtigen over real HTTP: someone a resident authorised logs in for them through the
broker (`tests/oidc_provider.py`, whose ID token then holds the resident's BSN and the acting
person's), acts in the resident's file, and is shown in the resident's log as their
representative; the resident's own way in stays theirs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from datameent.domain.accounts import Role
from datameent.services import accounts
from datameent.store.tables import audit_records, auth_sessions, log_records
from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_digid import BSN, MIDDEN, digid_server
from tests.e2e.test_pages import csrf_token, login
from tests.oidc_provider import TestProvider

HELPER_BSN = "123456782"
MANDATE_SCOPES = "openid acting-nin"


@pytest.fixture
def broker() -> Iterator[TestProvider]:
    running = TestProvider()
    running.log_in_as("helper")
    running.claims = {"bsn": BSN, "acr": MIDDEN, "acting_nin": f"s00000000:{HELPER_BSN}"}
    yield running
    running.stop()


def _server(url: str, directory: Path, broker: TestProvider, **extra: object) -> LiveServer:
    """`digid_server`, and Fatima with an account and a password of her own."""
    running = digid_server(url, directory, broker, **extra)
    with running.store.unit_of_work(write=False) as uow:
        person_id = uow.persons.id_by_bsn(BSN)
    new = accounts.NewAccount("fatima", "F", frozenset({Role.RESIDENT}), "a password!!", person_id)
    accounts.create_account(running.store, None, new)
    return running


@pytest.fixture
def server(seeded_url: str, tmp_path: Path, broker: TestProvider) -> Iterator[LiveServer]:
    running = _server(seeded_url, tmp_path, broker, digid_mandate_scopes=MANDATE_SCOPES)
    yield running
    running.stop()


@pytest.fixture
def helper(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
        yield client


def on_behalf(client: httpx.Client, next: str = "/") -> httpx.Response:
    return client.get("/inloggen/digid", params={"namens": "1", "next": next})


def test_a_representative_acts_for_the_resident_and_the_resident_sees_it(
    server: LiveServer, broker: TestProvider, helper: httpx.Client
) -> None:
    assert "Inloggen namens iemand die u heeft gemachtigd" in helper.get("/inloggen").text
    landed = on_behalf(helper, next="/mijn-gegevens")
    assert landed.status_code == 200 and "Fatima" in landed.text
    assert broker.asked_with["scope"] == MANDATE_SCOPES
    assert "U handelt namens" in landed.text  # said on every page
    assert 'href="/wachtwoord"' not in landed.text
    log = helper.get("/mijn-gegevens/logboek").text
    assert "Uw gemachtigde (DigiD Machtigen)" in log and "Logde in met DigiD" in log
    # The resident's way in is not theirs to change.
    page = helper.get("/wachtwoord")
    assert "U bent ingelogd namens iemand anders" in page.text
    assert 'name="new_password"' not in page.text and "Overal anders uitloggen" not in page.text
    ended = helper.post("/wachtwoord/elders-uitloggen", data={"csrf_token": csrf_token(page.text)})
    assert ended.status_code == 403

    # The resident still logs in with their own password, and sees what was done for them.
    with httpx.Client(base_url=server.url, timeout=30) as resident:
        assert login(resident, "fatima", "a password!!").status_code == 303
        assert "dm_session" in resident.cookies
        headers = bearer(resident, "fatima", "a password!!")
        person = resident.get("/api/v1/me", headers=headers).json()["personId"]
        lines = resident.get(f"/api/v1/persons/{person}/processing-log", headers=headers).json()
    by_them = [line for line in lines if line["who"]["representative"]]
    assert {"account.log_in", "vault.read", "log.read"} <= {line["operation"] for line in by_them}
    assert not [line for line in lines if line["operation"] == "account.create"]

    with server.store.engine.connect() as db:
        sessions = db.execute(select(auth_sessions.c.representative)).scalars().all()
        audits = db.execute(select(audit_records.c.payload)).scalars().all()
        records = db.execute(select(log_records.c.payload)).scalars().all()
    marked = {s for s in sessions if s}
    assert len(marked) == 1 and HELPER_BSN not in next(iter(marked))
    assert [a for a in audits if a and json.loads(a).get("representative") in marked]
    assert not [text for text in (*audits, *records) if text and HELPER_BSN in text]


def test_the_same_representative_is_recognised_at_each_login(
    server: LiveServer, broker: TestProvider, helper: httpx.Client
) -> None:
    on_behalf(helper)
    helper.cookies.clear()
    on_behalf(helper)
    broker.claims["acting_nin"] = "012345672"  # someone else the resident authorised
    helper.cookies.clear()
    on_behalf(helper)
    with server.store.engine.connect() as db:
        marks = [s for s in db.execute(select(auth_sessions.c.representative)).scalars() if s]
    assert len(marks) == 3 and len(set(marks)) == 2


def test_a_token_that_names_someone_acting_is_never_taken_as_the_resident(
    server: LiveServer, broker: TestProvider, helper: httpx.Client
) -> None:
    landed = helper.get("/inloggen/digid", params={"next": "/mijn-gegevens"})  # the plain door
    assert landed.status_code == 200 and "U handelt namens" in landed.text
    assert broker.asked_with["scope"] == "openid"


def test_an_acting_bsn_that_is_not_valid_logs_no_one_in(
    server: LiveServer, broker: TestProvider, helper: httpx.Client
) -> None:
    broker.claims["acting_nin"] = "123456789"  # fails the 11-check
    refused = on_behalf(helper)
    assert refused.status_code == 502 and "Inloggen met DigiD is niet gelukt" in refused.text
    assert "dm_session" not in helper.cookies


def test_without_mandates_there_is_no_door_for_them(
    seeded_url: str, tmp_path: Path, broker: TestProvider
) -> None:
    plain = _server(seeded_url, tmp_path, broker)
    try:
        with httpx.Client(base_url=plain.url, timeout=30) as client:
            assert "gemachtigd" not in client.get("/inloggen").text
            assert client.get("/inloggen/digid", params={"namens": "1"}).status_code == 404
    finally:
        plain.stop()
