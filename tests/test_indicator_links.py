"""core.indicator_links: the table cell and paragraph an indicator is tied to, the indicator a relative target
reads; and core.plan_text.location_label. Pure rules, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.indicator_links import (
    MIN_WRAPPED,
    anchor_paragraph,
    judged_against_others,
    name_in_cell,
    reference_values,
    squash,
    table_cell,
)
from core.plan_text import location_label
from core.targets import parse_target

# Cells of the seed plan's main-indicator table as the PDF text wraps them (squashed).
CELLS = [(1, "类别指标"), (2, "地区生产总值(亿元)"), (3, "高新技术产业产值占规模以上工业产值比"), (4, "重(%)"),
         (5, "单位地区生产总值能源消耗降低(%)"), (6, "单位地区生产总值二氧化碳排放降低(%)"),
         (7, "地表水省考以上断面水质达到或优于III类"), (8, "比例(%)")]


def test_a_cell_holding_the_whole_name_is_the_indicators():
    assert table_cell("地区生产总值", CELLS) == 2
    assert table_cell("单位地区生产总值二氧化碳排放降低", CELLS) == 6  # not the first cell sharing 8 characters
    assert table_cell(" 单位地区生产总值 能源消耗降低", CELLS) == 5


def test_a_name_wrapped_over_two_cells_is_found_by_its_start():
    assert table_cell("高新技术产业产值占规模以上工业产值比重", CELLS) == 3
    assert table_cell("地表水省考以上断面水质达到或优于III类比例", CELLS) == 7


def test_a_shared_start_is_not_a_match():
    assert table_cell("单位地区生产总值水耗降低", CELLS) is None  # shares 「单位地区生产总值」 only
    assert table_cell("高新技术企业数", CELLS) is None
    assert table_cell("", CELLS) is None and table_cell("地区生产总值", []) is None


names = st.text(alphabet="地区生产总值能源消耗降低比重率数量", min_size=1, max_size=30)


@given(names, st.lists(names, max_size=6))
def test_a_matched_cell_holds_the_name_or_ends_with_a_long_start_of_it(name, texts):
    cells = list(enumerate(texts))
    found = table_cell(name, cells)
    if any(name in text for text in texts):
        assert found == next(i for i, text in cells if name in text)
    elif found is not None:
        text = texts[found]
        longest = max(k for k in range(1, len(name)) if text.endswith(name[:k]))
        assert longest >= max(MIN_WRAPPED, (len(name) + 1) // 2)


@given(st.text(alphabet="地区生产总值能源消耗降低比重率数量", min_size=MIN_WRAPPED + 1, max_size=30), st.data(), names)
def test_a_name_cut_anywhere_past_half_is_found_in_the_cell_with_its_first_part(name, data, before):
    cut = data.draw(st.integers(min_value=max(MIN_WRAPPED, (len(name) + 1) // 2), max_value=len(name) - 1))
    cells = [(0, "类别指标"), (1, before + name[:cut]), (2, name[cut:])]
    assert table_cell(name, cells) == 1 or name in "类别指标" or name in name[cut:]


def test_the_part_of_the_name_its_cell_shows_is_marked():
    assert name_in_cell("地区生产总值", "地区生产总值\n(亿元)") == "地区生产总值"
    assert name_in_cell("高新技术产业产值占规模以上工业产值比重", "高新技术产业产值占规模以上工业产值比") == \
        "高新技术产业产值占规模以上工业产值比"
    assert name_in_cell("单位地区生产总值水耗降低", "单位地区生产总值能源消耗降低(%)") == ""
    assert name_in_cell("", "地区生产总值") == ""


@given(names, names)
def test_a_cell_shows_part_of_the_name_exactly_when_it_is_the_names_cell(name, text):
    """name_in_cell and table_cell read a cell by the same rule: the part marked is there, at the cell's end
    when it is not the whole name."""
    shown = name_in_cell(name, text)
    assert (shown != "") == (table_cell(name, [(1, text)]) == 1)
    if shown and shown != name:
        assert text.endswith(shown) and name.startswith(shown)


def test_the_anchor_paragraph_is_the_first_holding_it():
    paragraphs = [(10, squash("全面完成 目标任务。")), (11, "地区生产总值年均增速8%左右"), (12, "地区生产总值年均增速8%左右。")]
    assert anchor_paragraph("地区生产总值 年均增速8%左右", paragraphs) == 11
    assert anchor_paragraph("", paragraphs) is None and anchor_paragraph("没有", paragraphs) is None


@dataclass
class Series:
    id: int
    name: str
    values: dict = field(default_factory=dict)


def test_a_relative_target_reads_the_indicator_it_names():
    target = parse_target("与经济发展同步")
    assert judged_against_others([target]) and not judged_against_others([parse_target("8%左右")])
    gdp = Series(1, "地区生产总值", {2021: Decimal("1000")})
    growth = Series(2, "地区生产总值增长", {2021: Decimal("7")})
    income = Series(3, "居民人均可支配收入增长")
    assert target.relative_to == gdp.name
    assert reference_values([target], income.id, [growth, gdp, income]) == gdp.values
    current_prices = Series(4, "地区生产总值（现价）", {2021: Decimal("5")})
    assert reference_values([target], income.id, [current_prices, gdp]) == gdp.values  # the exact name first
    assert reference_values([target], income.id, [current_prices, income]) == current_prices.values
    assert reference_values([target], income.id, [growth, income]) is None  # a growth rate is not a level
    assert reference_values([parse_target("8%左右")], income.id, [gdp]) is None


@dataclass
class N:
    kind: str
    number: str
    title: str


def test_location_label():
    path = [N("chapter", "第三章", "建设医药健康产业高地"), N("section", "", "第二节 集聚创新资源"),
            N("heading", "（一）", "（一）打造中国医药城升级版，建设国家级生物医药产业集群")]
    assert location_label(path) == "第三章 › 第二节 集聚创新资源 › （一）打造中国医药城升级版，建设国家级生"
    assert location_label([N("front", "", "序言")]) == "序言"
