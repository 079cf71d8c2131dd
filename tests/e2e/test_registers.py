"""The public registers: readable without logging in, kept by the privacy officer and admins."""

from __future__ import annotations

import html
import re

import httpx

from tests.e2e.conftest import bearer
from tests.e2e.test_api import assert_problem
from tests.e2e.test_pages import csrf_token, login

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


def _activity_form(http: httpx.Client, code: str) -> dict[str, object]:
    """The fields the publication page fills in for a new version of `code`."""
    page = http.get(f"/registers/verwerkingen/nieuw?code={code}")
    assert page.status_code == 200
    form: dict[str, object] = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="text" id="[^"]+" name="(\w+)" value="([^"]*)"', page.text
        )
    }
    for name, value in re.findall(
        r'<textarea id="[^"]+" name="(\w+)"[^>]*>([^<]*)</textarea>', page.text
    ):
        form[name] = html.unescape(value)
    form["categories"] = re.findall(
        r'name="categories" type="checkbox" value="(\w+)" checked', page.text
    )
    form["csrf_token"] = csrf_token(page.text)
    return form


def test_the_privacy_officer_publishes_a_new_activity_version_on_the_page(
    http: httpx.Client,
) -> None:
    login(http, "privacy1")
    form = _activity_form(http, "rechten-betrokkenen")
    assert form["name_nl"] and form["categories"], "the form starts from the current version"
    bad = http.post("/registers/verwerkingen", data={**form, "retention_en": " "})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    form = _activity_form(http, "rechten-betrokkenen")
    done = http.post(
        "/registers/verwerkingen", data={**form, "retention_nl": "Tot 5 jaar na afhandeling"}
    )
    assert done.status_code == 303
    published = http.get("/registers").text
    assert "Tot 5 jaar na afhandeling" in published
    every = http.get("/api/v1/registers/processing-activities?allVersions=true").json()
    assert [a["version"] for a in every if a["code"] == "rechten-betrokkenen"] == [1, 2]


def test_the_processing_register_api_refuses_without_the_role_and_on_bad_input(
    http: httpx.Client,
) -> None:
    current = http.get("/api/v1/registers/processing-activities").json()
    entry = next(a for a in current if a["code"] == "wmo-ondersteuning")
    body = {
        "code": entry["code"],
        "legalBasis": entry["legalBasis"],
        "categories": entry["dataCategories"],
    }
    names = {
        "name": "name",
        "purpose": "purposes",
        "dataSubjects": "dataSubjects",
        "recipients": "recipients",
        "retention": "retention",
        "security": "securityMeasures",
        "controller": "controller",
        "dpo": "dpo",
        "transfers": "transfersOutsideEu",
    }
    for field, published in names.items():
        body[f"{field}Nl"] = entry[published]["nl"]
        body[f"{field}En"] = entry[published]["en"]
    manager = bearer(http, "klantmanager1")
    assert_problem(
        http.post("/api/v1/registers/processing-activities", json=body, headers=manager), 403
    )
    officer = bearer(http, "privacy1")
    problem = assert_problem(
        http.post(
            "/api/v1/registers/processing-activities",
            json={**body, "categories": ["shoe_size"]},
            headers=officer,
        ),
        422,
    )
    assert [e["field"] for e in problem["errors"]] == ["categories"]
    made = http.post("/api/v1/registers/processing-activities", json=body, headers=officer)
    assert made.status_code == 201
    assert made.json()["id"] == "urn:datameent:verwerking:wmo-ondersteuning:v2"
