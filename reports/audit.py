"""Content audit: which posts need a refresh, and why. Pure over records (no I/O).

``audit(records, as_of=..., thresholds=...)`` runs one small detector per signal over every
post, clusters near-duplicates and posts competing for one topic, adds site-wide findings
(footer copyright, trust habits) and ranks the posts by the summed weight of their findings.
Signals and weights are data in reports.audit_model, phrase lists at the top of each
detector module, so a new wording is a line. Loading an index and checking links is
reports.audit_job's.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from crawler.records import DateKind, Post, SitePage, Teaser
from reports import topics
from reports.audit_model import (
    SIGNALS, TRUST_SIGNALS, AuditReport, AuditThresholds, ClinicFacts, Context,
    PostAudit, anchor_date, local_date, make_finding, months_between, quote,
)
from reports.audit_history import HISTORY_DETECTORS
from reports.audit_people import (
    CREDENTIAL_RE, detect_departed_staff, detect_stale_contacts, learn_former_authors,
    learn_site_facts, name_key, person_name,
)
from reports.audit_time import (
    detect_age, detect_dates_disagree, detect_no_date, detect_sitemap_lastmod,
    detect_time_references,
)
from reports.crawl_facts import Crawl, LinkState, site_of
from reports.topics import WORD_RE
from reports.findings import Finding

# Headings or words that show a post cites sources.
REFERENCES_RE = re.compile(r"\b(references|sources|bibliography|further reading)\b", re.I)
REVIEWED_RE = re.compile(r"\b(reviewed|updated) (on|by)\b", re.I)
# Where REVIEWED_RE matches, the lower-cased text holds one of these (re.I also takes ı and
# İ for i, hence "reviewed" by its tail): most bodies are spared the case-blind scan, which
# tries every position.
REVIEWED_HINTS = ("updated", "ewed")


def detect_links(post: Post, ctx: Context) -> list[Finding]:
    broken, redirected, unchecked = [], [], []
    seen = set()
    for link in post.links:
        href = link.href.split("#", 1)[0]
        if not link.in_body or href in seen:
            continue
        seen.add(href)
        state = ctx.links.get(href)
        if state is None:
            continue
        label = quote(link.text) if link.text else "link"
        if not state.checked:
            unchecked.append((href, f"{label} → {href} ({state.reason or 'not checked'})"))
        elif not state.ok:
            broken.append((href, f"{label} → {href} ({state.reason or state.status})"))
        elif state.final_url and state.final_url != href:
            redirected.append((href, f"{label} → {href} redirects to {state.final_url}"))
    out = []
    if broken:
        out.append(make_finding("broken_link", "; ".join(e for _, e in broken),
                                "Fix or remove the broken links (find the moved page or a current "
                                "source).", related=[h for h, _ in broken]))
    if redirected:
        out.append(make_finding("redirected_link", "; ".join(e for _, e in redirected),
                                "Point the links straight at their final address.",
                                related=[h for h, _ in redirected]))
    if unchecked:
        out.append(make_finding("unchecked_link", "; ".join(e for _, e in unchecked),
                                "Check these links by hand: a private address works only inside "
                                "the clinic's network (NEEDLE_AUDIT_LINK_ALLOW_HOSTS lets the "
                                "checker reach an intranet host).",
                                related=[h for h, _ in unchecked]))
    return out


def detect_thin(post: Post, ctx: Context) -> list[Finding]:
    if post.word_count >= ctx.thresholds.thin_words:
        return []
    return [make_finding("thin", f"{post.word_count} words (threshold {ctx.thresholds.thin_words})",
                         "Expand it into a useful answer, merge it into a related post, or retire "
                         "it.")]


def _title_key(title: str | None) -> str:
    return " ".join(WORD_RE.findall((title or "").lower()))


def detect_teaser_mismatch(post: Post, ctx: Context) -> list[Finding]:
    problems, listings = [], []
    for teaser in ctx.teasers.get(post.url, []):
        if teaser.title and post.title and _title_key(teaser.title) != _title_key(post.title):
            problems.append(f"card title {quote(teaser.title)} vs post {quote(post.title)}")
            listings.append(teaser.listing_url)
        # a card that repeats one of the post's own dates is not the card's fault: the
        # post's dates disagree among themselves (dates_disagree)
        own = {post.published.date()} | {c.value.date() for c in post.date_candidates
                                          if c.kind == DateKind.PUBLISHED} if post.published else set()
        if teaser.published and own and min(
                abs((teaser.published.date() - d).days) for d in own) > 1:
            problems.append(f"card date {teaser.published_raw or teaser.published.date()} vs post "
                            f"{post.published_raw or post.published.date()}")
            listings.append(teaser.listing_url)
    if not problems:
        return []
    return [make_finding("teaser_mismatch", "; ".join(dict.fromkeys(problems)),
                         "Make the listing card show the post's own title and date.",
                         related=dict.fromkeys(listings))]


# -- trust signals: lacking per post, reported per site when it is the site's habit ---------


def trust_gaps(post: Post, ctx: Context) -> dict[str, str]:
    """signal -> evidence for each trust signal this post lacks."""
    gaps = {}
    if not post.author:
        gaps["no_author"] = "no author byline"
    elif not CREDENTIAL_RE.search(post.author) and not _credentialed_on_team(post, ctx):
        gaps["no_credentials"] = f"byline {quote(post.author)} gives no credentials"
    site = site_of(post.site)
    cites = any(link.in_body and site_of(link.href) != site for link in post.links)
    if not cites and not any(REFERENCES_RE.search(h.text) for h in post.headings):
        gaps["no_references"] = "no link to an outside source and no references section"
    written = anchor_date(post)
    published = local_date(post.published)
    if written and months_between(written, ctx.as_of) >= ctx.thresholds.review_months:
        updated = post.modified and published and \
            (local_date(post.modified) - published).days > ctx.thresholds.date_tolerance_days
        if not updated and not _says_reviewed(post.body):
            gaps["no_review_date"] = f"published {published}, no reviewed/updated date"
    return gaps


def _says_reviewed(text: str) -> bool:
    lowered = text.lower()
    return any(h in lowered for h in REVIEWED_HINTS) and bool(REVIEWED_RE.search(text))


def _credentialed_on_team(post: Post, ctx: Context) -> bool:
    # the team page shows the author's profession or credential under their name
    site = ctx.sites.get(post.site)
    bare = person_name(post.author or "")
    return bool(site and bare and name_key(bare) in site.credentialed)


TRUST_ACTIONS = {
    "no_author": "Add an author byline (a named clinician) to health posts.",
    "no_credentials": "Show the author's profession and credentials in the byline.",
    "no_references": "Cite the guidelines or studies the advice rests on.",
    "no_review_date": "Review older posts and show a 'medically reviewed/updated on' date.",
}


def site_trust(posts: list[Post], ctx: Context) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """Per-post trust findings and site findings: a gap shared by at least
    ``trust_site_share`` of the site's eligible posts is one site finding."""
    per_post: dict[str, list[Finding]] = defaultdict(list)
    site_findings: list[Finding] = []
    gaps = {p.url: trust_gaps(p, ctx) for p in posts}
    eligible = {
        "no_author": posts,
        "no_credentials": [p for p in posts if p.author],
        "no_references": posts,
        "no_review_date": [p for p in posts if anchor_date(p) and months_between(
            anchor_date(p), ctx.as_of) >= ctx.thresholds.review_months],
    }
    for signal in TRUST_SIGNALS:
        lacking = [p for p in eligible[signal] if signal in gaps[p.url]]
        if not lacking:
            continue
        share = len(lacking) / len(eligible[signal])
        if len(lacking) >= 2 and share >= ctx.thresholds.trust_site_share:
            site_findings.append(make_finding(
                signal, f"{len(lacking)} of {len(eligible[signal])} posts: "
                        f"{SIGNALS[signal][1]}", TRUST_ACTIONS[signal],
                related=[p.url for p in lacking]))
        else:
            for p in lacking:
                per_post[p.url].append(
                    make_finding(signal, gaps[p.url][signal], TRUST_ACTIONS[signal]))
    return per_post, site_findings


