"""Department fill-in forms: issued per lead unit, read back by two independent readers, filled the way
departments fill them (good values, typos, formulas, a value changed in guihua meanwhile), and imported."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from core.schedule import MILESTONE_STATUSES
from db.indicators import STAGES, get_indicator, history, list_indicators, record_actual, set_indicator_fields
from db.models import ChangeLog, Milestone
from db.plan_store import find_plan
from db.projects import accept_proposal, add_milestone, list_proposals, mark_milestone_done, update_milestone, update_project
from exports.forms import (
    FORMAT_NAME,
    INDICATOR_SHEET,
    MARKER_SHEET,
    MILESTONE_SHEET,
    NO_UNIT,
    form_file_name,
    write_forms,
)
from importers.forms import apply_forms, read_forms
from tui import cli

YEAR = 2024
DEV = "区发展改革委"
STATS = "区统计局"


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    """The conftest `database` as a first run leaves it, built once for this module (seeding takes seconds)."""
    from db.engine import open_database
    from importers.plan import ensure_bundled_plan

    path = tmp_path_factory.mktemp("seed") / "guihua.sqlite3"
    seeded = open_database(path)
    ensure_bundled_plan(seeded)
    seeded.dispose()
    return path


@pytest.fixture
def database(seeded_file, tmp_path):
    """A real SQLite file per test: a copy of the seeded one (same content as conftest's fixture)."""
    from db.engine import open_database

    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded_file}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"guihua.sqlite3{suffix}")
    db = open_database(tmp_path / "guihua.sqlite3")
    yield db
    db.dispose()


@pytest.fixture
def setup(database, tmp_path):
    """Lead units on six indicators (the rest have none), figures for 2023 and 2024, and a project of the
    development commission with two open milestones and a closed one; then the 2024 forms are issued."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        views = list_indicators(session, plan_id)
        for view in views[:2]:
            set_indicator_fields(session, view.id, origin="cli", lead_unit="发改委")  # short name: resolved
        for view in views[2:5]:
            set_indicator_fields(session, view.id, origin="cli", lead_unit=STATS)
        record_actual(session, views[0].id, 2023, Decimal("1200.5"), stage="年报", origin="cli")
        record_actual(session, views[1].id, YEAR, Decimal("100"), stage="快报", note="初步数", origin="cli")
        proposal = list_proposals(session, plan_id, "project")[0]
        project_id = accept_proposal(session, proposal.id, origin="cli")
        update_project(session, project_id, origin="cli", lead_unit="发改委")
        first = add_milestone(session, project_id, "完成可行性研究", "2023-06", origin="cli")
        second = add_milestone(session, project_id, "主体开工", "2024Q2", origin="cli")
        closed = add_milestone(session, project_id, "完成立项", "2022", origin="cli")
        mark_milestone_done(session, closed, date(2022, 10, 1), origin="cli")
    folder = tmp_path / "forms"
    written = write_forms(database, plan_id, YEAR, output_dir=folder, issued_on=date(2025, 1, 10))
    return {
        "plan_id": plan_id,
        "views": views,
        "project_id": project_id,
        "milestones": (first, second, closed),
        "folder": folder,
        "written": {f.unit: f for f in written},
    }


def path_of(setup, unit: str) -> Path:
    return setup["written"][unit].path


def row_of(sheet, entity_id: int) -> int:
    """The Excel row of an indicator or milestone, found by the hidden id column as the importer finds it."""
    id_column = 10 if sheet.title == INDICATOR_SHEET else 9
    for row in range(5, sheet.max_row + 1):
        if sheet.cell(row=row, column=id_column).value == entity_id:
            return row
    raise AssertionError(f"id {entity_id} not on {sheet.title}")


def fill(path: Path, values: dict[tuple[str, str, int], object], formats: dict[tuple[str, str, int], str] = {}):
    """Fill input cells with openpyxl as a department's Excel would: {(sheet, column letter, row): value}."""
    workbook = load_workbook(path)
    for (sheet, column, row), value in values.items():
        cell = workbook[sheet][f"{column}{row}"]
        cell.value = value
        if (sheet, column, row) in formats:
            cell.number_format = formats[(sheet, column, row)]
    workbook.save(path)


def rewrite_member(path: Path, member: str, change) -> None:
    """Rewrite one part of an .xlsx (what a hostile or buggy tool could do)."""
    source = path.with_suffix(".orig")
    shutil.move(path, source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == member else data)
    source.unlink()


# ----------------------------------------------------------------------------------------------------------
# Issuing


