"""Content audit: which posts need a refresh, and why. Pure over records (no I/O).

``audit(records, as_of=..., thresholds=...)`` runs one small detector per signal over every
post, clusters near-duplicates and posts competing for one topic, adds site-wide findings
(footer copyright, trust habits) and ranks the posts by the summed weight of their findings.
Phrase lists and weights are data at the top of the module, so a new wording is a line.
"""

from __future__ import annotations

import calendar
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from crawler.records import (
    CrawlError, DateKind, DateSource, PageRole, Post, Redirect, SitemapEntry, SitePage, Teaser,
)

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
}
TRUST_SIGNALS = ("no_author", "no_credentials", "no_references", "no_review_date")

MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_MONTH_RE = "|".join(MONTHS)
# Seasons end (month, day) in the northern hemisphere; "season" alone lasts three months.
SEASON_END = {"spring": (6, 20), "summer": (9, 22), "fall": (12, 20), "autumn": (12, 20),
              "winter": (3, 19)}

# Month names are matched case-sensitively so the verb "may" is not May.
FULL_DATE_RE = re.compile(rf"\b({_MONTH_RE})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b")
MONTH_YEAR_RE = re.compile(rf"\b({_MONTH_RE}) (\d{{4}})\b")
RELATIVE_MONTH_RE = re.compile(
    rf"\b(?:[Tt]his|[Nn]ext|[Ii]n|[Uu]ntil|[Bb]y|[Ss]tarting(?: this| in)?|[Ff]rom|[Tt]hrough)"
    rf" ({_MONTH_RE})\b(?!\.? \d)")
# matched against the lower-cased text (faster than re.I)
SEASON_RE = re.compile(
    r"\b(?:this|next|the coming|as) (spring|summer|fall|autumn|winter|season|year)\b")
YEAR_RE = re.compile(r"\b(19[9]\d|20\d\d)\b")
# Present-tense wording about events that end; past once the post is old enough.
EPHEMERAL_RE = re.compile(
    r"\b(upcoming|coming soon|later this (?:month|year)|next (?:week|month)|"
    r"(?:current|the) lockdown|pandemic|covid(?:-19)?|coronavirus)\b")

# Credentials a byline may carry (health professions in Canada and the US).
CREDENTIAL_RE = re.compile(
    r"(?:\bDr\b\.?|\b(?:PT|MPT|MScPT|BScPT|DPT|RMT|DC|MD|RN|NP|OT|RD|CAT\(C\)|FCAMPT|PhD|"
    r"Physiotherapist|Chiropractor|Therapist|Registered)\b)")
# Headings or words that show a post cites sources.
REFERENCES_RE = re.compile(r"\b(references|sources|bibliography|further reading)\b", re.I)
REVIEWED_RE = re.compile(r"\b(reviewed|updated) (on|by)\b", re.I)
# Title words that say nothing about a topic (for topic_overlap).
GENERIC_TITLE_WORDS = frozenset("""a an and are at be can do does for from guide how i in is it
its know learn my new of on or our the their this tip to vs what when where which who why will
with you your physiotherapy physio physical therapy therapist treatment clinic care help""".split())
# A person's name, as a team page heading or in a post: two or three capitalised words
# (Amélie, Jean-Luc, O'Brien, McKay), a particle (van, de) allowed between them.
_NAME_WORD = r"(?:[A-ZÀ-Þ]['’])?[A-ZÀ-Þ][a-zß-ÿ]+(?:[A-ZÀ-Þ][a-zß-ÿ]+)?(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?"
NAME_PARTICLES = ("van", "von", "de", "da", "del", "der", "di", "du", "le", "la")
# words of one name are on one line: a list item's last word and the next item's first are not
NAME = rf"{_NAME_WORD}(?:[^\S\n]+(?:(?:{'|'.join(NAME_PARTICLES)})[^\S\n]+)?{_NAME_WORD}){{1,2}}"
# Credentials written after a name ("Marcus Chen, RMT", "Jane Doe PT, MScPT").
CREDENTIAL_TOKENS = ("PT", "MPT", "MScPT", "BScPT", "DPT", "RMT", "DC", "MD", "RN", "NP", "OT",
                     "RD", "PhD", "FCAMPT", "CAT(C)", "BSc", "MSc", "BKin", "CSCS", "RKin")
_CRED = "|".join(re.escape(c) for c in CREDENTIAL_TOKENS)
# Words that are never part of a person's name, so "Our Team", "Meet the Staff", a clinic's
# name in the footer or "Main Street" are not taken for one.
NON_NAME_WORDS = frozenset("""our the team staff meet contact us hours clinic clinics centre center
physiotherapy physio physical therapy therapies massage chiropractic chiropractor wellness sports
sport health rehab rehabilitation blog welcome about services service book booking appointment
appointments new patient patients care family fees pricing prices rates insurance location
locations directions home practitioners therapists clinicians providers people director
registered physiotherapist therapist kinesiologist kinesiology acupuncture needling pelvic floor
street avenue road drive boulevard suite unit figure table step part page privacy policy
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december spring summer fall autumn winter canada alberta
edmonton calgary united states in on at for from with and treatment""".split())
# Where a post names a person (a strong cue each): "Dr. First Last"; "First Last, RMT";
# "physiotherapist, First Last"; "First Last, our chiropractor"; "book with First Last";
# "meet First Last". A bare capitalised pair is too often a place or a service to count.
_PROFESSION = (r"(?i:physiotherapist|physical therapist|chiropractor|massage therapist|therapist|"
               r"kinesiologist|acupuncturist|dietitian|osteopath|podiatrist|clinic director|"
               r"RMT|doctor)")
