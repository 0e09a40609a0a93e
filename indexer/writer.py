"""Writing records into the index, incrementally and safely.

- Upsert by key (a post's URL): a record whose hash is unchanged is not rewritten; a
  changed one replaces the old document.
- Deleting is the dangerous write, so it happens only at ``close`` and only on proof
  (README, "What Needle never deletes"):
  - only records of the sites this session wrote to, and only of the kinds it wrote;
  - a post goes when its URL answered 404/410 or redirected to another post, or when it
    was missing from ``missing_crawls`` consecutive complete crawls of its site (until
    then it stays, marked missing in the site's state document);
  - an error that proves nothing (5xx, 429, timeout, extraction error, ...) keeps the
    stored post as it was, with the error recorded beside it;
  - a circuit breaker: when a site's crawl saw fewer than ``breaker_threshold`` of the
    posts of its last complete crawl, or would remove more than the rest, nothing of
    that site is deleted or marked, and ``stats.breaker`` says why.
- Every commit is atomic (Whoosh writes the new segments, then swaps the table of
  contents by rename), and durable (``indexer.storage``): a crash mid-write leaves the
  last committed index readable.
- One writing session at a time: a second one fails fast with ``IndexLockedError``
  naming the lock file, instead of waiting for the first to finish.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.util.filelock import FileLock, try_for

from crawler.records import CrawlError, Post, Redirect, Revalidated, SitePage
from indexer.changes import page_changes, post_changes
from indexer.history import History, Version, utc_now
from indexer.segments import prepare
from indexer.opening import (  # noqa: F401 - the writer's callers import these from here too
    INDEX_NAME,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    index_exists,
    is_current,
    open_index,
)
from indexer.documents import (
    VOLATILE_FETCH_FACTS, Record, decode_record, record_hash, record_json, record_key, to_document,
)
from indexer.state import (
    STATE_KIND,
    Missing,
    SiteState,
    decode_state,
    now,
    site_of_key,
    to_state_document,
)

SESSION_LOCK = "needle-writer.lock"
DEFAULT_LOCK_TIMEOUT = 2.0  # seconds; long enough for a commit, short enough to not hang


# Answers that prove a post is gone; every other crawl error proves nothing.
GONE_STATUSES = {"http_404", "http_410"}


@dataclass
class WriteStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # documents of every kind
    by_kind: dict[str, int] = field(default_factory=dict)
    # posts only: added / updated / unchanged, as a reader of the summary counts them
    posts: Counter = field(default_factory=Counter)
    missing: int = 0  # posts now marked missing (kept, not yet removed)
    removed_posts: Counter = field(default_factory=Counter)  # why: http_404, http_410, redirected, missing
    breaker: list[str] = field(default_factory=list)  # one line per site where it tripped
    revalidated: Counter = field(default_factory=Counter)  # not_modified (304), same_bytes
    crawl_id: int | None = None  # this session's id in the crawl history
    history_error: str | None = None  # the history could not be written (the index was)

    @property
    def written(self) -> int:
        return self.added + self.updated

    def as_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "removed": self.removed, "records": dict(sorted(self.by_kind.items())),
            "posts": {"added": self.posts["added"], "updated": self.posts["updated"],
                      "unchanged": self.posts["unchanged"], "missing": self.missing,
                      "removed": sum(self.removed_posts.values())},
            "removed_posts": dict(sorted(self.removed_posts.items())),
            "breaker": list(self.breaker),
            "revalidated": dict(self.revalidated),
            "crawl_id": self.crawl_id,
        }


class IndexWriter:
    """A writing session: ``write`` records, then ``close(complete=...)``.

    Writes are buffered and committed every ``batch_size`` records, so a long crawl
    makes its progress searchable and a crash loses at most one batch. Deletions wait
    for ``close``, which commits them with the sites' state in one commit.

        with IndexWriter(".needle/index") as writer:
            for record in records:
                writer.write(record)
            writer.close(complete=True)
    """

    def __init__(
        self,
        index_dir: str | os.PathLike,
        *,
        batch_size: int = 500,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        limitmb: int = 128,
        missing_crawls: int = 2,
        breaker_threshold: float = 0.5,
        history_keep: int = 50,
        history_days: int = 0,
        crawl_settings: dict[str, Any] | None = None,
    ):
        self.started = utc_now()
        self.index_dir = Path(index_dir)
        self.history_keep = history_keep
        self.history_days = history_days
        self.crawl_settings = crawl_settings or {}  # recorded with this session's history row
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
        self.limitmb = limitmb
        self.missing_crawls = max(1, missing_crawls)
        self.breaker_threshold = min(max(breaker_threshold, 0.0), 1.0)
        self.stats = WriteStats()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire(self.index_dir / SESSION_LOCK, lock_timeout)
        try:
            self.ix = open_index(self.index_dir, create=True)
            self._hashes, self._kinds, self._states = _stored_state(self.ix)
        except BaseException:
            self._lock.release()
            raise
        self._seen: set[str] = set()  # keys written in this session
        self._sites: set[str] = set()  # sites written to in this session
        self._kinds_written: set[str] = set()
        self._posts_seen: Counter = Counter()  # site -> posts found
        self._unproven: set[str] = set()  # post URLs that answered an error proving nothing
        self._gone: dict[str, str] = {}  # post URL -> the answer that proves it gone
        self._redirected: dict[str, str] = {}  # post URL -> where it now redirects
        self._pending: list[tuple[bool, dict]] = []  # (replaces an existing doc, document)
        self._doomed: list[str] = []  # keys to delete in the next commit
        self._versions: dict[str, Version] = {}  # post URL -> this session's history row
        self._before = None  # a searcher of the index as the session found it (old versions)
        self._cards_by_listing: dict[str, list[str]] | None = None  # _cards()
        self._stored_fetch: dict[str, tuple[dict, dict]] = {}  # key -> (fetch, VERSION_FIELDS) as JSON, from validators()
        self._closed = False

    def known_posts(self) -> list[str]:
        """The URLs of every post the index holds, in order."""
        return sorted(k for k, kind in self._kinds.items() if kind == "post")

    def validators(self) -> dict[str, dict[str, Any]]:
        """URL -> the stored kind, ETag, Last-Modified, body hash, when it was last fetched
        and the internal links of every post and site page the index holds: what a
        conditional recrawl asks with (unless the sitemap says it changed since), and
        follows from a page it does not read again. A post marked missing
        is left out (it is fetched and read afresh), and a post wins over a site page
        stored for the same address."""
        missing = {url for state in self._states.values() for url in state.missing}
        out: dict[str, dict[str, Any]] = {}
        with self.ix.searcher() as searcher:
            for kind in ("listing", "page", "post"):
                for n in searcher.docs_for_query(wq.Term("kind", kind)):
                    stored = searcher.stored_fields(n)
                    url = _url_of(stored["key"], kind)
                    if url in missing:
                        continue
                    record = json.loads(record_json(stored["record"]))
                    fetch = record.get("fetch") or {}
                    # what _revalidated needs, kept so it need not read the record again
                    # (its fetch facts, and for a post what its history row holds)
                    self._stored_fetch[stored["key"]] = (fetch, {name: record.get(name) for name in VERSION_FIELDS})
                    out[url] = {"kind": kind, **{name: fetch.get(name)
                                                 for name in ("etag", "last_modified", "body_sha256", "fetched_at")},
                                # what the crawl follows from the page when it is not read again
                                "links": [link if isinstance(link, str) else link["href"]
                                          for link in record.get("links", [])
                                          if isinstance(link, str) or link.get("internal")],
                                "canonical": (record.get("meta") or {}).get("canonical") if kind == "post" else None}
        return out

    # -- writing ----------------------------------------------------------------------

    def write(self, record: Record) -> str:
        """Queue ``record``; returns "added", "updated" or "unchanged"."""
        if self._closed:
            raise RuntimeError("the index writer is closed")
        if isinstance(record, Revalidated):
            return self._revalidated(record)
        key = record_key(record)
        digest = record_hash(record)
        site = site_of_key(key, record.type)
        self._seen.add(key)
        self._sites.add(site)
        self._kinds_written.add(record.type)
        self.stats.by_kind[record.type] = self.stats.by_kind.get(record.type, 0) + 1
        if isinstance(record, Post):
            self._posts_seen[site] += 1
            self._forget_error(record.url)
        elif isinstance(record, CrawlError):
            if record.reason in GONE_STATUSES:
                self._gone[record.url] = record.reason
            else:
                self._unproven.add(record.url)
        elif isinstance(record, Redirect):
            self._redirected[record.url] = record.target
        old = self._hashes.get(key)
        if old == digest:
            outcome = "unchanged"
            self.stats.unchanged += 1
        else:
            self._pending.append((old is not None, to_document(record)))
            self._hashes[key] = digest
            self._kinds[key] = record.type
            outcome = "added" if old is None else "updated"
            if old is None:
                self.stats.added += 1
            else:
                self.stats.updated += 1
        if isinstance(record, Post):
            self.stats.posts[outcome] += 1
            self._versions[key] = self._version(record, site, outcome)
        elif isinstance(record, SitePage) and outcome != "unchanged":
            self._page_version(key, record, site, outcome)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return outcome

    def write_many(self, records: Iterable[Record]) -> WriteStats:
        for record in records:
            self.write(record)
        return self.stats

    def flush(self) -> None:
        """Commit what is queued (one atomic commit)."""
        if self._pending or self._doomed:
            self._commit(self._pending, self._doomed)
        self._pending, self._doomed = [], []

    def close(self, *, complete: bool = False, partial_sites: Iterable[str] = (),
              kinds: Iterable[str] | None = None) -> WriteStats:
        """Commit, and settle what may be deleted, site by site (the module docstring).

        ``complete``: the session saw the whole of every site it wrote to, except
        ``partial_sites`` (scheme://host, or a bare host). ``kinds``: the record kinds the
        session produces, whose stale documents a complete session may remove (default:
        the kinds it wrote).
        """
        if self._closed:
            return self.stats
        try:
            partial = {_host(s) for s in partial_sites}
            produced = set(kinds) if kinds is not None else set(self._kinds_written)
            when = now()
            complete_sites = []
            for site in sorted(self._sites):
                site_complete = complete and _host(site) not in partial
                complete_sites += [site] if site_complete else []
                self._settle(site, site_complete, produced, when)
            self.flush()
            self._record_history(complete_sites)
        finally:
            self._release()
        return self.stats

    def abort(self) -> None:
        """Drop what is queued; the index keeps its last commit."""
        self._pending, self._doomed = [], []
        if self._before is not None:
            self._before.close()
        self._release()

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close(complete=False)
        else:
            self.abort()

    # -- deletion policy --------------------------------------------------------------

    def _settle(self, site: str, complete: bool, produced: set[str], when) -> None:
        state = self._states.get(site) or SiteState(site=site)
        stored = {k for k, kind in self._kinds.items() if kind == "post" and k not in self._seen
                  and site_of_key(k, kind) == site}
        seen = self._posts_seen[site]
        # proof that a post is gone: 404/410 for its URL, or a redirect to another post
        removals = {url: why for url, why in self._gone.items() if url in stored}
        for url, target in self._redirected.items():
            if url in stored and target != url and self._kinds.get(target) == "post":
                removals.setdefault(url, "redirected")
        # absent from a complete crawl, with no error to explain it: missing
        missing: dict[str, Missing] = {}
        if complete:
            for url in stored - removals.keys() - self._unproven:
                before = state.missing.get(url)
                entry = Missing(since=before.since if before else when,
                                crawls=(before.crawls if before else 0) + 1)
                if entry.crawls >= self.missing_crawls:
                    removals[url] = "missing"
                else:
                    missing[url] = entry
        else:  # a partial crawl says nothing about what it did not reach
            missing = {u: m for u, m in state.missing.items() if u in stored and u not in removals}

        baseline = state.last_complete_posts or len(stored) + seen
        # posts already marked missing were let go by an earlier crawl's breaker
        sudden = [url for url in removals if url not in state.missing]
        tripped = None
        if baseline and complete and seen < self.breaker_threshold * baseline:
            tripped = (f"the crawl saw {seen} posts, fewer than {self.breaker_threshold:.0%} "
                       f"of the {baseline} of the last complete crawl")
        elif baseline and len(sudden) > (1 - self.breaker_threshold) * baseline:
            tripped = f"it would remove {len(sudden)} of {baseline} posts at once"
        if tripped:
            state.last_breaker = tripped
            self.stats.breaker.append(f"{site}: {tripped}; nothing was removed or marked missing")
            # what the crawl did find is found: it is missing no more
            state.missing = {u: m for u, m in state.missing.items() if u in stored}
        else:
            for url in missing.keys() - state.missing.keys():
                self._versions[url] = Version(url=url, site=site, change="missing")
            for url in state.missing.keys() & self._versions.keys():
                if self._versions[url].change == "unchanged":
                    self._versions[url].change = "back"
            state.missing = missing
            state.last_breaker = None
            for url, why in removals.items():
                self._remove(url)
                self.stats.removed_posts[why] += 1
                self._versions[url] = Version(url=url, site=site, change="gone", reason=why)
            if complete:
                state.last_complete_crawl = when
                state.last_complete_posts = seen
                # other kinds this session produces and did not see again are stale
                for key, kind in list(self._kinds.items()):
                    if (kind in produced and kind not in ("post", STATE_KIND) and key not in self._seen
                            and site_of_key(key, kind) == site):
                        self._remove(key)
        self.stats.missing += len(state.missing)
        if seen or stored or site in self._states:  # no state for a "site" of error records only
            self._states[site] = state
            self._pending.append((True, to_state_document(state)))

    def _revalidated(self, found: Revalidated) -> str:
        """The stored record stands (the site says or shows it is unchanged); its lasting
        fetch facts (depth, found via, ...) are brought up to date."""
        key = found.url if found.kind == "post" else f"{found.kind} {found.url}"
        if key not in self._kinds:  # nothing stored under that address: nothing to keep
            return "unchanged"
        kind = self._kinds[key]
        site = site_of_key(key, kind)
        self._forget_error(found.url)
        self._seen.add(key)
        if kind == "listing":  # its cards stand as stored
            self._seen.update(self._cards().get(found.url, ()))
        self._sites.add(site)
        self._kinds_written.add(kind)
        self.stats.revalidated[found.how] += 1
        cached = self._stored_fetch.pop(key, None)
        if cached is not None and _lasting(_refreshed(found, cached[0])) == _lasting(cached[0]):
            # the usual case: nothing lasting moved, so the stored record is not even read
            if kind == "post":
                self._posts_seen[site] += 1
                self.stats.posts["unchanged"] += 1
                self._versions[key] = _unchanged_version(cached[1], site)
            return "unchanged"
        if self._before is None:
            self._before = self.ix.searcher()
        record = decode_record(self._before.document(key=key)["record"])
        stored = record.fetch
        # a 304 has no body: what the body was stays as stored
        fetch = found.fetch.model_copy(update={
            "status": stored.status, "etag": found.fetch.etag or stored.etag,
            "last_modified": found.fetch.last_modified or stored.last_modified,
            "bytes": stored.bytes, "content_type": stored.content_type, "encoding": stored.encoding,
            "body_sha256": stored.body_sha256,
        }) if found.how == "not_modified" else found.fetch
        record = record.model_copy(update={"fetch": fetch})
        outcome = "unchanged"
        if record_hash(record) != self._hashes.get(key):
            self._pending.append((True, to_document(record)))
            self._hashes[key] = record_hash(record)
            outcome = "updated"
        if isinstance(record, Post):
            self._posts_seen[site] += 1
            self.stats.posts["unchanged"] += 1
            self._versions[key] = self._version(record, site, "unchanged")
        if len(self._pending) >= self.batch_size:
            self.flush()
        return outcome

    def _cards(self) -> dict[str, list[str]]:
        """Listing URL -> the keys of its stored cards (built once: a recrawl revalidates
        hundreds of listings, and a scan of every key for each would be quadratic)."""
        if self._cards_by_listing is None:
            self._cards_by_listing = {}
            for key, kind in self._kinds.items():
                if kind == "teaser":  # "teaser {listing URL}#{position}"
                    self._cards_by_listing.setdefault(key[len("teaser "):key.rindex("#")], []).append(key)
        return self._cards_by_listing

    def _forget_error(self, url: str) -> None:
        """A page that now yields its post is no longer a crawl error."""
        error_key = record_key(CrawlError(url=url, reason="-"))
        if error_key in self._hashes and error_key not in self._seen:
            self._doomed.append(error_key)
            del self._hashes[error_key]
            self._kinds.pop(error_key, None)

    def _version(self, post: Post, site: str, outcome: str) -> Version:
        version = Version(url=post.url, site=site, change="new" if outcome == "added" else "unchanged",
                          content_hash=post.content_hash, title=post.title,
                          published=post.published.isoformat() if post.published else None,
                          modified=post.modified.isoformat() if post.modified else None,
                          word_count=post.word_count, status=post.fetch.status)
        if outcome == "updated":
            if self._before is None:
                self._before = self.ix.searcher()
            stored = self._before.document(key=post.url)
            if stored is not None:
                version.fields = post_changes(decode_record(stored["record"]), post)
                version.change = "changed" if version.fields else "unchanged"
        return version

    def _page_version(self, key: str, page: SitePage, site: str, outcome: str) -> None:
        """A site page's history row when the clinic's facts it shows are new or changed
        (a page with none, or whose other text changed, gets none)."""
        before = SitePage(url=page.url, site=page.site, role=page.role)  # a new page: facts from nothing
        if outcome == "updated":
            if self._before is None:
                self._before = self.ix.searcher()
            stored = self._before.document(key=key)
            if stored is not None:
                before = decode_record(stored["record"])
        fields = page_changes(before, page)
        if not fields:
            return
        self._versions[key] = Version(url=page.url, site=site, kind="page", title=page.title,
                                      change="new" if outcome == "added" else "changed",
                                      word_count=page.word_count, status=page.fetch.status, fields=fields)

    def _record_history(self, complete_sites: list[str]) -> None:
        """Write this session's rows to the crawl history (after the index's last commit)."""
        if self._before is not None:
            self._before.close()
        if not self._versions:
            return
        try:
            with History(self.index_dir, keep=self.history_keep, keep_days=self.history_days) as history:
                earlier = history.last_changes([v.url for v in self._versions.values()
                                                if v.change == "new" and v.kind == "post"])
                for url, change in earlier.items():
                    if change in ("gone", "missing"):
                        self._versions[url].change = "back"
                self.stats.crawl_id = history.record(
                    started=self.started, finished=utc_now(), sites=sorted(self._sites),
                    complete=bool(complete_sites), summary=self.stats.as_dict(),
                    versions=list(self._versions.values()), settings=self.crawl_settings)
        except Exception as exc:  # the index is committed; say the history is short of it
            self.stats.history_error = f"{type(exc).__name__}: {exc}"

    def _remove(self, key: str) -> None:
        self._doomed.append(key)
        self._hashes.pop(key, None)
        self._kinds.pop(key, None)
        self.stats.removed += 1

    # -- internals --------------------------------------------------------------------

    def _commit(self, pending: list[tuple[bool, dict]], doomed: list[str]) -> None:
        writer = _whoosh_writer(self.ix, self.index_dir, self.lock_timeout, limitmb=self.limitmb)
        analysed = prepare(writer)
        try:
            for key in doomed:
                writer.delete_by_term("key", key)
            for replaces, doc in pending:
                if replaces:
                    writer.update_document(**analysed(doc))
                else:
                    writer.add_document(**analysed(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _release(self) -> None:
        if not self._closed:
            self._closed = True
            self._lock.release()


VERSION_FIELDS = ("url", "content_hash", "title", "published", "modified", "word_count", "fetch")


def _refreshed(found: Revalidated, stored: dict[str, Any]) -> dict[str, Any]:
    """The fetch facts of a revalidated page as JSON, as _revalidated stores them: a 304
    has no body, so what the body was stays as stored."""
    fetch = found.fetch.model_dump(mode="json")
    if found.how == "not_modified":
        fetch.update({name: stored.get(name) for name in ("status", "bytes", "content_type", "encoding", "body_sha256")})
        fetch["etag"] = fetch["etag"] or stored.get("etag")
        fetch["last_modified"] = fetch["last_modified"] or stored.get("last_modified")
    return fetch


def _lasting(fetch: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fetch.items() if name not in VOLATILE_FETCH_FACTS}


def _unchanged_version(record: dict[str, Any], site: str) -> Version:
    """The history row of a stored post that stands unchanged, from its stored JSON."""
    def iso(value: str | None) -> str | None:  # as Post.published.isoformat() writes it
        return datetime.fromisoformat(value).isoformat() if value else None

    return Version(url=record["url"], site=site, change="unchanged", content_hash=record.get("content_hash"),
                   title=record.get("title"), published=iso(record.get("published")),
                   modified=iso(record.get("modified")), word_count=record.get("word_count"),
                   status=(record.get("fetch") or {}).get("status"))


def _url_of(key: str, kind: str) -> str:
    return key if kind == "post" else key[len(kind) + 1:]


def _host(site: str) -> str:
    return site.split("://", 1)[-1].lower().rstrip("/")


def check_unlocked(index_dir: str | os.PathLike, timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
    """Raise ``IndexLockedError`` now if another writer holds the index, so a command
    can say so before it starts work (the writer itself still takes the lock)."""
    path = Path(index_dir) / SESSION_LOCK
    if path.parent.is_dir():
        _acquire(path, timeout).release()


def _whoosh_writer(ix, index_dir: Path, timeout: float, **kwargs):
    try:
        writer = ix.writer(timeout=timeout, delay=0.05, **kwargs)
    except whoosh_index.LockError:
        raise IndexLockedError(index_dir / f"{INDEX_NAME}_WRITELOCK") from None
    return writer


def _acquire(path: Path, timeout: float) -> FileLock:
    lock = FileLock(str(path))
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):
        raise IndexLockedError(path)
    return lock


def _stored_state(ix) -> tuple[dict[str, str], dict[str, str], dict[str, SiteState]]:
    """key -> hash and key -> kind of every live record, and each site's state.

    Hashes come from columns and kinds from the kind field's postings: no stored document
    is unpickled but the few state documents, so opening a large index stays fast."""
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return {}, {}, {}
        keys = reader.column_reader("key")
        hashes = reader.column_reader("hash")
        live = set(reader.all_doc_ids())
        docs_of = {kind: [n for n in reader.postings("kind", kind).all_ids() if n in live]
                   for kind in reader.field_terms("kind")}
        states = [decode_state(reader.stored_fields(n)["record"]) for n in docs_of.pop(STATE_KIND, [])]
        kinds = {keys[n]: kind for kind, docs in docs_of.items() for n in docs}
        return {key: hashes[n] for n in live if (key := keys[n]) in kinds}, kinds, \
            {state.site: state for state in states}