def test_one_workbook_per_lead_unit_and_the_unassigned_are_not_skipped(setup):
    written = setup["written"]
    assert list(written) == [DEV, STATS, NO_UNIT]  # the unit list's order, 未定牵头单位 last
    assert written[DEV].indicators == 2 and written[DEV].milestones == 2  # the closed milestone is not asked for
    assert written[STATS].indicators == 3 and written[STATS].milestones == 0
    assert written[NO_UNIT].indicators == 28 - 5 and written[NO_UNIT].unassigned
    for unit, form in written.items():
        assert form.path.name == form_file_name(YEAR, unit) == f"2024年指标填报_{unit}.xlsx"
        assert form.path.parent == setup["folder"] and not form.renamed
    assert not list(setup["folder"].glob(".*"))  # no temporary file left behind


def test_form_layout_read_back_with_openpyxl(setup):
    views = setup["views"]
    workbook = load_workbook(path_of(setup, DEV))
    assert workbook.sheetnames == [INDICATOR_SHEET, MILESTONE_SHEET, MARKER_SHEET]
    assert workbook[MARKER_SHEET].sheet_state == "veryHidden"
    assert workbook.security.lockStructure
    sheet = workbook[INDICATOR_SHEET]
    assert sheet["A1"].value == "附表1"
    title = sheet["A2"].value
    assert title == "泰州医药高新区（高港区）“十四五”规划主要指标2024年数据填报表"
    assert "A2:I2" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].alignment.horizontal == "center"
    assert sheet["A3"].value == f"填报单位（盖章）：{DEV}" and "填报日期" in sheet["E3"].value
    headers = [sheet.cell(row=4, column=c).value for c in range(1, 12)]
    assert headers == ["序号", "指标", "单位", "上年值（2023年）", "2025年目标", "年均增速", "2024年实际值", "备注",
                       "数据阶段", "编号", "下发时数值"]
    gdp, revenue = row_of(sheet, views[0].id), row_of(sheet, views[1].id)
    assert (gdp, revenue) == (5, 6)
    assert [sheet.cell(row=gdp, column=c).value for c in range(1, 10)] == [
        1, "地区生产总值", "亿元", 1200.5, "力争1500", "8%左右", None, None, None]
    # the value guihua holds for the year is shown, to be confirmed or corrected
    assert sheet.cell(row=revenue, column=7).value == 100
    assert sheet.cell(row=revenue, column=8).value == "初步数" and sheet.cell(row=revenue, column=9).value == "快报"
    assert json.loads(sheet.cell(row=revenue, column=11).value) == {"actual": "100", "note": "初步数", "stage": "快报"}
    assert json.loads(sheet.cell(row=gdp, column=11).value) == {"actual": None, "note": "", "stage": ""}
    assert sheet.column_dimensions["J"].hidden and sheet.column_dimensions["K"].hidden
    # input cells unlocked, every other cell locked, sheet protected
    assert sheet.protection.sheet
    for column in "GHI":
        assert sheet[f"{column}{gdp}"].protection.locked is False
    for column in "ABCDEFJK":
        assert sheet[f"{column}{gdp}"].protection.locked is True
    assert sheet["A2"].protection.locked is True
    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert str(validations["decimal"].sqref) == "G5:G6" and validations["decimal"].showErrorMessage
    assert str(validations["list"].sqref) == "I5:I6"
    assert validations["list"].formula1 == '"' + ",".join(STAGES) + '"'
    assert str(validations["textLength"].sqref) == "H5:H6"
    # print: A4 landscape, fitted to the page width, header row on every page, panes frozen
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.freeze_panes == "C5"
    assert sheet["A2"].font.name == "方正小标宋简体"
    assert sheet["B4"].font.name == "黑体" and sheet["B5"].font.name == "仿宋_GB2312"
    notes = [sheet.cell(row=r, column=1).value or "" for r in range(7, sheet.max_row + 1)]
    note_text = "".join(notes)
    assert notes[1].startswith("注：") and "只填白色单元格" in note_text and "不带单位" in note_text
    assert "、".join(STAGES) in note_text
    assert sheet.print_area == f"'{INDICATOR_SHEET}'!$A$1:$I${sheet.max_row}"

    milestones = workbook[MILESTONE_SHEET]
    assert milestones["A1"].value == "附表2" and "重点项目2024年进展填报表" in milestones["A2"].value
    assert [milestones.cell(row=4, column=c).value for c in range(1, 9)] == [
        "序号", "项目", "里程碑", "计划时间", "当前状态", "新状态", "完成日期", "备注"]
    first, second, closed = setup["milestones"]
    assert [milestones.cell(row=r, column=9).value for r in (5, 6)] == [first, second]
    assert milestones["C5"].value == "完成可行性研究" and milestones["D5"].value == "2023年6月"
    assert milestones["E5"].value.startswith("未开始")
    assert json.loads(milestones["J5"].value) == {"status": "未开始", "done_date": None, "note": ""}
    assert "B5:B6" in {str(r) for r in milestones.merged_cells.ranges}  # one project, merged
    kinds = {dv.type: dv for dv in milestones.data_validations.dataValidation}
    assert kinds["list"].formula1 == '"' + ",".join(MILESTONE_STATUSES) + '"' and str(kinds["list"].sqref) == "F5:F6"
    assert str(kinds["date"].sqref) == "G5:G6"
    assert all(milestones[f"{c}5"].protection.locked is False for c in "FGH")
    assert milestones["E5"].protection.locked is True and milestones.protection.sheet
    assert milestones.page_setup.orientation == "landscape" and milestones.print_title_rows == "$4:$4"

    marker = {r[0]: r[1] for r in workbook[MARKER_SHEET].iter_rows(values_only=True)}
    assert marker["format"] == FORMAT_NAME and marker["version"] == "1"
    assert (marker["plan_id"], marker["year"], marker["unit"]) == (str(setup["plan_id"]), "2024", DEV)
    assert marker["sheets"] == f"{INDICATOR_SHEET},{MILESTONE_SHEET}"


