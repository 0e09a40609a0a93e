"""`needle demo`: the whole job on the bundled sample clinic site, offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from cli.common import EXIT_USAGE, console, exit_help

DEMO_DIR = Path(".needle/demo")

# The planted slow page sleeps longer than this; on our own loopback server there is
# no one to be polite to, so no delays either.
DEMO_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_TIMEOUT": 2,
    "RETRY_TIMES": 0,
    "LOG_LEVEL": "CRITICAL",
    "EXTENSIONS": {"crawler.extensions.ProgressLine": 500},
}


# A synonym, a typo, a French accent folded away, a phrase, a year filter.
DEMO_SEARCHES: list[tuple[str, dict]] = [
    ("physical therapy running", {}),
    ("concusion", {}),
    ("douleur lombaire", {}),
    ('"dry needling"', {"sort": "newest"}),
    ("massage", {"year": 2026}),
]


@click.command(epilog=exit_help({EXIT_USAGE: "usage error, or a --dir the demo did not make"}))
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), default=DEMO_DIR,
              show_default=True, help="Where the demo writes its records, index and reports: a new or empty folder, "
                   "or one an earlier demo made (replaced).")
@click.option("--serve", "serve_port", type=int, default=None, metavar="PORT",
              help="End by serving the search page and API on 127.0.0.1:PORT (Ctrl-C stops).")
def demo(workdir: Path, serve_port: int | None) -> None:
    """Serve the sample clinic blogs on 127.0.0.1, crawl them, search the index, audit the
    posts and write the SEO report; with --serve, end by serving search over the index."""
    from crawler.run import run_crawl
    from cli.crawl import show_summary
    from sample_site.server import SampleSite

    out = console()
    _replace_demo_dir(workdir)
    records = workdir / "records.jsonl"
    index = workdir / "index"

    with SampleSite(mode="thread") as site:
        out.rule("1. Crawl")
        for name, url in site.urls.items():
            out.print(f"  {name:8} {url}")
        settings = {
            **DEMO_SETTINGS,
            "FEEDS": {str(records): {"format": "jsonlines", "overwrite": True}},
            "NEEDLE_INDEX": str(index),
            "NEEDLE_INDEX_ON_CRAWL": True,
        }
        summary = run_crawl(list(site.urls.values()), settings)
        show_summary(summary, output=records, index=index)

        out.rule("2. Search")
        from cli.search import print_results
        from search import search

        for query, options in DEMO_SEARCHES:
            shown = " ".join([repr(query), *(f"--{k} {v}" for k, v in options.items())])
            out.print(f"[bold]needle search {shown}[/bold]")
            print_results(search(index, query, per_page=3, **options))
        out.print(f"\nTry your own: needle search --index {index} \"jaw pain\"")

        # the audit checks outbound links, so the sample site (and its stand-in for the
        # rest of the web) is still up
        out.rule("3. Content audit: the posts that most need a refresh")
        _audit(index, workdir / "audit.html")

    out.rule("4. SEO report")
    _seo(index, workdir / "seo.html")
    out.print(f"\nReports: {workdir / 'audit.html'}  {workdir / 'seo.html'}")

    if serve_port is None:
        out.print(f"Search page and API: needle serve --index {index}   (or ./scripts/demo --serve 8000)")
        return
    out.rule(f"5. Search page and API on http://127.0.0.1:{serve_port}/")
    _needle("serve", "--index", str(index), "--port", str(serve_port))


# Written into every demo folder: only a folder holding it may be emptied by a later demo.
DEMO_MARKER = ".needle-demo"
DEMO_FILES = {"records.jsonl", "index", "audit.html", "seo.html"}


def _replace_demo_dir(workdir: Path) -> None:
    """Empty ``workdir`` for a new demo, only if an earlier demo made it (or it is empty):
    `--dir .` in a checkout must not wipe the checkout."""
    if workdir.exists():
        if not workdir.is_dir():
            raise click.UsageError(f"--dir {workdir}: not a folder")
        names = {p.name for p in workdir.iterdir()}
        # a demo of an earlier version left no marker, only its own files
        if names and DEMO_MARKER not in names and not names <= DEMO_FILES:
            raise click.UsageError(
                f"--dir {workdir}: the folder is not empty and was not made by `needle demo`; "
                "give a new or empty folder (nothing was changed)")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / DEMO_MARKER).write_text("made by `needle demo`; the next demo may replace this folder\n",
                                       encoding="utf-8")


def _audit(index: Path, html: Path) -> None:
    """The audit as `needle audit` runs it (settings, link checks), shown and written."""
    from datetime import date

    import settings
    from cli.audit import link_options_from_settings, load_clinic_facts, thresholds_from_settings
    from reports import audit_render
    from reports.audit_job import audit_index

    links = link_options_from_settings() if settings.NEEDLE_AUDIT_CHECK_LINKS else None
    report = audit_index(index, as_of=date.today(), thresholds=thresholds_from_settings(),
                         facts=load_clinic_facts(None), links=links)
    console().print(audit_render.to_table(report, 5))
    html.write_text(audit_render.to_html(report), encoding="utf-8")
    console().print(f"html report: {html} ({len(report.flagged)} posts need attention)")


def _seo(index: Path, html: Path) -> None:
    """The SEO report as `needle seo` runs it (settings' thresholds), shown and written."""
    from cli.seo import thresholds_from_settings
    from reports.crawl_facts import load_index_records
    from reports.seo import seo_report
    from reports.seo_render import print_summary, render

    report = seo_report(load_index_records(index), thresholds=thresholds_from_settings())
    print_summary(report, console(), limit=12)
    html.write_text(render(report, "html"), encoding="utf-8")
    console().print(f"Wrote html report to {html}")


def _needle(*args: str) -> None:
    """Run another `needle` command in this process, as a user would type it."""
    from cli import main

    main.main(list(args), prog_name="needle", standalone_mode=False)
