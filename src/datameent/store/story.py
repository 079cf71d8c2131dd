"""The resident's story: sections, encrypted with the person's key, versioned, shared per case."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from datameent.domain.policy import Action, Permit
from datameent.domain.story import StorySection, StoryShare, scope_key
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import ProcessingLog
from datameent.store.tables import story_sections as ss
from datameent.store.tables import story_shares as sh

_READ = frozenset({Action.READ_STORY, Action.EXPORT})
_WRITE = frozenset({Action.WRITE_STORY})
_SHARE = frozenset({Action.SHARE_STORY})


def _context(section: UUID, version: UUID, part: str) -> str:
    return f"story|{section}|{version}|{part}"


class StoryRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    def sections(
        self, permit: Permit, person_id: UUID, *, history: bool = False
    ) -> list[StorySection]:
        """The current sections (or every version), as far as the permit's scope opens them."""
        self._log.check(permit, _READ, person_id)
        query = select(ss).where(ss.c.person_id == person_id)
        if not history:
            query = query.where(ss.c.is_current)
        rows = self._db.execute(query.order_by(ss.c.written_at, ss.c.version)).all()
        scope = permit.scope
        opened = [r for r in rows if scope is None or scope_key(r.section_id) in scope]
        if not opened:
            self._log.touch(permit, person_id, set())
            return []
        key = self._persons.data_key(person_id)
        self._log.touch(permit, person_id, {scope_key(r.section_id) for r in opened})
        return [
            StorySection(
                r.id,
                r.section_id,
                r.person_id,
                r.version,
                key.decrypt(r.title, _context(r.section_id, r.id, "title")).decode(),
                key.decrypt(r.body, _context(r.section_id, r.id, "body")).decode(),
                r.written_at,
                r.is_current,
            )
            for r in opened
        ]

    def section_ids(self, person_id: UUID) -> set[UUID]:
        """Which sections exist (no content)."""
        rows = self._db.execute(
            select(ss.c.section_id).where(ss.c.person_id == person_id, ss.c.is_current)
        )
        return {row.section_id for row in rows}

    def write(
        self,
        permit: Permit,
        person_id: UUID,
        section_id: UUID | None,
        title: str,
        body: str,
        at: datetime,
    ) -> StorySection:
        """A new section, or a new version of `section_id`; earlier versions are kept."""
        self._log.check(permit, _WRITE, person_id)
        section = section_id or uuid4()
        self._log.touch(permit, person_id, {scope_key(section)})
        latest = self._db.scalar(
            select(func.max(ss.c.version)).where(
                ss.c.person_id == person_id, ss.c.section_id == section
            )
        )
        self._db.execute(
            update(ss)
            .where(ss.c.person_id == person_id, ss.c.section_id == section, ss.c.is_current)
            .values(is_current=False)
        )
        version_id = uuid4()
        key = self._persons.data_key(person_id)
        version = (latest or 0) + 1
        self._db.execute(
            ss.insert().values(
                id=version_id,
                section_id=section,
                person_id=person_id,
                version=version,
                title=key.encrypt(title.encode(), _context(section, version_id, "title")),
                body=key.encrypt(body.encode(), _context(section, version_id, "body")),
                written_at=at,
                is_current=True,
            )
        )
        return StorySection(version_id, section, person_id, version, title, body, at, True)

    def shares_of(self, person_id: UUID) -> list[StoryShare]:
        rows = self._db.execute(select(sh).where(sh.c.person_id == person_id))
        return [_share(r) for r in rows]

    def add_share(self, permit: Permit, share: StoryShare) -> None:
        self._log.check(permit, _SHARE, share.person_id)
        self._log.touch(permit, share.person_id, {scope_key(share.section_id)})
        self._db.execute(
            sh.insert().values(
                id=share.id,
                person_id=share.person_id,
                section_id=share.section_id,
                case_id=share.case_id,
                shared_at=share.shared_at,
                revoked_at=None,
            )
        )

    def stop_share(self, permit: Permit, share: StoryShare, at: datetime) -> None:
        self._log.check(permit, _SHARE, share.person_id)
        self._log.touch(permit, share.person_id, {scope_key(share.section_id)})
        self._db.execute(
            update(sh).where(sh.c.id == share.id, sh.c.revoked_at.is_(None)).values(revoked_at=at)
        )


def _share(r: Any) -> StoryShare:
    return StoryShare(r.id, r.person_id, r.section_id, r.case_id, r.shared_at, r.revoked_at)
