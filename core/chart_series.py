"""The numbers behind guihua's charts: one indicator's path, and the spread of statuses per category.

Both the meeting pack's Excel charts (exports.charts) and the terminal chart of the indicator detail panel
(tui.indicator_chart) draw from `indicator_series`, so a leader's printout and the office's screen show the
same three lines:

- 实际: the recorded values per plan year (base year included); for a cumulative target (累计) the running
  total since the base year, because that is what its 序时 path and its target measure;
- 序时: `core.progress.expected_path`, the value the schedule expects each year;
- 目标: the firm target as a level, drawn flat across the period (a threshold's line, a level's end value; for
  an average-growth target the level the rate reaches in the target year).

The target is the one `expected_path` follows: the first numeric target that is not a stretch goal (力争).
An indicator whose target is not a number (定性, 与经济发展同步) has no chart.

Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.period import Period
from core.progress import IndicatorSpec, ProgressSettings, Status, expected_path
from core.targets import Target, TargetKind

__all__ = ["IndicatorSeries", "indicator_series", "series_on_path", "chart_target", "axis_bounds", "StatusCount",
           "status_spread", "plan_status_spread", "STATUS_ORDER", "TEXT_TARGETS"]

# Kinds whose target is a number on the indicator's own scale (or, for growth, turns into one).
_CHARTED_KINDS = (TargetKind.LEVEL, TargetKind.APPROXIMATE, TargetKind.GROWTH, TargetKind.CUMULATIVE,
                  TargetKind.THRESHOLD)
# What expected_path considers (it also follows 与经济发展同步, which has no level to draw).
_PATH_KINDS = (*_CHARTED_KINDS, TargetKind.RELATIVE)


@dataclass(frozen=True)
class IndicatorSeries:
    """Three lines over the plan years, base year first. None where a line has no point that year."""

    name: str
    unit: str
    years: tuple[int, ...]
    actual: tuple[float | None, ...]
    schedule: tuple[float | None, ...]  # 序时
    target: tuple[float | None, ...]  # the target level, the same every year (or None throughout)
    target_text: str  # the target in words: 「目标年达到1500亿元」
    cumulative: bool = False  # actual is a running total

    @property
    def target_value(self) -> float | None:
        return self.target[-1] if self.target else None

    @property
    def has_actuals(self) -> bool:
        return any(v is not None for v in self.actual[1:])

    def points(self) -> list[float]:
        """Every finite value on the chart, for scaling an axis."""
        return [v for line in (self.actual, self.schedule, self.target) for v in line if v is not None]


def chart_target(spec: IndicatorSpec) -> Target | None:
    """The target the chart draws: the one core.progress.expected_path follows, if it is a number."""
    ordered = [t for t in spec.targets
               if t.kind == TargetKind.RELATIVE or (t.kind in _CHARTED_KINDS and t.value is not None)]
    if not ordered:
        return None
    chosen = next((t for t in ordered if not t.stretch), ordered[0])
    return chosen if chosen.kind in _CHARTED_KINDS else None


def _period(settings: ProgressSettings) -> Period | None:
    try:
        return Period.of(settings.base_year + 1, settings.target_year)
    except (ValueError, TypeError):
        return None  # an unusual period: the words say 「基期」 and 「目标年」


def _finite(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number if math.isfinite(number) else None


def indicator_series(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    settings: ProgressSettings,
    *,
    reference_values: Mapping[int, Decimal | float] | None = None,
) -> IndicatorSeries | None:
    """The chart of one indicator, or None when its target is not a number (or the period is unusable)."""
    path = expected_path(spec, values, settings, reference_values=reference_values)
    return series_on_path(spec, values, path, _period(settings))


def series_on_path(
    spec: IndicatorSpec,
    values: Mapping[int, Decimal | float],
    path: Mapping[int, float | None],
    period: Period | None = None,
) -> IndicatorSeries | None:
    """As `indicator_series`, for a caller that already holds the indicator's expected_path (the grid
    computes it once per indicator for the detail panel). `period` names the years in the target's words."""
    target = chart_target(spec)
    if target is None or not path:
        return None
    years = tuple(sorted(path))
    base = years[0]
    cumulative = target.kind == TargetKind.CUMULATIVE
    actual: list[float | None] = []
    running = 0.0
    for year in years:
        value = _finite(values.get(year))
        if not cumulative:
            actual.append(value)
        elif year == base:
            actual.append(0.0)  # nothing summed yet: the running total starts at the base year
        else:  # missing years add nothing, as the judgement sums them (core.progress._judge_cumulative)
            running += value or 0.0
            actual.append(running if value is not None else None)
    if target.kind == TargetKind.GROWTH:
        level = path[years[-1]]  # the base compounded at the target rate up to the target year
    else:
        level = _finite(target.value)
    return IndicatorSeries(
        name=spec.name,
        unit=spec.unit,
        years=years,
        actual=tuple(actual),
        schedule=tuple(path[y] for y in years),
        target=tuple(level for _ in years),
        target_text=target.describe(period),
        cumulative=cumulative,
    )


