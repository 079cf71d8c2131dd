"""Logging in elsewhere, with OpenID Connect: employees through the municipality's identity
provider (single sign-on), residents with DigiD through the municipality's DigiD broker
(`Digid`, at the end; what its claims mean is `domain.digid`).

The provider vouches for who someone is; what they may do stays here. The administrator makes
the employee's account with the username the provider gives (its `preferred_username` claim,
or the one `DATAMEENT_OIDC_USERNAME_CLAIM` names) and gives its roles; at the employee's first
login through the provider the account is bound to the provider's own identifier for them
(`sub`, which does not change when a name does), and its password here goes. From then on only
that identifier opens it.

The authorization code flow (OpenID Connect Core 1.0, 3.1) with PKCE (RFC 7636): the `state`
ties the provider's answer to the browser that asked (no one can log someone in as somebody
else), the `nonce` ties the ID token to this attempt, the code verifier makes an intercepted
code useless. The ID token's signature (the provider's published keys, asymmetric algorithms
only), issuer, audience, expiry and nonce are checked with PyJWT. The protocol's few steps
are written here rather than taken from a framework integration (Authlib's keeps its state in
a cookie session this application does not have); the checks that decide are PyJWT's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
import jwt

from datameent.domain.digid import Level, bsn_of_claim, parse_level
from datameent.errors import SignOnFailed

log = logging.getLogger("datameent.sign_on")

ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Signatures with the provider's public key only: never `none`, never a shared secret."""
METADATA_SECONDS = 3600
"""How long the provider's published configuration and keys are used before asking again."""
KEYS_AGAIN_SECONDS = 60
"""A token signed with a key we do not know fetches the keys again, at most this often (the
provider rotated its keys; not every forged token makes us ask)."""
LEEWAY_SECONDS = 60
"""Clock difference allowed between the provider and us."""
TIMEOUT_SECONDS = 10
LOGOUT_TOKEN_SECONDS = 600
"""A back-channel logout token issued longer ago than this is refused (Back-Channel Logout
1.0, 2.6 point 10 allows it): a logout notice is sent the moment someone logs out there."""
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def is_local_url(url: str) -> bool:
    return urlsplit(url).hostname in ("localhost", "127.0.0.1", "::1")


