"""Export (Ctrl+E), fill-in forms (Ctrl+F) and backups (palette 「备份与恢复」) from the TUI, driven by keys."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db.backup import list_backups
from db.indicators import get_indicator, list_indicators, record_actual
from db.plan_store import find_plan, set_state
from exports.forms import INDICATOR_SHEET
from tests.helpers import QuietApp, settle
from tui.actions import BackupScreen, FormsReviewScreen, FormsScreen
from tui.forms import ConfirmScreen
from tui.help import HelpScreen

SIZE = (120, 36)
YEAR = 2024


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def plan_and_views(database):
    with database.session() as session:
        plan_id = find_plan(session, None).id
        return plan_id, list_indicators(session, plan_id)


def value_of(database, indicator_id: int, year: int = YEAR):
    with database.session() as session:
        return get_indicator(session, indicator_id).values.get(year)


async def test_ctrl_e_exports_from_the_reader_and_from_the_grid(database, tmp_path):
    reader_folder, grid_folder = tmp_path / "from-reader", tmp_path / "from-grid"
    with database.session() as session:
        set_state(session, "export.folder", str(reader_folder))
        session.commit()
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        written = list(reader_folder.glob("*.xlsx"))
        assert len(written) == 1, messages(app)
        assert load_workbook(written[0]).sheetnames  # a real workbook
        assert f"已导出到：{written[0]}" in messages(app)

        with database.session() as session:
            set_state(session, "export.folder", str(grid_folder))
            session.commit()
        await pilot.press("f3")
        await settle(pilot)
        assert app.current_mode == "grid"
        await pilot.press("ctrl+e")
        await settle(pilot)
        written = list(grid_folder.glob("*.xlsx"))
        assert len(written) == 1, messages(app)
        assert f"已导出到：{written[0]}" in messages(app)
        # the key is in the grid's help
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Ctrl+E" in str(app.screen.sections)


async def test_export_error_is_a_notification_not_a_traceback(database, tmp_path):
    with database.session() as session:
        set_state(session, "export.template", str(tmp_path / "没有这个模板.xlsx"))
        session.commit()
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "Traceback" not in errors[0].message
        assert app.is_running


def fill(path: Path, values: dict[int, object]) -> None:
    """Fill 2024年实际值 (column G) of indicators by id (column J), as a department's Excel would."""
    workbook = load_workbook(path)
    sheet = workbook[INDICATOR_SHEET]
    rows = {sheet.cell(row=r, column=10).value: r for r in range(5, sheet.max_row + 1)}
    for indicator_id, value in values.items():
        sheet[f"G{rows[indicator_id]}"] = value
    workbook.save(path)


@pytest.mark.sqlite_only
async def test_forms_issue_and_import_round_trip_through_keys(database, tmp_path):
    plan_id, views = plan_and_views(database)
    first, second = views[0].id, views[1].id
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FormsScreen)
        screen.query_one("#forms-year").value = ""
        await pilot.press(*str(YEAR), "enter")
        await settle(pilot)
        folder = tmp_path / "填报表"  # beside the database, as the CLI's default
        issued = sorted(folder.glob("*.xlsx"))
        assert issued, str(screen.query_one("#forms-result").render())
        result = str(screen.query_one("#forms-result").render())
        assert issued[0].name in result and f"共 {len(issued)} 个文件" in result

        # A department fills two figures; meanwhile guihua got another figure for the second indicator.
        form = next(p for p in issued if "未定牵头单位" in p.name)
        fill(form, {first: 1023.4, second: 110})
        with database.session() as session:
            record_actual(session, second, YEAR, Decimal("105"), origin="cli")

        await pilot.press("tab", "enter")  # the path box holds the forms folder already
        await settle(pilot)
        review = app.screen
        assert isinstance(review, FormsReviewScreen)
        assert len(review.review.changes) == 1 and len(review.review.conflicts) == 1
        summary = str(review.query_one("#forms-review-summary").render())
        assert "可导入 1 处修改" in summary and "冲突 1 处" in summary
        await pilot.press("enter")  # conflicts are skipped by default
        await settle(pilot)
        assert isinstance(app.screen, FormsScreen)
        assert value_of(database, first) == Decimal("1023.4")
        assert value_of(database, second) == Decimal("105")
        assert any(b.reason == "import" for b in list_backups(database))

        # Again, this time overwriting the conflict with O.
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, FormsReviewScreen) and len(review.review.conflicts) == 1
        await pilot.press("o")
        await pilot.pause()
        assert "将覆盖" in str(review.query_one("#forms-review-summary").render())
        await pilot.press("question_mark")  # the review's own keys
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and "覆盖" in str(app.screen.sections)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert value_of(database, second) == Decimal("110")
        # Escape cancels a review, and closes the forms screen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormsReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FormsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FormsScreen)


@pytest.mark.sqlite_only
async def test_backup_then_restore_through_keys(database, capsys):
    plan_id, views = plan_and_views(database)
    indicator = views[0].id
    with database.session() as session:
        record_actual(session, indicator, YEAR, Decimal("1000"), origin="cli")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"备份与恢复")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BackupScreen)
        await pilot.press("b")
        await pilot.pause()
        backups = list_backups(database)
        assert [b.reason for b in backups] == ["manual"]
        assert screen.query_one("#backups-table").row_count == 1

        with database.session() as session:  # a change made after the backup
            record_actual(session, indicator, YEAR, Decimal("2000"), origin="cli")
        assert value_of(database, indicator) == Decimal("2000")

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "恢复前会自动备份当前数据库" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert "请重新打开 guihua" in capsys.readouterr().err  # printed after the app closes
    assert value_of(database, indicator) == Decimal("1000")
    assert {b.reason for b in list_backups(database)} == {"manual", "restore"}


@pytest.mark.sqlite_only
async def test_restore_can_be_declined(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_backups()
        await pilot.pause()
        await pilot.press("b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BackupScreen) and app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BackupScreen)


@pytest.mark.sqlite_only
async def test_server_database_backups_point_to_pg_dump(database):
    server = dataclasses.replace(database, path=None)  # as a PostgreSQL database looks to the TUI
    app = QuietApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_backups()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BackupScreen)
        assert "pg_dump" in str(screen.query_one("#backups-info").render())
        await pilot.press("b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BackupScreen) and app.is_running
