"""Reading a plan's own main-indicator table (主要指标, a 专栏 or 表 in the chapter on goals).

The table arrives in one of the shapes a plan's text gives it; `read_indicator_table` takes it as it is:

- lines whose cells are separated by a tab or by two or more spaces (text copied from Word, or the parser's
  table cells), where a cell shared by several rows (分类, an indicator spread over two rows) is written only
  on its first row and a long cell may wrap onto the next line (「与经济增长」 / 「保持同步」);
- lines extracted from a PDF, cells separated by single spaces like the words inside them
  (「1 地区生产总值年均增长（%） 5 左右 预期性」), with page numbers and a repeated header at page breaks, and
  names wrapped onto the next line;
- one cell per line (some PDF extractions), blank lines between; the header's cells say how many columns;
- real table rows (list[list[str]], from a Word table), where empty cells keep their place.

The header gives the columns and the years (「2025年」/「基期值」 base, 「2030年目标」/「目标值」 target). Every
indicator row yields an `IndicatorRow`: category, number, name and unit (the last parenthesis of the name when
it is a unit: 「地区生产总值（GDP）年均增长率（%）」 → 「地区生产总值（GDP）年均增长率」 and 「%」), attribute, and the
base, target and growth cells verbatim. PDF spaces next to Chinese characters are dropped (「5 左右」 → 「5左右」,
「3 岁以下」 → 「3岁以下」); nothing else in a cell is changed.

An indicator spread over two rows (「每千人口拥有医护人员数」 over 执业（助理）医师数 and 注册护士数; 「生产安全事故」
over 起数下降 and 死亡人数下降) becomes one indicator per row, named 「<whole>：<part>」
(「每千人口拥有医护人员数：执业（助理）医师数」), or just the part when the part already reads as a whole name
(「每千人口拥有注册护士数」). The colon keeps the names unique, shows which rows belong together, and leaves
「下降」 in the name, which core.targets reads as a reduction.

Nothing is guessed silently: every doubtful reading (a target core.targets cannot read, 〔〕 figures, a
missing attribute, a gap in the numbering, a category with fewer rows than its 「（12 项）」) is a warning,
and a row is never dropped for a doubtful cell. A layout that cannot be read row by row (a PDF extracted
column by column) gives no rows and a warning rather than invented ones. Nothing here does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from core.kinds import BlockKind, NodeKind
from core.targets import TargetKind, parse_target

ATTRIBUTES = ("预期性", "约束性")
MAX_ROW_LINES = 6  # one indicator (its sub-rows and wrapped cells included) spans at most this many lines

# ----------------------------------------------------------------------------------------------------------
# Characters

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# Chinese characters and full-width punctuation: a space next to one of these is a PDF artefact.
_WIDE = _CJK + "\u3000-\u303f\uff00-\uffef“”‘’〔〕【】《》"
_PDF_SPACE = re.compile(rf"\s+(?=[{_WIDE}])|(?<=[{_WIDE}])\s+")
_SPACES = re.compile(r"\s+")
_FOLD = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}  # full-width ASCII -> ASCII
_FOLD[0x3000] = " "


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _squeeze(text: str) -> str:
    """A cell's text without PDF spaces: spaces next to Chinese characters go, other runs become one space."""
    return _SPACES.sub(" ", _PDF_SPACE.sub("", text)).strip()


def _squash(text: str) -> str:
    return _SPACES.sub("", text)


def _has_cjk(text: str, at_least: int = 1) -> bool:
    return len(re.findall(f"[{_CJK}]", text)) >= at_least


def indicator_key(name: str) -> str:
    """The name as a key: full-width folded, spaces gone, parentheses and colons of one kind. Two readings
    of the same table give the same keys, so proposing them again adds nothing."""
    folded = _fold(_squash(name)).lower()
    return folded.replace("(", "（").replace(")", "）").replace(":", "：")


# ----------------------------------------------------------------------------------------------------------
# Units

_BASE_UNITS = (
    "元 美元 欧元 吨 标准煤 吨标准煤 件 个 人 人次 年 岁 家 户 项 所 张 床 台 辆 艘 座 套 公里 千米 米 平方米 平方公里 "
    "亩 公顷 立方米 千瓦 千瓦时 度 天 小时 分钟 分 次 株 篇 名 微克 毫克 克 千克 公斤 升 毫升 标箱 斤 倍 册 条 处 个百分点 "
    "百分点"
).split()
_UNIT_ATOM = (r"(?:%|‰|[十百千万亿]{0,2}(?:" + "|".join(map(re.escape, sorted(_BASE_UNITS, key=len, reverse=True)))
              + r")|[万亿])")
_UNIT_RE = re.compile(rf"{_UNIT_ATOM}(?:/{_UNIT_ATOM})*/?")
_PLACEHOLDERS = {"", "-", "—", "——", "–", "/", "无", "－", "―"}
_PARENS = re.compile(r"[（(]([^（）()]*)[)）]")


def _unit_text(text: str) -> str | None:
    """The unit a cell or a parenthesis holds (「％」 → 「%」), or None when it is not a unit."""
    folded = _fold(_squash(text))
    if _UNIT_RE.fullmatch(folded):
        return folded
    return None


def _is_unit_cell(text: str) -> bool:
    folded = _fold(_squash(text))
    return folded in _PLACEHOLDERS or _unit_text(folded) is not None


def _split_unit(name: str) -> tuple[str, str]:
    """「地区生产总值（GDP）年均增长率（%）」 → (「地区生产总值（GDP）年均增长率」, 「%」): the name's last parenthesis,
    when it ends the name and holds a unit. 「（GDP）」, 「（PM2.5）」, 「（助理）」 are part of the name."""
    text = name.rstrip()
    star = ""
    while text.endswith(("*", "＊")):
        star, text = text[-1] + star, text[:-1].rstrip()
    match = None
    for match in _PARENS.finditer(text):
        pass
    if match is not None and match.end() == len(text):
        unit = _unit_text(match.group(1))
        if unit is not None:
            return text[: match.start()].rstrip() + star, unit
    return name.strip(), ""


def _ends_with_unit(text: str) -> bool:
    return bool(_split_unit(text)[1])


def _first_unit_paren(text: str) -> re.Match | None:
    """The first parenthesis holding a unit (in a PDF line: where the name ends and the values begin)."""
    for match in _PARENS.finditer(text):
        if _unit_text(match.group(1)) is not None:
            return match
    return None


def _balanced(text: str) -> bool:
    return text.count("（") + text.count("(") <= text.count("）") + text.count(")")


# ----------------------------------------------------------------------------------------------------------
# Kinds of cells