def test_form_read_back_with_calamine_matches(setup):
    from python_calamine import CalamineWorkbook

    views = setup["views"]
    workbook = CalamineWorkbook.from_path(str(path_of(setup, DEV)))
    assert workbook.sheet_names == [INDICATOR_SHEET, MILESTONE_SHEET, MARKER_SHEET]
    assert str(workbook.sheets_metadata[2].visible).endswith("VeryHidden")
    rows = workbook.get_sheet_by_name(INDICATOR_SHEET).to_python()
    assert rows[0][0] == "附表1" and "2024年数据填报表" in rows[1][0]
    assert rows[3][:9] == ["序号", "指标", "单位", "上年值（2023年）", "2025年目标", "年均增速", "2024年实际值", "备注", "数据阶段"]
    assert rows[4][:9] == [1.0, "地区生产总值", "亿元", 1200.5, "力争1500", "8%左右", "", "", ""]
    assert rows[5][6] == 100.0 and rows[5][9] == float(views[1].id)
    assert json.loads(rows[5][10])["actual"] == "100"
    assert any(str(r[0]).startswith("注：") for r in rows)
    marker = dict(workbook.get_sheet_by_name(MARKER_SHEET).to_python())
    assert marker["unit"] == DEV and marker["year"] == "2024"
    stats = CalamineWorkbook.from_path(str(path_of(setup, STATS)))
    assert stats.sheet_names == [INDICATOR_SHEET, MARKER_SHEET]  # no milestones: no milestone sheet


