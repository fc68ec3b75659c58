"""From the 十四五 plan to the 十五五 plan: linking indicators and carrying the old plan's final-year actuals over
as the new plan's base values (db.continuity and `guihua continue-plan`), on a real database holding the
bundled plan and a small synthetic 十五五 plan."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlmodel import select

from core.errors import UserInputError
from db.continuity import (
    LINKS_KEY,
    OFFICE,
    SAME_NAME,
    carry_base_values,
    carry_source,
    choose_links,
    link_candidates,
    normalise_name,
    previous_plan,
)
from db.indicators import find_indicator, get_indicator, history, list_indicators, record_actual
from db.models import AppState, ChangeLog, Footnote, Indicator, IndicatorYear, Plan, PlanBlock, PlanNode
from db.plan_store import find_plan, get_state
from importers.plan import import_plan_text
from tui import cli

NEW_PLAN = """某区国民经济和社会发展第十五个五年规划纲要

序言

　　“十五五”时期是某区基本实现社会主义现代化的关键五年，本纲要阐明发展目标。

第一章 发展基础

　　“十四五”以来，全区经济平稳增长，地区生产总值达到 1500 亿元。

第一节 发展成就

　　综合实力提升。地区生产总值年均增长 7%。

第二章 主要目标

　　本章导语。

第一节 经济发展

