"""The crawl history: what each crawl found, post by post, in SQLite beside the index.

The index holds the current state; this file holds how it got there. One row per crawl (or
`needle index` run): when, which sites, complete or not, its summary. One row per post per
crawl: new, changed, unchanged, missing, gone or back, with what changed (``changes.py``).

It lives in the index folder (``history.sqlite``), written by the index writer after its
last commit, under the writer's lock; a crash between the two loses that crawl's history
rows, never the index. Old crawls are dropped past ``keep`` crawls.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HISTORY_FILE = "history.sqlite"
CHANGES = ("new", "changed", "missing", "gone", "back")  # "unchanged" rows are kept too

_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    sites TEXT NOT NULL,          -- JSON list of scheme://host
    complete INTEGER NOT NULL,
    summary TEXT NOT NULL,        -- JSON: the writer's counts
    settings TEXT NOT NULL DEFAULT '{}'  -- JSON: the crawl's NEEDLE_* and politeness settings
);
CREATE TABLE IF NOT EXISTS versions (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    change TEXT NOT NULL,         -- new, changed, unchanged, missing, gone, back
    reason TEXT,                  -- gone: http_404, http_410, redirected, missing
    content_hash TEXT,
    title TEXT,
    published TEXT,
    modified TEXT,
    word_count INTEGER,
    status INTEGER,
    fields TEXT NOT NULL,         -- JSON {field: detail} of what changed
    kind TEXT NOT NULL DEFAULT 'post',  -- post, or page (a site page: its contact facts, staff)
    PRIMARY KEY (crawl_id, url)
);
CREATE INDEX IF NOT EXISTS versions_url ON versions(url, crawl_id);
CREATE TABLE IF NOT EXISTS labels (
    site TEXT PRIMARY KEY,        -- scheme://host
    label TEXT NOT NULL           -- the sites file's name for it
);
CREATE TABLE IF NOT EXISTS reports (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,           -- audit, seo
    made TEXT NOT NULL,
    as_of TEXT,
    score REAL NOT NULL,
    findings TEXT NOT NULL,       -- JSON [{"url", "check", "evidence"}]
    PRIMARY KEY (crawl_id, kind)
);
"""


@dataclass
class Version:
    url: str
    site: str
    change: str
    reason: str | None = None
    content_hash: str | None = None
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    word_count: int | None = None
    status: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    kind: str = "post"


