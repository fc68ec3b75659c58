"""Reading a plan's target cells the way a plan office reads them.

A main-indicator row has two target cells: the 2025 target (「力争1500」, 「≥3」, 「4左右」, 「完成市下达目标」 …)
and the average growth rate (「8%左右」, 「﹥20%」, 「与经济发展同步」). `parse_target` turns one cell into a
`Target`; text it cannot read is kept verbatim as a qualitative target and never guessed.

`parse_value` reads what an official types into a value cell (「1,234.5」, full-width digits, 「8%」).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class TargetKind(StrEnum):
    LEVEL = "level"  # reach a value by the target year: 「50」, 「力争1500」
    GROWTH = "growth"  # average yearly growth: 「8%左右」, 「﹥20%」, 「年均增长7%」
    CUMULATIVE = "cumulative"  # sum of the plan years' values: 「累计…力争30」
    THRESHOLD = "threshold"  # stay above / below a line: 「≥3」, 「＜4」, 「95%以上」, 「控制在…以内」
    APPROXIMATE = "approximate"  # about a value, within a tolerance: 「4左右」
    RELATIVE = "relative"  # judged against another indicator: 「与经济发展同步」
    QUALITATIVE = "qualitative"  # 「完成市下达目标」 and any text that is not read as a number
    NONE = "none"  # 「—」, 「/」 or empty: the cell sets no target


class Comparator(StrEnum):
    REACH = "="  # a plain figure: reach it by the target year
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    ABOUT = "~"


class Direction(StrEnum):
    HIGHER = "higher"  # a larger value is better
    LOWER = "lower"  # a smaller value is better


@dataclass(frozen=True)
class Target:
    """One target cell, read.

    `value` is in the cell's own unit: a growth target of 「8%左右」 has value 8 and unit "%".
    `direction` is None when the cell does not say (a plain 「50」): progress decides from the base value.
    `reduction` marks 「…降低」/「…下降」 rows whose values are the reduction since the base year, in %.
    """

    text: str
    kind: TargetKind
    comparator: Comparator | None = None
    value: Decimal | None = None
    unit: str = ""
    stretch: bool = False
    direction: Direction | None = None
    relative_to: str | None = None
    reduction: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.value is not None

    def describe(self) -> str:
        """The target in plain Chinese words, for the detail panel and exports."""
        raise NotImplementedError


class ValueParseError(ValueError):
    """What an official typed is not a number; `reason` says why, in Chinese."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


def parse_target(text: str | None, *, indicator_name: str = "", unit: str = "", column: str = "target") -> Target:
    """Read one target cell. `column` is "target" (2025年目标) or "growth" (年均增速)."""
    raise NotImplementedError


def parse_value(text: str) -> Decimal | None:
    """Read a typed value. Empty text and 「—」 mean "clear" and return None; bad text raises ValueParseError."""
    raise NotImplementedError
