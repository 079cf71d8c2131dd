"""The data dialogue as the product runs it: a facilitator's session, participants on their
phones, votes in the database game, the questionnaire and its protected results, the notes.

No personal data is processed: participants are anonymous tokens, the game's tables are a
synthetic town, and the questionnaire asks no one who they are. So nothing here goes through
the processing log; who may run a session is still decided by the policy (`allows`), and the
questionnaire's figures leave only through the dashboards' disclosure control.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

import polars as pl

from datameent.analytics.disclosure import TOTAL, Rules, Status, protect
from datameent.analytics.game import Game, game
from datameent.domain.accounts import User
from datameent.domain.dialogue import (
    COARSE_SCALE,
    DEFAULT_STATEMENTS,
    EXPLAIN,
    MAX_STATEMENTS,
    NO_STATEMENTS,
    QUESTIONNAIRE_OPENS,
    QUESTIONS,
    SCALE,
    SESSION_LIFETIME,
    STAGES,
    AnsweringClosed,
    NotJoined,
    NotYourSession,
    Phase,
    SessionOver,
    Stage,
    StatementsLocked,
    Step,
    WrongCode,
    check_note,
    check_score,
    check_statement,
    check_title,
    new_code,
    normalise_code,
)
from datameent.domain.policy import Action, allows
from datameent.domain.text import Text
from datameent.errors import AccessDenied, InvalidInput, NotFound, Problem
from datameent.services.clock import utcnow
from datameent.store.dialogue import Note, Session, Statement
from datameent.store.uow import Store, UnitOfWork

TOKEN_BYTES = 32
CODE_ATTEMPTS = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# The game ----------------------------------------------------------------------------------


def correct(step: Step, played: Game | None = None) -> str:
    """The right answer to `step`'s question, from what the real code did to the game's town."""
    found = played or game()
    answers = {
        Step.SOURCES: "hard",
        Step.PSEUDONYMISE: "key",
        Step.LINK: "all" if found.everyone_found else "most",
        Step.PROFILE: "yes" if found.k == 1 else "no",
        Step.FRAUD: "unknown",
        Step.PROTECT: "more" if found.secondary else "small",
    }
    return answers[step]


def explain(step: Step, played: Game | None = None) -> Text:
    """The answer explained, with the game's own figures."""
    found = played or game()
    figures = {
        "keyed": len(found.same_pseudonym),
        "compared": found.compared,
        "found": found.linkage_found - found.linkage_wrong,
        "true": found.linkage_true,
        "wrong": found.linkage_wrong,
        "k": found.k,
        "wider_k": found.wider_k,
        "min": found.table_after.rules.min_frequency,
    }
    text = EXPLAIN[step]
    return Text(text.nl.format(**figures), text.en.format(**figures))


# The questionnaire's results ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: Text
    count: int | None
    """None: hidden by disclosure control."""
    status: Status


@dataclass(frozen=True)
class StatementResult:
    statement: Statement
    respondents: int | None
    """How many answered this statement; None when fewer than the minimum (then it is hidden)."""
    cells: tuple[Cell, ...]
    """The five-point answers, after disclosure control."""
    coarse: tuple[Cell, ...]
    """Disagree / neutral / agree, after disclosure control: shown when `cells` hides some."""

    @property
    def hidden(self) -> bool:
        return any(c.count is None for c in self.cells)


def _protected(
    scores: list[int], groups: tuple[tuple[Text, tuple[int, ...]], ...], rules: Rules
) -> tuple[int | None, tuple[Cell, ...]]:
    """The answers in `groups`, protected as the dashboards protect a table: the total and
    each group, with primary and secondary suppression."""
    if not scores:
        return 0, tuple(Cell(label, 0, Status.SAFE) for label, _ in groups)
    group_of = {score: str(i) for i, (_, members) in enumerate(groups) for score in members}
    facts = pl.DataFrame({"answer": [group_of[s] for s in scores]})
    table = protect(facts, ["answer"], rules=rules).cells
    found = {r["answer"]: r for r in table.rows(named=True)}
    total = found[TOTAL]
    cells = []
    for i, (label, _) in enumerate(groups):
        row = found.get(str(i))
        if row is None:  # nobody chose it: a zero is published
            cells.append(Cell(label, 0, Status.SAFE))
        else:
            cells.append(Cell(label, row["count"], Status(row["status"])))
    return total["count"], tuple(cells)


