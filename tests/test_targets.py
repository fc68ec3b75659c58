"""Target cells and typed values must be read the way a plan office reads them, and never guessed."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.period import five_year_plan_period
from core.targets import Comparator, Direction, Target, TargetKind, ValueParseError, parse_target, parse_value

K, C, D = TargetKind, Comparator, Direction


def expect(kind, comparator=None, value=None, unit="", *, stretch=False, direction=None, reduction=False, relative_to=None):
    """The fields a cell should read as (everything but `text`); `value` as written, e.g. "58.8"."""
    return dict(
        kind=kind,
        comparator=comparator,
        value=value,
        unit=unit,
        stretch=stretch,
        direction=direction,
        reduction=reduction,
        relative_to=relative_to,
    )


def assert_reads(target: Target, text, fields):
    assert target.text == ("" if text is None else text.strip())
    got = {name: getattr(target, name) for name in fields}
    want = dict(fields, value=None if fields["value"] is None else Decimal(fields["value"]))
    assert got == want
    if fields["value"] is not None:  # the digits as written, not a float's rendering
        assert str(target.value) == fields["value"]


NONE = expect(K.NONE)
NONE_REDUCTION = expect(K.NONE, reduction=True)
QUALITATIVE = expect(K.QUALITATIVE)
GROWTH_OVER_20 = expect(K.GROWTH, C.GT, "20", "%", direction=D.HIGHER)

# The 28 rows of the seed plan's main indicator table, both cells, as the seed's text writes them (the PDF
# extraction left spaces in 「力争 30」 and 「4 左右」; the signs are the seed's own ≥ U+2265, ＜ U+FF1C, ﹥ U+FE65).
# (row, indicator, unit, 2025 target, expected, growth cell, expected)
SEED_ROWS = [
    (1, "地区生产总值", "亿元", "力争1500", expect(K.LEVEL, C.REACH, "1500", "亿元", stretch=True),
     "8%左右", expect(K.GROWTH, C.ABOUT, "8", "%", direction=D.HIGHER)),
    (2, "一般公共预算收入", "亿元", "力争130", expect(K.LEVEL, C.REACH, "130", "亿元", stretch=True),
     "7%左右", expect(K.GROWTH, C.ABOUT, "7", "%", direction=D.HIGHER)),
    (3, "外贸进出口额", "亿美元", "50", expect(K.LEVEL, C.REACH, "50", "亿美元"), "", NONE),
    (4, "累计实际利用外资", "亿美元", "力争 30", expect(K.CUMULATIVE, C.REACH, "30", "亿美元", stretch=True), "", NONE),
    (5, "全员劳动生产率", "万元", "58.8", expect(K.LEVEL, C.REACH, "58.8", "万元"), "", NONE),
    (6, "研发经费支出占地区生产总值比重", "%", "≥3", expect(K.THRESHOLD, C.GE, "3", "%", direction=D.HIGHER), "", NONE),
    (7, "万人发明专利拥有量", "件", "45", expect(K.LEVEL, C.REACH, "45", "件"), "", NONE),
    (8, "高新技术产业产值占规模以上工业产值比重", "%", "54", expect(K.LEVEL, C.REACH, "54", "%"), "", NONE),
    (9, "生物医药和新型医疗器械产业工业开票销售", "亿元", "", NONE, "﹥20%", GROWTH_OVER_20),
    (10, "高端装备和高技术船舶产业工业开票销售", "亿元", "", NONE, "﹥20%", GROWTH_OVER_20),
    (11, "化工及新材料产业工业开票销售", "亿元", "", NONE, "﹥20%", GROWTH_OVER_20),
    (12, "常住人口城镇化率", "%", "83", expect(K.LEVEL, C.REACH, "83", "%"), "", NONE),
    (13, "居民人均可支配收入增长", "%", "—", NONE,
     "与经济发展同步", expect(K.RELATIVE, relative_to="地区生产总值")),
    (14, "城镇调查失业率", "%", "＜4", expect(K.THRESHOLD, C.LT, "4", "%", direction=D.LOWER), "", NONE),
    (15, "每千人口拥有执业(助理)医师数", "人", "4 左右", expect(K.APPROXIMATE, C.ABOUT, "4", "人"), "", NONE),
    (16, "每千人口拥有0-3岁婴幼儿托位数", "个", "4.5", expect(K.LEVEL, C.REACH, "4.5", "个"), "", NONE),
    (17, "接受上门服务的居家老年人数占比", "%", "20", expect(K.LEVEL, C.REACH, "20", "%"), "", NONE),
    (18, "单位地区生产总值能源消耗降低", "%", "完成市下达目标", expect(K.QUALITATIVE, reduction=True),
     "", NONE_REDUCTION),
    (19, "单位地区生产总值二氧化碳排放降低", "%", "完成市下达目标", expect(K.QUALITATIVE, reduction=True),
     "", NONE_REDUCTION),
    (20, "空气质量达到优良天数比例", "%", "完成市下达目标", QUALITATIVE, "", NONE),
    (21, "地表水省考以上断面水质达到或优于III类比例", "%", "100", expect(K.LEVEL, C.REACH, "100", "%"), "", NONE),
    (22, "林木覆盖率", "%", "﹥25", expect(K.THRESHOLD, C.GT, "25", "%", direction=D.HIGHER), "", NONE),
    (23, "劳动年龄人口平均受教育年限", "年", "12", expect(K.LEVEL, C.REACH, "12", "年"), "", NONE),
    (24, "法治建设满意度", "%", "﹥90", expect(K.THRESHOLD, C.GT, "90", "%", direction=D.HIGHER), "", NONE),
    (25, "社会文明程度测评指数", "", "﹥90", expect(K.THRESHOLD, C.GT, "90", "", direction=D.HIGHER), "", NONE),
    (26, "粮食综合生产能力", "万吨", "9.2", expect(K.LEVEL, C.REACH, "9.2", "万吨"), "", NONE),
    (27, "生产安全事故起数和死亡人数下降", "%", "﹥20",
     expect(K.THRESHOLD, C.GT, "20", "%", direction=D.HIGHER, reduction=True), "", NONE_REDUCTION),
    (28, "公众安全感", "%", "﹥95", expect(K.THRESHOLD, C.GT, "95", "%", direction=D.HIGHER), "", NONE),
]


def test_the_seed_table_has_28_rows():
    assert [row[0] for row in SEED_ROWS] == list(range(1, 29))


@pytest.mark.parametrize(
    "row, name, unit, target, want_target, growth, want_growth", SEED_ROWS, ids=[f"row{r[0]}" for r in SEED_ROWS]
)
def test_seed_row(row, name, unit, target, want_target, growth, want_growth):
    assert_reads(parse_target(target, indicator_name=name, unit=unit, column="target"), target, want_target)
    assert_reads(parse_target(growth, indicator_name=name, unit=unit, column="growth"), growth, want_growth)


def test_seed_cells_as_the_reference_table_writes_them():
    """main-indicators.md writes the cells without the PDF's spaces; both spellings read the same."""
    assert_reads(
        parse_target("力争30", indicator_name="累计实际利用外资", unit="亿美元"),
        "力争30",
        expect(K.CUMULATIVE, C.REACH, "30", "亿美元", stretch=True),
    )
    assert_reads(
        parse_target("4左右", indicator_name="每千人口拥有执业(助理)医师数", unit="人"),
        "4左右",
        expect(K.APPROXIMATE, C.ABOUT, "4", "人"),
    )


