"""Cases, data requests, grants and break-glass accesses.

The facts the policy needs (which cases and grants exist, whether a break-glass is open) are read
without a permit: they hold codes, ids and dates, never a value. Everything a person wrote
(reasons, justifications, decline reasons) is encrypted with the person's data key and only
returned against a permit, so that reading it is logged like any other personal data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, exists, func, literal_column, select, update
from sqlalchemy.engine import Connection

from datameent.domain.policy import Action, Permit
from datameent.domain.purposes import Basis
from datameent.domain.sharing import (
    Answer,
    Approval,
    BreakGlass,
    Case,
    DataRequest,
    Grant,
    RequestItem,
    RequestStatus,
    Review,
)
from datameent.store import driver
from datameent.store.bulk import insert_many
from datameent.store.caseloads import ACTIVE_ASSIGNMENT
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import LIST_ACTIONS, ProcessingLog
from datameent.store.tables import break_glass as bg
from datameent.store.tables import cases as cs
from datameent.store.tables import data_requests as dr
from datameent.store.tables import grant_keys as gk
from datameent.store.tables import grants as gr
from datameent.store.tables import request_items as ri

_READ_REQUESTS = frozenset(
    {
        Action.VIEW_CASES,
        Action.REQUEST_DATA,
        Action.ANSWER_REQUEST,
        Action.APPROVE_REQUEST,
        Action.SUPERVISE,
    }
)
_WRITE_REQUESTS = frozenset({Action.REQUEST_DATA, Action.ANSWER_REQUEST, Action.APPROVE_REQUEST})
_OPEN_CASE = frozenset({Action.OPEN_CASE})
_GRANT = frozenset({Action.ANSWER_REQUEST, Action.SHARE, Action.OPEN_CASE})
"""Answering a request, sharing on one's own initiative, and intake (the applicant's details
are granted to the application case that opens) make grants."""
_END = frozenset({Action.REVOKE_GRANT, Action.HANDLE_RIGHTS})
"""The resident withdraws consent, or a decision on an objection or erasure ends a grant."""
_BREAK_GLASS = frozenset({Action.BREAK_GLASS})
_READ_BREAK_GLASS = frozenset({Action.SUPERVISE, Action.VIEW_CASES})

_GRANTS_OF_PERSON = select(gr).where(gr.c.person_id == bindparam("person_id"))
_KEYS_OF_PERSON = (
    select(gk.c.grant_id, gk.c.key)
    .join(gr, gr.c.id == gk.c.grant_id)
    .where(gr.c.person_id == bindparam("person_id"))
)
_CASES_OF_PERSON = select(cs).where(cs.c.person_id == bindparam("person_id"))
# A grant's keys, by a correlated subquery, not a join with GROUP BY: SQLite grouped the rows
# in a temporary b-tree, which cost the statement more than twice its time (20 against 8 µs).
_GRANTED_KEYS = (
    # The separator as SQL, not a parameter: a bound one is rendered per execution.
    select(func.aggregate_strings(gk.c.key, literal_column("','")))  # type: ignore[arg-type]
    .where(gk.c.grant_id == gr.c.id)
    .scalar_subquery()
)
_ACCESS = select(
    exists().where(ACTIVE_ASSIGNMENT).label("in_caseload"),
    exists()
    .where(
        bg.c.actor_id == bindparam("actor_id"),
        bg.c.person_id == bindparam("person_id"),
        bg.c.opened_at <= bindparam("at"),
        bg.c.expires_at > bindparam("at"),
    )
    .label("break_glass"),
).subquery("access")
# Built once, run on the driver.
_READ_FACTS = driver.Select(
    select(
        _ACCESS.c.in_caseload,
        _ACCESS.c.break_glass,
        gr,
        cs.c.purpose_code.label("case_purpose"),
        cs.c.opened_at.label("case_opened_at"),
        cs.c.opened_by.label("case_opened_by"),
        cs.c.closed_at.label("case_closed_at"),
        _GRANTED_KEYS.label("granted_keys"),
    ).select_from(
        _ACCESS.outerjoin(
            gr.join(cs, cs.c.id == gr.c.case_id),
            # Only the named purpose's grants, and only for a person in the caseload.
            and_(
                _ACCESS.c.in_caseload,
                gr.c.person_id == bindparam("person_id"),
                gr.c.purpose_code == bindparam("purpose"),
            ),
        )
    )
)
"""Everything a vault read is decided on, in one statement (one round trip on PostgreSQL):
whether the person is in the actor's active caseload, whether the actor holds an open
break-glass access to them, and, when in the caseload, the person's grants for the named
purpose (any state) each with its case and its keys. Always at least one row; without
grants, one whose grant columns are NULL."""


def _case(m: Any) -> Case:
    return Case(m.id, m.person_id, m.purpose_code, m.opened_at, m.opened_by, m.closed_at)


class SharingRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    # Cases ------------------------------------------------------------------------------------

    def cases_of(self, person_id: UUID) -> dict[UUID, Case]:
        rows = self._db.execute(_CASES_OF_PERSON, {"person_id": person_id})
        return {row.id: _case(row) for row in rows}

    def case(self, case_id: UUID) -> Case | None:
        row = self._db.execute(select(cs).where(cs.c.id == case_id)).first()
        return _case(row) if row else None

    def add_case(self, permit: Permit, case: Case) -> None:
        self._log.check(permit, _OPEN_CASE, case.person_id)
        self._log.touch(permit, case.person_id, {"case"})
        self._db.execute(
            cs.insert().values(
                id=case.id,
                person_id=case.person_id,
                purpose_code=case.purpose_code,
                opened_at=case.opened_at,
                opened_by=case.opened_by,
                closed_at=case.closed_at,
            )
        )

    def add_cases(self, items: list[Case]) -> None:
        """Bulk insert for the synthetic municipality (seeding writes no log)."""
        insert_many(
            self._db,
            cs,
            [
                {
                    "id": c.id,
                    "person_id": c.person_id,
                    "purpose_code": c.purpose_code,
                    "opened_at": c.opened_at,
                    "opened_by": c.opened_by,
                    "closed_at": c.closed_at,
                }
                for c in items
            ],
        )

    # Grants -----------------------------------------------------------------------------------

    def grants_of(self, person_id: UUID, purpose_code: str | None = None) -> list[Grant]:
        """Every grant the person ever made (for one purpose, if given), in any state: the
        policy judges them."""
        grants_query, keys_query = _GRANTS_OF_PERSON, _KEYS_OF_PERSON
        params: dict[str, object] = {"person_id": person_id}
        if purpose_code is not None:
            grants_query = grants_query.where(gr.c.purpose_code == bindparam("purpose"))
            keys_query = keys_query.where(gr.c.purpose_code == bindparam("purpose"))
            params["purpose"] = purpose_code
        keys: dict[UUID, set[str]] = defaultdict(set)
        for grant_id, key in self._db.execute(keys_query, params):
            keys[grant_id].add(key)
        rows = self._db.execute(grants_query, params)
        return [_grant(row, frozenset(keys[row.id])) for row in rows]

    def read_facts(
        self, actor_id: UUID, person_id: UUID, at: datetime, purpose_code: str | None
    ) -> tuple[bool, bool, list[Grant], dict[UUID, Case]]:
        """The facts of a vault read (`_READ_FACTS`): in the caseload, break-glass open, and
        the purpose's grants with their cases. The hottest query of policy v2. (Attribute keys
        never hold a comma.)"""
        params = {"actor_id": actor_id, "person_id": person_id, "at": at, "purpose": purpose_code}
        rows = _READ_FACTS.rows(self._db, params)
        grants, cases = [], {}
        for row in rows:
            if row.id is None:  # no grant: the outer join's empty side
                continue
            keys = frozenset(row.granted_keys.split(",")) if row.granted_keys else frozenset()
            grants.append(_grant(row, keys))
            cases[row.case_id] = Case(
                row.case_id,
                row.person_id,
                row.case_purpose,
                row.case_opened_at,
                row.case_opened_by,
                row.case_closed_at,
            )
        return bool(rows[0].in_caseload), bool(rows[0].break_glass), grants, cases

    def grant(self, grant_id: UUID) -> Grant | None:
        row = self._db.execute(select(gr).where(gr.c.id == grant_id)).first()
        if row is None:
            return None
        keys = self._db.scalars(select(gk.c.key).where(gk.c.grant_id == grant_id))
        return _grant(row, frozenset(keys))

    def grant_for_request(self, request_id: UUID) -> Grant | None:
        found = self._db.scalar(select(gr.c.id).where(gr.c.request_id == request_id))
        return self.grant(found) if found else None

    def add_grant(self, permit: Permit, grant: Grant) -> None:
        self._log.check(permit, _GRANT, grant.person_id)
        self._log.touch(permit, grant.person_id, set(grant.keys))
        self._db.execute(gr.insert().values(_grant_row(grant)))
        self._add_keys(grant.id, grant.keys)

    def add_grants(self, items: list[Grant]) -> None:
        """Bulk insert for the synthetic municipality (seeding writes no log)."""
        insert_many(self._db, gr, [_grant_row(g) for g in items])
        insert_many(self._db, gk, [{"grant_id": g.id, "key": k} for g in items for k in g.keys])

    def extend_grant(self, permit: Permit, grant: Grant, keys: Iterable[str]) -> None:
        self._log.check(permit, _GRANT, grant.person_id)
        new = set(keys) - grant.keys
        self._log.touch(permit, grant.person_id, new)
        self._add_keys(grant.id, new)

    def _add_keys(self, grant_id: UUID, keys: Iterable[str]) -> None:
        rows = [{"grant_id": grant_id, "key": k} for k in sorted(keys)]
        if rows:
            self._db.execute(gk.insert(), rows)

    def end_grant(self, permit: Permit, grant: Grant, at: datetime) -> None:
        """End a grant now: withdrawn consent, or a decision on an objection or erasure."""
        self._log.check(permit, _END, grant.person_id)
        self._log.touch(permit, grant.person_id, set(grant.keys))
        self._db.execute(
            update(gr).where(gr.c.id == grant.id, gr.c.revoked_at.is_(None)).values(revoked_at=at)
        )

    # Requests ---------------------------------------------------------------------------------

    def request_facts(self, request_id: UUID) -> tuple[UUID, UUID] | None:
        """(person, requested_by) of a request: what the policy needs before anything is read."""
        row = self._db.execute(
            select(dr.c.person_id, dr.c.requested_by).where(dr.c.id == request_id)
        ).first()
        return (row.person_id, row.requested_by) if row else None

    def add_request(self, permit: Permit, request: DataRequest) -> None:
        self._log.check(permit, _WRITE_REQUESTS, request.person_id)
        self._log.touch(permit, request.person_id, {"data_request"})
        self._db.execute(
            dr.insert().values(
                id=request.id,
                case_id=request.case_id,
                person_id=request.person_id,
                purpose_code=request.purpose_code,
                purpose_version=request.purpose_version,
                requested_by=request.requested_by,
                created_at=request.created_at,
                due_date=request.due_date,
                status=request.status.value,
            )
        )
        key = self._persons.data_key(request.person_id)
        rows = []
        for item in request.items:
            context = f"request|{request.id}|{item.key}"
            rows.append(
                {
                    "request_id": request.id,
                    "key": item.key,
                    "reason": key.encrypt(item.reason.encode(), context + "|reason"),
                    "in_purpose": item.in_purpose,
                    "justification": key.encrypt(
                        item.justification.encode(), context + "|justification"
                    )
                    if item.justification
                    else None,
                    "approval": item.approval.value,
                    "approved_by": None,
                    "answer": None,
                    "decline_reason": None,
                    "answered_at": None,
                }
            )
        self._db.execute(ri.insert(), rows)

    def request(self, permit: Permit, request_id: UUID) -> DataRequest | None:
        row = self._db.execute(select(dr).where(dr.c.id == request_id)).first()
        if row is None:
            return None
        self._log.check(permit, _READ_REQUESTS, row.person_id)
        return self._load(permit, [row])[0]

    def requests_of(self, permit: Permit, person_id: UUID) -> list[DataRequest]:
        self._log.check(permit, _READ_REQUESTS, person_id)
        rows = self._db.execute(
            select(dr).where(dr.c.person_id == person_id).order_by(dr.c.created_at.desc())
        ).all()
        return self._load(permit, rows)

    def awaiting_approval(self, permit: Permit) -> list[DataRequest]:
        self._log.check(permit, _READ_REQUESTS, None)
        rows = self._db.execute(
            select(dr)
            .where(dr.c.status == RequestStatus.AWAITING_APPROVAL.value)
            .order_by(dr.c.created_at)
        ).all()
        return self._load(permit, rows)

    def open_requests_due(
        self, person_id: UUID, today: date, within_days: int
    ) -> list[tuple[UUID, str, date]]:
        """(id, purpose, due date) of the person's open requests due within `within_days`."""
        rows = self._db.execute(
            select(dr.c.id, dr.c.purpose_code, dr.c.due_date)
            .where(
                dr.c.person_id == person_id,
                dr.c.status == RequestStatus.OPEN.value,
                dr.c.due_date <= today + timedelta(days=within_days),
            )
            .order_by(dr.c.due_date)
        )
        return [(r.id, r.purpose_code, r.due_date) for r in rows]

    def waiting_requests(
        self, permit: Permit, person_ids: Iterable[UUID]
    ) -> dict[UUID, list[tuple[RequestStatus, date]]]:
        """For a caseload list: the status and answer date of each person's requests that are
        open or await approval; never what they ask."""
        self._log.check(permit, LIST_ACTIONS, None)
        ids = list(person_ids)
        states: dict[UUID, list[tuple[RequestStatus, date]]] = {p: [] for p in ids}
        if ids:
            waiting = (RequestStatus.OPEN.value, RequestStatus.AWAITING_APPROVAL.value)
            rows = self._db.execute(
                select(dr.c.person_id, dr.c.status, dr.c.due_date).where(
                    dr.c.person_id.in_(ids), dr.c.status.in_(waiting)
                )
            )
            for person_id, status, due in rows:
                states[person_id].append((RequestStatus(status), due))
        return states

    def requests_by(self, requester: UUID, statuses: Iterable[RequestStatus]) -> list[UUID]:
        """Ids of a case manager's requests in these states (no content)."""
        return list(
            self._db.scalars(
                select(dr.c.id).where(
                    dr.c.requested_by == requester, dr.c.status.in_([s.value for s in statuses])
                )
            )
        )

    def _load(self, permit: Permit, rows: Sequence[Any]) -> list[DataRequest]:
        if not rows:
            return []
        items: dict[UUID, list[Any]] = defaultdict(list)
        ids = [row.id for row in rows]
        for item in self._db.execute(select(ri).where(ri.c.request_id.in_(ids))):
            items[item.request_id].append(item)
        loaded = []
        for row in rows:
            request = DataRequest(
                row.id,
                row.case_id,
                row.person_id,
                row.purpose_code,
                row.purpose_version,
                row.requested_by,
                row.created_at,
                row.due_date,
                RequestStatus(row.status),
            )
            key = self._persons.data_key(row.person_id)
            for item in sorted(items[row.id], key=lambda i: i.key):
                context = f"request|{row.id}|{item.key}"
                request.items.append(
                    RequestItem(
                        key=item.key,
                        reason=key.decrypt(item.reason, context + "|reason").decode(),
                        in_purpose=item.in_purpose,
                        justification=key.decrypt(
                            item.justification, context + "|justification"
                        ).decode()
                        if item.justification
                        else None,
                        approval=Approval(item.approval),
                        approved_by=item.approved_by,
                        answer=Answer(item.answer) if item.answer else None,
                        decline_reason=key.decrypt(
                            item.decline_reason, context + "|decline"
                        ).decode()
                        if item.decline_reason
                        else None,
                        answered_at=item.answered_at,
                    )
                )
            self._log.touch(permit, row.person_id, {"data_request"})
            loaded.append(request)
        return loaded

    def save(self, permit: Permit, request: DataRequest, changed: Iterable[RequestItem]) -> None:
        """Store the request's status and the items that changed."""
        self._log.check(permit, _WRITE_REQUESTS, request.person_id)
        self._log.touch(permit, request.person_id, {"data_request"})
        key = self._persons.data_key(request.person_id)
        for item in changed:
            context = f"request|{request.id}|{item.key}"
            self._db.execute(
                update(ri)
                .where(and_(ri.c.request_id == request.id, ri.c.key == item.key))
                .values(
                    approval=item.approval.value,
                    approved_by=item.approved_by,
                    answer=item.answer.value if item.answer else None,
                    decline_reason=key.encrypt(item.decline_reason.encode(), context + "|decline")
                    if item.decline_reason
                    else None,
                    answered_at=item.answered_at,
                )
            )
        self._db.execute(
            update(dr).where(dr.c.id == request.id).values(status=request.status.value)
        )

    # Break-glass ------------------------------------------------------------------------------

    def break_glass_since(self, person_id: UUID, since: datetime) -> list[datetime]:
        """When the person's file was opened with emergency access since `since` (no reasons)."""
        rows = self._db.execute(
            select(bg.c.opened_at)
            .where(bg.c.person_id == person_id, bg.c.opened_at >= since)
            .order_by(bg.c.opened_at.desc())
        )
        return [row.opened_at for row in rows]

    def add_break_glass(self, permit: Permit, access: BreakGlass) -> None:
        self._log.check(permit, _BREAK_GLASS, access.person_id)
        self._log.touch(permit, access.person_id, {"break_glass"})
        key = self._persons.data_key(access.person_id)
        self._db.execute(
            bg.insert().values(
                id=access.id,
                actor_id=access.actor_id,
                person_id=access.person_id,
                reason=key.encrypt(access.reason.encode(), f"break-glass|{access.id}"),
                opened_at=access.opened_at,
                expires_at=access.expires_at,
            )
        )

    def break_glass_of(self, permit: Permit, person_id: UUID) -> list[BreakGlass]:
        """Every break-glass access to one person (what the resident is shown)."""
        self._log.check(permit, _READ_BREAK_GLASS, person_id)
        rows = self._db.execute(
            select(bg).where(bg.c.person_id == person_id).order_by(bg.c.opened_at.desc())
        ).all()
        return self._break_glass(permit, rows)

    def break_glass_to_review(self, permit: Permit) -> list[BreakGlass]:
        self._log.check(permit, _READ_BREAK_GLASS, None)
        rows = self._db.execute(
            select(bg).where(bg.c.reviewed_at.is_(None)).order_by(bg.c.opened_at)
        ).all()
        return self._break_glass(permit, rows)

    def _break_glass(self, permit: Permit, rows: Sequence[Any]) -> list[BreakGlass]:
        found = []
        for row in rows:
            key = self._persons.data_key(row.person_id)
            self._log.touch(permit, row.person_id, {"break_glass"})
            found.append(
                BreakGlass(
                    row.id,
                    row.actor_id,
                    row.person_id,
                    key.decrypt(row.reason, f"break-glass|{row.id}").decode(),
                    row.opened_at,
                    row.expires_at,
                    row.reviewed_by,
                    row.reviewed_at,
                    Review(row.review) if row.review else None,
                    row.review_note,
                )
            )
        return found

    def review_break_glass(
        self, permit: Permit, access_id: UUID, review: Review, note: str, at: datetime
    ) -> UUID | None:
        """Record the privacy officer's judgement; returns the person, or None if unknown."""
        self._log.check(permit, frozenset({Action.SUPERVISE}), None)
        row = self._db.execute(select(bg.c.person_id).where(bg.c.id == access_id)).first()
        if row is None:
            return None
        self._log.touch(permit, row.person_id, {"break_glass"})
        self._db.execute(
            update(bg)
            .where(bg.c.id == access_id)
            .values(
                reviewed_by=permit.actor_id, reviewed_at=at, review=review.value, review_note=note
            )
        )
        person: UUID = row.person_id
        return person


def _grant(m: Any, keys: frozenset[str]) -> Grant:
    return Grant(
        m.id,
        m.person_id,
        m.case_id,
        m.purpose_code,
        m.purpose_version,
        Basis(m.basis),
        keys,
        m.valid_from,
        m.valid_to,
        m.created_at,
        m.request_id,
        m.revoked_at,
    )


def _grant_row(g: Grant) -> dict[str, object]:
    return {
        "id": g.id,
        "person_id": g.person_id,
        "case_id": g.case_id,
        "purpose_code": g.purpose_code,
        "purpose_version": g.purpose_version,
        "basis": g.basis.value,
        "valid_from": g.valid_from,
        "valid_to": g.valid_to,
        "created_at": g.created_at,
        "request_id": g.request_id,
        "revoked_at": g.revoked_at,
    }
