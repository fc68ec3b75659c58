"""core.progress: every target kind judged with hand-computed figures, plus property tests.

Base year 2020, target year 2025, so the elapsed share e in 2022 is (2022 − 2020)/5 = 40%.
Default settings: ahead if completion − e ≥ 5 points, on track if completion ≥ e − 5 points, behind if
completion/e ≥ 0.6, else at risk; 左右 is ±0.5 points on a growth rate and ±5% of the value on a level.
"""

from __future__ import annotations

import math
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from dataclasses import replace

from core import progress
from core.period import five_year_plan_period
from core.progress import (
    Assessment,
    IndicatorSpec,
    ManualStatus,
    ProgressSettings,
    Status,
    effective_direction,
)
from core.targets import Comparator, Direction, Target, TargetKind

S = Status
# The seed plan's period (十四五): the settings every test below judges with unless it says otherwise.
SEED = ProgressSettings.for_period(five_year_plan_period(14))
assert (SEED.base_year, SEED.target_year) == (2020, 2025)


def assess(spec, values, year, *, settings=SEED, **kw):
    return progress.assess(spec, values, year, settings=settings, **kw)


def assess_as_of(spec, values, as_of, *, settings=SEED, **kw):
    return progress.assess_as_of(spec, values, as_of, settings=settings, **kw)


def expected_path(spec, values, settings=SEED, **kw):
    return progress.expected_path(spec, values, settings, **kw)


def test_settings_carry_the_plan_period():
    """No period is assumed: settings without one cannot be made."""
    with pytest.raises(TypeError):
        ProgressSettings()  # type: ignore[call-arg]
    fifteenth = ProgressSettings.for_period(five_year_plan_period(15), relative_points=0.5)
    assert (fifteenth.base_year, fifteenth.target_year, fifteenth.relative_points) == (2025, 2030, 0.5)


# ---------------------------------------------------------------------------------------------------------
# Seed indicators, built by hand (parse_target is written elsewhere)


def level(value, *, text=None, stretch=False, direction=None, unit="", reduction=False):
    return Target(
        text or (("力争" if stretch else "") + str(value)),
        TargetKind.LEVEL,
        Comparator.REACH,
        D(str(value)),
        unit,
        stretch=stretch,
        direction=direction,
        reduction=reduction,
    )


def growth(value, comparator=Comparator.ABOUT, *, stretch=False, direction=None):
    return Target(f"{value}%", TargetKind.GROWTH, comparator, D(str(value)), "%", stretch=stretch, direction=direction)


def threshold(value, comparator, *, unit="%", reduction=False):
    return Target(f"{comparator}{value}", TargetKind.THRESHOLD, comparator, D(str(value)), unit, reduction=reduction)


GDP = IndicatorSpec(
    "地区生产总值", "亿元", (level(1500, stretch=True, unit="亿元"), growth(8, Comparator.ABOUT))
)
REVENUE = IndicatorSpec("一般公共预算收入", "亿元", (level(130, stretch=True, unit="亿元"), growth(7)))
TRADE = IndicatorSpec("外贸进出口额", "亿美元", (level(50, unit="亿美元"), Target("", TargetKind.NONE)))
FDI = IndicatorSpec(
    "累计实际利用外资",
    "亿美元",
    (Target("累计力争30", TargetKind.CUMULATIVE, Comparator.REACH, D(30), "亿美元", stretch=True),),
)
ENERGY_LEVEL = IndicatorSpec("万元地区生产总值能耗", "吨标准煤", (level("0.40"),))
DOCTORS = IndicatorSpec(
    "每千人口拥有执业(助理)医师数", "人", (Target("4左右", TargetKind.APPROXIMATE, Comparator.ABOUT, D(4), "人"),)
)
BIOTECH = IndicatorSpec("生物医药工业开票销售", "亿元", (Target("", TargetKind.NONE), growth(20, Comparator.GT)))
RND = IndicatorSpec("研发经费支出占地区生产总值比重", "%", (threshold(3, Comparator.GE),))
UNEMPLOYMENT = IndicatorSpec("城镇调查失业率", "%", (threshold(4, Comparator.LT),))
ACCIDENTS = IndicatorSpec(
    "生产安全事故起数和死亡人数下降", "%", (threshold(20, Comparator.GT, reduction=True),), binding=True
)
INCOME = IndicatorSpec(
    "居民人均可支配收入增长",
    "%",
    (
        Target("—", TargetKind.NONE),
        Target("与经济发展同步", TargetKind.RELATIVE, relative_to="地区生产总值"),
    ),
)
ENERGY_CITY = IndicatorSpec(
    "单位地区生产总值能源消耗降低",
    "%",
    (Target("完成市下达目标", TargetKind.QUALITATIVE, unit="%", reduction=True),),
    binding=True,
)
WATER = IndicatorSpec("地表水省考以上断面水质达到或优于III类比例", "%", (level(100, unit="%"),))


def status_of(spec, values, year, **kw) -> Status:
    return assess(spec, values, year, **kw).status


def test_status_codes_and_labels():
    assert [s.value for s in Status] == [
        "achieved", "ahead", "on_track", "behind", "at_risk", "no_data", "manual"
    ]
    assert [s.label for s in Status] == [
        "提前完成", "超序时进度", "达到序时进度", "滞后", "难以完成", "尚无数据", "需人工判断"
    ]
    a = assess(TRADE, {2020: 31.5, 2022: 38}, 2022)
    assert (a.code, a.label) == ("on_track", "达到序时进度")


# ---------------------------------------------------------------------------------------------------------
# LEVEL


def test_level_higher_schedule():
    # 外贸进出口额: base 31.5, target 50, so the gap is 18.5; in 2022 the 序时 value is 31.5 + 18.5×0.4 = 38.9.
    v = {2020: D("31.5")}
    a = assess(TRADE, {**v, 2022: D(40)}, 2022)
    # completion (40 − 31.5)/18.5 = 45.9%; 45.9 − 40 = 5.9 points ≥ 5 → ahead
    r = a.readings[0]
    assert a.status is S.AHEAD and r.firm
    assert r.expected == pytest.approx(38.9)
    assert r.completion == pytest.approx(8.5 / 18.5)
    assert r.elapsed == pytest.approx(0.4)
    # observed CAGR (40/31.5)^(1/2) − 1 = 12.69%; required (50/31.5)^(1/5) − 1 = 9.68%; from here (50/40)^(1/3) − 1 = 7.72%
    assert r.actual_growth == pytest.approx(12.687, abs=1e-3)
    assert r.required_growth == pytest.approx(9.681, abs=1e-3)
    assert r.growth_needed_from_here == pytest.approx(7.722, abs=1e-3)
    assert "2022年实际40.0亿美元，序时应达38.9亿美元（完成进度45.9%，序时进度40.0%）" in r.explanation
    assert "按目标50亿美元判断：超序时进度" in a.explanation
    # 38: 6.5/18.5 = 35.1% ≥ 40 − 5 → on track
    assert status_of(TRADE, {**v, 2022: 38}, 2022) is S.ON_TRACK
    # 36: 4.5/18.5 = 24.3%; 24.3/40 = 0.61 ≥ 0.6 → behind
    assert status_of(TRADE, {**v, 2022: 36}, 2022) is S.BEHIND
    # 35: 3.5/18.5 = 18.9%; 18.9/40 = 0.47 → at risk
    assert status_of(TRADE, {**v, 2022: 35}, 2022) is S.AT_RISK
    # 30 < base: moving the wrong way → at risk, and the explanation says so
    a = assess(TRADE, {**v, 2022: 30}, 2022)
    assert a.status is S.AT_RISK and "方向相反" in a.explanation
    # target already reached in 2023 → 提前完成
    assert status_of(TRADE, {**v, 2023: 51}, 2023) is S.ACHIEVED
    # 2025 short of 50 → at risk (目标年未达到), met → achieved
    assert status_of(TRADE, {**v, 2025: 49}, 2025) is S.AT_RISK
    assert status_of(TRADE, {**v, 2025: 50}, 2025) is S.ACHIEVED