# Phrasings from real plans' tables and text. (cell, column, indicator name, row unit, expected)
PHRASINGS = [
    ("95%以上", "target", "", "%", expect(K.THRESHOLD, C.GE, "95", "%", direction=D.HIGHER)),
    ("控制在4.5%以内", "target", "城镇登记失业率", "%", expect(K.THRESHOLD, C.LE, "4.5", "%", direction=D.LOWER)),
    ("不低于60%", "target", "", "%", expect(K.THRESHOLD, C.GE, "60", "%", direction=D.HIGHER)),
    ("不超过0.8", "target", "", "吨标准煤/万元", expect(K.THRESHOLD, C.LE, "0.8", "吨标准煤/万元", direction=D.LOWER)),
    ("突破500家", "target", "高新技术企业数", "家", expect(K.THRESHOLD, C.GE, "500", "家", direction=D.HIGHER)),
    ("力争突破130亿元", "target", "", "亿元", expect(K.THRESHOLD, C.GE, "130", "亿元", stretch=True, direction=D.HIGHER)),
    ("年均增长7.5%左右", "target", "", "亿元", expect(K.GROWTH, C.ABOUT, "7.5", "%", direction=D.HIGHER)),
    ("年均增长8%", "target", "", "亿元", expect(K.GROWTH, C.REACH, "8", "%", direction=D.HIGHER)),
    ("年均增速＞10%", "target", "", "亿元", expect(K.GROWTH, C.GT, "10", "%", direction=D.HIGHER)),
    ("年均下降3%", "target", "", "%", expect(K.GROWTH, C.REACH, "-3", "%", direction=D.LOWER)),
    ("年均增长控制在3%以内", "target", "能源消费总量", "万吨标准煤",
     expect(K.GROWTH, C.LE, "3", "%", direction=D.LOWER)),
    ("6.5%左右", "growth", "", "亿元", expect(K.GROWTH, C.ABOUT, "6.5", "%", direction=D.HIGHER)),
    ("8", "growth", "", "亿元", expect(K.GROWTH, C.REACH, "8", "%", direction=D.HIGHER)),
    ("增长8%以上", "growth", "", "亿元", expect(K.GROWTH, C.GE, "8", "%", direction=D.HIGHER)),
    ("＞90%", "target", "", "%", expect(K.THRESHOLD, C.GT, "90", "%", direction=D.HIGHER)),
    (">=3", "target", "", "%", expect(K.THRESHOLD, C.GE, "3", "%", direction=D.HIGHER)),
    ("> 20", "target", "", "%", expect(K.THRESHOLD, C.GT, "20", "%", direction=D.HIGHER)),
    ("≦10", "target", "", "天", expect(K.THRESHOLD, C.LE, "10", "天", direction=D.LOWER)),
    ("≤5", "target", "", "%", expect(K.THRESHOLD, C.LE, "5", "%", direction=D.LOWER)),
    ("⩾98", "target", "", "%", expect(K.THRESHOLD, C.GE, "98", "%", direction=D.HIGHER)),
    ("⩽0.5", "target", "", "‰", expect(K.THRESHOLD, C.LE, "0.5", "‰", direction=D.LOWER)),
    ("<3", "target", "", "%", expect(K.THRESHOLD, C.LT, "3", "%", direction=D.LOWER)),
    ("﹤3", "target", "", "%", expect(K.THRESHOLD, C.LT, "3", "%", direction=D.LOWER)),
    ("低于5.5%", "target", "", "%", expect(K.THRESHOLD, C.LT, "5.5", "%", direction=D.LOWER)),
    ("超过80%", "target", "", "%", expect(K.THRESHOLD, C.GT, "80", "%", direction=D.HIGHER)),
    ("高于85", "target", "", "%", expect(K.THRESHOLD, C.GT, "85", "%", direction=D.HIGHER)),
    ("达到95%以上", "target", "", "%", expect(K.THRESHOLD, C.GE, "95", "%", direction=D.HIGHER)),
    ("稳定在95%以上", "target", "公众安全感", "%", expect(K.THRESHOLD, C.GE, "95", "%", direction=D.HIGHER)),
    ("3.5％以内", "target", "", "%", expect(K.THRESHOLD, C.LE, "3.5", "%", direction=D.LOWER)),
    ("１５００", "target", "", "亿元", expect(K.LEVEL, C.REACH, "1500", "亿元")),
    ("1,500", "target", "", "亿元", expect(K.LEVEL, C.REACH, "1500", "亿元")),
    ("1，500．5", "target", "", "亿元", expect(K.LEVEL, C.REACH, "1500.5", "亿元")),
    ("力争达到2000亿元", "target", "", "亿元", expect(K.LEVEL, C.REACH, "2000", "亿元", stretch=True)),
    ("2025年达到1500亿元", "target", "", "亿元", expect(K.LEVEL, C.REACH, "1500", "亿元")),
    ("力争 1500 亿元", "target", "", "亿元", expect(K.LEVEL, C.REACH, "1500", "亿元", stretch=True)),
    ("降至30微克/立方米", "target", "PM2.5平均浓度", "微克/立方米",
     expect(K.LEVEL, C.REACH, "30", "微克/立方米", direction=D.LOWER)),
    ("提高到85%", "target", "", "%", expect(K.LEVEL, C.REACH, "85", "%", direction=D.HIGHER)),
    ("下降到0.3", "target", "", "%", expect(K.LEVEL, C.REACH, "0.3", "%", direction=D.LOWER)),
    ("15‰", "target", "", "‰", expect(K.LEVEL, C.REACH, "15", "‰")),
    ("12年", "target", "", "年", expect(K.LEVEL, C.REACH, "12", "年")),
    ("４ 左右", "target", "", "人", expect(K.APPROXIMATE, C.ABOUT, "4", "人")),
    ("约60%", "target", "", "%", expect(K.APPROXIMATE, C.ABOUT, "60", "%")),
    ("控制在3.5%左右", "target", "", "%", expect(K.APPROXIMATE, C.ABOUT, "3.5", "%", direction=D.LOWER)),
    ("累计30亿元", "target", "固定资产投资", "亿元", expect(K.CUMULATIVE, C.REACH, "30", "亿元")),
    ("累计不低于5万人", "target", "新增城镇就业", "人", expect(K.CUMULATIVE, C.GE, "5", "万人", direction=D.HIGHER)),
    ("力争 30", "target", "累计实际利用外资", "亿美元", expect(K.CUMULATIVE, C.REACH, "30", "亿美元", stretch=True)),
    ("较2020年下降18%", "target", "单位地区生产总值能源消耗", "%",
     expect(K.LEVEL, C.REACH, "18", "%", direction=D.HIGHER, reduction=True)),
    ("20%以上", "target", "单位地区生产总值能源消耗降低", "%",
     expect(K.THRESHOLD, C.GE, "20", "%", direction=D.HIGHER, reduction=True)),
    ("15", "target", "单位地区生产总值二氧化碳排放降低", "%",
     expect(K.LEVEL, C.REACH, "15", "%", direction=D.HIGHER, reduction=True)),
    ("与经济增长同步", "growth", "", "%", expect(K.RELATIVE, relative_to="地区生产总值")),
    ("同步增长", "growth", "", "%", expect(K.RELATIVE, relative_to="地区生产总值")),
    ("与经济增长基本同步", "growth", "", "%", expect(K.RELATIVE, relative_to="地区生产总值")),
    ("力争与经济发展同步", "growth", "", "%", expect(K.RELATIVE, stretch=True, relative_to="地区生产总值")),
    ("完成省下达目标", "target", "", "%", QUALITATIVE),
    ("完成上级下达目标", "target", "", "%", QUALITATIVE),
    ("完成省下达任务", "target", "", "%", QUALITATIVE),
    ("完成市下达目标", "growth", "", "%", QUALITATIVE),
    ("力争完成市下达目标", "target", "", "%", expect(K.QUALITATIVE, stretch=True)),
    ("/", "target", "", "%", NONE),
    ("／", "growth", "", "%", NONE),
    ("-", "target", "", "%", NONE),
    ("–", "target", "", "%", NONE),
    ("——", "target", "", "%", NONE),
    ("   ", "target", "", "%", NONE),
    (None, "target", "", "%", NONE),
    # A number the rules do not understand is never guessed at.
    ("较2020年翻一番", "target", "", "亿元", QUALITATIVE),
    ("前三位", "target", "", "", QUALITATIVE),
    ("进入全省前3位", "target", "", "", QUALITATIVE),
    ("提高2个百分点", "target", "", "%", QUALITATIVE),
    ("2倍", "target", "", "", QUALITATIVE),
    ("确保1400、力争1500", "target", "", "亿元", expect(K.QUALITATIVE, stretch=True)),
    ("3-5", "target", "", "%", QUALITATIVE),
    ("1 500", "target", "", "亿元", QUALITATIVE),
    ("不低于30以内", "target", "", "", QUALITATIVE),
    ("增长8%", "target", "", "亿元", QUALITATIVE),
    ("年均30", "target", "", "亿元", QUALITATIVE),
    ("年均增长50亿元", "target", "", "亿元", QUALITATIVE),
    ("累计增长20%", "growth", "", "亿元", QUALITATIVE),
    ("较2020年提高5", "target", "", "%", QUALITATIVE),
    ("公众安全感稳定在95%以上", "target", "", "%", QUALITATIVE),
]


