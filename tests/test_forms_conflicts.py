"""Returned forms that disagree with each other, rows whose hidden ids were edited, forms naming a unit that
does not exist, and the office's sheet password: real workbooks written, filled and read back, on the shared
`database` fixture (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.protection import SheetProtection

from db.indicators import get_indicator, history, list_indicators, record_actual, set_indicator_fields
from db.models import AppState, Milestone
from db.plan_store import find_plan, get_state, set_state
from db.projects import accept_proposal, add_milestone, list_proposals, update_milestone, update_project
from exports.forms import (
    INDICATOR_SHEET,
    MARKER_SHEET,
    MILESTONE_SHEET,
    PASSWORD_STATE,
    form_file_name,
    password_check_value,
    write_forms,
)
from importers.forms import apply_forms, read_forms
from tests.test_forms import fill, row_of
from tui import cli

YEAR = 2024
DEV = "区发展改革委"
STATS = "区统计局"


@pytest.fixture
def shared(database, tmp_path):
    """地区生产总值 is led by both the development commission and statistics, so it is on both forms; each
    unit also leads one indicator of its own. The 2024 forms of the two units are issued."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        views = list_indicators(session, plan_id)
        set_indicator_fields(session, views[0].id, origin="cli", lead_unit=f"{DEV}、{STATS}")
        set_indicator_fields(session, views[1].id, origin="cli", lead_unit=DEV)
        set_indicator_fields(session, views[2].id, origin="cli", lead_unit=STATS)
    folder = tmp_path / "forms"
    written = {f.unit: f.path for f in write_forms(database, plan_id, YEAR, units=[DEV, STATS], output_dir=folder,
                                                   issued_on=date(2025, 1, 10))}
    return {"plan_id": plan_id, "views": views, "folder": folder, "dev": written[DEV], "stats": written[STATS]}


def cell(path: Path, indicator_id: int, column: str) -> tuple[str, str, int]:
    """(sheet, column, row) of an indicator's cell on a form, found by its hidden id."""
    return INDICATOR_SHEET, column, row_of(load_workbook(path)[INDICATOR_SHEET], indicator_id)


def values(database, indicator_id: int) -> dict:
    with database.session() as session:
        return get_indicator(session, indicator_id).values


def stage_of(database, indicator_id: int):
    with database.session() as session:
        record = get_indicator(session, indicator_id).years.get(YEAR)
        return record.stage if record else None


def by_name(review) -> dict:
    return {f.name: f for f in review.files}


def cli_target(database) -> str:
    return str(database.path) if database.path else database.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def run(database, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", cli_target(database))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")

    def invoke(*args, input=None):
        return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)

    return invoke


# ----------------------------------------------------------------------------------------------------------
# 6. Two forms that set the same value differently


def test_two_forms_giving_one_value_differently_are_a_clash_shown_and_neither_is_applied(database, shared):
    views, dev, stats = shared["views"], shared["dev"], shared["stats"]
    gdp = views[0].id
    fill(dev, {cell(dev, gdp, "G"): 1350, cell(dev, gdp, "I"): "快报", cell(dev, views[1].id, "G"): 200})
    fill(stats, {cell(stats, gdp, "G"): 1360, cell(stats, views[2].id, "G"): 50})

    review = read_forms(database, [shared["folder"]])
    forms = by_name(review)
    dev_form, stats_form = forms[dev.name], forms[stats.name]
    # Shown before anything is written: in both files, naming the other file, its row and its value.
    assert [(c.edit.entity_id, c.edit.field, c.new) for c in dev_form.changes] == [(views[1].id, "actual", "200")]
    assert [(c.edit.entity_id, c.edit.field, c.new) for c in stats_form.changes] == [(views[2].id, "actual", "50")]
    dev_clash = next(c for c in dev_form.clashes if c.edit.field == "actual")
    assert dev_clash.text() == (f"地区生产总值 2024年实际值：本表第 {dev_clash.edit.row} 行为 1350 ｜ 「{stats.name}」第 "
                                f"{dev_clash.clashes[0].row} 行为 1360 ｜ guihua 现为 空（填报表之间不一致，都不导入）")
    held = next(c for c in dev_form.clashes if c.edit.field == "stage")  # the stage describes the clashing figure
    assert held.held_by_clash and "同一项的2024年实际值与其他填报表不一致，一并不导入" in held.text()
    [stats_clash] = stats_form.clashes
    assert stats_clash.clash_files == [dev.name] and stats_clash.new == "1360"
    assert not review.conflicts and len(review.clashes) == 3
    assert YEAR not in values(database, gdp)

    # Even told to overwrite conflicts, a clash is not applied; the rest of both files is.
    result = apply_forms(database, review, overwrite_conflicts=True)
    assert YEAR not in values(database, gdp) and stage_of(database, gdp) is None
    assert values(database, views[1].id)[YEAR] == Decimal("200")
    assert values(database, views[2].id)[YEAR] == Decimal("50")
    with database.session() as session:
        assert not [e for e in history(session, gdp) if e.source_file]
    outcomes = {f.name: f for f in result.files}
    assert outcomes[dev.name].text() == (f"已导入「{dev.name}」：1 处修改。跳过与「{stats.name}」不一致 2 处（都不导入）。")
    assert outcomes[stats.name].text() == (f"已导入「{stats.name}」：1 处修改。跳过与「{dev.name}」不一致 1 处（都不导入）。")
    assert len(result.skipped_clashes) == 3


