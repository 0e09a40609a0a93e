"""The one finding type of every report, and the score bands and plurals they print.

A finding names the rule (``check``: the audit's signal, the SEO report's check), what was
found (``evidence``), and the page; each report fills the fields it has (the audit an action
and a weight, the SEO report a threshold and a severity). Each report keeps its own export
shape (``audit_row``, ``seo_row``), so the JSON and CSV people already parse do not change.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "opportunity"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "opportunity")


class Finding(BaseModel):
    # frozen: a finding is a fact of one run; reports sort and group, never edit it
    model_config = ConfigDict(frozen=True)

    check: str
    evidence: str
    url: str = ""  # the page it is about (the audit groups findings per post instead)
    action: str = ""
    threshold: str = ""  # the rule measured against
    weight: float = 0  # how much it adds to the audit's urgency score
    severity: Severity | None = None
    related: list[str] = Field(default_factory=list)  # other URLs (duplicates, links)

    def audit_row(self) -> dict:
        """The audit's JSON shape of a finding (as before the shared model)."""
        return {"signal": self.check, "evidence": self.evidence, "action": self.action,
                "weight": self.weight, "related": list(self.related)}

    def seo_row(self, why: str) -> dict[str, str]:
        """The SEO report's JSON and CSV shape of a finding."""
        return {"url": self.url, "check": self.check, "value": self.evidence,
                "threshold": self.threshold, "severity": self.severity or "", "why": why}


# -- bands and words both reports print (Python and templates read these) ------------------

# the audit's finding weight: 4+ is urgent, 2+ matters, the rest is housekeeping
WEIGHT_BANDS = ((4, "high"), (2, "mid"), (0, "low"))
# the SEO score out of 100
SCORE_BANDS = ((80, "good"), (50, "fair"), (0, "poor"))
# one colour per band for the terminal (rich styles)
BAND_STYLES = {"high": "bold red", "mid": "yellow", "low": "cyan",
               "good": "green", "fair": "yellow", "poor": "red",
               "error": "red", "warning": "yellow", "opportunity": "cyan"}


def weight_band(weight: float) -> str:
    return next(name for low, name in WEIGHT_BANDS if weight >= low or low == 0)


def score_band(score: float) -> str:
    return next(name for low, name in SCORE_BANDS if score >= low or low == 0)


IRREGULAR = {"opportunity": "opportunities"}


def plural(word: str, n: int = 2) -> str:
    """``word`` as it reads after the count ``n``: 1 error, 2 errors, 3 opportunities."""
    return word if n == 1 else IRREGULAR.get(word, word + "s")
