"""Single sign-on's pure parts: the attempt's values (PKCE against RFC 7636's own example),
the rules for whose account opens, the settings, and how the provider's keys are fetched and
kept (against a fake provider: httpx's MockTransport, no network)."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from uuid import uuid4

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from datameent.domain.accounts import Role, User, check_may_have_password, check_sign_on
from datameent.errors import ConfigurationError, InvalidInput, SignOnFailed, SignOnRefused
from datameent.services.sign_on import (
    KEYS_AGAIN_SECONDS,
    METADATA_SECONDS,
    Attempt,
    Provider,
    ProviderConfig,
    is_acceptable_url,
    log_code,
)
from datameent.settings import Settings

ISSUER = "https://login.gemeente.example"
SECRET = b"s" * 40


def test_the_code_challenge_is_rfc_7636s_s256() -> None:
    """RFC 7636, Appendix B: this verifier has this challenge."""
    attempt = Attempt("state", "nonce", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert attempt.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_an_attempt_follows_from_its_seed_and_the_servers_secret_only() -> None:
    one = Attempt.of(SECRET, "seed-1")
    assert one == Attempt.of(SECRET, "seed-1")
    assert len({one.state, one.nonce, one.verifier}) == 3
    assert Attempt.of(SECRET, "seed-2").state != one.state
    assert Attempt.of(b"t" * 40, "seed-1").state != one.state  # a browser cannot make one
    assert 43 <= len(one.verifier) <= 128  # RFC 7636 4.1


def employee(**changes: object) -> User:
    fields: dict[str, object] = {
        "id": uuid4(),
        "username": "klantmanager1",
        "display_name": "K",
        "roles": frozenset({Role.CASE_MANAGER}),
    }
    return User(**{**fields, **changes})  # type: ignore[arg-type]


def test_who_may_log_in_through_the_provider() -> None:
    assert check_sign_on(employee(), linking=True).username == "klantmanager1"
    assert check_sign_on(employee(sso=True), linking=False).sso
    for refused, linking in [
        (None, True),
        (employee(roles=frozenset({Role.RESIDENT}), person_id=uuid4()), True),
        (employee(roles=frozenset({Role.SYSTEM})), True),
        (employee(active=False), True),
        (employee(active=False, sso=True), False),
        (employee(sso=True), True),  # bound to someone else already
    ]:
        with pytest.raises(SignOnRefused):
            check_sign_on(refused, linking=linking)


def test_an_account_bound_to_the_provider_gets_no_password() -> None:
    check_may_have_password(employee())
    with pytest.raises(InvalidInput):
        check_may_have_password(employee(sso=True))


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://login.gemeente.example", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost", True),
        ("http://login.gemeente.example", False),
        ("ftp://login.gemeente.example", False),
        ("https://", False),
    ],
)
def test_the_provider_is_reached_over_https_only(url: str, ok: bool) -> None:
    assert is_acceptable_url(url) is ok


def test_log_codes_are_codes_never_free_text() -> None:
    assert log_code("invalid_grant") == "invalid_grant"
    assert log_code("RS256") == "RS256"
    assert log_code("Jan Jansen, BSN 123456782") == "-"
    assert log_code(None) == "-"


def settings(tmp_path: Path, **sign_on: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="s" * 40,
        master_key=base64.b64encode(os.urandom(32)).decode(),
        log_signing_key=base64.b64encode(os.urandom(32)).decode(),
        **sign_on,  # type: ignore[arg-type]
    )


def test_single_sign_on_needs_all_three_settings(tmp_path: Path) -> None:
    assert settings(tmp_path).validated().sign_on() is None
    with pytest.raises(ConfigurationError) as caught:
        settings(tmp_path, oidc_issuer=ISSUER).validated()
    assert {p.setting for p in caught.value.problems} == {
        "DATAMEENT_OIDC_CLIENT_ID",
        "DATAMEENT_OIDC_CLIENT_SECRET",
    }
    with pytest.raises(ConfigurationError) as caught:
        settings(
            tmp_path,
            oidc_issuer="http://login.gemeente.example",
            oidc_client_id="datameent",
            oidc_client_secret="geheim",
            oidc_redirect_url="http://datameent.gemeente.example/inloggen/gemeente/terug",
        ).validated()
    assert {p.setting for p in caught.value.problems} == {
        "DATAMEENT_OIDC_ISSUER",
        "DATAMEENT_OIDC_REDIRECT_URL",
    }
    config = settings(
        tmp_path, oidc_issuer=ISSUER, oidc_client_id="datameent", oidc_client_secret="geheim"
    ).validated()
    assert config.sign_on() == ProviderConfig(ISSUER, "datameent", "geheim")


class FakeProvider:
    """The provider's published configuration and keys, counting how often each is asked."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = "k1"
        self.asked = {"metadata": 0, "keys": 0}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            self.asked["metadata"] += 1
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/keys",
                },
            )
        self.asked["keys"] += 1
        public = jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return httpx.Response(200, json={"keys": [{**public, "kid": self.kid, "use": "sig"}]})

    def token(self, attempt: Attempt, kid: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, object] = {"iss": ISSUER, "aud": "datameent", "sub": "abc"}
        claims |= {"nonce": attempt.nonce, "iat": now, "exp": now + 300}
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": kid or self.kid})


