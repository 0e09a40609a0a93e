"""The mojibake gate says "maybe" wherever the mojibake pattern matches.

``crawler.decode`` runs ``_MOJIBAKE`` only on texts whose UTF-8 holds the byte C3 (the
lead byte of U+00C0 to U+00FF); this checks the gate against the pattern on random texts
and on every character, and that a gate missing a lead character is caught.
"""

from __future__ import annotations

import random

from crawler import decode as D

ALPHABET = ["a", " ", "\n", "’", "é", "Ã", "Â", "â", "©", "\u0080", "\u00bf", "\u2019", "\u20ac", "\u00c1",
            "\u00c2", "\u00f4", "\u00f5", "€", "😀", "\ud800", "x\u00a0y", "\u0152"]


def test_gate_holds_wherever_the_pattern_matches():
    rng = random.Random(13)
    matched = 0
    for _ in range(20000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        if D._MOJIBAKE.search(text):
            assert D._may_hold_mojibake(text), repr(text)
            matched += 1
    assert matched > 1000
    for cp in range(0x80, 0x800):  # every lead character the pattern's class could hold
        if D._MOJIBAKE.search(chr(cp) + "\u00a9"):
            assert D._may_hold_mojibake(chr(cp))
    assert not D._may_hold_mojibake("plain ASCII") and not D._may_hold_mojibake("curly ’ quotes")


def test_decoding_repairs_mojibake_as_before():
    text, warnings = D.decode_html("cafÃ© and naÃ¯ve".encode("utf-8"), "utf-8")
    assert text == "café and naïve" and warnings


def test_a_gate_missing_a_lead_character_is_caught():
    def narrow(text: str) -> bool:  # only U+00C3, the commonest lead
        return "\u00c3" in text

    rng = random.Random(14)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(6)) for _ in range(5000)]
    assert any(D._MOJIBAKE.search(t) and not narrow(t) for t in texts)
