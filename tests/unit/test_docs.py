"""Settings and commands are documented: a test fails when one is added without docs."""

from pathlib import Path

from typer.main import get_command

from datameent.cli import app
from datameent.settings import Settings

ROOT = Path(__file__).parents[2]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    for name in Settings.model_fields:
        assert f"DATAMEENT_{name.upper()}" in text, name


def test_every_command_is_documented() -> None:
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "cli.md").read_text()
    group = get_command(app)
    commands = getattr(group, "commands", {})
    for name, command in commands.items():
        subcommands = getattr(command, "commands", None)
        for full in [f"{name} {sub}" for sub in subcommands] if subcommands else [name]:
            assert f"datameent {full}" in text, full
