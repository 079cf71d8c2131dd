"""The JSON API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from datameent.services import vault as vault_service
from tests.e2e.conftest import LiveServer, bearer

PROBLEM = "application/problem+json"


def me(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["titleNl"] and body["titleEn"]
    assert "Traceback" not in response.text
    return body


def test_a_token_comes_from_the_password_flow(http: httpx.Client) -> None:
    response = http.post("/api/v1/auth/token", data={"username": "inwoner1", "password": "demo"})
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer" and response.json()["access_token"]
    wrong = http.post("/api/v1/auth/token", data={"username": "inwoner1", "password": "nope"})
    body = assert_problem(wrong, 401)
    assert body["titleEn"] == "The username or password is not correct"
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_without_a_token_the_answer_is_401(http: httpx.Client) -> None:
    assert_problem(http.get("/api/v1/me"), 401)
    assert_problem(http.get("/api/v1/me", headers={"Authorization": "Bearer forged"}), 401)


def test_me_tells_residents_their_person_and_case_managers_their_caseload(
    http: httpx.Client,
) -> None:
    resident = me(http, bearer(http, "inwoner1"))
    assert resident["username"] == "inwoner1" and resident["roles"] == ["resident"]
    assert resident["personId"] and resident["caseload"] is None
    manager = me(http, bearer(http, "klantmanager1"))
    assert manager["roles"] == ["case_manager"] and len(manager["caseload"]) > 10


def test_a_resident_reads_their_attributes_with_provenance(http: httpx.Client) -> None:
    headers = bearer(http, "inwoner1")
    person = me(http, headers)["personId"]
    current = http.get(f"/api/v1/persons/{person}/attributes", headers=headers).json()
    assert {"given_name", "birth_date", "zrm_financien"} <= {item["key"] for item in current}
    for item in current:
        for field in (
            "key",
            "value",
            "source",
            "recordedBy",
            "recordedAt",
            "validFrom",
            "validTo",
            "verified",
        ):
            assert field in item, field
    history = http.get(f"/api/v1/persons/{person}/attributes?history=true", headers=headers)
    assert len(history.json()) > len(current)
    assert http.get(f"/api/v1/persons/{person}", headers=headers).json()["bsn"].isdigit()


def test_a_case_manager_sees_own_clients_and_404_for_anyone_else(http: httpx.Client) -> None:
    manager = bearer(http, "klantmanager1")
    own = me(http, manager)["caseload"][0]
    url = f"/api/v1/persons/{own}/attributes?purpose=re-integratie"
    granted = http.get(url, headers=manager)
    assert granted.status_code == 200 and granted.json()
    assert "savings" not in {i["key"] for i in granted.json()}, "not granted for this purpose"
    person = http.get(f"/api/v1/persons/{own}?purpose=re-integratie", headers=manager).json()
    assert person["bsn"] is None, "the BSN is not part of the grant"
    unnamed = http.get(f"/api/v1/persons/{own}/attributes", headers=manager)
    assert_problem(unnamed, 404)  # a case manager's read must name its purpose
    stranger = me(http, bearer(http, "klantmanager2"))["caseload"][0]
    denied = http.get(f"/api/v1/persons/{stranger}/attributes", headers=manager)
    missing = http.get(
        "/api/v1/persons/00000000-0000-4000-8000-000000000000/attributes", headers=manager
    )
    assert_problem(denied, 404)
    assert denied.json() == missing.json(), "a stranger looks exactly like nobody"


@pytest.mark.parametrize("username", ["teamleider1", "privacy1", "analist1", "admin1", "inwoner2"])
def test_other_roles_get_404_for_a_residents_data(http: httpx.Client, username: str) -> None:
    person = me(http, bearer(http, "inwoner1"))["personId"]
    response = http.get(f"/api/v1/persons/{person}/attributes", headers=bearer(http, username))
    assert_problem(response, 404)


def test_recording_adds_a_version_with_provenance(http: httpx.Client) -> None:
    manager = bearer(http, "klantmanager1")
    person = me(http, manager)["caseload"][0]
    body = {
        "key": "zrm_financien",
        "value": 4,
        "source": "municipality",
        "instrumentVersion": "ZRM 2017",
        "validFrom": "2026-11-01",
        "verified": True,
    }
    created = http.post(f"/api/v1/persons/{person}/attributes", json=body, headers=manager)
    assert created.status_code == 201, created.text
    assert created.json()["value"] == 4 and created.json()["recordedBy"]
    url = f"/api/v1/persons/{person}/attributes?history=true&purpose=re-integratie"
    items = http.get(url, headers=manager).json()
    scores = [i for i in items if i["key"] == "zrm_financien"]
    assert [i["value"] for i in scores if i["current"]] == [4]
    assert len(scores) == 3


def test_a_resident_adds_self_declared_data_only(http: httpx.Client) -> None:
    headers = bearer(http, "inwoner1")
    person = me(http, headers)["personId"]
    ok = {"key": "phone", "value": "0611112222", "source": "self_declared"}
    assert (
        http.post(f"/api/v1/persons/{person}/attributes", json=ok, headers=headers).status_code
        == 201
    )
    forged = {"key": "phone", "value": "0611112222", "source": "uwv", "verified": True}
    body = assert_problem(
        http.post(f"/api/v1/persons/{person}/attributes", json=forged, headers=headers), 422
    )
    assert {e["field"] for e in body["errors"]} == {"source", "verified"}


def test_intake_over_the_api(http: httpx.Client) -> None:
    manager = bearer(http, "klantmanager1")
    body = {
        "bsn": "111222333",
        "givenName": "Samira",
        "familyName": "Haddou",
        "birthDate": "1988-07-14",
    }
    created = http.post("/api/v1/persons", json=body, headers=manager)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/api/v1/persons/{created.json()['id']}"
    assert created.json()["bsn"] is None and created.json()["name"] == "Samira Haddou"
    assert created.json()["id"] in me(http, manager)["caseload"]
    assert_problem(http.post("/api/v1/persons", json=body, headers=manager), 409)


def test_the_catalogue_and_openapi_are_published(http: httpx.Client) -> None:
    definitions = http.get("/api/v1/attribute-definitions").json()
    zrm = [d for d in definitions if d["category"] == "zrm"]
    assert len(zrm) == 13 and zrm[0]["label"]["nl"] and zrm[0]["label"]["en"]
    assert {d["sensitivity"] for d in definitions} >= {"special", "criminal", "financial"}
    spec = http.get("/api/v1/openapi.json").json()
    assert "/api/v1/persons/{person_id}/attributes" in spec["paths"]


def test_a_team_lead_hands_a_case_over_and_access_moves(http: httpx.Client) -> None:
    first, second = bearer(http, "klantmanager1"), bearer(http, "klantmanager2")
    person = me(http, first)["caseload"][0]
    lead = bearer(http, "teamleider1")
    target = me(http, second)["id"]
    response = http.post(
        "/api/v1/assignments", json={"personId": person, "caseManagerId": target}, headers=lead
    )
    assert response.status_code == 201, response.text
    url = f"/api/v1/persons/{person}/attributes?purpose=re-integratie"
    assert http.get(url, headers=first).status_code == 404
    assert http.get(url, headers=second).status_code == 200


BAD_VALUES = [
    ("unknown key", {"key": "shoe_size", "value": 44, "source": "municipality"}, 422),
    ("wrong type", {"key": "children_count", "value": "two", "source": "municipality"}, 422),
    (
        "zrm score of 7",
        {
            "key": "zrm_financien",
            "value": 7,
            "source": "municipality",
            "instrumentVersion": "ZRM 2017",
        },
        422,
    ),
    (
        "oversized value",
        {"key": "last_occupation", "value": "x" * 70_000, "source": "municipality"},
        422,
    ),
    ("unknown field", {"key": "phone", "value": "06", "source": "municipality", "x": 1}, 422),
    ("unknown source", {"key": "phone", "value": "06", "source": "rumour"}, 422),
    ("postcode typo", {"key": "postcode", "value": "0123 AB", "source": "municipality"}, 422),
    ("email typo", {"key": "email", "value": "naam@gemeente", "source": "municipality"}, 422),
]


@pytest.mark.parametrize(("case", "body", "status"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_values_get_a_clear_problem_and_store_nothing(
    http: httpx.Client, case: str, body: dict[str, Any], status: int
) -> None:
    manager = bearer(http, "klantmanager1")
    person = me(http, manager)["caseload"][0]
    url = f"/api/v1/persons/{person}/attributes"
    before = http.get(f"{url}?history=true", headers=manager).json()
    problem = assert_problem(http.post(url, json=body, headers=manager), status)
    assert "errors" in problem
    assert str(body["value"])[:50] not in str(problem)
    assert http.get(f"{url}?history=true", headers=manager).json() == before


def test_malformed_and_oversized_bodies_are_refused(http: httpx.Client) -> None:
    manager = bearer(http, "klantmanager1")
    person = me(http, manager)["caseload"][0]
    url = f"/api/v1/persons/{person}/attributes"
    headers = {**manager, "content-type": "application/json"}
    assert_problem(http.post(url, content=b'{"key": "phone", "value":', headers=headers), 400)
    huge = b'{"key": "phone", "value": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert_problem(http.post(url, content=huge, headers=headers), 413)
    chunked = (b"x" * 512 * 1024 for _ in range(3))  # no content-length: sent in chunks
    assert_problem(http.post(url, content=chunked, headers=headers), 413)


def test_a_nul_character_anywhere_in_a_request_is_refused_plainly(http: httpx.Client) -> None:
    # PostgreSQL cannot store it in text: a login with one answered 500 there.
    token = http.post("/api/v1/auth/token", data={"username": "inwoner\x001", "password": "x"})
    assert assert_problem(token, 400)["titleEn"].endswith("(the NUL character).")
    manager = bearer(http, "klantmanager1")
    person = me(http, manager)["caseload"][0]
    url = f"/api/v1/persons/{person}/attributes"
    assert_problem(http.get(f"{url}?purpose=re-integratie%00", headers=manager), 400)
    assert_problem(http.get(f"/api/v1/persons/{person}%00/attributes", headers=manager), 400)
    before = http.get(f"{url}?history=true", headers=manager).json()
    headers = {**manager, "content-type": "application/json"}
    body = json.dumps({"key": "street", "value": "Dorpsstraat\u00001", "source": "municipality"})
    assert_problem(http.post(url, content=body, headers=headers), 400)
    after_a_backslash = body.replace("\\u0000", "\\\\\\u0000")
    assert_problem(http.post(url, content=after_a_backslash, headers=headers), 400)
    assert http.get(f"{url}?history=true", headers=manager).json() == before
    # An escaped backslash before "u0000" is text, not a NUL, and is kept as it is.
    text = body.replace("\\u0000", "\\\\u0000")
    response = http.post(url, content=text, headers=headers)
    assert response.status_code == 201 and response.json()["value"] == "Dorpsstraat\\u00001"


def test_an_invalid_bsn_at_intake_is_refused_without_echoing_it(http: httpx.Client) -> None:
    manager = bearer(http, "klantmanager1")
    before = len(me(http, manager)["caseload"])
    body = {"bsn": "123456789", "givenName": "A", "familyName": "B", "birthDate": "1990-01-01"}
    response = http.post("/api/v1/persons", json=body, headers=manager)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "bsn"
    assert "123456789" not in response.text
    assert len(me(http, manager)["caseload"]) == before


def test_problem_titles_follow_accept_language(http: httpx.Client) -> None:
    english = http.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.json()["title"] == "You are not logged in"
    assert http.get("/api/v1/me").json()["title"] == "U bent niet ingelogd"


def test_an_unexpected_error_is_logged_without_who_or_what(
    live: LiveServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    headers = bearer(http, "klantmanager1")
    person = http.get("/api/v1/me", headers=headers).json()["caseload"][0]

    bsn, name = "".join(["1112", "22333"]), "Jan" + "sen"  # not in the source's own lines

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"BSN {bsn} of {name}")  # as a careless library might

    monkeypatch.setattr(vault_service, "read_vault", broken)
    server_log = logging.getLogger("uvicorn")  # keeps its records from the root logger
    server_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.ERROR):
            response = http.get(
                f"/api/v1/persons/{person}/attributes?purpose=re-integratie", headers=headers
            )
    finally:
        server_log.removeHandler(caplog.handler)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert bsn not in response.text and "Traceback" not in response.text
    logged = caplog.text  # every logger's records, with any traceback they carry
    assert "unexpected RuntimeError on GET /persons/{person_id}/attributes" in logged
    assert person not in logged, "the path names the person: the route's template is logged"
    assert bsn not in logged and name not in logged, "the message stays out of every log"
