"""Complaints about conduct (Awb chapter 9) over real HTTP: the resident's page, the list and
one complaint for a handler, the copy for the employee, and the API."""

from __future__ import annotations

import re

import httpx

from datameent.domain.accounts import Role, User
from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_api import assert_problem
from tests.e2e.test_pages import login, post_form


def manager_and_lead(live: LiveServer, resident: str) -> tuple[User, User]:
    """The resident's case manager and a team lead of the case manager's team."""
    with live.store.unit_of_work(write=False) as uow:
        found = uow.accounts.by_username(resident)
        assert found and found[0].person_id
        assignment = uow.caseloads.open_for_person(found[0].person_id)
        assert assignment
        manager = uow.accounts.get(assignment.case_manager_id)
        assert manager
        lead = uow.accounts.by_role(Role.TEAM_LEAD, manager.team)[0]
    return manager, lead


def test_a_resident_complains_about_their_case_manager_and_reads_the_judgement(
    http: httpx.Client, live: LiveServer
) -> None:
    manager, lead = manager_and_lead(live, "inwoner5")
    login(http, "inwoner5")
    page = http.get("/mijn-klachten")
    assert page.status_code == 200 and "Bent u niet goed behandeld" in page.text
    assert "U hebt geen klacht ingediend." in page.text
    url = "/mijn-klachten"
    empty = post_form(http, url, url, {"conduct": "  ", "about": "klantmanager"})
    assert empty.status_code == 422 and 'href="#veld-conduct"' in empty.text
    bad_day = post_form(http, url, url, {"conduct": "Onbeleefd.", "occurred_on": "31-02"})
    assert bad_day.status_code == 422 and 'href="#veld-occurredOn"' in bad_day.text
    both = post_form(http, url, url, {"conduct": "", "occurred_on": "gisteren"})
    assert 'href="#veld-conduct"' in both.text and 'href="#veld-occurredOn"' in both.text
    assert "U hebt geen klacht ingediend." in http.get(url).text, "nothing was filed"

    conduct = "Mijn klantmanager sprak me toe alsof ik een kind was."
    filed = post_form(http, url, url, {"conduct": conduct, "about": "klantmanager"})
    assert filed.status_code == 303
    complaint_id = re.search(r"#klacht-([0-9a-f-]+)$", filed.headers["location"])
    assert complaint_id
    mine = http.get(filed.headers["location"]).text
    assert conduct in mine and "uiterlijk op" in mine
    told = http.get("/berichten").text
    assert "We hebben uw klacht ontvangen" in told, "Awb 9:6"
    assert re.search(r"uiterlijk op \d{1,2} [a-z]+ \d{4} wat", told), "a date as people write it"
    http.cookies.clear()

    login(http, manager.username)
    assert "heeft een klacht over u ingediend" in http.get("/berichten").text
    here = f"/klachten/{complaint_id.group(1)}"
    copy = http.get(here)
    assert copy.status_code == 200 and conduct in copy.text and "Awb 9:9" in copy.text
    assert "Ik behandel deze klacht" not in copy.text
    taken = post_form(http, here, f"{here}/behandelen", {})
    assert taken.status_code == 404, "Awb 9:7: never about oneself"
    assert http.get("/klachten").status_code in (403, 404)
    http.cookies.clear()

    login(http, lead.username)
    listed = http.get("/klachten").text
    assert f'href="{here}"' in listed
    assert post_form(http, here, f"{here}/behandelen", {}).status_code == 303
    early = post_form(
        http, here, f"{here}/oordeel", {"judgement": "founded", "findings": "Het klopt."}
    )
    assert early.status_code == 422 and 'href="#veld-hearing"' in early.text
    unheard = post_form(http, here, f"{here}/horen", {"hearing": "held", "hearing_note": " "})
    assert unheard.status_code == 422 and 'href="#veld-hearingNote"' in unheard.text
    heard = post_form(
        http, here, f"{here}/horen", {"hearing": "held", "hearing_note": "Beiden gesproken."}
    )
    assert heard.status_code == 303
    later = post_form(http, here, f"{here}/uitstellen", {"reason": "De klantmanager is ziek."})
    assert later.status_code == 303
    assert "Vier weken uitgesteld: De klantmanager is ziek." in http.get(here).text
    findings = "U bent niet respectvol behandeld. De klantmanager biedt excuses aan."
    judged = post_form(
        http, here, f"{here}/oordeel", {"judgement": "founded", "findings": findings}
    )
    assert judged.status_code == 303
    assert f'href="{here}"' not in http.get("/klachten").text
    http.cookies.clear()

    login(http, "inwoner5")
    answered = http.get("/mijn-klachten").text
    assert "Gegrond: u hebt gelijk" in answered and findings in answered
    assert "Nationale ombudsman" in answered
    log = http.get("/mijn-gegevens/logboek").text
    assert "Behandelde uw klacht" in log and "Las uw klacht" in log


