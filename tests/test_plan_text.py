"""The seed plan must import into the tree a reader recognises; other districts' formats must import too."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.plan_text import UNIT_AFTER_NUMBER, NotAPlanError, decode_plan_bytes, em_width, parse_plan, split_lines

CHAPTER_TITLES = [
    ("第一章", "高质量发展呈现新图景"),
    ("第二章", "构筑空间发展新格局"),
    ("第三章", "建设医药健康产业高地"),
    ("第四章", "培育“3+N”先进制造业集群"),
    ("第五章", "推动服务经济提质增能"),
    ("第六章", "建好国家创新型特色园区"),
    ("第七章", "主动融入双循环新格局"),
    ("第八章", "坚持全面深化改革"),
    ("第九章", "推动高水平开发开放"),
    ("第十章", "建设国际化滨江都市核心区"),
    ("第十一章", "推动绿色安全可持续发展"),
    ("第十二章", "促进社会全面进步"),
    ("第十三章", "推进规划落实"),
]
SECTIONS_PER_CHAPTER = [4, 3, 3, 3, 3, 4, 2, 2, 2, 3, 3, 5, 3]


def chapter(plan, number):
    return next(c for c in plan.chapters() if c.number == number)


def section(plan, chapter_number, section_number):
    return next(s for s in chapter(plan, chapter_number).children if s.number == section_number)


def all_blocks(plan):
    return [b for node in plan.walk() for b in node.blocks]


def test_title(seed_plan):
    assert seed_plan.title == "泰州医药高新区（高港区）国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"


def test_thirteen_chapters_with_exact_titles(seed_plan):
    assert [(c.number, c.title) for c in seed_plan.chapters()] == CHAPTER_TITLES


def test_forty_sections(seed_plan):
    assert len(seed_plan.sections()) == 40
    assert [len([s for s in c.children if s.kind == "section"]) for c in seed_plan.chapters()] == SECTIONS_PER_CHAPTER


@pytest.mark.parametrize(
    "chapter_number, section_number, title",
    [
        ("第一章", "第一节", "发展基础"),
        ("第一章", "第四节", "“十四五”总体要求"),
        ("第二章", "第三节", "构建绿色生态空间"),
        ("第六章", "第三节", "推动“人才特区”扩容"),
        ("第八章", "第二节", "深化重点领域改革"),
        ("第十二章", "第五节", "推动社会治理现代化"),
        ("第十三章", "第三节", "完善规划保障机制"),
    ],
)
def test_sample_section_titles(seed_plan, chapter_number, section_number, title):
    assert section(seed_plan, chapter_number, section_number).title == title


def test_front_matter_and_stray_fragment(seed_plan):
    front = seed_plan.nodes[0]
    assert front.kind == "front"
    assert [b.kind for b in front.blocks] == ["paragraph", "paragraph", "paragraph", "fragment"]
    assert front.blocks[0].text.startswith("“十四五”时期（2021-2025 年），是我国全面建成小康社会、实现第一个百年奋斗目标")
    assert front.blocks[0].text.endswith("泰州发展“特区”的关键五年。")
    assert front.blocks[3].text == "“泰州特区”"


def test_first_section_has_exactly_seven_paragraphs(seed_plan):
    paragraphs = section(seed_plan, "第一章", "第一节").paragraphs()
    assert len(paragraphs) == 7
    leads = [p[:8] for p in paragraphs]
    assert leads == ["综合实力持续攀升", "主导产业优势凸显", "改革开放不断突破", "城乡面貌显著改善", "人民生活持续改善", "区域治理显著提升", "客观分析，受到自"]


def test_paragraph_reads_across_the_footnote_block(seed_plan):
    paragraph = section(seed_plan, "第一章", "第一节").paragraphs()[3]
    assert "积极打造市区南部精致城区，城市框架进一步拉开，泰州第一外国语学校" in paragraph
    assert "国际遗传工程" not in paragraph


def test_exact_paragraph(seed_plan):
    assert section(seed_plan, "第一章", "第一节").paragraphs()[0] == (
        "综合实力持续攀升。“十三五”末，医药高新区（高港区）实现地区生产总值达 971.9 亿元，一般公共预算收入 89.9 亿元，"
        "年均分别增长 9%和 6.6%，经济总量居全市前列，人均地区生产总值突破 20 万元。以占全市近 7%的国土面积、10.7%的常"
        "住人口，贡献了 18.3%的 GDP 和 23.5%的一般公共预算收入，是全市发展最快的区域。三大需求对经济拉动持续增强，固定"
        "资产投资年均增长 11.6%，全社会消费品零售总额、进出口总额分别达 245 亿元和 31.5 亿美元。高质量发展不断取得进展，"
        "高港区先后成为国家农产品质量安全县、省首批“高质量发展先进区”，泰州港经济开发区综合排名跃居省级开发区首位。医"
        "药高新区连续五年争先进位，列全国 169 家国家级高新区第 74 位，在全国生物医药园区排名提升至第 11 位。"
    )


def test_no_paragraph_holds_a_newline_page_number_or_footnote_body(seed_plan):
    bodies = [f.text[:25] for f in seed_plan.footnotes]
    for block in all_blocks(seed_plan):
        if block.kind == "table_cell":
            continue
        assert "\n" not in block.text
        assert not re.search(r"－\s*\d+\s*－", block.text)
        assert not any(body in block.text for body in bodies), block.text[:30]


def test_chinese_lines_join_without_spaces(seed_plan):
    for block in all_blocks(seed_plan):
        if block.kind == "table_cell":
            continue  # 「类 别 指 标」: the table keeps its cells as printed
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", block.text), block.text


def test_part_lead_ins_belong_to_their_chapters(seed_plan):
    with_lead_in = {c.number: [b.text for b in c.blocks if b.kind == "lead_in"] for c in seed_plan.chapters()}
    assert {k for k, v in with_lead_in.items() if v} == {"第三章", "第六章", "第八章", "第十章"}
    assert with_lead_in["第三章"] == [
        "始终锚定“中国第一、世界有名”总目标，不断强化医药健康产业特色，坚持全链化、全域化、全程化发展，"
        "加快形成自主可控的现代产业体系，全力打造泰州健康名城核心区，争做“健康中国”战略示范。"
    ]
    assert with_lead_in["第八章"][0].startswith("聚焦重点领域和关键环节")
    # The paragraph before the lead-in ends where it should, not glued to the lead-in.
    before = section(seed_plan, "第七章", "第二节").paragraphs()[-1]
    assert before.endswith("打造跨境电商线上营销新平台。")
    assert chapter(seed_plan, "第三章").blocks[0].kind == "lead_in"


BOXES = {
    "国际精准健康中心“4+3”专业服务体系": 9,
    "专业平台 4 大提升行动": 4,
    "产业发展正、负面清单": 7,
    "融合长三角专项行动": 2,
    "义务教育学校提质工程": 3,
}


def test_five_boxes_with_titles_and_items(seed_plan):
    boxes = [n for n in seed_plan.walk() if n.kind == "box"]
    assert {b.title: len(b.blocks) for b in boxes} == BOXES
    schools = next(b for b in boxes if b.title == "义务教育学校提质工程")
    assert [b.text for b in schools.blocks] == [
        "迁建 5 所：寺巷中心小学、鲍徐中心小学、环溪小学、寺巷初级中学、高港实验学校。",
        "新建 4 所：祥和小学、春风小学、环溪初级中学、高港实验小学东校区。",
        "改扩建 7 所：明珠实验学校、田河小学、田河初中、大泗学校、胡庄中心小学、胡庄初中、汪群小学。",
    ]
    health = next(b for b in boxes if b.title.startswith("国际精准健康中心"))
    assert [b.kind for b in health.blocks].count("box_group") == 2
    assert health.blocks[1].text == "健康管理：健康体检、健康咨询、慢病管理、健康旅游、健康培训、健康消费；"


def test_boxes_sit_under_their_sections(seed_plan):
    assert [b.title for b in section(seed_plan, "第十二章", "第三节").children] == ["义务教育学校提质工程"]
    assert [b.title for b in section(seed_plan, "第三章", "第二节").children] == [
        "国际精准健康中心“4+3”专业服务体系",
        "专业平台 4 大提升行动",
    ]
    # The body text right after a box is not swallowed by it.
    assert section(seed_plan, "第三章", "第二节").paragraphs()[1].startswith("整合提升平台矩阵。")
    assert section(seed_plan, "第三章", "第二节").paragraphs()[2].startswith("强化关键要素支撑。")


def test_figure_and_table_are_their_own_kinds(seed_plan):
    first = section(seed_plan, "第一章", "第一节")
    kinds = [("node:" + i.kind) if hasattr(i, "items") else i.kind for i in first.items]
    assert kinds[:3] == ["paragraph", "node:figure", "paragraph"]
    assert first.children[0].title == "“十三五”期间医药高新区（高港区）GDP 变动情况"
    table = section(seed_plan, "第一章", "第四节").children[0]
    assert table.kind == "table"
    assert table.title == "医药高新区（高港区）“十四五”经济社会发展主要指标"
    cells = [b.text for b in table.blocks]
    assert "力争1500" in cells and "﹥20%" in cells and "预期性" in cells
    assert not any(b.kind == "paragraph" and "力争1500" in b.text for b in all_blocks(seed_plan))


def test_sixteen_footnotes_linked_to_their_markers(seed_plan):
    assert [f.number for f in seed_plan.footnotes] == list(range(1, 17))
    where = {}
    for block in all_blocks(seed_plan):
        for number, offset in block.markers:
            where[number] = block.text[max(0, offset - 9) : offset] + "|" + block.text[offset : offset + 4]
    assert sorted(where) == list(range(1, 17))
    assert where[1].endswith("，ICGEB|-中国区")
    assert where[2].endswith("区域发展战略|，实际利")
    assert where[3].endswith("一链两带两廊|”生态网")
    assert where[5] == where[6] and where[5].endswith("鼓励医博会|通过 U")
    assert where[9].endswith("JITRI|—硕世生")
    assert where[10].endswith("抢抓 RCEP| 协议机")
    assert where[16].endswith("城市治安防控圈|，不断织")
    assert seed_plan.footnotes[0].text.startswith("国际遗传工程和生物技术中心（International Center for Genetic Engineering")
    assert seed_plan.footnotes[0].text.endswith("推动国民经济发展。")
    assert seed_plan.footnotes[15].text.endswith("进行治安巡防和接处警工作。")


def test_markers_are_removed_from_the_running_text(seed_plan):
    text = section(seed_plan, "第一章", "第一节").paragraphs()[1]
    assert "ICGEB-中国区域研究中心" in text
    assert "“一链两带两廊”生态网络" in section(seed_plan, "第二章", "第三节").paragraphs()[0]
    assert "鼓励医博会通过 UFI" in next(p for p in section(seed_plan, "第五章", "第三节").paragraphs() if "会展交易中心" in p)


def test_source_lines_are_kept(seed_plan):
    first = section(seed_plan, "第一章", "第一节")
    assert (first.line_start, first.blocks[0].line_start, first.blocks[0].line_end) == (56, 58, 79)
    assert seed_plan.footnotes[0].line_start == 138


def test_lead_sentence_beside_a_figure_joins_its_paragraph(seed_plan):
    paragraph = section(seed_plan, "第三章", "第一节").paragraphs()[2]
    assert paragraph.startswith("协同开展极化扩散。统筹全市医药健康产业资源，打造核心区—协同区—拓展区三级空间体系，")
    assert paragraph.endswith("构建多层次、多样态发展格局。")


# ------------------------------------------------------------------------------------------------------
# Other districts' plans


OTHER_PLAN = """某某区国民经济和社会发展第十四个五年规划
和二〇三五年远景目标纲要
（草案）

