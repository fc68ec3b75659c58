"""The evaluation report (guihua report): the .docx read back with python-docx — headings, the sentences and
tables against the database, fonts (East Asian names included), page setup and the page-number field — the
defaults for kind and year, the CLI's exit codes and Chinese errors, the office's own template, safe writing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner
from docx.oxml.ns import qn

from core.errors import UserInputError
from core.period import Period
from db.indicators import find_indicator, list_indicators, record_actual, set_indicator_fields
from db.plan_store import find_plan, plan_period
from db.projects import accept_proposal, add_milestone, list_proposals, update_project
from exports.report import OFFICE_PLACEHOLDER, write_default_skeleton, write_report
from exports.report_figures import choose_kind_and_year, report_figures

TODAY = date(2026, 12, 2)  # after the seed plan's period: its 总结评估 is due
GDP = {2021: "1049.7", 2022: "1100", 2023: "1180", 2024: "1290", 2025: "1380"}


@pytest.fixture
def five_years(database):
    """The seed plan with five years of figures for every main indicator (GDP as in the issue: 1380 in the
    target year, 7.3% a year against 8%左右), notes on two lagging ones, an accepted text target and a project
    with an overdue milestone and a note."""
    with database.session() as session:
        plan_id = find_plan(session, None).id
        period = plan_period(session, plan_id)
        for index, view in enumerate(list_indicators(session, plan_id)):
            if view.name == "地区生产总值":
                continue
            base = view.values.get(period.base_year) or Decimal(10 + index)
            for n, year in enumerate(period.plan_years, start=1):
                value = (base * Decimal("1.04") ** n).quantize(Decimal("0.1"))
                record_actual(session, view.id, year, value, origin="import", user="test")
        gdp = find_indicator(session, plan_id, "地区生产总值").id
        for year, value in GDP.items():
            note = "受外部需求减弱影响" if year == 2025 else ""
            record_actual(session, gdp, year, Decimal(value), stage="年报", note=note, origin="cli")
        set_indicator_fields(session, gdp, origin="cli", lead_unit="区发展改革委")
        unemployment = find_indicator(session, plan_id, "城镇调查失业率").id
        set_indicator_fields(session, unemployment, origin="cli", note="统计口径调整")
        target = next(p for p in list_proposals(session, plan_id, "target") if p.data["metric"] == "高新技术企业")
        accept_proposal(session, target.id, origin="cli")
        school = next(p for p in list_proposals(session, plan_id, "project") if p.data["title"] == "寺巷中心小学")
        project_id = accept_proposal(session, school.id, origin="cli")
        update_project(session, project_id, origin="cli", lead_unit="教育局", stage="已开工")
        add_milestone(session, project_id, "主体完工", "2024Q1", note="征地拆迁未完成", origin="cli")
        add_milestone(session, project_id, "开工", "2022", origin="cli")
    return database, plan_id


def report(database, plan_id, tmp_path, **options):
    result = write_report(database, plan_id, output=tmp_path / "report.docx", today=TODAY, **options)
    return result, docx.Document(str(result.path))


def heading_texts(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def east_asian_font(element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


# ----------------------------------------------------------------------------------------------------------
# The finished plan: 总结评估


def test_summary_report_of_a_finished_plan_has_its_headings_and_office_sections(five_years, tmp_path):
    database, plan_id = five_years
    result, document = report(database, plan_id, tmp_path)
    assert (result.kind, result.year) == ("总结", 2025)  # defaults: the period ended, so 总结 of its target year
    title = [p.text for p in document.paragraphs if p.style.name == "报告标题" and p.text]
    assert title == ["泰州医药高新区（高港区）“十四五”规划\n实施总结评估报告"]
    assert heading_texts(document, "Heading 1") == [
        "一、总体情况", "二、主要指标完成情况", "三、存在的问题", "四、主要成效和经验", "五、对下一个五年规划的建议"]
    assert heading_texts(document, "Heading 2")[:2] == ["（一）经济强", "（二）百姓富"]
    assert heading_texts(document, "Heading 2")[-2:] == ["（一）未完成和滞后的指标", "（二）逾期的项目"]
    paragraphs = document.paragraphs
    for office in ("四、主要成效和经验", "五、对下一个五年规划的建议"):
        at = next(i for i, p in enumerate(paragraphs) if p.text == office)
        assert paragraphs[at + 1].text == OFFICE_PLACEHOLDER  # a marked line, never invented prose
        assert paragraphs[at + 1].runs[0].font.highlight_color is not None
    assert "{{" not in body_text(document)


def test_category_paragraph_states_the_figures_with_final_wording(five_years, tmp_path):
    database, plan_id = five_years
    _, document = report(database, plan_id, tmp_path)
    text = body_text(document)
    # (1380/971.9)^(1/5) − 1 = 7.26%: below 7.5 (8%左右 less 0.5), so not met; 7.26/8 ≥ 90% → 基本完成
    assert "地区生产总值2025年达到1380.0亿元，2020年以来年均增长7.3%，低于8%左右的预期目标，基本完成" in text
    assert "力争目标未完成" in text
    assert "经济强类主要指标11项" in text
    assert "滞后于序时进度" not in text  # a finished plan is judged by its outcome


def test_overview_counts_and_the_main_table_match_the_database(five_years, tmp_path):
    database, plan_id = five_years
    _, document = report(database, plan_id, tmp_path)
    figures = report_figures(database, plan_id, today=TODAY)
    counts_table, main_table = document.tables[0], document.tables[1]
    assert [c.text for c in counts_table.rows[0].cells] == ["类别", "指标数", "已完成", "基本完成", "未完成",
                                                            "尚无目标年数据", "需人工判断"]
    total = [c.text for c in counts_table.rows[-1].cells]
    assert total[:2] == ["合计", "28"] and sum(int(n) for n in total[2:]) == 28
    assert [int(n) for n in total[2:]] == list(figures.counts(figures.main).values())
    header = [c.text for c in main_table.rows[0].cells]
    assert header[:6] == ["序号", "类别", "指标", "单位", "2020年基数", "2021年"]
    assert header[-4:] == ["2025年目标", "年均增速目标", "实际年均增速(%)", "完成情况"]
    column = {name: i for i, name in enumerate(header)}
    with database.session() as session:
        views = {v.name: v for v in list_indicators(session, plan_id)}
    rows = [[c.text for c in row.cells] for row in main_table.rows[1:]]
    assert len(rows) == 28
    for row in rows:
        view = views[row[column["指标"]]]
        for year in range(2021, 2026):
            assert Decimal(row[column[f"{year}年"]].replace(",", "")) == view.values[year]
    gdp = next(r for r in rows if r[column["指标"]] == "地区生产总值")
    assert (gdp[column["2020年基数"]], gdp[column["2025年"]]) == ("971.9", "1,380.0")
    assert (gdp[column["实际年均增速(%)"]], gdp[column["完成情况"]]) == ("7.3", "基本完成")
    assert gdp[column["类别"]] == "经济强"
    assert "规划文中已确认的量化指标1项，尚无目标年数据1项（见附表2）。" in body_text(document)
    text_table = document.tables[2]  # 附表2: the accepted quantified target from the text
    assert [c.text for c in text_table.rows[1].cells][2] == "高新技术企业"


def test_problems_list_lagging_indicators_and_overdue_projects_with_their_notes(five_years, tmp_path):
    database, plan_id = five_years
    _, document = report(database, plan_id, tmp_path)
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("三、存在的问题")
    problems = "\n".join(paragraphs[start:paragraphs.index("四、主要成效和经验")])
    assert "地区生产总值（主要指标，区发展改革委牵头）：年均增长7.3%，目标8%左右；基本完成。" not in problems  # 基本完成 is not a problem
    assert "城镇调查失业率（主要指标" in problems and "说明：统计口径调整。" in problems
    assert ("1.寺巷中心小学（区教育局牵头）：截至2025年12月31日，主体完工计划2024年第一季度完成，已逾期640天；"
            "开工计划2022年完成，已逾期1096天。说明：征地拆迁未完成。") in problems  # one item per project


def test_fonts_page_setup_and_page_number_footer(five_years, tmp_path):
    database, plan_id = five_years
    _, document = report(database, plan_id, tmp_path)
    styles = document.styles
    expected = {"Normal": ("仿宋_GB2312", "32"), "Heading 1": ("黑体", "32"), "Heading 2": ("楷体_GB2312", "32"),
                "报告标题": ("方正小标宋简体", "44")}
    for name, (font, half_points) in expected.items():
        rpr = styles[name].element.find(qn("w:rPr"))
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == font
        assert rpr.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None  # a theme font would win in Word
        assert rpr.find(qn("w:sz")).get(qn("w:val")) == half_points
    normal = styles["Normal"].paragraph_format
    assert normal.line_spacing.pt == pytest.approx(28.9, abs=0.05)
    indent = styles["Normal"].element.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert indent.get(qn("w:firstLineChars")) == "200"
    for run in document.tables[1].rows[1].cells[2].paragraphs[0].runs:  # table text names its fonts itself
        assert east_asian_font(run._r) == "仿宋_GB2312"
    font_table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    declared = font_table.blob.decode("utf-8")  # the substitutes named for machines without the GB2312 fonts
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in declared
    from exports.report_docx import TBLPR_ORDER

    for table in document.tables:  # Word refuses a file whose table properties are out of schema order
        tags = [child.tag.split("}")[1] for child in table._tbl.tblPr]
        assert tags == sorted(tags, key=TBLPR_ORDER.index) and "tblLayout" in tags
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header row repeated on each page
    first = document.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    margins = [first.top_margin, first.bottom_margin, first.left_margin, first.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert document.sections[1].page_width > document.sections[1].page_height  # 附表1 is landscape
    for table, section in zip(document.tables, (first, document.sections[1], document.sections[2])):
        type_area = (section.page_width - section.left_margin - section.right_margin) / 36000  # EMU per mm
        assert type_area - 3 < sum(column.width.mm for column in table.columns) <= type_area  # fits, filled
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((first.footer, "right"), (first.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert 'w:fldCharType="begin"' in xml and "PAGE" in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment.name.lower() == align
        assert all(east_asian_font(r._r) == "宋体" for r in paragraph.runs)


# ----------------------------------------------------------------------------------------------------------
# A running plan: 中期评估, 年度监测


def test_midterm_report_uses_schedule_wording(five_years, tmp_path):
    database, plan_id = five_years
    result, document = report(database, plan_id, tmp_path, kind="中期")
    assert result.year == 2023  # the plan's third year
    assert heading_texts(document, "Heading 1")[1] == "二、主要指标实施进展"
    assert heading_texts(document, "Heading 1")[3:] == ["四、主要原因分析", "五、后半期推进措施和建议"]
    text = body_text(document)
    assert "地区生产总值2023年达到1180.0亿元，2020年以来年均增长6.7%，低于8%左右的预期目标" in text
    assert "基本完成" not in text and "序时进度" in text
    header = [c.text for c in document.tables[1].rows[0].cells]
    assert "2024年" not in header and "序时进度要求" in header  # years after the report's are not shown


def test_yearly_report_of_a_given_year(five_years, tmp_path):
    database, plan_id = five_years
    result, document = report(database, plan_id, tmp_path, kind="年度", year=2022)
    assert result.title == "泰州医药高新区（高港区）“十四五”规划2022年度实施情况监测报告"
    assert heading_texts(document, "Heading 1")[-1] == "四、下一步工作"
    assert "截至2022年" in body_text(document)


@pytest.mark.parametrize(("today", "kind", "year", "expected"), [
    (date(2026, 12, 2), None, None, ("总结", 2025)),  # period over
    (date(2024, 3, 1), None, None, ("年度", 2023)),  # the last complete year
    (date(2021, 6, 1), None, None, ("年度", 2021)),  # no complete year yet: the first plan year
    (date(2024, 3, 1), "中期", None, ("中期", 2023)),  # the plan's third year
    (date(2024, 3, 1), "总结", None, ("总结", 2025)),
    (date(2024, 3, 1), "年度", 2022, ("年度", 2022)),
])
def test_default_kind_and_year_follow_the_plan_period(today, kind, year, expected):
    assert choose_kind_and_year(Period.of(2021, 2025), today, kind, year) == expected


def test_defaults_are_years_of_the_plan_not_literals():
    later = Period.of(2026, 2030)
    assert choose_kind_and_year(later, date(2031, 1, 5), None, None) == ("总结", 2030)
    assert choose_kind_and_year(later, date(2029, 1, 5), "中期", None) == ("中期", 2028)


@pytest.mark.parametrize(("kind", "year", "message"), [
    ("季度", None, "报告类型“季度”无效"),
    ("年度", 2030, "年份 2030 不在规划期"),
    ("总结", 2023, "总结评估按规划目标年（2025年）评估"),
])
def test_bad_kind_or_year_is_refused_in_chinese(kind, year, message):
    with pytest.raises(UserInputError, match=message):
        choose_kind_and_year(Period.of(2021, 2025), date(2026, 1, 1), kind, year)


# ----------------------------------------------------------------------------------------------------------
# The command line


@pytest.fixture
def cli(monkeypatch, tmp_path):
    from tui import cli as cli_module

    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    monkeypatch.setenv("GUIHUA_TODAY", TODAY.isoformat())
    runner = CliRunner()

    def invoke(database, *args):
        return runner.invoke(cli_module.main, ["--db", str(database.path), "report", *args], catch_exceptions=False)

    return invoke


@pytest.mark.sqlite_only
def test_cli_writes_the_report_and_says_where(five_years, cli, tmp_path):
    database, _ = five_years
    out = tmp_path / "报告.docx"
    result = cli(database, "--kind", "中期", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "已起草《泰州医药高新区（高港区）“十四五”规划实施中期评估报告》（截至2023年）" in result.output
    assert str(out) in result.output and out.exists()


@pytest.mark.sqlite_only
def test_cli_default_path_is_the_export_folder(five_years, cli):
    database, _ = five_years
    result = cli(database)
    assert result.exit_code == 0, result.output
    written = Path(database.path).parent / "导出" / "十四五规划总结评估报告_20261202.docx"
    assert written.exists() and str(written) in result.output


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("args", "message"), [
    (("--kind", "季度"), "错误：报告类型“季度”无效，可选：年度、中期、总结。"),
    (("--kind", "年度", "--year", "2019"), "错误：年份 2019 不在规划期 2021—2025年内。"),
    (("--plan", "没有这个规划"), "没有"),
])
def test_cli_bad_options_exit_with_chinese_errors(five_years, cli, tmp_path, args, message):
    database, _ = five_years
    result = cli(database, *args, "-o", str(tmp_path / "r.docx"))
    assert result.exit_code in (2, 3)
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.docx").exists()


@pytest.mark.sqlite_only
def test_cli_plan_without_figures_is_refused(sqlite_database, cli, tmp_path):
    result = cli(sqlite_database, "-o", str(tmp_path / "r.docx"))
    assert result.exit_code == 2
    assert "还没有录入任何指标数值，无法起草评估报告" in result.output
    assert not (tmp_path / "r.docx").exists()


@pytest.mark.sqlite_only
def test_cli_unwritable_output_is_refused_without_leftovers(five_years, cli, tmp_path):
    database, _ = five_years
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    result = cli(database, "-o", str(blocker / "r.docx"))
    assert result.exit_code == 2
    assert "错误：无法写入" in result.output and "不是文件夹" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.tmp*"))


# ----------------------------------------------------------------------------------------------------------
# Safe writing and the office's template


def test_open_file_gets_a_new_name(five_years, tmp_path):
    database, plan_id = five_years
    target = tmp_path / "report.docx"
    target.write_bytes(b"old")
    (tmp_path / ".~lock.report.docx#").write_text("someone")  # LibreOffice/WPS has it open
    result = write_report(database, plan_id, output=target, today=TODAY)
    assert result.renamed and result.path.name == "report(1).docx"
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob(".*.tmp*"))


def office_template(path: Path, extra: str = "") -> Path:
    """An office skeleton: its own heading style and fonts, placeholders split over runs as Word leaves them."""
    document = docx.Document()
    title = document.add_paragraph()
    title.add_run("{{plan.dis")
    title.add_run("trict}}关于{{report.ti").bold = True
    title.add_run("tle}}的说明")
    document.add_paragraph("一、总体情况", style="Heading 1")
    body = document.add_paragraph("{{block.overview}}")
    body.runs[0].font.name = "楷体"
    document.add_paragraph("二、问题", style="Heading 1")
    document.add_paragraph("{{block.problems}}")
    document.add_paragraph("三、附表")
    document.add_paragraph("{{block.main_table}}")
    cell = document.add_table(rows=1, cols=2).rows[0].cells
    cell[0].text = "截至{{year}}年"
    cell[1].text = "{{office}}"
    document.sections[0].footer.paragraphs[0].text = "{{plan.name}} 第{{count.main}}项"
    if extra:
        document.add_paragraph(extra)
    document.save(str(path))
    return path


def test_office_template_is_filled_at_its_placeholders(five_years, tmp_path):
    database, plan_id = five_years
    template = office_template(tmp_path / "我们的模板.docx")
    result, document = report(database, plan_id, tmp_path, template=template)
    first = document.paragraphs[0]
    assert first.text == "泰州医药高新区（高港区）关于泰州医药高新区（高港区）“十四五”规划实施总结评估报告的说明"
    assert first.runs[1].bold  # the run the placeholder starts in keeps its formatting
    text = body_text(document)
    assert "规划确定主要指标28项。" in text and "{{" not in text
    overview = next(p for p in document.paragraphs if p.text.startswith("规划确定主要指标"))
    assert overview.runs[0].font.name == "楷体"  # generated text takes the template paragraph's font
    assert "（一）未完成和滞后的指标" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "截至2025年" in cells and "区规划实施领导小组办公室" in cells
    assert "地区生产总值" in cells  # 附表1 went where {{block.main_table}} stood
    assert document.sections[0].footer.paragraphs[0].text == "泰州医药高新区（高港区）十四五规划 第28项"
    assert heading_texts(document, "Heading 1") == ["一、总体情况", "二、问题"]  # the office's own headings kept


def test_template_without_a_heading_2_style_gets_kai_headings(five_years, tmp_path):
    """A Word template defines 标题 2 only once it is used; without it the category headings keep the
    paragraph's format and take 楷体_GB2312 as GB/T 9704 sets them."""
    database, plan_id = five_years
    template = docx.Document()
    template.add_paragraph("{{block.categories}}")
    styles = template.styles.element
    styles.remove(template.styles["Heading 2"].element)
    template.save(str(tmp_path / "t.docx"))
    _, document = report(database, plan_id, tmp_path, template=tmp_path / "t.docx")
    heading = next(p for p in document.paragraphs if p.text == "（一）经济强")
    assert heading.style.name == "Normal"
    assert east_asian_font(heading.runs[0]._r) == "楷体_GB2312"


