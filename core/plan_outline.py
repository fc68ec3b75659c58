"""Structure passes over a plan's lines: where the plan begins, its table of contents, and which lines are
headings. The paragraph reader in core.plan_text then fills the tree between the headings.

Plans are easier to read by their numbering than by their looks, so headings are read as sequences:
- a candidate 「第X章」 is a heading when X continues the sequence (一, 二, 三 …), restarts at 一 right after a 篇
  heading (plans that number chapters per part), or is listed in the table of contents; a number that jumps is a
  sentence that happens to start with 「第X章」;
- a table of contents is a run of headings with nothing but short lines between them (wrapped titles, page
  numbers, dot leaders), whose first heading appears again later: the first run is the TOC. It is kept aside to
  check the body and to complete headings that wrap (the TOC usually holds the whole title on one line);
- directories of boxes (专栏目录) are runs of box labels with nothing between them: never boxes;
- where the document has no 第X节, chapters that are divided by 「一、」「二、」 sub-headings have those as sections;
  where it has no 第X章 at all, the top level is the 「一、」 sequence that spans the document, with 「（一）」 below;
- front matter: navigation text around a page saved from a website is dropped up to the issuing notice
  (「各区人民政府，市政府各部门：」 … signature and date) or the plan's title; the notice is kept as front matter.
No I/O here: the input is the list of lines core.plan_text made from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from core.kinds import NodeKind
from core.numerals import cn_number

if TYPE_CHECKING:  # core.plan_text imports this module
    from core.plan_text import Line

CN = "一二三四五六七八九十百零〇两"
_NUM = rf"[{CN}0-9０-９]+"
_LEVELS = {  # 「division」 (第X部分) is read as a chapter or a part, never stored as itself
    NodeKind.PART: re.compile(rf"^第\s*({_NUM})\s*篇(?:\s+|(?=[^\s，。、；]))?(.*)$"),
    NodeKind.CHAPTER: re.compile(rf"^第\s*({_NUM})\s*章(?:\s+|(?=[^\s，。、；]))?(.*)$"),
    NodeKind.SECTION: re.compile(rf"^第\s*({_NUM})\s*节(?:\s+|(?=[^\s，。、；]))?(.*)$"),
    # 「第一部分」: the top level of plans that have no 第X章 (as chapters), or a level above them (as parts).
    "division": re.compile(rf"^第\s*({_NUM})\s*部\s*分(?:\s+|(?=[^\s，。、；]))?(.*)$"),
}
_LEVEL_CHAR = {NodeKind.PART: "篇", NodeKind.CHAPTER: "章", NodeKind.SECTION: "节", "division": "部分"}
# 「一、」 and 「（一）」 headings (used as sections, or as chapters/sections where a plan has no 第X章).
CN_ITEM_RE = re.compile(rf"^([{CN}]{{1,3}})\s*、\s*(\S.*)$")
PAREN_ITEM_RE = re.compile(rf"^[（(]\s*([{CN}]{{1,3}})\s*[)）]\s*(\S.*)$")
# 「专栏1」「专栏 2：」「专栏3-1」; the label may stand alone with its number (or title) on the next lines.
BOX_LABEL_RE = re.compile(
    r"^专\s*栏\s*([0-9０-９]+(?:\s*[-－—.．]\s*[0-9０-９]+)?|[一二三四五六七八九十]{1,3}(?=\s|[：:]))?\s*[：:]?\s*(.*)$"
)
# What follows a title in a table of contents: dot leaders and/or a page number (Arabic or Roman).
TOC_TAIL_RE = re.compile(r"(?:\s*[.．·…⋯‥_·•]{2,}\s*|\s{2,}|\t)\s*([0-9]{1,4}|[IVXLivxl]{1,6})?\s*$|\s*[.．·…⋯‥]{2,}\s*$")
TOC_HEAD_RE = re.compile(r"^(目\s*录|目\s*次)$")
BOX_TOC_HEAD_RE = re.compile(r"^(专\s*栏\s*目\s*录|专栏索引|图\s*表\s*目\s*录|表\s*目\s*录)$")
ROMAN_RE = re.compile(r"^[IVXLivxl]{1,6}$")
BACK_MATTER_RE = re.compile(r"^(名\s*词\s*解\s*释|附\s*件\s*[0-9一二三四五六七八九十]*|附\s*录|附\s*表\s*[0-9一二三四五六七八九十]*|后\s*记|说\s*明)[：:]?$")
TITLE_WORDS_RE = re.compile(r"(国民经济和社会发展|经济社会发展|五年规划|规划纲要|远景目标纲要|远景目标)")
SALUTATION_RE = re.compile(r"^各[^。]{2,80}[：:]$")
DOC_NUMBER_RE = re.compile(r"〔\s*\d{4}\s*〕\s*\d+\s*号|[［\[]\s*\d{4}\s*[］\]]\s*\d+\s*号")
DATE_LINE_RE = re.compile(r"^(\d{4}|[二〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月(\s*[\d一二三四五六七八九十]{1,3}\s*日)?$")
SENTENCE_END = "。；！？"
# The footer of a government website's page.
FOOTER_RE = re.compile(
    r"打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|扫一扫在手机|网站标识码|ICP\s*备|公网安备|版权所有|主办单位[：:]|主办[：:]"
    r"|网站地图|联系我们|分享到[：:]?$"
)


def cn_ordinal(text: str) -> int | None:
    """一 → 1, 十三 → 13, 二十一 → 21, 3 → 3 (full-width digits too); None if unreadable."""
    return cn_number(text)


def _ascii_digits(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


@lru_cache(maxsize=4096)
def squash(text: str) -> str:
    """Text for comparing titles: no spaces, full-width punctuation folded to one form."""
    text = re.sub(r"\s+", "", text)
    return text.translate(str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；", '"': "“"}))


@dataclass
class Heading:
    kind: str  # part / chapter / section / box / appendix
    number: str | None  # 「第一章」, 「一、」, 「专栏3」
    ordinal: int | None
    title: str
    used: int = 1  # lines the heading takes (wrapped titles, a box label split over lines)


@dataclass
class TocEntry:
    kind: str
    ordinal: int
    title: str
    line: int  # line number in the source


@dataclass
class Outline:
    headings: dict[int, Heading] = field(default_factory=dict)  # by index into the lines
    skipped: set[int] = field(default_factory=set)  # TOC, box directories, navigation text
    title_lines: list[int] = field(default_factory=list)  # indexes of the plan title's lines
    notice: tuple[int, int] | None = None  # first and last index of the issuing notice
    toc: list[TocEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    index: int
    kind: str  # part / chapter / section, or item / paren_item (「一、」「（一）」, only for finding a TOC)
    ordinal: int
    title: str
    tail: bool  # carried dot leaders or a page number: a TOC line
    written_as: str = ""  # "division" when 第X部分 stands for a chapter or a part


def _strip_toc_tail(raw: str) -> tuple[str, bool]:
    match = TOC_TAIL_RE.search(raw)
    if match and match.start() > 0 and (match.group(1) or re.search(r"[.．·…⋯‥]{2,}", match.group(0))):
        return raw[: match.start()].rstrip(), True
    return raw, False


def heading_candidate(raw: str) -> tuple[str, int, str, bool] | None:
    """(kind, ordinal, title, had a TOC tail) for a line that starts like a 篇/章/节 heading, else None."""
    text, tail = _strip_toc_tail(raw)
    text = re.sub(r"[ \u3000\u00a0\t]+", " ", text).strip()
    for kind, pattern in _LEVELS.items():
        match = pattern.match(text)
        if match:
            ordinal = cn_ordinal(match.group(1))
            if ordinal is None or ordinal == 0:
                return None
            return kind, ordinal, match.group(2).strip(), tail
    return None


def _same_start(a: str, b: str) -> bool:
    """Two titles of which one begins the other (a heading wrapped in the body, whole in the TOC)."""
    a, b = squash(_strip_toc_tail(a)[0]), squash(_strip_toc_tail(b)[0])
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def _heading_shaped(title: str, kind: str) -> bool:
    """A heading's title: no sentence inside it, not too long."""
    if any(ch in title for ch in "。；！？"):
        return False
    if title.endswith(("：", ":")):
        return False
    limit = 70 if kind == NodeKind.PART else 50
    return len(title) <= limit