def detect_copyright(site: str, ctx: Context) -> list[Finding]:
    year = ctx.sites[site].copyright_year if site in ctx.sites else None
    if year is None or ctx.as_of.year - year <= ctx.thresholds.copyright_years:
        return []
    return [make_finding("copyright_past",
                         f"footer says © {year} ({ctx.as_of.year - year} years ago)",
                         "Update the footer's copyright year (or print the current year).")]


# -- overlap: near-duplicates and posts competing for one topic (reports.topics) -------------


def keeper(cluster: list[Post], inbound: Counter) -> Post:
    """The post to keep: newest, then longest, then best linked."""
    return max(cluster, key=lambda p: (anchor_date(p) or date.min, p.word_count,
                                       inbound[p.url], p.url))


def detect_overlap(posts: list[Post], ctx: Context) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    position = {id(p): i for i, p in enumerate(posts)}
    dup = topics.similar_pairs([p.body for p in posts], ctx.thresholds.duplicate_similarity)
    # rewritten rather than copied (and short posts, which have few shingles): by sentences
    reworded = {k: v for k, v in topics.reworded_pairs([p.body for p in posts],
                                                       ctx.thresholds.duplicate_similarity).items()
                if k not in dup}
    dup.update(reworded)
    topic = {k: v for k, v in topics.topic_pairs([(p.site, p.language or "") for p in posts],
                                  [topics.title_terms(p.title) for p in posts],
                                  ctx.thresholds.topic_similarity).items()
             if k not in dup}
    for signal, pairs in (("near_duplicate", dup), ("topic_overlap", topic)):
        for group in topics.clusters(len(posts), pairs):
            members = [posts[i] for i in group]
            keep = keeper(members, ctx.inbound)
            others = [p for p in members if p is not keep]
            for post in members:
                rest = [p for p in members if p is not post]
                idx = position[id(post)]
                best, sim = max(((k, v) for k, v in pairs.items() if idx in k), key=lambda kv: kv[1])
                how = (f"title topics {sim:.0%} alike" if signal == "topic_overlap" else
                       f"{sim:.0%} of sentences alike" if best in reworded else f"{sim:.0%} shared text")
                evidence = f"{how} with " + "; ".join(
                    f"{quote(p.title or p.url)} ({anchor_date(p) or 'no date'})" for p in rest)
                if post is keep:
                    action = ("Keep this one (newest, longest, best linked); merge what is useful "
                              "from " + ", ".join(quote(p.title or p.url) for p in others) +
                              " and redirect them here.")
                else:
                    action = (f"Merge into {quote(keep.title or keep.url)} ({keep.url}) and "
                              "301-redirect this address to it.")
                out[post.url].append(make_finding(signal, evidence, action,
                                                  related=[p.url for p in rest]))
    return out