_NUMBER_CELL = re.compile(r"\d{1,3}[.、]?")
_NUMBERED_NAME = re.compile(r"(\d{1,3})\s*[.、]\s*(?!\d)(.+)", re.S)
_CATEGORY_LINE = re.compile(
    rf"(?:[一二三四五六七八九十]+\s*[、.]|[（(]\s*[一二三四五六七八九十]+\s*[)）])\s*([{_CJK}][^（()]*?)\s*"
    r"(?:[（(]\s*(?:共\s*)?(\d+)\s*项\s*[)）])?\s*$"
)
# 「— 13 —」, 「第 13 页」; not 「13/20」, which in a table is more likely a cell (「8358/244」).
_PAGE_NUMBER = re.compile(r"[-—–~－]\s*\d{1,4}\s*[-—–~－]|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?")
_NOTE = re.compile(r"(?:备\s*)?注\s*[：:1１]|说明\s*[：:]")
_HEADING = re.compile(r"第\s*[一二三四五六七八九十百零〇\d]+\s*[章节篇]")
_SUFFIX_WORDS = ("左右", "以上", "以下", "以内", "上下", "及以上", "个百分点")
# Words a target cell starts with, never a name: 「完成省定目标」, 「与经济增长保持同步」, 「提高1个百分点以上」 …
_TARGET_START = re.compile(
    r"(?:完成|与|同|高于|低于|不低于|不高于|不超过|超过|保持|稳中|基本|提高|提升|力争|达到|持续|逐步|确保|控制|下降|降低|"
    r"累计|年均|增长|“十)"
)
_NOTE_CUMULATIVE = re.compile(r"〔.*〕.*累计|累计.*〔.*〕")
_BRACKETED = re.compile(r"[〔［\[]\s*(.+?)\s*[〕］\]]")


def _is_attribute(text: str) -> bool:
    return _fold(_squash(text)) in ATTRIBUTES


def _number_of(text: str) -> str | None:
    folded = _fold(_squash(text))
    return folded.rstrip(".、") if _NUMBER_CELL.fullmatch(folded) else None


def _numbered_name(text: str) -> tuple[str, str] | None:
    """「1. 地区生产总值年均增长」 → (「1」, 「地区生产总值年均增长」); 「2.5」 is a value, not a numbered name."""
    match = _NUMBERED_NAME.fullmatch(_fold(text.strip()))
    if match and _has_cjk(match.group(2), 2):
        return match.group(1), text.strip()[len(text.strip()) - len(match.group(2)) :].strip()
    return None


def _is_category_line(text: str) -> re.Match | None:
    return _CATEGORY_LINE.fullmatch(text.strip())


def _is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(text.strip()))


def _is_prose(text: str) -> bool:
    """A sentence of the plan's body after the table: long, with the punctuation of running text."""
    squashed = _squash(text)
    if _HEADING.match(squashed):
        return True
    return len(squashed) >= 24 and bool(re.search(r"[，。；]", squashed))


def _name_like(text: str) -> bool:
    """Could start a (sub-)indicator's name: Chinese words that are neither a value, a unit nor an attribute."""
    squashed = _squeeze(text)
    if not _has_cjk(squashed, 2) or _is_attribute(squashed) or _is_unit_cell(squashed):
        return False
    if squashed.startswith(_SUFFIX_WORDS) or _TARGET_START.match(squashed):
        return False
    return not re.match(r"[-+<>≥≤＞＜﹥﹤~≈〔\[［]|\d+(?:\.\d+)?(?:$|[%/])", _fold(squashed))


def _value_like(text: str) -> bool:
    """A target or base cell: a number, a bound, a 〔〕 figure, or words like 「完成省定目标」."""
    squashed = _fold(_squeeze(text))
    if not squashed or _is_attribute(squashed):
        return False
    if re.match(r"[-+<>≥≤﹥﹤~≈〔\[［\d]", squashed) or _TARGET_START.match(squashed):
        return True
    return parse_target(squashed).kind not in (TargetKind.QUALITATIVE, TargetKind.NONE)


# ----------------------------------------------------------------------------------------------------------
# The header

_HEADER_WORDS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?:牵头|责任|配合|主管)(?:单位|部门)|备注|说明|数据来源|出处"), "other"),
    (re.compile(r"类别|分类|领域|类型|维度"), "category"),
    (re.compile(r"序号|编号"), "number"),
    (re.compile(r"指标名称|主要指标|指标"), "name"),
    (re.compile(r"计量单位|单位"), "unit"),
    (re.compile(r"指标属性|属性|性质"), "attribute"),
    (re.compile(r"年均增(?:长率?|速|幅)|年均|增速"), "growth"),
    (re.compile(r"(?:(20\d\d)年?)(?:规划)?(?:目标值?|预期目标|预期)|(?:规划)?目标值?|预期目标"), "target"),
    (re.compile(r"(?:(20\d\d)年?)(?:基数|基期值?|完成值?|完成情况|现状值?|实际值?|预计值?|预计完成值?|基准值?|值)"
                r"|基数|基期值?|现状值?|基准值?|完成值|完成情况"), "base"),
    (re.compile(r"(20\d\d)年?"), "year"),
]
_HEADER_JUNK = set("（）()%％/、：:“”\"'‘’-—·.，,[]【】〔〕*＊")


@dataclass
class _Column:
    kind: str  # category number name sub unit attribute base target growth other (year while unresolved)
    label: str
    year: int | None = None


def _scan_header(text: str) -> tuple[list[_Column], float]:
    """The header words of `text` in order, and the share of its characters they account for."""
    squashed = _fold(_squash(text)).replace("“十五五”", "").replace("“十四五”", "")
    columns: list[_Column] = []
    pos = covered = 0
    while pos < len(squashed):
        for pattern, kind in _HEADER_WORDS:
            match = pattern.match(squashed, pos)
            if match:
                years = [g for g in match.groups() if g]
                columns.append(_Column(kind, match.group(), int(years[0]) if years else None))
                covered += match.end() - pos
                pos = match.end()
                break
        else:
            if squashed[pos] in _HEADER_JUNK:
                covered += 1
            pos += 1
    return columns, (covered / len(squashed) if squashed else 0.0)


def _header_like(text: str) -> list[_Column] | None:
    columns, share = _scan_header(text)
    return columns if columns and share >= 0.8 else None