def test_level_lower_is_better_inferred_from_base():
    # 万元GDP能耗 level: base 0.50 above target 0.40 → lower is better. 序时 2022: 0.50 − 0.10×0.4 = 0.46.
    v = {2020: D("0.50")}
    a = assess(ENERGY_LEVEL, {**v, 2022: D("0.46")}, 2022)
    # completion (0.46 − 0.50)/(0.40 − 0.50) = 40% = elapsed → on track
    assert a.status is S.ON_TRACK
    assert a.readings[0].completion == pytest.approx(0.4)
    assert a.readings[0].expected == pytest.approx(0.46)
    # 0.45: completion 50%, 10 points ahead → ahead
    assert status_of(ENERGY_LEVEL, {**v, 2022: D("0.45")}, 2022) is S.AHEAD
    # 0.52 rose instead of falling: completion −20% → at risk
    assert status_of(ENERGY_LEVEL, {**v, 2022: D("0.52")}, 2022) is S.AT_RISK
    # 0.39 ≤ 0.40 → achieved early
    assert status_of(ENERGY_LEVEL, {**v, 2023: D("0.39")}, 2023) is S.ACHIEVED
    # required growth (0.4/0.5)^(1/5) − 1 = exp(ln 0.8 / 5) − 1 = exp(−0.044629) − 1 = −4.365% a year
    assert a.readings[0].required_growth == pytest.approx(-4.3648, abs=1e-3)
    assert "年均下降" in a.readings[0].explanation


def test_level_explicit_direction_wins_over_inference():
    # An explicit 「降至」 with the base already below the target: lower is better, the base already meets it,
    # so this is a "keep it" target: 0.38 ≤ 0.40 on track, 0.41 behind.
    spec = IndicatorSpec("x", "", (level("0.40", direction=Direction.LOWER),))
    assert effective_direction(spec.targets[0], D("0.35")) is Direction.LOWER
    assert status_of(spec, {2020: D("0.35"), 2022: D("0.38")}, 2022) is S.ON_TRACK
    assert status_of(spec, {2020: D("0.35"), 2022: D("0.41")}, 2022) is S.BEHIND


def test_level_target_equal_to_base_is_kept():
    # 地表水 III类比例: base 100, target 100 → maintain: 100 on track, 98 behind, 100 in 2025 achieved.
    assert status_of(WATER, {2020: 100, 2022: 100}, 2022) is S.ON_TRACK
    assert status_of(WATER, {2020: 100, 2022: 98}, 2022) is S.BEHIND
    assert status_of(WATER, {2020: 100, 2025: 100}, 2025) is S.ACHIEVED
    assert status_of(WATER, {2020: 100, 2025: 98}, 2025) is S.AT_RISK


def test_level_missing_base_judges_met_or_not():
    a = assess(TRADE, {2022: 45}, 2022)
    assert a.status is S.BEHIND and "缺少2020年基数" in a.explanation
    assert a.readings[0].completion is None and a.readings[0].expected is None
    assert status_of(TRADE, {2022: 52}, 2022) is S.ACHIEVED
    assert status_of(TRADE, {2025: 45}, 2025) is S.AT_RISK


def test_level_zero_and_negative_base():
    spec = IndicatorSpec("x", "个", (level(10),))
    # base 0, target 10: 序时 2022 = 4; actual 4 → completion 40% → on track; no growth rate from a zero base
    r = assess(spec, {2020: 0, 2022: 4}, 2022).readings[0]
    assert r.status is S.ON_TRACK and r.actual_growth is None and r.required_growth is None
    assert r.growth_needed_from_here == pytest.approx((10 / 4) ** (1 / 3) * 100 - 100)
    # base −5, target 10: gap 15; actual 1 → completion 6/15 = 40% → on track
    r = assess(spec, {2020: -5, 2022: 1}, 2022).readings[0]
    assert r.status is S.ON_TRACK and r.completion == pytest.approx(0.4)
    assert r.actual_growth is None and r.required_growth is None
    # actual −1: 4/15 = 26.7%; 26.7/40 = 0.67 → behind
    assert status_of(spec, {2020: -5, 2022: -1}, 2022) is S.BEHIND


# ---------------------------------------------------------------------------------------------------------
# APPROXIMATE


def test_approximate_band():
    # 4左右 with ±5%: band 0.2, so 3.8..4.2 counts as 4. Base 3.0, gap 1.0, 序时 2022 = 3.4.
    v = {2020: D("3.0")}
    a = assess(DOCTORS, {**v, 2022: D("3.4")}, 2022)
    assert a.status is S.ON_TRACK and a.readings[0].completion == pytest.approx(0.4)
    # 3.85 ≥ 3.8 (the band's lower edge) before 2025 → achieved early
    assert status_of(DOCTORS, {**v, 2023: D("3.85")}, 2023) is S.ACHIEVED
    # 3.79 in 2023 is below the band: completion 79% vs elapsed 60% → ahead, not achieved
    assert status_of(DOCTORS, {**v, 2023: D("3.79")}, 2023) is S.AHEAD
    # 2025: 3.8 (band edge, float input) achieved; 4.5 above the band → achieved, 超出目标; 3.7 → at risk
    assert status_of(DOCTORS, {**v, 2025: 3.8}, 2025) is S.ACHIEVED
    a = assess(DOCTORS, {**v, 2025: D("4.5")}, 2025)
    assert a.status is S.ACHIEVED and "超出目标" in a.explanation
    assert status_of(DOCTORS, {**v, 2025: D("3.7")}, 2025) is S.AT_RISK


# ---------------------------------------------------------------------------------------------------------
# GROWTH


def test_growth_about():
    # 一般公共预算收入 7%左右 from 89.9: on track from 6.5%, ahead above 7.5%.
    v = {2020: D("89.9")}
    # 89.9×1.05² = 99.11475: observed 5%; 5/7 = 0.71 ≥ 0.6 → behind
    growth_reading = assess(REVENUE, {**v, 2022: D("99.11475")}, 2022).readings[1]
    assert growth_reading.status is S.BEHIND and growth_reading.firm
    assert growth_reading.actual_growth == pytest.approx(5.0)
    assert growth_reading.required_growth == pytest.approx(7.0)
    # 序时 value: 89.9×1.07² = 102.92651
    assert growth_reading.expected == pytest.approx(102.92651)
    # 89.9×1.09² = 106.81019: 9% > 7.5% → ahead
    assert status_of(REVENUE, {**v, 2022: D("106.81019")}, 2022) is S.AHEAD
    # 89.9×1.068² = 102.5426976: 6.8% ≥ 6.5% → on track
    assert status_of(REVENUE, {**v, 2022: D("102.5426976")}, 2022) is S.ON_TRACK
    # 89.9×1.03² = 95.37491: 3/7 = 0.43 → at risk; a fall (85) → at risk
    assert status_of(REVENUE, {**v, 2022: D("95.37491")}, 2022) is S.AT_RISK
    assert status_of(REVENUE, {**v, 2022: 85}, 2022) is S.AT_RISK
    # 2025: 89.9×1.07^5 = 126.0894 → achieved; 89.9×1.06^5 = 120.3065 (6% < 6.5%) → at risk
    assert status_of(REVENUE, {**v, 2025: D("126.0894")}, 2025) is S.ACHIEVED
    assert status_of(REVENUE, {**v, 2025: D("120.3065")}, 2025) is S.AT_RISK


