"""Server-rendered pages. Every unsafe request on them must carry a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from datameent.web import csrf
from datameent.web.pages import (
    admin,
    auth,
    caseload,
    complaints,
    decisions,
    dialogue,
    effects,
    home,
    intake,
    logbook,
    privacy,
    quality,
    registers,
    rights,
    sharing,
    sign_on,
    statistics,
    team,
    vault,
)

router = APIRouter(dependencies=[Depends(csrf.verify)], include_in_schema=False)
for module in (
    auth,
    sign_on,
    home,
    admin,
    sharing,
    rights,
    decisions,
    complaints,
    vault,
    logbook,
    caseload,
    intake,
    team,
    privacy,
    registers,
    statistics,
    quality,
    effects,
    dialogue,
):
    router.include_router(module.router)
