"""Reading a plan's target cells the way a plan office reads them.

A main-indicator row has two target cells: the target-year target (「力争1500」, 「≥3」, 「4左右」, 「完成市下达目标」 …)
and the average growth rate (「8%左右」, 「﹥20%」, 「与经济发展同步」). `parse_target` turns one cell into a
`Target`; text it cannot read is kept verbatim as a qualitative target and never guessed.

How a cell is read: full-width and small-form characters are folded to ASCII, PDF spaces are dropped, and the
cell must then be exactly

    [YYYY年] [较YYYY年] prefix-words… NUMBER [unit] suffix-words…

where every word comes from the tables below (`_PREFIX_WORDS`, `_SUFFIX_WORDS`, `_UNIT`). Anything else, a
second number or a word not in the tables, makes the cell QUALITATIVE: a wrong number on a progress screen is
worse than no number.

Conventions worth knowing:
- 「以上」「以下」「以内」 include the number (Chinese statistical and legal usage), so they read as >= / <=.
- 「突破」 reads as >=: plans use it as "reach at least" (「力争突破130亿元」), not as a strict inequality.
- On a 「…降低」/「…下降」 row the figures are the reduction since the base year in %, so bigger is better.
- 「年均下降3%」 is a growth rate of -3%: the value is stored negated (with the bound flipped) so that every
  growth target is a growth rate and its direction means what it says.

`parse_value` reads what an official types into a value cell (「1,234.5」, full-width digits, 「8%」).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.period import Period


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


# How describe() words each bound. A reduction row says 「较基期下降20%以上」 rather than 「下降不低于20%」.
_BOUND_WORDS = {
    Comparator.REACH: "{}",
    Comparator.GE: "不低于{}",
    Comparator.GT: "高于{}",
    Comparator.LE: "不超过{}",
    Comparator.LT: "低于{}",
    Comparator.ABOUT: "{}左右",
}
_REDUCTION_BOUND_WORDS = {**_BOUND_WORDS, Comparator.GE: "{}以上", Comparator.GT: "超过{}", Comparator.LT: "不到{}"}
# Negating a value flips its bound: growth >= -3% is the same as a decline of at most 3%.
_FLIPPED = {
    Comparator.GE: Comparator.LE,
    Comparator.GT: Comparator.LT,
    Comparator.LE: Comparator.GE,
    Comparator.LT: Comparator.GT,
}


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

    def describe(self, period: Period | None = None) -> str:
        """The target in plain Chinese words, for the detail panel and exports. With the plan's `period` the
        years are named (「较<基期年>年下降…」, 「<目标年>年达到…」); without it, 「基期」 and 「目标年」."""
        base = f"{period.base_year}年" if period else "基期"
        end = f"{period.target_year}年" if period else "目标年"
        if self.kind is TargetKind.NONE:
            return "未设目标"
        if self.kind is TargetKind.RELATIVE:
            return f"与{self.relative_to}增长同步" + ("（力争）" if self.stretch else "")
        if self.kind is TargetKind.QUALITATIVE or self.value is None:
            return f"定性目标：{self.text}"
        comparator = self.comparator or Comparator.REACH
        amount = _format_amount(abs(self.value) if self.kind is TargetKind.GROWTH else self.value, self.unit)
        if self.kind is TargetKind.GROWTH:
            if self.value < 0:  # stored as a negative growth rate; say it the way the plan does
                words = "年均下降" + _REDUCTION_BOUND_WORDS[_FLIPPED.get(comparator, comparator)].format(amount)
            else:
                words = "年均增长" + _BOUND_WORDS[comparator].format(amount)
        elif self.kind is TargetKind.CUMULATIVE:
            words = "累计" + ("达到" + amount if comparator is Comparator.REACH else _BOUND_WORDS[comparator].format(amount))
        elif self.reduction:
            words = f"较{base}下降" + _REDUCTION_BOUND_WORDS[comparator].format(amount)
        elif self.kind is TargetKind.LEVEL:
            verb = "控制在" if self.direction is Direction.LOWER else "达到"
            words = f"{end}{verb}{amount}"
        else:  # THRESHOLD, APPROXIMATE
            words = _BOUND_WORDS[comparator].format(amount)
        return words + ("（力争）" if self.stretch else "")


class ValueParseError(ValueError):
    """What an official typed is not a number; `reason` says why, in Chinese."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