def test_growth_greater_than():
    # ﹥20% from 100: 100×1.2² = 144 is exactly 20%, which is not "more than" → behind (ratio 1.0 ≥ 0.6)
    v = {2020: 100}
    assert status_of(BIOTECH, {**v, 2022: 144}, 2022) is S.BEHIND
    # 145: √1.45 − 1 = 20.42% > 20 → on track; 150: √1.5 − 1 = 22.47% > 20.5 → ahead
    a = assess(BIOTECH, {**v, 2022: 145}, 2022)
    assert a.status is S.ON_TRACK
    r = a.readings[0]
    assert r.actual_growth == pytest.approx(20.416, abs=1e-3)
    # the path's end is 100×1.2^5 = 248.832; from 145 that needs (248.832/145)^(1/3) − 1 = 19.72% a year
    assert r.growth_needed_from_here == pytest.approx(((248.832 / 145) ** (1 / 3) - 1) * 100)
    assert status_of(BIOTECH, {**v, 2022: 150}, 2022) is S.AHEAD
    # 120: √1.2 − 1 = 9.54%; 9.54/20 = 0.48 → at risk
    assert status_of(BIOTECH, {**v, 2022: 120}, 2022) is S.AT_RISK


def test_growth_lower_direction_compares_the_decline():
    # 年均下降3%左右 from 100: 100×0.97² = 94.09 → a 3% decline, on track; 100×0.99² = 98.01 → 1% decline,
    # 1/3 = 0.33 → at risk; a 5% decline (90.25) beats 3.5% → ahead.
    spec = IndicatorSpec("x", "", (growth(3, direction=Direction.LOWER),))
    v = {2020: 100}
    a = assess(spec, {**v, 2022: D("94.09")}, 2022)
    assert a.status is S.ON_TRACK and a.readings[0].required_growth == pytest.approx(-3)
    assert status_of(spec, {**v, 2022: D("98.01")}, 2022) is S.AT_RISK
    assert status_of(spec, {**v, 2022: D("90.25")}, 2022) is S.AHEAD


def test_growth_zero_negative_or_missing_base_is_manual():
    a = assess(BIOTECH, {2020: 0, 2022: 50}, 2022)
    assert a.status is S.MANUAL and "基数为零或负数" in a.explanation
    assert status_of(BIOTECH, {2020: -3, 2022: 50}, 2022) is S.MANUAL
    a = assess(BIOTECH, {2022: 50}, 2022)
    assert a.status is S.MANUAL and "缺少2020年基数" in a.explanation


# ---------------------------------------------------------------------------------------------------------
# GDP: the seed's double reading


def test_gdp_double_reading():
    # 971.9 × 1.08² = 1133.62 ≈ 1133.6: the 8%左右 path exactly; observed √(1133.6/971.9) − 1 = 7.999%.
    a = assess(GDP, {2020: D("971.9"), 2022: D("1133.6")}, 2022)
    stretch, firm = a.readings
    assert firm.firm and not stretch.firm
    assert firm.status is S.ON_TRACK
    assert firm.actual_growth == pytest.approx(7.9988, abs=1e-4)
    assert firm.expected == pytest.approx(1133.62416)
    # 力争1500: completion (1133.6 − 971.9)/(1500 − 971.9) = 161.7/528.1 = 30.6% vs 40%: 30.6/40 = 0.77 → behind
    assert stretch.status is S.BEHIND
    assert stretch.completion == pytest.approx(161.7 / 528.1)
    # 1500 needs (1500/971.9)^(1/5) − 1 = 9.07% a year; the 8% path ends at 971.9×1.08^5 = 1428.0
    assert stretch.required_growth == pytest.approx(9.067, abs=1e-3)
    assert a.status is S.ON_TRACK
    assert a.explanation.startswith("按年均增长8%左右判断：达到序时进度。")
    assert "力争目标1500亿元：滞后（完成进度30.6%，序时进度40.0%）" in a.explanation
    assert "1428.0亿元" in a.explanation
    assert "仅作参考" in a.explanation


def test_gdp_stretch_reached_does_not_replace_firm_reading():
    # 2024 = 1500 reaches the stretch goal (achieved) while growth (1500/971.9)^(1/4) − 1 = 11.5% > 8.5% → ahead:
    # the overall status is the firm (growth) one, the stretch is shown beside it.
    a = assess(GDP, {2020: D("971.9"), 2024: D("1500")}, 2024)
    assert a.readings[0].status is S.ACHIEVED
    assert a.status is S.AHEAD
    assert "力争目标1500亿元：提前完成" in a.explanation


def test_all_stretch_uses_the_first_reading():
    # FDI has only a 力争 target: it is the firm reading.
    a = assess(FDI, {2021: D("5.5"), 2022: D("6.5")}, 2022)
    assert a.readings[0].firm and a.status is a.readings[0].status


def test_firm_reading_prefers_a_computable_target():
    # a qualitative cell first and a 力争 level second: the level (though stretch) decides, not 需人工判断
    spec = IndicatorSpec("x", "亿元", (Target("完成市下达目标", TargetKind.QUALITATIVE), level(50, stretch=True)))
    a = assess(spec, {2020: 30, 2022: 38}, 2022)  # (38 − 30)/20 = 40% → on track
    assert a.readings[1].firm and a.status is S.ON_TRACK


def test_huge_values_are_explained_without_overflow():
    # 1.8e304 is finite, but ×100 for a percentage would overflow a float
    a = assess(FDI, {2021: 1.7976931348623158e304}, 2021)
    assert a.status is S.ACHIEVED
    assert "inf" not in a.explanation and "nan" not in a.explanation
    assert a.readings[0].completion is None or math.isfinite(a.readings[0].completion)


# ---------------------------------------------------------------------------------------------------------
# CUMULATIVE


