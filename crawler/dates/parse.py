"""Parsing dates: structured values exactly, human text through dateparser, each kept with its source and raw text.

Structured values (JSON-LD, meta tags, ``<time datetime>``, microdata) go through
``parse_structured``: ``datetime.fromisoformat`` and the HTTP date parser, which are
exact and fast. Human text ("July 18, 2025", "6 octobre 2022", "3 days ago") goes
through ``dateparser`` only after a regex has found a short date-looking snippet;
parsers are built once per (languages, time zone) and cached.

A date written without a zone is local to the site (``timezone``); a date without a
time is midnight local. Every result is time-zone aware.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone as dt_timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.records import DateCandidate, DateKind, DateSource, RecordWarning, WarningKind

EARLIEST_DATE = "1995-01-01"
# a post dated a little ahead of the fetch is clock skew or a time zone; more is wrong
FUTURE_SLACK = timedelta(days=2)
# published dates from two sources further apart than this disagree
DISAGREE_AFTER = timedelta(hours=36)

# Most trustworthy first; SITEMAP and HTTP describe the file, never the publication.
SOURCE_RANK = {
    DateSource.JSONLD: 0,
    DateSource.META: 1,
    DateSource.MICRODATA: 2,
    DateSource.TIME: 3,
    DateSource.TEXT: 4,
    DateSource.URL: 5,
    DateSource.HEURISTIC: 6,  # htmldate's page-wide guess, asked only when nothing above answered
    DateSource.SITEMAP: 7,
    DateSource.HTTP: 8,
}
NEVER_PUBLISHED = {DateSource.SITEMAP, DateSource.HTTP}

_EN_MONTHS = (
    r"jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
    r"aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
)
_FR_MONTHS = (
    r"janv(?:ier|\.)?|f[ée]vr?(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|"
    r"ao[uû]t|sept(?:embre|\.)?|oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?"
)
_MONTH = rf"(?:{_FR_MONTHS}|{_EN_MONTHS})"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er)?"
_TIME = r"(?:,?\s*(?:at|à|a|@|-)?\s*\d{1,2}(?::\d{2}|\s?h\s?\d{0,2})(?:\s?[ap]\.?m\.?)?)?"
# One alternation, longest forms first; \b keeps "mars" out of "Marseille".
DATE_SNIPPET = re.compile(
    r"(?<![\w/])(?:"
    rf"{_MONTH}\s+{_DAY},?\s+(?:19|20)\d\d{_TIME}"           # July 18, 2025
    rf"|{_DAY}\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?(?:19|20)\d\d{_TIME}"  # 6 octobre 2022 / 18 July 2025
    r"|(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?)?"  # 2025-07-18
    r"|[0-3]?\d[/.][01]?\d[/.](?:19|20)?\d\d"                  # 12/03/2021, 18.07.2025
    r"|(?:an?|\d{1,3})\s+(?:second|minute|hour|day|week|month|year)s?\s+ago"
    r"|il\s+y\s+a\s+(?:une?|\d{1,3})\s+(?:seconde|minute|heure|jour|semaine|mois|an|année)s?"
    r"|yesterday|today|hier|aujourd['’]hui"
    r")(?![\w])",
    re.IGNORECASE,
)
# "hier" is "here" in German and Dutch: French relative words only on French pages
_FR_RELATIVE = re.compile(r"^(?:hier|aujourd['’]hui|il\s+y\s+a)\b", re.IGNORECASE)
_RELATIVE = re.compile(r"ago|il\s+y\s+a|yesterday|today|hier|aujourd", re.IGNORECASE)
_MODIFIED_CUE = re.compile(
    r"(?:last\s+)?(?:updated|modified|revised|reviewed)|mis\s+[àa]\s+jour|modifi[ée]|r[ée]vis[ée]",
    re.IGNORECASE,
)
# the day is a whole path segment: "/2023/10/3-fragen-an" is a month folder and a slug
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)")
_ISO_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class DateFinding:
    """What ``choose`` made of the candidates of one page."""

    candidates: list[DateCandidate] = field(default_factory=list)
    published: DateCandidate | None = None
    modified: DateCandidate | None = None
    warnings: list[RecordWarning] = field(default_factory=list)


def zone(name: str | None):
    if not name or name.upper() == "UTC":
        return dt_timezone.utc
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return dt_timezone.utc


def localize(value: datetime, tz: str | None) -> datetime:
    """Naive -> aware in the site's zone; aware values are kept as written."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=zone(tz))
    return value


