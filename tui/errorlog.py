"""The log file for unexpected errors: the traceback goes there, the user sees where."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path


def log_path() -> Path:
    from platformdirs import user_log_path

    return user_log_path("guihua", appauthor=False) / "guihua.log"


def log_unexpected(exc: BaseException, path: Path | None = None) -> Path | None:
    """Append the traceback to the log file; returns its path (None if even that failed)."""
    return log_report("".join(traceback.format_exception(exc)), path)


def log_report(report: str, path: Path | None = None) -> Path | None:
    """Append a formatted traceback (also what Textual printed for an unhandled exception) to the log file;
    returns its path (None if even that failed)."""
    path = path or log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(logging.Formatter().formatTime(logging.makeLogRecord({})) + " 未预期的错误\n")
            handle.write(report.rstrip() + "\n\n")
        return path
    except OSError:
        return None


def unexpected_message(exc: BaseException, where: Path | None) -> str:
    return fatal_message(type(exc).__name__, where)


def fatal_message(exception_name: str, where: Path | None) -> str:
    detail = f"详细信息已写入日志：{where}" if where else "（日志文件也无法写入）"
    return f"错误：发生了未预期的问题（{exception_name}）。{detail}\n请把日志文件发给技术支持。"