def is_acceptable_url(url: str) -> bool:
    """https, or http on this machine (development and tests)."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (
        parts.scheme == "https" or (parts.scheme == "http" and is_local_url(url))
    )


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    username_claim: str = "preferred_username"
    scopes: str = "openid profile email"
    prompt: str | None = None
    """OpenID Connect's `prompt`: `login` makes the provider ask who it is every time, even
    when it still has a session in this browser."""


@dataclass(frozen=True)
class Identity:
    """Who the provider vouched for: its identifier for them, and the username it gives (as
    it gives it; datameent's usernames are in lower case)."""

    issuer: str
    subject: str
    username: str | None


@dataclass(frozen=True)
class LogoutNotice:
    """The provider says that someone logged out there, or that their account there ended
    (OpenID Connect Back-Channel Logout 1.0): whom, by its identifier for them."""

    issuer: str
    subject: str


@dataclass(frozen=True)
class Attempt:
    """One login through the provider, from leaving for it to coming back. Derived from a random
    seed (kept in the browser, in a cookie only this site reads) and the server's secret key,
    so nothing is stored here and the browser cannot make a valid one of its own."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def of(cls, secret: bytes, seed: str) -> Attempt:
        def derive(label: str) -> str:
            digest = hmac.new(secret, f"sign-on {label} {seed}".encode(), hashlib.sha256)
            return _b64(digest.digest())

        return cls(derive("state"), derive("nonce"), derive("verifier"))

    @property
    def challenge(self) -> str:
        """The PKCE code challenge (S256) of the verifier."""
        return _b64(hashlib.sha256(self.verifier.encode()).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Provider:
    """The municipality's identity provider, as its published configuration describes it.
    Shared by the server's threads; the configuration and keys are fetched when first needed
    and kept for an hour."""

    def __init__(
        self,
        config: ProviderConfig,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._http = http or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, jwt.PyJWKSet] | None = None

    def close(self) -> None:
        self._http.close()

    def authorization_url(
        self, redirect_uri: str, attempt: Attempt, *, scopes: str | None = None
    ) -> str:
        """Where to send the browser to log in at the provider (asking for `scopes`, by
        default the configured ones)."""
        endpoint = self._endpoint("authorization_endpoint")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": redirect_uri,
                "scope": scopes or self.config.scopes,
                "state": attempt.state,
                "nonce": attempt.nonce,
                "code_challenge": attempt.challenge,
                "code_challenge_method": "S256",
            }
            | ({"prompt": self.config.prompt} if self.config.prompt else {})
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def logout_url(self, back: str) -> str | None:
        """Where to send the browser to log out at the provider too (OpenID Connect
        RP-Initiated Logout 1.0), coming back to `back`; None when the provider offers no
        logout or cannot be reached (logging out here never waits on it to succeed)."""
        try:
            endpoint = self._meta().get("end_session_endpoint")
        except SignOnFailed as failure:
            log.warning("no logout at the provider: %s", failure.reason)
            return None
        if not isinstance(endpoint, str) or not is_acceptable_url(endpoint):
            return None
        query = urlencode({"client_id": self.config.client_id, "post_logout_redirect_uri": back})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def identity(self, code: str, redirect_uri: str, attempt: Attempt) -> Identity:
        """Exchange the provider's code for an ID token and check it: who it vouches for."""
        claims = self.claims(code, redirect_uri, attempt)
        username = claims.get(self.config.username_claim)
        return Identity(
            self.config.issuer, claims["sub"], username if isinstance(username, str) else None
        )

    def claims(self, code: str, redirect_uri: str, attempt: Attempt) -> dict[str, Any]:
        """Exchange the provider's code for an ID token, check it, and return its claims."""
        if not code or len(code) > 4096:
            raise SignOnFailed("no code in the provider's answer")
        return self._check(self._id_token(code, redirect_uri, attempt), attempt)

    # The token endpoint ---------------------------------------------------------------------

    def _id_token(self, code: str, redirect_uri: str, attempt: Attempt) -> str:
        endpoint = self._endpoint("token_endpoint")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": attempt.verifier,
        }
        methods = self._meta().get("token_endpoint_auth_methods_supported")
        in_form = (
            isinstance(methods, list)
            and "client_secret_basic" not in methods
            and "client_secret_post" in methods
        )
        if in_form:
            form |= {"client_id": self.config.client_id, "client_secret": self.config.client_secret}
        # RFC 6749 2.3.1: in the header, both are form-encoded before they are joined
        basic = (quote_plus(self.config.client_id), quote_plus(self.config.client_secret))
        try:
            response = self._http.post(
                endpoint, data=form, auth=httpx.USE_CLIENT_DEFAULT if in_form else basic
            )
        except httpx.HTTPError as failure:
            raise SignOnFailed(f"token endpoint unreachable ({type(failure).__name__})") from None
        body = _json(response)
        if response.status_code != 200:
            said = body.get("error") if isinstance(body, dict) else None
            raise SignOnFailed(f"token endpoint answered {response.status_code} {log_code(said)}")
        token = body.get("id_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise SignOnFailed("no ID token in the token endpoint's answer")
        return token

    def logout_notice(self, token: str) -> LogoutNotice:
        """Check a logout token the provider posted to us (Back-Channel Logout 1.0, 2.6): signed
        by the provider's key, issued by it to us, lately, a logout event, naming the account's
        subject, and no nonce (so that an ID token cannot pass for one). `SignOnFailed` else."""
        if not token or len(token) > 16_384:
            raise SignOnFailed("no logout token")
        claims = self._decode(token, ["iss", "aud", "iat", "jti"], "logout token")
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
            raise SignOnFailed("the logout token holds no back-channel logout event")
        if "nonce" in claims:
            raise SignOnFailed("the logout token holds a nonce")
        issued = claims["iat"]
        if not isinstance(issued, int | float) or issued < self._clock() - LOGOUT_TOKEN_SECONDS:
            raise SignOnFailed("the logout token is too old")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise SignOnFailed("the logout token names no subject")
        return LogoutNotice(self.config.issuer, subject)

    def _check(self, token: str, attempt: Attempt) -> dict[str, Any]:
        claims = self._decode(token, ["iss", "sub", "aud", "exp", "iat"], "ID token")
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, attempt.nonce):
            raise SignOnFailed("the ID token's nonce is not this attempt's")
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise SignOnFailed("the ID token's subject is not usable")
        return claims

    def _decode(self, token: str, required: list[str], kind: str) -> dict[str, Any]:
        """The claims of a token the provider signed for us: its signature (the provider's
        published key, an asymmetric algorithm), issuer, audience (and `azp` when there are
        several) and times checked."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SignOnFailed(f"the {kind} is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise SignOnFailed(f"the {kind}'s algorithm is not accepted ({log_code(algorithm)})")
        key = self._key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.config.client_id,
                issuer=self.config.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": required},
            )
        except jwt.PyJWTError as error:
            raise SignOnFailed(f"the {kind} does not hold ({type(error).__name__})") from None
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1:  # Core 3.1.3.7, points 4 and 5
            if claims.get("azp") != self.config.client_id:
                raise SignOnFailed(f"the {kind} was issued to another party (azp)")
        return claims

    # The provider's published configuration and keys ----------------------------------------

    def _endpoint(self, name: str) -> str:
        url = self._meta().get(name)
        if not isinstance(url, str) or not is_acceptable_url(url):
            raise SignOnFailed(f"the provider's configuration has no usable {name}")
        return url

    def _meta(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata and self._clock() - self._metadata[0] < METADATA_SECONDS:
                return self._metadata[1]
        found = self._fetch(self.config.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if found.get("issuer") != self.config.issuer:  # Discovery 1.0, 4.3
            raise SignOnFailed("the provider's configuration names another issuer")
        with self._lock:
            self._metadata = (self._clock(), found)
        return found

    def _key(self, key_id: object) -> jwt.PyJWK:
        with self._lock:
            held = self._keys
        fresh = held is not None and self._clock() - held[0] < METADATA_SECONDS
        if held is not None and fresh and (key := _pick(held[1], key_id)) is not None:
            return key
        if held is not None and fresh and self._clock() - held[0] < KEYS_AGAIN_SECONDS:
            raise SignOnFailed("the ID token was signed with an unknown key")
        try:
            keys = jwt.PyJWKSet.from_dict(self._fetch(self._endpoint("jwks_uri")))
        except jwt.PyJWTError:
            raise SignOnFailed("the provider publishes no usable keys") from None
        with self._lock:
            self._keys = (self._clock(), keys)
        key = _pick(keys, key_id)
        if key is None:
            raise SignOnFailed("the ID token was signed with an unknown key")
        return key

    def _fetch(self, url: str) -> dict[str, Any]:
        if not is_acceptable_url(url):
            raise SignOnFailed("the provider's address must use https")
        try:
            response = self._http.get(url)
        except httpx.HTTPError as error:
            raise SignOnFailed(f"the provider is unreachable ({type(error).__name__})") from None
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise SignOnFailed(f"the provider answered {response.status_code} for its metadata")
        return body


@dataclass(frozen=True)
class DigidConfig:
    """The municipality's DigiD connection: a broker that speaks OpenID Connect to datameent
    (and SAML to DigiD), the claims it puts the BSN and the level in, and the lowest level
    datameent accepts."""

    provider: ProviderConfig
    bsn_claim: str = "bsn"
    level_claim: str = "acr"
    minimum: Level = Level.MIDDEN
    acting_claim: str = "acting_nin"
    """DigiD Machtigen: the claim with the BSN of whoever logs in for the resident (whose BSN
    is then in `bsn_claim`)."""
    mandate_scopes: str | None = None
    """The scopes that ask the broker for a DigiD Machtigen login; None: not offered."""


@dataclass(frozen=True)
class DigidLogin:
    """A resident DigiD vouched for: their BSN (never in a log or a message: not in `repr`
    either) and the level they logged in with, if the broker said. With DigiD Machtigen,
    `acting_bsn` is the BSN of the person the resident authorised, who logs in for them."""

    issuer: str
    bsn: str = field(repr=False)
    level: Level | None
    acting_bsn: str | None = field(default=None, repr=False)


class Digid:
    """Logging residents in with DigiD, through the broker's OpenID Connect: the same protocol
    and checks as the employees' single sign-on, and then the BSN and level from its claims."""

    def __init__(self, config: DigidConfig, **provider_options: Any) -> None:
        self.config = config
        self.provider = Provider(config.provider, **provider_options)

    def close(self) -> None:
        self.provider.close()

    def authorization_url(
        self, redirect_uri: str, attempt: Attempt, *, on_behalf: bool = False
    ) -> str:
        """Where to send the browser to log in with DigiD; `on_behalf`: with DigiD Machtigen,
        for someone who authorised the one logging in (if the municipality offers it)."""
        scopes = self.config.mandate_scopes if on_behalf else None
        return self.provider.authorization_url(redirect_uri, attempt, scopes=scopes)

    def login(self, code: str, redirect_uri: str, attempt: Attempt) -> DigidLogin:
        """The resident the broker vouched for. A token that names someone acting for them
        makes a login on their behalf, whichever button was used: never one as themselves."""
        claims = self.provider.claims(code, redirect_uri, attempt)
        bsn = bsn_of_claim(claims.get(self.config.bsn_claim))
        if bsn is None:
            raise SignOnFailed("the ID token holds no valid BSN")
        acting = claims.get(self.config.acting_claim)
        acting_bsn = bsn_of_claim(acting) if acting not in (None, "") else None
        if acting not in (None, "") and acting_bsn is None:
            raise SignOnFailed("the ID token's acting BSN is not valid")
        level = parse_level(claims.get(self.config.level_claim))
        if level is None:  # for the operator: the broker's mapping, not the resident, is amiss
            log.warning(
                "the broker's ID token states no DigiD level in %r", self.config.level_claim
            )
        if acting_bsn == bsn:  # the resident themselves
            acting_bsn = None
        return DigidLogin(self.config.provider.issuer, bsn, level, acting_bsn)


def _pick(keys: jwt.PyJWKSet, key_id: object) -> jwt.PyJWK | None:
    """The signing key with `key_id`; without one, the only signing key there is."""
    signing = [k for k in keys.keys if k.public_key_use in (None, "sig")]
    if key_id is None:
        return signing[0] if len(signing) == 1 else None
    return next((k for k in signing if k.key_id == key_id), None)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def log_code(value: object) -> str:
    """An OAuth error code or algorithm name for the log, if it looks like one (never free
    text from outside, which could hold anything)."""
    if isinstance(value, str) and len(value) <= 40 and value.replace("_", "").isalnum():
        return value
    return "-"
