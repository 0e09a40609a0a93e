"""`needle index FILE --rebuild` meeting a fault: a wrong or empty input, a killed worker,
a killed rebuild. Rebuilds are built aside and swapped: whatever goes wrong, the live
index stays what it was, post by post and file by file, and no lock outlives its writer.

Every rebuild here is a real `python -m cli index ... --rebuild` child process; workers
are found under it through /proc (Linux).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_needle
from test_index import clinic_posts

from crawler.records import CrawlError, SitemapEntry, parse_record
from indexer.documents import decode_record, record_hash, record_key
from indexer.store import load_posts, load_records

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not sys.platform.startswith("linux") or not Path(f"/proc/{os.getpid()}/task").is_dir(),
                       reason="finds worker processes through Linux's /proc"),
]

BIG = 3000  # generated posts: a rebuild of them takes several seconds per worker
BUSY_CPU_S = 1.0  # CPU seconds after which a worker is indexing (its imports take ~0.4 s)
WAIT_S = 120.0  # bound of every wait for a process to start, work or exit


# --- the index before and after -------------------------------------------------------


def baseline_records():
    """What the live index holds before each rebuild: a clinic's posts and other kinds."""
    posts = clinic_posts()
    return [*posts, CrawlError(url=f"{posts[0].url}broken/", reason="http_500"),
            SitemapEntry(url=posts[1].url, sitemap_url="https://clinic.example/sitemap.xml")]


def posts_of(index: Path) -> dict[str, str]:
    """URL -> content hash of every post of the index."""
    return {post.url: post.content_hash for post in load_posts(index)}


def records_of(index: Path) -> dict[str, str]:
    """key -> hash of every record of the index, of every kind."""
    return {record_key(r): record_hash(r) for r in load_records(index)}


def files_of(index: Path) -> dict[str, str]:
    """name -> sha256 of every index file (locks and build-aside folders aside)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in index.iterdir()
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith("LOCK")
        and not path.name.endswith(".lock")
    }


class Snapshot:
    def __init__(self, index: Path):
        self.index = index
        self.posts = posts_of(index)
        self.records = records_of(index)
        self.files = files_of(index)

    def assert_intact(self, *, files: bool = True) -> None:
        """The index holds the same posts (URL and content hash), the same records of
        every kind, and (``files``) byte for byte the same files."""
        assert posts_of(self.index) == self.posts
        assert records_of(self.index) == self.records
        if files:
            assert files_of(self.index) == self.files


@pytest.fixture
def live(tmp_path: Path) -> Snapshot:
    """A live index of the baseline records, built by `needle index`."""
    export = tmp_path / "baseline.jsonl"
    write_jsonl(export, baseline_records())
    index = tmp_path / "index"
    run_needle("index", str(export), "--index", str(index), timeout=WAIT_S)
    snapshot = Snapshot(index)
    assert len(snapshot.posts) == 20 and len(snapshot.records) == 22
    return snapshot


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BIG generated posts as JSON Lines (none of them in the baseline)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import generate_posts
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    write_jsonl(path, generate_posts(BIG))
    return path


def write_jsonl(path: Path, records) -> None:
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")


def aside_folders(index: Path) -> list[Path]:
    return sorted(index.glob(".rebuild-*"))


# --- processes ---------------------------------------------------------------------------


class Rebuild:
    """A `needle index EXPORT --rebuild` child process. Its output goes to files, not
    pipes: a pipe would stay open as long as any process that inherited it."""

    def __init__(self, export: Path, index: Path):
        self.out = index.parent / "rebuild.out"
        self.err = index.parent / "rebuild.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli", "index", str(export), "--rebuild", "--index", str(index)],
                cwd=ROOT, stdout=out, stderr=err,
            )
        self.pid = self.proc.pid
        self.seen: dict[int, int] = {}  # pid -> start time of every descendant seen

    def poll(self) -> int | None:
        return self.proc.poll()

    def output(self) -> tuple[str, str]:
        return self.out.read_text(), self.err.read_text()

    def finish(self) -> tuple[int, str, str]:
        """Wait (bounded) for it to end: (exit code, stdout, stderr)."""
        try:
            code = self.proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the rebuild did not end within {WAIT_S:.0f} s\n{self.output()}") from None
        return (code, *self.output())

    def kill_all(self) -> None:
        """Clean up after a failed test: the rebuild and whatever it left running."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pid, started in self.seen.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children of each of its threads, recursively)."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        for tasks in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in tasks.read_text().split()]
            except OSError:
                continue  # it just exited
            found += kids
            stack += kids
    return found


