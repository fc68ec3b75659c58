"""Charts: the series behind them (core.chart_series), the meeting pack's sheet of Excel charts (exports.charts)
and the terminal charts of the indicator detail panel and the summary screen.

The seed plan's period is 2020–2025 (十四五): base year 2020, elapsed share (t − 2020)/5.
"""

from __future__ import annotations

import math
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from core.chart_series import STATUS_ORDER, chart_target, indicator_series, status_spread
from core.period import five_year_plan_period
from core.progress import IndicatorSpec, ProgressSettings, Status, expected_path
from core.targets import parse_target

SEED = ProgressSettings.for_period(five_year_plan_period(14))


def spec(name: str, unit: str, target: str, growth: str = "") -> IndicatorSpec:
    return IndicatorSpec(name, unit, (parse_target(target, indicator_name=name, unit=unit, column="target"),
                                      parse_target(growth, indicator_name=name, unit=unit, column="growth")))


# ----------------------------------------------------------------------------------------------------------
# core.chart_series


def test_level_series_hand_computed():
    s = indicator_series(spec("外贸进出口额", "亿美元", "50"), {2020: D("31.5"), 2022: D(40)}, SEED)
    assert s.years == (2020, 2021, 2022, 2023, 2024, 2025)
    assert s.actual == (31.5, None, 40.0, None, None, None)
    assert s.schedule == pytest.approx((31.5, 35.2, 38.9, 42.6, 46.3, 50.0))
    assert s.target == (50.0,) * 6 and s.target_value == 50.0
    assert s.has_actuals and not s.cumulative


def test_growth_target_is_drawn_as_the_level_it_reaches():
    """「年均增长8%左右」 from 1000: the target line is 1000 × 1.08⁵ (the 1500 is 力争, so not the firm one)."""
    s = indicator_series(spec("地区生产总值", "亿元", "力争1500", "8%左右"), {2020: D(1000), 2021: D(1070)}, SEED)
    assert s.target_value == pytest.approx(1000 * 1.08 ** 5)
    assert s.schedule[2] == pytest.approx(1000 * 1.08 ** 2)
    assert "8%" in s.target_text


def test_cumulative_actuals_are_running_totals():
    s = indicator_series(spec("实际利用外资", "亿美元", "累计30"), {2021: 5, 2022: 7, 2024: 6}, SEED)
    assert s.cumulative
    assert s.actual == (0.0, 5.0, 12.0, None, 18.0, None)
    assert s.schedule == pytest.approx((0, 6, 12, 18, 24, 30))


def test_no_chart_without_a_numeric_target():
    assert indicator_series(spec("营商环境", "", "完成市下达目标"), {2021: 1}, SEED) is None
    assert indicator_series(spec("居民收入增长", "%", "", "与经济发展同步"), {2021: 6}, SEED) is None
    assert indicator_series(spec("x", "亿元", ""), {}, SEED) is None


def test_no_values_still_has_a_target_and_no_actuals():
    s = indicator_series(spec("城镇调查失业率", "%", "＜4"), {}, SEED)
    assert s is not None and not s.has_actuals and s.target_value == 4.0


number = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(-1e9, 1e9, allow_nan=False),
                   st.decimals(-10**6, 10**6, allow_nan=False, allow_infinity=False, places=2))
cells = st.sampled_from(["50", "力争1500", "≥3", "＜4", "4左右", "累计30", "累计力争30", "下降13.5%", "—", "完成市下达目标",
                         "95%以上", "0", "-5"])
growths = st.sampled_from(["", "8%左右", "﹥20%", "年均下降3%", "与经济发展同步", "7"])


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=cells, growth=growths, values=st.dictionaries(st.integers(2018, 2027), number, max_size=8),
       base=st.sampled_from([2020, 2025]), length=st.integers(1, 10))
def test_property_series_follow_the_progress_rules(target, growth, values, base, length):
    """Every line spans the plan years; the 序时 line is core.progress.expected_path; the target is flat and
    is where the 序时 path ends for levels and totals; the actual line holds the recorded values (running
    totals for 累计); nothing is NaN or infinite."""
    settings = ProgressSettings(base_year=base, target_year=base + length)
    s_ = spec("指标", "亿元", target, growth)
    series = indicator_series(s_, values, settings)
    if chart_target(s_) is None:
        assert series is None
        return
    path = expected_path(s_, values, settings)
    assert series.years == tuple(range(base, base + length + 1))
    assert len(series.actual) == len(series.schedule) == len(series.target) == len(series.years)
    assert series.schedule == tuple(path[y] for y in series.years)
    assert len(set(series.target)) == 1
    assert all(math.isfinite(v) for v in series.points())
    kind = chart_target(s_).kind.value
    if kind in ("level", "approximate", "cumulative") and series.schedule[-1] is not None:
        assert series.schedule[-1] == pytest.approx(series.target_value)
    recorded = {y: float(v) for y, v in values.items() if v is not None and base <= y <= base + length}
    if series.cumulative:
        assert series.actual[0] == 0.0
        later = [series.actual[i] for i, y in enumerate(series.years) if y in recorded and y > base]
        total = sum(v for y, v in recorded.items() if y > base)
        if later:
            assert later[-1] == pytest.approx(total, rel=1e-9, abs=1e-6)
    else:
        assert {y: v for y, v in zip(series.years, series.actual) if v is not None} == pytest.approx(recorded)


@given(st.lists(st.tuples(st.sampled_from(["经济发展", "创新驱动", "民生福祉"]), st.sampled_from(list(Status))),
                max_size=40))
def test_property_status_spread_counts_every_indicator_once(rows):
    spread = status_spread(rows)
    assert sum(c.total for c in spread) == len(rows)
    assert [c.category for c in spread] == list(dict.fromkeys(category for category, _ in rows))
    for c in spread:
        assert [s for s, _ in c.counts] == [s for s in STATUS_ORDER if c.count(s)]
        for status in Status:
            assert c.count(status) == sum(1 for cat, s in rows if cat == c.category and s == status)
