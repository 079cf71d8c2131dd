"""Residents log in with DigiD, on SQLite and PostgreSQL: the BSN the broker vouched for finds
the person's file; the account is made at the first login or bound to DigiD (its password goes);
the login is in the resident's own processing log; and who may not, is told why."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from datameent.domain.accounts import ChangeKind, Role
from datameent.domain.digid import Level
from datameent.domain.persons import Person
from datameent.errors import AccessDenied, LoginFailed, SignOnRefused
from datameent.services import accounts, persons
from datameent.services.sign_on import DigidLogin, Identity
from datameent.store.tables import account_changes, audit_records, log_records, users
from datameent.store.uow import Store
from tests.support import user

BROKER = "https://digid.gemeente.example"
BSN = "111222333"
LIMITS = accounts.LoginLimits(max_failures=5, window=timedelta(minutes=15))


def digid(bsn: str = BSN, level: Level | None = Level.MIDDEN) -> DigidLogin:
    return DigidLogin(BROKER, bsn, level)


def register(store: Store, bsn: str = BSN) -> Person:
    manager = user(store, "klantmanager1")
    return persons.register_person(
        store, manager, persons.IntakeForm(bsn, "Fatima", None, "Bakker", "1984-03-02")
    )


def counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as db:
        return (
            db.scalar(select(func.count()).select_from(users)) or 0,
            db.scalar(select(func.count()).select_from(log_records)) or 0,
            db.scalar(select(func.count()).select_from(account_changes)) or 0,
        )


def history(store: Store, user_id: UUID) -> list[str]:
    with store.engine.connect() as db:
        rows = db.execute(
            select(account_changes.c.change)
            .where(account_changes.c.user_id == user_id)
            .order_by(account_changes.c.id)
        )
        return [row.change for row in rows]


def last_record(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
    with store.engine.connect() as db:
        row = db.execute(
            select(log_records.c.payload, audit_records.c.payload.label("audit"))
            .join(audit_records, audit_records.c.seq == log_records.c.seq)
            .order_by(log_records.c.seq.desc())
            .limit(1)
        ).one()
    return json.loads(row.payload), json.loads(row.audit)


def test_the_first_login_makes_the_account_of_the_persons_file(seeded: Store) -> None:
    person = register(seeded)
    resident = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    assert resident.person_id == person.id and resident.roles == {Role.RESIDENT}
    assert resident.sso and resident.active and not resident.must_change_password
    assert resident.display_name == person.client_number  # on the municipality's letters
    assert BSN not in resident.username
    with seeded.engine.connect() as db:
        row = db.execute(select(users).where(users.c.id == resident.id)).one()
    assert row.password_hash is None and row.sso_issuer == BROKER
    assert row.sso_subject == f"person:{person.id}"
    assert history(seeded, resident.id) == [ChangeKind.CREATED]

    payload, audit = last_record(seeded)
    assert payload["name"] == "account.log_in" and payload["status"] == "Ok"
    attributes = payload["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["dpl.core.processing_activity_id"] == (
        "urn:datameent:verwerking:inloggen-inwoners:v1"
    )
    assert attributes["dpl.core.data_subject_id"] == seeded.keys.subject_pseudonym(person.id)
    assert attributes["datameent.outcome"] == "allowed"
    # It found the file by the BSN, and named the new account by the client number.
    assert audit["user_id"] == str(resident.id)
    assert audit["attribute_keys"] == ["bsn", "client_number"]
    assert BSN not in json.dumps([payload, audit])


def test_later_logins_open_the_same_account_and_each_is_logged(seeded: Store) -> None:
    register(seeded)
    first = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    users_before, records_before, changes_before = counts(seeded)
    again = accounts.sign_on_resident(seeded, digid(BSN, Level.HOOG), Level.MIDDEN)
    assert again.id == first.id
    assert counts(seeded) == (users_before, records_before + 1, changes_before)
    assert last_record(seeded)[1]["attribute_keys"] == ["bsn"]  # the account exists


def test_a_resident_with_a_password_is_bound_to_digid_and_the_password_goes(
    seeded: Store,
) -> None:
    person = register(seeded)
    made = accounts.create_account(
        seeded,
        None,
        accounts.NewAccount(
            "fatima",
            "Fatima",
            frozenset({Role.RESIDENT}),
            "a given password",
            person.id,
            temporary=True,
        ),
    )
    assert made.must_change_password
    resident = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    assert resident.id == made.id and resident.sso and not resident.must_change_password
    assert user(seeded, "fatima").sso
    with pytest.raises(LoginFailed):
        accounts.authenticate(seeded, "fatima", "a given password", "::1", LIMITS)
    assert history(seeded, made.id) == [ChangeKind.CREATED, ChangeKind.LINKED]


def test_a_level_below_the_minimum_is_refused_before_anything_is_looked_up(
    seeded: Store,
) -> None:
    register(seeded)
    before = counts(seeded)
    for level in (Level.BASIS, None):
        with pytest.raises(SignOnRefused) as refused:
            accounts.sign_on_resident(seeded, digid(level=level), Level.MIDDEN)
        assert refused.value.detail is not None and "sms-controle" in refused.value.detail.nl
    with pytest.raises(SignOnRefused) as refused:
        accounts.sign_on_resident(seeded, digid(level=Level.MIDDEN), Level.SUBSTANTIEEL)
    assert refused.value.detail is not None and "identiteitsbewijs" in refused.value.detail.nl
    assert counts(seeded) == before


def test_someone_without_a_file_is_told_to_contact_the_municipality(seeded: Store) -> None:
    before = counts(seeded)
    with pytest.raises(SignOnRefused) as refused:
        accounts.sign_on_resident(seeded, digid("123456782"), Level.MIDDEN)
    assert refused.value.detail is not None and "geen dossier" in refused.value.detail.nl
    assert counts(seeded) == before  # no account for a stranger, nothing logged about them


def test_a_stopped_account_is_refused_and_the_attempt_is_in_its_log(seeded: Store) -> None:
    register(seeded)
    resident = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    with seeded.engine.begin() as db:
        db.execute(users.update().where(users.c.id == resident.id).values(active=False))
    users_before, records_before, _ = counts(seeded)
    with pytest.raises(SignOnRefused) as refused:
        accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    assert refused.value.detail is not None and "gestopt" in refused.value.detail.nl
    assert counts(seeded)[:2] == (users_before, records_before + 1)
    payload, _ = last_record(seeded)
    assert payload["name"] == "account.log_in"
    assert payload["attributes"]["datameent.outcome"] == "denied"


def test_an_employee_provider_cannot_open_a_digid_account(seeded: Store) -> None:
    """Both kinds of link are kept in the same columns; the employees' door must not find a
    resident's account by what DigiD's link holds."""
    person = register(seeded)
    accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    identity = Identity(BROKER, f"person:{person.id}", None)
    with pytest.raises(SignOnRefused):
        accounts.sign_on(seeded, identity)


def test_a_username_taken_by_hand_does_not_stop_the_first_login(seeded: Store) -> None:
    person = register(seeded)
    taken = f"digid-{person.client_number.lower()}"
    accounts.create_account(
        seeded, None, accounts.NewAccount(taken, "X", frozenset({Role.ANALYST}), "a password 123")
    )
    resident = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    assert resident.person_id == person.id and resident.username.startswith(taken + "-")
    assert user(seeded, taken).person_id is None  # the other account is untouched


def test_a_representative_acts_for_the_resident_without_touching_their_account(
    seeded: Store,
) -> None:
    person = register(seeded)
    new = accounts.NewAccount("fatima", "F", frozenset({Role.RESIDENT}), "a password!!", person.id)
    own = accounts.create_account(seeded, None, new)
    helper = DigidLogin(BROKER, BSN, Level.MIDDEN, acting_bsn="123456782")

    acting = accounts.sign_on_resident(seeded, helper, Level.MIDDEN)

    assert acting.id == own.id and acting.person_id == person.id
    assert acting.representative and "123456782" not in acting.representative
    again = accounts.sign_on_resident(seeded, helper, Level.MIDDEN)
    other = accounts.sign_on_resident(
        seeded, DigidLogin(BROKER, BSN, Level.MIDDEN, acting_bsn="012345672"), Level.MIDDEN
    )
    assert again.representative == acting.representative != other.representative
    # The resident's own account is as it was: password, no link, no new history.
    assert not acting.sso and history(seeded, own.id) == [ChangeKind.CREATED]
    assert accounts.authenticate(seeded, "fatima", "a password!!", "127.0.0.1", LIMITS)
    record, audit = last_record(seeded)
    assert record["name"] == "account.log_in" and audit["representative"] == other.representative
    # Their session is marked, and the resident's way in is not the representative's to change.
    token = accounts.open_session(seeded, acting, accounts.WEB, timedelta(hours=1))
    assert accounts.user_for_token(seeded, token, accounts.WEB) == acting
    with pytest.raises(AccessDenied):
        accounts.change_password(
            seeded, acting, "a password!!", "another one!!", "another one!!", "x", LIMITS, token
        )
    with pytest.raises(AccessDenied):
        accounts.end_other_sessions(seeded, acting, token)
    assert accounts.authenticate(seeded, "fatima", "a password!!", "127.0.0.1", LIMITS)


def test_a_representative_first_makes_an_account_the_resident_binds_later(
    seeded: Store,
) -> None:
    person = register(seeded)
    acting = accounts.sign_on_resident(
        seeded, DigidLogin(BROKER, BSN, Level.MIDDEN, acting_bsn="123456782"), Level.MIDDEN
    )
    assert acting.representative and not acting.sso
    own = accounts.sign_on_resident(seeded, digid(), Level.MIDDEN)
    assert own.id == acting.id and own.sso and own.representative is None
    assert history(seeded, own.id) == [ChangeKind.CREATED, ChangeKind.LINKED]
    assert person.id == own.person_id
