"""README documents what exists: a command or setting added without a word there fails."""

from pathlib import Path

from doorbook.cli import cli
from doorbook.settings import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


def test_every_doorbook_command_is_in_the_readme():
    ours = set(cli.commands) - {"run", "shell"}  # Flask's development server and shell
    missing = [name for name in ours if f"doorbook {name}" not in README]
    assert not missing, f"README does not mention: {missing}"


def test_every_setting_is_in_the_readme():
    missing = [key for key in DEFAULTS if f"`{key}`" not in README and key not in README]
    assert not missing, f"README does not mention: {missing}"
