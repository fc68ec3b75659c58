"""The commitment finder: quantified targets and projects found in the plan's text, each traced to its sentence."""

from __future__ import annotations

import importlib.util
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.commitments import (
    ProjectProposal,
    QuantifiedTarget,
    find_in_plan,
    find_projects,
    find_quantified_targets,
    split_sentences,
)
from core.targets import Comparator, Direction

ROOT = Path(__file__).resolve().parent.parent
SEED_END = 2025  # the seed plan is the 14th Five-Year Plan: 「期末」 is 2025


def _load_bench():
    spec = importlib.util.spec_from_file_location("finder_quality", ROOT / "bench" / "finder_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("finder_quality", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def found(seed_plan):
    """(targets, projects, chapter of each block id, block of each block id) for the whole seed."""
    chapter_of, block_of = {}, {}
    for node in seed_plan.walk():
        for block in node.blocks:
            block_of[id(block)] = block
    for chapter in seed_plan.chapters():
        for node in chapter.walk():
            for block in node.blocks:
                chapter_of[id(block)] = chapter.number
    targets, projects = find_in_plan(seed_plan, key=id)
    return targets, projects, chapter_of, block_of


def targets_with(targets: list[QuantifiedTarget], metric: str) -> list[QuantifiedTarget]:
    return [t for t in targets if t.metric == metric]


def one_target(targets, metric) -> QuantifiedTarget:
    matches = targets_with(targets, metric)
    assert len(matches) == 1, (metric, [(t.metric, t.value) for t in targets])
    return matches[0]


# ----------------------------------------------------------------------------------------------------------
# Quantified targets pinned on the seed


def test_two_targets_in_one_sentence(found):
    targets = found[0]
    high_tech = one_target(targets, "高新技术企业")
    gazelles = one_target(targets, "瞪羚企业")
    assert (high_tech.comparator, high_tech.value, high_tech.unit, high_tech.target_year) == (
        Comparator.GE, Decimal(500), "家", 2025,
    )
    assert (gazelles.comparator, gazelles.value, gazelles.unit, gazelles.target_year) == (
        Comparator.GE, Decimal(50), "家", 2025,
    )
    assert high_tech.source == gazelles.source  # the same sentence, the same block
    assert "期末全区高新技术企业突破 500 家，瞪羚企业突破 50 家" in high_tech.source.sentence
    assert high_tech.text == "高新技术企业突破 500 家"
    assert gazelles.text == "瞪羚企业突破 50 家"
    assert high_tech.direction is Direction.HIGHER and not high_tech.stretch


@pytest.mark.parametrize(
    "metric, comparator, value, unit, stretch",
    [
        ("上市企业", Comparator.GE, "20", "家", False),
        ("战略性新兴产业产值占比", Comparator.GE, "55", "%", False),
        ("服务业增加值占地区生产总值的比重", Comparator.ABOUT, "48", "%", False),
        ("新增投产国家一类新药", Comparator.REACH, "7", "个", True),
        ("新增上市靶向药物品种", Comparator.REACH, "10", "个", True),
        ("整车产能", Comparator.GE, "20", "万辆", False),
        ("各类人才资源总量", Comparator.GT, "5.5", "万人", False),
        ("亿元企业", Comparator.GT, "100", "家", False),  # 「超百家亿元企业」
        ("50亿元级企业", Comparator.REACH, "2", "家", False),  # and 「50 亿元级」 is not a target of 50 亿元
        ("国家级孵化器（众创空间）", Comparator.GE, "1", "家", False),  # 「1-2 家」: the lower bound
        ("医药健康产业直投基金总规模", Comparator.GE, "50", "亿元", False),
        ("化学药获批量全国园区排名", Comparator.LE, "5", "位", False),  # 「跻身全国园区前五」
    ],
)
def test_targets_pinned_on_the_seed(found, metric, comparator, value, unit, stretch):
    target = one_target(found[0], metric)
    assert (target.comparator, target.value, target.unit, target.stretch, target.target_year) == (
        comparator, Decimal(value), unit, stretch, 2025,
    )


def test_new_list_word_carries_to_the_items_after_it(found):
    targets = found[0]
    for metric, value in (("新增高层次人才", 3000), ("新增国家级人才", 100), ("新增省级人才", 80), ("新增团队", 6)):
        assert one_target(targets, metric).value == value


def test_rank_targets_want_a_lower_number(found):
    first = one_target(found[0], "化学药获批量全国园区排名")
    assert first.direction is Direction.LOWER


def test_every_phrase_and_sentence_is_a_slice_of_its_block(found):
    targets, projects, _, block_of = found
    for item in [*targets, *projects]:
        block = block_of[item.source.block_key]
        assert block.text[item.text_start : item.text_end] == item.text
        assert block.text[item.source.sentence_start : item.source.sentence_end] == item.source.sentence
        assert item.source.sentence_start <= item.text_start <= item.text_end <= item.source.sentence_end


# ----------------------------------------------------------------------------------------------------------
# What is not a target


def test_no_targets_or_projects_in_the_review_of_the_past(found, seed_plan):
    targets, projects, chapter_of, block_of = found
    review = next(n for n in seed_plan.walk() if n.kind == "section" and "发展基础" in n.title)
    review_blocks = {id(b) for node in review.walk() for b in node.blocks}
    assert not [t for t in targets if t.source.block_key in review_blocks]
    assert not [p for p in projects if p.source.block_key in review_blocks]
    # 「达 971.9 亿元」, 「8 个国家一类新药实现投产」 describe 2020, not 2025
    assert not [t for t in targets if t.value in (Decimal("971.9"), Decimal("89.9"), Decimal("80.6"))]


@pytest.mark.parametrize(
    "text",
    [
        "“十三五”末，医药高新区（高港区）实现地区生产总值达 971.9 亿元，一般公共预算收入 89.9 亿元。",
        "“十三五”期间，全区累计完成固定资产投资 1200 亿元。",
        "抢抓 5G 融合应用机遇，打造“5G+8K”应用示范区。",
        "打造“1+N”展会格局，构建“4+3”专业服务体系。",
        "提档升级“113 人才计划”等人才政策。",
        "做大做强与中航 704 所等大院大所的合作载体。",
        "到 2025 年，现代乡村治理的制度框架和政策体系基本形成。",
        "“十四五”时期（2021-2025 年），是开启新征程的第一个五年。",
        "进一步优化 10 分钟便民服务圈，确保 24 小时实时监管无盲区。",
        "建成纬创中尺寸显示屏生产线等一批亿元以上技改项目。",
        "打造千亿级现代产业园区，实施专业平台 4 大提升行动。",
        "推动实施祥泰路快速化改造、S231 东环高架南延。",
        "围绕建党 100 周年等重要时间节点，聚力创作一批文艺新品。",
        "列全国 169 家国家级高新区第 74 位。",
    ],
)
def test_not_targets(text):
    assert find_quantified_targets("k", text, plan_end=SEED_END) == []


def test_past_tense_review_sentence_is_skipped_but_the_plan_sentence_is_not():
    text = "“十三五”末，高新技术企业达 210 家。期末全区高新技术企业突破 500 家。"
    [target] = find_quantified_targets("k", text, plan_end=SEED_END)
    assert target.value == 500


# ----------------------------------------------------------------------------------------------------------
# Years, stretch, direction on text of the kind other plans use


def test_explicit_years_and_plan_end():
    text = "到2023年建成城市书房 20 家，单位地区生产总值能耗较2020年下降15%。展望二〇三五年，地区生产总值达到 3000 亿元。"
    targets = find_quantified_targets("k", text, plan_end=2025)
    assert [(t.metric, t.value, t.target_year) for t in targets] == [
        ("城市书房", 20, 2023),
        ("单位地区生产总值能耗下降", 15, 2023),  # the nearest year before it is 2023, not the base year 2020
        ("地区生产总值", 3000, 2035),
    ]
    [plain] = find_quantified_targets("k", "上市企业突破 20 家。", plan_end=2030)
    assert plain.target_year == 2030


def test_lower_is_better_bounds_and_compound_units():
    text = "PM2.5平均浓度控制在 30 微克/立方米以内，城镇调查失业率控制在 5.5%以内。"
    pm, unemployment = find_quantified_targets("k", text, plan_end=SEED_END)
    assert (pm.metric, pm.comparator, pm.value, pm.unit, pm.direction) == (
        "PM2.5平均浓度", Comparator.LE, Decimal(30), "微克/立方米", Direction.LOWER,
    )
    assert (unemployment.comparator, unemployment.value, unemployment.direction) == (
        Comparator.LE, Decimal("5.5"), Direction.LOWER,
    )


def test_respectively_gives_each_value_its_own_metric():
    text = "到2025年，农村电商销售额、农产品线上交易额分别达到 8 亿元、2 亿元。"
    assert [(t.metric, t.value) for t in find_quantified_targets("k", text, plan_end=SEED_END)] == [
        ("农村电商销售额", 8), ("农产品线上交易额", 2),
    ]


def test_full_width_digits_read_and_key_like_half_width():
    [wide] = find_quantified_targets("a", "期末上市企业突破２０家。", plan_end=SEED_END)
    [narrow] = find_quantified_targets("b", "上市企业突破 20 家，", plan_end=SEED_END)
    assert wide.value == 20 and wide.text == "上市企业突破２０家"
    assert wide.key == narrow.key == "上市企业|20|家|2025"


# ----------------------------------------------------------------------------------------------------------
# Projects


def one_project(projects: list[ProjectProposal], title: str) -> ProjectProposal:
    matches = [p for p in projects if p.title == title]
    assert len(matches) == 1, (title, [p.title for p in projects])
    return matches[0]


@pytest.mark.parametrize(
    "title, action",
    [
        ("长城汽车泰州基地", "建成"),
        ("药城东部消防站", "建成"),
        ("高港消防大队", "改扩建"),  # 「建成药城东部消防站、高港消防大队改扩建、…等项目」
        ("长城项目区消防站", "建成"),
        ("高港中医院", "迁建"),
        ("江苏省口岸中学", "迁建"),
        ("南中医泰州校区", "推进"),  # 「推进南中医泰州校区建设」
        ("扬子江海济", "建成"),  # 「建成扬子江海济、华永平台等项目」
        ("华永平台", "建成"),
        ("泰州国际精准健康中心", "建成"),
        ("滨江物流园", "建成"),  # 「建成滨江物流园和滨江商务中心」
        ("滨江商务中心", "建成"),
    ],
)
def test_projects_pinned_on_the_seed(found, title, action):
    project = one_project(found[1], title)
    assert project.action == action
    assert project.box_title is None


SCHOOLS = {
    "迁建": ["寺巷中心小学", "鲍徐中心小学", "环溪小学", "寺巷初级中学", "高港实验学校"],
    "新建": ["祥和小学", "春风小学", "环溪初级中学", "高港实验小学东校区"],
    "改扩建": ["明珠实验学校", "田河小学", "田河初中", "大泗学校", "胡庄中心小学", "胡庄初中", "汪群小学"],
}


def test_the_sixteen_schools_of_the_box(found):
    in_box = [p for p in found[1] if p.box_title == "义务教育学校提质工程"]
    assert len(in_box) == 16
    by_action = {action: [p.title for p in in_box if p.action == action] for action in SCHOOLS}
    assert by_action == SCHOOLS
    school = one_project(found[1], "寺巷中心小学")
    assert school.text == "寺巷中心小学" and school.source.sentence.startswith("迁建 5 所：")


def test_generic_phrases_are_not_projects(found):
    titles = {p.title for p in found[1]}
    for generic in ("现代化经济体系", "全国医药健康产业高地", "国内领先的汽车产业中心", "五大功能园区", "一批城市书房"):
        assert not any(generic in title for title in titles)
    assert find_projects("k", "建设现代化经济体系，建设国内领先的汽车产业中心，新建一批城市书房。") == []


def test_box_item_under_a_group_heading_takes_its_action():
    [first, second] = find_projects("k", "祥和小学、春风小学。", box_title="学校工程", kind="box_item", group_action="新建")
    assert (first.title, first.action, first.box_title) == ("祥和小学", "新建", "学校工程")
    assert second.title == "春风小学"


# ----------------------------------------------------------------------------------------------------------
# Sentences and keys


def test_split_sentences_keeps_offsets():
    text = " 甲乙。丙；“丁！”戊？ 己"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["甲乙。", "丙；", "“丁！”", "戊？", "己"]
    assert spans[0] == (1, 4)
    assert split_sentences("") == [] and split_sentences(" 。 ") == [(1, 2)]


def test_keys_are_stable_and_shared_by_identical_targets(seed_plan):
    first = find_in_plan(seed_plan)
    second = find_in_plan(seed_plan)
    assert first == second
    targets, projects = first
    assert len({p.key for p in projects if p.box_title == "义务教育学校提质工程"}) == 16
    one = find_quantified_targets("block 1", "期末上市企业突破 20 家。", plan_end=SEED_END)
    other = find_quantified_targets("block 2", "到 2025 年，上市企业突破20家；", plan_end=SEED_END)
    assert one[0].key == other[0].key
    assert one[0].source.block_key == "block 1" and other[0].source.block_key == "block 2"


# ----------------------------------------------------------------------------------------------------------
# Quality on the hand-made fixture (chapters 3-6)


def test_fixture_sentences_are_in_their_chapters(seed_plan):
    bench = _load_bench()
    fixture = bench.load_fixture()
    text_of = {}
    for chapter in seed_plan.chapters():
        text_of[chapter.number] = "".join(b.text for node in chapter.walk() for b in node.blocks)
    for entry in fixture["targets"]:
        assert entry["sentence_contains"] in text_of[entry["chapter"]], entry


def test_recall_and_precision_on_the_fixture(seed_plan):
    bench = _load_bench()
    score = bench.score(seed_plan, bench.load_fixture())
    # Measured 100% / 100% on 34 hand-found targets; the issue asks for 90% / 80%.
    assert score.recall >= 0.9, score.missed()
    assert score.precision >= 0.8, score.spurious()
    assert score.recall == 1.0 and score.precision == 1.0, (score.missed(), score.spurious())


def test_metric_overlap_rule():
    bench = _load_bench()
    assert bench.metric_overlap("新增团队", "新增人才团队") >= 2
    assert bench.metric_overlap("产业规模", "医药产业规模") == 4
    assert bench.metric_overlap("上市企业", "瞪羚") == 0


# ----------------------------------------------------------------------------------------------------------
# Properties

_ALPHABET = st.sampled_from(
    list("0123456789０１２.-~%，、。；：！？“”（）() \n")
    + ["家", "个", "名", "万", "亿", "元", "亿元", "万人", "以上", "左右", "以内", "突破", "超", "达到", "不低于", "控制在"]
    + ["新增", "力争", "期末", "到2025年", "较2020年", "“十三五”末", "分别", "的", "等", "级", "第", "前", "排名", "跻身"]
    + ["建成", "迁建", "实施", "工程", "中心", "小学", "基地", "等项目", "和", "企业", "高新技术", "5G", "百", "两"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_ALPHABET, max_size=40).map("".join), st.text(max_size=80)))
