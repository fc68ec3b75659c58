"""Charts: the series behind them (core.chart_series), the meeting pack's sheet of Excel charts (exports.charts)
and the terminal charts of the indicator detail panel and the summary screen.

The seed plan's period is 2020–2025 (十四五): base year 2020, elapsed share (t − 2020)/5.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from core.chart_series import (
    STATUS_ORDER,
    TEXT_TARGETS,
    axis_bounds,
    chart_target,
    indicator_series,
    plan_status_spread,
    status_spread,
)
from core.period import five_year_plan_period
from core.progress import IndicatorSpec, ProgressSettings, Status, expected_path
from core.targets import parse_target
from db.indicators import (
    CatalogueEntry,
    assess_all,
    find_indicator,
    list_indicators,
    load_catalogue,
    progress_settings,
    record_actual,
)
from db.plan_store import find_plan, get_state, plan_period, set_state
from exports.charts import SHEET_TITLE
from db.projects import today as current_day
from exports.meeting_pack import CHARTS_PER_PAGE_SETTING, CHARTS_SETTING, PackOptions, write_pack
from tests.helpers import QuietApp, settle
from tui.indicator_chart import IndicatorChart
from tui.status_spread import StatusSpread

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


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=20))
@example([0.0, 5e-324]).via("a spread that rounds to nothing")
@example([6.0, -5e-324]).via("a value just below zero")
@example([1e-320])
def test_property_axis_bounds_hold_every_point_on_round_steps(points):
    low, high, step = axis_bounds(points)
    assert low <= min(points) and high >= max(points) and step > 0 and low < high
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    assert (high - low) / step <= 12  # a handful of ticks, not hundreds
    if min(points) >= 0:
        assert low >= 0  # positive figures never get a negative axis


def test_axis_bounds_of_a_gdp_path_do_not_start_at_zero():
    assert axis_bounds([971.9, 1050, 1500]) == (800, 1600, 200)


# ----------------------------------------------------------------------------------------------------------
# The meeting pack's sheet of charts

TODAY = date(2024, 7, 15)
GDP_VALUES = {2021: D("1049.7"), 2022: D("1100")}


@pytest.fixture
def with_figures(database):
    """The bundled plan with two years of GDP and a cumulative total (累计实际利用外资)."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        gdp = find_indicator(session, plan_id, "地区生产总值").id
        for year, value in GDP_VALUES.items():
            record_actual(session, gdp, year, value, origin="cli")
        fdi = find_indicator(session, plan_id, "利用外资").id
        record_actual(session, fdi, 2021, D("5.5"), origin="cli")
        record_actual(session, fdi, 2022, D("6"), origin="cli")
    return database, plan_id


def charted_names(database, plan_id) -> list[str]:
    with database.session() as session:
        return [v.name for v in list_indicators(session, plan_id, kind="main") if chart_target(v.spec()) is not None]


def pack(database, plan_id, path, **options):
    return write_pack(database, plan_id, output=path, options=PackOptions(year=2022, today=TODAY, **options))


