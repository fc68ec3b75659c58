"""Reading any plan's structure: the three real 十五五 city plans against their truth files, the same plans in
other text shapes (wrapped like a PDF, one paragraph per line, half-width punctuation, extra spaces), and
synthetic plans for the structures real plans use but the fixtures lack."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.plan_outline import cn_ordinal
from core.plan_text import NotAPlanError, ParsedPlan, parse_plan

PLANS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "plans"
FIXTURES = ["02-suzhou-15th", "03-nanjing-15th", "04-guangzhou-15th"]


def _fixture(name: str) -> tuple[str, dict]:
    path = PLANS_DIR / f"{name}.txt"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the real plans beside the checkout: {path}")
        pytest.skip(f"real plans not found beside the checkout ({PLANS_DIR})")
    return path.read_text(encoding="utf-8"), json.loads((PLANS_DIR / f"{name}.truth.json").read_text(encoding="utf-8"))


def _label(node) -> str:
    return " ".join(f"{node.number or ''} {node.title}".split())


def _shape(plan: ParsedPlan) -> dict:
    chapters = plan.chapters()
    parts = [n for n in plan.nodes if n.kind == "part"]
    return {
        "chapters": [_label(c) for c in chapters],
        "sections_per_chapter": [sum(1 for n in c.children if n.kind == "section") for c in chapters],
        "parts": [_label(p) for p in parts],
        "chapters_per_part": [sum(1 for n in p.children if n.kind == "chapter") for p in parts],
        "boxes": sum(1 for n in plan.walk() if n.kind == "box"),
    }


@pytest.fixture(scope="module", params=FIXTURES)
def real_plan(request):
    text, truth = _fixture(request.param)
    return request.param, text, truth, parse_plan(text)


def test_real_plan_matches_truth(real_plan):
    name, _, truth, plan = real_plan
    shape = _shape(plan)
    want = [" ".join(c.split()) for c in truth["chapters"]]
    assert shape["chapters"] == want, f"{name}: missing {set(want) - set(shape['chapters'])}, extra {set(shape['chapters']) - set(want)}"
    assert shape["sections_per_chapter"] == truth["sections_per_chapter"]
    assert shape["parts"] == [" ".join(p.split()) for p in truth["parts"]]
    assert shape["chapters_per_part"] == truth["chapters_per_part"]
    assert shape["boxes"] == truth["boxes"]
    assert plan.title == truth["title"]


def test_real_plan_toc_is_kept_aside_and_agrees_with_the_body(real_plan):
    name, _, truth, plan = real_plan
    chapters = [e for e in plan.toc if e.kind == "chapter"]
    assert len(chapters) == len(truth["chapters"]), name
    assert not [w for w in plan.warnings if "目录" in w], plan.warnings


def test_real_plan_front_matter(real_plan):
    name, _, _, plan = real_plan
    kinds = [n.kind for n in plan.nodes]
    assert kinds.count("chapter") == 0  # chapters hang under their parts
    front = [n for n in plan.nodes if n.kind == "front"]
    assert front, name
    if name.startswith("04"):
        notice = front[0]
        assert notice.title == "印发通知"
        text = "".join(b.text for b in notice.blocks)
        assert "各区人民政府" in text and "现印发给你们" in text
        # Navigation menus of the web page are not plan text anywhere.
        everything = "".join(b.text for n in plan.walk() for b in n.blocks)
        assert "长者助手" not in everything and "手机版" not in everything and "政务邮箱" not in everything
        assert [n.title for n in plan.nodes if n.kind == "appendix"] == ["名词解释"]


def test_real_plan_indicator_table_rows_are_cells(real_plan):
    name, _, _, plan = real_plan
    tables = [n for n in plan.walk() if n.kind in ("table", "box") and "主要指标" in n.title]
    assert tables, name
    cells = [b for b in tables[0].blocks if b.kind == "table_cell"]
    assert len(cells) >= 25, (name, len(cells))
    assert any("预期性" in b.text for b in cells)
    # The table ends where the prose after it begins.
    assert not any(b.text.endswith("。") and len(b.text) > 40 and not re.match(r"^(注|[0-9])", b.text) for b in cells)


# ----------------------------------------------------------------------------------------------------------
# The same plan in other shapes gives the same tree


def _wrap_like_pdf(text: str, width: int = 27, page_lines: int = 30) -> str:
    """One paragraph per line → hard-wrapped lines with page numbers, the way a PDF's text layer reads."""
    out: list[str] = []
    page = 1
    count = 0
    for line in text.split("\n"):
        stripped = line.strip().replace("\u3000", "")
        if not stripped:
            continue
        is_heading = len(stripped) <= 40 and not re.search(r"[。；]", stripped)
        pieces = [stripped] if is_heading else [stripped[k : k + width] for k in range(0, len(stripped), width)]
        for piece in pieces:
            out.append(piece)
            count += 1
            if count % page_lines == 0:
                out.append(f"— {page} —")
                page += 1
    return "\n".join(out)


