"""The pages over real HTTP: login, CSRF, the resident's vault, caseloads, intake, language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from datameent.services.clock import utcnow
from datameent.store.tables import auth_sessions
from tests.e2e.conftest import LiveServer, bearer


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def login(http: httpx.Client, username: str, password: str = "demo") -> httpx.Response:
    token = csrf_token(http.get("/inloggen").text)
    return http.post(
        "/inloggen",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )


def post_form(
    http: httpx.Client, page: str, url: str, data: Mapping[str, str | list[str]]
) -> httpx.Response:
    return http.post(url, data={**data, "csrf_token": csrf_token(http.get(page).text)})


def test_login_sets_a_safe_session_cookie_and_lands_on_my_data(http: httpx.Client) -> None:
    response = login(http, "inwoner1")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("dm_session"))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie, "plain http on 127.0.0.1 only"
    page = http.get("/", follow_redirects=True)
    assert page.url.path == "/mijn-gegevens"
    # Rendered when sent (templating.RenderedLater): the length said is the length sent.
    assert int(page.headers["content-length"]) == len(page.content) > 10_000
    for heading in (
        "Mijn gegevens",
        "Persoonlijke gegevens",
        "Huishouden en wonen",
        "Inkomen en geld",
        "Uitkering",
        "Werk en opleiding",
        "Zelfredzaamheid (ZRM)",
    ):
        assert heading in page.text, heading
    assert "Bron" in page.text and "Vastgelegd door" in page.text
    assert "Eerdere versies" in page.text and "Gecontroleerd" in page.text
    assert re.search(r"<dd>999\d{6}</dd>", page.text), "the resident sees their own full BSN"
    given = re.search(r'Voornaam</span>\s*<span class="fact-value">([^<]+)<', page.text)
    family = re.search(r'Achternaam</span>\s*<span class="fact-value">([^<]+)<', page.text)
    shown = re.search(r"<dt>Naam</dt><dd>([^<]+)</dd>", page.text)
    assert given and family and shown
    assert shown.group(1).startswith(given.group(1)) and shown.group(1).endswith(family.group(1))


def test_my_data_opens_with_a_list_of_its_parts_that_jumps_to_each(http: httpx.Client) -> None:
    login(http, "inwoner1")
    page = http.get("/mijn-gegevens").text
    jump = page.split('<nav class="jump" aria-label="Op deze pagina">')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([^"]+)">([^<]+)</a>', jump)
    assert [label for _, label in targets][-1] == "Gegevens toevoegen"
    assert any(label.startswith("Persoonlijke gegevens (") for _, label in targets)
    for target, label in targets:
        assert f'id="{target}"' in page, label
    count = re.search(r"Werk en opleiding \((\d+)\)", jump)
    section = page.split('id="groep-work"')[1].split("</section>")[0]
    assert count and section.count('<li class="fact">') == int(count.group(1))


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(http: httpx.Client) -> None:
    http.get("/inloggen")
    response = http.post("/inloggen", data={"username": "inwoner1", "password": "demo"})
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.text
    assert "dm_session" not in response.headers.get("set-cookie", "")
    login(http, "inwoner1")
    before = http.get("/mijn-gegevens").text
    forged = http.post(
        "/mijn-gegevens", data={"key": "phone", "value": "0600000000", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert http.get("/mijn-gegevens").text.count("0600000000") == before.count("0600000000") == 0


def test_a_wrong_password_gets_a_plain_message(http: httpx.Client) -> None:
    response = login(http, "inwoner1", "wrong")
    assert response.status_code == 401
    assert "Gebruikersnaam of wachtwoord klopt niet" in response.text
    assert "Traceback" not in response.text


def test_a_nul_character_in_a_form_gets_a_plain_message(http: httpx.Client) -> None:
    response = login(http, "inwoner\x001")
    assert response.status_code == 400
    assert "Het verzoek bevat een teken dat niet is toegestaan" in response.text
    assert "dm_session" not in response.headers.get("set-cookie", "")
    assert "Traceback" not in response.text


def test_pages_need_a_login(http: httpx.Client) -> None:
    response = http.get("/mijn-gegevens")
    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen?next=/mijn-gegevens"


def test_a_resident_adds_self_declared_data(http: httpx.Client) -> None:
    login(http, "inwoner1")
    response = post_form(
        http,
        "/mijn-gegevens",
        "/mijn-gegevens",
        {"key": "hours_available", "value": "24", "valid_from": "2026-11-01"},
    )
    assert response.status_code == 303
    page = http.get("/mijn-gegevens").text
    assert "24 uur per week" in page and "Zelf opgegeven" in page
    refused = post_form(
        http, "/mijn-gegevens", "/mijn-gegevens", {"key": "zrm_financien", "value": "5"}
    )
    assert refused.status_code == 422
    assert "Dit gegeven kunt u niet zelf toevoegen" in refused.text


def test_a_case_manager_sees_the_caseload_and_not_a_strangers_file(
    http: httpx.Client, live: LiveServer
) -> None:
    login(http, "klantmanager1")
    caseload = http.get("/clienten")
    assert caseload.status_code == 200 and "Mijn cliënten" in caseload.text
    links = re.findall(r'href="/clienten/([0-9a-f-]{36})"', caseload.text)
    assert len(links) > 10
    own = http.get(f"/clienten/{links[0]}?doel=re-integratie")
    assert own.status_code == 200 and "Hoogste opleiding" in own.text
    assert '<span class="fact-label">Spaargeld en bezit</span>' not in own.text, "not granted"
    assert '<span class="fact-label">Hoogste opleiding</span>' in own.text
    assert "BSN" not in own.text
    with httpx.Client(base_url=live.url) as other:
        login(other, "klantmanager2")
        strangers = re.findall(r'href="/clienten/([0-9a-f-]{36})"', other.get("/clienten").text)
    denied = http.get(f"/clienten/{strangers[0]}")
    assert denied.status_code == 404 and "Niet gevonden" in denied.text


def test_intake_through_the_form(http: httpx.Client) -> None:
    login(http, "klantmanager1")
    bad = post_form(
        http,
        "/intake",
        "/intake",
        {
            "bsn": "123456789",
            "given_name": "Joëlle",
            "family_name": "Martina",
            "birth_date": "1979-03-02",
        },
    )
    assert bad.status_code == 422 and "elfproef" in bad.text
    assert "123456789" not in bad.text, "the BSN typed is not echoed"
    ok = post_form(
        http,
        "/intake",
        "/intake",
        {
            "bsn": "111222333",
            "given_name": "Joëlle",
            "family_name": "Martina",
            "birth_date": "1979-03-02",
            "verified": "on",
        },
    )
    assert ok.status_code == 303
    file = http.get(ok.headers["location"])
    assert "Joëlle Martina" in file.text and "Aanvraag bijstand" in file.text
    assert "111222333" not in file.text
    assert "Joëlle Martina" in http.get("/clienten").text
    person = re.search(r"/clienten/([0-9a-f-]{36})", ok.headers["location"])
    assert person is not None
    advice = http.get(f"/clienten/{person.group(1)}/hulp-naar-werk")
    assert advice.status_code == 200 and "geen lopend traject re-integratie" in advice.text
    assert "Besluit vastleggen" not in advice.text


def test_the_language_switch_gives_english(http: httpx.Client) -> None:
    login(http, "inwoner1")
    response = http.get("/taal/en?next=/mijn-gegevens", follow_redirects=True)
    assert '<html lang="en">' in response.text and "My data" in response.text
    assert "Household and housing" in response.text
    assert http.get("/taal/en?next=https://evil.example").headers["location"] == "/"


def test_static_files_are_compressed_and_pages_are_not(http: httpx.Client) -> None:
    style = http.get("/static/css/datameent.css", headers={"Accept-Encoding": "gzip"})
    assert style.status_code == 200 and style.headers["content-encoding"] == "gzip"
    assert int(style.headers["content-length"]) < len(style.content) / 2
    assert "max-age" in style.headers["cache-control"]
    login(http, "inwoner1")
    page = http.get("/mijn-gegevens", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    assert "content-encoding" not in page.headers, "a token beside reflected text: BREACH"


def test_the_site_has_an_icon(http: httpx.Client) -> None:
    page = http.get("/inloggen").text
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    icon = http.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"


def test_logout_ends_the_session(http: httpx.Client) -> None:
    login(http, "inwoner1")
    session = http.cookies.get("dm_session")
    response = post_form(http, "/mijn-gegevens", "/uitloggen", {})
    assert response.status_code == 303
    with httpx.Client(base_url=str(http.base_url), cookies={"dm_session": session or ""}) as old:
        assert old.get("/mijn-gegevens").status_code == 303


def test_a_session_left_alone_ends_and_the_login_page_says_why(
    http: httpx.Client, live: LiveServer
) -> None:
    login(http, "inwoner1")
    page = http.get("/mijn-gegevens")
    seconds = int(page.headers["x-session-seconds"])
    assert 14 * 60 < seconds <= 15 * 60  # DATAMEENT_SESSION_IDLE_MINUTES, 15 by default
    assert 'id="sessie"' in page.text and "/static/js/session.js" in page.text
    left = http.get("/sessie", headers={"Accept": "application/json"})
    assert left.status_code == 200 and 14 * 60 < left.json()["seconds"] <= 15 * 60
    token = bearer(http, "inwoner1")

    # Ten minutes later a request moves the end on to fifteen minutes from then.
    web = auth_sessions.c.idle_until.is_not(None)
    with live.store.engine.begin() as connection:
        soon = utcnow() + timedelta(minutes=5)
        connection.execute(update(auth_sessions).where(web).values(idle_until=soon))
    moved = http.get("/mijn-verzoeken")
    assert moved.status_code == 200 and int(moved.headers["x-session-seconds"]) == 15 * 60
    with live.store.engine.connect() as connection:
        [until] = connection.scalars(select(auth_sessions.c.idle_until).where(web)).all()
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)

    # Fifteen minutes later, nobody having done anything.
    with live.store.engine.begin() as connection:
        ended = utcnow() - timedelta(seconds=1)
        connection.execute(update(auth_sessions).where(web).values(idle_until=ended))
    gone = http.get("/mijn-gegevens")
    assert gone.status_code == 303
    assert gone.headers["location"] == "/inloggen?next=/mijn-gegevens&verlopen=1"
    again = http.get(gone.headers["location"])
    assert "U bent uitgelogd. Dat gebeurt als u 15 minuten niets doet, en na 12 uur" in again.text
    assert 'id="sessie"' not in again.text
    assert http.get("/sessie").status_code == 401
    assert http.get("/api/v1/me", headers=token).status_code == 200, "API tokens have no idle end"


def test_after_the_session_ended_logging_in_again_leads_back_to_the_page(
    http: httpx.Client, live: LiveServer
) -> None:
    """Not to the address a form was sent to (it answers only that form: 405), and not into a
    part of the page that htmx asked for."""
    login(http, "inwoner1")
    form = csrf_token(http.get("/berichten").text)
    with live.store.engine.begin() as connection:
        connection.execute(update(auth_sessions).values(revoked_at=utcnow()))
    sent = http.post(
        "/berichten/gelezen",
        data={"csrf_token": form},
        headers={"Referer": f"{live.url}/berichten?pagina=2"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/inloggen?next=/berichten%3Fpagina%3D2&verlopen=1"
    elsewhere = http.post(
        "/berichten/gelezen", data={"csrf_token": form}, headers={"Referer": "https://evil.test/"}
    )
    assert elsewhere.headers["location"] == "/inloggen?next=/&verlopen=1"
    asked = http.get("/statistiek?indeling=leeftijd")
    assert (
        asked.headers["location"] == "/inloggen?next=/statistiek%3Findeling%3Dleeftijd&verlopen=1"
    )
    part = http.get(
        "/partials/waarde-invoer?key=phone",
        headers={"HX-Request": "true", "HX-Current-URL": f"{live.url}/mijn-gegevens"},
    )
    assert part.status_code == 204 and part.text == ""
    assert part.headers["hx-redirect"] == "/inloggen?next=/mijn-gegevens&verlopen=1"

    login(http, "inwoner1")
    back = http.get("/inloggen?next=/berichten%3Fpagina%3D2")
    assert back.status_code == 303 and back.headers["location"] == "/berichten?pagina=2"


def workload(team_page: str) -> list[tuple[str, str, str, str]]:
    """The team page's first table: each case manager's id, name, clients and late answers."""
    return re.findall(
        r'<a href="/team\?klantmanager=([0-9a-f-]{36})"[^>]*>([^<]+)</a></td>\s*'
        r'<td[^>]*class="number">(\d+)</td>\s*<td[^>]*class="number">(\d+)</td>',
        team_page,
    )


def cases_table(team_page: str) -> str:
    """The team page's table of the cases asked for (one case manager's, or one client's)."""
    return team_page.split("</caption>")[2].split("</table>")[0]