def test_forms_that_agree_bring_the_value_in_once_and_the_second_says_so(database, shared):
    views, dev, stats = shared["views"], shared["dev"], shared["stats"]
    gdp = views[0].id
    fill(dev, {cell(dev, gdp, "G"): 1350})
    fill(stats, {cell(stats, gdp, "G"): "1,350"})  # the same number, written another way
    review = read_forms(database, [dev, stats])
    assert not review.clashes and len(review.changes) == 2
    result = apply_forms(database, review)
    assert values(database, gdp)[YEAR] == Decimal("1350")
    with database.session() as session:
        assert [e.source_file for e in history(session, gdp) if e.source_file] == [dev.name]
    first, second = result.files
    assert first.text() == f"已导入「{dev.name}」：1 处修改。"
    assert second.text() == (f"「{stats.name}」没有写入任何修改。另有 1 处 guihua 中已是表中数值（如已由其他填报表导入），"
                             "无需写入。")


def test_a_clash_beats_a_conflict_and_one_file_imported_alone_settles_it(database, shared):
    views, dev, stats = shared["views"], shared["dev"], shared["stats"]
    gdp = views[0].id
    fill(dev, {cell(dev, gdp, "G"): 1350})
    fill(stats, {cell(stats, gdp, "G"): 1360})
    with database.session() as session:  # meanwhile the office enters a figure itself
        record_actual(session, gdp, YEAR, Decimal("1300"), origin="cli")
    review = read_forms(database, [dev, stats])
    assert not review.conflicts and len(review.clashes) == 2
    result = apply_forms(database, review, overwrite_conflicts=True)
    assert values(database, gdp)[YEAR] == Decimal("1300") and not result.applied
    assert all("不一致 1 处" in f.text() and "没有写入任何修改" in f.text() for f in result.files)

    # The office checks with the units: statistics is right. Its file alone has no clash; it is now a
    # conflict with the 1300 entered meanwhile, overwritten when told to.
    alone = read_forms(database, [stats])
    assert not alone.clashes and len(alone.conflicts) == 1
    apply_forms(database, alone, overwrite_conflicts=True)
    assert values(database, gdp)[YEAR] == Decimal("1360")
    # Applying only some files of a review compares only those.
    both = read_forms(database, [dev, stats])
    assert both.clashes
    apply_forms(database, both, files=[dev], overwrite_conflicts=True)
    assert values(database, gdp)[YEAR] == Decimal("1350")