@pytest.mark.parametrize("text, column, name, unit, want", PHRASINGS)
def test_phrasing(text, column, name, unit, want):
    assert_reads(parse_target(text, indicator_name=name, unit=unit, column=column), text, want)


def test_text_is_kept_verbatim_without_surrounding_whitespace():
    assert parse_target("  ＞ 90％\n").text == "＞ 90％"
    assert parse_target("  ＞ 90％\n").value == Decimal("90")


# ---------------------------------------------------------------------------------------------------------
# Properties

TARGET_ALPHABET = (
    "0123456789０１２３９.,，．%％‰-—–/／+ 　≥≤＞＜﹥﹤<>=≦⩾⩽~"
    "力争累计年均增长速下降低以上内下左右达到控制在至较突破不超过高于约万亿元吨人同步与经济发展完成市目标()（）"
)


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(st.text(), st.text(alphabet=TARGET_ALPHABET, max_size=16), st.none()),
    name=st.text(alphabet="累计降低下降率总值", max_size=6),
    column=st.sampled_from(["target", "growth"]),
)
def test_parse_target_never_raises_and_keeps_the_text(text, name, column):
    target = parse_target(text, indicator_name=name, unit="亿元", column=column)
    assert target.text == ("" if text is None else text.strip())
    assert target.is_numeric == (target.kind not in (K.NONE, K.QUALITATIVE, K.RELATIVE))
    assert (target.comparator is not None) == target.is_numeric
    assert target.describe()