def results_of(
    statements: list[Statement], scores: list[tuple[UUID, int]], rules: Rules | None = None
) -> list[StatementResult]:
    """Per statement: its answers on the five-point scale and in three groups, each through the
    dashboards' disclosure control (by default a minimum of 10 people per figure). The big
    screen asks every two seconds while nothing changes: the same answers are protected once."""
    return list(_results(tuple(statements), tuple(sorted(scores)), rules or Rules()))


@functools.lru_cache(maxsize=64)
def _results(
    statements: tuple[Statement, ...], scores: tuple[tuple[UUID, int], ...], rules: Rules
) -> tuple[StatementResult, ...]:
    by_statement: dict[UUID, list[int]] = {s.id: [] for s in statements}
    for answered_id, score in scores:
        by_statement.setdefault(answered_id, []).append(score)
    fine = tuple((label, (i + 1,)) for i, label in enumerate(SCALE))
    found = []
    for statement in statements:
        answered = by_statement[statement.id]
        respondents, cells = _protected(answered, fine, rules)
        _, coarse = _protected(answered, COARSE_SCALE, rules)
        found.append(StatementResult(statement, respondents, cells, coarse))
    return tuple(found)


# The facilitator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """A session as its facilitator and the big screen see it."""

    session: Session
    stage: Stage
    participants: int
    votes: Mapping[str, Mapping[str, int]]
    """step -> choice -> votes."""
    statements: list[Statement]
    respondents: int
    results: list[StatementResult]
    notes: list[Note]

    @property
    def locked(self) -> bool:
        """The statements are fixed once the questionnaire has opened."""
        return self.session.stage >= QUESTIONNAIRE_OPENS

    @property
    def first(self) -> bool:
        return self.session.stage == 0

    @property
    def last(self) -> bool:
        return self.session.stage == len(STAGES) - 1

    def votes_on(self, step: Step) -> list[tuple[str, Text, int]]:
        """(choice, label, votes) for `step`'s question, in the question's order."""
        counted = self.votes.get(step, {})
        return [(o.key, o.label, counted.get(o.key, 0)) for o in QUESTIONS[step].options]

    def voters(self, step: Step) -> int:
        return sum(self.votes.get(step, {}).values())


def start(store: Store, actor: User, title: str) -> UUID:
    """A new session in the lobby, with a fresh join code and the default statements."""
    if not allows(actor, Action.START_DIALOGUE):
        raise AccessDenied(("only facilitators start a data dialogue",))
    title = check_title(title)
    now = utcnow()
    with store.unit_of_work() as uow:
        code = _free_code(uow)
        session = Session(uuid4(), code, actor.id, title, 0, now, now + SESSION_LIFETIME, None)
        uow.dialogue.add(session)
        for statement in DEFAULT_STATEMENTS:
            uow.dialogue.add_statement(session.id, statement)
        uow.commit()
    return session.id


def _free_code(uow: UnitOfWork) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        if not uow.dialogue.code_taken(code):
            return code
    raise RuntimeError("no free join code")  # 32^6 codes: does not happen


def sessions(store: Store, actor: User) -> list[Session]:
    if not allows(actor, Action.START_DIALOGUE):
        raise AccessDenied(("only facilitators run data dialogues",))
    with store.unit_of_work(write=False) as uow:
        return uow.dialogue.of_facilitator(actor.id)


def _own(uow: UnitOfWork, actor: User, session_id: UUID, *, lock: bool = False) -> Session:
    session = uow.dialogue.get(session_id, lock=lock)
    if session is None:
        raise NotFound()
    if not allows(actor, Action.RUN_DIALOGUE, owner=session.facilitator_id):
        raise NotYourSession(("the session belongs to another facilitator",))
    return session


def board(store: Store, actor: User, session_id: UUID, *, results: bool | None = None) -> Board:
    """The session for its facilitator. The questionnaire's protected results are worked out
    when they are shown (after the questionnaire closed) or when `results` asks for them."""
    with store.unit_of_work(write=False) as uow:
        session = _own(uow, actor, session_id)
        statements = uow.dialogue.statements(session_id)
        stage = STAGES[session.stage]
        shown = session.stage > QUESTIONNAIRE_OPENS if results is None else results
        scores = uow.dialogue.scores(session_id) if shown else []
        return Board(
            session,
            stage,
            uow.dialogue.participants(session_id),
            uow.dialogue.votes(session_id),
            statements,
            uow.dialogue.respondents(session_id),
            results_of(statements, scores) if shown else [],
            uow.dialogue.notes(session_id),
        )