def test_forms_of_two_years_giving_a_milestone_two_statuses_clash(database, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_TODAY", "2025-02-03")
    with database.session() as session:
        plan_id = find_plan(session, None).id
        project_id = accept_proposal(session, list_proposals(session, plan_id, "project")[0].id, origin="cli")
        update_project(session, project_id, origin="cli", lead_unit=DEV)
        milestone = add_milestone(session, project_id, "主体开工", "2024Q2", origin="cli")
    older = write_forms(database, plan_id, 2023, units=[DEV], output_dir=tmp_path)[0].path
    newer = write_forms(database, plan_id, 2024, units=[DEV], output_dir=tmp_path)[0].path
    fill(older, {(MILESTONE_SHEET, "F", 5): "推进中"})
    fill(newer, {(MILESTONE_SHEET, "F", 5): "已完成", (MILESTONE_SHEET, "G", 5): datetime(2024, 5, 1)})
    review = read_forms(database, [older, newer])
    forms = by_name(review)
    assert [c.edit.field for c in forms[older.name].clashes] == ["status"]
    assert sorted((c.edit.field, c.held_by_clash) for c in forms[newer.name].clashes) == [
        ("done_date", True), ("status", False)]
    apply_forms(database, review)
    with database.session() as session:
        row = session.get(Milestone, milestone)
        assert (row.status, row.done_date) == ("未开始", None)


def test_cli_shows_the_clash_before_confirming_and_every_files_outcome_after(database, shared, run):
    views, dev, stats = shared["views"], shared["dev"], shared["stats"]
    gdp = views[0].id
    fill(dev, {cell(dev, gdp, "G"): 1350, cell(dev, views[1].id, "G"): 200})
    fill(stats, {cell(stats, gdp, "G"): 1360})

    dry = run("import-forms", str(shared["folder"]), "--dry-run")
    assert dry.exit_code == 2
    assert "与其他填报表不一致 1 处" in dry.stdout and f"「{stats.name}」第 5 行为 1360" in dry.stdout
    assert "与其他填报表不一致 2 处（不导入）" in dry.stdout and "给同一项填了不同的数值" in dry.stderr

    declined = run("import-forms", str(shared["folder"]), input="n\n")
    assert "导入以上 1 处修改（与其他填报表不一致的 2 处不导入）？" in declined.output
    confirm_at = declined.output.index("导入以上")
    assert declined.output.index("填报表之间不一致") < confirm_at  # shown before the question

    accepted = run("import-forms", str(shared["folder"]), input="y\n")
    assert accepted.exit_code == 2, accepted.output
    out = accepted.stdout
    assert f"已导入「{dev.name}」：1 处修改。跳过与「{stats.name}」不一致 1 处（都不导入）。" in out
    assert f"「{stats.name}」没有写入任何修改。跳过与「{dev.name}」不一致 1 处（都不导入）。" in out
    assert out.count("跳过：地区生产总值 2024年实际值：本表") == 2
    assert "再单独导入正确的那一份" in accepted.stderr and "Traceback" not in accepted.output
    assert YEAR not in values(database, gdp) and values(database, views[1].id)[YEAR] == Decimal("200")


def plain(renderable) -> str:
    """What a screen shows, as text (rich tables included)."""
    import io

    from rich.console import Console

    console = Console(width=240, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


async def open_review(app, pilot, path):
    """Ctrl+F, the returned forms' path typed into the path box, Enter: the review screen."""
    from tests.helpers import settle
    from tui.actions import FormsReviewScreen, FormsScreen

    await settle(pilot)
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FormsScreen)
    path_box = screen.query_one("#forms-path")
    path_box.value = str(path)
    path_box.focus()
    await pilot.press("enter")
    await settle(pilot)
    review = app.screen
    assert isinstance(review, FormsReviewScreen)
    return screen, review


async def test_tui_review_shows_the_clash_before_confirming_and_each_files_outcome_after(database, shared):
    from tests.helpers import QuietApp, settle
    from tui.actions import FormsScreen

    views, dev, stats = shared["views"], shared["dev"], shared["stats"]
    gdp = views[0].id
    fill(dev, {cell(dev, gdp, "G"): 1350, cell(dev, views[1].id, "G"): 200})
    fill(stats, {cell(stats, gdp, "G"): 1360})
    app = QuietApp(database)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, review = await open_review(app, pilot, shared["folder"])
        assert "工作表保护：无密码" in str(screen.query_one("#forms-protection").content)
        body = plain(review.query_one("#forms-review-body").content)
        assert body.count("与其他填报表不一致 1 处") == 2 and f"「{stats.name}」第 5 行为 1360" in body
        assert f"「{dev.name}」第 5 行为 1350" in body
        summary = str(review.query_one("#forms-review-summary").content)
        assert "可导入 1 处修改" in summary and "与其他填报表不一致 2 处（不导入）" in summary
        await pilot.press("o")  # no conflict to overwrite: the clash is not one
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormsScreen)
        report = str(app.screen.query_one("#forms-result").content)
        assert f"已导入「{dev.name}」：1 处修改。跳过与「{stats.name}」不一致 1 处（都不导入）。" in report
        assert f"「{stats.name}」没有写入任何修改。跳过与「{dev.name}」不一致 1 处（都不导入）。" in report
        assert report.count("跳过：地区生产总值 2024年实际值：本表") == 2 and "再单独导入正确的那一份" in report
        assert "已导入 1 处修改，跳过 2 处。" in [n.message for n in app._notifications]
    assert YEAR not in values(database, gdp) and values(database, views[1].id)[YEAR] == Decimal("200")


