"""Indicators in a real SQLite file: the bundled catalogue, recording figures with their history, undo,
catalogue import/export round trips and the all-or-nothing rule for bad files."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from sqlmodel import select

from core.errors import NotFoundError, UserInputError
from db.indicators import (
    assess_all,
    find_indicator,
    get_indicator,
    history,
    list_indicators,
    record_actual,
    set_indicator_fields,
    set_year_fields,
    status_as_of,
    status_table,
    undo_edit,
)
from db.models import ChangeLog, IndicatorYear, PlanBlock
from db.plan_store import find_plan

SEED_TABLE = [
    # (类别, 指标, 单位, 2025年目标, 年均增速, 属性), read from the seed's table cells (lines 515–693)
    ("经济强", "地区生产总值", "亿元", "力争1500", "8%左右", "预期性"),
    ("经济强", "一般公共预算收入", "亿元", "力争130", "7%左右", "预期性"),
    ("经济强", "外贸进出口额", "亿美元", "50", "", "预期性"),
    ("经济强", "累计实际利用外资", "亿美元", "力争30", "", "预期性"),
    ("经济强", "全员劳动生产率", "万元", "58.8", "", "预期性"),
    ("经济强", "研发经费支出占地区生产总值比重", "%", "≥3", "", "预期性"),
    ("经济强", "万人发明专利拥有量", "件", "45", "", "预期性"),
    ("经济强", "高新技术产业产值占规模以上工业产值比重", "%", "54", "", "预期性"),
    ("经济强", "生物医药和新型医疗器械产业工业开票销售", "亿元", "", "﹥20%", "预期性"),
    ("经济强", "高端装备和高技术船舶产业工业开票销售", "亿元", "", "﹥20%", "预期性"),
    ("经济强", "化工及新材料产业工业开票销售", "亿元", "", "﹥20%", "预期性"),
    ("百姓富", "常住人口城镇化率", "%", "83", "", "预期性"),
    ("百姓富", "居民人均可支配收入增长", "%", "—", "与经济发展同步", "预期性"),
    ("百姓富", "城镇调查失业率", "%", "＜4", "", "预期性"),
    ("百姓富", "每千人口拥有执业(助理)医师数", "人", "4左右", "", "预期性"),
    ("百姓富", "每千人口拥有0-3岁婴幼儿托位数", "个", "4.5", "", "预期性"),
    ("百姓富", "接受上门服务的居家老年人数占比", "%", "20", "", "预期性"),
    ("环境美", "单位地区生产总值能源消耗降低", "%", "完成市下达目标", "", "约束性"),
    ("环境美", "单位地区生产总值二氧化碳排放降低", "%", "完成市下达目标", "", "约束性"),
    ("环境美", "空气质量达到优良天数比例", "%", "完成市下达目标", "", "约束性"),
    ("环境美", "地表水省考以上断面水质达到或优于III类比例", "%", "100", "", "约束性"),
    ("环境美", "林木覆盖率", "%", "﹥25", "", "约束性"),
    ("社会文明程度高", "劳动年龄人口平均受教育年限", "年", "12", "", "约束性"),
    ("社会文明程度高", "法治建设满意度", "%", "﹥90", "", "预期性"),
    ("社会文明程度高", "社会文明程度测评指数", "", "﹥90", "", "预期性"),
    ("安全保障", "粮食综合生产能力", "万吨", "9.2", "", "约束性"),
    ("安全保障", "生产安全事故起数和死亡人数下降", "%", "﹥20", "", "约束性"),
    ("安全保障", "公众安全感", "%", "﹥95", "", "预期性"),
]


@pytest.fixture
def plan_id(database):
    with database.session() as session:
        return find_plan(session, None).id


def views(database, plan_id):
    with database.session() as session:
        return {v.name: v for v in list_indicators(session, plan_id)}


def test_bundled_catalogue_is_the_seed_table(database, plan_id):
    with database.session() as session:
        rows = list_indicators(session, plan_id)
    got = [(v.category, v.name, v.unit, v.target_text, v.growth_text, v.attribute) for v in rows]
    assert got == SEED_TABLE
    assert sum(v.binding for v in rows) == 8


def test_bundled_catalogue_cells_occur_in_the_seed(seed_text):
    """Guard against a typo in the shipped CSV: every target cell and name appears in the seed's table."""
    table = "".join(seed_text.splitlines()[514:693]).replace(" ", "")
    for _, name, _, target, growth, attribute in SEED_TABLE:
        assert name in table, name
        for cell in (target, growth):
            if cell and cell != "完成市下达目标":
                assert cell.replace(" ", "") in table, cell
    # The merged cell reads 「完成市下」「目标」 in the extracted text: 「达」 was lost with the PDF layout.
    assert "完成市下" in table


