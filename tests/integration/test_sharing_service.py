"""Purpose-bound requests, answers, grants, revocation, four eyes, break-glass, handover and
rectification through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import func, select

from datameent.domain.accounts import User
from datameent.domain.notifications import Kind
from datameent.domain.sharing import Answer, AskedItem, RequestStatus, Review
from datameent.domain.vault import NewValue, Source
from datameent.errors import AccessDenied, Conflict, InvalidInput, NotFound
from datameent.services import caseloads, clock, inbox, sharing, vault
from datameent.store.tables import audit_records, data_requests, grants, log_records
from datameent.store.uow import Store
from tests.support import user

SOON = clock.today() + timedelta(days=10)


def count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def manager_of(store: Store, resident: User) -> User:
    for n in range(1, 4):
        candidate = user(store, f"klantmanager{n}")
        if resident.person_id in {c.person_id for c in caseloads.my_caseload(store, candidate)}:
            return candidate
    raise AssertionError("no case manager serves this resident")


def last_audit(store: Store) -> dict[str, object]:
    with store.engine.connect() as connection:
        payload = connection.scalar(
            select(audit_records.c.payload).order_by(audit_records.c.seq.desc()).limit(1)
        )
    return json.loads(str(payload))  # type: ignore[no-any-return]


def kinds(store: Store, someone: User) -> list[Kind]:
    return [n.kind for n in inbox.inbox(store, someone).notifications]


def test_a_request_answered_per_attribute_opens_exactly_what_was_shared(seeded: Store) -> None:
    resident = user(seeded, "inwoner2")
    person = resident.person_id
    assert person
    manager = manager_of(seeded, resident)
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, person, purpose="wmo-ondersteuning")
    asked = [
        AskedItem("household_size", "Om te zien wie u thuis kan helpen."),
        AskedItem("zrm_basale_adl", "Om te zien welke hulp thuis nodig is."),
        AskedItem("phone", "Om een afspraak te maken."),
    ]

    request = sharing.create_request(seeded, manager, person, "wmo-ondersteuning", asked, SOON)
    assert request.status is RequestStatus.OPEN
    assert Kind.REQUEST_NEW in kinds(seeded, resident)
    seen, held = sharing.my_request(seeded, resident, request.id)
    assert [i.key for i in seen.askable_items] == ["household_size", "phone", "zrm_basale_adl"]
    assert "household_size" in held
    with pytest.raises(InvalidInput):  # a ZRM score is the municipality's: shared, never given
        sharing.answer_request(
            seeded, resident, request.id, [sharing.ItemAnswer("zrm_basale_adl", Answer.GIVEN, 4)]
        )

    with pytest.raises(InvalidInput):  # a duty: declining needs a reason; nothing is stored
        sharing.answer_request(
            seeded,
            resident,
            request.id,
            [
                sharing.ItemAnswer("household_size", Answer.SHARED),
                sharing.ItemAnswer("phone", Answer.DECLINED),
            ],
        )
    assert sharing.my_request(seeded, resident, request.id)[0].item("household_size").answer is None  # type: ignore[union-attr]

    sharing.answer_request(
        seeded,
        resident,
        request.id,
        [
            sharing.ItemAnswer("household_size", Answer.SHARED),
            sharing.ItemAnswer("zrm_basale_adl", Answer.SHARED),
            sharing.ItemAnswer("phone", Answer.GIVEN, "0612345678"),
        ],
    )
    view = vault.read_vault(seeded, manager, person, purpose="wmo-ondersteuning")
    assert {v.key for v in view.current} == {"household_size", "zrm_basale_adl", "phone"}
    phone = next(v for v in view.current if v.key == "phone")
    assert phone.value == "0612345678" and phone.provenance.source is Source.SELF_DECLARED
    audit = last_audit(seeded)
    assert audit["purpose"] == "wmo-ondersteuning:v1" and audit["rule"] == "grant"
    assert len(audit["grants"]) == 1  # type: ignore[arg-type]

    with pytest.raises(InvalidInput):  # shared stays shared: withdrawing is a revocation
        sharing.answer_request(
            seeded, resident, request.id, [sharing.ItemAnswer("phone", Answer.DECLINED, reason="x")]
        )
    assert Kind.REQUEST_ANSWERED in kinds(seeded, manager)
    assert sharing.my_request(seeded, resident, request.id)[0].status is RequestStatus.ANSWERED


def test_bad_requests_are_refused_and_change_nothing(seeded: Store) -> None:
    resident = user(seeded, "inwoner2")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    before, records = count(seeded, data_requests), count(seeded, log_records)
    cases = [
        ("re-integratie", [AskedItem("shoe_size", "why")], SOON, "items[0].key"),
        ("no-such-purpose", [AskedItem("phone", "why")], SOON, "purpose"),
        ("re-integratie", [AskedItem("phone", "why")], clock.today(), "dueDate"),
        ("re-integratie", [AskedItem("phone", "  ")], SOON, "items[0].reason"),
        ("re-integratie", [], SOON, "items"),
    ]
    for purpose, asked, due, field in cases:
        with pytest.raises(InvalidInput) as caught:
            sharing.create_request(seeded, manager, resident.person_id, purpose, asked, due)
        assert field in {p.field for p in caught.value.problems}
    assert count(seeded, data_requests) == before
    with seeded.engine.connect() as connection:
        outcomes = connection.scalars(
            select(log_records.c.outcome).where(log_records.c.seq >= records)
        ).all()
    assert outcomes == ["denied"] * len(cases), "each refused attempt is logged as denied"
    audit = last_audit(seeded)
    assert audit["reasons"] == ["refused: InvalidInput"] and audit["attribute_keys"] == []


def test_outside_the_purpose_needs_a_second_officer(seeded: Store) -> None:
    resident = user(seeded, "inwoner3")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    officer = user(seeded, "privacy1")
    outside = AskedItem("savings", "Voor het traject.")
    with pytest.raises(InvalidInput) as caught:
        sharing.create_request(
            seeded, manager, resident.person_id, "re-integratie", [outside], SOON
        )
    assert caught.value.problems[0].field == "items[0].justification"

    justified = AskedItem(
        "savings", "Voor het traject.", "Een opleiding kost geld; we willen weten of het kan."
    )
    inside = AskedItem("hours_available", "Om passend werk te zoeken.")
    request = sharing.create_request(
        seeded, manager, resident.person_id, "re-integratie", [justified, inside], SOON
    )
    assert request.status is RequestStatus.AWAITING_APPROVAL
    assert Kind.APPROVAL_NEEDED in kinds(seeded, officer)
    assert request.id not in {r.id for r in sharing.my_sharing(seeded, resident).requests}
    with pytest.raises(AccessDenied):  # the requester cannot approve their own request
        sharing.judge_item(seeded, manager, request.id, "savings", True)
    waiting = sharing.approvals_waiting(seeded, officer)
    assert request.id in {r.id for r, _ in waiting}

    judged = sharing.judge_item(seeded, officer, request.id, "savings", True)
    assert judged.status is RequestStatus.OPEN
    seen, _ = sharing.my_request(seeded, resident, request.id)
    flagged = seen.item("savings")
    assert flagged is not None and not flagged.in_purpose and flagged.askable
    with pytest.raises(Conflict):
        sharing.judge_item(seeded, officer, request.id, "savings", False)


def test_consent_can_be_withdrawn_at_once_and_a_duty_cannot(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    person = resident.person_id
    assert person
    manager = manager_of(seeded, resident)
    assert vault.read_vault(seeded, manager, person, purpose="schuldhulp").current
    mine = sharing.my_sharing(seeded, resident)
    consent = next(g for g in mine.grants if g.purpose_code == "schuldhulp")
    duty = next(g for g in mine.grants if g.purpose_code == "re-integratie")

    with pytest.raises(Conflict):
        sharing.revoke(seeded, resident, duty.id)
    sharing.revoke(seeded, resident, consent.id)
    # The case manager's message names the client by number, and the log says so.
    assert "client_number" in last_audit(seeded)["attribute_keys"]  # type: ignore[operator]
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, person, purpose="schuldhulp")
    assert Kind.GRANT_REVOKED in kinds(seeded, manager)
    assert vault.read_vault(seeded, manager, person, purpose="re-integratie").current
    with pytest.raises(Conflict):
        sharing.revoke(seeded, resident, consent.id)


def test_someone_elses_request_or_grant_is_refused_and_logged(seeded: Store) -> None:
    owner, other = user(seeded, "inwoner1"), user(seeded, "inwoner2")
    mine = sharing.my_sharing(seeded, owner)
    request = mine.open_requests[0]
    grant = mine.grants[0]
    records, held = count(seeded, log_records), count(seeded, grants)
    with pytest.raises(AccessDenied) as caught:
        sharing.answer_request(
            seeded, other, request.id, [sharing.ItemAnswer("housing", Answer.DECLINED, reason="x")]
        )
    assert caught.value.hide_existence
    with pytest.raises(AccessDenied):
        sharing.revoke(seeded, other, grant.id)
    with pytest.raises(NotFound):
        sharing.revoke(seeded, other, UUID(int=1))
    assert count(seeded, log_records) == records + 3, "each attempt, even on nothing, is logged"
    with seeded.engine.connect() as connection:
        outcomes = connection.scalars(
            select(log_records.c.outcome).order_by(log_records.c.seq.desc()).limit(3)
        ).all()
    assert outcomes == ["denied", "denied", "denied"]
    again = sharing.my_sharing(seeded, owner)
    assert again.open_requests[0].item("housing").answer is None  # type: ignore[union-attr]
    assert count(seeded, grants) == held
    assert next(g for g in again.grants if g.id == grant.id).revoked_at is None


def test_break_glass_opens_the_file_and_tells_the_privacy_officer_and_resident(
    seeded: Store,
) -> None:
    resident = user(seeded, "inwoner4")
    person = resident.person_id
    assert person
    manager = manager_of(seeded, resident)
    officer = user(seeded, "privacy1")
    with pytest.raises(InvalidInput):
        sharing.break_glass(seeded, manager, person, "nood")
    access = sharing.break_glass(
        seeded, manager, person, "Cliënt belt in crisis, adres nodig voor de crisisdienst."
    )
    view = vault.read_vault(seeded, manager, person)
    assert view.rule == "break-glass" and view.scope is None
    assert "savings" in {v.key for v in view.current}
    assert last_audit(seeded)["rule"] == "break-glass"
    assert Kind.BREAK_GLASS in kinds(seeded, resident)
    assert Kind.BREAK_GLASS_OPENED in kinds(seeded, officer)
    assert access.id in {b.id for b in sharing.my_sharing(seeded, resident).break_glass}
    own = vault.read_vault(seeded, resident, person)
    assert own.emergencies == [access.opened_at], "shown on top of the resident's own page"

    queue = sharing.break_glass_to_review(seeded, officer)
    assert access.id in {b.id for b, _, _ in queue}
    sharing.review_break_glass(seeded, officer, access.id, Review.JUSTIFIED, "Terecht: crisis.")
    assert access.id not in {b.id for b, _, _ in sharing.break_glass_to_review(seeded, officer)}
    with pytest.raises(AccessDenied):
        sharing.break_glass_to_review(seeded, manager)


def test_handover_moves_the_grants_and_tells_everyone(seeded: Store) -> None:
    resident = user(seeded, "inwoner5")
    person = resident.person_id
    assert person
    first = manager_of(seeded, resident)
    second = next(
        user(seeded, f"klantmanager{n}")
        for n in range(1, 4)
        if user(seeded, f"klantmanager{n}").id != first.id
        and user(seeded, f"klantmanager{n}").team == first.team
    )
    lead = next(
        user(seeded, f"teamleider{n}")
        for n in (1, 2)
        if user(seeded, f"teamleider{n}").team == first.team
    )
    caseloads.assign_case(seeded, lead, person, second.id)
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, first, person, purpose="re-integratie")
    assert vault.read_vault(seeded, second, person, purpose="re-integratie").current
    assert Kind.HANDOVER in kinds(seeded, resident)
    assert Kind.HANDOVER_AWAY in kinds(seeded, first)


def test_a_correction_reaches_whoever_received_the_old_value(seeded: Store) -> None:
    resident = user(seeded, "inwoner6")
    assert resident.person_id
    manager = manager_of(seeded, resident)
    vault.record_attribute(
        seeded,
        resident,
        resident.person_id,
        NewValue("hours_available", 24, Source.SELF_DECLARED),
    )
    notes = inbox.inbox(seeded, manager).notifications
    correction = next(n for n in notes if n.kind is Kind.CORRECTION)
    assert correction.params["attribute"] == "hours_available"
    assert "24" not in json.dumps(correction.params), "a notification never holds a value"
