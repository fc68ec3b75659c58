"""Word documents the way Chinese government documents are laid out (GB/T 9704, 党政机关公文格式), with
python-docx: A4, the standard margins, 3号 仿宋_GB2312 body on fixed 28.9 pt lines (22 lines a page) with a
2-character first-line indent, 黑体 and 楷体 headings, a 2号 小标宋 title, 「— 1 —」 page numbers in 4号 宋体 at
the foot (odd pages right, even pages left), tables in 小四 with the header row repeated on every page.

Chinese fonts are set as the East Asian font (`w:rFonts w:eastAsia`) of every style and run, or Word and WPS fall
back to 宋体; the font table names the substitute every Chinese Windows has (仿宋, 楷体, 宋体, 黑体) for machines
without the GB2312 fonts. python-docx is imported inside functions, as openpyxl is elsewhere in exports/.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class DocFonts:
    title: str = "方正小标宋简体"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    body: str = "仿宋_GB2312"
    page_number: str = "宋体"
    latin: str = "Times New Roman"


FONTS = DocFonts()
# Where a font is missing: what Word/WPS should use instead (w:altName in the font table), all on Chinese Windows.
SUBSTITUTES = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体", "黑体": "SimHei", "宋体": "SimSun"}

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小四
WIDE_TABLE_PT = 10.5  # 五号: an attached table with a column per year
CELL_MARGIN_MM = 1.0
TABLE_TITLE_PT = 18  # 小二: an attached table's title
LINE_PT = 28.9  # 22 lines in the 225 mm type area
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PAGE_MM = (210, 297)
LANDSCAPE_MARGINS_MM = (26, 25, 24, 25)  # top, right, bottom, left of a landscape table page
FOOTER_MM = 23  # the number's line sits about 7 mm below the type area


def qn(tag: str) -> str:
    from docx.oxml.ns import qn as docx_qn

    return docx_qn(tag)


def set_fonts(rpr_parent, east_asia: str, latin: str = FONTS.latin, size: float | None = None,
              bold: bool | None = None) -> None:
    """Fonts of a style or a run (anything with get_or_add_rPr): the East Asian font named explicitly, theme
    fonts removed (they would win over the names in Word)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")
    for tag, value in (("w:sz", size), ("w:szCs", size)):
        if value is not None:
            element = rpr.find(qn(tag))
            if element is None:
                from docx.oxml import OxmlElement

                element = OxmlElement(tag)
                rpr.append(element)
            element.set(qn("w:val"), str(int(round(value * 2))))
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            element = rpr.find(qn(tag))
            if element is not None:
                rpr.remove(element)
            if bold:
                from docx.oxml import OxmlElement

                rpr.append(OxmlElement(tag))
    colour = rpr.find(qn("w:color"))
    if colour is not None:
        rpr.remove(colour)
    _sort_rpr(rpr)


# w:rPr children must come in schema order, or Word refuses the file.
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
              "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
              "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _sort_rpr(rpr) -> None:
    _in_schema_order(rpr, _RPR_ORDER)


def _in_schema_order(element, order: list[str]) -> None:
    rank = _ranks(tuple(order))
    for child in sorted(element, key=lambda c: rank.get(c.tag, len(rank))):
        element.append(child)


@functools.cache
def _ranks(order: tuple[str, ...]) -> dict[str, int]:
    return {qn(f"w:{name}"): i for i, name in enumerate(order)}


def set_first_line_chars(paragraph_format_element, chars: int, size_pt: float) -> None:
    """A first-line indent in characters (w:firstLineChars, which Word and WPS scale with the font) with the
    same indent in twips for readers that ignore the character unit."""
    ppr = paragraph_format_element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        from docx.oxml import OxmlElement

        ind = OxmlElement("w:ind")
        ppr.append(ind)
        _sort_ppr(ppr)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * size_pt * 20)))


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]


TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
               "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]


def _sort_ppr(ppr) -> None:
    _in_schema_order(ppr, _PPR_ORDER)


def _paragraph_style(document, name: str, base: str | None, font: str, size: float, *, bold: bool = False,
                     align=None, indent_chars: int = 0, line_pt: float | None = LINE_PT, outline: int | None = None):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    set_fonts(style.element, font, size=size, bold=bold)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line_pt:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    if align is not None:
        fmt.alignment = align
    set_first_line_chars(style.element, indent_chars, size)  # 0 too: Normal's 2 characters are inherited otherwise
    if outline is not None:
        fmt.keep_with_next = True
        ppr = style.element.get_or_add_pPr()
        level = ppr.find(qn("w:outlineLvl"))
        if level is None:
            from docx.oxml import OxmlElement

            level = OxmlElement("w:outlineLvl")
            ppr.append(level)
        level.set(qn("w:val"), str(outline))
        _sort_ppr(ppr)
    return style