def _full_width(text: str) -> str:
    return text.translate({ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789.,-"})


# (word, where it goes, the comparator it says); conflicting pairs are never drawn together.
BOUNDS = [
    ("", "pre", C.REACH),
    ("≥", "pre", C.GE),
    (">=", "pre", C.GE),
    ("⩾", "pre", C.GE),
    ("不低于", "pre", C.GE),
    ("突破", "pre", C.GE),
    ("＞", "pre", C.GT),
    ("﹥", "pre", C.GT),
    (">", "pre", C.GT),
    ("超过", "pre", C.GT),
    ("≤", "pre", C.LE),
    ("≦", "pre", C.LE),
    ("不超过", "pre", C.LE),
    ("＜", "pre", C.LT),
    ("<", "pre", C.LT),
    ("低于", "pre", C.LT),
    ("约", "pre", C.ABOUT),
    ("以上", "suf", C.GE),
    ("及以上", "suf", C.GE),
    ("以内", "suf", C.LE),
    ("以下", "suf", C.LE),
    ("左右", "suf", C.ABOUT),
]
LEADS = ["", "力争", "达到", "力争达到", "2025年", "2025年力争", "控制在", "降至", "提高到", "稳定在", "累计", "年均增长"]


@st.composite
def decorated_numbers(draw):
    places = draw(st.integers(0, 4))
    n = draw(st.decimals(min_value=-10**9, max_value=10**9, places=places, allow_nan=False, allow_infinity=False))
    number = format(n, draw(st.sampled_from(["f", ",f"])))
    if draw(st.booleans()):
        number = _full_width(number)
    lead = draw(st.sampled_from(LEADS))
    word, where, comparator = draw(st.sampled_from(BOUNDS))
    column = draw(st.sampled_from(["target", "growth"]))
    growth = lead == "年均增长" or (column == "growth" and lead != "累计")
    units = ["", "%", "％"] if growth else ["", "%", "％", "亿元", "万吨", "件", "微克/立方米"]
    unit = draw(st.sampled_from(units))
    gap = st.sampled_from(["", "", " ", "　"])
    parts = [lead, word if where == "pre" else "", number, unit, word if where == "suf" else ""]
    text = "".join(part + draw(gap) for part in parts if part)
    return text, column, n, comparator, "力争" in lead


@settings(max_examples=400, deadline=None)
@given(case=decorated_numbers())
def test_a_decorated_number_reads_as_the_number(case):
    text, column, n, comparator, stretch = case
    target = parse_target(text, unit="亿元", column=column)
    assert target.kind is not K.QUALITATIVE, text
    assert target.value == n
    assert target.comparator is comparator
    assert target.stretch is stretch
    assert target.text == text.strip()


@settings(max_examples=300, deadline=None)
@given(
    d=st.integers(0, 6).flatmap(
        lambda places: st.decimals(min_value=-10**12, max_value=10**12, places=places, allow_nan=False, allow_infinity=False)
    ),
    style=st.sampled_from(["f", ",f"]),
    full_width=st.booleans(),
    percent=st.sampled_from(["", "%", "％"]),
    pad=st.sampled_from(["", " ", "　", "\t"]),
)
def test_parse_value_round_trips_decimals(d, style, full_width, percent, pad):
    written = format(d, style)
    typed = _full_width(written) if full_width else written
    value = parse_value(pad + typed + percent + pad)
    assert value == d
    assert format(value, "f") == format(d, "f")  # trailing zeros as typed are kept


VALUE_ALPHABET = "0123456789０１９.,，．%％+-－— /eEnaNIfy亿x"


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet=VALUE_ALPHABET, max_size=12)))
def test_parse_value_returns_a_number_or_none_or_says_why(text):
    try:
        value = parse_value(text)
    except ValueParseError as error:
        assert error.text == text
        assert error.reason.startswith("“") and str(error) == error.reason
    else:
        assert value is None or (isinstance(value, Decimal) and value.is_finite())


