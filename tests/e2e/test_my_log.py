"""Wie keek in mijn gegevens? over real HTTP: who and how often, whose lines, pages of lines."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
from sqlalchemy import update

from datameent.services.clock import utcnow
from datameent.store.tables import rights_requests
from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import csrf_token, login, post_form


def entries(html: str) -> list[str]:
    """The log's entries as the page shows them: a line, or lines in a row that say the same."""
    if '<ol class="log">' not in html:
        return []
    log = html.split('<ol class="log">')[1].split("\n</ol>")[0]  # its own end, not a nested list's
    return log.split('<li class="log-line')[1:]


def _entry_of(html: str, index: int) -> str:
    """The entry that holds the line at `index`."""
    found = [body for body in entries(html) if f'data-log-index="{index}"' in body]
    assert len(found) == 1, index
    return found[0]


def lines(html: str) -> list[tuple[int, str]]:
    """Each line's log index and who did it, in the page's order (each line of an entry that
    folds several is still there, with its own index and check)."""
    found = []
    for body in entries(html):
        who = re.search(r"<dt>Wie</dt><dd>([^<]*)</dd>", body)
        assert who, "every entry says who"
        indexes = re.findall(r'data-log-index="(\d+)"', body)
        assert indexes and len(indexes) == body.count('class="check-link"')
        found += [(int(index), who.group(1)) for index in indexes]
    return found


def test_the_resident_sees_who_and_how_often_and_can_leave_out_their_own_visits(
    http: httpx.Client,
) -> None:
    login(http, "inwoner3")
    for _ in range(3):
        http.get("/mijn-gegevens")
    everyone = http.get("/mijn-gegevens/logboek")
    assert everyone.status_code == 200
    shown = lines(everyone.text)
    own = [index for index, who in shown if who == "Uzelf"]
    others = [index for index, who in shown if who != "Uzelf"]
    assert len(own) == 3, "each look at my data is a line"
    assert others, "the demo registered this resident: the BRP link did that, at least"
    assert [index for index, _ in shown] == sorted((i for i, _ in shown), reverse=True)

    summary = everyone.text.split('id="wie-keek"')[1].split("</section>")[0]
    for who in {who for _, who in shown if who != "Uzelf"}:
        times = sum(1 for _, w in shown if w == who)
        expected = "één keer" if times == 1 else f"{times} keer"
        assert re.search(rf"<strong>{re.escape(who)}</strong>:\s*{expected}", summary), who
    assert f"Uzelf: {len(own)} keer." in summary

    not_me = lines(http.get("/mijn-gegevens/logboek", params={"wie": "anderen"}).text)
    assert [index for index, _ in not_me] == others
    only_me = http.get("/mijn-gegevens/logboek", params={"wie": "uzelf"})
    # Looking at the log is a line of its own: one more than the page before showed.
    assert [who for _, who in lines(only_me.text)] == ["Uzelf"] * (len(own) + 2)
    assert 'value="uzelf" selected' in only_me.text

    unknown = http.get("/mijn-gegevens/logboek", params={"wie": "iemand", "voor": "x"})
    assert unknown.status_code == 200 and len(lines(unknown.text)) == len(shown) + 3


def test_a_long_log_comes_in_pages_of_fifty_newest_first(http: httpx.Client) -> None:
    login(http, "inwoner4")
    for _ in range(60):
        assert http.get("/mijn-gegevens").status_code == 200
    first = http.get("/mijn-gegevens/logboek", params={"wie": "uzelf", "van": "2020-01-01"})
    on_first = lines(first.text)
    assert len(on_first) == 50 and 'rel="prev"' not in first.text
    assert "Regel 1 tot en met 50 van 60; " in first.text
    older = re.search(r'href="(/mijn-gegevens/logboek\?[^"]*)" rel="next"', first.text)
    assert older and "wie=uzelf" in older.group(1) and "van=2020-01-01" in older.group(1)
    # Looking at the first page added a line; the next page still starts where this one ended.
    second = http.get(older.group(1).replace("&amp;", "&"))
    on_second = lines(second.text)
    assert len(on_second) == 10 and "Regel 52 tot en met 61 van 61; " in second.text
    assert 'rel="next"' not in second.text
    indexes = [index for index, _ in on_first + on_second]
    assert indexes == sorted(set(indexes), reverse=True), "no line twice"
    assert on_second[0][0] == on_first[-1][0] - 1, "none skipped: they were all mine"
    newer = re.search(r'href="(/mijn-gegevens/logboek\?[^"]*)" rel="prev"', second.text)
    assert newer
    back = lines(http.get(newer.group(1).replace("&amp;", "&")).text)
    assert len(back) == 50 and back[-1][0] == on_second[0][0] + 1, "the fifty just before"
    future = http.get("/mijn-gegevens/logboek", params={"van": "2999-01-01", "tot": "31-12"})
    assert not lines(future.text) and 'value="2999-01-01"' in future.text
    assert "Een datum klopte niet. Die is niet gebruikt." in future.text
    beyond = http.get("/mijn-gegevens/logboek", params={"wie": "uzelf", "voor": "1"})
    assert not lines(beyond.text) and "Er zijn geen regels voor deze keuze." in beyond.text


