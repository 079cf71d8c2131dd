"""Data dialogue sessions: their stage, anonymous participants, votes, answers and notes.

Nothing here is personal data: participants are random tokens (kept only as a hash), the game
runs on a synthetic town, and the questionnaire asks opinions of nobody in particular.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Row

from datameent.domain.text import Text
from datameent.store.tables import dialogue_notes as dn
from datameent.store.tables import dialogue_participants as dp
from datameent.store.tables import dialogue_responses as dr
from datameent.store.tables import dialogue_sessions as ds
from datameent.store.tables import dialogue_statements as dst
from datameent.store.tables import dialogue_votes as dv


@dataclass(frozen=True)
class Session:
    id: UUID
    code: str
    facilitator_id: UUID
    title: str
    stage: int
    started_at: datetime
    expires_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class Statement:
    id: UUID
    position: int
    text: Text


@dataclass(frozen=True)
class Note:
    id: UUID
    table: str
    text: str
    written_at: datetime


def _session(row: Row[Any]) -> Session:
    return Session(
        row.id,
        row.code,
        row.facilitator_id,
        row.title,
        row.stage,
        row.started_at,
        row.expires_at,
        row.closed_at,
    )


class DialogueRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    # Sessions ----------------------------------------------------------------------------------

    def add(self, session: Session) -> None:
        self._db.execute(
            ds.insert().values(
                id=session.id,
                code=session.code,
                facilitator_id=session.facilitator_id,
                title=session.title,
                stage=session.stage,
                started_at=session.started_at,
                expires_at=session.expires_at,
                closed_at=session.closed_at,
            )
        )

    def get(self, session_id: UUID, *, lock: bool = False) -> Session | None:
        query = select(ds).where(ds.c.id == session_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return _session(row) if row else None

    def by_code(self, code: str) -> Session | None:
        row = self._db.execute(select(ds).where(ds.c.code == code)).first()
        return _session(row) if row else None

    def code_taken(self, code: str) -> bool:
        return self._db.execute(select(ds.c.id).where(ds.c.code == code)).first() is not None

    def of_facilitator(self, facilitator_id: UUID) -> list[Session]:
        rows = self._db.execute(
            select(ds).where(ds.c.facilitator_id == facilitator_id).order_by(ds.c.started_at.desc())
        ).all()
        return [_session(r) for r in rows]

    def set_stage(self, session_id: UUID, stage: int) -> None:
        self._db.execute(update(ds).where(ds.c.id == session_id).values(stage=stage))

    def close(self, session_id: UUID, at: datetime) -> None:
        self._db.execute(update(ds).where(ds.c.id == session_id).values(closed_at=at))

    def remove(self, session_id: UUID) -> None:
        """The session and everything in it: answers, votes, participants, statements, notes."""
        for table in (dr, dv, dp, dst, dn):
            self._db.execute(delete(table).where(table.c.session_id == session_id))
        self._db.execute(delete(ds).where(ds.c.id == session_id))

    # Participants ------------------------------------------------------------------------------

    def add_participant(self, session_id: UUID, token_hash: str, at: datetime) -> UUID:
        participant = uuid4()
        self._db.execute(
            dp.insert().values(
                id=participant, session_id=session_id, token_hash=token_hash, joined_at=at
            )
        )
        return participant

    def participant(self, token_hash: str) -> tuple[UUID, UUID] | None:
        """(participant, session) of a token's hash."""
        row = self._db.execute(
            select(dp.c.id, dp.c.session_id).where(dp.c.token_hash == token_hash)
        ).first()
        return (row.id, row.session_id) if row else None

    def participants(self, session_id: UUID) -> int:
        query = select(func.count()).select_from(dp).where(dp.c.session_id == session_id)
        return int(self._db.execute(query).scalar_one())

    # Votes in the game -------------------------------------------------------------------------

    def vote(
        self, session_id: UUID, participant_id: UUID, step: str, choice: str, at: datetime
    ) -> None:
        """A participant's answer to a step's question; a second answer replaces the first."""
        self._db.execute(
            delete(dv).where((dv.c.participant_id == participant_id) & (dv.c.step == step))
        )
        self._db.execute(
            dv.insert().values(
                participant_id=participant_id,
                step=step,
                session_id=session_id,
                choice=choice,
                answered_at=at,
            )
        )

    def vote_of(self, participant_id: UUID, step: str) -> str | None:
        row = self._db.execute(
            select(dv.c.choice).where((dv.c.participant_id == participant_id) & (dv.c.step == step))
        ).first()
        return str(row.choice) if row else None

    def votes(self, session_id: UUID) -> dict[str, dict[str, int]]:
        """step -> choice -> how many chose it."""
        rows = self._db.execute(
            select(dv.c.step, dv.c.choice, func.count().label("n"))
            .where(dv.c.session_id == session_id)
            .group_by(dv.c.step, dv.c.choice)
        ).all()
        found: dict[str, dict[str, int]] = {}
        for row in rows:
            found.setdefault(row.step, {})[row.choice] = int(row.n)
        return found

    # The questionnaire -------------------------------------------------------------------------

    def add_statement(self, session_id: UUID, text: Text) -> UUID:
        last = self._db.execute(
            select(func.max(dst.c.position)).where(dst.c.session_id == session_id)
        ).scalar_one()
        statement = uuid4()
        self._db.execute(
            dst.insert().values(
                id=statement,
                session_id=session_id,
                position=(last or 0) + 1,
                text_nl=text.nl,
                text_en=text.en,
            )
        )
        return statement

    def statements(self, session_id: UUID) -> list[Statement]:
        rows = self._db.execute(
            select(dst).where(dst.c.session_id == session_id).order_by(dst.c.position)
        ).all()
        return [Statement(r.id, r.position, Text(r.text_nl, r.text_en)) for r in rows]

    def edit_statement(self, session_id: UUID, statement_id: UUID, text: Text) -> bool:
        done = self._db.execute(
            update(dst)
            .where((dst.c.id == statement_id) & (dst.c.session_id == session_id))
            .values(text_nl=text.nl, text_en=text.en)
        )
        return done.rowcount == 1

    def remove_statement(self, session_id: UUID, statement_id: UUID) -> bool:
        done = self._db.execute(
            delete(dst).where((dst.c.id == statement_id) & (dst.c.session_id == session_id))
        )
        return done.rowcount == 1

    def respond(
        self,
        session_id: UUID,
        participant_id: UUID,
        scores: dict[UUID, int],
        at: datetime,
    ) -> None:
        """A participant's answers; answering again replaces their earlier answers."""
        self._db.execute(delete(dr).where(dr.c.participant_id == participant_id))
        if scores:
            self._db.execute(
                dr.insert(),
                [
                    {
                        "participant_id": participant_id,
                        "statement_id": statement,
                        "session_id": session_id,
                        "score": score,
                        "answered_at": at,
                    }
                    for statement, score in scores.items()
                ],
            )

    def responses_of(self, participant_id: UUID) -> dict[UUID, int]:
        rows = self._db.execute(
            select(dr.c.statement_id, dr.c.score).where(dr.c.participant_id == participant_id)
        ).all()
        return {r.statement_id: int(r.score) for r in rows}

    def scores(self, session_id: UUID) -> list[tuple[UUID, int]]:
        """Every (statement, score) answered in the session, in no particular order."""
        rows = self._db.execute(
            select(dr.c.statement_id, dr.c.score).where(dr.c.session_id == session_id)
        ).all()
        return [(r.statement_id, int(r.score)) for r in rows]

    def respondents(self, session_id: UUID) -> int:
        query = select(func.count(func.distinct(dr.c.participant_id))).where(
            dr.c.session_id == session_id
        )
        return int(self._db.execute(query).scalar_one())

    # Notes -------------------------------------------------------------------------------------

    def add_note(self, session_id: UUID, table: str, text: str, at: datetime) -> None:
        self._db.execute(
            dn.insert().values(
                id=uuid4(), session_id=session_id, table_label=table, text=text, written_at=at
            )
        )

    def notes(self, session_id: UUID) -> list[Note]:
        rows = self._db.execute(
            select(dn).where(dn.c.session_id == session_id).order_by(dn.c.written_at, dn.c.id)
        ).all()
        return [Note(r.id, r.table_label, r.text, r.written_at) for r in rows]
