"""What every official table guihua writes has in common: fonts and sizes set in one place, borders,
CJK-aware column widths, A4 landscape fitted to the page width with header rows repeated, text that can
never turn into a formula or hold a character Excel's format cannot (core.text_hygiene), and a safe way to put
the file on disk: the whole file is made in memory, written beside the target and renamed over it, so a full
disk or a crash never leaves half a file or a temporary one behind.

openpyxl is imported inside functions (and by callers) so that importing this module stays cheap.
"""

from __future__ import annotations

import errno
import io
import os
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from core.errors import UserInputError
from core.text_hygiene import clean_text, printable_for_terminal


@dataclass(frozen=True)
class Fonts:
    """Fonts of an official table (GB/T 9704 practice). Where a font is missing, Excel, WPS and LibreOffice
    substitute one; the fallbacks below are what every Chinese Windows has."""

    title: str = "方正小标宋简体"
    heading: str = "黑体"
    body: str = "仿宋_GB2312"
    title_size: float = 18
    heading_size: float = 11
    body_size: float = 11
    note_size: float = 10

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> "Fonts":
        """Override from app settings such as {"export.font.title": "宋体", "export.size.body": "12"}."""
        fonts = cls()
        for key, value in settings.items():
            if not value:
                continue
            if key.startswith("export.font.") and key[12:] in ("title", "heading", "body"):
                fonts = replace(fonts, **{key[12:]: value})
            elif key.startswith("export.size.") and key[12:] in ("title", "heading", "body", "note"):
                try:
                    fonts = replace(fonts, **{f"{key[12:]}_size": float(value)})
                except ValueError:
                    continue
        return fonts


STATUS_FILLS = {
    # code -> (fill colour, font colour): readable in colour and in black-and-white print
    "achieved": ("C6EFCE", "006100"),
    "ahead": ("C6EFCE", "006100"),
    "on_track": ("E2EFDA", "375623"),
    "behind": ("FFEB9C", "9C5700"),
    "at_risk": ("FFC7CE", "9C0006"),
    "no_data": ("F2F2F2", "595959"),
    "manual": ("DDEBF7", "1F4E78"),
}


class _CharacterWidths(dict):
    """Character -> columns (CJK and full-width: two), looked up in unicodedata once per character: a pack
    measures 10⁵ texts, and summing map(dict lookup) runs without a Python step per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_CHARACTER_WIDTHS = _CharacterWidths()


def display_width(text: str) -> int:
    """Columns a text needs: CJK and full-width characters count two."""
    text = str(text)
    if text.isascii():  # figures and Latin text: one column each, without a lookup per character
        return len(text)
    return sum(map(_CHARACTER_WIDTHS.__getitem__, text))


_CELL_TEXT_LIMIT = 32767  # characters a cell holds; openpyxl cuts longer text there


def set_text(cell, value) -> None:
    """Store user or imported text as text, never as a formula (=…, +…, -…, @… stay literal), without the
    control characters a workbook cannot hold (the last line of defence: stored text is cleaned on input)."""
    # What cell.value = text does for a str, minus its search for the characters clean_text has just removed
    # (openpyxl's ILLEGAL_CHARACTERS_RE is a subset of them): 10⁵ cells in a district-scale pack.
    cell._value = "" if value is None else clean_text(str(value), multiline=True)[:_CELL_TEXT_LIMIT]
    cell.data_type = "s"


@contextmanager
def explained_cell_errors(what: str):
    """Around filling a workbook: a text openpyxl still refuses (a character Excel's format cannot hold, in a
    cell written some other way than set_text) becomes a Chinese message naming the text, not a crash."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    try:
        yield
    except IllegalCharacterError as exc:
        raise illegal_character_error(exc, what) from None


def illegal_character_error(exc: Exception, what: str) -> UserInputError:
    """openpyxl's IllegalCharacterError ("<text> cannot be used in worksheets.") said in Chinese, naming the
    text with its control characters made visible."""
    text = str(exc.args[0]) if exc.args else ""
    text = text.removesuffix(" cannot be used in worksheets.")
    shown = printable_for_terminal(text if len(text) <= 60 else text[:60] + "…")
    return UserInputError(
        f"{what}没有完成：“{shown}”中含有 Excel 表格不能保存的控制字符（显示为 ␂ 等符号）。"
        "请在 guihua 中修改这一项（删去这些字符）后重新导出。没有写入任何文件。"
    )


