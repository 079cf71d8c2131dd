"""Loading a synthetic municipality into the store: the data of every demo and test.

The persons come in as a base-register connection (BRP) would deliver them; their history
(an earlier address, an earlier ZRM assessment) comes in as it would have been recorded over
time, by the connection or by their case manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from babel.dates import format_date
from babel.numbers import format_currency

from datameent.analytics.synth import Address, Municipality, SynthPerson, generate
from datameent.domain import purposes
from datameent.domain.accounts import Role, User
from datameent.domain.attributes import JsonValue
from datameent.domain.caseload import Assignment
from datameent.domain.catalogue import definition
from datameent.domain.complaints import Complaint, ComplaintStatus
from datameent.domain.decisions import (
    Contestation,
    ContestKind,
    ContestStatus,
    Decision,
    DecisionKind,
)
from datameent.domain.persons import Person
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.purposes import Basis, Purpose
from datameent.domain.sharing import (
    AskedItem,
    Case,
    DataRequest,
    Grant,
    RequestStatus,
    check_request,
)
from datameent.domain.vault import AttributeValue, Provenance, Source
from datameent.domain.zrm import INSTRUMENT_VERSIONS, attribute_key
from datameent.errors import Conflict
from datameent.services import clock
from datameent.services.clock import utcnow
from datameent.services.decisions import responsible
from datameent.services.passwords import hash_password
from datameent.services.registers import seed_algorithms
from datameent.store.uow import Store, UnitOfWork

BATCH = 250
Item = tuple[str, JsonValue, Provenance]


@dataclass(frozen=True)
class SeedResult:
    municipality: str
    persons: int
    accounts: list[tuple[str, Role, str | None]]
    """(username, role, team) of every staff account and the first resident accounts."""


@dataclass(frozen=True)
class _Connections:
    brp: User
    uwv: User
    belastingdienst: User


def seed_municipality(
    store: Store,
    persons: int,
    seed: int,
    *,
    demo_password: str | None,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Generate and store a synthetic municipality into an empty database.

    With `demo_password` every account gets that password (demo mode only); without it the
    accounts exist but nobody can log in until an administrator sets passwords.
    """
    town = generate(persons, seed)
    # One hash for all demo accounts: hashing 200 times would cost the demo seconds.
    password_hash = hash_password(demo_password) if demo_password else None
    with store.unit_of_work() as uow:
        if uow.persons.next_client_number() != "K0000001":
            raise Conflict()
        links, staff = _accounts(uow, town, password_hash)
        uow.commit()
    for start in range(0, persons, BATCH):
        batch = town.persons[start : start + BATCH]
        with store.unit_of_work() as uow:
            _store_persons(uow, batch, links, staff, password_hash)
            uow.commit()
        if progress:
            progress(len(batch))
    seed_algorithms(store)
    listed = [(u.username, next(iter(u.roles)), u.team) for u in staff["all"]]
    return SeedResult(town.name, persons, listed)


def _accounts(
    uow: UnitOfWork, town: Municipality, password_hash: str | None
) -> tuple[_Connections, dict[str, list[User]]]:
    def user(name: str, display: str, role: Role, team: str | None = None) -> User:
        return User(uuid4(), name, display, frozenset({role}), team=team)

    links = _Connections(
        user("koppeling-brp", "Koppeling BRP", Role.SYSTEM),
        user("koppeling-uwv", "Koppeling UWV", Role.SYSTEM),
        user("koppeling-belastingdienst", "Koppeling Belastingdienst", Role.SYSTEM),
    )
    managers = [
        user(f"klantmanager{s.number}", s.display_name, Role.CASE_MANAGER, s.team)
        for s in town.case_managers
    ]
    leads = [
        user(f"teamleider{n}", f"Teamleider {team}", Role.TEAM_LEAD, team)
        for n, team in enumerate(town.teams, start=1)
    ]
    others = [
        user("privacy1", "Privacy officer", Role.PRIVACY_OFFICER, "Privacy"),
        user("analist1", "Analist", Role.ANALYST, "Onderzoek en statistiek"),
        user("clientenraad1", "Lid cliëntenraad", Role.COUNCIL_MEMBER),
        user("facilitator1", "Gespreksleider", Role.FACILITATOR),
        user("facilitator2", "Gespreksleider 2", Role.FACILITATOR),
        user("admin1", "Beheerder", Role.ADMIN, "Functioneel beheer"),
    ]
    now = utcnow()
    uow.accounts.add_many([(u, None) for u in (links.brp, links.uwv, links.belastingdienst)], now)
    uow.accounts.add_many([(u, password_hash) for u in managers + leads + others], now)
    return links, {"managers": managers, "all": managers + leads + others}


