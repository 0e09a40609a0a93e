"""The contact scans written for speed find exactly what the patterns' own finditer finds.

``crawler.contacts`` runs the phone and street patterns rewritten to open with a
character class, tries the hours and copyright patterns only where a string that opens
their matches begins (``_scan``), and e-mail addresses only at the runs
before an @ (``_emails``). These tests compare each with the plain ``finditer`` on many
generated texts built from the pieces the patterns look for, and check that a pattern or
an opening missing one character is caught.
"""

from __future__ import annotations

import random
import re

import pytest

from crawler import contacts as C

# pieces around which the patterns' edges lie: word characters, separators, signs that
# the look-behinds test, digits of every kind, day names, marks, cased and Unicode text
PIECES = [
    "a", "Z", "x1", "_", " ", "  ", "\n", "\t", ".", "-", "+", "/", ",", ";", ":", "(", ")", "@", "&",
    "0", "1", "2", "5", "9", "٣", "12", "587", "735", "6272", "0199", "403", "+1", "+33", "(0)", "1-",
    "(587) ", "735-6272", "403.555.0199", "01 23 45 67 89", "+33 1 23 45 67 89", "06.12.34.56.78",
    "Main", "Street", "St", "Ave", "NW", "Suite", "Unit", "#", "rue", "de", "la", "Paix", "boul.", "chemin",
    "T2P 1J9", "75002", "12345-6789", "Calgary, AB", "Edmonton", "Québec",
    "mon", "Monday", "tue", "tues", "Wed", "thu", "thurs", "fri", "Sat", "sun", "weekdays", "weekends",
    "lun", "lundi", "mar", "mardi", "mer", "jeu", "ven", "vendredi", "sam", "dim", "dimanche",
    "month", "summer", "demon", "9am", "5 p.m.", "8h", "18h30", "9:00", "to", "à", "–", "closed", "Fermé",
    "through", "&", "©", "&copy;", "&COPY;", "(c)", "(C)", "copyright", "COPYRIGHT", "Copyrıght", "2019",
    "2024", "1999", "İ", "ß", "ﬁ", "info", "a.b", "x+y", "clinic.ca", "mail.example.com", "img@2x.png",
]


# whole phrases, so that matches are many; the pieces above break them up at random
PHRASES = [
    "(587) 735-6272", "+1 403 555 0199", "1-800-555-1234", "403.555.0199", "01 23 45 67 89",
    "+33 (0)1 23 45 67 89", "12 Main Street", "1234 5th Avenue NW, Suite 200", "9 rue de la Paix",
    "45, boulevard Saint-Laurent", "Monday - Friday 9am - 5pm", "sun closed", "Sat: 10h à 14h",
    "mon, wed & fri 8:30 a.m. to 6 p.m.", "weekends: closed", "lundi au vendredi 8h - 18h", "dim fermé",
    "Tues through Thurs 9 - 5", "© 2019 - 2024", "Copyright 2023", "(c) 1999", "&copy; 2021–2022",
    "info@clinic.ca", "first.last+tag@mail.example.com", "x@y@z.com",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PHRASES if rng.random() < 0.3 else PIECES) for _ in range(rng.randint(1, 40)))
            for _ in range(n)]


TEXTS = _texts(4000, 20261130) + [
    "Call (587) 735-6272 or 403.555.0199; ref 12345-6789; 800-555-1234x",
    "Mon - Fri: 9am - 5pm\nSat & Sun closed\nlundi au vendredi 8h à 18h",
    "© 2019 - 2024 Riverbend Physio · info@riverbend.ca · x@y@z.com · a@b.com.x@y.com",
    "12 Main Street NW, Suite 200\nCalgary, AB T2P 1J9",
]


def _spans(matches) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