def thin_border():
    from openpyxl.styles import Border, Side

    side = Side(style="thin", color="000000")
    return Border(left=side, right=side, top=side, bottom=side)


def font(name: str, size: float, bold: bool = False, color: str | None = None):
    from openpyxl.styles import Font

    return Font(name=name, size=size, bold=bold, color=color)


def fit_columns(sheet, widths: dict[int, int], minimum: int = 6, maximum: int = 40) -> None:
    """Set column widths from the widest text per column (wrapped text beyond `maximum`)."""
    from openpyxl.utils import get_column_letter

    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(minimum, min(maximum, width + 2))


def print_setup(sheet, header_rows: str, landscape: bool = True) -> None:
    """A4, landscape, all columns on one page width, header rows repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = header_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = 0.6
    sheet.page_margins.bottom = 0.8  # room for the footer below the table
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _write_plain_cell(xf, worksheet, cell, styled=None) -> None:
    """openpyxl's cell writer for the cells guihua writes (text, numbers, empty styled cells), producing the same
    bytes: openpyxl builds an ElementTree element per cell and serialises it through et_xmlfile's namespace-aware
    writer, which was most of the time spent saving a district-scale pack. Anything else (formulas, dates, rich
    text, hyperlinks) goes to openpyxl's own writer."""
    value = cell._value
    data_type = cell.data_type
    if cell.hyperlink or not (data_type == "n" or (data_type == "s" and isinstance(value, str))):
        _openpyxl_write_cell(xf, worksheet, cell, styled)
        return
    if styled:
        # cell.style_id hashes the cell's StyleArray in Python, twice; a sheet has a handful of looks. The ids are
        # the workbook's list of looks, which a save only appends to: kept for the one sheet being written.
        style_ids = getattr(xf, "guihua_style_ids", None)
        if style_ids is None:
            style_ids = xf.guihua_style_ids = {}
        look = cell._style.tobytes()
        style_id = style_ids.get(look)
        if style_id is None:
            style_id = style_ids[look] = cell.style_id
        start = f'<c r="{cell.coordinate}" s="{style_id}"'
    else:
        start = f'<c r="{cell.coordinate}"'
    start += ' t="inlineStr"' if data_type == "s" else ' t="n"'
    if value is None or value == "":
        xf._file(start + " />")
    elif data_type == "s":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        xf._file(f"{start}><is><t{space}>{_escape_cdata(value)}</t></is></c>")
    else:
        number = _escape_cdata(_safe_string(value))  # "" for NaN and infinity, an empty <v /> as openpyxl writes
        xf._file(f"{start}><v>{number}</v></c>" if number else f"{start}><v /></c>")


def _use_plain_cell_writer() -> None:
    """Install _write_plain_cell where openpyxl's worksheet writer looks its cell writer up. Only with the standard
    library writer (exports/__init__ switches lxml off); reading is not touched."""
    global _openpyxl_write_cell, _escape_cdata, _safe_string
    import openpyxl
    from openpyxl.worksheet import _writer

    if openpyxl.LXML or _writer.write_cell is _write_plain_cell:
        return
    from xml.etree.ElementTree import _escape_cdata

    # openpyxl's writer from its own module, which is never patched: two threads saving at once get it alike
    from openpyxl.cell._writer import write_cell as _openpyxl_write_cell
    from openpyxl.compat import safe_string as _safe_string

    _writer.write_cell = _write_plain_cell


def workbook_bytes(workbook, what: str = "导出") -> bytes:
    """The .xlsx file's bytes, made in memory: openpyxl writing straight to disk leaves an unclosed zip file
    behind when the disk fills, whose clean-up later prints a traceback."""
    _use_plain_cell_writer()
    buffer = io.BytesIO()
    with explained_cell_errors(what):
        workbook.save(buffer)
    return buffer.getvalue()


def no_space(exc: OSError) -> bool:
    return getattr(exc, "errno", None) in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def disk_full(path: Path) -> UserInputError:
    """E06 for a file guihua writes (the temporary file is already gone when this is raised)."""
    return UserInputError(f"磁盘空间不足，无法写入 {path}。请清理磁盘后重试；没有留下写了一半的文件。")