　　到2030年，地区生产总值力争达到 2000 亿元。
"""

# (name, unit) of the new plan's main indicators: three continue old ones under the same name (one written
# with full-width brackets and a unit), one only resembles an old one, one has another unit, one is new.
NEW_INDICATORS = [
    ("地区生产总值", "亿元"),
    ("地区生产总值（GDP）年均增长率", "%"),
    ("一般公共预算收入", "亿元"),
    ("常住人口城镇化率（%）", "%"),
    ("公众安全感", "分"),
    ("数字经济核心产业增加值占比", "%"),
]
OLD_NAME = "泰州医药高新区（高港区）十四五规划"


def plan_ids(database) -> tuple[int, int]:
    """(old, new): the bundled 十四五 plan and the synthetic 十五五 plan with NEW_INDICATORS (base year 2025)."""
    result = import_plan_text(database, NEW_PLAN.encode("utf-8"), source_name="十五五规划纲要.txt")
    with database.session() as session:
        old = find_plan(session, OLD_NAME)
        for ordinal, (name, unit) in enumerate(NEW_INDICATORS, start=1):
            session.add(Indicator(plan_id=result.plan_id, ordinal=ordinal, category="经济发展", name=name, unit=unit,
                                  base_year=2025, target_year=2030))
        session.commit()
        return old.id, result.plan_id


def indicator_id(database, plan_id: int, name: str) -> int:
    with database.session() as session:
        return find_indicator(session, plan_id, name).id


def record(database, plan_id: int, name: str, year: int, value: str, **fields) -> None:
    with database.session() as session:
        record_actual(session, indicator_id(database, plan_id, name), year, Decimal(value),
                      origin=fields.pop("origin", "tui"), **fields)


def year_record(database, plan_id: int, name: str, year: int):
    with database.session() as session:
        return get_indicator(session, indicator_id(database, plan_id, name)).years.get(year)


def plan_snapshot(database, plan_id: int) -> dict:
    """Everything stored for a plan: its row, text, indicators and yearly records (versions included)."""
    with database.session() as session:
        plan = session.get(Plan, plan_id)
        indicators = session.exec(select(Indicator).where(Indicator.plan_id == plan_id).order_by(Indicator.id)).all()
        ids = [i.id for i in indicators]
        years = session.exec(select(IndicatorYear).where(IndicatorYear.indicator_id.in_(ids))
                             .order_by(IndicatorYear.id)).all()
        return {
            "plan": plan.model_dump(),
            "nodes": len(session.exec(select(PlanNode.id).where(PlanNode.plan_id == plan_id)).all()),
            "blocks": len(session.exec(select(PlanBlock.id).where(PlanBlock.plan_id == plan_id)).all()),
            "footnotes": len(session.exec(select(Footnote.id).where(Footnote.plan_id == plan_id)).all()),
            "indicators": [i.model_dump() for i in indicators],
            "years": [y.model_dump() for y in years],
            "log": len(session.exec(select(ChangeLog.id).where(ChangeLog.indicator_id.in_(ids))).all()),
        }


def everything(database) -> dict:
    with database.session() as session:
        return {
            "years": [y.model_dump() for y in session.exec(select(IndicatorYear).order_by(IndicatorYear.id))],
            "log": [c.model_dump() for c in session.exec(select(ChangeLog).order_by(ChangeLog.id))],
            "state": {s.key: s.value for s in session.exec(select(AppState))},
        }


# ----------------------------------------------------------------------------------------------------------
# Names and links


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("地区生产总值（GDP）", "地区生产总值"),
        ("常住人口城镇化率（%）", "常住人口城镇化率"),
        ("地区 生产总值（亿元）", "地区生产总值"),
        ("研发经费支出占地区生产总值比重(R&D)", "研发经费支出占地区生产总值比重"),
        ("林木覆盖率★", "林木覆盖率"),
        ("地表水省考以上断面水质达到或优于Ⅲ类比例", "地表水省考以上断面水质达到或优于III类比例"),
    ],
)
def test_names_written_alike(first, second):
    assert normalise_name(first) == normalise_name(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("地区生产总值（GDP）年均增长率", "地区生产总值"),
        ("每千人口拥有执业（助理）医师数", "每千人口拥有执业医师数"),  # a Chinese qualifier is kept
        ("一般公共预算收入", "一般公共预算收入增长"),
    ],
)
def test_names_that_only_resemble_each_other_stay_apart(first, second):
    assert normalise_name(first) != normalise_name(second)


def test_link_candidates_propose_only_confident_matches(database):
    old_id, new_id = plan_ids(database)
    with database.session() as session:
        candidates = link_candidates(session, new_id, old_id)
    pairs = {(l.new.name, l.old.name, l.how) for l in candidates.links}
    assert pairs == {
        ("地区生产总值", "地区生产总值", SAME_NAME),
        ("一般公共预算收入", "一般公共预算收入", SAME_NAME),
        ("常住人口城镇化率（%）", "常住人口城镇化率", SAME_NAME),
    }
    unsure = {u.new.name: u for u in candidates.unsure}
    assert set(unsure) == {"地区生产总值（GDP）年均增长率", "公众安全感"}
    assert unsure["地区生产总值（GDP）年均增长率"].reason == "名称相近"
    assert unsure["地区生产总值（GDP）年均增长率"].candidates[0].name == "地区生产总值"
    assert unsure["公众安全感"].reason == "名称相同但单位不同"
    assert [r.name for r in candidates.unmatched_new] == ["数字经济核心产业增加值占比"]
    assert "外贸进出口额" in [r.name for r in candidates.unmatched_old]
    assert "地区生产总值" not in [r.name for r in candidates.unmatched_old]
    assert (candidates.new_plan, candidates.old_plan) == ("某区十五五规划", OLD_NAME)


def test_previous_plan_is_the_one_ending_in_the_base_year(database):
    old_id, new_id = plan_ids(database)
    with database.session() as session:
        assert previous_plan(session, new_id).id == old_id
        assert previous_plan(session, old_id) is None
        with pytest.raises(UserInputError):
            link_candidates(session, new_id, new_id)


def test_office_links_and_unlinks_are_kept_in_app_state(database):
    old_id, new_id = plan_ids(database)
    record(database, old_id, "公众安全感", 2025, "99.1")
    with database.session() as session:
        candidates = link_candidates(session, new_id, old_id)
        chosen = choose_links(session, candidates, new_id, old_id, link=[("公众安全感", "公众安全感")],
                              unlink=["一般公共预算收入"])
        assert {l.new.name: l.how for l in chosen.links} == {
            "地区生产总值": SAME_NAME, "常住人口城镇化率（%）": SAME_NAME, "公众安全感": OFFICE}
        assert [r.name for r in chosen.unlinked] == ["一般公共预算收入"]
        assert "公众安全感" not in [u.new.name for u in chosen.unsure]
        assert "一般公共预算收入" in [r.name for r in chosen.unmatched_old]
        # a dry run keeps nothing
        carry_base_values(session, new_id, old_id, chosen.links, unlinked=chosen.unlinked, dry_run=True)
        assert get_state(session, LINKS_KEY.format(new=new_id, old=old_id)) is None
        carry_base_values(session, new_id, old_id, chosen.links, unlinked=chosen.unlinked)
        stored = json.loads(get_state(session, LINKS_KEY.format(new=new_id, old=old_id)))
        safety = indicator_id(database, new_id, "公众安全感")
        assert stored["office"] == [[safety, indicator_id(database, old_id, "公众安全感")]]
        assert stored["unlinked"] == [indicator_id(database, new_id, "一般公共预算收入")]
        # the next time the office's decisions are proposed again
        again = link_candidates(session, new_id, old_id)
    assert {l.new.name: l.how for l in again.links} == {l.new.name: l.how for l in chosen.links}
    assert [r.name for r in again.unlinked] == ["一般公共预算收入"]
    assert year_record(database, new_id, "公众安全感", 2025).actual == Decimal("99.1")


# ----------------------------------------------------------------------------------------------------------
# Carrying base values


def test_base_values_are_carried_with_their_source_and_never_overwrite(database):
    old_id, new_id = plan_ids(database)
    record(database, old_id, "地区生产总值", 2025, "1503.6", stage="快报")
    record(database, old_id, "一般公共预算收入", 2025, "131.2")
    record(database, old_id, "地区生产总值", 2024, "1400")  # not the target year: never carried
    # the office already entered the new plan's base for 一般公共预算收入 itself
    record(database, new_id, "一般公共预算收入", 2025, "130.8", source="区财政局决算")
    with database.session() as session:
        candidates = link_candidates(session, new_id, old_id)
        result = carry_base_values(session, new_id, old_id, candidates.links, user="规划办")
    source = carry_source(OLD_NAME, 2025)
    assert source == "承接《泰州医药高新区（高港区）十四五规划》2025年实际值"
    assert result.year == 2025 and not result.dry_run
    assert [(c.link.new.name, c.year, c.value, c.stage, c.source) for c in result.carried] == [
        ("地区生产总值", 2025, Decimal("1503.6"), "快报", source)]
    skipped = {s.link.new.name: s.reason for s in result.skipped}
    assert set(skipped) == {"一般公共预算收入", "常住人口城镇化率（%）"}
    assert "130.8" in skipped["一般公共预算收入"] and "不覆盖" in skipped["一般公共预算收入"]
    assert "还没有2025年实际值" in skipped["常住人口城镇化率（%）"]

    gdp = year_record(database, new_id, "地区生产总值", 2025)
    assert (gdp.actual, gdp.source, gdp.stage, gdp.updated_by) == (Decimal("1503.6"), source, "快报", "规划办")
    kept = year_record(database, new_id, "一般公共预算收入", 2025)
    assert (kept.actual, kept.source) == (Decimal("130.8"), "区财政局决算")
    with database.session() as session:
        logged = history(session, indicator_id(database, new_id, "地区生产总值"))
    assert {(h.field, h.new, h.origin, h.user) for h in logged} >= {
        ("actual", "1503.6", "import", "规划办"), ("source", source, "import", "规划办")}


def test_a_carried_value_follows_the_old_figure_until_the_office_changes_it(database):
    old_id, new_id = plan_ids(database)
    record(database, old_id, "地区生产总值", 2025, "1503.6", stage="快报")

    def carry():
        with database.session() as session:
            return carry_base_values(session, new_id, old_id, link_candidates(session, new_id, old_id).links)

    carry()
    again = carry()
    assert not again.carried and [c.link.new.name for c in again.unchanged] == ["地区生产总值"]
    # the statistics bureau's annual figure replaces the flash estimate in the old plan: carried again
    record(database, old_id, "地区生产总值", 2025, "1510.2", stage="年报")
    updated = carry()
    assert [(c.value, c.replaced) for c in updated.carried] == [(Decimal("1510.2"), Decimal("1503.6"))]
    assert year_record(database, new_id, "地区生产总值", 2025).stage == "年报"
    # once the office corrects the base itself, its value stays
    record(database, new_id, "地区生产总值", 2025, "1511")
    record(database, old_id, "地区生产总值", 2025, "1512", stage="最终核实")
    last = carry()
    assert not last.carried and "1511" in last.skipped[0].reason
    assert year_record(database, new_id, "地区生产总值", 2025).actual == Decimal("1511")


def test_only_a_base_year_equal_to_the_old_target_year_is_carried(database):
    old_id, new_id = plan_ids(database)
    record(database, old_id, "地区生产总值", 2025, "1503.6")
    gdp = indicator_id(database, new_id, "地区生产总值")
    with database.session() as session:
        row = session.get(Indicator, gdp)
        row.base_year = 2024  # as if the office set another base year for it
        session.add(row)
        session.commit()
        result = carry_base_values(session, new_id, old_id, link_candidates(session, new_id, old_id).links)
    reason = next(s.reason for s in result.skipped if s.link.new.name == "地区生产总值")
    assert "2024" in reason and "2025" in reason
    with database.session() as session:
        assert get_indicator(session, gdp).years == {}


def test_dry_run_changes_nothing(database):
    old_id, new_id = plan_ids(database)
    record(database, old_id, "地区生产总值", 2025, "1503.6")
    record(database, old_id, "一般公共预算收入", 2025, "131.2")
    before = everything(database)
    with database.session() as session:
        result = carry_base_values(session, new_id, old_id, link_candidates(session, new_id, old_id).links,
                                   dry_run=True)
    assert result.dry_run and [c.link.new.name for c in result.carried] == ["地区生产总值", "一般公共预算收入"]
    assert everything(database) == before


def test_the_old_plan_is_left_as_it_was(database):
    with database.session() as session:
        old_id = find_plan(session, OLD_NAME).id
    record(database, old_id, "地区生产总值", 2025, "1503.6", stage="快报")
    record(database, old_id, "常住人口城镇化率", 2023, "81.9")
    before = plan_snapshot(database, old_id)
    _, new_id = plan_ids(database)
    assert plan_snapshot(database, old_id) == before  # importing the new plan
    with database.session() as session:
        carry_base_values(session, new_id, old_id, link_candidates(session, new_id, old_id).links)
    assert plan_snapshot(database, old_id) == before  # carrying its values
    with database.session() as session:
        old_views = {v.name: v for v in list_indicators(session, old_id)}
    assert old_views["地区生产总值"].plan_years == range(2020, 2026)
    assert old_views["地区生产总值"].values[2025] == Decimal("1503.6")


# ----------------------------------------------------------------------------------------------------------
# guihua continue-plan


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    """The CLI's own database file (GUIHUA_DB), with both plans; returns (run, database)."""
    from db.engine import open_database

    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("GUIHUA_DB", str(path))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli.main, list(args), catch_exceptions=False)

    assert run("plans").exit_code == 0  # first run: the bundled plan
    database = open_database(path)
    yield run, database
    database.dispose()


