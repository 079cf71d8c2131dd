"""Case assignments over the API: a team lead hands a case to a case manager."""

from __future__ import annotations

from fastapi import APIRouter

from datameent.services.caseloads import assign_case
from datameent.web.api.schemas import AssignmentIn, AssignmentOut
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["caseloads"])


@router.post(
    "/assignments", status_code=201, response_model=AssignmentOut, response_model_by_alias=True
)
async def create_assignment(body: AssignmentIn, user: ApiUser, store: StoreDep) -> AssignmentOut:
    a = await run(store, assign_case, store, user, body.person_id, body.case_manager_id)
    return AssignmentOut(
        id=a.id, person_id=a.person_id, case_manager_id=a.case_manager_id, starts_at=a.starts_at
    )