def _store_persons(
    uow: UnitOfWork,
    batch: list[SynthPerson],
    links: _Connections,
    staff: dict[str, list[User]],
    password_hash: str | None,
) -> None:
    residents: list[tuple[User, str | None]] = []
    assignments = []
    cases: list[Case] = []
    grants: list[Grant] = []
    asks: list[tuple[User, UUID, UUID, datetime]] = []
    decisions: list[tuple[SynthPerson, User, User, list[AttributeValue], list[Case]]] = []
    now = utcnow()
    for synth in batch:
        person = Person(uuid4(), f"K{synth.number:07d}", _at(synth.client_since))
        registration = uow.authorize(AccessRequest(links.brp, Action.REGISTER_PERSON))
        uow.persons.add(registration, person, synth.bsn)
        manager = staff["managers"][synth.case_manager - 1]
        assignments.append(
            Assignment(
                uuid4(),
                manager.id,
                person.id,
                _at(synth.zrm_dates[0] - timedelta(days=30)),
                None,
                None,
            )
        )
        permit = uow.authorize(AccessRequest(links.brp, Action.RECORD_ATTRIBUTE, person.id))
        # The generator's output passes the same checks as anything a person records.
        items = [
            (k, definition(k).validate(v), prov)
            for k, v, prov in _history(synth, links, manager.id)
        ]
        values = uow.vault.record(permit, person.id, items)
        resident = _resident(synth, person.id)
        residents.append((resident, password_hash))
        own_cases, own_grants = _cases_and_grants(synth, person.id, manager.id, now)
        cases += own_cases
        grants += own_grants
        decisions.append((synth, resident, manager, values, own_cases))
        if synth.number % 7 == 1:
            review = next(c for c in own_cases if c.purpose_code == "heronderzoek")
            # Every other one was asked a month ago and not answered in time.
            asked = now - timedelta(days=30) if synth.number % 14 == 8 else now
            asks.append((manager, person.id, review.id, asked))
    uow.caseloads.add_many(assignments)
    uow.accounts.add_many(residents, utcnow())
    uow.sharing.add_cases(cases)
    uow.sharing.add_grants(grants)
    for manager, person_id, case_id, asked in asks:
        _ask(uow, manager, person_id, case_id, asked)
    for synth, resident, manager, values, own_cases in decisions:
        _decisions(uow, synth, resident, manager, values, own_cases, now)
        if synth.number % 25 == 19:
            _complaint(uow, synth, resident, manager, now)


def _cases_and_grants(
    p: SynthPerson, person_id: UUID, manager: UUID, now: datetime
) -> tuple[list[Case], list[Grant]]:
    """Every client has an open reintegration trajectory and a periodic review; some also debt
    help (consent). The review's grant was made under version 1 of its purpose and still points
    there; a grant from an earlier, closed application has expired."""
    since = _at(p.client_since)
    application = Case(
        uuid4(), person_id, "bijstand-aanvraag", since, manager, since + timedelta(days=56)
    )
    trajectory = Case(uuid4(), person_id, "re-integratie", since + timedelta(days=60), manager)
    review = Case(uuid4(), person_id, "heronderzoek", now - timedelta(days=100), manager)
    cases = [application, trajectory, review]

    def grant(case: Case, purpose: Purpose, start: datetime, basis: Basis | None = None) -> Grant:
        end = start + timedelta(days=purpose.grant_days)
        return Grant(
            uuid4(),
            person_id,
            case.id,
            purpose.code,
            purpose.version,
            basis or purpose.basis,
            purpose.required,
            start,
            end,
            start,
        )

    grants = [
        grant(application, purposes.version("bijstand-aanvraag", 1), since),
        grant(trajectory, purposes.version("re-integratie", 1), now - timedelta(days=60)),
        grant(review, purposes.version("heronderzoek", 1), now - timedelta(days=100)),
    ]
    if p.number % 5 == 1:
        debt = Case(uuid4(), person_id, "schuldhulp", now - timedelta(days=30), manager)
        cases.append(debt)
        grants.append(grant(debt, purposes.version("schuldhulp", 1), now - timedelta(days=30)))
    return cases, grants


