"""The processing log, on SQLite and PostgreSQL: every access leaves a record in the same
transaction, denials too, nothing bypasses it, and the Merkle log stays gapless and true."""

from __future__ import annotations

import ast
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action, decide
from datameent.errors import AccessDenied, Conflict, InvalidInput
from datameent.ledger import LeafHashes, NoteKey, leaf_hash, root_hash, verify_inclusion
from datameent.services import ledger, supervision, vault
from datameent.services.caseloads import my_caseload
from datameent.store import driver
from datameent.store.ledger import CLOCK_MARGIN, Batch, LedgerRepository
from datameent.store.ledger_scan import Source, source_of
from datameent.store.tables import audit_records, log_records
from datameent.store.uow import Store, UnloggedProcessing
from datameent.tracing import Trace, use_trace
from tests.support import (
    LOG_KEY,
    LOG_ORIGIN,
    SEED_PERSONS,
    store_for,
    take_next_log_number,
    user,
)

PACKAGE = Path(__file__).parents[2] / "src" / "datameent"


def records(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(log_records, audit_records.c.payload.label("audit"))
            .join(audit_records, audit_records.c.seq == log_records.c.seq)
            .order_by(log_records.c.seq)
        )
        return [dict(row._mapping) for row in rows]


def test_a_read_leaves_one_record_with_the_standard_fields_and_no_values(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    before = len(records(seeded))
    use_trace(Trace("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
    view = vault.read_vault(seeded, resident, resident.person_id)
    [record] = records(seeded)[before:]
    payload = json.loads(str(record["payload"]))
    assert payload["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert payload["parent_span_id"] == "00f067aa0ba902b7" and len(payload["span_id"]) == 16
    assert payload["name"] == "vault.read" and payload["status"] == "Ok"
    attributes = payload["attributes"]
    assert attributes["dpl.core.processing_activity_id"].startswith("urn:datameent:verwerking:")
    assert attributes["dpl.core.data_subject_id"] == seeded.keys.subject_pseudonym(
        resident.person_id
    )
    audit = json.loads(str(record["audit"]))
    assert audit["user_id"] == str(resident.id) and audit["rule"] == "own-record"
    # The client number too: the view shows it (it was missing from the keys before).
    assert set(audit["attribute_keys"]) >= {"bsn", "client_number", "given_name", "zrm_financien"}
    everything = str(record["payload"]) + str(record["audit"])
    for value in [view.bsn, str(resident.person_id)] + [
        str(v.value) for v in view.current if v.key in ("family_name", "street", "phone")
    ]:
        assert value not in everything, "values and identifiers stay out of the log"


def _stranger_to(store: Store, manager: User) -> User:
    """A resident outside the case manager's caseload."""
    own = {case.person_id for case in my_caseload(store, manager)}
    return next(
        resident
        for resident in (user(store, f"inwoner{n}") for n in range(1, SEED_PERSONS + 1))
        if resident.person_id not in own
    )


def test_a_denied_read_is_logged_and_changes_nothing_else(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    stranger = _stranger_to(seeded, manager)
    before = len(records(seeded))
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, stranger.person_id)  # type: ignore[arg-type]
    [denied] = records(seeded)[before:]
    assert denied["outcome"] == "denied" and denied["operation"] == "vault.read"
    assert json.loads(str(denied["audit"]))["rule"] == "default-deny"


def test_a_permit_that_did_not_pass_the_log_is_refused(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    bare = decide(AccessRequest(resident, Action.READ_VAULT, resident.person_id)).permit()
    with seeded.unit_of_work() as uow, pytest.raises(AccessDenied):
        uow.vault.values(bare, resident.person_id, history=False)
    with seeded.unit_of_work() as uow:
        logged = uow.authorize(AccessRequest(resident, Action.READ_VAULT, resident.person_id))
        other = user(seeded, "inwoner2").person_id
        with pytest.raises(AccessDenied):
            uow.vault.values(logged, other, history=False)  # type: ignore[arg-type]
        uow.commit()


def test_a_client_number_is_read_only_under_a_permit_for_that_person(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    other = user(seeded, "inwoner2").person_id
    assert other
    bare = decide(AccessRequest(resident, Action.READ_VAULT, resident.person_id)).permit()
    with seeded.unit_of_work() as uow, pytest.raises(AccessDenied):
        uow.persons.client_number(bare, resident.person_id)
    before = len(records(seeded))
    with seeded.unit_of_work() as uow:
        logged = uow.authorize(AccessRequest(resident, Action.READ_VAULT, resident.person_id))
        with pytest.raises(AccessDenied):
            uow.persons.client_number(logged, other)
        assert uow.persons.client_number(logged, resident.person_id).startswith("K")
        uow.commit()
    [record] = records(seeded)[before:]
    assert json.loads(str(record["audit"]))["attribute_keys"] == ["client_number"]


def test_services_and_routes_cannot_ask_the_policy_past_the_log() -> None:
    modules = [*(PACKAGE / "services").glob("*.py"), *(PACKAGE / "web").rglob("*.py")]
    assert len(modules) > 20
    for module in modules:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "datameent.domain.policy":
                names = {alias.name for alias in node.names}
                assert "decide" not in names, f"{module.name} imports decide"


def test_leaving_without_commit_after_touching_personal_data_is_an_error(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    before = len(records(seeded))
    with pytest.raises(UnloggedProcessing), seeded.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(resident, Action.READ_VAULT, resident.person_id))
        uow.vault.values(permit, resident.person_id, history=False)
    assert len(records(seeded)) == before


def test_a_read_whose_record_cannot_be_written_is_not_served(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    with seeded.engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_records"))
    with pytest.raises((OperationalError, ProgrammingError)):
        vault.read_vault(seeded, resident, resident.person_id)


def test_a_record_that_collides_fails_the_commit_and_nothing_is_served(seeded: Store) -> None:
    # On PostgreSQL the records go out in one statement with the tree's nodes and the head:
    # a collision must still come back as a conflict, with nothing committed, and the next
    # append must not go on from the one that failed.
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    before = records(seeded)
    with seeded.unit_of_work() as uow, pytest.raises(Conflict):
        permit = uow.authorize(AccessRequest(resident, Action.READ_VAULT, resident.person_id))
        uow.vault.values(permit, resident.person_id, history=False)
        take_next_log_number(uow)
        uow.commit()
    assert records(seeded) == before
    with seeded.engine.connect() as connection:
        assert LedgerRepository(connection).size() == len(before)
    vault.read_vault(seeded, resident, resident.person_id)
    assert_gapless_and_true(seeded)


def read_at_once(work: list[tuple[Store, User]], reads: int = 10) -> None:
    """Each (store, resident) reads the resident's vault `reads` times, all in threads at once."""
    errors: list[BaseException] = []

    def read(store: Store, resident: User) -> None:
        try:
            for _ in range(reads):
                vault.read_vault(store, resident, resident.person_id)  # type: ignore[arg-type]
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=read, args=pair) for pair in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def assert_gapless_and_true(store: Store) -> None:
    rows = records(store)
    assert [r["seq"] for r in rows] == list(range(len(rows)))
    with store.engine.connect() as connection:
        repository = LedgerRepository(connection)
        size = repository.size()
        assert size == len(rows)
        leaves = [leaf_hash(bytes(r["digest"])) for r in rows]  # type: ignore[arg-type]
        assert repository.root(size) == root_hash(LeafHashes(leaves), size)
        assert repository.head_state()[1] == repository.root(size)
    ended = [r["ended_at"] for r in rows]
    assert ended == sorted(ended)  # type: ignore[type-var]


def test_concurrent_writers_get_gapless_numbers_and_a_true_tree(seeded: Store) -> None:
    read_at_once([(seeded, user(seeded, f"inwoner{n}")) for n in range(1, 9)])
    assert_gapless_and_true(seeded)


def test_processes_that_append_in_turn_and_at_once_keep_the_log_gapless(seeded_url: str) -> None:
    # Two stores on one database stand in for two server processes. On PostgreSQL each goes on
    # from where its own last append left the log (`LogHead`), which the other's overtake.
    first, second = store_for(seeded_url), store_for(seeded_url)
    try:
        resident = user(first, "inwoner1")
        for store in [first, second, second, first, second, first, first]:
            vault.read_vault(store, resident, resident.person_id)  # type: ignore[arg-type]
        assert_gapless_and_true(first)
        read_at_once(
            [(store, user(first, f"inwoner{n}")) for store in (first, second) for n in (1, 2, 3)]
        )
        assert_gapless_and_true(first)
    finally:
        first.dispose()
        second.dispose()


def test_an_append_stores_its_records_exactly_as_given(store: Store) -> None:
    # On PostgreSQL a batch travels to the database as JSON, each value read by its column's
    # type: text that JSON or bytea would read otherwise, a record without a subject, times
    # with and without microseconds, strings as long as their columns allow.
    awkward = 'quote " backslash \\ \\x00ff tab \t newline \n é 😀 {"a": [1, null]}'
    at = datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)
    given = [
        {
            "trace_id": "0" * 32,
            "span_id": "f" * 16,
            "operation": "read",
            "outcome": "allowed",
            "started_at": at,
            "ended_at": at.replace(microsecond=123456),
            "activity_uri": "urn:x:" + "a" * 194,
            "subject": None,
            "payload": awkward,
            "digest": bytes(range(32)),
        },
        {
            "trace_id": "1" * 32,
            "span_id": "e" * 16,
            "operation": "o" * 64,
            "outcome": "denied",
            "started_at": at.replace(microsecond=1),
            "ended_at": at.replace(microsecond=999999),
            "activity_uri": "urn:x",
            "subject": "p" * 64,
            "payload": None,
            "digest": b"\\x00" + bytes(28),
        },
    ]
    audits = [
        {"user_id": None, "rule": "r" * 40, "payload": awkward},
        {"user_id": None, "rule": "", "payload": "{}"},
    ]
    leaves = [leaf_hash(row["digest"]) for row in given]  # type: ignore[arg-type]
    with store.engine.begin() as connection:
        first = LedgerRepository(connection).append(lambda _: Batch(leaves, given, audits))
    assert first == 0
    stored = records(store)
    assert [{k: v for k, v in row.items() if k not in ("seq", "audit")} for row in stored] == given
    assert [row["audit"] for row in stored] == [awkward, "{}"]
    with store.engine.connect() as connection:
        repository = LedgerRepository(connection)
        assert repository.size() == 2
        assert repository.root(2) == root_hash(LeafHashes(leaves), 2)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_append_from_where_the_log_no_longer_is_writes_nothing_there(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where this process last left the log can be wrong two ways: behind (another process
    # appended since), or at the right size but another tree (that append was rolled back and
    # another took its place). Neither may be written from; the append goes on from the head.
    # From where it is right, the append does not read and lock the head first.
    locks: list[int] = []
    lock_head = LedgerRepository.lock_head

    def counted(repository: LedgerRepository) -> tuple[int, list[bytes]]:
        locks.append(1)
        return lock_head(repository)

    monkeypatch.setattr(LedgerRepository, "lock_head", counted)
    resident = user(seeded, "inwoner1")
    for other_tree in [False, True]:
        vault.read_vault(seeded, resident, resident.person_id)  # type: ignore[arg-type]
        before = seeded.log_head.known
        locks.clear()
        vault.read_vault(seeded, resident, resident.person_id)  # type: ignore[arg-type]
        assert locks == []
        assert before is not None and seeded.log_head.known is not None
        size, frontier = seeded.log_head.known
        assert size == len(records(seeded)) == before[0] + 1
        seeded.log_head.known = (size, [bytes(32)] * len(frontier)) if other_tree else before
        vault.read_vault(seeded, resident, resident.person_id)  # type: ignore[arg-type]
        assert locks == [1]
        assert len(records(seeded)) == size + 1
        assert_gapless_and_true(seeded)


def test_checkpoints_proofs_and_verification(
    seeded: Store, capfd: pytest.CaptureFixture[str]
) -> None:
    key = NoteKey(LOG_ORIGIN, LOG_KEY)
    checkpoint = ledger.make_checkpoint(seeded, key, LOG_ORIGIN)
    assert checkpoint is not None and ledger.make_checkpoint(seeded, key, LOG_ORIGIN) is None
    rows = records(seeded)
    for index in (0, len(rows) // 2, len(rows) - 1):
        proof = ledger.prove_inclusion(seeded, index, checkpoint.size)
        assert proof.leaf_hash == leaf_hash(bytes(rows[index]["digest"]))  # type: ignore[arg-type]
        verify_inclusion(proof.leaf_hash, index, checkpoint.size, proof.hashes, checkpoint.root)
    report = ledger.verify_log(seeded, key.verifier())
    assert report.ok and report.size == len(rows) and report.checkpoints == 1
    # The same log read in three ranges, two of them by worker processes, verifies the same.
    assert source_of(seeded.engine.url) is not None
    assert ledger.verify_log(seeded, key.verifier(), parts=3) == report
    errors = capfd.readouterr().err  # the workers did the scanning: none failed or crashed
    assert errors == ""


def test_a_proof_reads_the_size_and_its_nodes_in_one_statement(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One statement a proof (on PostgreSQL one round trip), also with none of its nodes in
    memory yet (a fresh store). SQLite's `BEGIN`, which this engine sends itself, costs no
    round trip and is not counted."""
    fresh = store_for(seeded_url)
    try:
        size = len(records(fresh))
        with fresh.unit_of_work(write=False) as uow:  # the store's first use sets itself up
            uow.ledger.size()
        statements: list[str] = []
        through_driver = driver.execute

        def note(sql: str) -> None:
            if sql != "BEGIN":
                statements.append(sql)

        def counted(connection: Any, sql: str, params: Any = ()) -> list[Any]:
            note(sql)
            return through_driver(connection, sql, params)

        monkeypatch.setattr(driver, "execute", counted)

        def listen(*args: Any) -> None:
            note(args[2])

        event.listen(fresh.engine, "before_cursor_execute", listen)
        try:
            for index in (0, size // 2, size - 1):
                statements.clear()
                proof = ledger.prove_inclusion(fresh, index, size)
                assert len(statements) == 1 and "UNION ALL" in statements[0], statements
                assert proof.leaf_hash == leaf_hash(bytes(records(fresh)[index]["digest"]))  # type: ignore[arg-type]
            statements.clear()
            assert len(ledger.prove_consistency(fresh, 1, size)) > 0 and len(statements) == 1
            statements.clear()
            with pytest.raises(InvalidInput):
                ledger.prove_inclusion(fresh, 0, size + 1)
            assert len(statements) == 1, "a tree larger than the log: refused on its size"
        finally:
            event.remove(fresh.engine, "before_cursor_execute", listen)
    finally:
        fresh.dispose()


def test_verify_scans_a_range_itself_when_its_worker_fails(
    seeded: Store,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    key = NoteKey(LOG_ORIGIN, LOG_KEY)
    ledger.make_checkpoint(seeded, key, LOG_ORIGIN)
    start_workers = ledger.run_parts
    unreachable = Source("sqlite", str(tmp_path / "no such directory" / "log.db"))
    monkeypatch.setattr(
        ledger,
        "run_parts",
        lambda _source, ranges, wanted, erased_below: start_workers(
            unreachable, ranges, wanted, erased_below
        ),
    )
    report = ledger.verify_log(seeded, key.verifier(), parts=3)
    assert report.ok and report.size == len(records(seeded))
    errors = capfd.readouterr().err
    assert errors.count("verification worker: OperationalError") == 2
    assert "Traceback" not in errors


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("tamper", ["modify", "delete", "insert", "reorder"])
def test_verify_finds_tampering_and_names_the_first_bad_index(
    seeded: Store, tamper: str, parts: int
) -> None:
    key = NoteKey(LOG_ORIGIN, LOG_KEY)
    ledger.make_checkpoint(seeded, key, LOG_ORIGIN)
    rows = records(seeded)
    target = len(rows) // 3
    with seeded.engine.begin() as connection:
        _tamper(connection, tamper, target, rows)
    report = ledger.verify_log(seeded, key.verifier(), parts=parts)
    assert not report.ok
    assert report.first_bad_index == (len(rows) if tamper == "insert" else target), report


def _tamper(connection, how: str, target: int, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    lr = log_records
    if how == "modify":
        changed = str(rows[target]["payload"]).replace('"Ok"', '"Error"')
        connection.execute(lr.update().where(lr.c.seq == target).values(payload=changed))
    elif how == "delete":
        connection.execute(audit_records.delete().where(audit_records.c.seq == target))
        connection.execute(lr.delete().where(lr.c.seq == target))
    elif how == "insert":
        extra = {k: v for k, v in rows[target].items() if k != "audit"}
        connection.execute(lr.insert().values({**extra, "seq": len(rows)}))
    else:
        a, b = rows[target], rows[target + 1]
        for seq, source in ((target, b), (target + 1, a)):
            connection.execute(
                lr.update()
                .where(lr.c.seq == seq)
                .values(payload=source["payload"], digest=source["digest"])
            )


def test_the_resident_sees_who_processed_their_data(seeded: Store) -> None:
    resident, manager = user(seeded, "inwoner1"), user(seeded, "klantmanager1")
    assert resident.person_id
    own_manager = next(
        candidate
        for candidate in (user(seeded, f"klantmanager{n}") for n in (1, 2, 3))
        if resident.person_id in {c.person_id for c in my_caseload(seeded, candidate)}
    )
    vault.read_vault(seeded, own_manager, resident.person_id, purpose="re-integratie")
    lines = ledger.processing_log_of(seeded, resident, resident.person_id)
    reads = [line for line in lines if line.operation == "vault.read"]
    assert reads and reads[0].actor_name == own_manager.display_name
    assert "case_manager" in reads[0].actor_roles and reads[0].actor_team == own_manager.team
    with pytest.raises(AccessDenied):
        ledger.processing_log_of(seeded, manager, resident.person_id)
    officer = user(seeded, "privacy1")
    assert ledger.processing_log_of(seeded, officer, resident.person_id)
    with seeded.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(log_records))
    assert count and count > len(lines)


def test_the_log_is_searched_by_time_in_order_of_its_numbers(seeded: Store) -> None:
    """Records end, and get their number, under the head's lock: their end times rise with the
    index, so the privacy officer's queries of a recent period start at a searched index."""
    residents = [user(seeded, f"inwoner{n}") for n in range(1, 4)]
    for resident in residents * 3:
        vault.read_vault(seeded, resident, resident.person_id)  # type: ignore[arg-type]
    ended = [r["ended_at"] for r in records(seeded)]
    assert ended == sorted(ended)  # type: ignore[type-var]
    with seeded.engine.connect() as connection:
        repository = LedgerRepository(connection)
        for at in [*ended, ended[0] - timedelta(days=1), ended[-1] + timedelta(seconds=1)]:
            expected = next((i for i, e in enumerate(ended) if e >= at), len(ended))  # type: ignore[operator]
            assert repository.first_ended_at_or_after(at) == expected  # type: ignore[arg-type]
        assert repository.window_start(ended[-1] + CLOCK_MARGIN * 2) == len(ended)  # type: ignore[operator]
        assert repository.window_start(ended[0]) == 0  # type: ignore[arg-type]


def test_the_privacy_officer_sees_this_weeks_refusals(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    stranger = _stranger_to(seeded, manager)
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, stranger.person_id)  # type: ignore[arg-type]
    seen = supervision.attention(seeded, user(seeded, "privacy1"))
    assert [(a.operation, a.who) for a in seen.denied] == [("vault.read", manager)]