def test_text_from_users_is_never_a_formula(database, tmp_path):
    """Names, units, targets and notes that start with = + - @ are written as text."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        view = list_indicators(session, plan_id)[0]
        from db.projects import add_unit

        add_unit(session, "=HYPERLINK(\"http://x\")")  # units come from the list: a formula-like one is on it
        set_indicator_fields(session, view.id, origin="cli", lead_unit="=HYPERLINK(\"http://x\")",
                             unit="=cmd|' /C calc'!A0", target_text="+1500", growth_text="-8%")
        record_actual(session, view.id, YEAR, Decimal("1"), note="@SUM(A1)", origin="cli")
    form = next(f for f in write_forms(database, plan_id, YEAR, output_dir=tmp_path) if "HYPERLINK" in f.unit)
    sheet = load_workbook(form.path)[INDICATOR_SHEET]
    assert [sheet[c].value for c in ("C5", "E5", "F5", "H5")] == ["=cmd|' /C calc'!A0", "+1500", "-8%", "@SUM(A1)"]
    assert all(sheet[c].data_type == "s" for c in ("C5", "E5", "F5", "H5"))
    with zipfile.ZipFile(form.path) as archive:
        assert not any("<f>" in archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))


def test_choosing_units_and_years(database, setup, tmp_path):
    plan_id = setup["plan_id"]
    only = write_forms(database, plan_id, YEAR, units=["统计局"], output_dir=tmp_path / "one")
    assert [f.unit for f in only] == [STATS]
    unassigned = write_forms(database, plan_id, YEAR, units=[NO_UNIT], output_dir=tmp_path / "two")
    assert [f.unit for f in unassigned] == [NO_UNIT]
    from core.errors import UserInputError

    with pytest.raises(UserInputError, match="区教育局 没有牵头的指标"):
        write_forms(database, plan_id, YEAR, units=["教育局"], output_dir=tmp_path / "three")
    with pytest.raises(UserInputError, match="不在规划期"):
        write_forms(database, plan_id, 2026, output_dir=tmp_path / "four")
    with pytest.raises(UserInputError, match="不在规划期"):
        write_forms(database, plan_id, 2020, output_dir=tmp_path / "four")


# ----------------------------------------------------------------------------------------------------------
# The round trip


def fill_returned_forms(setup, database):
    """The three units fill their forms: the development commission well (with one conflict), statistics
    with mistakes, the unassigned form with values written the ways people write them."""
    views = setup["views"]
    first, second, _ = setup["milestones"]
    dev, stats, rest = path_of(setup, DEV), path_of(setup, STATS), path_of(setup, NO_UNIT)
    fill(dev, {
        (INDICATOR_SHEET, "G", 5): 1350.5,
        (INDICATOR_SHEET, "H", 5): "统计快报",
        (INDICATOR_SHEET, "I", 5): "快报",
        (INDICATOR_SHEET, "G", 6): 110,  # issued as 100; guihua will hold 105 by the time it comes back
        (INDICATOR_SHEET, "H", 6): "财政局核实数",
        (MILESTONE_SHEET, "F", 5): "推进中",
        (MILESTONE_SHEET, "H", 5): "可研已报批",
        (MILESTONE_SHEET, "G", 6): datetime(2024, 5, 1),  # a done date alone means done
    })
    stats_sheet = load_workbook(stats)[INDICATOR_SHEET]
    stats_rows = [row_of(stats_sheet, v.id) for v in views[2:5]]
    fill(stats, {
        (INDICATOR_SHEET, "G", stats_rows[0]): "12,3x",
        (INDICATOR_SHEET, "G", stats_rows[1]): "=1+2",
        (INDICATOR_SHEET, "I", stats_rows[1]): "快报",
        (INDICATOR_SHEET, "G", stats_rows[2]): 77,
        (INDICATOR_SHEET, "I", stats_rows[2]): "估计数",
    })
    # Excel saves a formula's last result beside it: put one there, as Excel would have.
    rewrite_member(stats, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>"))
    rest_sheet = load_workbook(rest)[INDICATOR_SHEET]
    fill(rest, {
        (INDICATOR_SHEET, "G", 5): "１,234.5",  # full-width digit and a thousands separator, typed as text
        (INDICATOR_SHEET, "G", 6): 0.085,  # typed as 8.5% in Excel: stored 0.085 with a percent format
        (INDICATOR_SHEET, "I", 6): "年报",
        (INDICATOR_SHEET, "G", 7): "—",  # a dash: no figure, not a change
    }, formats={(INDICATOR_SHEET, "G", 6): "0.0%"})
    rest_ids = [rest_sheet.cell(row=r, column=10).value for r in (5, 6, 7)]
    # Meanwhile someone corrects a figure in guihua: the form returning 110 must not overwrite it silently.
    with database.session() as session:
        record_actual(session, views[1].id, YEAR, Decimal("105"), origin="cli")
    return rest_ids


def test_round_trip_imports_exactly_the_good_values_of_the_good_files(database, setup):
    views = setup["views"]
    first, second, _ = setup["milestones"]
    rest_ids = fill_returned_forms(setup, database)
    before = {v.id: get_indicator_values(database, v.id) for v in views[2:5]}

    review = read_forms(database, [setup["folder"]])
    by_name = {f.name: f for f in review.files}
    assert set(by_name) == {path_of(setup, u).name for u in (DEV, STATS, NO_UNIT)}

    stats = by_name[path_of(setup, STATS).name]
    assert stats.refused and not stats.changes
    problems = [(p.sheet, p.row, p.column, p.message) for p in stats.problems]
    assert len(problems) == 3
    assert problems[0][:3] == (INDICATOR_SHEET, 5, "“2024年实际值”列（G列）") and "“12,3x” 不是数字" in problems[0][3]
    assert problems[1][:3] == (INDICATOR_SHEET, 6, "“2024年实际值”列（G列）")
    assert "含公式，请改为数值" in problems[1][3] and "“3”" in problems[1][3]
    assert problems[2][:3] == (INDICATOR_SHEET, 7, "“数据阶段”列（I列）") and "估计数" in problems[2][3]
    assert stats.problems[0].text().startswith(f"{stats.name}「指标填报」第 5 行“2024年实际值”列（G列）：")

    dev = by_name[path_of(setup, DEV).name]
    assert not dev.refused
    shown = sorted(c.text() for c in dev.changes)
    assert shown == sorted([
        "地区生产总值 2024年实际值：空 → 1350.5",
        "地区生产总值 备注：空 → 统计快报",
        "地区生产总值 数据阶段：空 → 快报",
        "一般公共预算收入 备注：初步数 → 财政局核实数",
        f"{project_title(database, setup)} — 完成可行性研究 状态：未开始 → 推进中",
        f"{project_title(database, setup)} — 完成可行性研究 备注：空 → 可研已报批",
        f"{project_title(database, setup)} — 主体开工 状态：未开始 → 已完成",
        f"{project_title(database, setup)} — 主体开工 完成日期：空 → 2024-05-01",
    ])
    [conflict] = dev.conflicts
    assert (conflict.issued, conflict.current, conflict.new) == ("100", "105", "110")
    assert "下发时 100 ｜ guihua 现为 105 ｜ 表中 110" in conflict.text()

    rest = by_name[path_of(setup, NO_UNIT).name]
    assert not rest.refused and not rest.conflicts
    assert sorted((c.edit.entity_id, c.edit.field, c.new) for c in rest.changes) == sorted([
        (rest_ids[0], "actual", "1234.5"), (rest_ids[1], "actual", "8.5"), (rest_ids[1], "stage", "年报")])

    # Reading wrote nothing.
    assert YEAR not in get_indicator_values(database, views[0].id)

    result = apply_forms(database, review)
    assert result.refused == [stats.name] and not result.failed
    assert len(result.applied) == 8 + 3 and len(result.skipped_conflicts) == 1

    with database.session() as session:
        gdp = get_indicator(session, views[0].id)
        assert (gdp.values[2023], gdp.values[2024]) == (Decimal("1200.5"), Decimal("1350.5"))
        assert (gdp.years[YEAR].stage, gdp.years[YEAR].note) == ("快报", "统计快报")
        revenue = get_indicator(session, views[1].id)
        assert revenue.values[YEAR] == Decimal("105")  # the conflict was not overwritten
        assert revenue.years[YEAR].note == "财政局核实数"  # its note was no conflict and came in
        assert get_indicator(session, rest_ids[0]).values[YEAR] == Decimal("1234.5")
        assert get_indicator(session, rest_ids[1]).values[YEAR] == Decimal("8.5")
        assert YEAR not in get_indicator(session, rest_ids[2]).values
        m1, m2 = session.get(Milestone, first), session.get(Milestone, second)
        assert (m1.status, m1.note, m1.done_date) == ("推进中", "可研已报批", None)
        assert (m2.status, m2.done_date) == ("已完成", date(2024, 5, 1))
        entries = history(session, views[0].id)
        imported = [e for e in entries if e.source_file]
        assert sorted((e.year, e.field, e.new) for e in imported) == [
            (YEAR, "actual", "1350.5"), (YEAR, "note", "统计快报"), (YEAR, "stage", "快报")]
        assert {(e.origin, e.source_file) for e in imported} == {("import", path_of(setup, DEV).name)}
        milestone_log = session.exec(
            __import__("sqlmodel").select(ChangeLog).where(ChangeLog.entity == "milestone", ChangeLog.origin == "import")
        ).all()
        assert {c.source_file for c in milestone_log} == {path_of(setup, DEV).name}
    # The bad file changed nothing.
    assert {v.id: get_indicator_values(database, v.id) for v in views[2:5]} == before

    # Importing the same forms again changes nothing more; the conflict is still held back.
    again = read_forms(database, [setup["folder"]])
    assert not again.changes and len(again.conflicts) == 1

    # Told to, the office overwrites the conflict with the form's value.
    result = apply_forms(database, again, overwrite_conflicts=True)
    assert [c.new for c in result.applied] == ["110"]
    with database.session() as session:
        assert get_indicator(session, views[1].id).values[YEAR] == Decimal("110")
        last = history(session, views[1].id)[0]
        assert (last.origin, last.old, last.new, last.source_file) == ("import", "105", "110", path_of(setup, DEV).name)


def get_indicator_values(database, indicator_id):
    with database.session() as session:
        return get_indicator(session, indicator_id).values


def project_title(database, setup):
    from db.models import Project

    with database.session() as session:
        return session.get(Project, setup["project_id"]).title


def test_a_conflict_holds_back_the_linked_stage_and_a_changed_milestone_conflicts(database, setup):
    views = setup["views"]
    first, _, _ = setup["milestones"]
    dev = path_of(setup, DEV)
    fill(dev, {(INDICATOR_SHEET, "G", 6): 120, (INDICATOR_SHEET, "I", 6): "年报", (MILESTONE_SHEET, "F", 5): "滞后"})
    with database.session() as session:
        record_actual(session, views[1].id, YEAR, Decimal("105"), origin="cli")
        update_milestone(session, first, origin="cli", status="推进中")
    review = read_forms(database, [dev])
    [form] = review.files
    assert not form.changes
    kinds = sorted((c.edit.field, bool(c.held_by)) for c in form.conflicts)
    assert kinds == [("actual", False), ("stage", True), ("status", False)]
    held = next(c for c in form.conflicts if c.held_by)
    assert "同一项的2024年实际值有冲突" in held.text()
    apply_forms(database, review)
    with database.session() as session:
        record = get_indicator(session, views[1].id).years[YEAR]
        assert (record.actual, record.stage) == (Decimal("105"), "快报")
        assert session.get(Milestone, first).status == "推进中"


def test_empty_or_cleared_cells_change_nothing_and_a_done_status_alone_records_today(database, setup, monkeypatch):
    monkeypatch.setenv("GUIHUA_TODAY", "2025-02-03")
    _, second, _ = setup["milestones"]
    dev = path_of(setup, DEV)
    fill(dev, {(INDICATOR_SHEET, "G", 6): None, (INDICATOR_SHEET, "H", 6): None, (INDICATOR_SHEET, "I", 6): None,
               (MILESTONE_SHEET, "F", 6): "已完成"})
    review = read_forms(database, [dev])
    [change] = review.changes
    assert change.text().endswith("状态：未开始 → 已完成（未填完成日期，按导入当天记录）")
    apply_forms(database, review)
    with database.session() as session:
        record = get_indicator(session, setup["views"][1].id).years[YEAR]
        assert (record.actual, record.note, record.stage) == (Decimal("100"), "初步数", "快报")
        assert session.get(Milestone, second).done_date == date(2025, 2, 3)


def test_milestone_input_mistakes_are_problems(database, setup, monkeypatch):
    monkeypatch.setenv("GUIHUA_TODAY", "2025-02-03")
    dev = path_of(setup, DEV)
    fill(dev, {(MILESTONE_SHEET, "F", 5): "差不多了", (MILESTONE_SHEET, "G", 6): "2025-03-01",
               (MILESTONE_SHEET, "H", 6): "长" * 501})
    [form] = read_forms(database, [dev]).files
    messages = [(p.row, p.column[-3:], p.message) for p in form.problems]
    assert messages[0][0] == 5 and "不是可选的状态" in messages[0][2] and messages[0][1] == "F列）"
    assert any(m[0] == 6 and "晚于今天" in m[2] for m in messages)
    assert any(m[0] == 6 and "备注超过 500 字" in m[2] for m in messages)


def test_tampered_rows_are_problems(database, setup):
    dev = path_of(setup, DEV)
    workbook = load_workbook(dev)
    sheet = workbook[INDICATOR_SHEET]
    sheet["K5"] = "{not json"  # the hidden issued values
    sheet["J6"] = sheet["J5"].value + 100000  # an id that is not in guihua
    sheet["G7"] = 5  # a value below the table, in a row that was never issued
    workbook.save(dev)
    [form] = read_forms(database, [dev]).files
    messages = {p.row: p.message for p in form.problems}
    assert "隐藏的下发数值被改动" in messages[5]
    assert "已不存在" in messages[6]
    assert "不是下发的行" in messages[7]
    workbook = load_workbook(path_of(setup, STATS))
    sheet = workbook[INDICATOR_SHEET]
    sheet["J6"] = sheet["J5"].value  # a copied row
    sheet["D4"] = "2023年数"  # a changed header
    workbook.save(path_of(setup, STATS))
    [form] = read_forms(database, [path_of(setup, STATS)]).files
    assert "表头与下发时不同" in form.problems[0].message


# ----------------------------------------------------------------------------------------------------------
# Untrusted files


def only_problem(database, path, **kwargs) -> str:
    [form] = read_forms(database, [path], **kwargs).files
    assert form.refused and not form.changes and len(form.problems) == 1
    return form.problems[0].text()


def test_random_bytes_named_xlsx(database, tmp_path):
    path = tmp_path / "填报.xlsx"
    path.write_bytes(os.urandom(4096))
    assert "文件内容不是 Excel 工作簿" in only_problem(database, path)
    path.write_bytes(b"PK\x03\x04" + os.urandom(4096))
    assert "已损坏或不是 Excel 工作簿" in only_problem(database, path)


def test_old_excel_and_other_types(database, tmp_path):
    old = tmp_path / "填报.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert "旧版 Excel/WPS 格式" in only_problem(database, old)
    disguised = tmp_path / "加密.xlsx"  # a password-protected workbook is an OLE2 file too
    disguised.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert "设置了打开密码" in only_problem(database, disguised)
    text = tmp_path / "填报.csv"
    text.write_text("a,b\n", encoding="utf-8")
    assert "不是 .xlsx 文件" in only_problem(database, text)
    assert "找不到文件" in only_problem(database, tmp_path / "没有这个文件.xlsx")


def test_oversized_file(database, tmp_path):
    path = tmp_path / "大.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(11 * 1024 * 1024)
    assert "文件太大（11.0 MB）" in only_problem(database, path)


def _bomb(path: Path, megabytes: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(block)


def test_zip_bombs(database, tmp_path):
    dense = tmp_path / "炸弹.xlsx"
    _bomb(dense, 20)  # 20 MB of zeros in a few kilobytes
    assert dense.stat().st_size < 100 * 1024
    assert "压缩比异常" in only_problem(database, dense)
    big = tmp_path / "大炸弹.xlsx"
    _bomb(big, 101)
    assert "解压后达 101 MB" in only_problem(database, big)


def test_billion_laughs_is_refused_without_expanding(database, setup):
    dev = path_of(setup, DEV)
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">'.encode() for i in range(1, 10))
              + b"]>\n")

    def attack(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[-1].lstrip()
        return laughs + body.replace(b"<is><t>", b"<is><t>&lol9;", 1)

    rewrite_member(dev, "xl/worksheets/sheet1.xml", attack)
    with zipfile.ZipFile(dev) as archive:
        assert b"<!ENTITY lol9" in archive.read("xl/worksheets/sheet1.xml")
    assert "不安全的 XML 内容" in only_problem(database, dev)
    # the same attack in the workbook part is refused while opening
    other = path_of(setup, STATS)
    rewrite_member(other, "xl/workbook.xml", lambda xml: laughs + xml.split(b"?>", 1)[-1].lstrip())
    assert "不安全的 XML 内容" in only_problem(database, other)


def test_workbooks_that_are_not_guihua_forms_or_not_for_this_plan_and_year(database, setup, tmp_path):
    plain = tmp_path / "自己做的表.xlsx"
    workbook = Workbook()
    workbook.active["A1"] = "地区生产总值"
    workbook.save(plain)
    assert "不是 guihua 生成的填报表" in only_problem(database, plain)
    dev = path_of(setup, DEV)
    assert "这是 2024 年的填报表，本次导入的是 2023 年" in only_problem(database, dev, year=2023)
    workbook = load_workbook(dev)
    workbook[MARKER_SHEET]["B4"] = "某某区十四五规划"
    workbook.save(dev)
    assert "属于另一个规划（「某某区十四五规划」）" in only_problem(database, dev)
    workbook[MARKER_SHEET]["B2"] = "9"
    workbook.save(dev)
    assert "更新版本的 guihua" in only_problem(database, dev)


def test_a_folder_skips_lock_files_and_reports_old_formats(database, setup):
    folder = setup["folder"]
    (folder / f"~${path_of(setup, DEV).name}").write_bytes(b"lock")
    (folder / "说明.docx").write_bytes(b"not a form")
    (folder / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    review = read_forms(database, [folder, path_of(setup, DEV)])  # a file named twice is read once
    assert sorted(f.name for f in review.files) == sorted([*(path_of(setup, u).name for u in (DEV, STATS, NO_UNIT)), "旧表.xls"])
    assert [f.name for f in review.refused] == ["旧表.xls"]


# ----------------------------------------------------------------------------------------------------------
# The commands


@pytest.fixture
def cli_db(database, tmp_path, monkeypatch):
    """The CLI against the test's database file, with two indicators given lead units."""
    monkeypatch.setenv("GUIHUA_DB", str(database.path))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    with database.session() as session:
        views = list_indicators(session, 1)
        set_indicator_fields(session, views[0].id, origin="cli", lead_unit=DEV)
        set_indicator_fields(session, views[1].id, origin="cli", lead_unit=STATS)
    return database, views


