"""The index writer and store, on real Whoosh indexes under tmp_path.

``clinic_posts()`` (a small realistic clinic blog) is shared with test_search.py and
test_cli_search.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.records import CrawlError, Heading, Image, Post, SitemapEntry, Teaser
from indexer.store import get_post, load_posts, load_records
from indexer.rebuild import rebuild
from indexer.writer import IndexLockedError, IndexNotFoundError, IndexWriter

SITE = "https://clinic.example"
MST = timezone(timedelta(hours=-7))
ROOT = Path(__file__).resolve().parent.parent


def post(slug: str, title: str, body: str, *, published: str | None, categories=(), tags=(),
         summary=None, headings=(), captions=(), language="en") -> Post:
    return Post(
        url=f"{SITE}/blog/{slug}/",
        site=SITE,
        title=title,
        published=datetime.fromisoformat(published).replace(tzinfo=MST) if published else None,
        summary=summary,
        body=body,
        word_count=len(body.split()),
        headings=[Heading(level=2, text=h) for h in headings],
        images=[Image(src=f"{SITE}/img/{slug}-{i}.jpg", alt=c) for i, c in enumerate(captions)],
        categories=list(categories),
        tags=list(tags),
        language=language,
    ).with_hash()


def clinic_posts() -> list[Post]:
    """Twenty posts of a physiotherapy clinic's blog, 2019-2025, one in French."""
    return [
        post("dry-needling-neck-pain", "Dry Needling for Neck Pain",
             "Dry needling releases trigger points in the upper trapezius and the levator "
             "scapulae. Patients with chronic neck pain from desk work often feel relief after "
             "two or three sessions. Our physiotherapists combine dry needling with exercise.",
             published="2024-03-12T09:00", categories=["Physiotherapy", "Neck"],
             tags=["dry needling", "neck"], headings=["What is dry needling?", "Does it hurt?"],
             captions=["Physiotherapist needling a patient's neck"]),
        post("whiplash-after-car-accident", "Whiplash After a Car Accident",
             "After a motor vehicle accident, whiplash can take days to show. Stiffness, "
             "headaches and dizziness are common. Early assessment and gentle movement help "
             "recovery; we bill your auto insurer directly.",
             published="2023-06-02T10:00", categories=["Motor Vehicle Injuries"],
             tags=["whiplash", "MVA"], headings=["Symptoms of whiplash"]),
        post("physiotherapie-epaule", "La physiothérapie pour l'épaule gelée",
             "La capsulite rétractile, ou épaule gelée, limite les mouvements de l'épaule. "
             "La physiothérapie aide à retrouver l'amplitude grâce à des exercices "
             "progressifs et à la thérapie manuelle.",
             published="2022-10-06T08:00", categories=["Physiothérapie"], language="fr",
             tags=["épaule"]),
        post("tmj-jaw-pain", "Jaw Pain and Clicking: Can Physio Help?",
             "Jaw pain, clicking and headaches often come from the jaw joint and the chewing "
             "muscles. Manual therapy and exercises for the jaw reduce clenching.",
             published="2021-02-15T09:00", categories=["Physiotherapy", "Jaw"],
             tags=["jaw", "headache"]),
        post("massage-therapy-benefits", "Five Benefits of Massage Therapy",
             "A registered massage therapist relieves muscle tension, improves circulation "
             "and helps you sleep. Massage therapy pairs well with active rehabilitation.",
             published="2020-05-20T09:00", categories=["Massage"], tags=["massage"]),
        post("xss-test", "Posture Tips <script>alert(1)</script>",
             "Good posture at your desk matters. <script>alert('posture')</script> Keep the "
             "screen at eye level and your feet flat on the floor to protect your posture.",
             published="2019-09-09T09:00", categories=["Ergonomics"], tags=["posture"]),
        post("running-knee-pain", "Runner's Knee: Causes and Treatment",
             "Patellofemoral pain, or runner's knee, aches around the kneecap when running "
             "downhill or climbing stairs. Strengthening the hips and quadriceps helps.",
             published="2024-07-01T09:00", categories=["Sports Injuries", "Knee"],
             tags=["running", "knee"]),
        post("acl-rehab", "ACL Reconstruction Rehab Timeline",
             "Rehabilitation after anterior cruciate ligament reconstruction takes nine "
             "months or more. Each phase has goals for range of motion, strength and hopping.",
             published="2023-01-18T09:00", categories=["Sports Injuries", "Knee"],
             tags=["ACL", "surgery"]),
        post("low-back-pain-exercises", "Exercises for Low Back Pain",
             "Most low back pain improves with movement. Walking, gentle core work and hip "
             "mobility exercises keep the spine moving while it heals.",
             published="2022-03-03T09:00", categories=["Physiotherapy", "Back"],
             tags=["back pain", "exercise"]),
        post("sciatica", "Sciatica: When Leg Pain Starts in Your Back",
             "Sciatica is pain along the sciatic nerve, from the low back down the leg. "
             "Nerve glides and posture changes ease the irritation.",
             published="2021-11-11T09:00", categories=["Back"], tags=["sciatica"]),
        post("concussion-return-to-play", "Concussion: Returning to Sport Safely",
             "After a concussion, a graded return to play protects the brain. Vestibular "
             "therapy treats dizziness and balance problems.",
             published="2024-09-15T09:00", categories=["Sports Injuries", "Concussion"],
             tags=["concussion"]),
        post("vertigo-bppv", "Dizziness and Vertigo: BPPV Explained",
             "Benign paroxysmal positional vertigo makes the room spin when you roll over in "
             "bed. A repositioning manoeuvre by a vestibular physiotherapist often fixes it.",
             published="2020-12-01T09:00", categories=["Vestibular"], tags=["vertigo"]),
        post("plantar-fasciitis", "Heel Pain in the Morning? Plantar Fasciitis",
             "Plantar fasciitis causes sharp heel pain with the first steps in the morning. "
             "Calf stretches, supportive shoes and custom orthotics help.",
             published="2023-04-22T09:00", categories=["Foot"], tags=["heel", "orthotics"]),
        post("tennis-elbow", "Tennis Elbow Is Not Just for Tennis Players",
             "Lateral epicondylitis is an overuse injury of the forearm tendons. Gripping and "
             "typing can trigger it; loading exercises rebuild the tendon.",
             published="2022-06-14T09:00", categories=["Sports Injuries", "Elbow"],
             tags=["tendon"]),
        post("pelvic-health", "Pelvic Floor Physiotherapy After Pregnancy",
             "Pelvic floor physiotherapy treats leaking, pain and weakness after childbirth. "
             "An internal assessment guides a personal exercise plan.",
             published="2025-02-10T09:00", categories=["Pelvic Health"], tags=["pregnancy"]),
        post("desk-ergonomics", "Set Up Your Desk to Prevent Neck Pain",
             "Screen height, chair depth and keyboard position all change the load on your "
             "neck. Small ergonomic changes prevent pain during long work days.",
             published="2025-06-30T09:00", categories=["Ergonomics", "Neck"],
             tags=["ergonomics", "neck"]),
        post("holiday-hours-2019", "Holiday Hours 2019",
             "The clinic is closed on December 25 and 26 and on January 1. Book online for "
             "appointments between the holidays.",
             published="2019-12-15T09:00", categories=["News"], tags=["hours"]),
        post("rotator-cuff", "Rotator Cuff Tears: Surgery or Physio?",
             "Many rotator cuff tears heal well with a strengthening program. Shoulder pain "
             "at night and weakness lifting the arm are signs to get assessed.",
             published="2021-08-08T09:00", categories=["Physiotherapy", "Shoulder"],
             tags=["shoulder"]),
        post("acupuncture-headaches", "Acupuncture for Tension Headaches",
             "Acupuncture can reduce how often tension headaches come back. Fine needles are "
             "placed in the neck, shoulders and hands.",
             published="2020-02-02T09:00", categories=["Acupuncture"], tags=["headache"]),
        post("undated-welcome", "Welcome to Our New Blog",
             "We will share exercise tips, clinic news and answers to common questions.",
             published=None, categories=["News"]),
    ]


