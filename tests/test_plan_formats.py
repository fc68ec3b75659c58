"""Plans arriving as .docx, .pdf and .html: each reader gives the parser what the .txt of the same plan gives,
and every bad file is refused with a Chinese message naming it, exit code 2, and nothing imported.

The .docx and .pdf fixtures are made here from the real plans in shared/plans (python-docx writes the Word
file, LibreOffice prints it to PDF), once per session, into a temporary folder: nothing binary is committed.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.plan_text import PAGE_NUMBER_RE, ParsedPlan, parse_plan, parse_plan_lines
from importers.formats import read_plan_source
from importers.plan import parse_plan_bytes
from tui import cli

ROOT = Path(__file__).resolve().parents[1]
PLANS_DIR = next(
    (p for p in (ROOT / "shared" / "plans", ROOT.parent / "shared" / "plans", Path("/work/shared/plans")) if p.is_dir()),
    ROOT.parent / "shared" / "plans",
)
PLANS = sorted(PLANS_DIR.glob("*.txt")) if PLANS_DIR.is_dir() else []
needs_plans = pytest.mark.skipif(not PLANS, reason="shared/plans is not beside the work tree")

_HEADING = re.compile(r"^第\s*([一二三四五六七八九十百零〇两\d]+)\s*(篇|章|节)\s*(.*)$")
_LEVEL = {"篇": 1, "章": 2, "节": 3}
_BOX = re.compile(r"^专栏\s*\d*\s*\S")
_TABLE_START = re.compile(r"^(表\s*\d+\s*\S.*主要指标|专栏\s*\d+\s+.*主要指标)")
_SUZHOU_ROW = re.compile(r"^(\d+) (.+?[）)]) (.+) (预期性|约束性)$")


# ----------------------------------------------------------------------------------------------------------
# Fixture builders (also used by bench/import_formats.py)


def _is_toc_line(raw: str) -> bool:
    """A table-of-contents entry: page number at the end, dot leaders, or the indent the web page gave it."""
    return bool(re.search(r"(\.{4,}|…{2,}|\s{2,})\s*\d+\s*$", raw) or raw[:1] in ("\u3000", " ", "\t"))


def plan_blocks(text: str) -> list[tuple]:
    """What a drafter's Word file of this plan holds, in order: ("p", text, heading level or None) for
    paragraphs and ("table", rows) for the indicator table, where the text lets us find it. Each line of the
    text stays one paragraph (a hard-wrapped PDF text pasted into Word stays so too); page numbers go."""
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list[tuple] = []
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        stripped = raw.strip().replace("\u3000", " ").strip()
        i += 1
        if not stripped or PAGE_NUMBER_RE.match(stripped):
            continue
        match = _HEADING.match(stripped)
        if match and len(stripped) <= 40 and not stripped.endswith("。") and not _is_toc_line(raw):
            blocks.append(("p", raw.strip(), _LEVEL[match.group(2)]))
            continue
        if _TABLE_START.match(stripped):
            blocks.append(("p", raw.strip(), None))
            rows, i = _table_rows(lines, i)
            if rows:
                blocks.append(("table", rows))
            continue
        blocks.append(("p", raw, None))
    return blocks


def _table_rows(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """The indicator table after its title: Suzhou's space-separated rows (wrapped names joined, repeated
    headers and page numbers dropped, group rows spanning the table) or Nanjing's four-space cells."""
    rows: list[list[str]] = []
    header: str | None = None
    pending = ""
    start = i
    while i < len(lines):
        raw = lines[i].rstrip()
        stripped = raw.strip()
        if not stripped:
            if rows and "    " in lines[start]:
                break
            i += 1
            continue
        if PAGE_NUMBER_RE.match(stripped) or stripped == header:
            i += 1
            continue
        if "    " in raw:  # Nanjing: cells separated by four spaces, a wrapped cell continues on a line of its own
            cells = re.split(r" {4}", raw)
            rows.append([c.strip() for c in cells])
            header = header or stripped
            i += 1
            continue
        if rows and "    " in lines[start] and not _HEADING.match(stripped):
            rows[-1][-1] += "\n" + stripped  # Nanjing: the tail of a wrapped cell
            i += 1
            continue
        if header is None and re.match(r"^(序号|分类)", stripped):
            header = stripped
            rows.append(["序号", "指标", "2030年目标", "属性"])
            i += 1
            continue
        if re.match(r"^[一二三四五六七八九十]+、", stripped) and len(stripped) < 20:
            rows.append([stripped] * 4)  # a group row: one merged cell across the table
            i += 1
            continue
        candidate = (pending + stripped) if pending else stripped
        match = _SUZHOU_ROW.match(candidate)
        if match:
            rows.append(list(match.groups()))
            pending = ""
            i += 1
            continue
        if re.match(r"^\d+ ", stripped) and not pending:
            pending = stripped  # a row whose name wrapped onto the next line
            i += 1
            continue
        break
    if pending:
        i -= 1
    if rows and "    " in lines[start]:
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
    return rows, i


