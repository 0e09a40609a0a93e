"""Why a post ranks where it does: the ranking rules' values and the score's parts for
one hit, as ``needle search --explain`` and ``/api/search?explain=1`` show them.

Read from the same cached impacts the ranking summed (``search.ranking``), for the hits of
one page only, so explaining costs a few lookups per hit.
"""

from __future__ import annotations

from bisect import bisect_left

from indexer.analysis import normalize_words
from search import ranking
from search.models import Explanation, ScorePart, WordMatch

_HOW_ORDER = {"exact": 0, "synonym": 1, "typo": 2}


def explain_hits(impacts, p, q, searcher, docs: list[int], text: str | None,
                 corrected_from: str | None, rules, together) -> list[Explanation]:
    """One explanation per post number in ``docs`` (plan ``p`` of query ``q``);
    ``together(post)`` counts its pairs of consecutive query words standing together."""
    units = ranking.query_words(q)
    nwords = len(units)
    labels = [_label(u, text) for u in units]
    own = [set(normalize_words(label)) for label in labels]
    words_as_typed = ranking.exact_words(p, nwords)
    npairs = sum(1 for a, b in zip(words_as_typed, words_as_typed[1:])
                 if a is not None and b is not None and a != b)
    out = []
    for doc in docs:
        parts = _contributions(impacts, p, searcher, doc) or []
        words: dict[int, WordMatch] = {}
        for (_, field, term, boost, mask, how), score in parts:
            for i in range(nwords):
                if not mask & (1 << i):
                    continue
                # another word of a synonym entry standing for this one is a synonym here
                as_ = "synonym" if how == "exact" and term not in own[i] else how
                match = words.setdefault(i, WordMatch(word=labels[i], how=as_))
                if _HOW_ORDER[as_] < _HOW_ORDER[match.how]:
                    match.how = as_
                if term not in match.terms:
                    match.terms.append(term)
                if field not in match.fields:
                    match.fields.append(field)
        matched = [words[i] for i in sorted(words)]
        pairs = together(doc) if npairs else 0
        values = {
            "words": len(matched),
            "attribute": sum(1 for w in matched if "title" in w.fields),
            "exactness": sum(1 for w in matched if w.how == "exact"),
            "proximity": pairs,
        }
        rule_values = {rule: values[rule] for rule in rules}
        out.append(Explanation(
            ranker="rules",
            rules=rule_values,
            words=matched,
            missing=[labels[i] for i in range(nwords) if i not in words],
            phrase=npairs > 0 and pairs == npairs,
            typo=any(w.how == "typo" for w in matched) or corrected_from is not None,
            synonym=any(w.how == "synonym" for w in matched),
            corrected_from=corrected_from,
            score=float(sum(score for _, score in parts)),
            score_parts=[
                ScorePart(field=field, term=term, how=how, boost=float(boost), score=float(score))
                for (_, field, term, boost, _, how), score in sorted(parts, key=lambda ps: -ps[1])
            ],
        ))
    return out


def explain_whoosh(scores: list[float], corrected_from: str | None) -> list[Explanation]:
    """Hits Whoosh ranked (phrases in quotes, wildcards, NOT, date order): the score only."""
    return [
        Explanation(ranker="whoosh", typo=corrected_from is not None, corrected_from=corrected_from,
                    score=float(score))
        for score in scores
    ]


def _label(unit: tuple, text: str | None) -> str:
    if unit[0] == "text" or text is None:
        return str(unit[1])
    return text[unit[0]:unit[1]]


def _contributions(impacts, p, searcher, doc: int):
    """[(term plan, score)] of the terms of ``p`` matching post ``doc``; None when ``p``
    does not match it (an AND with a child not matching)."""
    if p[0] == "term":
        ids, tfs, idf = impacts.postings_of(searcher, p[1], p[2])
        i = bisect_left(ids, doc)
        if i < len(ids) and ids[i] == doc:
            score = impacts.impact(tfs[i], idf, impacts._norms(searcher, p[1])[doc])
            return [(p, score * p[3])]
        return None
    found = [_contributions(impacts, child, searcher, doc) for child in p[1]]
    if p[0] == "and" and any(f is None for f in found):
        return None
    parts = [part for f in found if f for part in f]
    return parts if parts or p[0] == "and" else None
