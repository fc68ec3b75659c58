"""Control characters in stored text (core.text_hygiene): cleaned at every write every front end shares, again in
every export, never sent raw to a terminal; full disks while exporting; CSV cells that could run as formulas."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import text

from core.text_hygiene import clean_plan_text, clean_text, first_refused, is_clean, printable_for_terminal
from db.indicators import find_indicator, get_indicator, history, record_actual, set_indicator_fields
from db.plan_store import find_plan
from tui import cli

NASTY = "甲\x02乙\x0b丙\x1b[31m丁\x07戊\x7f己\x9b庚\ufffe辛"


# ----------------------------------------------------------------------------------------------------------
# The rule


def test_one_line_fields_lose_controls_and_turn_breaks_into_spaces():
    assert clean_text(NASTY) == "甲乙 丙[31m丁戊己庚辛"
    assert clean_text("名称\t有\r\n换行") == "名称 有 换行"
    assert clean_text(None) == "" and clean_text("") == ""
    assert clean_text("地区生产总值（亿元）") == "地区生产总值（亿元）"


def test_notes_keep_lines_and_tabs():
    assert clean_text("第一行\r\n第二行\r第三行\x0b第四行\u2028第五\t列", multiline=True) == \
        "第一行\n第二行\n第三行\n第四行\n第五\t列"
    assert clean_text("坏\x00字\x1f符\udcff", multiline=True) == "坏字符"
    assert is_clean("正常\n文字", multiline=True) and not is_clean("正常\n文字")


def test_plan_text_keeps_its_lines():
    raw = "第一章 总则\r\n\x0c第二章\x02 发展\n  正文\t一\x0b\n"
    assert clean_plan_text(raw) == "第一章 总则\r\n第二章 发展\n  正文\t一\n"
    assert clean_plan_text(raw).splitlines() == raw.replace("\x0c", "").replace("\x0b", "").replace("\x02", "").splitlines()


def test_terminal_output_shows_controls_instead_of_running_them():
    shown = printable_for_terminal("名\x1b[2J称\x07\r覆盖\x9b\udcff\n下一行\t列")
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown and "\x9b" not in shown
    assert shown == "名␛[2J称␇␍覆盖\\x9b\\xff\n下一行\t列"
    shown.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogates left
    assert printable_for_terminal("普通文字") == "普通文字"


def test_first_refused_names_the_character():
    assert first_refused("备注\x1b") == "\x1b"
    assert first_refused("多行\n备注\t可以") is None
    assert first_refused("多行\n备注", allow_newlines=False) == "\n"
    assert first_refused("\udcff") == "\udcff"


# ----------------------------------------------------------------------------------------------------------
# The db write operations every front end shares


def test_indicator_values_and_fields_are_stored_clean(database):
    with database.session() as session:
        gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值")
        record_actual(session, gdp.id, 2021, Decimal("1000"), note="快报\x1b[31m数\x07\n第二行", source="统计局\x02",
                      origin="cli")
        set_indicator_fields(session, gdp.id, origin="cli", leader="张\x0b三", target_text="力争\x021500")
        view = get_indicator(session, gdp.id)
        year = view.years[2021]
        assert year.note == "快报[31m数\n第二行" and year.source == "统计局"
        assert view.leader == "张\n三" and view.target_text == "力争1500"
        assert all(is_clean(e.new or "", multiline=True) for e in history(session, gdp.id))


def test_projects_milestones_and_units_are_stored_clean(database):
    from db.projects import add_milestone, add_project, add_unit, list_projects, update_milestone, update_project

    with database.session() as session:
        plan_id = find_plan(session, None).id
        project_id = add_project(session, plan_id, "新建\x1b]0;标题\x07医院", origin="cli", note="备注\x02\n第二行")
        update_project(session, project_id, origin="cli", category="社会\x0c事业")
        milestone_id = add_milestone(session, project_id, "开工\x08", "2024", origin="cli", note="说\x7f明")
        update_milestone(session, milestone_id, origin="cli", title="竣工\x1b")
        unit = add_unit(session, "区\x02数据局", short_name="数据\x07局")
        project = next(p for p in list_projects(session, plan_id) if p.id == project_id)
    assert project.title == "新建]0;标题医院" and project.note == "备注\n第二行" and project.category == "社会 事业"
    assert project.milestones[0].title == "竣工" and project.milestones[0].note == "说明"
    assert unit.name == "区数据局" and unit.short_name == "数据局"


def test_a_catalogue_with_control_characters_imports_clean(database, tmp_path):
    from importers.catalogue import import_catalogue_file

    path = tmp_path / "目录.csv"
    path.write_text("类别,指标,单位,2025年目标,牵头单位\n经济,数字\x02经济\x1b[1m占比,%,10\x0b,区发展改革委\x07\n",
                    encoding="utf-8")
    with database.session() as session:
        plan_id = find_plan(session, None).id
    import_catalogue_file(database, plan_id, path)
    with database.session() as session:
        view = find_indicator(session, plan_id, "数字经济[1m占比")
    assert view.target_text == "10" and view.lead_unit == "区发展改革委"


# ----------------------------------------------------------------------------------------------------------
# Plan import


def test_a_plan_text_file_with_control_characters_imports_clean(database, seed_text):
    from importers.plan import import_plan_text

    dirty = seed_text.replace("总体要求", "总体\x02要求", 1).replace("\n", "\x0c\n", 50)
    result = import_plan_text(database, dirty.encode("utf-8"), source_name="带控制字符.txt", name="测试")
    with database.session() as session:
        rows = session.execute(text("SELECT text FROM plan_block WHERE plan_id = :p"), {"p": result.plan_id}).all()
    assert rows and all(is_clean(r[0], multiline=True) for r in rows)
    assert any("总体要求" in r[0] for r in rows)


def test_nul_bytes_anywhere_in_a_plan_text_are_refused(database, seed_text):
    from core.errors import UserInputError
    from importers.plan import import_plan_text

    data = seed_text.encode("utf-8")
    at = data.index(b"\n", 20000) + 1  # well past the first 8 KB, where a binary file shows itself
    late = data[:at] + b"\x00" + data[at:]
    with pytest.raises(UserInputError) as refused:
        import_plan_text(database, late, source_name="规划.txt")
    assert "含有空字符（NUL）" in refused.value.message and "没有导入任何内容" in refused.value.message
    line = data[:at].count(b"\n") + 1
    assert f"第 {line} 行" in refused.value.message


# ----------------------------------------------------------------------------------------------------------
# Exports: the last line of defence


def _store_raw(database, sql: str, **params) -> None:
    """Text an older guihua stored before the rule, written around the db operations."""
    with database.engine.begin() as connection:
        connection.execute(text(sql), params)


@pytest.fixture
def dirty(database):
    """A database where an indicator's name, note and unit and a project's title hold control characters."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        gdp = find_indicator(session, plan_id, "地区生产总值")
        record_actual(session, gdp.id, 2021, Decimal("1000"), origin="cli")
    _store_raw(database, "UPDATE indicator SET name = :n, unit = :u, lead_unit = :l WHERE id = :i",
               n="地区\x02生产\x1b总值", u="亿\x0b元", l="区发展改革委", i=gdp.id)
    _store_raw(database, "UPDATE indicator_year SET note = :n WHERE indicator_id = :i", n="备\x07注", i=gdp.id)
    return database