def build(index_dir: Path, posts: list[Post] | None = None) -> Path:
    with IndexWriter(index_dir) as writer:
        writer.write_many(posts if posts is not None else clinic_posts())
        writer.close(complete=True)
    return index_dir


def urls(index_dir: Path) -> set[str]:
    return {p.url for p in load_posts(index_dir)}


# --- upsert, skip, replace, delete ------------------------------------------------------


def test_build_stores_whole_records(tmp_path):
    posts = clinic_posts()
    build(tmp_path / "ix", posts)
    loaded = load_posts(tmp_path / "ix")
    assert sorted(p.url for p in posts) == [p.url for p in loaded]
    by_url = {p.url: p for p in loaded}
    for original in posts:
        assert by_url[original.url] == original  # the whole record round-trips


def test_unchanged_posts_are_not_rewritten(tmp_path):
    ix = build(tmp_path / "ix")
    with IndexWriter(ix) as writer:
        outcomes = {writer.write(p) for p in clinic_posts()}
        stats = writer.close(complete=True)
    assert outcomes == {"unchanged"}
    assert (stats.added, stats.updated, stats.removed) == (0, 0, 0)


def test_changed_post_replaced_by_url(tmp_path):
    ix = build(tmp_path / "ix")
    posts = clinic_posts()
    posts[0].title = "Dry Needling for Neck and Shoulder Pain"
    posts[0].with_hash()
    with IndexWriter(ix) as writer:
        outcomes = [writer.write(p) for p in posts]
        writer.close(complete=True)
    assert outcomes.count("updated") == 1 and outcomes.count("unchanged") == len(posts) - 1
    loaded = load_posts(ix)
    assert len(loaded) == len(posts)  # replaced, not duplicated
    assert get_post(ix, posts[0].url).title == "Dry Needling for Neck and Shoulder Pain"


