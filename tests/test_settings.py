"""The settings table: one row per knob, parsed once, documented from itself."""

from __future__ import annotations

from pathlib import Path

import pytest

import settings

# classes read from the module at each use: other tests reload it, which rebinds them

ROOT = Path(__file__).resolve().parent.parent


def test_docs_settings_is_generated_from_the_table():
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == settings.markdown_table(), \
        "regenerate it: .venv/bin/python settings.py > docs/settings.md"


def test_every_needle_knob_of_the_module_is_a_row():
    names = {row.name for row in settings.TABLE}
    assert len(names) == len(settings.TABLE)  # no knob twice
    declared = {n for n in dir(settings) if n.startswith("NEEDLE_")}
    # the settings.py-only ones (Python data, no environment form)
    assert declared - names == {"NEEDLE_SITE_SELECTORS"}


@pytest.mark.parametrize("kind, raw, value", [
    ("int", " 500 ", 500), ("float", "0.25", 0.25), ("bool", "y", True), ("bool", "off", False),
    ("list", "a, b,,c", ["a", "b", "c"]), ("zone", "Europe/Paris", "Europe/Paris"),
])
def test_values_parse(kind, raw, value):
    assert settings.Knob("NEEDLE_X", kind, None, "").parse(raw) == value


@pytest.mark.parametrize("kind, raw, expected", [
    ("int", "500links", "a whole number"), ("float", "half", "a number"),
    ("bool", "maybe", "yes or no"), ("zone", "Europe/Pariss", "a time zone name"),
])
def test_a_bad_value_names_the_variable_and_the_form(kind, raw, expected):
    with pytest.raises(settings.SettingError, match=f"NEEDLE_X='{raw}': expected {expected}"):
        settings.Knob("NEEDLE_X", kind, None, "").parse(raw)


def test_a_choice_outside_its_list_is_an_error():
    with pytest.raises(settings.SettingError, match="expected one of auto, on, off"):
        settings.Knob("NEEDLE_X", "choice", "auto", "", choices=("auto", "on", "off")).parse("sometimes")