# ---------------------------------------------------------------------------------------------------------
# Folding characters. Plans come from Word, WPS and PDF extraction: the same sign appears full-width (＞),
# small-form (﹥) or ASCII (>), digits may be full-width, and dashes come in four widths.

_FOLD = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}  # full-width ASCII block -> ASCII
_FOLD.update({0x3000: " ", 0xFE50: ",", 0xFE52: ".", 0xFE62: "+", 0xFE63: "-", 0xFE64: "<", 0xFE65: ">"})
_FOLD.update({0xFE66: "=", 0xFE6A: "%"})  # the small-form variants: ﹥ ﹤ ﹪ …
# hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign
_FOLD.update(dict.fromkeys([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212], "-"))


def _fold(text: str) -> str:
    return text.translate(_FOLD)


# A space between two digits is kept (「1 500」 is not silently read as 1500); other spaces are PDF artefacts
# (「力争 30」, 「4 左右」) and go.
_SPACES = re.compile(r"\s+")
_INNER_SPACE = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")


def _squeeze(folded: str) -> str:
    text = _INNER_SPACE.sub("", folded.strip())
    text = _SPACES.sub(" ", text)
    return text.rstrip("。;,、")  # a sentence-final mark left over from the plan's prose


# ---------------------------------------------------------------------------------------------------------
# The words a target cell may hold, and what each says.


@dataclass(frozen=True)
class _Word:
    comparator: Comparator | None = None
    direction: Direction | None = None  # for REACH/ABOUT cells: which way is better
    growth: bool = False  # 年均增长…: the cell is an average yearly growth rate
    average: bool = False  # 年均 alone: a growth rate only if a % follows (「年均30」 may be a yearly level)
    growth_word: bool = False  # 增长/增速 without 年均: a growth rate only in the growth column
    decline: bool = False  # 下降/降低: a negative growth rate, or a reduction since the base year
    cumulative: bool = False
    stretch: bool = False


_NEUTRAL = _Word()
_LOWER = _Word(direction=Direction.LOWER)
_HIGHER = _Word(direction=Direction.HIGHER)

_PREFIX_WORDS: dict[str, _Word] = {
    "力争": _Word(stretch=True),
    "累计": _Word(cumulative=True),
    # neutral verbs: the figure is to be reached, the cell says nothing about which way is better
    **dict.fromkeys(["达到", "达", "为", "确保", "实现", "保持", "保持在", "稳定在", "维持在"], _NEUTRAL),
    **dict.fromkeys(["约", "大约", "约为"], _Word(comparator=Comparator.ABOUT)),
    # bounds; 突破 is "reach at least", see the module docstring
    **dict.fromkeys(["不低于", "不少于", "不小于", "至少", "突破", ">=", "≥", "≧", "⩾", "≮"], _Word(Comparator.GE)),
    **dict.fromkeys(["高于", "超过", "大于", "多于", ">"], _Word(comparator=Comparator.GT)),
    **dict.fromkeys(["不高于", "不超过", "不大于", "不多于", "<=", "≤", "≦", "⩽", "≯"], _Word(Comparator.LE)),
    **dict.fromkeys(["低于", "小于", "少于", "<"], _Word(comparator=Comparator.LT)),
    **dict.fromkeys(["≈", "~"], _Word(comparator=Comparator.ABOUT)),
    # verbs that say which way is better
    **dict.fromkeys(
        ["控制在", "控制到", "降至", "降到", "降低到", "降低至", "下降到", "下降至", "减少到", "减少至", "压减到", "压减至"],
        _LOWER,
    ),
    **dict.fromkeys(
        ["提高到", "提高至", "提升到", "提升至", "增长到", "增长至", "增加到", "增加至", "增至", "上升到", "上升至"],
        _HIGHER,
    ),
    # growth
    **dict.fromkeys(["年均增长", "年均增速", "年均增幅", "年均增长率", "年均递增", "年均提高"], _Word(growth=True)),
    **dict.fromkeys(["年均下降", "年均降低", "年均减少"], _Word(growth=True, decline=True)),
    "年均": _Word(average=True),
    **dict.fromkeys(["增长", "增速", "增幅", "增长率"], _Word(growth_word=True)),
    **dict.fromkeys(["下降", "降低", "减少"], _Word(decline=True)),
}