def test_cumulative_foreign_investment():
    # 5.5 + 6.5 = 12 of 30 by 2022 → completion 40% = elapsed 40% → on track; 序时 30×0.4 = 12.
    # The base year (6 in 2020) is not summed.
    a = assess(FDI, {2020: 6, 2021: D("5.5"), 2022: D("6.5")}, 2022)
    r = a.readings[0]
    assert a.status is S.ON_TRACK
    assert r.completion == pytest.approx(0.4) and r.expected == pytest.approx(12)
    assert "2021—2022年累计12.0亿美元" in r.explanation
    # 2021 missing: only 6.5 counted (21.7%; 21.7/40 = 0.54 → at risk), and the gap is named
    a = assess(FDI, {2022: D("6.5")}, 2022)
    assert a.status is S.AT_RISK and "缺2021年数据" in a.explanation
    # 6+6+6+6+6 = 30 by 2025 → achieved; 6+6+6+7 = 25 by 2024 → 83.3% vs 80% → on track
    full = {y: 6 for y in range(2021, 2026)}
    assert status_of(FDI, full, 2025) is S.ACHIEVED
    assert status_of(FDI, {2021: 6, 2022: 6, 2023: 6, 2024: 7}, 2024) is S.ON_TRACK
    # 30 reached in 2024 → achieved early; 28 in 2025 → at risk
    assert status_of(FDI, {2021: 7, 2022: 8, 2023: 7, 2024: 8}, 2024) is S.ACHIEVED
    assert status_of(FDI, {2021: 6, 2022: 6, 2023: 6, 2024: 5, 2025: 5}, 2025) is S.AT_RISK
    # the year itself missing → no data
    assert status_of(FDI, {2021: 6}, 2022) is S.NO_DATA


# ---------------------------------------------------------------------------------------------------------
# THRESHOLD


def test_threshold_floor():
    # ≥3: base 2.8 below, 2022 3.1 meets → achieved (提前实现)
    assert status_of(RND, {2020: D("2.8"), 2022: D("3.1")}, 2022) is S.ACHIEVED
    # base 3.2 already meets: 3.3 → on track until 2025, achieved in 2025
    assert status_of(RND, {2020: D("3.2"), 2022: D("3.3")}, 2022) is S.ON_TRACK
    assert status_of(RND, {2020: D("3.2"), 2025: D("3.3")}, 2025) is S.ACHIEVED
    # base unknown and met → on track
    assert status_of(RND, {2022: 3}, 2022) is S.ON_TRACK
    # base 2.6: linear path to 3; 2022 2.7 → completion 0.1/0.4 = 25%; 25/40 = 0.625 → behind
    a = assess(RND, {2020: D("2.6"), 2022: D("2.7")}, 2022)
    assert a.status is S.BEHIND and a.readings[0].completion == pytest.approx(0.25)
    assert a.readings[0].expected == pytest.approx(2.76)  # 2.6 + 0.4×0.4
    # base met, then slipped below → behind (退步); below in 2025 → at risk
    a = assess(RND, {2020: D("3.2"), 2022: D("2.9")}, 2022)
    assert a.status is S.BEHIND and "退步" in a.explanation
    assert status_of(RND, {2020: D("3.2"), 2025: D("2.9")}, 2025) is S.AT_RISK


def test_threshold_ceiling_unemployment():
    # ＜4: a limit to respect every year
    a = assess(UNEMPLOYMENT, {2020: D("3.6"), 2022: D("3.5")}, 2022)
    assert a.status is S.ON_TRACK and "符合目标＜4%" in a.explanation
    assert status_of(UNEMPLOYMENT, {2020: D("3.6"), 2025: D("3.5")}, 2025) is S.ACHIEVED
    # 4.0 is not below 4 → behind; 4.2 in 2025 → at risk
    assert status_of(UNEMPLOYMENT, {2020: D("3.6"), 2022: 4}, 2022) is S.BEHIND
    assert status_of(UNEMPLOYMENT, {2020: D("3.6"), 2025: D("4.2")}, 2025) is S.AT_RISK
    # base 4.5 above the line: path 4.5 → 4; 2022 4.3 → completion 0.2/0.5 = 40% → on track;
    # 4.45 → 10%, 10/40 = 0.25 → at risk
    assert status_of(UNEMPLOYMENT, {2020: D("4.5"), 2022: D("4.3")}, 2022) is S.ON_TRACK
    assert status_of(UNEMPLOYMENT, {2020: D("4.5"), 2022: D("4.45")}, 2022) is S.AT_RISK


def test_threshold_reduction_row():
    # ﹥20 下降: values are the reduction since 2020 in %, base 0. 2022: 9 against 序时 20×0.4 = 8 → on track
    # (completion 45%; a line not yet crossed is never "ahead").
    a = assess(ACCIDENTS, {2022: 9}, 2022)
    r = a.readings[0]
    assert a.status is S.ON_TRACK
    assert r.expected == pytest.approx(8) and r.completion == pytest.approx(0.45)
    assert "2022年累计下降9.0%，序时应达8.0%" in r.explanation
    # a base value in the table is ignored for a reduction row
    assert status_of(ACCIDENTS, {2020: 50, 2022: 9}, 2022) is S.ON_TRACK
    # 4: 20%, 20/40 = 0.5 → at risk; 21 → achieved; 19 in 2025 → at risk
    assert status_of(ACCIDENTS, {2022: 4}, 2022) is S.AT_RISK
    assert status_of(ACCIDENTS, {2023: 21}, 2023) is S.ACHIEVED
    assert status_of(ACCIDENTS, {2025: 19}, 2025) is S.AT_RISK
    # a parser may mark a 下降 row as lower-is-better: the comparator still decides for a threshold
    t = Target("﹥20", TargetKind.THRESHOLD, Comparator.GT, D(20), "%", direction=Direction.LOWER, reduction=True)
    assert status_of(IndicatorSpec("x", "%", (t,)), {2022: 9}, 2022) is S.ON_TRACK


# ---------------------------------------------------------------------------------------------------------
# RELATIVE


def test_relative_to_gdp():
    gdp = {2021: 1050, 2022: 1134}  # 1134/1050 − 1 = 8.0%
    a = assess(INCOME, {2022: D("7.5")}, 2022, reference_values=gdp)
    assert a.status is S.BEHIND
    r = next(r for r in a.readings if r.firm)
    assert r.expected == pytest.approx(8.0) and r.actual_growth == pytest.approx(7.5)
    assert "地区生产总值增长8.0%" in a.explanation
    assert status_of(INCOME, {2022: D("8.2")}, 2022, reference_values=gdp) is S.ON_TRACK
    # half a point allowed: 7.5 ≥ 8.0 − 0.5 → on track
    loose = replace(SEED, relative_points=0.5)
    assert status_of(INCOME, {2022: D("7.5")}, 2022, reference_values=gdp, settings=loose) is S.ON_TRACK
    # income falls while GDP grows → at risk
    assert status_of(INCOME, {2022: -1}, 2022, reference_values=gdp) is S.AT_RISK
    # in the target year the same rule (no 提前完成)
    assert status_of(INCOME, {2025: 9}, 2025, reference_values={2024: 100, 2025: 108}) is S.ON_TRACK
    # no GDP for 2021 → no data, naming GDP
    a = assess(INCOME, {2022: D("7.5")}, 2022, reference_values={2022: 1134})
    assert a.status is S.NO_DATA and "地区生产总值" in a.explanation
    assert status_of(INCOME, {2022: D("7.5")}, 2022) is S.NO_DATA


# ---------------------------------------------------------------------------------------------------------
# QUALITATIVE and yearly targets


def test_qualitative_manual_and_none():
    a = assess(ENERGY_CITY, {}, 2022)
    assert a.status is S.MANUAL and a.label == "需人工判断"
    m = ManualStatus(S.ON_TRACK, "市下达2022年降低3%，已完成")
    a = assess(ENERGY_CITY, {}, 2022, manual=m)
    assert a.status is S.ON_TRACK
    assert a.manual_note == "市下达2022年降低3%，已完成"
    assert "人工判断" in a.explanation and "已完成" in a.explanation


