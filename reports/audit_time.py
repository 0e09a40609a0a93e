"""Dates: how old a post is, wording tied to a moment that has passed, and dates that
disagree (the page's own sources, the server's Last-Modified, the sitemap's lastmod).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from crawler.records import DateKind, DateSource, Post
from reports.audit_model import (
    SIGNALS, Context, anchor_date, local_date, make_finding, months_between, quote, sentence_at,
    split_sentences,
)
from reports.findings import Finding


def word_start(*words: str) -> str:
    r"""An alternation of ``words`` (each may go on as a pattern) that must each start a
    word, written so Python's re can skip ahead to the words' first letters: a leading
    ``\b`` makes it try a match at every position of the text, four times slower over a
    post. The boundary is checked after the first letter instead: ``J(?<!\wJ)anuary`` is a
    J with no word character before it, which is ``\bJanuary``."""
    out = []
    for word in words:
        first = word[0]
        assert re.fullmatch(r"\w", first), word  # \b before a word character only
        out.append(rf"{first}(?<!\w{first}){word[1:]}")
    return "(?:" + "|".join(out) + ")"


MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_MONTH_RE = word_start(*MONTHS)
# Seasons end (month, day) in the northern hemisphere; "season" alone lasts three months.
SEASON_END = {"spring": (6, 20), "summer": (9, 22), "fall": (12, 20), "autumn": (12, 20),
              "winter": (3, 19)}

# Month names are matched case-sensitively so the verb "may" is not May.
MONTH_NAME_RE = re.compile(_MONTH_RE)  # every date pattern below but the year needs one
FULL_DATE_RE = re.compile(rf"({_MONTH_RE})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b")
MONTH_YEAR_RE = re.compile(rf"({_MONTH_RE}) (\d{{4}})\b")
RELATIVE_MONTH_RE = re.compile(
    word_start("This", "this", "Next", "next", "In", "in", "Until", "until", "By", "by",
               "Starting(?: this| in)?", "starting(?: this| in)?", "From", "from", "Through",
               "through")
    + rf" ({_MONTH_RE})\b(?!\.? \d)")
# matched against the lower-cased text (faster than re.I)
SEASON_RE = re.compile(
    word_start("this", "next", "the coming", "as")
    + r" (spring|summer|fall|autumn|winter|season|year)\b")
# Every match of SEASON_RE and EPHEMERAL_RE holds one of these: a text without any is not
# scanned (str's find is many times faster than a pattern starting with common letters).
SEASON_HINTS = (" spring", " summer", " fall", " autumn", " winter", " season", " year")
YEAR_RE = re.compile("(" + word_start(r"19[9]\d", r"20\d\d") + r")\b")
# Present-tense wording about events that end; past once the post is old enough.
EPHEMERAL_RE = re.compile(
    "(" + word_start("upcoming", "coming soon", "later this (?:month|year)", "next (?:week|month)",
                     "current lockdown", "the lockdown", "pandemic", "covid(?:-19)?",
                     "coronavirus") + r")\b")
EPHEMERAL_HINTS = ("coming", "later this", "next week", "next month", "lockdown", "pandemic",
                   "covid", "coronavirus")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# -- detectors: one per signal, each (post, context) -> findings ----------------------------


def detect_age(post: Post, ctx: Context) -> list[Finding]:
    written = anchor_date(post)
    if written is None:
        return []
    months = months_between(written, ctx.as_of)
    limit = ctx.thresholds.max_age_months
    if months < limit:
        return []
    what = "last updated" if post.modified and local_date(post.modified) == written and \
        local_date(post.modified) != local_date(post.published) else "published"
    years = months / 12
    # older posts rank higher: half a point per year beyond the threshold, capped
    weight = SIGNALS["old_post"][0] + min(3.0, 0.5 * (months - limit) / 12)
    return [make_finding("old_post", f"{what} {written.isoformat()}, {years:.1f} years before "
                         f"{ctx.as_of.isoformat()}",
                         "Review the advice against current guidance; update it and show the "
                         "updated date, or retire the post.", weight=round(weight, 2))]


def _season_end(word: str, written: date) -> date:
    word = word.lower()
    if word == "year":
        return date(written.year, 12, 31)
    if word == "season":
        return written + timedelta(days=92)
    month, day = SEASON_END[word]
    end = date(written.year, month, day)
    return end if end >= written else date(written.year + 1, month, day)


def find_time_references(text: str, written: date, as_of: date,
                         ephemeral_months: int) -> list[tuple[str, str]]:
    """(quoted sentence, why) for wording tied to a moment that was current or ahead when
    the post was written and is past on ``as_of``. Historical mentions (a year before the
    post's own, a date before it) are not time-tied and are left alone."""
    sentences: list[tuple[int, int, str]] = []
    hits: dict[str, str] = {}

    def hit(pos: int, why: str) -> None:
        if not sentences:  # split only posts that have a hit
            sentences.extend(split_sentences(text))
        sentence = sentence_at(sentences, pos)
        if sentence and sentence not in hits:
            hits[sentence] = why

    taken: list[tuple[int, int]] = []
    # most posts name no month: one quick look spares them the three month scans
    months = MONTH_NAME_RE.search(text) is not None
    for m in FULL_DATE_RE.finditer(text) if months else ():
        month, day = MONTHS[m.group(1)], int(m.group(2))
        year = int(m.group(3)) if m.group(3) else written.year
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if not m.group(3) and when < written - timedelta(days=7):
            when = date(year + 1, month, min(day, 28))  # "Starting January 5" written in December
        taken.append(m.span())
        if written < when < as_of:
            hit(m.start(), f"{when.isoformat()} has passed")
    for m in MONTH_YEAR_RE.finditer(text) if months else ():
        if any(s <= m.start() < e for s, e in taken):
            continue
        end = _month_end(int(m.group(2)), MONTHS[m.group(1)])
        taken.append(m.span())
        if written <= end < as_of:
            hit(m.start(), f"{m.group(1)} {m.group(2)} has passed")
    for m in RELATIVE_MONTH_RE.finditer(text) if months else ():
        if any(s <= m.start(1) < e for s, e in taken):
            continue
        month = MONTHS[m.group(1)]
        year = written.year if month >= written.month else written.year + 1
        if m.group(0).lower().startswith("next") and month == written.month:
            year += 1
        end = _month_end(year, month)
        if end < as_of:
            hit(m.start(), f"{m.group(1)} {year} has passed")
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters change length when lower-cased
        lowered = "".join(c.lower()[:1] for c in text)
    seasons = any(h in lowered for h in SEASON_HINTS)
    for m in SEASON_RE.finditer(lowered) if seasons else ():
        end = _season_end(m.group(1), written)
        if end < as_of:
            hit(m.start(), f"the {m.group(1).lower()} of {written.year} is over")
    # a year is 199x or 20xx: most posts have neither digit pair, and in is cheaper
    for m in YEAR_RE.finditer(text) if "19" in text or "20" in text else ():
        year = int(m.group(1))
        if any(s <= m.start() < e for s, e in taken):
            continue
        if written.year <= year < as_of.year:
            hit(m.start(), f"{year} is past")
    if months_between(written, as_of) >= ephemeral_months and any(
            h in lowered for h in EPHEMERAL_HINTS):
        for m in EPHEMERAL_RE.finditer(lowered):
            hit(m.start(), f"“{text[m.start(1):m.end(1)]}” written {written.isoformat()}")
    return list(hits.items())


def detect_time_references(post: Post, ctx: Context) -> list[Finding]:
    written = anchor_date(post)
    if written is None:
        return []  # nothing to be relative to
    # The body only: headlines of seasonal advice ("this winter") recur every year.
    hits = find_time_references(post.body, written, ctx.as_of, ctx.thresholds.ephemeral_months)
    if not hits:
        return []
    evidence = "; ".join(f"{quote(s)} ({why})" for s, why in hits[:3])
    if len(hits) > 3:
        evidence += f"; and {len(hits) - 3} more"
    return [make_finding("past_time_reference", evidence,
                         "Rewrite the dated wording (years, months, seasons, offers, events) so it "
                         "stays true, or mark the post as an archive.")]


def _first_by_source(post: Post, kind: DateKind) -> dict[DateSource, date]:
    # the first date of each source is the page's own (later text dates are in the body)
    out: dict[DateSource, date] = {}
    for c in post.date_candidates:
        if c.kind == kind and c.source not in (DateSource.SITEMAP, DateSource.HTTP, DateSource.URL):
            out.setdefault(c.source, c.value.date())
    return out


def detect_dates_disagree(post: Post, ctx: Context) -> list[Finding]:
    tol = timedelta(days=ctx.thresholds.date_tolerance_days)
    problems = []
    for kind in (DateKind.PUBLISHED, DateKind.MODIFIED):
        dates = _first_by_source(post, kind)
        if dates and max(dates.values()) - min(dates.values()) > tol:
            shown = ", ".join(f"{s.value} {d.isoformat()}" for s, d in dates.items())
            problems.append(f"{kind.value}: {shown}")
    if post.fetch.last_modified and post.published:
        from email.utils import parsedate_to_datetime

        try:
            header = parsedate_to_datetime(post.fetch.last_modified).date()
        except (TypeError, ValueError):
            header = None
        latest = anchor_date(post)
        # the server saying the page last changed before it was written is a contradiction
        if header and latest and header < latest - tol:
            problems.append(f"Last-Modified {header.isoformat()} is before the page's own "
                            f"date {latest.isoformat()}")
    if not problems:
        return []
    return [make_finding("dates_disagree", "; ".join(problems),
                         "Make the byline, structured data (JSON-LD, meta) and server dates tell "
                         "the same story.")]


def detect_sitemap_lastmod(post: Post, ctx: Context) -> list[Finding]:
    entry = ctx.sitemap.get(post.url)
    lastmod = entry.lastmod if entry and entry.lastmod else post.fetch.sitemap_lastmod
    latest = anchor_date(post)
    if lastmod is None or latest is None:
        return []
    if abs((lastmod.date() - latest).days) <= ctx.thresholds.date_tolerance_days:
        return []
    return [make_finding("sitemap_lastmod_disagrees",
                         f"sitemap lastmod {lastmod.date().isoformat()}, the post says "
                         f"{latest.isoformat()}",
                         "Have the sitemap's lastmod follow the post's real last update.")]


def detect_no_date(post: Post, ctx: Context) -> list[Finding]:
    if post.published or post.modified:
        return []
    raw = f" (unreadable date text {quote(post.published_raw)})" if post.published_raw else ""
    return [make_finding("no_date", f"no publication date on the page{raw}",
                         "Show the publication date (and a reviewed date) so readers can judge "
                         "how current the advice is.")]