POST_DETECTORS = (
    detect_age, detect_time_references, detect_stale_contacts, detect_departed_staff,
    detect_links, detect_dates_disagree, detect_sitemap_lastmod, detect_thin, detect_no_date,
    detect_teaser_mismatch, *HISTORY_DETECTORS,
)


# -- the audit ------------------------------------------------------------------------------


def audit(records: Iterable[object], *, as_of: date, thresholds: AuditThresholds | None = None,
          facts: ClinicFacts | None = None,
          link_results: dict[str, LinkState] | None = None,
          edits: dict[str, list[dict]] | None = None) -> AuditReport:
    """Audit every post of ``records`` as of ``as_of``; the report ranks them by urgency.

    ``link_results`` are link checks of targets the crawl did not fetch (reports/links.py);
    the crawl's own errors and redirects are read from ``records``. ``edits``: each post's
    recorded changes from the crawl history (reports.audit_history's signals read them).
    """
    crawl = Crawl.of(records)
    records = crawl.records
    thresholds = thresholds or AuditThresholds()
    posts = sorted((r for r in records if isinstance(r, Post)), key=lambda p: p.url)
    teasers: dict[str, list[Teaser]] = defaultdict(list)
    for t in crawl.teasers:
        teasers[t.url].append(t)
    # what the crawl saw wins over a link check: it fetched the page itself
    links = {**(link_results or {}), **crawl.link_states()}
    inbound: Counter = Counter(
        link.href for p in posts for link in p.links if link.in_body and link.href != p.url)
    facts = facts or ClinicFacts()
    sites = learn_site_facts(posts, (r for r in records if isinstance(r, SitePage)))
    ctx = Context(
        as_of=as_of, thresholds=thresholds, facts=facts, sites=sites,
        former_authors=learn_former_authors(posts, sites, facts),
        sitemap=crawl.sitemap_as_written, teasers=teasers, links=links, inbound=inbound,
        edits=edits or {})

    overlap = detect_overlap(posts, ctx)
    by_site: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_site[post.site].append(post)
    trust_per_post: dict[str, list[Finding]] = {}
    sites = []
    for site, group in sorted(by_site.items()):
        per_post, site_findings = site_trust(group, ctx)
        trust_per_post.update(per_post)
        site_findings = detect_copyright(site, ctx) + site_findings
        if site_findings:
            sites.append(PostAudit(url=site + "/", title=f"Site-wide: {site}", site=site,
                                   scope="site", findings=site_findings,
                                   score=round(sum(f.weight for f in site_findings), 2)))

    audits = []
    for post in posts:
        findings = [f for detect in POST_DETECTORS for f in detect(post, ctx)]
        findings += overlap.get(post.url, []) + trust_per_post.get(post.url, [])
        findings.sort(key=lambda f: -f.weight)
        audits.append(PostAudit(
            url=post.url, title=post.title, site=post.site,
            published=local_date(post.published), word_count=post.word_count,
            score=round(sum(f.weight for f in findings), 2), findings=findings))
    # most urgent first; among equals the oldest first (it has waited longest)
    audits.sort(key=lambda a: (-a.score, a.published or date.min, a.url))
    return AuditReport(as_of=as_of, thresholds=thresholds, posts=audits, sites=sites,
                       links_checked=len(link_results or {}))
