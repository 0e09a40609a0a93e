"""The contact patterns written for speed find exactly what their plain forms find."""

from __future__ import annotations

import re

import pytest

from crawler import contacts as C
from crawler.contacts import contact_facts

TEXTS = [
    "12 Main Street, Calgary, AB T2P 1J9",
    "ab12 Main Street and _3 King St and x9 Rue Foo",  # a digit inside a word starts no address
    "Visit us: 1234 5th Avenue NW, Suite 200\n9 rue de la Paix, 75002 Paris",
    "٣٤ Main Street",  # any Unicode digit, as \d
    "Call (587) 735-6272 or 403.555.0199; ref 12345-6789; 800-555-1234x",
]


@pytest.mark.parametrize("text", TEXTS)
def test_street_pattern_matches_as_its_word_boundary_form(text):
    plain = re.compile(C._STREET.pattern.replace(r"\d(?<!\w\d)\d{0,5}", r"\b\d{1,6}"))
    assert plain.pattern != C._STREET.pattern
    assert [m.span() for m in C._STREET.finditer(text)] == [m.span() for m in plain.finditer(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_no_north_american_phone_without_its_last_seven_digits(text):
    if any(C._PHONE_NA.finditer(text)):
        assert C._PHONE_NA_TAIL.search(text)


def test_phones_and_addresses_still_found():
    facts = contact_facts(["Riverbend Physio", "Call (587) 735-6272", "12 Main Street, Calgary, AB"], [])
    assert facts.phones == ["+1-587-735-6272"]
    assert facts.addresses == ["12 Main Street, Calgary, AB"]