_SUFFIX_WORDS: dict[str, _Word] = {
    **dict.fromkeys(["以上", "及以上", "或以上"], _Word(comparator=Comparator.GE)),
    **dict.fromkeys(["以下", "及以下", "以内", "之内"], _Word(comparator=Comparator.LE)),
    **dict.fromkeys(["左右", "上下"], _Word(comparator=Comparator.ABOUT)),
    "(力争)": _Word(stretch=True),
}


def _longest_first(words) -> list[str]:
    return sorted(words, key=len, reverse=True)


_PREFIX_ORDER = _longest_first(_PREFIX_WORDS)
_SUFFIX_ORDER = _longest_first(_SUFFIX_WORDS)

# Units a cell may write after its number. A whitelist, so that 「2个百分点」 or 「2倍」 (changes, not levels)
# stay unread instead of becoming a level of 2.
_BASE_UNITS = (
    "元 美元 吨 吨标准煤 标准煤 件 个 人 人次 年 岁 家 户 项 所 张 床 台 辆 艘 座 套 公里 千米 米 平方米 平方公里 "
    "亩 公顷 立方米 千瓦 千瓦时 度 天 小时 分钟 分 次 株 篇 名 微克 毫克 克 千克 公斤 升 毫升 标箱"
).split()
_ONE_UNIT = r"[十百千万亿]{0,2}(?:" + "|".join(map(re.escape, _longest_first(_BASE_UNITS))) + ")"
_UNIT = re.compile(rf"%|‰|{_ONE_UNIT}(?:/{_ONE_UNIT})?|[万亿]")

