"""Residents log in with DigiD, over real HTTP: datameent on one port, a broker speaking OpenID
Connect on another (`tests/oidc_provider.py`, which puts the BSN and level in its ID tokens as
a DigiD broker does), the browser's part played by httpx."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from datameent.domain.accounts import Role
from datameent.services import accounts, persons
from datameent.store.tables import users
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import csrf_token, login
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from tests.support import user

BSN = "111222333"
MIDDEN = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
BASIS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@pytest.fixture
def broker() -> Iterator[TestProvider]:
    running = TestProvider()
    running.log_in_as("someone")  # a broker's own subject; datameent goes by the BSN
    running.claims = {"bsn": f"s00000000:{BSN}", "acr": MIDDEN}
    yield running
    running.stop()


def digid_server(url: str, directory: Path, broker: TestProvider, **extra: object) -> LiveServer:
    """A server whose residents log in with DigiD at `broker`, and Fatima's file (BSN)."""
    running = LiveServer(
        url,
        directory,
        digid_issuer=broker.issuer,
        digid_client_id=CLIENT_ID,
        digid_client_secret=SecretStr(CLIENT_SECRET),
        **extra,
    )
    manager = user(running.store, "klantmanager1")
    persons.register_person(
        running.store,
        manager,
        persons.IntakeForm(BSN, "Fatima", None, "Bakker", "1984-03-02"),
    )
    return running


@pytest.fixture
def server(seeded_url: str, tmp_path: Path, broker: TestProvider) -> Iterator[LiveServer]:
    running = digid_server(seeded_url, tmp_path, broker)
    yield running
    running.stop()


