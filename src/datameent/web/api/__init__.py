"""The JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from datameent.web.api import (
    auth,
    caseloads,
    complaints,
    decisions,
    definitions,
    effects,
    ledger,
    me,
    persons,
    registers,
    rights,
    sharing,
    statistics,
)

router = APIRouter(prefix="/api/v1")
for module in (
    auth,
    me,
    persons,
    definitions,
    caseloads,
    ledger,
    sharing,
    rights,
    decisions,
    complaints,
    registers,
    statistics,
    effects,
):
    router.include_router(module.router)
