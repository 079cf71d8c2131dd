"""The data dialogue in real Chromium: a facilitator with the big screen and three phones at
once, through every step of the game and the questionnaire; the self-guided game at home."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from datameent.domain.dialogue import GAME_STEPS, QUESTIONS, STEP_NUMBERS
from datameent.services.dialogue import correct
from tests.browser.conftest import log_in
from tests.browser.test_browser import serious_violations
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import post_form

PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1280, "height": 720}
VOTES = ("first", "right", "right")
"""What the three phones choose at each step: the first option, or the right answer."""


def assert_accessible(page: Page, width: int | None = None) -> None:
    assert serious_violations(page) == [], page.url
    if width:
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{page.url} is {scrolled}px wide on a {width}px screen"


@pytest.fixture
def room(browser: Browser, live: LiveServer) -> Iterator[list[BrowserContext]]:
    """The facilitator's laptop and three phones, each a browser of its own (own cookies)."""
    contexts = [browser.new_context(base_url=live.url, viewport=PROJECTOR)]
    contexts += [browser.new_context(base_url=live.url, viewport=PHONE) for _ in range(3)]
    yield contexts
    for context in contexts:
        context.close()


def counts_on(screen: Page) -> dict[str, str]:
    cells = screen.locator("#live .vote-count")
    return {
        cells.nth(i).get_attribute("data-choice") or "": cells.nth(i).inner_text()
        for i in range(cells.count())
    }


