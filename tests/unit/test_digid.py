"""DigiD's pure parts: the levels a broker may name, the BSN in its claim, the minimum level,
the account a resident gets, and the settings."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from datameent.domain.accounts import Role
from datameent.domain.bsn import is_valid_bsn
from datameent.domain.digid import Level, bsn_of_claim, check_level, parse_level, resident_account
from datameent.errors import ConfigurationError, SignOnRefused
from datameent.services.sign_on import DigidConfig, DigidLogin, ProviderConfig
from datameent.settings import Settings

BROKER = "https://digid.gemeente.example"
SAML = "urn:oasis:names:tc:SAML:2.0:ac:classes:"


@pytest.mark.parametrize(
    ("claim", "level"),
    [
        (SAML + "PasswordProtectedTransport", Level.BASIS),
        (SAML + "MobileTwoFactorContract", Level.MIDDEN),
        (SAML + "Smartcard", Level.SUBSTANTIEEL),
        (SAML + "SmartcardPKI", Level.HOOG),
        ("midden", Level.MIDDEN),
        (" Substantieel ", Level.SUBSTANTIEEL),
        ("HOOG", Level.HOOG),
        (SAML + "unspecified", None),
        (SAML + "smartcard", None),  # class references are exact
        ("laag", None),
        ("", None),
        (3, None),  # a number says nothing about which scale it is on
        (None, None),
        (["midden"], None),
    ],
)
def test_the_levels_a_broker_may_name(claim: object, level: Level | None) -> None:
    assert parse_level(claim) is level


def test_the_levels_are_ordered_weakest_first() -> None:
    assert Level.BASIS < Level.MIDDEN < Level.SUBSTANTIEEL < Level.HOOG


@pytest.mark.parametrize(
    ("claim", "bsn"),
    [
        ("111222333", "111222333"),
        (" 111222333\n", "111222333"),
        ("s00000000:111222333", "111222333"),  # DigiD's sector prefix, passed on
        (111222333, "111222333"),
        (12345672, "012345672"),  # a JSON number lost its leading zero
        ("012345672", "012345672"),
        ("111222334", None),  # fails the 11-check
        ("s00000001:111222333", None),  # another sector's number is not a BSN
        ("11122233", None),
        ("1112223330", None),
        ("000000000", None),
        (True, None),
        (0, None),
        (-111222333, None),
        (None, None),
        ({"bsn": "111222333"}, None),
    ],
)
def test_the_bsn_in_the_brokers_claim(claim: object, bsn: str | None) -> None:
    assert bsn_of_claim(claim) == bsn


@given(st.text(max_size=30) | st.integers())
def test_whatever_the_claim_holds_the_result_is_a_valid_bsn_or_nothing(claim: object) -> None:
    found = bsn_of_claim(claim)
    assert found is None or is_valid_bsn(found)


def test_a_level_below_the_minimum_is_refused_saying_how_to_log_in() -> None:
    check_level(Level.MIDDEN, Level.MIDDEN)
    check_level(Level.HOOG, Level.SUBSTANTIEEL)
    expected = {
        Level.MIDDEN: "sms-controle",
        Level.SUBSTANTIEEL: "identiteitsbewijs",
        Level.HOOG: "identiteitskaart",
    }
    for minimum, words in expected.items():
        for level in [None, *(lv for lv in Level if lv < minimum)]:
            with pytest.raises(SignOnRefused) as refused:
                check_level(level, minimum)
            detail = refused.value.detail
            assert detail is not None and words in detail.nl and "digid.nl" in detail.en
    with pytest.raises(SignOnRefused):
        check_level(None, Level.BASIS)  # no level said: it cannot be shown to be enough


def test_a_residents_account_is_named_by_client_number_and_has_no_password() -> None:
    person = uuid4()
    account = resident_account(person, "K0000042")
    assert account.username == "digid-k0000042" and account.display_name == "K0000042"
    assert account.roles == {Role.RESIDENT} and account.person_id == person
    assert account.sso and account.active and not account.must_change_password


def test_the_bsn_stays_out_of_a_logins_repr() -> None:
    login = DigidLogin(BROKER, "111222333", Level.MIDDEN)
    assert "111222333" not in repr(login) and "MIDDEN" in repr(login)


def test_the_client_secret_stays_out_of_the_configurations_repr() -> None:
    assert "geheim" not in repr(ProviderConfig(BROKER, "datameent", "geheim"))


def settings(tmp_path: Path, **digid: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="s" * 40,
        master_key=base64.b64encode(os.urandom(32)).decode(),
        log_signing_key=base64.b64encode(os.urandom(32)).decode(),
        **digid,  # type: ignore[arg-type]
    )


def test_digid_needs_all_three_settings_and_sensible_others(tmp_path: Path) -> None:
    assert settings(tmp_path).validated().digid() is None
    with pytest.raises(ConfigurationError) as caught:
        settings(tmp_path, digid_client_secret="geheim").validated()
    assert {p.setting for p in caught.value.problems} == {
        "DATAMEENT_DIGID_ISSUER",
        "DATAMEENT_DIGID_CLIENT_ID",
    }
    complete = {"digid_client_id": "datameent", "digid_client_secret": "geheim"}
    with pytest.raises(ConfigurationError) as caught:
        settings(
            tmp_path,
            digid_issuer="http://digid.gemeente.example",
            digid_bsn_claim=" ",
            digid_scopes="bsn",
            digid_mandate_scopes="acting-nin",
            digid_acting_claim="",
            **complete,
        ).validated()
    assert {p.setting for p in caught.value.problems} == {
        "DATAMEENT_DIGID_ISSUER",
        "DATAMEENT_DIGID_BSN_CLAIM",
        "DATAMEENT_DIGID_SCOPES",
        "DATAMEENT_DIGID_MANDATE_SCOPES",
        "DATAMEENT_DIGID_ACTING_CLAIM",
    }
    config = settings(
        tmp_path,
        digid_issuer=BROKER,
        digid_minimum_level="substantieel",
        digid_scopes="openid bsn",
        **complete,
    ).validated()
    assert config.digid() == DigidConfig(
        ProviderConfig(BROKER, "datameent", "geheim", scopes="openid bsn", prompt="login"),
        "bsn",
        "acr",
        Level.SUBSTANTIEEL,
    )
    assert config.digid().mandate_scopes is None  # type: ignore[union-attr]
    mandates = settings(
        tmp_path, digid_issuer=BROKER, digid_mandate_scopes=" openid acting-nin ", **complete
    ).validated()
    assert mandates.digid().mandate_scopes == "openid acting-nin"  # type: ignore[union-attr]
    assert mandates.digid().acting_claim == "acting_nin"  # type: ignore[union-attr]
    assert settings(tmp_path).digid_minimum_level is Level.MIDDEN


def test_an_unknown_minimum_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="basis, midden, substantieel or hoog"):
        settings(tmp_path, digid_minimum_level="laag")
