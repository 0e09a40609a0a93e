"""Dates: finding them on a page (``find``) and parsing what was found (``parse``)."""

from crawler.dates.find import find_dates
from crawler.dates.parse import (
    EARLIEST_DATE,
    DateCollector,
    DateFinding,
    find_snippets,
    is_modified_cue,
    localize,
    parse_human,
    parse_structured,
    url_date,
    zone,
)

__all__ = [
    "EARLIEST_DATE", "DateCollector", "DateFinding", "find_dates", "find_snippets", "is_modified_cue",
    "localize", "parse_human", "parse_structured", "url_date", "zone",
]