TITLE_STYLE = "报告标题"
TABLE_STYLE = "表格文字"
TABLE_LABEL_STYLE = "附表号"
TABLE_TITLE_STYLE = "附表标题"
NOTE_STYLE = "表注"
TODO_STYLE = "待撰写"


def apply_styles(document, fonts: DocFonts = FONTS, *, own_only: bool = False) -> None:
    """GB/T 9704 styles: Normal is the body; Heading 1/2 the 「一、」「（一）」 headings (so Word's navigation pane
    lists them); the title, table text, attached-table label and title, notes, and the office's-own-text line.
    `own_only`: an office's template keeps its Normal and headings; only guihua's own styles are added."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if not own_only:
        _doc_defaults(document, fonts)
        _paragraph_style(document, "Normal", None, fonts.body, BODY_PT, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        _paragraph_style(document, "Heading 1", "Normal", fonts.heading1, BODY_PT, indent_chars=2, outline=0,
                         align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        _paragraph_style(document, "Heading 2", "Normal", fonts.heading2, BODY_PT, indent_chars=2, outline=1,
                         align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph_style(document, TITLE_STYLE, "Normal", fonts.title, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line_pt=36)
    _paragraph_style(document, TABLE_STYLE, "Normal", fonts.body, TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line_pt=TABLE_PT * 1.25)
    _paragraph_style(document, TABLE_LABEL_STYLE, "Normal", fonts.heading1, BODY_PT)
    _paragraph_style(document, TABLE_TITLE_STYLE, "Normal", fonts.title, TABLE_TITLE_PT,
                     align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=TABLE_TITLE_PT * 1.6)
    notes = _paragraph_style(document, NOTE_STYLE, "Normal", fonts.body, TABLE_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                             line_pt=TABLE_PT * 1.5)
    notes.paragraph_format.keep_with_next = True  # a table's notes stay together on one page
    _paragraph_style(document, TODO_STYLE, "Normal", fonts.heading2, BODY_PT, indent_chars=2)
    _name_substitutes(document)


def _doc_defaults(document, fonts: DocFonts) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        return

    class _Holder:
        def get_or_add_rPr(self):
            return rpr

    set_fonts(_Holder(), fonts.body, size=BODY_PT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _name_substitutes(document) -> None:
    """Declare the Chinese fonts in word/fontTable.xml with their GB charset and a substitute (w:altName)."""
    from lxml import etree

    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, substitute in SUBSTITUTES.items():
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), substitute)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if "仿宋" in name or name == "黑体" else "roman")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if hasattr(part, "_element"):
        part._element = root
    else:
        part._blob = blob


def page_setup(section, landscape: bool = False) -> None:
    """A4 with the standard type area (portrait), or the same margins turned for a landscape table."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    width, height = PAGE_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(height), Mm(width)) if landscape else (Mm(width), Mm(height))
    if landscape:  # an attached table with a column per year needs the width more than the type area's margins
        top, right, bottom, left = LANDSCAPE_MARGINS_MM
    else:
        top, right, bottom, left = (MARGINS_MM[k] for k in ("top", "right", "bottom", "left"))
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(FOOTER_MM if not landscape else 12)
    section.header_distance = Mm(15)


