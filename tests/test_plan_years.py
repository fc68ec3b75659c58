"""The grid's rules moved to core: the status year (core.plan_years) and the filters (core.indicator_filters)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.indicator_filters import IndicatorFilter, unit_names_for
from core.period import Period, five_year_plan_period
from core.plan_years import (
    PasteTooLong,
    clamp_status_year,
    latest_reported_year,
    opening_status_year,
    paste_years,
    stepped_status_year,
)
from core.progress import Status

periods = st.integers(min_value=8, max_value=20).map(five_year_plan_period)


@given(periods, st.integers(min_value=1900, max_value=2100))
def test_clamped_year_is_a_plan_year_and_plan_years_stay(period: Period, year: int) -> None:
    clamped = clamp_status_year(period, year)
    assert clamped in period.plan_years
    if year in period.plan_years:
        assert clamped == year


@given(periods, st.data())
def test_opening_year_is_the_latest_reported_plan_year(period: Period, data) -> None:
    series = data.draw(st.lists(st.tuples(st.just(period.base_year),
                                          st.lists(st.sampled_from(period.years), max_size=6))))
    latest = latest_reported_year(series)
    reported = [y for _, years in series for y in years if y > period.base_year]
    assert latest == (max(reported) if reported else None)
    assert opening_status_year(period, latest) == (max(reported) if reported else period.first_year)


def test_a_base_year_figure_alone_opens_at_the_first_year() -> None:
    period = five_year_plan_period(14)
    assert latest_reported_year([(period.base_year, [period.base_year])]) is None
    assert opening_status_year(period, None) == period.first_year


@given(periods, st.data(), st.integers(min_value=-3, max_value=3))
def test_stepping_never_leaves_the_plan_years(period: Period, data, step: int) -> None:
    year = data.draw(st.sampled_from(period.plan_years))
    stepped = stepped_status_year(period, year, step)
    if year + step in period.plan_years:
        assert stepped == year + step
    else:
        assert stepped is None


@given(periods, st.data())
def test_a_pasted_row_fills_the_years_to_the_right(period: Period, data) -> None:
    start = data.draw(st.sampled_from(period.years))
    count = data.draw(st.integers(min_value=1, max_value=len(period.years) + 2))
    room = period.target_year - start + 1
    if count > room:
        with pytest.raises(PasteTooLong) as refused:
            paste_years(period.years, start, count)
        assert (refused.value.count, refused.value.room) == (count, room)
    else:
        assert paste_years(period.years, start, count) == list(range(start, start + count))


@dataclass
class Row:
    category: str = "经济强"
    binding: bool = False
    lead_unit: str = ""
    partner_units: str = ""


@dataclass
class Unit:
    name: str
    short_name: str = ""


UNITS = [Unit("区发展改革委", "发改委"), Unit("区统计局"), Unit("区科技局"), Unit("区人力资源和社会保障局", "人社局")]


def test_unit_filter_finds_a_unit_by_the_shared_matching_rules() -> None:
    for typed in ("发改委", "区发改委", "发展和改革委员会", "区发展改革委"):
        rule = IndicatorFilter(unit_text=typed, unit_names=unit_names_for(typed, UNITS))
        assert rule.admits(Row(lead_unit="区发展改革委"), None), typed
        assert not rule.admits(Row(lead_unit="区统计局"), None), typed
    rule = IndicatorFilter(unit_text="统计", unit_names=unit_names_for("统计", UNITS))
    assert rule.admits(Row(lead_unit="区统计局、区科技局"), None)
    # old free text that is not on the list is still found by what it contains
    rule = IndicatorFilter(unit_text="林业", unit_names=unit_names_for("林业", UNITS))
    assert rule.admits(Row(lead_unit="市林业局"), None) and not rule.admits(Row(lead_unit="区统计局"), None)


def test_each_filter_narrows_and_my_unit_counts_partners() -> None:
    row = Row(category="百姓富", binding=True, lead_unit="区人力资源和社会保障局", partner_units="区发展改革委")
    assert IndicatorFilter().admits(row, None)
    assert IndicatorFilter(category="百姓富", binding_only=True, status=Status.BEHIND).admits(row, Status.BEHIND)
    assert not IndicatorFilter(category="经济强").admits(row, None)
    assert not IndicatorFilter(status=Status.BEHIND).admits(row, Status.ON_TRACK)
    assert not IndicatorFilter(binding_only=True).admits(Row(), None)
    assert IndicatorFilter(my_unit="区发展改革委").admits(row, None)
    assert not IndicatorFilter(my_unit="区统计局").admits(row, None)
    assert not IndicatorFilter(my_unit="区统计局").narrowed and IndicatorFilter(unit_text="统计").narrowed
