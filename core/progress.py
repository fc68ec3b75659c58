"""Judging an indicator's progress against its plan targets, the way a plan office does.

Pure functions, standard library only, no I/O. `assess` takes an indicator (its target cells already read
into `Target`s by `core.targets`), the yearly actual values and a year, and returns one `Reading` per target
plus an overall `Assessment` with a stable status code and a Chinese explanation with the figures.

How each kind is judged (base year t0, target year T, year t, elapsed share e = (t − t0)/(T − t0)):

- LEVEL: linear 序时 path from the base value y0 to the target yT; completion (yt − y0)/(yT − y0) is compared
  with e. Reaching the target early is ACHIEVED. A target on the wrong side of the base (or equal to it) is
  a "maintain" target: met → ON_TRACK, not met → BEHIND.
- APPROXIMATE (左右): as LEVEL, but the target counts as met within ±about_share·|yT|.
- GROWTH (年均增长 g%): the observed average growth since t0 is compared with g. Needs a positive base.
- CUMULATIVE (累计): the sum of the years t0+1..t (the base year is not summed) against the total, vs e.
- THRESHOLD (≥ ＞ ＜ 以上 以内): met or not met; a floor not met at the base gets a linear schedule.
- RELATIVE (与经济发展同步): this year's growth against GDP growth the same year.
- QUALITATIVE: a status set by hand (`ManualStatus`), or met/not met against the office's 年度目标.

The overall status follows the *firm* reading: the first numeric target that is not a stretch goal (力争).
Stretch readings are shown beside it, never silently in its place. A `ManualStatus` overrules everything.

Arithmetic is done in `Decimal` under a private context (28 digits, wide exponent range) so that exact
boundary cases (40% done at 40% elapsed) fall where the rules say, huge inputs do not overflow, and no NaN
can appear. Growth rates take the n-th root by Newton's iteration to a few digits beyond the context's and
round once (exact roots come out exact), or use Decimal ln/exp beyond float's range.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from enum import StrEnum

from core.period import Period
from core.targets import Comparator, Direction, Target, TargetKind

__all__ = [
    "Status",
    "ProgressSettings",
    "IndicatorSpec",
    "ManualStatus",
    "Reading",
    "Assessment",
    "assess",
    "assess_as_of",
    "assess_years",
    "Verdict",
    "judge_table",
    "verdict_as_of",
    "verdict_years",
    "expected_path",
    "effective_direction",
]


class Status(StrEnum):
    """Stable machine codes; `label` is the word shown to officials."""

    ACHIEVED = "achieved"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    NO_DATA = "no_data"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return _LABELS[self]


# Behind schedule: what the summary, the grid's colouring and the meeting pack's 滞后事项 all call lagging.
LAGGING = (Status.BEHIND, Status.AT_RISK)

_LABELS = {
    Status.ACHIEVED: "提前完成",
    Status.AHEAD: "超序时进度",
    Status.ON_TRACK: "达到序时进度",
    Status.BEHIND: "滞后",
    Status.AT_RISK: "难以完成",
    Status.NO_DATA: "尚无数据",
    Status.MANUAL: "需人工判断",
}


@dataclass(frozen=True)
class ProgressSettings:
    """The plan period (from the plan: db.plan_store.plan_period) and the office's tolerances."""

    base_year: int  # t0: the plan's base year
    target_year: int  # T: the plan's target year
    about_points: float = 0.5  # 左右 on a growth target: ± percentage points
    about_share: float = 0.05  # 左右 on a level: ± share of the target value
    ahead_margin: float = 0.05  # completion − elapsed ≥ this → ahead
    on_track_margin: float = 0.05  # completion ≥ elapsed − this → on track
    at_risk_ratio: float = 0.6  # progress ratio below this (or moving the wrong way) → at risk
    relative_points: float = 0.0  # 与经济发展同步: allowed shortfall vs the reference growth, in points
    # 基本完成: a target missed in the target year with at least this share done (completion, or the average
    # growth against the target growth) reads 基本完成 rather than 未完成; 0 switches the word off.
    basic_completion_share: float = 0.9

    @classmethod
    def for_period(cls, period: Period, **tolerances) -> "ProgressSettings":
        return cls(base_year=period.base_year, target_year=period.target_year, **tolerances)


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    unit: str
    targets: tuple[Target, ...]  # table order: the target-year cell, then the growth cell
    binding: bool = False  # 约束性
    yearly_targets: Mapping[int, Decimal] = field(default_factory=dict)  # 年度目标 (分解到年度)


@dataclass(frozen=True)
class ManualStatus:
    """A status set by the user (qualitative targets, or to overrule a computed one), with a note."""

    status: Status
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """One target judged."""

    target: Target
    status: Status
    firm: bool  # the reading the overall status follows
    expected: float | None  # 序时 value expected for the year
    completion: float | None  # completion share (0..1+) where meaningful
    elapsed: float | None  # (year − base) / (target − base)
    actual_growth: float | None  # observed average yearly growth since the base year, in %
    required_growth: float | None  # growth per year the target needs from the base, in %
    growth_needed_from_here: float | None  # growth per year needed from this year's value, in %
    explanation: str  # one or two Chinese sentences with the figures


class _StatusWords:
    """The code and the word of a judged status, for an Assessment and a Verdict alike."""

    status: Status
    final: bool
    basic: bool

    @property
    def code(self) -> str:
        return self.status.value

    @property
    def label(self) -> str:
        return status_word(self.status, self.final, self.basic)


@dataclass(frozen=True)
class Assessment(_StatusWords):
    year: int
    status: Status
    readings: tuple[Reading, ...]
    explanation: str  # Chinese summary; shows the stretch reading beside the firm one
    manual_note: str = ""
    final: bool = False  # judged in the target year: the plan's outcome, no longer a forecast
    basic: bool = False  # final, missed, but within the office's 基本完成 share (ProgressSettings)


_FINAL_LABELS = {
    Status.ACHIEVED: "已完成",
    Status.AHEAD: "已完成",
    Status.ON_TRACK: "已完成",  # in the target year the schedule's value is the target itself
    Status.BEHIND: "未完成",
    Status.AT_RISK: "未完成",
}


BASIC_COMPLETION_WORD = "基本完成"