def test_gone_posts_removed_only_after_complete_crawl(tmp_path):
    ix = build(tmp_path / "ix")
    remaining = clinic_posts()[:-3]
    with IndexWriter(ix) as writer:
        writer.write_many(remaining)
        stats = writer.close(complete=False)
    assert stats.removed == 0 and len(urls(ix)) == 20
    # absent from one complete crawl: marked missing, still there
    with IndexWriter(ix) as writer:
        writer.write_many(remaining)
        stats = writer.close(complete=True)
    assert stats.removed == 0 and stats.missing == 3 and len(urls(ix)) == 20
    # absent from a second one in a row: removed
    with IndexWriter(ix) as writer:
        writer.write_many(remaining)
        stats = writer.close(complete=True)
    assert stats.removed == 3 and stats.removed_posts == {"missing": 3} and stats.missing == 0
    assert urls(ix) == {p.url for p in remaining}


def test_a_post_found_again_is_missing_no_more(tmp_path):
    ix = build(tmp_path / "ix")
    posts = clinic_posts()
    for seen in (posts[:-1], posts, posts[:-1]):
        with IndexWriter(ix) as writer:
            writer.write_many(seen)
            stats = writer.close(complete=True)
    # missing, found, missing again: two complete crawls missed it, but not in a row
    assert stats.removed == 0 and stats.missing == 1 and len(urls(ix)) == 20


def test_complete_crawl_that_found_nothing_removes_nothing(tmp_path):
    ix = build(tmp_path / "ix")
    with IndexWriter(ix) as writer:
        writer.write(CrawlError(url=f"{SITE}/blog/", reason="timeout"))
        stats = writer.close(complete=True)
    assert stats.removed == 0 and len(urls(ix)) == 20


def test_non_post_records_are_stored_and_replaced(tmp_path):
    ix = tmp_path / "ix"
    posts = clinic_posts()
    teaser = Teaser(url=posts[0].url, listing_url=f"{SITE}/blog/", title="Dry Needling",
                    caption="Needles in a neck", position=0)
    error = CrawlError(url=f"{SITE}/blog/old-post/", reason="http_404", status=404)
    entry = SitemapEntry(url=posts[1].url, sitemap_url=f"{SITE}/sitemap.xml")
    with IndexWriter(ix) as writer:
        writer.write_many([*posts, teaser, error, entry])
        writer.close(complete=True)
    records = load_records(ix)
    assert [r.type for r in records].count("post") == 20
    assert teaser in records and error in records and entry in records
    # non-post records never come back as posts
    assert all(isinstance(p, Post) for p in load_posts(ix))
    # a complete session removes stale records only of the kinds it produces
    teaser2 = teaser.model_copy(update={"title": "Dry needling (updated)"})
    with IndexWriter(ix) as writer:
        writer.write_many([*posts, teaser2])
        writer.close(complete=True)
    records = load_records(ix)
    assert teaser2 in records and teaser not in records and error in records and entry in records
    # a crawl produces every kind: the old error is gone, the new teaser kept
    with IndexWriter(ix) as writer:
        writer.write_many([*posts, teaser2])
        writer.close(complete=True, kinds={"post", "teaser", "error", "sitemap"})
    records = load_records(ix)
    assert teaser2 in records and error not in records and entry not in records
    assert len(load_records(ix, kinds={"teaser"})) == 1


