"""The data dialogue's rules and the database game's tables: join codes, stages, input checks,
the questionnaire's protected results, and what the real pseudonymisation, linkage and
disclosure code did to the game's town."""

from __future__ import annotations

from uuid import uuid4

import pytest

from datameent.analytics.game import KEY_A, KEY_B, Game, game, pseudonym, try_pseudonyms
from datameent.domain.accounts import Role, User
from datameent.domain.dialogue import (
    CODE_ALPHABET,
    CODE_LENGTH,
    GAME_STEPS,
    QUESTIONNAIRE_OPENS,
    QUESTIONS,
    STAGES,
    Phase,
    Step,
    WrongCode,
    check_note,
    check_score,
    check_statement,
    new_code,
    normalise_code,
)
from datameent.domain.policy import Action, allows
from datameent.domain.text import Text
from datameent.errors import InvalidInput
from datameent.services.dialogue import correct, explain, results_of
from datameent.store.dialogue import Statement


def test_a_join_code_is_read_as_typed_and_anything_else_is_refused() -> None:
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(f" {code[:3].lower()}-{code[3:].lower()} ") == code
    for wrong in ("", "ABC", "ABCDEFG", "ABCDE0", "ABCDEI", "<scrip"):
        with pytest.raises(WrongCode):
            normalise_code(wrong)


def test_the_stages_ask_before_they_answer_and_end_with_the_questionnaire() -> None:
    assert STAGES[0].step is Step.LOBBY
    game_stages = STAGES[1:QUESTIONNAIRE_OPENS]
    assert [s.step for s in game_stages[::2]] == list(GAME_STEPS)
    assert all(s.phase is Phase.ASK for s in game_stages[::2])
    assert all(s.phase is Phase.ANSWER for s in game_stages[1::2])
    assert [s.step for s in STAGES[QUESTIONNAIRE_OPENS:]] == [
        Step.QUESTIONNAIRE,
        Step.QUESTIONNAIRE,
        Step.END,
    ]
    assert set(QUESTIONS) == set(GAME_STEPS)


def test_statements_notes_and_scores_are_checked() -> None:
    assert check_statement("  Mijn  gegevens ", "") == Text("Mijn gegevens", "Mijn gegevens")
    for nl, en in (("", "x"), ("x" * 301, ""), ("x", "y" * 301)):
        with pytest.raises(InvalidInput):
            check_statement(nl, en)
    assert check_note(" Tafel  1 ", " zei iets ") == ("Tafel 1", "zei iets")
    with pytest.raises(InvalidInput) as both:
        check_note("", "")
    assert {p.field for p in both.value.problems} == {"table", "text"}
    assert check_score("5") == 5
    for wrong in ("0", "6", "", "3.0", "drie"):
        with pytest.raises(InvalidInput):
            check_score(wrong)


def test_only_the_facilitator_who_started_a_session_runs_it() -> None:
    def user(role: Role) -> User:
        return User(uuid4(), "someone", "Someone", frozenset({role}))

    facilitator, other = user(Role.FACILITATOR), user(Role.FACILITATOR)
    assert allows(facilitator, Action.START_DIALOGUE)
    assert allows(facilitator, Action.RUN_DIALOGUE, owner=facilitator.id)
    assert not allows(other, Action.RUN_DIALOGUE, owner=facilitator.id)
    assert not allows(facilitator, Action.RUN_DIALOGUE)
    for role in (Role.RESIDENT, Role.CASE_MANAGER, Role.PRIVACY_OFFICER, Role.ADMIN):
        someone = user(role)
        assert not allows(someone, Action.START_DIALOGUE)
        assert not allows(someone, Action.RUN_DIALOGUE, owner=someone.id)


def _statement(position: int) -> Statement:
    return Statement(uuid4(), position, Text(f"Stelling {position}", f"Statement {position}"))


def test_questionnaire_results_hide_small_numbers_as_the_dashboards_do() -> None:
    many, few, nobody = _statement(1), _statement(2), _statement(3)
    scores = [(many.id, 4)] * 11 + [(many.id, 5)] * 3 + [(few.id, 1)] * 9
    found = {r.statement.id: r for r in results_of([many, few, nobody], scores)}

    result = found[many.id]
    assert result.respondents == 14
    counts = [c.count for c in result.cells]
    # 3 "strongly agree" is too few; the 11 "agree" must go with it (else 14 - 11 = 3).
    assert counts == [0, 0, 0, None, None] and result.hidden
    assert [c.count for c in result.coarse] == [0, 0, 14]

    assert found[few.id].respondents is None, "nine people: even the total is too few"
    assert all(c.count in (0, None) for c in found[few.id].cells)
    assert found[few.id].cells[0].count is None
    assert found[nobody.id].respondents == 0 and not found[nobody.id].hidden