def _ascii_punctuation(text: str) -> str:
    return text.replace("，", ",").replace("（", "(").replace("）", ")").replace("：", ":")


def _extra_spaces(text: str) -> str:
    text = re.sub(r"^(第[一二三四五六七八九十百]+[篇章节])\s*", r"\1  ", text, flags=re.M)
    return re.sub(r"^专栏\s*(\d+)", r"专栏 \1", text, flags=re.M)


@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("transform", [_wrap_like_pdf, _ascii_punctuation, _extra_spaces], ids=["pdf-wrapped", "ascii", "spaces"])
def test_same_tree_from_every_text_shape(transform, name):
    text, truth = _fixture(name)
    original = _shape(parse_plan(text))
    shaped = _shape(parse_plan(transform(text)))
    squash = lambda labels: [re.sub(r"[\s,，()（）:：]", "", x) for x in labels]  # noqa: E731
    assert squash(shaped["chapters"]) == squash(original["chapters"])
    assert shaped["sections_per_chapter"] == original["sections_per_chapter"] == truth["sections_per_chapter"]
    assert shaped["chapters_per_part"] == original["chapters_per_part"]
    assert shaped["boxes"] == original["boxes"]


def test_pdf_shaped_paragraph_per_line_agree_on_paragraph_count():
    text, _ = _fixture("03-nanjing-15th")
    chapter = parse_plan(text).sections()[3]
    wrapped = parse_plan(_wrap_like_pdf(text)).sections()[3]
    assert len(chapter.paragraphs()) >= 3
    assert [p[:10] for p in wrapped.paragraphs()][:3] == [p[:10] for p in chapter.paragraphs()][:3]


# ----------------------------------------------------------------------------------------------------------
# Structures the fixtures lack

NOTICE_AND_TOC = """首页 > 政务公开 > 规划计划
无障碍
某市人民政府关于印发某市国民经济和社会发展第十五个五年规划纲要的通知
某府〔2026〕3号
各区人民政府，市政府各部门：
　　《某市国民经济和社会发展第十五个五年规划纲要》已经市人大会议批准，现印发给你们，请认真贯彻执行。
某市人民政府
2026年2月3日
某市国民经济和社会发展
第十五个五年规划纲要
目    录
第一篇 总体要求 ...................................... 1
第一章 发展基础，面向未来 ............................. 1
第一节 发展基础 ....................................... 2
第二节 面临形势 ....................................... 3
I
第二章 “十五五”目标——高质量发展 ...................... 5
第二篇 产业发展 ...................................... 8
第一章 做强制造业 ..................................... 8
第二章 发展服务业 ..................................... 9
专栏目录
专栏1 重大项目 ........................................ 4
专栏2 主要指标 ........................................ 6
第一篇 总体要求
第一章 发展基础，面向未来
第一节 发展基础
　　“十四五”时期，全市地区生产总值达到 500 亿元。详见第三章。
第二节 面临形势
　　当前形势复杂。第五章所述内容不再重复。
专栏 1：重大项目
　　1. 建成某某大桥；
　　2. 新建某某学校。
第二章 “十五五”目标——高质量发展
　　到二〇三〇年，全市经济实力明显增强。
专栏2-1
主要指标
指标    属性    2030年目标
地区生产总值年均增长（%）    预期性    5左右
第二篇 产业发展
第一章 做强制造业
　　制造业是立市之本。
第二章 发展服务业
　　服务业提质扩容。
"""


