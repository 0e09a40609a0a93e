"""The query parser's normalisation without deep copies (search.parsing.normalize) gives
Whoosh's normalised query, node for node and attribute for attribute."""

from __future__ import annotations

import random

from whoosh import query as wq


def _dump(q, seen: set) -> tuple:
    """Every attribute of every node, and each node met once (no node in two places)."""
    assert id(q) not in seen or q is wq.NullQuery
    seen.add(id(q))
    attrs = {k: v for k, v in vars(q).items() if k not in ("subqueries", "a", "b", "query", "child")}
    children = tuple(_dump(child, seen) for child in q.children())
    return type(q).__name__, sorted(attrs.items(), key=lambda kv: kv[0]), children


def test_normalize_equals_whooshs_normalize(tmp_path):
    from indexer.analysis import load_synonyms
    from search import parsing
    from search.query import close_searchers, index_handle
    from test_index import build

    ix = build(tmp_path / "index")
    try:
        schema = index_handle(ix).searcher.schema
        synonyms = load_synonyms()
        parsers = [parsing.make_parser(schema, synonyms), parsing.make_plain_parser(schema, synonyms)]
        rng = random.Random(15)
        words = ["neck", "pain", "Knee", "physio", "physical", "therapy", "car", "crash", "motor", "vehicle",
                 "accident", "dry", "needling", "the", "a", "and", "or", "not", "physiotherapist", "sciatica",
                 "orthotics", "ergonomics", "tmj", "jaw", "ice", "bath", "low", "back", "plantar", "fasciitis",
                 "neck^2", "title:knee", '"low back"', "year:2024", "year:2023", "year:>2020", "fasciitus~",
                 "ne*k", "(neck", "pain)", "AND", "OR", "NOT", "published:[2023 to 2024]", "category:sport",
                 "physio^0.5", "mva", "x-ray", "it"]
        texts = ["", "it", "car crash", "physical therapy knee", "motor vehicle accident neck",
                 "sciatica orthotics ergonomics", "(physio OR massage) AND neck", "year:2023 year:2024 knee"]
        for _ in range(2000):
            texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))))
        compared = merged = 0
        for text in texts:
            for parser in parsers:
                try:
                    expected = parser.parse(text)
                except Exception:
                    continue
                raw = parser.parse(text, normalize=False)
                got = parsing.normalize(raw)
                assert got == expected, text
                assert _dump(got, set()) == _dump(expected, set()), text
                compared += 1
                merged += any(isinstance(node, (wq.Or, wq.And)) for node in raw.children())
        assert compared > 3000 and merged > 1000
    finally:
        close_searchers()


def test_a_merged_child_is_a_copy_not_the_parsed_node():
    inner = wq.Or([wq.Term("text", "knee", boost=0.8), wq.And([wq.Term("text", "a"), wq.Term("text", "b")])],
                  boost=2.0)
    outer = wq.Or([wq.Term("title", "neck"), inner])
    from search import parsing

    got = parsing.normalize(outer)
    assert got == outer.normalize()
    assert [sub.boost for sub in got.subqueries] == [1.0, 1.6, 2.0]
    for node in got.subqueries[1:]:
        assert all(node is not old for old in inner.subqueries)
    assert got.subqueries[2].subqueries[0] is not inner.subqueries[1].subqueries[0]
    assert inner.subqueries[0].boost == 0.8  # the parsed query is left as it was
