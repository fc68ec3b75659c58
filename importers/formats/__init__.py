"""Readers for the files a plan arrives in: plain text, Word (.docx), PDF and web pages (.html/.htm).

Each reader says what the file says and never decides structure: PDF, HTML and text give plain text (one line
per printed or displayed line), Word gives `core.plan_text.SourceLine`s (one per paragraph or table row, with
the style hints Word keeps). The parser in `core.plan_text` finds the chapters. Which reader runs is decided by
the file's content (its magic bytes) first and its name second, so a PDF saved as 「规划.txt」 is still read as a
PDF, and a Word file renamed to .pdf is refused with a message saying so.

Errors are `UserInputError`s naming the file, saying what is wrong and what to do; nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from core.errors import UserInputError
from core.plan_text import SourceLine, source_lines_text

MB = 1024 * 1024
# Largest file of each format guihua reads. A plan's text is ~250,000 characters: ~0.8 MB as text or HTML,
# 0.1-5 MB as .docx (more with pictures), 1-10 MB as PDF (more with maps and photos).
MAX_BYTES = {"text": 20 * MB, "html": 20 * MB, "docx": 60 * MB, "pdf": 120 * MB}
MAX_CHARS = 5_000_000  # characters a reader may produce: 20 plans' worth

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
WORD_SUFFIXES = {".docx", ".dotx"}
MACRO_SUFFIXES = {".docm", ".dotm"}
OLD_WORD_SUFFIXES = {".doc", ".dot", ".wps", ".wpt"}
SPREADSHEET_SUFFIXES = {".et", ".xls", ".xlsx", ".xlsm", ".ett"}
OTHER_DOCUMENT_SUFFIXES = {".odt", ".rtf", ".pages", ".ofd", ".ceb", ".caj", ".mht", ".mhtml"}
SUPPORTED = "Word 文件（.docx）、PDF、网页（.html/.htm）或文本文件（.txt）"


@dataclass
class PlanSource:
    """What a reader found in a file: `text` (PDF, HTML, text) or `lines` (Word), and the format label stored
    with the plan (`Plan.encoding`): 「utf-8」/「gb18030」… for text, 「docx」, 「pdf」, 「html:gb18030」…"""

    format: str
    encoding: str
    text: str | None = None
    lines: list[SourceLine] | None = None

    def as_text(self) -> str:
        """The text the plan's line numbers refer to."""
        if self.lines is not None:
            return source_lines_text(self.lines)
        return self.text or ""


def _suffix(source_name: str) -> str:
    return PurePath(source_name).suffix.lower()