@pytest.fixture
def browser_like(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
        yield client


def digid(client: httpx.Client, next: str = "/") -> httpx.Response:
    return client.get("/inloggen/digid", params={"next": next})


def test_a_resident_logs_in_with_digid_and_sees_it_in_their_log(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    login = browser_like.get("/inloggen")
    assert "Inloggen met DigiD" in login.text and "Woont u in de gemeente?" in login.text

    landed = digid(browser_like, next="/mijn-gegevens")
    assert landed.status_code == 200
    assert urlsplit(str(landed.url)).path == "/mijn-gegevens"
    assert "dm_session" in browser_like.cookies and "dm_sign_on" not in browser_like.cookies
    assert "Fatima" in landed.text  # their own file
    assert BSN in landed.text  # in full, in the resident's own view only

    assert broker.asked_with["prompt"] == "login"  # DigiD asks again, whatever went before
    log = browser_like.get("/mijn-gegevens/logboek")
    assert "Logde in met DigiD" in log.text
    password = browser_like.get("/wachtwoord")
    assert "U logt in met DigiD" in password.text
    assert 'name="new_password"' not in password.text

    with server.store.engine.connect() as db:
        row = db.execute(select(users).where(users.c.username.like("digid-%"))).one()
    assert row.password_hash is None and row.sso_issuer == broker.issuer


def test_the_second_login_opens_the_same_account(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    digid(browser_like)
    browser_like.cookies.clear()
    assert digid(browser_like, next="/mijn-gegevens").status_code == 200
    with server.store.engine.connect() as db:
        assert len(db.execute(select(users).where(users.c.username.like("digid-%"))).all()) == 1


def test_a_resident_with_a_password_keeps_their_account_and_loses_the_password(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    with server.store.unit_of_work(write=False) as uow:
        person_id = uow.persons.id_by_bsn(BSN)
    new = accounts.NewAccount("fatima", "F", frozenset({Role.RESIDENT}), "a password!!", person_id)
    accounts.create_account(server.store, None, new)
    with httpx.Client(base_url=server.url, timeout=30) as before:
        login(before, "fatima", "a password!!")
        assert "dm_session" in before.cookies

    assert digid(browser_like, next="/mijn-gegevens").status_code == 200
    with server.store.engine.connect() as db:
        row = db.execute(select(users).where(users.c.username == "fatima")).one()
        made = db.execute(select(users).where(users.c.username.like("digid-%"))).all()
    assert row.password_hash is None and row.sso_issuer == broker.issuer
    assert made == []  # their own account, not a second one
    with httpx.Client(base_url=server.url, timeout=30) as after:
        login(after, "fatima", "a password!!")
        assert "dm_session" not in after.cookies


def test_a_level_too_low_is_refused_saying_what_to_do(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    broker.claims["acr"] = BASIS
    refused = digid(browser_like)
    assert refused.status_code == 403
    assert "DigiD app of met een sms-controle" in refused.text and "digid.nl" in refused.text
    assert "dm_session" not in browser_like.cookies


def test_a_token_without_a_level_is_refused_and_the_operator_told_why(
    server: LiveServer,
    broker: TestProvider,
    browser_like: httpx.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    del broker.claims["acr"]
    with caplog.at_level(logging.WARNING, logger="datameent.sign_on"):
        refused = digid(browser_like)
    assert refused.status_code == 403 and "dm_session" not in browser_like.cookies
    assert [r for r in caplog.records if "states no DigiD level in 'acr'" in r.getMessage()]


def test_someone_without_a_file_is_told_to_contact_the_municipality(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    broker.claims["bsn"] = "123456782"
    refused = digid(browser_like)
    assert refused.status_code == 403
    assert "geen dossier" in refused.text
    assert "dm_session" not in browser_like.cookies


@pytest.mark.parametrize("claim", [None, "111222334", "Fatima Bakker"])
def test_a_token_without_a_valid_bsn_logs_no_one_in(
    server: LiveServer,
    broker: TestProvider,
    browser_like: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    claim: str | None,
) -> None:
    if claim is None:
        del broker.claims["bsn"]
    else:
        broker.claims["bsn"] = claim
    with caplog.at_level(logging.INFO, logger="datameent"):
        refused = digid(browser_like)
    assert refused.status_code == 502
    assert "Inloggen met DigiD is niet gelukt" in refused.text
    assert "Traceback" not in refused.text
    assert [r for r in caplog.records if "no valid BSN" in r.getMessage()]
    assert "111222334" not in caplog.text and "Fatima" not in caplog.text
    assert "dm_session" not in browser_like.cookies


def test_the_bsn_never_reaches_the_servers_log(
    server: LiveServer,
    broker: TestProvider,
    browser_like: httpx.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        digid(browser_like)
        broker.claims["acr"] = BASIS
        browser_like.cookies.clear()
        digid(browser_like)
    assert caplog.records and BSN not in caplog.text


def test_a_forged_token_is_refused_at_the_digid_door_too(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    broker.tamper = "signature"
    refused = digid(browser_like)
    assert refused.status_code == 502 and "dm_session" not in browser_like.cookies


def test_the_employees_attempt_does_not_open_the_digid_door(
    seeded_url: str, tmp_path: Path, broker: TestProvider
) -> None:
    """Both doors at one broker: an answer for the employees' door, brought to the residents'
    door, has no attempt there (its cookie is for the other path) and logs no one in."""
    both = LiveServer(
        seeded_url,
        tmp_path,
        digid_issuer=broker.issuer,
        digid_client_id=CLIENT_ID,
        digid_client_secret=SecretStr(CLIENT_SECRET),
        oidc_issuer=broker.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    try:
        with httpx.Client(base_url=both.url, timeout=30) as client:
            to_broker = client.get("/inloggen/gemeente").headers["location"]
            back = urlsplit(httpx.get(to_broker).headers["location"])
            refused = client.get(f"/inloggen/digid/terug?{back.query}")
            assert refused.status_code == 400
            assert "dm_session" not in client.cookies
    finally:
        both.stop()


def test_without_digid_there_is_no_digid_door(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        assert "DigiD" not in client.get("/inloggen").text
        assert client.get("/inloggen/digid").status_code == 404
        assert client.get("/inloggen/digid/terug?code=x&state=y").status_code == 404


def test_logging_out_logs_out_at_the_broker_too(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    """A library computer: the broker's session must end with datameent's."""
    digid(browser_like, next="/mijn-gegevens")
    token = csrf_token(browser_like.get("/mijn-gegevens").text)
    out = browser_like.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False)
    to_broker = urlsplit(out.headers["location"])
    assert f"{to_broker.scheme}://{to_broker.netloc}{to_broker.path}" == f"{broker.issuer}/logout"
    asked = parse_qs(to_broker.query)
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["post_logout_redirect_uri"] == [f"{server.url}/inloggen?uitgelogd=1"]
    landed = browser_like.get(out.headers["location"])
    assert "U bent uitgelogd" in landed.text and broker.logged_in is None
    assert browser_like.get("/mijn-gegevens", follow_redirects=False).status_code in (303, 401)


def test_without_a_logout_at_the_broker_logging_out_stays_here(
    server: LiveServer, broker: TestProvider, browser_like: httpx.Client
) -> None:
    broker.offers_logout = False
    digid(browser_like)
    token = csrf_token(browser_like.get("/mijn-gegevens").text)
    out = browser_like.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/inloggen?uitgelogd=1"