def test_a_facilitator_and_three_phones_play_the_game_and_fill_in_the_questionnaire(
    room: list[BrowserContext], live: LiveServer
) -> None:
    laptop, *phones = room
    control = laptop.new_page()
    control.set_default_timeout(20_000)
    log_in(control, "facilitator1")
    expect(control).to_have_url(re.compile(r"/datadialoog$"))
    assert_accessible(control)
    control.get_by_label("Naam van de sessie").fill("Cliëntenraad Meenthaven")
    control.get_by_role("button", name="Start", exact=True).click()
    expect(control.get_by_role("heading", level=1)).to_have_text("Cliëntenraad Meenthaven")
    code = control.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    expect(control.get_by_role("img", name="QR-code om mee te doen")).to_be_visible()
    assert_accessible(control)

    with control.expect_popup() as opened:
        control.get_by_role("link", name="Open het grote scherm").click()
    screen = opened.value
    screen.set_default_timeout(20_000)
    expect(screen.get_by_role("heading", level=1)).to_have_text("Doe mee op uw telefoon")
    expect(screen.locator("#code")).to_have_text(code)
    assert_accessible(screen, PROJECTOR["width"])

    pages = []
    for context in phones:
        phone = context.new_page()
        phone.set_default_timeout(20_000)
        phone.goto(f"/meedoen?code={code}")  # where the QR code leads
        assert_accessible(phone, PHONE["width"])
        phone.get_by_role("button", name="Meedoen").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("U doet mee")
        pages.append(phone)
    assert_accessible(pages[0], PHONE["width"])
    expect(screen.locator("#live .joined strong")).to_have_text("3")

    for step in GAME_STEPS:
        question = QUESTIONS[step]
        screen.get_by_role("button", name=re.compile("Het spel starten|Volgende|Antwoord")).click()
        heading = re.compile(f"Stap {STEP_NUMBERS[step]}:")
        expect(screen.get_by_role("heading", level=1)).to_have_text(heading)
        expected = {o.key: 0 for o in question.options}
        for phone, how in zip(pages, VOTES, strict=True):
            expect(phone.get_by_role("heading", level=1)).to_have_text(heading)  # moved by itself
            choice = question.options[0].key if how == "first" else correct(step)
            label = next(o.label.nl for o in question.options if o.key == choice)
            phone.get_by_label(label, exact=True).check()
            phone.get_by_role("button", name="Mijn antwoord versturen").click()
            expect(phone.get_by_role("status")).to_contain_text(f"Uw antwoord: {label}")
            expected[choice] += 1
        assert_accessible(pages[0], PHONE["width"])
        expected_text = {k: str(v) for k, v in expected.items()}
        expect(screen.locator("#live .joined")).to_contain_text("3")
        screen.wait_for_function(  # the big screen counts live, without reloading
            "want => [...document.querySelectorAll('#live .vote-count')]"
            ".every(e => want[e.dataset.choice] === e.textContent)",
            arg=expected_text,
        )
        assert counts_on(screen) == expected_text
        assert_accessible(screen, PROJECTOR["width"])

        screen.get_by_role("button", name="Antwoord tonen").click()
        right = question.label(correct(step)).nl
        expect(screen.locator("#live .vote.right")).to_contain_text(right)
        for phone, how in zip(pages, VOTES, strict=True):
            expect(phone.locator(".answer")).to_contain_text(right)
            if how == "right":
                expect(phone.get_by_text("U had het goed.")).to_be_visible()
        assert_accessible(screen, PROJECTOR["width"])
        assert_accessible(pages[1], PHONE["width"])

    screen.get_by_role("button", name="Vragenlijst openen").click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Stellingen over privacy")
    for n, phone in enumerate(pages):
        expect(phone.get_by_role("heading", level=1)).to_have_text("Stellingen over privacy")
        statements = phone.locator("fieldset.scale")
        statements.nth(0).get_by_label("Eens", exact=True).check()
        statements.nth(1).get_by_label(
            "Helemaal oneens" if n == 0 else "Oneens", exact=True
        ).check()
        statements.nth(2).get_by_label("Neutraal", exact=True).check()  # only these three
        phone.get_by_role("button", name="Mijn antwoorden versturen").click()
        expect(phone.get_by_role("status")).to_contain_text("uw antwoorden zijn opgeslagen")
    assert_accessible(pages[2], PHONE["width"])

    # Nine more people in the room answer from their phones over plain HTTP.
    for _ in range(9):
        with httpx.Client(base_url=live.url, timeout=30) as other:
            post_form(other, "/meedoen", "/meedoen", {"code": code})
            html = other.get("/meedoen/nu").text
            ids = list(dict.fromkeys(re.findall(r'name="s-([0-9a-f-]{36})"', html)))
            answers = {f"s-{ids[0]}": "4", f"s-{ids[1]}": "2"}
            post_form(other, "/meedoen", "/meedoen/vragenlijst", answers)
    expect(screen.locator("[data-respondents]")).to_have_text("12")

    screen.get_by_role("button", name="Vragenlijst sluiten en uitkomsten tonen").click()
    first = screen.locator('[data-statement="1"]')
    expect(first.locator('[data-cell="4"]')).to_have_text("12")  # all twelve agree
    second = screen.locator('[data-statement="2"]')
    # One "strongly disagree" is too few to show; the eleven "disagree" are hidden with it,
    # or 12 - 11 would give it away. In three groups: 12 disagree.
    expect(second.locator('[data-cell="1"]')).to_have_text("verborgen")
    expect(second.locator('[data-cell="2"]')).to_have_text("verborgen")
    expect(second.locator('[data-coarse="1"]')).to_have_text("12")
    third = screen.locator('[data-statement="3"]')
    expect(third).to_contain_text("minder dan 10 antwoorden: verborgen")
    expect(third.locator('[data-cell="3"]')).to_have_text("verborgen")
    assert_accessible(screen, PROJECTOR["width"])
    for phone in pages:
        expect(
            phone.get_by_text("Kijk op het grote scherm wat de groep antwoordde")
        ).to_be_visible()

    # The laptop's page moves on by itself: its poll sees the new stage and reloads the page.
    # Wait for that (a reload of our own could cross it), then type: nothing reloads any more.
    now = screen.locator("#live").get_attribute("hx-get")
    expect(control.locator("#live")).to_have_attribute("hx-get", now or "", timeout=20_000)
    control.get_by_label("Tafel").fill("Tafel 1")
    control.get_by_label("Aantekening", exact=True).fill(
        "Wie mag mijn dossier openen? Dat willen we weten."
    )
    control.get_by_role("button", name="Aantekening opslaan").click()
    expect(control.locator(".note")).to_contain_text("Wie mag mijn dossier openen?")
    assert_accessible(control)
    control.get_by_role("button", name="Sessie beëindigen").click()
    expect(control.get_by_text("Deze sessie is beëindigd")).to_be_visible()
    pages[0].reload()
    expect(pages[0].get_by_role("alert")).to_contain_text("Deze sessie is afgelopen")
    control.get_by_label("Ik heb de uitkomsten en aantekeningen bewaard").check()
    control.get_by_role("button", name="Sessie verwijderen").click()
    expect(control.get_by_role("status")).to_contain_text("De sessie is verwijderd")
    assert_accessible(control)


def test_a_resident_plays_the_game_at_home_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, "inwoner1")
    page.get_by_role("link", name="Het databasespel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het databasespel")
    assert_accessible(page, PHONE["width"])
    page.get_by_role("link", name="Start").click()
    for number, step in enumerate(GAME_STEPS, start=1):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Stap {STEP_NUMBERS[step]}")
        if number == 2:
            page.get_by_label("Probeer het zelf").fill("appel")
            page.get_by_role("button", name="Maak het pseudoniem").click()
            expect(page.locator(".try dd.code").first).to_have_text(re.compile(r"[0-9a-f]{12}"))
        assert_accessible(page, PHONE["width"])
        question = QUESTIONS[step]
        page.get_by_label(question.label(correct(step)).nl, exact=True).check()
        page.get_by_role("button", name="Antwoord tonen").click()
        expect(page.get_by_text("U had het goed.")).to_be_visible()
        assert_accessible(page, PHONE["width"])
        if number < len(GAME_STEPS):
            page.get_by_role("link", name="Volgende stap").click()
    expect(page.get_by_role("heading", name="Wat datameent hiermee doet")).to_be_visible()
    page.get_by_role("link", name="Naar mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
