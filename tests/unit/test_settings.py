import base64
import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from datameent.errors import ConfigurationError
from datameent.ledger import NoteKey
from datameent.settings import Environment, Settings

GOOD_SECRET = "s" * 40
GOOD_MASTER = base64.b64encode(os.urandom(32)).decode()
GOOD_LOG_KEY = base64.b64encode(os.urandom(32)).decode()


def complete(tmp_path: Path, **extra: object) -> Settings:
    """Settings with the three keys every server needs, and `extra`."""
    return Settings(
        data_dir=tmp_path,
        secret_key=GOOD_SECRET,
        master_key=GOOD_MASTER,
        log_signing_key=GOOD_LOG_KEY,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("DATAMEENT_"):
            monkeypatch.delenv(name)


def test_production_refuses_to_start_without_keys_and_names_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings(data_dir=tmp_path).with_local_keys().validated()
    names = {p.setting for p in caught.value.problems}
    assert names == {"DATAMEENT_SECRET_KEY", "DATAMEENT_MASTER_KEY", "DATAMEENT_LOG_SIGNING_KEY"}


@pytest.mark.parametrize("secret", ["changeme", "short"])
def test_placeholder_or_short_secrets_are_refused(secret: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=secret, master_key=GOOD_MASTER, log_signing_key=GOOD_LOG_KEY
    )
    with pytest.raises(ConfigurationError):
        settings.validated()


@pytest.mark.parametrize("master", ["not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_the_master_key_must_be_32_bytes_of_base64(master: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=GOOD_SECRET, master_key=master, log_signing_key=GOOD_LOG_KEY
    )
    with pytest.raises(ConfigurationError):
        settings.validated()


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATAMEENT_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("DATAMEENT_MASTER_KEY", GOOD_MASTER)
    monkeypatch.setenv("DATAMEENT_LOG_SIGNING_KEY", GOOD_LOG_KEY)
    monkeypatch.setenv("DATAMEENT_DATA_DIR", str(tmp_path))
    settings = Settings().validated()
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'datameent.sqlite3'}"


def test_demo_makes_local_keys_once_and_keeps_them(tmp_path: Path) -> None:
    first = Settings(environment=Environment.DEMO, data_dir=tmp_path).with_local_keys().validated()
    again = Settings(environment=Environment.DEMO, data_dir=tmp_path).with_local_keys()
    assert first.master_key_bytes() == again.master_key_bytes()
    assert (tmp_path / "local-keys.json").stat().st_mode & 0o077 == 0


def test_production_never_makes_local_keys(tmp_path: Path) -> None:
    Settings(data_dir=tmp_path).with_local_keys()
    assert not (tmp_path / "local-keys.json").exists()


@pytest.mark.parametrize(
    ("name", "field"),
    [("DATAMEENT_WORKERS", "workers"), ("DATAMEENT_CALLS_AT_ONCE", "calls_at_once")],
)
def test_server_sizes_below_one_are_refused_by_name(name: str, field: str, tmp_path: Path) -> None:
    settings = complete(tmp_path, **{field: 0})
    with pytest.raises(ConfigurationError) as caught:
        settings.validated()
    assert [p.setting for p in caught.value.problems] == [name]


@pytest.mark.parametrize(
    ("previous", "why"),
    [(GOOD_MASTER, "must differ"), (base64.b64encode(b"short").decode(), "exactly 32")],
    ids=["the-master-key", "short"],
)
def test_the_previous_master_key_is_another_key_of_32_bytes(
    previous: str, why: str, tmp_path: Path
) -> None:
    settings = complete(tmp_path, previous_master_key=previous)
    with pytest.raises(ConfigurationError) as caught:
        settings.validated()
    (problem,) = caught.value.problems
    assert problem.setting == "DATAMEENT_PREVIOUS_MASTER_KEY" and why in problem.message
    assert previous not in str(caught.value)
    other = base64.b64encode(os.urandom(32)).decode()
    assert settings.model_copy(update={"previous_master_key": SecretStr(other)}).validated()


def test_earlier_verifier_keys_must_be_verifier_keys(tmp_path: Path) -> None:
    good = NoteKey("datameent.local/verwerkingenlogboek", bytes(32)).verifier()
    other = NoteKey("datameent.local/verwerkingenlogboek", bytes(range(32))).verifier()
    settings = complete(tmp_path, log_earlier_verifier_keys=f"{good}, {other}")
    assert settings.validated().earlier_verifiers() == (good, other)
    broken = settings.model_copy(update={"log_earlier_verifier_keys": f"{good} not-a-key"})
    with pytest.raises(ConfigurationError) as caught:
        broken.validated()
    (problem,) = caught.value.problems
    assert problem.setting == "DATAMEENT_LOG_EARLIER_VERIFIER_KEYS"