序言

　　“十四五”时期是某某区发展的关键五年 ,本纲要阐明发展目标。
　　第二段前言文字 ,说明依据 “ 有空格的引号 ” 。

第一篇 开启新征程

第一章 发展基础与
面临的形势

　　“十三五”以来，全区经济平稳增长，地区生产总值达到 500 亿元。

第一节 发展基础

　　综合实力提升。地区生产总值年均增长 7%。
专栏1：重大项目
　　1. 建成某某大桥；
　　2. 新建某某学校。

第二篇 产业发展

第二章 产业
　　本章导语。
第一节 工业
　　工业发展。
"""


def test_other_format_plan():
    plan = parse_plan(OTHER_PLAN)
    assert plan.title == "某某区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    front, part1, part2 = plan.nodes
    assert (front.kind, front.title) == ("front", "序言")
    assert "draft_mark" in [b.kind for b in front.blocks]
    assert front.paragraphs() == ["“十四五”时期是某某区发展的关键五年，本纲要阐明发展目标。", "第二段前言文字，说明依据“有空格的引号”。"]
    assert [(p.kind, p.number, p.title) for p in (part1, part2)] == [("part", "第一篇", "开启新征程"), ("part", "第二篇", "产业发展")]
    assert [(c.number, c.title) for c in plan.chapters()] == [("第一章", "发展基础与面临的形势"), ("第二章", "产业")]
    box = next(n for n in plan.walk() if n.kind == "box")
    assert (box.title, [b.text for b in box.blocks]) == ("重大项目", ["1. 建成某某大桥；", "2. 新建某某学校。"])


def test_gb18030_and_bom_decode():
    text, encoding = decode_plan_bytes(OTHER_PLAN.encode("gb18030"))
    assert (text, encoding) == (OTHER_PLAN, "gb18030")
    text, encoding = decode_plan_bytes(b"\xef\xbb\xbf" + OTHER_PLAN.encode("utf-8"))
    assert (text, encoding) == (OTHER_PLAN, "utf-8-sig")
    assert parse_plan(text).chapters()[0].title == "发展基础与面临的形势"


@pytest.mark.parametrize("text", ["", "   \n\n", "这只是一段文字。\n没有章节。", "第一章是我们的开始，这是一句话。"])
def test_not_a_plan(text):
    with pytest.raises(NotAPlanError):
        parse_plan(text)


def test_page_numbers_are_dropped():
    lines = split_lines("第一章 总则\n\n－ 21 －\n\n 正文。\n")
    assert [ln.text for ln in lines] == ["第一章 总则", "正文。"]
    assert lines[1].page_break


# ------------------------------------------------------------------------------------------------------
# Properties of the line-joining and footnote rules

# Chinese characters, less those that read as a unit after a number (「1万」 is a quantity, not a footnote).
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(lambda ch: ch not in UNIT_AFTER_NUMBER)


def wrap_pdf_style(paragraphs: list[str], width: int) -> str:
    """Lay paragraphs out as PDF extraction does: 2-character indent lost, hard wraps, a blank after each line."""
    out = []
    for paragraph in paragraphs:
        first = width - 2
        pieces = [paragraph[:first]] + [paragraph[i : i + width] for i in range(first, len(paragraph), width)]
        out.extend(piece for piece in pieces if piece)
    return "\n\n".join(out) + "\n"


@st.composite
def paragraphs(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    result = []
    for _ in range(count):
        sentences = draw(st.lists(st.text(CJK, min_size=4, max_size=40), min_size=1, max_size=4))
        text = "，".join(sentences) + "。"
        result.append(text)
    return result


@settings(max_examples=150, deadline=None)
@given(paragraphs(), st.integers(min_value=20, max_value=30))
def test_rejoined_paragraphs_equal_the_originals(paras, width):
    # Every paragraph's last line must stop short of the column, as in print (else the break is invisible).
    assume(not any((len(p) - (width - 2)) % width == 0 or len(p) == width - 2 for p in paras))
    # Typesetting never starts a line with 「，」 or 「。」 (避头尾); such layouts cannot occur.
    lines = wrap_pdf_style(paras, width).split("\n\n")
    assume(not any(line[:1] in "，。" for line in lines))
    # A real page is mostly full lines, which show the column width (the parser takes the median line as the
    # column). Start with a long paragraph, as a page would: with only a few full lines among many short last
    # lines, a 19-em line in a 22-em column is indistinguishable from a full one.
    context = "规划" * (width * 8) + "。"
    text = "第一章 总则\n\n" + wrap_pdf_style([context] + paras, width)
    plan = parse_plan(text)
    assert plan.chapters()[0].paragraphs() == [context] + paras


@settings(max_examples=150, deadline=None)
@given(st.text(CJK, min_size=60, max_size=120), st.integers(min_value=27, max_value=60), st.text(CJK, min_size=10, max_size=60))
def test_footnote_body_is_lifted_out_and_linked(body, cut, note):
    paragraph = body + "。"
    cut = min(cut, len(paragraph) - 2)
    marker_at = 10
    marked = paragraph[:marker_at] + "1" + paragraph[marker_at:]
    wrapped = [marked[i : i + 27] for i in range(0, len(marked), 27)]
    # The footnote block interrupts the paragraph at a line boundary; the next page starts with a space.
    split = max(1, min(len(wrapped) - 1, cut // 27))
    lines = wrapped[:split] + ["1 ", note + "，" + note + "。" * 1] + [" " + wrapped[split]] + wrapped[split + 1 :]
    text = "第一章 总则\n\n" + "\n\n".join(lines) + "\n"
    plan = parse_plan(text)
    assert plan.chapters()[0].paragraphs() == [paragraph]
    assert [(f.number, f.text) for f in plan.footnotes] == [(1, note + "，" + note + "。")]
    assert plan.chapters()[0].blocks[0].markers == [(1, marker_at)]


def test_em_width():
    assert em_width("中文ab") == 3.0