def move(store: Store, actor: User, session_id: UUID, steps: int) -> Stage:
    """Forward (`steps` = 1) or back (-1) one stage. Opening the questionnaire needs at least
    one statement."""
    if steps not in (-1, 1):
        raise InvalidInput(Problem("direction", Text("Kies vooruit of terug.", "Go on or back.")))
    with store.unit_of_work() as uow:
        session = _own(uow, actor, session_id, lock=True)
        _open(session)
        stage = min(max(session.stage + steps, 0), len(STAGES) - 1)
        if stage == QUESTIONNAIRE_OPENS and not uow.dialogue.statements(session_id):
            raise InvalidInput(Problem("statements", NO_STATEMENTS))
        uow.dialogue.set_stage(session_id, stage)
        uow.commit()
    return STAGES[stage]


def close(store: Store, actor: User, session_id: UUID) -> None:
    """End the session: the code stops working; the results and notes stay."""
    with store.unit_of_work() as uow:
        session = _own(uow, actor, session_id, lock=True)
        if session.closed_at is None:
            uow.dialogue.close(session_id, utcnow())
        uow.commit()


def remove(store: Store, actor: User, session_id: UUID) -> None:
    """Delete a session with its answers, votes and notes (after the facilitator kept the
    report): nothing of it stays in datameent."""
    with store.unit_of_work() as uow:
        _own(uow, actor, session_id, lock=True)
        uow.dialogue.remove(session_id)
        uow.commit()


def _open(session: Session) -> None:
    if session.closed_at is not None or session.expires_at <= utcnow():
        raise SessionOver()


def add_statement(store: Store, actor: User, session_id: UUID, nl: str, en: str) -> None:
    text = check_statement(nl, en)
    with store.unit_of_work() as uow:
        session = _own(uow, actor, session_id, lock=True)
        _unlocked(session)
        if len(uow.dialogue.statements(session_id)) >= MAX_STATEMENTS:
            raise InvalidInput(
                Problem(
                    "text_nl",
                    Text(
                        f"Er passen hoogstens {MAX_STATEMENTS} stellingen in een vragenlijst.",
                        f"A questionnaire holds at most {MAX_STATEMENTS} statements.",
                    ),
                )
            )
        uow.dialogue.add_statement(session_id, text)
        uow.commit()


def edit_statement(
    store: Store, actor: User, session_id: UUID, statement_id: UUID, nl: str, en: str
) -> None:
    text = check_statement(nl, en)
    with store.unit_of_work() as uow:
        session = _own(uow, actor, session_id, lock=True)
        _unlocked(session)
        if not uow.dialogue.edit_statement(session_id, statement_id, text):
            raise NotFound()
        uow.commit()


def remove_statement(store: Store, actor: User, session_id: UUID, statement_id: UUID) -> None:
    """Remove a statement; the last one stays (a questionnaire without statements is empty)."""
    with store.unit_of_work() as uow:
        session = _own(uow, actor, session_id, lock=True)
        _unlocked(session)
        if len(uow.dialogue.statements(session_id)) <= 1:
            raise InvalidInput(Problem("statements", NO_STATEMENTS))
        if not uow.dialogue.remove_statement(session_id, statement_id):
            raise NotFound()
        uow.commit()


def _unlocked(session: Session) -> None:
    if session.stage >= QUESTIONNAIRE_OPENS:
        raise StatementsLocked()


def add_note(store: Store, actor: User, session_id: UUID, table: str, text: str) -> None:
    table, text = check_note(table, text)
    with store.unit_of_work() as uow:
        _own(uow, actor, session_id)
        uow.dialogue.add_note(session_id, table, text, utcnow())
        uow.commit()


def results_csv(store: Store, actor: User, session_id: UUID, locale: str) -> str:
    """The questionnaire's results as CSV: per statement and answer the protected count (empty
    where hidden, with the reason), then the group-talk notes."""
    found = board(store, actor, session_id, results=True)
    out = io.StringIO()
    writer = csv.writer(out)
    nl = locale != "en"
    writer.writerow(
        ["stelling", "antwoord", "aantal", "status"]
        if nl
        else ["statement", "answer", "count", "status"]
    )
    for result in found.results:
        text = result.statement.text.in_(locale)
        total = "" if result.respondents is None else result.respondents
        writer.writerow([text, "Totaal" if nl else "Total", total, ""])
        for cells in (result.cells, result.coarse):
            for cell in cells:
                count = "" if cell.count is None else cell.count
                writer.writerow([text, cell.label.in_(locale), count, str(cell.status)])
    if found.notes:
        writer.writerow([])
        writer.writerow(["tafel", "aantekening"] if nl else ["table", "note"])
        for note in found.notes:
            writer.writerow([note.table, note.text])
    return out.getvalue()