def test_post_that_recovers_clears_its_crawl_error(tmp_path):
    ix = tmp_path / "ix"
    posts = clinic_posts()
    with IndexWriter(ix) as writer:
        writer.write(CrawlError(url=posts[0].url, reason="timeout"))
    with IndexWriter(ix) as writer:
        writer.write(posts[0])
    assert [r.type for r in load_records(ix)] == ["post"]


def test_rebuild_replaces_everything_in_one_commit(tmp_path):
    ix = build(tmp_path / "ix")
    posts = clinic_posts()[:5]
    stats = rebuild(ix, posts, procs=2)
    assert stats.added == 5
    assert urls(ix) == {p.url for p in posts}


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFoundError, match="no index at"):
        load_posts(tmp_path / "nowhere")


def test_index_of_an_older_field_layout_says_rebuild_and_rebuild_replaces_it(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from indexer.writer import INDEX_NAME

    old = tmp_path / "ix"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(key=ID(unique=True), body=TEXT), indexname=INDEX_NAME)
    with pytest.raises(IndexNotFoundError, match="older version of Needle"):
        load_posts(old)
    posts = clinic_posts()[:3]
    rebuild(old, posts, procs=1)
    assert urls(old) == {p.url for p in posts}


# --- locking and crashes --------------------------------------------------------------


def test_second_writer_gets_lock_error_naming_the_lock(tmp_path):
    ix = build(tmp_path / "ix")
    with IndexWriter(ix):
        done = threading.Event()
        errors = []

        def second():
            try:
                IndexWriter(ix, lock_timeout=0.2)
            except IndexLockedError as exc:
                errors.append(exc)
            done.set()

        threading.Thread(target=second, daemon=True).start()
        assert done.wait(timeout=30), "second writer hung"
    assert errors and "needle-writer.lock" in str(errors[0])
    assert errors[0].lock_path == ix / "needle-writer.lock"
    # once the first writer is done, writing works again
    with IndexWriter(ix) as writer:
        writer.write(clinic_posts()[0])
    assert len(urls(ix)) == 20


def test_lock_held_by_another_process(tmp_path):
    ix = build(tmp_path / "ix")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from indexer.writer import IndexWriter
            w = IndexWriter({str(ix)!r})
            print("locked", flush=True)
            sys.stdin.readline()
        """)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match="locked by another writer"):
            IndexWriter(ix, lock_timeout=0.1)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stdin.close()
    # a killed writer's lock dies with it
    with IndexWriter(ix, lock_timeout=5) as writer:
        writer.write(clinic_posts()[0])


def test_writer_that_fails_before_commit_leaves_last_good_index(tmp_path):
    ix = build(tmp_path / "ix")
    before = load_posts(ix)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with IndexWriter(ix) as writer:
            for p in clinic_posts():
                p.title = "Changed"
                writer.write(p.with_hash())
            raise Boom
    assert load_posts(ix) == before


def test_killed_writer_mid_commit_leaves_last_good_index(tmp_path):
    ix = build(tmp_path / "ix")
    before = load_posts(ix)
    # A writer killed while adding documents, with segment files half written.
    script = textwrap.dedent(f"""
        import os
        from test_index import clinic_posts
        from indexer.writer import open_index
        from indexer.documents import to_document
        ix = open_index({str(ix)!r})
        w = ix.writer()
        for i in range(200):
            for p in clinic_posts():
                p.url += str(i)
                w.add_document(**to_document(p))
        os._exit(9)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"},
        capture_output=True, timeout=120,
    )
    assert proc.returncode == 9
    assert load_posts(ix) == before
    with IndexWriter(ix, lock_timeout=5) as writer:  # and it is writable again
        writer.write_many(clinic_posts())
        assert writer.close(complete=True).removed == 0