def test_a_team_lead_looks_a_client_up_by_number_and_hands_the_case_over(
    http: httpx.Client,
) -> None:
    login(http, "teamleider1")
    page = http.get("/team").text
    assert "Zaken overdragen" in page
    assert 'name="person_id"' not in page.split("Klantmanagers en hun cliënten")[1], (
        "without a question the page shows no client's case"
    )
    manager = workload(page)[0][0]
    number = re.findall(r"K\d{7}", cases_table(http.get(f"/team?klantmanager={manager}").text))[0]
    found = http.get("/team", params={"klantnummer": number.lower()}).text
    assert f"Cliënt {number}" in found
    person = re.findall(r'name="person_id" value="([0-9a-f-]{36})"', cases_table(found))
    managers = re.findall(r'<option value="([0-9a-f-]{36})"', cases_table(found))
    assert len(person) == 1 and len(set(managers)) >= 2
    other = next(m for m in managers if m != manager)
    response = post_form(
        http,
        f"/team?klantnummer={number}",
        "/team/toewijzen",
        {"person_id": person[0], "case_manager_id": other, "klantnummer": number},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/team?opgeslagen=1&klantnummer={number}"
    after = http.get(response.headers["location"]).text
    assert "De zaak is toegewezen" in after and f'<option value="{other}" selected>' in after
    unknown = http.get("/team", params={"klantnummer": "K9999999"})
    assert unknown.status_code == 200 and "Geen zaak met dit klantnummer" in unknown.text


def test_a_team_lead_sees_each_case_managers_load_and_hands_over_from_their_list(
    http: httpx.Client,
) -> None:
    login(http, "teamleider1")
    load = workload(http.get("/team").text)
    assert len(load) >= 2
    assert sum(int(late) for *_, late in load) >= 1, "the demo has requests not answered in time"

    manager, name, clients, _ = load[0]
    theirs = http.get("/team", params={"klantmanager": manager}).text
    assert f"Cliënten van {name}" in theirs
    people = re.findall(r'name="person_id" value="([0-9a-f-]{36})"', cases_table(theirs))
    assert len(people) == int(clients) >= 1
    assert f"{name} ({clients} cliënten)</option>" in theirs
    other = next(m for m, *_ in load if m != manager)
    handed = post_form(
        http,
        "/team",
        "/team/toewijzen",
        {"person_id": people[0], "case_manager_id": other, "terug": manager},
    )
    assert handed.status_code == 303
    assert handed.headers["location"] == f"/team?opgeslagen=1&klantmanager={manager}"
    after = http.get(handed.headers["location"]).text
    assert "De zaak is toegewezen" in after and people[0] not in cases_table(after)
    assert f"{name} ({int(clients) - 1} cliënten)</option>" in after


@pytest.mark.parametrize("path", ["/bestaat-niet", "/clienten/not-a-uuid"])
def test_unknown_pages_answer_in_plain_language(http: httpx.Client, path: str) -> None:
    login(http, "klantmanager1")
    response = http.get(path)
    assert response.status_code in (404, 422)
    assert "<html" in response.text and "Traceback" not in response.text


def test_htmx_fetches_the_right_input_for_a_kind_of_data(http: httpx.Client) -> None:
    login(http, "inwoner1")
    partial = http.get("/partials/waarde-invoer?key=household_type")
    assert "<select" in partial.text and "Alleenstaand" in partial.text
    assert 'type="date"' in http.get("/partials/waarde-invoer?key=last_employment_end").text
    assert 'inputmode="tel"' in http.get("/partials/waarde-invoer?key=phone").text
    assert 'inputmode="decimal"' in http.get("/partials/waarde-invoer?key=hours_available").text


def test_only_case_managers_get_the_intake_form(http: httpx.Client) -> None:
    login(http, "inwoner1")
    response = http.get("/intake")
    assert response.status_code == 403 and "Geen toegang" in response.text


def test_support_towards_work_pages_refuse_bad_input_plainly(http: httpx.Client) -> None:
    login(http, "klantmanager1")
    mine = http.get("/mijn-hulp-naar-werk")
    assert mine.status_code == 422 and "Deze pagina is voor inwoners" in mine.text
    person = re.findall(r'href="/clienten/([0-9a-f-]{36})"', http.get("/clienten").text)[0]
    page = f"/clienten/{person}/hulp-naar-werk"
    assert "Er is nog geen model in gebruik" in http.get(page).text
    before = http.get(f"/clienten/{person}").text.count('class="card decision"')
    bad = post_form(http, page, page, {"chosen": "coaching", "outcome": "x", "made_known_on": "?"})
    assert bad.status_code == 422 and "Dit moet een datum zijn" in bad.text
    unknown = post_form(
        http, page, page, {"chosen": "magic", "outcome": "x", "made_known_on": "2026-11-20"}
    )
    assert unknown.status_code == 422 and "Kies een soort hulp" in unknown.text
    after = http.get(f"/clienten/{person}").text.count('class="card decision"')
    assert after == before, "nothing was recorded"
