"""Start-up (issue 14): `guihua` paints its frame before SQLAlchemy is imported and opens the database in the
App's first worker; an error opening it still ends with the command line's Chinese message and exit code."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui import cli

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "bench" / "startup_probe.py"


def probe(db: Path) -> dict:
    """bench/startup_probe.py: the real `guihua --db DB`, headless, in a fresh interpreter."""
    done = subprocess.run([sys.executable, str(PROBE), str(db)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.sqlite_only
def test_the_frame_is_painted_before_sqlalchemy_is_imported_and_the_plan_follows(tmp_path):
    db = tmp_path / "g.sqlite3"  # a first run: the bundled plan is imported in the worker
    seen = probe(db)
    assert seen["sqlalchemy_at_first_paint"] is False
    assert "正在打开数据库…" in seen["text_at_first_paint"] and "目录" in seen["text_at_first_paint"]
    assert "第一章" not in seen["text_at_first_paint"]
    assert seen["exit_code"] == 0 and seen["cpu_plan_opened"] > seen["cpu_first_paint"]
    assert db.exists() and list((tmp_path / "备份").iterdir())  # first-run import and start-up backup were done


@pytest.mark.sqlite_only
def test_an_existing_database_shows_its_plan_before_the_start_up_backup_which_follows(tmp_path):
    db = tmp_path / "g.sqlite3"
    assert CliRunner().invoke(cli.main, ["--db", str(db), "plans"]).exit_code == 0
    backups = tmp_path / "备份"
    shutil.rmtree(backups, ignore_errors=True)  # so that this start is due its hourly backup
    seen = probe(db)
    assert seen["exit_code"] == 0 and "第一章" not in seen["text_at_first_paint"]
    assert seen["importers_at_plan_opened"] is False  # neither the bundled-plan check nor the backup came first
    assert [b.name for b in backups.iterdir()][0].endswith("_startup.sqlite3")  # taken before the TUI ended


@pytest.mark.sqlite_only
def test_a_database_file_without_a_plan_gets_the_bundled_one_and_shows_it(tmp_path):
    db = tmp_path / "g.sqlite3"
    db.touch()  # exists, so not treated as a first run: the outline is read again after settling
    seen = probe(db)
    assert seen["exit_code"] == 0 and seen["cpu_plan_opened"] > seen["cpu_first_paint"]
    assert seen["importers_at_plan_opened"] is True


def test_the_tui_modules_do_not_import_the_database_layer():
    code = "import sys, tui.cli, tui.app, tui.reader; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('sqlalchemy', 'sqlmodel', 'db', 'importers')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture
def both_ways(tmp_path, monkeypatch):
    """Run the TUI (headless) and `plans` against the same database; return both results."""
    from tui import app as tui_app

    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    run_guarded = tui_app.run_guarded
    monkeypatch.setattr(tui_app, "run_guarded", lambda app, **options: run_guarded(app, headless=True, **options))

    def run(*db_args: str):
        runner = CliRunner()
        tui = runner.invoke(cli.main, list(db_args), catch_exceptions=False)
        command = runner.invoke(cli.main, [*db_args, "plans"], catch_exceptions=False)
        return tui, command

    return run


def damaged(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"garbage!" * 300)


def from_a_newer_guihua(path: Path) -> None:
    assert CliRunner().invoke(cli.main, ["--db", str(path), "plans"]).exit_code == 0
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()


def not_a_database(path: Path) -> None:
    path.write_text("这不是数据库\n", encoding="utf-8")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("make", "message"), [
    (damaged, "数据库文件已损坏"),
    (from_a_newer_guihua, "来自更新版本的 guihua"),
    (not_a_database, "不是 guihua 数据库（也不是 SQLite 数据库）"),
])
def test_an_error_opening_the_database_ends_the_tui_as_the_command_line_says_it(both_ways, tmp_path, make, message):
    db = tmp_path / "g.sqlite3"
    make(db)
    tui, command = both_ways("--db", str(db))
    assert tui.exit_code == command.exit_code == 4
    assert message in tui.stderr and tui.stderr == command.stderr
    assert "Traceback" not in tui.output + tui.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="drops root's file capabilities")
def test_a_folder_the_user_may_not_enter_or_write_ends_the_tui_with_its_message(tmp_path):
    """As root without the capability to override file permissions, so that the folder's mode applies."""
    for mode, folder in ((0o600, "不能进入"), (0o500, "只读")):
        locked = tmp_path / folder
        locked.mkdir()
        locked.chmod(mode)
        db = str(locked / "子文件夹" / "g.sqlite3")
        tui, command = (subprocess.run(
            ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--",
             sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")},
        ) for args in ([str(PROBE), db], ["-m", "tui.cli", "--db", db, "plans"]))
        locked.chmod(0o700)
        assert json.loads(tui.stdout.strip().splitlines()[-1])["exit_code"] == command.returncode == 4
        said = tui.stderr.replace("guihua-probe: first paint\n", "")  # the probe's own mark
        assert "权限" in said and said == command.stderr and "Traceback" not in said


def test_an_unreachable_server_ends_the_tui_with_its_message(both_ways):
    tui, command = both_ways("--db", "postgresql+psycopg://guihua:secret@127.0.0.1:1/plan")
    assert tui.exit_code == command.exit_code == 4
    assert "无法连接到数据库服务器" in tui.stderr and "secret" not in tui.stderr and tui.stderr == command.stderr


def test_an_unexpected_error_opening_the_database_goes_to_the_log(both_ways, tmp_path, monkeypatch):
    def bug(given):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_open_database", bug)
    tui, _ = both_ways("--db", str(tmp_path / "g.sqlite3"))
    log = tmp_path / "log" / "guihua.log"
    assert tui.exit_code == 70 and "未预期的问题（KeyError）" in tui.stderr and str(log) in tui.stderr
    assert "Traceback" not in tui.output and "Traceback" in log.read_text(encoding="utf-8")


@pytest.mark.sqlite_only
def test_a_failed_start_up_backup_is_said_in_the_tui_and_after_it(tmp_path, monkeypatch):
    from core.errors import GuihuaError
    from tui import app as tui_app

    def refuse(database, reason):
        raise GuihuaError("备份文件夹不可写")

    monkeypatch.setattr("db.backup.backup_now", refuse)
    said: list[str] = []
    notify, start_up_done = tui_app.GuihuaApp.notify, tui_app.GuihuaApp.start_up_done

    def noted(app, message, *args, **kwargs):
        said.append(message)
        notify(app, message, *args, **kwargs)

    def done(app, *args):  # the backup is taken after the plan is shown
        start_up_done(app, *args)
        app.exit()

    monkeypatch.setattr(tui_app.GuihuaApp, "notify", noted)
    monkeypatch.setattr(tui_app.GuihuaApp, "start_up_done", done)
    run_guarded = tui_app.run_guarded
    monkeypatch.setattr(tui_app, "run_guarded", lambda app, **options: run_guarded(app, headless=True, **options))
    result = CliRunner().invoke(cli.main, ["--db", str(tmp_path / "g.sqlite3")], catch_exceptions=False)
    note = "提示：自动备份没有完成（备份文件夹不可写）"
    assert result.exit_code == 0 and note in said and note in result.stderr