def parse_structured(raw: str, tz: str = "UTC") -> datetime | None:
    """Parse a machine-readable date (ISO 8601, RFC 2822/HTTP); None if it is not one."""
    text = (raw or "").strip()
    if not text:
        return None
    if _ISO_LIKE.match(text):
        candidate = text.replace(" ", "T", 1) if len(text) > 10 and text[10] == " " else text
        if candidate.endswith(("z", "Z")):
            candidate = candidate[:-1] + "+00:00"
        try:
            return localize(datetime.fromisoformat(candidate), tz)
        except ValueError:
            pass
        # 2024-05-17T10:00:00.000+0000 with odd precision: keep the date and offset we trust
        m = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?", text)
        if m:
            offset = m.group(3) or ""
            if offset == "Z":
                offset = "+00:00"
            elif offset and ":" not in offset:
                offset = offset[:3] + ":" + offset[3:]
            try:
                return localize(datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{offset}"), tz)
            except ValueError:
                pass
        try:
            return localize(datetime.combine(date.fromisoformat(text[:10]), datetime.min.time()), tz)
        except ValueError:
            return None
    if re.match(r"^\d{4}$", text) or not re.search(r"\d", text):
        return None
    try:
        value = parsedate_to_datetime(text)  # Tue, 15 Nov 1994 08:12:31 GMT
    except (TypeError, ValueError, IndexError):
        return None
    return localize(value, tz) if value else None


def _date_order(languages: tuple[str, ...]) -> str:
    # 03/04/2021: month first in English (North America), day first elsewhere
    return "MDY" if not languages or languages[0].startswith("en") else "DMY"


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...], relative_base: datetime | None = None):
    from dateparser.date import DateDataParser

    settings = {
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": _date_order(languages),
        "PREFER_DATES_FROM": "past",
        "STRICT_PARSING": False,
    }
    if relative_base is not None:
        settings["RELATIVE_BASE"] = relative_base
    return DateDataParser(languages=list(languages) or None, settings=settings, try_previous_locales=False)


