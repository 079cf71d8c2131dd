"""Statistics over real HTTP: only through disclosure control, each reader their own warehouse."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from datameent.services import warehouse
from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_api import assert_problem
from tests.e2e.test_pages import login
from tests.support import SEED_PERSONS

KEY = bytes(range(7, 39))


@pytest.fixture
def exported(live: LiveServer) -> LiveServer:
    service = warehouse.service_account(live.store)
    for domain in ("beleid", "clientenraad"):
        warehouse.export(live.store, service, domain, KEY, live.data_dir / "warehouse" / domain)
    return live


def test_a_table_is_protected_and_says_why_cells_are_hidden(
    exported: LiveServer, http: httpx.Client
) -> None:
    analyst = bearer(http, "analist1")
    response = http.get(
        "/api/v1/statistics/tables",
        params={"measure": "clients", "by": ["household_type", "age_band"]},
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["domain"] == "beleid" and body["rules"]["minFrequency"] == 10
    cells = body["cells"]
    grand = next(c for c in cells if set(c["categories"].values()) == {"Totaal"})
    assert grand["value"] == SEED_PERSONS, "everyone in the seeded municipality is counted"
    for cell in cells:
        if cell["value"] is not None:
            assert cell["value"] == 0 or cell["value"] >= 10, "no small count is published"
        else:
            assert cell["reason"]["nl"] and cell["status"] != "safe"
    assert any(c["status"] == "too_few" for c in cells)
    assert any(c["status"] == "secondary" for c in cells), "hidden cells cannot be recomputed"


def test_bad_requests_get_a_clear_error_and_fine_breakdowns_a_suggestion(
    exported: LiveServer, http: httpx.Client
) -> None:
    council = bearer(http, "clientenraad1")
    url = "/api/v1/statistics/tables"
    problem = assert_problem(http.get(url, params={"measure": "maximum"}, headers=council), 422)
    assert problem["errors"][0]["field"] == "measure"
    problem = assert_problem(http.get(url, params={"by": ["bsn"]}, headers=council), 422)
    assert problem["errors"][0]["field"] == "breakdowns"
    assert_problem(http.get(url, params={"where": "nonsense"}, headers=council), 422)
    fine = http.get(
        url, params={"by": ["pc4", "age_band", "household_type"]}, headers=council
    ).json()
    assert fine["domain"] == "clientenraad"
    assert fine["everythingSuppressed"] and fine["leaveOut"] in (
        "pc4",
        "age_band",
        "household_type",
    )
    assert_problem(http.get(url, headers=bearer(http, "klantmanager1")), 403)
    assert_problem(http.get(url, headers=bearer(http, "inwoner1")), 403)


def test_the_page_shows_key_figures_a_chart_with_its_text_and_a_csv(
    exported: LiveServer, http: httpx.Client
) -> None:
    login(http, "clientenraad1")
    page = http.get("/", follow_redirects=True)
    assert page.url.path == "/statistiek" and "Kerncijfers" in page.text
    assert '<svg role="img"' in page.text and "<desc" in page.text and "<caption>" in page.text
    chosen = http.get("/statistiek", params={"maat": "clients", "indeling": ["household_type"]})
    assert chosen.status_code == 200 and "Alleenstaand" in chosen.text
    download = http.get("/statistiek.csv", params={"maat": "clients", "indeling": ["age_band"]})
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Leeftijd" and len(rows) > 2
    bad = http.get("/statistiek", params={"maat": "minimum"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_a_filter_is_typed_as_the_table_shows_it_and_the_title_says_so(
    exported: LiveServer, http: httpx.Client
) -> None:
    """A filter on "Alleenstaand" (as the tables show it) counts the same people as one on its
    code; before, it counted nobody and showed a total of 0."""
    analyst = bearer(http, "analist1")
    url = "/api/v1/statistics/tables"
    by_code, by_label = (
        http.get(url, params={"by": ["age_band"], "where": f"household_type:{value}"},
                 headers=analyst).json()
        for value in ("single", "Alleenstaand")
    )  # fmt: skip
    assert by_label["filters"] == {"household_type": "single"}
    assert by_label["cells"] == by_code["cells"]
    total = next(c for c in by_label["cells"] if c["categories"]["age_band"] == "Totaal")
    assert total["value"] > 0
    unknown = assert_problem(
        http.get(url, params={"where": "household_type:alleen"}, headers=analyst), 422
    )
    assert unknown["errors"][0]["field"] == "filters"

    login(http, "analist1")
    chosen = {"maat": "clients", "indeling": ["age_band"], "filter_indeling": "household_type",
              "filter_waarde": "alleenstaand"}  # fmt: skip
    page = http.get("/statistiek", params=chosen)
    assert page.status_code == 200
    assert "Aantal cliënten naar leeftijd, alleen met huishouden: Alleenstaand" in page.text
    assert '<option value="Alleenstaand">' in page.text, "the values are suggested"
    download = http.get("/statistiek.csv", params=chosen)
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][1] == "Aantal cliënten naar leeftijd, alleen met huishouden: Alleenstaand"
    refused = http.get("/statistiek", params={**chosen, "filter_waarde": "alleen"})
    assert refused.status_code == 422
    assert "Huishouden heeft die waarde niet. Kies uit: Alleenstaand," in refused.text


def test_without_a_warehouse_the_page_says_so(live: LiveServer, http: httpx.Client) -> None:
    login(http, "analist1")
    page = http.get("/statistiek")
    assert page.status_code == 200 and "nog niet klaargezet" in page.text
    assert_problem(http.get("/api/v1/statistics/tables", headers=bearer(http, "analist1")), 404)


def test_noisy_tables_spend_the_readers_budget_and_stop_when_it_is_spent(
    exported: LiveServer, http: httpx.Client
) -> None:
    council = bearer(http, "clientenraad1")
    url = "/api/v1/statistics/tables"
    query = {"measure": "clients", "by": ["household_type"], "epsilon": "1"}
    spent = [http.get(url, params=query, headers=council) for _ in range(5)]
    assert all(r.status_code == 200 for r in spent), spent[-1].text
    last = spent[-1].json()
    assert last["privacy"] == {"epsilon": 1.0, "remaining": 0.0}
    assert all(c["status"] == "noisy" and c["value"] >= 0 for c in last["cells"])
    refused = assert_problem(http.get(url, params=query, headers=council), 422)
    assert (
        refused["errors"][0]["field"] == "epsilon" and "0.00" in refused["errors"][0]["messageEn"]
    )
    # The municipality's own budget is apart from the council's.
    analyst = bearer(http, "analist1")
    assert http.get(url, params=query, headers=analyst).json()["privacy"]["remaining"] == 9.0
    for bad in (
        {**query, "epsilon": "0.3"},
        {**query, "by": ["pc4"]},
        {**query, "measure": "debts"},
    ):
        assert_problem(http.get(url, params=bad, headers=analyst), 422)
    assert http.get(url, params=query, headers=analyst).json()["privacy"]["remaining"] == 8.0


def test_the_page_offers_noise_and_shows_the_budget(
    exported: LiveServer, http: httpx.Client
) -> None:
    login(http, "clientenraad1")
    params = {"maat": "clients", "indeling": ["household_type"], "ruis": "0.5"}
    page = http.get("/statistiek", params=params)
    assert page.status_code == 200 and "met ruis" in page.text
    assert "Privacybudget over: 4.50" in page.text and "/statistiek.csv" not in page.text
    refused = http.get("/statistiek", params={**params, "indeling": ["pc4"]})
    assert refused.status_code == 422 and "vaste lijst" in refused.text
    assert "Privacybudget over: 4.50" in refused.text, "nothing spent on a refused table"


def test_the_quality_report_is_a_page_for_analysts(
    exported: LiveServer, http: httpx.Client
) -> None:
    login(http, "analist1")
    assert "/statistiek/kwaliteit" in http.get("/statistiek").text
    page = http.get("/statistiek/kwaliteit")
    assert page.status_code == 200 and "rijen gecontroleerd" in page.text
    assert "Geen bevindingen" in page.text or "<caption>Bevindingen</caption>" in page.text
    assert "<li>Personen: " in page.text and "<li>ZRM-scores: " in page.text
    for name in ("zrm plausibility", "impossible:", "scorer_drift", "persons:"):
        assert name not in page.text, "the page says what is wrong in words, not in rule names"
    http.cookies.clear()
    login(http, "clientenraad1")
    assert "/statistiek/kwaliteit" not in http.get("/statistiek").text
    assert http.get("/statistiek/kwaliteit").status_code == 403


def test_clients_per_1000_inhabitants_once_the_population_is_loaded(
    exported: LiveServer, http: httpx.Client
) -> None:
    from datameent.analytics.synth import population, population_counts

    analyst = bearer(http, "analist1")
    url = "/api/v1/statistics/tables"
    rate = {"measure": "clients_per_1000", "by": ["age_band"]}
    missing = assert_problem(http.get(url, params=rate, headers=analyst), 404)
    assert "datameent warehouse population" in missing["detail"]
    refused = assert_problem(
        http.get(url, params={"measure": "clients_per_1000", "by": ["education_level"]},
                 headers=analyst), 422,
    )  # fmt: skip
    assert refused["errors"][0]["field"] == "breakdowns"
    login(http, "analist1")
    assert "per 1.000 inwoners" not in http.get("/statistiek").text.split("Kerncijfers")[1]

    counts = population_counts(population(4000, 3).persons)
    warehouse.load_population(exported.data_dir / "warehouse" / "beleid", counts)
    body = http.get(url, params=rate, headers=analyst).json()
    grand = next(c for c in body["cells"] if c["categories"]["age_band"] == "Totaal")
    adults = int(counts.filter(counts["age_band"] != "0-17")["people"].sum())
    assert grand["value"] == pytest.approx(SEED_PERSONS * 1000 / adults)
    page = http.get("/statistiek").text
    assert "Cliënten per 1.000 inwoners van 18 jaar en ouder naar leeftijd" in page
    filtered = http.get(
        "/statistiek",
        params={"maat": "clients", "indeling": ["age_band"], "filter_indeling": "sex",
                "filter_waarde": "V"},
    )  # fmt: skip
    assert filtered.status_code == 200 and "Aantal cliënten naar leeftijd" in filtered.text