def _resolve(columns: list[_Column]) -> list[_Column]:
    """Bare years become base or target; repeated names become the sub-indicator column; extra base or target
    columns (a 2035 vision next to the 2030 target) are kept aside."""
    out = [_Column(c.kind, c.label, c.year) for c in columns]
    bare = [c for c in out if c.kind == "year"]
    if bare:
        has_target = any(c.kind == "target" for c in out)
        last = max(bare, key=lambda c: c.year or 0)
        for c in bare:
            c.kind = "base" if has_target or c is not last else "target"
    seen: set[str] = set()
    for i, c in enumerate(out):
        if c.kind == "name" and "name" in seen and out[i - 1].kind == "name":
            c.kind = "sub"
        elif c.kind in seen and c.kind in ("category", "number", "name", "unit", "attribute", "base", "target", "growth"):
            c.kind = "other"
        seen.add(c.kind)
    return out


_DEFAULT_HEADER = [_Column("number", "序号"), _Column("name", "指标"), _Column("target", "目标"),
                   _Column("attribute", "属性")]


# ----------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of the table. Texts are as the plan writes them (PDF spaces aside)."""

    ordinal: int  # 1-based, in table order
    category: str
    number: str  # 序号 as printed; sub-rows share their indicator's
    name: str
    unit: str
    attribute: str  # 预期性 / 约束性, or "" when the table does not say
    base_text: str = ""
    target_text: str = ""
    growth_text: str = ""
    parent: str = ""  # an indicator spread over rows: its whole name (每千人口拥有医护人员数)
    note: str = ""  # what the table's notes say about this row (〔〕 cumulative, a * mark)
    cumulative: bool = False  # the target is written 〔…〕: a total over the plan period
    lines: tuple[int, ...] = ()  # indexes of the input lines (or rows) it was read from

    def as_dict(self) -> dict:
        return {"ordinal": self.ordinal, "category": self.category, "number": self.number, "name": self.name,
                "unit": self.unit, "attribute": self.attribute, "base_text": self.base_text,
                "target_text": self.target_text, "growth_text": self.growth_text, "parent": self.parent,
                "note": self.note, "cumulative": self.cumulative}


@dataclass
class IndicatorTable:
    rows: list[IndicatorRow] = field(default_factory=list)
    base_year: int | None = None  # the base column's year (「2025年」), None when the header does not say
    target_year: int | None = None  # the target column's year (「2030年目标」)
    columns: list[str] = field(default_factory=list)  # the header's column labels as read
    notes: list[str] = field(default_factory=list)  # the 注 lines under the table
    warnings: list[str] = field(default_factory=list)

    def row_warnings(self, row: IndicatorRow) -> list[str]:
        """The warnings about one row (they start with its name)."""
        return [w for w in self.warnings if w.startswith(f"“{row.name}”")]


# ----------------------------------------------------------------------------------------------------------
# Input lines


@dataclass
class _Line:
    index: int
    text: str  # the line, or the cells joined by tabs
    cells: list[str]  # separated cells (empties dropped), or a real row's cells (empties kept)
    positional: bool  # a real table row: cells keep their column
    loose: bool  # PDF text: no separator wider than one space


_SEPARATOR = re.compile(r"\t+|[ \u3000]{2,}")


def _prepare(rows: Iterable) -> list[_Line]:
    lines: list[_Line] = []
    for index, row in enumerate(rows or ()):
        if isinstance(row, (list, tuple)):
            cells = [_squeeze(str(c) if c is not None else "") for c in row]
            if not any(cells):
                continue
            lines.append(_Line(index, "\t".join(cells), cells, True, False))
            continue
        text = str(row).replace("\r", " ").replace("\n", " ")
        if not text.strip():
            continue
        parts = [_squeeze(p) for p in _SEPARATOR.split(text.strip())]
        parts = [p for p in parts if p]
        if not parts:
            continue
        loose = len(parts) == 1
        # A PDF line keeps its single spaces: they separate its cells (and are squeezed out cell by cell).
        lines.append(_Line(index, text.strip(), parts if not loose else [_SPACES.sub(" ", text.strip())], False, loose))
    return lines


# ----------------------------------------------------------------------------------------------------------
# Rows as collected, before their cells are assigned to columns


@dataclass
class _Raw:
    lines: list[int]
    cells: list[str] = field(default_factory=list)  # cells mode
    loose: str | None = None  # PDF text of the row (its lines joined)
    positional: bool = False
    category: str = ""
    number: str = ""
    subrows: list["_Raw"] = field(default_factory=list)
    cell_lines: list[list[int]] = field(default_factory=list)  # one cell per line: each cell's lines

    def last_row(self) -> "_Raw":
        return self.subrows[-1] if self.subrows else self


def _join(before: str, after: str) -> str:
    """Two pieces of one wrapped cell, joined as printed: no space (Chinese text has none, and 「PM」 / 「2.5」
    is 「PM2.5」), except between two numbers, which stay apart."""
    if not before:
        return after
    if not after:
        return before
    if re.search(r"\d$", before) and re.match(r"\d", after):
        return f"{before} {after}"
    return before + after


