"""The audit's data: its signals and weights, thresholds, the report, and what every
detector shares (the context of one run, dates, quoting).

The detectors live in reports.audit_time (dates and wording tied to a moment),
reports.audit_people (contact details, staff) and reports.audit (links, overlap, trust,
and the run itself).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from crawler.records import Post, SitemapEntry, Teaser
from reports.crawl_facts import LinkState
from reports.topics import WORD_RE
from reports.findings import Finding

# -- data ---------------------------------------------------------------------------------

# signal -> (weight, one-line description); the weight orders the report.
SIGNALS: dict[str, tuple[float, str]] = {
    "broken_link": (5, "a link in the post fails (4xx/5xx, DNS, timeout, redirect loop)"),
    "stale_phone": (5, "a phone number that is not the clinic's current one"),
    "stale_address": (5, "a street address that is not the clinic's current one"),
    "stale_hours": (4, "opening hours that are not the clinic's current ones"),
    "staff_departed": (4, "names someone who is no longer on the team"),
    "past_time_reference": (3, "wording tied to a moment that has passed"),
    "near_duplicate": (3, "shares most of its text with another post"),
    "old_post": (2, "published or last updated long ago"),
    "topic_overlap": (2, "competes with another post for the same topic"),
    "thin": (2, "too few words to be useful"),
    "no_date": (2, "shows no publication date"),
    "edited_not_redated": (2, "its text changed but the updated date it shows did not"),
    "redated_not_edited": (2, "its updated date moved but its text did not change"),
    "dates_disagree": (2, "its dates (byline, JSON-LD, meta, Last-Modified) disagree"),
    "sitemap_lastmod_disagrees": (1, "the sitemap's lastmod disagrees with the post's dates"),
    "teaser_mismatch": (1, "the listing card shows another title or date"),
    "redirected_link": (1, "a link goes through a redirect"),
    "unchecked_link": (1, "a link the checker would not fetch (a private address) or had no "
                          "time left for"),
    "no_author": (1, "no author byline"),
    "no_credentials": (1, "the byline gives no credentials"),
    "no_references": (1, "no references to sources"),
    "no_review_date": (1, "no reviewed/updated date on an older post"),
    "copyright_past": (1, "the footer copyright year is long past"),
    "often_edited": (1, "edited many times in a short while"),
}
TRUST_SIGNALS = ("no_author", "no_credentials", "no_references", "no_review_date")

# a title's period ("Dr. Greg Lawson", "St. Albert") does not end the sentence; runs of
# plain characters are taken whole (+), not one loop turn per character
SENTENCE_RE = re.compile(
    r"(?:[^.!?\n]+|(?:(?<=\bDr)|(?<=\bSt)|(?<=\bMr)|(?<=\bMs)|(?<=\bMrs))\.)*[.!?]?")

AGE_BANDS = ((6, "under 6 months"), (12, "6–12 months"), (24, "1–2 years"),
             (60, "2–5 years"), (10_000, "over 5 years"))

# -- models -------------------------------------------------------------------------------


class AuditThresholds(BaseModel):
    """Every threshold of the audit. The defaults are settings.py's (NEEDLE_AUDIT_*); the
    CLI passes the settings in."""

    max_age_months: int = 24
    thin_words: int = 150
    duplicate_similarity: float = 0.5
    topic_similarity: float = 0.75
    date_tolerance_days: int = 2
    copyright_years: int = 1
    ephemeral_months: int = 6
    review_months: int = 12
    trust_site_share: float = 0.5
    redate_share: float = 0.1  # a rewrite of this share of the words should move the updated date
    edits: int = 3  # this many edits ...
    edit_days: int = 30  # ... within this many days is often_edited


class ClinicFacts(BaseModel):
    """An optional override of what the site's team page says: who is on the team now
    (added to the names the team page lists) and who has left (looked for in every post,
    even while the team page still lists them)."""

    staff: list[str] = Field(default_factory=list)
    former_staff: list[str] = Field(default_factory=list)



class PostAudit(BaseModel):
    url: str
    title: str | None
    site: str
    scope: Literal["post", "site"] = "post"
    published: date | None = None
    word_count: int = 0
    score: float = 0
    findings: list[Finding] = Field(default_factory=list)

    @property
    def signals(self) -> set[str]:
        return {f.check for f in self.findings}


HEALTH_PER_WEIGHT = 10  # a broken link (5) halves a post's score; thin + old (4) takes 40


class AuditReport(BaseModel):
    as_of: date
    thresholds: AuditThresholds
    posts: list[PostAudit]  # ranked, most urgent first; posts without findings last
    sites: list[PostAudit]  # site-wide findings, one entry per site
    links_checked: int = 0

    @property
    def flagged(self) -> list[PostAudit]:
        return [p for p in self.posts if p.findings]

    @property
    def health(self) -> int:
        """The site score out of 100: the mean of the posts' scores, each post starting at
        100 and losing HEALTH_PER_WEIGHT per point of its findings' weight (never below 0),
        so fixing any finding moves it."""
        if not self.posts:
            return 100
        return round(sum(max(0.0, 100 - HEALTH_PER_WEIGHT * p.score) for p in self.posts) / len(self.posts))

    def finding_rows(self) -> list[dict]:
        """Every finding as (url, check, evidence): what a later audit compares with."""
        return [{"url": entry.url, "check": f.check, "evidence": f.evidence}
                for entry in self.flagged + self.sites for f in entry.findings]

    def by_signal(self) -> dict[str, int]:
        """Posts (or sites) per signal, most common first, ties by name (the same order on
        every run: a post's signals are a set)."""
        counts = Counter(s for p in self.posts + self.sites for s in p.signals)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def by_year(self) -> dict[str, int]:
        counts = Counter(str(p.published.year) if p.published else "no date" for p in self.posts)
        return dict(sorted(counts.items()))

    def by_age_band(self) -> dict[str, int]:
        counts = Counter(age_band(p.published, self.as_of) for p in self.posts)
        order = [label for _, label in AGE_BANDS] + ["no date"]
        return {label: counts[label] for label in order if counts[label]}

# -- helpers ------------------------------------------------------------------------------


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def age_band(published: date | None, as_of: date) -> str:
    if published is None:
        return "no date"
    months = months_between(published, as_of)
    return next(label for limit, label in AGE_BANDS if months < limit)


def local_date(value: datetime | None) -> date | None:
    # the page's own offset is the clinic's local time: its calendar day is what readers see
    return value.date() if value is not None else None


def anchor_date(post: Post) -> date | None:
    """The day the text was last written: the later of published and modified."""
    days = [d for d in (local_date(post.published), local_date(post.modified)) if d]
    return max(days) if days else None


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in SENTENCE_RE.finditer(text):
        if m.group().strip():
            out.append((m.start(), m.end(), m.group().strip()))
    return out


def sentence_at(sentences: list[tuple[int, int, str]], pos: int) -> str:
    for start, end, text in sentences:
        if start <= pos < end:
            return clip(text)
    return ""


def clip(text: str, limit: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote(text: str) -> str:
    return f"“{text}”"


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value)[-10:]


def norm_words(text: str) -> str:
    return "".join(WORD_RE.findall(text.lower()))


def make_finding(signal: str, evidence: str, action: str, related: Iterable[str] = (),
                 weight: float | None = None) -> Finding:
    return Finding(check=signal, evidence=evidence, action=action,
                   weight=SIGNALS[signal][0] if weight is None else weight, related=list(related))


# -- context: what the whole crawl tells about each post ------------------------------------


@dataclass
class SiteFacts:
    """The clinic's current details, learned from the site itself: its contact and team
    pages first, then what the header/footer of at least half of its pages show."""

    phones: set[str] = field(default_factory=set)  # digits
    phone_labels: list[str] = field(default_factory=list)  # as the site prints them
    addresses: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    copyright_year: int | None = None
    where: str = "the site"  # where the contact details were read, for the evidence
    staff: list[str] = field(default_factory=list)  # bare names on the team page
    credentialed: set[str] = field(default_factory=set)  # name keys shown with a credential

@dataclass
class Context:
    as_of: date
    thresholds: AuditThresholds
    facts: ClinicFacts
    sites: dict[str, SiteFacts]
    sitemap: dict[str, SitemapEntry]
    teasers: dict[str, list[Teaser]]
    links: dict[str, LinkState]
    inbound: Counter
    # per site, blog authors who are not on the team page: they have left
    former_authors: dict[str, list[str]] = field(default_factory=dict)
    # post URL -> its recorded edits, oldest first (indexer.history.History.post_edits)
    edits: dict[str, list[dict]] = field(default_factory=dict)
