"""Units are one list everywhere: an indicator's 牵头单位 / 配合单位 come from the unit list (full or short name),
whether set from the CLI, a catalogue or a form; old free text is tidied to the list's names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.errors import UserInputError
from core.units import matching_units, split_units, unit_core, unit_key
from db.indicators import CatalogueEntry, history, list_indicators, load_catalogue, set_indicator_fields
from db.plan_store import find_plan

GDP = "地区生产总值"
ENERGY = "单位地区生产总值能源消耗降低"


@dataclass
class U:
    name: str
    short_name: str = ""


UNITS = [U("区发展改革委", "发改委"), U("区科技局", "科技局"), U("区统计局", "统计局"), U("区卫生健康委", "卫健委"),
         U("市生态环境局高港分局", "生态环境分局"), U("市公安局高港分局", "公安分局"), U("区工业和信息化局", "工信局"),
         U("区教育局", "教育局"), U("区教育局机关党委", "")]


def names(text: str, loose: bool = True) -> list[str]:
    return [u.name for u in matching_units(text, UNITS, loose=loose)]


def test_matching_rules():
    assert unit_core("高港区 发改委") == "发改委" and unit_core("市生态环境局高港分局") == "生态环境局"
    assert unit_key("区发展改革委") == unit_key("发改委") == unit_key("高港区发展和改革委员会") == "发改委"
    for typed in ("区发展改革委", "发改委", "区发改委", "发展改革委", "高港区发展和改革委员会"):
        assert names(typed) == ["区发展改革委"], typed
    assert names("区卫生健康委员会") == ["区卫生健康委"] and names("区工信局") == ["区工业和信息化局"]
    assert names("区生态环境局") == ["市生态环境局高港分局"] and names("生态环境分局") == ["市生态环境局高港分局"]
    assert names("区教育局") == ["区教育局"]  # the full name wins over a longer name containing it
    assert names("统计") == ["区统计局"] and names("统计", loose=False) == []  # a part: the pickers' rule only
    assert len(names("局")) > 1 and names("局", loose=False) == []  # ambiguous: nobody guesses
    assert names("区新设管委会") == [] and names("") == []


@pytest.fixture
def views(database):
    with database.session() as session:
        return {v.name: v for v in list_indicators(session, find_plan(session, None).id)}


def unit_texts(database, name):
    with database.session() as session:
        view = next(v for v in list_indicators(session, find_plan(session, None).id) if v.name == name)
        return view.lead_unit, view.partner_units


def test_set_fields_stores_the_lists_full_names(database, views):
    with database.session() as session:
        set_indicator_fields(session, views[ENERGY].id, origin="cli", lead_unit="发改委",
                             partner_units="区工信局，区生态环境局 统计局")
    assert unit_texts(database, ENERGY) == ("区发展改革委", "区工业和信息化局、市生态环境局高港分局、区统计局")
    with database.session() as session:
        logged = history(session, views[ENERGY].id)
    assert {(h.field, h.new) for h in logged} >= {("lead_unit", "区发展改革委")}


@pytest.mark.parametrize(("field", "text", "message"), [
    ("lead_unit", "区新设管委会", "牵头单位：单位列表中没有“区新设管委会”"),
    ("partner_units", "发改委、区某某局", "配合单位：单位列表中没有“区某某局”"),
    ("lead_unit", "=HYPERLINK(\"x\")", "牵头单位：单位列表中没有"),
])
def test_a_name_not_on_the_list_is_refused_naming_the_field(database, views, field, text, message):
    with database.session() as session:
        with pytest.raises(UserInputError) as caught:
            set_indicator_fields(session, views[GDP].id, origin="cli", **{field: text})
    assert message in caught.value.message and f"“{GDP}”" in caught.value.message
    assert unit_texts(database, GDP) == ("", "")


def test_an_ambiguous_name_is_refused(database, views):
    with database.session() as session:
        with pytest.raises(UserInputError, match="对应多个单位"):
            set_indicator_fields(session, views[GDP].id, origin="cli", lead_unit="局")


def test_a_user_is_bound_to_the_unit_a_short_name_means(database):
    from core.errors import NotFoundError
    from db.audit import bind_user_unit, user_unit, user_units

    with database.session() as session:
        bind_user_unit(session, "李四", "发改委")
        bind_user_unit(session, "王五", "高港区发展和改革委员会")
        assert user_unit(session, "李四") == user_unit(session, "王五") == "区发展改革委"
        with pytest.raises(UserInputError, match="“局”对应多个单位") as ambiguous:
            bind_user_unit(session, "张三", "局")
        assert "请写出单位全称" in ambiguous.value.message
        with pytest.raises(NotFoundError, match="单位列表中没有“外星办”"):
            bind_user_unit(session, "张三", "外星办")
        assert user_units(session) == {"李四": "区发展改革委", "王五": "区发展改革委"}  # the refusals bound nobody


def test_old_free_text_left_unchanged_does_not_block_other_edits(database, views):
    from sqlalchemy import text

    with database.session() as session:
        session.execute(text("UPDATE indicator SET lead_unit = '区新设管委会' WHERE id = :i"), {"i": views[GDP].id})
        session.commit()
        set_indicator_fields(session, views[GDP].id, origin="tui", lead_unit="区新设管委会", leader="王副区长")
    assert unit_texts(database, GDP) == ("区新设管委会", "")


def test_catalogue_units_are_checked_before_anything_is_written(database, views):
    def entry(name, lead, partners=None):
        view = views[name]
        return CatalogueEntry(category=view.category, name=name, unit=view.unit, target_text=view.target_text,
                              growth_text=view.growth_text, attribute=view.attribute, lead_unit=lead,
                              partner_units=partners)

    with database.session() as session:
        plan_id = find_plan(session, None).id
        with pytest.raises(UserInputError) as caught:
            load_catalogue(session, plan_id, [entry(GDP, "发改委"), entry(ENERGY, "区新设管委会")], origin="import")
        session.rollback()
    assert "指标“单位地区生产总值能源消耗降低”的牵头单位" in caught.value.message
    assert "没有导入任何内容" in caught.value.message
    assert unit_texts(database, GDP) == ("", "")
    with database.session() as session:
        load_catalogue(session, plan_id, [entry(GDP, "发改委", "统计局、科技局")], origin="import")
    assert unit_texts(database, GDP) == ("区发展改革委", "区统计局、区科技局")


# ----------------------------------------------------------------------------------------------------------
# Tidying old free text (guihua units --tidy)


def store_raw(database, name, lead, partners=""):
    """Unit text as older guihua versions stored it: typed, not checked."""
    from sqlalchemy import text

    with database.session() as session:
        session.execute(text("UPDATE indicator SET lead_unit = :l, partner_units = :p WHERE name = :n"),
                        {"l": lead, "p": partners, "n": name})
        session.commit()


def test_tidy_rewrites_sure_names_lists_the_rest_and_logs(database):
    from db.units_migration import tidy_units
    from db.indicators import list_indicators as indicators

    store_raw(database, ENERGY, "发改委", "区工信局,区生态环境局;区自然资源局")
    store_raw(database, GDP, "区发展改革委", "统计局、局")
    store_raw(database, "外贸进出口额", "区新设管委会")
    with database.session() as session:
        preview = tidy_units(session, user="规划办", apply=False)
    assert unit_texts(database, ENERGY) == ("发改委", "区工信局,区生态环境局;区自然资源局")  # a dry run writes nothing
    with database.session() as session:
        result = tidy_units(session, user="规划办")
    assert [(f.item, f.field) for f in result.fixed] == [(f.item, f.field) for f in preview.fixed]
    assert unit_texts(database, ENERGY) == ("区发展改革委", "区工业和信息化局、市生态环境局高港分局、区自然资源局")
    assert unit_texts(database, GDP) == ("区发展改革委", "区统计局、局")
    assert unit_texts(database, "外贸进出口额") == ("区新设管委会", "")
    doubts = {(d.item, d.name): d for d in result.unsure}
    assert set(doubts) == {(ENERGY, "区自然资源局"), (GDP, "局"), ("外贸进出口额", "区新设管委会")}
    assert doubts[(ENERGY, "区自然资源局")].candidates == ("市自然资源和规划局高港分局",)
    assert len(doubts[(GDP, "局")].candidates) > 1 and "请选定一个" in doubts[(GDP, "局")].reason
    assert doubts[("外贸进出口额", "区新设管委会")].candidates == ()
    with database.session() as session:
        energy = next(v for v in indicators(session, find_plan(session, None).id) if v.name == ENERGY)
        logged = {(h.field, h.old, h.new, h.user) for h in history(session, energy.id)}
    assert ("lead_unit", "发改委", "区发展改革委", "规划办") in logged
    with database.session() as session:  # run again: nothing more to do, the same doubts
        again = tidy_units(session, user="规划办")
    assert not again.fixed and len(again.unsure) == 3


def test_after_tidying_my_unit_finds_the_indicator(database):
    from core.units import involves
    from db.units_migration import tidy_units

    store_raw(database, ENERGY, "发改委")
    with database.session() as session:
        tidy_units(session)
    lead, partners = unit_texts(database, ENERGY)
    assert involves("区发展改革委", lead, partners)


def test_cli_units_tidy(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner
    from sqlalchemy import text

    from db.engine import open_database
    from tui import cli

    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()
    assert runner.invoke(cli.main, ["units"], catch_exceptions=False).exit_code == 0  # first run: the bundled data
    database = open_database(tmp_path / "cli.sqlite3")
    with database.session() as session:
        session.execute(text("UPDATE indicator SET lead_unit = '发改委' WHERE name = :n"), {"n": ENERGY})
        session.execute(text("UPDATE indicator SET lead_unit = '区科技局', partner_units = '某办' WHERE name = :n"),
                        {"n": GDP})
        session.commit()
    database.dispose()
    dry = runner.invoke(cli.main, ["units", "--tidy", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0 and "“发改委” 将改为 “区发展改革委”" in dry.output and "试运行" in dry.output
    result = runner.invoke(cli.main, ["units", "--tidy"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"指标“{ENERGY}”的牵头单位：“发改委” 已改为 “区发展改革委”" in result.output
    assert "拿不准" in result.output and f"指标“{GDP}”的配合单位“某办”" in result.output
    assert "已统一 1 处单位名称" in result.output
    data = json.loads(runner.invoke(cli.main, ["units", "--tidy", "--json"], catch_exceptions=False).output)
    assert data["fixed"] == [] and [d["name"] for d in data["unsure"]] == ["某办"]


def test_the_bundled_catalogue_and_unit_list_agree():
    """Whatever 牵头单位 / 配合单位 the shipped catalogue names are on the shipped unit list by full name."""
    from importers.catalogue import bundled_catalogue_entries
    from importers.plan import bundled_units

    units = [U(name, short) for name, short, _ in bundled_units()]
    full_names = {u.name for u in units}
    for entry in bundled_catalogue_entries():
        for text in (entry.lead_unit, entry.partner_units):
            for part in split_units(text):
                assert part in full_names, (entry.name, part)
    for unit in units:  # every unit is found by its own full and short name, and by nothing else's
        assert names_in(unit.name, units) == [unit.name]
        if unit.short_name:
            assert names_in(unit.short_name, units) == [unit.name]


def names_in(text, units):
    return [u.name for u in matching_units(text, units, loose=False)]


def test_the_picker_finds_a_unit_by_any_name_offices_use():
    from tui.pickers import UnitChoice, rank_units

    units = [UnitChoice("区发展改革委", "发改委"), UnitChoice("区科技局", "科技局"), UnitChoice("市生态环境局高港分局", "生态环境局")]
    assert [u.name for u in rank_units(units, "发改委")] == ["区发展改革委"]
    assert [u.name for u in rank_units(units, "区发改委")] == ["区发展改革委"]  # no name contains it
    assert [u.name for u in rank_units(units, "区生态环境局")] == ["市生态环境局高港分局"]
    assert rank_units(units, "教育局") == []