def test_chart_sheet_has_one_chart_per_numeric_target_pointing_at_its_numbers(with_figures, tmp_path):
    database, plan_id = with_figures
    result = pack(database, plan_id, tmp_path / "pack.xlsx", charts=True)
    assert result.sheets[-1] == SHEET_TITLE
    names = charted_names(database, plan_id)
    assert 10 < len(names) < 28  # the qualitative and 与经济发展同步 ones have none

    sheet = load_workbook(result.path)[SHEET_TITLE]
    charts = sheet._charts
    assert len(charts) == len(names)
    rows = CalamineWorkbook.from_path(str(result.path)).get_sheet_by_name(SHEET_TITLE).to_python()
    for index, (chart, name) in enumerate(zip(charts, names)):
        actual, schedule, target = chart.series
        # the block of four rows for this indicator, right of the two chart columns: years, 实际, 序时, 目标
        top = 3 + index * 4
        assert actual.tx.strRef.f == f"'{SHEET_TITLE}'!D{top + 1}"
        assert actual.val.numRef.f == f"'{SHEET_TITLE}'!$E${top + 1}:$J${top + 1}"
        assert schedule.val.numRef.f == f"'{SHEET_TITLE}'!$E${top + 2}:$J${top + 2}"
        assert target.val.numRef.f == f"'{SHEET_TITLE}'!$E${top + 3}:$J${top + 3}"
        assert actual.cat.strRef.f == f"'{SHEET_TITLE}'!$E${top}:$J${top}"
        assert rows[top - 1][3].startswith(name)
        assert rows[top - 1][4:10] == [f"{y}年" for y in range(2020, 2026)]
        # told apart in black and white: three different dashes, markers on the two paths
        assert [s.spPr.ln.prstDash for s in chart.series] == ["solid", "dash", "sysDot"]
        assert (actual.marker.symbol, schedule.marker.symbol) == ("circle", "triangle")
        # two charts to a row, each filling one cell of the grid
        assert (chart.anchor._from.row, chart.anchor._from.col) == (2 + index // 2, index % 2)

    gdp = names.index("地区生产总值")
    top = 3 + gdp * 4
    assert rows[top][3] == "实际值"
    assert rows[top][4:7] == [971.9, 1049.7, 1100] and rows[top][7:10] == ["", "", ""]
    with database.session() as session:
        view = find_indicator(session, plan_id, "地区生产总值")
        path = expected_path(view.spec(), view.values, progress_settings(session, plan_id))
    assert rows[top + 1][4:10] == pytest.approx([path[y] for y in range(2020, 2026)])
    assert rows[top + 2][4:10] == pytest.approx([971.9 * 1.08 ** 5] * 6)  # 年均增长8%左右 from the base
    assert rows[top + 2][3] == "目标（年均增长8%左右）"

    fdi = next(i for i, n in enumerate(names) if "利用外资" in n)
    top = 3 + fdi * 4
    assert rows[top][3] == "实际值（累计）" and rows[top][4:7] == [0, 5.5, 11.5]  # running total since the base


def test_chart_pages_print_four_to_a_landscape_page(with_figures, tmp_path):
    database, plan_id = with_figures
    sheet = load_workbook(pack(database, plan_id, tmp_path / "pack.xlsx", charts=True).path)[SHEET_TITLE]
    count = len(sheet._charts)
    last_row = 3 + (count - 1) // 2
    assert sheet.print_area == f"'{SHEET_TITLE}'!$A$1:$B${last_row}"  # the numbers beside are not printed
    assert [b.id for b in sheet.row_breaks.brk] == list(range(4, last_row, 2))
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$2"
    two = load_workbook(pack(database, plan_id, tmp_path / "two.xlsx", charts=True, charts_per_page=2).path)[SHEET_TITLE]
    assert two.page_setup.orientation == "portrait" and two.print_area == f"'{SHEET_TITLE}'!$A$1:$A${2 + count}"
    assert [b.id for b in two.row_breaks.brk] == list(range(4, 2 + count, 2))


def test_charts_follow_the_setting_and_an_explicit_choice_is_remembered(with_figures, tmp_path):
    """Off by default; --charts / --no-charts / --charts-per-page are remembered in export.charts, so the next
    export (Ctrl+E in the TUI passes no choice) looks the same."""
    database, plan_id = with_figures

    def charts_of(name, **options):
        result = pack(database, plan_id, tmp_path / name, **options)
        if SHEET_TITLE not in result.sheets:
            return None
        return load_workbook(result.path)[SHEET_TITLE].page_setup.orientation

    assert charts_of("default.xlsx") is None
    assert charts_of("on.xlsx", charts=True) == "landscape"
    assert charts_of("again.xlsx") == "landscape"
    assert charts_of("off.xlsx", charts=False) is None
    assert charts_of("still_off.xlsx") is None
    assert charts_of("two.xlsx", charts_per_page=2) == "portrait"  # a layout asked for turns them on
    assert charts_of("two_again.xlsx") == "portrait"
    with database.session() as session:
        assert (get_state(session, CHARTS_SETTING), get_state(session, CHARTS_PER_PAGE_SETTING)) == ("1", "2")
        set_state(session, CHARTS_SETTING, "否")  # set by hand, read leniently
    assert charts_of("by_hand.xlsx") is None


def test_an_office_template_places_the_charts_at_its_placeholder(with_figures, tmp_path):
    database, plan_id = with_figures
    template = Workbook()
    table = template.active
    table.title = "指标"
    table["A1"], table["B1"] = "指标", "状态"
    table["A2"], table["B2"] = "{{ind.name}}", "{{ind.status}}"
    charts = template.create_sheet("走势")
    charts["A1"] = "{{plan.district}}主要指标走势（截至{{as_of_year}}年）"
    charts["B3"] = "{{ charts }}"
    template.save(tmp_path / "模板.xlsx")

    result = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", template=tmp_path / "模板.xlsx",
                        options=PackOptions(year=2022, today=TODAY, charts=True))
    assert result.sheets == ["指标", "走势"]
    sheet = load_workbook(result.path)["走势"]
    assert sheet["A1"].value == "泰州医药高新区（高港区）主要指标走势（截至2022年）"
    assert sheet["B3"].value is None  # the placeholder is gone, the first chart sits in its cell
    assert (sheet._charts[0].anchor._from.row, sheet._charts[0].anchor._from.col) == (2, 1)
    assert len(sheet._charts) == len(charted_names(database, plan_id))
    assert sheet.print_title_rows == "$1:$2"  # the office's title rows repeat on every page

    without = write_pack(database, plan_id, output=tmp_path / "plain.xlsx", template=tmp_path / "模板.xlsx",
                         options=PackOptions(year=2022, today=TODAY, charts=False))
    assert without.sheets == ["指标"]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice 或 pdftotext 未安装，跳过渲染检查")
