"""Everything the command line says is Chinese: click's own messages (usage errors, 「Aborted!」, help pages)
are given in Chinese by the main group for every command, with click's exit codes; arguments that would
store or echo control characters or bytes that are not UTF-8 are refused; numbers out of any range are
told as such. Each case runs the real `guihua` through CliRunner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui import cli

ENGLISH = ("Usage:", "Error:", "Try '", "Aborted", "Traceback", "Invalid value", "Missing", "No such",
           "is not a valid", "Options:", "Show this message")


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "g.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(*args, input=None):
        result = runner.invoke(cli.main, list(args), input=input, catch_exceptions=False)
        for word in ENGLISH:
            assert word not in result.output, (args, result.output)
        return result

    assert invoke("plans").exit_code == 0
    return invoke


@pytest.mark.parametrize("args, message", [
    (["indicators", "--year", "abc"], "参数“年份”（--year）应为整数，收到“abc”。"),
    (["export", "--year", "二〇二四"], "参数“年份”（--year）应为整数，收到“二〇二四”。"),
    (["set", "地区生产总值", "去年", "1000"], "参数“年份”（YEAR）应为整数，收到“去年”。"),
    (["review", "accept", "abc"], "参数“编号”（IDS...）应为整数，收到“abc”。"),
    (["review", "acept", "1"], "没有“acept”这个命令。是不是要写 accept？全部命令见 guihua review --help。"),
    (["search", "--limit", "0", "医药"], "参数“最多显示多少处”（--limit）应不小于 1，收到“0”。"),
    (["forms"], "缺少选项 --year（年份）。"),
    (["import-plan"], "缺少参数“文件”（FILE）。"),
    (["search"], "缺少参数“检索词”（WORDS...）。"),
    (["nosuch"], "没有“nosuch”这个命令。全部命令见 guihua --help。"),
    (["plan"], "没有“plan”这个命令。是不是要写 plans？"),
    (["plans", "--jsn"], "没有“--jsn”这个选项。是不是要写 --json？"),
    (["search", "医药", "--limit"], "选项 --limit 后面需要一个值。"),
    (["plans", "--json=yes"], "选项 --json 不需要值。"),
    (["plans", "多余"], "多余的参数：多余。"),
    (["targets", "--status", "done"], "应为 pending、accepted、rejected、merged 之一，收到“done”。"),
])
def test_usage_errors_are_chinese(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误：") and message in result.stderr
    assert "用法见：guihua" in result.stderr and "--help" in result.stderr


def test_an_unreadable_file(run, tmp_path, monkeypatch):
    path = tmp_path / "规划.txt"
    path.write_text("第一章 总则\n", encoding="utf-8")
    real_access = os.access
    monkeypatch.setattr("os.access", lambda p, mode, *a, **k: False if Path(p) == path else real_access(p, mode, *a, **k))
    for command in (["import-plan", str(path)], ["import-catalogue", str(path)], ["export", "--template", str(path)]):
        result = run(*command)
        assert result.exit_code == 2
        assert f"“{path}”没有读取权限" in result.stderr


def test_a_prompt_without_input_is_cancelled_in_chinese(run, tmp_path):
    backup = tmp_path / "备份.sqlite3"
    assert run("backup", str(backup)).exit_code == 0
    result = run("restore", str(backup), input="")
    assert result.exit_code == 1
    assert "已取消：没有得到确认" in result.stderr and "没有做任何修改" in result.stderr and "--yes" in result.stderr


def test_help_is_chinese(run):
    for args in ([], ["search"], ["forms"], ["review"]):
        result = run(*args, "--help")
        assert result.exit_code == 0
        assert result.output.startswith("用法：guihua") and "选项：" in result.output and "显示本帮助并退出。" in result.output
    assert "命令：" in run("--help").output and "显示版本号并退出。" in run("--help").output
    assert "[默认：200" in run("search", "--help").output


@pytest.mark.parametrize("args, message", [
    (["search", "\udcff\udcfe"], "参数“检索词”（WORDS...）含有不是 UTF-8 编码的字节（0xFF）：“\\xff\\xfe”"),
    (["set", "地区生产总值", "2021", "1000", "--note", "快\x1b[31m报"], "参数“备注”（--note）含有不能使用的控制字符（U+001B（ESC 控制符））：“快␛[31m报”"),
    (["milestone", "add", "1", "开工\x07"], "参数“名称”（TITLE）含有不能使用的控制字符（U+0007（响铃））"),
    (["units", "--add", "区\x0b数据局"], "参数“单位名称”（--add）含有不能使用的控制字符（U+000B（垂直制表符））"),
    (["--db", "/tmp/\udcff.sqlite3", "plans"], "参数“数据库”（--db）含有不是 UTF-8 编码的字节（0xFF）"),
])
def test_arguments_with_control_characters_or_bytes_that_are_not_utf8_are_refused(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误：") and message in result.stderr
    assert "\x1b" not in result.output and "\x07" not in result.output and "\udcff" not in result.output


def test_a_note_may_hold_several_lines(run):
    assert run("set", "地区生产总值", "2021", "1000", "--note", "第一行\n第二行\t说明").exit_code == 0


def test_an_extra_argument_that_is_not_utf8_is_shown_escaped(run):
    result = run("plans", "\udcff")
    assert result.exit_code == 2 and "多余的参数：\\xff。" in result.stderr


@pytest.mark.parametrize("args, code, message", [
    (["outline", "--plan", "99999999999999999999"], 3, "没有编号为 99999999999999999999 的规划"),
    (["review", "accept", "99999999999999999999"], 3, "给出的编号超出范围（太大）"),
    (["history", "99999999999999999999"], 3, "给出的编号超出范围（太大）"),
    (["indicators", "--year", "0"], 2, "年份 0 不在规划期"),
    (["export", "--year", "0"], 2, "年份 0 不在规划期"),
    (["indicators", "--year", "99999999999999999999"], 2, "年份 99999999999999999999 不在规划期"),
])
def test_numbers_beyond_any_record_or_the_plan(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr


def test_a_database_folder_the_user_cannot_enter(run, tmp_path, monkeypatch):
    locked = tmp_path / "锁住的文件夹"
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if locked in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    result = run("--db", str(locked / "g.sqlite3"), "plans")
    assert result.exit_code == 4
    assert "没有权限访问数据库文件或它所在的文件夹" in result.stderr and "--db" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="drops root's file capabilities")
def test_a_database_folder_the_user_cannot_enter_for_real(tmp_path):
    """As root without the capability to override file permissions: the folder's mode applies."""
    for mode, folder in ((0o600, "不能进入"), (0o500, "只读")):
        locked = tmp_path / folder
        locked.mkdir()
        locked.chmod(mode)
        done = subprocess.run(
            ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--",
             sys.executable, "-m", "tui.cli", "--db", str(locked / "子文件夹" / "g.sqlite3"), "plans"],
            capture_output=True, text=True, cwd=Path(cli.__file__).parents[1],
            env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")},
        )
        locked.chmod(0o700)
        assert done.returncode == 4, done.stderr
        assert done.stderr.startswith("错误：") and "权限" in done.stderr and "Traceback" not in done.stderr