# ---------------------------------------------------------------------------------------------------------
# parse_value, case by case


@pytest.mark.parametrize(
    "typed, value",
    [
        ("1234.5", "1234.5"),
        ("  58.8 ", "58.8"),
        ("1,234.5", "1234.5"),
        ("1，234.5", "1234.5"),
        ("１，２３４．５", "1234.5"),
        ("12,345,678", "12345678"),
        ("-3", "-3"),
        ("－3.5", "-3.5"),
        ("+7", "7"),
        ("8%", "8"),
        ("8.50％", "8.50"),
        ("0", "0"),
        (".5", "0.5"),
    ],
)
def test_parse_value_reads(typed, value):
    got = parse_value(typed)
    assert got == Decimal(value) and str(got) == value


@pytest.mark.parametrize("typed", ["", "   ", "—", "-", "/", "／", "－"])
def test_parse_value_blank_means_clear(typed):
    assert parse_value(typed) is None


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("12,3x", "“12,3x” 不是数字：含有无法识别的字符“x”"),
        ("1,23", "“1,23” 千分位分隔不正确"),
        ("1234,567", "“1234,567” 千分位分隔不正确"),
        ("1,234,56", "“1,234,56” 千分位分隔不正确"),
        ("1.234,5", "“1.234,5” 千分位分隔不正确"),
        ("1.2.3", "“1.2.3” 不是数字：小数点多于一个"),
        ("12亿", "“12亿” 不是数字：含有无法识别的字符“亿”，只填数字，单位不用填写"),
        ("1e5", "“1e5” 不是数字：不接受科学计数法，请写出完整的数"),
        ("1E-3", "“1E-3” 不是数字：不接受科学计数法，请写出完整的数"),
        ("NaN", "“NaN” 不是数字：请填写具体数值"),
        ("Infinity", "“Infinity” 不是数字：请填写具体数值"),
        ("-inf", "“-inf” 不是数字：请填写具体数值"),
        ("5-3", "“5-3” 不是数字：正负号只能写在最前面"),
        ("%5", "“%5” 不是数字：百分号只能写在最后"),
        ("1 234", "“1 234” 不是数字：中间有空格"),
        ("+", "“+” 不是数字：没有数字"),
        (".", "“.” 不是数字：没有数字"),
        ("约30", "“约30” 不是数字：含有无法识别的字符“约”，只填数字，单位不用填写"),
    ],
)
def test_parse_value_says_what_is_wrong(typed, reason):
    with pytest.raises(ValueParseError) as caught:
        parse_value(typed)
    assert caught.value.reason == reason
    assert caught.value.text == typed