def test_the_providers_keys_are_kept_and_asked_again_only_when_needed() -> None:
    fake, now = FakeProvider(), [1_000_000.0]
    provider = Provider(
        ProviderConfig(ISSUER, "datameent", "geheim"),
        http=httpx.Client(transport=httpx.MockTransport(fake)),
        clock=lambda: now[0],
    )
    attempt = Attempt.of(SECRET, "seed")
    for _ in range(3):
        provider._check(fake.token(attempt), attempt)
    assert fake.asked == {"metadata": 1, "keys": 1}

    # A key we do not know: asked again, but not again within the minute.
    with pytest.raises(SignOnFailed):
        provider._check(fake.token(attempt, kid="forged"), attempt)
    now[0] += KEYS_AGAIN_SECONDS + 1
    for _ in range(2):
        with pytest.raises(SignOnFailed):
            provider._check(fake.token(attempt, kid="forged"), attempt)
    assert fake.asked["keys"] == 2

    # The provider rotated its key: the new one is fetched once the minute has passed.
    fake.key, fake.kid = ec.generate_private_key(ec.SECP256R1()), "k2"
    now[0] += KEYS_AGAIN_SECONDS + 1
    provider._check(fake.token(attempt), attempt)
    assert fake.asked["keys"] == 3

    now[0] += METADATA_SECONDS + 1  # after an hour, both are asked again
    provider._check(fake.token(attempt), attempt)
    provider.authorization_url("https://datameent.example/terug", attempt)
    assert fake.asked == {"metadata": 2, "keys": 4}


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"end_session_endpoint": f"{ISSUER}/logout"}, f"{ISSUER}/logout?client_id=datameent&"),
        ({"end_session_endpoint": f"{ISSUER}/logout?tenant=1"}, f"{ISSUER}/logout?tenant=1&"),
        ({}, None),  # the provider offers no logout
        ({"end_session_endpoint": "http://login.gemeente.example/logout"}, None),
        (None, None),  # the provider cannot be reached
    ],
)
def test_logging_out_at_the_provider(metadata: dict[str, str] | None, expected: str | None) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if metadata is None:
            return httpx.Response(503)
        return httpx.Response(200, json={"issuer": ISSUER, **metadata})

    provider = Provider(
        ProviderConfig(ISSUER, "datameent", "geheim"),
        http=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    url = provider.logout_url("https://datameent.gemeente.example/inloggen?uitgelogd=1")
    if expected is None:
        assert url is None
    else:
        assert url is not None and url.startswith(expected)
        assert "post_logout_redirect_uri=https%3A%2F%2Fdatameent.gemeente.example%2Finloggen" in url