def test_notice_toc_restarting_chapters_and_box_directory():
    plan = parse_plan(NOTICE_AND_TOC)
    assert plan.title == "某市国民经济和社会发展第十五个五年规划纲要"
    notice = plan.nodes[0]
    assert (notice.kind, notice.title) == ("front", "印发通知")
    assert "现印发给你们" in "".join(notice.paragraphs())
    parts = [n for n in plan.nodes if n.kind == "part"]
    assert [(p.number, p.title) for p in parts] == [("第一篇", "总体要求"), ("第二篇", "产业发展")]
    # Chapters restart at 第一章 in every 篇: each is identified by its 篇 too.
    assert [[_label(c) for c in p.children if c.kind == "chapter"] for p in parts] == [
        ["第一章 发展基础，面向未来", "第二章 “十五五”目标——高质量发展"],
        ["第一章 做强制造业", "第二章 发展服务业"],
    ]
    assert [_label(s) for s in plan.sections()] == ["第一节 发展基础", "第二节 面临形势"]
    boxes = [n for n in plan.walk() if n.kind == "box"]
    assert [(b.number, b.title) for b in boxes] == [("专栏1", "重大项目"), ("专栏2-1", "主要指标")]
    assert [b.kind for b in boxes[1].blocks] == ["table_cell", "table_cell"]
    assert boxes[1].blocks[1].text == "地区生产总值年均增长（%）\t预期性\t5左右"
    # Sentences that mention 第三章 or 第五章 are not headings; the TOC and its Roman page marker are gone.
    assert "详见第三章。" in plan.chapters()[0].children[0].paragraphs()[0]
    everything = " ".join(b.text for n in plan.walk() for b in n.blocks)
    assert "......" not in everything and "无障碍" not in everything
    assert [(e.kind, e.ordinal) for e in plan.toc][:3] == [("part", 1), ("chapter", 1), ("section", 1)]


SECTIONS_AS_ITEMS = """某县国民经济和社会发展第十五个五年规划纲要

第一章 发展基础
一、取得的成就
　　过去五年，全县经济稳步增长。
　　一是产业升级。二是城乡融合。
二、面临的形势
　　外部环境更趋复杂。
第二章 主要目标
一、指导思想
　　坚持稳中求进。
二、发展目标
　　到2030年，地区生产总值年均增长5%左右。
三、远景展望
　　展望二〇三五年。
第三章 保障措施
　　加强组织领导。
"""


def test_sections_written_as_cn_items():
    plan = parse_plan(SECTIONS_AS_ITEMS)
    assert [[_label(s) for s in c.children if s.kind == "section"] for c in plan.chapters()] == [
        ["一、 取得的成就", "二、 面临的形势"],
        ["一、 指导思想", "二、 发展目标", "三、 远景展望"],
        [],
    ]
    assert plan.chapters()[0].children[0].paragraphs()[1] == "一是产业升级。二是城乡融合。"


NO_CHAPTERS = """某区“十五五”规划纲要（2026—2030年）

一、发展基础
　　“十四五”时期，全区经济稳步增长。
（一）经济实力
　　地区生产总值达到 300 亿元。
（二）社会事业
　　教育医疗持续改善。
二、总体要求
（一）指导思想
　　坚持以人民为中心。
1. 坚持创新
　　创新是第一动力。
（二）主要目标
　　到2030年，全区经济总量迈上新台阶。
三、主要任务
　　建设现代化产业体系。
四、保障措施
　　加强组织领导，确保规划落实。
"""


def test_plan_without_chapters_is_read_by_its_items():
    plan = parse_plan(NO_CHAPTERS)
    assert [_label(c) for c in plan.chapters()] == ["一、 发展基础", "二、 总体要求", "三、 主要任务", "四、 保障措施"]
    assert [[_label(s) for s in c.children if s.kind == "section"] for c in plan.chapters()] == [
        ["（一） 经济实力", "（二） 社会事业"],
        ["（一） 指导思想", "（二） 主要目标"],
        [],
        [],
    ]
    guidance = plan.chapters()[1].children[0]
    assert [b.kind for b in guidance.blocks][:2] == ["paragraph", "subheading"]


def test_one_item_sentence_is_not_a_chapter():
    text = "某区国民经济和社会发展第十五个五年规划纲要\n一、这是一句话，不是标题。\n正文。"
    with pytest.raises(NotAPlanError):
        parse_plan(text)


