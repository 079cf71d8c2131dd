"""The processing log over real HTTP: a resident sees who read their data, and anyone can
check that line against a signed checkpoint with nothing but the public key."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
from pydantic import SecretStr

from datameent.ledger import NoteKey, open_note, verify_consistency, verify_inclusion
from datameent.services import ledger
from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_api import assert_problem, me
from tests.support import LOG_KEY, LOG_ORIGIN


def b(text: str) -> bytes:
    return base64.b64decode(text)


def test_a_resident_sees_reads_and_can_check_each_line(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner1")
    person = me(http, resident)["personId"]
    manager_name = None
    for n in (1, 2, 3):
        headers = bearer(http, f"klantmanager{n}")
        if person in me(http, headers)["caseload"]:
            traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            response = http.get(
                f"/api/v1/persons/{person}/attributes?purpose=re-integratie",
                headers={**headers, "traceparent": traceparent},
            )
            assert response.status_code == 200
            manager_name = me(http, headers)["displayName"]
    lines = http.get(f"/api/v1/persons/{person}/processing-log", headers=resident).json()
    read = next(line for line in lines if line["traceId"] == "0af7651916cd43dd8448eb211c80319c")
    assert read["operation"] == "vault.read" and read["outcome"] == "allowed"
    assert read["description"] == {"nl": "Bekeek uw gegevens", "en": "Viewed your data"}
    assert read["who"]["name"] == manager_name and read["who"]["roles"] == ["case_manager"]
    assert read["purpose"]["nl"] and "Participatiewet" in read["legalBasis"]
    assert "Voornaam" in [label["nl"] for label in read["attributeLabels"]]

    key = http.get("/api/v1/ledger/public-key").json()
    checkpoint = http.get("/api/v1/ledger/checkpoint").json()
    signed = open_note(checkpoint["note"], key["verifierKey"])
    assert signed.size == checkpoint["treeSize"] and signed.root == b(checkpoint["rootHash"])
    proof = http.get(
        f"/api/v1/ledger/entries/{read['index']}/inclusion-proof", params={"treeSize": signed.size}
    ).json()
    assert proof["leafIndex"] == read["index"] and proof["treeSize"] == signed.size
    verify_inclusion(
        b(proof["leafHash"]),
        read["index"],
        signed.size,
        [b(h) for h in proof["hashes"]],
        signed.root,
    )


def test_consistency_between_two_checkpoints(http: httpx.Client) -> None:
    key = http.get("/api/v1/ledger/public-key").json()["verifierKey"]
    first = open_note(http.get("/api/v1/ledger/checkpoint").json()["note"], key)
    resident = bearer(http, "inwoner2")
    person = me(http, resident)["personId"]
    http.get(f"/api/v1/persons/{person}/attributes", headers=resident)
    second = open_note(http.get("/api/v1/ledger/checkpoint").json()["note"], key)
    assert second.size > first.size
    proof = http.get(
        "/api/v1/ledger/consistency-proof", params={"first": first.size, "second": second.size}
    ).json()
    verify_consistency(
        first.size, second.size, [b(h) for h in proof["hashes"]], first.root, second.root
    )


def test_proof_requests_out_of_range_get_a_clear_problem(http: httpx.Client) -> None:
    size = http.get("/api/v1/ledger/checkpoint").json()["treeSize"]
    assert_problem(
        http.get(f"/api/v1/ledger/entries/{size}/inclusion-proof", params={"treeSize": size}), 422
    )
    assert_problem(
        http.get("/api/v1/ledger/entries/0/inclusion-proof", params={"treeSize": size + 10}), 422
    )
    assert_problem(
        http.get("/api/v1/ledger/entries/-1/inclusion-proof", params={"treeSize": size}), 422
    )
    assert_problem(
        http.get("/api/v1/ledger/consistency-proof", params={"first": size, "second": size - 1}),
        422,
    )
    assert_problem(
        http.get("/api/v1/ledger/consistency-proof", params={"first": 1, "second": size + 1}), 422
    )


def test_a_malformed_traceparent_is_refused_and_nothing_is_logged(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner3")
    person = me(http, resident)["personId"]
    url = f"/api/v1/persons/{person}/processing-log"
    before = len(http.get(url, headers=resident).json())
    for bad in (
        "garbage",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
    ):
        response = http.get(
            f"/api/v1/persons/{person}/attributes", headers={**resident, "traceparent": bad}
        )
        assert_problem(response, 400)
    after = http.get(url, headers=resident).json()
    assert len(after) == before + 1, "only the second look at the log itself was added"


def test_only_the_resident_and_the_privacy_officer_read_the_entries(http: httpx.Client) -> None:
    person = me(http, bearer(http, "inwoner1"))["personId"]
    url = f"/api/v1/persons/{person}/processing-log"
    assert http.get(url, headers=bearer(http, "privacy1")).status_code == 200
    for other in ("inwoner2", "klantmanager1", "teamleider1", "admin1"):
        assert_problem(http.get(url, headers=bearer(http, other)), 404)
    assert_problem(http.get(url), 401)


def test_after_the_signing_key_changed_every_checkpoint_still_checks_out(
    seeded_url: str, tmp_path: Path
) -> None:
    old_key, new_seed = NoteKey(LOG_ORIGIN, LOG_KEY), bytes(range(200, 232))
    new_key = NoteKey(LOG_ORIGIN, new_seed)
    before = LiveServer(seeded_url, tmp_path)
    with httpx.Client(base_url=before.url, timeout=30) as client:
        resident = bearer(client, "inwoner1")
        person = me(client, resident)["personId"]
        first = client.get("/api/v1/ledger/checkpoint").json()
        assert client.get(f"/api/v1/persons/{person}/attributes", headers=resident).is_success
        second = client.get("/api/v1/ledger/checkpoint").json()
    before.stop()
    assert first["treeSize"] < second["treeSize"]

    after = LiveServer(
        seeded_url,
        tmp_path,
        log_signing_key=SecretStr(base64.b64encode(new_seed).decode()),
        log_earlier_verifier_keys=old_key.verifier(),
    )
    try:
        with httpx.Client(base_url=after.url, timeout=30) as client:
            published = client.get("/api/v1/ledger/public-key").json()
            assert published["verifierKey"] == new_key.verifier()
            assert published["earlierVerifierKeys"] == [old_key.verifier()]
            # The newest checkpoint, signed before the change, is signed by the new key too.
            latest = client.get("/api/v1/ledger/checkpoint").json()
            assert latest["treeSize"] == second["treeSize"]
            assert open_note(latest["note"], new_key.verifier()).size == second["treeSize"]
            assert open_note(latest["note"], old_key.verifier()).size == second["treeSize"]
            assert latest["note"].startswith(second["note"])
        # The one before stays the old key's alone: checked with the earlier key, and only so.
        assert ledger.verify_log(after.store, new_key.verifier(), earlier=[old_key.verifier()]).ok
        alone = ledger.verify_log(after.store, new_key.verifier())
        assert not alone.ok and alone.problem == "bad checkpoint signature"
        assert alone.first_bad_index == first["treeSize"]
    finally:
        after.stop()


def test_a_long_log_comes_in_pages_over_the_api(http: httpx.Client) -> None:
    resident = bearer(http, "inwoner5")
    person = me(http, resident)["personId"]
    for _ in range(7):
        http.get(f"/api/v1/persons/{person}/attributes", headers=resident)
    url = f"/api/v1/persons/{person}/processing-log"
    whole = [line["index"] for line in http.get(url, headers=resident).json()]
    assert len(whole) >= 8
    first = http.get(url, params={"limit": 3}, headers=resident)
    pages = [[line["index"] for line in first.json()]]
    following = first.links.get("next")
    while following:
        page = http.get(following["url"], headers=resident)
        pages.append([line["index"] for line in page.json()])
        following = page.links.get("next")
    assert all(len(p) == 3 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 3
    paged = [index for p in pages for index in p]
    # Reading the whole log added a line on top; reading each page added one too, above the
    # pages that followed, which went on from where the page before ended.
    assert paged[1:] == whole and paged[0] > whole[0]
    older = http.get(url, params={"before": whole[2]}, headers=resident).json()
    assert [line["index"] for line in older] == whole[3:]
    for bad in ({"limit": 0}, {"limit": 1001}, {"before": -1}, {"limit": "many"}):
        assert_problem(http.get(url, params=bad, headers=resident), 422)