def sniff(head: bytes, source_name: str) -> str:
    """The format to read a file as: 「pdf」, 「zip」 (Word or another Office file), 「ole2」 (old Office or a
    password-protected one), 「rtf」, 「html」 or 「text」. Content wins over the name."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _suffix(source_name) in HTML_SUFFIXES or looks_like_html(head):
        return "html"
    return "text"


def looks_like_html(head: bytes) -> bool:
    """Markup from the first byte (a plan's text never starts with 「<」) and an html, head or body tag."""
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        sample = sample.decode("utf-16", "replace").encode("utf-8", "replace")
    sample = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith(b"<") and any(tag in sample for tag in (b"<html", b"<head", b"<body"))


def size_limit(head: bytes, source_name: str) -> tuple[str, int]:
    """The format the file will be read as (for messages) and the largest size accepted for it."""
    kind = sniff(head, source_name)
    if kind == "zip" or (kind in ("ole2", "rtf")):
        return "Word 文件", MAX_BYTES["docx"]
    if kind == "pdf":
        return "PDF", MAX_BYTES["pdf"]
    if kind == "html":
        return "网页", MAX_BYTES["html"]
    return "文本文件", MAX_BYTES["text"]


def refuse_by_name(source_name: str) -> None:
    """Formats guihua does not read, told by the name alone (their content is checked later too)."""
    suffix = _suffix(source_name)
    if suffix in OLD_WORD_SUFFIXES:
        raise UserInputError(
            f"{source_name}：这是旧版 Word/WPS 文档（{suffix}），guihua 不直接读取。"
            "请在 Word 或 WPS 中打开它，“另存为 .docx”（Word 文档）后再导入。没有导入任何内容。"
        )
    if suffix in MACRO_SUFFIXES:
        raise UserInputError(
            f"{source_name}：这是启用了宏的 Word 文件（{suffix}），guihua 不读取含宏的文件（宏不会运行）。"
            "请在 Word 中“另存为 .docx”（Word 文档，不含宏）后再导入。没有导入任何内容。"
        )
    if suffix in SPREADSHEET_SUFFIXES:
        raise UserInputError(
            f"{source_name}：这是电子表格（{suffix}），不是规划文本。规划请导入 {SUPPORTED}；"
            "指标目录请用“导入指标目录”（guihua import-catalogue）。没有导入任何内容。"
        )
    if suffix in (".mht", ".mhtml"):
        raise UserInputError(
            f"{source_name}：这是“单个文件网页”（{suffix}），guihua 不读取。请在浏览器中把规划网页“另存为 → 网页，仅 HTML”"
            "（.html），或下载规划的 Word/PDF 文件后再导入。没有导入任何内容。"
        )
    if suffix in OTHER_DOCUMENT_SUFFIXES:
        raise UserInputError(
            f"{source_name}：guihua 不读取 {suffix} 格式。请在 Word 或 WPS 中打开它，“另存为 .docx”后再导入"
            f"（可导入 {SUPPORTED}）。没有导入任何内容。"
        )


def read_plan_source(data: bytes, source_name: str) -> PlanSource:
    """Read a plan file's bytes with the reader its content calls for. Raises UserInputError naming the file."""
    refuse_by_name(source_name)
    suffix = _suffix(source_name)
    kind = sniff(data[:4096], source_name)
    if kind == "pdf":
        _check_size(data, source_name, "pdf")
        from importers.formats.pdf import read_pdf

        return read_pdf(data, source_name)
    if kind == "zip":
        _check_size(data, source_name, "docx")
        from importers.formats.docx import read_docx

        return read_docx(data, source_name)
    if kind == "ole2":
        raise UserInputError(
            f"{source_name}：这是旧版 Word/WPS 文档（.doc/.wps），或设置了打开密码的 Word 文件，guihua 不读取。"
            "请在 Word 或 WPS 中打开它（有密码的先取消密码），“另存为 .docx”后再导入。没有导入任何内容。"
        )
    if kind == "rtf":
        raise UserInputError(
            f"{source_name}：这是 RTF 格式的文档，guihua 不读取。请在 Word 或 WPS 中打开它，“另存为 .docx”后再导入。"
            "没有导入任何内容。"
        )
    if suffix == ".pdf":
        raise UserInputError(
            f"{source_name}：文件扩展名是 .pdf，但内容不是 PDF（文件可能已损坏、没有下载完整或被改名）。"
            "请重新获取规划的 PDF 文件后再导入。没有导入任何内容。"
        )
    if suffix in WORD_SUFFIXES:
        raise UserInputError(
            f"{source_name}：这不是有效的 Word 文件（.docx 应是压缩包格式，这个文件不是；可能已损坏或被改名）。"
            "请在 Word 或 WPS 中打开原文件，“另存为 .docx”后再导入。没有导入任何内容。"
        )
    if kind == "html":
        _check_size(data, source_name, "html")
        from importers.formats.html import read_html

        return read_html(data, source_name)
    _check_size(data, source_name, "text")
    from importers.formats.text import read_text

    return read_text(data, source_name)


def _check_size(data: bytes, source_name: str, kind: str) -> None:
    limit = MAX_BYTES[kind]
    if len(data) > limit:
        label = {"pdf": "PDF", "docx": "Word 文件", "html": "网页", "text": "文本文件"}[kind]
        raise UserInputError(too_large_message(source_name, len(data), label, limit))


def too_large_message(source_name: str, size: int, label: str, limit: int) -> str:
    return (
        f"{source_name}：文件太大（{size / MB:.0f} MB），超过{label}的上限 {limit // MB} MB，不像是一份规划，已拒绝。"
        "规划的 Word 或 PDF 文件一般只有几 MB；如果文件里有大量图片，请另存一份不含图片的版本再导入。没有导入任何内容。"
    )


def check_chars(text_length: int, source_name: str) -> None:
    if text_length > MAX_CHARS:
        raise UserInputError(
            f"{source_name}：文件中的文字超过 {MAX_CHARS // 10000} 万字，远多于一份规划，已拒绝。没有导入任何内容。"
        )