def test_bundled_baselines_and_links(database, plan_id):
    v = views(database, plan_id)
    assert v["地区生产总值"].values == {2020: Decimal("971.9")}
    assert v["一般公共预算收入"].values == {2020: Decimal("89.9")}
    assert v["外贸进出口额"].values == {2020: Decimal("31.5")}
    assert v["常住人口城镇化率"].values == {2020: Decimal("80.6")}
    assert v["公众安全感"].values == {2020: Decimal("99")}
    assert v["累计实际利用外资"].values == {}  # cumulative: the plan years are summed, not the base
    assert v["地区生产总值"].years[2020].source.startswith("规划文本")
    with database.session() as session:
        gdp_paragraph = session.get(PlanBlock, v["地区生产总值"].text_block_id)
        gdp_cell = session.get(PlanBlock, v["地区生产总值"].table_block_id)
    assert "8%" in gdp_paragraph.text.replace(" ", "") and gdp_paragraph.kind == "paragraph"
    assert "地区生产总值" in gdp_cell.text and gdp_cell.kind == "table_cell"
    linked = [name for name, view in v.items() if view.text_block_id]
    assert len(linked) == 9
    assert all(view.table_block_id for view in v.values())


def test_record_actual_commits_and_keeps_history(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        first = record_actual(session, gdp.id, 2021, Decimal("1049.7"), stage="快报", origin="cli", user="张三")
    assert first.changed and len(first.change_ids) == 2  # value and stage
    with database.session() as session:
        record_actual(session, gdp.id, 2021, Decimal("1050.2"), stage="年报", note="统计局年报", origin="tui", user="李四")
    # A fresh session (another process would see the same): the value is on disk.
    again = views(database, plan_id)["地区生产总值"]
    assert again.values[2021] == Decimal("1050.2")
    assert again.years[2021].stage == "年报" and again.years[2021].updated_by == "李四"
    with database.session() as session:
        entries = history(session, gdp.id)
    values = [(e.user, e.origin, e.old, e.new) for e in entries if e.field == "actual" and e.year == 2021]
    assert values == [("李四", "tui", "1049.7", "1050.2"), ("张三", "cli", None, "1049.7")]


def test_same_value_is_not_a_change(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        record_actual(session, gdp.id, 2021, Decimal("1049.70"), origin="cli")
        edit = record_actual(session, gdp.id, 2021, Decimal("1049.7"), origin="cli")
        count = len(session.exec(select(ChangeLog).where(ChangeLog.field == "actual", ChangeLog.year == 2021)).all())
    assert not edit.changed and count == 1


def test_clearing_and_years_outside_the_plan(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        record_actual(session, gdp.id, 2022, Decimal("1100"), origin="cli")
        record_actual(session, gdp.id, 2022, None, origin="cli")
        with pytest.raises(UserInputError, match="不在规划期"):
            record_actual(session, gdp.id, 2026, Decimal("1"), origin="cli")
    assert 2022 not in views(database, plan_id)["地区生产总值"].values


def test_undo_and_redo_are_persisted(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        record_actual(session, gdp.id, 2021, Decimal("1000"), origin="tui")
        edit = record_actual(session, gdp.id, 2021, Decimal("1049.7"), origin="tui")
        undone = undo_edit(session, edit, origin="tui")
    assert views(database, plan_id)["地区生产总值"].values[2021] == Decimal("1000")
    with database.session() as session:
        undo_edit(session, undone, origin="tui")  # redo
    assert views(database, plan_id)["地区生产总值"].values[2021] == Decimal("1049.7")
    with database.session() as session:
        entries = history(session, gdp.id)
    assert [e.undo_of is not None for e in entries[:2]] == [True, True]


def test_undo_refuses_to_discard_a_later_edit(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        edit = record_actual(session, gdp.id, 2021, Decimal("1000"), origin="tui")
        record_actual(session, gdp.id, 2021, Decimal("1001"), origin="cli")
        with pytest.raises(UserInputError, match="已被再次修改"):
            undo_edit(session, edit, origin="tui")
    assert views(database, plan_id)["地区生产总值"].values[2021] == Decimal("1001")


def test_units_leaders_yearly_targets_and_manual_status(database, plan_id):
    energy = views(database, plan_id)["单位地区生产总值能源消耗降低"]
    with database.session() as session:
        set_indicator_fields(session, energy.id, origin="tui", lead_unit="区发改委", partner_units="区工信局、区生态环境局", leader="王副区长")
        set_year_fields(session, energy.id, 2021, origin="tui", target="3.2", manual_status="on_track", manual_note="市考核通过")
        with pytest.raises(UserInputError, match="数据阶段"):
            set_year_fields(session, energy.id, 2021, origin="tui", stage="估计")
        with pytest.raises(UserInputError, match="人工判断状态"):
            set_year_fields(session, energy.id, 2021, origin="tui", manual_status="great")
    v = views(database, plan_id)["单位地区生产总值能源消耗降低"]
    # stored by the unit list's full names (db.indicators.canonical_units)
    assert (v.lead_unit, v.partner_units, v.leader) == ("区发展改革委", "区工业和信息化局、市生态环境局高港分局", "王副区长")
    assert v.yearly_targets == {2021: Decimal("3.2")}
    assert v.manual(2021).status.value == "on_track"


def test_find_indicator_by_id_exact_substring_and_ambiguity(database, plan_id):
    with database.session() as session:
        gdp = find_indicator(session, plan_id, "地区生产总值")  # exact, although other names contain it
        assert gdp.name == "地区生产总值"
        assert find_indicator(session, plan_id, str(gdp.id)).id == gdp.id
        assert find_indicator(session, plan_id, "城镇化").name == "常住人口城镇化率"
        with pytest.raises(UserInputError) as ambiguous:
            find_indicator(session, plan_id, "开票销售")
        assert "生物医药" in ambiguous.value.message and "化工" in ambiguous.value.message
        with pytest.raises(NotFoundError):
            find_indicator(session, plan_id, "不存在的指标")


def test_progress_for_the_seed_gdp(database, plan_id):
    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        record_actual(session, gdp.id, 2021, Decimal("1049.7"), origin="cli")  # 971.9 × 1.08
        all_views = list_indicators(session, plan_id)
        result = assess_all(session, all_views, 2021)
    assert result[gdp.id].code == "on_track"
    assert "1500" in result[gdp.id].explanation


def test_the_status_table_is_each_year_judged_alone(database, plan_id):
    """indicators --json judges all plan years and explains the status as of one year in one pass
    (status_table): each year's code and label as assess_all gives them year by year, and the as-of judgement
    exactly as assess_all(as_of=True), including a manual status in one year, the GDP reference of a 同步
    indicator and the office's 基本完成 share read from its settings."""
    from db.plan_store import set_state

    v = views(database, plan_id)
    gdp, income = v["地区生产总值"].id, v["居民人均可支配收入增长"].id
    with database.session() as session:
        for year, value in {2021: "1049.7", 2022: "1100", 2023: "1180", 2024: "1290", 2025: "1380"}.items():
            record_actual(session, gdp, year, Decimal(value), origin="cli")
        for year in (2021, 2022, 2023):
            record_actual(session, income, year, Decimal("6.5"), origin="cli")
        set_year_fields(session, income, 2023, origin="tui", manual_status="on_track", manual_note="口径调整")
        set_year_fields(session, income, 2024, origin="tui", manual_status="ahead", manual_note="另有依据")
        set_state(session, "progress.basic_completion_share", "0.95")
        session.commit()
        all_views = list_indicators(session, plan_id)
        years = range(2021, 2026)
        alone = {year: assess_all(session, all_views, year) for year in years}
        for as_of in years:
            statuses, current = status_table(session, all_views, years, as_of)
            assert current == assess_all(session, all_views, as_of, as_of=True), as_of
            assert {y: {i: (s.code, s.label) for i, s in judged.items()} for y, judged in statuses.items()} == {
                y: {i: (a.code, a.label) for i, a in judged.items()} for y, judged in alone.items()
            }, as_of
        _, as_of_2024 = status_table(session, all_views, years, 2024)
    assert statuses[2025][gdp].label == "未完成" and statuses[2023][income].code == "on_track"
    assert alone[2023][income].manual_note == "口径调整"
    assert current[gdp].label == "未完成"  # 7.3% a year is 91% of 8%: short of the office's 95%
    # income as of 2024: judged on its 2023 figure, with 2024's manual status, which 2023's own status lacks
    assert as_of_2024[income].code == "ahead" and as_of_2024[income].year == 2023
    assert statuses[2023][income].code == "on_track"


def test_the_plan_list_reads_each_yearly_field_as_one_indicator_read_does(database, plan_id):
    """list_indicators unpacks the yearly records from plain rows by position; get_indicator reads the ORM
    objects by name. Every field of every year must agree."""
    v = views(database, plan_id)
    gdp = v["地区生产总值"].id
    with database.session() as session:
        record_actual(session, gdp, 2022, Decimal("1100.5"), note="备注", stage="快报", source="统计局", origin="cli")
        set_year_fields(session, gdp, 2022, origin="tui", manual_status="ahead", manual_note="说明", target="1090")
        session.commit()
        listed = list_indicators(session, plan_id, kind=None)
        assert listed == [get_indicator(session, view.id) for view in listed]
    record = next(view for view in listed if view.id == gdp).years[2022]
    assert (record.actual, record.target, record.stage, record.source, record.note) == (
        Decimal("1100.5"), Decimal("1090"), "快报", "统计局", "备注")
    assert (record.manual_status, record.manual_note) == ("ahead", "说明") and record.updated_by
    assert record.updated_at is not None and record.version > 0


def test_statuses_as_of_a_year_are_the_full_judgements(database, plan_id):
    """The plain `guihua indicators` list judges as of a year without words (status_as_of): each indicator gets
    the code and label assess_all(as_of=True) gives it, on its latest figure up to that year, with the manual
    status of the year asked for, the GDP reference of a 同步 indicator and the target year's outcomes."""
    v = views(database, plan_id)
    gdp, income, trade = v["地区生产总值"].id, v["居民人均可支配收入增长"].id, v["外贸进出口额"].id
    with database.session() as session:
        for year, value in {2021: "1049.7", 2022: "1100", 2024: "1290"}.items():  # nothing for 2023 or 2025
            record_actual(session, gdp, year, Decimal(value), origin="cli")
        record_actual(session, income, 2021, Decimal("6.5"), origin="cli")
        record_actual(session, trade, 2025, Decimal("40"), origin="cli")
        set_year_fields(session, income, 2023, origin="tui", manual_status="ahead", manual_note="口径调整")
        session.commit()
        all_views = list_indicators(session, plan_id)
        full = {year: assess_all(session, all_views, year, as_of=True) for year in range(2021, 2026)}
        plain = {year: status_as_of(session, all_views, year) for year in range(2021, 2026)}
    assert {y: {i: (s.code, s.label) for i, s in judged.items()} for y, judged in plain.items()} == {
        y: {i: (a.code, a.label) for i, a in judged.items()} for y, judged in full.items()
    }
    assert plain[2023][income].code == "ahead" and plain[2022][income].code == "behind"
    assert plain[2025][trade].label == "未完成" and plain[2024][trade].code == "no_data"
    assert status_as_of(session, [], 2023) == {}


def test_income_growth_is_judged_against_gdp(database, plan_id):
    v = views(database, plan_id)
    with database.session() as session:
        record_actual(session, v["地区生产总值"].id, 2021, Decimal("1049.7"), origin="cli")  # +8.0%
        record_actual(session, v["居民人均可支配收入增长"].id, 2021, Decimal("6.5"), origin="cli")
        result = assess_all(session, list_indicators(session, plan_id), 2021)
    assert result[v["居民人均可支配收入增长"].id].code == "behind"


def test_reimporting_the_plan_text_keeps_indicators_and_relinks(database, plan_id, seed_text):
    from importers.plan import import_plan_text

    gdp = views(database, plan_id)["地区生产总值"]
    with database.session() as session:
        record_actual(session, gdp.id, 2021, Decimal("1049.7"), origin="cli")
    result = import_plan_text(database, seed_text.encode(), source_name="again.txt", name=find_name(database, plan_id))
    assert result.replaced and result.plan_id == plan_id
    again = views(database, plan_id)["地区生产总值"]
    assert again.values[2021] == Decimal("1049.7")
    with database.session() as session:
        assert "8%" in session.get(PlanBlock, again.text_block_id).text.replace(" ", "")


def find_name(database, plan_id):
    with database.session() as session:
        return find_plan(session, plan_id).name


# ----------------------------------------------------------------------------------------------------------
# Catalogue files


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def other_plan(database, seed_text):
    """A second plan with no indicators, to import a catalogue into."""
    from importers.plan import import_plan_text

    return import_plan_text(database, seed_text.encode(), source_name="other.txt", name="另一规划").plan_id


def test_import_xlsx_with_lenient_headers(database, other_plan, tmp_path):
    from importers.catalogue import import_catalogue_file

    rows = [
        ["附表1  主要指标"],  # a title row above the header
        ["类 别", "指标名称", "计量单位", "2020年基数", "2025年目标值", "年均增速（%）", "指标属性", "牵头单位"],
        ["经济", "地区生产总值", "亿元", 1234.5, "1800", "7%左右", "预期性", "区发改委"],
        [None, "森林覆盖率", "%", "23", "≥25", None, "约束", None],  # merged category cell, short attribute
        [None, None, None, None, None, None, None, None],
        ["民生", "城镇新增就业（万人）", None, None, "累计5", None, "预期性", None],  # unit in the name
    ]
    result = import_catalogue_file(database, other_plan, write_xlsx(tmp_path / "cat.xlsx", rows)).result
    assert (result.added, result.updated) == (3, 0)
    v = views(database, other_plan)
    assert v["地区生产总值"].values == {2020: Decimal("1234.5")} and v["地区生产总值"].lead_unit == "区发展改革委"
    assert (v["森林覆盖率"].category, v["森林覆盖率"].attribute, v["森林覆盖率"].target_text) == ("经济", "约束性", "≥25")
    assert (v["城镇新增就业"].unit, v["城镇新增就业"].category) == ("万人", "民生")


@pytest.mark.parametrize(
    "row, message",
    [
        (["经济", "", "亿元", "", "10", "", "预期性"], "第 3 行“指标”列：指标名称为空"),
        (["经济", "地区生产总值", "亿元", "12,3x", "10", "", "预期性"], "第 3 行“2020年基数”列"),
        (["经济", "乙", "亿元", "", "10", "", "指导性"], "第 3 行“属性”列"),
        (["经济", "甲", "亿元", "", "10", "", "预期性"], "第 3 行“指标”列：“甲”与第 2 行重复"),
    ],
)
def test_a_bad_row_names_row_and_column_and_changes_nothing(database, other_plan, tmp_path, row, message):
    from importers.catalogue import import_catalogue_file

    header = ["类别", "指标", "单位", "2020年基数", "2025年目标", "年均增速", "属性"]
    good = ["经济", "甲", "亿元", "1", "10", "", "预期性"]
    path = write_csv(tmp_path / "bad.csv", [header, good, row])
    with pytest.raises(UserInputError) as error:
        import_catalogue_file(database, other_plan, path)
    assert "bad.csv" in error.value.message and message in error.value.message
    assert "没有导入任何内容" in error.value.message
    assert views(database, other_plan) == {}


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "找不到表头"),
        (b"\x00\x01\x02garbage", "不是文本"),
        ("名称,数值\n甲,1\n".encode(), "找不到表头"),
    ],
)
def test_files_that_are_not_catalogues(database, other_plan, tmp_path, content, message):
    from importers.catalogue import import_catalogue_file

    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(UserInputError, match=message):
        import_catalogue_file(database, other_plan, path)


def test_broken_xlsx_and_wrong_type(database, other_plan, tmp_path):
    from importers.catalogue import import_catalogue_file

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UserInputError, match="无法作为 Excel 工作簿打开"):
        import_catalogue_file(database, other_plan, broken)
    old_excel = tmp_path / "cat.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    with pytest.raises(UserInputError, match="旧版 Excel/WPS 格式"):
        import_catalogue_file(database, other_plan, old_excel)
    with pytest.raises(UserInputError, match="不支持的文件类型"):
        import_catalogue_file(database, other_plan, tmp_path / "cat.pdf")


def test_gbk_csv_from_excel(database, other_plan, tmp_path):
    from importers.catalogue import import_catalogue_file

    header = ["类别", "指标", "单位", "2020年基数", "2025年目标", "年均增速", "属性"]
    path = write_csv(tmp_path / "gbk.csv", [header, ["经济", "财政收入", "亿元", "50", "80", "", "预期性"]], encoding="gbk")
    import_catalogue_file(database, other_plan, path)
    assert views(database, other_plan)["财政收入"].values == {2020: Decimal("50")}


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_then_import_round_trips(database, plan_id, other_plan, tmp_path, suffix):
    from exports.catalogue import export_catalogue_file
    from importers.catalogue import import_catalogue_file

    with database.session() as session:
        from db.projects import add_unit

        gdp = find_indicator(session, plan_id, "地区生产总值")
        add_unit(session, "=HYPERLINK(\"x\")")  # units come from the list: a formula-like one is on it
        set_indicator_fields(session, gdp.id, origin="cli", lead_unit="=HYPERLINK(\"x\")", leader="王副区长")
    path = tmp_path / f"catalogue.{suffix}"
    assert export_catalogue_file(database, plan_id, path) == 28
    import_catalogue_file(database, other_plan, path)
    original, copied = views(database, plan_id), views(database, other_plan)
    fields = ("category", "unit", "target_text", "growth_text", "attribute", "lead_unit", "leader")
    for name, view in original.items():
        assert [getattr(copied[name], f) for f in fields] == [getattr(view, f) for f in fields]
        assert copied[name].values.get(2020) == view.values.get(2020)
        assert copied[name].text_block_id is not None or view.text_block_id is None
    if suffix == "xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        assert sheet[0][:7] == ["类别", "指标", "单位", "2020年基数", "2025年目标", "年均增速", "属性"]
        assert sheet[1][1] == "地区生产总值" and sheet[1][3] == 971.9
        assert sheet[1][7] == '=HYPERLINK("x")'  # stored as text, not a formula

        from openpyxl import load_workbook

        assert load_workbook(path).active["H2"].data_type == "s"


def test_reimporting_a_catalogue_updates_in_place(database, plan_id, tmp_path):
    from exports.catalogue import export_catalogue_file
    from importers.catalogue import import_catalogue_file

    path = tmp_path / "c.csv"
    export_catalogue_file(database, plan_id, path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    rows[1][4] = "力争1600"
    write_csv(path, rows)
    result = import_catalogue_file(database, plan_id, path).result
    assert (result.added, result.updated, result.unchanged) == (0, 1, 27)
    with database.session() as session:
        gdp = find_indicator(session, plan_id, "地区生产总值")
        assert gdp.target_text == "力争1600"
        assert any(e.field == "target_text" and e.origin == "import" for e in history(session, gdp.id))
        assert session.exec(select(IndicatorYear)).all()  # baselines kept


def test_new_catalogue_indicators_are_logged_as_saves_and_refused_for_another_units_user(database, other_plan):
    """New indicators go in with a few flushes (issue 14: 2,000 rows took 3 s), logged as one save each would be."""
    from db.audit import UnitAccessError, bind_user_unit
    from db.indicators import CatalogueEntry, load_catalogue

    def entry(name, base=None, source="", lead=None):
        return CatalogueEntry(category="经济", name=name, unit="亿元", target_text="10", growth_text="",
                              attribute="预期性", base=base, base_source=source, lead_unit=lead)

    with database.session() as session:
        bind_user_unit(session, "李四", "区统计局")
        with pytest.raises(UnitAccessError):
            load_catalogue(session, other_plan, [entry("甲", Decimal("1.5"), lead="区发展改革委")], origin="import",
                           user="李四")
        session.rollback()
        assert list_indicators(session, other_plan) == []  # nothing of the refused file
        result = load_catalogue(session, other_plan, [entry("甲", Decimal("1.50"), "统计年鉴"), entry("乙")],
                                origin="import", user="王五")
        assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
        first = find_indicator(session, other_plan, "甲")
        assert first.values == {first.base_year: Decimal("1.5")} and first.years[first.base_year].source == "统计年鉴"
        logged = sorted((e.field, e.old, e.new, e.year, e.user) for e in history(session, first.id))
        assert logged == [("actual", None, "1.5", first.base_year, "王五"), ("name", None, "甲", None, "王五"),
                          ("source", None, "统计年鉴", first.base_year, "王五")]
        second = find_indicator(session, other_plan, "乙")
        assert second.values == {} and [e.field for e in history(session, second.id)] == ["name"]


def test_changed_fields_treats_only_blank_text_as_none():
    from types import SimpleNamespace

    from db.audit import changed_fields

    row = SimpleNamespace(note="", count=0, flag=False, value=None)
    assert changed_fields(row, {"note": None, "value": ""}) == []
    assert changed_fields(row, {"count": None, "flag": None}) == [("count", 0, None), ("flag", False, None)]
    assert changed_fields(row, {"value": 0}) == [("value", None, 0)]


def test_an_indicator_without_a_paragraph_is_shown_in_its_table_cell_with_its_name_marked(database, plan_id):
    """Where the plan states an indicator (o on the grid): its paragraph when it has one, else its cell of the
    main-indicator table, the name marked there even when the PDF wrapped it over two cells, spaces and all."""
    from db.indicators import indicator_source

    v = views(database, plan_id)
    with database.session() as session:
        marked = {name: (lambda s: s.text[s.start:s.end])(indicator_source(session, v[name].id))
                  for name in ("地区生产总值", "高新技术产业产值占规模以上工业产值比重", "地表水省考以上断面水质达到或优于III类比例")}
    assert marked["地区生产总值"] == "地区生产总值年均增速 8%左右"  # the paragraph's anchor
    assert marked["高新技术产业产值占规模以上工业产值比重"] == "高新技术产业产值占规模以上工业产值比"  # 「重」 is in the next cell
    assert marked["地表水省考以上断面水质达到或优于III类比例"] == "地表水省考以上断面水质达到或优于 III 类"


def test_the_plan_list_sees_what_the_session_has_not_flushed_yet(database, plan_id):
    """list_indicators reads plain rows through the session's connection; like the session's own queries it
    flushes pending changes first, so a caller listing after an edit in the same session sees the edit."""
    from db.models import Indicator

    v = views(database, plan_id)
    with database.session() as session:
        row = session.get(Indicator, v["地区生产总值"].id)
        row.unit = "万元"
        names = {view.name: view.unit for view in list_indicators(session, plan_id)}
        session.rollback()
    assert names["地区生产总值"] == "万元"
