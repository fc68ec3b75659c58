"""The evaluation report as a Word document: 年度监测报告, 中期评估报告 or 总结评估报告 (`guihua report`).

The figures and sentences come from exports.report_figures (all computed from the database); the layout from
exports.report_docx (GB/T 9704). Like the meeting pack, the document is a skeleton filled at placeholders: guihua's
own skeleton (default_skeleton) or the office's (--template). `{{plan.title}}`-style placeholders are replaced
in any paragraph, table cell, header or footer; a paragraph holding only `{{block.…}}` is replaced by generated
paragraphs and tables (总体情况, one paragraph per category, 存在的问题, the indicator tables). The sections an
office writes itself (下一步工作 …) are headings with a marked placeholder line, never invented text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.errors import UserInputError
from db.engine import Database
from exports.report_figures import ReportFigures, report_figures

# The sections the office writes itself, after 存在的问题, by kind of report.
OFFICE_SECTIONS = {
    "年度": ("下一步工作",),
    "中期": ("主要原因分析", "后半期推进措施和建议"),
    "总结": ("主要成效和经验", "对下一个五年规划的建议"),
}
OFFICE_PLACEHOLDER = "【此部分由规划办撰写。】"
NUMERALS = "一二三四五六七八九十"
BLOCKS = ("lead", "overview", "categories", "problems", "main_table", "text_table")


@dataclass
class ReportResult:
    path: Path
    renamed: bool
    kind: str
    year: int
    title: str
    seconds: float = 0.0


# ----------------------------------------------------------------------------------------------------------
# What each block says


@dataclass(frozen=True)
class Para:
    runs: tuple[tuple[str, bool], ...]  # (text, bold)
    role: str = "body"  # body / heading2 / caption / note


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    merge_first: int | None = None
    left_columns: frozenset[int] = frozenset()
    wide: bool = False  # a column per year: set in 五号
    main: int | None = None  # the column of names, kept widest when columns must wrap


def _p(text: str, role: str = "body") -> Para:
    return Para(((text, False),), role)


def _counts_text(counts: dict[str, int], empty: str = "") -> str:
    parts = [f"{name}{n}项" for name, n in counts.items() if n]
    return "，".join(parts) if parts else empty


def lead_block(f: ReportFigures) -> list:
    what = {"年度": f"{f.year}年度监测", "中期": "中期评估", "总结": "总结评估"}[f.kind]
    period = f.scalars["plan.period"]
    named = f"“{period}”规划" if period else "规划"
    text = (f"{named}（{f.period.label}）以{f.period.base_year}年为基期。根据截至{f.year}年的监测数据，对规划确定的"
            f"{len(f.main)}项主要指标")
    if f.text:
        text += f"、{len(f.text)}项文中量化指标"
    if f.projects.projects:
        text += f"和{f.projects.projects}个重大项目"
    text += f"的实施情况进行{what}，各项判断按规划目标和序时进度计算。"
    return [_p(text)]


def overview_block(f: ReportFigures) -> list:
    counts = f.counts(f.main)
    out: list = [_p(f"规划确定主要指标{len(f.main)}项。截至{f.year}年，{_counts_text(counts, '均尚无数据')}"
                    f"（分类别情况见表1）。")]
    out.append(_p("表1　主要指标完成情况分类统计", "caption"))
    header = ["类别", "指标数", *f.buckets]
    rows = []
    for category, facts in f.categories().items():
        c = f.counts(facts)
        rows.append([category, str(len(facts)), *(str(c[b]) for b in f.buckets)])
    rows.append(["合计", str(len(f.main)), *(str(counts[b]) for b in f.buckets)])
    out.append(Table(header, rows))
    if f.text:
        out.append(_p(f"规划文中已确认的量化指标{len(f.text)}项，{_counts_text(f.counts(f.text), '均尚无数据')}（见附表2）。"))
    out.append(_p(_projects_text(f)))
    return out


def _projects_text(f: ReportFigures) -> str:
    p = f.projects
    if not p.projects:
        return "尚未录入纳入跟踪的重大项目。"
    day = f"{p.cut_off.year}年{p.cut_off.month}月{p.cut_off.day}日"
    text = f"纳入跟踪的重大项目{p.projects}个"
    if p.milestones:
        text += (f"，共设里程碑{p.milestones}个（不含已取消的），截至{day}已完成{p.milestones_done}个、"
                 f"逾期未完成{p.milestones_overdue}个；全部里程碑已完成的项目{p.finished}个")
        if p.average_done_share is not None:
            text += f"，设有里程碑的{p.with_milestones}个项目里程碑平均完成{p.average_done_share * 100:.1f}%"
    else:
        text += "，均未设里程碑"
    # core.schedule's rule: a milestone past due, or (without milestones) the planned finish passed
    text += f"{'；' if p.milestones else '，'}截至{day}逾期的项目{p.overdue_projects}个"
    stages = "、".join(f"{stage}{n}个" for stage, n in p.stages)
    text += f"。形象进度（按最近一次填报）：{stages}。"
    for unit, total in p.total_investment.items():
        done = p.completed_investment.get(unit)
        if total and done is not None:
            text += f"已填报投资的项目总投资{float(total):.1f}{unit}，累计完成{float(done):.1f}{unit}，占{float(done / total) * 100:.1f}%。"
    return text


def categories_block(f: ReportFigures) -> list:
    out: list = []
    for number, (category, facts) in enumerate(f.categories().items()):
        out.append(_p(f"（{NUMERALS[number] if number < 10 else number + 1}）{category}", "heading2"))
        counts = _counts_text(f.counts(facts), "均尚无数据")
        missing = [x.name for x in facts if x.word == "尚无数据"]
        said = [x.sentence for x in facts if x.word != "尚无数据"]
        text = f"{category}类主要指标{len(facts)}项，{counts}。"
        if said:
            text += "；".join(said) + "。"
        if missing:
            text += f"{'、'.join(missing)}尚无数据。"
        out.append(_p(text))
    out.append(_p("各项主要指标的数值和判断见附表1。"))
    return out


def problems_block(f: ReportFigures) -> list:
    lagging = f.lagging()
    word = "未完成和滞后" if f.finished else "滞后"
    out: list = [_p(f"（一）{word}的指标", "heading2")]
    if not lagging:
        out.append(_p(f"截至{f.year}年，没有{word}的指标。"))
    for number, (kind, facts) in enumerate(lagging, start=1):
        unit = f"，{facts.lead_unit}牵头" if facts.lead_unit else ""
        gap = f"{facts.gap}；" if facts.gap else ""
        reason = "；".join(facts.notes) if facts.notes else "牵头单位尚未填写原因"
        out.append(Para(((f"{number}.{facts.name}", True), (f"（{kind}{unit}）：{gap}{facts.word}。说明：{reason}。", False))))
    out.append(_p("（二）逾期的项目", "heading2"))
    overdue = f.projects.overdue
    day = f"{f.projects.cut_off.year}年{f.projects.cut_off.month}月{f.projects.cut_off.day}日"
    if not overdue:
        out.append(_p(f"截至{day}，没有逾期的项目。"))
    for number, p in enumerate(overdue, start=1):
        unit = f"（{p.lead_unit}牵头）" if p.lead_unit else ""
        late = "；".join(f"{what}计划{due}完成，已逾期{days}天" for what, due, days in p.late)
        reason = "；".join(p.notes) if p.notes else "牵头单位尚未填写原因"
        out.append(Para(((f"{number}.{p.project}", True), (f"{unit}：截至{day}，{late}。说明：{reason}。", False))))
    return out


def _indicator_table(f: ReportFigures, items, first_header: str) -> list:
    from exports.meeting_pack import _shown, note_lines

    years = [y for y in f.period.plan_years if y <= f.year]
    header = ["序号", first_header, "指标", "单位", f"{f.period.base_year}年基数", *[f"{y}年" for y in years],
              f"{f.period.target_year}年目标", "年均增速目标", "实际年均增速(%)"]
    if not f.finished:
        header.append("序时进度要求")
    header.append("完成情况")

    def number(item, key: str) -> str:
        value = item.get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return value
        return _shown(value, item["_formats"].get(key, "0.0"))

    rows = []
    for item in items:
        row = [str(item["seq"]), str(item["category"]), str(item["name"]), str(item["unit"]), number(item, "base"),
               *[number(item, f"y{y}") for y in years], str(item["target"]), str(item["growth"]),
               "" if item.get("actual_growth") is None else f"{item['actual_growth']:.1f}"]
        if not f.finished:
            row.append(number(item, "schedule"))
        row.append(str(item["status"]))
        rows.append(row)
    notes = note_lines(f.period.years, f.finished)
    if f.finished and f.basic_completion_share > 0:
        notes.append(f"4. 基本完成：{f.period.target_year}年未达到目标，但完成进度（增速目标为实际年均增速与目标增速之比）"
                     f"达到{f.basic_completion_share:.0%}及以上。")
    return [Table(header, rows, merge_first=1, left_columns=frozenset({1, 2}), wide=True, main=2), *[_p(n, "note") for n in notes]]


def main_table_block(f: ReportFigures) -> list:
    return _indicator_table(f, f.main_items, "类别")


def text_table_block(f: ReportFigures) -> list:
    if not f.text_items:
        return [_p("规划文中没有已确认的量化指标。")]
    return _indicator_table(f, f.text_items, "所属章节")


BLOCK_BUILDERS = {
    "lead": lead_block, "overview": overview_block, "categories": categories_block, "problems": problems_block,
    "main_table": main_table_block, "text_table": text_table_block,
}


def scalars_of(f: ReportFigures) -> dict[str, object]:
    return {**f.scalars, "count.main": len(f.main), "count.text": len(f.text), "count.projects": f.projects.projects}


# ----------------------------------------------------------------------------------------------------------
# guihua's own skeleton


def default_skeleton(kind: str, with_text_table: bool = True, finished: bool = False):
    """guihua's report skeleton: the same placeholders an office's template uses."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_COLOR_INDEX

    from exports.meeting_pack import SHEETS
    from exports.report_docx import (
        TABLE_LABEL_STYLE, TABLE_TITLE_STYLE, TITLE_STYLE, TODO_STYLE, apply_styles, page_number_footers, page_setup,
    )

    document = docx.Document()
    apply_styles(document)
    section = document.sections[0]
    page_setup(section)
    page_number_footers(document, section)
    for empty in document.paragraphs:  # python-docx's blank document may hold an empty paragraph
        empty._p.getparent().remove(empty._p)
    document.add_paragraph("{{report.title_lines}}", style=TITLE_STYLE)
    document.add_paragraph("", style=TITLE_STYLE)
    document.add_paragraph("{{block.lead}}")
    headings = ["总体情况", "主要指标完成情况" if finished else "主要指标实施进展", "存在的问题", *OFFICE_SECTIONS[kind]]
    blocks = {0: "overview", 1: "categories", 2: "problems"}
    for number, heading in enumerate(headings):
        document.add_paragraph(f"{NUMERALS[number]}、{heading}", style="Heading 1")
        if number in blocks:
            document.add_paragraph(f"{{{{block.{blocks[number]}}}}}")
        else:
            todo = document.add_paragraph(OFFICE_PLACEHOLDER, style=TODO_STYLE)
            todo.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW  # marked, so it is not printed by mistake
    tables = [(1, SHEETS[0][1], "main_table")] + ([(2, SHEETS[1][1], "text_table")] if with_text_table else [])
    for number, title, block in tables:
        page = document.add_section(WD_SECTION.NEW_PAGE)
        page_setup(page, landscape=True)
        document.add_paragraph(f"附表{number}", style=TABLE_LABEL_STYLE)
        document.add_paragraph(title, style=TABLE_TITLE_STYLE)
        document.add_paragraph(f"{{{{block.{block}}}}}")
    return document