def test_the_meeting_pack_and_forms_are_written_from_dirty_text(dirty, tmp_path):
    from exports.forms import write_forms
    from exports.meeting_pack import write_pack

    with dirty.session() as session:
        plan_id = find_plan(session, None).id
    pack = write_pack(dirty, plan_id, output=tmp_path / "pack.xlsx")
    values = [c for row in load_workbook(pack.path).worksheets[0].iter_rows(values_only=True) for c in row]
    assert "地区生产总值" in values
    forms = write_forms(dirty, plan_id, 2021, output_dir=tmp_path / "forms")
    assert forms and all(load_workbook(f.path).sheetnames for f in forms)


def test_the_catalogue_exports_from_dirty_text(dirty, tmp_path):
    from exports.catalogue import export_catalogue_file

    with dirty.session() as session:
        plan_id = find_plan(session, None).id
    for name in ("目录.xlsx", "目录.csv"):
        export_catalogue_file(dirty, plan_id, tmp_path / name)
    assert "地区生产总值" in (tmp_path / "目录.csv").read_text(encoding="utf-8-sig")
    names = [row[1] for row in load_workbook(tmp_path / "目录.xlsx").active.iter_rows(values_only=True)]
    assert "地区生产总值" in names


def test_a_text_that_still_cannot_be_written_is_named(dirty, tmp_path, monkeypatch):
    """A cell written some other way than set_text: openpyxl's refusal becomes a message naming the text."""
    from core.errors import UserInputError
    from exports.meeting_pack import write_pack

    def raw(cell, value):
        cell.value = "" if value is None else str(value)

    monkeypatch.setattr("exports.sheet_style.set_text", raw)
    with dirty.session() as session:
        plan_id = find_plan(session, None).id
    out = tmp_path / "out"
    with pytest.raises(UserInputError) as error:
        write_pack(dirty, plan_id, output=out / "pack.xlsx")
    assert "导出会议监测表没有完成" in error.value.message and "地区␂生产␛总值" in error.value.message
    assert not out.exists()