def test_parse_value_limits_length():
    typed = "1" * 41
    with pytest.raises(ValueParseError) as caught:
        parse_value(typed)
    assert caught.value.reason == "“111111111111…” 太长：数值最多40个字符"
    assert parse_value("1" * 40) == Decimal("1" * 40)


# ---------------------------------------------------------------------------------------------------------
# describe()


@pytest.mark.parametrize(
    "text, name, unit, column, words",
    [
        ("力争1500", "地区生产总值", "亿元", "target", "2025年达到1500亿元（力争）"),
        ("58.8", "全员劳动生产率", "万元", "target", "2025年达到58.8万元"),
        ("8%左右", "地区生产总值", "亿元", "growth", "年均增长8%左右"),
        ("﹥20%", "化工及新材料产业工业开票销售", "亿元", "growth", "年均增长高于20%"),
        ("年均下降3%以上", "", "%", "target", "年均下降3%以上"),
        ("≥3", "研发经费支出占地区生产总值比重", "%", "target", "不低于3%"),
        ("＜4", "城镇调查失业率", "%", "target", "低于4%"),
        ("力争 30", "累计实际利用外资", "亿美元", "target", "累计达到30亿美元（力争）"),
        ("4 左右", "每千人口拥有执业(助理)医师数", "人", "target", "4人左右"),
        ("与经济发展同步", "居民人均可支配收入增长", "%", "growth", "与地区生产总值增长同步"),
        ("完成市下达目标", "单位地区生产总值能源消耗降低", "%", "target", "定性目标：完成市下达目标"),
        ("—", "居民人均可支配收入增长", "%", "target", "未设目标"),
        ("20%以上", "单位地区生产总值能源消耗降低", "%", "target", "较2020年下降20%以上"),
        ("﹥20", "生产安全事故起数和死亡人数下降", "%", "target", "较2020年下降超过20%"),
        ("降至30微克/立方米", "PM2.5平均浓度", "微克/立方米", "target", "2025年控制在30微克/立方米"),
    ],
)
def test_describe(text, name, unit, column, words):
    assert parse_target(text, indicator_name=name, unit=unit, column=column).describe(five_year_plan_period(14)) == words


