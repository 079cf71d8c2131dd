"""Rules every page template keeps, checked on their source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).parents[2] / "src/datameent/web/templates").glob("*.html"))
SUMMARISED = [t for t in TEMPLATES if '{% include "_form_errors.html" %}' in t.read_text()]
"""The templates that show a summary of a form's errors, each linked to its field."""


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_table_cell_names_its_column_for_phones(template: Path) -> None:
    """On a narrow screen a table's rows stack, and its heading row is hidden: each cell then
    shows its column's name from `data-label` (a cell across all columns needs none)."""
    cells = re.findall(r"<td\b[^>]*>", template.read_text())
    unnamed = [cell for cell in cells if "data-label=" not in cell and "colspan" not in cell]
    assert unnamed == []


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 40 and len(SUMMARISED) > 10


@pytest.mark.parametrize("template", SUMMARISED, ids=lambda path: path.name)
def test_every_error_in_the_summary_links_to_its_field(template: Path) -> None:
    """A form with errors starts with a summary whose every message links to its field
    (`#veld-<field>`, or the id the template names in `anchors`), so that someone on a keyboard
    or with a screen reader reaches the field in one step (WCAG 3.3.1, 2.4.3)."""
    source = template.read_text()
    named = set(re.findall(r'field_error\(problems, "([^"]+)"\)', source))
    anchored = {
        key
        for mapping in re.findall(r"set anchors = \{([^}]*)\}", source)
        for key in re.findall(r'"([^"]+)":', mapping)
    }
    ids = set(re.findall(r'\bid="([^"{]+)"', source))
    assert sorted(n for n in named if f"veld-{n}" not in ids and n not in anchored) == []
