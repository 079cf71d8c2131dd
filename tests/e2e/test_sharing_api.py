"""Purpose-bound sharing over real HTTP: requests, answers, grants, four eyes, break-glass."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from datameent.services import clock
from tests.e2e.conftest import bearer
from tests.e2e.test_api import assert_problem, me

SOON = (clock.today() + timedelta(days=10)).isoformat()


def manager_of(http: httpx.Client, person: str) -> dict[str, str]:
    for n in (1, 2, 3):
        headers = bearer(http, f"klantmanager{n}")
        if person in me(http, headers)["caseload"]:
            return headers
    raise AssertionError("nobody serves this resident")


def sharing_of(http: httpx.Client, resident: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/v1/me/sharing", headers=resident)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_purpose_register_is_published_with_its_versions(http: httpx.Client) -> None:
    headers = bearer(http, "inwoner1")
    current = http.get("/api/v1/purposes", headers=headers).json()
    codes = {p["code"] for p in current}
    assert {"bijstand-aanvraag", "heronderzoek", "re-integratie", "schuldhulp"} <= codes
    assert {"wmo-ondersteuning", "onderzoek-statistiek"} <= codes
    review = next(p for p in current if p["code"] == "heronderzoek")
    assert review["version"] == 2 and review["basis"] == "duty" and review["refusal"]["nl"]
    everything = http.get("/api/v1/purposes?allVersions=true", headers=headers).json()
    assert [p["version"] for p in everything if p["code"] == "heronderzoek"] == [1, 2]


def test_ask_answer_read_and_revoke_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner2")
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    url = f"/api/v1/persons/{person}/attributes?purpose=schuldhulp"
    assert_problem(http.get(url, headers=manager), 404)

    body = {
        "purpose": "schuldhulp",
        "dueDate": SOON,
        "items": [
            {"key": "debts", "reason": "Om een plan te maken."},
            {"key": "monthly_rent", "reason": "Vaste lasten gaan voor."},
        ],
    }
    created = http.post(f"/api/v1/persons/{person}/requests", json=body, headers=manager)
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["status"] == "open" and request["basis"] == "consent"
    seen = http.get(f"/api/v1/me/requests/{request['id']}", headers=resident).json()
    assert seen["refusal"].startswith("U hoeft niets te delen")

    answers = {
        "answers": [
            {"key": "debts", "answer": "shared"},
            {"key": "monthly_rent", "answer": "declined"},  # consent: no reason needed
        ]
    }
    answered = http.post(
        f"/api/v1/me/requests/{request['id']}/answers", json=answers, headers=resident
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    read = http.get(url, headers=manager)
    assert read.status_code == 200 and {i["key"] for i in read.json()} == {"debts"}

    grant = next(g for g in sharing_of(http, resident)["grants"] if g["requestId"] == request["id"])
    assert grant["revocable"] and grant["state"] == "active" and grant["keys"] == ["debts"]
    revoked = http.post(f"/api/v1/me/grants/{grant['id']}/revoke", headers=resident)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert_problem(http.get(url, headers=manager), 404)


def test_bad_input_gets_a_problem_and_changes_nothing(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner3")
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    url = f"/api/v1/persons/{person}/requests"
    before = len(http.get(f"/api/v1/persons/{person}/cases", headers=manager).json()["requests"])
    bad_bodies = [
        {"purpose": "re-integratie", "dueDate": SOON, "items": [{"key": "nope", "reason": "x"}]},
        {"purpose": "geen-doel", "dueDate": SOON, "items": [{"key": "phone", "reason": "x"}]},
        {
            "purpose": "re-integratie",
            "dueDate": "2020-01-01",
            "items": [{"key": "phone", "reason": "x"}],
        },
        {"purpose": "re-integratie", "dueDate": SOON, "items": [{"key": "savings", "reason": "x"}]},
    ]
    for bad in bad_bodies:
        assert_problem(http.post(url, json=bad, headers=manager), 422)
    malformed = {**manager, "content-type": "application/json"}
    assert_problem(http.post(url, content=b"{not json", headers=malformed), 400)
    after = len(http.get(f"/api/v1/persons/{person}/cases", headers=manager).json()["requests"])
    assert after == before

    duty = next(g for g in sharing_of(http, resident)["grants"] if g["basis"] == "duty")
    assert_problem(http.post(f"/api/v1/me/grants/{duty['id']}/revoke", headers=resident), 409)

    other = bearer(http, "inwoner1")
    open_request = next(r for r in sharing_of(http, other)["requests"] if r["status"] == "open")
    foreign = http.post(
        f"/api/v1/me/requests/{open_request['id']}/answers",
        json={"answers": [{"key": "housing", "answer": "shared"}]},
        headers=resident,
    )
    assert_problem(foreign, 404)
    assert_problem(http.post(f"/api/v1/me/grants/{duty['id']}/revoke", headers=other), 404)
    assert_problem(http.get(f"/api/v1/persons/{person}/cases", headers=other), 404)


def test_four_eyes_and_break_glass_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner4")
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    officer = bearer(http, "privacy1")
    body = {
        "purpose": "re-integratie",
        "dueDate": SOON,
        "items": [
            {
                "key": "savings",
                "reason": "Voor de kosten van een opleiding.",
                "justification": "Een betaalde opleiding is de beste route naar werk hier.",
            }
        ],
    }
    created = http.post(f"/api/v1/persons/{person}/requests", json=body, headers=manager).json()
    assert created["status"] == "awaiting_approval"
    assert_problem(http.get(f"/api/v1/me/requests/{created['id']}", headers=resident), 404)
    approval = f"/api/v1/requests/{created['id']}/items/savings/approval"
    assert_problem(
        http.post(approval, json={"approve": True}, headers=manager), 403
    )  # never one's own request
    waiting = http.get("/api/v1/requests/awaiting-approval", headers=officer).json()
    assert created["id"] in {r["id"] for r in waiting}
    judged = http.post(approval, json={"approve": True}, headers=officer)
    assert judged.status_code == 200 and judged.json()["status"] == "open"
    seen = http.get(f"/api/v1/me/requests/{created['id']}", headers=resident).json()
    assert seen["items"][0]["inPurpose"] is False and seen["items"][0]["justification"]

    short = http.post(
        f"/api/v1/persons/{person}/break-glass", json={"reason": "nu"}, headers=manager
    )
    assert_problem(short, 422)
    opened = http.post(
        f"/api/v1/persons/{person}/break-glass",
        json={"reason": "Cliënt in crisis, contactgegevens nodig voor de crisisdienst."},
        headers=manager,
    )
    assert opened.status_code == 201, opened.text
    whole = http.get(f"/api/v1/persons/{person}/attributes", headers=manager)
    assert whole.status_code == 200 and "savings" in {i["key"] for i in whole.json()}
    assert any(b["id"] == opened.json()["id"] for b in sharing_of(http, resident)["breakGlass"])
    queue = http.get("/api/v1/break-glass", headers=officer).json()
    assert opened.json()["id"] in {b["id"] for b in queue}
    review = http.post(
        f"/api/v1/break-glass/{opened.json()['id']}/review",
        json={"review": "justified", "note": "Crisis bevestigd door de crisisdienst."},
        headers=officer,
    )
    assert review.status_code == 204
    assert_problem(http.get("/api/v1/break-glass", headers=manager), 403)
    kinds = {n["kind"] for n in http.get("/api/v1/me/notifications", headers=resident).json()}
    assert {"request.new", "vault.break_glass"} <= kinds


def test_every_sharing_endpoint_is_in_the_openapi(http: httpx.Client) -> None:
    paths = http.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/purposes",
        "/api/v1/persons/{person_id}/cases",
        "/api/v1/persons/{person_id}/requests",
        "/api/v1/requests/{request_id}/items/{key}/approval",
        "/api/v1/requests/awaiting-approval",
        "/api/v1/me/sharing",
        "/api/v1/me/requests/{request_id}",
        "/api/v1/me/requests/{request_id}/answers",
        "/api/v1/me/grants",
        "/api/v1/me/grants/{grant_id}/revoke",
        "/api/v1/persons/{person_id}/break-glass",
        "/api/v1/break-glass",
        "/api/v1/break-glass/{access_id}/review",
        "/api/v1/me/notifications",
    ):
        assert path in paths, path


def test_a_resident_shares_on_their_own_initiative_through_the_page(http: httpx.Client) -> None:
    import re

    from tests.e2e.test_pages import csrf_token, login

    login(http, "inwoner5")
    page = http.get("/mijn-verzoeken")
    assert page.status_code == 200 and "Zelf iets delen" in page.text
    action, key = re.search(
        r'action="(/mijn-delen/zaak/[0-9a-f-]{36})".*?name="share-(\w+)"', page.text, re.S
    ).groups()  # type: ignore[union-attr]
    token = csrf_token(page.text)
    shared = http.post(action, data={"csrf_token": token, f"share-{key}": "on"})
    assert shared.status_code == 303 and "gedeeld=1" in shared.headers["location"]
    nothing = http.post(action, data={"csrf_token": token})
    assert nothing.status_code == 422 and "Traceback" not in nothing.text
    resident = bearer(http, "inwoner5")
    consent = [g for g in sharing_of(http, resident)["grants"] if g["keys"] == [key]]
    assert consent and consent[0]["basis"] == "consent" and consent[0]["revocable"]