@pytest.mark.parametrize(("extra", "message"), [
    ("{{plan.titel}}", "未知占位符 {{plan.titel}}"),
    ("{{block.summary}}", "未知的内容块 {{block.summary}}"),
    ("见下文：{{block.overview}}", "须单独占一段"),
])
def test_template_mistakes_are_named_and_nothing_is_written(five_years, tmp_path, extra, message):
    database, plan_id = five_years
    template = office_template(tmp_path / "模板.docx", extra)
    with pytest.raises(UserInputError, match=message) as caught:
        write_report(database, plan_id, output=tmp_path / "out.docx", template=template, today=TODAY)
    assert "模板 模板.docx" in caught.value.message
    assert not (tmp_path / "out.docx").exists()


def test_not_a_word_file_as_template_is_refused(five_years, tmp_path):
    database, plan_id = five_years
    fake = tmp_path / "模板.docx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(UserInputError, match="无法读取模板.*不是 Word 文档"):
        write_report(database, plan_id, output=tmp_path / "out.docx", template=fake, today=TODAY)
    with pytest.raises(UserInputError, match="找不到模板文件"):
        write_report(database, plan_id, output=tmp_path / "out.docx", template=tmp_path / "无.docx", today=TODAY)
    assert not (tmp_path / "out.docx").exists()


