"""The `guihua` command. Without a subcommand it opens the TUI; subcommands read and import data.

Commands that only read data never import textual, so they start quickly. Every failure reaches the user as a
Chinese message and a non-zero exit code; unexpected errors are logged with their traceback to a file whose
path the message names.
"""

from __future__ import annotations

import errno
import functools
import gc
import json
import locale
import os
import re
import shutil
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from core.errors import GuihuaError, NotFoundError, UserInputError
from core.kinds import NodeKind, ProposalKind, ProposalStatus
from core.text_hygiene import describe_char, first_refused, printable_for_terminal
from tui import errorlog
from tui.errorlog import unexpected_message

if TYPE_CHECKING:
    from db.engine import Database

VERSION = "0.1.0"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def say(message: str, err: bool = False) -> None:
    """Echo a line that holds stored or user-given text: control characters in it are shown (␛, ␇ …), not
    acted on by the terminal (core.text_hygiene.printable_for_terminal). A line with click.style pieces
    passes its text pieces through safe() instead."""
    click.echo(printable_for_terminal(message), err=err)


def safe(value) -> str:
    """Stored or user-given text made safe to put into a terminal line (see say())."""
    return printable_for_terminal("" if value is None else str(value))


class DiskFullError(GuihuaError):
    """E06 met outside the database and the exports, which say it themselves."""

    exit_code = 4


def report_error(exc: BaseException) -> NoReturn:
    """Say an exception to the user as a Chinese message on stderr and exit with its code: a GuihuaError by
    its message and exit code, a known failure (disk full, database locked …) plainly, anything else as
    「未预期的问题」 with the log file that holds its traceback (exit 70). No traceback reaches a user."""
    if isinstance(exc, GuihuaError):
        message = exc.message
        if getattr(exc, "log_cause", False) and exc.__cause__ is not None:
            message += f"\n详细信息已写入日志：{errorlog.log_unexpected(exc.__cause__)}"
        say(f"错误：{message}", err=True)
        sys.exit(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        click.echo("已中断。", err=True)
        sys.exit(130)
    if isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE):
        # Output piped into `head` and the reader went away: not an error worth reporting.
        sys.stderr.close()
        sys.exit(0)
    known = _known_error(exc) if isinstance(exc, Exception) else None
    if known is not None:
        say(f"错误：{known.message}", err=True)
        sys.exit(known.exit_code)
    say(unexpected_message(exc, errorlog.log_unexpected(exc)), err=True)
    sys.exit(70)


def _known_error(exc: Exception) -> GuihuaError | None:
    """A failure that is not a bug, met where no code expected it, said plainly: the database's (locked by
    another guihua, disk full …), a full disk anywhere, a number too large for any record, a text a workbook
    cannot hold."""
    known = _known_database_error(exc)
    if known is not None:
        return known
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        where = f"：{exc.filename}" if exc.filename else ""
        return DiskFullError(f"磁盘已满，没有完成{where}\n请清理磁盘空间后重试。")
    if isinstance(exc, OverflowError) and "too large" in str(exc):  # SQLite takes 64-bit integers only
        return NotFoundError("没有找到：给出的编号超出范围（太大），没有这样的记录。请检查编号，"
                             "可用 guihua plans、guihua projects 等命令查看各项的编号。")
    if type(exc).__name__ == "IllegalCharacterError":  # openpyxl: a cell text Excel's format cannot hold
        from exports.sheet_style import illegal_character_error

        return illegal_character_error(exc, "导出")
    return None


def _known_database_error(exc: Exception) -> GuihuaError | None:
    """A database failure met while working (locked by another guihua, disk full …) said plainly."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    from db.engine import explain_database_error

    root = click.get_current_context(silent=True)
    database = root.find_root().meta.get("database") if root else None
    target = database.target if database else ""
    full = _disk_full_error(exc, database.path if database else None, "这次修改没有保存")
    return full or explain_database_error(exc, target)


def _disk_full_error(exc: BaseException | None, path: Path | None, what: str) -> GuihuaError | None:
    """SQLite says 「disk I/O error」, not 「disk full」, when a completely full disk leaves no room for its
    shared-memory file: E06 all the same when the database's disk has (almost) no free space."""
    if exc is None or path is None or "disk i/o" not in str(getattr(exc, "orig", exc)).lower():
        return None
    try:
        free = shutil.disk_usage(Path(path).expanduser().parent).free
    except OSError:
        return None
    if free >= 1024 * 1024:
        return None
    return DiskFullError(f"磁盘已满，{what}：{path}\n请清理数据库所在磁盘的空间后重试；数据库本身没有改动。")


def open_db(ctx: click.Context):
    """Open the database chosen by --db / GUIHUA_DB / default, importing the bundled plan on first use."""
    root = ctx.find_root()
    if "database" not in root.meta:
        database = _open_database(root.params.get("db"))
        if database.network_share:
            say(_network_warning(database), err=True)
        result = complete_first_run(database)
        if result is not None and root.invoked_subcommand is not None:
            say(f"首次运行：已导入内置规划「{result.name}」到 {database.target}", err=True)
        root.meta["database"] = database
        root.call_on_close(database.dispose)
    return root.meta["database"]


def complete_first_run(database):
    """importers.plan.ensure_bundled_plan, importing the importers (a few hundredths of a second) only when the
    database lacks part of the first-run set-up: every command checks, hardly any has work to do."""
    from db.plan_store import first_run_gaps

    if not first_run_gaps(database):
        return None
    from importers.plan import ensure_bundled_plan

    return ensure_bundled_plan(database)


def _open_database(given: str | None):
    """db.engine.open_database, with what it cannot say itself: a folder the user may not enter, a disk so
    full that SQLite only reports 「disk I/O error」."""
    from db.engine import DatabaseOpenError, is_server_url, open_database, resolve_target

    def no_permission(exc: PermissionError) -> DatabaseOpenError:
        return DatabaseOpenError(
            f"没有权限访问数据库文件或它所在的文件夹：{exc.filename or resolve_target(given)}\n"
            "请检查文件夹的权限，或用 --db 指定自己有权限读写的位置。"
        )

    try:
        return open_database(given)
    except PermissionError as exc:  # the folder cannot even be looked into
        raise no_permission(exc) from None
    except GuihuaError as exc:
        if isinstance(exc.__cause__, PermissionError) and exc.__cause__.strerror in exc.message:
            raise no_permission(exc.__cause__) from None  # its folder cannot be created: the reason was English
        target = resolve_target(given)
        full = None if is_server_url(target) else _disk_full_error(exc.__cause__, Path(target), "无法打开数据库")
        if full is not None:
            raise full from exc.__cause__
        raise


def _network_warning(database) -> str:
    from db.engine import NETWORK_WARNING

    return NETWORK_WARNING.format(path=database.target)


def backup_before(database, reason: str, tell=None) -> None:
    """Automatic backup at start-up (at most hourly) and before imports. A failed automatic backup is
    reported (on stderr, or to `tell`) but does not stop the work: the message says so."""
    if database.path is None:
        return
    from db.backup import backup_now, startup_backup_due

    if reason == "startup" and not startup_backup_due(database):
        return
    try:
        backup_now(database, reason)
    except GuihuaError as exc:
        (tell or partial(click.echo, err=True))(f"提示：自动备份没有完成（{exc.message}）")


def open_for_tui(given: str | None, tell) -> Database:
    """What `open_db` does, for the TUI, which runs it in its first worker after painting its frame
    (tui.app.GuihuaApp `opener`): no click context there, and the notes (network share, failed backup) go to
    `tell` rather than stderr, which the TUI owns while it runs. Only a new database gets the bundled plan here
    (it has nothing to show without it); the rest of the start-up work waits until the plan is on screen
    (`settle_for_tui`). Errors propagate: `run_app` raises them again once the terminal is restored, and
    GuihuaGroup.invoke says them as for any command."""
    from db.engine import is_server_url, resolve_target

    target = resolve_target(given)
    try:
        new = is_server_url(target) or not Path(target).exists()  # a server: checked at once, as before
    except OSError:  # a folder the user may not enter: _open_database says so
        new = True
    database = _open_database(given)
    try:
        if database.network_share:
            tell(_network_warning(database))
        if new:
            complete_first_run(database)
    except BaseException:
        database.dispose()
        raise
    return database


