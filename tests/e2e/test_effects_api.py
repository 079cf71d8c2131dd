"""Suggestions of the effect model over real HTTP: the resident's own, the case manager's under
re-integratie, a stranger refused, the objection, and a model in use."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_api import assert_problem, me
from tests.e2e.test_sharing_api import manager_of


def test_suggestions_over_the_api(http: httpx.Client, live: LiveServer) -> None:
    from datameent.analytics.effects.synthetic import warehouse
    from datameent.analytics.synth import population
    from datameent.services import effects
    from tests.integration.test_effects_service import FAST, _passed
    from tests.support import user

    resident = bearer(http, "inwoner3")
    person = me(http, resident)["personId"]
    empty = http.get(f"/api/v1/persons/{person}/suggestions", headers=resident)
    assert empty.status_code == 200 and empty.json()["state"] == "no_model"

    store = live.store
    fitted = _passed(effects.fit(effects.Source.synthetic(warehouse(population(150_000, 8))), FAST))
    done = effects.register(store, effects.service_account(store), fitted, live.data_dir)
    effects.activate(store, user(store, "privacy1"), done.version)

    own = http.get(f"/api/v1/persons/{person}/suggestions", headers=resident).json()
    assert own["state"] == "personal" and own["modelVersion"] == done.version
    shown = [o for o in own["options"] if o["supported"]]
    assert shown and all("mensen zoals u" in o["explanation"]["nl"] for o in shown)
    assert all(o["lower"] <= o["effect"] <= o["upper"] for o in shown)
    manager = manager_of(http, person)
    theirs = http.get(f"/api/v1/persons/{person}/suggestions", headers=manager).json()
    assert theirs["suggested"] == own["suggested"]
    assert all("zoals deze cliënt" in o["explanation"]["nl"] for o in theirs["options"]
               if o["supported"])  # fmt: skip
    stranger = next(
        bearer(http, f"klantmanager{n}") for n in (1, 2, 3)
        if person not in me(http, bearer(http, f"klantmanager{n}"))["caseload"]
    )  # fmt: skip
    assert_problem(http.get(f"/api/v1/persons/{person}/suggestions", headers=stranger), 404)

    assert_problem(
        http.put("/api/v1/me/suggestions-objection", json={"objecting": True}, headers=manager),
        422,
    )
    assert_problem(
        http.put("/api/v1/me/suggestions-objection", json={"objecting": "x"}, headers=resident),
        422,
    )
    objected = http.put(
        "/api/v1/me/suggestions-objection", json={"objecting": True}, headers=resident
    )
    assert objected.status_code == 204
    after = http.get(f"/api/v1/persons/{person}/suggestions", headers=manager).json()
    assert after["state"] == "objected" and after["options"] == [] and after["objectedSince"]
