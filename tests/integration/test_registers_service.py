"""The register of processing activities in the database: kept by the privacy officer,
versioned, and named by every log record, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from datameent.domain.processing import SEED
from datameent.domain.registers import activity_form
from datameent.errors import AccessDenied, InvalidInput
from datameent.services import ledger, registers, vault
from datameent.store.migrate import upgrade
from datameent.store.tables import log_records, processing_register
from datameent.store.uow import Store
from tests.support import user


def _form(of: str = "inzage-eigen-gegevens", **changes: Any) -> dict[str, Any]:
    """The form for a new version of seeded activity `of`, with `changes`."""
    current = {a.code: a for a in SEED}[of]
    return {**activity_form(current), **changes}


def _count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_the_register_starts_with_every_seeded_activity_once(store: Store) -> None:
    published = registers.processing_register(store)
    assert [a["id"] for a in published] == sorted(a.uri for a in SEED)
    upgrade(store.engine)  # a second upgrade writes nothing twice
    assert _count(store, processing_register) == len(SEED)


def test_a_new_version_is_named_by_new_records_and_old_records_keep_theirs(seeded: Store) -> None:
    resident = user(seeded, "inwoner3")
    assert resident.person_id
    vault.read_vault(seeded, resident, resident.person_id)
    officer = user(seeded, "privacy1")
    longer = "Zolang het dossier bestaat, en daarna nog 1 jaar"
    published = registers.publish_activity(
        seeded, officer, _form(retention_nl=longer, retention_en="As long as the file exists, +1y")
    )
    assert published.version == 2 and published.retention.nl == longer
    vault.read_vault(seeded, resident, resident.person_id)
    lines = sorted(
        ledger.processing_log_of(seeded, resident, resident.person_id), key=lambda line: line.index
    )
    reads = [
        line.activity_uri
        for line in lines
        if line.activity_uri.startswith("urn:datameent:verwerking:inzage-eigen-gegevens")
    ]
    assert reads[-1].endswith(":v2") and ":v1" in reads[0]
    # Both versions stay published; the current register shows the new one.
    every = registers.processing_register(seeded, all_versions=True)
    assert [a["version"] for a in every if a["code"] == "inzage-eigen-gegevens"] == [1, 2]
    current = registers.processing_register(seeded)
    mine = [a for a in current if a["code"] == "inzage-eigen-gegevens"]
    assert [a["retention"]["nl"] for a in mine] == [longer]
    assert registers.activity(seeded, reads[0]) is not None
    # A later upgrade (a new release) leaves the privacy officer's version alone.
    upgrade(seeded.engine)
    assert _count(seeded, processing_register) == len(SEED) + 1


def test_only_the_privacy_officer_and_admins_keep_it_and_refusals_are_logged(
    seeded: Store,
) -> None:
    before = _count(seeded, log_records)
    with pytest.raises(AccessDenied):
        registers.publish_activity(seeded, user(seeded, "klantmanager1"), _form())
    assert _count(seeded, processing_register) == len(SEED)
    with seeded.engine.connect() as connection:
        last = connection.execute(
            select(log_records.c.outcome, log_records.c.activity_uri)
            .order_by(log_records.c.seq.desc())
            .limit(1)
        ).one()
    assert _count(seeded, log_records) == before + 1
    assert last.outcome == "denied" and "toezicht-verwerkingen" in last.activity_uri
    admin = user(seeded, "admin1")
    assert registers.publish_activity(seeded, admin, _form("noodtoegang")).version == 2


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"code": "Geen Code!"}, {"code"}),
        ({"name_en": "  ", "purpose_nl": ""}, {"name_en", "purpose_nl"}),
        ({"categories": []}, {"categories"}),
        ({"categories": ["personal", "shoe_size"]}, {"categories"}),
        ({"legal_basis": "x" * 1001}, {"legal_basis"}),
    ],
)
def test_bad_entries_name_each_field_and_change_nothing(
    seeded: Store, changes: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        registers.publish_activity(seeded, user(seeded, "privacy1"), _form(**changes))
    assert {p.field for p in raised.value.problems} == fields
    assert _count(seeded, processing_register) == len(SEED)


def test_an_algorithm_must_name_an_activity_of_the_register(seeded: Store) -> None:
    officer = user(seeded, "privacy1")
    new = {**_form(), "code": "jeugdhulp-toewijzing", "name_nl": "Jeugdhulp", "name_en": "Youth"}
    registers.publish_activity(seeded, officer, new)
    entry = {
        "code": "jeugdhulp-check",
        "name": "Jeugdhulpcheck",
        "description": "d",
        "organisation": "o",
        "status": "in_use",
        "purpose_and_impact": "p",
        "considerations": "c",
        "human_involvement": "h",
        "risk_management": "r",
        "legal_basis": "l",
        "processing_activity": "jeugdhulp-toewijzing",
        "data_and_sources": "d",
        "technical_working": "t",
    }
    assert registers.publish_algorithm(seeded, officer, entry).version == 1
    with pytest.raises(InvalidInput) as raised:
        registers.publish_algorithm(seeded, officer, {**entry, "processing_activity": "nope"})
    assert {p.field for p in raised.value.problems} == {"processing_activity"}