def test_results_are_shown_when_every_group_is_large_enough() -> None:
    one = _statement(1)
    scores = [(one.id, 2)] * 10 + [(one.id, 4)] * 12
    (result,) = results_of([one], scores)
    assert [c.count for c in result.cells] == [0, 10, 0, 12, 0] and not result.hidden


@pytest.fixture(scope="module")
def played() -> Game:
    return game()


def test_pseudonyms_are_keyed_the_same_for_the_same_person_and_differ_per_key(
    played: Game,
) -> None:
    a = {r.row: r for r in played.municipality}
    b = {r.row: r for r in played.statistics_office}
    for pair in played.same_pseudonym:
        assert a[pair.municipal].pseudonym_a == b[pair.statistics].pseudonym_a
        assert a[pair.municipal].bsn_end == b[pair.statistics].bsn_end
    for record in played.municipality:
        assert record.pseudonym_a and record.pseudonym_b
        assert record.pseudonym_a != record.pseudonym_b
        assert record.bsn_end is not None and record.bsn_end not in record.pseudonym_a
    assert len({r.pseudonym_a for r in played.municipality}) == len(played.municipality)
    assert pseudonym(KEY_A, "x") != pseudonym(KEY_B, "x")
    assert try_pseudonyms("appel") == try_pseudonyms(" appel ") != try_pseudonyms("appels")


def test_the_toy_tables_show_every_case_of_linkage(played: Game) -> None:
    assert len(played.municipality) == len(played.statistics_office) == 10
    assert len(played.same_pseudonym) == 6 and len(played.probabilistic) == 2
    b = {r.row: r for r in played.statistics_office}
    for pair in played.probabilistic + played.missed:
        assert b[pair.statistics].pseudonym_a is None, "no shared key: only linkage finds them"
    for pair in played.probabilistic:
        assert pair.probability is not None and pair.probability >= 0.9 and pair.differences
    assert played.missed and played.missed[0].probability is None
    assert any(p.differences for p in played.same_pseudonym), "a key links despite a typo"
    paired = {p.statistics for p in played.same_pseudonym + played.probabilistic + played.missed}
    assert len(paired) == 9, "one record is only at the statistics office"
    assert played.linkage_found <= played.compared
    assert played.linkage_found - played.linkage_wrong < played.linkage_true


def test_small_groups_make_people_recognisable_and_disclosure_control_hides_them(
    played: Game,
) -> None:
    linked = len(played.same_pseudonym) + len(played.probabilistic)
    assert sum(g.size for g in played.groups) == sum(g.size for g in played.wider_groups) == linked
    assert played.k == 1 and played.wider_k >= played.k
    assert len(played.wider_groups) < len(played.groups), "coarser groups merge people"
    assert any(g.size > 1 for g in played.wider_groups)
    assert played.profile[0].percent >= played.profile[-1].percent

    cells = played.table_after.cells
    before = {
        (row["neighbourhood"], band): row[band]
        for row in played.table_before.rows(named=True)
        for band in ("18-39", "40+")
    }
    for row in cells.rows(named=True):
        key = (row["neighbourhood"], row["age_band"])
        if row["status"] == "too_few":
            assert 0 < before[key] < 10
        elif row["status"] == "safe" and key in before:
            assert row["count"] == before[key]
    for hood in set(cells["neighbourhood"]):
        hidden = cells.filter((cells["neighbourhood"] == hood) & cells["count"].is_null())
        assert hidden.height != 1, f"a lone hidden cell in {hood} could be recomputed"


def test_the_right_answers_follow_from_what_the_code_did(played: Game) -> None:
    assert correct(Step.LINK, played) == ("all" if played.everyone_found else "most")
    assert correct(Step.PROFILE, played) == ("yes" if played.k == 1 else "no")
    assert correct(Step.PROTECT, played) == ("more" if played.secondary else "small")
    for step in GAME_STEPS:
        assert QUESTIONS[step].has(correct(step, played))
        text = explain(step, played)
        assert "{" not in text.nl + text.en
    assert str(played.linkage_true) in explain(Step.LINK, played).nl
