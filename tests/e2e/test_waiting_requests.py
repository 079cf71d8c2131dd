"""Requests that wait: the caseload shows per client what they wait for (and can show only
those), and a resident whose answer date has passed is told they can still answer."""

from __future__ import annotations

import re

import httpx

from tests.e2e.test_pages import login

ROW = re.compile(r"<tr>\s*<td[^>]*><a href=\"/clienten/[^\"]+\">([^<]+)</a></td>(.*?)</tr>", re.S)


DAY = r"\d{1,2} \w+ \d{4}"
SAYS = re.compile(rf"1 te laat, sinds {DAY}|open, antwoord vóór {DAY}")
"""The demo asks one question list per client at most: one request, overdue or not."""


def rows(html: str) -> list[tuple[str, str]]:
    """(name, what the requests column says) per client, in the table's order."""
    found = []
    for name, cells in ROW.findall(html):
        column = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)[-1]
        found.append((name, " ".join(re.sub(r"<[^>]+>", " ", column).split())))
    return found


def test_a_case_manager_sees_which_requests_wait_and_which_are_overdue(
    http: httpx.Client,
) -> None:
    # The demo asked every seventh resident for data; every other one of those a month ago.
    for n in range(1, 7):
        login(http, f"klantmanager{n}")
        everyone = http.get("/clienten")
        flagged = re.search(
            r"(\d+) cliënten hebben een verzoek niet op tijd beantwoord", everyone.text
        )
        if flagged:
            break
        http.cookies.clear()
    assert flagged, "some case manager of the demo has clients who did not answer in time"
    all_rows = rows(everyone.text)
    said = {says for _, says in all_rows}
    assert all(SAYS.fullmatch(says) for says in said - {""}), said
    overdue = [name for name, says in all_rows if "te laat" in says]
    assert len(overdue) == int(flagged.group(1)) >= 2

    waiting = http.get("/clienten", params={"wacht": "1"})
    shown = rows(waiting.text)
    assert 'name="wacht" value="1" checked' in waiting.text
    assert shown and all(says for _, says in shown), "only clients whose requests wait"
    assert {name for name, _ in shown[: len(overdue)]} == set(overdue), "overdue first"
    assert {name for name, says in all_rows if says} == {name for name, _ in shown}

    late = next(re.finditer(r'<a href="(/clienten/[^"]+)">([^<]+)</a>', everyone.text))
    for found in re.finditer(r'<a href="(/clienten/[^"]+)">([^<]+)</a>', everyone.text):
        if found.group(2) == overdue[0]:
            late = found
    file = http.get(late.group(1)).text.split('id="verzoeken"')[1].split("</section>")[0]
    assert "Open · <strong" in file and "niet op tijd beantwoord" in file

    one = overdue[0].split()[-1]
    searched = rows(http.get("/clienten", params={"wacht": "1", "zoek": one}).text)
    assert searched and all(one in name for name, _ in searched)


def test_a_resident_whose_answer_date_passed_is_told_they_can_still_answer(
    http: httpx.Client,
) -> None:
    # The demo asked inwoner8 a month ago, to answer within two weeks; inwoner1 today.
    login(http, "inwoner8")
    mine = http.get("/mijn-verzoeken").text
    assert "Die datum is voorbij. U kunt nog wel antwoorden." in mine
    assert "De datum komt dichtbij." not in mine
    answer = re.search(r'href="(/mijn-verzoeken/[0-9a-f-]{36})"', mine)
    assert answer
    page = http.get(answer.group(1))
    assert page.status_code == 200 and "Die datum is voorbij." in page.text
    messages = http.get("/berichten").text
    assert re.search(r"Vraag over [^<:]+: de datum \(\d+ \w+ \d{4}\) is voorbij\.", messages)
    http.cookies.clear()
    login(http, "inwoner1")
    assert "Die datum is voorbij." not in http.get("/mijn-verzoeken").text
    assert "is voorbij" not in http.get("/berichten").text