def test_finder_never_raises_and_phrases_are_slices(text):
    for target in find_quantified_targets("k", text, plan_end=SEED_END):
        assert text[target.text_start : target.text_end] == target.text
        assert text[target.source.sentence_start : target.source.sentence_end] == target.source.sentence
        assert target.value.is_finite()
    for project in find_projects("k", text, kind="box_item", group_action="新建"):
        assert text[project.text_start : project.text_end] == project.text
    for start, end in split_sentences(text):
        assert 0 <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_finder_is_deterministic(text):
    assert find_quantified_targets("k", text, plan_end=SEED_END) == find_quantified_targets("k", text, plan_end=SEED_END)
    assert [t.key for t in find_quantified_targets("k", text, plan_end=SEED_END)] == [
        t.key for t in find_quantified_targets("other", text, plan_end=SEED_END)
    ]
    assert all(re.fullmatch(r"[^|]+\|[^|]+\|[^|]*\|\d{4}", t.key) for t in find_quantified_targets("k", text, plan_end=SEED_END))


def test_past_sentences_follow_the_plans_period():
    """In a 十五五 plan the review of the 十四五 period is past; in a 十四五 plan the 十三五 one is."""
    past_for_2030 = "“十四五”时期，全市新建学校 30 所。"
    assert find_quantified_targets("k", past_for_2030, plan_end=2030) == []
    assert find_quantified_targets("k", past_for_2030, plan_end=2025) != []
    assert find_quantified_targets("k", "截至2025年底，建成公园 12 个。", plan_end=2030) == []
    assert find_quantified_targets("k", "“十三五”期间，新建学校 20 所。", plan_end=2025) == []
    [target] = find_quantified_targets("k", "到“十五五”末，新建学校 40 所。", plan_end=2030)
    assert (target.value, target.target_year) == (40, 2030)
    assert "十五五" not in target.metric