OS_REASONS = {
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENOENT: "文件夹不存在", errno.ENOTDIR: "路径中有一部分不是文件夹", errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长", errno.ENOSPC: "磁盘空间不足", errno.EIO: "磁盘读写出错",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be written, in Chinese (the OS says it in English)."""
    return OS_REASONS.get(getattr(exc, "errno", None), exc.strerror or str(exc))


def write_temporary(data: bytes, temporary: Path, path: Path) -> None:
    """Write `data` to `temporary` (beside `path`) and make it durable; on any failure remove it and raise
    UserInputError saying why (full disk, no permission …) in Chinese."""
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        _remove(temporary)
        if no_space(exc):
            raise disk_full(path) from None
        if isinstance(exc, FileNotFoundError):
            raise UserInputError(f"无法写入 {path}：文件夹不存在。") from None
        raise UserInputError(f"无法写入 {path.parent}：{os_reason(exc)}（请检查文件夹权限）。") from None


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # nothing more can be done; the next save uses the same name and replaces it


STALE_AFTER_SECONDS = 600  # a save takes seconds; an older temporary is what a killed guihua left behind


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Temporaries that an earlier save of this file left when it was killed (「.name.PID.tmp…」), older than
    STALE_AFTER_SECONDS. Their age, not their PID, tells: a PID says nothing on another machine sharing the
    folder, and Windows cannot probe one cheaply."""
    import time

    removed = []
    now = time.time()
    try:
        candidates = list(path.parent.glob(f".{path.stem}.*.tmp*")) + list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return removed
    for leftover in set(candidates):
        try:
            if now - leftover.stat().st_mtime > STALE_AFTER_SECONDS:
                leftover.unlink()
                removed.append(leftover)
        except OSError:
            pass
    return removed


def save_bytes(data: bytes, path: Path) -> None:
    """Put a whole file on disk safely: written beside the target, then renamed over it. Errors are
    UserInputErrors in Chinese; no temporary file is left behind."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    remove_stale_temporaries(path)
    write_temporary(data, temporary, path)
    try:
        os.replace(temporary, path)
    except OSError as exc:
        _remove(temporary)
        if isinstance(exc, IsADirectoryError) or path.is_dir():
            raise UserInputError(f"无法写入 {path}：这是一个文件夹，请给出文件名。") from None
        if isinstance(exc, PermissionError):
            raise UserInputError(f"无法写入 {path}：文件可能正在 Excel/WPS 中打开，或没有写入权限。") from None
        if no_space(exc):
            raise disk_full(path) from None
        raise UserInputError(f"无法写入 {path}：{os_reason(exc)}") from None


def save_workbook(workbook, path: Path, what: str = "导出") -> tuple[Path, bool]:
    """Write to a temporary file and rename, so a crash never leaves half a workbook. If the target is open in
    Excel/WPS (locked on Windows) or otherwise not replaceable, write under a new name instead.
    Returns (where it was written, whether that is a new name)."""
    path = Path(path)
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if no_space(exc):
                raise UserInputError(f"磁盘空间不足，无法创建文件夹 {path.parent}。请清理磁盘后重试。") from None
            raise UserInputError(f"无法创建文件夹 {path.parent}：{os_reason(exc)}") from None
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    try:
        data = workbook_bytes(workbook, what)
    except OSError as exc:  # not from a BytesIO; kept for whatever else openpyxl may touch
        if no_space(exc):
            raise disk_full(path) from None
        raise UserInputError(f"无法写入 {path.parent}：{os_reason(exc)}（请检查文件夹权限）。") from None
    remove_stale_temporaries(path)
    write_temporary(data, temporary, path)
    for attempt in range(0, 100):
        target = path if attempt == 0 else path.with_name(f"{path.stem}({attempt}){path.suffix}")
        if attempt and target.exists():
            continue
        if is_open_elsewhere(target):
            continue  # replacing a workbook someone has open would lose their view (and fails on Windows)
        try:
            os.replace(temporary, target)
            return target, attempt > 0
        except PermissionError:
            continue  # the file is open in Excel/WPS: try the next free name
        except OSError as exc:
            _remove(temporary)
            if no_space(exc):
                raise disk_full(target) from None
            raise UserInputError(f"无法写入 {target}：{os_reason(exc)}") from None
    _remove(temporary)
    raise UserInputError(f"无法写入 {path}：文件被占用，且无法使用其他文件名。")


def is_open_elsewhere(path: Path) -> bool:
    """Excel/WPS leave 「~$name.xlsx」 beside an open workbook, LibreOffice 「.~lock.name.xlsx#」."""
    return (path.with_name(f"~${path.name}")).exists() or (path.with_name(f".~lock.{path.name}#")).exists()


def today_text(day: date | None = None) -> str:
    day = day or date.today()
    return f"{day.year}年{day.month}月{day.day}日"
