"""A web page saved from a government site (.html/.htm): its visible text, one line per block.

The standard library's html.parser reads it (it never fetches anything and knows no DTDs). Scripts, styles,
navigation, headers, footers, asides, forms and hidden elements are dropped; block elements and <br> end lines;
the cells of a table row are joined with four spaces onto one line. Everything else is kept: the navigation
text a portal puts around the plan is left for the parser, which finds where the plan starts.

The charset comes from a BOM, then <meta charset> / http-equiv / an XML declaration, then a guess (UTF-8, else
GB18030). GB2312 and GBK are read as GB18030, their superset: portals declare GB2312 and use GBK characters.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from core.errors import UserInputError

from importers.formats import PlanSource, check_chars

SKIPPED = {
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "math",
    "iframe", "object", "embed", "select", "button", "head", "title", "canvas", "audio", "video", "map",
}
BLOCKS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "blockquote", "pre", "center", "address", "figure", "figcaption", "caption", "hr", "table", "body",
    "html", "fieldset", "legend", "details", "summary", "tbody", "thead", "tfoot",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
           "utf8": "utf-8", "unicode": "utf-8", "big5": "big5hkscs"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def decode_html(data: bytes, source_name: str) -> tuple[str, str]:
    """(text, charset) of an HTML file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    declared = None
    head = data[:8192]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match:
        name = match.group(1).decode("ascii", "ignore").lower()
        name = ALIASES.get(name, name)
        try:
            declared = codecs.lookup(name).name
        except LookupError:
            declared = None
    for candidate in [c for c in (declared, "utf-8", "gb18030") if c]:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    # A few bad bytes in a long page are no reason to refuse it: replace them.
    charset = declared or "gb18030"
    return data.decode(charset, "replace"), charset


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_stack: list[str] = []  # open elements whose content is dropped
        self.pre = 0
        self.row: list[str] | None = None  # cells of the table row being read
        self.cell: list[str] | None = None
        self.cell_stack: list[tuple[list[str] | None, list[str] | None]] = []  # rows of outer tables

    # -- output ---------------------------------------------------------------------------------------

    def _text(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.current.append(text)

    def _break(self) -> None:
        if self.cell is not None:
            self.cell.append("\n")
            return
        line = "".join(self.current)
        self.current = []
        for piece in line.split("\n"):
            piece = piece.strip(" \t\r\f\v")
            if piece.strip():
                self.lines.append(piece)

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            text = "".join(self.cell)
            text = re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v\n]*", "\n", text).strip()
            self.row.append(text)
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            cells = [re.sub(r"\s*\n\s*", "", c).strip() for c in self.row]
            if any(cells):
                line = "    ".join(c or "—" for c in cells)
                if self.cell_stack and self.cell_stack[-1][1] is not None:
                    self.cell_stack[-1][1].append(line + "\n")  # a nested table: flattened into its cell
                else:
                    self._break()
                    self.lines.append(line)
        self.row = None

    # -- parser callbacks -----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "body":
            self.skip_stack.clear()  # a <head> left open ends where the body starts
        if self.skip_stack:
            if tag not in VOID:
                self.skip_stack.append(tag)
            return
        hidden = "hidden" in attributes or _HIDDEN_STYLE.search(attributes.get("style") or "") or (
            attributes.get("aria-hidden") == "true"
        )
        if tag in SKIPPED or (hidden and tag not in VOID):
            if tag not in VOID:
                self.skip_stack.append(tag)
            return
        if tag == "br":
            self._break()
        elif tag == "pre":
            self._break()
            self.pre += 1
        elif tag == "table":
            self._end_pending_row_text()
            self.cell_stack.append((self.row, self.cell))
            self.row, self.cell = None, None
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            if self.row is None:
                self.row = []
            self._end_cell()
            self.cell = []
        elif tag in BLOCKS:
            self._break()

    def _end_pending_row_text(self) -> None:
        if self.cell is None:
            self._break()

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.skip_stack and self.skip_stack[-1] == tag:
            self.skip_stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skip_stack:
            if tag in self.skip_stack:
                # Close up to the matching element (browsers forgive missing end tags inside it).
                while self.skip_stack:
                    if self.skip_stack.pop() == tag:
                        break
            return
        if tag == "pre":
            self._break()
            self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            if self.cell_stack:
                self.row, self.cell = self.cell_stack.pop()
            self._break()
        elif tag in BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip_stack:
            return
        if self.pre:
            self._text(data)
        else:
            self._text(_ASCII_SPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        while self.cell_stack:
            self._end_row()
            self.row, self.cell = self.cell_stack.pop()
        self._end_row()
        self._break()


def html_text(html: str) -> str:
    """The visible text of a page, one line per block or table row."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "\n".join(extractor.lines)


def read_html(data: bytes, source_name: str) -> PlanSource:
    if not data.strip():
        raise UserInputError(f"{source_name}：文件是空的，没有导入任何内容。")
    markup, charset = decode_html(data, source_name)
    text = html_text(markup)
    check_chars(len(text), source_name)
    if not text.strip():
        raise UserInputError(
            f"{source_name}：这个网页里没有文字（可能是只有脚本的页面）。请在浏览器中打开规划全文所在的网页，"
            "等正文显示后再“另存为 → 网页，仅 HTML”，或下载规划的 Word/PDF 文件后再导入。没有导入任何内容。"
        )
    return PlanSource("html", f"html:{charset}", text=text)