PERSON_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    # (pattern with the name as group "name", the side the name is anchored to)
    (re.compile(rf"\bDr\.?\s+(?P<name>{NAME})"), "start"),
    (re.compile(rf"(?P<name>{NAME})(?:,\s*|\s+\()(?:{_CRED})\b"), "end"),
    (re.compile(rf"\b{_PROFESSION},\s+(?P<name>{NAME})"), "start"),
    (re.compile(rf"(?P<name>{NAME}),\s+(?:our|a|the)\s+(?:[\w-]+\s+){{0,3}}?{_PROFESSION}\b"),
     "end"),
    (re.compile(rf"\b(?:[Bb]ook(?:ing)?|[Aa]ppointments?|[Ss]essions?|[Vv]isits?)\s+with\s+"
                rf"(?P<name>{NAME})"), "start"),
    (re.compile(rf"\b[Mm]eet\s+(?P<name>{NAME})"), "start"),
)

PHONE_RE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")
# a title's period ("Dr. Greg Lawson", "St. Albert") does not end the sentence
SENTENCE_RE = re.compile(
    r"(?:[^.!?\n]|(?:(?<=\bDr)|(?<=\bSt)|(?<=\bMr)|(?<=\bMs)|(?<=\bMrs))\.)*[.!?]?")
WORD_RE = re.compile(r"[a-zà-ÿ0-9]+")
TIME_RE = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)

AGE_BANDS = ((6, "under 6 months"), (12, "6–12 months"), (24, "1–2 years"),
             (60, "2–5 years"), (10_000, "over 5 years"))


# -- models -------------------------------------------------------------------------------


class AuditThresholds(BaseModel):
    """Every threshold of the audit; defaults come from settings.py (NEEDLE_AUDIT_*)."""

    max_age_months: int = 24
    thin_words: int = 150
    duplicate_similarity: float = 0.5
    topic_similarity: float = 0.75
    date_tolerance_days: int = 2
    copyright_years: int = 1
    ephemeral_months: int = 6
    review_months: int = 12
    trust_site_share: float = 0.5

    @classmethod
    def from_settings(cls, **overrides: object) -> "AuditThresholds":
        import settings

        values = {name: getattr(settings, f"NEEDLE_AUDIT_{name.upper()}")
                  for name in cls.model_fields if hasattr(settings, f"NEEDLE_AUDIT_{name.upper()}")}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class ClinicFacts(BaseModel):
    """An optional override of what the site's team page says: who is on the team now
    (added to the names the team page lists) and who has left (looked for in every post,
    even while the team page still lists them)."""

    staff: list[str] = Field(default_factory=list)
    former_staff: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    signal: str
    evidence: str
    action: str
    weight: float
    related: list[str] = Field(default_factory=list)  # other URLs (duplicates, links)


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
        return {f.signal for f in self.findings}


class AuditReport(BaseModel):
    as_of: date
    thresholds: AuditThresholds
    posts: list[PostAudit]  # ranked, most urgent first; posts without findings last
    sites: list[PostAudit]  # site-wide findings, one entry per site
    links_checked: int = 0

    @property
    def flagged(self) -> list[PostAudit]:
        return [p for p in self.posts if p.findings]

    def by_signal(self) -> dict[str, int]:
        """Posts (or sites) per signal, most common first."""
        counts = Counter(s for p in self.posts + self.sites for s in p.signals)
        return dict(counts.most_common())

    def by_year(self) -> dict[str, int]:
        counts = Counter(str(p.published.year) if p.published else "no date" for p in self.posts)
        return dict(sorted(counts.items()))

    def by_age_band(self) -> dict[str, int]:
        counts = Counter(age_band(p.published, self.as_of) for p in self.posts)
        order = [label for _, label in AGE_BANDS] + ["no date"]
        return {label: counts[label] for label in order if counts[label]}


class LinkState(BaseModel):
    """What is known about one link target: from the crawl or from a link check."""

    url: str
    ok: bool
    status: int | None = None
    reason: str | None = None  # http_404, timeout, dns, redirect_loop, ...
    final_url: str | None = None  # set when the link redirects
    source: Literal["crawl", "check"] = "check"
    # False: not fetched at all (a refused private address, or the link checks ran out of
    # time); ``reason`` says why ("refused: private address 10.0.0.5")
    checked: bool = True


# -- helpers ------------------------------------------------------------------------------


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def age_band(published: date | None, as_of: date) -> str:
    if published is None:
        return "no date"
    months = months_between(published, as_of)
    return next(label for limit, label in AGE_BANDS if months < limit)


def _local_date(value: datetime | None) -> date | None:
    # the page's own offset is the clinic's local time: its calendar day is what readers see
    return value.date() if value is not None else None


