"""One test per message in docs/errors.md: each known failure is triggered for real (or, where this machine
cannot produce it, by making SQLite or the OS report it) and must give its Chinese message and exit code."""

from __future__ import annotations

import sqlite3
import time

import pytest
from click.testing import CliRunner

from tui import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "g.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli.main, list(args), catch_exceptions=False)

    return invoke


def test_E01_database_locked_by_another_guihua(run, tmp_path):
    assert run("plans").exit_code == 0
    holder = sqlite3.connect(tmp_path / "g.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another guihua in the middle of writing
    try:
        started = time.monotonic()
        result = run("set", "地区生产总值", "2021", "1000")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 4 and "数据库正被另一个 guihua 使用" in result.stderr
    assert time.monotonic() - started >= 4  # it waited for the busy timeout first
    assert "Traceback" not in result.output


def test_E02_corrupt_database(run, tmp_path):
    assert run("plans").exit_code == 0
    path = tmp_path / "g.sqlite3"
    data = bytearray(path.read_bytes())
    data[100:4096 * 3] = b"\x00\xff" * ((4096 * 3 - 100) // 2)
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"g.sqlite3{suffix}").unlink(missing_ok=True)
    result = run("plans")
    assert result.exit_code == 4 and "已损坏" in result.stderr


def test_E03_not_a_database_at_all(run, tmp_path):
    (tmp_path / "g.sqlite3").write_text("类别,指标\n", encoding="utf-8")
    result = run("plans")
    assert result.exit_code == 4 and "不是 guihua 数据库（也不是 SQLite 数据库）" in result.stderr


def test_E04_another_programs_sqlite_database_is_not_touched(run, tmp_path):
    other = sqlite3.connect(tmp_path / "g.sqlite3")
    other.execute("CREATE TABLE customers (id INTEGER)")
    other.commit()
    other.close()
    result = run("plans")
    assert result.exit_code == 4 and "别的程序的数据库" in result.stderr
    tables = {r[0] for r in sqlite3.connect(tmp_path / "g.sqlite3").execute("SELECT name FROM sqlite_master")}
    assert tables == {"customers"}


def test_E05_database_from_a_newer_guihua(run, tmp_path):
    assert run("plans").exit_code == 0
    connection = sqlite3.connect(tmp_path / "g.sqlite3")
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    result = run("plans")
    assert result.exit_code == 4 and "来自更新版本的 guihua" in result.stderr


def test_E06_disk_full_while_saving(run, monkeypatch):
    assert run("plans").exit_code == 0
    from sqlalchemy.exc import OperationalError

    def full(*args, **kwargs):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr("db.indicators._commit", full)
    result = run("set", "地区生产总值", "2021", "1000")
    assert result.exit_code == 4 and "磁盘已满，这次修改没有保存" in result.stderr


def test_E06_disk_full_while_exporting(run, monkeypatch, tmp_path):
    import errno

    def no_space(self, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", no_space)
    result = run("export", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "磁盘空间不足" in result.stderr
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.tmp.xlsx"))


def test_E06_disk_full_on_a_read_command(run, tmp_path, monkeypatch):
    """A disk so full that SQLite cannot make its shared-memory file says only 「disk I/O error」."""
    import shutil
    from collections import namedtuple

    from sqlalchemy.exc import OperationalError

    from db.engine import DatabaseOpenError

    def io_error(target=None):
        raise DatabaseOpenError(f"无法打开数据库：{target}\n原因：disk I/O error") from OperationalError(
            "PRAGMA journal_mode=WAL", {}, sqlite3.OperationalError("disk I/O error"))

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("db.engine.open_database", io_error)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 0))
    result = run("plans")
    assert result.exit_code == 4 and result.stderr.startswith("错误：磁盘已满，无法打开数据库")
    assert "disk I/O" not in result.stderr


def test_E06_disk_full_leaves_no_temporary_file(run, monkeypatch, tmp_path):
    import errno

    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    assert run("plans").exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr("os.fsync", no_space)
    result = run("export-catalogue", str(out / "目录.csv"))
    assert result.exit_code == 2 and result.stderr.startswith("错误：磁盘空间不足，无法写入")
    assert "Traceback" not in result.output and not list(out.iterdir())


def test_E07_no_permission(run, tmp_path, monkeypatch):
    path = tmp_path / "g.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    real_open = type(path).open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "open", refuse)  # root ignores chmod, so the OS answer is simulated
    result = run("plans")
    assert result.exit_code == 4 and "没有权限读取数据库文件" in result.stderr


def test_E07_no_permission_for_the_folder(run, tmp_path, monkeypatch):
    from pathlib import Path

    locked = tmp_path / "别人的文件夹"
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if locked in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)  # root ignores chmod, so the OS answer is simulated
    result = run("--db", str(locked / "g.sqlite3"), "plans")
    assert result.exit_code == 4 and "没有权限访问数据库文件或它所在的文件夹" in result.stderr