def test_qualitative_yearly_target():
    spec = IndicatorSpec(ENERGY_CITY.name, "%", ENERGY_CITY.targets, binding=True, yearly_targets={2022: D(3), 2025: D(14)})
    a = assess(spec, {2022: D("3.2")}, 2022)
    assert a.status is S.ON_TRACK and "按年度目标判断" in a.explanation
    assert status_of(spec, {2022: D("2.5")}, 2022) is S.BEHIND
    assert status_of(spec, {2025: D("14.5")}, 2025) is S.ACHIEVED
    # a manual status always wins
    assert status_of(spec, {2022: D("3.2")}, 2022, manual=ManualStatus(S.AT_RISK, "口径调整")) is S.AT_RISK
    # no yearly target for 2023 → manual
    assert status_of(spec, {2023: 5}, 2023) is S.MANUAL


def test_yearly_target_on_numeric_indicator_is_an_extra_reading():
    # 外贸: 2022 年度目标 40, actual 38: the yearly reading says behind, the overall stays on track (35.1% vs 40%).
    spec = IndicatorSpec(TRADE.name, TRADE.unit, TRADE.targets, yearly_targets={2022: D(40)})
    a = assess(spec, {2020: D("31.5"), 2022: 38}, 2022)
    assert a.status is S.ON_TRACK
    yearly = a.readings[-1]
    assert yearly.status is S.BEHIND and not yearly.firm and "年度目标" in yearly.explanation
    assert "年度目标" in a.explanation
    # the only reading: it decides
    alone = IndicatorSpec("x", "亿元", (Target("—", TargetKind.NONE),), yearly_targets={2022: D(40)})
    a = assess(alone, {2022: 41}, 2022)
    assert a.status is S.ON_TRACK and a.readings[0].firm
    # lower-is-better indicator: the yearly target is a ceiling
    spec = IndicatorSpec(UNEMPLOYMENT.name, "%", UNEMPLOYMENT.targets, yearly_targets={2022: D("3.8")})
    assert assess(spec, {2022: D("3.5")}, 2022).readings[-1].status is S.ON_TRACK
    assert assess(spec, {2022: D("3.9")}, 2022).readings[-1].status is S.BEHIND


def test_no_targets_at_all():
    spec = IndicatorSpec("x", "", (Target("", TargetKind.NONE),))
    a = assess(spec, {2022: 1}, 2022)
    assert a.status is S.MANUAL and a.readings == ()
    assert status_of(spec, {2022: 1}, 2022, manual=ManualStatus(S.BEHIND)) is S.BEHIND


def test_manual_overrules_a_numeric_indicator():
    m = ManualStatus(S.AT_RISK, "主要企业停产")
    a = assess(TRADE, {2020: D("31.5"), 2022: 40}, 2022, manual=m)
    assert a.status is S.AT_RISK
    assert a.readings[0].status is S.AHEAD  # still computed
    assert a.explanation.startswith("人工判断：难以完成（主要企业停产）") and "超序时进度" in a.explanation
    assert a.manual_note == "主要企业停产"


# ---------------------------------------------------------------------------------------------------------
# Missing data, years, revisions, input types


def test_no_value_for_the_year():
    a = assess(GDP, {2020: D("971.9")}, 2022)
    assert a.status is S.NO_DATA
    assert all(r.status is S.NO_DATA for r in a.readings)
    assert "尚未录入" in a.explanation


@pytest.mark.parametrize("year", [2019, 2020, 2026, 1900, 3000])
def test_year_outside_the_plan_period(year):
    a = assess(GDP, {2020: D("971.9"), year: 1000}, year)
    assert a.status is S.NO_DATA and "不在规划期" in a.explanation
    assert all(r.status is S.NO_DATA for r in a.readings)


def test_bad_plan_period_settings():
    a = assess(GDP, {2020: 1, 2022: 2}, 2022, settings=ProgressSettings(base_year=2025, target_year=2025))
    assert a.status is S.NO_DATA and "规划期设置有误" in a.explanation
    assert expected_path(GDP, {2020: 1}, ProgressSettings(base_year=2025, target_year=2020)) == {}


def test_revised_value_changes_the_result():
    values = {2020: D("31.5"), 2022: D(36)}
    assert status_of(TRADE, values, 2022) is S.BEHIND
    values[2022] = D(40)  # the statistics bureau revised the figure
    a = assess(TRADE, values, 2022)
    assert a.status is S.AHEAD and "40.0亿美元" in a.explanation


def test_decimal_and_float_inputs_agree():
    a = assess(GDP, {2020: D("971.9"), 2022: D("1133.6")}, 2022)
    b = assess(GDP, {2020: 971.9, 2022: 1133.6}, 2022)
    assert a == b


def test_other_plan_period():
    # 十五五: 2025 → 2030, elapsed 2027 = 40%
    s = ProgressSettings(base_year=2025, target_year=2030)
    assert status_of(TRADE, {2025: D("31.5"), 2027: 38}, 2027, settings=s) is S.ON_TRACK
    assert status_of(TRADE, {2025: D("31.5"), 2022: 38}, 2022, settings=s) is S.NO_DATA


# ---------------------------------------------------------------------------------------------------------
# assess_as_of and expected_path


def test_assess_as_of_uses_the_latest_year():
    values = {2020: D("31.5"), 2021: 34, 2022: 38}
    a = assess_as_of(TRADE, values, 2024)
    assert a.year == 2022 and a.status is S.ON_TRACK
    assert "按最新的2022年数据判断" in a.explanation
    # exactly the year asked for
    a = assess_as_of(TRADE, values, 2022)
    assert a.explanation == "按2022年数据判断。" + assess(TRADE, values, 2022).explanation
    # a value after the target year is not used
    assert assess_as_of(TRADE, {**values, 2026: 60}, 2030).year == 2022
    # only the base year known → no data
    a = assess_as_of(TRADE, {2020: D("31.5")}, 2023)
    assert a.status is S.NO_DATA and "截至2023年尚无数据" in a.explanation
    # a qualitative indicator with no values still reads 需人工判断, or its manual status
    assert assess_as_of(ENERGY_CITY, {}, 2023).status is S.MANUAL
    assert assess_as_of(ENERGY_CITY, {}, 2023, manual=ManualStatus(S.ON_TRACK)).status is S.ON_TRACK


def test_expected_path():
    # GDP: the firm 8% path, 971.9 × 1.08^k
    path = expected_path(GDP, {2020: D("971.9")})
    assert list(path) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert path[2020] == pytest.approx(971.9)
    assert path[2022] == pytest.approx(1133.62416)
    assert path[2025] == pytest.approx(971.9 * 1.08**5)
    # level: straight line 31.5 → 50
    path = expected_path(TRADE, {2020: D("31.5")})
    assert path[2022] == pytest.approx(38.9) and path[2025] == pytest.approx(50)
    # no base → undefined
    assert set(expected_path(TRADE, {}).values()) == {None}
    # cumulative: 6 a year, 0 at the base
    assert expected_path(FDI, {}) == pytest.approx({2020: 0, 2021: 6, 2022: 12, 2023: 18, 2024: 24, 2025: 30})
    # reduction threshold: 0 → 20
    assert expected_path(ACCIDENTS, {})[2022] == pytest.approx(8)
    # ceiling met at the base: the line itself
    assert expected_path(UNEMPLOYMENT, {2020: D("3.6")})[2023] == pytest.approx(4)
    # relative: GDP growth per year
    assert expected_path(INCOME, {}, reference_values={2021: 1050, 2022: 1134})[2022] == pytest.approx(8)
    # qualitative: the yearly targets
    spec = IndicatorSpec("x", "%", ENERGY_CITY.targets, yearly_targets={2022: D(3)})
    assert expected_path(spec, {}) == {2020: None, 2021: None, 2022: 3.0, 2023: None, 2024: None, 2025: None}