def test_the_data_a_line_touched_read_in_the_order_of_my_data(http: httpx.Client) -> None:
    login(http, "inwoner5")
    http.get("/mijn-gegevens")
    page = http.get("/mijn-gegevens/logboek", params={"wie": "uzelf"}).text
    viewed = next(
        body for body in entries(page) if "Bekeek uw gegevens" in body and "<details>" in body
    )
    summary = re.search(r"<summary>(\d+) soorten gegevens: ([^<]+) en meer</summary>", viewed)
    assert summary and summary.group(2) == "BSN, Klantnummer, Voornaam"
    listed = viewed.split("</summary>")[1].split("</details>")[0].split(", ")
    assert len(listed) == int(summary.group(1))
    assert listed.index("Voornaam") < listed.index("Achternaam") < listed.index("Postcode")


def test_the_privacy_officer_reads_a_residents_log_by_client_number(http: httpx.Client) -> None:
    login(http, "inwoner6")
    number = re.search(r"<dt>Klantnummer</dt><dd>(K\d+)</dd>", http.get("/mijn-gegevens").text)
    assert number
    http.cookies.clear()

    login(http, "klantmanager1")
    for page in ("/privacy/logboek", f"/privacy/logboek?klantnummer={number.group(1)}"):
        assert http.get(page).status_code == 404, "only the privacy officer looks up anyone's log"
    http.cookies.clear()

    login(http, "privacy1")
    assert "/privacy/logboek" in http.get("/privacy").text
    unknown = http.get("/privacy/logboek", params={"klantnummer": "K9999999"})
    assert unknown.status_code == 404 and "Geen inwoner heeft dit klantnummer." in unknown.text
    found = http.get("/privacy/logboek", params={"klantnummer": number.group(1).lower()})
    assert found.status_code == 200 and f"Logboek van {number.group(1)}" in found.text
    shown = lines(found.text)
    assert ("De inwoner zelf" in {who for _, who in shown}) and "Uzelf" not in found.text
    assert "De inwoner zelf: één keer." in found.text
    assert f'name="klantnummer" value="{number.group(1)}"' in found.text, "filters keep the person"
    check = re.search(
        r'href="(/privacy/logboek/\d+\?klantnummer=K\d+)" class="check-link"', found.text
    )
    assert check
    checked = http.get(check.group(1))
    assert "Deze regel staat in het logboek, precies zoals hij is opgeschreven." in checked.text
    others = lines(
        http.get("/privacy/logboek", params={"klantnummer": number.group(1), "wie": "anderen"}).text
    )
    assert others and all(who != "De inwoner zelf" for _, who in others)
    http.cookies.clear()

    login(http, "inwoner6")
    mine = http.get("/mijn-gegevens/logboek").text
    assert re.search(r"<strong>Bekeek dit logboek</strong>.*?Privacy officer", mine, re.S)


MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"


def _since(page: str) -> date:
    found = re.search(r"Sinds (\d+) (\w+) (\d{4})", page)
    assert found
    return date(int(found[3]), MONTHS.split().index(found[2]) + 1, int(found[1]))


def test_the_privacy_officer_looks_back_over_a_week_a_month_or_a_quarter(
    http: httpx.Client,
) -> None:
    login(http, "privacy1")
    week = http.get("/privacy").text
    assert 'value="7" selected' in week
    for days in (30, 90):
        page = http.get("/privacy", params={"dagen": str(days)}).text
        assert f'value="{days}" selected' in page
        assert (_since(week) - _since(page)).days == days - 7
    for bad in ("5", "abc", "-30", "100000"):
        assert _since(http.get("/privacy", params={"dagen": bad}).text) == _since(week)


def test_lines_in_a_row_that_say_the_same_are_one_entry_each_line_still_checkable(
    http: httpx.Client,
) -> None:
    login(http, "inwoner7")
    for _ in range(4):
        http.get("/mijn-gegevens")
    page = http.get("/mijn-gegevens/logboek").text
    viewed = [body for body in entries(page) if "Bekeek uw gegevens" in body]
    assert len(viewed) == 1, "four looks in a row on one day: one entry"
    indexes = re.findall(r'data-log-index="(\d+)"', viewed[0])
    assert len(indexes) >= 4
    assert re.search(rf"{len(indexes)} keer op \d+ \w+ \d{{4}}", viewed[0])
    checks = re.findall(r'href="(/mijn-gegevens/logboek/\d+)" class="check-link"', viewed[0])
    assert [c.rsplit("/", 1)[1] for c in checks] == indexes
    checked = http.get(checks[-1]).text
    assert "Deze regel staat in het logboek, precies zoals hij is opgeschreven." in checked
    summary = page.split('id="wie-keek"')[1].split("</section>")[0]
    assert f"Uzelf: {len(indexes)} keer." in summary, "the summary still counts every line"


