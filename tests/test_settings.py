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
    assert declared - names == {"NEEDLE_SITE_SELECTORS", "NEEDLE_POLITENESS"}


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


def test_the_earliest_plausible_date_is_the_setting(tmp_path):
    import json
    import os
    import subprocess
    import sys

    page = tmp_path / "post.html"
    page.write_text('<html><head><title>Old post</title><script type="application/ld+json">'
                    '{"@type": "BlogPosting", "headline": "Old post", "datePublished": "2001-05-01"}'
                    '</script></head><body><article><h1>Old post</h1><p>' + "Knee care. " * 60 +
                    '</p></article></body></html>')

    def warnings(**env: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-m", "cli", "extract", str(page), "--url", "https://c.test/p/"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60, env={**os.environ, **env})
        assert proc.returncode == 0, proc.stderr
        return {w["kind"] for w in json.loads(proc.stdout)["warnings"]}

    assert "implausible_date" not in warnings()
    assert "implausible_date" in warnings(NEEDLE_EARLIEST_DATE="2005-01-01")