class _Reader:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.header: list[_Column] = []
        self.header_found = False
        self.stream = False
        self.category_counts: dict[str, int] = {}  # 「（12 项）」 per category
        self.numbered = False  # a row has carried a number (then every row starts with one)
        self.header_lines: list[_Line] = []

    # --------------------------------------------------------------------------------------------------
    # Header

    def find_header(self) -> int:
        """Index in self.lines of the first line after the header (0 when there is none)."""
        for i, line in enumerate(self.lines[:15]):
            columns = _header_like(line.text if not line.positional else "".join(line.cells))
            if columns is None:
                continue
            end, parts = i + 1, [line]
            while end < len(self.lines) and _header_like(self.lines[end].text) is not None:
                parts.append(self.lines[end])
                end += 1
            text = "".join(_squash(p.text) for p in parts)
            columns = _resolve(_scan_header(text)[0])
            kinds = {c.kind for c in columns}
            if "name" not in kinds and len(kinds & {"attribute", "target", "base", "growth", "unit"}) < 2:
                continue
            if "name" not in kinds:
                columns.insert(0, _Column("name", "指标"))
            self.header, self.header_found = columns, True
            # One header cell per line (「类别」 / 「指标」 / 「单位」 …): the table is one cell per line.
            self.stream = len(parts) >= 3 and all(p.loose or len(p.cells) == 1 for p in parts)
            self.header_lines = parts
            return end
        self.header = [_Column(c.kind, c.label) for c in _DEFAULT_HEADER]
        self.warnings.append("没有找到表头（如「序号 指标 2030年目标 属性」），按「序号、指标、目标、属性」的顺序读取。")
        return 0

    def kinds(self) -> list[str]:
        return [c.kind for c in self.header]

    def has(self, kind: str) -> bool:
        return kind in self.kinds()

    def after_name(self) -> list[str]:
        """The columns right of the name (and of the sub-indicator column), in order, without 'other'."""
        kinds = self.kinds()
        start = max((i for i, k in enumerate(kinds) if k in ("name", "sub")), default=-1) + 1
        return [k for k in kinds[start:] if k != "other"]

    def value_columns(self) -> list[str]:
        return [k for k in self.after_name() if k in ("base", "target", "growth")]

    def is_repeated_header(self, line: _Line) -> bool:
        columns = _header_like(line.text if not line.positional else "".join(line.cells))
        return columns is not None and len(columns) >= 2 and any(c.kind == "name" for c in columns)

    # --------------------------------------------------------------------------------------------------
    # Rows layout: one line per row (cells or PDF text), wrapped lines and sub-rows joined to their row

    def row_start(self, line: _Line) -> _Raw | None:
        if line.positional:
            return self.positional_start(line)
        if line.loose:
            return self.loose_start(line)
        cells = line.cells
        i, category = 0, ""
        if len(cells) >= 2 and _number_of(cells[0]) is None \
                and (_number_of(cells[1]) is not None or _numbered_name(cells[1]) is not None) \
                and _has_cjk(cells[0]) and not _is_attribute(cells[0]) and _numbered_name(cells[0]) is None:
            category, i = cells[0], 1
        if i < len(cells) and (number := _number_of(cells[i])) is not None and i + 1 < len(cells) \
                and _has_cjk(cells[i + 1]) and not _is_attribute(cells[i + 1]):
            return _Raw([line.index], cells[i + 1 :], category=category, number=number)
        if i < len(cells) and (numbered := _numbered_name(cells[i])) is not None:
            return _Raw([line.index], [numbered[1], *cells[i + 1 :]], category=category, number=numbered[0])
        if not self.has("number") and not self.numbered and len(cells) >= 2:
            if self.has("category") and len(cells) >= 3 and _has_cjk(cells[0]) and _name_like(cells[1]) \
                    and len(cells) > len(self.after_name()) + 1:
                category, cells = cells[0], cells[1:]
            if _name_like(cells[0]) and any(_is_attribute(c) or _value_like(c) for c in cells[1:]):
                return _Raw([line.index], list(cells), category=category)
        return None

    def positional_start(self, line: _Line) -> _Raw | None:
        cells, kinds = line.cells, self.kinds()
        if len(cells) != len(kinds):
            joined = _Line(line.index, line.text, [c for c in cells if c], False, False)
            return self.row_start(joined) if joined.cells else None
        row = dict(zip(kinds, cells))
        if not row.get("name") and not row.get("number"):
            return None  # a merged name cell exported empty: the next row of the indicator above
        name = row.get("name", "") or row.get("sub", "")
        number = _number_of(row.get("number", "")) or ""
        if not name or (self.has("number") and row.get("number") and not number):
            return None
        if _numbered_name(name) is not None and not number:
            number, _ = _numbered_name(name)
        return _Raw([line.index], list(cells), positional=True, category=row.get("category", ""), number=number)

    def loose_start(self, line: _Line) -> _Raw | None:
        text = line.cells[0]
        category = ""
        if self.has("category"):
            match = re.match(rf"([{_CJK}][^\s\d]*)\s+(?=\d)", text)
            if match and not _is_attribute(match.group(1)):
                category, text = match.group(1), text[match.end() :]
        folded = _fold(text)
        match = re.match(r"(\d{1,3})(?:\s*[.、]\s*(?![\d.])|\s+)(?=\S)", folded)  # not 「58.8 …」
        if match:
            rest = text[match.end() :].strip()
            squeezed = _squeeze(rest)
            if _has_cjk(squeezed, 2) and re.match(rf"\d*[{_CJK}A-Za-z“（(]", _fold(squeezed)) \
                    and not _is_attribute(squeezed.split(" ")[0]) and not squeezed.startswith(_SUFFIX_WORDS) \
                    and not _TARGET_START.match(squeezed):
                return _Raw([line.index], loose=rest, category=category, number=match.group(1))
        numbered = _numbered_name(text)
        if numbered is not None:
            return _Raw([line.index], loose=numbered[1], category=category, number=numbered[0])
        if not self.has("number") and not self.numbered and _first_unit_paren(text) is not None \
                and self._loose_attribute(text)[0]:
            return _Raw([line.index], loose=text, category=category)
        return None

    @staticmethod
    def _loose_attribute(text: str) -> tuple[str, str]:
        """(attribute, the text without it) of a PDF line."""
        match = None
        for match in re.finditer(r"(?:(?<=\s)|^)(预期性|约束性)(?=\s|$)", text):
            pass
        if match is None:
            match = re.search(r"(预期性|约束性)\s*$", text)
        if match is None:
            return "", text
        return match.group(1), (text[: match.start()] + " " + text[match.end() :]).strip()

    def complete(self, raw: _Raw) -> bool:
        """Whether a row already has something right of its name (a wrapped line then starts a sub-row or
        continues its last cell rather than its name)."""
        row = raw.last_row()
        if row.loose is not None:
            attribute, rest = self._loose_attribute(row.loose)
            if self.has("attribute"):
                return bool(attribute)
            return _first_unit_paren(rest) is not None and bool(rest[_first_unit_paren(rest).end() :].strip())
        if row.positional:
            return True
        return len(row.cells) >= 2

    def continue_row(self, raw: _Raw, line: _Line) -> bool:
        """A line that starts no row: the next row of the same indicator, or the wrapped part of a cell.
        False when the row has taken in so many lines that this one cannot be part of it."""
        if sum(len(r.lines) for r in (raw, *raw.subrows)) >= MAX_ROW_LINES:
            return False
        self._continue(raw, line)
        return True

    def _continue(self, raw: _Raw, line: _Line) -> None:
        row = raw.last_row()
        cells = [c for c in line.cells if c] if not line.loose else [line.cells[0]]
        if line.positional:
            kinds = self.kinds()
            if len(line.cells) == len(kinds):
                values = dict(zip(kinds, line.cells))
                if not values.get("name") and not values.get("number"):
                    # a merged name cell exported empty: this row continues the indicator above
                    raw.subrows.append(_Raw([line.index], list(line.cells), positional=True))
                    return
            row.lines.append(line.index)
            row.cells.extend(cells)
            return
        if row.loose is not None:
            text = line.cells[0] if line.loose else "  ".join(cells)
            if self.complete(raw) and (sub := self._loose_sub(text)) is not None:
                raw.subrows.append(_Raw([line.index], loose=sub))
                return
            row.lines.append(line.index)
            row.loose = _join(row.loose, text)
            return
        if not self.complete(raw):
            row.lines.append(line.index)
            row.cells[-1] = _join(row.cells[-1], cells[0])
            row.cells.extend(cells[1:])
            return
        words = [w for w in line.cells[0].split(" ") if w] if line.loose else cells
        if len(words) >= 2 and _name_like(words[0]) and (not line.loose or _ends_with_unit(words[0])):
            raw.subrows.append(_Raw([line.index], words))
            return
        # a wrapped cell: the name's tail (an open parenthesis, or the unit it lacks), else the last cell's
        row.lines.append(line.index)
        piece = _squeeze(" ".join(words))
        name = row.cells[0] if row.cells else ""
        if row.cells and (not _balanced(name) or (_ends_with_unit(piece) and not _ends_with_unit(name))):
            row.cells[0] = _join(name, piece)
        elif row.cells:
            row.cells[-1] = _join(row.cells[-1], piece)
        else:
            row.cells.append(piece)

    def _loose_sub(self, text: str) -> str | None:
        """A PDF line under a complete row that is the next row of the same indicator: 「死亡人数下降（%） 〔16〕」."""
        squeezed = text.strip()
        paren = _first_unit_paren(squeezed)
        if paren is None or not squeezed[paren.end() :].strip():
            return None
        head = squeezed[: paren.start()]
        return squeezed if _name_like(head) and " " not in _squeeze(head) else None

    def category_of(self, line: _Line, following: _Line | None, current: _Raw | None) -> str | None:
        """A category row: 「一、经济强（12 项）」, or (in a table without a category column) a short title
        alone on its line between two rows."""
        cells = [c for c in line.cells if c]
        if line.positional and len(set(cells)) == 1 and _number_of(cells[0]) is None:
            text = cells[0]  # a category row: one cell, or one text merged across the row
        elif len(cells) == 1:
            text = cells[0]
        else:
            return None
        match = _is_category_line(text)
        if match:
            name = _squash(match.group(1))
            if match.group(2):
                self.category_counts[name] = int(match.group(2))
            return name
        if self.has("category") or current is None and following is None:
            return None
        squashed = _squash(text)
        if (len(squashed) <= 10 and _has_cjk(squashed, 2) and not re.search(r"\d", squashed)
                and not _is_attribute(squashed) and not _value_like(squashed)
                and (current is None or self.complete(current))
                and following is not None and self.row_start(following) is not None):
            return squashed
        return None

    def read_rows(self, start: int) -> list[_Raw]:
        raws: list[_Raw] = []
        current: _Raw | None = None
        category = ""
        orphans = 0
        lines = self.lines
        i = start
        while i < len(lines):
            line = lines[i]
            following = lines[i + 1] if i + 1 < len(lines) else None
            text = line.text
            i += 1
            if _is_page_number(text) or (self.header_found and self.is_repeated_header(line)):
                continue
            if _NOTE.match(_squash(text)):
                self.notes = _note_lines([l.text for l in lines[i - 1 :]])
                break
            raw = self.row_start(line)
            if raw is None and _is_prose(text) and not line.positional:
                break
            if raw is None:
                named = self.category_of(line, following, current)
                if named is not None:
                    category = named
                    continue
            if raw is not None:
                # rows numbered in their name cell (「24. …」): an unnumbered line continues the row above
                self.numbered = self.numbered or bool(raw.number)
                if raw.category:
                    category = _squash(raw.category)
                raw.category = category
                raws.append(raw)
                current = raw
                continue
            if current is None or not self.continue_row(current, line):
                orphans += 1
                continue
        if orphans:
            self.warnings.append(f"有 {orphans} 行不像指标行（没有序号和指标名称），没有读入。")
        return raws

    # --------------------------------------------------------------------------------------------------
    # Stream layout: one cell per line

    def read_stream(self, start: int) -> list[_Raw]:
        cells = [(l.index, l.cells[0] if l.loose else "  ".join(l.cells)) for l in self.lines[start:]]
        header_texts = {_squash(p.text) for p in self.header_lines}
        raws: list[_Raw] = []
        current: _Raw | None = None
        category = ""
        expected = len(self.after_name())
        i = 0
        while i < len(cells):
            index, text = cells[i]
            i += 1
            if _is_page_number(text):
                continue
            if _NOTE.match(_squash(text)):
                self.notes = _note_lines([t for _, t in cells[i - 1 :]])
                break
            if _is_prose(text):
                break
            # a header repeated after a page break: three header cells in a row
            run = 0
            while i - 1 + run < len(cells) and _squash(cells[i - 1 + run][1]) in header_texts:
                run += 1
            if run >= 3:
                i += run - 1
                continue
            numbered = _numbered_name(text)
            if numbered is not None:
                name = numbered[1]
                lines = [index]
                while not _balanced(name) and i < len(cells):  # 「细颗粒物（PM」 / 「2.5」 / 「）年均浓度」
                    name = _join(name, cells[i][1].strip())
                    lines.append(cells[i][0])
                    i += 1
                current = _Raw(list(lines), [name], category=category, number=numbered[0])
                current.cell_lines = [lines]
                raws.append(current)
                continue
            nxt = cells[i][1] if i < len(cells) else ""
            if (_numbered_name(nxt) is not None and _has_cjk(text, 2) and len(_squash(text)) <= 10
                    and not re.search(r"\d", text) and not _is_attribute(text) and not _is_unit_cell(text)
                    and not _value_like(text)
                    and (current is None or len(current.cells) - 1 >= expected - 1)):
                match = _is_category_line(text)
                category = _squash(match.group(1)) if match else _squash(text)
                if match and match.group(2):
                    self.category_counts[category] = int(match.group(2))
                continue
            if current is None:
                continue
            current.cells.append(text.strip())
            current.cell_lines.append([index])
            current.lines.append(index)
        for raw in raws:
            self._stream_subrows(raw)
        return raws

    def _stream_subrows(self, raw: _Raw) -> None:
        """Split a one-cell-per-line row into the rows of an indicator spread over several: each starts with
        a name followed by its unit (「每千人口拥有执业（助理）医师数」 / 「人」 / 「4.45」 / 「4.50」 / 「预期性」)."""
        rest, lines = raw.cells[1:], raw.cell_lines[1:]
        values = len(self.value_columns())
        starts: list[int] = []
        for j, cell in enumerate(rest):
            nxt = rest[j + 1] if j + 1 < len(rest) else None
            if not _name_like(cell):
                continue
            follows = (nxt is not None and _is_unit_cell(nxt)) if self.has("unit") else _ends_with_unit(cell)
            fresh = not starts or _is_attribute(rest[j - 1]) or j - starts[-1] > values + 1
            if follows and fresh and (starts or j == 0):
                starts.append(j)
        if not starts:
            return
        bounds = starts + [len(rest)]
        raw.subrows = [_Raw([i for ls in lines[a:b] for i in ls], rest[a:b]) for a, b in zip(bounds, bounds[1:])]
        raw.cells, raw.lines = raw.cells[:1], list(raw.cell_lines[0])

    # --------------------------------------------------------------------------------------------------
    # Assigning a row's cells to columns

    def fields(self, raw: _Raw) -> list[dict]:
        """The row's indicators as field dicts: one, or one per sub-row."""
        if raw.positional:
            own = self.positional_fields(raw)
        elif raw.loose is not None:
            own = self.loose_fields(raw.loose)
        else:
            own = self.cell_fields(raw.cells)
        own["category"], own["number"], own["lines"] = raw.category, raw.number, tuple(raw.lines)
        parts = []
        if own.get("sub"):
            parts.append({**own, "name": own["sub"]})
        for sub in raw.subrows:
            if sub.positional:
                fields = self.positional_fields(sub)
                fields["name"] = fields.get("sub") or fields.get("name", "")
            elif sub.loose is not None:
                fields = self.loose_fields(sub.loose, sub=True)
            else:
                fields = self.cell_fields(sub.cells, sub=True)
            fields["lines"] = tuple(sub.lines)
            parts.append(fields)
        if not parts:
            return [own]
        parent, parent_unit = _split_unit(own.get("name", ""))
        out = []
        previous: dict = {}
        for part in parts:
            merged = dict(part)
            merged["parent"] = parent
            for key in ("attribute", "unit"):
                if not merged.get(key):
                    merged[key] = previous.get(key) or own.get(key) or (parent_unit if key == "unit" else "")
            merged["category"], merged["number"] = raw.category, raw.number
            out.append(merged)
            previous = merged
        return out

    def positional_fields(self, raw: _Raw) -> dict:
        values: dict[str, str] = {}
        for kind, cell in zip(self.kinds(), raw.cells):
            if kind != "other" and kind not in values:
                values[kind] = cell
        name = values.get("name", "")
        if _numbered_name(name) is not None:
            name = _numbered_name(name)[1]
        out = {"name": name, "unit": values.get("unit", ""), "attribute": values.get("attribute", ""),
               "base_text": values.get("base", ""), "target_text": values.get("target", ""),
               "growth_text": values.get("growth", "")}
        sub = values.get("sub", "")
        if sub and sub != name:
            out["sub"] = sub
        if _fold(_squash(out["unit"])) in _PLACEHOLDERS:
            out["unit"] = ""
        return out

    def cell_fields(self, cells: list[str], sub: bool = False) -> dict:
        cells = [c for c in cells if c]
        out = {"name": cells[0] if cells else "", "unit": "", "attribute": "", "base_text": "", "target_text": "",
               "growth_text": ""}
        rest = cells[1:]
        columns = self.after_name()
        if not sub and rest and not self.has("sub") and _name_like(rest[0]):
            non_attributes = [c for c in rest if not _is_attribute(c)]
            unit_next = len(rest) > 1 and _is_unit_cell(rest[1])
            if (_ends_with_unit(rest[0]) and not _ends_with_unit(cells[0])) or \
                    (self.has("unit") and unit_next) or \
                    len(non_attributes) > len([k for k in columns if k != "attribute"]):
                out["sub"] = rest[0]
                rest = rest[1:]
        elif not sub and rest and self.has("sub"):
            out["sub"], rest = rest[0], rest[1:]
        self._assign(out, rest, columns)
        return out

    def loose_fields(self, text: str, sub: bool = False) -> dict:
        out = {"name": "", "unit": "", "attribute": "", "base_text": "", "target_text": "", "growth_text": ""}
        attribute, text = self._loose_attribute(text)
        out["attribute"] = attribute
        paren = _first_unit_paren(text)
        if paren is not None:
            name, unit, rest = text[: paren.start()].strip(), _unit_text(paren.group(1)) or "", text[paren.end() :]
            out["unit"] = unit
            tokens = rest.split()
        else:
            tokens = text.split()
            name, tokens = (tokens[0], tokens[1:]) if tokens else ("", [])
            if self.has("unit") and tokens and _is_unit_cell(tokens[0]):
                unit = _fold(_squash(tokens[0]))
                out["unit"] = "" if unit in _PLACEHOLDERS else unit
                tokens = tokens[1:]
        # Within one PDF line, a space between two Chinese characters of the name separates two cells:
        # 「生产安全事故 起数下降（%）」 is an indicator over two rows and its first part.
        pieces = re.split(rf"(?<=[{_CJK}）)])\s+(?=[{_CJK}（(])", name.strip())
        if len(pieces) == 2 and not sub and all(_has_cjk(p, 2) for p in pieces):
            out["name"], out["sub"] = pieces
        else:
            out["name"] = name
        self._assign(out, tokens, [k for k in self.after_name() if k not in ("unit", "attribute")])
        return out

    def _assign(self, out: dict, cells: list[str], columns: list[str]) -> None:
        """Unit, attribute and values of a row from its cells right of the name, by what each cell is."""
        cells = [c for c in cells if c]
        if "unit" in columns and cells and not out.get("unit"):
            if _is_unit_cell(cells[0]):
                unit = _fold(_squash(cells[0]))
                cells = cells[1:]
                while unit.endswith("/") and cells and _is_unit_cell(cells[0]):  # 「万人次/」 / 「万吨」
                    unit += _fold(_squash(cells[0]))
                    cells = cells[1:]
                out["unit"] = "" if unit in _PLACEHOLDERS else unit
        attributes = [c for c in cells if _is_attribute(c)]
        if attributes:
            out["attribute"] = _fold(_squash(attributes[-1]))
            cells = [c for c in cells if not _is_attribute(c)]
        value_columns = [k for k in columns if k in ("base", "target", "growth")]
        if not value_columns:
            value_columns = ["target"]
        texts = _fit(cells, len(value_columns))
        if len(texts) < len(value_columns):
            chosen = _choose_columns(value_columns, len(texts))
            placed = dict(zip(chosen, texts))
        else:
            placed = dict(zip(value_columns, texts))
        for kind in ("base", "target", "growth"):
            if kind in placed:
                out[f"{kind}_text"] = placed[kind]


