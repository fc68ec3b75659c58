"""Due dates as offices write them, overdue as a computed fact, and roll-ups, with fixed dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.schedule import (
    FINISHED_STAGE,
    MILESTONE_STATUSES,
    PROJECT_STAGES,
    MilestoneFacts,
    is_due_soon,
    is_overdue,
    parse_day,
    parse_due,
    project_overdue,
    rollup,
)
from core.targets import ValueParseError


@pytest.mark.parametrize(
    "text, last_day, canonical, precision",
    [
        ("2023-06-30", date(2023, 6, 30), "2023-06-30", "day"),
        ("2023/6/3", date(2023, 6, 3), "2023-06-03", "day"),
        ("2023年6月30日", date(2023, 6, 30), "2023-06-30", "day"),
        ("２０２３－０６－３０", date(2023, 6, 30), "2023-06-30", "day"),
        ("2024-02", date(2024, 2, 29), "2024-02", "month"),  # leap year
        ("2023年2月底", date(2023, 2, 28), "2023-02", "month"),
        ("2023Q2", date(2023, 6, 30), "2023Q2", "quarter"),
        ("2023年二季度", date(2023, 6, 30), "2023Q2", "quarter"),
        ("2023年第4季度", date(2023, 12, 31), "2023Q4", "quarter"),
        ("2023年上半年", date(2023, 6, 30), "2023H1", "half"),
        ("2023H2", date(2023, 12, 31), "2023H2", "half"),
        ("2025", date(2025, 12, 31), "2025", "year"),
        ("2025年底", date(2025, 12, 31), "2025", "year"),
    ],
)
def test_due_dates_in_every_form_offices_use(text, last_day, canonical, precision):
    due = parse_due(text)
    assert (due.last_day, due.text, due.precision) == (last_day, canonical, precision)
    assert parse_due(due.text) == due  # the canonical form reads back the same


@pytest.mark.parametrize("text", ["", "20232", "2023-13", "2023-02-30", "明年", "1890", "2023Q5"])
def test_bad_due_dates_say_why(text):
    with pytest.raises(ValueParseError) as error:
        parse_due(text)
    assert error.value.reason


def test_done_date_must_be_a_day():
    assert parse_day("2024-06-28") == date(2024, 6, 28)
    with pytest.raises(ValueParseError, match="具体日期"):
        parse_day("2024-06")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_any_day_round_trips(day):
    assert parse_due(day.isoformat()).last_day == day
    assert parse_due(f"{day.year}年{day.month}月{day.day}日").last_day == day


@given(st.text(max_size=20))
def test_parse_due_never_fails_unexpectedly(text):
    try:
        parse_due(text)
    except ValueParseError:
        pass


def test_overdue_is_computed_from_the_due_period():
    q2 = parse_due("2023Q2")
    assert not is_overdue(q2, "推进中", date(2023, 6, 30))  # the last day of the quarter is still in time
    assert is_overdue(q2, "推进中", date(2023, 7, 1))
    assert not is_overdue(q2, "已完成", date(2024, 1, 1))
    assert not is_overdue(q2, "已取消", date(2024, 1, 1))
    assert not is_overdue(None, "未开始", date(2030, 1, 1))


def test_rollup_counts_done_due_soon_and_overdue():
    today = date(2023, 7, 1)
    facts = [
        MilestoneFacts("第三章", "已完成", parse_due("2023-03")),
        MilestoneFacts("第三章", "推进中", parse_due("2023Q2")),  # overdue
        MilestoneFacts("第三章", "未开始", parse_due((today + timedelta(days=10)).isoformat())),  # due soon
        MilestoneFacts("第三章", "已取消", parse_due("2022")),
        MilestoneFacts("第五章", "未开始", None),
    ]
    result = rollup(facts, today)
    third = result["第三章"]
    assert (third.total, third.done, third.overdue, third.due_soon, third.cancelled, third.open) == (4, 1, 1, 1, 1, 2)
    assert result["第五章"].open == 1 and result["第五章"].overdue == 0


def test_a_project_without_milestones_is_overdue_once_its_planned_finish_has_passed():
    finish = parse_due("2023年下半年")
    assert not project_overdue(finish, "已开工", [], date(2023, 12, 31))
    assert project_overdue(finish, "已开工", [], date(2024, 1, 1))
    assert project_overdue(finish, "", [(None, "已取消")], date(2024, 1, 1))  # only cancelled ones: none to judge by
    assert not project_overdue(finish, FINISHED_STAGE, [], date(2024, 1, 1))  # built and in use: not late
    assert not project_overdue(None, "", [], date(2024, 1, 1))  # no planned finish, nothing to be late with
    # milestones, when there are any, decide: all on time means on time, whatever the planned finish says
    assert not project_overdue(finish, "已开工", [(parse_due("2025"), "推进中")], date(2024, 1, 1))
    assert project_overdue(None, "", [(parse_due("2023Q4"), "推进中")], date(2024, 1, 1))


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))  # the years parse_due accepts


@given(DAYS, DAYS, st.sampled_from(["", *PROJECT_STAGES]),
       st.lists(st.tuples(st.one_of(st.none(), DAYS), st.sampled_from(MILESTONE_STATUSES)), max_size=4))
def test_project_overdue_is_a_late_milestone_or_a_passed_finish_with_none(finish_day, today, stage, milestones):
    finish = parse_due(finish_day.isoformat())
    dated = [(parse_due(d.isoformat()) if d else None, status) for d, status in milestones]
    late_milestone = any(is_overdue(due, status, today) for due, status in dated)
    none_to_judge = all(status == "已取消" for _, status in dated)
    expected = late_milestone or (none_to_judge and stage != FINISHED_STAGE and finish_day < today)
    assert project_overdue(finish, stage, dated, today) == expected


@given(st.one_of(st.none(), DAYS), st.sampled_from(MILESTONE_STATUSES), DAYS)
def test_is_due_soon_is_what_the_rollup_counts_as_due_soon(day, status, today):
    due = parse_due(day.isoformat()) if day else None
    counted = rollup([MilestoneFacts("", status, due)], today)[""].due_soon == 1
    assert is_due_soon(due, status, today) == counted
    if counted:  # open, not yet late, and within 30 days
        assert status not in ("已完成", "已取消") and 0 <= (due.last_day - today).days <= 30