def _languages(languages: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    out: list[str] = []
    for lang in languages or ("en", "fr"):
        code = lang.split("-")[0].split("_")[0].lower()
        if code and code not in out:
            out.append(code)
    for fallback in ("en", "fr"):  # the clinics write in English or French
        if fallback not in out:
            out.append(fallback)
    return tuple(out)


def parse_human(
    text: str,
    *,
    languages: list[str] | tuple[str, ...] | None = None,
    tz: str = "UTC",
    fetched_at: datetime | None = None,
) -> datetime | None:
    """Parse one short human-written date with dateparser; aware, in the site's zone."""
    text = text.strip()
    if not text or len(text) > 80:
        return None
    dotted = _DOTTED.match(text)
    if dotted:
        # 18.07.2025 is day first in every language that writes dates with dots
        day, month, year = (int(g) for g in dotted.groups())
        try:
            return localize(datetime(year + 2000 if year < 100 else year, month, day), tz)
        except ValueError:
            return None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\b1er\b", "1", text, flags=re.IGNORECASE)
    plain = _plain_date(text)
    if plain is not None:
        return localize(plain, tz)
    langs = _languages(languages)
    base = None
    if _RELATIVE.search(text):
        now = fetched_at or datetime.now(dt_timezone.utc)
        base = localize(now, tz).astimezone(zone(tz)).replace(tzinfo=None)
        ago = _plain_ago(text, base)
        if ago is not None:
            return localize(ago, tz)
    try:
        data = _parser(langs, base).get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if data is None or data.date_obj is None:
        return None
    value = data.date_obj
    if base is None and data.period == "day":
        value = value.replace(hour=0, minute=0, second=0, microsecond=0) if not re.search(r"\d:\d|\dh", text) else value
    if value.tzinfo is not None:
        return value
    return localize(value, tz)


# "3 days ago", "an hour ago", "il y a 2 semaines", "hier": the relative forms blogs print
# (Wix, Medium), in the words dateparser reads the same way (it does not read "wks", "yrs").
_UNITS = {
    "en": {"second": "s", "seconds": "s", "sec": "s", "secs": "s", "minute": "m", "minutes": "m",
           "min": "m", "mins": "m", "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "day": "d",
           "days": "d", "week": "w", "weeks": "w", "wk": "w", "month": "M", "months": "M",
           "year": "Y", "years": "Y", "yr": "Y"},
    "fr": {"seconde": "s", "secondes": "s", "minute": "m", "minutes": "m", "heure": "h",
           "heures": "h", "jour": "d", "jours": "d", "semaine": "w", "semaines": "w", "mois": "M",
           "an": "Y", "ans": "Y", "année": "Y", "années": "Y", "annee": "Y", "annees": "Y"},
}
_AGO = re.compile(r"^(\d{1,3}|an?) ([^\W\d_]+) ago$", re.IGNORECASE)
_IL_Y_A = re.compile(r"^il y a (\d{1,3}|une?) ([^\W\d_]+)$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DAYS_BACK = {"today": 0, "aujourd'hui": 0, "aujourd’hui": 0, "yesterday": 1, "hier": 1}


def _plain_ago(text: str, base: datetime) -> datetime | None:
    """A relative date in the forms above, counted back from ``base`` as dateparser counts
    (a month back from March 31 is February 28), without its first call's cost (about
    0.3 s of patterns); anything else, or out of range, goes to dateparser."""
    lowered = text.lower()
    if lowered in _DAYS_BACK:
        return base - timedelta(days=_DAYS_BACK[lowered])
    m = _AGO.match(text)
    units = _UNITS["en"]
    if m is None:
        m = _IL_Y_A.match(text)
        units = _UNITS["fr"]
        if m is None:
            return None
    count, word = m.group(1), m.group(2).lower()
    unit = units.get(word)
    if unit is None:
        return None
    n = int(count) if count.isdigit() else 1
    try:
        if unit in _SECONDS:
            return base - timedelta(seconds=n * _SECONDS[unit])
        months = base.year * 12 + base.month - 1 - (n * 12 if unit == "Y" else n)
        year, month = divmod(months, 12)
        return base.replace(year=year, month=month + 1, day=min(base.day, monthrange(year, month + 1)[1]))
    except (ValueError, OverflowError):
        return None


_DOTTED = re.compile(r"^([0-3]?\d)\.([01]?\d)\.((?:19|20)\d\d|\d\d)$")

# Month names of the two languages every page is also read in (``_languages``), with the
# abbreviations blogs print; no name means different months in English and French.
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate((
        "january jan janvier janv", "february feb février fevrier févr fevr fév fev",
        "march mar mars", "april apr avril avr", "may mai", "june jun juin",
        "july jul juillet juil", "august aug août aout", "september sep sept septembre",
        "october oct octobre", "november nov novembre", "december dec décembre decembre déc",
    ), start=1)
    for name in names.split()
}
_MONTH_FIRST = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d)$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s+([^\W\d_]+)\.?,?\s+((?:19|20)\d\d)$")


def _plain_date(text: str) -> datetime | None:
    """"March 14, 2024" or "6 octobre 2022", the forms most posts print, read directly.

    What dateparser would answer for them, without its first call's cost (about 0.3 s of
    pattern compiling, paid by every `needle extract`); anything else goes to dateparser.
    """
    m = _MONTH_FIRST.match(text)
    if m:
        month, day, year = m.group(1), m.group(2), m.group(3)
    else:
        m = _DAY_FIRST.match(text)
        if not m:
            return None
        day, month, year = m.group(1), m.group(2), m.group(3)
    number = _MONTH_NUMBERS.get(month.lower())
    if number is None:
        return None
    try:
        return datetime(int(year), number, int(day))
    except ValueError:
        return None


def find_snippets(text: str, limit: int = 6) -> list[str]:
    """Date-looking substrings of ``text``, so dateparser never sees a whole page."""
    return [m.group(0) for m, _ in zip(DATE_SNIPPET.finditer(text), range(limit))]


def is_modified_cue(context: str) -> bool:
    """True when the words before a date say it is an update ("Updated on ...")."""
    return bool(_MODIFIED_CUE.search(context))


