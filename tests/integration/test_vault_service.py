"""Reading and recording vault data through the services, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from datameent.domain import purposes
from datameent.domain.accounts import Role, User
from datameent.domain.bsn import is_valid_bsn
from datameent.domain.persons import Person
from datameent.domain.vault import NewValue, Source
from datameent.errors import AccessDenied, Conflict, InvalidInput
from datameent.services import caseloads, persons, vault
from datameent.store.tables import attribute_values, case_assignments
from datameent.store.tables import persons as persons_table
from datameent.store.uow import Store
from tests.support import SEED_PERSONS, user


def count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def caseload_of(store: Store, manager: User) -> list[caseloads.CaseSummary]:
    return caseloads.my_caseload(store, manager)


def stranger_for(store: Store, manager: User) -> User:
    own = {c.person_id for c in caseload_of(store, manager)}
    for n in range(1, SEED_PERSONS + 1):
        resident = user(store, f"inwoner{n}")
        if resident.person_id not in own:
            return resident
    raise AssertionError("every resident is in this caseload")


def test_a_resident_sees_all_their_data_with_provenance_and_full_bsn(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    view = vault.read_vault(seeded, resident, resident.person_id, history=True)
    keys = {v.key for v in view.current}
    assert {"given_name", "birth_date", "household_type", "benefit_type", "zrm_financien"} <= keys
    assert view.bsn.isdigit() and len(view.bsn) == 9
    assert all(v.provenance.recorded_at.tzinfo is not None for v in view.versions)
    assert {v.provenance.source for v in view.current} >= {Source.BRP, Source.MUNICIPALITY}
    assert len(view.versions) > len(view.current), "earlier ZRM scores are kept"


def test_a_case_manager_opens_their_own_clients_and_nobody_elses(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    cases = caseload_of(seeded, manager)
    assert cases and all(c.name for c in cases)
    view = vault.read_vault(seeded, manager, cases[0].person_id, purpose="re-integratie")
    granted = purposes.version("re-integratie", 1).required
    assert view.current and {v.key for v in view.current} <= granted
    assert "savings" not in {v.key for v in view.current}, "not granted for reintegration"
    assert view.bsn is None and view.scope == granted
    stranger = stranger_for(seeded, manager)
    with pytest.raises(AccessDenied) as caught:
        vault.read_vault(seeded, manager, stranger.person_id, purpose="re-integratie")  # type: ignore[arg-type]
    assert caught.value.hide_existence
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, cases[0].person_id)  # no purpose named
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, manager, cases[0].person_id, purpose="wmo-ondersteuning")


@pytest.mark.parametrize("username", ["teamleider1", "privacy1", "analist1", "admin1"])
def test_other_roles_read_no_personal_data(seeded: Store, username: str) -> None:
    resident = user(seeded, "inwoner1")
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, user(seeded, username), resident.person_id)  # type: ignore[arg-type]


def test_recording_keeps_the_earlier_version(seeded: Store) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id
    before = vault.read_vault(seeded, resident, resident.person_id)
    old_phone = next(v for v in before.current if v.key == "phone")
    vault.record_attribute(
        seeded, resident, resident.person_id, NewValue("phone", "0698765432", Source.SELF_DECLARED)
    )
    after = vault.read_vault(seeded, resident, resident.person_id, history=True)
    phones = [v for v in after.versions if v.key == "phone"]
    assert [v.value for v in phones if v.current] == ["0698765432"]
    assert old_phone.id in {v.id for v in phones if not v.current}
    new = next(v for v in phones if v.current)
    assert new.provenance.recorded_by == resident.id
    assert new.provenance.source is Source.SELF_DECLARED and not new.provenance.verified


def test_bad_values_store_nothing(seeded: Store) -> None:
    manager = user(seeded, "klantmanager1")
    person = caseload_of(seeded, manager)[0].person_id
    before = count(seeded, attribute_values)
    bad = [
        NewValue("zrm_financien", 7, Source.MUNICIPALITY, instrument_version="ZRM 2017"),
        NewValue("shoe_size", 44, Source.MUNICIPALITY),
        NewValue("children_count", "two", Source.MUNICIPALITY),
        NewValue("last_occupation", "x" * 70_000, Source.MUNICIPALITY),
    ]
    for new in bad:
        with pytest.raises(InvalidInput):
            vault.record_attribute(seeded, manager, person, new)
    assert count(seeded, attribute_values) == before


def test_a_resident_cannot_write_into_someone_elses_vault(seeded: Store) -> None:
    resident, other = user(seeded, "inwoner1"), user(seeded, "inwoner2")
    with pytest.raises(AccessDenied):
        vault.record_attribute(
            seeded,
            resident,
            other.person_id,  # type: ignore[arg-type]
            NewValue("phone", "0600000000", Source.SELF_DECLARED),
        )


def test_intake_registers_the_applicant_in_the_case_managers_caseload(seeded: Store) -> None:
    manager = user(seeded, "klantmanager2")
    form = persons.IntakeForm(
        "111222333", "Anouk", "van der", "Berg", "1990-04-01", Source.SELF_DECLARED, verified=True
    )
    person = persons.register_person(seeded, manager, form)
    assert person.id in {c.person_id for c in caseload_of(seeded, manager)}
    view = vault.read_vault(seeded, manager, person.id, purpose="bijstand-aanvraag")
    assert {v.key: v.value for v in view.current} == {
        "given_name": "Anouk",
        "name_prefix": "van der",
        "family_name": "Berg",
        "birth_date": "1990-04-01",
    }
    assert all(
        v.provenance.verified and v.provenance.recorded_by == manager.id for v in view.current
    )
    assert view.bsn is None, "the BSN is not part of what the applicant granted"


def test_intake_refuses_a_bsn_twice_and_bad_details_without_writing(seeded: Store) -> None:
    manager = user(seeded, "klantmanager2")
    persons.register_person(
        seeded, manager, persons.IntakeForm("111222333", "A", None, "B", "1990-01-01")
    )
    rows = (
        count(seeded, persons_table),
        count(seeded, attribute_values),
        count(seeded, case_assignments),
    )
    with pytest.raises(Conflict):
        persons.register_person(
            seeded, manager, persons.IntakeForm("111222333", "C", None, "D", "1991-01-01")
        )
    with pytest.raises(InvalidInput) as caught:
        persons.register_person(
            seeded, manager, persons.IntakeForm("123456789", "", None, "D", "2999-01-01")
        )
    assert {p.field for p in caught.value.problems} == {"bsn", "givenName", "birthDate"}
    assert rows == (
        count(seeded, persons_table),
        count(seeded, attribute_values),
        count(seeded, case_assignments),
    )


def test_simultaneous_intakes_each_get_their_own_client_number(seeded: Store) -> None:
    """Client numbers count up: intakes at the same moment at several desks all succeed, none
    is sent back with "try again" because another took its number first."""
    managers = [user(seeded, f"klantmanager{n}") for n in (1, 2, 3)]
    numbers = ["111222333", "123456782", "100000010", "100000022", "100000034", "100000046"]
    assert all(is_valid_bsn(n) for n in numbers)
    before = count(seeded, persons_table)
    start = threading.Barrier(len(numbers))

    def intake(n: int) -> str:
        start.wait()
        form = persons.IntakeForm(numbers[n], "A", None, f"B{n}", "1990-01-01")
        return persons.register_person(seeded, managers[n % 3], form).client_number

    with ThreadPoolExecutor(len(numbers)) as pool:
        made = list(pool.map(intake, range(len(numbers))))
    assert len(set(made)) == len(numbers)
    assert count(seeded, persons_table) == before + len(numbers)


def test_one_applicant_at_two_desks_at_once_is_registered_once(seeded: Store) -> None:
    managers = [user(seeded, "klantmanager1"), user(seeded, "klantmanager2")]
    start = threading.Barrier(2)

    def intake(manager: User) -> Person | Conflict:
        start.wait()
        form = persons.IntakeForm("111222333", "A", None, "B", "1990-01-01")
        try:
            return persons.register_person(seeded, manager, form)
        except Conflict as refused:
            return refused

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(intake, managers))
    [refused] = [o for o in outcomes if isinstance(o, Conflict)]
    assert refused.detail == persons.ALREADY_KNOWN  # says what to do, not "try again"


def test_only_case_managers_do_intake(seeded: Store) -> None:
    with pytest.raises(AccessDenied):
        persons.register_person(
            seeded,
            user(seeded, "inwoner1"),
            persons.IntakeForm("111222333", "A", None, "B", "1990-01-01"),
        )


def test_access_follows_the_client_when_a_case_is_handed_over(seeded: Store) -> None:
    lead = user(seeded, "teamleider1")
    first = user(seeded, "klantmanager1")
    second = user(seeded, "klantmanager2")
    person = caseload_of(seeded, first)[0].person_id
    caseloads.assign_case(seeded, lead, person, second.id)
    with pytest.raises(AccessDenied):
        vault.read_vault(seeded, first, person, purpose="re-integratie")
    assert vault.read_vault(seeded, second, person, purpose="re-integratie").current
    overview = caseloads.team_overview(seeded, lead, case_manager=second.id)
    holder = next(c for c in overview.cases if c.person_id == person)
    assert holder.case_manager is not None and holder.case_manager.id == second.id
    assert all(c.case_manager == second for c in overview.cases)


def test_the_team_lead_sees_the_load_without_reading_a_clients_name(seeded: Store) -> None:
    """Counting each case manager's clients reads no name; a name is read (and in that
    resident's log) only for the cases the team lead asks for."""
    from datameent.services import ledger

    lead = user(seeded, "teamleider1")
    officer = user(seeded, "privacy1")
    first = user(seeded, "klantmanager1")
    mine = caseload_of(seeded, first)
    looked_up, other = mine[0], mine[1]

    def team_lines(person: caseloads.CaseSummary) -> int:
        lines = ledger.processing_log_of(seeded, officer, person.person_id)
        return sum(line.operation == "caseload.team" for line in lines)

    before = team_lines(looked_up), team_lines(other)
    overview = caseloads.team_overview(seeded, lead)
    assert overview.cases == [] and not overview.asked
    load = {w.case_manager.id: w.clients for w in overview.workload}
    assert load[first.id] == len(mine)
    assert (team_lines(looked_up), team_lines(other)) == before

    found = caseloads.team_overview(seeded, lead, client_number=looked_up.client_number.lower())
    assert [c.person_id for c in found.cases] == [looked_up.person_id] and found.asked
    assert found.cases[0].name == looked_up.name
    assert (team_lines(looked_up), team_lines(other)) == (before[0] + 1, before[1])

    nobody = caseloads.team_overview(seeded, lead, client_number="K9999999")
    assert nobody.cases == [] and nobody.asked
    theirs = caseloads.team_overview(seeded, lead, case_manager=first.id)
    assert theirs.of == first and len(theirs.cases) == len(mine)


def test_a_case_goes_only_to_a_case_manager(seeded: Store) -> None:
    lead = user(seeded, "teamleider1")
    person = caseload_of(seeded, user(seeded, "klantmanager1"))[0].person_id
    with pytest.raises(InvalidInput):
        caseloads.assign_case(seeded, lead, person, user(seeded, "analist1").id)
    with pytest.raises(AccessDenied):
        caseloads.assign_case(
            seeded, user(seeded, "klantmanager1"), person, user(seeded, "klantmanager2").id
        )


def test_a_resident_added_value_is_dated_correctly(seeded: Store) -> None:
    resident = user(seeded, "inwoner5")
    assert resident.person_id
    value = vault.record_attribute(
        seeded,
        resident,
        resident.person_id,
        NewValue("hours_available", 24, Source.SELF_DECLARED, valid_from=date(2026, 1, 1)),
    )
    assert value.provenance.valid_from == date(2026, 1, 1)
    assert Role.RESIDENT in resident.roles
