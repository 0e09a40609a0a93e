"""Posts that overlap: near-duplicate text, and titles competing for one topic or query.

Both reports ask "which posts compete with each other?": the audit clusters near-duplicates
and title topics (topic_overlap), the SEO report pairs posts whose title and H1 target the
same query (keyword_cannibalisation). The word handling lives here, once: the indexer's
stop words (English and French, indexer.analysis) plus the words each question treats as
noise, and one light stemmer. Not the indexer's Porter stemmer: on the sample site it finds
the same pairs, but the SEO evidence names the shared stems, and "injuri physiotherapi run"
would replace "injury physiotherapy runn" in the report.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, combinations

from indexer.analysis import STOP_WORDS as INDEX_STOP_WORDS

# -- near-duplicates: shared 5-word shingles ------------------------------------------------

WORD_RE = re.compile(r"[a-zà-ÿ0-9]+")
SHINGLE = 5
MAX_SHINGLE_POSTS = 20  # a shingle in more posts than this is boilerplate, not copying
# Keep one shingle in SAMPLE (by hash): Broder's mod-m sketch, an unbiased Jaccard estimate
# at a quarter of the cost; a 150-word post still keeps ~35 shingles.
SAMPLE = 4


# WORD_RE's words of ASCII text, found by bytes.translate and split: under half the time
# of the pattern, and the words come out as the bytes crc32 reads
_NOT_WORD = bytes.maketrans(bytes(range(256)), bytes(
    c if chr(c).isascii() and WORD_RE.fullmatch(chr(c)) else 32 for c in range(256)))


def shingles(text: str) -> set[int]:
    lowered = text.lower()
    # zip of shifted lists builds the 5-word tuples without slicing; crc32, not hash():
    # str hashes change with every process (PYTHONHASHSEED), and so would the sample
    if lowered.isascii():
        words = lowered.encode().translate(_NOT_WORD).split()
        grams = map(b" ".join, zip(*(words[k:] for k in range(SHINGLE))))
    else:
        words = WORD_RE.findall(lowered)
        grams = map(str.encode, map(" ".join, zip(*(words[k:] for k in range(SHINGLE)))))
    return {h for h in map(zlib.crc32, grams) if h % SAMPLE == 0}


def similar_pairs(texts: Sequence[str], threshold: float) -> dict[tuple[int, int], float]:
    """(i, j) -> shingle Jaccard for pairs at or above ``threshold``, via an inverted index
    (shared_counts) so a large site costs shared shingles, not all pairs."""
    sets = [shingles(t) for t in texts]
    out = {}
    for (i, j), n in shared_counts(sets).items():
        union = len(sets[i]) + len(sets[j]) - n
        if union and n / union >= threshold:
            out[i, j] = n / union
    return out


# -- near-duplicates rewritten: sentence by sentence ---------------------------------------

# A short post has few 5-word shingles, and one rewritten with small changes in every
# sentence keeps fewer still (one new word breaks five); its sentences still match one by
# one. So short posts are also compared by sentences: the share of the shorter post's
# sentences that have a counterpart with most of the same words. Long posts keep enough
# verbatim runs for the shingles, and comparing them all by sentences would cost more than
# the rest of the audit.
SHORT_POST_WORDS = 400
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MIN_SENTENCE_WORDS = 4
SENTENCE_ALIKE = 0.5  # word-set Jaccard of two sentences that say the same thing
MIN_SENTENCES = 3
MAX_SENTENCE_POSTS = 3  # a sentence in more posts than this is the site's boilerplate


def sentence_sets(text: str) -> list[frozenset[str]]:
    """The content words of each sentence of ``text`` (sentences of a few words left out)."""
    out = []
    for sentence in SENTENCE_END.split(text):
        words = frozenset(w for w in WORD_RE.findall(sentence.lower()) if w not in STOP_WORDS)
        if len(words) >= MIN_SENTENCE_WORDS:
            out.append(words)
    return out


def reworded_pairs(texts: Sequence[str], threshold: float) -> dict[tuple[int, int], float]:
    """(i, j) -> the share of the shorter text's sentences that have a like sentence in the
    other, for pairs of short texts at or above ``threshold``. Candidates come from shared word pairs
    (rare ones: in at most MAX_SHINGLE_POSTS texts), so a large site costs what is shared."""
    sentences = [sentence_sets(t) if len(t.split()) < SHORT_POST_WORDS else [] for t in texts]
    # boilerplate sentences ("Book an assessment today.") match across posts without copying
    spread = Counter(s for post in sentences for s in set(post))
    sentences = [[s for s in post if spread[s] <= MAX_SENTENCE_POSTS] for post in sentences]
    # pairs of a sentence's words, in word order of the alphabet: reworded or reordered
    # sentences keep most of them
    grams = [{zlib.crc32(f"{a} {b}".encode()) for s in map(sorted, post) for a, b in zip(s, s[1:])}
             for post in sentences]
    sizes = [len(g) for g in grams]
    out = {}
    for (i, j), n in shared_counts(grams).items():
        if n < threshold * min(sizes[i], sizes[j]) / 2:  # too little in common to be a rewrite
            continue
        short, long_ = sorted((sentences[i], sentences[j]), key=len)
        if len(short) < MIN_SENTENCES:
            continue
        alike = sum(1 for s in short if any(len(s & t) >= SENTENCE_ALIKE * len(s | t) for t in long_))
        if alike / len(short) >= threshold:
            out[i, j] = alike / len(short)
    return out


def shared_counts(sets: Sequence[set[int]]) -> Counter:
    """(i, j) -> how many hashes sets i and j share, through an inverted index, leaving out
    hashes in more than MAX_SHINGLE_POSTS sets (boilerplate)."""
    # Most hashes are in one set only: count the sets of each in C first, and index only
    # the shared ones (in the order a full index would list them, so pairs come out in the
    # same order).
    spread = Counter(chain.from_iterable(sets))
    wanted = {h for h, n in spread.items() if 1 < n <= MAX_SHINGLE_POSTS}
    postings: dict[int, list[int]] = defaultdict(list)
    for i, hashes in enumerate(sets):
        for h in filter(wanted.__contains__, hashes):
            postings[h].append(i)
    shared: Counter = Counter()
    for ids in postings.values():
        shared.update(combinations(ids, 2))
    return shared


def clusters(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected groups (union-find) of the items ``pairs`` join; singletons left out."""
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


