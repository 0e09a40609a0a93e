"""`needle extract` starts a process per page: what one page does not need is not imported
or built at start-up, and still works when it is needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html

from crawler.extract import extract_post
from crawler.matching import selector_set
from crawler.records import WarningKind

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "pages" / "wordpress_yoast.html"


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_extracting_a_post_does_not_import_cssselect():
    loaded = _modules_after(
        "from crawler.extract import extract_post\n"
        f"extract_post(open({str(PAGE)!r}, 'rb').read(), 'https://riverbendphysio.ca/blog/x/')")
    assert "crawler.extract" in loaded
    assert "lxml.cssselect" not in loaded


def test_a_site_selector_still_goes_through_cssselect():
    post = extract_post(PAGE.read_bytes(), "https://riverbendphysio.ca/blog/x/",
                        selectors={"title": "article h1.entry-title"})
    assert post.title


def test_complex_selectors_match_without_a_page_index():
    tree = lxml.html.fromstring("<div><ul class='cat-links'><li><a href='/c/knee/'>Knee</a></li></ul>"
                                "<a href='/x/'>Other</a><p class='widget Blog'>b</p><p class='widget'>w</p></div>")
    ranked = selector_set([".cat-links a", ".widget:not(.Blog)"]).ranked(tree)
    assert [(i, el.text_content()) for i, el in ranked] == [(0, "Knee"), (1, "w")]


def test_a_page_without_html_still_gets_its_warnings():
    kinds = {w.kind for w in extract_post(b"", "https://clinic.example/blog/x/").warnings}
    assert {WarningKind.OTHER, WarningKind.NO_TITLE, WarningKind.NO_DATE, WarningKind.NO_BODY} <= kinds


def test_record_fields_default_to_fresh_containers_from_python_factories():
    from crawler import records

    models = [m for m in vars(records).values() if isinstance(m, type) and issubclass(m, records._Record)]
    factories = [f.default_factory for m in models for f in m.model_fields.values() if f.default_factory]
    assert factories and not any(f in (list, dict) for f in factories)
    a, b = records.Post(url="https://x.example/a", site="https://x.example"), records.Post(url="u", site="s")
    a.tags.append("knee")
    a.meta.open_graph["og:title"] = "Knee"
    assert b.tags == [] and b.meta.open_graph == {}
