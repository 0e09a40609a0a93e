"""What every report Needle writes does with text that came from crawled pages.

Titles, URLs and quotes in a report are written by whoever wrote the pages (or the JSON
Lines an index was built from), so:

- CSV: a cell that a spreadsheet would take for a formula (it starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return; OWASP "CSV injection", plus their full-width
  forms) gets a leading single quote. Only strings: a number stays a number. Text cells
  are quoted. Every CSV export goes through ``csv_text``.
- HTML: only http(s) URLs become links (``web_href``); anything else (``javascript:``,
  ``data:``, ``file:``) is shown as text.
- HTML: the self-contained reports carry a Content-Security-Policy ``<meta>`` that allows
  nothing but their own inline style and script, by hash (``csp``), so text that got past
  escaping still could not run.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# a web link as written: scheme, "//", then no whitespace or control character anywhere
_WEB_URL = re.compile(r"https?://[^\x00-\x20\x7f]+\Z", re.IGNORECASE)


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet evaluates: strings that start like a
    formula get a leading ``'``; numbers and everything else are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header row and one row per mapping, every cell through ``csv_cell``.
    Every text cell is quoted (numbers are not): with "\n" line ends the csv module would
    leave a lone carriage return inside a title unquoted, and a reader would split the row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), lineterminator="\n",
                            quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return out.getvalue()


def web_href(url: str | None) -> str | None:
    """``url`` if it is an http(s) link with a host, else None (render it as text)."""
    if not isinstance(url, str) or not _WEB_URL.match(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def source_hash(text: str) -> str:
    """The CSP source expression of an inline ``<style>`` or ``<script>`` body."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def csp(styles: Iterable[str] = (), scripts: Iterable[str] = ()) -> str:
    """The policy of a self-contained report: nothing from anywhere, except the given
    inline style and script bodies (by hash). No images, fonts, frames, forms or base."""
    policy = ["default-src 'none'"]
    if styles := [source_hash(s) for s in styles]:
        policy.append("style-src " + " ".join(styles))
    if scripts := [source_hash(s) for s in scripts]:
        policy.append("script-src " + " ".join(scripts))
    policy += ["base-uri 'none'", "form-action 'none'"]
    return "; ".join(policy)