def url_date(url: str, tz: str = "UTC") -> tuple[datetime, str] | None:
    """A /YYYY/MM/DD/ date in the URL path, as midnight local."""
    from urllib.parse import urlsplit

    m = _URL_DATE.search(urlsplit(url).path)
    if not m:
        return None
    try:
        value = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return localize(value, tz), m.group(0).strip("/-_")


# "...Z", "+00:00": a server's serialisation, not the site's clock
_UTC_WRITTEN = re.compile(r"(?:\d(?:Z|z)|[+-]00:?00|\bUTC|\bGMT)\s*$")


def _is_relative(c: DateCandidate) -> bool:
    return c.source is DateSource.TEXT and bool(_RELATIVE.search(c.raw))


def _published_rank(c: DateCandidate) -> float:
    # "3 days ago" is a day either side at best, "2 years ago" a year, and a label
    # ("TODAY") when the page is not fresh: any absolute date on the page ranks above it
    return SOURCE_RANK[DateSource.HEURISTIC] + 0.5 if _is_relative(c) else SOURCE_RANK[c.source]


def _has_time(raw: str) -> bool:
    return bool(re.search(r"\d:\d\d|\dT\d|\d\s?h\s?\d", raw))


def _corroborated_by_url(published: list[DateCandidate]) -> list[DateCandidate]:
    """Candidates in trust order, with the URL's day as the judge of the day.

    A CMS files a post under its local publication day (/2023/11/08/slug); on public
    real-world sets (bench/eval_extraction.py) that day is the right one on 95 % of the
    pages that have it, where the top structured date is sometimes the same instant in
    UTC (03:28Z on the 9th for a post of 22:28 on the 8th in New York) or a later
    edition's date. So the most trusted candidate on the URL's day comes first; when
    none is and the most trusted one is more than DISAGREE_AFTER away, the URL's date does.
    A structured instant within that window stays: the site's zone then gives its day.
    """
    url = next((c for c in published if c.source is DateSource.URL), None)
    if url is None or not published or published[0].value.date() == url.value.date():
        return published
    same_day = [c for c in published if c.value.date() == url.value.date() and c is not url]
    top = published[0]
    # an instant near the URL's day is that day seen from another zone; a day without a
    # time ("19.05.2007" under /2007/05/20/) is another day
    shifted = (_has_time(top.raw) and not _UTC_WRITTEN.search(top.raw)
               and abs(top.value - url.value) <= DISAGREE_AFTER)
    first = same_day[0] if same_day else None if shifted else url
    if first is None:
        return published
    return [first] + [c for c in published if c is not first]