def stat(pid: int) -> tuple[str, float, int] | None:
    """(state, CPU seconds, start time) of a live process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return fields[0], (int(fields[11]) + int(fields[12])) / ticks, int(fields[19])


def alive(pid: int, started: int) -> bool:
    """``pid`` is still the process that started at ``started`` and is not a zombie."""
    now = stat(pid)
    return now is not None and now[2] == started and now[0] not in ("Z", "X")


def wait_until(condition, what: str, timeout: float = WAIT_S, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting until {what}")


def busy_workers(rebuild: Rebuild) -> dict[int, int]:
    """Wait until the rebuild's workers are indexing (one has used BUSY_CPU_S of CPU);
    pid -> start time of every descendant of the rebuild."""

    def busy():
        assert rebuild.poll() is None, f"the rebuild ended before its workers were busy: {rebuild.output()}"
        kids = {pid: stat(pid) for pid in children(rebuild.pid)}
        kids = {pid: s for pid, s in kids.items() if s is not None}
        rebuild.seen.update({pid: started for pid, (_, _, started) in kids.items()})
        if any(cpu >= BUSY_CPU_S for _, cpu, _ in kids.values()):
            return {pid: started for pid, (_, _, started) in kids.items()}
        return None

    return wait_until(busy, "a rebuild worker is busy indexing")


def assert_all_gone(processes: dict[int, int], timeout: float = 10.0) -> None:
    wait_until(lambda: not any(alive(pid, started) for pid, started in processes.items()),
               f"the processes {sorted(processes)} are gone", timeout=timeout)


# --- wrong input -------------------------------------------------------------------------


WRONG_INPUTS = {
    "csv": ("url,title,published\nhttps://clinic.example/blog/a/,A,2024-01-01\n", "is a record"),
    "empty": ("", "no records"),
    "blank lines only": ("\n  \n\n", "no records"),
    "invalid lines": ('{"not": "a record"}\n{broken json\n[1, 2]\n', "is a record"),
    "one bad line among records": (None, "1 of 21 lines are not records"),
}


@pytest.mark.parametrize("kind", list(WRONG_INPUTS))
def test_rebuild_from_a_wrong_input_leaves_the_index_untouched(live, tmp_path, kind):
    text, says = WRONG_INPUTS[kind]
    if text is None:  # a real export with one broken line in the middle
        lines = [r.model_dump_json() for r in clinic_posts()]
        text = "\n".join(lines[:10] + ["{oops"] + lines[10:]) + "\n"
    export = tmp_path / ("posts.csv" if kind == "csv" else "posts.jsonl")
    export.write_text(text, encoding="utf-8")

    result = run_needle("index", str(export), "--rebuild", "--index", str(live.index), check=False,
                        timeout=WAIT_S)

    assert result.returncode == 1, result.stderr
    assert "not rebuilding" in result.stderr and says in result.stderr
    assert f"the index at {live.index} was left untouched" in result.stderr
    live.assert_intact()
    assert not aside_folders(live.index)


def test_rebuild_from_a_file_that_is_not_text_leaves_the_index_untouched(live, tmp_path):
    export = tmp_path / "posts.jsonl.gz"
    export.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)

    result = run_needle("index", str(export), "--rebuild", "--index", str(live.index), check=False,
                        timeout=WAIT_S)

    assert result.returncode == 1, result.stderr
    assert "not UTF-8 text" in result.stderr and "left untouched" in result.stderr
    live.assert_intact()


# --- killed processes --------------------------------------------------------------------


def test_a_killed_worker_fails_the_rebuild_and_leaves_the_index_untouched(live, big_export):
    rebuild = Rebuild(big_export, live.index)
    try:
        workers = busy_workers(rebuild)
        assert len(workers) >= 2, f"expected one worker per core, found {workers}"
        victim = next(iter(workers))
        os.kill(victim, signal.SIGKILL)
        code, out, err = rebuild.finish()

        assert code != 0, f"a rebuild with a killed worker succeeded\n{out}\n{err}"
        assert code == 1
        assert f"(pid {victim}) was killed by SIGKILL" in err
        assert f"the index at {live.index} was left untouched" in err
        live.assert_intact()
        assert not aside_folders(live.index)
        # the other workers were stopped with the rebuild, and nothing holds the lock
        assert_all_gone(workers)
        run_needle("index", str(live.index.parent / "baseline.jsonl"), "--index", str(live.index),
                   timeout=WAIT_S)
        live.assert_intact(files=False)
    finally:
        rebuild.kill_all()


def test_a_killed_rebuild_leaves_no_lock_no_workers_and_the_index_untouched(live, big_export):
    rebuild = Rebuild(big_export, live.index)
    try:
        workers = busy_workers(rebuild)
        assert workers, "the rebuild started no worker"
        os.kill(rebuild.pid, signal.SIGKILL)
        assert rebuild.finish()[0] == -signal.SIGKILL

        live.assert_intact()
        # an update takes the lock at once: no worker of the dead rebuild holds it
        started = time.monotonic()
        update = run_needle("index", str(live.index.parent / "baseline.jsonl"), "--index", str(live.index),
                            check=False, timeout=WAIT_S)
        assert update.returncode == 0, f"the update after a killed rebuild failed:\n{update.stderr}"
        assert time.monotonic() - started < 30
        live.assert_intact(files=False)
        assert_all_gone(workers)
        # the next rebuild clears what the killed one left aside, and succeeds
        assert aside_folders(live.index)
        small = live.index.parent / "small.jsonl"
        write_jsonl(small, clinic_posts()[:3])
        run_needle("index", str(small), "--rebuild", "--index", str(live.index), timeout=WAIT_S)
        assert set(posts_of(live.index)) == {p.url for p in clinic_posts()[:3]}
        assert not aside_folders(live.index)
    finally:
        rebuild.kill_all()


# --- what does work ----------------------------------------------------------------------


def test_a_rebuild_on_workers_replaces_everything(live, tmp_path, big_export):
    lines = big_export.read_text(encoding="utf-8").splitlines(keepends=True)[:600]
    export = tmp_path / "some.jsonl"
    export.write_text("".join(lines), encoding="utf-8")
    expected = {post.url: post.content_hash for post in map(parse_record, lines)}

    rebuild = Rebuild(export, live.index)
    try:
        def ended() -> bool:
            rebuild.seen.update({pid: s[2] for pid in children(rebuild.pid) if (s := stat(pid))})
            return rebuild.poll() is not None

        wait_until(ended, "the rebuild ends", every=0.02)
        code, out, err = rebuild.finish()
    finally:
        rebuild.kill_all()

    assert code == 0, err
    assert len(rebuild.seen) >= 2, "600 posts should be built by two workers"
    assert posts_of(live.index) == expected  # the baseline's posts and other records are gone
    assert len(load_records(live.index)) == 600
    assert not aside_folders(live.index)
    # the old generation's files were removed: only the new table of contents and segments
    # (the crawl history beside them is not the index's: a rebuild keeps it)
    names = set(files_of(live.index)) - {"history.sqlite"}
    assert not names & set(live.files)
    assert sum(1 for n in names if n.endswith(".toc")) == 1


def test_readers_of_the_old_index_keep_working_through_a_rebuild(live, tmp_path):
    from indexer.writer import open_index

    export = tmp_path / "three.jsonl"
    write_jsonl(export, clinic_posts()[:3])
    searcher = open_index(live.index).searcher()
    try:
        run_needle("index", str(export), "--rebuild", "--index", str(live.index), timeout=WAIT_S)
        # the old generation, still open here, reads whole after the swap
        stored = [decode_record(s["record"]) for s in searcher.all_stored_fields() if s["kind"] != "state"]
        assert {record_key(r): record_hash(r) for r in stored} == live.records
    finally:
        searcher.close()
    assert set(posts_of(live.index)) == {p.url for p in clinic_posts()[:3]}


def test_a_rebuild_replaces_an_index_of_an_older_field_layout(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from indexer.writer import INDEX_NAME

    index = tmp_path / "index"
    index.mkdir()
    whoosh_index.create_in(str(index), Schema(key=ID(unique=True), body=TEXT), indexname=INDEX_NAME)
    export = tmp_path / "posts.jsonl"
    write_jsonl(export, clinic_posts()[:3])

    run_needle("index", str(export), "--rebuild", "--index", str(index), timeout=WAIT_S)

    assert posts_of(index) == {p.url: p.content_hash for p in clinic_posts()[:3]}


def test_a_rebuild_of_a_locked_index_exits_3_and_changes_nothing(live, tmp_path):
    from whoosh.util.filelock import FileLock

    from indexer.writer import SESSION_LOCK

    export = tmp_path / "three.jsonl"
    write_jsonl(export, clinic_posts()[:3])
    lock = FileLock(str(live.index / SESSION_LOCK))
    assert lock.acquire()
    try:
        result = run_needle("index", str(export), "--rebuild", "--index", str(live.index), check=False,
                            timeout=WAIT_S)
    finally:
        lock.release()

    assert result.returncode == 3, result.stderr
    assert f"the index is locked by another writer (lock file {live.index / SESSION_LOCK})" in result.stderr
    live.assert_intact()
