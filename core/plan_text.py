"""Segment a plan's text (usually extracted from a PDF) into chapters, sections, boxes and paragraphs.

The input is what PDF extraction leaves behind: hard-wrapped lines, page numbers and footnote bodies in the
middle of sentences, a leading space on the first line of every page, superscript footnote markers glued to
words or standing on lines of their own. Nothing here does I/O; `parse_plan` takes text and returns a tree.

Paragraph boundaries are judged from line widths measured in em (a CJK character is 1 em, ASCII half):
the indent that opened each paragraph was lost in extraction, so a paragraph ends where a line stops short
of the column, or where the next line starts short (the lost indent) or with a list marker.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol
from statistics import median

from core.errors import UserInputError
from core.kinds import BlockKind, NodeKind
from core.text_hygiene import clean_plan_text
from core.plan_outline import TocEntry, analyse, squash

CN_NUM = "一二三四五六七八九十百零〇两"
FRONT_HEADING_RE = re.compile(r"^(序\s*言|前\s*言|序|引\s*言|导\s*言)$")
BOX_RE = re.compile(r"^专栏\s*(\d*)\s*[：:]?\s*(.+)$")
FIGURE_RE = re.compile(r"^图\s*(\d*)\s*[：:]\s*(.+)$|^图\s*(\d+)\s+(.+)$")
TABLE_TITLE_RE = re.compile(r"(主要指标|指标表|指标体系)$|^表\s*\d+\s*[：:]?\s*\S")
SUBHEADING_RE = re.compile(rf"^([{CN_NUM}]+、|（[{CN_NUM}]+）|\([{CN_NUM}]+\))")
# 「— 12 —」, 「- 3 -」, 「·3·」, 「第 3 页 共 50 页」, 「3/50」, and the Roman numbers of front-matter pages (「IV」).
PAGE_NUMBER_RE = re.compile(
    r"^[－\-—–~～·•]\s*\d{1,4}\s*[－\-—–~～·•]$|^第\s*\d{1,4}\s*页(\s*共\s*\d+\s*页)?$|^\d{1,4}\s*/\s*\d{1,4}$"
    r"|^[IVXLⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,5}$|^[ivxl]{1,5}$"
)
DRAFT_RE = re.compile(r"^[（(]\s*(草\s*案|征求意见稿|送审稿)\s*[)）]$")
LIST_START_RE = re.compile(r"^(——|—|[-•·●○■□◆◇▪]\s*|\d+[.、．]\s*\S|[（(]\d+[)）])")
# A short "lead sentence" opening a paragraph: 「综合实力持续攀升。」
LEAD_SENTENCE_RE = re.compile(r"^[^，。；：、！？,;:]{2,16}。")

TERMINAL = "。！？；：!?;:"
CLOSERS = "”’」』）)》】"
SENTENCE_PUNCT = set("，。；：、！？,;:!?")
UNIT_AFTER_NUMBER = set("个家项亿万千百元年月日%％.．、所条名人次倍座期批类号位届度项场套台辆吨米km")


def em_width(text: str) -> float:
    """Printed width in em: wide and ambiguous (CJK quotes) characters 1, others 0.5."""
    if text.isascii():
        return len(text) * 0.5
    return sum(map(_char_em, text))


_EM_CACHE: dict[str, float] = {}


def _char_em(ch: str) -> float:
    width = _EM_CACHE.get(ch)
    if width is None:  # a plan uses a few thousand distinct characters: look each up once
        width = _EM_CACHE[ch] = 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5
    return width



def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


@dataclass
class Block:
    """A run of text inside a node: paragraph, lead_in, subheading, box_group, box_item, fragment, table_cell."""

    kind: str
    text: str
    line_start: int
    line_end: int
    # (footnote number, character offset in text where the marker stands)
    markers: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Node:
    """front, part, chapter, section, box, figure or table; `items` holds blocks and child nodes in order."""

    kind: str
    number: str | None
    title: str
    line_start: int
    line_end: int
    items: list["Block | Node"] = field(default_factory=list)

    @property
    def children(self) -> list["Node"]:
        return [item for item in self.items if isinstance(item, Node)]

    @property
    def blocks(self) -> list[Block]:
        return [item for item in self.items if isinstance(item, Block)]

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == BlockKind.PARAGRAPH]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Footnote:
    number: int
    text: str
    line_start: int
    line_end: int


@dataclass
class ParsedPlan:
    title: str
    nodes: list[Node]
    footnotes: list[Footnote]
    warnings: list[str] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)  # the table of contents, kept aside from the tree

    def walk(self):
        for node in self.nodes:
            yield from node.walk()

    def chapters(self) -> list[Node]:
        return [n for n in self.walk() if n.kind == NodeKind.CHAPTER]

    def sections(self) -> list[Node]:
        return [n for n in self.walk() if n.kind == NodeKind.SECTION]


@dataclass
class SourceLine:
    """One line (a paragraph, a heading, a table row) as a file-format reader sees it, with the hints that
    format can give. Readers only say what the file says; the structure passes here decide what is a chapter.
    A hint is evidence, not proof: drafters misuse Word styles, and many files have none."""

    text: str
    heading_level: int | None = None  # outline level from a Word heading style or outline level (1 = top)
    bold: bool = False
    centred: bool = False
    page_break_before: bool = False
    cells: list[str] | None = None  # a row of a real table: its cells in order (text is then ignored)


class NotAPlanError(UserInputError):
    """The text has no recognisable plan structure (no chapters)."""


# ----------------------------------------------------------------------------------------------------------
# Lines


@dataclass
class Line:
    number: int  # 1-based line number in the source text
    text: str  # stripped of surrounding white space
    page_break: bool  # first line of a page: leading space in PDF extraction, or after a page number
    blank_before: bool  # a meaningful blank line precedes it (only in texts that are not double-spaced)
    indent: bool  # starts with a paragraph indent (two or more spaces or an ideographic space)
    width: float = 0.0
    narrow: bool = False  # set beside a figure: the column around it is much narrower than the body
    raw: str = ""  # the line with its inner spacing kept (cell separators, a TOC's page-number gap)
    hint: "SourceLine | None" = None  # what a Word file said about this paragraph (style level, bold, centred)

    @property
    def starts_list_item(self) -> bool:
        return bool(LIST_START_RE.match(self.text) or SUBHEADING_RE.match(self.text))


_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


_HALF_WIDTH_PUNCT_RE = re.compile(rf"(?<=[{_CJK}”）])\s*([,;:?!])\s*|\s*([,;:?!])\s*(?=[{_CJK}“（])")
_FINAL_DOT_RE = re.compile(rf"(?<=[{_CJK}])\s*\.$")
_SPACE_AFTER_OPENER_RE = re.compile(r"([“‘《（「『])\s+")
_SPACE_BEFORE_CLOSER_RE = re.compile(r"\s+([”’》）」』])")
_SPACE_BEFORE_OPENER_RE = re.compile(rf"(?<=[{_CJK}，。；：、])\s+(?=[“‘《（「『])")
_SPACE_AFTER_CLOSER_RE = re.compile(rf"(?<=[”’》）」』])\s+(?=[{_CJK}，。；：、！？])")
_HALF_WIDTH_PUNCT = frozenset(",;:?!.")


def normalise_punctuation(text: str) -> str:
    """Half-width punctuation touching Chinese becomes full-width; spaces just inside quotes and brackets go."""
    if not _HALF_WIDTH_PUNCT.isdisjoint(text):
        text = _HALF_WIDTH_PUNCT_RE.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
        text = _FINAL_DOT_RE.sub("。", text)
    if " " in text or not text.isprintable():  # the rest only removes whitespace
        text = _SPACE_AFTER_OPENER_RE.sub(r"\1", text)
        text = _SPACE_BEFORE_CLOSER_RE.sub(r"\1", text)
        text = _SPACE_BEFORE_OPENER_RE.sub("", text)
        text = _SPACE_AFTER_CLOSER_RE.sub("", text)
    return text


def split_lines(text: str) -> list[Line]:
    """Content lines with their page-break and indent flags; page numbers and blank lines dropped."""
    # Control characters from any format (a PDF's text layer, a Word file, a web page) never reach the tree.
    text = clean_plan_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\t", "    ")
    raw = text.split("\n")
    nonblank = sum(1 for line in raw if line.strip())
    blank = len(raw) - nonblank
    # PDF extraction often puts a blank line after every line: then blank lines carry no meaning.
    double_spaced = nonblank > 0 and blank >= 0.6 * nonblank
    lines: list[Line] = []
    page_break = False
    blank_run = 0
    for number, raw_line in enumerate(raw, start=1):
        stripped = raw_line.strip().replace("\u3000", " ").strip()
        if not stripped:
            blank_run += 1
            continue
        if PAGE_NUMBER_RE.match(stripped):
            page_break = True
            blank_run = 0
            continue
        leading = raw_line[: len(raw_line) - len(raw_line.lstrip(" \u3000\u00a0"))]
        indent = "\u3000" in leading or len(leading) >= 2
        lines.append(
            Line(
                number=number,
                text=normalise_punctuation(re.sub(r"[ \u00a0]{2,}", " ", stripped)),
                page_break=page_break or (len(leading) == 1 and leading == " "),
                blank_before=(not double_spaced) and blank_run > 0,
                indent=indent,
                width=em_width(stripped),
                raw=raw_line.rstrip().replace("\u3000", " ") if len(leading) >= 4 and not double_spaced else stripped,
            )
        )
        page_break = False
        blank_run = 0
    return lines


# ----------------------------------------------------------------------------------------------------------
# Footnote markers


def _marker_patterns(n: int) -> tuple[re.Pattern, re.Pattern]:
    # Inside a line: the number glued after a word or a closing quote, not part of a quantity.
    inline = re.compile(rf"(?<=[\u4e00-\u9fffA-Za-z{re.escape(CLOSERS)}”]){n}(?![\d.．%％])")
    # At the start of a line: 「10协议机遇」 or 「5 6 通过 UFI」.
    leading = re.compile(rf"^{n}(?![\d.．%％])")
    return inline, leading


def _unit_follows(text: str, end: int) -> bool:
    rest = text[end:].lstrip(" ")
    return bool(rest) and rest[0] in UNIT_AFTER_NUMBER


# ----------------------------------------------------------------------------------------------------------
# The parser


@dataclass
class _Para:
    kind: str
    lines: list[Line]
    markers: list[tuple[int, int, int]]  # (footnote number, index in lines, char offset in that line)
    container: Node | None = None
    position: int = 0  # where in container.items the paragraph began (a figure may land after it)
    ended: bool = False


class _Parser:
    def __init__(self, text: str, hints: "list[SourceLine] | None" = None):
        self.lines = split_lines(text)
        if hints is not None:
            for line in self.lines:
                if 0 < line.number <= len(hints):
                    line.hint = hints[line.number - 1]
        widths = [ln.width for ln in self.lines if ln.width >= 8 and not ends_sentence(ln.text)]
        self.body_width = median(widths) if widths else 27.0
        # Text copied from Word or a web page has one paragraph per line; PDF text is wrapped at the column.
        long_lines = [ln.width for ln in self.lines if ln.width >= 10]
        # A page is never 60 em wide: where a tenth of the lines are wider, lines are paragraphs.
        self.one_per_line = hints is not None or (
            bool(long_lines) and sum(1 for w in long_lines if w > 60) >= max(3, 0.1 * len(long_lines))
        )
        self.outline = analyse(self.lines, one_per_line=self.one_per_line, body_width=self.body_width)
        self.heading_lines = {self.lines[i].number for i in self.outline.headings}
        self.notice: Node | None = None
        self.back: Node | None = None
        self.table_note = False
        self.plan_title = ""
        self.nodes: list[Node] = []
        self.footnotes: list[Footnote] = []
        self.warnings: list[str] = []
        self.front = Node(NodeKind.FRONT, None, "", 0, 0)
        self.part: Node | None = None
        self.chapter: Node | None = None
        self.section: Node | None = None
        self.box: Node | None = None
        self.box_has_bullets = False
        self.table: Node | None = None
        self.para: _Para | None = None
        self.next_marker = 1
        self.markers_seen: set[int] = set()
        self.next_footnote = 1
        self.pending_footnote_numbers: list[int] = []
        self.footnote: Footnote | None = None
        self.footnote_last_line: Line | None = None
        self.last_line: Line | None = None
        self.lead_only: Block | None = None  # a one-line lead sentence waiting for the paragraph it opens
        self._last_para_lines: list[Line] = []  # lines of the latest body paragraph, for lead-in splitting

    # -- containers ------------------------------------------------------------------------------------

    @property
    def container(self) -> Node:
        for node in (self.table, self.box, self.section, self.chapter, self.part):
            if node is not None:
                return node
        return self.front

    def close_box_and_table(self):
        self.flush()
        self.box = None
        self.table = None

    def add_node(self, node: Node, parent: Node | None):
        if parent is None:
            self.nodes.append(node)
        else:
            parent.items.append(node)

    # -- paragraphs ------------------------------------------------------------------------------------

    def flush(self):
        """Close the open paragraph and store it as a block of the current container."""
        para, self.para = self.para, None
        if para is None or not para.lines:
            return
        parts: list[str] = []
        starts: list[int] = []
        offset = 0
        for line in para.lines:
            piece = line.text
            if parts and _needs_space(parts[-1], piece):
                piece = " " + piece
            starts.append(offset + len(piece) - len(line.text))
            parts.append(piece)
            offset += len(piece)
        markers: list[tuple[int, int]] = []
        for number, line_index, char_offset in para.markers:
            position = starts[line_index] + char_offset
            if char_offset == 0 and line_index > 0:
                # A marker opening a line belongs to the word that ended the line before, not after the space.
                position = starts[line_index - 1] + len(para.lines[line_index - 1].text)
            markers.append((number, position))
        text = "".join(parts).strip()
        kind = para.kind
        if kind == BlockKind.PARAGRAPH and len(para.lines) == 1 and not (SENTENCE_PUNCT & set(text)) and em_width(text) <= 12:
            kind = BlockKind.FRAGMENT
        block = Block(kind, text, para.lines[0].number, para.lines[-1].number, markers)
        container = para.container or self.container
        position = min(para.position, len(container.items))
        previous = container.items[position - 1] if position > 0 else None
        # A lone short lead sentence beside a figure (「协同开展极化扩散。」) belongs to the text after it.
        if kind == BlockKind.PARAGRAPH and self.lead_only is not None and previous is self.lead_only:
            previous.markers.extend((n, o + len(previous.text)) for n, o in markers)
            previous.text += text
            previous.line_end = block.line_end
            self.lead_only = None
            return
        is_lead_only = (
            kind == BlockKind.PARAGRAPH
            and len(para.lines) == 1
            and para.lines[0].narrow
            and bool(re.fullmatch(r"[^，。；：、！？]{2,12}。", text))
        )
        self.lead_only = block if is_lead_only else None
        container.items.insert(position, block)

    def start_para(self, kind: str, line: Line):
        self.flush()
        container = self.container
        self.para = _Para(kind, [], [], container=container, position=len(container.items))
        self.append_line(line)

    def append_line(self, line: Line):
        assert self.para is not None
        text = line.text
        index = len(self.para.lines)
        text, found = self.take_markers(text, index)
        self.para.markers.extend(found)
        if text:
            self.para.lines.append(
                Line(line.number, text, line.page_break, line.blank_before, line.indent, line.width, line.narrow, line.raw)
            )
        elif self.para.lines:
            # A line holding only a marker: the marker sits at the end of what came before.
            last = self.para.lines[-1]
            self.para.markers.extend((n, index - 1, len(last.text)) for n, _, _ in found)
            self.para.markers = [m for m in self.para.markers if m[1] != index]

    def take_markers(self, text: str, index: int) -> tuple[str, list[tuple[int, int, int]]]:
        """Remove footnote markers with the expected next numbers from a line of running text."""
        found: list[tuple[int, int, int]] = []
        if self.one_per_line:
            # Text from Word or a web page lost its superscripts: a number glued to a word there is part of the
            # text (「大模型1—2个」, 「附图2」). Its markers stand on lines of their own (see handle).
            return text, found
        while True:
            n = self.next_marker
            inline, leading = _marker_patterns(n)
            match = leading.match(text)
            if match and not _unit_follows(text, match.end()) and (
                text.strip() == str(n) or self.last_line is None or not self.last_line.text[-1:].isdigit()
            ):
                text = text[match.end() :].lstrip(" ") if text[match.end() : match.end() + 1] == " " else text[match.end() :]
                found.append((n, index, 0))
            else:
                match = inline.search(text)
                if not match or _unit_follows(text, match.end()):
                    break
                text = text[: match.start()] + text[match.end() :]
                found.append((n, index, match.start()))
            self.markers_seen.add(n)
            self.next_marker += 1
        return text, found

    def paragraph_ends_after(self, line: Line, following: Line | None, is_first: bool, reference: float) -> bool:
        if not ends_sentence(line.text):
            return False
        indent_allowance = 2.0 if is_first else 0.0
        if line.width <= reference - 1.0 - indent_allowance:
            return True
        if following is None:
            return True
        if following.indent or following.blank_before or following.starts_list_item:
            return True
        if LEAD_SENTENCE_RE.match(following.text) and not line.text.endswith("："):
            return True
        # The next line starts short: that is the lost first-line indent of a new paragraph.
        return following.width <= reference - 1.5 and following.width >= reference - 4.0

    # -- footnotes -------------------------------------------------------------------------------------

    def is_wide(self, line: Line) -> bool:
        return line.width >= self.body_width + 2.5

    def footnote_start(self, line: Line, following: Line | None) -> list[int] | None:
        """Footnote numbers opening a footnote body on this line, or None."""
        n = self.next_footnote
        bare = re.fullmatch(r"(\d{1,2})(?:\s+(\d{1,2}))*", line.text)
        if bare:
            numbers = [int(x) for x in line.text.split()]
            if numbers[0] != n:
                return None
            if all(x in self.markers_seen for x in numbers):
                return numbers
            if following is not None and (self.is_wide(following) or re.fullmatch(r"\d{1,2}", following.text)):
                return numbers
            return None
        glued = re.match(rf"^{n}(?=[^\d\s.．%％])", line.text)
        if glued and n in self.markers_seen and (self.is_wide(line) or (self.para is None or self.para.ended)):
            return [n]
        return None

    def start_footnote(self, numbers: list[int], line: Line, rest: str):
        self.end_footnote()
        self.pending_footnote_numbers.extend(numbers)
        self.next_footnote = max(numbers) + 1
        if rest:
            self.footnote_text(line, rest)

    def footnote_text(self, line: Line, text: str):
        if self.footnote is None:
            if not self.pending_footnote_numbers:
                self.warnings.append(f"第{line.number}行：脚注正文前没有编号，已按正文处理")
                return False
            number = self.pending_footnote_numbers.pop(0)
            self.footnote = Footnote(number, "", line.number, line.number)
            self.footnotes.append(self.footnote)
        fn = self.footnote
        fn.text = fn.text + (" " if _needs_space(fn.text, text) else "") + text
        fn.line_end = line.number
        self.footnote_last_line = line
        if ends_sentence(text):
            self.footnote = None
        return True

    def end_footnote(self):
        self.footnote = None

    @property
    def in_footnotes(self) -> bool:
        return self.footnote is not None or bool(self.pending_footnote_numbers)

    # -- main loop -------------------------------------------------------------------------------------

    def run(self) -> ParsedPlan:
        lines = self.lines
        reference = self.reference_widths()
        for line, width in zip(lines, reference):
            line.narrow = width < self.body_width * 0.7
        i = 0
        while i < len(lines):
            line = lines[i]
            following = lines[i + 1] if i + 1 < len(lines) else None
            consumed = self.handle(line, following, lines, i, reference)
            self.last_line = lines[i + consumed - 1]
            i += consumed
        self.flush()
        if not self.chapters_found():
            raise NotAPlanError("未找到任何章（第一章、第二章……），这不像是一份规划纲要文本")
        if self.front.items or self.front.title:
            self.front.title = self.front.title or "前言"
            self.front.line_start = self.front.line_start or min(_item_lines(self.front))
            self.front.line_end = max(_item_lines(self.front))
            self.nodes.insert(1 if self.notice is not None and self.nodes[:1] == [self.notice] else 0, self.front)
        missing = sorted(self.markers_seen - {f.number for f in self.footnotes})
        if len(missing) > 3:
            self.warnings.append(f"正文中有 {len(missing)} 处注释编号（{missing[0]}—{missing[-1]}）没有找到对应的注释内容")
        for number in missing if len(missing) <= 3 else []:
            self.warnings.append(f"脚注 {number} 在正文中有标记，但没有找到脚注内容")
        _close_line_ranges(self.nodes)
        warnings = self.outline.warnings + self.toc_warnings() + self.warnings
        return ParsedPlan(self.plan_title or self.guess_title(), self.nodes, self.footnotes, warnings, self.outline.toc)

    def toc_warnings(self) -> list[str]:
        """Headings the table of contents lists but the body lacks."""
        found = {(n.kind, squash(n.title)) for node in self.nodes for n in node.walk()}
        missing = []
        for entry in self.outline.toc:
            if entry.kind in (NodeKind.PART, NodeKind.CHAPTER) and (entry.kind, squash(entry.title)) not in found:
                missing.append(f"目录中的「{entry.title}」（第{entry.line}行）在正文中没有找到")
        return missing

    def chapters_found(self) -> bool:
        return any(n.kind == NodeKind.CHAPTER for node in self.nodes for n in node.walk())

    def guess_title(self) -> str:
        for block in self.front.blocks:
            match = re.search(r"《([^》]{6,80}(规划|纲要))》", block.text)
            if match:
                return match.group(1)
        return ""

    def reference_widths(self) -> list[float]:
        """Per line, the column width around it: the median width of nearby lines that run on to the next
        line (narrow text beside a figure has a narrow column)."""
        lines = self.lines
        runs_on = [not ends_sentence(line.text) and 6 <= line.width <= self.body_width * 1.5 for line in lines]
        result = []
        for index in range(len(lines)):
            window = [
                lines[j].width
                for j in range(max(0, index - 6), min(len(lines), index + 7))
                if j != index and runs_on[j]
            ]
            local = median(window) if len(window) >= 2 else self.body_width
            # First lines (2 em short: the lost indent) pull a median down where paragraphs are short;
            # only a truly narrow column (text beside a figure) may fall below the body width.
            result.append(local if local < self.body_width * 0.85 else max(local, self.body_width))
        return result

    def handle(self, line: Line, following: Line | None, lines: list[Line], i: int, reference: list[float]) -> int:
        text = line.text
        outline = self.outline

        if i in outline.skipped:  # table of contents, box directory, navigation text of a web page
            if self.para is not None:
                self.flush()
            return 1

        heading = outline.headings.get(i)

        if self.one_per_line and heading is None and re.fullmatch(r"[0-9]{1,3}", text):
            para = self.para
            if para is not None and not para.ended and para.kind == BlockKind.PARAGRAPH and para.lines:
                # A note reference left on a line of its own, splitting a sentence: a marker at that point.
                number = int(text)
                para.markers.append((number, len(para.lines) - 1, len(para.lines[-1].text)))
                self.markers_seen.add(number)
                return 1

        # Footnote bodies run until the next page starts (a page-break line) or a heading.
        if self.in_footnotes:
            starts = self.footnote_start(line, following)
            if starts:
                rest = re.sub(r"^[\d\s]+", "", text) if not re.fullmatch(r"[\d\s]+", text) else ""
                self.start_footnote(starts, line, rest if not re.fullmatch(r"[\d\s]+", text) else "")
                return 1
            previous_ended = self.footnote is None
            if not line.page_break and not heading and not (previous_ended and not self.pending_footnote_numbers):
                self.footnote_text(line, text)
                return 1
            self.pending_footnote_numbers.clear()
            self.end_footnote()

        starts = None if (self.table or heading or self.one_per_line) else self.footnote_start(line, following)
        if starts:
            rest = "" if re.fullmatch(r"[\d\s]+", text) else text[len(str(starts[0])) :]
            self.start_footnote(starts, line, rest)
            return 1

        if outline.notice and outline.notice[0] <= i <= outline.notice[1]:
            if self.notice is None:
                self.notice = Node(NodeKind.FRONT, None, "印发通知", line.number, line.number)
                self.nodes.append(self.notice)
            if self.para is None or self.para.container is not self.notice or self.para.ended or line.indent:
                self.flush()
                self.para = _Para(BlockKind.PARAGRAPH, [], [], container=self.notice, position=len(self.notice.items))
            self.append_line(line)
            self.para.ended = self.one_per_line or ends_sentence(text) and (line.width < self.body_width - 1)
            return 1

        if outline.title_lines and i in outline.title_lines:
            self.flush()
            self.plan_title += text
            self.front.items.append(Block(BlockKind.TITLE, text, line.number, line.number))
            return 1

        if (
            not outline.title_lines
            and self.chapter is None
            and self.part is None
            and all(b.kind == BlockKind.TITLE for b in self.front.items)
            and not self.front.title
            and not (SENTENCE_PUNCT & set(text))
            and re.search(r"(规划|纲要|计划|远景目标)", text)
            and i < 6
            and not heading
            and not DRAFT_RE.match(text)
        ):
            self.plan_title += text
            self.front.items.append(Block(BlockKind.TITLE, text, line.number, line.number))
            return 1

        if DRAFT_RE.match(text):
            if self.chapter is None and self.part is None:
                self.front.items.append(Block(BlockKind.DRAFT_MARK, text, line.number, line.number))
                return 1

        if heading is not None and heading.kind == NodeKind.PART:
            self.close_box_and_table()
            self.part = Node(NodeKind.PART, heading.number, heading.title, line.number, line.number)
            self.chapter = self.section = None
            self.add_node(self.part, None)
            return heading.used

        if heading is not None and heading.kind == NodeKind.CHAPTER:
            lead_in = self.take_lead_in() if not self.one_per_line else []
            self.close_box_and_table()
            self.chapter = Node(NodeKind.CHAPTER, heading.number, heading.title, line.number, line.number)
            self.section = None
            self.add_node(self.chapter, self.part)
            for block in lead_in:
                block.kind = BlockKind.LEAD_IN
                self.chapter.items.append(block)
            return heading.used

        if heading is not None and heading.kind == NodeKind.SECTION:
            self.close_box_and_table()
            self.section = Node(NodeKind.SECTION, heading.number, heading.title, line.number, line.number)
            self.add_node(self.section, self.chapter or self.part)
            return heading.used

        if heading is not None and heading.kind == NodeKind.APPENDIX:
            self.close_box_and_table()
            self.part = self.chapter = self.section = None
            self.back = Node(NodeKind.APPENDIX, None, heading.title, line.number, line.number)
            self.nodes.append(self.back)
            return heading.used

        if self.chapter is None and FRONT_HEADING_RE.match(text):
            self.flush()
            self.front.title = re.sub(r"\s+", "", text)
            self.front.line_start = line.number
            return 1

        if self.table is not None:
            if self.table_continues(line):
                self.table.items.append(Block(BlockKind.TABLE_CELL, _cells_text(line), line.number, line.number))
                return 1
            self.table = None
            if self.box is not None and self.box.items and all(
                isinstance(item, Block) and item.kind == BlockKind.TABLE_CELL for item in self.box.items
            ):
                self.box = None  # a box that was only a table ends with it

        if heading is not None and heading.kind == NodeKind.BOX:
            self.close_box_and_table()
            self.box = Node(NodeKind.BOX, heading.number, heading.title, line.number, line.number)
            self.box_has_bullets = False
            self.container_for_inserts().items.append(self.box)
            nxt = lines[i + heading.used] if i + heading.used < len(lines) else None
            if nxt is not None and _table_header(nxt):
                self.table = self.box  # a box that is a table: its rows are table cells
                self.table_note = False
            return heading.used

        match = FIGURE_RE.match(text)
        if match and em_width(text) <= self.body_width * 1.6:
            caption = (match.group(2) or match.group(4) or "").strip()
            # A figure floats: a paragraph it interrupts stays open and keeps its place before the figure.
            self.container_for_inserts(keep_para=self.para is not None and not self.para.ended).items.append(Node(NodeKind.FIGURE, None, caption, line.number, line.number))
            return 1

        if (
            TABLE_TITLE_RE.search(text)
            and not (SENTENCE_PUNCT & set(text))
            and following is not None
            and _table_header(following)
        ):
            self.close_box_and_table()
            table = Node(NodeKind.TABLE, None, text, line.number, line.number)
            self.container.items.append(table)
            self.table = table
            self.table_note = False
            return 1

        if self.box is not None and not self.box_continues(line, reference[i]):
            self.flush()
            self.box = None

        if self.box is not None:
            self.handle_box_line(line, following, reference[i])
            return 1

        if (
            (SUBHEADING_RE.match(text) or (re.match(r"^[0-9]{1,2}[.．]\s*[^\d\s]", text) and not (set("，、") & set(text))))
            and not (set("。；") & set(text))
            and em_width(text) <= self.body_width * 0.9
            and (self.para is None or self.para.ended)
        ):
            self.flush()
            self.container.items.append(Block(BlockKind.SUBHEADING, text, line.number, line.number))
            return 1

        self.body_line(line, following, reference[i])
        return 1

    def table_continues(self, line: Line) -> bool:
        """A table runs until prose: a line with sentence punctuation that is no note (「注：」) and no row."""
        text = line.text
        if self._is_heading(line):
            return False
        if re.match(r"^注\s*[0-9]*\s*[：:]", text):
            self.table_note = True
            return True
        if self.table_note:
            return bool(re.match(r"^[0-9]{1,2}\s*[.．、]", text)) or not ends_sentence(self.table.items[-1].text if self.table.items else "")
        if "预期性" in text or "约束性" in text:
            return True
        return not (set("，。；") & set(text)) or bool(re.search(r"\t", _cells_text(line)))

    def container_for_inserts(self, keep_para: bool = False) -> Node:
        if not keep_para:
            self.flush()
        for node in (self.section, self.chapter, self.part):
            if node is not None:
                return node
        return self.front

    def take_lead_in(self) -> list[Block]:
        """Text that opens a new part right before a chapter heading: it began on a fresh page after a
        finished sentence. Returns its blocks, removed from where they were."""
        self.flush()
        container = self.container
        if not container.items or not isinstance(container.items[-1], Block):
            return []
        last = container.items[-1]
        if last.kind != BlockKind.PARAGRAPH:
            return []
        source = self._last_para_lines
        if not source:
            return []
        # Find the page break inside (or at the start of) the last paragraph that followed a finished sentence.
        for index in range(len(source) - 1, -1, -1):
            line = source[index]
            if not line.page_break:
                continue
            before = source[index - 1] if index > 0 else self._line_before(source[0])
            if before is None or not ends_sentence(before.text):
                return []
            if index == 0:
                container.items.pop()
                return [last]
            cut = sum(len(s.text) for s in source[:index])
            head_text, tail_text = last.text[:cut], last.text[cut:]
            if head_text + tail_text != last.text:
                return []
            lead = Block(BlockKind.LEAD_IN, tail_text.strip(), line.number, last.line_end, [(n, o - cut) for n, o in last.markers if o >= cut])
            last.text = head_text.strip()
            last.line_end = source[index - 1].number
            last.markers = [(n, o) for n, o in last.markers if o < cut]
            return [lead]
        return []

    def _line_before(self, line: Line) -> Line | None:
        index = self._line_index.get(line.number)
        if not index:
            return None
        for j in range(index - 1, -1, -1):
            candidate = self.lines[j]
            if not re.fullmatch(r"[\d\s]+", candidate.text) and not self.is_wide(candidate):
                return candidate
        return None

    def box_continues(self, line: Line, reference: float) -> bool:
        if self.para is not None and not self.para.ended:
            return True
        bullet_like = bool(re.match(r"^[^，。；]{2,12}[：:]", line.text)) or line.starts_list_item
        if line.page_break or line.indent:
            return bullet_like and (self.box_has_bullets or not self.box.items)
        if self.box_has_bullets:
            return bullet_like and "。" not in line.text.split("：")[0]
        # A box without bullets holds paragraphs set in a smaller font: wider than the body text.
        return line.width >= self.body_width + 3 or (bullet_like and not self.box.items)

    def handle_box_line(self, line: Line, following: Line | None, reference: float):
        is_new_item = self.para is None or self.para.ended
        if is_new_item:
            if line.page_break or line.indent:
                self.box_has_bullets = True
                kind = BlockKind.BOX_ITEM
            elif self.box_has_bullets or (
                re.match(r"^[^，。；]{2,12}[：:]", line.text) and not ends_sentence(line.text) and following is not None and following.page_break
            ):
                kind = BlockKind.BOX_GROUP
            else:
                kind = BlockKind.BOX_ITEM
            self.start_para(kind, line)
        else:
            self.append_line(line)
        para = self.para
        if para.kind == BlockKind.BOX_GROUP:
            para.ended = True  # a group heading is one line: 「四大产业集群：健康管理、精准诊疗……」
        elif self.box_has_bullets:
            para.ended = ends_sentence(line.text)  # bullet items end at their 「；」 or 「。」
        else:
            # Paragraphs in a box: the same width rules as body text, against the box's own column.
            is_first = len(para.lines) == 1
            para.ended = self.paragraph_ends_after(line, following, is_first, max(reference, self.box_column))

    @property
    def box_column(self) -> float:
        widths = [ln.width for ln in (self.para.lines if self.para else []) if not ends_sentence(ln.text)]
        return median(widths) if widths else self.body_width

    def body_line(self, line: Line, following: Line | None, reference: float):
        para = self.para
        new_paragraph = (
            para is None
            or para.ended
            or line.indent
            or line.blank_before
            or para.kind != BlockKind.PARAGRAPH
        )
        if new_paragraph:
            self.start_para(BlockKind.PARAGRAPH, line)
        else:
            self.append_line(line)
        para = self.para
        is_first = len(para.lines) <= 1 and new_paragraph
        if self.one_per_line:
            # A paragraph is a line; it goes on only past a note reference that split it.
            para.ended = following is None or not (
                (re.fullmatch(r"[0-9]{1,3}", following.text) and not ends_sentence(line.text))
                or (following.text[:1] in "，。、；：）”」,.;:)" and not following.indent)
            )
            self._last_para_lines = para.lines
            return
        following_body = following if following is not None and not self._is_special(following) else None
        if following is not None and self._is_special(following) and not self._is_footnote_like(following):
            para.ended = ends_sentence(line.text) or self._is_heading(following)
        elif self.paragraph_ends_after(line, following_body, is_first, reference):
            para.ended = True
        self._last_para_lines = para.lines

    def _is_heading(self, line: Line) -> bool:
        return line.number in self.heading_lines

    def _is_footnote_like(self, line: Line) -> bool:
        return bool(re.fullmatch(r"[\d\s]+", line.text)) or self.is_wide(line)

    def _is_special(self, line: Line) -> bool:
        text = line.text
        return bool(
            self._is_heading(line)
            or BOX_RE.match(text)
            or FIGURE_RE.match(text)
            or self._is_footnote_like(line)
        )

    @property
    def _line_index(self) -> dict[int, int]:
        if not hasattr(self, "_line_index_cache"):
            self._line_index_cache = {ln.number: k for k, ln in enumerate(self.lines)}
        return self._line_index_cache



class LabelledNode(Protocol):
    kind: str
    number: str
    title: str


def location_label(path: Sequence[LabelledNode]) -> str:
    """Where a node sits, root first, for a status line or a search hit: 「第三章 › 第二节 › （一）…」. Chapters,
    sections and parts by their number (their title when unnumbered), front matter by title, the rest by the
    first 20 characters of their title."""
    parts = []
    for node in path:
        if node.kind in (NodeKind.CHAPTER, NodeKind.SECTION, NodeKind.PART):
            parts.append(node.number or node.title)
        elif node.kind == NodeKind.FRONT:
            parts.append(node.title)
        else:
            parts.append(node.title[:20])
    return " › ".join(parts)


def _table_header(line: Line) -> bool:
    """The first row of a table (or its first cell, where each cell has a line of its own)."""
    text = line.text.replace(" ", "")
    if text in ("类别", "分类", "序号", "指标", "指标名称", "类型"):
        return True
    return bool(re.search(r"指标", text)) and bool(re.search(r"(属性|目标|类别|分类|序号|单位|基数|年)", text)) and not (
        set("，。；") & set(text)
    )


def _cells_text(line: Line) -> str:
    """A table line with the gaps between its cells (a tab, or two or more spaces) kept as one tab. A row that
    starts with a gap has empty leading cells (a category or number written only on the group's first row):
    one tab for each four spaces of it."""
    if not line.raw:
        return line.text
    raw = line.raw.rstrip()
    body = raw.lstrip(" \u3000\u00a0")
    lead = len(raw) - len(body)
    return "\t" * (lead // 4) + re.sub(r"(?:\t|[ \u3000\u00a0]{2,})+", "\t", body)


def _needs_space(before: str, after: str) -> bool:
    """Joining wrapped lines follows the text's own convention of a thin space between Latin letters or
    digits and Chinese (「达 971.9 亿元」): a space where either side of the join is a Latin letter or digit
    and the other side is a letter, digit or Chinese character; none between Chinese characters."""
    if not before or not after:
        return False
    a, b = before[-1], after[0]
    latin_a, latin_b = a.isascii() and a.isalnum(), b.isascii() and b.isalnum()
    return (latin_a and (latin_b or _is_cjk(b))) or (latin_b and _is_cjk(a))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _item_lines(node: Node) -> list[int]:
    result = []
    for item in node.items:
        result.extend([item.line_start, item.line_end])
    return result or [node.line_start]


def _close_line_ranges(nodes: list[Node]) -> None:
    for node in nodes:
        _close_line_ranges(node.children)
        ends = [node.line_end] + [item.line_end for item in node.items]
        node.line_end = max(ends)


def source_lines_text(lines: list[SourceLine]) -> str:
    """The text a list of source lines stands for, one line each: what the plan's line numbers refer to.
    A table row becomes its cells separated by four spaces, as text copied from a table arrives."""
    out = []
    for line in lines:
        if line.cells is not None:
            out.append("    ".join(re.sub(r"\s*\n\s*", "", cell).strip() or "—" for cell in line.cells))
        else:
            out.append(line.text.replace("\n", " "))
    return "\n".join(out)


def parse_plan_lines(lines: list[SourceLine]) -> ParsedPlan:
    """Parse a plan given as source lines (from a Word file): one paragraph per line, with style hints. Line
    numbers count the lines given, as in `source_lines_text`."""
    text = source_lines_text(lines)
    if not text.strip():
        raise NotAPlanError("文件是空的")
    return _Parser(text, hints=lines).run()


def parse_plan(text: str) -> ParsedPlan:
    """Parse a plan's full text. Raises NotAPlanError when no chapter structure is found."""
    if not text or not text.strip():
        raise NotAPlanError("文件是空的")
    return _Parser(text).run()


def decode_plan_bytes(data: bytes) -> tuple[str, str]:
    """Decode plan text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.
    Returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise NotAPlanError("文件看起来是 UTF-16 编码，但内容已损坏，无法读取") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise NotAPlanError("文件既不是 UTF-8 也不是 GB18030 编码的文本") from exc
