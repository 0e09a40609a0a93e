"""Proximity's check of a pair of words, skipping the occurrences after which the second
word's prefix cannot start within reach, finds what reading after every occurrence finds."""

from __future__ import annotations

import random

from search import proximity


def _plain_together(text: str, folded: str, a: str, b: str) -> bool:
    """The walk after every occurrence of a's prefix (proximity before the skip)."""
    first, second = proximity._prefix(a), proximity._prefix(b)
    i = folded.find(first)
    while i >= 0:
        if i == 0 or not (folded[i - 1].isalnum() or folded[i - 1] in "._"):
            word = proximity._WORD_AT.match(folded, i)
            if (proximity._index_term(text[i:word.end()]) == a
                    and proximity._followed_by(text, folded, word.end(), second, b)):
                return True
        i = folded.find(first, i + 1)
    return False


def test_pairs_found_with_the_skip_equal_the_walk_after_every_occurrence():
    rng = random.Random(15)
    words = ["knee", "knees", "kneeling", "pain", "painful", "the", "of", "and", "a", "after", "ice", "bath",
             "baths", "e.g", "e.g.", "running", "runner", "x", "physio", "physiotherapy", "therapist", "Knee",
             "PAIN", "genou", "épaule", "douleur", "dry", "needling", "dri", "u.s.a", "bathe", "ice-bath"]
    seps = [" ", "  ", ", ", ". ", "-", "/", "\n", "(", ")", ".", "_", "'", "…", " — "]
    terms = ["knee", "pain", "ice", "bath", "e.g", "physio", "physiotherapi", "therapist", "dri", "need",
             "run", "runner", "x", "genou", "epaul", "u.s.a", "the"]
    tried = found = 0
    for _ in range(4000):
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 30)))
        folded = proximity._fold(text)
        a, b = rng.choice(terms), rng.choice(terms)
        want = _plain_together(text, folded, a, b)
        assert proximity._together(text, folded, a, b) == want, (text, a, b)
        tried += 1
        found += want
    assert found > 100 and tried - found > 1000
