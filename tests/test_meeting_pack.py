"""The meeting pack, read back by openpyxl and by python-calamine (an independent reader), with the default
template and with an office's own template."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from core.errors import UserInputError
from db.indicators import find_indicator, record_actual, set_indicator_fields, set_year_fields
from db.plan_store import find_plan, plan_period
from db.projects import accept_proposal, add_milestone, add_unit, list_projects, list_proposals, update_project
from exports.meeting_pack import PackOptions, write_default_template, write_pack

TODAY = date(2024, 7, 15)


@pytest.fixture
def filled(database):
    """The bundled plan with two years of figures, a lead unit, a yearly target, an accepted text target and
    a project with an overdue milestone."""
    with database.session() as session:
        plan_id = find_plan(session, None).id

        def ind(name):
            return find_indicator(session, plan_id, name).id

        record_actual(session, ind("地区生产总值"), 2021, Decimal("1049.7"), stage="年报", origin="cli")
        record_actual(session, ind("地区生产总值"), 2022, Decimal("1100"), stage="快报", note="受疫情影响", origin="cli")
        record_actual(session, ind("城镇化"), 2022, Decimal("81.5"), origin="cli")
        record_actual(session, ind("失业率"), 2022, Decimal("4.2"), origin="cli")
        add_unit(session, "=HYPERLINK(\"http://x\")")  # a unit list is typed by people: a formula stays text
        set_indicator_fields(session, ind("地区生产总值"), origin="cli", lead_unit="=HYPERLINK(\"http://x\")")
        set_year_fields(session, ind("能源消耗"), 2022, origin="cli", target="3.2")
        target = next(p for p in list_proposals(session, plan_id, "target") if p.data["metric"] == "高新技术企业")
        accept_proposal(session, target.id, origin="cli")
        school = next(p for p in list_proposals(session, plan_id, "project") if p.data["title"] == "寺巷中心小学")
        project_id = accept_proposal(session, school.id, origin="cli")
        update_project(session, project_id, origin="cli", lead_unit="教育局", stage="已开工")
        add_milestone(session, project_id, "主体完工", "2024Q1", origin="cli")
    return database, plan_id


def rows_of(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_default_pack_has_every_sheet_with_values_read_by_two_readers(filled, tmp_path):
    database, plan_id = filled
    result = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2022, today=TODAY))
    assert result.sheets == ["主要指标完成情况表", "文中量化指标完成情况表", "重大项目推进情况表", "滞后事项清单", "年度目标分解表"]
    main = rows_of(result.path, "主要指标完成情况表")
    assert main[0][0] == "附表1"
    assert main[1][0] == "泰州医药高新区（高港区）“十四五”规划主要指标完成情况表（截至2022年）"
    assert main[2][0] == "填报单位：区规划实施领导小组办公室"
    header = main[3]
    assert header[:6] == ["序号", "类别", "指标", "单位", "2020年基数", "2021年"]
    gdp = main[4]
    column = {name: header.index(name) for name in header}
    assert gdp[column["指标"]] == "地区生产总值"
    assert (gdp[column["2020年基数"]], gdp[column["2021年"]], gdp[column["2022年"]]) == (971.9, 1049.7, 1100)
    assert gdp[column["2023年"]] == ""
    assert gdp[column["2025年目标"]] == "力争1500" and gdp[column["年均增速目标"]] == "8%左右"
    assert gdp[column["实际年均增速(%)"]] == 6.4  # (1100/971.9)^(1/2) − 1
    assert gdp[column["序时进度要求"]] == 1133.6
    assert gdp[column["完成情况"]] == "滞后"
    assert gdp[column["牵头单位"]] == '=HYPERLINK("http://x")'  # text, not a formula
    assert "数据阶段：快报" in gdp[column["备注"]] and "受疫情影响" in gdp[column["备注"]]
    assert [r[column["指标"]] for r in main[4:32]][-1] == "公众安全感"
    assert any(str(r[0]).startswith("注：") for r in main[32:])
    text = rows_of(result.path, "文中量化指标完成情况表")
    assert text[4][2] == "高新技术企业" and text[4][1].startswith("第六章")
    projects = rows_of(result.path, "重大项目推进情况表")
    assert projects[4][1:4] == ["寺巷中心小学", projects[4][2], "区教育局"]
    assert projects[4][projects[3].index("状态")].startswith("逾期")
    lagging = rows_of(result.path, "滞后事项清单")
    items = [r[2] for r in lagging[4:] if isinstance(r[0], float | int) and r[0]]
    assert "地区生产总值" in items and "城镇调查失业率" in items and "寺巷中心小学：主体完工" in items
    yearly = rows_of(result.path, "年度目标分解表")
    assert yearly[4][2] == "单位地区生产总值能源消耗降低"


def test_pack_formatting_for_print(filled, tmp_path):
    database, plan_id = filled
    path = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2022, today=TODAY)).path
    workbook = load_workbook(path)
    sheet = workbook["主要指标完成情况表"]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows.replace("$", "") == "4:4" and sheet.freeze_panes == "D5"
    assert sheet["B2"].font.name == "方正小标宋简体" or sheet["A2"].font.name == "方正小标宋简体"
    assert sheet["A4"].font.name == "黑体" and sheet["C5"].font.name == "仿宋_GB2312"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "B5:B15" in merged and "B16:B21" in merged  # 经济强 (11 rows), 百姓富 (6 rows)
    status = next(c for c in sheet[4] if c.value == "完成情况").column
    gdp_status = sheet.cell(row=5, column=status)
    assert gdp_status.value == "滞后" and gdp_status.fill.start_color.rgb.endswith("FFEB9C")
    assert all(sheet.cell(row=5, column=c).data_type != "f" for c in range(1, sheet.max_column + 1))
    notes = [sheet.cell(row=r, column=1).value for r in range(33, 40)]
    assert any(n and n.startswith("注：") for n in notes)


def test_empty_year_columns_can_be_hidden(filled, tmp_path):
    database, plan_id = filled
    path = write_pack(database, plan_id, output=tmp_path / "p.xlsx",
                      options=PackOptions(year=2022, today=TODAY, hide_empty_years=True)).path
    sheet = load_workbook(path)["主要指标完成情况表"]
    hidden = {c.value for c in sheet[4] if sheet.column_dimensions[c.column_letter].hidden}
    assert hidden == {"2023年", "2024年", "2025年"}


def test_an_office_template_keeps_its_look(filled, tmp_path):
    from openpyxl.styles import Border, Font, Side

    database, plan_id = filled
    template = Workbook()
    sheet = template.active
    sheet.title = "指标"
    sheet["A1"] = "{{plan.district}}主要指标（截至{{as_of_year}}年）"
    sheet["A1"].font = Font(name="楷体", size=20)
    sheet.merge_cells("A1:D1")
    sheet.append(["类别", "指标", "2022年", "状态"])
    sheet.append(["{{ind.category|merge}}", "{{ind.name}}（{{ind.unit}}）", "{{ind.y2022}}", "{{ind.status}}"])
    sheet["B3"].border = Border(bottom=Side(style="double"))
    sheet.append(["制表：{{office}}"])
    sheet.merge_cells("A4:D4")
    sheet.column_dimensions["B"].width = 44
    sheet.print_title_rows = "2:2"
    template.save(tmp_path / "office.xlsx")
    path = write_pack(database, plan_id, output=tmp_path / "out.xlsx", template=tmp_path / "office.xlsx",
                      options=PackOptions(year=2022, today=TODAY)).path
    out = load_workbook(path)["指标"]
    assert out["A1"].value == "泰州医药高新区（高港区）主要指标（截至2022年）" and out["A1"].font.name == "楷体"
    assert out["B3"].value == "地区生产总值（亿元）" and out["C3"].value == 1100
    assert out["B30"].value == "公众安全感（%）" and out["B30"].border.bottom.style == "double"
    assert out["A31"].value == "制表：区规划实施领导小组办公室" and "A31:D31" in {str(r) for r in out.merged_cells.ranges}
    assert out.column_dimensions["B"].width == 44 and out.print_title_rows.replace("$", "") == "2:2"


def test_an_unknown_placeholder_names_the_cell(filled, tmp_path):
    database, plan_id = filled
    template = Workbook()
    template.active.title = "表"
    template.active.append(["{{ind.name}}", "{{ind.nmae}}", "{{plan.titel}}"])
    template.save(tmp_path / "bad.xlsx")
    with pytest.raises(UserInputError) as error:
        write_pack(database, plan_id, output=tmp_path / "x.xlsx", template=tmp_path / "bad.xlsx")
    assert "工作表“表”单元格 B1：未知字段 {{ind.nmae}}" in error.value.message
    assert "单元格 C1：未知占位符 {{plan.titel}}" in error.value.message
    assert not (tmp_path / "x.xlsx").exists()


def test_a_workbook_open_in_excel_gets_a_new_name(filled, tmp_path):
    database, plan_id = filled
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"old")
    (tmp_path / "~$pack.xlsx").write_bytes(b"lock")  # Excel/WPS's owner file beside an open workbook
    result = write_pack(database, plan_id, output=target, options=PackOptions(year=2022, today=TODAY))
    assert result.renamed and result.path.name == "pack(1).xlsx"
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp.xlsx"))


def test_default_template_file_round_trips(filled, tmp_path):
    database, plan_id = filled
    with database.session() as session:
        years = plan_period(session, plan_id).years
    assert years == [2020, 2021, 2022, 2023, 2024, 2025]
    template = write_default_template(tmp_path / "模板.xlsx", years)
    direct = write_pack(database, plan_id, output=tmp_path / "a.xlsx", options=PackOptions(year=2022, today=TODAY)).path
    via_file = write_pack(database, plan_id, output=tmp_path / "b.xlsx", template=template,
                          options=PackOptions(year=2022, today=TODAY)).path
    for sheet in ("主要指标完成情况表", "滞后事项清单"):
        assert rows_of(direct, sheet) == rows_of(via_file, sheet)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装，跳过渲染检查")
def test_the_pack_renders_in_libreoffice_landscape(filled, tmp_path):
    database, plan_id = filled
    path = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2022, today=TODAY)).path
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    import re

    pdf = (tmp_path / "pack.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 5 <= pages <= 8  # one page per sheet, a second for a long table at most
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf)
    assert boxes and all(float(b[2]) > float(b[3]) for b in boxes)  # every page landscape


def test_a_killed_exports_temporary_is_cleared_by_the_next_export(tmp_path):
    """A save killed between writing and renaming leaves 「.name.PID.tmp.xlsx」; the next save of that file
    removes it once it is stale, and leaves a fresh one (another save may be running)."""
    import os
    import time

    from openpyxl import Workbook

    from exports.sheet_style import save_workbook

    target = tmp_path / "监测表.xlsx"
    stale, fresh = tmp_path / ".监测表.4242.tmp.xlsx", tmp_path / ".监测表.4343.tmp.xlsx"
    stale.write_bytes(b"PK half")
    fresh.write_bytes(b"PK half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    save_workbook(Workbook(), target)
    assert target.exists() and not stale.exists() and fresh.exists()


def test_figures_have_one_format_per_indicator(filled, tmp_path):
    """Issue 14: no General cells mixing 1428, 126.1 and 6.98; money from 1000 up with separators; every
    lagging indicator has a 差距; planned dates in Chinese; the footer and notes are for leaders."""
    database, plan_id = filled
    path = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2022, today=TODAY)).path
    workbook = load_workbook(path)
    sheet = workbook["主要指标完成情况表"]
    header = {c.value: c.column for c in sheet[4]}
    rows = {sheet.cell(row=r, column=header["指标"]).value: r for r in range(5, 33)}
    year_columns = [header["2020年基数"], *(header[f"{y}年"] for y in range(2021, 2026)), header["序时进度要求"]]
    for name, r in rows.items():
        formats = {sheet.cell(row=r, column=c).number_format for c in year_columns
                   if isinstance(sheet.cell(row=r, column=c).value, int | float)}
        assert len(formats) <= 1 and "General" not in formats, (name, formats)
    gdp = rows["地区生产总值"]
    assert sheet.cell(row=gdp, column=header["2021年"]).number_format == "#,##0.0"
    assert sheet.cell(row=rows["城镇调查失业率"], column=header["2022年"]).number_format == "0.0"
    lagging = [r for r in rows.values() if sheet.cell(row=r, column=header["完成情况"]).value in ("滞后", "难以完成")]
    assert lagging
    lag = workbook["滞后事项清单"]
    lag_header = {c.value: c.column for c in lag[4]}
    for r in range(5, lag.max_row + 1):
        if lag.cell(row=r, column=lag_header["类型"]).value in ("主要指标", "文中指标"):
            assert lag.cell(row=r, column=lag_header["差距"]).value, r
    for ws in workbook.worksheets:
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页" and ws.page_margins.bottom > ws.page_margins.footer + 0.3
        notes = " ".join(str(c.value) for row in ws.iter_rows(min_row=ws.max_row - 4) for c in row if c.value)
        assert "docs/" not in notes and "guihua" not in notes
    assert "里程碑" in " ".join(str(c.value) for c in workbook["重大项目推进情况表"]["A"] if c.value)


def test_number_format_rules():
    from exports.meeting_pack import number_format

    assert number_format("亿元", Decimal("971.9"), [Decimal("1500")], [Decimal("1050")]) == "#,##0.0"
    assert number_format("亿元", Decimal("89.9"), [Decimal("130")], []) == "0.0"
    assert number_format("%", Decimal("99"), [Decimal("95")], []) == "0.0"
    assert number_format("件", None, [Decimal("45")], [Decimal("30")]) == "0"
    assert number_format("个", None, [Decimal("4.5")], []) == "0.0"
    assert number_format("位", Decimal("48"), [Decimal("40")], []) == '0"位"'
    assert number_format("万人", None, [], [Decimal("6.98")]) == "0.00"
    assert number_format("万元", None, [Decimal("48")], [Decimal("41.25"), Decimal("43.8")]) == "0.0"


def test_planned_dates_are_written_in_chinese():
    from exports.meeting_pack import _due_text

    assert _due_text("2025H1") == "2025年上半年" and _due_text("2024Q1") == "2024年第一季度"
    assert _due_text("") == "" and _due_text("十四五期间") == "十四五期间"


def test_in_the_target_year_statuses_are_outcomes_and_the_notes_say_so(filled, tmp_path):
    database, plan_id = filled
    with database.session() as session:
        gdp = find_indicator(session, plan_id, "地区生产总值").id
        record_actual(session, gdp, 2025, Decimal("1450"), origin="cli")
    path = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2025, today=TODAY)).path
    sheet = load_workbook(path)["主要指标完成情况表"]
    header = {c.value: c.column for c in sheet[4]}
    row = next(r for r in range(5, 33) if sheet.cell(row=r, column=header["指标"]).value == "地区生产总值")
    assert sheet.cell(row=row, column=header["完成情况"]).value in ("已完成", "未完成")
    notes = " ".join(str(c.value) for c in sheet["A"][32:] if c.value)
    assert "已完成、未完成" in notes and "2025年（目标年）" in notes


def test_form_titles_read_right(filled, tmp_path):
    """Issue 14: 「“十四五”规划指标…」, never 「规划规划」; a milestones-only form is not named 指标填报."""
    from exports.forms import form_file_name, write_forms

    database, plan_id = filled
    written = write_forms(database, plan_id, 2024, output_dir=tmp_path / "forms", issued_on=TODAY)
    titles = [sheet["A2"].value for form in written for sheet in load_workbook(form.path).worksheets
              if isinstance(sheet["A2"].value, str) and "填报表" in sheet["A2"].value]
    assert titles and not any("规划规划" in t for t in titles)
    assert any("“十四五”规划指标2024年数据填报表" in t or "“十四五”规划主要指标2024年数据填报表" in t for t in titles)
    assert form_file_name(2024, "教育局", milestones_only=True) == "2024年项目进展填报_教育局.xlsx"
    assert [f for f in written if not f.indicators] and [f.path.name for f in written if not f.indicators] == [
        form_file_name(2024, f.unit, True) for f in written if not f.indicators]


def test_project_sheet_shows_investment_dates_in_chinese_and_rows_fit(filled, tmp_path):
    database, plan_id = filled
    empty = load_workbook(write_pack(database, plan_id, output=tmp_path / "a.xlsx",
                                     options=PackOptions(year=2022, today=TODAY)).path)["重大项目推进情况表"]
    header = {c.value: c.column_letter for c in empty[4]}
    assert empty.column_dimensions[header["总投资"]].hidden  # nobody entered investments yet
    with database.session() as session:
        [project_id] = [p.id for p in list_projects(session, plan_id)]
        update_project(session, project_id, origin="cli", total_investment=Decimal("12500"),
                       completed_investment=Decimal("8300.5"), investment_unit="万元", planned_finish="2025H1")
    sheet = load_workbook(write_pack(database, plan_id, output=tmp_path / "b.xlsx",
                                     options=PackOptions(year=2022, today=TODAY)).path)["重大项目推进情况表"]
    header = {c.value: c.column_letter for c in sheet[4]}
    assert not sheet.column_dimensions[header["总投资"]].hidden
    total, done = sheet[f"{header['总投资']}5"], sheet[f"{header['累计完成投资']}5"]
    assert (total.value, done.value) == (12500, 8300.5) and total.number_format == '#,##0.0"万元"'
    assert sheet[f"{header['计划完成时间']}5"].value == "2025年上半年"
    # 所属章节 in a run of one row still gets the lines it needs (it was cut in a single-height row)
    chapter = sheet[f"{header['所属章节']}5"]
    width = sheet.column_dimensions[header["所属章节"]].width
    from exports.templates import text_lines

    assert sheet.row_dimensions[5].height >= text_lines(chapter.value, width) * 11 * 1.4


def test_indicator_rows_keep_one_height_unless_text_needs_more(filled, tmp_path):
    database, plan_id = filled
    sheet = load_workbook(write_pack(database, plan_id, output=tmp_path / "p.xlsx",
                                     options=PackOptions(year=2022, today=TODAY)).path)["主要指标完成情况表"]
    heights = [sheet.row_dimensions[r].height for r in range(5, 33)]
    single = min(heights)
    assert sum(h == single for h in heights) >= 24, heights  # the seed plan: names and targets fit one line
    header = {c.value: c.column_letter for c in sheet[4]}
    longest = max((sheet[f"{header['指标']}{r}"].value for r in range(5, 33)), key=len)
    assert sheet.column_dimensions[header["指标"]].width >= 2 * len(longest)


def test_merged_runs_and_emphasis_look_as_openpyxl_makes_them_cell_by_cell():
    """The template filler computes the styles of merged runs and of emphasised cells once per look and copies
    them; every cell of the saved file must look exactly as openpyxl's own merge_cells and a new Font and
    PatternFill per cell make it (borders on the merged run's outline, fill, bold red font). LibreOffice, Excel
    and WPS print each merged cell's own borders."""
    from copy import copy

    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from exports.templates import Collection, Emphasis, TemplateData, fill_workbook

    categories = "甲甲甲乙丙丙"
    items = [{"cat": c, "name": f"项目{i}", "late": i % 3 == 0} for i, c in enumerate(categories)]

    def emphasis(item, field):
        return Emphasis("C00000", "FFC7CE", True) if field == "name" and item["late"] else None

    def template():
        workbook = Workbook()
        sheet = workbook.active
        sheet["A1"], sheet["A2"], sheet["B2"], sheet["A3"] = "表头", "{{x.cat|merge}}", "{{x.name}}", "合计"
        thin = Side(style="thin", color="000000")
        for cell in (sheet["A2"], sheet["B2"]):
            cell.border = Border(left=thin, right=Side(style="medium"), top=thin, bottom=Side(style="double"))
            cell.font = Font(name="仿宋_GB2312", size=12)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        return workbook

    filled = template()
    fill_workbook(filled, TemplateData({}, {"x": Collection("x", items, frozenset({"cat", "name"}), emphasis)}))

    expected = template()
    sheet = expected.active
    looks = [copy(sheet["A2"]._style), copy(sheet["B2"]._style)]
    sheet.insert_rows(3, len(items) - 1)
    for offset, item in enumerate(items):
        cat, name = sheet.cell(row=2 + offset, column=1), sheet.cell(row=2 + offset, column=2)
        cat._style, name._style = copy(looks[0]), copy(looks[1])
        cat.value, name.value = item["cat"], item["name"]
        if item["late"]:
            name.fill = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
            name.font = Font(name="仿宋_GB2312", size=12, bold=True, color="C00000")
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("A6:A7")

    # compared as written, not read back: openpyxl's reader redoes the merged cells' borders from the first cell
    got, want = filled.active, expected.active
    assert {str(r) for r in got.merged_cells.ranges} == {"A2:A4", "A6:A7"}
    assert got["A8"].value == "合计" and got["A5"].value == "乙" and got["A3"].value is None
    assert got["B5"].font.color.rgb.endswith("C00000") and got["B5"].font.b
    for row in range(1, 9):
        for column in (1, 2):
            a, b = got.cell(row=row, column=column), want.cell(row=row, column=column)
            assert type(a) is type(b) and a.value == b.value, a.coordinate
            for look in ("border", "font", "fill", "alignment", "protection", "number_format"):
                assert repr(getattr(a, look)) == repr(getattr(b, look)), (a.coordinate, look)


def test_an_items_own_text_with_braces_is_written_as_it_is():
    """Placeholders are the template's: an item's text that happens to hold 「{{…}}」 is data and stays as typed,
    while the template's scalars around the repeated rows are filled."""
    from exports.templates import Collection, TemplateData, fill_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["A3"] = "{{plan.title}}", "{{x.name}}", "制表：{{office}}"
    items = [{"name": "见{{plan.title}}第三章"}, {"name": "{{office}}"}]
    data = TemplateData({"plan.title": "某区规划", "office": "规划办"}, {"x": Collection("x", items, frozenset({"name"}))})
    fill_workbook(workbook, data)
    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == ["某区规划", "见{{plan.title}}第三章", "{{office}}", "制表：规划办"]


def test_the_quick_cell_writer_writes_the_bytes_openpyxl_writes(monkeypatch):
    """exports.sheet_style writes plain cells itself when saving; the sheet's XML must be openpyxl's to the byte,
    whatever the text holds, and cells it does not handle must still come out as openpyxl writes them."""
    import io
    import zipfile
    from datetime import datetime

    from openpyxl.styles import Font
    from openpyxl.worksheet import _writer

    from exports import sheet_style

    workbook = Workbook()
    sheet = workbook.active
    values = ["甲", " 前有空格", "后有空格 ", "   ", "a & <b> \"c\" 'd'", "两行\n文字", "\t制表", 0, 7, -2.5, 1e-20,
              12345678901234567, Decimal("3.10"), float("nan"), True, datetime(2000, 1, 2, 3, 4), "=1+1", None, ""]
    for row, value in enumerate(values, start=1):
        sheet.cell(row, 1, value)
        sheet.cell(row, 2, value).font = Font(bold=True)
    sheet.cell(1, 3, "链接").hyperlink = "https://example.org/?a=1&b=2"
    sheet.cell(30, 5).font = Font(italic=True)  # styled, empty

    def sheet_xml() -> bytes:
        with zipfile.ZipFile(io.BytesIO(sheet_style.workbook_bytes(workbook))) as package:
            return package.read("xl/worksheets/sheet1.xml")

    quick = sheet_xml()
    assert _writer.write_cell is sheet_style._write_plain_cell
    monkeypatch.setattr(_writer, "write_cell", sheet_style._openpyxl_write_cell)
    monkeypatch.setattr(sheet_style, "_use_plain_cell_writer", lambda: None)
    assert quick == sheet_xml()
    assert b'<t xml:space="preserve"> \xe5\x89\x8d' in quick and b"a &amp; &lt;b&gt;" in quick


@given(st.text(max_size=40))
def test_display_width_counts_wide_characters_twice(text):
    """Column widths and row heights measure text with display_width, which remembers each character's width:
    the same count as asking unicodedata for every character."""
    import unicodedata

    from exports.sheet_style import display_width

    assert display_width(text) == sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    assert display_width("地区生产总值（亿元）") == 20 and display_width("GDP 8%") == 6


@given(st.one_of(st.text(max_size=30), st.sampled_from(["=1+1", "#N/A", "+5", "x" * 40000, "a\x0bb\x1fc\r\nd"]),
                 st.none(), st.integers(), st.decimals(allow_nan=False)))
def test_set_text_stores_what_the_openpyxl_setter_stores(value):
    """set_text stores cleaned text in the cell directly: the same value and type as openpyxl's own setter given
    the cleaned text, then typed as text (never a formula or an error code), cut at a cell's 32,767 characters."""
    from core.text_hygiene import clean_text
    from exports.sheet_style import set_text

    sheet = Workbook().active
    quick, slow = sheet.cell(1, 1), sheet.cell(1, 2)
    set_text(quick, value)
    slow.value = "" if value is None else clean_text(str(value), multiline=True)
    slow.data_type = "s"
    assert (quick.value, quick.data_type) == (slow.value, slow.data_type)
    assert quick.data_type == "s" and len(quick.value) <= 32767