# ----------------------------------------------------------------------------------------------------------
# Figures that look like typos (core.plausibility) wait for the office's confirmation, as `set --force` does


def typos(database, shared):
    """The development commission returns 地区生产总值 ten times its 2023 figure (with a stage describing it)
    and a negative 一般公共预算收入."""
    views, dev = shared["views"], shared["dev"]
    gdp, revenue = views[0].id, views[1].id
    with database.session() as session:
        record_actual(session, gdp, YEAR - 1, Decimal("1290"), origin="cli")
    fill(dev, {cell(dev, gdp, "G"): 12900, cell(dev, gdp, "I"): "快报", cell(dev, revenue, "G"): -5})
    return gdp, revenue


def test_doubtful_figures_from_a_form_are_flagged_and_imported_only_when_confirmed(database, shared):
    gdp, revenue = typos(database, shared)
    review = read_forms(database, [shared["dev"]])
    [form] = review.files
    assert not form.refused and not form.changes and not form.conflicts
    doubtful = {(c.edit.entity_id, c.edit.field): c for c in form.doubtful}
    assert set(doubtful) == {(gdp, "actual"), (gdp, "stage"), (revenue, "actual")}
    assert "12900" in doubtful[gdp, "actual"].doubt and "10 倍" in doubtful[gdp, "actual"].doubt
    assert doubtful[gdp, "actual"].text().startswith("地区生产总值 2024年实际值：空 → 12900（第 ")
    assert "是负数" in doubtful[revenue, "actual"].doubt
    assert doubtful[gdp, "stage"].held_by_doubt and "随同一项存疑的2024年实际值，确认后一并导入" in doubtful[gdp, "stage"].text()
    assert review.pending() == [] and len(review.pending(accept_doubtful=True)) == 3

    result = apply_forms(database, review)
    assert result.applied == [] and len(result.skipped_doubtful) == 3
    assert result.files[0].text() == (f"「{form.name}」没有写入任何修改。"
                                      "跳过数值存疑 3 处（可能多打或少打了一位、不应为负数，未确认）。")
    assert YEAR not in values(database, gdp) and YEAR not in values(database, revenue)

    confirmed = apply_forms(database, read_forms(database, [shared["dev"]]), accept_doubtful=True)
    assert len(confirmed.applied) == 3 and not confirmed.skipped_doubtful
    assert values(database, gdp)[YEAR] == Decimal("12900") and stage_of(database, gdp) == "快报"
    assert values(database, revenue)[YEAR] == Decimal("-5")


def test_a_doubtful_conflict_needs_both_overwriting_and_confirming(database, shared):
    gdp, _ = typos(database, shared)
    with database.session() as session:
        record_actual(session, gdp, YEAR, Decimal("1300"), origin="cli")  # changed in guihua after issuing
    review = read_forms(database, [shared["dev"]])
    conflict = next(c for c in review.conflicts if c.edit.field == "actual")
    assert "数值存疑" in conflict.text() and review.doubtful_conflicts == [conflict]
    overwritten = apply_forms(database, review, overwrite_conflicts=True)
    assert conflict.edit in {c.edit for c in overwritten.skipped_doubtful}
    assert values(database, gdp)[YEAR] == Decimal("1300")
    both = apply_forms(database, read_forms(database, [shared["dev"]]), overwrite_conflicts=True,
                       accept_doubtful=True)
    assert [c.new for c in both.applied if (c.edit.entity_id, c.edit.field) == (gdp, "actual")] == ["12900"]
    assert values(database, gdp)[YEAR] == Decimal("12900")


