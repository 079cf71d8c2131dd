"""The one place that reads configuration from the environment.

`Settings` is built once by the CLI and passed into `create_app(settings)` and the stores; no
module reads the environment or keeps a global copy. Secrets have no usable default: outside the
demo and development modes datameent refuses to start without them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from datameent.domain.digid import Level, parse_level
from datameent.errors import ConfigurationError, ConfigurationProblem
from datameent.ledger.checkpoint import is_verifier_key
from datameent.services.sign_on import DigidConfig, ProviderConfig, is_acceptable_url

if TYPE_CHECKING:
    from datameent.store.uow import Store


class Environment(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    DEMO = "demo"


_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "xxx", "todo"}


class Settings(BaseSettings):
    """Every setting, with its default and what it is for (see docs/settings.md)."""

    model_config = SettingsConfigDict(env_prefix="DATAMEENT_", extra="ignore")

    environment: Environment = Field(
        Environment.PRODUCTION, description="production, development or demo."
    )
    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("datameent"),
        description="Directory for the SQLite database and, in demo/development, local keys.",
    )
    warehouse_dir: Path | None = Field(
        None,
        description="Where the statistics pages read the warehouses (one directory per consumer "
        "domain, as `datameent warehouse export` writes them); default: `warehouse/` in the data "
        "directory.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file in the data directory."
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs the CSRF tokens of forms (at least 32 characters)."
    )
    master_key: SecretStr | None = Field(
        None, description="Base64 of 32 random bytes; wraps every person's data key."
    )
    previous_master_key: SecretStr | None = Field(
        None,
        description="Base64 of 32 bytes: the master key being retired, set only while rotating "
        "to a new one (`datameent keys rotate`); remove it once the rotation has finished.",
    )
    log_signing_key: SecretStr | None = Field(
        None, description="Base64 of a 32-byte Ed25519 seed; signs processing-log checkpoints."
    )
    log_earlier_verifier_keys: str = Field(
        "",
        description="The published verifier keys (name+id+key) of the signing keys the log had "
        "before DATAMEENT_LOG_SIGNING_KEY, separated by spaces or commas: older checkpoints are "
        "checked against them. Public, not secret.",
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Base64 of 32 random bytes; keys the pseudonyms of the statistics warehouse "
        "(one derived key per consumer domain). Needed only to export a warehouse.",
    )
    linkage_key: SecretStr | None = Field(
        None,
        description="Base64 of 32 random bytes, shared by the data holders of a record linkage "
        "(never by the trusted third party): keys the BSN pseudonyms and the Bloom-filter "
        "encodings. Needed only to link.",
    )
    ttp_key: SecretStr | None = Field(
        None,
        description="Base64 of 32 random bytes, held by the trusted third party only: maps BSN "
        "pseudonyms to research pseudonyms. Needed only to link on keyed pseudonyms.",
    )
    log_origin: str = Field(
        "datameent.local/verwerkingenlogboek",
        description="Name of this processing log in its checkpoints (C2SP origin line).",
    )
    log_retention_days: int = Field(
        2557,
        ge=1,
        description="Days a processing-log line keeps its content (default: 7 years); "
        "`datameent ledger erase-expired` erases it after that, keeping its digest.",
    )
    host: str = Field("127.0.0.1", description="Address the web server binds to.")
    port: int = Field(8000, description="Port the web server listens on.")
    workers: int = Field(
        1, description="Web server processes: one per core, on SQLite as on PostgreSQL."
    )
    calls_at_once: int = Field(
        8,
        description="On PostgreSQL: service calls one web server process runs at once; "
        "the others wait their turn.",
    )
    session_hours: int = Field(12, description="Hours a browser session lasts.")
    session_idle_minutes: int = Field(
        15,
        ge=5,
        description="Minutes without a request after which a browser session ends (someone "
        "who left a shared computer logged in). The page warns two minutes before, and typing "
        "in a form counts as activity.",
    )
    token_minutes: int = Field(60, description="Minutes an API bearer token lasts.")
    login_max_failures: int = Field(
        5, description="Failed logins per username within the window before it is locked."
    )
    login_window_minutes: int = Field(15, description="The login throttling window.")
    log_level: str = Field("info", description="Server log level.")
    oidc_issuer: str | None = Field(
        None,
        description="Single sign-on for employees: the municipality's identity provider "
        "(its OpenID Connect issuer URL, https). Unset: employees log in with a password.",
    )
    oidc_client_id: str | None = Field(
        None, description="datameent's client id at the identity provider."
    )
    oidc_client_secret: SecretStr | None = Field(
        None, description="datameent's client secret at the identity provider."
    )
    oidc_username_claim: str = Field(
        "preferred_username",
        description="The ID token's claim whose value is the employee's username in datameent.",
    )
    oidc_redirect_url: str | None = Field(
        None,
        description="The return address registered at the identity provider "
        "(https://<this server>/inloggen/gemeente/terug); default: worked out from the request.",
    )
    digid_issuer: str | None = Field(
        None,
        description="DigiD for residents: the municipality's DigiD broker (its OpenID Connect "
        "issuer URL, https), which speaks SAML to DigiD. Unset: residents log in with a "
        "password.",
    )
    digid_client_id: str | None = Field(None, description="datameent's client id at the broker.")
    digid_client_secret: SecretStr | None = Field(
        None, description="datameent's client secret at the broker."
    )
    digid_bsn_claim: str = Field(
        "bsn", description="The ID token's claim holding the resident's BSN."
    )
    digid_level_claim: str = Field(
        "acr",
        description="The ID token's claim holding the DigiD level (DigiD's SAML class "
        "reference, or basis/midden/substantieel/hoog).",
    )
    digid_minimum_level: Level = Field(
        Level.MIDDEN,
        description="The lowest DigiD level accepted: basis, midden, substantieel or hoog. "
        "Let the DPIA decide; for health data (Wmo) substantieel is advised.",
    )
    digid_scopes: str = Field(
        "openid", description="The scopes asked of the broker (some want one for the BSN)."
    )
    digid_mandate_scopes: str = Field(
        "",
        description="The scopes that ask the broker for a DigiD Machtigen login (someone the "
        "resident authorised logs in for them), for example 'openid acting-nin'; empty: not "
        "offered.",
    )
    digid_acting_claim: str = Field(
        "acting_nin",
        description="DigiD Machtigen: the ID token's claim with the BSN of whoever logs in for "
        "the resident (the resident's own BSN is then in DATAMEENT_DIGID_BSN_CLAIM). A token "
        "with this claim always makes a login on the resident's behalf.",
    )
    digid_redirect_url: str | None = Field(
        None,
        description="The return address registered at the broker "
        "(https://<this server>/inloggen/digid/terug); default: worked out from the request.",
    )

    @field_validator("digid_minimum_level", mode="before")
    @classmethod
    def _level_by_name(cls, value: object) -> object:
        if isinstance(value, str) and not value.isdigit():
            found = parse_level(value)
            if found is None:
                raise ValueError("must be basis, midden, substantieel or hoog")
            return found
        return value

    @property
    def is_local(self) -> bool:
        return self.environment in (Environment.DEMO, Environment.DEVELOPMENT)

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse_dir or self.data_dir / "warehouse"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'datameent.sqlite3'}"

    def open_store(self) -> Store:
        """The database and keys these settings name. The store is imported here, when it is
        needed, so that a command which needs no database does not wait for it."""
        from datameent.store.crypto import KeyRing
        from datameent.store.engine import make_engine
        from datameent.store.uow import Store

        keys = KeyRing(self.master_key_bytes(), self.previous_master_key_bytes())
        return Store(make_engine(self.sqlalchemy_url), keys)

    def master_key_bytes(self) -> bytes:
        assert self.master_key is not None, "validate() first"
        return base64.b64decode(self.master_key.get_secret_value(), validate=True)

    def previous_master_key_bytes(self) -> bytes | None:
        if self.previous_master_key is None:
            return None
        return base64.b64decode(self.previous_master_key.get_secret_value(), validate=True)

    def log_signing_seed(self) -> bytes:
        assert self.log_signing_key is not None, "validate() first"
        return base64.b64decode(self.log_signing_key.get_secret_value(), validate=True)

    def earlier_verifiers(self) -> tuple[str, ...]:
        return tuple(self.log_earlier_verifier_keys.replace(",", " ").split())

    def pseudonym_key_bytes(self) -> bytes | None:
        if self.pseudonym_key is None:
            return None
        return base64.b64decode(self.pseudonym_key.get_secret_value(), validate=True)

    def linkage_key_bytes(self) -> bytes | None:
        if self.linkage_key is None:
            return None
        return base64.b64decode(self.linkage_key.get_secret_value(), validate=True)

    def ttp_key_bytes(self) -> bytes | None:
        if self.ttp_key is None:
            return None
        return base64.b64decode(self.ttp_key.get_secret_value(), validate=True)

    def secret_key_bytes(self) -> bytes:
        assert self.secret_key is not None, "validate() first"
        return self.secret_key.get_secret_value().encode()

    def validated(self) -> Settings:
        """These settings, or a `ConfigurationError` listing every problem at once."""
        problems = (
            _secret_problems(self.secret_key)
            + _master_key_problems(self.master_key)
            + _key32_problems("DATAMEENT_LOG_SIGNING_KEY", self.log_signing_key)
        )
        for name, key in (
            ("DATAMEENT_PREVIOUS_MASTER_KEY", self.previous_master_key),
            ("DATAMEENT_PSEUDONYM_KEY", self.pseudonym_key),
            ("DATAMEENT_LINKAGE_KEY", self.linkage_key),
            ("DATAMEENT_TTP_KEY", self.ttp_key),
        ):
            if key is not None:
                problems += _key32_problems(name, key)
        if self.previous_master_key is not None and self.master_key is not None:
            if self.previous_master_key.get_secret_value() == self.master_key.get_secret_value():
                problems.append(
                    ConfigurationProblem(
                        "DATAMEENT_PREVIOUS_MASTER_KEY", "must differ from DATAMEENT_MASTER_KEY"
                    )
                )
        if not all(is_verifier_key(key) for key in self.earlier_verifiers()):
            problems.append(
                ConfigurationProblem(
                    "DATAMEENT_LOG_EARLIER_VERIFIER_KEYS",
                    "must be verifier keys (name+id+key, as GET /api/v1/ledger/public-key gives "
                    "them), separated by spaces or commas",
                )
            )
        if not self.log_origin or " " in self.log_origin or "+" in self.log_origin:
            problems.append(
                ConfigurationProblem("DATAMEENT_LOG_ORIGIN", "must be a name without spaces or +")
            )
        problems += self._sign_on_problems() + self._digid_problems()
        if self.workers < 1:
            problems.append(ConfigurationProblem("DATAMEENT_WORKERS", "must be at least 1"))
        if self.calls_at_once < 1:
            problems.append(ConfigurationProblem("DATAMEENT_CALLS_AT_ONCE", "must be at least 1"))
        if problems:
            raise ConfigurationError(problems)
        return self

    def sign_on(self) -> ProviderConfig | None:
        """The identity provider's settings, if single sign-on is set up."""
        if not (self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret):
            return None
        return ProviderConfig(
            self.oidc_issuer,
            self.oidc_client_id,
            self.oidc_client_secret.get_secret_value(),
            self.oidc_username_claim,
        )

    def digid(self) -> DigidConfig | None:
        """The DigiD broker's settings, if residents log in with DigiD."""
        if not (self.digid_issuer and self.digid_client_id and self.digid_client_secret):
            return None
        provider = ProviderConfig(
            self.digid_issuer,
            self.digid_client_id,
            self.digid_client_secret.get_secret_value(),
            scopes=self.digid_scopes,
            prompt="login",  # a shared computer: the broker's session of the one before
        )
        return DigidConfig(
            provider,
            self.digid_bsn_claim,
            self.digid_level_claim,
            self.digid_minimum_level,
            acting_claim=self.digid_acting_claim,
            mandate_scopes=self.digid_mandate_scopes.strip() or None,
        )

    def _digid_problems(self) -> list[ConfigurationProblem]:
        given = {
            "DATAMEENT_DIGID_ISSUER": self.digid_issuer,
            "DATAMEENT_DIGID_CLIENT_ID": self.digid_client_id,
            "DATAMEENT_DIGID_CLIENT_SECRET": self.digid_client_secret,
        }
        if not any(given.values()):
            return []
        problems = [
            ConfigurationProblem(name, "is needed for DigiD, with the other two")
            for name, value in given.items()
            if not value
        ]
        for name, url in (
            ("DATAMEENT_DIGID_ISSUER", self.digid_issuer),
            ("DATAMEENT_DIGID_REDIRECT_URL", self.digid_redirect_url),
        ):
            if url and not is_acceptable_url(url):
                problems.append(ConfigurationProblem(name, "must be an https address"))
        for name, claim in (
            ("DATAMEENT_DIGID_BSN_CLAIM", self.digid_bsn_claim),
            ("DATAMEENT_DIGID_LEVEL_CLAIM", self.digid_level_claim),
            ("DATAMEENT_DIGID_ACTING_CLAIM", self.digid_acting_claim),
        ):
            if not claim.strip():
                problems.append(ConfigurationProblem(name, "is empty"))
        for name, scopes in (
            ("DATAMEENT_DIGID_SCOPES", self.digid_scopes),
            ("DATAMEENT_DIGID_MANDATE_SCOPES", self.digid_mandate_scopes or "openid"),
        ):
            if "openid" not in scopes.split():
                problems.append(ConfigurationProblem(name, "must include openid"))
        return problems

    def _sign_on_problems(self) -> list[ConfigurationProblem]:
        given = {
            "DATAMEENT_OIDC_ISSUER": self.oidc_issuer,
            "DATAMEENT_OIDC_CLIENT_ID": self.oidc_client_id,
            "DATAMEENT_OIDC_CLIENT_SECRET": self.oidc_client_secret,
        }
        if not any(given.values()):
            return []
        problems = [
            ConfigurationProblem(name, "is needed for single sign-on, with the other two")
            for name, value in given.items()
            if not value
        ]
        for name, url in (
            ("DATAMEENT_OIDC_ISSUER", self.oidc_issuer),
            ("DATAMEENT_OIDC_REDIRECT_URL", self.oidc_redirect_url),
        ):
            if url and not is_acceptable_url(url):
                problems.append(ConfigurationProblem(name, "must be an https address"))
        if not self.oidc_username_claim.strip():
            problems.append(ConfigurationProblem("DATAMEENT_OIDC_USERNAME_CLAIM", "is empty"))
        return problems

    def with_local_keys(self) -> Settings:
        """In demo and development: keys kept in the data directory, made on first use.

        Elsewhere the keys must come from the environment (or a secret store feeding it).
        """
        held = [getattr(self, name) for name in ("secret_key", "master_key", *_LATER_KEYS)]
        if not self.is_local or all(held):
            return self
        path = self.data_dir / "local-keys.json"
        if path.exists():
            keys = json.loads(path.read_text())
            added = {k for k in _LATER_KEYS if k not in keys}
            for name in added:  # keys that later versions added
                keys[name] = base64.b64encode(os.urandom(32)).decode()
            if added:
                path.write_text(json.dumps(keys))
        else:
            keys = {
                "secret_key": secrets.token_urlsafe(48),
                "master_key": base64.b64encode(os.urandom(32)).decode(),
                **{k: base64.b64encode(os.urandom(32)).decode() for k in _LATER_KEYS},
            }
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(keys))
        return self.model_copy(
            update={
                "secret_key": self.secret_key or SecretStr(keys["secret_key"]),
                "master_key": self.master_key or SecretStr(keys["master_key"]),
                **{k: getattr(self, k) or SecretStr(keys[k]) for k in _LATER_KEYS},
            }
        )


_LATER_KEYS = ("log_signing_key", "pseudonym_key", "linkage_key", "ttp_key")
"""32-byte keys kept locally in demo and development (added to older key files on first use)."""


def _secret_problems(value: SecretStr | None) -> list[ConfigurationProblem]:
    name = "DATAMEENT_SECRET_KEY"
    if value is None:
        return [ConfigurationProblem(name, "is required outside demo and development")]
    text = value.get_secret_value()
    if text.lower() in _PLACEHOLDERS or len(text) < 32:
        return [ConfigurationProblem(name, "must be a random value of at least 32 characters")]
    return []


def _master_key_problems(value: SecretStr | None) -> list[ConfigurationProblem]:
    return _key32_problems("DATAMEENT_MASTER_KEY", value)


def _key32_problems(name: str, value: SecretStr | None) -> list[ConfigurationProblem]:
    if value is None:
        return [ConfigurationProblem(name, "is required outside demo and development")]
    try:
        raw = base64.b64decode(value.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        return [ConfigurationProblem(name, "must be base64 of exactly 32 random bytes")]
    return []
