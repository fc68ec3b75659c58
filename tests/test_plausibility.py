"""The plausibility rule (core.plausibility): a negative level or a figure far from its neighbours is doubted."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from core.plausibility import FACTOR, doubt, doubts, may_be_negative

GDP = "地区生产总值"
levels = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2)


def test_a_tenfold_typo_is_doubted_with_the_reason():
    reason = doubt(GDP, 2022, Decimal("12900"), {2020: Decimal("971.9"), 2021: Decimal("1290")}, "亿元")
    assert reason is not None
    assert "12900亿元" in reason and "2021年" in reason and "10 倍" in reason


def test_a_tenth_is_doubted_too_and_the_later_year_counts():
    assert doubt(GDP, 2021, Decimal("129"), {2022: Decimal("1290")})
    assert doubt(GDP, 2021, Decimal("1100"), {2020: Decimal("971.9"), 2022: Decimal("1290")}) is None


def test_negative_levels_are_doubted_growth_and_falls_are_not():
    assert "负数" in doubt("常住人口城镇化率", 2021, Decimal("-5"), {})
    assert doubt("生产安全事故起数和死亡人数下降", 2021, Decimal("-5"), {}) is None
    assert doubt("居民人均可支配收入增长", 2021, Decimal("-2.1"), {2020: Decimal("8")}) is None
    # growth rates swing widely: no ratio check
    assert doubt("居民人均可支配收入增长", 2021, Decimal("0.5"), {2020: Decimal("8")}) is None


def test_an_indicator_with_a_negative_figure_on_record_may_be_negative():
    assert may_be_negative("某指标", {2020: Decimal("-1")})
    assert doubt("某指标", 2021, Decimal("-3"), {2020: Decimal("-1")}) is None


def test_clearing_and_zero_are_not_doubted():
    assert doubt(GDP, 2021, None, {2020: Decimal("971.9")}) is None
    assert doubt(GDP, 2021, Decimal("0"), {2020: Decimal("971.9")}) is None


def test_a_pasted_row_is_judged_with_the_other_new_figures():
    found = doubts(GDP, {2021: Decimal("1049.7"), 2022: Decimal("11336"), 2023: Decimal("1230")},
                   {2020: Decimal("971.9")})
    assert list(found) == [2022]  # the typo is named, not its neighbours
    assert "11336" in found[2022]
    assert list(doubts(GDP, {2021: Decimal("-1")}, {2020: Decimal("971.9")})) == [2021]


@given(levels, levels, st.integers(min_value=2021, max_value=2025))
def test_the_rule_is_the_ratio_to_the_nearest_recorded_year(before, value, year):
    reason = doubt(GDP, year, value, {2020: before})
    ratio = value / before
    assert (reason is not None) == (ratio >= FACTOR or ratio <= 1 / FACTOR)


@given(levels, st.integers(min_value=2021, max_value=2025))
def test_a_value_close_to_its_neighbour_is_never_doubted(value, year):
    near = value * Decimal("1.3")
    assert doubt(GDP, year, value, {year - 1: near, year + 1: value}) is None


@given(levels)
def test_any_negative_level_is_doubted_and_any_negative_change_is_not(value):
    assert doubt(GDP, 2021, -value, {2020: Decimal("971.9")}) is not None
    assert doubt("单位地区生产总值能源消耗降低", 2021, -value, {2020: Decimal("3")}) is None


@given(st.dictionaries(st.integers(2020, 2025), levels, max_size=6), st.integers(2020, 2025), levels)
def test_only_the_nearest_years_matter(values, year, value):
    """Adding a far-off figure beyond the nearest recorded year on each side never changes the verdict."""
    before = [y for y in values if y < year]
    assume(before)
    extra = {**values, min(before) - 1: Decimal("1e12")}  # before the earliest year recorded: never a neighbour
    assert (doubt(GDP, year, value, values) is None) == (doubt(GDP, year, value, extra) is None)