def test_cli_import_forms_refuses_doubtful_figures_without_force(database, shared, run):
    gdp, revenue = typos(database, shared)
    dev = str(shared["dev"])
    plain = run("import-forms", dev, "--yes")
    assert plain.exit_code == 0, plain.output
    assert "数值存疑 3 处（负数，或与前后年份相差 5 倍以上，不导入；核实无误可加 --force 导入）" in plain.stdout
    assert "没有需要导入的修改" in plain.stdout and YEAR not in values(database, gdp)
    forced = run("import-forms", dev, "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert "可导入 3 处修改" in forced.stdout and f"已导入「{shared['dev'].name}」：3 处修改" in forced.stdout
    assert values(database, gdp)[YEAR] == Decimal("12900") and values(database, revenue)[YEAR] == Decimal("-5")


async def test_tui_review_asks_before_importing_doubtful_figures(database, shared):
    from tests.helpers import QuietApp, settle
    from tui.actions import FormsScreen

    gdp, _ = typos(database, shared)
    app = QuietApp(database)
    async with app.run_test(size=(120, 36)) as pilot:
        _, review = await open_review(app, pilot, shared["dev"])
        assert "数值存疑 3 处" in plain(review.query_one("#forms-review-body").content)
        summary = str(review.query_one("#forms-review-summary").content)
        assert "可导入 0 处修改" in summary and "数值存疑 3 处（跳过，核实无误按 F 导入）" in summary
        await pilot.press("f")
        summary = str(review.query_one("#forms-review-summary").content)
        assert "可导入 3 处修改" in summary and "将导入，按 F 改为跳过" in summary
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormsScreen)
    assert values(database, gdp)[YEAR] == Decimal("12900")


# ----------------------------------------------------------------------------------------------------------
# 8. What a row shows must agree with its hidden id; the form's unit must exist


def test_an_edited_hidden_id_is_refused_naming_the_cell_and_nothing_is_written(database, shared):
    views, dev = shared["views"], shared["dev"]
    other = views[11]  # 常住人口城镇化率: on no form of this import, and another unit of measure
    assert other.unit != views[0].unit
    workbook = load_workbook(dev)
    sheet = workbook[INDICATOR_SHEET]
    gdp_row = row_of(sheet, views[0].id)
    sheet[f"J{gdp_row}"] = other.id  # the hidden id now points at another indicator
    sheet[f"G{gdp_row}"] = 1350
    workbook.save(dev)
    [form] = read_forms(database, [dev]).files
    assert form.refused and len(form.problems) == 1
    assert form.problems[0].text() == (
        f"{dev.name}「指标填报」第 {gdp_row} 行“指标”列（B列）：隐藏的编号对应指标“{other.name}”，与本行显示的"
        "“地区生产总值”不符（编号或名称被改动），本行无法导入。请使用原表填写。")

    # The name made to agree as well: the unit still shows the row is not that indicator.
    sheet[f"B{gdp_row}"] = other.name
    workbook.save(dev)
    [form] = read_forms(database, [dev]).files
    [problem] = form.problems
    assert problem.column == "“单位”列（C列）" and f"本行显示的单位“{views[0].unit}”" in problem.message
    apply_forms(database, read_forms(database, [dev]))
    assert YEAR not in values(database, other.id) and YEAR not in values(database, views[0].id)


def test_a_name_or_unit_changed_in_guihua_after_issuing_still_matches(database, shared):
    views, dev = shared["views"], shared["dev"]
    with database.session() as session:
        set_indicator_fields(session, views[0].id, origin="cli", unit="万元")  # corrected after the forms went out
    fill(dev, {cell(dev, views[0].id, "G"): 13500000})
    review = read_forms(database, [dev])
    # the row matches; its figure, 10,000 times the earlier ones recorded in 亿元, waits for confirmation
    assert not review.refused and not review.changes and len(review.doubtful) == 1
    apply_forms(database, review, accept_doubtful=True)
    assert values(database, views[0].id)[YEAR] == Decimal("13500000")


