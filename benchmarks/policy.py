"""Benchmark: access policy v2 decisions with 10,000 grants in one case manager's caseload.

    .venv/bin/python -m benchmarks.policy [--grants 10000] [--clients 120] [--decisions 20000]

Measures, next to a baseline in the same run (a resident reading their own vault: the policy's
cheapest allowing rule, no grants to judge):
- `decide` as the product calls it: the facts hold the subject's grants (fetched by index);
- `decide` handed all 10,000 grants of the caseload at once (the policy filters by subject):
  the worst case the policy itself can meet;
- the whole authorisation of a read on SQLite: gathering the facts (caseload, grants, cases,
  break-glass) from a database holding the 10,000 grants, deciding, and logging the decision
  in the same transaction, as `services.vault.read_vault` does before it reads any value.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from datameent.domain import purposes
from datameent.domain.accounts import Role, User
from datameent.domain.caseload import Assignment
from datameent.domain.persons import Person
from datameent.domain.policy import AccessRequest, Action, decide
from datameent.domain.sharing import Case, Grant
from datameent.services import vault
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.migrate import upgrade
from datameent.store.uow import Store

CODES = ("bijstand-aanvraag", "heronderzoek", "re-integratie", "schuldhulp", "wmo-ondersteuning")


def world(
    clients: int, grants: int, now: datetime
) -> tuple[list[UUID], dict[UUID, list[Grant]], dict[UUID, dict[UUID, Case]]]:
    """`grants` grants spread over `clients` clients, in every state: active, expired, revoked."""
    rng = random.Random(7)
    persons = [uuid4() for _ in range(clients)]
    cases: dict[UUID, dict[UUID, Case]] = {p: {} for p in persons}
    for p in persons:
        for code in CODES:
            case = Case(uuid4(), p, code, now - timedelta(days=400), None)
            cases[p][case.id] = case
    by_person: dict[UUID, list[Grant]] = {p: [] for p in persons}
    for n in range(grants):
        p = persons[n % clients]
        case = rng.choice(list(cases[p].values()))
        purpose = purposes.CURRENT[case.purpose_code]
        start = now - timedelta(days=rng.randint(0, 700))
        keys = frozenset(rng.sample(sorted(purpose.attributes), k=min(6, len(purpose.attributes))))
        revoked = now - timedelta(days=1) if rng.random() < 0.1 else None
        by_person[p].append(
            Grant(
                uuid4(),
                p,
                case.id,
                purpose.code,
                purpose.version,
                purpose.basis,
                keys,
                start,
                start + timedelta(days=purpose.grant_days),
                start,
                None,
                revoked,
            )
        )
    return persons, by_person, cases


def timed(calls: int, call: Callable[[int], object]) -> list[float]:
    """Milliseconds per call."""
    samples = []
    for n in range(calls):
        start = time.perf_counter_ns()
        call(n)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[int(len(ordered) * 0.99) - 1],
        "mean": statistics.fmean(ordered),
    }


def in_memory(clients: int, grants: int, decisions: int) -> dict[str, dict[str, float]]:
    now = datetime.now(UTC)
    persons, by_person, cases = world(clients, grants, now)
    everything = tuple(g for p in persons for g in by_person[p])
    all_cases = {cid: c for p in persons for cid, c in cases[p].items()}
    manager = User(uuid4(), "km", "KM", frozenset({Role.CASE_MANAGER}), team="Team 1")
    resident = User(uuid4(), "in", "IN", frozenset({Role.RESIDENT}), persons[0])

    def baseline(n: int) -> object:
        return decide(AccessRequest(resident, Action.READ_VAULT, persons[0], at=now))

    def subject_facts(n: int) -> object:
        p = persons[n % clients]
        request = AccessRequest(
            manager,
            Action.READ_VAULT,
            p,
            in_active_caseload=True,
            purpose=CODES[n % len(CODES)],
            grants=tuple(by_person[p]),
            cases=cases[p],
            at=now,
        )
        return decide(request)

    def whole_caseload(n: int) -> object:
        request = AccessRequest(
            manager,
            Action.READ_VAULT,
            persons[n % clients],
            in_active_caseload=True,
            purpose=CODES[n % len(CODES)],
            grants=everything,
            cases=all_cases,
            at=now,
        )
        return decide(request)

    allowed = sum(bool(subject_facts(n).allowed) for n in range(clients * len(CODES)))  # type: ignore[attr-defined]
    print(f"  {allowed} of {clients * len(CODES)} (client, purpose) pairs are readable")
    return {
        "baseline": summary(timed(decisions, baseline)),
        "subject": summary(timed(decisions, subject_facts)),
        "caseload": summary(timed(max(decisions // 10, 200), whole_caseload)),
    }


def on_sqlite(clients: int, grants: int, reads: int) -> dict[str, dict[str, float]]:
    """The whole authorisation of a read, facts from the database, decision logged."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as directory:
        store = Store(
            make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite3'}"), KeyRing(bytes(32))
        )
        upgrade(store.engine)
        manager = User(uuid4(), "km", "KM", frozenset({Role.CASE_MANAGER}), team="Team 1")
        system = User(uuid4(), "feed", "Feed", frozenset({Role.SYSTEM}))
        persons, by_person, cases = world(clients, grants, now)
        with store.unit_of_work() as uow:
            uow.accounts.add_many([(manager, None), (system, None)], now)
            for n, p in enumerate(persons):
                permit = uow.authorize(AccessRequest(system, Action.REGISTER_PERSON))
                uow.persons.add(permit, Person(p, f"B{n:07d}", now), f"{100000000 + n * 11}")
            uow.caseloads.add_many(
                [
                    Assignment(uuid4(), manager.id, p, now - timedelta(days=500), None, None)
                    for p in persons
                ]
            )
            uow.sharing.add_cases([c for p in persons for c in cases[p].values()])
            uow.sharing.add_grants([g for p in persons for g in by_person[p]])
            uow.commit()
        resident_reads = [0]

        def authorise(n: int) -> object:
            p = persons[n % clients]
            with store.unit_of_work() as uow:
                try:
                    permit = vault.authorize_access(
                        uow, manager, Action.READ_VAULT, p, CODES[n % len(CODES)]
                    )
                except Exception:  # a denial is logged and committed by authorize itself
                    return None
                uow.log.touch(permit, p, set())
                uow.commit()
                resident_reads[0] += 1
                return permit

        for n in range(50):  # warm the caches and the connection pool
            authorise(n)
        samples = timed(reads, authorise)
        store.dispose()
    return {"authorise": summary(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grants", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=120)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=2_000)
    args = parser.parse_args()
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {python}")
    print(f"{args.grants:,} grants over {args.clients} clients of one case manager")
    memory = in_memory(args.clients, args.grants, args.decisions)
    database = on_sqlite(args.clients, args.grants, args.reads)
    rows = {**memory, **database}
    base = memory["baseline"]["p50"]
    print("| measurement | p50 ms | p99 ms | mean ms | p50 / baseline |")
    print("|---|---:|---:|---:|---:|")
    names = {
        "baseline": "baseline: resident reads own vault (no grants)",
        "subject": "decide, facts hold the subject's grants",
        "caseload": "decide, handed all grants of the caseload",
        "authorise": "facts from SQLite + decide + log record, committed",
    }
    for key, label in names.items():
        r = rows[key]
        ratio = r["p50"] / base
        print(f"| {label} | {r['p50']:.4f} | {r['p99']:.4f} | {r['mean']:.4f} | {ratio:.1f} |")


if __name__ == "__main__":
    main()