# --- the Scrapy item pipeline -------------------------------------------------------------


def _pipeline(index_dir, enabled=True):
    from scrapy.utils.test import get_crawler

    from indexer.pipeline import IndexPipeline

    crawler = get_crawler(settings_dict={
        "NEEDLE_INDEX": str(index_dir), "NEEDLE_INDEX_ON_CRAWL": enabled, "NEEDLE_INDEX_BATCH": 5,
    })
    return crawler, IndexPipeline.from_crawler(crawler)


def _crawl(crawler, pipeline, items, reason):
    from scrapy import signals

    pipeline.open_spider()
    for item in items:
        assert pipeline.process_item(item) is item
    pipeline.close_spider()
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason=reason)


def test_pipeline_disabled_is_not_configured(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        _pipeline(tmp_path / "ix", enabled=False)


def test_pipeline_indexes_and_prunes_only_after_finished_crawl(tmp_path):
    ix = build(tmp_path / "ix")
    fewer = clinic_posts()[:12]
    crawler, pipeline = _pipeline(ix)
    _crawl(crawler, pipeline, fewer, reason="closespider_pagecount")
    assert len(urls(ix)) == 20  # a page-limited crawl removes nothing
    assert crawler.stats.get_value("needle/index/unchanged") == 12
    # two finished crawls without them: marked missing, then removed
    for removed in (0, 8):
        crawler, pipeline = _pipeline(ix)
        _crawl(crawler, pipeline, [*fewer, Teaser(url=fewer[0].url, listing_url=f"{SITE}/blog/")],
               reason="finished")
        assert crawler.stats.get_value("needle/index/removed") == removed
    assert crawler.stats.get_value("needle/index/posts/removed/missing") == 8
    assert urls(ix) == {p.url for p in fewer}
    assert len(load_records(ix, kinds={"teaser"})) == 1


def test_pipeline_fails_fast_when_index_is_locked(tmp_path):
    ix = build(tmp_path / "ix")
    crawler, pipeline = _pipeline(ix)
    pipeline.lock_timeout = 0.1
    with IndexWriter(ix):
        with pytest.raises(IndexLockedError):
            pipeline.open_spider()


def test_index_terms_are_what_the_analyzers_give():
    """The writer's faster analysis (indexer.analysis.IndexTerms) gives each text the terms
    and positions Whoosh's analyzer gives it, or hands the text back to Whoosh."""
    from indexer.analysis import IndexTerms, spelling_analyzer, text_analyzer

    texts = [p.body for p in clinic_posts()] + [p.title for p in clinic_posts()] + [
        "L'épaule et la physiothérapie à Montréal: 3.5 km, e.g. U.S.A.", "ſciatica İstanbul ıce Straße",
        "the knee", "A knee", "", "...", "x. knee", "Ωmega ΣΑΣ œuvre ÆON", "knee the the knee",
    ]
    for analyzer in (text_analyzer(), spelling_analyzer()):
        fast = IndexTerms(analyzer)
        assert fast.usable
        handed_back = 0
        for text in texts:
            tokens = [(t.text, t.pos) for t in analyzer(text, positions=True, mode="index")]
            terms = fast(text)
            if terms is None:  # a leading stop word: Whoosh numbers the first kept word past it
                handed_back += 1
                assert tokens and tokens[0][1] > 0
                continue
            assert [(term, pos) for pos, term in enumerate(terms)] == tokens, text
        assert 0 < handed_back < len(texts)


def index_contents(path) -> tuple:
    """Everything an index holds, to compare two: postings, term entries, stored fields,
    lengths and columns of every document, deleted ones included, and the files."""
    from whoosh import index as whoosh_index

    from indexer.writer import INDEX_NAME

    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    with ix.reader() as reader:
        postings = {
            (name, term): list(reader.postings(name, term).all_items())
            for name in ix.schema.names() if ix.schema[name].indexed
            for term in reader.lexicon(name)
        }
        # what each term's entry says of its postings (the lengths of the shortest
        # and longest document are read back from the length columns at commit)
        terms = {
            key: (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                  info.max_weight())
            for key in postings for info in [reader.term_info(*key)]
        }
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
        lengths = {name: [reader.doc_field_length(n, name) for n in range(reader.doc_count_all())]
                   for name in ix.schema.scorable_names()}
        columns = {name: list(reader.column_reader(name, translate=False)) for name in ix.schema.names()
                   if reader.has_column(name)}
    # and byte for byte, each segment's files (posting blocks, term table, columns) but
    # for the segment's random name
    files = []
    for segment in ix._segments():
        store = segment.open_compound_file(ix.storage) if segment.compound else ix.storage
        prefix = f"{INDEX_NAME}_{segment.segid}"
        files.append({name[len(prefix):]: store.open_file(name).read()
                      for name in sorted(store.list()) if name.startswith(prefix)})
    return postings, terms, stored, lengths, columns, files


def generated_posts(count: int) -> list[Post]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import generate_posts
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return generate_posts(count)


# the clinic's posts, and enough generated ones for Whoosh's posting pool, held to 2 MB,
# to be written out in several sorted runs and merged
@pytest.mark.parametrize("which, limitmb", [("clinic", 64), ("generated", 2)])
def test_an_index_built_by_the_tuned_writer_is_the_same(tmp_path, monkeypatch, which, limitmb):
    from whoosh.writing import PostingPool

    import indexer.parts as parts
    import indexer.rebuild as rebuild_module

    # 200: common words have more postings than a block holds (128)
    posts = clinic_posts() if which == "clinic" else generated_posts(200)
    posts = [p.model_copy(update={"title": f"The {p.title}"}) if i % 2 else p for i, p in enumerate(posts)]
    runs = []
    save = PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda pool: (runs.append(len(pool.current)), save(pool)))
    rebuild_module._build_here(tmp_path, tmp_path / "fast", posts, limitmb)
    assert (len(runs) > 2) == (which == "generated")
    # Whoosh's own writer, untuned (indexer.segments.prepare: analysis, stemmer cache,
    # column lookups)
    monkeypatch.setattr(parts, "prepare", lambda writer: lambda doc: doc)
    rebuild_module._build_here(tmp_path, tmp_path / "whoosh", posts, limitmb)
    assert index_contents(tmp_path / "fast") == index_contents(tmp_path / "whoosh")