def test_default_skeleton_is_a_template_the_office_can_reuse(five_years, tmp_path):
    database, plan_id = five_years
    skeleton = write_default_skeleton(tmp_path / "默认报告模板.docx", "年度")
    texts = [p.text for p in docx.Document(str(skeleton)).paragraphs]
    assert "{{block.overview}}" in texts and "{{report.title_lines}}" in texts
    result, document = report(database, plan_id, tmp_path, template=skeleton, kind="年度", year=2024)
    assert heading_texts(document, "Heading 1")[0] == "一、总体情况"
    assert "{{" not in body_text(document)
    assert result.title.endswith("2024年度实施情况监测报告")


# ----------------------------------------------------------------------------------------------------------
# The TUI: a key on the summary screen (F6) and the command palette


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def tui_folder(five_years, tmp_path, monkeypatch):
    from db.plan_store import set_state

    database, _ = five_years
    monkeypatch.setenv("GUIHUA_TODAY", TODAY.isoformat())
    folder = tmp_path / "导出到这里"
    with database.session() as session:
        set_state(session, "export.folder", str(folder))
        session.commit()
    return database, folder


async def drive(database, *keys: str) -> tuple[str | None, list[str]]:
    """Run the app, press the keys (each followed by settling); the screen shown at the end and what was said."""
    from tests.helpers import QuietApp, settle

    app = QuietApp(database)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(*(key if not key.isascii() else [key]))  # Chinese text: one key per character
            await settle(pilot)
        screen_id = app.screen.id
    return screen_id, notifications(app)