def test_E08_file_not_found(run, tmp_path):
    result = run("import-plan", str(tmp_path / "没有这个文件.txt"))
    assert result.exit_code == 2 and "找不到文件" in result.stderr


@pytest.mark.parametrize(
    "command, name, content, message",
    [
        ("import-catalogue", "目录.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("import-catalogue", "目录.xls", b"\xd0\xcf\x11\xe0", "旧版 Excel/WPS 格式"),
        ("import-plan", "规划.docx", b"PK\x03\x04\x00\x00binary\x00\x00", "不是有效的 Word 文件"),
        ("import-plan", "规划.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xxxx", "另存为 .docx"),
        ("import-plan", "规划.txt", b"\x00\x01\x02\x03binary\x00\x00", "二进制文件"),
    ],
)
def test_E09_wrong_file_type(run, tmp_path, command, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(command, str(path))
    assert result.exit_code == 2 and message in result.stderr


def test_E09_nul_bytes_after_the_start_of_a_text(run, tmp_path):
    from importers.plan import bundled_plan_bytes

    data = bundled_plan_bytes()
    at = data.index(b"\n", 10000) + 1
    path = tmp_path / "规划.txt"
    path.write_bytes(data[:at] + b"\x00" + data[at:])
    result = run("import-plan", str(path))
    assert result.exit_code == 2 and "含有空字符（NUL）" in result.stderr and "没有导入任何内容" in result.stderr


def test_E10_non_utf8_locale(run, monkeypatch):
    monkeypatch.setattr("locale.getpreferredencoding", lambda do_setlocale=True: "GBK")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("LANG", "zh_CN.GBK")
    result = run()
    assert result.exit_code == 1 and "终端的字符编码不是 UTF-8" in result.stderr and "zh_CN.GBK" in result.stderr


async def test_E11_terminal_too_small(database):
    from tui.app import GuihuaApp

    app = GuihuaApp(database)
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.pause()
        assert "终端窗口太小" in app.screen_text_for_tests()
    async with GuihuaApp(database).run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "终端窗口太小" not in pilot.app.screen_text_for_tests()


def test_E12_network_share_warning(run, monkeypatch):
    monkeypatch.setattr("db.engine.is_network_path", lambda path: True)
    result = run("plans")
    assert result.exit_code == 0 and "数据库位于网络共享文件夹" in result.stderr and "安全模式" in result.stderr


def test_E13_failed_upgrade_is_explained_and_logged(run, tmp_path, monkeypatch):
    from tests.test_migrations import released_database

    released_database(tmp_path / "g.sqlite3")

    def broken(engine, target="head"):
        raise RuntimeError("migration exploded")

    monkeypatch.setattr("db.schema.upgrade", broken)
    result = run("plans")
    assert result.exit_code == 4 and "数据库升级失败" in result.stderr and "详细信息已写入日志" in result.stderr
    assert "migration exploded" in (tmp_path / "log" / "guihua.log").read_text(encoding="utf-8")
    assert list((tmp_path / "备份").glob("*_migration.sqlite3"))


def test_E14_bad_catalogue_row(run, tmp_path):
    path = tmp_path / "目录.csv"
    path.write_text("类别,指标,2025年目标,2020年基数\n经济,甲,10,12x\n", encoding="utf-8")
    result = run("import-catalogue", str(path))
    assert result.exit_code == 2 and "目录.csv 第 2 行“2020年基数”列" in result.stderr and "没有导入任何内容" in result.stderr


def test_E15_value_that_is_not_a_number(run):
    result = run("set", "地区生产总值", "2021", "12,3x")
    assert result.exit_code == 2 and "没有保存" in result.stderr and "12,3x" in result.stderr


def test_E16_unexpected_error_goes_to_the_log(run, tmp_path, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("db.plan_store.list_plans", bug)
    result = run("plans")
    assert result.exit_code == 70 and "详细信息已写入日志" in result.stderr
    assert "ZeroDivisionError" in (tmp_path / "log" / "guihua.log").read_text(encoding="utf-8")
    assert "Traceback" not in result.output


def test_every_message_in_the_document_has_its_test():
    import re
    from pathlib import Path

    document = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    codes = set(re.findall(r"^\| (E\d\d) \|", document, flags=re.M))
    tests = {name[5:8] for name in globals() if name.startswith("test_E")}
    assert codes and codes == tests


def test_E17_server_cannot_be_reached(run, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", "postgresql+psycopg://guihua:secret@127.0.0.1:1/plan")
    result = run("plans")
    assert result.exit_code == 4 and "无法连接到数据库服务器" in result.stderr
    assert "secret" not in result.stderr  # the password is never shown


def test_E18_someone_else_saved_the_same_value(run, tmp_path):
    from decimal import Decimal

    from db.audit import ConcurrentEditError
    from db.engine import open_database
    from db.indicators import find_indicator, record_actual
    from db.plan_store import find_plan

    assert run("plans").exit_code == 0
    database = open_database(tmp_path / "g.sqlite3")
    try:
        with database.session() as session:
            gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值")
            seen = gdp.year_version(2021)
            record_actual(session, gdp.id, 2021, Decimal("1040"), origin="cli", user="张三")
            with pytest.raises(ConcurrentEditError) as error:
                record_actual(session, gdp.id, 2021, Decimal("1050"), origin="tui", expected_version=seen)
    finally:
        database.dispose()
    assert error.value.exit_code == 6
    assert error.value.message.startswith("没有保存：张三 于") and "1040" in error.value.message


def test_E19_another_reviewer_decided_the_item_first(run, tmp_path):
    from db.audit import ConcurrentEditError
    from db.engine import open_database
    from db.plan_store import find_plan
    from db.projects import list_proposals, reject_proposal

    assert run("plans").exit_code == 0
    database = open_database(tmp_path / "g.sqlite3")
    try:
        with database.session() as session:
            seen = list_proposals(session, find_plan(session, None).id, "target", "pending")[0]
            reject_proposal(session, seen.id, user="张三", expected_version=seen.version)
            with pytest.raises(ConcurrentEditError) as error:
                reject_proposal(session, seen.id, user="李四", expected_version=seen.version)
    finally:
        database.dispose()
    assert error.value.exit_code == 6
    assert error.value.message.startswith("没有保存：张三 于") and "现为「已舍弃」" in error.value.message


def test_E20_a_user_bound_to_a_unit_changes_another_units_item(run, tmp_path, monkeypatch):
    from db.audit import bind_user_unit
    from db.engine import open_database
    from db.indicators import find_indicator, get_indicator, set_indicator_fields
    from db.plan_store import find_plan

    assert run("plans").exit_code == 0
    database = open_database(tmp_path / "g.sqlite3")
    try:
        with database.session() as session:
            gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值").id
            set_indicator_fields(session, gdp, origin="cli", user="规划办", lead_unit="区发展改革委")
            bind_user_unit(session, "张三", "区教育局")
    finally:
        database.dispose()
    monkeypatch.setenv("GUIHUA_USER", "张三")
    result = run("set", "地区生产总值", "2021", "1000")
    assert result.exit_code == 7
    assert "没有保存：你的账号（张三）绑定了“区教育局”" in result.stderr and "区发展改革委" in result.stderr
    database = open_database(tmp_path / "g.sqlite3")
    try:
        with database.session() as session:
            assert 2021 not in get_indicator(session, gdp).values
    finally:
        database.dispose()


@pytest.mark.parametrize("args, message", [
    (["indicators", "--year", "abc"], "参数“年份”（--year）应为整数，收到“abc”"),
    (["forms"], "缺少选项 --year（年份）"),
    (["nosuch"], "没有“nosuch”这个命令"),
    (["review", "accept", "abc"], "参数“编号”（IDS...）应为整数，收到“abc”"),
])
def test_E21_command_line_written_wrong(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and result.stderr.startswith("错误：") and message in result.stderr
    assert "Usage" not in result.output and "Error:" not in result.output


def test_E22_control_characters_or_bytes_that_are_not_utf8_in_an_argument(run):
    result = run("set", "地区生产总值", "2021", "1000", "--note", "快报\x1b[31m")
    assert result.exit_code == 2 and "含有不能使用的控制字符" in result.stderr and "\x1b" not in result.output
    result = run("search", "\udcff")
    assert result.exit_code == 2 and "含有不是 UTF-8 编码的字节" in result.stderr


def test_E23_a_question_without_an_answer(run, tmp_path):
    backup = tmp_path / "备份.sqlite3"
    assert run("backup", str(backup)).exit_code == 0
    result = CliRunner().invoke(cli.main, ["restore", str(backup)], input="")
    assert result.exit_code == 1 and "已取消：没有得到确认" in result.stderr and "Aborted" not in result.output


def test_E24_a_text_excel_cannot_hold(run, tmp_path, monkeypatch):
    def raw(cell, value):  # a cell written without the last line of defence
        cell.value = "" if value is None else str(value)

    assert run("plans").exit_code == 0
    connection = sqlite3.connect(tmp_path / "g.sqlite3")
    connection.execute("UPDATE indicator SET name = '地区\x02生产总值' WHERE name = '地区生产总值'")  # an older guihua's
    connection.commit()
    connection.close()
    monkeypatch.setattr("exports.sheet_style.set_text", raw)
    result = run("export", "-o", str(tmp_path / "导出" / "x.xlsx"))
    assert result.exit_code == 2 and "导出会议监测表没有完成：“地区␂生产总值”中含有 Excel 表格不能保存的控制字符" in result.stderr


def test_E25_a_number_beyond_any_record(run):
    result = run("outline", "--plan", "99999999999999999999")
    assert result.exit_code == 3 and "没有编号为 99999999999999999999 的规划" in result.stderr
    result = run("review", "accept", "99999999999999999999")
    assert result.exit_code == 3 and "给出的编号超出范围" in result.stderr