def test_complaints_over_the_api(http: httpx.Client, live: LiveServer) -> None:
    manager, lead = manager_and_lead(live, "inwoner6")
    resident = bearer(http, "inwoner6")
    url = "/api/v1/me/complaints"
    assert_problem(http.post(url, json={"conduct": ""}, headers=resident), 422)
    assert_problem(
        http.post(url, json={"conduct": "x", "occurredOn": "2999-01-01"}, headers=resident), 422
    )
    assert http.get(url, headers=resident).json() == []
    filed = http.post(
        url, json={"conduct": "Hij belde nooit terug.", "aboutCaseManager": True}, headers=resident
    )
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert body["status"] == "received" and body["handleBy"] and body["conduct"]
    complaint = f"/api/v1/complaints/{body['id']}"

    employee = bearer(http, manager.username)
    assert http.get(complaint, headers=employee).json()["conduct"] == "Hij belde nooit terug."
    assert http.post(f"{complaint}/take", headers=employee).status_code in (403, 404)
    handler = bearer(http, lead.username)
    waiting = http.get("/api/v1/complaints", headers=handler).json()
    assert body["id"] in {w["id"] for w in waiting}
    assert http.post(f"{complaint}/take", headers=handler).status_code == 204
    assert_problem(http.post(f"{complaint}/take", headers=handler), 409)
    hearing = {"hearing": "waived", "note": "De inwoner wilde niet gehoord worden."}
    assert http.post(f"{complaint}/hearing", json=hearing, headers=handler).status_code == 204
    finding = {"judgement": "unfounded", "findings": "Hij belde twee keer; u nam niet op."}
    done = http.post(f"{complaint}/finding", json=finding, headers=handler)
    assert done.status_code == 200 and done.json()["judgement"] == "unfounded"
    mine = http.get(url, headers=resident).json()
    assert [(c["status"], c["findings"]) for c in mine] == [
        ("decided", "Hij belde twee keer; u nam niet op.")
    ]


def test_a_complaint_starts_from_a_line_of_the_log_and_names_who_wrote_it(
    http: httpx.Client, live: LiveServer
) -> None:
    manager, _ = manager_and_lead(live, "inwoner7")
    login(http, "inwoner7")
    log = http.get("/mijn-gegevens/logboek").text
    index = next(
        i
        for i, who in re.findall(r'data-log-index="(\d+)".*?<dd>([^<]*)</dd>', log, re.S)
        if manager.display_name in who
    )
    question = http.get(f"/mijn-gegevens/logboek/{index}/vraag").text
    assert f'href="/mijn-klachten?regel={index}"' in question
    form = http.get(f"/mijn-klachten?regel={index}").text
    assert f"Uw klacht gaat over regel {index} van uw logboek" in form
    assert 'name="about"' not in form, "the line names whom it is about"
    url = f"/mijn-klachten?regel={index}"
    filed = post_form(
        http, url, "/mijn-klachten", {"conduct": "Waarom keek hij zonder afspraak?", "regel": index}
    )
    assert filed.status_code == 303
    http.cookies.clear()
    login(http, manager.username)
    assert "heeft een klacht over u ingediend" in http.get("/berichten").text
    http.cookies.clear()
    login(http, "privacy1")
    assert "heeft een klacht ingediend" in http.get("/berichten").text, "about the log"
    complaint = re.search(r"#klacht-([0-9a-f-]+)$", filed.headers["location"])
    assert complaint
    page = http.get(f"/klachten/{complaint.group(1)}").text
    line = re.search(rf'href="(/privacy/logboek/{index}\?klantnummer=K\d+)"', page)
    assert line, "the privacy officer goes from the complaint to the line"
    assert "Deze regel staat in het logboek" in http.get(line.group(1)).text
