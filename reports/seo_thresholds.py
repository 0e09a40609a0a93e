"""The SEO report's thresholds: each with its default and where that default comes from.

Defaults follow the SEO crawlers people already use (Screaming Frog SEO Spider, Sitebulb,
Semrush Site Audit, Google's own documentation), adjusted where a clinic blog differs;
every adjustment says why. settings.py (NEEDLE_SEO_*) and `needle seo -t NAME=VALUE`
override them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


def _t(default: Any, unit: str, source: str) -> Any:
    return field(default=default, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class SeoThresholds:
    title_min_chars: int = _t(30, "characters", "Screaming Frog: title 'Below 30 Characters'")
    title_max_chars: int = _t(60, "characters", "Screaming Frog: title 'Over 60 Characters'")
    title_max_px: int = _t(
        580, "pixels (Arial 20 px)",
        "Google's desktop title is about 580 px wide before it is cut; Screaming Frog's "
        "default is 561 px, which flags titles Google still shows whole")
    description_min_chars: int = _t(
        70, "characters", "Screaming Frog: meta description 'Below 70 Characters'")
    description_max_chars: int = _t(
        155, "characters", "Screaming Frog: meta description 'Over 155 Characters'")
    h1_max_chars: int = _t(70, "characters", "Screaming Frog: H1 'Over 70 Characters'")
    url_max_chars: int = _t(115, "characters", "Screaming Frog: URL 'Over 115 Characters'")
    alt_max_chars: int = _t(
        100, "characters", "Screaming Frog: image 'Alt Text Over 100 Characters'")
    alt_repeat_min: int = _t(
        3, "images", "Needle: three or more content images of one post with one alt text "
        "(Sitebulb flags shared alt text without a fixed number)")
    small_image_px: int = _t(
        48, "pixels (width and height attributes)",
        "Needle: an image no larger than an icon (48 px) with empty alt is likely decorative, "
        "as WCAG's decorative-image guidance describes; larger ones are content")
    min_words: int = _t(
        100, "words",
        "Screaming Frog flags 'Low Content' under 200 words of whole-page text; Needle counts "
        "the post body only (no navigation, footer or widgets), so the bar is halved")
    max_response_ms: float = _t(
        600.0, "ms", "Lighthouse 'Reduce initial server response time' fails above 600 ms")
    max_page_bytes: int = _t(
        2_000_000, "bytes", "Semrush Site Audit: HTML size over 2 MB")
    deep_min_depth: int = _t(
        4, "clicks", "Screaming Frog / Sitebulb: pages 4 or more clicks from the start are deep")
    redirect_chain_hops: int = _t(
        2, "redirects", "Screaming Frog 'Redirect Chains': more than one redirect in a row")
    lastmod_tolerance_days: float = _t(
        1.0, "days", "Needle: sitemap <lastmod> and the page's modified date may differ by "
        "time zone (Google uses lastmod only if it is 'consistently and verifiably accurate')")
    cannibalisation_similarity: float = _t(
        0.8, "Jaccard of query terms",
        "Needle heuristic: the title's and H1's content words (stop words and generic words "
        "such as 'guide' removed, light stemming) overlap this much between two posts of "
        "one site and language")

    def with_overrides(self, values: dict[str, Any]) -> "SeoThresholds":
        """A copy with ``values`` (name -> value, strings allowed) applied; unknown names raise."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            key = name.strip().lower()
            if key not in known:
                raise KeyError(f"unknown SEO threshold {name!r}; known: {', '.join(sorted(known))}")
            kind = type(known[key].default)
            changes[key] = kind(float(raw)) if kind is int else kind(raw)
        return replace(self, **changes)


def describe() -> list[dict[str, Any]]:
    """Every threshold with its default, unit and source (for docs and --help)."""
    return [
        {"name": f.name, "default": f.default, "unit": f.metadata["unit"],
         "source": f.metadata["source"]}
        for f in fields(SeoThresholds)
    ]


def from_settings(module: Any) -> SeoThresholds:
    """Thresholds from settings.py's NEEDLE_SEO_* knobs (those that are set)."""
    values = {}
    for f in fields(SeoThresholds):
        value = getattr(module, f"NEEDLE_SEO_{f.name.upper()}", None)
        if value is not None:
            values[f.name] = value
    return SeoThresholds().with_overrides(values)
