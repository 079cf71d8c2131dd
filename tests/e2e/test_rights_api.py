"""My story and my rights over real HTTP, and their pages."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import bearer
from tests.e2e.test_api import assert_problem, me
from tests.e2e.test_pages import login, post_form
from tests.e2e.test_sharing_api import manager_of, sharing_of


def test_a_story_shared_with_a_case_is_read_by_its_case_manager(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner2")
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    written = http.post(
        "/api/v1/me/story/sections",
        json={"title": "Mijn situatie nu", "text": "Ik werk graag met mijn handen."},
        headers=resident,
    )
    assert written.status_code == 201, written.text
    section = written.json()["sectionId"]
    case = next(c for c in sharing_of(http, resident)["cases"] if c["purpose"] == "re-integratie")
    assert http.get(f"/api/v1/persons/{person}/story", headers=manager).json() == []
    shared = http.post(
        "/api/v1/me/story/shares",
        json={"sectionId": section, "caseId": case["id"]},
        headers=resident,
    )
    assert shared.status_code == 201, shared.text
    read = http.get(f"/api/v1/persons/{person}/story", headers=manager).json()
    assert [s["text"] for s in read] == ["Ik werk graag met mijn handen."]

    missing = http.post(
        "/api/v1/me/story/shares",
        json={"sectionId": "00000000-0000-4000-8000-000000000009", "caseId": case["id"]},
        headers=resident,
    )
    assert_problem(missing, 422)
    assert_problem(
        http.post("/api/v1/me/story/sections", json={"title": "", "text": ""}, headers=resident),
        422,
    )
    stranger = next(
        headers
        for headers in (bearer(http, f"klantmanager{n}") for n in (1, 2, 3))
        if person not in me(http, headers)["caseload"]
    )
    assert_problem(http.get(f"/api/v1/persons/{person}/story", headers=stranger), 404)


def test_the_export_is_the_residents_own(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner1")
    person = me(http, resident)["personId"]
    complained = http.post(
        "/api/v1/me/complaints", json={"conduct": "Ik werd niet teruggebeld."}, headers=resident
    )
    assert complained.status_code == 201
    response = http.get(f"/api/v1/persons/{person}/export", headers=resident)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    document = response.json()
    assert document["format"] == "datameent-export/1" and document["processingLog"]
    decided = document["decisions"]  # the demo imposed a duty on this resident
    assert decided and all(d["outcome"] and d["objectionUntil"] for d in decided)
    assert [(c["conduct"], c["status"]) for c in document["complaints"]] == [
        ("Ik werd niet teruggebeld.", "received")
    ]
    other = bearer(http, "inwoner2")
    assert_problem(http.get(f"/api/v1/persons/{person}/export", headers=other), 404)
    manager = manager_of(http, person)
    assert_problem(http.get(f"/api/v1/persons/{person}/export", headers=manager), 404)
    log = http.get(f"/api/v1/persons/{person}/processing-log", headers=resident).json()
    refused = [line for line in log if line["operation"] == "rights.export"]
    assert {line["outcome"] for line in refused} == {"allowed", "denied"}


def test_rights_requests_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner3")
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    officer = bearer(http, "privacy1")
    bad = http.post(
        "/api/v1/me/rights-requests",
        json={"kind": "correction", "explanation": "fout", "subject": "phone"},
        headers=resident,
    )
    assert_problem(bad, 422)  # self-declared: change it yourself
    filed = http.post(
        "/api/v1/me/rights-requests",
        json={
            "kind": "correction",
            "explanation": "We zijn met vier.",
            "subject": "household_size",
            "proposed": "4",
        },
        headers=resident,
    )
    assert filed.status_code == 201, filed.text
    url = f"/api/v1/rights-requests/{filed.json()['id']}/correction"
    assert_problem(http.post(url, json={"approve": True, "note": "x"}, headers=manager), 422)
    done = http.post(url, json={"approve": True, "value": 4, "note": "Klopt."}, headers=manager)
    assert done.status_code == 204, done.text
    mine = http.get("/api/v1/me/rights-requests", headers=resident).json()
    assert mine[0]["status"] == "granted" and mine[0]["answerBy"]

    objection = http.post(
        "/api/v1/me/rights-requests",
        json={"kind": "objection", "explanation": "Liever niet.", "subject": "schuldhulp"},
        headers=resident,
    ).json()
    decision = f"/api/v1/rights-requests/{objection['id']}/decision"
    assert_problem(http.post(decision, json={"grant": False, "note": "x"}, headers=manager), 403)
    refused = http.post(decision, json={"grant": False, "note": "Geen grond."}, headers=officer)
    assert refused.status_code == 204
    assert_problem(http.post(decision, json={"grant": True, "note": "x"}, headers=officer), 409)

    question = http.post(
        "/api/v1/me/rights-requests",
        json={"kind": "question", "explanation": "Waar komt dit vandaan?", "subject": "phone"},
        headers=resident,
    )
    assert question.status_code == 201, question.text
    answer = f"/api/v1/rights-requests/{question.json()['id']}/answer"
    assert_problem(http.post(answer, json={"answer": " "}, headers=manager), 422)
    assert_problem(http.post(answer, json={"answer": "Ja."}, headers=resident), 404)  # hidden
    answered = http.post(answer, json={"answer": "U gaf het zelf op."}, headers=manager)
    assert answered.status_code == 204, answered.text
    mine = http.get("/api/v1/me/rights-requests", headers=resident).json()
    about = next(r for r in mine if r["id"] == question.json()["id"])
    assert about["status"] == "answered"


def test_a_question_about_a_log_line_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner4")
    person = me(http, resident)["personId"]
    log = http.get(f"/api/v1/persons/{person}/processing-log", headers=resident).json()
    line = next(x for x in log if "resident" not in x["who"]["roles"])
    neighbour = bearer(http, "inwoner5")
    theirs = http.get(
        f"/api/v1/persons/{me(http, neighbour)['personId']}/processing-log", headers=neighbour
    ).json()[0]["index"]
    url = "/api/v1/me/rights-requests"
    for subject in (str(theirs), "twaalf", None):
        body = {"kind": "access_question", "explanation": "Waarom?", "subject": subject}
        assert_problem(http.post(url, json=body, headers=resident), 422)
    assert http.get(url, headers=resident).json() == [], "nothing was filed"
    asked = http.post(
        url,
        json={
            "kind": "access_question",
            "explanation": "Wie is dit?",
            "subject": str(line["index"]),
        },
        headers=resident,
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["kind"] == "access_question"
    assert asked.json()["subject"] == str(line["index"])
    answer = f"/api/v1/rights-requests/{asked.json()['id']}/answer"
    manager = manager_of(http, person)
    refused = http.post(answer, json={"answer": "Ik was het."}, headers=manager)
    assert refused.status_code in (403, 404)
    officer = bearer(http, "privacy1")
    decision = f"/api/v1/rights-requests/{asked.json()['id']}/decision"
    assert_problem(http.post(decision, json={"grant": True, "note": "Ja."}, headers=officer), 422)
    done = http.post(answer, json={"answer": "Uw klantmanager, voor uw gesprek."}, headers=officer)
    assert done.status_code == 204, done.text
    mine = http.get(url, headers=resident).json()
    assert [(r["status"], r["decisionNote"]) for r in mine] == [
        ("answered", "Uw klantmanager, voor uw gesprek.")
    ]
    log = http.get(f"/api/v1/persons/{person}/processing-log", headers=resident).json()
    marked = {x["index"]: x["question"] for x in log if x["question"]}
    assert marked == {
        line["index"]: {
            "requestId": asked.json()["id"],
            "status": "answered",
            "filedAt": asked.json()["filedAt"],
            "answerBy": asked.json()["answerBy"],
        }
    }


def test_the_story_and_rights_pages(http: httpx.Client) -> None:
    login(http, "inwoner4")
    page = http.get("/mijn-verhaal")
    assert page.status_code == 200 and "Mijn verhaal" in page.text
    empty = post_form(http, "/mijn-verhaal", "/mijn-verhaal", {"title": "", "body": ""})
    assert empty.status_code == 422 and "Geef dit deel een titel" in empty.text
    saved = post_form(
        http, "/mijn-verhaal", "/mijn-verhaal", {"title": "Wat mij helpt", "body": "Structuur."}
    )
    assert saved.status_code == 303
    assert "Structuur." in http.get("/mijn-verhaal").text
    rights_page = http.get("/mijn-rechten")
    assert rights_page.status_code == 200 and "Er klopt iets niet" in rights_page.text
    filed = post_form(
        http,
        "/mijn-rechten",
        "/mijn-rechten",
        {"kind": "objection", "subject-objection": "re-integratie", "explanation-objection": ""},
    )
    assert filed.status_code == 422 and "Leg in een paar woorden uit" in filed.text
    overview = http.get("/mijn-rechten/inzage")
    assert overview.status_code == 200 and "Alles wat de gemeente over u heeft" in overview.text
    assert '<h2 id="e-besluiten">Besluiten over u</h2>' in overview.text
    assert '<h2 id="e-klachten">Mijn klachten</h2>' in overview.text
    download = http.get("/mijn-rechten/mijn-gegevens.json")
    assert download.status_code == 200 and download.json()["person"]["bsn"]