def test_with_parse_target_when_available():
    from core.targets import parse_target

    try:
        t1 = parse_target("力争1500", indicator_name="地区生产总值", unit="亿元", column="target")
        t2 = parse_target("8%左右", indicator_name="地区生产总值", unit="亿元", column="growth")
    except NotImplementedError:
        pytest.skip("parse_target is not written yet")
    spec = IndicatorSpec("地区生产总值", "亿元", (t1, t2))
    a = assess(spec, {2020: D("971.9"), 2022: D("1133.6")}, 2022)
    assert a.status is S.ON_TRACK and "1500" in a.explanation
    assert [r.status for r in a.readings] == [S.BEHIND, S.ON_TRACK]


# ---------------------------------------------------------------------------------------------------------
# Properties

RANK = {S.ACHIEVED: 5, S.AHEAD: 4, S.ON_TRACK: 3, S.BEHIND: 2, S.AT_RISK: 1}

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.integers(min_value=-1000, max_value=1000),
)
any_number = st.one_of(finite, moderate, st.decimals(allow_nan=True, allow_infinity=True), st.none())
comparators = st.sampled_from([None, *Comparator])
directions = st.sampled_from([None, *Direction])
NUMERIC_KINDS = [
    TargetKind.LEVEL,
    TargetKind.APPROXIMATE,
    TargetKind.GROWTH,
    TargetKind.CUMULATIVE,
    TargetKind.THRESHOLD,
    TargetKind.RELATIVE,
]


def amounts(lo, hi):
    """Decimals, floats or ints in [lo, hi]: what an office types, or what a program hands over."""
    return st.one_of(
        st.decimals(min_value=D(math.ceil(lo * 100)) / 100, max_value=D(math.floor(hi * 100)) / 100, places=2),
        st.floats(min_value=lo, max_value=hi, allow_nan=False),
        st.integers(min_value=math.ceil(lo), max_value=math.floor(hi)),
    )


@st.composite
def progress_settings(draw):
    return replace(
        SEED,
        about_points=draw(st.floats(0, 5)),
        about_share=draw(st.floats(0, 0.5)),
        ahead_margin=draw(st.floats(-0.2, 0.5)),
        on_track_margin=draw(st.floats(-0.2, 0.5)),
        at_risk_ratio=draw(st.floats(-1, 1.5)),
        relative_points=draw(st.floats(0, 5)),
        basic_completion_share=draw(st.floats(-0.5, 1.5)),
    )


@st.composite
def monotonic_cases(draw, kind):
    """One numeric target with a history, and two actual values for the judged year.

    Actuals are mostly drawn around the stretch between the base and the target (or along the target's growth
    path) so that the two values often land on different statuses; now and then a wild value.
    """
    year = draw(st.integers(2021, 2025))
    n = year - 2020
    ref: dict[int, object] = {}
    history: dict[int, object] = {}
    wild = st.one_of(moderate, st.just(0), st.just(-1))
    if kind == TargetKind.GROWTH:
        value = draw(st.decimals(min_value=-30, max_value=30, places=1))
        base = draw(st.one_of(amounts(0.1, 1000), amounts(0.1, 1000), st.sampled_from([None, 0, -5])))
        b = float(base) if base is not None and base > 0 else 100.0
        # observed yearly growth r%: around the target rate (either sign), or anywhere from −60% to +80%
        rates = st.one_of(st.floats(-2.5, 2.5).map(lambda t: float(value) * t), st.floats(-60, 80))
        actual = st.one_of(*[rates.map(lambda r: b * (1 + r / 100) ** n)] * 3, wild)
    elif kind == TargetKind.RELATIVE:
        value = None
        base = None
        ref = {year - 1: draw(amounts(0.5, 2000)), year: draw(amounts(0, 2500))}
        actual = st.one_of(amounts(-30, 40), amounts(-30, 40), wild)
    else:
        value = draw(st.decimals(min_value=-100, max_value=1000, places=1))
        base = draw(st.one_of(*[amounts(-100, 1000)] * 3, st.none(), st.just(value)))
        if kind == TargetKind.CUMULATIVE:
            history = draw(st.dictionaries(st.integers(2021, 2025), amounts(0, float(abs(value)) / 4 + 1), max_size=4))
            anchor, span = 0.0, float(value) / 5
        else:
            anchor = float(base) if base is not None else float(value) / 2
            span = (float(value) - anchor) or 1.0
        actual = st.one_of(*[st.floats(-1.5, 2.5).map(lambda t: anchor + t * span)] * 3, wild)
    target = Target(
        "t", kind, draw(comparators), value, "", direction=draw(directions), reduction=draw(st.booleans())
    )
    values = dict(history)
    if base is not None:
        values[2020] = base
    pair = sorted([draw(actual), draw(actual)], key=lambda x: D(repr(x)) if isinstance(x, float) else D(x))
    return target, values, year, pair, ref


@pytest.mark.parametrize("kind", NUMERIC_KINDS)
@hsettings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cfg=st.one_of(st.just(SEED), progress_settings()))
def test_property_a_better_actual_never_gets_a_worse_status(kind, data, cfg):
    # Order: achieved > ahead > on_track > behind > at_risk (no_data and manual are not ranked).
    target, values, year, (small, large), ref = data.draw(monotonic_cases(kind))
    spec = IndicatorSpec("x", "", (target,))
    worse, better = small, large
    if effective_direction(target, values.get(2020)) is Direction.LOWER:
        worse, better = large, small  # lower is better: the smaller value must not get a worse status
    s_worse = status_of(spec, {**values, year: worse}, year, settings=cfg, reference_values=ref)
    s_better = status_of(spec, {**values, year: better}, year, settings=cfg, reference_values=ref)
    if s_worse in RANK and s_better in RANK:
        assert RANK[s_better] >= RANK[s_worse], (s_worse, s_better)


