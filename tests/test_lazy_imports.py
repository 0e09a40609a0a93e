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


_GC_AT_EXIT = ("import atexit, gc, sys\n"
               "atexit.register(lambda: print('gc', gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr))\n"
               "sys.argv = ['needle'] + sys.argv[1:]\n"
               "from cli import main\nmain()\n")


def _gc_at_exit(*args: str) -> tuple[subprocess.CompletedProcess, str]:
    done = subprocess.run([sys.executable, "-c", _GC_AT_EXIT, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    line = next(line for line in done.stderr.splitlines() if line.startswith("gc "))
    return done, line


def test_short_commands_leave_the_collector_out_and_still_print_and_exit_as_before():
    """extract and --help run without the cyclic collector and freeze their objects before
    the exit (nothing to collect in a process about to end); the output and exit status
    are untouched, and atexit handlers still run."""
    done, state = _gc_at_exit("extract", str(PAGE), "--url", "https://riverbendphysio.ca/blog/x/")
    assert done.returncode == 0 and '"type":"post"' in done.stdout
    assert state == "gc False True"
    done, state = _gc_at_exit("extract", str(ROOT / "tests" / "missing.html"))
    assert done.returncode == 2 and state == "gc False True"
    done, state = _gc_at_exit("--help")
    assert done.returncode == 0 and "extract" in done.stdout and state == "gc False True"


def test_long_commands_and_in_process_calls_keep_the_collector(monkeypatch):
    import gc

    from click.testing import CliRunner

    from cli import main

    done, state = _gc_at_exit("crawl", "--help")
    assert done.returncode == 0 and state == "gc True False"
    # a process whose own command line reads like `needle extract` calls the command in-process
    args = ["extract", str(PAGE), "--url", "https://riverbendphysio.ca/blog/x/"]
    monkeypatch.setattr(sys, "argv", ["needle", *args])
    frozen = gc.get_freeze_count()
    try:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.enable()
