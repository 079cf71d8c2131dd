"""The public registers: readable without logging in, kept by the privacy officer and admins."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import bearer
from tests.e2e.test_api import assert_problem

ENTRY = {
    "code": "toeslagcheck",
    "name": "Toeslagcheck",
    "description": "Rekent uit of iemand recht heeft op een toeslag.",
    "organisation": "Gemeente (demo)",
    "status": "in_use",
    "purposeAndImpact": "Inwoners krijgen waar zij recht op hebben.",
    "considerations": "Alleen regels uit de wet, geen voorspelling.",
    "humanInvolvement": "Een medewerker controleert elke uitkomst.",
    "riskManagement": "Jaarlijkse controle van de regels.",
    "legalBasis": "Participatiewet art. 35",
    "processingActivity": "uitvoering-participatiewet",
    "dataAndSources": "Inkomen (UWV), huishouden (BRP)",
    "technicalWorking": "Beslisregels",
}


def test_both_registers_are_public(http: httpx.Client) -> None:
    activities = http.get("/api/v1/registers/processing-activities")
    assert activities.status_code == 200
    first = activities.json()[0]
    for field in ("purposes", "legalBasis", "dataSubjects", "dataCategories", "recipients"):
        assert first[field], field
    for field in ("retention", "securityMeasures", "controller", "dpo"):
        assert first[field], field
    algorithms = http.get("/api/v1/registers/algorithms").json()
    assert algorithms[0]["entry"]["code"] == "wat-werkt-voor-wie"
    page = http.get("/registers")
    assert page.status_code == 200 and "Algoritmeregister" in page.text
    assert "Wat werkt voor wie" in page.text


def test_only_the_privacy_officer_and_admins_publish_and_each_change_is_a_version(
    http: httpx.Client,
) -> None:
    case_manager = bearer(http, "klantmanager1")
    assert_problem(http.post("/api/v1/registers/algorithms", json=ENTRY, headers=case_manager), 403)
    officer = bearer(http, "privacy1")
    bad = {**ENTRY, "status": "sometimes", "processingActivity": "nope"}
    problem = assert_problem(
        http.post("/api/v1/registers/algorithms", json=bad, headers=officer), 422
    )
    assert {e["field"] for e in problem["errors"]} == {"status", "processing_activity"}
    first = http.post("/api/v1/registers/algorithms", json=ENTRY, headers=officer)
    assert first.status_code == 201 and first.json()["version"] == 1
    admin = bearer(http, "admin1")
    second = http.post(
        "/api/v1/registers/algorithms", json={**ENTRY, "status": "out_of_use"}, headers=admin
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    current = http.get("/api/v1/registers/algorithms").json()
    mine = [a for a in current if a["entry"]["code"] == "toeslagcheck"]
    assert [a["entry"]["status"] for a in mine] == ["out_of_use"]
    history = http.get("/api/v1/registers/algorithms?allVersions=true").json()
    assert [a["version"] for a in history if a["entry"]["code"] == "toeslagcheck"] == [1, 2]
