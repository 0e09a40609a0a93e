"""The audit signals only the crawl history can give: how a post changed across crawls.

Each reads ``ctx.edits[post.url]``, the post's recorded changes oldest first (each with the
crawl's start time and the fields that changed, as indexer.changes describes them). Health
content should show when it was last reviewed: a rewrite without a new date hides the
change from readers, and a new date without a rewrite claims a review that left no trace.
"""

from __future__ import annotations

from datetime import date, timedelta

from crawler.records import Post
from reports.audit_model import Context, make_finding
from reports.findings import Finding

DATE_FIELDS = ("modified", "published")
TEXT_FIELDS = ("body", "title", "images")


def _day(edit: dict) -> str:
    return edit["started"][:10]


def _rewrote(edit: dict, share: float) -> bool:
    body = edit["fields"].get("body")
    return body is not None and body["share"] >= share


def _redated(edit: dict) -> bool:
    return any(name in edit["fields"] for name in DATE_FIELDS)


def detect_edited_not_redated(post: Post, ctx: Context) -> list[Finding]:
    """The latest rewrite of the text came with no move of the dates, then or since."""
    edits = ctx.edits.get(post.url, [])
    rewrites = [i for i, edit in enumerate(edits) if _rewrote(edit, ctx.thresholds.redate_share)]
    if not rewrites or (post.published is None and post.modified is None):  # undated: no_date says so
        return []
    last = rewrites[-1]
    if any(_redated(edit) for edit in edits[last:]):
        return []
    edit = edits[last]
    shown = post.modified or post.published
    label = "updated" if post.modified else "published"
    return [make_finding(
        "edited_not_redated",
        f"the text changed ({edit['fields']['body']['share']:.0%} of words) in the crawl of {_day(edit)}; "
        f"the post still shows {label} {shown.date().isoformat()}",
        "Show the date of this revision (a visible \"Updated on\" or \"Reviewed on\" line and "
        "dateModified), so readers know the advice was checked.")]


def detect_redated_not_edited(post: Post, ctx: Context) -> list[Finding]:
    """The latest move of the dates came with no change to the text, title or images."""
    edits = [edit for edit in ctx.edits.get(post.url, []) if _redated(edit)]
    if not edits:
        return []
    edit = edits[-1]
    if any(name in edit["fields"] for name in TEXT_FIELDS):
        return []
    name = "modified" if "modified" in edit["fields"] else "published"
    moved = edit["fields"][name]
    return [make_finding(
        "redated_not_edited",
        f"its {'updated' if name == 'modified' else 'published'} date moved from {(moved['old'] or 'none')[:10]} "
        f"to {(moved['new'] or 'none')[:10]} in the crawl of {_day(edit)}, but its text did not change",
        "Move the date only when the post is reviewed or revised, and say what was reviewed; a "
        "fresh date on unchanged advice misleads readers and search engines.")]


def detect_often_edited(post: Post, ctx: Context) -> list[Finding]:
    """Text or title changed in at least ``edits`` crawls within ``edit_days`` of as-of."""
    th = ctx.thresholds
    since = ctx.as_of - timedelta(days=th.edit_days)
    days = [_day(edit) for edit in ctx.edits.get(post.url, [])
            if any(name in edit["fields"] for name in ("body", "title"))
            and since <= date.fromisoformat(_day(edit)) <= ctx.as_of]
    if len(days) < th.edits:
        return []
    return [make_finding(
        "often_edited", f"edited {len(days)} times in {th.edit_days} days ({', '.join(days)})",
        "Settle the text: keep a short change log on the post, and make one reviewed revision "
        "rather than many small ones.")]


HISTORY_DETECTORS = (detect_edited_not_redated, detect_redated_not_edited, detect_often_edited)
