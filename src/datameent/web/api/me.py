"""Who am I: the caller's account, roles and, for case managers, their caseload."""

from __future__ import annotations

from fastapi import APIRouter

from datameent.domain.accounts import Role
from datameent.services.caseloads import my_caseload
from datameent.web.api.schemas import Me
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=Me, response_model_by_alias=True)
async def read_me(user: ApiUser, store: StoreDep) -> Me:
    caseload = None
    if user.has(Role.CASE_MANAGER):
        caseload = [case.person_id for case in await run(store, my_caseload, store, user)]
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        team=user.team,
        person_id=user.person_id,
        caseload=caseload,
    )