async def test_summary_screen_key_drafts_the_report_and_says_where(tui_folder):
    database, folder = tui_folder
    screen_id, said = await drive(database, "f6", "b")
    assert screen_id == "summary-screen"
    written = list(folder.glob("*.docx"))
    assert [p.name for p in written] == ["十四五规划总结评估报告_20261202.docx"], said
    assert f"已起草《泰州医药高新区（高港区）“十四五”规划实施总结评估报告》（截至2025年），保存到：{written[0]}" in said
    assert heading_texts(docx.Document(str(written[0])), "Heading 1")[0] == "一、总体情况"


async def test_command_palette_drafts_a_chosen_kind(tui_folder):
    database, folder = tui_folder
    _, said = await drive(database, "ctrl+p", "起草评估报告：中期", "enter")
    written = list(folder.glob("*.docx"))
    assert [p.name for p in written] == ["十四五规划中期评估报告_20261202.docx"], said
    assert any(m.startswith("已起草《泰州医药高新区（高港区）“十四五”规划实施中期评估报告》（截至2023年）") for m in said)


# ----------------------------------------------------------------------------------------------------------
# The rule for the final wording


@given(base=st.integers(min_value=1, max_value=5000), step=st.integers(min_value=-80, max_value=160))
def test_final_word_of_a_level_target_follows_its_completion(base, step):
    """已完成 at or beyond the target, 基本完成 from 90% of the way, 未完成 below; while the plan runs, the
    schedule's own word."""
    from core.progress import IndicatorSpec, ProgressSettings, assess
    from core.targets import parse_target
    from exports.report_figures import report_word

    target = parse_target(str(base + 100), indicator_name="测试指标", unit="亿元", column="target")
    spec = IndicatorSpec(name="测试指标", unit="亿元", targets=(target,))
    settings = ProgressSettings(base_year=2020, target_year=2025)
    values = {2020: Decimal(base), 2024: Decimal(base + step), 2025: Decimal(base + step)}
    word = report_word(assess(spec, values, 2025, settings=settings))
    assert word == ("已完成" if step >= 100 else "基本完成" if step >= 90 else "未完成")
    running = assess(spec, values, 2024, settings=settings)
    assert report_word(running) == running.status.label


