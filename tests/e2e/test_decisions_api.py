"""Decisions and objections over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from datameent.domain import deadlines
from datameent.services import clock
from tests.e2e.conftest import bearer
from tests.e2e.test_api import assert_problem, me
from tests.e2e.test_sharing_api import manager_of

PDF = b"%PDF-1.4\n%%EOF\n"


def _decision(
    http: httpx.Client, resident: dict[str, str], known: date
) -> tuple[str, str, dict[str, str]]:
    person = me(http, resident)["personId"]
    manager = manager_of(http, person)
    values = http.get(
        f"/api/v1/persons/{person}/attributes?purpose=re-integratie", headers=manager
    ).json()
    body = {
        "kind": "obligation_imposed",
        "outcome": "U solliciteert vier keer per maand.",
        "legalBasis": "Participatiewet art. 9 lid 1",
        "madeKnownOn": known.isoformat(),
        "purpose": "re-integratie",
        "reliedOn": [values[0]["id"]],
        "model": {
            "algorithm": "wat-werkt-voor-wie",
            "version": "2026.11",
            "output": "sollicitatietraining",
            "explanation": "Werkervaring en uren beschikbaar wogen het zwaarst.",
        },
    }
    unregistered = {**body, "model": {**body["model"], "algorithm": "geheim-model"}}  # type: ignore[dict-item]
    assert_problem(
        http.post(f"/api/v1/persons/{person}/decisions", json=unregistered, headers=manager), 422
    )
    created = http.post(f"/api/v1/persons/{person}/decisions", json=body, headers=manager)
    assert created.status_code == 201, created.text
    return person, created.json()["id"], manager


def test_record_object_review_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner16")
    person, decision, manager = _decision(http, resident, clock.today())
    listed = http.get(f"/api/v1/persons/{person}/decisions", headers=resident).json()
    assert listed[0]["algorithm"] == "wat-werkt-voor-wie" and listed[0]["objectionDeadline"]
    filed = http.post(
        f"/api/v1/decisions/{decision}/contestations",
        data={"kind": "objection", "text": "Vier keer is te veel met mijn zorgtaken."},
        files=[("files", ("brief.pdf", PDF, "application/pdf"))],
        headers=resident,
    )
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["attachments"][0]["contentType"] == "application/pdf"
    bad = http.post(
        f"/api/v1/decisions/{decision}/contestations",
        data={"kind": "objection", "text": "x"},
        files=[("files", ("virus.pdf", b"MZ\x90", "application/pdf"))],
        headers=resident,
    )
    assert_problem(bad, 422)
    review = f"/api/v1/contestations/{objection['id']}/decision"
    assert_problem(
        http.post(review, json={"outcome": "rejected", "reasons": "Nee"}, headers=manager), 404
    )
    team = me(http, manager)["team"]
    lead = next(
        headers
        for headers in (bearer(http, f"teamleider{n}") for n in (1, 2))
        if me(http, headers)["team"] == team
    )
    watch = http.get("/api/v1/objections/deadlines", headers=lead).json()
    mine = next(w for w in watch if w["id"] == objection["id"])
    assert not mine["inReview"] and not mine["mine"]
    release = f"/api/v1/contestations/{objection['id']}/release"
    assert_problem(http.post(release, headers=lead), 409)  # nobody has it yet
    assert_problem(http.post(release, headers=manager), 403)  # case managers do not release
    decided = http.post(
        review,
        json={
            "outcome": "partly_upheld",
            "reasons": "Zorgtaken tellen mee.",
            "newOutcome": "Twee keer per maand.",
        },
        headers=lead,
    )
    assert decided.status_code == 204, decided.text
    assert objection["id"] not in {
        w["id"] for w in http.get("/api/v1/objections/deadlines", headers=lead).json()
    }
    after = http.get(f"/api/v1/persons/{person}/decisions", headers=resident).json()
    assert len(after) == len(listed) + 1, "both decisions stay visible"
    assert {d["supersedes"] for d in after[:2]} == {None, decision}
    assert_problem(http.get("/api/v1/objections/deadlines", headers=resident), 403)
    stranger = bearer(http, "inwoner17")
    assert_problem(http.get(f"/api/v1/persons/{person}/decisions", headers=stranger), 404)


def test_a_late_objection_needs_a_reason(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner18")
    _, decision, _ = _decision(http, resident, clock.today() - timedelta(days=60))
    url = f"/api/v1/decisions/{decision}/contestations"
    late = http.post(url, data={"kind": "objection", "text": "Oneens."}, headers=resident)
    body = assert_problem(late, 422)
    assert body["errors"][0]["field"] == "lateReason"
    ok = http.post(
        url,
        data={
            "kind": "objection",
            "text": "Oneens.",
            "lateReason": "De brief kwam op mijn oude adres.",
        },
        headers=resident,
    )
    assert ok.status_code == 201 and ok.json()["late"] is True
    made_known = clock.today() - timedelta(days=60)
    assert ok.json()["decideBy"] == deadlines.decision_deadline(made_known).isoformat()