def invoke(*args, input=None):
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def test_cli_forms_default_folder_and_units(cli_db, tmp_path):
    result = invoke("forms", "--year", "2024")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "填报表"
    assert sorted(p.name for p in folder.iterdir()) == sorted(form_file_name(YEAR, u) for u in (DEV, STATS, NO_UNIT))
    assert f"已生成：{folder / form_file_name(YEAR, DEV)}（{DEV}：指标 1 项）" in result.stdout
    assert "26 项指标尚未确定牵头单位，已放入「未定牵头单位」表" in result.stderr
    assert "共 3 个文件" in result.stdout
    one = invoke("forms", "--year", "2024", "--unit", "统计局", "--output", str(tmp_path / "一个"))
    assert one.exit_code == 0 and [p.name for p in (tmp_path / "一个").iterdir()] == [form_file_name(YEAR, STATS)]
    none = invoke("forms", "--year", "2024", "--unit", "教育局")
    assert none.exit_code == 2 and "没有牵头的指标或未完成的里程碑" in none.stderr
    late = invoke("forms", "--year", "2030")
    assert late.exit_code == 2 and "不在规划期" in late.stderr


def test_cli_import_forms_dry_run_confirm_and_refusals(cli_db, tmp_path):
    database, views = cli_db
    folder = tmp_path / "回收"
    assert invoke("forms", "--year", "2024", "--output", str(folder)).exit_code == 0
    fill(folder / form_file_name(YEAR, DEV), {(INDICATOR_SHEET, "G", 5): 1350.5})
    fill(folder / form_file_name(YEAR, STATS), {(INDICATOR_SHEET, "G", 5): "12,3x"})

    dry = invoke("import-forms", str(folder), "--dry-run")
    assert dry.exit_code == 2, dry.output  # a refused file
    assert "地区生产总值 2024年实际值：空 → 1350.5" in dry.stdout
    assert f"{form_file_name(YEAR, STATS)}「指标填报」第 5 行“2024年实际值”列（G列）：“12,3x” 不是数字" in dry.stdout
    assert "没有写入任何内容" in dry.stdout
    assert YEAR not in get_indicator_values(database, views[0].id)

    declined = invoke("import-forms", str(folder), input="n\n")
    assert declined.exit_code == 1 and "导入以上 1 处修改？" in declined.output and "已取消" in declined.output
    assert YEAR not in get_indicator_values(database, views[0].id)

    accepted = invoke("import-forms", str(folder), input="y\n")
    assert accepted.exit_code == 2  # the statistics form was refused; the other one came in
    assert f"已导入「{form_file_name(YEAR, DEV)}」：1 处修改" in accepted.stdout
    assert form_file_name(YEAR, STATS) in accepted.stderr
    assert get_indicator_values(database, views[0].id)[YEAR] == Decimal("1350.5")
    assert YEAR not in get_indicator_values(database, views[1].id)

    history_output = invoke("history", "地区生产总值").stdout
    assert f"导入  2024年实际值：空 → 1350.5（来自 {form_file_name(YEAR, DEV)}）" in history_output


