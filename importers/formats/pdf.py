"""PDF: the text layer, one text line per printed line, pages in order, like the seed plan's text.

pdfminer.six reads the characters and their positions (its layout analysis is not used: it splits a line
wherever a quote mark is set in another font, and orders boxes badly). Lines are rebuilt here the way
pdfplumber does it: characters whose vertical spans overlap form a line (a raised footnote marker joins the line
it belongs to), ordered left to right, with a space where a gap of more than a third of an em separates
characters. Each page's lines run top to bottom (plans are set in one column).

Between pages there is a page-number line the parser understands: the page's own (「— 12 —」, 「- 3 -」, or a
bare 「12」 in the footer, written as 「— 12 —」), else 「— N —」 with the page's index. Lines repeated at the top
or bottom of most pages (running heads) are dropped. Rotated characters (watermarks such as 「征求意见稿」 set
diagonally) are left out.

Refused with a message: a scanned PDF (no text layer), one whose fonts carry no character codes, a PDF that
needs a password to open, and a damaged one. A PDF with only an owner password (restrictions on copying or
printing, opening with an empty user password) is read: guihua only reads its text, as any viewer does.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from core.errors import UserInputError
from core.plan_text import PAGE_NUMBER_RE

from importers.formats import MAX_CHARS, PlanSource, check_chars

MAX_PAGES = 3000
_SCANNED_HINT = (
    "这个 PDF 是扫描件，没有文字层（页面只是图片），guihua 无法从中读出文字。"
    "请找到规划的 Word 文件或文字版 PDF，或先用 OCR 软件（文字识别）把它转换成带文字的 PDF 或 Word 后再导入。"
)
_BARE_NUMBER = re.compile(r"^[-—–－~～\s]*(\d{1,4}|[IVXLCivxlc]{1,6})[-—–－~～\s]*$")
_CID = re.compile(r"\(cid:\d+\)")


def _refuse(source_name: str, problem: str) -> UserInputError:
    return UserInputError(f"{source_name}：{problem}没有导入任何内容。")


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float


@dataclass
class _Line:
    text: str
    top: float  # distance from the page's top edge
    bottom: float
    x0: float


def _chars(layout, out: list[_Char]) -> None:
    from pdfminer.layout import LTChar

    for item in layout:
        if isinstance(item, LTChar):
            if not item.upright:
                continue
            text = item.get_text()
            if text and not text.isspace():
                out.append(_Char(text, item.x0, item.x1, item.y0, item.y1, item.size or (item.y1 - item.y0)))
            elif text == " ":
                out.append(_Char(" ", item.x0, item.x1, item.y0, item.y1, item.size or (item.y1 - item.y0)))
        elif hasattr(item, "__iter__"):
            _chars(item, out)


def _page_lines(chars: list[_Char], height: float) -> list[_Line]:
    """Characters to lines: vertical overlap groups, top to bottom, each read left to right."""
    chars = [c for c in chars if c.y1 > c.y0]
    chars.sort(key=lambda c: (-(c.y0 + c.y1) / 2, c.x0))
    groups: list[list] = []  # [low, high, chars]
    for char in chars:
        middle = (char.y0 + char.y1) / 2
        group = groups[-1] if groups else None
        if group is not None and group[0] <= middle <= group[1]:
            group[2].append(char)
            if char.y1 - char.y0 > group[1] - group[0]:
                group[0], group[1] = char.y0, char.y1  # the tallest character defines the line
            continue
        # Out of order (a subscript, a table cell set lower): look back a few lines before starting a new one.
        for other in groups[-4:-1]:
            if other[0] <= middle <= other[1]:
                other[2].append(char)
                break
        else:
            groups.append([char.y0, char.y1, [char]])
    lines = []
    for low, high, members in groups:
        members.sort(key=lambda c: c.x0)
        parts: list[str] = []
        previous = None
        for char in members:
            if previous is not None:
                gap = char.x0 - previous.x1
                em = max(char.size, previous.size, 1.0)
                if char.text == " " or (parts and parts[-1].endswith(" ")):
                    pass
                elif gap > 2.0 * em:
                    parts.append("    ")  # a column gap: table cells
                elif gap > 0.3 * em:
                    parts.append(" ")
            if char.text == " " and (not parts or parts[-1].endswith(" ")):
                previous = char
                continue
            parts.append(char.text)
            previous = char
        text = "".join(parts).strip()
        if text:
            lines.append(_Line(text, height - high, height - low, members[0].x0))
    lines.sort(key=lambda line: line.top)
    return lines


def _is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER_RE.match(text.strip()))


def _furniture(line: _Line, height: float) -> bool:
    return line.top < 0.1 * height or line.bottom > 0.9 * height


def _normalise_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip())


def pdf_pages(data: bytes, source_name: str) -> list[list[str]]:
    """Each page's lines in reading order (page furniture already resolved)."""
    # pdfminer logs what it repairs in a damaged file ("Data-loss while decompressing…"): not for the user.
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return _pdf_pages(data, source_name)
    finally:
        logger.setLevel(level)


