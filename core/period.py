"""A plan's period (base year, first year, target year), read from the plan itself, never assumed.

「第十四个五年规划」 → 2021–2025 with base year 2020; 「第十五个五年规划」 → 2026–2030 with base 2025. A plan that
states its years in its title (「（2026—2030年）」, 「2026年至2030年」) wins over the ordinal; the office can still
correct it at import (`guihua import-plan --period`). No I/O here.

How `detect_period` reads a plan, first answer wins:
1. the title's explicit years (a span of one to nine years: 「2026-2030年」);
2. the title's ordinal (「第十五个五年」, 「“十五五”规划」);
3. the text's ordinals (「“十五五”时期」, 「第十五个五年规划」): the one named most often, ties to the latest.
   A plan reviews the period before it (「“十四五”时期，全区……」) but names its own far more often, and
   a plan hardly ever speaks of the period after it;
4. the text's explicit five-year spans (「（2026—2030年）」), the one named most often.
A text that says none of these has no period: the caller asks for one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.kinds import NodeKind
from core.numerals import cn_number

if TYPE_CHECKING:
    from core.plan_text import ParsedPlan


# The 3rd Five-Year Plan began in 1966 (1963–1965 were years of readjustment between the 2nd and the 3rd).
_THIRD_PLAN_START = 1966
_FIRST_PLAN_START = 1953
MAX_ORDINAL = 30
MAX_SPAN = 9  # years from the first to the target year: a five-year plan has 4; a longer span is not a plan period


@dataclass(frozen=True)
class Period:
    base_year: int  # the year before the plan starts: the base of 「年均增长」 and of every 序时 schedule
    first_year: int
    target_year: int

    def __post_init__(self) -> None:
        if not (self.base_year == self.first_year - 1 and 0 <= self.target_year - self.first_year <= MAX_SPAN):
            raise ValueError(f"not a plan period: {self.base_year}/{self.first_year}/{self.target_year}")

    @classmethod
    def of(cls, first_year: int, target_year: int) -> "Period":
        return cls(first_year - 1, first_year, target_year)

    @property
    def years(self) -> list[int]:
        """Every year the plan tracks, base year included."""
        return list(range(self.base_year, self.target_year + 1))

    @property
    def plan_years(self) -> list[int]:
        """The years figures are reported for: the base year excluded."""
        return list(range(self.first_year, self.target_year + 1))

    @property
    def label(self) -> str:
        return f"{self.first_year}—{self.target_year}年"

    @property
    def text(self) -> str:
        """As `--period` takes it: 「2026-2030」."""
        return f"{self.first_year}-{self.target_year}"

    @property
    def ordinal(self) -> int | None:
        """Which Five-Year Plan this is (15 for 2026–2030); None for a period that is not one."""
        for n in range(1, MAX_ORDINAL + 1):
            if five_year_plan_period(n) == self:
                return n
        return None

    @property
    def short_name(self) -> str:
        """「十五五」 for the 15th Five-Year Plan; "" for a period that is not a Five-Year Plan's."""
        n = self.ordinal
        return f"{chinese_number(n)}五" if n else ""

    def clamp(self, year: int) -> int:
        """The plan year nearest to `year` (first year … target year)."""
        return min(max(year, self.first_year), self.target_year)

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.base_year <= year <= self.target_year


def five_year_plan_period(ordinal: int) -> Period:
    """The n-th Five-Year Plan. The 3rd began in 1966 (1963–1965 were years of readjustment between the 2nd and
    the 3rd), and every plan since has followed the last: the n-th starts in 1966 + 5 (n − 3)."""
    if not 1 <= ordinal <= MAX_ORDINAL:
        raise ValueError(f"no Five-Year Plan numbered {ordinal}")
    first = _FIRST_PLAN_START + 5 * (ordinal - 1) if ordinal <= 2 else _THIRD_PLAN_START + 5 * (ordinal - 3)
    return Period(first - 1, first, first + 4)


