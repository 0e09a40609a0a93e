"""Who and where the clinic is now, and posts that say otherwise: its phone numbers,
addresses and hours (from the contact page and the header and footer most pages share),
its team (from the team page), and the names, numbers and hours in posts that are not
current any more.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from crawler.records import PageRole, Post, SitePage
from reports.audit_model import (
    ClinicFacts, Context, SiteFacts, make_finding, norm_words, phone_digits, quote, sentence_at,
    split_sentences,
)
from reports.findings import Finding

# Credentials a byline may carry (health professions in Canada and the US).
CREDENTIAL_RE = re.compile(
    r"(?:\bDr\b\.?|\b(?:PT|MPT|MScPT|BScPT|DPT|RMT|DC|MD|RN|NP|OT|RD|CAT\(C\)|FCAMPT|PhD|"
    r"Physiotherapist|Chiropractor|Therapist|Registered)\b)")
# A person's name, as a team page heading or in a post: two or three capitalised words
# (Amélie, Jean-Luc, O'Brien, McKay), a particle (van, de) allowed between them.
# The capital comes first and the O' part after it: the same names as with the O' part in
# front, but a pattern that starts with a capital lets re skip ahead to the text's capitals.
_NAME_WORD = r"[A-ZÀ-Þ](?:['’][A-ZÀ-Þ])?[a-zß-ÿ]+(?:[A-ZÀ-Þ][a-zß-ÿ]+)?(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?"
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
TIME_RE = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)


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
    words = [norm_words(w) for w in name.split()]
    return f"{words[0]} {words[-1]}" if words else ""


def _surname(name: str) -> str:
    return norm_words(name.split()[-1]) if name.split() else ""


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
            for counter, values in ((phones, [phone_digits(p) for p in c.phones]),
                                    (addresses, c.addresses), (hours, c.hours)):
                for value in dict.fromkeys(values):
                    counter[value] += 1
            for phone in c.phones:
                labels.setdefault(phone_digits(phone), phone)
            if c.copyright_year:
                years[c.copyright_year] += 1
        # the contact page states the details on purpose: they come first; the header and
        # footer vote adds to them (a second line or location there is current too)
        contact = ContactFactsLists()
        for page in site_pages[site]:
            if page.role == PageRole.CONTACT:
                contact.add(page)
        voted_phones = [p for p, n in phones.items() if n >= quorum]
        all_phones = list(dict.fromkeys([*(phone_digits(p) for p in contact.phones), *voted_phones]))
        for phone in contact.phones:
            raw = _raw_phone(contact.text, phone_digits(phone))  # as printed: "(780) 555-0142"
            labels[phone_digits(phone)] = raw if raw != phone_digits(phone) else phone
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


def _raw_phone(body: str, digits: str) -> str:
    for m in PHONE_RE.finditer(body):
        if phone_digits(m.group()) == digits:
            return m.group()
    return digits


def _address_key(address: str) -> str:
    # the street line (number and street) is what moves when a clinic moves
    return norm_words(address.split(",")[0])


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
    stale_phones = [p for p in body.phones if site.phones and phone_digits(p) not in site.phones]
    if stale_phones:
        raw = [_raw_phone(post.body, phone_digits(p)) for p in stale_phones]
        current = ", ".join(site.phone_labels)
        out.append(make_finding("stale_phone", f"post says {', '.join(quote(r) for r in raw)}; "
                                f"{site.where} shows {current}",
                                f"Replace the number with the current one: {current}."))
    current_keys = [_address_key(a) for a in site.addresses]
    stale_addresses = [a for a in body.addresses if current_keys and not any(
        _address_key(a) in key or key in _address_key(a) for key in current_keys)]
    if stale_addresses:
        out.append(make_finding("stale_address",
                                f"post says {', '.join(quote(a) for a in stale_addresses)}; "
                                f"{site.where} shows {quote(site.addresses[0])}",
                                f"Replace the address with {site.addresses[0]}."))
    current_hours = {_hours_key(h) for h in site.hours}
    stale_hours = [h for h in body.hours if current_hours and _hours_key(h) not in current_hours]
    if stale_hours:
        out.append(make_finding("stale_hours",
                                f"post says {', '.join(quote(h) for h in stale_hours)}; "
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
    sentences: list[tuple[int, int, str]] = []

    def sentence(pos: int) -> str:
        if not sentences:  # split only posts that name someone
            sentences.extend(split_sentences(post.body))
        return sentence_at(sentences, pos)

    names: dict[str, tuple[str, str]] = {}  # key -> (name, sentence)
    for name in former:
        bare = person_name(name) or re.sub(r"^Dr\.?\s+", "", name)
        pos = post.body.find(bare)
        if pos >= 0:
            names.setdefault(name_key(bare), (name, sentence(pos)))
    if team:
        for name, pos, caught in _people_mentioned(post.body):
            bare = person_name(name) or name
            if not current(bare) and not {norm_words(w) for w in caught} & team_surnames:
                names.setdefault(name_key(bare), (name, sentence(pos)))
    if not names:
        return []
    evidence = "; ".join(f"{name}: {quote(s)}" for name, s in names.values())
    return [make_finding("staff_departed", evidence,
                         "Remove or replace the name with a current team member, and update any "
                         "booking instructions.")]
