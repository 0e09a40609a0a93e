"""Contact details: phones, emails, addresses, opening hours and copyright year, from text and JSON-LD.

Phones are normalised to ``+1-AAA-EEE-NNNN`` (North America) and ``+33-X-XX-XX-XX-XX``
(France); emails are lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from crawler.page import ARTICLE_TYPES, types_of
from crawler.records import ContactFacts
from crawler.text import clean


_PHONE_NA = re.compile(
    r"(?<![\w/.+-])(?:\+?1[\s.-]?)?(?:\(\s*([2-9]\d\d)\s*\)\s*|([2-9]\d\d)[\s.-])([2-9]\d\d)[\s.-](\d{4})(?![\w-])"
)
_PHONE_FR = re.compile(r"(?<![\w+])(?:\+33\s?(?:\(0\)\s?)?|0)([1-9])(?:[\s.-]?(\d\d)){4}(?!\d)")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# "\d(?<!\w\d)" is "\b\d" (a digit with no word character before it), written digit first so
# the scan jumps from digit to digit instead of trying the boundary at every position
_STREET = re.compile(
    r"\d(?<!\w\d)\d{0,5}[A-Za-z]?(?:[ \t,]+(?:[A-ZÀ-Ý0-9][\w'’.-]*|de|du|des|la|le)){1,6}?[ \t]+"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Trail|Tr|Way|Lane|Ln|Crescent|Cres|Court|Ct|"
    r"Place|Pl|Highway|Hwy|Parkway|Pkwy|Gate|Square|Sq|Terrace|Close|Circle|Cir|Landing|Common|Centre|Center)\b\.?"
    r"(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?[ \t]*(?:#|Suite[ \t]|Unit[ \t]|Ste\.?[ \t]|Bureau[ \t])[ \t]*\w+)?"
    r"|\d(?<!\w\d)\d{0,5}(?:-\d+)?,?\s+(?:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|place|allée|impasse|rang|côte)\s+[\w'’ .-]{2,40}",
)
_POSTAL = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b|\b\d{5}(?:-\d{4})?\b")
_DAYS = (r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|\.)?|monday|tuesday|wednesday|thursday|friday|"
         r"saturday|sunday|weekdays|weekends|lun(?:di)?|mar(?:di)?|mer(?:credi)?|jeu(?:di)?|ven(?:dredi)?|"
         r"sam(?:edi)?|dim(?:anche)?")
_HOURS = re.compile(
    rf"\b(?:{_DAYS})\b\.?(?:\s*(?:-|–|to|à|au|&|,|through)\s*\b(?:{_DAYS})\b\.?)*\s*:?\s*"
    r"(?:\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?\s*(?:-|–|to|à)\s*\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?|closed|fermé)",
    re.IGNORECASE,
)
_HOURS_LOWER = re.compile(_HOURS.pattern)


# what _HOURS (lowered text), _COPYRIGHT and _PHONE_NA cannot match without: a much cheaper scan
_PHONE_NA_TAIL = re.compile(r"[2-9]\d\d[\s.-]\d{4}")
_HOURS_RANGE = re.compile(r"\d(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?\s*(?:-|–|to|à)\s*\d|closed|fermé")
# its first alternative alone: a pattern that opens with a character class is scanned in C
_HOURS_RANGE_DIGITS = re.compile(r"\d(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?\s*(?:-|–|to|à)\s*\d")
_COPYRIGHT_MARK = re.compile(r"©|&copy;|\(c\)|copyright", re.IGNORECASE)
_COPYRIGHT = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–]\s*)?((?:19|20)\d\d)", re.IGNORECASE)

# The same patterns written to open with a character class (their first character, then
# the look-behind before it: 2 wide after that character, it tests the one before, as the
# pattern's own does), which the regex engine skips to in C instead of trying the whole
# pattern at every position. Only group(0) of the phones is read; the street's branches
# share their opening digit.
_B = r"[2-9]\d\d[\s.-]\d{4}(?![\w-])"
_A = rf"(?:\(\s*[2-9]\d\d\s*\)\s*|[2-9]\d\d[\s.-]){_B}"
_PHONE_NA_SCAN = re.compile(
    rf"[+(1-9](?<![\w/.+-].)(?:(?<=\+)1[\s.-]?{_A}|(?<=1)[\s.-]?{_A}|(?<=\()\s*[2-9]\d\d\s*\)\s*{_B}"
    rf"|(?<=[2-9])\d\d[\s.-]{_B})"
)
_PHONE_FR_SCAN = re.compile(r"[+0](?<![\w+].)(?:(?<=\+)33\s?(?:\(0\)\s?)?|(?<=0))([1-9])(?:[\s.-]?(\d\d)){4}(?!\d)")
_STREET_SCAN = re.compile(
    r"\d(?<!\w\d)(?:\d{0,5}[A-Za-z]?(?:[ \t,]+(?:[A-ZÀ-Ý0-9][\w'’.-]*|de|du|des|la|le)){1,6}?[ \t]+"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Trail|Tr|Way|Lane|Ln|Crescent|Cres|Court|Ct|"
    r"Place|Pl|Highway|Hwy|Parkway|Pkwy|Gate|Square|Sq|Terrace|Close|Circle|Cir|Landing|Common|Centre|Center)\b\.?"
    r"(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?[ \t]*(?:#|Suite[ \t]|Unit[ \t]|Ste\.?[ \t]|Bureau[ \t])[ \t]*\w+)?"
    r"|\d{0,5}(?:-\d+)?,?\s+(?:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|place|allée|impasse|rang|côte)\s+[\w'’ .-]{2,40})",
)
# Where a match can begin, for patterns that cannot be written so: the pattern is then
# tried only there (``_scan``). Hours open with a day name: the first three letters of
# every day _DAYS names, at a word's start (_HOURS's \b), found by a pattern of those
# literals (which the regex engine skips to in C). A copyright mark, found in the lowered
# text by str.find (no character but these matches c, o, p, y, r, &, ;, ( or ) ignoring
# case, so a mark lowered is one of these).
_HOURS_START = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun|wee|lun|mar|mer|jeu|ven|sam|dim)(?<!\w...)")
_COPYRIGHT_OPENINGS = ("©", "&copy;", "(c)", "copyr")
_LOCAL_CHAR = re.compile(r"[\w.+-]")  # an address's local part, before its @


def _starts(text: str, openings: tuple[str, ...]) -> list[int]:
    """Every position of ``text`` where one of ``openings`` occurs, in order."""
    found = set()
    for opening in openings:
        pos = text.find(opening)
        while pos != -1:
            found.add(pos)
            pos = text.find(opening, pos + 1)
    return sorted(found)


def _scan(pattern: re.Pattern, starts: list[int], text: str):
    """``pattern.finditer(text)``, trying ``pattern`` only at ``starts``: every match of
    these patterns begins at one, and none is empty, so the matches are the same."""
    end = 0
    for pos in starts:
        if pos >= end:
            m = pattern.match(text, pos)
            if m:
                end = m.end()
                yield m


def _emails(text: str):
    """``EMAIL.finditer(text)``: a match begins where the run of local-part characters
    before an @ begins (its look-behind), so only those places are tried."""
    end = 0
    at = text.find("@")
    while at != -1:
        pos = at
        while pos > 0 and _LOCAL_CHAR.match(text, pos - 1):
            pos -= 1
        if end <= pos < at:
            m = EMAIL.match(text, pos)
            if m:
                end = m.end()
                yield m
        at = text.find("@", at + 1)


def normalize_phone(text: str) -> str | None:
    """``(587) 735-6272`` -> ``+1-587-735-6272``; ``01 23 45 67 89`` -> ``+33-1-23-45-67-89``."""
    m = _PHONE_NA.search(text)
    if m:
        return f"+1-{m.group(1) or m.group(2)}-{m.group(3)}-{m.group(4)}"
    digits = re.sub(r"\D", "", text)
    if len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789":
        return f"+1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 11 and digits[0] == "1":
        return f"+1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    m = _PHONE_FR.search(text)
    if m:
        d = re.sub(r"\D", "", m.group(0))
        d = d[2:] if d.startswith("33") else d[1:]
        d = d.lstrip("0") if len(d) > 9 else d
        return "+33-" + d[0] + "-" + "-".join(d[i:i + 2] for i in range(1, 9, 2))
    return None


def contact_facts(blocks: list[str], anchors: Iterable, jsonld: list[dict] = ()) -> ContactFacts:
    """Contacts in text blocks and tel:/mailto: links, then in JSON-LD objects (``jsonld``)."""
    facts = _Found()

    def add(bucket: list[str], value: str | None) -> None:
        if value and value not in bucket:
            bucket.append(value)

    for el in anchors:
        href = (el.get("href") or "").strip()
        low = href.lower()
        if low.startswith("tel:"):
            add(facts.phones, normalize_phone(href[4:]))
        elif low.startswith("mailto:"):
            address = href[7:].split("?")[0].strip().lower()
            if EMAIL.fullmatch(address):
                add(facts.emails, address)
    text = "\n".join(blocks)
    # each pattern below needs a marker a plain-text search finds far faster than the
    # pattern's own scan: no marker, no match (most post bodies hold no contact at all)
    if _PHONE_NA_TAIL.search(text):
        for m in _PHONE_NA_SCAN.finditer(text):
            add(facts.phones, normalize_phone(m.group(0)))
    if "0" in text or "+33" in text:
        for m in _PHONE_FR_SCAN.finditer(text):
            add(facts.phones, normalize_phone(m.group(0)))
    if "@" in text:
        for m in _emails(text):
            email = m.group(0).lower()
            if not re.search(r"\.(?:png|jpe?g|gif|webp|svg)$", email):
                add(facts.emails, email)
    for m in _STREET_SCAN.finditer(text):
        start, end = m.start(), m.end()
        tail = text[end:end + 90]
        postal = _POSTAL.search(tail)
        if postal:
            end += postal.end()
        else:
            # the city and province on the same line: "..., Edmonton, AB"
            line_rest = re.match(r"[^\n]{0,60}?,\s*(?:[A-Z]{2}|Alberta|Ontario|Québec|Quebec|British Columbia)\b", tail)
            if line_rest:
                end += line_rest.end()
        add(facts.addresses, clean(text[start:end].replace("\n", ", ")).strip(" ,"))
    # _HOURS is lower-case: matched case-sensitively on the lowered text (several times
    # faster than IGNORECASE), when lowering keeps every character's position
    low = text.lower()
    aligned = len(low) == len(text)  # lowering changed no character's position
    if _HOURS_RANGE_DIGITS.search(low) or "closed" in low or "fermé" in low:  # _HOURS_RANGE.search(low)
        if aligned:
            for m in _scan(_HOURS_LOWER, [start.start() for start in _HOURS_START.finditer(low)], low):
                add(facts.hours, clean(text[m.start():m.end()]))
        else:
            for m in _HOURS.finditer(text):
                add(facts.hours, clean(m.group(0)))
    if aligned:
        years = [int(m.group(1)) for m in _scan(_COPYRIGHT, _starts(low, _COPYRIGHT_OPENINGS), text)]
    else:
        years = [int(m.group(1)) for m in _COPYRIGHT.finditer(text)] if _COPYRIGHT_MARK.search(text) else []
    _add_jsonld(facts, jsonld)
    return ContactFacts(phones=facts.phones, emails=facts.emails, addresses=facts.addresses, hours=facts.hours,
                        copyright_year=max(years) if years else None)


@dataclass
class _Found:
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)


def _add_jsonld(facts: _Found, objects: list[dict]) -> None:
    """The clinic's own details from LocalBusiness/Organization JSON-LD (site-wide)."""
    for obj in objects:
        types = {t.lower() for t in types_of(obj)}
        if not types or types & ARTICLE_TYPES or "person" in types:
            continue
        phone = obj.get("telephone")
        if isinstance(phone, str):
            value = normalize_phone(phone)
            if value and value not in facts.phones:
                facts.phones.append(value)
        email = obj.get("email")
        if isinstance(email, str):
            email = email.replace("mailto:", "").strip().lower()
            if EMAIL.fullmatch(email) and email not in facts.emails:
                facts.emails.append(email)
        address = obj.get("address")
        if isinstance(address, str) and address.strip() and not facts.addresses:
            facts.addresses.append(clean(address.replace("\n", ", ")))
        if isinstance(address, dict):
            parts = [address.get(k) for k in ("streetAddress", "addressLocality", "addressRegion", "postalCode")]
            text = ", ".join(clean(p) for p in parts if isinstance(p, str) and p.strip())
            if text and text not in facts.addresses:
                facts.addresses.append(text)
        hours = obj.get("openingHours")
        for value in hours if isinstance(hours, list) else [hours]:
            if isinstance(value, str) and value.strip() and value.strip() not in facts.hours:
                facts.hours.append(value.strip())