@pytest.mark.parametrize("fast, plain, groups", [
    ("_PHONE_NA_SCAN", "_PHONE_NA", False),  # only group(0) of a phone is read
    ("_PHONE_FR_SCAN", "_PHONE_FR", True),
    ("_STREET_SCAN", "_STREET", True),
])
def test_patterns_written_for_the_scan_match_as_their_plain_forms(fast, plain, groups):
    fast, plain = getattr(C, fast), getattr(C, plain)
    found = 0
    for text in TEXTS:
        want = _spans(plain.finditer(text))
        got = _spans(fast.finditer(text))
        if not groups:
            want, got = [s[:2] for s in want], [s[:2] for s in got]
        assert got == want, text
        found += len(want)
    assert found > 100  # the texts hold plenty of matches


def test_hours_scan_on_lowered_text():
    found = 0
    for text in TEXTS:
        low = text.lower()
        plain = _spans(C._HOURS_LOWER.finditer(low))
        starts = [m.start() for m in C._HOURS_START.finditer(low)]
        assert _spans(C._scan(C._HOURS_LOWER, starts, low)) == plain, text
        found += len(plain)
    assert found > 100


def test_copyright_scan_from_lowered_starts():
    found = 0
    for text in TEXTS:
        low = text.lower()
        if len(low) != len(text):
            continue  # contact_facts uses the plain scan then
        plain = _spans(C._COPYRIGHT.finditer(text))
        assert _spans(C._scan(C._COPYRIGHT, C._starts(low, C._COPYRIGHT_OPENINGS), text)) == plain, text
        found += len(plain)
    assert found > 50


def test_email_scan():
    found = 0
    for text in TEXTS:
        plain = _spans(C.EMAIL.finditer(text))
        assert _spans(C._emails(text)) == plain, text
        found += len(plain)
    assert found > 20


def test_hours_gate_is_the_plain_one():
    for text in TEXTS:
        low = text.lower()
        split = bool(C._HOURS_RANGE_DIGITS.search(low) or "closed" in low or "fermé" in low)
        assert split == bool(C._HOURS_RANGE.search(low)), text


def test_a_pattern_or_start_missing_a_character_is_caught():
    # without "(" as an opening character, phones written "(587) ..." would be missed
    broken = re.compile(C._PHONE_NA_SCAN.pattern.replace("[+(1-9]", "[+1-9]", 1))
    assert broken.pattern != C._PHONE_NA_SCAN.pattern
    assert any(_spans(broken.finditer(t)) != _spans(C._PHONE_NA_SCAN.finditer(t)) for t in TEXTS)
    # without "sun", Sunday's hours would be missed
    no_sun = re.compile(C._HOURS_START.pattern.replace("|sun", ""))
    assert no_sun.pattern != C._HOURS_START.pattern
    assert any(_spans(C._scan(C._HOURS_LOWER, [m.start() for m in no_sun.finditer(t.lower())], t.lower()))
               != _spans(C._HOURS_LOWER.finditer(t.lower())) for t in TEXTS)


def test_patterns_written_for_the_scan_open_with_a_character_class():
    # what makes them fast: the engine's search skips to that class in C (sre's charset prefix)
    import re._parser as parser
    from re._constants import IN

    for pattern in (C._PHONE_NA_SCAN, C._PHONE_FR_SCAN, C._STREET_SCAN):
        assert parser.parse(pattern.pattern).data[0][0] is IN


def test_contact_facts_on_a_footer():
    facts = C.contact_facts(["Riverbend Physio", "12 Main Street NW, Calgary, AB T2P 1J9",
                             "Call (587) 735-6272 · info@riverbend.ca", "Mon - Fri: 9am - 5pm", "Sat closed",
                             "© 2019 - 2024 Riverbend"], [])
    assert facts.phones == ["+1-587-735-6272"]
    assert facts.emails == ["info@riverbend.ca"]
    assert facts.addresses == ["12 Main Street NW, Calgary, AB T2P 1J9"]
    assert facts.hours == ["Mon - Fri: 9am - 5pm", "Sat closed"]
    assert facts.copyright_year == 2024