_NUMBER = re.compile(r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
# 「YYYY年达到1500」: the target year, only when another number follows (「YYYY年」 alone is a number of years).
_TARGET_YEAR = re.compile(r"(?:到|至|在)?20[0-9]{2}年(?:底|末)?前?[,:]?(?=.*[0-9])")
# 「较YYYY年下降20%」: the base year of a reduction.
_BASE_YEAR = re.compile(r"(?:较|比)20[0-9]{2}年(?:底|末)?")

# 「与经济发展同步」, 「与经济增长基本同步」, 「同步增长」: keep pace with GDP growth.
_SAME_PACE = re.compile(
    r"(?:(?:与|和|同)(?:经济发展|经济增长|地区生产总值增长|地区生产总值|GDP增长|GDP|经济)(?:保持)?)?"
    r"(?:基本)?同步(?:增长)?"
)
_GDP = "地区生产总值"

_PLACEHOLDERS = set("-/")  # 「—」「-」「/」「／」 after folding


@dataclass
class _Reading:
    """What the scanner found in a cell that has exactly one number."""

    value: Decimal
    unit: str
    words: list[_Word]
    base_year: bool


def _scan(text: str) -> _Reading | None:
    """Split a squeezed cell into words, one number and a unit; None if anything is left unread."""
    words: list[_Word] = []
    pos, base_year = 0, False
    if match := _TARGET_YEAR.match(text):
        pos = match.end()
    while not _NUMBER.match(text, pos):
        if match := _BASE_YEAR.match(text, pos):
            base_year, pos = True, match.end()
            continue
        word = next((w for w in _PREFIX_ORDER if text.startswith(w, pos)), None)
        if word is None:
            return None
        words.append(_PREFIX_WORDS[word])
        pos += len(word)
    number = _NUMBER.match(text, pos)
    pos = number.end()
    unit = ""
    if match := _UNIT.match(text, pos):
        unit, pos = match.group(), match.end()
    while pos < len(text):
        word = next((w for w in _SUFFIX_ORDER if text.startswith(w, pos)), None)
        if word is None:
            return None
        words.append(_SUFFIX_WORDS[word])
        pos += len(word)
    return _Reading(Decimal(number.group().replace(",", "")), unit, words, base_year)


def _direction(kind: TargetKind, comparator: Comparator, said: Direction | None, decline: bool, reduction: bool):
    # An explicit bound says it all: ≥ wants more, ≤ wants less, even on a reduction row.
    if comparator in (Comparator.GE, Comparator.GT):
        return Direction.HIGHER
    if comparator in (Comparator.LE, Comparator.LT):
        return Direction.LOWER
    if kind is TargetKind.GROWTH:  # a growth rate wants to be higher unless it is a decline or 「控制在」
        return Direction.LOWER if decline else (said or Direction.HIGHER)
    if reduction:  # the values are the reduction achieved: a bigger reduction is better
        return Direction.HIGHER
    return said


def parse_target(text: str | None, *, indicator_name: str = "", unit: str = "", column: str = "target") -> Target:
    """Read one target cell. `column` is "target" (the target year's 目标) or "growth" (年均增速).

    Never raises: a cell that cannot be read is a QUALITATIVE target holding its text.
    """
    original = "" if text is None else (text if isinstance(text, str) else str(text)).strip()
    name = indicator_name or ""
    name_reduction = "降低" in name or "下降" in name
    name_cumulative = "累计" in name
    cell = _squeeze(_fold(original))
    # 「〔20〕」: a figure for the whole period (the table's 注 says 「带〔〕数据为五年累计数」). On a 下降/降低 row it
    # is the reduction over the period, which a plain figure there already means; elsewhere a cumulative sum.
    period_total = bool(re.fullmatch(r"[〔［\[【][^〔〕［］\[\]【】]+[〕］\]】]", cell))
    if period_total:
        cell = cell[1:-1].strip()
    stretch = "力争" in cell

    def qualitative() -> Target:
        return Target(original, TargetKind.QUALITATIVE, stretch=stretch, reduction=name_reduction)

    if not cell or set(cell) <= _PLACEHOLDERS:
        return Target(original, TargetKind.NONE, reduction=name_reduction)
    relative = cell.removeprefix("力争")
    if _SAME_PACE.fullmatch(relative):
        return Target(original, TargetKind.RELATIVE, stretch=stretch, relative_to=_GDP, reduction=name_reduction)

    reading = _scan(cell)
    if reading is None:
        return qualitative()
    words = reading.words
    comparators = {w.comparator for w in words if w.comparator is not None}
    if len(comparators) > 1:  # 「不低于30以内」: contradicts itself
        return qualitative()
    comparator = comparators.pop() if comparators else Comparator.REACH
    said = {w.direction for w in words if w.direction is not None}
    decline = any(w.decline for w in words)
    text_cumulative = any(w.cumulative for w in words)
    growth_marked = any(w.growth for w in words) or (any(w.average for w in words) and reading.unit == "%")
    growth_word = any(w.growth_word for w in words)

    if text_cumulative and (growth_marked or growth_word):  # 「累计增长20%」 is not a yearly rate
        return qualitative()
    is_growth = growth_marked or (column == "growth" and not text_cumulative)
    if not is_growth and (growth_word or any(w.average for w in words)):
        return qualitative()  # 「增长8%」 in the target column: growth over what? 「年均30」: a rate or a level?
    if reading.base_year and (is_growth or not decline):  # 「较YYYY年翻番」, 「较YYYY年提高」
        return qualitative()
    if len(said) > 1:
        return qualitative()

    value, reduction = reading.value, name_reduction
    if is_growth:
        if reading.unit not in ("", "%"):
            return qualitative()  # 「年均增长50亿元」 is an amount, not a rate
        kind, cell_unit = TargetKind.GROWTH, "%"
        if decline:
            value, comparator = -value, _FLIPPED.get(comparator, comparator)
    else:
        reduction = reduction or decline  # 「较YYYY年下降20%」: a reduction written in the cell
        cell_unit = reading.unit or unit
        if text_cumulative or name_cumulative or (period_total and not reduction):
            kind = TargetKind.CUMULATIVE
        elif comparator in (Comparator.GE, Comparator.GT, Comparator.LE, Comparator.LT):
            kind = TargetKind.THRESHOLD
        elif comparator is Comparator.ABOUT:
            kind = TargetKind.APPROXIMATE
        else:
            kind = TargetKind.LEVEL
    direction = _direction(kind, comparator, next(iter(said), None), decline, reduction)
    return Target(
        original, kind, comparator=comparator, value=value, unit=cell_unit, stretch=stretch, direction=direction,
        reduction=reduction,
    )


def _format_amount(value: Decimal, unit: str) -> str:
    return format(value, "f") + unit


# ---------------------------------------------------------------------------------------------------------
# Typed values.

VALUE_MAX_LENGTH = 40
_DIGITS = set("0123456789")
_EXPONENT = re.compile(r"[0-9.,]*[0-9][eE][-+]?[0-9]+")


def parse_value(text: str) -> Decimal | None:
    """Read a typed value. Empty text and 「—」 mean "clear" and return None; bad text raises ValueParseError.

    Accepts full-width characters, 「1,234.5」 (groups of three only), a leading sign and a trailing %, which
    is dropped without scaling (「8%」 is 8: the unit lives on the indicator). Units, words, exponents, NaN
    and infinities are refused with a reason saying what is wrong.
    """
    if text is None:
        return None
    shown = text.strip()

    def fail(reason: str):
        raise ValueParseError(text, f"“{shown}” {reason}")

    if len(shown) > VALUE_MAX_LENGTH:
        shown = shown[:12] + "…"
        fail(f"太长：数值最多{VALUE_MAX_LENGTH}个字符")
    folded = _fold(shown)
    if not folded or set(folded) <= _PLACEHOLDERS:
        return None
    # A pinyin IME in Chinese punctuation mode types 「。」 for the decimal point: 「1049。7」 means 1049.7.
    folded = re.sub(r"(?<=\d)。(?=\d)", ".", folded)
    if any(ch.isspace() for ch in folded):
        fail("不是数字：中间有空格")
    sign, body = "", folded
    if body[0] in "+-":
        sign, body = body[0], body[1:]
    body = body.removesuffix("%")
    if _EXPONENT.fullmatch(body):
        fail("不是数字：不接受科学计数法，请写出完整的数")
    if body.lower() in ("nan", "snan", "inf", "infinity"):
        fail("不是数字：请填写具体数值")
    for ch in body:
        if ch in _DIGITS or ch in ".,":
            continue
        if ch in "+-":
            fail("不是数字：正负号只能写在最前面")
        if ch == "%":
            fail("不是数字：百分号只能写在最后")
        hint = "，只填数字，单位不用填写" if "\u4e00" <= ch <= "\u9fff" else ""  # 「12亿」, 「8个」
        fail(f"不是数字：含有无法识别的字符“{ch}”{hint}")
    if not _DIGITS & set(body):
        fail("不是数字：没有数字")
    if body.count(".") > 1:
        fail("不是数字：小数点多于一个")
    whole, point, fraction = body.partition(".")
    if "," in fraction or ("," in whole and not _grouped_by_three(whole)):
        fail("千分位分隔不正确")
    return Decimal(sign + whole.replace(",", "") + point + fraction)


def _grouped_by_three(whole: str) -> bool:
    head, *rest = whole.split(",")
    return 1 <= len(head) <= 3 and all(len(group) == 3 for group in rest)