def _pdf_pages(data: bytes, source_name: str) -> list[list[str]]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser, password="")
    except PDFPasswordIncorrect:
        raise _refuse(
            source_name,
            "这个 PDF 设置了打开密码，guihua 无法读取。请向发文单位索取不加密的版本，或在 PDF 阅读器中输入密码后"
            "“另存为”（或打印为）不加密的 PDF 再导入。",
        ) from None
    except PDFEncryptionError:
        raise _refuse(source_name, "这个 PDF 使用了 guihua 不支持的加密方式，无法读取。请索取不加密的版本再导入。") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError):
        raise _corrupt(source_name) from None
    except Exception:  # noqa: BLE001 - pdfminer raises many things on a broken file
        raise _corrupt(source_name) from None

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[tuple[list[_Line], float]] = []
    total = 0
    try:
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            if number > MAX_PAGES:
                raise _refuse(source_name, f"这个 PDF 超过 {MAX_PAGES} 页，不像是一份规划，已拒绝。")
            interpreter.process_page(page)
            layout = device.get_result()
            chars: list[_Char] = []
            _chars(layout, chars)
            height = layout.height or (layout.y1 - layout.y0) or 842.0
            lines = _page_lines(chars, height)
            total += sum(len(line.text) for line in lines)
            if total > MAX_CHARS:
                check_chars(total, source_name)
            pages.append((lines, height))
    except UserInputError:
        raise
    except RecursionError:
        raise _corrupt(source_name) from None
    except Exception:  # noqa: BLE001 - pdfminer raises many things on a broken file
        raise _corrupt(source_name) from None
    if not pages:
        raise _corrupt(source_name)
    return _resolve_furniture(pages, source_name)


def _corrupt(source_name: str) -> UserInputError:
    return _refuse(
        source_name,
        "这个 PDF 已损坏或格式不完整（可能没有下载完整），guihua 无法读取。请重新下载，或在 PDF 阅读器中打开后"
        "“另存为”一份再导入；也可以改用规划的 Word 文件。",
    )


def _resolve_furniture(pages: list[tuple[list[_Line], float]], source_name: str) -> list[list[str]]:
    """Running heads dropped, page numbers made readable, and the text layer checked."""
    with_text = [lines for lines, _ in pages if sum(len(line.text) for line in lines if not _is_page_number(line.text)) >= 10]
    if len(with_text) < max(1, 0.1 * len(pages)):
        raise _refuse(source_name, _SCANNED_HINT)
    all_text = "".join(line.text for lines, _ in pages for line in lines)
    if all_text and len(_CID.findall(all_text)) * 8 > len(all_text):
        raise _refuse(
            source_name,
            "这个 PDF 的字体没有文字编码（复制出来是乱码），guihua 无法读出文字。请找到规划的 Word 文件或其他文字版 PDF，"
            "或用 OCR 软件（文字识别）转换后再导入。",
        )
    # Running heads and feet: the same text (numbers aside) at the top or bottom of most pages.
    counts: Counter[str] = Counter()
    for lines, height in pages:
        seen = {
            _normalise_key(line.text) for line in lines
            if _furniture(line, height) and not _is_page_number(line.text) and not _BARE_NUMBER.match(line.text)
        }
        counts.update(seen)
    threshold = max(3, int(0.6 * len(pages)))
    running = {key for key, count in counts.items() if count >= threshold}
    result: list[list[str]] = []
    for lines, height in pages:
        texts: list[str] = []
        for index, line in enumerate(lines):
            if _furniture(line, height) and _normalise_key(line.text) in running and not _BARE_NUMBER.match(line.text):
                continue
            text = line.text
            edge = index == 0 or index == len(lines) - 1
            bare = _BARE_NUMBER.match(text)
            in_margin = line.top < 0.08 * height or line.bottom > 0.92 * height
            if edge and bare and in_margin and not _is_page_number(text):
                text = f"— {bare.group(1)} —"  # a bare number in the margin is the page number
            texts.append(text)
        result.append(texts)
    return result


def pdf_text(pages: list[list[str]]) -> str:
    """Pages joined, with a page-number line between every two pages."""
    out: list[str] = []
    for number, lines in enumerate(pages, start=1):
        if out and not _is_page_number(out[-1]) and not (lines and _is_page_number(lines[0])):
            out.append(f"— {number - 1} —")
        out.extend(lines)
    return "\n".join(out)


def read_pdf(data: bytes, source_name: str) -> PlanSource:
    pages = pdf_pages(data, source_name)
    return PlanSource("pdf", "pdf", text=pdf_text(pages))
