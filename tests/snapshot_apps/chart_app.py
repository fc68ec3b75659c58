"""An app for the chart snapshot: the detail panel's chart of 地区生产总值 (two years of figures against its 序时
path and the level its 年均增长8%左右 reaches) beside a placeholder, and the summary's status bars, all with
Chinese labels. No database: the series come straight from core.chart_series, so the picture depends on the
drawing alone."""

from __future__ import annotations

from decimal import Decimal

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from core.chart_series import indicator_series, status_spread
from core.period import five_year_plan_period
from core.progress import IndicatorSpec, ProgressSettings, Status
from core.targets import parse_target
from tui.indicator_chart import IndicatorChart
from tui.status_spread import StatusSpread

SETTINGS = ProgressSettings.for_period(five_year_plan_period(14))
GDP = IndicatorSpec("地区生产总值", "亿元", (parse_target("力争1500", indicator_name="地区生产总值", unit="亿元", column="target"),
                                        parse_target("8%左右", indicator_name="地区生产总值", unit="亿元", column="growth")))
PLAN = five_year_plan_period(14)
VALUES = {PLAN.base_year: Decimal("971.9"), PLAN.base_year + 1: Decimal("1049.7"), PLAN.base_year + 2: Decimal("1100")}
SPREAD = status_spread([("经济发展", Status.ON_TRACK)] * 3 + [("经济发展", Status.BEHIND)] * 2
                       + [("创新驱动", Status.AHEAD), ("创新驱动", Status.NO_DATA), ("民生福祉", Status.MANUAL)]
                       + [("绿色生态", Status.AT_RISK)])


class ChartApp(App):
    CSS = "Horizontal { height: 11; } IndicatorChart { width: 50; }"

    def compose(self) -> ComposeResult:
        yield Static("地区生产总值（亿元）  目标：年均增长8%左右；2025年达到1500亿元（力争）")
        with Horizontal():
            yield IndicatorChart(id="with-values")
            yield IndicatorChart(id="without-values")
        yield StatusSpread(id="spread")

    def on_mount(self) -> None:
        self.query_one("#with-values", IndicatorChart).show(indicator_series(GDP, VALUES, SETTINGS))
        self.query_one("#without-values", IndicatorChart).show(indicator_series(GDP, {}, SETTINGS))
        self.query_one(StatusSpread).show(SPREAD)


app = ChartApp()