def test_cli_import_forms_conflicts_need_the_flag(cli_db, tmp_path):
    database, views = cli_db
    folder = tmp_path / "回收"
    invoke("forms", "--year", "2024", "--unit", DEV, "--output", str(folder))
    path = folder / form_file_name(YEAR, DEV)
    fill(path, {(INDICATOR_SHEET, "G", 5): 1350.5})
    with database.session() as session:
        record_actual(session, views[0].id, YEAR, Decimal("1300"), origin="cli")
    plain = invoke("import-forms", str(path), "--yes")
    assert plain.exit_code == 0
    assert "冲突 1 处" in plain.stdout and "下发时 空 ｜ guihua 现为 1300 ｜ 表中 1350.5" in plain.stdout
    assert "没有需要导入的修改" in plain.stdout
    assert get_indicator_values(database, views[0].id)[YEAR] == Decimal("1300")
    forced = invoke("import-forms", str(path), "--yes", "--overwrite-conflicts")
    assert forced.exit_code == 0 and "已导入" in forced.stdout
    assert get_indicator_values(database, views[0].id)[YEAR] == Decimal("1350.5")
    wrong_year = invoke("import-forms", str(path), "--yes", "--year", "2023")
    assert wrong_year.exit_code == 2 and "这是 2024 年的填报表" in wrong_year.stdout
    nothing = invoke("import-forms", str(tmp_path / "空文件夹"))
    assert nothing.exit_code == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_again_by_libreoffice_still_imports(database, setup, tmp_path):
    """Departments open forms in Excel, WPS or LibreOffice and save them again: the hidden marker, ids and
    fingerprints must survive a real office suite's save."""
    import subprocess

    dev = path_of(setup, DEV)
    fill(dev, {(INDICATOR_SHEET, "G", 5): 1350.5, (INDICATOR_SHEET, "I", 5): "快报",
               (MILESTONE_SHEET, "G", 6): datetime(2024, 5, 1)})
    out = tmp_path / "saved"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(dev)],
        check=True, capture_output=True, timeout=180,
    )
    saved = out / dev.name
    assert saved.exists()
    [form] = read_forms(database, [saved]).files
    assert not form.problems, [p.text() for p in form.problems]
    assert sorted((c.edit.field, c.new) for c in form.changes) == [
        ("actual", "1350.5"), ("done_date", "2024-05-01"), ("stage", "快报"), ("status", "已完成")]


@pytest.mark.parametrize("title, name, expected", [
    ("泰州医药高新区（高港区）国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "泰州十四五", ("泰州医药高新区（高港区）", "“十四五”")),
    ("某某区“十五五”规划", "某某区十五五规划", ("某某区", "“十五五”")),
])
def test_the_title_names_the_district_and_the_period(title, name, expected):
    from exports.forms import plan_heading

    assert plan_heading(title, name) == expected