def _note_lines(texts: list[str]) -> list[str]:
    """The table's notes: the 注 line and what continues it (numbered notes 「2. …」, a note's wrapped lines),
    up to the plan's text that follows (a heading, or a new paragraph after a finished note)."""
    notes: list[str] = []
    for text in texts:
        squashed = _squash(text)
        if not notes:
            notes.append(text.strip())
            continue
        if _HEADING.match(squashed):
            break
        if re.match(r"\d{1,2}\s*[.．、]", _fold(squashed)):
            notes.append(text.strip())
        elif not re.search(r"[。；;.]$", _squash(notes[-1])):
            notes[-1] = _join(notes[-1], text.strip())
        else:
            break
    return notes


def _join_score(a: str, b: str) -> int:
    """How much two neighbouring cells look like one wrapped cell."""
    score = 0
    if a.endswith("/") or b.startswith("/") or not _balanced(a):
        score += 6
    if not re.search(r"\d", a):
        score += 2
        if re.match(r"[\d+\-<>≥≤＞＜﹥﹤]", _fold(b)):
            score += 2
    if re.search(r"\d$", a) and b.startswith(_SUFFIX_WORDS + ("%", "％")):
        score += 5
    if re.fullmatch(r"力争|提高|提升|不低于|不高于|高于|低于|达到|累计|年均增长|年均|超过|控制在", a):
        score += 4
    if re.search(r"(?:目标|同步|稳定|有升|指标)$", a) or _fold(_squash(b)) in _PLACEHOLDERS \
            or _fold(_squash(a)) in _PLACEHOLDERS:
        score -= 6
    return score


