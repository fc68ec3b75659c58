"""A plan's period (base year, first year, target year), read from the plan itself, never assumed.

「第十四个五年规划」 → 2021–2025 with base year 2020; 「第十五个五年规划」 → 2026–2030 with base 2025. A plan that
states its years (「（2026—2030年）」, 「2026年至2030年」) wins over the ordinal; the office can still correct it at
import. No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.plan_text import cn_number


@dataclass(frozen=True)
class Period:
    base_year: int  # the year before the plan starts: the base of 「年均增长」 and of every 序时 schedule
    first_year: int
    target_year: int

    @property
    def years(self) -> list[int]:
        """Every year the plan tracks, base year included."""
        return list(range(self.base_year, self.target_year + 1))

    @property
    def label(self) -> str:
        return f"{self.first_year}—{self.target_year}年"


def five_year_plan_period(ordinal: int) -> Period:
    """The n-th Five-Year Plan. The 3rd began in 1966 (1963–1965 were years of readjustment between the 2nd and
    the 3rd), and every plan since has followed the last: the n-th starts in 1966 + 5 (n − 3)."""
    first = 1953 + 5 * (ordinal - 1) if ordinal <= 2 else 1966 + 5 * (ordinal - 3)
    return Period(first - 1, first, first + 4)


_ORDINAL_RE = re.compile(r"第([一二三四五六七八九十]+)个五年")
_SHORT_RE = re.compile(r"[“\"]?([一二三四五六七八九十]+)五[”\"]?(规划|时期)")
_EXPLICIT_RE = re.compile(r"[（(]?\s*(20\d\d)\s*(?:年)?\s*[—\-–~～至到]\s*(20\d\d)\s*年?\s*[)）]?")


def detect_period(title: str, text: str = "") -> Period | None:
    """The period a plan states: explicit years in the title first, then 「第十五个五年」 or 「十五五」 in the
    title, then the same in the opening text. None if the plan does not say."""
    for source in (title, text[:5000]):
        if not source:
            continue
        match = _EXPLICIT_RE.search(source)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if 1 <= last - first <= 9:
                return Period(first - 1, first, last)
        match = _ORDINAL_RE.search(source) or _SHORT_RE.search(source)
        if match:
            ordinal = cn_number(match.group(1))
            if ordinal and 1 <= ordinal <= 30:
                return five_year_plan_period(ordinal)
    return None