def page_number_footers(document, section, fonts: DocFonts = FONTS) -> None:
    """「— 1 —」 in 4号 宋体: odd pages at the right, even pages at the left, one character in from the edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        for run in paragraph.runs:
            run._r.getparent().remove(run._r)
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Pt(0)
        fmt.left_indent = Pt(PAGE_NUMBER_PT) if align == WD_ALIGN_PARAGRAPH.LEFT else Pt(0)
        fmt.right_indent = Pt(PAGE_NUMBER_PT) if align == WD_ALIGN_PARAGRAPH.RIGHT else Pt(0)
        fmt.line_spacing = 1.0
        set_first_line_chars(paragraph._p, 0, PAGE_NUMBER_PT)
        _page_field(paragraph, fonts)


def _page_field(paragraph, fonts: DocFonts) -> None:
    from docx.oxml import OxmlElement

    def run(text: str | None = None, field: str | None = None, instruction: str | None = None):
        r = paragraph.add_run(text or "")
        set_fonts(r._r, fonts.page_number, fonts.page_number, size=PAGE_NUMBER_PT)
        if field:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), field)
            r._r.append(char)
        if instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            r._r.append(instr)
        return r

    run("— ")
    run(field="begin")
    run(instruction=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def text_width_mm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 36000


def add_table(document, header: list[str], rows: list[list[str]], width_mm: float, *, merge_first: int | None = None,
              left_columns: frozenset[int] = frozenset(), size_pt: float = TABLE_PT, main: int | None = None,
              fonts: DocFonts = FONTS):
    """A bordered table in 小四 仿宋 with a bold 黑体 header row repeated on every page, columns as wide as their
    text needs within `width_mm` (long names wrap). `merge_first`: merge equal runs in that column (类别)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(round(CELL_MARGIN_MM / 25.4 * 1440)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.append(margins)
    _in_schema_order(tbl_pr, TBLPR_ORDER)  # Word refuses a table whose properties are out of order
    widths = column_widths(header, rows, width_mm, size_pt, main=main, narrow=merge_first)
    style_id = document.styles[TABLE_STYLE].style_id  # looked up once: python-docx's lookup walks every style
    for index, (row, row_cells) in enumerate(zip(table.rows, [header, *rows])):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
        for column, (cell, text) in enumerate(zip(row.cells, row_cells)):
            cell.width = Mm(widths[column])
            paragraph = cell.paragraphs[0]
            paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style_id
            if index and column in left_columns:
                paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
            if size_pt != TABLE_PT:
                paragraph.paragraph_format.line_spacing = Pt(size_pt * 1.25)
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(size_pt / 6)
            r = paragraph.add_run(str(text))
            set_fonts(r._r, fonts.heading1 if index == 0 else fonts.body, size=size_pt)
            _middle(cell)
    for column, width in enumerate(widths):
        table.columns[column].width = Mm(width)
    if merge_first is not None:
        _merge_runs(table, merge_first)
    return table


def _middle(cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _merge_runs(table, column: int) -> None:
    rows = table.rows[1:]
    start = 0
    for index in range(1, len(rows) + 1):
        if index < len(rows) and rows[index].cells[column].text == rows[start].cells[column].text:
            continue
        if index - start > 1:
            top = rows[start].cells[column]
            text = top.text
            merged = top.merge(rows[index - 1].cells[column])
            for paragraph in merged.paragraphs[1:]:
                paragraph._p.getparent().remove(paragraph._p)
            if merged.paragraphs[0].text != text:
                merged.paragraphs[0].runs[0].text = text
        start = index


def _least_width(text: str) -> int:
    """The narrowest a cell can wrap to: longer Chinese text breaks anywhere (kept to four characters a line),
    short words, numbers and Latin words do not."""
    width = display_width(text)
    if width <= 12:  # a short word (需人工判断, 力争1500) is not broken
        return width
    runs = re.findall(r"[\x21-\x7e]+", text)
    return max([8, *(len(r) for r in runs)])


def column_widths(header: list[str], rows: list[list[str]], width_mm: float, size_pt: float = TABLE_PT,
                  main: int | None = None, narrow: int | None = None) -> list[float]:
    """Every column as wide as its longest cell where the width allows; otherwise the columns of Chinese text
    wrap, figures never do. `main` (the names) keeps three times the width of other wrapped columns; `narrow` (a merged
    类别) may wrap to two characters a line. A CJK character is `size_pt` wide, a digit half that."""
    half_mm = size_pt * 0.3528 / 2
    padding = 2 * CELL_MARGIN_MM + 1.0
    wanted, least = [], []
    for column, title in enumerate(header):
        cells = [r[column] for r in rows]
        head = display_width(title)
        wanted.append((max([display_width(c) for c in cells] + [(head + 1) // 2 if head > 8 else head, 2])) * half_mm + padding)
        fewest = 4 if column == narrow else None
        least.append(max([fewest or _least_width(c) for c in cells] + [min(head, fewest or 8), 2]) * half_mm + padding)
    weight = [3.0 if column == main else 1.0 for column in range(len(header))]
    total = sum(wanted)
    if total <= width_mm:
        extra = width_mm - total  # to the columns that wrap most
        longest = max(wanted)
        share = [w if w >= longest / 2 else 0 for w in wanted]
        return [w + extra * s / sum(share) for w, s in zip(wanted, share)]
    if sum(least) >= width_mm:
        return [m * width_mm / sum(least) for m in least]
    low, high = 0.0, max(wanted)  # the widest columns are cut down to one width, the narrow ones keep theirs
    for _ in range(40):
        cap = (low + high) / 2
        if sum(max(m, min(w, cap * k)) for w, m, k in zip(wanted, least, weight)) > width_mm:
            high = cap
        else:
            low = cap
    return [max(m, min(w, low * k)) for w, m, k in zip(wanted, least, weight)]


def move_before(element, anchor) -> None:
    """Put a paragraph or table element just before `anchor` (a paragraph's w:p)."""
    anchor.addprevious(element)


def copy_paragraph_format(source_p, target_p) -> None:
    """The template paragraph's own formatting (style, indents, spacing) on a generated paragraph."""
    ppr = source_p.find(qn("w:pPr"))
    if ppr is None:
        return
    copied = deepcopy(ppr)
    sect = copied.find(qn("w:sectPr"))
    if sect is not None:
        copied.remove(sect)
    old = target_p.find(qn("w:pPr"))
    if old is not None:
        target_p.remove(old)
    target_p.insert(0, copied)