def status_word(status: Status, final: bool, basic: bool = False) -> str:
    """The word for a status; in the target year the outcome (已完成 / 未完成, or 基本完成 for a target missed
    within the office's share: `Assessment.basic`), for the 总结评估, not a forecast such as 提前完成 or 难以完成."""
    if not final:
        return status.label
    if basic and status in LAGGING:
        return BASIC_COMPLETION_WORD
    return _FINAL_LABELS.get(status, status.label)


def _basically_done(reading: Reading, share: Decimal) -> bool:
    """A missed target counts as 基本完成 when at least `share` of it is done: the completion share, or for a
    growth target the average growth against the (positive) target growth. A share ≤ 0 switches this off."""
    if share <= 0:
        return False
    if reading.target.kind == TargetKind.GROWTH:
        actual, required = _dec(reading.actual_growth), _dec(reading.required_growth)
        return actual is not None and required is not None and required > 0 and actual >= share * required
    completion = _dec(reading.completion)
    return completion is not None and completion >= share


# --------------------------------------------------------------------------------------------------------
# Numbers

_CTX = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_EPS = Decimal("1e-9")  # tolerance for comparing computed growth rates with a bar, in percentage points

_NUMERIC_KINDS = (
    TargetKind.LEVEL,
    TargetKind.APPROXIMATE,
    TargetKind.GROWTH,
    TargetKind.CUMULATIVE,
    TargetKind.THRESHOLD,
)


def _dec(x: object) -> Decimal | None:
    """A finite Decimal, or None for anything else (None, NaN, infinities, non-numbers)."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        # repr() is the shortest text that reads back as the same float (3.8, not 3.79999999999999982…),
        # i.e. what the user typed; it keeps the order of floats, so a larger float gives a larger Decimal.
        return Decimal(repr(x)) if math.isfinite(x) else None
    return None


def _setting(x: object, default: str) -> Decimal:
    d = _dec(x)
    return Decimal(default) if d is None else d


def _float(d: Decimal | None) -> float | None:
    if d is None:
        return None
    try:
        f = float(d)
    except (ArithmeticError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _cagr(a: Decimal, b: Decimal, n: int) -> Decimal | None:
    """Average yearly growth from a to b over n years, in %; None unless a, b > 0 and n > 0."""
    if n <= 0 or a <= 0 or b < 0:
        return None
    if b == 0:
        return -_HUNDRED
    # Decimal.ln is most of the time spent judging, and the same growth comes back for every year judged
    # (the target's required growth, the as-of year): cached. Equal Decimals share a hash, so the exponents
    # are part of the key, keeping the result exactly what the uncached arithmetic gives.
    return _cagr_of(a, a.as_tuple().exponent, b, b.as_tuple().exponent, n)


@functools.lru_cache(maxsize=1 << 16)
def _cagr_of(a: Decimal, _a_exponent: object, b: Decimal, _b_exponent: object, n: int) -> Decimal:
    with localcontext(_CTX):
        return _nth_root(b / a, n) * _HUNDRED - _HUNDRED


_ROOT_GUARD = 6  # extra digits the root is worked out to before rounding to the context's precision


def _nth_root(x: Decimal, n: int) -> Decimal:
    """x ** (1/n) for x > 0, to the current context's precision.

    Newton's iteration from the floating-point root: each step doubles the correct digits, so two steps take
    float's 16 to well past 28, in a fifth of the time of exp(ln(x) / n) (most of the time spent wording
    judgements), and the result is nearer the true root (exact roots come out exact: 1.08 for 1.4693280768,
    n = 5). Beyond float's range, or if it does not settle, the logarithms."""
    if n == 1:
        return +x
    estimate = float(x)
    if 1e-300 < estimate < 1e300:
        precision = getcontext().prec
        settled = False
        with localcontext() as guarded:
            guarded.prec = precision + _ROOT_GUARD
            try:
                y = Decimal(estimate ** (1.0 / n))
                tolerance = Decimal(10) ** -(precision + 2)
                for _ in range(8):
                    step = ((n - 1) * y + x / y ** (n - 1)) / n
                    settled = abs(step - y) <= tolerance * step
                    y = step
                    if settled:
                        break
            except ArithmeticError:  # an absurd n (float's root rounds to 1.0 and the step overflows)
                settled = False
        if settled:
            return +y  # rounded to the caller's precision
    return (x.ln() / n).exp()