def settle_for_tui(database: Database, tell) -> None:
    """The TUI's start-up work once the plan is on screen (tui.app.GuihuaApp `settle`): what an older database
    lacks of the bundled plan (importers.plan alone takes a tenth of a second to import), then the start-up
    backup. Errors propagate as `open_for_tui`'s do."""
    complete_first_run(database)
    backup_before(database, "startup", tell)


def local_time(moment):
    """Stored times are UTC (SQLite hands them back without a zone)."""
    from datetime import timezone

    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()


def echo_json(data) -> None:
    """JSON on stdout. A list prints one element per line (as sqlite-utils does): readable, easy to grep, and
    written by json's C encoder, which `indent` would replace by the pure-Python one (0.15 s for 2,000
    indicators); anything else is indented. json escapes C0 controls itself; DEL, C1 controls and stand-ins for
    bytes that were not UTF-8 are escaped too (\\u009b …), so stored text cannot act on a terminal or fail to
    print."""
    if isinstance(data, list):
        text = "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in data) + "\n]" if data else "[]"
    else:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(re.sub("[\x7f-\x9f\ud800-\udfff]", lambda m: f"\\u{ord(m.group(0)):04x}", text))


def check_utf8_terminal() -> None:
    """Textual decodes terminal input as UTF-8; on a GBK locale pasted Chinese kills its input thread."""
    if sys.platform == "win32":
        return
    encoding = (locale.getpreferredencoding(False) or "").lower().replace("-", "")
    if encoding not in ("utf8", "utf8mb4"):
        lang = os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or os.environ.get("LANG") or "（未设置）"
        raise GuihuaError(
            f"终端的字符编码不是 UTF-8（当前区域设置：{lang}，编码：{encoding or '未知'}），"
            "guihua 的界面无法正确显示和输入中文。\n"
            "解决办法：在终端中执行  export LANG=zh_CN.UTF-8  后再运行 guihua；"
            "或在系统设置中把区域/语言改为 UTF-8（如 zh_CN.UTF-8）。"
        )


# ----------------------------------------------------------------------------------------------------------
# click in Chinese: usage errors, help, and the arguments every command receives


# What each parameter is called in messages (by its name in the code); others are named by their flag.
PARAM_LABELS = {
    "year": "年份", "ids": "编号", "file": "文件", "path": "文件", "paths": "文件或文件夹", "indicator": "指标",
    "value": "数值", "limit": "最多显示多少处", "action": "操作", "words": "检索词", "project": "项目",
    "milestone": "里程碑", "title": "名称", "output": "输出", "template": "模板", "db": "数据库",
    "status": "审核状态", "unit_name": "单位", "unit_names": "单位", "plan_key": "规划", "done_date": "完成日期",
    "due": "计划时间", "note": "备注", "stage": "数据阶段", "source": "数据来源", "name": "名称", "period": "规划期",
    "target": "数据库地址", "add_name": "单位名称", "short_name": "简称", "kind": "类型",
}
HELP_TEXTS = {
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
}
HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数", "Arguments": "参数"}


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help page with Chinese headings, usage line and standard option texts."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        args = args.replace("[COMMAND] [ARGS]...", "[命令] [参数]...")
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        def chinese(text: str) -> str:
            for english, translated in HELP_TEXTS.items():
                text = text.replace(english, translated)
            text = re.sub(r"\[default: ([^\]]*)\]", r"[默认：\1]", text)
            text = re.sub(r"\[env var: ([^\]]*)\]", r"[环境变量：\1]", text)
            return text.replace("[required]", "[必填]")

        super().write_dl([(term, chinese(text)) for term, text in rows], col_max, col_spacing)


class ChineseUsageError(click.UsageError):
    """A usage error whose message is already the Chinese text to show."""


class GuihuaContext(click.Context):
    """Every guihua command's context: Chinese help, and arguments checked before the command runs."""

    formatter_class = ChineseHelpFormatter

    def invoke(self, callback, /, *args, **kwargs):
        if self.command is not None and callback is self.command.callback:
            check_text_arguments(self, kwargs)
        return super().invoke(callback, *args, **kwargs)


def check_text_arguments(ctx: click.Context, values: dict) -> None:
    """Refuse an argument holding control characters (ESC, BEL, \\x0b … from a paste) or bytes that are not
    UTF-8 (a terminal or script in another encoding): they would be stored, exported and echoed unseen.
    File paths are exempt: on Linux a file may be named in any bytes, and guihua only opens it."""
    for param in ctx.command.params:
        if isinstance(param.type, click.Path) or param.name not in values:
            continue
        value = values[param.name]
        for text in value if isinstance(value, (tuple, list)) else (value,):
            if not isinstance(text, str):
                continue
            bad = first_refused(text)
            if bad is None:
                continue
            label = _param_label(ctx, param)
            if 0xDC80 <= ord(bad) <= 0xDCFF:  # a byte that was not UTF-8, kept by Python as a stand-in
                raise ChineseUsageError(
                    f"{label}含有不是 UTF-8 编码的字节（0x{ord(bad) - 0xDC00:02X}）：“{safe(text)}”。\n"
                    "请把终端或脚本的字符编码设为 UTF-8（如 export LANG=zh_CN.UTF-8）后重新输入。", ctx)
            raise ChineseUsageError(
                f"{label}含有不能使用的控制字符（{describe_char(bad)}）：“{safe(text)}”。\n"
                "这类字符看不见，常随复制粘贴带入；请删去后重试。", ctx)


def _param_label(ctx: click.Context | None, param: click.Parameter | None, hint: str | None = None) -> str:
    """「参数“年份”（--year）」: the parameter as the user typed it, with its Chinese name."""
    if param is None:
        return f"参数 {hint}" if hint else "参数"
    flag = param.get_error_hint(ctx).strip("'\"") if ctx is not None else (param.opts[0] if param.opts else "")
    flag = " / ".join(part.strip("'\"") for part in flag.split(" / "))
    label = PARAM_LABELS.get(param.name or "")
    return f"参数“{label}”（{flag}）" if label else f"参数 {flag}"


def _received(message: str, pattern: str) -> str | None:
    """The value click quoted in an English message, as the user typed it."""
    import ast

    found = re.match(pattern, message)
    if not found:
        return None
    text = found.group(1)
    try:
        return str(ast.literal_eval(text)) if text[:1] in "'\"" else text
    except (ValueError, SyntaxError):
        return text


def _range_text(kind) -> str:
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    low_open, high_open = getattr(kind, "min_open", False), getattr(kind, "max_open", False)
    parts = []
    if low is not None:
        parts.append(f"{'大于' if low_open else '不小于'} {low}")
    if high is not None:
        parts.append(f"{'小于' if high_open else '不大于'} {high}")
    return "、".join(parts)