def _fit(cells: list[str], count: int) -> list[str]:
    """The cells as `count` column texts: wrapped pieces joined (the likeliest pairs first)."""
    cells = [c for c in cells if c]
    if count <= 1:
        return [_squeeze(" ".join(cells))] if cells else []
    while len(cells) > count:
        best = max(range(len(cells) - 1), key=lambda j: (_join_score(cells[j], cells[j + 1]), -j))
        cells[best : best + 2] = [_squeeze(_join(cells[best], cells[best + 1]))]
    return [_squeeze(c) for c in cells]


def _choose_columns(columns: list[str], count: int) -> list[str]:
    """Fewer cells than value columns: the target first, then the base, then the growth (in column order)."""
    priority = {"target": 0, "base": 1, "growth": 2}
    chosen = sorted(sorted(columns, key=lambda k: priority[k])[:count], key=columns.index)
    return chosen


# ----------------------------------------------------------------------------------------------------------
# Finishing: names, units, checks


def _child_name(parent: str, part: str) -> str:
    """The name of one row of an indicator spread over rows (see the module docstring)."""
    if not parent:
        return part
    if part.startswith(parent[:4]) and len(parent) >= 4:
        return part
    return f"{parent}：{part}"


_PERIOD_LABEL = re.compile(r"^(?:“十[一二三四五六七八九]五”|十[一二三四五六七八九]五)(?:期间|时期)?")