def _pack_words(path, names: set[str]) -> dict[str, str]:
    """The status word the meeting pack prints on 主要指标完成情况表 for each named indicator."""
    from openpyxl import load_workbook

    words = {"已完成", "基本完成", "未完成", "提前完成", "难以完成", "滞后", "尚无数据", "需人工判断"}
    sheet = load_workbook(path)["主要指标完成情况表"]
    found = {}
    for row in sheet.iter_rows(values_only=True):
        name = next((c for c in row if c in names), None)
        if name is not None:
            found[name] = next(c for c in reversed(row) if c in words)
    return found


@pytest.mark.parametrize("share, gdp_word", [(None, "基本完成"), ("0", "未完成"), ("0.95", "未完成")])
def test_meeting_pack_and_report_give_the_same_final_word(five_years, tmp_path, share, gdp_word):
    """One rule (core.progress, the office's progress.basic_completion_share) for both documents: GDP grew 7.3% a
    year against 8%左右, 91% of the target growth: 基本完成 by default, 未完成 with the word switched off (0) or
    with a stricter 95%."""
    from db.plan_store import set_state
    from exports.meeting_pack import PackOptions, write_pack

    database, plan_id = five_years
    if share is not None:
        with database.session() as session:
            set_state(session, "progress.basic_completion_share", share)
            session.commit()
    figures = report_figures(database, plan_id, today=TODAY)
    report_words = {f.name: f.word for f in figures.main}
    pack = write_pack(database, plan_id, output=tmp_path / "pack.xlsx", options=PackOptions(year=2025, today=TODAY))
    pack_words = _pack_words(pack.path, set(report_words))
    assert pack_words == report_words
    assert report_words["地区生产总值"] == gdp_word
    _, document = report(database, plan_id, tmp_path)
    assert ("基本完成：2025年未达到目标" in body_text(document)) == (share != "0")


