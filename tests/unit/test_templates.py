"""Rules every page template keeps, checked on their source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).parents[2] / "src/datameent/web/templates").glob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_table_cell_names_its_column_for_phones(template: Path) -> None:
    """On a narrow screen a table's rows stack, and its heading row is hidden: each cell then
    shows its column's name from `data-label` (a cell across all columns needs none)."""
    cells = re.findall(r"<td\b[^>]*>", template.read_text())
    unnamed = [cell for cell in cells if "data-label=" not in cell and "colspan" not in cell]
    assert unnamed == []


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 40