async def test_ctrl_e_exports_dirty_text(dirty, tmp_path):
    from db.plan_store import set_state
    from tests.test_tui_actions import QuietApp, messages, settle

    with dirty.session() as session:
        set_state(session, "export.folder", str(tmp_path / "导出"))
        session.commit()
    app = QuietApp(dirty)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        written = list((tmp_path / "导出").glob("*.xlsx"))
        assert len(written) == 1, messages(app)
        assert not [n for n in app._notifications if n.severity == "error"]


# ----------------------------------------------------------------------------------------------------------
# CSV cells that could run as formulas


def test_csv_export_escapes_formula_like_text_and_imports_it_back(database, tmp_path):
    from exports.catalogue import csv_safe, export_catalogue_file
    from importers.catalogue import import_catalogue_file

    assert csv_safe("=cmd|'/c calc'!A1") == "'=cmd|'/c calc'!A1"
    assert csv_safe("-3.5") == "-3.5" and csv_safe("-2%") == "-2%" and csv_safe("+@SUM(A1)") == "'+@SUM(A1)"
    with database.session() as session:
        plan_id = find_plan(session, None).id
        gdp = find_indicator(session, plan_id, "地区生产总值").id
        from db.projects import add_unit

        add_unit(session, "@区发展改革委")  # units come from the list: a formula-like one is on it
        set_indicator_fields(session, gdp, origin="cli", leader="=cmd|'/c calc'!A1", growth_text="-2%左右",
                             lead_unit="@区发展改革委")
    path = tmp_path / "目录.csv"
    export_catalogue_file(database, plan_id, path)
    written = path.read_text(encoding="utf-8-sig")
    assert "'=cmd|'/c calc'!A1" in written and "'-2%左右" in written and "'@区发展改革委" in written
    assert ",=cmd" not in written and ",-2%左右" not in written
    result = import_catalogue_file(database, plan_id, path).result
    assert result.updated == 0  # the export imports back unchanged
    with database.session() as session:
        view = get_indicator(session, gdp)
    assert (view.leader, view.growth_text, view.lead_unit) == ("=cmd|'/c calc'!A1", "-2%左右", "@区发展改革委")


def test_cli_export_catalogue_csv_is_escaped(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "g.sqlite3"))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["set", "地区生产总值", "2021", "1000", "--note", "x"]).exit_code == 0
    from db.engine import open_database

    database = open_database(tmp_path / "g.sqlite3")
    try:
        with database.session() as session:
            gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值").id
            set_indicator_fields(session, gdp, origin="cli", leader="=cmd|'/c calc'!A1")
    finally:
        database.dispose()
    result = runner.invoke(cli.main, ["export-catalogue", str(tmp_path / "x.csv")])
    assert result.exit_code == 0, result.output
    assert "'=cmd|'/c calc'!A1" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")


# ----------------------------------------------------------------------------------------------------------
# Stored text on the terminal