def anchor_date(post: Post) -> date | None:
    """The day the text was last written: the later of published and modified."""
    days = [d for d in (_local_date(post.published), _local_date(post.modified)) if d]
    return max(days) if days else None


def _sentences(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in SENTENCE_RE.finditer(text):
        if m.group().strip():
            out.append((m.start(), m.end(), m.group().strip()))
    return out


def _sentence_at(sentences: list[tuple[int, int, str]], pos: int) -> str:
    for start, end, text in sentences:
        if start <= pos < end:
            return _clip(text)
    return ""


def _clip(text: str, limit: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote(text: str) -> str:
    return f"“{text}”"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)[-10:]


def _norm(text: str) -> str:
    return "".join(WORD_RE.findall(text.lower()))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _finding(signal: str, evidence: str, action: str, related: Iterable[str] = (),
             weight: float | None = None) -> Finding:
    return Finding(signal=signal, evidence=evidence, action=action,
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


def person_name(text: str, anchor: Literal["start", "end"] = "start",
                most: int = 3) -> str | None:
    """The bare name in a heading or a matched phrase ("Dr. Jane Doe, PT" -> "Jane Doe"),
    or None when it does not look like a person's name. Words that cannot be a name, and
    words beyond ``most`` capitalised ones, are trimmed from the side away from ``anchor``
    (the cue), so "Sarah Whitlock Some" after "book with" is Sarah Whitlock."""
    text = re.sub(r"^(?:Dr\.?|Doctor)\s+", "", " ".join(text.split()))
    text = re.split(rf"\s*(?:,|\(|\s(?=(?:{_CRED})\b))", text, maxsplit=1)[0]
    words = text.split()
    while words:
        named = [w for w in words if w not in NAME_PARTICLES]
        if 2 <= len(named) <= most and re.fullmatch(NAME, " ".join(words)) and not any(
                w.lower() in NON_NAME_WORDS for w in words):
            return " ".join(words)
        words = words[:-1] if anchor == "start" else words[1:]
    return None


def name_key(name: str) -> str:
    """Compare names by first and last word, case and accents aside."""
    words = [_norm(w) for w in name.split()]
    return f"{words[0]} {words[-1]}" if words else ""


def _surname(name: str) -> str:
    return _norm(name.split()[-1]) if name.split() else ""


def learn_team(pages: list[SitePage]) -> tuple[list[str], set[str]]:
    """(bare names, keys of the names shown with a credential) from a site's team pages.

    A team page lists people as headings ("Priya Raman", "Dr. Nadine Roy", "Marcus Chen,
    RMT") with their role below; headings also on the site's other pages are its chrome
    (a footer's clinic name), not people."""
    elsewhere = Counter(h.text for page in pages if page.role != PageRole.TEAM
                        for h in {h.text: h for h in page.headings}.values())
    names: dict[str, str] = {}
    credentialed: set[str] = set()
    for page in (p for p in pages if p.role == PageRole.TEAM):
        found = [(h.text, person_name(h.text)) for h in page.headings if h.text not in elsewhere]
        found = [(raw, bare) for raw, bare in found if bare]
        for i, (raw, bare) in enumerate(found):
            names.setdefault(name_key(bare), bare)
            # the role printed under the name, up to the next person's name
            start = page.body.find(raw)
            role = ""
            if start >= 0:
                start += len(raw)
                nxt = [page.body.find(r, start) for r, _ in found[i + 1:]]
                end = min([n for n in nxt if n >= 0] + [start + 160])
                role = page.body[start:end]
            if CREDENTIAL_RE.search(raw) or CREDENTIAL_RE.search(role):
                credentialed.add(name_key(bare))
    return list(names.values()), credentialed


def learn_site_facts(posts: list[Post], pages: Iterable[SitePage] = ()) -> dict[str, SiteFacts]:
    """Per site, the clinic's current details: what its contact pages say in their own
    text, and the details found outside the body on at least half of its pages (posts and
    site pages); staff names and credentials from its team pages."""
    by_site: dict[str, list[Post | SitePage]] = defaultdict(list)
    site_pages: dict[str, list[SitePage]] = defaultdict(list)
    for record in [*posts, *pages]:
        by_site[record.site].append(record)
        if isinstance(record, SitePage):
            site_pages[record.site].append(record)
    out = {}
    for site, group in by_site.items():
        quorum = max(1, len(group) // 2)
        phones, addresses, hours, years = Counter(), Counter(), Counter(), Counter()
        labels: dict[str, str] = {}
        for record in group:
            c = record.contacts
            # one vote per page, in page order (so reports list values in a stable order)
            for counter, values in ((phones, [_digits(p) for p in c.phones]),
                                    (addresses, c.addresses), (hours, c.hours)):
                for value in dict.fromkeys(values):
                    counter[value] += 1
            for phone in c.phones:
                labels.setdefault(_digits(phone), phone)
            if c.copyright_year:
                years[c.copyright_year] += 1
        # the contact page states the details on purpose: they come first; the header and
        # footer vote adds to them (a second line or location there is current too)
        contact = ContactFactsLists()
        for page in site_pages[site]:
            if page.role == PageRole.CONTACT:
                contact.add(page)
        voted_phones = [p for p, n in phones.items() if n >= quorum]
        all_phones = list(dict.fromkeys([*(_digits(p) for p in contact.phones), *voted_phones]))
        for phone in contact.phones:
            raw = _raw_phone(contact.text, _digits(phone))  # as printed: "(780) 555-0142"
            labels[_digits(phone)] = raw if raw != _digits(phone) else phone
        staff, credentialed = learn_team(site_pages[site])
        out[site] = SiteFacts(
            phones=set(all_phones),
            phone_labels=[labels.get(p, p) for p in all_phones],
            addresses=list(dict.fromkeys(
                [*contact.addresses, *(a for a, n in addresses.items() if n >= quorum)])),
            hours=list(dict.fromkeys(
                [*contact.hours, *(h for h, n in hours.items() if n >= quorum)])),
            copyright_year=years.most_common(1)[0][0] if years else None,
            where="the contact page" if contact.any else "the site's header and footer",
            staff=staff, credentialed=credentialed,
        )
    return out


@dataclass
class ContactFactsLists:
    """The contact pages' own details, merged in page order."""

    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    text: str = ""

    def add(self, page: SitePage) -> None:
        c = page.body_contacts
        self.phones += [p for p in c.phones if p not in self.phones]
        self.addresses += [a for a in c.addresses if a not in self.addresses]
        self.hours += [h for h in c.hours if h not in self.hours]
        self.text += "\n" + page.body

    @property
    def any(self) -> bool:
        return bool(self.phones or self.addresses or self.hours)


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


def learn_former_authors(posts: list[Post], sites: dict[str, SiteFacts],
                         facts: ClinicFacts) -> dict[str, list[str]]:
    """Per site, the blog's authors who are not on its team: a byline says they worked
    there, the team page says they no longer do. Needs a known team."""
    out: dict[str, list[str]] = {}
    for site, known in sites.items():
        team = [person_name(n) or n for n in [*known.staff, *facts.staff]]
        if not team:
            continue
        keys, surnames = {name_key(n) for n in team}, {_surname(n) for n in team}
        authors = dict.fromkeys(p.author for p in posts if p.site == site and p.author)
        out[site] = [a for a in authors if (bare := person_name(a)) and
                     name_key(bare) not in keys and _surname(bare) not in surnames]
    return out


def crawl_link_states(records: Iterable[object]) -> dict[str, LinkState]:
    """Link targets the crawl already fetched: failures and redirects, no re-fetch needed."""
    states: dict[str, LinkState] = {}
    for record in records:
        if isinstance(record, CrawlError) and record.reason not in ("empty_body", "binary_body"):
            states[record.url] = LinkState(url=record.url, ok=False, status=record.status,
                                           reason=record.reason, source="crawl")
        elif isinstance(record, Redirect):
            states[record.url] = LinkState(url=record.url, ok=True, final_url=record.target,
                                           status=record.statuses[0] if record.statuses else None,
                                           source="crawl")
        elif isinstance(record, Post):
            states.setdefault(record.url, LinkState(url=record.url, ok=True, status=200,
                                                    source="crawl"))
    return states


def crawled_hosts(records: Iterable[object]) -> set[str]:
    """The host names of the crawled sites: the link checker may reach them even on a
    private address (a clinic's own site on an intranet, the sample site on loopback)."""
    hosts = set()
    for record in records:
        if isinstance(record, (Post, SitePage)):
            try:
                host = urlsplit(record.site).hostname
            except ValueError:
                continue
            if host:
                hosts.add(host)
    return hosts


def links_to_check(records: Iterable[object]) -> list[str]:
    """In-body link targets the crawl tells nothing about, in first-seen order."""
    records = list(records)
    known = crawl_link_states(records)
    seen: dict[str, None] = {}
    for record in records:
        if isinstance(record, Post):
            for link in record.links:
                href = link.href.split("#", 1)[0]
                if link.in_body and href.startswith(("http://", "https://")) and href not in known:
                    seen.setdefault(href, None)
    return list(seen)


# -- detectors: one per signal, each (post, context) -> findings ----------------------------


def detect_age(post: Post, ctx: Context) -> list[Finding]:
    written = anchor_date(post)
    if written is None:
        return []
    months = months_between(written, ctx.as_of)
    limit = ctx.thresholds.max_age_months
    if months < limit:
        return []
    what = "last updated" if post.modified and _local_date(post.modified) == written and \
        _local_date(post.modified) != _local_date(post.published) else "published"
    years = months / 12
    # older posts rank higher: half a point per year beyond the threshold, capped
    weight = SIGNALS["old_post"][0] + min(3.0, 0.5 * (months - limit) / 12)
    return [_finding("old_post", f"{what} {written.isoformat()}, {years:.1f} years before "
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
            sentences.extend(_sentences(text))
        sentence = _sentence_at(sentences, pos)
        if sentence and sentence not in hits:
            hits[sentence] = why

    taken: list[tuple[int, int]] = []
    for m in FULL_DATE_RE.finditer(text):
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
    for m in MONTH_YEAR_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        end = _month_end(int(m.group(2)), MONTHS[m.group(1)])
        taken.append(m.span())
        if written <= end < as_of:
            hit(m.start(), f"{m.group(1)} {m.group(2)} has passed")
    for m in RELATIVE_MONTH_RE.finditer(text):
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
    for m in SEASON_RE.finditer(lowered):
        end = _season_end(m.group(1), written)
        if end < as_of:
            hit(m.start(), f"the {m.group(1).lower()} of {written.year} is over")
    for m in YEAR_RE.finditer(text):
        year = int(m.group(1))
        if any(s <= m.start() < e for s, e in taken):
            continue
        if written.year <= year < as_of.year:
            hit(m.start(), f"{year} is past")
    if months_between(written, as_of) >= ephemeral_months:
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
    evidence = "; ".join(f"{_quote(s)} ({why})" for s, why in hits[:3])
    if len(hits) > 3:
        evidence += f"; and {len(hits) - 3} more"
    return [_finding("past_time_reference", evidence,
                     "Rewrite the dated wording (years, months, seasons, offers, events) so it "
                     "stays true, or mark the post as an archive.")]


def _raw_phone(body: str, digits: str) -> str:
    for m in PHONE_RE.finditer(body):
        if _digits(m.group()) == digits:
            return m.group()
    return digits


def _address_key(address: str) -> str:
    # the street line (number and street) is what moves when a clinic moves
    return _norm(address.split(",")[0])


def _hours_key(text: str) -> tuple:
    times = []
    for h, mm, ampm in TIME_RE.findall(text):
        hour = int(h) % 12 if ampm else int(h)
        if ampm and ampm.lower().startswith("p"):
            hour += 12
        times.append((hour, int(mm or 0)))
    days = tuple(d for d in re.findall(r"mon|tue|wed|thu|fri|sat|sun", text.lower()))
    return days, tuple(times)


def detect_stale_contacts(post: Post, ctx: Context) -> list[Finding]:
    site = ctx.sites.get(post.site)
    if site is None:
        return []
    out = []
    body = post.body_contacts
    stale_phones = [p for p in body.phones if site.phones and _digits(p) not in site.phones]
    if stale_phones:
        raw = [_raw_phone(post.body, _digits(p)) for p in stale_phones]
        current = ", ".join(site.phone_labels)
        out.append(_finding("stale_phone", f"post says {', '.join(_quote(r) for r in raw)}; "
                            f"{site.where} shows {current}",
                            f"Replace the number with the current one: {current}."))
    current_keys = [_address_key(a) for a in site.addresses]
    stale_addresses = [a for a in body.addresses if current_keys and not any(
        _address_key(a) in key or key in _address_key(a) for key in current_keys)]
    if stale_addresses:
        out.append(_finding("stale_address",
                            f"post says {', '.join(_quote(a) for a in stale_addresses)}; "
                            f"{site.where} shows {_quote(site.addresses[0])}",
                            f"Replace the address with {site.addresses[0]}."))
    current_hours = {_hours_key(h) for h in site.hours}
    stale_hours = [h for h in body.hours if current_hours and _hours_key(h) not in current_hours]
    if stale_hours:
        out.append(_finding("stale_hours",
                            f"post says {', '.join(_quote(h) for h in stale_hours)}; "
                            f"{site.where} shows {'; '.join(site.hours)}",
                            "Update the hours, or link to the contact page instead of "
                            "repeating them."))
    return out


def _people_mentioned(text: str) -> list[tuple[str, int, list[str]]]:
    """(name as written, position, every capitalised word the cue caught) of each person a
    post names with a strong cue. The name is two words (a third is more often the next
    sentence's first word than a middle name); the caught words let a three-word name
    still match a team member's surname."""
    out = []
    for pattern, anchor in PERSON_CUES:
        for m in pattern.finditer(text):
            bare = person_name(m.group("name"), anchor, most=2)
            if bare:
                shown = f"Dr. {bare}" if pattern is PERSON_CUES[0][0] else bare
                out.append((shown, m.start("name"), m.group("name").split()))
    return sorted(out, key=lambda item: item[1])


def detect_departed_staff(post: Post, ctx: Context) -> list[Finding]:
    """Names in the body of people who are not on the team now.

    Who is on the team comes from the site's team page (and ``--clinic-facts`` staff);
    who has left from ``--clinic-facts`` former staff and from the site's own bylines (an
    author of the blog who is not on the team page). Without a known team only the listed
    former staff are looked for: any other name could be a current colleague.
    """
    site = ctx.sites.get(post.site) or SiteFacts()
    team = [*site.staff, *ctx.facts.staff]
    team_keys = {name_key(person_name(n) or n) for n in team}
    team_surnames = {_surname(person_name(n) or n) for n in team}

    def current(bare: str) -> bool:
        # a surname on the team is taken as the same person: a false alarm costs more trust
        # than a missed mention
        return name_key(bare) in team_keys or _surname(bare) in team_surnames

    # the facts file's former staff win over a team page not yet updated
    former = list(ctx.facts.former_staff)
    if team:
        former += ctx.former_authors.get(post.site, [])
    sentences = _sentences(post.body)
    names: dict[str, tuple[str, str]] = {}  # key -> (name, sentence)
    for name in former:
        bare = person_name(name) or re.sub(r"^Dr\.?\s+", "", name)
        pos = post.body.find(bare)
        if pos >= 0:
            names.setdefault(name_key(bare), (name, _sentence_at(sentences, pos)))
    if team:
        for name, pos, caught in _people_mentioned(post.body):
            bare = person_name(name) or name
            if not current(bare) and not {_norm(w) for w in caught} & team_surnames:
                names.setdefault(name_key(bare), (name, _sentence_at(sentences, pos)))
    if not names:
        return []
    evidence = "; ".join(f"{name}: {_quote(s)}" for name, s in names.values())
    return [_finding("staff_departed", evidence,
                     "Remove or replace the name with a current team member, and update any "
                     "booking instructions.")]


def detect_links(post: Post, ctx: Context) -> list[Finding]:
    broken, redirected, unchecked = [], [], []
    seen = set()
    for link in post.links:
        href = link.href.split("#", 1)[0]
        if not link.in_body or href in seen:
            continue
        seen.add(href)
        state = ctx.links.get(href)
        if state is None:
            continue
        label = _quote(link.text) if link.text else "link"
        if not state.checked:
            unchecked.append((href, f"{label} → {href} ({state.reason or 'not checked'})"))
        elif not state.ok:
            broken.append((href, f"{label} → {href} ({state.reason or state.status})"))
        elif state.final_url and state.final_url != href:
            redirected.append((href, f"{label} → {href} redirects to {state.final_url}"))
    out = []
    if broken:
        out.append(_finding("broken_link", "; ".join(e for _, e in broken),
                            "Fix or remove the broken links (find the moved page or a current "
                            "source).", related=[h for h, _ in broken]))
    if redirected:
        out.append(_finding("redirected_link", "; ".join(e for _, e in redirected),
                            "Point the links straight at their final address.",
                            related=[h for h, _ in redirected]))
    if unchecked:
        out.append(_finding("unchecked_link", "; ".join(e for _, e in unchecked),
                            "Check these links by hand: a private address works only inside "
                            "the clinic's network (NEEDLE_AUDIT_LINK_ALLOW_HOSTS lets the "
                            "checker reach an intranet host).",
                            related=[h for h, _ in unchecked]))
    return out


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
    return [_finding("dates_disagree", "; ".join(problems),
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
    return [_finding("sitemap_lastmod_disagrees",
                     f"sitemap lastmod {lastmod.date().isoformat()}, the post says "
                     f"{latest.isoformat()}",
                     "Have the sitemap's lastmod follow the post's real last update.")]


def detect_thin(post: Post, ctx: Context) -> list[Finding]:
    if post.word_count >= ctx.thresholds.thin_words:
        return []
    return [_finding("thin", f"{post.word_count} words (threshold {ctx.thresholds.thin_words})",
                     "Expand it into a useful answer, merge it into a related post, or retire "
                     "it.")]


def detect_no_date(post: Post, ctx: Context) -> list[Finding]:
    if post.published or post.modified:
        return []
    raw = f" (unreadable date text {_quote(post.published_raw)})" if post.published_raw else ""
    return [_finding("no_date", f"no publication date on the page{raw}",
                     "Show the publication date (and a reviewed date) so readers can judge "
                     "how current the advice is.")]


def _title_key(title: str | None) -> str:
    return " ".join(WORD_RE.findall((title or "").lower()))


def detect_teaser_mismatch(post: Post, ctx: Context) -> list[Finding]:
    problems, listings = [], []
    for teaser in ctx.teasers.get(post.url, []):
        if teaser.title and post.title and _title_key(teaser.title) != _title_key(post.title):
            problems.append(f"card title {_quote(teaser.title)} vs post {_quote(post.title)}")
            listings.append(teaser.listing_url)
        # a card that repeats one of the post's own dates is not the card's fault: the
        # post's dates disagree among themselves (dates_disagree)
        own = {post.published.date()} | {c.value.date() for c in post.date_candidates
                                          if c.kind == DateKind.PUBLISHED} if post.published else set()
        if teaser.published and own and min(
                abs((teaser.published.date() - d).days) for d in own) > 1:
            problems.append(f"card date {teaser.published_raw or teaser.published.date()} vs post "
                            f"{post.published_raw or post.published.date()}")
            listings.append(teaser.listing_url)
    if not problems:
        return []
    return [_finding("teaser_mismatch", "; ".join(dict.fromkeys(problems)),
                     "Make the listing card show the post's own title and date.",
                     related=dict.fromkeys(listings))]


# -- trust signals: lacking per post, reported per site when it is the site's habit ---------


def trust_gaps(post: Post, ctx: Context) -> dict[str, str]:
    """signal -> evidence for each trust signal this post lacks."""
    gaps = {}
    if not post.author:
        gaps["no_author"] = "no author byline"
    elif not CREDENTIAL_RE.search(post.author) and not _credentialed_on_team(post, ctx):
        gaps["no_credentials"] = f"byline {_quote(post.author)} gives no credentials"
    site = _origin(post.site)
    cites = any(link.in_body and _origin(link.href) != site for link in post.links)
    if not cites and not any(REFERENCES_RE.search(h.text) for h in post.headings):
        gaps["no_references"] = "no link to an outside source and no references section"
    written = anchor_date(post)
    published = _local_date(post.published)
    if written and months_between(written, ctx.as_of) >= ctx.thresholds.review_months:
        updated = post.modified and published and \
            (_local_date(post.modified) - published).days > ctx.thresholds.date_tolerance_days
        if not updated and not REVIEWED_RE.search(post.body):
            gaps["no_review_date"] = f"published {published}, no reviewed/updated date"
    return gaps


def _credentialed_on_team(post: Post, ctx: Context) -> bool:
    # the team page shows the author's profession or credential under their name
    site = ctx.sites.get(post.site)
    bare = person_name(post.author or "")
    return bool(site and bare and name_key(bare) in site.credentialed)


TRUST_ACTIONS = {
    "no_author": "Add an author byline (a named clinician) to health posts.",
    "no_credentials": "Show the author's profession and credentials in the byline.",
    "no_references": "Cite the guidelines or studies the advice rests on.",
    "no_review_date": "Review older posts and show a 'medically reviewed/updated on' date.",
}


def site_trust(posts: list[Post], ctx: Context) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """Per-post trust findings and site findings: a gap shared by at least
    ``trust_site_share`` of the site's eligible posts is one site finding."""
    per_post: dict[str, list[Finding]] = defaultdict(list)
    site_findings: list[Finding] = []
    gaps = {p.url: trust_gaps(p, ctx) for p in posts}
    eligible = {
        "no_author": posts,
        "no_credentials": [p for p in posts if p.author],
        "no_references": posts,
        "no_review_date": [p for p in posts if anchor_date(p) and months_between(
            anchor_date(p), ctx.as_of) >= ctx.thresholds.review_months],
    }
    for signal in TRUST_SIGNALS:
        lacking = [p for p in eligible[signal] if signal in gaps[p.url]]
        if not lacking:
            continue
        share = len(lacking) / len(eligible[signal])
        if len(lacking) >= 2 and share >= ctx.thresholds.trust_site_share:
            site_findings.append(_finding(
                signal, f"{len(lacking)} of {len(eligible[signal])} posts: "
                        f"{SIGNALS[signal][1]}", TRUST_ACTIONS[signal],
                related=[p.url for p in lacking]))
        else:
            for p in lacking:
                per_post[p.url].append(_finding(signal, gaps[p.url][signal], TRUST_ACTIONS[signal]))
    return per_post, site_findings


def detect_copyright(site: str, ctx: Context) -> list[Finding]:
    year = ctx.sites[site].copyright_year if site in ctx.sites else None
    if year is None or ctx.as_of.year - year <= ctx.thresholds.copyright_years:
        return []
    return [_finding("copyright_past", f"footer says © {year} ({ctx.as_of.year - year} years ago)",
                     "Update the footer's copyright year (or print the current year).")]


# -- overlap: near-duplicates and posts competing for one topic -----------------------------


SHINGLE = 5
MAX_SHINGLE_POSTS = 20  # a shingle in more posts than this is boilerplate, not copying
# Keep one shingle in SAMPLE (by hash): Broder's mod-m sketch, an unbiased Jaccard estimate
# at a quarter of the cost; a 150-word post still keeps ~35 shingles.
SAMPLE = 4
# A title term on more posts than this is the site's subject ("physio"), not a topic.
MAX_TOPIC_POSTS = 200


def _shingles(text: str) -> set[int]:
    words = WORD_RE.findall(text.lower())
    # zip of shifted lists builds the 5-word tuples without slicing; crc32, not hash():
    # str hashes change with every process (PYTHONHASHSEED), and so would the sample
    grams = zip(*(words[k:] for k in range(SHINGLE)))
    return {h for g in grams if (h := zlib.crc32(" ".join(g).encode())) % SAMPLE == 0}


def _stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def title_terms(title: str | None) -> frozenset[str]:
    words = WORD_RE.findall((title or "").lower())
    return frozenset(_stem(w) for w in words if w not in GENERIC_TITLE_WORDS and not w.isdigit())


def similar_pairs(posts: list[Post], threshold: float) -> dict[tuple[int, int], float]:
    """(i, j) -> shingle Jaccard for pairs at or above ``threshold``, via an inverted index
    so a large site costs shared shingles, not all pairs."""
    sets = [_shingles(p.body) for p in posts]
    postings: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            postings[h].append(i)
    shared: Counter = Counter()
    for ids in postings.values():
        if 1 < len(ids) <= MAX_SHINGLE_POSTS:
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    shared[ids[a], ids[b]] += 1
    out = {}
    for (i, j), n in shared.items():
        union = len(sets[i]) + len(sets[j]) - n
        if union and n / union >= threshold:
            out[i, j] = n / union
    return out


def topic_pairs(posts: list[Post], threshold: float) -> dict[tuple[int, int], float]:
    """Pairs on one site, in one language, whose title topics overlap (Jaccard, at least
    two shared terms)."""
    terms = [title_terms(p.title) for p in posts]
    by_term: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, (p, t) in enumerate(zip(posts, terms)):
        for term in t:
            by_term[p.site, p.language or "", term].append(i)
    candidates = set()
    for ids in by_term.values():
        if len(ids) <= MAX_TOPIC_POSTS:
            candidates.update((ids[a], ids[b]) for a in range(len(ids)) for b in range(a + 1, len(ids)))
    out = {}
    for i, j in candidates:
        common = terms[i] & terms[j]
        if len(common) >= 2 and len(common) / len(terms[i] | terms[j]) >= threshold:
            out[i, j] = len(common) / len(terms[i] | terms[j])
    return out


def _clusters(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def keeper(cluster: list[Post], inbound: Counter) -> Post:
    """The post to keep: newest, then longest, then best linked."""
    return max(cluster, key=lambda p: (anchor_date(p) or date.min, p.word_count,
                                       inbound[p.url], p.url))


def detect_overlap(posts: list[Post], ctx: Context) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    position = {id(p): i for i, p in enumerate(posts)}
    dup = similar_pairs(posts, ctx.thresholds.duplicate_similarity)
    topic = {k: v for k, v in topic_pairs(posts, ctx.thresholds.topic_similarity).items()
             if k not in dup}
    for signal, pairs in (("near_duplicate", dup), ("topic_overlap", topic)):
        for group in _clusters(len(posts), pairs):
            members = [posts[i] for i in group]
            keep = keeper(members, ctx.inbound)
            others = [p for p in members if p is not keep]
            for post in members:
                rest = [p for p in members if p is not post]
                idx = position[id(post)]
                sims = [v for (i, j), v in pairs.items() if idx in (i, j)]
                how = f"{max(sims):.0%} shared text" if signal == "near_duplicate" else \
                    f"title topics {max(sims):.0%} alike"
                evidence = f"{how} with " + "; ".join(
                    f"{_quote(p.title or p.url)} ({anchor_date(p) or 'no date'})" for p in rest)
                if post is keep:
                    action = ("Keep this one (newest, longest, best linked); merge what is useful "
                              "from " + ", ".join(_quote(p.title or p.url) for p in others) +
                              " and redirect them here.")
                else:
                    action = (f"Merge into {_quote(keep.title or keep.url)} ({keep.url}) and "
                              "301-redirect this address to it.")
                out[post.url].append(_finding(signal, evidence, action,
                                              related=[p.url for p in rest]))
    return out


POST_DETECTORS = (
    detect_age, detect_time_references, detect_stale_contacts, detect_departed_staff,
    detect_links, detect_dates_disagree, detect_sitemap_lastmod, detect_thin, detect_no_date,
    detect_teaser_mismatch,
)


# -- the audit ------------------------------------------------------------------------------


def audit(records: Iterable[object], *, as_of: date, thresholds: AuditThresholds | None = None,
          facts: ClinicFacts | None = None,
          link_results: dict[str, LinkState] | None = None) -> AuditReport:
    """Audit every post of ``records`` as of ``as_of``; the report ranks them by urgency.

    ``link_results`` are link checks of targets the crawl did not fetch (reports/links.py);
    the crawl's own errors and redirects are read from ``records``.
    """
    records = list(records)
    thresholds = thresholds or AuditThresholds()
    posts = sorted((r for r in records if isinstance(r, Post)), key=lambda p: p.url)
    teasers: dict[str, list[Teaser]] = defaultdict(list)
    for r in records:
        if isinstance(r, Teaser):
            teasers[r.url].append(r)
    links = {**(link_results or {}), **crawl_link_states(records)}
    inbound: Counter = Counter(
        link.href for p in posts for link in p.links if link.in_body and link.href != p.url)
    facts = facts or ClinicFacts()
    sites = learn_site_facts(posts, (r for r in records if isinstance(r, SitePage)))
    ctx = Context(
        as_of=as_of, thresholds=thresholds, facts=facts, sites=sites,
        former_authors=learn_former_authors(posts, sites, facts),
        sitemap={r.url: r for r in records if isinstance(r, SitemapEntry)},
        teasers=teasers, links=links, inbound=inbound)

    overlap = detect_overlap(posts, ctx)
    by_site: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_site[post.site].append(post)
    trust_per_post: dict[str, list[Finding]] = {}
    sites = []
    for site, group in sorted(by_site.items()):
        per_post, site_findings = site_trust(group, ctx)
        trust_per_post.update(per_post)
        site_findings = detect_copyright(site, ctx) + site_findings
        if site_findings:
            sites.append(PostAudit(url=site + "/", title=f"Site-wide: {site}", site=site,
                                   scope="site", findings=site_findings,
                                   score=round(sum(f.weight for f in site_findings), 2)))

    audits = []
    for post in posts:
        findings = [f for detect in POST_DETECTORS for f in detect(post, ctx)]
        findings += overlap.get(post.url, []) + trust_per_post.get(post.url, [])
        findings.sort(key=lambda f: -f.weight)
        audits.append(PostAudit(
            url=post.url, title=post.title, site=post.site,
            published=_local_date(post.published), word_count=post.word_count,
            score=round(sum(f.weight for f in findings), 2), findings=findings))
    # most urgent first; among equals the oldest first (it has waited longest)
    audits.sort(key=lambda a: (-a.score, a.published or date.min, a.url))
    return AuditReport(as_of=as_of, thresholds=thresholds, posts=audits, sites=sites,
                       links_checked=len(link_results or {}))