WRAPPED_HEADINGS = """某区国民经济和社会发展第十五个五年规划纲要
第一篇 聚焦走在前做示范，
推进中国式现代化新实践
第一章 发展基础
　　全区经济平稳增长。
第二章 坚持创新驱动，
加快建设科技强区
　　创新是第一动力。
第三章 建设“美丽某区”——生态优先
　　生态环境持续改善。
"""


def test_headings_that_wrap_or_hold_commas_quotes_and_dashes():
    plan = parse_plan(WRAPPED_HEADINGS)
    assert [_label(n) for n in plan.nodes if n.kind == "part"] == ["第一篇 聚焦走在前做示范，推进中国式现代化新实践"]
    assert [_label(c) for c in plan.chapters()] == [
        "第一章 发展基础",
        "第二章 坚持创新驱动，加快建设科技强区",
        "第三章 建设“美丽某区”——生态优先",
    ]


def test_chapter_numbers_that_jump_are_sentences():
    text = """某区国民经济和社会发展第十五个五年规划纲要
第一章 发展基础
　　正文一。
第五章 所列重点项目
　　正文二。
第二章 主要目标
　　正文三。
"""
    plan = parse_plan(text)
    assert [c.number for c in plan.chapters()] == ["第一章", "第二章"]
    assert any("编号不连续" in w for w in plan.warnings)


# ----------------------------------------------------------------------------------------------------------
# Properties


@given(st.integers(min_value=1, max_value=199))
def test_cn_ordinal_reads_what_plans_write(n):
    digits = "零一二三四五六七八九"
    if n < 10:
        text = digits[n]
    elif n < 20:
        text = "十" + (digits[n % 10] if n % 10 else "")
    elif n < 100:
        text = digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    else:
        rest = n % 100
        text = digits[n // 100] + "百" + ("" if not rest else ("零" + digits[rest] if rest < 10 else (digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else ""))))
    assert cn_ordinal(text) == n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=0, max_value=3), st.booleans())
def test_numbered_chapters_are_all_found_with_or_without_toc(chapters, sections, with_toc):
    digits = "一二三四五六七八九十"

    def cn(k: int) -> str:
        return digits[k - 1] if k <= 10 else "十" + digits[k - 11]

    body = []
    toc = ["目录"]
    for c in range(1, chapters + 1):
        body.append(f"第{cn(c)}章 任务{c}")
        toc.append(f"第{cn(c)}章 任务{c} ........ {c}")
        body.append(f"　　第{c}章的正文，说明第{cn(c + 2)}章之外的内容。")
        for s in range(1, sections + 1):
            body.append(f"第{cn(s)}节 举措{c}-{s}")
            toc.append(f"第{cn(s)}节 举措{c}-{s} ........ {c}")
            body.append("　　具体举措。")
    text = "某区国民经济和社会发展第十五个五年规划纲要\n" + ("\n".join(toc) + "\n" if with_toc else "") + "\n".join(body)
    plan = parse_plan(text)
    assert [c.title for c in plan.chapters()] == [f"任务{c}" for c in range(1, chapters + 1)]
    assert [len(c.children) for c in plan.chapters()] == [sections] * chapters
    assert len(plan.toc) == (chapters * (1 + sections) if with_toc else 0)


# ----------------------------------------------------------------------------------------------------------
# Word files: the styles help where the text does not say


def test_word_heading_styles_give_levels_the_text_does_not():
    from core.plan_text import SourceLine, parse_plan_lines

    lines = [
        SourceLine("某区国民经济和社会发展第十五个五年规划纲要", heading_level=None, bold=True, centred=True),
        SourceLine("发展基础", heading_level=1),
        SourceLine("过去五年，全区经济稳步增长。"),
        SourceLine("经济实力", heading_level=2),
        SourceLine("地区生产总值达到 300 亿元。"),
        SourceLine("总体要求", heading_level=1),
        SourceLine("坚持以人民为中心。"),
        SourceLine("主要任务", heading_level=1),
        SourceLine("主要指标", heading_level=2),
        SourceLine("", cells=["指标", "属性", "2030年目标"]),
        SourceLine("", cells=["地区生产总值年均增长（%）", "预期性", "5左右"]),
        SourceLine("建设现代化产业体系。"),
    ]
    plan = parse_plan_lines(lines)
    assert [c.title for c in plan.chapters()] == ["发展基础", "总体要求", "主要任务"]
    assert [[s.title for s in c.children if s.kind == "section"] for c in plan.chapters()] == [["经济实力"], [], ["主要指标"]]
    assert plan.chapters()[0].paragraphs() == ["过去五年，全区经济稳步增长。"]