# Participants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    token: str
    session_id: UUID
    already: bool
    """The browser had joined this session before: nobody new was counted."""


def join(store: Store, code: str, token: str | None) -> Joined:
    """Join the session of `code`. A browser that joined before keeps its place (`token` from
    its cookie); nothing is asked about the participant."""
    normal = normalise_code(code)
    with store.unit_of_work() as uow:
        session = uow.dialogue.by_code(normal)
        if session is None:
            raise WrongCode()
        _open(session)
        if token:
            seat = uow.dialogue.participant(_hash(token))
            if seat is not None and seat[1] == session.id:
                return Joined(token, session.id, already=True)
        fresh = secrets.token_urlsafe(TOKEN_BYTES)
        uow.dialogue.add_participant(session.id, _hash(fresh), utcnow())
        uow.commit()
    return Joined(fresh, session.id, already=False)


@dataclass(frozen=True)
class Seat:
    """What a participant's phone shows."""

    session: Session
    stage: Stage
    vote: str | None
    """Their answer to the current step's question."""
    statements: list[Statement]
    scores: dict[UUID, int]
    """Their answers to the questionnaire."""


def _seat(uow: UnitOfWork, token: str | None) -> tuple[UUID, Session]:
    if not token:
        raise NotJoined()
    found = uow.dialogue.participant(_hash(token))
    if found is None:
        raise NotJoined()
    session = uow.dialogue.get(found[1])
    assert session is not None
    _open(session)
    return found[0], session


def seat(store: Store, token: str | None) -> Seat:
    with store.unit_of_work(write=False) as uow:
        participant, session = _seat(uow, token)
        stage = STAGES[session.stage]
        vote = uow.dialogue.vote_of(participant, stage.step) if stage.step in QUESTIONS else None
        statements = uow.dialogue.statements(session.id)
        scores = uow.dialogue.responses_of(participant)
        return Seat(session, stage, vote, statements, scores)


def stage_key(store: Store, token: str | None) -> str:
    """The participant's session's stage, for the phone to see when to reload."""
    with store.unit_of_work(write=False) as uow:
        _, session = _seat(uow, token)
        return STAGES[session.stage].key


def board_key(store: Store, actor: User, session_id: UUID) -> str:
    with store.unit_of_work(write=False) as uow:
        return STAGES[_own(uow, actor, session_id).stage].key


def vote(store: Store, token: str | None, step: str, choice: str) -> None:
    """A participant's prediction or vote on the current step's question (changeable until the
    answer is shown)."""
    with store.unit_of_work() as uow:
        participant, session = _seat(uow, token)
        stage = STAGES[session.stage]
        if stage.step != step or stage.phase is not Phase.ASK or stage.step not in QUESTIONS:
            raise AnsweringClosed()
        if not QUESTIONS[stage.step].has(choice):
            raise InvalidInput(
                Problem("choice", Text("Kies een van de antwoorden.", "Choose one of the answers."))
            )
        uow.dialogue.vote(session.id, participant, stage.step, choice, utcnow())
        uow.commit()


def respond(store: Store, token: str | None, answers: Mapping[str, str]) -> None:
    """A participant's answers to the questionnaire (`statement id` -> "1".."5"); a statement
    may be skipped, not all of them. Answering again replaces the earlier answers."""
    with store.unit_of_work() as uow:
        participant, session = _seat(uow, token)
        if STAGES[session.stage] != Stage(Step.QUESTIONNAIRE, Phase.ASK):
            raise AnsweringClosed()
        known = {str(s.id): s.id for s in uow.dialogue.statements(session.id)}
        scores: dict[UUID, int] = {}
        for key, raw in answers.items():
            if key not in known:
                raise InvalidInput(
                    Problem(
                        "statement",
                        Text("Deze stelling staat niet in de lijst.", "This statement is unknown."),
                    )
                )
            if raw:
                scores[known[key]] = check_score(raw)
        if not scores:
            raise InvalidInput(
                Problem(
                    "score",
                    Text("Kies bij minstens één stelling een antwoord.", "Answer at least one."),
                )
            )
        uow.dialogue.respond(session.id, participant, scores, utcnow())
        uow.commit()