@st.composite
def any_targets(draw):
    return Target(
        draw(st.text(alphabet="力争左右完成—/％% 8", max_size=5)),
        draw(st.sampled_from(TargetKind)),
        draw(comparators),
        draw(st.one_of(st.none(), st.decimals(allow_nan=True, allow_infinity=True), moderate.map(lambda x: D(str(x))))),
        draw(st.sampled_from(["", "%", "亿元"])),
        stretch=draw(st.booleans()),
        direction=draw(directions),
        reduction=draw(st.booleans()),
    )


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    targets=st.lists(any_targets(), max_size=3),
    values=st.dictionaries(st.integers(2015, 2030), any_number, max_size=8),
    year=st.one_of(st.integers(2018, 2027), st.integers()),
    ref=st.one_of(st.none(), st.dictionaries(st.integers(2015, 2030), any_number, max_size=8)),
    manual=st.one_of(st.none(), st.builds(ManualStatus, st.sampled_from(Status), st.text(alphabet="已完成口径", max_size=5))),
    yearly=st.dictionaries(st.integers(2019, 2026), st.one_of(moderate.map(lambda x: D(str(x))), st.decimals()), max_size=3),
    base_year=st.sampled_from([2020, 2020, 2020, 2025, 2030]),
    target_year=st.sampled_from([2025, 2025, 2020, 2030, 2021]),
)
def test_property_assess_never_raises_and_status_is_one_of_seven(
    targets, values, year, ref, manual, yearly, base_year, target_year
):
    spec = IndicatorSpec("x", "亿元", tuple(targets), yearly_targets=yearly)
    cfg = ProgressSettings(base_year=base_year, target_year=target_year)
    for a in (
        assess(spec, values, year, settings=cfg, reference_values=ref, manual=manual),
        assess_as_of(spec, values, year, settings=cfg, reference_values=ref, manual=manual),
    ):
        assert isinstance(a, Assessment)
        assert type(a.status) is Status and a.code in {s.value for s in Status}
        assert isinstance(a.explanation, str) and a.explanation
        assert "nan" not in a.explanation.lower() and "inf" not in a.explanation.lower()
        for r in a.readings:
            assert type(r.status) is Status
            for x in (r.expected, r.completion, r.elapsed, r.actual_growth, r.required_growth, r.growth_needed_from_here):
                assert x is None or math.isfinite(x)
        assert sum(r.firm for r in a.readings) <= 1
    path = expected_path(spec, values, cfg, reference_values=ref)
    assert all(v is None or math.isfinite(v) for v in path.values())


def test_in_the_target_year_the_words_are_the_outcome():
    """A finished plan's 总结评估 reads 已完成 / 未完成, not the forecasts 提前完成 / 难以完成."""
    trade_met = {2020: 31.5, 2024: 48, 2025: 52}
    trade_missed = {2020: 31.5, 2024: 38, 2025: 40}
    before = assess(TRADE, trade_met, 2024, settings=SEED)
    assert not before.final and before.label == before.status.label
    met = assess(TRADE, trade_met, 2025, settings=SEED)
    missed = assess(TRADE, trade_missed, 2025, settings=SEED)
    assert met.final and met.label == "已完成" and "已完成" in met.explanation
    assert missed.final and missed.label == "未完成" and "未完成" in missed.explanation
    assert "难以完成" not in missed.explanation and "提前完成" not in met.explanation.split("。")[0]
    # the stretch reading beside the firm one, and a manual status, are worded as outcomes too
    gdp = assess(GDP, {2020: 971.9, 2025: 1351.1}, 2025)
    assert gdp.label == "未完成" and "力争目标1500亿元：未完成（完成进度71.8%" in gdp.explanation
    assert "难以完成" not in gdp.explanation
    overruled = assess(TRADE, trade_met, 2025, manual=ManualStatus(S.AT_RISK, "口径调整"))
    assert overruled.label == "未完成" and overruled.explanation.startswith("人工判断：未完成（口径调整）")
    assert assess(TRADE, {2020: 31.5}, 2025, settings=SEED).label == "尚无数据"


@given(st.sampled_from(list(Status)), st.booleans(), st.booleans())
def test_status_words_in_the_target_year_are_final(status, final, basic):
    word = progress.status_word(status, final, basic)
    if final and status not in (Status.NO_DATA, Status.MANUAL):
        assert word == ("基本完成" if basic and status in progress.LAGGING else
                        "未完成" if status in progress.LAGGING else "已完成")
    else:
        assert word == status.label


@hsettings(max_examples=300, deadline=None)
@given(
    base=st.integers(1, 5000),
    step=st.integers(-80, 160),
    share=st.one_of(st.just(0.9), st.just(0.0), st.floats(-0.5, 1.5)),
    manual=st.booleans(),
)
def test_property_final_word_follows_completion_and_the_office_share(base, step, share, manual):
    """In the target year a level target reads 已完成 when reached, 基本完成 when at least the office's share of
    the way was done (a share ≤ 0 switches the word off), else 未完成; before the target year, and under a
    manual status, never 基本完成."""
    spec = IndicatorSpec("测试指标", "亿元", (level(base + 100, unit="亿元"),))
    cfg = replace(SEED, basic_completion_share=share)
    values = {2020: D(base), 2024: D(base + step), 2025: D(base + step)}
    judged = assess(spec, values, 2025, settings=cfg)
    completion = D(step) / 100
    expected = ("已完成" if step >= 100 else
                "基本完成" if share > 0 and completion >= D(repr(share)) else "未完成")
    assert judged.label == expected and judged.basic == (expected == "基本完成")
    assert judged.explanation.startswith(f"按目标{base + 100}亿元判断：{expected}。")
    running = assess(spec, values, 2024, settings=cfg)
    assert running.label == running.status.label and not running.basic
    overruled = assess(spec, values, 2025, settings=cfg, manual=ManualStatus(Status.BEHIND, "口径调整"))
    assert overruled.label == "未完成" and not overruled.basic


def test_basic_completion_of_a_growth_target_compares_the_growth_rates():
    """GDP 971.9 → 1380 in five years: 7.26% a year against 8%左右 (met from 7.5): 7.26/8 = 90.8%."""
    values = {2020: 971.9, 2025: 1380}
    assert assess(GDP, values, 2025).label == "基本完成"
    assert assess(GDP, values, 2025, settings=replace(SEED, basic_completion_share=0.95)).label == "未完成"
    assert assess(GDP, values, 2025, settings=replace(SEED, basic_completion_share=0)).label == "未完成"
    assert assess(GDP, {2020: 971.9, 2025: 1000}, 2025).label == "未完成"  # 0.6% a year


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    targets=st.lists(any_targets(), max_size=3),
    values=st.dictionaries(st.integers(2015, 2030), any_number, max_size=8),
    years=st.lists(st.integers(2018, 2027), max_size=8),
    ref=st.one_of(st.none(), st.dictionaries(st.integers(2015, 2030), any_number, max_size=8)),
    manual=st.dictionaries(st.integers(2018, 2027), st.builds(ManualStatus, st.sampled_from(Status)), max_size=3),
    cfg=st.one_of(st.just(SEED), progress_settings()),
)
def test_property_assessing_all_years_at_once_equals_each_year_alone(targets, values, years, ref, manual, cfg):
    spec = IndicatorSpec("x", "亿元", tuple(targets))
    together = progress.assess_years(spec, values, years, settings=cfg, reference_values=ref, manual=manual)
    assert list(together) == list(dict.fromkeys(years))
    for year in years:
        alone = assess(spec, values, year, settings=cfg, reference_values=ref, manual=manual.get(year))
        assert together[year] == alone


