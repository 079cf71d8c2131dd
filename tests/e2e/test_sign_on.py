"""Single sign-on for employees, over real HTTP: datameent on one port, an OpenID Connect
provider on another (`tests/oidc_provider.py`), the browser's part played by httpx."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from datameent.services import accounts
from datameent.store.tables import account_changes, auth_sessions, users
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import csrf_token, login, post_form
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from tests.support import user


@pytest.fixture
def provider() -> Iterator[TestProvider]:
    running = TestProvider()
    yield running
    running.stop()


@pytest.fixture
def sso(seeded_url: str, tmp_path: Path, provider: TestProvider) -> Iterator[LiveServer]:
    server = LiveServer(
        seeded_url,
        tmp_path,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    yield server
    server.stop()


@pytest.fixture
def browser_like(sso: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sso.url, timeout=30, follow_redirects=True) as client:
        yield client


def sessions_of(server: LiveServer, username: str) -> int:
    with server.store.engine.connect() as db:
        query = auth_sessions.select().join(users).where(users.c.username == username)
        return len(db.execute(query).all())


def sign_on(client: httpx.Client, next: str = "/") -> httpx.Response:
    return client.get("/inloggen/gemeente", params={"next": next})


def test_an_employee_logs_in_through_the_municipality_and_the_account_is_bound(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    login = browser_like.get("/inloggen")
    assert "Inloggen met uw account van de gemeente" in login.text

    landed = sign_on(browser_like, next="/clienten")
    assert landed.status_code == 200
    assert "prompt" not in provider.asked_with  # the provider's own session is the point here
    assert urlsplit(str(landed.url)).path == "/clienten"
    assert "dm_session" in browser_like.cookies
    session = [
        cookie
        for step in landed.history
        for cookie in step.headers.get_list("set-cookie")
        if cookie.startswith("dm_session=")
    ]
    assert session and all("HttpOnly" in c and "SameSite=lax" in c for c in session)
    assert "dm_sign_on" not in browser_like.cookies  # the attempt is over
    again = browser_like.get("/inloggen/gemeente?next=/clienten", follow_redirects=False)
    assert again.headers["location"] == "/clienten", "logged in already: not to the provider"

    with sso.store.engine.connect() as db:
        row = db.execute(users.select().where(users.c.username == "klantmanager1")).one()
        changes = db.execute(
            account_changes.select().where(account_changes.c.user_id == row.id)
        ).all()
    assert (row.sso_issuer, row.sso_subject) == (provider.issuer, "sub-klantmanager1")
    assert row.password_hash is None  # the provider's login (and its second factor) only
    assert [c.change for c in changes] == ["linked"]

    # The password no longer opens the account.
    with httpx.Client(base_url=sso.url, timeout=30) as other:
        form = {"username": "klantmanager1", "password": "demo"}
        refused = other.post("/api/v1/auth/token", data=form)
    assert refused.status_code == 401


def test_the_next_login_goes_by_the_providers_identifier_not_the_name(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1", subject="a-stable-id")
    assert sign_on(browser_like).status_code == 200
    browser_like.cookies.clear()

    provider.log_in_as("renamed.klantmanager1", subject="a-stable-id")  # a new name at the provider
    assert sign_on(browser_like).status_code == 200
    assert "dm_session" in browser_like.cookies

    browser_like.cookies.clear()  # someone else at the provider, with klantmanager1's username
    provider.log_in_as("klantmanager1", subject="somebody-else")
    refused = sign_on(browser_like)
    assert refused.status_code == 403
    assert "hoort bij een ander account bij de gemeente" in refused.text
    assert "dm_session" not in browser_like.cookies


@pytest.mark.parametrize(
    "username, expected",
    [
        ("nobody.here", "heeft nog geen account in datameent"),
        ("inwoner1", "heeft nog geen account in datameent"),  # residents do not log in so
    ],
)
def test_someone_without_an_employees_account_is_refused_and_told_why(
    sso: LiveServer,
    provider: TestProvider,
    browser_like: httpx.Client,
    username: str,
    expected: str,
) -> None:
    provider.log_in_as(username)
    refused = sign_on(browser_like)
    assert refused.status_code == 403
    assert expected in refused.text
    assert "dm_session" not in browser_like.cookies
    with sso.store.engine.connect() as db:
        bound = db.execute(users.select().where(users.c.sso_subject.is_not(None))).all()
    assert bound == []


def test_a_stopped_account_is_refused(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    employee = user(sso.store, "klantmanager2")
    accounts.set_account_active(sso.store, None, employee.id, False)
    provider.log_in_as("klantmanager2")
    refused = sign_on(browser_like)
    assert refused.status_code == 403
    assert "Uw account in datameent is gestopt" in refused.text
    assert sessions_of(sso, "klantmanager2") == 0


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ("audience", "InvalidAudienceError"),
        ("issuer", "InvalidIssuerError"),
        ("expired", "ExpiredSignatureError"),
        ("nonce", "nonce is not this attempt's"),
        ("signature", "InvalidSignatureError"),
        ("unknown-key", "unknown key"),
        ("none", "algorithm is not accepted (none)"),
        ("shared-secret", "algorithm is not accepted (HS256)"),
        ("other-azp", "issued to another party"),
    ],
)
def test_an_id_token_that_does_not_hold_up_logs_no_one_in(
    sso: LiveServer,
    provider: TestProvider,
    browser_like: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    tamper: str,
    reason: str,
) -> None:
    provider.log_in_as("klantmanager1")
    provider.tamper = tamper
    with caplog.at_level(logging.WARNING, logger="datameent.sign_on"):
        refused = sign_on(browser_like)
    assert [r.getMessage() for r in caplog.records if reason in r.getMessage()]
    assert "klantmanager1" not in caplog.text  # no personal data in the log
    assert refused.status_code == 502
    assert "Inloggen via de gemeente is niet gelukt" in refused.text
    assert "Traceback" not in refused.text
    assert provider.token_requests == 1
    assert "dm_session" not in browser_like.cookies
    assert sessions_of(sso, "klantmanager1") == 0
    with sso.store.engine.connect() as db:
        row = db.execute(users.select().where(users.c.username == "klantmanager1")).one()
    assert row.sso_subject is None and row.password_hash is not None  # nothing changed


def test_an_answer_for_another_browser_is_refused(sso: LiveServer, provider: TestProvider) -> None:
    """Login CSRF: someone's own code and state, sent to a victim's browser, log no one in."""
    provider.log_in_as("klantmanager1")
    with httpx.Client(base_url=sso.url, timeout=30) as attacker:
        to_provider = sign_on(attacker).headers["location"]
        back = httpx.get(to_provider).headers["location"]
    with httpx.Client(timeout=30) as victim:
        refused = victim.get(back)  # no attempt cookie of theirs
        assert refused.status_code == 400
        assert "dm_session" not in victim.cookies
        victim.get(f"{sso.url}/inloggen/gemeente", params={"next": "/"})  # their own attempt
        refused = victim.get(back)  # the attacker's state is not theirs
        assert refused.status_code == 400
        assert "dm_session" not in victim.cookies
    assert provider.token_requests == 0  # the code was never even exchanged
    assert sessions_of(sso, "klantmanager1") == 0


def test_a_code_is_exchanged_once(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    to_provider = browser_like.get("/inloggen/gemeente", follow_redirects=False)
    attempt = browser_like.cookies["dm_sign_on"]
    back = httpx.get(to_provider.headers["location"]).headers["location"]
    assert browser_like.get(back).status_code == 200
    browser_like.cookies.clear()
    browser_like.cookies.set("dm_sign_on", attempt, path="/inloggen/gemeente")
    replayed = browser_like.get(back)  # the same attempt, the same code again
    assert replayed.status_code == 502
    assert provider.token_requests == 2
    assert "dm_session" not in browser_like.cookies


def test_the_provider_saying_no_is_said_plainly(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.refuse = True
    said_no = sign_on(browser_like)
    assert said_no.status_code == 400
    assert "Inloggen via de gemeente is niet gelukt" in said_no.text
    assert "dm_session" not in browser_like.cookies


def test_a_provider_that_cannot_be_reached_is_said_plainly(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.stop()
    away = sign_on(browser_like)
    assert away.status_code == 502
    assert "Inloggen via de gemeente is niet gelukt" in away.text
    assert "dm_sign_on" not in browser_like.cookies


def test_the_return_address_is_the_one_registered(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    to_provider = browser_like.get("/inloggen/gemeente", follow_redirects=False)
    query = parse_qs(urlsplit(to_provider.headers["location"]).query)
    assert query["redirect_uri"] == [f"{sso.url}/inloggen/gemeente/terug"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43
    cookie = to_provider.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/inloggen/gemeente" in cookie
    assert "samesite=lax" in cookie.lower()


def test_a_next_page_elsewhere_is_not_followed(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    landed = sign_on(browser_like, next="https://elsewhere.example/")
    assert landed.status_code == 200
    assert str(landed.url).startswith(sso.url)


def test_without_single_sign_on_the_pages_do_not_exist(http: httpx.Client) -> None:
    assert "Inloggen met uw account van de gemeente" not in http.get("/inloggen").text
    assert http.get("/inloggen/gemeente").status_code == 404
    assert http.get("/inloggen/gemeente/terug?code=x&state=y").status_code == 404


def test_an_administrator_undoes_the_link_and_the_sessions_end(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    sign_on(browser_like)
    assert browser_like.get("/clienten").status_code == 200
    admin = user(sso.store, "admin1")
    ended = accounts.unlink_sign_on(sso.store, admin, user(sso.store, "klantmanager1").id)
    assert ended == 1
    assert urlsplit(str(browser_like.get("/clienten").url)).path == "/inloggen"
    # Relinked at the next login, by username.
    provider.log_in_as("klantmanager1", subject="a-new-account-there")
    assert sign_on(browser_like).status_code == 200
    with sso.store.engine.connect() as db:
        row = db.execute(users.select().where(users.c.username == "klantmanager1")).one()
    assert row.sso_subject == "a-new-account-there"


def test_the_administrators_pages_with_single_sign_on(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    sign_on(browser_like)
    page = browser_like.get("/wachtwoord")
    assert "U logt in met uw account bij de gemeente" in page.text
    assert 'name="new_password"' not in page.text

    with httpx.Client(base_url=sso.url, timeout=30) as admin:
        login(admin, "admin1")
        path = f"/beheer/accounts/{user(sso.store, 'klantmanager1').id}"
        shown = admin.get(path).text
        assert "via de gemeente (eenmalig inloggen)" in shown
        assert "Gekoppeld aan het account bij de gemeente" in shown  # its history
        assert "Maak een tijdelijk wachtwoord" not in shown
        refused = post_form(admin, path, f"{path}/wachtwoord", {})  # the form was not offered
        assert refused.status_code == 422 and "Verbreek eerst de koppeling" in refused.text

        undone = post_form(admin, path, f"{path}/koppeling-verbreken", {})
        assert undone.status_code == 303
        after = admin.get(undone.headers["location"]).text
        assert "De koppeling is verbroken" in after and "met een wachtwoord" in after
        assert urlsplit(str(browser_like.get("/clienten").url)).path == "/inloggen"

        new = post_form(
            admin,
            "/beheer/accounts/nieuw",
            "/beheer/accounts/nieuw",
            {"username": "j.devries@gemeente.example", "roles": ["analyst"]},
        )
        assert new.status_code == 200
        assert "Tijdelijk wachtwoord" not in new.text and "geen wachtwoord" in new.text

    provider.log_in_as("J.deVries@gemeente.example")
    browser_like.cookies.clear()
    assert sign_on(browser_like).status_code == 200
    assert "dm_session" in browser_like.cookies


def test_an_employee_logging_out_logs_out_at_the_provider_too(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    sign_on(browser_like, next="/clienten")
    token = csrf_token(browser_like.get("/clienten").text)
    out = browser_like.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"].startswith(f"{provider.issuer}/logout?")
    landed = browser_like.get(out.headers["location"])
    assert "U bent uitgelogd" in landed.text and provider.logged_in is None
    assert sessions_of(sso, "klantmanager1") == 1  # the one session, ended
    with sso.store.engine.connect() as db:
        ended = db.execute(auth_sessions.select()).all()
    assert all(row.revoked_at is not None for row in ended)


def test_someone_with_a_password_logs_out_here_only(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    login(browser_like, "klantmanager2")
    token = csrf_token(browser_like.get("/clienten").text)
    out = browser_like.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/inloggen?uitgelogd=1"


def logout_token(provider: TestProvider, **changes: object) -> str:
    """A back-channel logout token as the provider signs one, with `changes` (None: left out)."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "iat": now,
        "jti": secrets.token_hex(8),
        "sub": "sub-klantmanager1",
        "sid": "a-session-there",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    claims |= changes
    key = claims.pop("key", provider.key)
    body = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": provider.kid})