def chinese_usage_message(exc: click.ClickException) -> str:
    """click's message for a usage error, said in Chinese by the error's type and parameter."""
    if isinstance(exc, ChineseUsageError):
        return exc.message
    ctx = getattr(exc, "ctx", None)
    message = exc.message or ""
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if param is not None and param.param_type_name == "option":
            label = PARAM_LABELS.get(param.name or "")
            return f"缺少选项 {param.opts[0]}" + (f"（{label}）" if label else "") + "。"
        return f"缺少{_param_label(ctx, param, _hint(exc))}。"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        label = _param_label(ctx, param, _hint(exc))
        kind = getattr(param, "type", None)
        value = _received(message, r"^(.*) is not a valid (?:integer|float|UUID)\.$")
        if value is not None:
            wanted = "整数" if isinstance(kind, click.types.IntParamType) else "数字"
            return f"{label}应为{wanted}，收到“{safe(value)}”。"
        value = _received(message, r"^(.*) is not in the range .*\.$")
        if value is not None:
            return f"{label}应{_range_text(kind)}，收到“{safe(value)}”。"
        value = _received(message, r"^(.*) is not (?:one of )?.*\.$")
        if value is not None and isinstance(kind, click.Choice):
            return f"{label}应为 {'、'.join(map(str, kind.choices))} 之一，收到“{safe(value)}”。"
        value = _received(message, r"^\w+ (.*) (?:does not exist|is a file|is a directory|is not readable|"
                                   r"is not writable|is not executable)\.$")
        if value is not None:
            problem = next(text for english, text in (
                ("does not exist", "不存在"), ("is a file", "是一个文件，应为文件夹"), ("is a directory", "是一个文件夹，应为文件"),
                ("is not readable", "没有读取权限"), ("is not writable", "没有写入权限"),
                ("is not executable", "不能执行")) if english in message)
            return f"{label}：“{safe(value)}”{problem}。"
        return f"{label}的值无效：{safe(message)}"
    if isinstance(exc, click.NoSuchOption):
        guess = f"是不是要写 {'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有“{safe(exc.option_name)}”这个选项。{guess}"
    command = getattr(exc, "command_name", None) or _received(message, r"^No such command (.*)\.$")
    if command is not None:
        possibilities = getattr(exc, "possibilities", None)
        guess = f"是不是要写 {'、'.join(possibilities)}？" if possibilities else ""
        path = ctx.command_path if ctx is not None else "guihua"
        return f"没有“{safe(command)}”这个命令。{guess}全部命令见 {path} --help。"
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in message:
            return f"选项 {safe(exc.option_name)} 不需要值。"
        count = re.search(r"requires (\d+) arguments", message)
        return f"选项 {safe(exc.option_name)} 后面需要{count.group(1) + ' 个' if count else '一个'}值。"
    extra = re.match(r"^Got unexpected extra arguments? \((.*)\)$", message, flags=re.S)
    if extra:
        return f"多余的参数：{safe(extra.group(1))}。（含空格的内容请加引号。）"
    if message == "Missing command.":
        return "缺少命令。"
    if isinstance(exc, click.FileError):
        return f"无法打开文件“{safe(exc.ui_filename)}”：{_os_reason(message)}。"
    return safe(message) if re.search("[\u4e00-\u9fff]", message) else f"命令行写法有误：{safe(message)}"


def _hint(exc: click.BadParameter) -> str | None:
    hint = exc.param_hint
    if hint is None or isinstance(hint, str):
        return hint
    return " / ".join(hint)


def _os_reason(english: str) -> str:
    reasons = {"permission denied": "没有权限读取", "no such file": "文件不存在", "is a directory": "这是一个文件夹",
               "no space": "磁盘已满"}
    return next((text for key, text in reasons.items() if key in english.lower()), safe(english))


def _has_yes_option(group: click.Group, args: list[str]) -> bool:
    """Whether the command the arguments name has --yes (for the advice after a prompt got no answer)."""
    for arg in args:
        command = group.commands.get(arg)
        if command is not None:
            return any("--yes" in getattr(p, "opts", ()) for p in command.params)
    return False


