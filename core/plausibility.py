"""Is a typed figure plausible? The check that asks 「确定吗？」 before a likely typo is saved.

Pure rules, no I/O: the TUI asks for confirmation and `guihua set` refuses without --force when
`doubt()` returns a reason. Two rules (docs/progress.md, 「录入时的合理性检查」):

1. Negative where the indicator cannot be negative: a level (亿元, 万人, %, a count …). Growth rates and
   changes (名称含「增长」「增速」「下降」「降低」「变化」…) may be negative, and so may an indicator that
   already has a negative figure on record.
2. Far from its neighbours: for a level, a positive value at least FACTOR times larger or smaller than the
   nearest recorded year before it or after it (a tenfold typo: 12900 after 1290). Growth rates are not
   compared this way: 0.5 then 8 is an ordinary pair of growth rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

__all__ = ["FACTOR", "CHANGE_WORDS", "may_be_negative", "doubt", "doubts"]

FACTOR = Decimal(5)
# Words in an indicator's name that make it a change, which may go either way.
CHANGE_WORDS = ("增长", "增速", "增幅", "增减", "增量", "下降", "降低", "降幅", "减少", "变化", "变动", "差额", "净")


def may_be_negative(name: str, values: Mapping[int, Decimal] | None = None) -> bool:
    """Whether the indicator may hold a negative figure: a growth rate or change, or one with a negative
    figure already on record."""
    if any(word in (name or "") for word in CHANGE_WORDS):
        return True
    return any(v is not None and v < 0 for v in (values or {}).values())


def _num(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def doubt(name: str, year: int, value: Decimal | None, values: Mapping[int, Decimal], unit: str = "") -> str | None:
    """Why `value` for `year` looks like a mistake (Chinese, naming the value), or None when it looks fine.

    `values`: the indicator's recorded figures by year (the year itself, if present, is ignored)."""
    if value is None:
        return None
    others = {y: v for y, v in values.items() if y != year and v is not None}
    if may_be_negative(name, others):
        return None  # a change may be negative and may swing widely
    shown = f"{_num(value)}{unit}"
    if value < 0:
        return f"{name} {year}年的数值 {shown} 是负数，而这一指标不会是负数"
    if value == 0:
        return None
    for neighbour in (max((y for y in others if y < year), default=None),
                      min((y for y in others if y > year), default=None)):
        if neighbour is None:
            continue
        near = others[neighbour]
        if near <= 0:
            continue
        ratio = value / near
        if ratio >= FACTOR or ratio <= 1 / FACTOR:
            times = f"{ratio:.0f} 倍" if ratio >= 1 else f"1/{1 / ratio:.0f}"
            return (f"{name} {year}年的数值 {shown} 是 {neighbour}年（{_num(near)}{unit}）的 {times}，"
                    f"相差 {FACTOR} 倍以上，可能多打或少打了一位")
    return None


def doubts(name: str, new: Mapping[int, Decimal | None], values: Mapping[int, Decimal], unit: str = "") -> dict[int, str]:
    """`doubt` for several years entered together (a pasted row), in year order: each is judged against the
    recorded figures (those being replaced or cleared left out) and the pasted figures before it that were not
    doubted themselves, so a typo in the middle of a row is named once, not with its neighbours."""
    known = {y: v for y, v in values.items() if y not in new and v is not None}
    found = {}
    for year, value in sorted(new.items()):
        reason = doubt(name, year, value, known, unit)
        if reason:
            found[year] = reason
        elif value is not None:
            known[year] = value
    return found
