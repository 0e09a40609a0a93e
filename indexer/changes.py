"""What changed between two versions of a post, field by field, as a reader would say it.

Pure: (old post, new post) -> {field: detail}. Only what a reader sees or a report reads is
compared (title, dates, body, images and captions, categories, tags, author, status);
fetch facts such as depth or response time are the crawl's, not the post's. For a site page
(home, contact, team) only the clinic's facts count: phones, emails, addresses, hours, and
on a team page the names listed (its headings).
"""

from __future__ import annotations

import difflib
from typing import Any

from crawler.records import PageRole, Post, SitePage

EXCERPT_CHARS = 80  # of each side of the first changed passage
PAGE_FACTS = ("phones", "emails", "addresses", "hours", "staff")


def post_changes(old: Post, new: Post) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("title", "author"):
        if getattr(old, name) != getattr(new, name):
            changes[name] = {"old": getattr(old, name), "new": getattr(new, name)}
    for name in ("published", "modified"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes[name] = {"old": before.isoformat() if before else None,
                             "new": after.isoformat() if after else None}
    if old.body != new.body:
        changes["body"] = body_change(old.body, new.body)
    images = {(i.src, i.alt, i.caption) for i in old.images}, {(i.src, i.alt, i.caption) for i in new.images}
    if images[0] != images[1]:
        changes["images"] = {"removed": sorted(_shown(i) for i in images[0] - images[1]),
                             "added": sorted(_shown(i) for i in images[1] - images[0])}
    for name in ("categories", "tags"):
        before, after = set(getattr(old, name)), set(getattr(new, name))
        if before != after:
            changes[name] = {"removed": sorted(before - after), "added": sorted(after - before)}
    if old.fetch.status != new.fetch.status:
        changes["status"] = {"old": old.fetch.status, "new": new.fetch.status}
    return changes


def page_changes(old: SitePage, new: SitePage) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("phones", "emails", "addresses", "hours"):
        before, after = _facts(old, name), _facts(new, name)
        if before != after:
            changes[name] = {"removed": [v for v in before if v not in after],
                             "added": [v for v in after if v not in before]}
    if PageRole.TEAM in (old.role, new.role):
        before = list(dict.fromkeys(h.text for h in old.headings))
        after = list(dict.fromkeys(h.text for h in new.headings))
        if before != after:
            changes["staff"] = {"removed": [v for v in before if v not in after],
                                "added": [v for v in after if v not in before]}
    if old.fetch.status != new.fetch.status:
        changes["status"] = {"old": old.fetch.status, "new": new.fetch.status}
    return changes


def body_change(old: str, new: str) -> dict[str, Any]:
    """The share of words changed, and the first changed passage (old -> new)."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed = max(len(a), len(b)) - sum(block.size for block in matcher.get_matching_blocks())
    excerpt = None
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            excerpt = {"old": _cut(" ".join(a[i1:i2])), "new": _cut(" ".join(b[j1:j2]))}
            break
    return {"share": round(changed / max(len(a), len(b), 1), 3), "excerpt": excerpt}


def summary(changes: dict[str, Any]) -> str:
    """One line for a table: `title, body (12% of words)`."""
    parts = []
    for name, detail in changes.items():
        if name == "body":
            parts.append(f"body ({detail['share']:.0%} of words)")
        elif name in PAGE_FACTS:  # short values: show them
            shown = [f"-{v}" for v in detail["removed"]] + [f"+{v}" for v in detail["added"]]
            parts.append(f"{name} {' '.join(shown)}")
        else:
            parts.append(name)
    return ", ".join(parts)


def _facts(page: SitePage, name: str) -> list[str]:
    """One kind of contact detail of a page, header and footer and its own text together."""
    return list(dict.fromkeys([*getattr(page.contacts, name), *getattr(page.body_contacts, name)]))


def _shown(image: tuple[str, str | None, str | None]) -> str:
    src, alt, caption = image
    return " | ".join(filter(None, (src.rsplit("/", 1)[-1], alt, caption)))


def _cut(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1] + "…"
