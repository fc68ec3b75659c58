"""What every official table guihua writes has in common: fonts and sizes set in one place, borders,
CJK-aware column widths, A4 landscape fitted to the page width with header rows repeated, text that can
never turn into a formula, and a safe way to put the file on disk.

openpyxl is imported inside functions (and by callers) so that importing this module stays cheap.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from core.errors import UserInputError


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


def display_width(text: str) -> int:
    """Columns a text needs: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def set_text(cell, value) -> None:
    """Store user or imported text as text, never as a formula (=…, +…, -…, @… stay literal)."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


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
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def save_workbook(workbook, path: Path) -> tuple[Path, bool]:
    """Write to a temporary file and rename, so a crash never leaves half a workbook. If the target is open in
    Excel/WPS (locked on Windows) or otherwise not replaceable, write under a new name instead.
    Returns (where it was written, whether that is a new name)."""
    path = Path(path)
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserInputError(f"无法创建文件夹 {path.parent}：{exc.strerror or exc}") from None
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    try:
        workbook.save(temporary)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if getattr(exc, "errno", None) == 28:
            raise UserInputError(f"磁盘空间不足，无法写入 {path}。请清理磁盘后重试。") from None
        raise UserInputError(f"无法写入 {path.parent}：{exc.strerror or exc}（请检查文件夹权限）。") from None
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
            temporary.unlink(missing_ok=True)
            raise UserInputError(f"无法写入 {target}：{exc.strerror or exc}") from None
    temporary.unlink(missing_ok=True)
    raise UserInputError(f"无法写入 {path}：文件被占用，且无法使用其他文件名。")


def is_open_elsewhere(path: Path) -> bool:
    """Excel/WPS leave 「~$name.xlsx」 beside an open workbook, LibreOffice 「.~lock.name.xlsx#」."""
    return (path.with_name(f"~${path.name}")).exists() or (path.with_name(f".~lock.{path.name}#")).exists()


def today_text(day: date | None = None) -> str:
    day = day or date.today()
    return f"{day.year}年{day.month}月{day.day}日"