@pytest.mark.sqlite_only  # drives the CLI on the database file itself
def test_projects_history_and_others_never_print_raw_controls(dirty, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(dirty.path))
    dirty.dispose()
    from db.engine import open_database

    database = open_database(dirty.path)
    try:
        from db.projects import add_project

        with database.session() as session:
            plan_id = find_plan(session, None).id
            add_project(session, plan_id, "医院", origin="cli")
        _store_raw(database, "UPDATE project SET title = :t, stage = :s WHERE title = '医院'",
                   t="医\x1b[2J院\x07", s="在建\x9b")
        _store_raw(database, "UPDATE plan SET name = :n", n="规划\x1b]0;x\x07")
    finally:
        database.dispose()
    runner = CliRunner()
    outputs = []
    for args in (["projects"], ["projects", "--json"], ["history", "1"], ["indicators"], ["indicators", "--json"],
                 ["plans"], ["plans", "--json"], ["targets"], ["units"], ["milestones", "医"]):
        result = runner.invoke(cli.main, args, color=True)
        assert result.exit_code in (0, 1), (args, result.output)
        outputs.append(result.output)
    everything = "\n".join(outputs)
    for control in ("\x1b[2J", "\x1b]0;", "\x07", "\x9b", "\x02", "\x0b"):
        assert control not in everything
    assert "医␛[2J院␇" in everything and "地区␂生产␛总值" in everything


# ----------------------------------------------------------------------------------------------------------
# Full disk while exporting: a Chinese message only, no temporary file left


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["os.fsync", "os.replace"])
@pytest.mark.parametrize("command", [
    ["export", "-o", "{dir}/监测表.xlsx"],
    ["export-catalogue", "{dir}/目录.xlsx"],
    ["export-catalogue", "{dir}/目录.csv"],
    ["forms", "--year", "2021", "--output", "{dir}"],
    ["export-template", "{dir}/模板.xlsx"],
])
def test_full_disk_while_exporting_leaves_nothing_behind(tmp_path, monkeypatch, command, where):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "g.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()
    assert runner.invoke(cli.main, ["plans"]).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(where, _no_space)
    result = runner.invoke(cli.main, [part.format(dir=out) for part in command])
    assert result.exit_code in (2, 4), result.output
    assert result.stderr.startswith("错误：") and ("磁盘空间不足" in result.stderr or "磁盘已满" in result.stderr)
    assert "Traceback" not in result.output and "Exception ignored" not in result.output
    assert not list(out.iterdir())


def _can_mount_tmpfs() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None and shutil.which("umount") is not None


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 2 MB tmpfs (root only), unmounted after the test."""
    if not _can_mount_tmpfs():
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    """Write until the disk is full, to the last byte."""
    for name, chunk in (("fill", 65536), ("fill2", 512), ("fill3", 1)):
        try:
            with open(folder / name, "wb", buffering=0) as handle:
                while True:
                    handle.write(b"\0" * chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_really_full_disk(tiny_disk, tmp_path, monkeypatch):
    """Exports onto a full disk and read commands on a database whose disk is full, for real."""
    subprocess_env = {**os.environ, "GUIHUA_DB": str(tmp_path / "elsewhere.sqlite3")}
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()
    assert runner.invoke(cli.main, ["--db", str(tiny_disk / "g.sqlite3"), "plans"]).exit_code == 0
    assert runner.invoke(cli.main, ["--db", subprocess_env["GUIHUA_DB"], "plans"]).exit_code == 0
    _fill(tiny_disk)
    before = set(tiny_disk.iterdir())
    for command in (["export", "-o", str(tiny_disk / "x.xlsx")], ["export-catalogue", str(tiny_disk / "x.csv")],
                    ["export-catalogue", str(tiny_disk / "x.xlsx")], ["export-template", str(tiny_disk / "t.xlsx")]):
        # A real process: the zip file openpyxl left unclosed used to print its traceback at exit.
        done = subprocess.run([sys.executable, "-m", "tui.cli", *command], env=subprocess_env,
                              capture_output=True, text=True, cwd=Path(cli.__file__).parents[1])
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.startswith("错误：磁盘空间不足") and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert set(tiny_disk.iterdir()) == before  # no .tmp file, no half-written workbook
    for command in (["plans"], ["indicators"], ["projects"]):
        result = runner.invoke(cli.main, ["--db", str(tiny_disk / "g.sqlite3"), *command])
        assert result.exit_code == 4, (command, result.output)
        assert result.stderr.startswith("错误：磁盘已满") and "disk I/O" not in result.stderr
