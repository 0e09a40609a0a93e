"""The snippet's best passage found by a sliding run of matches is the one the run built
anew at each match finds."""

from __future__ import annotations

import random

from search import snippets


def _plain_best_window(matches, width, words=None):
    """Each run's distinct terms and typed words counted anew (snippets before the slide)."""
    words = words or {}
    best, best_score = (0, 1), (-1, -1, -1)
    j = 0
    for i, (start, _, _) in enumerate(matches):
        j = max(j, i + 1)
        while j < len(matches) and matches[j][1] - start <= width - snippets.LEAD_CHARS:
            j += 1
        found = {t for _, _, t in matches[i:j]}
        mask, alone = 0, 0
        for t in found:
            if t in words:
                mask |= words[t]
            else:
                alone += 1
        score = (mask.bit_count() + alone, len(found), j - i)
        if score > best_score:
            best, best_score = (i, j), score
    return best


def test_the_sliding_run_finds_the_passage_counting_each_run_anew():
    rng = random.Random(15)
    terms = ["knee", "pain", "physio", "physiotherapi", "ice", "bath", "run", "x"]
    for _ in range(5000):
        pos, matches = 0, []
        for _ in range(rng.randint(1, 40)):
            pos += rng.choice([1, 3, 10, 40, 80, 150, 300])
            size = rng.randint(1, 14)
            matches.append((pos, pos + size, rng.choice(terms)))
            pos += size
        words = None if rng.random() < 0.2 else {
            t: rng.choice([0, 1, 2, 3, 4, 5, 8, 12]) for t in rng.sample(terms, rng.randint(0, len(terms)))}
        width = rng.choice([41, 60, 120, 240, 400])
        assert snippets._best_window(matches, width, words) == _plain_best_window(matches, width, words), (
            matches, width, words)