def build_docx(text: str, path: Path, *, styled: bool = True) -> Path:
    """A Word file of the plan: headings with Heading 1-3 styles (`styled`) or only bold and centred."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Pt(595), Pt(842)
    section.left_margin = section.right_margin = Pt(60)
    section.top_margin = section.bottom_margin = Pt(60)
    normal = document.styles["Normal"]
    normal.font.size = Pt(15)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    normal.paragraph_format.space_after = Pt(0)
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        style.font.size = Pt(15)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimHei")
    # Footer: 「— N —」, as printed plans number their pages.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    for kind, value in (("begin", None), ("instr", " PAGE "), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    footer.add_run(" —")

    for block in plan_blocks(text):
        if block[0] == "table":
            _add_table(document, block[1])
            continue
        _, line, level = block
        if level is None:
            document.add_paragraph(line)
        elif styled:
            document.add_paragraph(line, style=f"Heading {level}")
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(line).bold = True
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.save(path)
    return path


def _add_table(document, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        if len(set(row)) == 1 and len(row) == width and width > 1:
            merged = table.cell(r, 0).merge(table.cell(r, width - 1))
            merged.text = row[0]
            continue
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def convert_to_pdf(docx_paths: list[Path], folder: Path, *, options: dict | None = None) -> list[Path]:
    """LibreOffice prints the Word files to PDF (one process for all of them); `options` are the PDF export
    filter's settings (passwords, permissions)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed to make the PDF fixtures: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    profile = folder / "lo-profile"
    target = "pdf" if not options else "pdf:writer_pdf_Export:" + json.dumps(options)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(folder),
         *map(str, docx_paths)],
        check=True, capture_output=True, timeout=600,
    )
    return [folder / (p.stem + ".pdf") for p in docx_paths]