# ----------------------------------------------------------------------------------------------------------
# Filling a skeleton


def _all_paragraphs(document):
    """(paragraph, in the body's own flow) for the body, table cells, headers and footers."""
    seen = set()

    def of_tables(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell appears once per row it spans
                    seen.add(id(cell._tc))
                    for p in cell.paragraphs:
                        yield p, False
                    yield from of_tables(cell.tables)

    for p in document.paragraphs:
        yield p, True
    yield from of_tables(document.tables)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            for p in part.paragraphs:
                yield p, False
            yield from of_tables(part.tables)


def check_skeleton(document, scalars: dict[str, object], name: str) -> None:
    """Every placeholder known, every block alone in a body paragraph; else a Chinese error naming them."""
    from exports.templates import PLACEHOLDER

    problems = []
    for index, (paragraph, in_body) in enumerate(_all_paragraphs(document), start=1):
        text = paragraph.text
        if "{{" not in text:
            continue
        where = f"第 {index} 段（“{text.strip()[:30]}”）"
        for match in PLACEHOLDER.finditer(text):
            key = match.group(1)
            if key.startswith("block."):
                if key[6:] not in BLOCKS:
                    problems.append(f"{where}：未知的内容块 {{{{{key}}}}}")
                elif text.strip() != match.group(0) or not in_body:
                    problems.append(f"{where}：{{{{{key}}}}} 须单独占一段，且不能放在表格、页眉或页脚中")
            elif key not in scalars:
                problems.append(f"{where}：未知占位符 {{{{{key}}}}}")
        if "{{" in PLACEHOLDER.sub("", text):
            problems.append(f"{where}：占位符写法不正确")
    if problems:
        shown = "\n".join(problems[:20])
        raise UserInputError(f"模板 {name} 有 {len(problems)} 处问题，没有起草报告：\n{shown}\n"
                             "可用的占位符见 docs/templates.md（评估报告）。")


def _replace_scalars(paragraph, scalars: dict[str, object]) -> None:
    """Replace placeholders in the paragraph's runs; a placeholder Word split over several runs takes the
    formatting of the run it starts in."""
    from core.text_hygiene import clean_text
    from exports.templates import PLACEHOLDER

    runs = list(paragraph.runs)
    texts = [r.text for r in runs]
    full = "".join(texts)
    if "{{" not in full:
        return
    for match in reversed(list(PLACEHOLDER.finditer(full))):
        value = clean_text(str(scalars.get(match.group(1), "")), multiline=True)
        start, end = match.span()
        offset = 0
        first = last = None
        for i, t in enumerate(texts):
            if first is None and offset <= start < offset + len(t):
                first, first_at = i, start - offset
            if offset < end <= offset + len(t):
                last, last_at = i, end - offset
                break
            offset += len(t)
        if first is None or last is None:
            continue
        if first == last:
            texts[first] = texts[first][:first_at] + value + texts[first][last_at:]
        else:
            texts[first] = texts[first][:first_at] + value
            for i in range(first + 1, last):
                texts[i] = ""
            texts[last] = texts[last][last_at:]
    for run, text in zip(runs, texts):
        if run.text != text:
            run.text = text


def _section_width_mm(document, paragraph) -> float:
    """The text width of the section the paragraph stands in: sections end at paragraphs holding a w:sectPr
    (the last at the body's own), so the paragraph's section is the number of such ends before it."""
    from exports.report_docx import qn, text_width_mm

    ends = sum(1 for element in paragraph._p.itersiblings(preceding=True)
               if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    return text_width_mm(document.sections[ends])


def _fill_block(document, anchor, block: list) -> None:
    from copy import deepcopy

    from docx.text.paragraph import Paragraph

    from exports.report_docx import (
        FONTS, NOTE_STYLE, TABLE_PT, TABLE_STYLE, WIDE_TABLE_PT, add_table, copy_paragraph_format, move_before, qn, set_fonts,
    )

    width = _section_width_mm(document, anchor) - 1
    style_names = {s.name for s in document.styles}
    anchor_rpr = anchor.runs[0]._r.find(qn("w:rPr")) if anchor.runs else None
    for element in block:
        if isinstance(element, Table):
            table = add_table(document, element.header, element.rows, width, merge_first=element.merge_first,
                              left_columns=element.left_columns, size_pt=WIDE_TABLE_PT if element.wide else TABLE_PT,
                              main=element.main)
            move_before(table._tbl, anchor._p)
            continue
        paragraph = document.add_paragraph()
        move_before(paragraph._p, anchor._p)
        paragraph = Paragraph(paragraph._p, anchor._parent)
        if element.role == "heading2" and "Heading 2" in style_names:
            paragraph.style = document.styles["Heading 2"]
        elif element.role == "caption":
            paragraph.style = document.styles[TABLE_STYLE]
        elif element.role == "note":
            paragraph.style = document.styles[NOTE_STYLE]
        else:
            copy_paragraph_format(anchor._p, paragraph._p)
        for text, bold in element.runs:
            run = paragraph.add_run(text)
            own_heading = element.role == "heading2" and "Heading 2" in style_names
            if element.role in ("body", "heading2") and not own_heading and anchor_rpr is not None:
                run._r.insert(0, deepcopy(anchor_rpr))  # the template's own font and size on its text
            if bold:
                run.bold = True
            if element.role == "caption":
                set_fonts(run._r, FONTS.heading1)
            elif element.role == "heading2" and not own_heading:  # a template without 标题 2: 楷体 as GB/T 9704
                set_fonts(run._r, FONTS.heading2)
    anchor._p.getparent().remove(anchor._p)


def fill_document(document, figures: ReportFigures, name: str) -> None:
    from exports.templates import PLACEHOLDER

    scalars = scalars_of(figures)
    check_skeleton(document, scalars, name)
    blocks = []
    for paragraph, in_body in _all_paragraphs(document):
        match = PLACEHOLDER.fullmatch(paragraph.text.strip()) if in_body else None
        if match and match.group(1).startswith("block."):
            blocks.append((paragraph, match.group(1)[6:]))
        else:
            _replace_scalars(paragraph, scalars)
    for paragraph, block in blocks:
        _fill_block(document, paragraph, BLOCK_BUILDERS[block](figures))


def load_skeleton(path: str | Path):
    """The office's .docx template; a file Word cannot have written is refused in Chinese."""
    import zipfile

    import docx

    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise UserInputError(f"模板 {path} 不是 Word 文档（.docx）。")
    from docx.opc.exceptions import PackageNotFoundError

    if not path.is_file():
        raise UserInputError(f"找不到模板文件 {path}。")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserInputError(f"无法读取模板 {path}：文件已损坏或不是 Word 文档（{type(exc).__name__}）。") from None
    except OSError as exc:
        from exports.sheet_style import os_reason

        raise UserInputError(f"无法读取模板 {path}：{os_reason(exc)}。") from None
    from exports.report_docx import apply_styles

    apply_styles(document, own_only=True)
    return document


# ----------------------------------------------------------------------------------------------------------
# Writing


def default_report_path(database: Database, figures: ReportFigures, folder: str | None = None) -> Path:
    from exports.meeting_pack import EXPORT_FOLDER

    base = Path(folder) if folder else (database.path.parent / EXPORT_FOLDER if database.path else Path.cwd() / EXPORT_FOLDER)
    what = {"年度": f"{figures.year}年度监测报告", "中期": "中期评估报告", "总结": "总结评估报告"}[figures.kind]
    return base / f"{figures.scalars['plan.period']}规划{what}_{figures.today:%Y%m%d}.docx"


def write_report(database: Database, plan_id: int, *, kind: str | None = None, year: int | None = None,
                 output: str | Path | None = None, template: str | Path | None = None, today: date | None = None,
                 office: str | None = None) -> ReportResult:
    """Draft the report and write it safely (a temporary file renamed over the target; a new name when the
    target is open in Word/WPS). Errors are UserInputErrors in Chinese; nothing is left half-written."""
    from db.plan_store import get_state
    from exports.sheet_style import save_workbook

    started = time.perf_counter()
    with database.session() as session:
        folder = get_state(session, "export.folder")
        template = template or get_state(session, "report.template") or None
    figures = report_figures(database, plan_id, kind, year, today=today, office=office)
    if template:
        document = load_skeleton(template)
        name = Path(template).name
    else:
        document = default_skeleton(figures.kind, bool(figures.text_items), figures.finished)
        name = "默认模板"
    fill_document(document, figures, name)
    path = Path(output) if output else default_report_path(database, figures, folder)
    if path.suffix.lower() != ".docx":
        path = path.with_name(path.name + ".docx")
    # save_workbook needs only .save(stream): the same safe path (temporary + rename, a new name if open)
    written, renamed = save_workbook(document, path, "起草评估报告")
    return ReportResult(written, renamed, figures.kind, figures.year, str(figures.scalars["report.title"]),
                        time.perf_counter() - started)


def write_default_skeleton(path: str | Path, kind: str = "年度") -> Path:
    """guihua's skeleton as a file an office can restyle and use with --template."""
    from exports.sheet_style import save_workbook

    if kind not in OFFICE_SECTIONS:
        raise UserInputError(f"报告类型“{kind}”无效，可选：{'、'.join(OFFICE_SECTIONS)}。")
    written, _ = save_workbook(default_skeleton(kind, True, kind == "总结"), Path(path), "写出报告模板")
    return written