def test_continue_plan_command(cli_database):
    run, database = cli_database
    old_id, new_id = plan_ids(database)
    record(database, old_id, "地区生产总值", 2025, "1503.6", stage="快报")
    record(database, old_id, "公众安全感", 2025, "99.1")
    before = everything(database)

    dry = run("continue-plan", "--from", "十四五", "--to", "十五五", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "地区生产总值（亿元）  ←  地区生产总值（亿元）  [名称相同]" in dry.output
    assert "地区生产总值（GDP）年均增长率（%）  ？  地区生产总值（亿元）" in dry.output
    assert "地区生产总值 2025年：1503.6，快报  来源：承接《泰州医药高新区（高港区）十四五规划》2025年实际值" in dry.output
    assert "试运行" in dry.output
    assert everything(database) == before

    done = run("continue-plan", "--from", "十四五", "--to", "十五五", "--link", "公众安全感=公众安全感")
    assert done.exit_code == 0, done.output
    assert "公众安全感（分）  ←  公众安全感（%）  [规划办指定]" in done.output
    assert "已承接基数" in done.output
    assert year_record(database, new_id, "地区生产总值", 2025).actual == Decimal("1503.6")
    assert year_record(database, new_id, "公众安全感", 2025).actual == Decimal("99.1")
    # the link is remembered: the next run proposes it without --link
    assert "[规划办指定]" in run("continue-plan", "--from", "十四五", "--to", "十五五", "--dry-run").output

    bad = CliRunner().invoke(cli.main, ["continue-plan", "--from", "十四五", "--to", "十五五", "--link", "公众安全感"])
    assert bad.exit_code == 2 and "新指标=旧指标" in bad.output
    assert "Traceback" not in bad.output


TABLE_PLAN = NEW_PLAN.replace(
    "第一节 经济发展\n",
    "第一节 经济发展\n\n专栏1 “十五五”经济社会发展主要指标\n指标    属性    2030年目标\n"
    "常住人口城镇化率（%）    预期性    85\n公众安全感（%）    预期性    ＞98\n新指标甲（个）    预期性    10\n\n",
)


def test_confirming_the_plans_own_indicators_carries_the_previous_plans_final_actuals(database):
    """The office confirms the indicators read from the new plan's table; those that continue the old plan's
    start from its 2025 actual, with that as their source; a value the office typed is never overwritten."""
    from db.plan_indicators import confirm_indicators, list_indicator_proposals

    old_id = plan_ids(database)[0]
    record(database, old_id, "城镇化", 2025, "82.4", stage="年报")
    record(database, old_id, "公众安全感", 2025, "99.1")
    result = import_plan_text(database, TABLE_PLAN.encode("utf-8"), source_name="表.txt", name="带指标表的规划")
    assert result.indicator_proposals == 3
    with database.session() as session:
        assert len(list_indicator_proposals(session, result.plan_id)) == 3
        made, carried = confirm_indicators(session, result.plan_id, user="规划办", origin="cli")
    assert len(made) == 3 and carried is not None and carried.old_plan == OLD_NAME
    urban = year_record(database, result.plan_id, "城镇化", 2025)
    assert urban.actual == Decimal("82.4") and "承接" in urban.source and OLD_NAME in urban.source
    assert year_record(database, result.plan_id, "公众安全感", 2025).actual == Decimal("99.1")
    assert year_record(database, result.plan_id, "新指标甲", 2025) is None