def test_word_styles_never_override_numbered_headings():
    from core.plan_text import SourceLine, parse_plan_lines

    lines = [SourceLine("某区国民经济和社会发展第十五个五年规划纲要")]
    for k, name in enumerate(["一", "二", "三"], start=1):
        lines += [SourceLine(f"第{name}章 任务{k}", heading_level=2), SourceLine("正文。", heading_level=1)]
    plan = parse_plan_lines(lines)
    assert [c.title for c in plan.chapters()] == ["任务1", "任务2", "任务3"]


ITEMS_WITH_TOC = """某县国民经济和社会发展第十五个五年规划纲要
目录
一、发展基础 .................... 1
二、总体要求 .................... 3
三、主要任务 .................... 5
四、保障措施 .................... 9
某县国民经济和社会发展第十五个五年规划纲要
一、发展基础
　　过去五年，全县经济稳步增长。
专栏一 重大成就
　　1. 地区生产总值突破 300 亿元；
二、总体要求
　　坚持稳中求进。
某县国民经济和社会发展第十五个五年规划纲要
三、主要任务
　　建设现代化产业体系。
某县国民经济和社会发展第十五个五年规划纲要
四、保障措施
　　加强组织领导。
"""


def test_items_plan_with_toc_running_headers_and_cn_box_numbers():
    plan = parse_plan(ITEMS_WITH_TOC)
    assert [_label(c) for c in plan.chapters()] == ["一、 发展基础", "二、 总体要求", "三、 主要任务", "四、 保障措施"]
    assert [(b.number, b.title) for b in plan.walk() if b.kind == "box"] == [("专栏一", "重大成就")]
    assert plan.title == "某县国民经济和社会发展第十五个五年规划纲要"
    everything = "".join(b.text for n in plan.walk() for b in n.blocks if b.kind != "title")
    assert "规划纲要" not in everything  # the running header is gone


def test_divisions_stand_for_chapters():
    text = """某区国民经济和社会发展第十五个五年规划纲要
第一部分 发展基础
一、取得的成就
　　过去五年，全区经济稳步增长。
二、面临的形势
　　外部环境更趋复杂。
第二部分 主要任务
　　建设现代化产业体系。
"""
    plan = parse_plan(text)
    assert [_label(c) for c in plan.chapters()] == ["第一部分 发展基础", "第二部分 主要任务"]
    assert [len(c.children) for c in plan.chapters()] == [2, 0]


def test_a_heading_lost_in_extraction_does_not_lose_the_rest():
    text = "某区国民经济和社会发展第十五个五年规划纲要\n" + "\n".join(
        f"第{n}章 任务{k}\n　　正文{k}。" for k, n in enumerate("一二四五六", start=1)
    )
    plan = parse_plan(text)
    assert [c.number for c in plan.chapters()] == ["第一章", "第二章", "第四章", "第五章", "第六章"]
    assert any("缺少编号为3" in w for w in plan.warnings)


def test_a_list_of_boxes_without_page_numbers_is_no_box():
    text = """某区国民经济和社会发展第十五个五年规划纲要
专栏1 重大项目
专栏2 民生实事
专栏3 主要指标
第一章 发展基础
　　全区经济平稳增长。
专栏1 重大项目
　　1. 建成某某大桥；
"""
    plan = parse_plan(text)
    assert [(b.number, b.title) for b in plan.walk() if b.kind == "box"] == [("专栏1", "重大项目")]


def test_word_headings_made_bold_and_centred_without_styles():
    from core.plan_text import SourceLine, parse_plan_lines

    lines = [SourceLine("某区国民经济和社会发展第十五个五年规划纲要", bold=True, centred=True)]
    for name in ("发展基础", "总体要求", "主要任务"):
        lines += [SourceLine(name, bold=True, centred=True), SourceLine(f"{name}的正文。"), SourceLine("加粗的句子。", bold=True)]
    plan = parse_plan_lines(lines)
    assert [c.title for c in plan.chapters()] == ["发展基础", "总体要求", "主要任务"]
    assert plan.title == "某区国民经济和社会发展第十五个五年规划纲要"