class GuihuaGroup(click.Group):
    """The `guihua` group and its subgroups: every command gets GuihuaContext; every failure of a command is
    said once, here, in `invoke` (report_error); every message click would print in English (usage errors,
    「Aborted!」) is printed in Chinese instead, with the same exit code. Commands defined in other modules
    (`lazy_commands`: name → "module:attribute") are imported when named, so those modules can use this one's
    decorators without an import cycle."""

    context_class = GuihuaContext

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if cmd.context_class is click.Context:
            cmd.context_class = GuihuaContext
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            import importlib

            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise  # click's own: said in Chinese by main()
        except BaseException as exc:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
            report_error(exc)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        args = sys.argv[1:] if args is None else list(args)
        try:
            code = super().main(args, "guihua", complete_var, False, **extra)  # messages name `guihua`
        except click.ClickException as exc:
            say(f"错误：{chinese_usage_message(exc)}", err=True)
            ctx = getattr(exc, "ctx", None)
            if isinstance(exc, click.UsageError):
                path = ctx.command_path if ctx is not None else "guihua"
                say(f"用法见：{path} --help", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            advice = "；在脚本中运行时可加 --yes 跳过确认" if _has_yes_option(self, args) else ""
            say(f"\n已取消：没有得到确认（输入已结束或按了 Ctrl+C），没有做任何修改{advice}。", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - while the main group's own arguments were read
            report_error(exc)
        sys.exit(code if isinstance(code, int) else 0)


def _plan_key(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--plan: a number beyond any record's id is not found (rather than overflowing SQLite's integers)."""
    if value is not None and value.strip().isdigit() and int(value.strip()) > 2**63 - 1:
        raise NotFoundError(f"没有编号为 {value.strip()} 的规划。用 guihua plans 查看已导入的规划和编号。")
    return value


plan_option = click.option("--plan", "plan_key", metavar="NAME_OR_ID", callback=_plan_key,
                           help="规划名称或编号（默认：上次打开的规划）。")


def json_option(help_text: str = "以 JSON 输出。"):
    """--json on a command; the command receives it as `as_json`."""
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def with_database(command):
    """The command receives the database chosen by --db (open_db: opened once, bundled plan imported on first
    use) as its first argument, in place of the click context."""

    @click.pass_context
    @functools.wraps(command)
    def opened(ctx: click.Context, *args, **kwargs):
        return command(open_db(ctx), *args, **kwargs)

    return opened


@click.group(cls=GuihuaGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS, lazy_commands={
    "continue-plan": "tui.cli_plans:continue_plan_command",
    "indicator-proposals": "tui.cli_indicators:indicator_proposals",
    "report": "tui.cli_report:report_command",
})
@click.option(
    "--db",
    metavar="PATH",
    envvar="GUIHUA_DB",
    help="数据库文件路径，或服务器数据库地址 postgresql+psycopg://用户:密码@主机/库名（也可用环境变量 GUIHUA_DB）；默认在用户数据目录。",
)
@click.version_option(VERSION, "-V", "--version", prog_name="guihua", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """guihua（规划）：五年规划纲要实施跟踪助手。

    不带子命令时打开全屏界面，阅读、检索规划纲要。
    """
    if ctx.invoked_subcommand is None:
        check_utf8_terminal()
        from tui.app import run_app  # textual is imported only for the TUI

        # The TUI paints its frame first and opens the database in its first worker (SQLAlchemy's import alone
        # takes a quarter of a second), reads the plan there and only then settles the rest (older databases,
        # the start-up backup); an error doing so is raised again here once the terminal is restored.
        return_code = run_app(opener=partial(open_for_tui, db), settle=settle_for_tui)
        if return_code:
            sys.exit(return_code)


def _parse_period(ctx: click.Context, param: click.Parameter, value: str | None):
    """--period FIRST-TARGET → core.period.Period; a bad value is refused in Chinese before anything is read."""
    if value is None or not value.strip():
        return None
    from core.period import parse_period

    try:
        return parse_period(value)
    except ValueError as exc:
        raise UserInputError(f"--period：{exc}") from None


def _example_period() -> str:
    from datetime import date

    from core.period import period_containing

    return period_containing(date.today().year).text


def _example_year() -> int:
    """The year the date examples in the help texts use: this year."""
    from datetime import date

    return date.today().year


@main.command("import-plan")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", help="规划的简称（默认从标题推断）。同名规划会被替换。")
@click.option(
    "--period", metavar="起始年-目标年", callback=_parse_period,
    help=f"规划期，如 {_example_period()}（默认从规划标题或正文读出，如“第十五个五年规划”）。"
         "规划文本没有写明规划期时必须给出；读出的不对时用它更正。",
)
@with_database
def import_plan(database, file: Path, name: str | None, period) -> None:
    """导入规划纲要文件：Word（.docx）、PDF、网页（.html/.htm）或文本（.txt，UTF-8 或 GB18030）。

    按文件内容识别格式。旧版 .doc/.wps 请先在 Word 或 WPS 中“另存为 .docx”；扫描版 PDF 请先用 OCR 软件转换。

    含宏、带外部模板或已加密的文件会被拒绝，不导入任何内容。
    """
    from db.cli_views import plan_ref
    from importers.plan import import_plan_file

    backup_before(database, "import")
    result = import_plan_file(database, file, name=name, period=period)
    stored = plan_ref(database, result.plan_id).period
    action = "已替换" if result.replaced else "已导入"
    say(
        f"{action}规划「{result.name}」（编号 {result.plan_id}，规划期 {stored.label}，基期 {stored.base_year} 年）："
        f"{result.chapters} 章、{result.sections} 节、{result.paragraphs} 段、{result.footnotes} 条脚注。"
    )
    for warning in result.warnings:
        say(f"提示：{warning}", err=True)
    if result.indicator_proposals:
        click.echo(
            f"从规划的主要指标表读出 {result.indicator_proposals} 项指标，请核对后确认："
            f"guihua indicator-proposals --plan {result.plan_id}（或在界面中按 F9）。"
        )


@main.command("plans")
@json_option()
@with_database
def plans(database, as_json: bool) -> None:
    """列出已导入的规划。"""
    from db.cli_views import all_plans

    rows = all_plans(database)
    if as_json:
        echo_json([p.as_dict() for p in rows])
        return
    for p in rows:
        mark = "（内置）" if p.bundled else ""
        say(f"{p.id:>3}  {p.name}{mark}  {p.period.label}（基期 {p.period.base_year} 年）\n"
            f"     {p.title}  导入于 {local_time(p.imported_at):%Y-%m-%d %H:%M}")


@main.command("outline")
@plan_option
@json_option("以 JSON 输出完整结构（含段落与脚注）。")
@with_database
def outline_command(database, plan_key: str | None, as_json: bool) -> None:
    """显示规划的章节结构。"""
    from db.cli_views import plan_outline, plan_outline_json

    if as_json:
        echo_json(plan_outline_json(database, plan_key))
        return
    plan, nodes = plan_outline(database, plan_key)
    say(plan.title)
    kinds = {NodeKind.BOX: "专栏：", NodeKind.FIGURE: "图：", NodeKind.TABLE: "表："}

    def show(node, depth):
        # 「专栏3 …」 names itself
        prefix = "" if node.kind == NodeKind.BOX and node.number else kinds.get(node.kind, "")
        say("  " * depth + prefix + node.label)
        for child in node.children:
            show(child, depth + 1)

    for node in nodes:
        show(node, 0)


@main.command("search")
@click.argument("words", nargs=-1, required=True)
@plan_option
@json_option()
@click.option("--limit", default=200, show_default=True, type=click.IntRange(min=1), help="最多显示多少处。")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0),
              help="跳过前多少处（翻页：--offset 200 显示第 201 处起）。")
@with_database
def search_command(database, words: tuple[str, ...], plan_key: str | None, as_json: bool, limit: int,
                   offset: int) -> None:
    """全文检索规划（中文任意字词；多个词须同时出现）。全部出现处都计数，一次显示 --limit 处，用 --offset 翻页。"""
    from db.cli_views import search_plan

    query = " ".join(words)
    _, page = search_plan(database, plan_key, query, limit=limit, offset=offset)
    if as_json:
        echo_json(
            [
                {"location": h.location, "node_id": h.node_id, "block_id": h.block_id,
                 "footnote": h.footnote_number, "start": h.start, "end": h.end,
                 "context": "".join(h.context(30)), "text": h.text}
                for h in page.hits
            ]
        )
        return
    if not page.total:
        say(f"没有找到“{query}”。")
        sys.exit(1)
    for hit in page.hits:
        before, found, after = hit.context(24)
        where = hit.location + (f"（脚注{hit.footnote_number}）" if hit.footnote_number else "")
        click.echo(safe(f"{where}：{before}") + click.style(safe(found), fg="yellow", bold=True) + safe(after))
    click.echo(_search_summary(page.total, offset, len(page.hits)))


def _search_summary(total: int, offset: int, shown: int) -> str:
    """「共 2850 处，显示第 201—400 处（可用 --limit、--offset 翻页）。」"""
    if offset == 0 and shown == total:
        return f"共 {total} 处。"
    if not shown:
        return f"共 {total} 处；--offset {offset} 已超出，没有可显示的。"
    after = offset + shown
    more = f"下一页：--offset {after}" if after < total else "已是最后一页"
    return f"共 {total} 处，显示第 {offset + 1}—{after} 处（{more}；可用 --limit、--offset 翻页）。"


# ----------------------------------------------------------------------------------------------------------
# Indicators


def _number(value) -> str:
    return "" if value is None else format(value, "f")


@main.command("indicators")
@plan_option
@click.option("--year", type=int, help="按哪一年判断进度（默认：已有数据的最新年份）。")
@click.option("--text", "text_targets", is_flag=True, help="列出审核中采纳的文中量化指标，而不是主要指标。")
@json_option()
@with_database
def indicators_command(database, plan_key: str | None, year: int | None, text_targets: bool, as_json: bool) -> None:
    """列出主要指标（或 --text 文中量化指标）、各年实际值和进度状态。"""
    from db.cli_views import indicator_table
    from tui.cli_indicators import indicator_table_lines

    table = indicator_table(database, plan_key, year, text_targets=text_targets, every_year=as_json)
    if as_json:
        echo_json(table.as_json())
        return
    if not table.views:
        if text_targets:
            click.echo("还没有采纳的文中量化指标。用 guihua targets 查看找到的条目，guihua review accept 编号 采纳。")
        else:
            say(f"规划「{table.plan.name}」还没有指标。可用 guihua import-catalogue FILE 导入指标目录。")
        return
    # In a terminal the names are narrowed to fit its width; piped into a file or a program, the whole table.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo("\n".join(indicator_table_lines(table, text_targets, width)))


@main.command("set", context_settings={"ignore_unknown_options": True})  # a negative VALUE is not an option
@click.argument("indicator")
@click.argument("year", type=int)
@click.argument("value", required=False)
@click.option("--clear", is_flag=True, help="清除这一年的实际值（与 VALUE 写“—”相同）。")
@click.option("--force", is_flag=True, help="数值看起来有误（负数、与前后年份相差 5 倍以上）时仍然保存。")
@click.option("--note", help="备注。")
@click.option("--stage", help="数据阶段：初步核算 / 快报 / 年报 / 最终核实。")
@click.option("--source", help="数据来源。")
@click.option("--status", "manual", help="人工判断的状态，如“达到序时进度”“滞后”；写“无”取消人工判断。")
@click.option("--status-note", "manual_note", help="人工判断的说明。")
@plan_option
@with_database
def set_command(database, indicator, year, value, clear, force, note, stage, source, manual, manual_note,
                plan_key) -> None:
    """录入某指标某年的实际值（VALUE 写“—”或加 --clear 表示清除；空的 VALUE 不会清除，会报错）。

    也可只给出人工判断：guihua set 指标 年份 --status 达到序时进度 --status-note 说明。"""
    from db.cli_views import enter_year
    from db.indicators import parse_status, status_label

    judging = manual is not None or manual_note is not None
    value_given = value is not None or clear or not judging
    number = _set_value(value, clear) if value_given else None
    judgement: dict[str, str | None] = {}
    if manual is not None:
        judgement["manual_status"] = parse_status(manual)
    if manual_note is not None:
        judgement["manual_note"] = manual_note.strip()
    entry = enter_year(database, plan_key, indicator, year, number=number, value_given=value_given, force=force,
                       note=note, stage=stage, source=source, judgement=judgement, typed_value=value or "")
    view, old, edit, judged, status = entry.view, entry.old, entry.edit, entry.judged, entry.status
    if edit is not None:
        if not edit.changed:
            click.echo(f"{view.name} {year}年：数值未变（{_number(old) or '空'}），没有修改。")
        else:
            before = f"（原值 {_number(old)}）" if old is not None else ""
            shown = f"{_number(number)} {view.unit}".strip() if number is not None else "已清除"
            click.echo(f"已保存：{view.name} {year}年 = {shown}{before}")
    if judged is not None:
        if not judged.changed:
            click.echo(f"{view.name} {year}年：人工判断未变，没有修改。")
        elif entry.manual_status:
            words = status_label(entry.manual_status)
            note_words = f"（{entry.manual_note}）" if entry.manual_note else ""
            click.echo(f"已保存：{view.name} {year}年人工判断 = {words}{note_words}")
        else:
            click.echo(f"已保存：{view.name} {year}年不再人工判断")
    if edit is not None and not edit.changed and (judged is None or not judged.changed):
        return
    if status is not None:
        click.echo(f"进度：{status.label}。{status.explanation}")


def _set_value(value: str | None, clear: bool):
    """The number `set` records, or None to clear. An empty VALUE is refused: clearing is said out loud, with
    「—」 or --clear (the TUI asks before it clears)."""
    from core.targets import ValueParseError, parse_value

    if value is None or not value.strip():
        if clear:
            return None
        if value is None:
            raise UserInputError("没有保存：缺少数值。用法：guihua set 指标 年份 数值；要清除这一年的数值，"
                                 "数值写“—”或加 --clear。")
        raise UserInputError("没有保存：数值为空。要清除这一年的数值，请写“—”或加 --clear；"
                             "否则请填写数值（如 1234.5）。")
    try:
        number = parse_value(value)
    except ValueParseError as exc:
        raise UserInputError(f"没有保存：{exc.reason}。") from None
    if clear and number is not None:
        raise UserInputError(f"没有保存：--clear 表示清除，不能同时给出数值 {value.strip()}。")
    return number


@main.command("history")
@click.argument("indicator")
@plan_option
@json_option()
@with_database
def history_command(database, indicator, plan_key, as_json) -> None:
    """显示某指标的修改记录（谁、何时、从何处、原值 → 新值）。"""
    from db.cli_views import indicator_history

    view, entries = indicator_history(database, plan_key, indicator)
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if not entries:
        say(f"{view.name}：没有修改记录。")
        return
    origins = {"tui": "界面", "cli": "命令行", "import": "导入"}
    say(f"{view.name} 的修改记录（最新在前）：")
    for e in entries:
        year = f"{e.year}年" if e.year else ""
        undo = "（撤销）" if e.undo_of else ""
        undo += f"（来自 {e.source_file}）" if e.source_file else ""
        say(
            f"{local_time(e.changed_at):%Y-%m-%d %H:%M:%S}  {e.user}  {origins.get(e.origin, e.origin)}  "
            f"{year}{e.label}：{e.old_text} → {e.new_text}{undo}"
        )


@main.command("import-catalogue")
@click.argument("file", type=click.Path(path_type=Path))
@plan_option
@with_database
def import_catalogue_command(database, file: Path, plan_key) -> None:
    """导入指标目录（.xlsx 或 .csv：类别 | 指标 | 单位 | 基期年基数 | 目标年目标 | 年均增速 | 属性）。

    基数、目标两列的表头写本规划的基期年、目标年（如“2030年目标”），guihua plans 可查看各规划的规划期。"""
    from db.cli_views import plan_ref
    from importers.catalogue import import_catalogue_file

    plan = plan_ref(database, plan_key)
    backup_before(database, "import")
    imported = import_catalogue_file(database, plan.id, file)
    r = imported.result
    say(
        f"已导入指标目录到「{plan.name}」：新增 {r.added} 个、更新 {r.updated} 个、未变 {r.unchanged} 个；"
        f"{r.linked_to_text} 个指标关联到规划原文段落。"
    )


@main.command("export-catalogue")
@click.argument("file", type=click.Path(path_type=Path))
@plan_option
@with_database
def export_catalogue_command(database, file: Path, plan_key) -> None:
    """导出指标目录（.xlsx 或 .csv，格式与导入相同）。"""
    from db.cli_views import plan_ref
    from exports.catalogue import export_catalogue_file

    plan = plan_ref(database, plan_key)
    count = export_catalogue_file(database, plan.id, file)
    say(f"已导出 {count} 个指标到 {file}")


# ----------------------------------------------------------------------------------------------------------
# Backups and checks


@main.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_database
def backup_command(database, path: Path | None) -> None:
    """备份数据库（默认保存到数据库旁的“备份”文件夹）。"""
    from db.backup import backup_now

    saved = backup_now(database, "manual", target=path)
    click.echo(f"已备份到：{saved}")


def _sqlite_target(ctx: click.Context) -> Path:
    """The SQLite file chosen by --db / GUIHUA_DB / default, without opening it: backups, restore and check
    must work when the database is damaged, half-upgraded or missing."""
    from db.engine import is_server_url, resolve_target

    target = resolve_target(ctx.find_root().params.get("db"))
    if is_server_url(target):
        raise UserInputError("服务器数据库（PostgreSQL）由服务器管理员用 pg_dump 备份和恢复，见 docs/deploy.md。")
    return Path(target).expanduser()


@main.command("backups")
@json_option()
@click.pass_context
def backups_command(ctx, as_json: bool) -> None:
    """列出这个数据库的自动和手动备份（时间、原因、大小）。"""
    from db.backup import backup_folder, list_backups

    path = _sqlite_target(ctx)
    found = list_backups(path)
    if as_json:
        echo_json([{"path": str(b.path), "taken_at": b.taken_at.isoformat(), "reason": b.reason, "size": b.size}
                   for b in found])
        return
    if not found:
        click.echo(f"{path.name} 还没有备份（备份保存在 {backup_folder(path)}）。")
        return
    for b in found:
        click.echo(f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.reason_label:<4}  {b.size / 1024:>8.0f} KB  {b.path}")


@main.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="不询问，直接恢复。")
@click.pass_context
def restore_command(ctx, file: Path, yes: bool) -> None:
    """用备份文件恢复数据库（先检查备份文件，并先备份当前数据库；当前数据库损坏或不存在时也能恢复）。"""
    from db.backup import check_backup_file, restore_database

    path = _sqlite_target(ctx)
    check_backup_file(file)
    if not yes and not click.confirm(f"用 {file} 替换当前数据库 {path} 的全部内容？", default=False):
        click.echo("没有恢复。")
        return
    restored = restore_database(path, file)
    if restored.safety:
        click.echo(f"已恢复。恢复前的数据库已备份到：{restored.safety}")
    elif restored.damaged:
        click.echo(f"已恢复。原来的数据库文件已损坏，已另存为：{restored.damaged}（不能用来恢复，可交技术支持分析）")
    else:
        click.echo(f"已恢复：{path}（原来没有这个数据库文件）。")


@main.command("check")
@click.pass_context
def check_command(ctx) -> None:
    """检查数据库：完整性、外键、文字编码，以及 guihua 自己的一致性规则。"""
    from db.check import DAMAGE_CHECKS, check_file, run_checks
    from db.engine import is_server_url, resolve_target

    findings = None
    if not is_server_url(resolve_target(ctx.find_root().params.get("db"))):
        from db.backup import list_backups, restore_advice

        path = _sqlite_target(ctx)
        if not path.exists() or path.stat().st_size == 0:
            click.echo(f"数据库文件不存在或是空的：{path}")
            if list_backups(path):
                click.echo(restore_advice(path))
            sys.exit(1)
        findings = check_file(path)
        if all(f.ok for f in findings):
            findings = None  # healthy as a file: open it and run guihua's own rules as well
    if findings is None:
        findings = run_checks(open_db(ctx))
    for f in findings:
        mark = click.style("通过", fg="green") if f.ok else click.style("问题", fg="red", bold=True)
        click.echo(f"[{mark}] {f.check}：{f.detail}")
    failed = sum(not f.ok for f in findings)
    click.echo("全部检查通过。" if not failed else f"{failed} 项检查发现问题。")
    if failed:
        database = ctx.find_root().meta.get("database")
        if any(not f.ok and f.check in DAMAGE_CHECKS for f in findings) and (database is None or database.path):
            from db.backup import restore_advice

            click.echo(restore_advice(database.path if database is not None else _sqlite_target(ctx)))
        sys.exit(1)


# ----------------------------------------------------------------------------------------------------------
# The meeting pack


@main.command("export")
@plan_option
@click.option("--year", type=int, help="截至哪一年（默认：已有数据的最新年份）。")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="输出文件（默认：数据库旁的“导出”文件夹）。")
@click.option("--template", type=click.Path(path_type=Path), help="使用本单位的 Excel 模板（占位符见 docs/templates.md）。")
@click.option("--hide-empty-years", is_flag=True, help="隐藏还没有数据的年份列（打印时不出现）。")
@click.option("--charts/--no-charts", default=None,
              help="加（或不加）一张主要指标走势图，并记住：以后导出（含界面 Ctrl+E）相同。")
@click.option("--charts-per-page", type=click.Choice(["4", "2"]), default=None,
              help="走势图每页几张：4（A4 横向，默认）或 2（A4 纵向，图更大）；同样记住。")
@with_database
def export_command(database, plan_key, year, output, template, hide_empty_years, charts, charts_per_page) -> None:
    """导出会议用的监测表（主要指标、文中指标、重大项目、滞后事项、年度目标）。"""
    from db.cli_views import plan_ref
    from exports.meeting_pack import PackOptions, write_pack

    plan = plan_ref(database, plan_key)
    result = write_pack(database, plan.id, output=output, template=template,
                        options=PackOptions(year=year, hide_empty_years=hide_empty_years, charts=charts,
                                            charts_per_page=int(charts_per_page) if charts_per_page else None))
    if result.renamed:
        click.echo("提示：原文件正在被 Excel/WPS 打开，已另存为新文件名。", err=True)
    say(f"已导出 {len(result.sheets)} 张表（{'、'.join(result.sheets)}）到：\n{result.path}")


@main.command("export-template")
@click.argument("file", type=click.Path(path_type=Path))
@plan_option
@with_database
def export_template_command(database, file: Path, plan_key) -> None:
    """写出默认模板（年份列按所选规划的规划期），供本单位修改格式后用 --template 使用。"""
    from db.cli_views import plan_ref
    from exports.meeting_pack import write_default_template

    years = plan_ref(database, plan_key).period.years
    say(f"已写出默认模板：{write_default_template(file, years)}")


# ----------------------------------------------------------------------------------------------------------
# Projects, milestones, units and the review queue


@main.command("units")
@click.option("--add", "add_name", metavar="NAME", help="添加单位（与已有单位相近时会拒绝）。")
@click.option("--short", "short_name", default="", help="与 --add 同用：简称。")
@click.option("--kind", default="", help="与 --add 同用：类型（区级部门 / 园区 / 镇街 / 其他）。")
@click.option("--tidy", is_flag=True,
              help="把指标和项目中手写的单位名称（如“发改委”）统一为单位列表中的全称；拿不准的列出来，不改。")
@click.option("--dry-run", is_flag=True, help="与 --tidy 同用：只列出会改什么，不保存。")
@json_option()
@with_database
def units_command(database, add_name, short_name, kind, tidy, dry_run, as_json) -> None:
    """列出责任单位；--add 添加单位；--tidy 把手写的单位名称统一为单位列表中的名称。"""
    from db.cli_views import new_unit, unit_list

    if tidy:
        _tidy_units(database, dry_run, as_json)
        return
    if add_name:
        say(f"已添加单位：{new_unit(database, add_name, short_name, kind)}")
        return
    units = unit_list(database)
    if as_json:
        echo_json(units)
        return
    for u in units:
        say(f"{u['id']:>3}  {u['name']}" + (f"（{u['short_name']}）" if u["short_name"] else "")
            + (f"  {u['kind']}" if u["kind"] else ""))


def _tidy_units(database, dry_run: bool, as_json: bool) -> None:
    from db.cli_views import tidy_unit_names

    result = tidy_unit_names(database, apply=not dry_run)
    if as_json:
        echo_json({"applied": not dry_run, "fixed": [f.as_dict() for f in result.fixed],
                   "unsure": [d.as_dict() for d in result.unsure]})
        return
    kinds = {"indicator": "指标", "project": "项目"}
    fields = {"lead_unit": "牵头单位", "partner_units": "配合单位"}
    verb = "将改为" if dry_run else "已改为"
    for f in result.fixed:
        say(safe(f"{kinds[f.entity]}“{f.item}”的{fields[f.field]}：“{f.old}” {verb} “{f.new}”"))
    if result.unsure:
        say(f"以下 {len(result.unsure)} 处单位名称拿不准，没有改动。请规划办确定后在界面中从单位列表选择"
            "（主要指标上按 e 修改），新单位先用 guihua units --add 添加：")
        for d in result.unsure:
            say(safe(f"  {kinds[d.entity]}“{d.item}”的{fields[d.field]}“{d.name}”：{d.reason}"))
    done = f"{'将统一' if dry_run else '已统一'} {len(result.fixed)} 处单位名称" if result.fixed else "单位名称都已与单位列表一致"
    say(done + ("（试运行，没有保存）。" if dry_run and result.fixed else "。"))


def _project_line(p, today) -> str:
    late = "  已过计划完成时间" if p.finish_overdue(today) else "  有逾期里程碑"
    overdue = click.style(late, fg="red", bold=True) if p.overdue(today) else ""
    stage = p.stage or "未填形象进度"
    unit = p.lead_unit or "未定牵头单位"
    return safe(f"{p.id:>4}  {p.title}  [{stage}] {unit}  里程碑 {p.done_count}/{p.counted}") + overdue


@main.command("projects")
@plan_option
@click.option("--unit", "unit_name", help="只看某牵头或配合单位的项目。")
@click.option("--overdue", is_flag=True, help="只看逾期的项目（有逾期里程碑，或无里程碑且已过计划完成时间）。")
@json_option()
@with_database
def projects_command(database, plan_key, unit_name, overdue, as_json) -> None:
    """列出跟踪中的项目（按章节分组）。"""
    from db.cli_views import plan_projects
    from db.projects import today

    now_day = today()
    projects = plan_projects(database, plan_key, unit_name)
    if overdue:
        projects = [p for p in projects if p.overdue(now_day)]
    if as_json:
        echo_json([p.as_dict(now_day) for p in projects])
        return
    if not projects:
        click.echo("没有符合条件的项目。在界面的“审核”中采纳规划文本里找到的项目，或用 guihua review 采纳。")
        return
    from collections import Counter

    counts = Counter(p.chapter for p in projects)
    lines, chapter = [], None
    for p in projects:  # in the plan's reading order
        if p.chapter != chapter:
            chapter = p.chapter
            lines.append(click.style(safe(f"{chapter or '（未归章节）'}（{counts[chapter]} 个）"), bold=True))
        lines.append(_project_line(p, now_day))
    click.echo("\n".join(lines))


@main.group("milestone", cls=GuihuaGroup)
def milestone_group() -> None:
    """项目里程碑：list 列出、add 添加、done 标记完成。"""


@milestone_group.command("list")
@click.argument("project")
@plan_option
@json_option()
@with_database
def milestones_command(database, project, plan_key, as_json) -> None:
    """列出某项目的里程碑。"""
    from db.cli_views import plan_project
    from db.projects import today

    now_day = today()
    p = plan_project(database, plan_key, project)
    if as_json:
        echo_json(p.as_dict(now_day)["milestones"])
        return
    click.echo(_project_line(p, now_day))
    if not p.milestones:
        click.echo("  还没有里程碑。用 guihua milestone add 添加。")
    for m in p.milestones:
        due = m.due.label if m.due else "未定时间"
        done = f"  完成于 {m.done_date:%Y-%m-%d}" if m.done_date else ""
        late = click.style("  逾期", fg="red", bold=True) if m.overdue(now_day) else ""
        note = safe(f"  备注：{m.note}") if m.note else ""
        click.echo(safe(f"  {m.id:>4}  {m.title}  {due}  {m.status}{done}") + late + note)


@milestone_group.command("add")
@click.argument("project")
@click.argument("title")
@click.option("--due", default="", help="计划时间：{y}-06-30、{y}-06、{y}Q2、{y}年上半年 或 {y}。".format(y=_example_year()))
@click.option("--note", default="", help="备注。")
@plan_option
@with_database
def milestone_add_command(database, project, title, due, note, plan_key) -> None:
    """给项目添加里程碑。"""
    from db.cli_views import add_project_milestone

    p = add_project_milestone(database, plan_key, project, title, due, note)
    say(f"已添加里程碑：{p.title} — {title}")


def _done_day(ctx: click.Context, param: click.Parameter, value: str | None):
    """--date: the day a milestone was done (default today), read before anything is opened."""
    from core.schedule import parse_day
    from core.targets import ValueParseError
    from db.projects import today

    try:
        return parse_day(value) if value else today()
    except ValueParseError as exc:
        raise UserInputError(f"完成日期：{exc.reason}。") from None


@milestone_group.command("done")
@click.argument("project")
@click.argument("milestone")
@click.option("--date", "done_date", callback=_done_day, help=f"完成日期（默认今天），如 {_example_year()}-06-28。")
@plan_option
@with_database
def milestone_done_command(database, project, milestone, done_date, plan_key) -> None:
    """把里程碑标记为已完成。"""
    from db.cli_views import complete_milestone

    p, m = complete_milestone(database, plan_key, project, milestone, done_date)
    say(f"已完成：{p.title} — {m.title}（{done_date:%Y-%m-%d}）")


def hidden_alias(command: click.Command, name: str) -> click.Command:
    """The same command under its old name, left out of --help: old spellings keep working for a release."""
    import copy

    alias = copy.copy(command)
    alias.name, alias.hidden = name, True
    return alias


for _old_name, _command in (("milestones", milestones_command), ("milestone-add", milestone_add_command),
                            ("milestone-done", milestone_done_command)):
    main.add_command(hidden_alias(_command, _old_name))


@main.command("targets")
@plan_option
@click.option("--status", type=click.Choice([status.value for status in ProposalStatus]),
              help="只看某审核状态。")
@click.option("--projects", "kind", flag_value=ProposalKind.PROJECT.value,
              help="列出找到的项目，而不是量化指标。")
@json_option()
@with_database
def targets_command(database, plan_key, status, kind, as_json) -> None:
    """列出从规划文本中找到的量化指标（或 --projects 项目）及其审核状态。"""
    from db.cli_views import plan_proposals
    from db.projects import PROPOSAL_STATUSES

    items = plan_proposals(database, plan_key, kind or ProposalKind.TARGET, status)
    if as_json:
        echo_json([p.as_dict() for p in items])
        return
    chapter = None
    for p in items:
        if p.chapter != chapter:
            chapter = p.chapter
            click.echo(click.style(safe(chapter or "（未归章节）"), bold=True))
        same = f"  （疑与主要指标“{p.data['same_as_main']}”重复）" if p.data.get("same_as_main") else ""
        say(f"{p.id:>4}  [{PROPOSAL_STATUSES[p.status]}] {p.label}{same}\n        「{p.text}」")
    counts = {s: sum(p.status == s for p in items) for s in PROPOSAL_STATUSES}
    click.echo("共 {} 条：".format(len(items)) + "，".join(f"{PROPOSAL_STATUSES[s]} {n}" for s, n in counts.items() if n))


@main.group("review", cls=GuihuaGroup)
def review_group() -> None:
    """审核找到的条目：accept 采纳（成为文中指标或项目）、reject 舍弃、reopen 退回待审核。"""


def _review(database, action: str, ids: tuple[int, ...]) -> None:
    from db.cli_views import review_proposals

    done = {"reject": "已舍弃 {}", "reopen": "已退回待审核 {}"}
    for proposal_id, result in review_proposals(database, action, list(ids)):
        click.echo(f"已采纳 {proposal_id}（编号 {result}）" if action == "accept" else done[action].format(proposal_id))


for _action, _help in (("accept", "采纳条目（成为文中指标或项目）。"), ("reject", "舍弃条目。"),
                       ("reopen", "把条目退回待审核。")):

    @review_group.command(_action, help=_help)
    @click.argument("ids", nargs=-1, type=int, required=True)
    @with_database
    def _review_command(database, ids, _action=_action) -> None:
        _review(database, _action, ids)


# ----------------------------------------------------------------------------------------------------------
# Fill-in forms


@main.command("forms")
@click.option("--year", type=int, required=True, help="填报哪一年的数据。")
@click.option("--unit", "unit_names", multiple=True, metavar="UNIT",
              help="只生成某单位的表（可重复）；写“未定牵头单位”生成尚未确定牵头单位的事项表。")
@click.option("--output", type=click.Path(path_type=Path, file_okay=False),
              help="保存到哪个文件夹（默认：数据库所在文件夹下的“填报表”）。")
@click.option("--password", metavar="PASSWORD",
              help="工作表保护密码（英文字母、数字和符号，最多 15 个字符），并记住它，以后生成填报表（含界面中）同样使用。"
                   "保护只防误改，不是加密。")
@click.option("--no-password", "no_password", is_flag=True, help="工作表保护不设密码，并取消记住的密码。")
@plan_option
@with_database
def forms_command(database, year, unit_names, output, password, no_password, plan_key) -> None:
    """生成各牵头单位的年度数据填报表（每个单位一个 .xlsx，含指标和未完成的项目里程碑）。

    各工作表设有保护（只能填白色单元格）；用 --password 设的密码保存在数据库中，以后生成时同样使用。"""
    from db.cli_views import plan_ref
    from exports.forms import NO_UNIT, check_password, save_password, write_forms

    if password is not None and no_password:
        raise UserInputError("--password 和 --no-password 只能选一个。")
    if password is not None:
        check_password(password)
    plan = plan_ref(database, plan_key)
    written = write_forms(database, plan.id, year, units=list(unit_names) or None, output_dir=output,
                          password=password, use_stored_password=not no_password)
    if password is not None or no_password:
        save_password(database, password)
    for form in written:
        parts = [f"指标 {form.indicators} 项" if form.indicators else "", f"里程碑 {form.milestones} 项" if form.milestones else ""]
        renamed = "（同名文件正在使用，已另存为新文件名）" if form.renamed else ""
        click.echo(f"已生成：{form.path}（{form.unit}：{'、'.join(p for p in parts if p)}）{renamed}")
    unassigned = next((f for f in written if f.unassigned), None)
    if unassigned is not None:
        what = "、".join(p for p in (f"{unassigned.indicators} 项指标" if unassigned.indicators else "",
                                     f"{unassigned.milestones} 个里程碑" if unassigned.milestones else "") if p)
        click.echo(f"提示：{what}尚未确定牵头单位，已放入「{NO_UNIT}」表。请在 guihua 中设定牵头单位后重新生成，"
                   "或把该表转交相关单位填报。", err=True)
    if password is not None:
        click.echo("工作表保护：已设密码，并已记住（以后生成的填报表同样使用；取消用 --no-password）。")
    elif written[0].password:
        click.echo("工作表保护：使用已记住的密码（更改用 --password，取消用 --no-password）。")
    else:
        click.echo("工作表保护：无密码，只防误改（设密码用 --password）。")
    click.echo(f"共 {len(written)} 个文件，保存在 {written[0].path.parent}。各单位填好发回后，用 guihua import-forms 导入。")


FORMS_CLASH_ACTION = "几份表给同一项填了不同的数值，都不导入，--overwrite-conflicts 也不覆盖；核实后单独导入正确的那一份"


def _echo_form_review(form, overwrite_conflicts: bool, force: bool = False) -> None:
    where = f"（{form.unit}，{form.year}年）" if form.year else ""
    click.echo(click.style(f"「{form.name}」{where}", bold=True))
    if form.refused:
        click.echo(click.style(f"  问题 {len(form.problems)} 处，本文件不导入（其他文件不受影响）：", fg="red"))
        for problem in form.problems:
            click.echo(f"    {problem.text()}")
        return
    if form.changes:
        click.echo(f"  修改 {len(form.changes)} 处：")
        for change in form.changes:
            click.echo(f"    {change.text()}")
    if form.conflicts:
        action = "将按表中数值覆盖" if overwrite_conflicts else "不导入；确认表中数值无误可加 --overwrite-conflicts 覆盖"
        click.echo(click.style(f"  冲突 {len(form.conflicts)} 处（下发后 guihua 中的数值已被修改，{action}）：", fg="yellow"))
        for change in form.conflicts:
            click.echo(f"    {change.text()}")
    if form.doubtful:
        action = "已确认，将导入" if force else "不导入；核实无误可加 --force 导入"
        click.echo(click.style(f"  数值存疑 {len(form.doubtful)} 处（负数，或与前后年份相差 5 倍以上，{action}）：",
                               fg="yellow"))
        for change in form.doubtful:
            click.echo(f"    {change.text()}")
    if form.clashes:
        click.echo(click.style(f"  与其他填报表不一致 {len(form.clashes)} 处（{FORMS_CLASH_ACTION}）：", fg="red"))
        for change in form.clashes:
            click.echo(f"    {change.text()}")
    if not form.changes and not form.conflicts and not form.clashes and not form.doubtful:
        click.echo("  没有修改。")
    if form.unchanged:
        click.echo(f"  与 guihua 一致或未改动 {form.unchanged} 处。")


@main.command("import-forms")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查并列出修改，不写入任何内容。")
@click.option("--overwrite-conflicts", is_flag=True, help="下发后 guihua 中已被修改的数值，也用表中的数值覆盖（默认跳过）。")
@click.option("--force", is_flag=True, help="数值看起来有误（负数、与前后年份相差 5 倍以上）时仍然导入。")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="不再询问，直接导入。")
@click.option("--year", type=int, help="只接受这一年的填报表。")
@plan_option
@with_database
def import_forms_command(database, paths, dry_run, overwrite_conflicts, force, assume_yes, year, plan_key) -> None:
    """导入各单位发回的填报表（文件或文件夹）：先检查全部单元格并列出修改，确认后逐个文件导入。

    有问题的文件整份不导入；下发后 guihua 中已被修改的数值视为冲突，默认不覆盖；几份表给同一项填了不同的数值时，
    这几处都不导入。导入后逐个文件说明导入了什么、跳过了什么和原因。"""
    from db.cli_views import plan_ref
    from importers.forms import apply_forms, read_forms

    plan_id = plan_ref(database, plan_key).id if plan_key else None
    review = read_forms(database, paths, plan_id=plan_id, year=year)
    if not review.files:
        raise UserInputError("没有找到填报表：请给出 .xlsx 文件，或存放填报表的文件夹。")
    for form in review.files:
        _echo_form_review(form, overwrite_conflicts, force)
    pending = len(review.pending(overwrite_conflicts=overwrite_conflicts, accept_doubtful=force))
    files = review.pending_files(overwrite_conflicts=overwrite_conflicts, accept_doubtful=force)
    refused = review.refused
    skipped = "将覆盖" if overwrite_conflicts else "跳过"
    clashes = f"与其他填报表不一致 {len(review.clashes)} 处（不导入）；" if review.clashes else ""
    doubtful = len(review.doubtful) + len(review.doubtful_conflicts)
    doubts = f"数值存疑 {doubtful} 处（{'将导入' if force else '跳过，核实无误可加 --force'}）；" if doubtful else ""
    click.echo(f"合计：可导入 {pending} 处修改（{files} 个文件）；冲突 {len(review.conflicts)} 处（{skipped}）；"
               f"{doubts}{clashes}拒绝 {len(refused)} 个文件。")
    exit_code = 2 if refused or review.clashes else 0
    if dry_run:
        click.echo("试运行（--dry-run）：没有写入任何内容。")
        _echo_clash_advice(review.files)
        sys.exit(exit_code)
    if not pending:
        click.echo("没有需要导入的修改。")
        _echo_clash_advice(review.files)
        sys.exit(exit_code)
    if not assume_yes:
        held = f"（与其他填报表不一致的 {len(review.clashes)} 处不导入）" if review.clashes else ""
        try:
            confirmed = click.confirm(f"导入以上 {pending} 处修改{held}？", default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            click.echo("已取消，没有导入任何内容。")
            sys.exit(1)
    backup_before(database, "import")
    result = apply_forms(database, review, overwrite_conflicts=overwrite_conflicts, accept_doubtful=force)
    click.echo(click.style("导入结果：", bold=True))
    for outcome in result.files:
        trouble = outcome.error or outcome.problems
        click.echo(f"  {outcome.text()}", err=bool(trouble))
        for change in outcome.skipped:
            click.echo(f"    跳过：{change.text()}")
    clashing = [f for f in result.files if f.skipped_clashes]
    if clashing:
        _echo_clash_advice(clashing)
    if refused or result.failed:
        names = "、".join([f.name for f in refused] + [f.name for f in result.failed])
        click.echo(f"以下文件没有导入：{names}。请按上面列出的问题修改后重新发回。", err=True)
    if refused or result.failed or clashing:
        sys.exit(2)


def _echo_clash_advice(files) -> None:
    """Forms that disagree: nothing of the disagreement came in; say how to settle it."""
    names = [f.name for f in files if getattr(f, "clashes", None) or getattr(f, "skipped_clashes", None)]
    if names:
        click.echo(f"{'、'.join(f'「{n}」' for n in names)}给同一项填了不同的数值，这几处没有导入。请与填报单位核实，"
                   "再单独导入正确的那一份（guihua import-forms 该文件）。", err=True)


# ----------------------------------------------------------------------------------------------------------
# Server database


@main.command("user")
@click.option("--name", help="用户名（默认：当前用户，即 GUIHUA_USER 或登录名）。")
@click.option("--unit", "unit_name", metavar="UNIT", help="把该用户绑定到一个单位：只看、只改该单位牵头的事项。")
@click.option("--office", is_flag=True, help="解除该用户的单位绑定（科室角色：看全部、改全部）。")
@json_option()
@with_database
def user_command(database, name: str | None, unit_name: str | None, office: bool, as_json: bool) -> None:
    """用户与单位：不带选项时列出当前用户和全部已绑定单位的用户；--unit 绑定，--office 解除绑定。"""
    from db.cli_views import bind_user, user_info

    if unit_name and office:
        raise UserInputError("--unit 和 --office 只能选一个。")
    if unit_name:
        who, unit, _ = bind_user(database, name, unit_name)
        say(f"已把用户“{who}”绑定到“{unit}”：该用户只看、只改“{unit}”牵头的指标和项目。")
        return
    if office:
        who, _, had = bind_user(database, name, None)
        say(f"已解除用户“{who}”与“{had}”的绑定，该用户可看、可改全部事项。" if had
            else f"用户“{who}”没有绑定单位，可看、可改全部事项。")
        return
    info = user_info(database, name)
    who, mine, bound = info.user, info.unit, info.bound
    if as_json:
        echo_json(info.as_dict())
        return
    say(f"当前用户：{who}（{'只看、只改“' + mine + '”牵头的事项' if mine else '科室角色，看全部、改全部'}）")
    if bound:
        click.echo("已绑定单位的用户：")
        for user, unit in sorted(bound.items()):
            say(f"  {user}  →  {unit}")
    else:
        click.echo("还没有用户绑定到单位。用 guihua user --name 张三 --unit 教育局 绑定。")


@main.command("migrate-db")
@click.option("--to", "target", required=True, metavar="URL",
              help="PostgreSQL 数据库地址：postgresql+psycopg://用户名:密码@服务器地址/数据库名（须是空数据库）。")
@click.pass_context
def migrate_db_command(ctx, target: str) -> None:
    """把当前的 SQLite 数据库（--db）整体复制到 PostgreSQL 服务器上的空数据库。

    全部数据逐行复制并保留编号，修改记录、撤销和各项关联都不受影响；在一个事务中完成，
    复制后核对每张表的行数，不一致则整体撤回。本机数据库不会被改动。"""
    from db.engine import is_server_url, resolve_target
    from db.transfer import copy_to_server

    source = resolve_target(ctx.find_root().params.get("db"))
    if not is_server_url(source) and not Path(source).expanduser().exists():
        raise UserInputError(f"要复制的数据库文件不存在：{source}\n请用 --db 指定现有的 guihua 数据库文件。")
    database = open_db(ctx)
    click.echo(f"正在复制 {database.target} …", err=True)
    result = copy_to_server(database, target, progress=lambda table, n: click.echo(f"  {table}：{n} 行", err=True))
    click.echo(f"已复制到 {result.target}：{len(result.counts)} 张表，共 {result.total} 行，行数核对一致。")
    click.echo("今后请用这个地址打开：guihua --db 数据库地址，或设置环境变量 GUIHUA_DB（见 docs/deploy.md）。")


# CPython's cyclic garbage collector, at its default thresholds (700, 10, 10), walks the objects the imports
# created (SQLAlchemy's alone are hundreds of thousands) over and over while a command builds thousands of rows:
# a quarter of `export`'s time at district scale (docs/benchmarks.md). Nearly all that guihua allocates is freed
# by reference counting; the collector still runs, a hundred times less often (peak memory unchanged, measured).
GC_THRESHOLDS = (50_000, 20, 20)


def run() -> None:
    """The `guihua` command (pyproject's entry point): `main`, in a process tuned for it."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        main()
    finally:
        # The interpreter's exit walks every object once more for cycles before the memory goes back to the
        # system anyway: 0.13 s after `indicators --json` at district scale. Frozen objects are left out of it;
        # the database is closed and the output flushed by then, and exit handlers still run.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