@pytest.mark.sqlite_only
def test_cli_writes_the_default_template(sqlite_database, cli, tmp_path):
    result = cli(sqlite_database, "--kind", "中期", "--write-template", str(tmp_path / "模板.docx"))
    assert result.exit_code == 0, result.output
    assert f"已写出默认报告模板：{tmp_path / '模板.docx'}" in result.output
    headings = heading_texts(docx.Document(str(tmp_path / "模板.docx")), "Heading 1")
    assert headings[-2:] == ["四、主要原因分析", "五、后半期推进措施和建议"]


_cells = st.one_of(st.from_regex(r"[0-9]{1,4}(\.[0-9])?", fullmatch=True), st.text("经济发展同步指标率", max_size=30))


@given(columns=st.integers(min_value=2, max_value=16), data=st.data(), width=st.floats(min_value=120, max_value=260))
def test_column_widths_fill_the_width_and_keep_figures_whole_when_they_can(columns, data, width):
    from exports.report_docx import WIDE_TABLE_PT, _least_width, column_widths, display_width

    header = [f"列{i}" for i in range(columns)]
    rows = data.draw(st.lists(st.lists(_cells, min_size=columns, max_size=columns), min_size=1, max_size=6))
    widths = column_widths(header, rows, width, WIDE_TABLE_PT, main=0, narrow=1)
    assert sum(widths) == pytest.approx(width, abs=0.5)
    assert all(w > 0 for w in widths)
    half_mm = WIDE_TABLE_PT * 0.3528 / 2
    least = [max([_least_width(r[c]) for r in rows] + [2]) for c in range(columns)]
    if sum(n * half_mm + 3 for n in least) + 4 * half_mm * 2 < width:  # room for every figure whole
        for c in range(2, columns):
            figures = [r[c] for r in rows if r[c] and display_width(r[c]) == len(r[c])]
            assert all(widths[c] >= len(f) * half_mm for f in figures)


def test_project_without_milestones_is_overdue_by_its_planned_finish(five_years, tmp_path):
    from db.projects import add_project

    database, plan_id = five_years
    with database.session() as session:
        add_project(session, plan_id, "滨江大道改造", origin="cli", planned_finish="2024", stage="已开工",
                    note="资金未到位")
    _, document = report(database, plan_id, tmp_path)
    text = body_text(document)
    assert "2.滨江大道改造：截至2025年12月31日，项目计划2024年完成，已逾期365天。说明：资金未到位。" in text
    assert "截至2025年12月31日逾期的项目2个。形象进度（按最近一次填报）：已开工2个。" in text