class DateCollector:
    """Gathers candidates for one page; ``finish`` chooses published and modified.

    ``add_structured`` and ``add_text`` never raise: a value that cannot be parsed
    becomes an ``unparseable_date`` warning carrying the raw text.
    """

    def __init__(
        self,
        *,
        tz: str = "UTC",
        languages: list[str] | tuple[str, ...] | None = None,
        fetched_at: datetime | None = None,
        earliest: str | date = EARLIEST_DATE,
    ) -> None:
        self.tz = tz
        self.languages = _languages(languages)
        self.fetched_at = localize(fetched_at, "UTC") if fetched_at else datetime.now(dt_timezone.utc)
        first = earliest if isinstance(earliest, date) else date.fromisoformat(str(earliest))
        self.earliest = datetime(first.year, first.month, first.day, tzinfo=dt_timezone.utc)
        self.latest = self.fetched_at + FUTURE_SLACK
        self.finding = DateFinding()
        self._seen: set[tuple] = set()
        self._implausible: list[DateCandidate] = []

    def plausible(self, value: datetime) -> bool:
        return self.earliest <= value <= self.latest

    def _add(self, kind: DateKind, value: datetime, source: DateSource, raw: str) -> None:
        key = (kind, value, source)
        if key in self._seen:
            return
        self._seen.add(key)
        cand = DateCandidate(kind=kind, value=value, source=source, raw=raw.strip()[:200])
        self.finding.candidates.append(cand)
        if not self.plausible(value):
            self._implausible.append(cand)

    def _unparseable(self, raw: str, where: str) -> None:
        key = ("unparseable", raw)
        if key in self._seen:
            return
        self._seen.add(key)
        self.finding.warnings.append(
            RecordWarning(kind=WarningKind.UNPARSEABLE_DATE, message=f"{where}: {raw.strip()[:200]!r}")
        )

    def add_unparseable(self, raw: str, source: DateSource = DateSource.TEXT) -> None:
        """Record a line that announces a date nobody can read ("Posted: last spring")."""
        self._unparseable(raw, source.value)

    def add_structured(self, raw: str | None, kind: DateKind, source: DateSource) -> datetime | None:
        if raw is None or not str(raw).strip():
            return None
        raw = str(raw).strip()
        value = parse_structured(raw, self.tz)
        if value is None:
            # some themes put human text in datetime/content attributes
            snippets = find_snippets(raw, 1)
            if snippets:
                value = parse_human(snippets[0], languages=self.languages, tz=self.tz, fetched_at=self.fetched_at)
        if value is None:
            self._unparseable(raw, source.value)
            return None
        self._add(kind, value, source, raw)
        return value

    def add_text(self, text: str, *, kind: DateKind | None = None, source: DateSource = DateSource.TEXT,
                 limit: int = 3, report_unparseable: bool = False) -> list[datetime]:
        """Find date snippets in a short text (a byline, the lines under the title)."""
        found = []
        matches = [m for m in DATE_SNIPPET.finditer(text)
                   if self.languages[0] == "fr" or not _FR_RELATIVE.match(m.group(0))]
        for m in matches[:limit]:
            raw = m.group(0)
            this_kind = kind
            if this_kind is None:
                before = text[max(0, m.start() - 40):m.start()]
                this_kind = DateKind.MODIFIED if is_modified_cue(before) else DateKind.PUBLISHED
            value = parse_human(raw, languages=self.languages, tz=self.tz, fetched_at=self.fetched_at)
            if value is None:
                self._unparseable(raw, source.value)
                continue
            self._add(this_kind, value, source, raw)
            found.append(value)
        if not found and report_unparseable and text.strip():
            self._unparseable(text, source.value)
        return found

    def has_published(self) -> bool:
        """A plausible published date from the page or its URL is already among the candidates
        (a relative one, "16 hours ago", only when nothing else dates the page)."""
        return any(c.kind is DateKind.PUBLISHED and c.source not in NEVER_PUBLISHED and self.plausible(c.value)
                   and not _is_relative(c) for c in self.finding.candidates)

    def add_url(self, url: str) -> None:
        hit = url_date(url, self.tz)
        if hit:
            self._add(DateKind.PUBLISHED, hit[0], DateSource.URL, hit[1])

    def add_value(self, value: datetime, kind: DateKind, source: DateSource, raw: str) -> None:
        self._add(kind, localize(value, "UTC"), source, raw)

    def finish(self) -> DateFinding:
        finding = self.finding
        for cand in self._implausible:
            finding.warnings.append(RecordWarning(
                kind=WarningKind.IMPLAUSIBLE_DATE,
                message=f"{cand.kind.value} {cand.value.isoformat()} from {cand.source.value} "
                        f"({cand.raw!r}) is outside {self.earliest.date()}..{self.latest.date()}",
            ))
        usable = [c for c in finding.candidates if self.plausible(c.value)]
        published = sorted(
            (c for c in usable if c.kind is DateKind.PUBLISHED and c.source not in NEVER_PUBLISHED),
            key=_published_rank,
        )
        published = _corroborated_by_url(published)
        finding.published = published[0] if published else None
        modified = sorted(
            (c for c in usable if c.kind is DateKind.MODIFIED and c.source is not DateSource.HTTP),
            key=lambda c: SOURCE_RANK[c.source],
        )
        finding.modified = modified[0] if modified else None
        if finding.published:
            chosen = finding.published
            for other in published[1:]:
                if abs(other.value - chosen.value) > DISAGREE_AFTER:
                    finding.warnings.append(RecordWarning(
                        kind=WarningKind.DATES_DISAGREE,
                        message=f"published {chosen.value.date()} ({chosen.source.value}) but "
                                f"{other.value.date()} from {other.source.value} ({other.raw!r})",
                    ))
                    break
            if finding.modified and finding.modified.value < chosen.value - DISAGREE_AFTER:
                finding.warnings.append(RecordWarning(
                    kind=WarningKind.DATES_DISAGREE,
                    message=f"modified {finding.modified.value.date()} is before published {chosen.value.date()}",
                ))
        return finding