class History:
    def __init__(self, index_dir: str | Path, *, keep: int = 50, keep_days: int = 0):
        self.path = Path(index_dir) / HISTORY_FILE
        self.keep = keep
        self.keep_days = keep_days  # 0: no limit by age
        self.db = sqlite3.connect(self.path, timeout=10)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(versions)")}
        if "kind" not in columns:  # a history written before site pages were recorded
            self.db.execute("ALTER TABLE versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'post'")
        if "settings" not in {row[1] for row in self.db.execute("PRAGMA table_info(crawls)")}:
            self.db.execute("ALTER TABLE crawls ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def last_changes(self, urls: list[str]) -> dict[str, str]:
        """Each URL's latest recorded change (to tell a post that is back from a new one)."""
        out: dict[str, str] = {}
        for url in urls:
            row = self.db.execute("SELECT change FROM versions WHERE url = ? ORDER BY crawl_id DESC LIMIT 1",
                                  (url,)).fetchone()
            if row:
                out[url] = row[0]
        return out

    def record(self, *, started: datetime, finished: datetime, sites: list[str], complete: bool,
               summary: dict, versions: list[Version], settings: dict | None = None) -> int:
        with self.db:
            crawl_id = self.db.execute(
                "INSERT INTO crawls (started, finished, sites, complete, summary, settings) VALUES (?, ?, ?, ?, ?, ?)",
                (started.isoformat(), finished.isoformat(), json.dumps(sorted(sites)), int(complete),
                 json.dumps(summary), json.dumps(settings or {}, default=str)),
            ).lastrowid
            self.db.executemany(
                "INSERT OR REPLACE INTO versions (crawl_id, url, site, change, reason, content_hash, title, "
                "published, modified, word_count, status, fields, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(crawl_id, v.url, v.site, v.change, v.reason, v.content_hash, v.title, v.published,
                  v.modified, v.word_count, v.status, json.dumps(v.fields), v.kind) for v in versions],
            )
            # retention: the newest ``keep`` crawls, and none older than ``keep_days`` (but this one)
            self.db.execute("DELETE FROM crawls WHERE id NOT IN (SELECT id FROM crawls ORDER BY id DESC LIMIT ?)",
                            (self.keep,))
            if self.keep_days > 0:
                cutoff = (finished - timedelta(days=self.keep_days)).isoformat()
                self.db.execute("DELETE FROM crawls WHERE started < ? AND id != ?", (cutoff, crawl_id))
        return crawl_id

    def label_sites(self, labels: dict[str, str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO labels VALUES (?, ?)", labels.items())

    def labels(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT site, label FROM labels"))

    def last_crawls(self) -> dict[str, dict]:
        """Each site's latest crawl: id, start, end, complete."""
        out: dict[str, dict] = {}
        for crawl in self.crawls():
            for site in crawl["sites"]:
                out[site] = {k: crawl[k] for k in ("id", "started", "finished", "complete")}
        return out

    def latest_crawl(self) -> int | None:
        return self.db.execute("SELECT MAX(id) FROM crawls").fetchone()[0]

    def save_report(self, kind: str, crawl_id: int, *, as_of: date, score: float,
                    findings: list[dict]) -> None:
        """A report's findings and score as made over ``crawl_id`` (the last run of a kind
        over a crawl replaces the one before)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?)",
                            (crawl_id, kind, utc_now().isoformat(), as_of.isoformat(), score,
                             json.dumps(findings)))

    def saved_reports(self, kind: str) -> list[dict]:
        """Every saved run of ``kind``, oldest crawl first, with its crawl's start and
        completeness (findings left as JSON text until asked for)."""
        rows = self.db.execute(
            "SELECT r.crawl_id, c.started, c.complete, r.as_of, r.score, r.findings FROM reports r "
            "JOIN crawls c ON c.id = r.crawl_id WHERE r.kind = ? ORDER BY r.crawl_id", (kind,))
        return [{"crawl": r[0], "started": r[1], "complete": bool(r[2]), "as_of": r[3], "score": r[4],
                 "findings": r[5]} for r in rows]

    def post_edits(self) -> dict[str, list[dict]]:
        """URL -> every recorded change of that post (crawl, started, fields), oldest first:
        what the audit's history signals read."""
        out: dict[str, list[dict]] = {}
        rows = self.db.execute(
            "SELECT v.url, v.crawl_id, c.started, v.fields FROM versions v JOIN crawls c ON c.id = v.crawl_id "
            "WHERE v.change = 'changed' AND v.kind = 'post' ORDER BY v.crawl_id")
        for url, crawl_id, started, fields in rows:
            out.setdefault(url, []).append({"crawl": crawl_id, "started": started, "fields": json.loads(fields)})
        return out

    def crawls(self) -> list[dict]:
        rows = self.db.execute("SELECT id, started, finished, sites, complete, summary, settings FROM crawls "
                               "ORDER BY id")
        return [{"id": r[0], "started": r[1], "finished": r[2], "sites": json.loads(r[3]),
                 "complete": bool(r[4]), "summary": json.loads(r[5]), "settings": json.loads(r[6])} for r in rows]

    def changes(self, *, since: int | date | None = None, site: str | None = None) -> list[dict]:
        """What changed in the crawls after ``since`` (a crawl id, or a day: crawls that
        started on or after it); by default, in the latest crawl. Newest crawl first."""
        if since is None:
            latest = self.db.execute("SELECT MAX(id) FROM crawls").fetchone()[0]
            where, args = "v.crawl_id = ?", [latest]
        elif isinstance(since, int):
            where, args = "v.crawl_id > ?", [since]
        else:
            where, args = "c.started >= ?", [since.isoformat()]
        where += " AND v.change != 'unchanged'"
        if site:
            where += " AND (v.site = ? OR v.site LIKE ?)"
            args += [site.lower(), f"%://{site.lower()}"]
        rows = self.db.execute(
            "SELECT v.crawl_id, c.started, v.kind, v.url, v.site, v.change, v.reason, v.title, v.published, "
            "v.modified, v.word_count, v.status, v.fields FROM versions v JOIN crawls c ON c.id = v.crawl_id "
            f"WHERE {where} ORDER BY v.crawl_id DESC, v.kind DESC, v.change, v.url", args)
        names = ("crawl", "crawled", "kind", "url", "site", "change", "reason", "title", "published", "modified",
                 "word_count", "status", "fields")
        return [{**dict(zip(names, r[:-1])), "fields": json.loads(r[-1])} for r in rows]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
