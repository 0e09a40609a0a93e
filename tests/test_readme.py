"""The README stays true: the commands and options it shows exist, every command's --help
lists its exit codes, and every document it links to is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_lines() -> list[str]:
    block = README.split("## The commands", 1)[1].split("\n\n", 2)[1]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("needle ")]


def _help(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], prog_name="needle")
    assert result.exit_code == 0, result.output
    return result.output


def test_the_readme_lists_every_command():
    listed = {line.split()[1] for line in _command_lines()}
    assert listed == set(main.list_commands(None))


@pytest.mark.parametrize("line", _command_lines())
def test_each_command_and_option_the_readme_shows_exists(line):
    name = line.split()[1]
    shown = line.split("  ")[0]  # the usage part, before the description
    text = _help(name)
    for option in re.findall(r"--[a-z][a-z-]*", line):
        assert option in text, f"{shown}: `needle {name} --help` has no {option}"
    assert "Exit codes: 0 success" in " ".join(text.split())


def test_every_linked_document_exists():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        assert (ROOT / target).is_file(), target


def test_the_readme_stays_short():
    assert len(README.splitlines()) <= 350
