"""Single sign-on in a real browser: the button on the login page, the way to the identity
provider and back, and the page accessible and fitting a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from tests.browser.test_browser import assert_accessible_and_fits_a_phone
from tests.e2e.conftest import LiveServer
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider


@pytest.fixture
def provider() -> Iterator[TestProvider]:
    running = TestProvider()
    yield running
    running.stop()


@pytest.fixture
def sso_page(
    browser: Browser, seeded_url: str, tmp_path: Path, provider: TestProvider
) -> Iterator[Page]:
    server = LiveServer(
        seeded_url,
        tmp_path,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    context = browser.new_context(base_url=server.url, viewport={"width": 1024, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    server.stop()


def test_an_employee_logs_in_with_the_municipality_account(
    sso_page: Page, provider: TestProvider
) -> None:
    page = sso_page
    page.goto("/clienten")  # asked for a page first: back there after logging in
    assert page.url.endswith("/inloggen?next=/clienten")
    assert_accessible_and_fits_a_phone(page)
    provider.log_in_as("klantmanager1")
    page.get_by_role("link", name="Inloggen met uw account van de gemeente").click()
    page.wait_for_url("**/clienten")
    expect(page.get_by_role("heading", level=1)).to_contain_text("cliënten")
    page.get_by_role("link", name="Waar u bent ingelogd").click()
    expect(page.get_by_text("U logt in met uw account bij de gemeente")).to_be_visible()


def test_someone_without_an_account_reads_what_to_do(
    sso_page: Page, provider: TestProvider
) -> None:
    page = sso_page
    provider.log_in_as("iemand.anders")
    page.goto("/inloggen")
    page.get_by_role("link", name="Inloggen met uw account van de gemeente").click()
    expect(page.get_by_role("alert")).to_contain_text("Vraag de beheerder om een account")
    assert_accessible_and_fits_a_phone(page)