def test_milestone_rows_check_project_and_milestone_names(database, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_TODAY", "2025-02-03")
    with database.session() as session:
        plan_id = find_plan(session, None).id
        proposals = list_proposals(session, plan_id, "project")
        first = accept_proposal(session, proposals[0].id, origin="cli")
        second = accept_proposal(session, proposals[1].id, origin="cli")
        update_project(session, first, origin="cli", lead_unit=DEV)
        update_project(session, second, origin="cli", lead_unit=STATS)
        a = add_milestone(session, first, "完成可行性研究", "2023-06", origin="cli")
        b = add_milestone(session, first, "主体开工", "2024Q2", origin="cli")
        c = add_milestone(session, second, "竣工验收", "2025", origin="cli")  # on the statistics form
    path = write_forms(database, plan_id, YEAR, units=[DEV], output_dir=tmp_path)[0].path
    # Renamed in guihua after issuing: still the same milestone.
    with database.session() as session:
        update_milestone(session, b, origin="cli", title="主体工程开工")
    fill(path, {(MILESTONE_SHEET, "F", 6): "推进中"})  # row 6: the second milestone, under a merged project cell
    review = read_forms(database, [path])
    assert not review.refused and [ch.edit.entity_id for ch in review.changes] == [b]

    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    assert "B5:B6" in {str(r) for r in sheet.merged_cells.ranges}
    sheet["I6"] = c  # the hidden id of another project's milestone
    workbook.save(path)
    [form] = read_forms(database, [path]).files
    [problem] = form.problems
    assert problem.row == 6 and problem.column == "“项目”列（B列）" and "竣工验收" in problem.message
    apply_forms(database, read_forms(database, [path]))
    with database.session() as session:
        assert session.get(Milestone, c).status == "未开始" and session.get(Milestone, a).status == "未开始"


def test_a_form_naming_a_unit_that_does_not_exist_or_another_unit_is_refused(database, shared):
    dev, stats = shared["dev"], shared["stats"]
    fill(dev, {cell(dev, shared["views"][1].id, "G"): 200})
    workbook = load_workbook(dev)
    marker = workbook[MARKER_SHEET]
    unit_row = next(r for r in range(1, 20) if marker.cell(row=r, column=1).value == "unit")
    marker.cell(row=unit_row, column=2).value = "区不存在局"
    workbook.save(dev)
    [form] = read_forms(database, [dev]).files
    assert form.refused and "填报单位“区不存在局”在 guihua 中不存在" in form.problems[0].message

    # An existing unit, but not the one the sheets show.
    marker.cell(row=unit_row, column=2).value = STATS
    workbook.save(dev)
    [form] = read_forms(database, [dev]).files
    assert form.refused and form.problems[0].row == 3 and form.problems[0].column == "（A列）"
    assert f"表上的“填报单位（盖章）：{DEV}”与隐藏的填报表标记（{STATS}）不符" in form.problems[0].message
    apply_forms(database, read_forms(database, [dev]))
    assert YEAR not in values(database, shared["views"][1].id)


def test_a_lead_unit_not_on_the_unit_list_still_imports(database, tmp_path):
    with database.session() as session:
        plan_id = find_plan(session, None).id
        view = list_indicators(session, plan_id)[3]
        from sqlalchemy import text  # old free text from before units were checked (see guihua units --tidy)

        session.execute(text("UPDATE indicator SET lead_unit = '区新设管委会' WHERE id = :i"), {"i": view.id})
        session.commit()
    [form] = write_forms(database, plan_id, YEAR, units=["区新设管委会"], output_dir=tmp_path)
    fill(form.path, {(INDICATOR_SHEET, "G", 5): 12})
    review = read_forms(database, [form.path])
    assert not review.refused and len(review.changes) == 1


# ----------------------------------------------------------------------------------------------------------
# The sheet password


def protections(path: Path):
    workbook = load_workbook(path)
    return workbook, [workbook[name].protection for name in workbook.sheetnames]


def test_forms_are_protected_with_the_offices_password_and_only_its_check_value_is_kept(database, shared, run, tmp_path):
    folder = tmp_path / "有密码"
    result = run("forms", "--year", "2024", "--unit", DEV, "--output", str(folder), "--password", "Gh#2024")
    assert result.exit_code == 0, result.output
    assert "工作表保护：已设密码，并已记住" in result.stdout and "Gh#2024" not in result.output
    from tui.actions import _protection_hint

    assert _protection_hint(database).startswith("工作表保护：使用已设的密码")  # what the TUI's Ctrl+F says
    check = password_check_value("Gh#2024")
    workbook, sheets = protections(folder / form_file_name(YEAR, DEV))
    assert all(p.sheet and p.password == check for p in sheets)
    assert workbook.security.lockStructure and workbook.security.workbookPassword == check
    notes = "".join(str(c.value or "") for row in workbook[INDICATOR_SHEET].iter_rows() for c in row)
    assert "本表已设工作表保护，仅为防止误改" in notes and "无密码" not in notes
    with database.session() as session:
        assert get_state(session, PASSWORD_STATE) == check
        assert not [s for s in session.exec(__import__("sqlmodel").select(AppState)) if "Gh#2024" in s.value]

    # Remembered: the next forms (the TUI's too) get it without the option.
    again = run("forms", "--year", "2024", "--unit", DEV, "--output", str(tmp_path / "再次"))
    assert "使用已记住的密码" in again.stdout
    assert all(p.password == check for p in protections(tmp_path / "再次" / form_file_name(YEAR, DEV))[1])

    # --no-password: still protected against slips, without a password, and forgotten.
    plain = run("forms", "--year", "2024", "--unit", DEV, "--output", str(tmp_path / "无密码"), "--no-password")
    assert plain.exit_code == 0 and "工作表保护：无密码" in plain.stdout
    workbook, sheets = protections(tmp_path / "无密码" / form_file_name(YEAR, DEV))
    assert all(p.sheet and not p.password for p in sheets) and not workbook.security.workbookPassword
    with database.session() as session:
        assert not get_state(session, PASSWORD_STATE)


@pytest.mark.parametrize("args, message", [
    (("--password", ""), "工作表保护密码不能为空"),
    (("--password", "   "), "工作表保护密码不能为空"),
    (("--password", "规划办密码"), "只能用英文字母、数字和英文符号，最多 15 个字符"),
    (("--password", "x" * 16), "最多 15 个字符"),
    (("--password", "abc", "--no-password"), "只能选一个"),
])
def test_bad_passwords_are_refused_and_nothing_is_written(database, run, tmp_path, args, message):
    result = run("forms", "--year", "2024", "--output", str(tmp_path / "out"), *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    with database.session() as session:
        assert not get_state(session, PASSWORD_STATE)


def test_a_damaged_stored_password_setting_is_said_not_ignored(database, run, tmp_path):
    with database.session() as session:
        set_state(session, PASSWORD_STATE, "not a check value")
    result = run("forms", "--year", "2024", "--output", str(tmp_path / "out"))
    assert result.exit_code == 2 and "保存的填报表密码设置已损坏" in result.stderr
    assert run("forms", "--year", "2024", "--output", str(tmp_path / "out"), "--no-password").exit_code == 0


def test_the_importer_never_relies_on_the_protection(database, shared, tmp_path):
    """Protection lifted (any tool can): white cells still import, a changed grey cell is still caught."""
    views, dev = shared["views"], shared["dev"]
    protected = write_forms(database, shared["plan_id"], YEAR, units=[DEV], output_dir=tmp_path / "p",
                            password="secret1")[0].path
    workbook = load_workbook(protected)
    assert workbook[INDICATOR_SHEET].protection.password == password_check_value("secret1")
    for name in workbook.sheetnames:
        workbook[name].protection = SheetProtection()
    workbook.security = WorkbookProtection()
    sheet = workbook[INDICATOR_SHEET]
    sheet[f"G{row_of(sheet, views[1].id)}"] = 200
    workbook.save(protected)
    assert not load_workbook(protected)[INDICATOR_SHEET].protection.sheet
    review = read_forms(database, [protected])
    assert not review.refused and [c.new for c in review.changes] == ["200"]

    sheet[f"B{row_of(sheet, views[1].id)}"] = "地区生产总值"  # a locked cell, changed once unprotected
    workbook.save(protected)
    [form] = read_forms(database, [protected]).files
    assert form.refused and form.problems[0].column == "“指标”列（B列）"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_password_protected_form_saved_again_by_libreoffice_keeps_its_password_and_imports(database, shared, tmp_path):
    import subprocess

    views = shared["views"]
    path = write_forms(database, shared["plan_id"], YEAR, units=[DEV], output_dir=tmp_path / "p",
                       password="Gh2024")[0].path
    fill(path, {cell(path, views[1].id, "G"): 200})
    fill_keeps = load_workbook(path)[INDICATOR_SHEET].protection
    assert fill_keeps.password == password_check_value("Gh2024")
    out = tmp_path / "saved"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    saved = out / path.name
    sheet = load_workbook(saved)[INDICATOR_SHEET]
    assert sheet.protection.sheet and (sheet.protection.password or sheet.protection.hashValue)
    review = read_forms(database, [saved])
    assert not review.refused, [p.text() for p in review.problems]
    assert [c.new for c in review.changes] == ["200"]


def test_every_row_of_the_errors_document_section_names_tests_that_exist():
    """docs/errors.md lists these messages with the tests that trigger them: the names must stay true."""
    import importlib
    import re

    document = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_[a-z_]+)\.py::(test_\w+)`", document)
    assert len(named) >= 10
    for module, test in named:
        assert hasattr(importlib.import_module(f"tests.{module}"), test), f"{module}.py::{test}"