# -- the words of a title -----------------------------------------------------------------

# Stop words are the indexer's (English and French), so a title's words are read as search
# reads them; plus the few it lacks: its list is accent-folded ("à" is "a" there).
STOP_WORDS = INDEX_STOP_WORDS | frozenset({"à", "les", "us", "vs", "yes"})
# The audit's title topic: beyond stop words, the words every clinic title carries.
TOPIC_NOISE = frozenset("""care clinic guide help know learn new physical physio physiotherapy
therapist therapy tip treatment""".split())
# The SEO report's query: beyond stop words, words that change a post's angle, not the
# query it targets.
QUERY_NOISE = frozenset("""guide guides tip tips complete ultimate best new know things
ways simple easy quick everything need part update updated faq faqs answered questions
introduction overview""".split())
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: a year is no topic
# A title term on more posts than this is the site's subject ("physio"), not a topic.
MAX_TOPIC_POSTS = 200


def stem(word: str) -> str:
    # light English suffix stripping: enough to match "injury"/"injuries", "run"/"running"
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def content_words(text: str, noise: frozenset[str]) -> set[str]:
    """The stemmed words of ``text`` that are neither stop words nor ``noise``."""
    words = (w.lower() for w in WORD.findall(text))
    return {stem(w) for w in words if w not in STOP_WORDS and w not in noise and len(w) > 1}


def title_terms(title: str | None) -> frozenset[str]:
    """The audit's topic of a title."""
    return frozenset(content_words(title or "", TOPIC_NOISE))