def test_the_provider_logs_an_employee_out_here_from_its_side(
    sso: LiveServer, provider: TestProvider, browser_like: httpx.Client
) -> None:
    provider.log_in_as("klantmanager1")
    sign_on(browser_like)
    assert browser_like.get("/clienten").url.path == "/clienten"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # What does not hold is refused with 400 and ends nothing.
    for changes in (
        {"events": None},
        {"events": {"http://schemas.openid.net/event/other": {}}},
        {"nonce": "n"},  # an ID token must not pass for a logout token
        {"aud": "another-application"},
        {"iss": "https://elsewhere.example"},
        {"iat": int(time.time()) - 3600},
        {"sub": None},  # this server keeps no provider sessions: a sid alone names no one
        {"jti": None},
        {"key": other},
    ):
        with httpx.Client(base_url=sso.url, timeout=30) as provider_side:
            refused = provider_side.post(
                "/inloggen/gemeente/uitloggen",
                data={"logout_token": logout_token(provider, **changes)},
            )
        assert refused.status_code == 400, changes
        assert refused.json() == {"error": "invalid_request"}
        assert refused.headers["cache-control"] == "no-store"
    assert httpx.post(f"{sso.url}/inloggen/gemeente/uitloggen").status_code == 400
    assert browser_like.get("/clienten").url.path == "/clienten"
    assert sessions_of(sso, "klantmanager1") == 1

    # A token that holds ends every session of the account bound to that subject, without a
    # CSRF token (the provider's server posts it, not a browser).
    ended = httpx.post(
        f"{sso.url}/inloggen/gemeente/uitloggen", data={"logout_token": logout_token(provider)}
    )
    assert ended.status_code == 200 and ended.headers["cache-control"] == "no-store"
    assert browser_like.get("/clienten").url.path == "/inloggen"
    # Someone unknown here: nothing to end, and that is no error.
    unknown = logout_token(provider, sub="sub-nobody")
    answer = httpx.post(f"{sso.url}/inloggen/gemeente/uitloggen", data={"logout_token": unknown})
    assert answer.status_code == 200