def _suggestion(text: str, name: str, unit: str, column: str) -> str:
    """A rewriting core.targets can read, if one is obvious (「“十五五”年均增长5.0左右」 → 「5.0左右」)."""
    bracket = _BRACKETED.fullmatch(text.strip())
    if bracket:
        inner = bracket.group(1)
        candidate = inner if ("下降" in name or "降低" in name) else f"累计{inner}"
        return candidate
    stripped = _PERIOD_LABEL.sub("", text.strip())
    bare = re.sub(r"^年均(?:增长|增速)", "", stripped)
    # A row that is itself a growth rate (「…年均增长（%）」) is judged on the rate: 「5.0左右」, not a growth of it.
    order = (bare, stripped) if re.search(r"年均增|增速|增长率", name) else (stripped, bare)
    for candidate in order:
        if candidate != text and parse_target(candidate, indicator_name=name, unit=unit, column=column).kind \
                not in (TargetKind.QUALITATIVE, TargetKind.NONE):
            return candidate
    return ""


def _finish(reader: _Reader, raws: list[_Raw], cumulative_note: bool) -> list[IndicatorRow]:
    rows: list[IndicatorRow] = []
    warnings = reader.warnings
    seen: dict[str, str] = {}
    for raw in raws:
        for fields in reader.fields(raw):
            name_text = _squeeze(fields.get("name", ""))
            name, unit = _split_unit(name_text)
            unit = _fold(_squash(fields.get("unit", ""))) or unit
            notes: list[str] = []
            if name.endswith(("*", "＊")):
                name = name.rstrip("*＊").rstrip()
                notes.append("表中带*号，见表注")
            parent = _squeeze(fields.get("parent", ""))
            if parent:
                parent = _split_unit(parent)[0].rstrip("*＊").rstrip()
                name = _child_name(parent, name)
            name = name.strip("：: ")
            number = fields.get("number") or raw.number
            if not name:
                where = f"序号 {number} " if number else ""
                warnings.append(f"{where}这一行没有指标名称，没有读入。")
                continue
            attribute = _fold(_squash(fields.get("attribute", "")))
            target = _squeeze(fields.get("target_text", ""))
            base = _squeeze(fields.get("base_text", ""))
            growth = _squeeze(fields.get("growth_text", ""))
            if not (target or base or growth or attribute):
                warnings.append(f"“{name}”只有名称，没有目标和属性，没有读入（可能是表格排版没有读懂）。")
                continue
            cumulative = any(_BRACKETED.fullmatch(t) for t in (target, growth) if t)
            if cumulative:
                notes.append("带〔〕的数为规划期累计数" + ("（表注）" if cumulative_note else ""))
            row = IndicatorRow(
                ordinal=len(rows) + 1, category=_squash(fields.get("category") or raw.category), number=number,
                name=name, unit=unit, attribute=attribute, base_text=base, target_text=target, growth_text=growth,
                parent=parent, note="；".join(notes), cumulative=cumulative,
                lines=tuple(sorted(set(fields.get("lines") or raw.lines))),
            )
            rows.append(row)
            key = indicator_key(name)
            if key in seen:
                warnings.append(f"“{name}”在表中出现了两次。")
            seen[key] = name
            _check_row(row, warnings, cumulative_note)
    return rows


def row_warnings(row: IndicatorRow, cumulative_note: bool = False) -> list[str]:
    """What is doubtful about one row (each message starts with its name); `cumulative_note`: the table's
    注 says 〔〕 figures are totals over the period."""
    warnings: list[str] = []
    _check_row(row, warnings, cumulative_note)
    return warnings