def test_a_resident_asks_the_privacy_officer_about_a_line_and_reads_the_answer(
    http: httpx.Client, live: LiveServer
) -> None:
    login(http, "inwoner3")
    page = http.get("/mijn-gegevens/logboek").text
    asks = re.findall(r'href="/mijn-gegevens/logboek/(\d+)/vraag"', page)
    others = [index for index, who in lines(page) if who != "Uzelf"]
    assert asks and {int(a) for a in asks} <= set(others), "only lines someone else wrote"
    index = int(asks[0])
    form = http.get(f"/mijn-gegevens/logboek/{index}/vraag")
    assert form.status_code == 200 and "Een vraag over deze regel" in form.text
    assert "Uw klantmanager beantwoordt deze vraag niet" in form.text
    who = re.search(r"<dt>Wie</dt><dd>([^<]*)</dd>", form.text)
    assert who and who.group(1) not in ("", "Uzelf"), "the line says who did it"

    url = f"/mijn-gegevens/logboek/{index}/vraag"
    empty = post_form(http, url, url, {"explanation": "  "})
    assert empty.status_code == 422 and "Leg in een paar woorden uit wat u vraagt." in empty.text
    for elsewhere in (0, 10**9):  # not about this resident, or no such line
        refused = http.post(
            f"/mijn-gegevens/logboek/{elsewhere}/vraag",
            data={"explanation": "Waarom?", "csrf_token": csrf_token(form.text)},
        )
        assert refused.status_code in (400, 422) and "Traceback" not in refused.text
    assert "U hebt nog geen verzoek ingediend." in http.get("/mijn-rechten").text

    filed = post_form(http, url, url, {"explanation": "Ik ken deze persoon niet. Waarom?"})
    assert filed.status_code == 303 and filed.headers["location"].startswith("/mijn-rechten")
    rights_page = http.get("/mijn-rechten").text
    assert f'Vraag over een regel in het logboek: <a href="/mijn-gegevens/logboek/{index}">' in (
        rights_page
    )
    request_id = re.search(r'id="verzoek-([0-9a-f-]+)"', rights_page)
    assert request_id
    marked = http.get("/mijn-gegevens/logboek").text
    entry = _entry_of(marked, index)
    assert "U stelde de privacy officer op " in entry and "U krijgt een antwoord vóór" in entry
    assert f'href="/mijn-rechten#verzoek-{request_id.group(1)}"' in entry
    assert f"/mijn-gegevens/logboek/{index}/vraag" not in marked, "asked once, not twice"
    http.cookies.clear()

    login(http, "klantmanager1")
    queue = http.get("/privacy/rechten")
    assert queue.status_code in (403, 404)
    http.cookies.clear()

    login(http, "privacy1")
    overview = http.get("/privacy").text
    assert "Vragen van inwoners over het logboek (1)" in overview
    assert "niet op tijd" not in overview
    assert "niet op tijd beantwoord" not in http.get("/privacy/rechten").text
    with live.store.engine.begin() as connection:  # a month and more ago
        connection.execute(update(rights_requests).values(filed_at=utcnow() - timedelta(days=40)))
    late = http.get("/privacy").text
    assert "De oudste vraag is niet op tijd beantwoord." in late
    queue_page = http.get("/privacy/rechten").text
    assert "niet op tijd beantwoord" in queue_page
    assert "Ik ken deze persoon niet. Waarom?" in queue_page
    line = re.search(rf'href="(/privacy/logboek/{index}\?klantnummer=K\d+)"', queue_page)
    assert line and f'id="verzoek-{request_id.group(1)}"' in queue_page
    whole_url = line.group(1).replace(f"/{index}?", "?")
    whole = http.get(whole_url).text
    assert "De inwoner stelde u op " in _entry_of(whole, index)
    assert f'href="/privacy/rechten#verzoek-{request_id.group(1)}"' in _entry_of(whole, index)
    looked = http.get(line.group(1)).text
    assert "Deze regel staat in het logboek, precies zoals hij is opgeschreven." in looked
    assert re.search(r"<dt>Wie</dt><dd>[^<]+</dd>", looked)
    answered = post_form(
        http,
        "/privacy/rechten",
        f"/privacy/gegevensvraag/{request_id.group(1)}",
        {"answer": "Uw klantmanager bereidde uw gesprek voor. Dat mocht."},
    )
    assert answered.status_code == 303
    assert "Vragen van inwoners over het logboek (0)" in http.get("/privacy").text
    assert "De vraag is beantwoord." in _entry_of(http.get(whole_url).text, index)
    http.cookies.clear()

    login(http, "inwoner3")
    mine = http.get("/mijn-rechten").text
    assert "Beantwoord" in mine and "Uw klantmanager bereidde uw gesprek voor. Dat mocht." in mine
    answered_line = _entry_of(http.get("/mijn-gegevens/logboek").text, index)
    assert "Lees het antwoord" in answered_line and "U krijgt een antwoord" not in answered_line
    assert f"/mijn-gegevens/logboek/{index}/vraag" in answered_line, "a new question may follow"