def test_libreoffice_draws_every_chart(with_figures, tmp_path):
    """A second reader: LibreOffice prints the chart sheet with each chart's title and legend, four to a page."""
    database, plan_id = with_figures
    path = pack(database, plan_id, tmp_path / "pack.xlsx", charts=True).path
    workbook = load_workbook(path)
    for name in workbook.sheetnames[:-1]:
        del workbook[name]  # the chart sheet alone
    workbook.save(tmp_path / "charts.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(tmp_path / "charts.xlsx")],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "charts.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    names = charted_names(database, plan_id)
    assert len([p for p in pages if p.strip()]) == math.ceil(len(names) / 4)
    assert "地区生产总值（亿元）" in text and "实际值（累计）" in text
    assert all(page.count("序时进度") >= 1 for page in pages if page.strip())


def test_a_rank_reads_as_whole_places_in_the_packs_explanations(database, tmp_path):
    """Issue 14: the 说明 of a rank said 「48.0位」; a rank is a whole place (core.progress words it so)."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        load_catalogue(session, plan_id, [CatalogueEntry(category="经济强", name="全国综合实力百强区排名", unit="位",
                                                          target_text="45", growth_text="", attribute="预期性",
                                                          base=D(52))], origin="import")
        rank = find_indicator(session, plan_id, "百强区排名").id
        record_actual(session, rank, 2022, D(51), origin="cli")
    path = pack(database, plan_id, tmp_path / "pack.xlsx").path
    lagging = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("滞后事项清单").to_python()
    header = lagging[3]
    row = next(r for r in lagging if r[header.index("事项")] == "全国综合实力百强区排名")
    explanation = row[header.index("说明")]
    assert "实际51位" in explanation and "基数52位" not in explanation  # judged on the schedule, not the base
    assert ".0位" not in explanation and ".0位" not in row[header.index("差距")]
    assert "序时应达49.2位" in explanation  # a computed place keeps its decimal


# ----------------------------------------------------------------------------------------------------------
# Terminal charts


def test_chart_snapshot(snap_compare):
    """The detail panel's chart (地区生产总值, two years of figures) beside its placeholder, and the summary's
    status bars, with Chinese labels, at 110x24."""
    app_path = Path(__file__).parent / "snapshot_apps" / "chart_app.py"
    assert snap_compare(str(app_path), terminal_size=(110, 24))


def test_terminal_chart_tells_the_lines_apart_by_glyph():
    """Without colour: the actual values are ●, the 序时 path △, the target a row of ┄, each where its value is."""
    from rich.console import Console

    from tui.indicator_chart import chart_text

    series = indicator_series(spec("外贸进出口额", "亿美元", "50"), {2020: 30, 2022: 40}, SEED)
    console = Console(width=60, color_system=None, record=True)
    console.print(chart_text(series, 40, 9))
    lines = console.export_text().splitlines()
    plot = lines[:7]
    assert lines[0].startswith("50┤") and lines[6].startswith("30┤")  # the axis spans 30..50
    assert set(plot[0][3:-1]) == {"┄", "·"} and plot[0][-1] == "△"  # the target 50, where 序时 ends in 2025
    assert plot[6][3] == "●" and "•" not in plot[6]  # 2020: actual and 序时 on one point, ● wins; 2021: a gap
    assert [line.count("●") for line in plot] == [0, 0, 0, 1, 0, 0, 1]  # 40 in 2022 is half-way up
    assert sum(line.count("△") for line in plot) == 5  # 2021…2025
    assert "2020" in lines[7] and lines[7].rstrip().endswith("2025")
    assert lines[8].startswith("●•实际 △·序时 ┄┄目标50")


async def _open(pilot, key: str):
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    await pilot.pause(0.2)  # the detail panel follows the cursor after a short pause
    await settle(pilot)
    return pilot.app.screen


async def test_f3_detail_panel_draws_the_path_and_says_why_not(with_figures):
    """The cursor's indicator: a chart where it has figures (地区生产总值), a placeholder where it has none yet
    (一般公共预算收入), and another where its target is not a number."""
    database, plan_id = with_figures
    app = QuietApp(database)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, "f3")
        chart = screen.query_one(IndicatorChart)
        assert chart.series is not None and chart.series.name == "地区生产总值" and chart.drawn
        drawn = chart.render().plain
        for glyph in ("●", "△", "┄", "●•实际", "△·序时", "┄┄目标"):
            assert glyph in drawn
        assert "2020" in drawn and "2025" in drawn
        assert chart.region.width >= 40 and chart.region.height >= 9  # beside the panel's text, not squeezed

        await pilot.press("down")
        await pilot.pause(0.2)
        await settle(pilot)
        assert chart.series.name == "一般公共预算收入" and not chart.drawn
        assert "尚未录入2021年以来的实际值" in chart.render().plain

        qualitative = next(i for i, v in enumerate(screen.views) if chart_target(v.spec()) is None)
        for _ in range(qualitative - 1):
            await pilot.press("down")
        await pilot.pause(0.2)
        await settle(pilot)
        assert chart.series is None and "目标不是数值" in chart.render().plain


async def test_f6_summary_shows_the_spread_of_statuses_per_category(with_figures):
    database, plan_id = with_figures
    with database.session() as session:
        views = list_indicators(session, plan_id, kind=None)
        as_of = plan_period(session, plan_id).clamp(current_day().year)
        judged = assess_all(session, views, as_of, as_of=True)
    main = [v for v in views if v.kind == "main"]
    expected = status_spread((v.category, judged[v.id].status) for v in main)
    app = QuietApp(database)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, "f6")
        spread = screen.query_one(StatusSpread)
        assert spread.spread == expected  # main indicators by 类别, in table order (no text targets accepted)
        assert spread.final == (as_of == plan_period_of(database, plan_id).target_year)
        text = spread.render().plain
        lines = text.splitlines()
        assert len(lines) == len(spread.spread) + 1  # a legend line, then one bar per category
        for row, line in zip(spread.spread, lines[1:]):
            assert line.startswith(row.category[:4]) and f"共{row.total}" in line
        assert sum(r.total for r in expected) == len(main) == len(views)


def plan_period_of(database, plan_id):
    with database.session() as session:
        return plan_period(session, plan_id)


def test_plan_status_spread_puts_the_text_targets_in_one_row_after_the_categories():
    rows = [("main", "经济发展", Status.BEHIND), ("text", "第三章", Status.AHEAD), ("main", "", Status.NO_DATA),
            ("text", "第五章", Status.AHEAD), ("main", "经济发展", Status.ON_TRACK)]
    spread = plan_status_spread(rows)
    assert [(c.category, c.total) for c in spread] == [("经济发展", 2), ("（未分类）", 1), (TEXT_TARGETS, 2)]
    assert spread[2].counts == ((Status.AHEAD, 2),)


@pytest.mark.sqlite_only
def test_guihua_export_charts_from_the_command_line(tmp_path, monkeypatch):
    """`guihua export --charts-per-page 2` adds the sheet, upright; the next plain export remembers it; `--no-charts`
    takes it away again."""
    from click.testing import CliRunner

    from tui import cli

    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def export(name, *options):
        result = runner.invoke(cli.main, ["export", "--year", "2022", "-o", str(tmp_path / name), *options],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return load_workbook(tmp_path / name)

    assert runner.invoke(cli.main, ["set", "地区生产总值", "2022", "1100"]).exit_code == 0
    upright = export("a.xlsx", "--charts-per-page", "2")
    assert upright.sheetnames[-1] == SHEET_TITLE and upright[SHEET_TITLE].page_setup.orientation == "portrait"
    assert export("b.xlsx").sheetnames[-1] == SHEET_TITLE
    assert SHEET_TITLE not in export("c.xlsx", "--no-charts").sheetnames
    assert SHEET_TITLE not in export("d.xlsx").sheetnames
    assert export("e.xlsx", "--charts")[SHEET_TITLE].page_setup.orientation == "portrait"  # the layout kept