def _num(d: Decimal | None) -> str:
    """A value for an explanation: 1 decimal from 100 up, else up to 2 (at least 1)."""
    if d is None or not d.is_finite():
        return "—"
    a = abs(d)
    if a >= Decimal("1e12") or (a != 0 and a < Decimal("0.01")):
        return f"{d:.4g}"
    if a >= 100:
        return str(d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    s = str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return s[:-1] if s.endswith("0") else s


def _tv(d: Decimal) -> str:
    """A target value as the plan writes it: 1500, 4.5, 8."""
    if abs(d) >= Decimal("1e12") or (d != 0 and abs(d) < Decimal("1e-6")):
        return f"{d:.4g}"
    s = format(d.normalize(), "f")
    return s


def _pct1(d: Decimal | None) -> str:
    """A number already in % with one decimal: 8.0%."""
    if d is None or not d.is_finite():
        return "—"
    if abs(d) >= Decimal("1e9"):
        return f"{d:.3g}%"
    return f"{d.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _share(d: Decimal | None) -> str:
    """A share (0..1) as a percentage with one decimal: 40.0%."""
    return _pct1(None if d is None else d * _HUNDRED)


RANK_UNITS = ("位", "名")  # a rank is a whole place: 「48位」, never 「48.0位」


def _u(value: Decimal | None, unit: str) -> str:
    if unit in RANK_UNITS and value is not None and value.is_finite() and value == value.to_integral_value():
        return f"{value:.0f}{unit}"
    return f"{_num(value)}{unit}"


# --------------------------------------------------------------------------------------------------------
# Directions and target words

_CMP_GROWTH = {Comparator.GT: "超过", Comparator.GE: "不低于", Comparator.LE: "不超过", Comparator.LT: "低于"}
_CMP_LINE = {Comparator.GT: "＞", Comparator.GE: "≥", Comparator.LE: "≤", Comparator.LT: "＜"}


def effective_direction(target: Target, base_value: Decimal | float | None = None) -> Direction:
    """Which way is better for this target's values.

    Thresholds follow their comparator (≥ ＞ a floor, ≤ ＜ a ceiling). Rows whose values are a reduction since
    the base year (`reduction`) are higher-is-better for levels, totals and thresholds. Otherwise the target's
    own direction; else its comparator; else, for a level, lower when the base is above the target.
    """
    kind = target.kind
    cmp = target.comparator
    if kind == TargetKind.RELATIVE:
        return Direction.HIGHER
    if kind == TargetKind.THRESHOLD:
        if cmp in (Comparator.GE, Comparator.GT):
            return Direction.HIGHER
        if cmp in (Comparator.LE, Comparator.LT):
            return Direction.LOWER
        return target.direction or Direction.HIGHER
    if target.reduction and kind != TargetKind.GROWTH:
        return Direction.HIGHER
    if target.direction is not None:
        return target.direction
    if cmp in (Comparator.LE, Comparator.LT):
        return Direction.LOWER
    if cmp in (Comparator.GE, Comparator.GT):
        return Direction.HIGHER
    if kind == TargetKind.GROWTH and target.reduction:
        return Direction.LOWER
    if kind in (TargetKind.LEVEL, TargetKind.APPROXIMATE):
        with localcontext(_CTX):
            b, v = _dec(base_value), _dec(target.value)
            if b is not None and v is not None and b > v:
                return Direction.LOWER
    return Direction.HIGHER


def _growth_bar(t: Target, direction: Direction, g: Decimal) -> Decimal:
    """The signed yearly growth the target asks for, in %. A 下降 target's value is the size of the decline."""
    if direction == Direction.LOWER and t.comparator not in (Comparator.LE, Comparator.LT):
        return -abs(g)
    return g


def _describe(t: Target, unit: str, settings: ProgressSettings) -> str:
    """The target in a few Chinese words: 「力争目标1500亿元」, 「年均增长8%左右」, 「目标低于4%」."""
    # The same words come back for every year and reading judged: cached. str(value) keeps 0 apart from −0 (equal
    # Decimals, different text); a value that cannot be hashed (a signalling NaN) is described uncached.
    try:
        return _cached_description(t, unit, str(t.value))
    except TypeError:
        return _description(t, unit)


@functools.lru_cache(maxsize=1 << 14)
def _cached_description(t: Target, unit: str, _value_text: str) -> str:
    return _description(t, unit)


def _description(t: Target, unit: str) -> str:
    v = _dec(t.value)
    unit = t.unit or unit
    strive = "力争" if t.stretch else ""
    kind = t.kind
    if kind == TargetKind.RELATIVE:
        return t.text or "与经济发展同步"
    if kind in (TargetKind.QUALITATIVE, TargetKind.NONE) or v is None:
        return f"“{t.text}”" if t.text else ("定性目标" if kind == TargetKind.QUALITATIVE else "该目标")
    if kind == TargetKind.GROWTH:
        direction = effective_direction(t)
        bar = _growth_bar(t, direction, v)
        suffix = "左右" if t.comparator == Comparator.ABOUT else ""
        word = _CMP_GROWTH.get(t.comparator, "")
        if bar < 0 and t.comparator not in (Comparator.LE, Comparator.LT):
            return f"{strive}年均下降{word}{_tv(-bar)}%{suffix}"
        return f"{strive}年均增长{word}{_tv(bar)}%{suffix}"
    if kind == TargetKind.CUMULATIVE:
        return f"累计{strive}目标{_tv(v)}{unit}"
    if kind == TargetKind.THRESHOLD:
        direction = effective_direction(t)
        cmp = t.comparator
        if cmp not in _CMP_LINE:
            cmp = Comparator.GE if direction == Direction.HIGHER else Comparator.LE
        if t.reduction:
            return f"{strive}目标下降{_CMP_LINE[cmp]}{_tv(v)}%"
        return f"{strive}目标{_CMP_LINE[cmp]}{_tv(v)}{unit}"
    about = "左右" if kind == TargetKind.APPROXIMATE or t.comparator == Comparator.ABOUT else ""
    if t.reduction:
        return f"{strive}目标下降{_tv(v)}%{about}"
    return f"{strive}目标{_tv(v)}{unit}{about}"


# --------------------------------------------------------------------------------------------------------
# Judging one target


@dataclass
class _Frame:
    p: _Prepared  # what does not depend on the year
    year: int
    base: int
    last: int  # target year T
    e: Decimal
    y0: Decimal | None
    yt: Decimal | None
    manual: ManualStatus | None

    @property
    def at_end(self) -> bool:
        return self.year == self.last


def _reading(target: Target, status: Status, explanation: str | Callable[[], str], f: _Frame | None = None,
             **figures) -> Reading:
    """`explanation` may be deferred (a callable): it is only worded when the frame asks for words."""
    if callable(explanation):
        explanation = explanation() if f is None or f.p.words else ""
    return Reading(
        target=target,
        status=status,
        firm=False,
        expected=_float(figures.get("expected")),
        completion=_float(figures.get("completion")),
        elapsed=_float(f.e) if f is not None else None,
        actual_growth=_float(figures.get("actual_growth")),
        required_growth=_float(figures.get("required_growth")),
        growth_needed_from_here=_float(figures.get("needed")),
        explanation=explanation,
    )


def _schedule(c: Decimal, f: _Frame, *, allow_ahead: bool = True) -> Status:
    """Completion share against the elapsed share."""
    e = f.e
    if allow_ahead and c - e >= f.p.ahead:
        return Status.AHEAD
    if c >= e - f.p.on_track:
        return Status.ON_TRACK
    if c >= 0 and c >= f.p.ratio * e:
        return Status.BEHIND
    return Status.AT_RISK


def _schedule_words(f: _Frame, expected: Decimal, completion: Decimal, unit: str, actual_word: str = "实际") -> str:
    return (
        f"{f.year}年{actual_word}{_u(f.yt, unit)}，序时应达{_u(expected, unit)}"
        f"（完成进度{_share(completion)}，序时进度{_share(f.e)}）"
    )


def _needed_words(f: _Frame, needed: Decimal | None) -> str:
    if needed is None or f.year >= f.last:
        return ""
    if needed >= 0:
        return f"{f.last}年达到目标需此后年均增长{_pct1(needed)}。"
    return f"{f.last}年达到目标需此后年均下降{_pct1(-needed)}。"


def _judge_level(t: Target, f: _Frame, unit: str) -> Reading:
    approx = t.kind == TargetKind.APPROXIMATE or t.comparator == Comparator.ABOUT
    v = _dec(t.value)
    y0 = _ZERO if t.reduction else f.y0
    yt = f.yt
    direction = effective_direction(t, y0)
    sign = 1 if direction == Direction.HIGHER else -1
    band = f.p.about_share * abs(v) if approx else _ZERO
    bar = v - sign * band  # at or beyond this the target counts as met
    met = sign * (yt - bar) >= 0
    target_words = _describe(t, unit, f.p.settings) if f.p.words else ""
    actual_word = "累计下降" if t.reduction else "实际"

    figures: dict[str, Decimal | None] = {}
    if f.p.words:  # a level's growth figures only explain it (and fill its Reading): its status never reads them
        if y0 is not None and y0 > 0 and yt > 0:
            figures["actual_growth"] = _cagr(y0, yt, f.year - f.base)
        if y0 is not None and y0 > 0 and v > 0:
            figures["required_growth"] = _cagr(y0, v, f.last - f.base)
        if f.year < f.last and yt > 0 and v > 0:
            figures["needed"] = _cagr(yt, v, f.last - f.year)
    needed = figures.get("needed")

    beyond = ""
    if approx and sign * (yt - (v + sign * band)) > 0:
        beyond = "，超出目标"

    if y0 is None:
        if met:
            status = Status.ACHIEVED
            words = f"已达到{target_words}{beyond}"
        else:
            status = Status.AT_RISK if f.at_end else Status.BEHIND
            words = "目标年未达到目标" if f.at_end else f"尚未达到{target_words}"
        return _reading(
            t, status, lambda: f"缺少{f.base}年基数，无法计算序时进度；{f.year}年{actual_word}{_u(yt, unit)}，{words}。",
            f, **figures
        )

    expected = y0 + (v - y0) * f.e
    figures["expected"] = expected
    required = sign * (v - y0)
    if required <= 0:  # the target is the base itself (or behind it): keep it
        if met:
            status = Status.ACHIEVED if f.at_end else Status.ON_TRACK
            words = f"保持在{target_words}以内" if sign < 0 else f"保持在{target_words}以上"
            if approx:
                words = f"保持在{target_words}"
        else:
            status = Status.AT_RISK if f.at_end else Status.BEHIND
            words = f"未保持{target_words}"
        return _reading(
            t, status,
            lambda: f"{f.base}年基数{_u(y0, unit)}已达到目标，{f.year}年{actual_word}{_u(yt, unit)}，{words}{beyond}。",
            f, **figures
        )

    completion = (yt - y0) / (v - y0)
    figures["completion"] = completion

    def head() -> str:
        return _schedule_words(f, expected, completion, unit, actual_word)

    if met:
        status = Status.ACHIEVED
        when = "目标年已完成目标" if f.at_end else "已提前完成目标"
        text = lambda: f"{head()}，{when}（{target_words}）{beyond}。"
    elif f.at_end:
        status = Status.AT_RISK
        text = lambda: f"{head()}，目标年未达到{target_words}。"
    else:
        status = _schedule(completion, f)
        tail = "，与目标方向相反" if completion < 0 else ""
        text = lambda: f"{head()}{tail}。{_needed_words(f, needed)}"
    return _reading(t, status, text, f, **figures)


def _judge_growth(t: Target, f: _Frame, unit: str) -> Reading:
    g = _dec(t.value)
    y0, yt = f.y0, f.yt
    direction = effective_direction(t, y0)
    gb = _growth_bar(t, direction, g)
    target_words = _describe(t, unit, f.p.settings) if f.p.words else ""
    if y0 is None:
        return _reading(t, Status.MANUAL, f"缺少{f.base}年基数，无法计算增速，请补录基数或人工判断。", f)
    if y0 <= 0 or yt < 0:
        return _reading(
            t, Status.MANUAL, f"基数为零或负数（{f.base}年{_u(y0, unit)}，{f.year}年{_u(yt, unit)}），无法计算增速，请人工判断。", f
        )
    n = f.year - f.base
    sign = 1 if direction == Direction.HIGHER else -1
    b = sign * gb
    observed = None
    if not f.p.words and not f.at_end:  # the target year's 基本完成 reads the growth itself: always exact there
        observed = _rough_growth(y0, yt, n, sign, [b - f.p.about_points - _EPS, b - _EPS, b + _EPS,
                                                    b + f.p.about_points + _EPS, _ZERO, f.p.ratio * b])
    if observed is None:
        observed = _cagr(y0, yt, n)
    factor = _ONE + gb / _HUNDRED
    expected = y0 * factor**n if factor > 0 else None
    implied_end = y0 * factor ** (f.last - f.base) if factor > 0 else None
    needed = None  # only explains the reading: not computed when no words are wanted
    if f.p.words and f.year < f.last and implied_end is not None and implied_end > 0 and yt > 0:
        needed = _cagr(yt, implied_end, f.last - f.year)

    x = sign * observed
    cmp = t.comparator
    if cmp == Comparator.ABOUT:
        met = x >= b - f.p.about_points - _EPS
    elif cmp in (Comparator.GT, Comparator.LT):
        met = x > b + _EPS
    else:
        met = x >= b - _EPS
    ahead = x > b + f.p.about_points + _EPS

    if f.at_end:
        status = Status.ACHIEVED if met else Status.AT_RISK
    elif ahead:
        status = Status.AHEAD
    elif met:
        status = Status.ON_TRACK
    elif b > 0:
        status = Status.BEHIND if x >= 0 and x >= f.p.ratio * b else Status.AT_RISK
    else:
        status = Status.BEHIND

    def text() -> str:
        if observed >= 0:
            obs_words = f"{f.base}年以来年均增长{_pct1(observed)}"
        else:
            obs_words = f"{f.base}年以来年均下降{_pct1(-observed)}"
        words = f"{f.year}年实际{_u(yt, unit)}，{obs_words}"
        if expected is not None:
            words += f"，按{target_words}序时应达{_u(expected, unit)}"
        if f.at_end:
            words += "，目标年已达到增速目标。" if met else "，目标年未达到增速目标。"
        else:
            words += "。"
            if needed is not None and implied_end is not None:
                verb = "增长" if needed >= 0 else "下降"
                words += f"按增速目标{f.last}年应达{_u(implied_end, unit)}，需此后年均{verb}{_pct1(abs(needed))}。"
        return words

    return _reading(
        t, status, text, f, expected=expected, actual_growth=observed, required_growth=gb, needed=needed
    )


def _rough_growth(y0: Decimal, yt: Decimal, n: int, sign: int, bars: list[Decimal]) -> Decimal | None:
    """The average growth in floating point, when it settles every comparison with `bars` (the signed growth
    x = sign·growth against each bar) as the exact `_cagr` would; else None. Its error is below 1e-13 of the
    growth factor, far inside the margin of 1e-6 (relative) it keeps from every bar, so a status judged with it
    is the exact one without Decimal.ln, which is most of judging many years (verdict_years)."""
    low, high = float(y0), float(yt)
    if not (0 < low < math.inf and 0 < high < math.inf):
        return None
    ratio = high / low
    if not 0 < ratio < math.inf:
        return None
    growth = (ratio ** (1.0 / n) - 1.0) * 100.0
    x = sign * growth
    for bar in bars:
        level = float(bar)
        if not abs(x - level) > 1e-6 * (1.0 + abs(x) + abs(level)):
            return None
    return Decimal(growth)


def _judge_cumulative(t: Target, f: _Frame, unit: str) -> Reading:
    total = _dec(t.value)
    years = range(f.base + 1, f.year + 1)
    missing = [y for y in years if y not in f.p.vals]
    s = sum((f.p.vals[y] for y in years if y in f.p.vals), _ZERO)
    expected = total * f.e
    completion = s / total if total != 0 else None
    direction = effective_direction(t, f.y0)
    target_words = _describe(t, unit, f.p.settings) if f.p.words else ""
    span = f"{f.base + 1}年" if f.year == f.base + 1 else f"{f.base + 1}—{f.year}年"
    head = f"{span}累计{_u(s, unit)}，序时应达{_u(expected, unit)}"
    if completion is not None:
        head += f"（完成进度{_share(completion)}，序时进度{_share(f.e)}）"
    gap = ""
    if missing:
        gap = "缺" + "、".join(f"{y}年" for y in missing) + "数据，未计入。"

    if direction == Direction.HIGHER:
        if s >= total:
            status = Status.ACHIEVED
            words = "目标年已完成" if f.at_end else "已提前完成"
            text = f"{head}，{words}{target_words}。"
        elif f.at_end:
            status = Status.AT_RISK
            text = f"{head}，目标年未完成{target_words}。"
        elif total <= 0 or completion is None:
            status = Status.BEHIND
            text = f"{head}，尚未完成{target_words}。"
        else:
            status = _schedule(completion, f)
            text = f"{head}。"
    else:  # a cap on the total
        if s > total:
            status = Status.AT_RISK
            text = f"{head}，已超过{target_words}。"
        elif f.at_end:
            status = Status.ACHIEVED
            text = f"{head}，目标年控制在{target_words}以内。"
        elif s <= expected:
            status = Status.ON_TRACK
            text = f"{head}，控制在序时进度以内。"
        else:
            status = Status.BEHIND
            text = f"{head}，快于序时进度，接近上限。"
    return _reading(t, status, text + gap, f, expected=expected, completion=completion)


def _judge_threshold(t: Target, f: _Frame, unit: str) -> Reading:
    v = _dec(t.value)
    direction = effective_direction(t)
    floor = direction == Direction.HIGHER
    strict = t.comparator in (Comparator.GT, Comparator.LT)
    y0 = _ZERO if t.reduction else f.y0
    yt = f.yt
    target_words = _describe(t, unit, f.p.settings) if f.p.words else ""
    actual_word = "累计下降" if t.reduction else "实际"
    value_unit = "%" if t.reduction else unit

    def meets(x: Decimal) -> bool:
        if floor:
            return x > v if strict else x >= v
        return x < v if strict else x <= v

    met = meets(yt)
    base_met = None if y0 is None else meets(y0)
    head = f"{f.year}年{actual_word}{_u(yt, value_unit)}"
    base_words = "" if y0 is None or t.reduction else f"（{f.base}年{_u(y0, value_unit)}）"

    if met:
        if floor and base_met is False:
            status = Status.ACHIEVED
            words = "目标年已实现" if f.at_end else "已提前实现"
        else:
            status = Status.ACHIEVED if f.at_end else Status.ON_TRACK
            words = "目标年符合" if f.at_end else "符合"
        return _reading(t, status, f"{head}{base_words}，{words}{target_words}。", f, expected=v)
    if f.at_end:
        return _reading(t, Status.AT_RISK, f"{head}{base_words}，目标年未达到{target_words}。", f, expected=v)
    if base_met is False and y0 != v:
        expected = y0 + (v - y0) * f.e
        completion = (yt - y0) / (v - y0)
        status = _schedule(completion, f, allow_ahead=False)
        text = f"{_schedule_words(f, expected, completion, value_unit, actual_word)}，尚未达到{target_words}。"
        return _reading(t, status, text, f, expected=expected, completion=completion)
    if base_met:
        text = f"{head}{base_words}，未达到{target_words}，较基数退步。"
    else:
        text = f"{head}{base_words}，未达到{target_words}。"
    return _reading(t, Status.BEHIND, text, f, expected=v)


def _reference_growth(f: _Frame, year: int) -> Decimal | None:
    now, before = f.p.reference.get(year), f.p.reference.get(year - 1)
    if now is None or before is None or before <= 0:
        return None
    return (now / before - _ONE) * _HUNDRED


def _judge_relative(t: Target, f: _Frame, unit: str) -> Reading:
    rg = _reference_growth(f, f.year)
    if rg is None:
        text = f"缺少地区生产总值{f.year - 1}年或{f.year}年数据，无法计算经济增速，不能判断是否同步。"
        return _reading(t, Status.NO_DATA, text, f)
    yt = f.yt
    slack = f.p.relative_points
    if yt >= rg - slack:
        status = Status.ON_TRACK
        words = "与经济增长同步" if yt >= rg else f"略低于经济增速，在允许的{_num(slack)}个百分点以内"
    elif yt < 0 and rg > 0:
        status = Status.AT_RISK
        words = "经济增长时反而下降"
    else:
        status = Status.BEHIND
        words = f"低于经济增速{_num(rg - yt)}个百分点"
    text = f"{f.year}年增长{_pct1(yt)}，同期地区生产总值增长{_pct1(rg)}，{words}。"
    return _reading(t, status, text, f, expected=rg, actual_growth=yt, required_growth=rg)


def _yearly_check(f: _Frame, direction: Direction, goal: Decimal) -> tuple[Status, str]:
    met = f.yt >= goal if direction == Direction.HIGHER else f.yt <= goal
    if met:
        status = Status.ACHIEVED if f.at_end else Status.ON_TRACK
        return status, "完成年度目标"
    return Status.BEHIND, "未完成年度目标"


def _judge_qualitative(t: Target, f: _Frame, unit: str) -> Reading:
    if f.manual is not None:
        note = f"（{f.manual.note}）" if f.manual.note else ""
        return _reading(t, f.manual.status, f"人工判断：{status_word(f.manual.status, f.at_end)}{note}。", f)
    goal = _dec(f.p.spec.yearly_targets.get(f.year)) if f.p.spec.yearly_targets else None
    if goal is not None and f.yt is not None:
        direction = Direction.HIGHER if t.reduction else (t.direction or Direction.HIGHER)
        status, words = _yearly_check(f, direction, goal)
        text = f"按年度目标判断：{f.year}年年度目标{_u(goal, unit)}，实际{_u(f.yt, unit)}，{words}。"
        return _reading(t, status, text, f, expected=goal)
    return _reading(t, Status.MANUAL, "该目标不能按数值计算，请录入人工判断结果和说明。", f)


_JUDGES = {
    TargetKind.LEVEL: _judge_level,
    TargetKind.APPROXIMATE: _judge_level,
    TargetKind.GROWTH: _judge_growth,
    TargetKind.CUMULATIVE: _judge_cumulative,
    TargetKind.THRESHOLD: _judge_threshold,
}


def _judge(t: Target, f: _Frame) -> Reading:
    unit = f.p.spec.unit
    try:
        if t.kind == TargetKind.QUALITATIVE:
            return _judge_qualitative(t, f, unit)
        if f.yt is None:
            return _reading(t, Status.NO_DATA, f"{f.year}年尚未录入数值。", f)
        if t.kind == TargetKind.RELATIVE:
            return _judge_relative(t, f, unit)
        if _dec(t.value) is None:
            return _reading(t, Status.MANUAL, "目标没有可计算的数值，请人工判断。", f)
        return _JUDGES[t.kind](t, f, unit)
    except ArithmeticError:
        return _reading(t, Status.MANUAL, "数值超出可计算范围，请核对数据或人工判断。", f)


# --------------------------------------------------------------------------------------------------------
# Putting the readings together


def _is_computable(t: Target) -> bool:
    if t.kind == TargetKind.RELATIVE:
        return True
    return t.kind in _NUMERIC_KINDS and _dec(t.value) is not None


def _firm_index(targets: list[Target]) -> int | None:
    """The first computable target that is not 力争; else the first computable one; else the first."""
    if not targets:
        return None
    for i, t in enumerate(targets):
        if _is_computable(t) and not t.stretch:
            return i
    for i, t in enumerate(targets):
        if _is_computable(t):
            return i
    return 0


def _values(values: Mapping | None) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    if not values:
        return out
    for k, v in values.items():
        if isinstance(k, bool) or not isinstance(k, int):
            continue
        d = _dec(v)
        if d is not None:
            out[k] = d
    return out


@dataclass(frozen=True)
class _Prepared:
    """What judging an indicator needs that does not depend on the year: read once, whatever the years judged."""

    spec: IndicatorSpec
    settings: ProgressSettings
    targets: list[Target]
    firm_i: int | None
    vals: dict[int, Decimal]
    reference: dict[int, Decimal]
    about_points: Decimal
    about_share: Decimal
    ahead: Decimal
    on_track: Decimal
    ratio: Decimal
    relative_points: Decimal
    basic_share: Decimal
    words: bool = True  # False: judge the statuses only (verdict_years), with no explanations or unused figures


# Up to this decimal exponent no figure, growth rate or text of a judgement can leave the arithmetic context
# (28 digits, exponents to ±999999), so skipping the words cannot skip an ArithmeticError that makes it 需人工判断.
_PLAIN_EXPONENT = 1000


def _prepare(spec, values, settings, reference_values, words: bool = True) -> _Prepared:
    targets = [t for t in spec.targets if t.kind != TargetKind.NONE]
    vals, reference = _values(values), _values(reference_values)
    if not words:
        figures = [*vals.values(), *reference.values(), *(d for d in map(_dec, (t.value for t in targets)) if d is not None)]
        words = any(abs(d.adjusted()) > _PLAIN_EXPONENT for d in figures)  # absurd figures: judge them in full
    return _Prepared(
        spec=spec,
        settings=settings,
        targets=targets,
        firm_i=_firm_index(targets),
        vals=vals,
        reference=reference,
        about_points=_setting(settings.about_points, "0.5"),
        about_share=_setting(settings.about_share, "0.05"),
        ahead=_setting(settings.ahead_margin, "0.05"),
        on_track=_setting(settings.on_track_margin, "0.05"),
        ratio=_setting(settings.at_risk_ratio, "0.6"),
        relative_points=_setting(settings.relative_points, "0"),
        basic_share=_setting(settings.basic_completion_share, "0"),
        words=words,
    )


def _frame(p: _Prepared, year: int, manual: ManualStatus | None) -> _Frame:
    base, last = p.settings.base_year, p.settings.target_year
    return _Frame(
        p=p,
        year=year,
        base=base,
        last=last,
        e=Decimal(year - base) / Decimal(last - base),
        y0=p.vals.get(base),
        yt=p.vals.get(year),
        manual=manual,
    )


def _short(r: Reading, unit: str, settings: ProgressSettings, final: bool) -> str:
    extra = ""
    if r.completion is not None and r.status not in (Status.NO_DATA, Status.MANUAL):
        extra = f"（完成进度{_share(_dec(r.completion))}"
        extra += f"，序时进度{_share(_dec(r.elapsed))}）" if r.elapsed is not None else "）"
    elif r.actual_growth is not None and r.status not in (Status.NO_DATA, Status.MANUAL):
        extra = f"（年均增长{_pct1(_dec(r.actual_growth))}）"
    return f"{_describe(r.target, unit, settings)}：{status_word(r.status, final)}{extra}"


def _yearly_direction(targets: list[Target], y0: Decimal | None) -> Direction:
    for t in targets:
        if t.kind in _NUMERIC_KINDS or t.kind == TargetKind.RELATIVE:
            base = _ZERO if t.reduction else y0
            return effective_direction(t, base)
    return Direction.HIGHER


def assess(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    year: int,
    *,
    settings: ProgressSettings,
    reference_values: Mapping[int, Decimal | float] | None = None,
    manual: ManualStatus | None = None,
) -> Assessment:
    """Judge one indicator in one year. Never raises for numeric input; see the module docstring."""
    with localcontext(_CTX):
        return _assess(_prepare(spec, values, settings, reference_values), year, manual)


def assess_years(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    years: Iterable[int],
    *,
    settings: ProgressSettings,
    reference_values: Mapping[int, Decimal | float] | None = None,
    manual: Mapping[int, ManualStatus | None] | None = None,
) -> dict[int, Assessment]:
    """`assess` for several years of one indicator (`manual`: the manual status of each year), reading the
    values, the reference series and the settings once: the same Assessments as judging each year alone."""
    return _judge_years(spec, values, years, settings, reference_values, manual, words=True)


def _judge_years(spec, values, years, settings, reference_values, manual, *, words: bool) -> dict[int, Assessment]:
    with localcontext(_CTX):
        prepared = _prepare(spec, values, settings, reference_values, words)
        return {year: _assess(prepared, year, (manual or {}).get(year)) for year in years}


@dataclass(frozen=True)
class Verdict(_StatusWords):
    """An indicator's status in one year without the words: what `assess` would give as its code and label."""

    year: int
    status: Status
    final: bool = False
    basic: bool = False


def verdict_years(spec: IndicatorSpec, values: Mapping[int, Decimal | float], years: Iterable[int], *,
                  settings: ProgressSettings, reference_values=None, manual=None) -> dict[int, Verdict]:
    """`assess_years` (same arguments) for the statuses alone, a table of codes and labels: the same status, final
    and 基本完成 as the full Assessment, without wording explanations or working out figures the status never reads."""
    judged = _judge_years(spec, values, years, settings, reference_values, manual, words=False)
    return {year: Verdict(a.year, a.status, a.final, a.basic) for year, a in judged.items()}


def _assess(p: _Prepared, year, manual) -> Assessment:
    spec, settings, targets = p.spec, p.settings, p.targets
    base, last = settings.base_year, settings.target_year
    manual_note = manual.note if manual is not None else ""

    if not isinstance(year, int) or isinstance(year, bool) or last <= base or not base < year <= last:
        if last <= base:
            why = f"规划期设置有误（基期{base}年，目标年{last}年），无法判断进度。"
        else:
            why = f"{year}年不在规划期（{base + 1}—{last}年）内，无法判断进度。"
        readings = tuple(_reading(t, Status.NO_DATA, why) for t in targets)
        return Assessment(year=year, status=Status.NO_DATA, readings=readings, explanation=why, manual_note=manual_note)

    f = _frame(p, year, manual)
    firm_i = p.firm_i
    # A verdict's status is the firm target's alone: the other targets and the yearly one only explain it.
    explained = p.words or firm_i is None
    if explained:
        main = [_judge(t, f) for t in targets]
    else:
        main, firm_i = [_judge(targets[firm_i], f)], 0

    yearly: Reading | None = None
    goal = _dec(spec.yearly_targets.get(year)) if spec.yearly_targets and explained else None
    only_qualitative = bool(targets) and all(t.kind == TargetKind.QUALITATIVE for t in targets)
    if goal is not None and f.yt is not None and not only_qualitative:
        direction = _yearly_direction(targets, f.y0)
        status, words = _yearly_check(f, direction, goal)
        cmp = Comparator.GE if direction == Direction.HIGHER else Comparator.LE
        ytarget = Target(text="年度目标", kind=TargetKind.THRESHOLD, comparator=cmp, value=goal, unit=spec.unit)
        yearly = _reading(
            ytarget, status, lambda: f"年度目标：{year}年目标{_u(goal, spec.unit)}，实际{_u(f.yt, spec.unit)}，{words}。",
            f, expected=goal
        )

    if firm_i is not None:
        firm = main[firm_i]
        if p.words:  # the flag marks the reading shown first; a verdict shows none
            main[firm_i] = firm = replace(firm, firm=True)
    elif yearly is not None:
        yearly = replace(yearly, firm=True)
        firm = yearly
    else:
        firm = None
    readings = tuple(main) + ((yearly,) if yearly is not None else ())

    if firm is None:
        status = manual.status if manual is not None else Status.MANUAL
        if not p.words:
            return Assessment(year, status, readings, "", manual_note, final=year == last)
        note = f"（{manual_note}）" if manual_note else ""
        if manual is not None:
            explanation = f"人工判断：{status_word(status, year == last)}{note}。"
        else:
            explanation = "该指标没有可计算的目标，需人工判断。"
        return Assessment(year, status, readings, explanation, manual_note, final=year == last)

    unit = spec.unit
    final = year == last
    basic = final and manual is None and firm.status in LAGGING and _basically_done(firm, p.basic_share)
    if not p.words:
        return Assessment(year, firm.status if manual is None else manual.status, readings, "", manual_note,
                          final=final, basic=basic)
    if firm.target.text == "年度目标" and firm_i is None:
        firm_words = f"{year}年年度目标"
    else:
        firm_words = _describe(firm.target, unit, settings)
    parts = [f"按{firm_words}判断：{status_word(firm.status, final, basic)}。{firm.explanation}"]
    others = [r for r in readings if r is not firm]
    stretch_disagrees = False
    for r in others:
        words = r.explanation if r is yearly else _short(r, unit, settings, final) + "。"
        parts.append(words)
        if r.target.stretch and r.status != firm.status:
            stretch_disagrees = True
    if stretch_disagrees and not firm.target.stretch:
        parts.append(f"力争目标的判断仅作参考，总体状态以{firm_words}为准。")
    explanation = "".join(parts)

    status = firm.status
    if manual is not None and firm.target.kind != TargetKind.QUALITATIVE:
        status = manual.status
        note = f"（{manual_note}）" if manual_note else ""
        explanation = f"人工判断：{status_word(status, final)}{note}。计算结果：{explanation}"
    elif manual is not None:
        status = manual.status
    return Assessment(year, status, readings, explanation, manual_note, final=final, basic=basic)


def assess_as_of(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    as_of: int,
    *,
    settings: ProgressSettings,
    reference_values: Mapping[int, Decimal | float] | None = None,
    manual: ManualStatus | None = None,
) -> Assessment:
    """Judge on the latest year ≤ as_of (and within the plan period) that has a value; the base year is excluded.

    No such year → the indicator is judged for min(as_of, target year), which gives NO_DATA for numeric
    targets (a manual status still applies, and a qualitative target still reads 需人工判断).
    """
    with localcontext(_CTX):
        return _assess_as_of(_prepare(spec, values, settings, reference_values), as_of, manual)


def _year_judged_as_of(p: _Prepared, as_of: object) -> tuple[int, bool]:
    """The year assess_as_of judges, and whether it has a value."""
    base, last = p.settings.base_year, p.settings.target_year
    try:
        limit = min(int(as_of), last)
    except (TypeError, ValueError):
        limit = last
    years = [y for y in p.vals if base < y <= limit]
    return (max(years), True) if years else (limit, False)


def _assess_as_of(p: _Prepared, as_of, manual: ManualStatus | None) -> Assessment:
    used, found = _year_judged_as_of(p, as_of)
    if not p.words:
        p = replace(p, words=True)
    a = _assess(p, used, manual)
    if not found:
        prefix = f"截至{as_of}年尚无数据。"
    elif used != as_of:
        prefix = f"截至{as_of}年，按最新的{used}年数据判断。"
    else:
        prefix = f"按{used}年数据判断。"
    return replace(a, explanation=prefix + a.explanation)


def verdict_as_of(spec: IndicatorSpec, values: Mapping[int, Decimal | float], as_of: int, *,
                  settings: ProgressSettings, reference_values=None, manual: ManualStatus | None = None) -> Verdict:
    """`assess_as_of`'s status alone (same arguments), without wording an explanation: on the latest year with a
    figure up to `as_of`, with the manual status given for `as_of`."""
    with localcontext(_CTX):
        fast = _prepare(spec, values, settings, reference_values, words=False)
        a = _assess(fast, _year_judged_as_of(fast, as_of)[0], manual)
        return Verdict(a.year, a.status, a.final, a.basic)


def judge_table(spec: IndicatorSpec, values: Mapping[int, Decimal | float], years: Iterable[int], as_of: int, *,
                settings: ProgressSettings, reference_values=None, manual=None,
                manual_as_of: ManualStatus | None = None) -> tuple[dict[int, Verdict], Assessment]:
    """`verdict_years(years)` and `assess_as_of(as_of)` (with `manual_as_of`) of one indicator in one pass, what a
    table of every year's status with the current one explained needs: the values and settings read once, and
    the status of the year judged as of taken from its full assessment rather than judged twice."""
    with localcontext(_CTX):
        fast = _prepare(spec, values, settings, reference_values, words=False)
        current = _assess_as_of(fast, as_of, manual_as_of)
        manual = manual or {}
        verdicts = {}
        for year in years:
            if year == current.year and manual.get(year) == manual_as_of:
                a = current
            else:
                a = _assess(fast, year, manual.get(year))
            verdicts[year] = Verdict(a.year, a.status, a.final, a.basic)
        return verdicts, current


def expected_path(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    settings: ProgressSettings,
    *,
    reference_values: Mapping[int, Decimal | float] | None = None,
) -> dict[int, float | None]:
    """The 序时 expected value per year, base..target year, for the firm numeric target; None where undefined.

    Levels: the straight line from the base value to the target. Growth: the base compounded at the target
    rate. Cumulative: the running total the schedule expects (0 at the base). Threshold: the line itself, or
    the straight line to it when the base is on the wrong side. Relative: GDP growth of each year. A
    qualitative indicator gets its 年度目标 where entered.
    """
    base, last = settings.base_year, settings.target_year
    if not isinstance(base, int) or not isinstance(last, int) or last <= base or last - base > 1000:
        return {}
    path: dict[int, float | None] = {y: None for y in range(base, last + 1)}
    with localcontext(_CTX):
        vals = _values(values)
        ordered = [
            t
            for t in spec.targets
            if t.kind == TargetKind.RELATIVE or (t.kind in _NUMERIC_KINDS and _dec(t.value) is not None)
        ]
        if not ordered:
            goals = _values(spec.yearly_targets)
            for y in path:
                path[y] = _float(goals.get(y))
            return path
        t = next((t for t in ordered if not t.stretch), ordered[0])
        v = _dec(t.value)
        y0 = _ZERO if t.reduction and t.kind != TargetKind.GROWTH else vals.get(base)
        ref = _values(reference_values)
        for y in path:
            e = Decimal(y - base) / Decimal(last - base)
            try:
                path[y] = _float(_expected_at(t, v, y0, y, e, base, last, ref))
            except ArithmeticError:
                path[y] = None
    return path


def _expected_at(t, v, y0, y, e, base, last, ref) -> Decimal | None:
    kind = t.kind
    if kind == TargetKind.RELATIVE:
        now, before = ref.get(y), ref.get(y - 1)
        if y == base or now is None or before is None or before <= 0:
            return None
        return (now / before - _ONE) * _HUNDRED
    if kind == TargetKind.CUMULATIVE:
        return v * e
    if kind == TargetKind.THRESHOLD:
        direction = effective_direction(t)
        strict = t.comparator in (Comparator.GT, Comparator.LT)
        if y0 is not None:
            if direction == Direction.HIGHER:
                base_met = y0 > v if strict else y0 >= v
            else:
                base_met = y0 < v if strict else y0 <= v
            if not base_met:
                return y0 + (v - y0) * e
        return v
    if y0 is None:
        return None
    if kind == TargetKind.GROWTH:
        if y0 <= 0:
            return None
        factor = _ONE + _growth_bar(t, effective_direction(t, y0), v) / _HUNDRED
        return y0 * factor ** (y - base) if factor > 0 else None
    return y0 + (v - y0) * e
