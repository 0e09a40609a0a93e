"""The one Jinja environment of the HTML reports: a base template, one stylesheet, and the
helpers every template uses (links, the policy, bands and plurals from reports.findings).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from reports.findings import plural, score_band, weight_band
from reports.safe_output import csp, web_href

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["href"] = web_href  # only http(s) URLs become links
    env.globals.update(csp=csp, plural=plural, score_band=score_band, weight_band=weight_band)
    return env


@functools.lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render_page(template: str, *, script: str | None = None, **context: Any) -> str:
    """``template`` (which extends base.html) with the shared stylesheet inline and, if
    named, one script file inline; the policy hashes exactly the text inlined."""
    from markupsafe import Markup

    # Markup: inlined as written (escaping would change the text the hash covers)
    return environment().get_template(template).render(
        style=Markup(_asset("report.css")),
        script=Markup(_asset(script)) if script else None, **context)