_ASKED = (
    AskedItem("net_monthly_income", "We kijken elk half jaar of uw inkomen veranderd is."),
    AskedItem("household_size", "De hoogte van de bijstand hangt af van wie bij u woont."),
    AskedItem("housing", "Uw woonsituatie kan invloed hebben op de hoogte van de bijstand."),
)


def _ask(uow: UnitOfWork, manager: User, person_id: UUID, case_id: UUID, now: datetime) -> None:
    """An open request in the review, asked at `now` and to be answered within two weeks, so
    that the demo's residents find one in their inbox (or, asked long ago, one overdue)."""
    purpose = purposes.current("heronderzoek")
    permit = uow.authorize(
        AccessRequest(manager, Action.REQUEST_DATA, person_id, in_active_caseload=True)
    )
    due = clock.today(now) + timedelta(days=14)
    items = check_request(purpose, list(_ASKED), due, clock.today(now))
    request = DataRequest(
        uuid4(),
        case_id,
        person_id,
        purpose.code,
        purpose.version,
        manager.id,
        now,
        due,
        RequestStatus.OPEN,
        items,
    )
    uow.sharing.add_request(permit, request)


def _decisions(
    uow: UnitOfWork,
    p: SynthPerson,
    resident: User,
    manager: User,
    values: list[AttributeValue],
    cases: list[Case],
    now: datetime,
) -> None:
    """The decisions a client's history holds, each resting on the data it used: the grant of
    assistance, the support towards work. Every tenth client (the first demo resident among
    them) had a duty imposed ten days ago, still open to objection; every twentieth objected
    to an adjustment of their benefit, at deadlines from weeks ahead to overdue, so that the
    team lead's list of objections has work in it."""
    person_id = resident.own_person_id()
    case_of = {c.purpose_code: c.id for c in cases}
    today = clock.today(now)
    made: list[tuple[Decision, str, Contestation | None]] = []

    def decision(
        kind: DecisionKind, purpose: str, known: date, outcome: str, basis: str, keys: set[str]
    ) -> Decision:
        decided = _at(known, 9)
        # The versions that were current when it was decided (`values` is oldest first).
        current = {
            v.key: v.id for v in values if v.key in keys and v.provenance.recorded_at <= decided
        }
        return Decision(
            uuid4(), person_id, case_of.get(purpose), kind, outcome, basis, manager.id, decided,
            known, responsible(manager), uow.activity_uri("besluiten-en-bezwaar"),
            tuple(sorted(current.values())),
        )  # fmt: skip

    if p.benefit["benefit_type"] == "bijstand":
        known = p.client_since + timedelta(days=21)
        made.append((decision(
            DecisionKind.BENEFIT_GRANTED, "bijstand-aanvraag", known,
            f"U krijgt bijstand vanaf {_dutch(p.client_since)}: "
            f"{_euros(str(p.benefit['monthly_benefit']))} per maand.",
            "Participatiewet art. 11 en 21",
            {"household_type", "household_size", "net_monthly_income", "savings", "housing"},
        ), "bijstand-aanvraag", None))  # fmt: skip
    started = p.instrument_started_on - timedelta(days=7)
    # Only an instrument started while a client: the generator's instrument history can
    # reach back before that, when the municipality held none of the data it rests on.
    if p.instrument != "none" and p.client_since <= started <= today:
        label = definition("reintegration_instrument").choice_label(p.instrument)
        made.append((decision(
            DecisionKind.INSTRUMENT_ASSIGNED, "re-integratie", started,
            f"U krijgt hulp naar werk: {label.nl.lower() if label else p.instrument}, vanaf "
            f"{_dutch(p.instrument_started_on)}.",
            "Participatiewet art. 7 lid 1 sub a en art. 10",
            {"education_level", "dutch_language_level", "work_experience_years",
             "zrm_werk_opleiding"},
        ), "re-integratie", None))  # fmt: skip
    if p.number % 10 == 1:
        known = today - timedelta(days=10)
        made.append((decision(
            DecisionKind.OBLIGATION_IMPOSED, "re-integratie", known,
            "U solliciteert vanaf nu elke week op twee vacatures en laat die sollicitaties elke "
            "maand aan uw klantmanager zien.",
            "Participatiewet art. 9 lid 1 sub a",
            {"work_obligation_exempt", "hours_available", "zrm_werk_opleiding"},
        ), "re-integratie", None))  # fmt: skip
    if p.number % 20 == 2:
        # Made known 8, 11.5 or 13 weeks ago: the decision on the objection is due within
        # weeks, within a week, or overdue (Awb 7:10: twelve weeks after it was made known).
        known = today - timedelta(days=(56, 80, 91)[p.number // 20 % 3])
        adjusted = decision(
            DecisionKind.BENEFIT_ADJUSTED, "heronderzoek", known,
            "Uw bijstand wordt € 120 per maand lager, omdat u meer verdient met uw werk.",
            "Participatiewet art. 31 en 32",
            {"net_monthly_income", "income_source"},
        )  # fmt: skip
        objection = Contestation(
            uuid4(), adjusted.id, person_id, ContestKind.OBJECTION,
            "Ik werk sinds vorige maand minder uren. U rekende met een oude loonstrook. Ik kan "
            "de nieuwe laten zien.",
            _at(known + timedelta(days=20), 12), ContestStatus.RECEIVED,
        )  # fmt: skip
        made.append((adjusted, "heronderzoek", objection))
    for item, purpose, contested in made:
        deciding = AccessRequest(
            manager, Action.RECORD_DECISION, person_id, in_active_caseload=True, purpose=purpose
        )
        uow.decisions.add(uow.authorize(deciding), item)
        if contested is not None:
            objecting = AccessRequest(resident, Action.CONTEST, person_id)
            uow.decisions.add_contestation(uow.authorize(objecting), contested, ())


_COMPLAINTS = (
    "Mijn klantmanager belde me drie keer niet terug, terwijl ik dringend een vraag had over "
    "mijn uitkering.",
    "Aan de balie werd hardop over mijn schulden gepraat, terwijl er andere mensen stonden.",
    "Mijn klantmanager zei dat ik 'gewoon harder mijn best moet doen'. Ik voelde me vernederd.",
)


def _complaint(
    uow: UnitOfWork, p: SynthPerson, resident: User, manager: User, now: datetime
) -> None:
    """Every twenty-fifth client (from the nineteenth: the first demo residents, whose logs the
    guides walk through, have none) complained about their case manager one, four or seven
    weeks ago, so that the team lead's list of complaints has work in it, one of it overdue."""
    person_id = resident.own_person_id()
    turn = p.number // 25 % 3
    filed = now - timedelta(weeks=(1, 4, 7)[turn])
    complaint = Complaint(
        uuid4(),
        person_id,
        _COMPLAINTS[turn],
        clock.today(filed) - timedelta(days=2),
        manager.id,
        None,
        filed,
        ComplaintStatus.RECEIVED,
    )
    permit = uow.authorize(AccessRequest(resident, Action.FILE_COMPLAINT, person_id))
    uow.complaints.add(permit, complaint)


def _dutch(day: date) -> str:
    """A date as a case manager writes it in a decision: "1 februari 2024"."""
    return format_date(day, format="long", locale="nl_NL")


def _euros(amount: str) -> str:
    """An amount as a case manager writes it in a decision: "€ 1.120,80"."""
    return format_currency(Decimal(amount), "EUR", locale="nl_NL")


def _resident(synth: SynthPerson, person_id: UUID) -> User:
    # The account holds no name: a resident's name is personal data and lives, encrypted, in
    # their vault. The account table is not encrypted.
    username = f"inwoner{synth.number}"
    return User(uuid4(), username, username, frozenset({Role.RESIDENT}), person_id)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _history(p: SynthPerson, links: _Connections, manager: UUID) -> list[Item]:
    """All versions of all facts about `p`, oldest first, so the last of each key is current."""
    since = p.client_since
    brp = Provenance(Source.BRP, links.brp.id, _at(since, 9), verified=True)
    intake = Provenance(Source.SELF_DECLARED, manager, _at(since, 11))
    checked = Provenance(Source.SELF_DECLARED, manager, _at(since, 11), verified=True)
    gemeente = Provenance(
        Source.MUNICIPALITY, manager, _at(since, 14), valid_from=since, verified=True
    )
    items: list[Item] = [
        ("given_name", p.given_name, brp),
        ("family_name", p.family_name, brp),
        ("birth_date", p.birth_date.isoformat(), brp),
        ("sex", p.sex, brp),
        ("phone", p.phone, intake),
    ]
    if p.name_prefix:
        items.append(("name_prefix", p.name_prefix, brp))
    items += [(k, _json(v), brp) for k, v in p.household.items() if k != "housing"]
    items += [("housing", _json(p.household["housing"]), intake)]
    items += [(k, _json(v), gemeente) for k, v in p.benefit.items()]
    items += [(k, _json(p.income[k]), gemeente) for k in ("income_source", "net_monthly_income")]
    items += [(k, _json(p.income[k]), checked) for k in ("savings", "debts", "debt_counselling")]
    items += [(k, _json(v), intake) for k, v in p.work.items() if v is not None]
    return sorted(
        items + _addresses(p, links) + _zrm(p, manager) + _reintegration(p, manager),
        key=lambda i: i[2].recorded_at,
    )


def _reintegration(p: SynthPerson, manager: UUID) -> list[Item]:
    """The instrument when it started; whether work followed, a year later."""
    started = p.instrument_started_on
    result: list[Item] = [
        (
            "reintegration_instrument",
            p.instrument,
            Provenance(Source.MUNICIPALITY, manager, _at(started, 15), valid_from=started),
        )
    ]
    year_later = started + timedelta(days=365)
    result.append(
        (
            "exit_to_work",
            p.exit_to_work,
            Provenance(Source.MUNICIPALITY, manager, _at(year_later, 15), verified=True),
        )
    )
    return result


def _addresses(p: SynthPerson, links: _Connections) -> list[Item]:
    def items(address: Address, provenance: Provenance) -> list[Item]:
        parts = (
            ("street", address.street),
            ("house_number", address.house_number),
            ("postcode", address.postcode),
            ("city", address.city),
        )
        return [(k, v, provenance) for k, v in parts]

    if p.earlier_address is None or p.moved_on is None:
        return items(
            p.address, Provenance(Source.BRP, links.brp.id, _at(p.client_since, 9), verified=True)
        )
    first = min(p.client_since, p.moved_on - timedelta(days=365))
    before = Provenance(Source.BRP, links.brp.id, _at(first, 9), valid_to=p.moved_on, verified=True)
    after = Provenance(
        Source.BRP, links.brp.id, _at(p.moved_on, 9), valid_from=p.moved_on, verified=True
    )
    return items(p.earlier_address, before) + items(p.address, after)


def _zrm(p: SynthPerson, manager: UUID) -> list[Item]:
    version = INSTRUMENT_VERSIONS[0]
    result: list[Item] = []
    for scores, day in ((p.zrm_earlier, p.zrm_dates[0]), (p.zrm, p.zrm_dates[1])):
        prov = Provenance(
            Source.MUNICIPALITY, manager, _at(day, 13), valid_from=day, instrument_version=version
        )
        result += [(attribute_key(d), s, prov) for d, s in scores.items()]
    return result


def _json(value: object) -> JsonValue:
    if isinstance(value, date):
        return value.isoformat()
    assert isinstance(value, str | int | bool)
    return value
