"""What people see in a real browser: their own data, no strangers' files, accessible pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import update

from datameent.services.clock import utcnow
from datameent.store.tables import auth_sessions
from tests.browser.conftest import log_in
from tests.e2e.conftest import LiveServer
from tests.e2e.test_complaints import manager_and_lead

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
axe = Axe()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible_and_fits_a_phone(page: Page) -> None:
    assert serious_violations(page) == [], page.url
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"
    assert serious_violations(page) == [], f"{page.url} at 360px"
    page.set_viewport_size({"width": 1024, "height": 800})


def test_a_resident_logs_in_and_sees_their_own_data(page: Page) -> None:
    page.goto("/inloggen")
    assert_accessible_and_fits_a_phone(page)
    log_in(page, "inwoner1")
    expect(page).to_have_url(re.compile(r"/mijn-gegevens$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    for group in ("Persoonlijke gegevens", "Inkomen en geld", "Zelfredzaamheid (ZRM)"):
        expect(page.get_by_role("heading", name=group)).to_be_visible()
    expect(page.get_by_text("Bron: BRP").first).to_be_visible()
    page.get_by_text(re.compile(r"Eerdere versies")).first.click()
    expect(page.locator("details[open] ol li").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)


def test_a_resident_adds_data_with_the_right_input_and_sees_it_kept(page: Page) -> None:
    log_in(page, "inwoner1")
    page.get_by_label("Wat wilt u toevoegen?").select_option("household_type")
    value = page.locator("#waarde-veld select")
    expect(value).to_be_visible()  # htmx swapped in a list of choices
    value.select_option("single_parent")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    fact = page.locator(".fact", has_text="Soort huishouden")
    expect(fact.locator(".fact-head .fact-value")).to_have_text("Alleenstaande ouder")
    expect(fact.get_by_text("Zelf opgegeven")).to_be_visible()
    expect(fact.get_by_text(re.compile(r"Eerdere versies \(1\)"))).to_be_visible()


def test_form_errors_are_announced_and_linked_to_the_field(page: Page) -> None:
    log_in(page, "inwoner1")
    page.get_by_label("Wat wilt u toevoegen?").select_option("children_count")
    page.locator("#veld-value").fill("veel")
    page.get_by_role("button", name="Opslaan").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Dit moet een heel getal zijn.")
    expect(page.locator("#veld-value")).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_fits_a_phone(page)


def test_a_resident_asks_about_a_line_of_the_log_and_each_error_leads_to_its_field(
    page: Page,
) -> None:
    log_in(page, "inwoner1")
    page.goto("/mijn-rechten")
    page.get_by_role("button", name="Mijn vraag stellen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Leg in een paar woorden uit wat u vraagt.")
    links = summary.get_by_role("link").all()
    assert links
    for link in links:
        link.click()
        target = link.get_attribute("href")
        assert target and page.evaluate("document.activeElement.id") == target[1:], target

    page.goto("/mijn-gegevens/logboek")
    page.get_by_role("link", name=re.compile("Vraag de privacy officer hiernaar")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Een vraag over deze regel")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Mijn vraag versturen").click()
    page.get_by_role("alert").get_by_role("link").click()
    question = page.get_by_label("Uw vraag")
    expect(question).to_be_focused()
    expect(question).to_have_attribute("aria-invalid", "true")
    question.fill("Ik ken deze persoon niet. Waarom keek die in mijn gegevens?")
    page.get_by_role("button", name="Mijn vraag versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw verzoek is ingediend.")
    expect(page.get_by_text("Ik ken deze persoon niet.", exact=False)).to_be_visible()
    assert_accessible_and_fits_a_phone(page)


def test_the_resident_switches_to_english(page: Page) -> None:
    log_in(page, "inwoner1")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible_and_fits_a_phone(page)


def test_a_case_manager_cannot_open_a_strangers_file(page: Page) -> None:
    log_in(page, "klantmanager2")
    stranger = page.locator("table a").first.get_attribute("href")
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "klantmanager1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn cliënten")
    assert_accessible_and_fits_a_phone(page)
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Wat u mag zien, en voor welk doel")).to_be_visible()
    page.get_by_role("link", name="Hulp bij het vinden van werk").click()
    expect(page.locator(".fact-label", has_text="Hoogste opleiding")).to_be_visible()
    expect(page.locator(".fact-label", has_text="Spaargeld en bezit")).to_have_count(0)
    assert_accessible_and_fits_a_phone(page)
    response = page.goto(str(stranger))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    assert_accessible_and_fits_a_phone(page)


def test_intake_and_team_pages_are_usable(page: Page) -> None:
    log_in(page, "klantmanager1")
    page.get_by_role("link", name="Nieuwe aanvrager").click()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Burgerservicenummer (BSN)").fill("123456789")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit is geen geldig BSN")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "teamleider1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zaken van Team 1")
    assert_accessible_and_fits_a_phone(page)


def test_the_administrator_stops_an_account_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "admin1")
    expect(page).to_have_url(re.compile(r"/beheer/accounts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts van medewerkers")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Zoek op gebruikersnaam of naam").fill("teamleider")
    page.get_by_role("button", name="Zoeken").click()
    row = page.get_by_role("row").filter(has_text="teamleider1")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Geschiedenis")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("checkbox", name="Beheerder").check()
    page.get_by_role("checkbox", name="Teamleider").uncheck()
    page.get_by_role("checkbox", name="Beheerder").uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies minstens één rol")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("checkbox", name="Analist").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De wijzigingen zijn opgeslagen.")
    page.get_by_role("button", name=re.compile("Stop het account van")).click()
    expect(page.get_by_role("status")).to_contain_text("Het account is gestopt")
    expect(page.get_by_role("cell", name="Account gestopt")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("link", name="Accounts van medewerkers").first.click()
    page.get_by_role("link", name="Nieuw account voor een medewerker").click()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Gebruikersnaam").fill("k.kok")
    page.get_by_label("Naam", exact=True).fill("Kees Kok")
    page.get_by_role("checkbox", name="Klantmanager").check()
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het account van Kees Kok is gemaakt")
    temporary = page.locator("code").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", temporary)
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "k.kok", temporary)
    expect(page).to_have_url(re.compile(r"/wachtwoord$"))
    expect(page.locator(".flag")).to_contain_text("van een beheerder gekregen")


def test_a_resident_changes_their_password_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "inwoner1")
    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw wachtwoord wijzigen")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Uw huidige wachtwoord").fill("demo")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("drie woorden achter elkaar")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("drie woorden achter elkaa")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("alert")).to_contain_text("niet gelijk")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Uw huidige wachtwoord").fill("demo")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("drie woorden achter elkaar")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("drie woorden achter elkaar")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw wachtwoord is gewijzigd")
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "inwoner1", "drie woorden achter elkaar")
    expect(page).to_have_url(re.compile(r"/mijn-gegevens$"))


def test_the_start_page_names_the_roles_of_whoever_has_no_other_landing(page: Page) -> None:
    log_in(page, "admin1")
    page.goto("/start")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.get_by_role("listitem").filter(has_text="Beheerder").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)


def test_the_accessibility_scan_itself_catches_a_violation(page: Page) -> None:
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    found = {v["id"] for v in serious_violations(page)}
    assert {"image-alt", "label"} <= found


def test_a_resident_sees_who_looked_and_checks_a_line_in_the_browser(page: Page) -> None:
    log_in(page, "inwoner1")
    page.get_by_role("link", name="Wie keek in mijn gegevens?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wie keek in mijn gegevens?")
    expect(page.locator("main")).to_contain_text("Regels blijven 7 jaar bewaard.")
    own_read = page.locator(".log-line", has_text="Bekeek uw gegevens").filter(has_text="Uzelf")
    expect(own_read.first).to_be_visible()
    expect(own_read.first).to_contain_text("Inzage in en aanvullen van eigen gegevens")
    assert_accessible_and_fits_a_phone(page)
    own_read.first.get_by_role("link", name="Controleer deze regel").click()
    expect(own_read.first.get_by_role("status")).to_have_text(
        "Gecontroleerd in uw eigen browser: deze regel staat ongewijzigd in het ondertekende "
        "logboek.",
        timeout=15_000,
    )


def test_a_check_that_cannot_be_done_never_says_the_log_was_changed(page: Page) -> None:
    """A phone without a connection, or a browser without Ed25519, is told the check could not
    be done (and the link then leads to the server's check); only a record that differs from
    the signed log is called a mismatch."""
    log_in(page, "inwoner1")

    def first_check() -> tuple[Locator, Locator]:
        page.goto("/mijn-gegevens/logboek?wie=anderen")
        link = page.get_by_role("link", name=re.compile("^Controleer deze regel")).first
        return link, link.locator("xpath=..").get_by_role("status")

    check, said = first_check()
    page.route("**/api/v1/ledger/checkpoint", lambda route: route.abort())
    check.click()
    expect(said).to_have_text(
        re.compile("^Controleren lukte nu niet: er kwam geen antwoord."), timeout=15_000
    )
    page.unroute("**/api/v1/ledger/checkpoint")
    check.click()  # now the server's check
    expect(page).to_have_url(re.compile(r"/mijn-gegevens/logboek/\d+$"))
    expect(page.locator("main")).to_contain_text("precies zoals hij is opgeschreven")

    check, said = first_check()
    check.evaluate("link => { link.dataset.record = link.dataset.record.replace('{', '{ ') }")
    check.click()
    expect(said).to_contain_text(
        "Deze regel klopt niet met het ondertekende logboek.", timeout=15_000
    )
    check, said = first_check()
    check.click()
    expect(said).to_contain_text("Gecontroleerd in uw eigen browser", timeout=15_000)

    page.add_init_script(
        """(() => {
          const subtle = crypto.subtle, real = subtle.importKey.bind(subtle);
          subtle.importKey = (format, key, algorithm, ...rest) =>
            algorithm && algorithm.name === "Ed25519"
              ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
              : real(format, key, algorithm, ...rest);
        })();"""
    )
    check, said = first_check()
    check.click()  # the page found out when it loaded: straight to the server's check
    expect(page).to_have_url(re.compile(r"/mijn-gegevens/logboek/\d+$"))
    expect(page.locator("main")).to_contain_text("precies zoals hij is opgeschreven")


def test_the_same_line_again_and_again_is_one_entry_and_each_time_is_checked(
    page: Page,
) -> None:
    log_in(page, "inwoner8")  # the start page shows their data: the first look
    for _ in range(2):
        page.goto("/mijn-gegevens")
    page.goto("/mijn-gegevens/logboek?wie=uzelf")
    entry = page.locator(".log-line", has_text="Bekeek uw gegevens")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(re.compile(r"3 keer op \d+ december 2026"))
    times = entry.locator(".log-times")
    times.get_by_text("Elke keer apart, om te controleren").click()
    expect(times.locator("li")).to_have_count(3)
    second = times.locator("li").nth(1)
    second.get_by_role("link", name=re.compile("^Controleer deze regel")).click()
    expect(second.get_by_role("status")).to_have_text(
        "Gecontroleerd in uw eigen browser: deze regel staat ongewijzigd in het ondertekende "
        "logboek.",
        timeout=15_000,
    )
    assert_accessible_and_fits_a_phone(page)


def test_without_javascript_the_server_checks_the_line(
    browser: Browser, live: LiveServer, page: Page
) -> None:
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    plain = context.new_page()
    plain.set_default_timeout(15_000)
    log_in(plain, "inwoner2")
    plain.goto("/mijn-gegevens/logboek")
    plain.locator(".log-line").first.get_by_role("link", name="Controleer deze regel").click()
    expect(plain.locator("main")).to_contain_text(
        "Deze regel staat in het logboek, precies zoals hij is opgeschreven."
    )
    checked = plain.url
    context.close()
    log_in(page, "inwoner2")  # axe needs scripts: scan the same page in a normal browser
    page.goto(checked)
    assert_accessible_and_fits_a_phone(page)


def test_the_privacy_officer_sees_refusals_and_verifies_the_log(page: Page) -> None:
    log_in(page, "klantmanager2")
    stranger = page.locator("table a").first.get_attribute("href")
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "klantmanager1")
    assert page.goto(str(stranger)).status == 404  # type: ignore[union-attr]
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "privacy1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat aandacht nodig heeft")
    refused = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Geweigerde"))
    )
    expect(refused.locator("tbody tr").first).to_contain_text("kreeg geen toegang")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Controleer nu het hele logboek").click()
    expect(page.get_by_role("status")).to_contain_text("Nu gecontroleerd")


def test_the_privacy_officer_checks_a_line_of_a_residents_log(page: Page) -> None:
    log_in(page, "privacy1")
    page.get_by_role("link", name="Het logboek van één inwoner, op klantnummer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het logboek van een inwoner")
    page.get_by_label("Klantnummer").fill("K0000002")
    page.get_by_role("button", name="Toon het logboek").click()
    expect(page.get_by_role("heading", name="Logboek van K0000002")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    line = page.locator(".log-line").first
    line.get_by_role("link", name="Controleer deze regel").click()
    expect(line.get_by_role("status")).to_contain_text("Gecontroleerd in uw eigen browser")


def test_on_a_phone_each_cell_of_a_list_names_its_column(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "klantmanager2")
    cell = page.locator("tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_text(re.compile(r"K\d{7}"))
    before = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert before == '"Klantnummer: "'
    assert_accessible_and_fits_a_phone(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert cell.evaluate("cell => getComputedStyle(cell, '::before').content") == "none"
    expect(page.locator("thead")).to_be_visible()


def test_a_resident_answers_a_request_on_a_phone(page: Page) -> None:
    """The demo's first resident has an open request for the periodic review."""
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "inwoner1")
    page.get_by_role("link", name="Verzoeken en delen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoeken en delen")
    assert_accessible_and_fits_a_phone(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("link", name=re.compile("Beantwoorden")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Controle van uw recht op bijstand"
    )
    expect(page.get_by_text("Wat gebeurt er als ik geen antwoord geef?")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.set_viewport_size({"width": 360, "height": 740})

    # Decline without the reason a duty asks: a plain message, nothing sent.
    page.get_by_role("group", name="Woonsituatie").get_by_label("Niet delen").check()
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("Schrijf kort waarom u dit niet deelt")
    assert_accessible_and_fits_a_phone(page)
    page.set_viewport_size({"width": 360, "height": 740})

    income = page.get_by_role("group", name="Netto inkomen")
    income.get_by_label(re.compile("Delen wat ik al heb")).check()
    household = page.get_by_role("group", name="Aantal personen in huis")
    household.get_by_label("Een nieuwe waarde geven").check()
    household.get_by_label("Nieuwe waarde: Aantal personen in huis").fill("3")
    housing = page.get_by_role("group", name="Woonsituatie")
    housing.get_by_label("Niet delen").check()
    housing.get_by_label(re.compile("Waarom niet")).fill("Ik woon tijdelijk bij familie.")
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw antwoorden zijn verstuurd")
    expect(page.get_by_role("group", name="Aantal personen in huis")).to_contain_text("3")
    assert_accessible_and_fits_a_phone(page)

    page.get_by_role("link", name="Verzoeken en delen").first.click()
    page.get_by_role("button", name=re.compile("Toestemming intrekken")).first.click()
    expect(page.get_by_role("status")).to_contain_text("Uw toestemming is ingetrokken")
    assert_accessible_and_fits_a_phone(page)


def test_a_case_manager_asks_and_a_privacy_officer_approves_outside_the_purpose(
    page: Page,
) -> None:
    log_in(page, "klantmanager1")
    page.locator("table a").first.click()
    page.get_by_role("link", name="Gegevens vragen (nieuw verzoek)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens vragen")
    page.get_by_label("Doel", exact=True).select_option("re-integratie")
    page.get_by_role("button", name="Dit doel gebruiken").click()
    expect(
        page.get_by_role("checkbox", name="Hoogste opleiding")
    ).to_be_checked()  # the minimal set
    assert_accessible_and_fits_a_phone(page)
    page.get_by_text("Iets buiten dit doel").click()
    page.get_by_role("checkbox", name="Spaargeld en bezit").check()
    page.get_by_role("button", name="Verzoek versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("hoort niet bij het doel")
    page.locator("#reason-savings").fill("Om te zien of een opleiding te betalen is.")
    page.locator("#justification-savings").fill(
        "Een betaalde opleiding is de beste route; we moeten weten of die haalbaar is."
    )
    page.get_by_role("button", name="Verzoek versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw verzoek is verstuurd")
    expect(page.get_by_text("wacht op goedkeuring").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)

    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "privacy1")
    page.get_by_role("link", name="Vier ogen").click()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name=re.compile("Goedkeuren.*Spaargeld")).first.click()
    expect(page.get_by_role("status")).to_contain_text("Uw oordeel is opgeslagen")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("link", name="Berichten").click()
    assert_accessible_and_fits_a_phone(page)


def test_a_resident_tells_their_story_once_and_uses_their_rights(page: Page) -> None:
    log_in(page, "inwoner3")
    page.get_by_role("link", name="Mijn verhaal").click()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Titel").fill("Wat er gebeurd is")
    page.get_by_label("Tekst").fill("Ik verloor mijn baan toen de fabriek sloot.")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
    page.get_by_label("Dit deel delen met").select_option(label="Hulp bij het vinden van werk")
    page.get_by_role("button", name=re.compile("^Delen")).click()
    expect(page.get_by_text("Gedeeld met:")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)

    page.get_by_role("link", name="Mijn gegevens").first.click()
    page.get_by_role("link", name=re.compile(r"een fout melden\W+Telefoonnummer")).click()
    expect(page.get_by_label("Over welk gegeven?")).to_have_value("phone")
    page.get_by_label("Uw vraag", exact=True).fill("Waar komt dit nummer vandaan?")
    page.get_by_role("button", name="Mijn vraag stellen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw verzoek is ingediend")
    expect(page.get_by_text("Waar komt dit nummer vandaan?")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Voor welk doel?").select_option("schuldhulp")
    page.get_by_label("Uw redenen").fill("Ik krijg al hulp van een vrijwilliger.")
    page.get_by_role("button", name="Bezwaar maken").click()
    expect(page.get_by_role("status")).to_contain_text("Uw verzoek is ingediend")
    page.get_by_role("link", name="Alles tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alles wat de gemeente over u heeft")
    assert_accessible_and_fits_a_phone(page)

    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "privacy1")
    page.get_by_role("link", name="Rechten").click()
    expect(page.get_by_text("Ik krijg al hulp van een vrijwilliger.")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)


def test_a_resident_objects_with_an_attachment_on_a_phone(page: Page, tmp_path: Path) -> None:
    # A case manager records a decision in the client file.
    log_in(page, "klantmanager1")
    page.locator("table a").first.click()
    page.locator("summary", has_text="Een besluit vastleggen").click()
    page.get_by_label("Soort besluit").select_option("obligation_imposed")
    page.get_by_label(re.compile("Het besluit, in gewone woorden")).fill(
        "U solliciteert vier keer per maand."
    )
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_text("U solliciteert vier keer per maand.").first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    # The demo's client number K000000n belongs to the account inwoner<n>.
    number = page.locator(".identity dd").first.inner_text().strip()
    page.get_by_role("button", name="Uitloggen").click()
    letter = tmp_path / "brief-huisarts.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, f"inwoner{int(number.lstrip('K'))}")
    page.get_by_role("link", name="Mijn besluiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn besluiten")
    assert_accessible_and_fits_a_phone(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("summary", has_text="Vraag stellen of bezwaar maken").first.click()
    page.get_by_label("Bezwaar maken: ik ben het niet eens met dit besluit").first.check()
    page.get_by_label("Uw vraag, of waarom u het niet eens bent").first.fill(
        "Ik zorg voor mijn moeder; vier keer per maand lukt niet."
    )
    page.get_by_label(re.compile("Documenten")).first.set_input_files(str(letter))
    page.get_by_role("button", name="Versturen").first.click()
    expect(page.get_by_role("status")).to_contain_text("Verstuurd")
    expect(page.get_by_text("brief-huisarts.pdf")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    # A team lead sees it in the queue, takes it by opening it, and could release it.
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "teamleider1")
    page.goto("/bezwaren")
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("Nog niet in behandeling")
    assert_accessible_and_fits_a_phone(page)
    row.get_by_role("link", name=number).click()
    expect(page.get_by_text("Ik zorg voor mijn moeder")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.goto("/bezwaren")
    reviewer = page.locator("tr", has_text=number).locator("td").nth(4)
    expect(reviewer).to_have_text(re.compile(r"^\s*U\s+Vrijgeven"))
    page.locator("tr", has_text=number).get_by_role("button", name="Vrijgeven").click()
    expect(page.get_by_role("status")).to_contain_text("Vrijgegeven")
    expect(page.locator("tr", has_text=number)).to_contain_text("Nog niet in behandeling")


def test_the_public_registers_need_no_login_and_are_kept_by_the_privacy_officer(
    page: Page,
) -> None:
    page.goto("/registers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Openbare registers")
    expect(
        page.get_by_role("heading", name="Wat werkt voor wie: suggesties voor hulp naar werk")
    ).to_be_visible()
    page.locator("summary").first.click()
    assert_accessible_and_fits_a_phone(page)
    log_in(page, "privacy1")
    page.goto("/registers")
    page.get_by_role("link", name="Een algoritme publiceren").click()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("alert")).to_contain_text("Vul dit in")
    assert_accessible_and_fits_a_phone(page)
    page.goto("/registers")
    page.get_by_role("link", name="Een verwerking publiceren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Een verwerking publiceren")
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies minstens één soort gegevens")
    assert_accessible_and_fits_a_phone(page)


def test_the_client_council_composes_a_table_on_a_phone(page: Page, live: LiveServer) -> None:
    from datameent.services import warehouse

    service = warehouse.service_account(live.store)
    target = live.data_dir / "warehouse" / "clientenraad"
    warehouse.export(live.store, service, "clientenraad", bytes(range(32)), target)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "clientenraad1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiek")
    expect(page.get_by_role("heading", name="Kerncijfers")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Wat wilt u weten?").select_option("clients")
    page.get_by_label("Indeling 1").select_option("household_type")
    page.get_by_label("Indeling 2").select_option("age_band")
    page.get_by_role("button", name="Tabel tonen").click()
    expect(page.get_by_role("table").first).to_contain_text("Alleenstaand")
    expect(page.get_by_text(re.compile("cijfers zijn verborgen"))).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_statistics_on_a_phone_keep_narrow_tables_and_whole_figures(
    page: Page, live: LiveServer
) -> None:
    """A table of a heading and a figure fits a phone and stays a table; the figure after the
    longest bar of a chart is not cut off; a filter is typed as the table shows it."""
    from datameent.services import warehouse

    service = warehouse.service_account(live.store)
    target = live.data_dir / "warehouse" / "beleid"
    warehouse.export(live.store, service, "beleid", bytes(range(32)), target)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "analist1")
    figures = page.locator("figure.chart svg").first
    outside = figures.evaluate(
        """svg => [...svg.querySelectorAll('.chart-value')]
                  .map(t => t.getBBox()).filter(b => b.x + b.width > svg.viewBox.baseVal.width)
                  .length"""
    )
    assert outside == 0
    first = page.get_by_role("table").first
    expect(first.locator("thead")).to_be_visible()
    assert first.evaluate("table => getComputedStyle(table).display") == "table"

    page.get_by_label("Indeling 1").select_option("age_band")
    page.get_by_label("Indeling", exact=True).select_option("household_type")
    page.get_by_label(re.compile("^Waarde")).fill("alleenstaand")
    page.get_by_role("button", name="Tabel tonen").click()
    caption = "Aantal cliënten naar leeftijd, alleen met huishouden: Alleenstaand"
    expect(page.get_by_role("table").first.locator("caption")).to_have_text(caption)
    total = page.get_by_role("table").first.locator("tr.total-row td")
    expect(total).not_to_have_text("0")
    assert_accessible_and_fits_a_phone(page)


def test_suggestions_reach_case_manager_and_resident_who_can_object(
    page: Page, live: LiveServer
) -> None:
    from datameent.analytics.effects.synthetic import warehouse
    from datameent.analytics.synth import population
    from datameent.services import caseloads, effects
    from tests.integration.test_effects_service import FAST, _passed, _username
    from tests.support import user

    store = live.store
    source = effects.Source.synthetic(warehouse(population(150_000, 8)))
    fitted = _passed(effects.fit(source, FAST))
    done = effects.register(store, effects.service_account(store), fitted, live.data_dir)
    person = caseloads.my_caseload(store, user(store, "klantmanager1"))[0].person_id
    fresh = effects.Source.synthetic(warehouse(population(60_000, 99)))
    effects.evaluate_on(store, fresh, done.version, {"residents": 60_000, "seed": 99})

    log_in(page, "privacy1")
    page.goto("/statistiek/modellen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat werkt voor wie: modelversies")
    expect(page.get_by_text(re.compile("nieuwe synthetische gemeente met 60.000"))).to_be_visible()
    expect(page.get_by_role("rowheader", name="Migratieachtergrond")).to_be_visible()
    share = page.locator('td[data-label="Zonder vergelijkbare cliënten (%)"]').first
    expect(share).to_have_text(re.compile(r"^\d+,\d$"))  # a Dutch decimal comma, as elsewhere
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name=re.compile("Deze versie in gebruik nemen")).click()
    expect(page.get_by_text("in gebruik", exact=False).first).to_be_visible()
    page.context.clear_cookies()

    log_in(page, "klantmanager1")
    page.goto(f"/clienten/{person}")
    page.get_by_role("link", name=re.compile("Hulp naar werk: suggesties")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hulp naar werk")
    expect(page.get_by_text(re.compile("Van 100 mensen zoals deze cliënt")).first).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Hulp", exact=True).select_option("coaching")
    page.get_by_label(re.compile("Het besluit, in gewone woorden")).fill("U krijgt een coach.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page).to_have_url(re.compile(rf"/clienten/{person}\?besloten=1"))
    expect(page.get_by_text(f"wat-werkt-voor-wie {done.version}").first).to_be_attached()
    page.context.clear_cookies()

    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, _username(store, person))
    page.get_by_role("link", name="Hulp naar werk", exact=True).click()
    expect(page.get_by_text(re.compile("Van 100 mensen zoals u")).first).to_be_visible()
    expect(
        page.get_by_text("Suggesties voor u, met hoe zeker ze zijn", exact=False)
    ).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.get_by_role("button", name="Ik maak bezwaar tegen suggesties van het model").click()
    expect(page.get_by_text(re.compile("U heeft bezwaar gemaakt. Er worden"))).to_be_visible()
    assert effects.advise(store, user(store, "klantmanager1"), person).state is (
        effects.AdviceState.OBJECTED
    )


def test_a_page_left_alone_asks_first_then_leaves_the_screen_for_the_login_page(
    page: Page, live: LiveServer
) -> None:
    """A resident at a library computer walks away: after 13 minutes the page asks whether
    they are still there (one button keeps them logged in); after 15 the session has ended,
    and the page with their data leaves the screen. The page's clock is Playwright's."""
    page.clock.install()
    log_in(page, "inwoner1")
    expect(page).to_have_url(re.compile("/mijn-gegevens$"))
    warning = page.get_by_role("alertdialog", name="Bent u er nog?")
    where = page.get_by_role("link", name="Mijn verhaal")
    where.focus()
    page.clock.fast_forward("12:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:10")
    expect(warning).to_be_visible()
    expect(page.get_by_role("button", name="Ingelogd blijven")).to_be_focused()
    assert_accessible_and_fits_a_phone(page)
    with page.expect_response("**/sessie") as answer:
        page.get_by_role("button", name="Ingelogd blijven").click()
    assert answer.value.status == 200
    expect(warning).to_be_hidden()
    expect(where).to_be_focused()  # the keyboard is back where it was

    page.clock.fast_forward("12:00")
    page.get_by_role("heading", level=1).click()  # reading, clicking: still there
    page.clock.fast_forward("02:00")
    expect(warning).to_be_hidden()

    # Then nobody: the server ends the session, and the page leaves the screen.
    with live.store.engine.begin() as connection:
        ended = utcnow() - timedelta(seconds=1)
        connection.execute(update(auth_sessions).values(idle_until=ended))
    page.clock.fast_forward("16:00")
    expect(page).to_have_url(re.compile(r"/inloggen\?verlopen=1&next=/mijn-gegevens$"))
    expect(page.get_by_role("status")).to_contain_text(
        "U bent uitgelogd. Dat gebeurt als u 15 minuten"
    )


def test_a_resident_complains_on_a_phone_and_a_team_lead_answers(
    page: Page, live: LiveServer
) -> None:
    _, lead = manager_and_lead(live, "inwoner9")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "inwoner9")
    page.get_by_role("link", name="Mijn klachten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn klachten")
    page.get_by_role("button", name="Mijn klacht versturen").click()
    page.get_by_role("alert").get_by_role("link").click()
    conduct = page.get_by_label("Wat is er gebeurd?")
    expect(conduct).to_be_focused()
    expect(conduct).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_fits_a_phone(page)
    conduct.fill("Mijn klantmanager sprak over mij met een collega waar ik bij stond.")
    page.get_by_label("Mijn klantmanager").check()
    page.get_by_role("button", name="Mijn klacht versturen").click()
    expect(page.get_by_role("status")).to_contain_text("We hebben uw klacht ontvangen.")
    expect(page.get_by_text("U hoort uiterlijk op")).to_be_visible()
    assert_accessible_and_fits_a_phone(page)
    page.context.clear_cookies()

    log_in(page, lead.username)
    page.goto("/klachten")
    assert_accessible_and_fits_a_phone(page)
    client = page.locator("tr", has_text="Ontvangen").get_by_role("link").last
    client.click()
    page.get_by_role("button", name="Ik behandel deze klacht").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    page.get_by_label("Gegrond: u hebt gelijk").check()
    page.get_by_label("Bevindingen, oordeel en conclusies").fill("Het klopt.")
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("alert").get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "veld-hearing"
    assert_accessible_and_fits_a_phone(page)
    page.get_by_label("Gehoord", exact=True).check()
    page.get_by_label("Wat zeiden zij, of waarom is niemand gehoord?").fill("Beiden gesproken.")
    page.get_by_role("button", name="Horen vastleggen").click()
    page.get_by_label("Gegrond: u hebt gelijk").check()
    page.get_by_label("Bevindingen, oordeel en conclusies").fill(
        "Dat had niet mogen gebeuren. Uw klantmanager biedt excuses aan."
    )
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_text("Gegrond: u hebt gelijk")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, "inwoner9")
    page.goto("/mijn-klachten")
    expect(page.get_by_text("Uw klantmanager biedt excuses aan.")).to_be_visible()
    expect(page.get_by_text("Nationale ombudsman", exact=False)).to_be_visible()