def test_roman_page_numbers_are_no_text():
    text = "某区国民经济和社会发展第十五个五年规划纲要\n第一章 发展基础\n　　全区经济平稳增长。\nII\n第二章 主要任务\n　　建设现代化产业体系。\niv\n"
    plan = parse_plan(text)
    assert [c.paragraphs() for c in plan.chapters()] == [["全区经济平稳增长。"], ["建设现代化产业体系。"]]


def test_the_seed_with_a_table_of_contents_in_front_reads_the_same(seed_text, seed_plan):
    """The bundled plan as extracted had no TOC; printed copies do. Put one in front (dot leaders, page numbers,
    a Roman page marker) and the tree must not change."""
    toc = ["目  录"]
    for chapter in seed_plan.chapters():
        toc.append(f"{chapter.number} {chapter.title} {'.' * 20} {chapter.line_start // 40 + 1}")
        toc += [f"{s.number} {s.title} {'.' * 16} {s.line_start // 40 + 1}" for s in chapter.children if s.kind == "section"]
        if len(toc) % 25 == 0:
            toc.append("II")
    plan = parse_plan("\n".join(toc) + "\n" + seed_text)
    assert [_label(c) for c in plan.chapters()] == [_label(c) for c in seed_plan.chapters()]
    assert [_label(s) for s in plan.sections()] == [_label(s) for s in seed_plan.sections()]
    assert len(plan.toc) == len(seed_plan.chapters()) + len(seed_plan.sections())
    assert sum(len(n.paragraphs()) for n in plan.walk()) == sum(len(n.paragraphs()) for n in seed_plan.walk())


def test_the_seed_as_one_paragraph_per_line_gives_the_same_tree(seed_plan):
    """The bundled plan as it would be copied from Word or a web page: a line per heading and per paragraph."""
    from core.plan_text import Node

    out = [seed_plan.title]

    def emit(node: Node) -> None:
        if node.kind in ("part", "chapter", "section"):
            out.append(f"{node.number} {node.title}")
        elif node.kind == "box":
            out.append(f"专栏：{node.title}")
        for item in node.items:
            if isinstance(item, Node):
                emit(item)
            elif item.kind in ("paragraph", "lead_in", "box_item", "box_group", "subheading"):
                out.append("\u3000\u3000" + item.text if item.kind == "paragraph" else item.text)

    for node in seed_plan.nodes:
        if node.kind != "front":
            emit(node)
    plan = parse_plan("\n".join(out))
    assert [_label(c) for c in plan.chapters()] == [_label(c) for c in seed_plan.chapters()]
    assert [_label(s) for s in plan.sections()] == [_label(s) for s in seed_plan.sections()]
    first = seed_plan.sections()[0]
    assert plan.sections()[0].paragraphs()[:3] == first.paragraphs()[:3]


def test_a_web_pages_footer_is_no_plan_text():
    text = NO_CHAPTERS + "【打印本页】 【关闭窗口】\n扫一扫在手机打开当前页\n主办：某区人民政府办公室\n网站标识码：3200000000 苏ICP备00000000号\n"
    plan = parse_plan(text)
    last = plan.chapters()[-1]
    assert last.paragraphs() == ["加强组织领导，确保规划落实。"]
    assert any("页脚" in w for w in plan.warnings)


def test_control_characters_from_any_format_never_reach_the_tree():
    from core.plan_text import SourceLine, parse_plan_lines

    lines = [SourceLine("某区国民经济和社会发展第十五个五年规划纲要"), SourceLine("第一章 发展\x0b基础"),
             SourceLine("全区经济\x02平稳增长。\x7f"), SourceLine("第二章 主要任务"), SourceLine("建设\x1b[31m现代化。")]
    plan = parse_plan_lines(lines)
    everything = "".join(n.title + "".join(b.text for b in n.blocks) for n in plan.walk())
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in everything)
    assert plan.chapters()[1].paragraphs() == ["建设[31m现代化。"]
