"""The data dialogue over real HTTP: a facilitator's session, participants without accounts on
their own cookies, votes, the questionnaire under disclosure control, CSV, notes, and every
kind of bad input leaving the room's session as it was."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from datameent.services.clock import utcnow
from datameent.store.tables import dialogue_sessions
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import csrf_token, login, post_form


@pytest.fixture
def phones(live: LiveServer) -> Iterator[list[httpx.Client]]:
    clients = [httpx.Client(base_url=live.url, timeout=30) for _ in range(12)]
    yield clients
    for c in clients:
        c.close()


def start(http: httpx.Client, title: str = "Cliëntenraad, 12 maart") -> tuple[str, str]:
    login(http, "facilitator1")
    response = post_form(http, "/datadialoog", "/datadialoog", {"title": title})
    assert response.status_code == 303
    control = response.headers["location"]
    page = http.get(control).text
    code = re.search(r'id="code">([A-Z0-9]{6})<', page)
    assert code, "the control page shows the join code"
    return control, code.group(1)


def join(phone: httpx.Client, code: str) -> httpx.Response:
    return post_form(phone, "/meedoen", "/meedoen", {"code": code})


def forward(http: httpx.Client, control: str, times: int = 1) -> None:
    for _ in range(times):
        response = post_form(http, control, f"{control}/verder", {})
        assert response.status_code == 303, response.text


def vote(phone: httpx.Client, step: str, choice: str) -> httpx.Response:
    return post_form(phone, "/meedoen", "/meedoen/stem", {"step": step, "choice": choice})


def live_counts(http: httpx.Client, control: str) -> dict[str, int]:
    stage = re.search(r"seen=([a-z%3A:]+)", http.get(control).text)
    assert stage
    fragment = http.get(f"{control}/scherm/live?seen={stage.group(1)}").text
    return {k: int(v) for k, v in re.findall(r'data-choice="(\w+)">(\d+)<', fragment)}


def test_a_session_runs_from_join_code_to_protected_results(
    http: httpx.Client, phones: list[httpx.Client]
) -> None:
    control, code = start(http)
    assert "<svg" in http.get(control).text, "a QR code to join"

    for phone in phones:
        joined = join(phone, code.lower()[:3] + " " + code.lower()[3:])  # as typed
        assert joined.status_code == 303
        cookie = next(c for c in joined.headers.get_list("set-cookie") if "dm_dialoog" in c)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "<strong>12</strong>" in http.get(control).text

    again = join(phones[0], code)
    assert again.headers["location"] == "/meedoen/nu?al=1", "joining twice keeps the place"
    assert "<strong>12</strong>" in http.get(control).text, "and counts nobody new"

    forward(http, control)  # step 1: the question
    page = phones[0].get("/meedoen/nu").text
    assert "Kunt u zien wie in allebei de lijsten staat?" in page
    for i, phone in enumerate(phones[:3]):
        assert vote(phone, "sources", ("easy", "hard", "hard")[i]).status_code == 303
    assert vote(phones[0], "sources", "no").status_code == 303, "a vote can change"
    assert live_counts(http, control) == {"easy": 0, "hard": 2, "no": 1}

    bad = vote(phones[1], "sources", "maybe")
    assert bad.status_code == 422 and "Kies een van de antwoorden." in bad.text
    assert live_counts(http, control) == {"easy": 0, "hard": 2, "no": 1}, "nothing changed"

    forward(http, control)  # the answer: voting is closed
    late = vote(phones[3], "sources", "hard")
    assert late.headers["location"] == "/meedoen/nu?gesloten=1"
    assert live_counts(http, control) == {"easy": 0, "hard": 2, "no": 1}
    answer = phones[0].get("/meedoen/nu").text
    assert "Ja, maar het is lastig" in answer and "U koos: Nee, dat kan niet." in answer

    forward(http, control, 11)  # through the game to the questionnaire
    questionnaire = phones[0].get("/meedoen/nu").text
    ids = re.findall(r'name="s-([0-9a-f-]{36})"', questionnaire)
    statements = list(dict.fromkeys(ids))
    assert len(statements) == 8, "the default statements"
    first, second = statements[:2]
    for i, phone in enumerate(phones):
        answers = {f"s-{first}": "4" if i < 10 else "5", f"s-{second}": "2"}
        response = post_form(phone, "/meedoen", "/meedoen/vragenlijst", answers)
        assert response.headers["location"] == "/meedoen/nu?opgeslagen=1"
    empty = post_form(phones[0], "/meedoen", "/meedoen/vragenlijst", {})
    assert empty.status_code == 422

    forward(http, control)  # the results
    fragment = http.get(control).text
    assert "Vragenlijst ingevuld: <strong data-respondents>12</strong>" in fragment
    table = re.search(r'data-statement="1">(.*?)</div>', fragment, re.S)
    assert table
    first_cells = re.findall(r'data-cell="(\d)">([^<]+)<', table.group(1))
    # 10 agree, 2 strongly agree: the 2 is too few, and the 10 hidden with it (else 12 - 10).
    hidden = "verborgen"
    assert first_cells == [("1", "0"), ("2", "0"), ("3", "0"), ("4", hidden), ("5", hidden)]
    coarse = re.findall(r'data-coarse="(\d)">([^<]+)<', table.group(1))
    assert coarse == [("1", "0"), ("2", "0"), ("3", "12")]
    second_table = re.search(r'data-statement="2">(.*?)</div>', fragment, re.S)
    assert second_table
    assert re.findall(r'data-cell="(\d)">([^<]+)<', second_table.group(1))[1] == ("2", "12")

    exported = http.get(f"{control}/antwoorden.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["stelling", "antwoord", "aantal", "status"]
    agree = [r for r in rows if r[0].startswith("Ik wil weten") and r[1] == "Eens"]
    assert agree == [[rows[1][0], "Eens", "", "secondary"], [rows[1][0], "Eens", "12", "safe"]]

    unticked = post_form(http, control, f"{control}/verwijderen", {})
    assert unticked.status_code == 422 and "Vink eerst aan" in unticked.text
    removed = post_form(http, control, f"{control}/verwijderen", {"kept": "yes"})
    assert removed.headers["location"] == "/datadialoog?verwijderd=1"
    assert http.get(control).status_code == 404
    assert phones[0].get("/meedoen/nu").status_code == 404, "the phones' places are gone too"
    assert "De sessie is verwijderd" in http.get("/datadialoog?verwijderd=1").text


def test_bad_input_is_told_plainly_and_breaks_nothing_for_the_room(
    live: LiveServer, http: httpx.Client, phones: list[httpx.Client]
) -> None:
    control, code = start(http)
    wrong = join(phones[0], "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")
    assert wrong.status_code == 404 and "Deze code kennen we niet" in wrong.text
    nonsense = join(phones[0], "<script>")
    assert nonsense.status_code == 404 and "&lt;script&gt;" in nonsense.text
    assert phones[0].get("/meedoen/nu").status_code == 404, "not joined"
    assert join(phones[1], code).status_code == 303

    with httpx.Client(base_url=live.url, timeout=30) as other:
        login(other, "facilitator2")
        seen = other.get(control)
        assert seen.status_code == 403 and "andere gespreksleider" in seen.text
        token = csrf_token(other.get("/datadialoog").text)
        for action in ("verder", "sluiten", "notities", "stellingen", "verwijderen"):
            data = {"csrf_token": token, "text": "x", "kept": "yes"}
            refused = other.post(f"{control}/{action}", data=data)
            assert refused.status_code == 403
        assert other.get(f"{control}/antwoorden.csv").status_code == 403
    assert "Doe mee op uw telefoon" in http.get(f"{control}/scherm").text, "still the lobby"
    assert http.get("/datadialoog/00000000-0000-4000-8000-000000000000").status_code == 404

    page = http.get(control).text
    statements = re.findall(r'/stellingen/([0-9a-f-]{36})"', page)
    for statement in statements[:-1]:
        removed = post_form(http, control, f"{control}/stellingen/{statement}", {"remove": "yes"})
        assert removed.status_code == 303
    last = post_form(http, control, f"{control}/stellingen/{statements[-1]}", {"remove": "yes"})
    assert last.status_code == 422 and "minstens één stelling" in last.text
    blank = post_form(http, control, f"{control}/stellingen", {"text_nl": "   "})
    assert blank.status_code == 422 and "Schrijf de stelling in het Nederlands" in blank.text
    added = post_form(
        http, control, f"{control}/stellingen", {"text_nl": "Ik deel graag mijn verhaal."}
    )
    assert added.status_code == 303
    assert "Ik deel graag mijn verhaal." in http.get(control).text

    no_table = post_form(http, control, f"{control}/notities", {"table": "", "text": "x"})
    assert no_table.status_code == 422 and "Noem de tafel" in no_table.text
    said = {"table": "Tafel 2", "text": "Wie mag mijn dossier zien?"}
    note = post_form(http, control, f"{control}/notities", said)
    assert note.status_code == 303 and "Wie mag mijn dossier zien?" in http.get(control).text

    forward(http, control, 13)  # to the questionnaire: the statements are fixed now
    locked = post_form(http, control, f"{control}/stellingen", {"text_nl": "Nog een."})
    assert locked.status_code == 409 and "liggen vast" in locked.text

    with live.store.engine.begin() as db:  # the code's time is up
        db.execute(update(dialogue_sessions).values(expires_at=utcnow() - timedelta(minutes=1)))
    expired = join(phones[2], code)
    assert expired.status_code == 404 and "Deze sessie is afgelopen" in expired.text
    assert "Deze sessie is afgelopen" in phones[1].get("/meedoen/nu").text


def test_only_facilitators_start_a_session(http: httpx.Client) -> None:
    login(http, "inwoner1")
    refused = post_form(http, "/mijn-gegevens", "/datadialoog", {"title": "x"})
    assert refused.status_code == 403
    assert http.get("/datadialoog").status_code == 403


def test_the_self_guided_game_needs_no_account_and_tells_the_answer(http: httpx.Client) -> None:
    intro = http.get("/databasespel")
    assert intro.status_code == 200 and "Het databasespel" in intro.text
    step = http.get("/databasespel/2").text
    assert "Namen worden pseudoniemen" in step
    tried = post_form(http, "/databasespel/2", "/databasespel/2", {"word": "appel"})
    codes = re.findall(r'<dd class="code">([0-9a-f]{12})</dd>', tried.text)
    assert len(codes) == 2 and codes[0] != codes[1], "another key, another pseudonym"
    again = post_form(http, "/databasespel/2", "/databasespel/2", {"word": "appel"})
    assert re.findall(r'<dd class="code">([0-9a-f]{12})</dd>', again.text) == codes
    missing = post_form(http, "/databasespel/2", "/databasespel/2", {})
    assert missing.status_code == 422 and "Kies eerst een van de antwoorden." in missing.text
    answered = post_form(http, "/databasespel/5", "/databasespel/5", {"choice": "yes"})
    assert "Dat kun je hieruit niet weten" in answered.text and "fraudescores" in answered.text
    assert http.get("/databasespel/7").status_code == 404


def test_the_game_speaks_english_too(http: httpx.Client) -> None:
    http.cookies.set("dm_lang", "en")
    step = http.get("/databasespel/3").text
    assert "Linking the lists" in step and "Does it find everyone?" in step
    answered = post_form(http, "/databasespel/6", "/databasespel/6", {"choice": "more"})
    assert "The same table after disclosure control" in answered.text
    assert "also hidden" in answered.text and "Statistics Netherlands" in answered.text