def _check_row(row: IndicatorRow, warnings: list[str], cumulative_note: bool) -> None:
    who = f"“{row.name}”"
    if not row.attribute:
        warnings.append(f"{who}没有读出属性（预期性/约束性）。")
    elif row.attribute not in ATTRIBUTES:
        warnings.append(f"{who}的属性“{row.attribute}”不是预期性或约束性。")
    if not row.target_text and not row.growth_text:
        warnings.append(f"{who}没有读出目标。")
    for text, column, label in ((row.target_text, "target", "目标"), (row.growth_text, "growth", "年均增长")):
        problem = target_problem(text, name=row.name, unit=row.unit, column=column, cumulative_note=cumulative_note)
        if problem:
            warnings.append(f"{who}的{label}{problem}")


def target_problem(text: str, *, name: str = "", unit: str = "", column: str = "target",
                   cumulative_note: bool = False) -> str | None:
    """Why core.targets cannot read a target cell that holds a figure, as a Chinese phrase starting with the
    cell (「“〔20〕”带〔〕，…；可改写为“20”。」), with a rewriting when one is obvious. None when the cell reads,
    or holds words only (「完成省定目标」, 「基本稳定」: qualitative targets, judged by hand)."""
    if not text or not text.strip():
        return None
    target = parse_target(text, indicator_name=name, unit=unit, column=column)
    if target.kind is not TargetKind.QUALITATIVE or not re.search(r"\d", _fold(text)):
        return None
    hint = _suggestion(text, name, unit, column)
    if _BRACKETED.fullmatch(text.strip()):
        message = (f"“{text}”带〔〕，" + ("按表注" if cumulative_note else "按惯例")
                   + "是规划期内的累计数，不能自动计算进度")
    elif "/" in text:
        message = f"“{text}”含两个数（/ 分隔），一项指标只能跟踪一个目标，可拆成两项或只保留一个"
    else:
        message = f"“{text}”不能自动读取，进度需人工判断"
    return message + (f"；可改写为“{hint}”。" if hint else "。")


def read_indicator_table(rows: Sequence[str] | Sequence[Sequence[str]]) -> IndicatorTable:
    """Read a main-indicator table given as lines (str) or real table rows (list of cell texts). Never raises;
    whatever is doubtful is in the result's warnings."""
    lines = _prepare(rows)
    reader = _Reader(lines)
    table = IndicatorTable()
    if not lines:
        table.warnings.append("表格是空的。")
        return table
    start = reader.find_header()
    raws = reader.read_stream(start) if reader.stream else reader.read_rows(start)
    resolved = {c.kind: c for c in reversed(reader.header)}
    table.base_year = resolved["base"].year if "base" in resolved else None
    table.target_year = resolved["target"].year if "target" in resolved else None
    table.columns = [c.label for c in reader.header] if reader.header_found else []
    cumulative_note = any(_NOTE_CUMULATIVE.search(n) for n in reader.notes)
    table.rows = _finish(reader, raws, cumulative_note)
    table.notes = [_squeeze(n) for n in reader.notes]
    _check_table(reader, table, lines)
    table.warnings = reader.warnings
    return table


def _check_table(reader: _Reader, table: IndicatorTable, lines: list[_Line]) -> None:
    warnings = reader.warnings
    if not table.rows:
        alone = sum(1 for l in lines if _is_attribute(l.text))
        if alone >= 3:
            warnings.append(
                "这张表的单元格顺序被打乱（从 PDF 按列提取，属性列单独成行），无法逐行读取指标；"
                "请在核对界面逐项添加，或导入指标目录。"
            )
        else:
            warnings.append("没有从表中读出任何指标行。")
        return
    numbers = [int(r.number) for r in table.rows if r.number.isdigit()]
    distinct = sorted(set(numbers))
    if distinct and len(distinct) >= 3:
        missing = sorted(set(range(distinct[0], distinct[-1] + 1)) - set(distinct))
        if missing:
            shown = "、".join(str(n) for n in missing[:10])
            warnings.append(f"序号不连续：缺少 {shown}（可能漏读了这些行，请对照原表核对）。")
    for category, count in reader.category_counts.items():
        found = {r.number or r.name for r in table.rows if r.category == category}
        if len(found) != count:
            warnings.append(f"类别“{category}”表中写明 {count} 项，读出 {len(found)} 项。")


# ----------------------------------------------------------------------------------------------------------
# Finding the table in a parsed plan

_MAIN_TITLE = re.compile(r"主要指标|指标体系|指标表")
_NOT_MAIN = re.compile(r"完成情况|实施情况|执行情况|完成值|评估|回顾")


@dataclass
class FoundTable:
    """A table (or 专栏) of the parsed plan that holds the main indicators, as its source lines."""

    title: str
    kind: str  # "table" or "box"
    lines: list[str]  # one per source line (table_cell blocks), cell separators kept as tabs
    line_numbers: list[int]  # each line's number in the plan's text


def main_indicator_title(title: str) -> int | None:
    """How likely a table or box titled so holds the plan's main indicators: 0 (主要指标) is likelier than 1
    (指标体系, 指标表); None when it does not, or when it is the previous plan's completion table."""
    squashed = _squash(title or "")
    match = _MAIN_TITLE.search(squashed)
    if not match or _NOT_MAIN.search(squashed):
        return None
    return 0 if "主要指标" in squashed else 1


def find_indicator_tables(parsed) -> list[FoundTable]:
    """The plan's main-indicator tables (a core.plan_text.ParsedPlan): nodes of kind "table" or "box" whose
    title names the main indicators (not a 「“十四五”规划指标完成情况」 table of the previous plan), with
    their table_cell lines. The likeliest first: titles saying 主要指标 before 指标体系 or 指标表."""
    found: list[tuple[int, int, FoundTable]] = []
    for order, node in enumerate(parsed.walk()):
        if node.kind not in (NodeKind.TABLE, NodeKind.BOX):
            continue
        title = _squash(node.title or "")
        if not _MAIN_TITLE.search(title) or _NOT_MAIN.search(title):
            continue
        cells = [b for b in node.blocks if b.kind == BlockKind.TABLE_CELL]
        if not cells:
            continue
        table = FoundTable(node.title.strip(), node.kind, [b.text for b in cells], [b.line_start for b in cells])
        found.append((0 if "主要指标" in title else 1, order, table))
    return [t for _, _, t in sorted(found, key=lambda item: (item[0], item[1]))]


def read_plan_indicator_table(parsed) -> tuple[FoundTable, IndicatorTable] | None:
    """The first main-indicator table of the plan that yields rows (else the first one found, with its
    warnings), or None when the plan has no such table."""
    first: tuple[FoundTable, IndicatorTable] | None = None
    for found in find_indicator_tables(parsed):
        table = read_indicator_table(found.lines)
        if table.rows:
            return found, table
        first = first or (found, table)
    return first
