"""DigiD in a real browser: the login page with both doors (residents' DigiD first, employees'
single sign-on last), the way to the broker and back to the resident's own file, the login in
their log, and the pages accessible and fitting a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from datameent.services import persons
from tests.browser.test_browser import assert_accessible_and_fits_a_phone
from tests.e2e.conftest import LiveServer
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from tests.support import user

BSN = "111222333"


@pytest.fixture
def broker() -> Iterator[TestProvider]:
    running = TestProvider()
    running.log_in_as("someone")
    running.claims = {"bsn": BSN, "acr": "midden"}
    yield running
    running.stop()


@pytest.fixture
def digid_page(
    browser: Browser, seeded_url: str, tmp_path: Path, broker: TestProvider
) -> Iterator[Page]:
    secret = SecretStr(CLIENT_SECRET)
    server = LiveServer(
        seeded_url,
        tmp_path,
        digid_issuer=broker.issuer,
        digid_client_id=CLIENT_ID,
        digid_client_secret=secret,
        digid_mandate_scopes="openid acting-nin",
        oidc_issuer=broker.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=secret,
    )
    persons.register_person(
        server.store,
        user(server.store, "klantmanager1"),
        persons.IntakeForm(BSN, "Fatima", None, "Bakker", "1984-03-02"),
    )
    context = browser.new_context(base_url=server.url, viewport={"width": 1024, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    server.stop()


def test_a_resident_logs_in_with_digid_and_finds_the_login_in_their_log(
    digid_page: Page,
) -> None:
    page = digid_page
    page.goto("/mijn-gegevens")
    assert_accessible_and_fits_a_phone(page)
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[0] == "Woont u in de gemeente?" and headings[-1] == "Werkt u bij de gemeente?"
    page.get_by_role("link", name="Inloggen met DigiD").click()
    page.wait_for_url("**/mijn-gegevens")
    expect(page.get_by_text("Fatima").first).to_be_visible()
    page.goto("/mijn-gegevens/logboek")
    expect(page.get_by_text("Logde in met DigiD").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)


def test_a_level_too_low_says_how_to_log_in(digid_page: Page, broker: TestProvider) -> None:
    page = digid_page
    broker.claims["acr"] = "basis"
    page.goto("/inloggen")
    page.get_by_role("link", name="Inloggen met DigiD").click()
    expect(page.get_by_role("alert")).to_contain_text("DigiD app of met een sms-controle")
    assert_accessible_and_fits_a_phone(page)


def test_a_representative_is_told_on_every_page_for_whom_they_act(
    digid_page: Page, broker: TestProvider
) -> None:
    page = digid_page
    broker.claims["acting_nin"] = "123456782"
    page.goto("/inloggen?next=/mijn-gegevens")
    page.get_by_role("link", name="Inloggen namens iemand die u heeft gemachtigd").click()
    page.wait_for_url("**/mijn-gegevens")
    expect(page.locator("#namens")).to_contain_text("U handelt namens")
    assert_accessible_and_fits_a_phone(page)
    page.goto("/mijn-gegevens/logboek")
    expect(page.locator("#namens")).to_be_visible()
    expect(page.get_by_text("Uw gemachtigde (DigiD Machtigen)").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