@st.composite
def judged_indicators(draw):
    """An indicator and its figures: a realistic numeric case (values around its path, often near a status
    boundary, with a 力争 twin or a 年度目标 now and then), or anything at all."""
    kind = draw(st.sampled_from(NUMERIC_KINDS))
    if draw(st.booleans()):
        target, values, year, (small, large), ref = draw(monotonic_cases(kind))
        values = {**values, year: draw(st.sampled_from([small, large]))}
        targets = [target] + ([replace(target, stretch=True)] if draw(st.booleans()) else [])
    else:
        targets = draw(st.lists(any_targets(), max_size=3))
        values = draw(st.dictionaries(st.integers(2015, 2030), any_number, max_size=8))
        ref = draw(st.one_of(st.none(), st.dictionaries(st.integers(2015, 2030), any_number, max_size=8)))
    yearly = draw(st.dictionaries(st.integers(2021, 2025), moderate.map(lambda x: D(str(x))), max_size=2))
    return IndicatorSpec("x", "亿元", tuple(targets), yearly_targets=yearly), values, ref


@hsettings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=judged_indicators(),
    years=st.lists(st.integers(2018, 2027), min_size=1, max_size=8),
    manual=st.dictionaries(st.integers(2021, 2025), st.builds(ManualStatus, st.sampled_from(Status)), max_size=2),
    cfg=st.one_of(st.just(SEED), progress_settings()),
)
def test_property_verdicts_without_words_equal_the_full_assessment(case, years, manual, cfg):
    """verdict_years (the statuses of `indicators --json`, judged without explanations) gives the same status,
    code, label, final and 基本完成 as assessing each year with its words."""
    spec, values, ref = case
    verdicts = progress.verdict_years(spec, values, years, settings=cfg, reference_values=ref, manual=manual)
    assert list(verdicts) == list(dict.fromkeys(years))
    for year in years:
        full = assess(spec, values, year, settings=cfg, reference_values=ref, manual=manual.get(year))
        verdict = verdicts[year]
        assert (verdict.year, verdict.status, verdict.final, verdict.basic) == (full.year, full.status, full.final, full.basic)
        assert (verdict.code, verdict.label) == (full.code, full.label)


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=judged_indicators(),
    years=st.lists(st.integers(2018, 2027), min_size=1, max_size=8),
    as_of=st.integers(2018, 2031),
    manual=st.dictionaries(st.integers(2021, 2025), st.builds(ManualStatus, st.sampled_from(Status)), max_size=2),
    manual_as_of=st.one_of(st.none(), st.builds(ManualStatus, st.sampled_from(Status))),
    cfg=st.one_of(st.just(SEED), progress_settings()),
)
def test_property_the_status_table_is_verdicts_and_the_as_of_judgement(case, years, as_of, manual, manual_as_of, cfg):
    """judge_table (`indicators --json`: every year's status, the current one explained) gives exactly what
    verdict_years and assess_as_of give apart, the as-of year's status reused from its full judgement."""
    spec, values, ref = case
    kw = {"settings": cfg, "reference_values": ref}
    verdicts, current = progress.judge_table(spec, values, years, as_of, manual=manual, manual_as_of=manual_as_of, **kw)
    assert verdicts == progress.verdict_years(spec, values, years, manual=manual, **kw)
    assert current == progress.assess_as_of(spec, values, as_of, manual=manual_as_of, **kw)


def test_verdicts_in_the_target_year_read_as_outcomes():
    """The fast path keeps the target year's words: 基本完成 for GDP at 7.26% a year against 8%左右."""
    verdicts = progress.verdict_years(GDP, {2020: 971.9, 2024: 1300, 2025: 1380}, [2024, 2025], settings=SEED)
    assert verdicts[2025].label == "基本完成" and verdicts[2025].basic and verdicts[2025].code == "at_risk"
    assert not verdicts[2024].final and verdicts[2024].label == assess(GDP, {2020: 971.9, 2024: 1300}, 2024).label


def test_verdicts_of_figures_beyond_the_arithmetic_are_judged_in_full():
    """Growth from 1e-900000 to 1e900000 overflows while the full assessment works out its figures (需人工判断);
    the verdict, which has no use for those figures, must not read 提前完成 instead."""
    spec = IndicatorSpec("x", "", (level(5),))
    values = {2020: D("1e-900000"), 2021: D("1e900000")}
    assert assess(spec, values, 2021).status is S.MANUAL
    assert progress.verdict_years(spec, values, [2021], settings=SEED)[2021].status is S.MANUAL


# 8%左右 is met from 7.5 less a 1e-9 tolerance and ahead past 8.5 plus it; 4.8 = 0.6 × 8 parts 滞后 from 难以完成
@pytest.mark.parametrize("rate", [D("7.5") - D("1e-9"), D("8.5") + D("1e-9"), D("4.8"), D("7.5"), D("8"), D("0")])
@pytest.mark.parametrize("base", [D(100), D("89.9")])
def test_verdicts_on_a_growth_boundary_equal_the_full_assessment(rate, base):
    """Growth exactly on a bar is settled by the exact growth, not by a floating-point estimate of it (which
    reads 4.799999999999983% for 89.9 → 94.2152 and 7.499999998999996% for 100 → 107.499999999)."""
    values = {2020: base} | {2020 + n: base * (1 + rate / 100) ** n for n in range(1, 6)}
    verdicts = progress.verdict_years(GDP, values, range(2021, 2026), settings=SEED)
    for year, verdict in verdicts.items():
        full = assess(GDP, values, year)
        assert (verdict.status, verdict.label) == (full.status, full.label), year


# The root behind every average growth rate (core.progress._nth_root)

@hsettings(max_examples=500, deadline=None)
@given(x=st.decimals(min_value=D("1e-250"), max_value=D("1e250"), allow_nan=False, allow_infinity=False, places=None)
       .filter(lambda d: d > 0),
       n=st.integers(1, 60))
def test_property_the_root_agrees_with_the_logarithms(x, n):
    """Newton's root is the root to the last digits of the 28 the judgements work to, and agrees with
    exp(ln(x) / n) as closely as the logarithms can (their error grows with |ln x|)."""
    from decimal import localcontext

    with localcontext(progress._CTX):
        root, logs = progress._nth_root(x, n), (x.ln() / n).exp()
        span = max(D(1), abs(x.ln() / n))
    with localcontext(prec=80):
        assert abs(root**n - x) <= D("2e-27") * n * x
        assert abs(root - logs) <= D("1e-26") * span * logs


@pytest.mark.parametrize(("power", "n", "root"), [
    ("1.4693280768", 5, "1.08"),  # 8% a year for five years
    ("1.0725", 1, "1.0725"),
    ("0.59049", 5, "0.9"),  # 10% down a year
])
def test_exact_roots_come_out_exact(power, n, root):
    from decimal import localcontext

    with localcontext(progress._CTX):
        assert progress._nth_root(D(power), n) == D(root)
        # beyond float's range the logarithms take over, as close as they can
        assert abs(progress._nth_root(D("1e-900000"), 5) / D("1e-180000") - 1) < D("1e-20")
        # an absurd n, where float's root rounds to 1.0 and Newton's first step overflows: the logarithms too
        assert abs(progress._nth_root(D("1e299"), 10**19) - 1) < D("1e-15")


def test_the_root_is_rounded_to_the_callers_precision():
    """Worked out to a few more digits, rounded once to the precision of the context it is called in."""
    from decimal import localcontext

    for precision in (10, 28, 50):
        with localcontext(progress._CTX) as context:
            context.prec = precision
            root = progress._nth_root(D(2), 3)
            assert len(root.as_tuple().digits) == precision and root == +root
            assert root == +D("1.25992104989487316476721060727822835057025146470150798008197")  # rounded here