def axis_bounds(points: Iterable[float], ticks: int = 5) -> tuple[float, float, float]:
    """(low, high, step) of a value axis holding every point, on round steps (1, 2, 2.5 or 5 × 10ⁿ), about
    `ticks` steps apart. Not forced down to zero: a GDP path from 971 to 1500 would be a flat line from 0."""
    finite = [p for p in points if math.isfinite(p)]
    if not finite:
        return 0.0, 1.0, 0.2
    low, high = min(finite), max(finite)
    lowest = low
    if high - low <= 1e-9 * max(abs(high), abs(low), 1.0):  # one value (or a spread too small to step)
        spread = abs(high) * 0.1 if abs(high) >= 1e-6 else 1.0  # tiny figures: a unit axis, not a denormal one
        low, high = max(low - spread, 0.0) if low >= 0 else low - spread, high + spread
    raw = (high - low) / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    if bottom > low:  # low / step rounded to zero (a value just below zero)
        bottom -= step
    if bottom < 0 <= lowest:
        bottom = 0.0
    return bottom, top, step


# ----------------------------------------------------------------------------------------------------------
# The spread of statuses per category (the summary screen)

# Best first: the order of a bar's segments and of its legend.
STATUS_ORDER = (Status.ACHIEVED, Status.AHEAD, Status.ON_TRACK, Status.BEHIND, Status.AT_RISK, Status.MANUAL,
                Status.NO_DATA)


@dataclass(frozen=True)
class StatusCount:
    category: str
    counts: tuple[tuple[Status, int], ...]  # in STATUS_ORDER, zero counts left out

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def count(self, status: Status) -> int:
        return dict(self.counts).get(status, 0)


def status_spread(rows: Iterable[tuple[str, Status]]) -> list[StatusCount]:
    """(category, status) per indicator → one StatusCount per category, in the order categories first appear."""
    tally: dict[str, dict[Status, int]] = {}
    for category, status in rows:
        counts = tally.setdefault(category, {})
        counts[status] = counts.get(status, 0) + 1
    return [StatusCount(category, tuple((s, counts[s]) for s in STATUS_ORDER if counts.get(s)))
            for category, counts in tally.items()]


TEXT_TARGETS = "文中量化指标"  # the row of the accepted targets from the plan's text, all chapters together
NO_CATEGORY = "（未分类）"


def plan_status_spread(judged: Iterable[tuple[str, str, Status]]) -> list[StatusCount]:
    """(kind, category, status) per indicator → the main indicators by their 类别, then the accepted text
    targets (kind "text") together in one row, TEXT_TARGETS."""
    main, text = [], []
    for kind, category, status in judged:
        if kind == "main":
            main.append((category or NO_CATEGORY, status))
        else:
            text.append((TEXT_TARGETS, status))
    return status_spread(main) + status_spread(text)