def test_updates_by_the_tuned_writer_are_the_same(tmp_path, monkeypatch):
    import indexer.writer as writer_module

    monkeypatch.setattr(writer_module, "now", lambda: datetime(2026, 1, 1, tzinfo=timezone.utc))
    posts = clinic_posts()
    changed = [p.model_copy(update={"title": f"The {p.title}", "content_hash": f"changed {i}"})
               for i, p in enumerate(posts) if i % 2]

    def write(path):
        for batch in (posts, changed):  # the second session replaces half the posts
            with IndexWriter(path, batch_size=7) as writer:
                stats = writer.write_many(batch)
                writer.close(complete=False)
        assert stats.updated == len(changed)
        return index_contents(path)

    tuned = write(tmp_path / "tuned")
    monkeypatch.setattr(writer_module, "prepare", lambda writer: lambda doc: doc)
    assert tuned == write(tmp_path / "whoosh")


def test_records_stored_compressed_by_an_earlier_version_still_read():
    import zlib

    from indexer.documents import decode_record, encode_record

    record = clinic_posts()[0]
    assert encode_record(record).startswith(b"{")
    assert decode_record(encode_record(record)) == record
    assert decode_record(zlib.compress(record.model_dump_json().encode("utf-8"), 6)) == record


def test_a_commit_looks_for_each_length_column_once_not_once_a_posting(tmp_path, monkeypatch):
    from whoosh.filedb.filestore import FileStorage

    import indexer.rebuild as rebuild_module

    looked = []
    file_exists = FileStorage.file_exists

    def counted(self, name):
        looked.append(name)
        return file_exists(self, name)

    monkeypatch.setattr(FileStorage, "file_exists", counted)
    posts = clinic_posts()
    rebuild_module._build_here(tmp_path, tmp_path / "part", posts, 64)
    columns = [name for name in looked if name.endswith("_len.col")]
    # unscored fields (keys, the spelling field, dates) have no length column: Whoosh
    # looked for it again for every one of their postings
    assert columns and len(columns) == len(set(columns))