def _is_sentence(line: "Line") -> bool:
    text = line.text
    return any(ch in text for ch in SENTENCE_END) or len(text) > 60


# ----------------------------------------------------------------------------------------------------------


class _Analyser:
    def __init__(self, lines: list["Line"], one_per_line: bool, body_width: float):
        self.lines = lines
        self.one_per_line = one_per_line
        self.body_width = body_width
        self.outline = Outline()
        self.toc_end = -1  # index of the last line of the table of contents

    def run(self) -> Outline:
        candidates = [
            _Candidate(i, *found)
            for i, line in enumerate(self.lines)
            if (found := heading_candidate(line.raw)) is not None
        ]
        kinds = {c.kind for c in candidates}
        if "division" in kinds:
            # 第X部分 is the top level: chapters where there are no 第X章, parts where there are no 第X篇.
            as_kind = (NodeKind.CHAPTER if NodeKind.CHAPTER not in kinds
                       else (NodeKind.PART if NodeKind.PART not in kinds else None))
            candidates = [
                _Candidate(c.index, as_kind, c.ordinal, c.title, c.tail, "division") if c.kind == "division" else c
                for c in candidates
                if c.kind != "division" or as_kind is not None
            ]
        if not any(c.kind == NodeKind.CHAPTER for c in candidates):
            # Plans numbered 一、（一） only: their TOC lists those, so look for it among them.
            candidates += self.item_candidates()
            candidates.sort(key=lambda c: c.index)
        self.find_toc(candidates)
        self.find_box_directories()
        self.find_running_headers()
        body = [c for c in candidates if c.index not in self.outline.skipped and c.kind in _LEVEL_CHAR]
        self.accept_headings(body)
        if not any(h.kind == NodeKind.CHAPTER for h in self.outline.headings.values()):
            self.cn_item_chapters()
        if not any(h.kind == NodeKind.CHAPTER for h in self.outline.headings.values()):
            self.styled_chapters()
        elif not any(h.kind == NodeKind.SECTION for h in self.outline.headings.values()):
            self.cn_item_sections()
        self.find_boxes()
        self.find_back_matter()
        self.find_front()
        self.find_page_footer()
        return self.outline

    def item_candidates(self) -> list[_Candidate]:
        found = []
        for i, line in enumerate(self.lines):
            text, tail = _strip_toc_tail(line.raw)
            text = re.sub(r"\s+", " ", text).strip()
            for kind, pattern in (("item", CN_ITEM_RE), ("paren_item", PAREN_ITEM_RE)):
                match = pattern.match(text)
                if match and _heading_shaped(match.group(2), "section"):
                    ordinal = cn_ordinal(match.group(1))
                    if ordinal:
                        found.append(_Candidate(i, kind, ordinal, match.group(2).strip(), tail))
        return found

    def find_running_headers(self) -> None:
        """A PDF's running header (the plan's title at the top of every page) is not text: the same title-like
        line three times or more is dropped after its first appearance (which may be the title itself)."""
        seen: dict[str, list[int]] = {}
        for i, line in enumerate(self.lines):
            if i not in self.outline.skipped and self._title_like(line.text):
                seen.setdefault(squash(line.text), []).append(i)
        for indexes in seen.values():
            if len(indexes) >= 3:
                self.outline.skipped.update(indexes[1:])

    # -- table of contents -------------------------------------------------------------------------------

    def find_toc(self, candidates: list[_Candidate]) -> None:
        """Runs of heading lines with only short, sentence-free lines between them, whose first heading comes
        again later, are tables of contents."""
        lines = self.lines
        runs: list[list[_Candidate]] = []
        in_run: dict[tuple[str, int], list[str]] = {}  # the current run's titles by kind and number
        for candidate in candidates:
            # The body's first heading right after the TOC repeats the TOC's first entry: a new run.
            key = (candidate.kind, candidate.ordinal)
            repeats = any(_same_start(title, candidate.title) for title in in_run.get(key, ()))
            if runs and not repeats and self._only_short_lines_between(runs[-1][-1].index, candidate.index):
                runs[-1].append(candidate)
            else:
                runs.append([candidate])
                in_run = {}
            in_run.setdefault(key, []).append(candidate.title)
        last_of: dict[tuple[str, int], int] = {}
        for c in candidates:
            last_of[(c.kind, c.ordinal)] = c.index
        candidate_indexes = {c.index for c in candidates}
        for run in runs:
            first = run[0]
            tails = sum(1 for c in run if c.tail)
            repeated = last_of[(first.kind, first.ordinal)] > run[-1].index
            toc_head = self._toc_head_before(first.index)
            if len(run) < 3 and not (toc_head is not None and repeated):
                continue
            if not (repeated or tails >= max(2, len(run) // 2)):
                continue
            start = toc_head if toc_head is not None else first.index
            end = run[-1].index
            # A last entry may wrap onto one more short line.
            if end + 1 < len(lines) and self._continues_toc_title(end + 1) and end + 1 not in candidate_indexes:
                end += 1
            self.outline.skipped.update(range(start, end + 1))
            self.toc_end = max(self.toc_end, end)
            run_indexes = {x.index for x in run}
            for c in run:
                title = c.title
                # A title wrapped inside the TOC: join the short lines that follow it up to the next entry.
                j = c.index + 1
                while j <= end and j not in run_indexes and self._continues_toc_title(j):
                    more, _ = _strip_toc_tail(lines[j].raw)
                    more = more.strip()
                    if not ROMAN_RE.match(more) and not re.fullmatch(r"[0-9]{1,4}", more):
                        title += re.sub(r"\s+", " ", more)
                    j += 1
                self.outline.toc.append(TocEntry(c.kind, c.ordinal, re.sub(r"\s+", " ", title).strip(), lines[c.index].number))

    def _toc_head_before(self, index: int) -> int | None:
        for j in range(index - 1, max(-1, index - 4), -1):
            if TOC_HEAD_RE.match(self.lines[j].text.replace(" ", "")) or TOC_HEAD_RE.match(self.lines[j].text):
                return j
        return None

    def _continues_toc_title(self, j: int) -> bool:
        line = self.lines[j]
        text, _ = _strip_toc_tail(line.raw)
        text = text.strip()
        if not text or ROMAN_RE.match(text) or re.fullmatch(r"[0-9]{1,4}", text):
            return True
        return not _is_sentence(line) and len(text) <= 40 and not BOX_LABEL_RE.match(text)

    def _only_short_lines_between(self, a: int, b: int) -> bool:
        between = range(a + 1, b)
        if len(between) > 3:
            return False
        return all(self._continues_toc_title(j) for j in between)

    def find_box_directories(self) -> None:
        """Lists of boxes (or figures and tables) with page numbers: two or more labels with nothing between."""
        lines = self.lines
        i = 0
        while i < len(lines):
            if i in self.outline.skipped:
                i += 1
                continue
            text = lines[i].text
            if BOX_TOC_HEAD_RE.match(text.replace(" ", "")):
                j = i + 1
                while j < len(lines) and (self._box_label(j) or self._continues_toc_title(j)) and heading_candidate(lines[j].raw) is None:
                    j += 1
                self.outline.skipped.update(range(i, j))
                i = j
                continue
            if self._box_label(i):
                # Box labels with page numbers, or three or more labels in a row: a box has content after its label.
                with_tails = i
                while with_tails < len(lines) and self._box_label(with_tails) and _strip_toc_tail(lines[with_tails].raw)[1]:
                    with_tails += 1
                in_a_row = i
                while in_a_row < len(lines) and self._box_label(in_a_row) and BOX_LABEL_RE.match(lines[in_a_row].text).group(1):
                    in_a_row += 1
                j = with_tails if with_tails - i >= 2 else (in_a_row if in_a_row - i >= 3 else i)
                if j > i:
                    self.outline.skipped.update(range(i, j))
                    i = j
                    continue
            i += 1

    def _box_label(self, index: int) -> bool:
        text = self.lines[index].text
        return bool(BOX_LABEL_RE.match(text)) and not any(ch in text for ch in "。；")

    # -- headings ----------------------------------------------------------------------------------------

    def _toc_title(self, kind: str, ordinal: int, part: int, chapter: int) -> str | None:
        """The TOC's title for this heading: the entry of that kind and number under the same part/chapter."""
        current_part = current_chapter = 0
        for entry in self.outline.toc:
            if entry.kind == NodeKind.PART:
                current_part = entry.ordinal
            elif entry.kind == NodeKind.CHAPTER:
                current_chapter = entry.ordinal
            if entry.kind != kind or entry.ordinal != ordinal:
                continue
            if kind == NodeKind.SECTION and current_chapter != chapter:
                continue
            if kind == NodeKind.CHAPTER and part and current_part and current_part != part and self._chapters_restart():
                continue
            return entry.title
        return None

    def _chapters_restart(self) -> bool:
        return sum(1 for e in self.outline.toc if e.kind == NodeKind.CHAPTER and e.ordinal == 1) > 1

    def accept_headings(self, body: list[_Candidate]) -> None:
        part = chapter = section = 0
        part_since_chapter = False
        skip_until = -1
        for c in body:
            if c.index <= skip_until:
                continue
            line = self.lines[c.index]
            title, used = self.full_title(c, part, chapter)
            if not _heading_shaped(title, c.kind) or (self.one_per_line and len(line.text) > 80):
                continue
            in_toc = self._toc_title(c.kind, c.ordinal, part if c.kind != NodeKind.PART else 0, chapter) is not None
            if c.kind == NodeKind.PART:
                ok = c.ordinal == part + 1 or in_toc
            elif c.kind == NodeKind.CHAPTER:
                ok = c.ordinal == chapter + 1 or (c.ordinal == 1 and part_since_chapter) or in_toc
            else:
                ok = chapter > 0 and (c.ordinal == section + 1 or (c.ordinal == 1 and section == 0) or in_toc)
            expected = {NodeKind.PART: part, NodeKind.CHAPTER: chapter, NodeKind.SECTION: section}[c.kind] + 1
            if not ok and c.kind in (NodeKind.PART, NodeKind.CHAPTER) and c.ordinal > expected and self._sequence_resumes(body, c, expected):
                # A heading lost in extraction: the expected number never comes, and the sequence goes on from
                # this one. Accept it rather than lose every heading after the gap.
                ok = True
                self.outline.warnings.append(f"第{line.number}行：「{line.text[:30]}」之前缺少编号为{expected}的标题")
            if not ok:
                if c.ordinal > 1 and not any(ch in line.text for ch in "，。；"):
                    self.outline.warnings.append(
                        f"第{line.number}行：「{line.text[:30]}」的编号不连续，已按正文处理"
                    )
                continue
            written = c.written_as or c.kind
            number = f"第{self._number_text(line.raw, written)}{_LEVEL_CHAR[written]}"
            self.outline.headings[c.index] = Heading(c.kind, number, c.ordinal, title, used)
            skip_until = c.index + used - 1
            if c.kind == NodeKind.PART:
                part, part_since_chapter, section = c.ordinal, True, 0
            elif c.kind == NodeKind.CHAPTER:
                chapter, section, part_since_chapter = c.ordinal, 0, False
            else:
                section = c.ordinal

    def _sequence_resumes(self, body: list[_Candidate], c: _Candidate, expected: int) -> bool:
        later = [x for x in body if x.kind == c.kind and x.index > c.index]
        if any(x.ordinal == expected for x in later) or len(c.title) > 30 or not c.title:
            return False
        following = [x.ordinal for x in later[:3]]
        return following[:1] == [c.ordinal + 1] or (not following and c.ordinal == expected + 1)

    @staticmethod
    def _number_text(raw: str, kind: str) -> str:
        char = _LEVEL_CHAR[kind]
        match = re.match(rf"^第\s*({_NUM})\s*{char[0]}\s*{char[1:]}", raw.strip())
        return match.group(1) if match else ""

    def full_title(self, c: _Candidate, part: int, chapter: int) -> tuple[str, int]:
        """The heading's title, joined with the lines it wraps onto."""
        lines = self.lines
        title = c.title
        used = 1
        expected = self._toc_title(c.kind, c.ordinal, part if c.kind != NodeKind.PART else c.ordinal, chapter if c.kind == NodeKind.SECTION else c.ordinal)
        if expected is not None and squash(expected).startswith(squash(title)) and squash(expected) != squash(title):
            # The TOC has the whole title: take lines while they continue it.
            joined = title
            j = c.index + 1
            while j < len(lines) and len(squash(joined)) < len(squash(expected)):
                candidate = joined + lines[j].text
                if not squash(expected).startswith(squash(candidate)):
                    break
                joined, j = candidate, j + 1
            if squash(joined) == squash(expected):
                return re.sub(r"\s+", " ", joined).strip(), j - c.index
        if c.index + 1 < len(lines):
            nxt = lines[c.index + 1]
            unfinished = title.endswith(("，", "、", "——", "—", "和", "与", "及", "的")) or not title
            if (
                heading_candidate(nxt.raw) is None
                and not BOX_LABEL_RE.match(nxt.text)
                and not _is_sentence(nxt)
                and not any(ch in nxt.text for ch in "，；：、,;:")
                and not CN_ITEM_RE.match(nxt.text)
                and not PAREN_ITEM_RE.match(nxt.text)
                and len(nxt.text) <= 40
                and (unfinished or (not self.one_per_line and nxt.width <= self.body_width * 0.6
                                    and len(title) + len(nxt.text) <= self.body_width * 1.3))
                and not re.match(r"^(图|表)\s*[0-9]", nxt.text)
                and not re.search(r"(主要指标|指标表|指标体系)$", nxt.text)
            ):
                title, used = title + nxt.text, 2
        return re.sub(r"\s+", " ", title).strip(), used

    # -- 「一、」 as sections or chapters -------------------------------------------------------------------

    def _item_heading(self, index: int, pattern: re.Pattern) -> tuple[int, str] | None:
        line = self.lines[index]
        match = pattern.match(line.text)
        if not match:
            return None
        title = match.group(2).strip()
        if not _heading_shaped(title, "section") or "，" in title and len(title) > 30:
            return None
        if not self.one_per_line and line.width > self.body_width * 0.92:
            return None  # a full line: the first line of a paragraph that starts with 「一、」
        ordinal = cn_ordinal(match.group(1))
        return (ordinal, title) if ordinal else None

    def _sequences(self, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int, str]]:
        """Headings of one numbering style between two indexes that run 一, 二, 三 … without a gap."""
        found: list[tuple[int, int, str]] = []
        expected = 1
        for i in range(start, end):
            if i in self.outline.skipped or i in self.outline.headings:
                continue
            item = self._item_heading(i, pattern)
            if item is None:
                continue
            ordinal, title = item
            if ordinal == expected:
                found.append((i, ordinal, title))
                expected += 1
        return found if len(found) >= 2 else []

    def cn_item_sections(self) -> None:
        """A document without 第X节: chapters divided by 「一、」「二、」 have those as sections."""
        chapters = sorted(i for i, h in self.outline.headings.items() if h.kind in (NodeKind.CHAPTER, NodeKind.PART))
        bounds = chapters + [len(self.lines)]
        for k, start in enumerate(chapters):
            if self.outline.headings[start].kind != NodeKind.CHAPTER:
                continue
            for i, ordinal, title in self._sequences(start + 1, bounds[k + 1], CN_ITEM_RE):
                self.outline.headings[i] = Heading(NodeKind.SECTION, f"{self._item_number(i)}", ordinal, title)

    def cn_item_chapters(self) -> None:
        """A document without 第X章: the top level is the 「一、」 sequence that spans it, 「（一）」 below."""
        first_body = self.toc_end + 1
        top = self._sequences(first_body, len(self.lines), CN_ITEM_RE)
        if len(top) < 3:
            return
        for i, ordinal, title in top:
            self.outline.headings[i] = Heading(NodeKind.CHAPTER, self._item_number(i), ordinal, title)
        bounds = [i for i, _, _ in top] + [len(self.lines)]
        for k in range(len(top)):
            for i, ordinal, title in self._sequences(bounds[k] + 1, bounds[k + 1], PAREN_ITEM_RE):
                self.outline.headings[i] = Heading(NodeKind.SECTION, self._item_number(i), ordinal, title)

    def styled_chapters(self) -> None:
        """A Word file whose headings carry no numbering the text rules know: its heading styles say the levels.
        The highest level used three times or more gives the chapters, the next one the sections."""
        first_body = self.toc_end + 1
        def level(line) -> int | None:
            if line.hint is None:
                return None
            if line.hint.heading_level:
                return line.hint.heading_level
            # A drafter who made headings bold and centred instead of using styles: a level below any style.
            if line.hint.bold and line.hint.centred and len(line.text) <= 30:
                return 9
            return None

        styled = [
            (i, level(line))
            for i, line in enumerate(self.lines)
            if i >= first_body
            and i not in self.outline.headings
            and level(line)
            and _heading_shaped(line.text, "chapter")
            and not TITLE_WORDS_RE.search(line.text)
        ]
        levels = sorted({level for _, level in styled})
        usable = [level for level in levels if sum(1 for _, lv in styled if lv == level) >= 3]
        if not usable:
            return
        chapter_level = usable[0]
        section_level = next((level for level in levels if level > chapter_level), None)
        ordinal = 0
        for i, level in styled:
            text = self.lines[i].text
            number = self._item_number(i) or None
            title = re.sub(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])\s*", "", text)
            if level == chapter_level:
                ordinal += 1
                self.outline.headings[i] = Heading(NodeKind.CHAPTER, number, ordinal, title)
            elif level == section_level and ordinal:
                self.outline.headings[i] = Heading(NodeKind.SECTION, number, None, title)

    def _item_number(self, index: int) -> str:
        text = self.lines[index].text
        match = CN_ITEM_RE.match(text)
        if match:
            return f"{match.group(1)}、"
        match = PAREN_ITEM_RE.match(text)
        return f"（{match.group(1)}）" if match else ""

    # -- boxes and back matter ---------------------------------------------------------------------------

    def find_boxes(self) -> None:
        lines = self.lines
        for i, line in enumerate(lines):
            if i in self.outline.skipped or i in self.outline.headings:
                continue
            match = BOX_LABEL_RE.match(line.text)
            if not match or any(ch in line.text for ch in "。；") or len(line.text) > 60:
                continue
            number, title = match.group(1), match.group(2).strip()
            used = 1
            # 「专栏」 / 「1」 / 「0」 / 「 标题」: the number and the title may follow on lines of their own.
            j = i + 1
            if number is None:
                digits = ""
                while j < len(lines) and re.fullmatch(r"[0-9０-９]{1,2}", lines[j].text) and len(digits) < 3:
                    digits += lines[j].text
                    j += 1
                if not digits and not title:
                    continue
                number = digits or None
            if not title and j < len(lines) and not _is_sentence(lines[j]) and heading_candidate(lines[j].raw) is None:
                title = lines[j].text.strip()
                j += 1
                # A title broken into fragments, a line each (text from a web page): join them up to the first
                # item (「01」) or a longer line.
                while (
                    j < len(lines)
                    and len(lines[j].text) <= 12
                    and len(title) + len(lines[j].text) <= 40
                    and not re.fullmatch(r"[0-9０-９]{1,3}[.．、]?", lines[j].text)
                    and not _is_sentence(lines[j])
                    and not any(ch in lines[j].text for ch in "：:，")
                    and heading_candidate(lines[j].raw) is None
                    and not BOX_LABEL_RE.match(lines[j].text)
                    and not lines[j].text.replace(" ", "") in ("类别", "分类", "序号", "指标", "项目", "名称")
                ):
                    title += lines[j].text.strip()
                    j += 1
            used = j - i
            if not title and not number:
                continue
            label = "专栏" + _ascii_digits(re.sub(r"\s+", "", number)) if number else None
            self.outline.headings[i] = Heading("box", label, None, re.sub(r"^[：:]\s*", "", title), used)

    def find_back_matter(self) -> None:
        last_heading = max((i for i, h in self.outline.headings.items() if h.kind in (NodeKind.CHAPTER, NodeKind.SECTION)), default=None)
        if last_heading is None:
            return
        for i in range(last_heading + 1, len(self.lines)):
            if i in self.outline.headings or i in self.outline.skipped:
                continue
            text = self.lines[i].text
            if BACK_MATTER_RE.match(text):
                self.outline.headings[i] = Heading("appendix", None, None, re.sub(r"\s+", "", text).rstrip("：:"))
                return

    def find_page_footer(self) -> None:
        """A page saved from a website ends with its footer (打印本页, 网站标识码, ICP备案 …): from the first such
        line after the last heading, when nothing but short lines follows, it is not the plan's."""
        last_heading = max(self.outline.headings, default=-1)
        for i in range(last_heading + 1, len(self.lines)):
            if not FOOTER_RE.search(self.lines[i].text):
                continue
            rest = range(i, len(self.lines))
            if all(len(self.lines[j].text) <= 60 and not self.lines[j].text.endswith("。") for j in rest):
                self.outline.skipped.update(rest)
                self.outline.warnings.append(f"第{self.lines[i].number}行起是网页的页脚，已略去")
            return

    # -- front matter --------------------------------------------------------------------------------------

    def find_front(self) -> None:
        lines = self.lines
        body_start = min(
            [i for i, h in self.outline.headings.items() if h.kind in (NodeKind.PART, NodeKind.CHAPTER)] + [len(lines)]
        )
        toc_start = min([i for i in self.outline.skipped if i < body_start] + [body_start])
        limit = toc_start
        # The issuing notice: a salutation 「各…：」, then the text, then the issuer and the date.
        notice_start = None
        for i in range(limit):
            if SALUTATION_RE.match(lines[i].text) and ("政府" in lines[i].text or "部门" in lines[i].text or "单位" in lines[i].text or "委" in lines[i].text):
                notice_start = i
                for j in range(i - 1, max(-1, i - 4), -1):
                    if DOC_NUMBER_RE.search(lines[j].text) or "关于印发" in lines[j].text or "通知" in lines[j].text:
                        notice_start = j
                break
        if notice_start is not None:
            notice_end = notice_start
            for j in range(notice_start + 1, limit):
                if DATE_LINE_RE.match(lines[j].text.replace(" ", "")):
                    notice_end = j
                    break
            else:
                notice_end = notice_start
            self.outline.notice = (notice_start, notice_end)
        # The plan's title: one or two title-like lines before the TOC, after the notice.
        search_from = self.outline.notice[1] + 1 if self.outline.notice else 0
        title_lines: list[int] = []
        for i in range(search_from, limit):
            text = lines[i].text
            if i in self.outline.skipped:
                continue
            if self._title_like(text):
                title_lines = [i]
                if i > search_from and self._title_head_like(lines[i - 1].text):
                    title_lines.insert(0, i - 1)
                elif i + 1 < limit and self._title_tail_like(lines[i + 1].text):
                    title_lines.append(i + 1)
                break
        self.outline.title_lines = title_lines
        # Navigation text before the notice or the title (a page saved from a website) is not the plan's.
        starts = [x for x in (self.outline.notice[0] if self.outline.notice else None, title_lines[0] if title_lines else None) if x is not None]
        if starts:
            first = min(starts)
            if first > 0 and (self.outline.notice or first >= 8):
                self.outline.skipped.update(range(first))
                self.outline.warnings.append(f"第1—{lines[first - 1].number}行不是规划正文（网页导航等），已略去")

    @staticmethod
    def _title_like(text: str) -> bool:
        return (
            bool(TITLE_WORDS_RE.search(text))
            and bool(re.search(r"(规划|纲要)", text))
            and not any(ch in text for ch in "。，；《》")
            and "通知" not in text
            and "关于印发" not in text
            and len(text) <= 60
            and " - " not in text
        )

    @staticmethod
    def _title_head_like(text: str) -> bool:
        return text.endswith(("发展", "社会发展")) and len(text) <= 40 and not any(ch in text for ch in "。，；")

    @staticmethod
    def _title_tail_like(text: str) -> bool:
        return bool(re.match(r"^(和|与|及)?\S{0,20}(纲要|规划)$", text)) and not any(ch in text for ch in "。，；")


def analyse(lines: list["Line"], *, one_per_line: bool, body_width: float) -> Outline:
    """Find front matter, the table of contents, headings and boxes in a plan's lines."""
    return _Analyser(lines, one_per_line, body_width).run()