def period_containing(year: int) -> Period:
    """The Five-Year Plan period `year` falls in (from the 3rd plan on): what an example in a help text shows."""
    n = max(3, min(MAX_ORDINAL, (year - _THIRD_PLAN_START) // 5 + 3))
    return five_year_plan_period(n)


def chinese_number(n: int) -> str:
    """1..99 in Chinese as ordinals are written: 十, 十五, 二十, 二十一."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        raise ValueError(n)
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


_CN = "[一二三四五六七八九十]"
_YEAR = r"(1[89]\d\d|2\d\d\d)"
_EXPLICIT_RE = re.compile(_YEAR + r"\s*年?\s*(?:[—\-–－~～]+|至|到)\s*" + _YEAR + r"\s*年")
_ORDINAL_RE = re.compile(rf"第({_CN}+)个五年")
# 「“十五五”时期」, 「十四五规划」, 「“十五”计划」 (the 10th plan: 十 + 五); greedy, so 「十五五」 is 十五 + 五.
_SHORT_RE = re.compile(rf"[“\"「]?({_CN}+)五[”\"」]?\s*(?:规划|计划|时期|期间|期末|末|以来|发展)")


def _ordinal(text: str) -> int | None:
    n = cn_number(text)
    return n if n is not None and 1 <= n <= MAX_ORDINAL else None


def _explicit(source: str) -> list[Period]:
    found = []
    for match in _EXPLICIT_RE.finditer(source):
        first, last = int(match.group(1)), int(match.group(2))
        if 1 <= last - first <= MAX_SPAN:
            found.append(Period.of(first, last))
    return found


def _ordinals(source: str) -> list[int]:
    found = []
    for regex in (_ORDINAL_RE, _SHORT_RE):
        for match in regex.finditer(source):
            n = _ordinal(match.group(1))
            if n is not None:
                found.append(n)
    return found


def detect_period(title: str, text: str = "") -> Period | None:
    """The period a plan states (see the module's docstring for the order). None if the plan does not say."""
    title = title or ""
    explicit = _explicit(title)
    if explicit:
        return explicit[0]
    for match in (_ORDINAL_RE.search(title), _SHORT_RE.search(title)):
        n = _ordinal(match.group(1)) if match else None
        if n is not None:
            return five_year_plan_period(n)
    text = text or ""
    counts = Counter(_ordinals(text))
    if counts:
        n = max(counts, key=lambda k: (counts[k], k))
        return five_year_plan_period(n)
    spans = Counter(p for p in _explicit(text) if p.target_year - p.first_year == 4)
    if spans:
        return max(spans, key=lambda p: (spans[p], p.first_year))
    return None


def stated_period(parsed: ParsedPlan) -> Period | None:
    """The period a parsed plan states: its title and opening text (before the first chapter), else its whole
    text. None if it says nothing about its years."""
    front = "\n".join(b.text for node in parsed.nodes if node.kind == NodeKind.FRONT for b in node.blocks)
    found = detect_period(parsed.title, front)
    if found is None:
        everything = "\n".join(b.text for node in parsed.walk() for b in node.blocks)
        found = detect_period(parsed.title, everything)
    return found


def parse_period(text: str) -> Period:
    """What an office types for a period: 「2026-2030」, 「2026—2030」, 「2026至2030」, 「2026-2030年」, or
    「十五五」. Raises ValueError with a Chinese reason."""
    raw = (text or "").strip()
    folded = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(" ", "")
    match = re.fullmatch(r"(\d{4})年?(?:[—\-–－~～]+|至|到)(\d{4})年?", folded)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if not 1 <= last - first <= MAX_SPAN:
            raise ValueError(f"“{raw}”不是规划期：目标年应比起始年晚 1 至 {MAX_SPAN} 年，如 {_example()}")
        return Period.of(first, last)
    short = re.fullmatch(rf"[“\"]?({_CN}+)五[”\"]?(?:规划|时期)?", folded)
    if short and _ordinal(short.group(1)) is not None:
        return five_year_plan_period(_ordinal(short.group(1)))
    raise ValueError(f"“{raw}”不是规划期，请写成起止年份，如 {_example()}")


def _example() -> str:
    from datetime import date

    return period_containing(date.today().year).text
