"""The data-quality report of the municipality's statistics warehouse, as a page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from datameent.services import statistics
from datameent.web.deps import PageUser, SettingsDep
from datameent.web.templating import render

router = APIRouter()


@router.get("/statistiek/kwaliteit")
def quality_page(request: Request, user: PageUser, settings: SettingsDep) -> Response:
    report = statistics.quality_report(settings.warehouse_path, user)
    # Imported here, as in the service: pandera takes seconds to import.
    from datameent.analytics import quality as checks

    return render(
        request,
        "quality.html",
        {
            "report": report,
            "table_names": checks.TABLE_NAMES,
            "rule_in_words": checks.rule_in_words,
            "column_in_words": checks.column_in_words,
        },
    )