def build_html(text: str, path: Path, *, charset: str = "utf-8") -> Path:
    """The plan as a government portal page: navigation, scripts, a footer and hidden junk around the text."""
    from html import escape

    body = []
    for block in plan_blocks(text):
        if block[0] == "table":
            rows = "".join(
                "<tr>" + "".join(f"<td><p>{escape(cell).replace(chr(10), '<br>')}</p></td>" for cell in row) + "</tr>\n"
                for row in block[1]
            )
            body.append(f'<table border="1" cellspacing="0">\n<tbody>{rows}</tbody></table>')
            continue
        _, line, level = block
        tag = f"h{level + 1}" if level else "p"
        body.append(f'<{tag} style="text-indent: 2em">{escape(line)}</{tag}>')
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>关于印发规划纲要的通知 - 人民政府门户网站</title>
<style>.nav {{ color: red; }} /* 第一章 不是正文 */</style>
<script>var chapter = "第一章 脚本里的字"; document.write("<p>第二章 也不是</p>");</script>
</head>
<body>
<header><div class="logo">人民政府门户网站</div><a href="/">首页</a></header>
<nav><ul><li><a href="/a">政务公开</a></li><li><a href="/b">第三章 导航栏</a></li></ul></nav>
<div style="display:none">第四章 隐藏的文字</div>
<noscript>请启用 JavaScript&nbsp;第五章</noscript>
<div class="content">
{chr(10).join(body)}
</div>
<aside>相关新闻 第六章 侧栏</aside>
<form><input name="q"><button>搜索 第七章</button></form>
<footer>版权所有 &copy; 2026 主办单位 第八章 页脚</footer>
</body></html>
"""
    path.write_bytes(page.encode(charset, "xmlcharrefreplace"))
    return path


def make_pdf(pages: list[bytes], *, extra_objects: list[bytes] | None = None, resources: bytes = b"<< >>") -> bytes:
    """A minimal PDF written by hand: one content stream per page (used for the scanned-page fixture)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    extra = list(extra_objects or [])
    first_extra = 3
    first_page = first_extra + len(extra)
    kids = []
    page_objects = []
    for index, content in enumerate(pages):
        page_number = first_page + 2 * index
        kids.append(f"{page_number} 0 R".encode())
        page_objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources
            + f" /Contents {page_number + 1} 0 R >>".encode()
        )
        page_objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {len(pages)} >>".encode()
    objects.extend(extra)
    objects.extend(page_objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def scanned_pdf(page_count: int = 3) -> bytes:
    """Pages that are only a picture (a grey 'scan' with dark bands where the lines of text were)."""
    import zlib

    width, height = 200, 280
    rows = bytearray()
    for y in range(height):
        dark = 20 < y < 260 and (y // 6) % 2 == 0
        rows += bytes([40 if dark and 15 < x < 185 else 235 for x in range(width)])
    data = zlib.compress(bytes(rows))
    image = (
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
        f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
    )
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    return make_pdf([content] * page_count, extra_objects=[image], resources=b"<< /XObject << /Im1 3 0 R >> >>")


# ----------------------------------------------------------------------------------------------------------
# Fixtures


def _counts(parsed: ParsedPlan) -> tuple[int, int, int]:
    return len(parsed.chapters()), len(parsed.sections()), sum(1 for n in parsed.walk() if n.kind == "box")


SMALL_PLAN = """某某区国民经济和社会发展第十四个五年规划纲要

第一章 发展基础

“十三五”以来，全区经济平稳增长，地区生产总值达到 500 亿元。

第一节 发展基础

综合实力提升。地区生产总值年均增长 7%。

第二章 产业

第一节 工业

工业发展。
"""


@pytest.fixture(scope="session")
def formats_dir(tmp_path_factory) -> Path:
    """Every plan as .docx (Heading styles, and bold+centred only), .html (UTF-8, and GBK declared as GB2312),
    .pdf (LibreOffice's print of the styled .docx); and a small plan as a PDF with an open password and with
    an owner password only."""
    folder = tmp_path_factory.mktemp("plan-formats")
    styled = []
    for plan in PLANS:
        text = plan.read_text(encoding="utf-8")
        styled.append(build_docx(text, folder / f"{plan.stem}.docx", styled=True))
        build_docx(text, folder / f"{plan.stem}-bold.docx", styled=False)
        build_html(text, folder / f"{plan.stem}.html")
        page = build_html(text, folder / f"{plan.stem}-gbk.htm", charset="gbk")
        page.write_bytes(page.read_bytes().replace(b"charset=gbk", b"charset=gb2312"))
    small = build_docx(SMALL_PLAN, folder / "small.docx")
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.fail("LibreOffice is needed to make the PDF fixtures: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    convert_to_pdf([*styled, small], folder)
    for subfolder, options in (
        ("open-password", {"EncryptFile": ("boolean", "true"), "DocumentOpenPassword": ("string", "secret")}),
        ("owner-password", {"RestrictPermissions": ("boolean", "true"), "PermissionPassword": ("string", "owner"),
                            "EnableCopyingOfContent": ("boolean", "false"), "Changes": ("long", "0")}),
    ):
        target = folder / subfolder
        target.mkdir()
        convert_to_pdf([small], target, options={k: {"type": t, "value": v} for k, (t, v) in options.items()})
    return folder


@pytest.fixture(scope="session")
def txt_counts() -> dict[str, tuple[int, int, int]]:
    return {plan.stem: _counts(parse_plan(plan.read_text(encoding="utf-8"))) for plan in PLANS}


# ----------------------------------------------------------------------------------------------------------
# Each reader gives what the .txt gives


FORMATS = ["docx", "bold.docx", "pdf", "html", "gbk.htm"]


def _fixture(folder: Path, stem: str, fmt: str) -> Path:
    return folder / (f"{stem}.{fmt}" if fmt in ("docx", "pdf", "html") else f"{stem}-{fmt}")


@needs_plans
@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", [p.stem for p in PLANS])
def test_each_format_gives_the_counts_of_the_text(formats_dir, txt_counts, stem, fmt):
    path = _fixture(formats_dir, stem, fmt)
    parsed, text, encoding = parse_plan_bytes(path.read_bytes(), path.name)
    assert _counts(parsed) == txt_counts[stem], (stem, fmt)
    assert encoding == {"docx": "docx", "bold.docx": "docx", "pdf": "pdf", "html": "html:utf-8", "gbk.htm": "html:gb18030"}[fmt]
    assert parsed.title.endswith("第十五个五年规划纲要")
    assert len(text) > 50_000


@needs_plans
def test_word_hints_come_from_styles_or_from_bold_and_centring(formats_dir):
    stem = PLANS[0].stem
    styled = read_plan_source((formats_dir / f"{stem}.docx").read_bytes(), "x.docx").lines
    bold = read_plan_source((formats_dir / f"{stem}-bold.docx").read_bytes(), "x.docx").lines
    assert [line.text for line in styled] == [line.text for line in bold]
    chapter = next(i for i, line in enumerate(styled) if re.match(r"^第一章\s*\S", line.text) and line.heading_level)
    assert styled[chapter].heading_level == 2 and not styled[chapter].centred
    assert bold[chapter].heading_level is None and bold[chapter].bold and bold[chapter].centred
    body = next(line for line in styled if len(line.text) > 20 and line.text.endswith("。"))
    assert body.heading_level is None and not body.bold and not body.centred
    # The indicator table is a real Word table: one line per row; a row merged across the table is one cell.
    rows = [line for line in styled if line.cells is not None]
    assert len(rows) >= 30
    assert rows[0].cells == ["序号", "指标", "2030年目标", "属性"]
    group = next(line for line in rows if line.cells[0].startswith("一、"))
    assert group.cells == ["一、经济强（12 项）"]


def test_word_numbering_outline_levels_text_boxes_and_nested_tables(tmp_path):
    """A heading numbered by Word (「第一章」 is not in the text), an outline level set on a plain paragraph, a
    box in a one-cell frame with a table nested in it, a text box, a tracked deletion and hidden text."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="第%1章"/><w:suff w:val="space"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text):
        paragraph = document.add_paragraph(text, style="Heading 1")
        paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))

    document.add_paragraph("某某区国民经济和社会发展第十五个五年规划纲要")
    numbered("发展基础")
    outlined = document.add_paragraph("第一节 总体情况")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {w} w:val="1"/>'))
    document.add_paragraph("全区经济平稳增长。")
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)
    cell.paragraphs[0].text = "专栏1 重大项目"
    inner = cell.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "项目", (0, 1): "规模", (1, 0): "某某大桥", (1, 1): "2 公里"}.items():
        inner.cell(r, c).text = value
    removed = document.add_paragraph("保留的文字")
    removed._p.append(parse_xml(f'<w:del {w} w:id="1" w:author="x" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>删掉的文字</w:delText></w:r></w:del>'))
    hidden = document.add_paragraph("看得见")
    hidden._p.append(parse_xml(f'<w:r {w}><w:rPr><w:vanish/></w:rPr><w:t>看不见</w:t></w:r>'))
    anchor = document.add_paragraph("图文混排")
    anchor._p.append(parse_xml(
        f'<w:r {w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p></w:txbxContent>'
        '</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    numbered("产业")
    path = tmp_path / "numbered.docx"
    document.save(path)
    lines = read_plan_source(path.read_bytes(), path.name).lines
    texts = [line.cells if line.cells is not None else line.text for line in lines]
    assert texts == [
        "某某区国民经济和社会发展第十五个五年规划纲要", "第一章 发展基础", "第一节 总体情况", "全区经济平稳增长。",
        "专栏1 重大项目", ["项目", "规模"], ["某某大桥", "2 公里"], "保留的文字", "看得见", "图文混排", "文本框里的字",
        "第二章 产业",
    ]
    levels = {line.text: line.heading_level for line in lines if line.cells is None}
    assert levels["第一章 发展基础"] == 1 and levels["第一节 总体情况"] == 2 and levels["全区经济平稳增长。"] is None
    parsed = parse_plan_lines(lines)
    assert [c.number for c in parsed.chapters()] == ["第一章", "第二章"]


@needs_plans
def test_pdf_text_is_one_line_per_printed_line_with_page_numbers(formats_dir):
    stem = PLANS[0].stem
    text = read_plan_source((formats_dir / f"{stem}.pdf").read_bytes(), "x.pdf").text
    lines = text.splitlines()
    numbers = [line for line in lines if PAGE_NUMBER_RE.match(line)]
    assert numbers[:3] == ["— 1 —", "— 2 —", "— 3 —"]
    assert len(numbers) > 50
    # Quote marks set in another font stay where they are printed, and no line is longer than the column.
    assert any("“十五五”" in line for line in lines)
    from core.plan_text import em_width

    # The column is 475 pt of 15 pt type; curly quotes count 1 em in em_width but print narrower.
    assert max(em_width(line) for line in lines if "...." not in line) <= 34


def test_a_pdf_named_txt_is_read_as_a_pdf_and_an_owner_password_does_not_stop_reading(formats_dir, tmp_path):
    renamed = tmp_path / "规划.txt"
    renamed.write_bytes((formats_dir / "small.pdf").read_bytes())
    parsed, _, encoding = parse_plan_bytes(renamed.read_bytes(), renamed.name)
    assert encoding == "pdf" and len(parsed.chapters()) == 2
    owner = (formats_dir / "owner-password" / "small.pdf").read_bytes()
    assert b"/Encrypt" in owner
    parsed, _, encoding = parse_plan_bytes(owner, "owner.pdf")
    assert encoding == "pdf" and [c.number for c in parsed.chapters()] == ["第一章", "第二章"]


def test_html_reader_drops_page_furniture_and_joins_table_rows():
    from importers.formats.html import html_text

    page = """<html><head><title>标题</title><script>第一章</script></head><body>
    <nav>首页 第二章</nav><div>第一段<br>第二行&nbsp;&amp;<b>粗体</b></div>
    <table><tr><td>序号</td><td>指标</td></tr><tr><td>1</td><td>地区<p>生产总值</p><table><tr><td>内</td><td>表</td></tr></table></td></tr></table>
    <p hidden>隐藏</p><footer>页脚</footer><p>最后</p></body></html>"""
    assert html_text(page).splitlines() == ["第一段", "第二行\u00a0&粗体", "序号    指标", "1    地区生产总值内    表", "最后"]


def test_decode_plan_bytes_still_decodes_text():
    from core.plan_text import decode_plan_bytes

    assert decode_plan_bytes("第一章".encode("gb18030")) == ("第一章", "gb18030")
    assert read_plan_source("\ufeff第一章".encode("utf-8"), "a.txt").encoding == "utf-8-sig"


# ----------------------------------------------------------------------------------------------------------
# The command line: good files import, bad files are refused and change nothing


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli.main, list(args), catch_exceptions=False)

    return invoke


def _plans(run) -> list:
    return json.loads(run("plans", "--json").stdout)


@needs_plans
@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_cli_imports_each_format(run, formats_dir, tmp_path, fmt):
    import sqlite3

    stem = PLANS[0].stem
    result = run("import-plan", str(_fixture(formats_dir, stem, fmt)), "--name", f"规划{fmt}")
    assert result.exit_code == 0, result.output
    assert "已导入规划" in result.output
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        encoding = connection.execute("SELECT encoding FROM plan WHERE name = ?", (f"规划{fmt}",)).fetchone()[0]
    assert encoding == {"docx": "docx", "pdf": "pdf", "html": "html:utf-8"}[fmt]


def _docx_with(source: Path, target: Path, *, drop: set[str] = frozenset(), add: dict[str, bytes] | None = None,
               replace: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            if item.filename in drop:
                continue
            data = (replace or {}).get(item.filename, original.read(item.filename))
            out.writestr(item.filename, data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return target


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""
TEMPLATE_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://example.invalid/template.dotm" TargetMode="External"/></Relationships>"""


def _bad_file(kind: str, folder: Path, formats_dir: Path) -> tuple[Path, str]:
    """A bad file of the given kind and a fragment of the message it must get."""
    small = formats_dir / "small.docx"
    if kind == "scanned.pdf":
        path = folder / "扫描件.pdf"
        path.write_bytes(scanned_pdf())
        return path, "扫描件，没有文字层"
    if kind == "encrypted.pdf":
        path = folder / "加密.pdf"
        path.write_bytes((formats_dir / "open-password" / "small.pdf").read_bytes())
        return path, "打开密码"
    if kind == "corrupt.pdf":
        path = folder / "损坏.pdf"
        path.write_bytes((formats_dir / "small.pdf").read_bytes()[:3000])
        return path, "已损坏"
    if kind == "huge.pdf":
        path = folder / "巨大.pdf"
        with path.open("wb") as handle:
            handle.write(b"%PDF-1.7\n")
            handle.truncate(200 * 1024 * 1024)  # sparse: no disk used
        return path, "文件太大"
    if kind == "not-zip.docx":
        path = folder / "不是压缩包.docx"
        path.write_text("这不是 Word 文件", encoding="utf-8")
        return path, "不是有效的 Word 文件"
    if kind == "no-document.docx":
        path = _docx_with(small, folder / "缺正文.docx", drop={"word/document.xml"})
        return path, "不是有效的 Word 文件"
    if kind == "macro.docx":
        path = _docx_with(small, folder / "有宏.docx", add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 100})
        return path, "宏"
    if kind == "macro.docm":
        path = folder / "有宏.docm"
        path.write_bytes(small.read_bytes())
        return path, "另存为 .docx"
    if kind == "template.docx":
        path = _docx_with(small, folder / "外部模板.docx", add={"word/_rels/settings.xml.rels": TEMPLATE_RELS})
        return path, "attachedTemplate"
    if kind == "bomb.docx":
        path = folder / "炸弹.docx"
        _docx_with(small, path, add={"word/media/padding.bin": b"\x00" * (30 * 1024 * 1024)})
        return path, "压缩炸弹"
    if kind == "laughs.docx":
        path = _docx_with(small, folder / "实体.docx", replace={"word/document.xml": BILLION_LAUGHS})
        return path, "不安全的 XML"
    if kind == "password.docx":
        path = folder / "有密码.docx"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
        return path, "打开密码"
    if kind == "no-plan.html":
        path = folder / "新闻.html"
        path.write_text(
            '<html><head><meta charset="utf-8"><title>新闻</title></head><body><nav>首页</nav>'
            "<p>区政府召开常务会议，研究部署近期重点工作。</p><p>会议要求，各部门要抓好落实。</p></body></html>",
            encoding="utf-8",
        )
        return path, "网页里没有规划正文"
    if kind in ("old.doc", "old.wps"):
        path = folder / f"旧格式.{kind.split('.')[1]}"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
        return path, "另存为 .docx"
    if kind == "html.pdf":
        path = folder / "下载失败.pdf"
        path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>", encoding="utf-8")
        return path, "内容不是 PDF"
    raise AssertionError(kind)


BAD_FILES = ["scanned.pdf", "encrypted.pdf", "corrupt.pdf", "huge.pdf", "not-zip.docx", "no-document.docx",
             "macro.docx", "macro.docm", "template.docx", "bomb.docx", "laughs.docx", "password.docx", "no-plan.html",
             "old.doc", "old.wps", "html.pdf"]


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_are_refused_with_a_chinese_message_and_change_nothing(run, formats_dir, tmp_path, kind):
    before = _plans(run)
    path, fragment = _bad_file(kind, tmp_path, formats_dir)
    result = run("import-plan", str(path))
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr, result.stderr
    assert path.name in result.stderr and "没有导入任何内容" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert _plans(run) == before


def test_zip_guard_finds_declarations_in_any_part_and_any_encoding():
    from importers.zipguard import ZipLimits, ZipProblem, find_xml_declarations, open_zip

    def archive(members: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in members.items():
                out.writestr(name, data)
        return buffer.getvalue()

    clean = archive({"word/document.xml": b"<w:document/>", "word/media/image1.png": b"\x89PNG" + b"\x00" * 50})
    assert find_xml_declarations(open_zip(clean)) is None
    hidden = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'.encode("utf-16")
    assert find_xml_declarations(open_zip(archive({"word/media/image1.png": hidden}))) == "word/media/image1.png"
    many = archive({f"part{i}.xml": b"<x/>" for i in range(30)})
    with pytest.raises(ZipProblem, match="30 个部件"):
        open_zip(many, limits=ZipLimits(max_members=20))


def test_hyperlinks_and_linked_pictures_are_not_refused(formats_dir, tmp_path):
    rels = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://example.invalid/" TargetMode="External"/><Relationship Id="rId91" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="http://example.invalid/map.png" TargetMode="External"/></Relationships>"""
    path = _docx_with(formats_dir / "small.docx", tmp_path / "links.docx", add={"word/_rels/footer9.xml.rels": rels})
    parsed, _, encoding = parse_plan_bytes(path.read_bytes(), path.name)
    assert encoding == "docx" and len(parsed.chapters()) == 2


@pytest.mark.parametrize("name", ["small.docx", "small.pdf", "owner-password/small.pdf"])
def test_damaged_files_only_ever_raise_user_input_errors(formats_dir, name):
    """Truncated and byte-flipped copies: each is read or refused with a message, never a traceback."""
    import random

    from core.errors import UserInputError

    data = (formats_dir / name).read_bytes()
    generator = random.Random(name)
    for attempt in range(45):
        damaged = bytearray(data)
        if attempt % 3 == 0:
            damaged = damaged[: generator.randrange(len(damaged))]
        elif attempt % 3 == 1:
            for _ in range(20):
                damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        else:
            start = generator.randrange(len(damaged))
            damaged[start : start + 200] = bytes(generator.randrange(256) for _ in range(200))
        try:
            parse_plan_bytes(bytes(damaged), Path(name).name)
        except UserInputError as exc:
            assert Path(name).name in exc.message


def test_pdf_running_heads_go_and_bare_page_numbers_become_page_number_lines():
    from importers.formats.pdf import pdf_pages, pdf_text

    pages = []
    for number in range(1, 5):
        pages.append(
            b"BT /F1 10 Tf 72 815 Td (Running head of the plan) Tj ET\n"
            + f"BT /F1 12 Tf 72 700 Td (Body line one of page {number}) Tj ET\n".encode()
            + f"BT /F1 12 Tf 72 680 Td (Body line two of page {number}) Tj ET\n".encode()
            + f"BT /F1 10 Tf 295 30 Td ({number}) Tj ET".encode()
        )
    font_object = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    data = make_pdf(pages, extra_objects=[font_object], resources=b"<< /Font << /F1 3 0 R >> >>")
    result = pdf_pages(data, "heads.pdf")
    assert result[0] == ["Body line one of page 1", "Body line two of page 1", "— 1 —"]
    assert pdf_text(result).splitlines()[3:6] == ["Body line one of page 2", "Body line two of page 2", "— 2 —"]