def test_describe_names_the_plan_s_own_years():
    reduction = parse_target("20%以上", indicator_name="单位地区生产总值能源消耗降低", unit="%")
    level = parse_target("力争1500", indicator_name="地区生产总值", unit="亿元")
    assert reduction.describe(five_year_plan_period(15)) == "较2025年下降20%以上"
    assert level.describe(five_year_plan_period(15)) == "2030年达到1500亿元（力争）"
    # without a period no year is made up
    assert (reduction.describe(), level.describe()) == ("较基期下降20%以上", "目标年达到1500亿元（力争）")


def test_core_targets_uses_the_standard_library_only():
    code = (
        "import sys, core.targets; "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'textual', 'sqlalchemy', 'sqlmodel', 'openpyxl', 'db'}]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_ime_full_stop_as_decimal_point():
    # Chinese punctuation mode turns the "." key into 「。」; between digits it can only mean a decimal point.
    assert parse_value("1049。7") == Decimal("1049.7")
    assert parse_value("１０４９。７") == Decimal("1049.7")
    with pytest.raises(ValueParseError):
        parse_value("1049。")


@pytest.mark.parametrize(
    "cell, name, kind, value, reduction",
    [
        ("〔20〕", "生产安全事故：起数下降", TargetKind.LEVEL, 20, True),  # the reduction over the period
        ("〔 16 〕", "死亡人数下降", TargetKind.LEVEL, 16, True),
        ("〔30〕", "实际利用外资", TargetKind.CUMULATIVE, 30, False),  # a sum over the period
        ("[150]", "新增城镇就业", TargetKind.CUMULATIVE, 150, False),
    ],
)
def test_bracketed_figures_are_for_the_whole_period(cell, name, kind, value, reduction):
    target = parse_target(cell, indicator_name=name, unit="%")
    assert (target.kind, target.value, target.reduction) == (kind, value, reduction)
    assert target.text == cell  # kept verbatim


def test_brackets_around_words_stay_words():
    assert parse_target("〔完成省定目标〕", indicator_name="森林覆盖率").kind == TargetKind.QUALITATIVE