def query_terms(text: str) -> set[str]:
    """The content words a title or H1 targets."""
    return content_words(text, QUERY_NOISE)


SEPARATORS = re.compile(r"\s+[|\-–—:·]\s+")


def brand_suffixes(titles: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Per site, from (site, title) pairs, the title tails shared by 2+ posts
    ("| Summit Physio"): a brand, not a query."""
    tails: dict[str, Counter] = defaultdict(Counter)
    for site, title in titles:
        parts = SEPARATORS.split(title)
        if len(parts) > 1:
            tails[site][parts[-1].strip().casefold()] += 1
    return {site: {t for t, n in c.items() if n >= 2} for site, c in tails.items()}


def query_of(title: str, h1: list[str], brands: set[str]) -> set[str]:
    """The query a post targets: its title (without the brand tail) and its H1s."""
    parts = SEPARATORS.split(title)
    if len(parts) > 1 and parts[-1].strip().casefold() in brands:
        parts = parts[:-1]
    return query_terms(" ".join(parts)) | query_terms(" ".join(h1))


# -- pairs of posts on one topic ----------------------------------------------------------


def topic_pairs(keys: Sequence[tuple[str, ...]], terms: Sequence[frozenset[str]],
                threshold: float) -> dict[tuple[int, int], float]:
    """Pairs with the same key (site, language) whose term sets overlap (Jaccard, at
    least two shared terms, one of them on at most MAX_TOPIC_POSTS of the key's posts).

    Prefix filtering, as in query_pairs: with terms ordered rarest first, two sets at least
    ``threshold`` alike share their rarest common term among the first few terms of each,
    so only those are indexed; a pair that shares a rare term at all shares it there.
    """
    spread: Counter = Counter((*key, term) for key, t in zip(keys, terms) for term in t)
    index: dict[tuple, list[int]] = defaultdict(list)
    out = {}
    for i, (key, mine) in enumerate(zip(keys, terms)):
        ordered = sorted((spread[(*key, term)], term) for term in mine)
        candidates: set[int] = set()
        for n, term in ordered[: _prefix_length(len(ordered), threshold)]:
            if n <= MAX_TOPIC_POSTS:
                posting = index[(*key, term)]
                candidates.update(posting)
                posting.append(i)
        for j in candidates:
            common = terms[i] & terms[j]
            if len(common) >= 2 and len(common) / len(terms[i] | terms[j]) >= threshold:
                out[j, i] = len(common) / len(terms[i] | terms[j])
    return out


def _prefix_length(size: int, threshold: float) -> int:
    """How many of a set's terms, rarest first, hold the rarest term it shares with any set
    at least ``threshold`` alike: its size, less the fewest shared terms that can reach the
    threshold, plus one. That fewest is found by the division the check makes, so
    rounding cannot drop a pair (0.7 * 10 is 7.000000000000001)."""
    fewest = next((k for k in range(size + 1) if size and k / size >= threshold), None)
    return 0 if fewest is None else size - fewest + 1


def query_pairs(terms: Sequence[set[str]], threshold: float,
                skip: Sequence[set[int]] = ()) -> Iterator[tuple[int, int, float]]:
    """(later, earlier, Jaccard) for the pairs of one group whose query terms overlap at
    least ``threshold``; ``skip[i]`` holds the members item i must not be paired with.

    Prefix filtering keeps this near-linear: two sets with Jaccard >= t must share one of
    the first |x| - ceil(t|x|) + 1 terms of each, terms ordered rarest first.
    """
    freq = Counter(term for t in terms for term in t)
    index: dict[str, list[int]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for i, mine in enumerate(terms):
        ordered = sorted(mine, key=lambda w: (freq[w], w))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        candidates = {j for term in prefix for j in index[term]}
        for term in prefix:
            index[term].append(i)
        for j in sorted(candidates):
            if (j, i) in seen or (skip and j in skip[i]):
                continue
            seen.add((j, i))
            sim = len(mine & terms[j]) / len(mine | terms[j])
            if sim >= threshold:
                yield i, j, sim
