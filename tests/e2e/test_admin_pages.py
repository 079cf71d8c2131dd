"""The administrator's pages over real HTTP: employees' accounts, edits, stopping an account
(the employee's open session ends at once), and what is refused."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import LiveServer
from tests.e2e.test_pages import login, post_form
from tests.support import user


def account_path(live: LiveServer, username: str) -> str:
    return f"/beheer/accounts/{user(live.store, username).id}"


def test_the_administrator_lands_on_the_accounts_and_stops_a_leavers_sessions(
    live: LiveServer, http: httpx.Client
) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as manager:
        login(manager, "klantmanager1")
        assert manager.get("/clienten").status_code == 200

        login(http, "admin1")
        listing = http.get("/", follow_redirects=True)
        assert listing.url.path == "/beheer/accounts"
        assert "Accounts van medewerkers" in listing.text and "klantmanager1" in listing.text
        assert "inwoner1" not in listing.text, "residents' accounts are not listed"
        path = account_path(live, "klantmanager1")
        page = http.get(path)
        assert page.status_code == 200 and "Sessies die nu open zijn</dt><dd>1<" in page.text
        assert re.search(r"Cliënten op dit moment</dt><dd>[1-9]", page.text)

        stopped = post_form(http, path, f"{path}/stoppen", {})
        assert stopped.status_code == 303
        after = http.get(stopped.headers["location"])
        assert "Het account is gestopt" in after.text and "Account gestopt" in after.text
        assert "Laat het account van" in after.text

        gone = manager.get("/clienten")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/inloggen")
        again = login(manager, "klantmanager1")
        assert again.status_code != 303, "a stopped account cannot log in"

        with httpx.Client(base_url=live.url, timeout=30) as lead:
            login(lead, "teamleider1")
            team = lead.get("/team").text
            assert "account gestopt: graag overdragen" in team, "the team lead sees what waits"

        assert post_form(http, path, f"{path}/activeren", {}).status_code == 303
        assert login(manager, "klantmanager1").status_code == 303


def test_an_edit_is_saved_and_bad_input_is_refused_plainly(
    live: LiveServer, http: httpx.Client
) -> None:
    login(http, "admin1")
    path = account_path(live, "klantmanager1")
    before = user(live.store, "klantmanager1")
    for roles, message in (
        (["resident"], "Deze rol geeft een beheerder niet"),
        (["boss"], "Kies rollen uit de lijst"),
        ([], "Kies minstens één rol"),
    ):
        refused = post_form(
            http,
            path,
            path,
            {"display_name": "Ander", "team": "Team 9", "roles": roles},
        )
        assert refused.status_code == 422 and message in refused.text, roles
        assert 'role="alert"' in refused.text and "Traceback" not in refused.text
    assert user(live.store, "klantmanager1") == before, "nothing changed"

    saved = post_form(
        http,
        path,
        path,
        {"display_name": "Kees Klant", "team": "Team 2", "roles": ["case_manager", "team_lead"]},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("klaar=opgeslagen")
    changed = user(live.store, "klantmanager1")
    assert (changed.display_name, changed.team) == ("Kees Klant", "Team 2")
    assert {r.value for r in changed.roles} == {"case_manager", "team_lead"}

    own = account_path(live, "admin1")
    refused = post_form(http, own, f"{own}/stoppen", {})
    assert refused.status_code == 422 and "uw eigen account niet stoppen" in refused.text
    assert user(live.store, "admin1").active


def test_only_the_administrator_sees_accounts_and_residents_are_not_found(
    live: LiveServer, http: httpx.Client
) -> None:
    login(http, "privacy1")
    denied = http.get("/beheer/accounts")
    assert denied.status_code == 403 and "Geen toegang" in denied.text
    assert "klantmanager1" not in denied.text
    with httpx.Client(base_url=live.url, timeout=30) as admin:
        login(admin, "admin1")
        resident = admin.get(account_path(live, "inwoner1"))
        assert resident.status_code == 404 and "Niet gevonden" in resident.text
        assert admin.get("/beheer/accounts/not-a-uuid").status_code == 422


def test_everyone_changes_their_own_password_and_is_logged_out_elsewhere(
    live: LiveServer, http: httpx.Client
) -> None:
    new = "drie woorden achter elkaar"
    with httpx.Client(base_url=live.url, timeout=30) as phone:
        login(phone, "inwoner1")
        login(http, "inwoner1")
        page = http.get("/mijn-gegevens")
        assert 'href="/wachtwoord"' in page.text
        fields = {"current_password": "wrong", "new_password": new, "repeated": new}
        wrong = post_form(http, "/wachtwoord", "/wachtwoord", fields)
        assert wrong.status_code == 422 and "Uw huidige wachtwoord klopt niet" in wrong.text
        assert "wrong" not in wrong.text and new not in wrong.text, "passwords are never echoed"
        fields = {"current_password": "demo", "new_password": new, "repeated": "other"}
        unequal = post_form(http, "/wachtwoord", "/wachtwoord", fields)
        assert unequal.status_code == 422 and "niet gelijk" in unequal.text
        assert phone.get("/mijn-gegevens").status_code == 200

        fields = {"current_password": "demo", "new_password": new, "repeated": new}
        done = post_form(http, "/wachtwoord", "/wachtwoord", fields)
        assert done.status_code == 303
        assert "Uw wachtwoord is gewijzigd" in http.get(done.headers["location"]).text
        assert http.get("/mijn-gegevens").status_code == 200, "this session goes on"
        assert phone.get("/mijn-gegevens").status_code == 303, "the other one has ended"
        assert login(phone, "inwoner1").status_code != 303
        assert login(phone, "inwoner1", new).status_code == 303


def test_a_new_employee_gets_a_temporary_password_and_must_choose_their_own_first(
    live: LiveServer, http: httpx.Client
) -> None:
    login(http, "admin1")
    fields: dict[str, str | list[str]] = {
        "username": "k.kok",
        "display_name": "Kees Kok",
        "team": "Team 1",
        "roles": ["case_manager"],
    }
    made = post_form(http, "/beheer/accounts/nieuw", "/beheer/accounts/nieuw", fields)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    shown = re.search(r'<code class="code password">([a-z2-9-]{19})</code>', made.text)
    assert shown, "the temporary password is shown once"
    temporary = shown.group(1)
    again = post_form(http, "/beheer/accounts/nieuw", "/beheer/accounts/nieuw", fields)
    assert again.status_code == 422 and "Deze gebruikersnaam bestaat al" in again.text

    with httpx.Client(base_url=live.url, timeout=30) as newcomer:
        assert login(newcomer, "k.kok", temporary).status_code == 303
        sent = newcomer.get("/clienten")
        assert sent.status_code == 303 and sent.headers["location"] == "/wachtwoord"
        page = newcomer.get("/wachtwoord")
        assert "U hebt uw wachtwoord van een beheerder gekregen" in page.text
        token = newcomer.post(
            "/api/v1/auth/token", data={"username": "k.kok", "password": temporary}
        )
        assert token.status_code == 403
        assert token.headers["content-type"].startswith("application/problem+json")
        assert "eigen wachtwoord" in token.json()["title"]
        chosen = "een eigen lang wachtwoord"
        change = {"current_password": temporary, "new_password": chosen, "repeated": chosen}
        assert post_form(newcomer, "/wachtwoord", "/wachtwoord", change).status_code == 303
        assert newcomer.get("/clienten").status_code == 200

    path = account_path(live, "k.kok")
    reset = post_form(http, path, f"{path}/wachtwoord", {})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    assert "Een tijdelijk wachtwoord voor Kees Kok" in reset.text
    assert user(live.store, "k.kok").must_change_password


def test_the_routes_that_hash_a_password_stay_off_the_event_loop() -> None:
    # argon2id takes a fifth of a second on purpose: on the event loop (web/routing.py) it
    # would hold up every other request of the process for that long.
    from fastapi.routing import APIRoute

    from datameent.web.pages import admin, auth
    from datameent.web.routing import OnTheLoop

    hashing = {
        ("POST", "/inloggen"),
        ("POST", "/wachtwoord"),
        ("POST", "/beheer/accounts/nieuw"),
        ("POST", "/beheer/accounts/{account_id}/wachtwoord"),
    }
    found = {
        (method, route.path): route
        for route in (*auth.router.routes, *admin.slow.routes, *admin.quick.routes)
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert hashing <= found.keys()
    assert not any(isinstance(found[key], OnTheLoop) for key in hashing)
    assert isinstance(found[("GET", "/beheer/accounts/{account_id}")], OnTheLoop)


def test_the_privacy_officer_sees_an_account_stopped_on_their_page(
    live: LiveServer, http: httpx.Client
) -> None:
    login(http, "admin1")
    path = account_path(live, "klantmanager1")
    assert post_form(http, path, f"{path}/stoppen", {}).status_code == 303
    with httpx.Client(base_url=live.url, timeout=30) as officer:
        login(officer, "privacy1")
        page = officer.get("/privacy").text
    assert "Wijzigingen in accounts van medewerkers (1)" in page
    section = page[page.index('id="accounts"') :]
    assert "Account gestopt" in section and "klantmanager1" in section
    assert "Beheerder" in section, "and by whom"


def test_a_resident_logs_out_on_the_library_computer_from_home(
    live: LiveServer, http: httpx.Client
) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as library:
        login(library, "inwoner1")
        login(http, "inwoner1")
        page = http.get("/wachtwoord").text
        assert "U bent ook ergens anders ingelogd (1)" in page
        ended = post_form(http, "/wachtwoord", "/wachtwoord/elders-uitloggen", {})
        assert ended.status_code == 303
        after = http.get(ended.headers["location"]).text
        assert "U bent overal anders uitgelogd (1)" in after
        assert "U bent alleen hier ingelogd" in after
        assert library.get("/mijn-gegevens").status_code == 303, "the library is logged out"
        assert http.get("/mijn-gegevens").status_code == 200, "home is not"
    odd = http.get("/wachtwoord?uitgelogd=<b>x</b>").text
    assert "overal anders uitgelogd" not in odd
