"""The grid's parts with state of their own, driven directly without a screen: the write queue and undo/redo
(tui.grid_saves.GridSaves) and the filter steps (tui.grid_filters.GridFilters). The Pilot tests in
test_indicator_grid.py drive the same parts through keys; these pin their rules one by one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from core.indicator_filters import IndicatorFilter
from core.progress import Status
from db.grid_views import WriteOutcome
from db.indicators import Edit
from db.unit_views import MyUnit, UnitChoice
from tui.grid_filters import GridFilters, MyUnitRead
from tui.grid_saves import GridSaves, RestoreHooks, UndoItem, Write, Written

# ----------------------------------------------------------------------------------------------------------
# GridSaves: one write at a time, in the order asked for


class Worker:
    """Stands in for the screen's fetch: holds the started writes until the test answers them."""

    def __init__(self) -> None:
        self.started: list[Write] = []

    def __call__(self, write: Write) -> None:
        self.started.append(write)

    def answer(self, saves: GridSaves, index: int = -1) -> None:
        write = self.started[index]
        saves.written(Written(write, write.run()))


def write(log: list[str], name: str, edit: Edit | None = None) -> Write:
    return Write(run=lambda: (log.append(f"run {name}"), WriteOutcome(1, None, edit=edit))[1],
                 done=lambda outcome: log.append(f"done {name}"))


def test_writes_start_one_at_a_time_in_the_order_asked():
    worker, log = Worker(), []
    saves = GridSaves(worker)
    for name in ("a", "b", "c"):
        saves.enqueue(write(log, name))
    assert len(worker.started) == 1 and saves.pending  # b and c wait for a
    worker.answer(saves)
    assert len(worker.started) == 2
    worker.answer(saves)
    worker.answer(saves)
    assert log == ["run a", "done a", "run b", "done b", "run c", "done c"]
    assert not saves.pending


def test_a_failed_write_does_not_stall_the_ones_after_it():
    worker, log = Worker(), []
    saves = GridSaves(worker)
    saves.enqueue(write(log, "a"))
    saves.enqueue(write(log, "b"))
    saves.failed()  # a's worker failed; its message was shown elsewhere
    assert len(worker.started) == 2
    worker.answer(saves)
    assert log == ["run b", "done b"] and not saves.pending


def test_a_write_whose_done_raises_still_lets_the_next_start():
    worker, log = Worker(), []
    saves = GridSaves(worker)
    saves.enqueue(Write(run=lambda: WriteOutcome(1, None), done=lambda outcome: 1 / 0))
    saves.enqueue(write(log, "b"))
    with pytest.raises(ZeroDivisionError):  # the error still reaches the screen's handler
        worker.answer(saves, 0)
    assert len(worker.started) == 2


@dataclass
class Screen:
    """What an undo needs from the screen, recorded."""

    undone: list[UndoItem] = field(default_factory=list)
    said: list[tuple[str, str]] = field(default_factory=list)
    shown: list[tuple[int, int | None]] = field(default_factory=list)
    outcome: WriteOutcome | None = None

    def hooks(self) -> RestoreHooks:
        def undo(item: UndoItem) -> WriteOutcome:
            self.undone.append(item)
            return self.outcome or WriteOutcome(item.indicator_id, None, edit=Edit((99,), "撤销"))

        return RestoreHooks(undo=undo, apply=lambda view: None,
                            show_cell=lambda indicator, year: self.shown.append((indicator, year)),
                            say=lambda text, severity: self.said.append((text, severity)))


def item(label: str = "地区生产总值 2024年实际值") -> UndoItem:
    return UndoItem(Edit((1,), "保存"), indicator_id=7, year=2024, label=label)


def test_nothing_to_undo_is_said_at_once():
    worker, screen = Worker(), Screen()
    saves = GridSaves(worker)
    saves.restore(screen.hooks(), redo=False)
    assert screen.said == [("没有可撤销的修改。", "info")] and not worker.started


def test_undo_moves_the_edit_to_redo_and_redo_moves_it_back():
    worker, screen = Worker(), Screen()
    saves = GridSaves(worker)
    saves.push_undo(item())
    saves.restore(screen.hooks(), redo=False)
    worker.answer(saves)
    assert saves.undo_stack == [] and [i.edit.change_ids for i in saves.redo_stack] == [(99,)]
    assert screen.shown == [(7, 2024)] and screen.said[-1] == ("已撤销：地区生产总值 2024年实际值", "ok")
    saves.restore(screen.hooks(), redo=True)
    worker.answer(saves)
    assert saves.redo_stack == [] and len(saves.undo_stack) == 1
    assert screen.said[-1] == ("已恢复：地区生产总值 2024年实际值", "ok")


def test_a_new_edit_drops_what_could_be_redone():
    saves = GridSaves(Worker())
    saves.redo_stack.append(item())
    saves.push_undo(item("另一个"))
    assert saves.redo_stack == [] and [i.label for i in saves.undo_stack] == ["另一个"]


def test_an_undo_typed_while_a_save_runs_undoes_that_save():
    """Ctrl+Z pressed right after Enter: the save is still on its way, so the undo waits for its turn and then
    takes the edit the save put on the stack, not an older one."""
    worker, screen = Worker(), Screen()
    saves = GridSaves(worker)
    saves.push_undo(item("旧的修改"))
    saves.enqueue(Write(run=lambda: WriteOutcome(7, None, edit=Edit((5,), "保存")),
                        done=lambda outcome: saves.push_undo(item("刚保存的"))))
    saves.restore(screen.hooks(), redo=False)
    assert len(worker.started) == 1  # the undo waits
    worker.answer(saves)
    worker.answer(saves)
    assert [i.label for i in screen.undone] == ["刚保存的"]
    assert [i.label for i in saves.undo_stack] == ["旧的修改"]


@pytest.mark.parametrize(("reason", "lasting", "kept"), [
    ("他人已修改", True, 0),  # someone changed the field since: it can never be undone, it leaves the stack
    ("数据库忙", False, 1),  # a hiccup: the same undo may work when tried again
])
def test_a_refused_undo_says_why_and_stays_only_if_it_can_work_later(reason, lasting, kept):
    worker = Worker()
    screen = Screen(outcome=WriteOutcome(7, None, refused=reason, lasting=lasting))
    saves = GridSaves(worker)
    saves.push_undo(item())
    saves.restore(screen.hooks(), redo=False)
    worker.answer(saves)
    assert len(saves.undo_stack) == kept and saves.redo_stack == []
    assert screen.said == [(f"不能撤销：{reason}", "error")]


# ----------------------------------------------------------------------------------------------------------
# GridFilters: the filter in effect and the keys' steps


class Assessed:
    def __init__(self, status: Status) -> None:
        self.status = status


@dataclass
class Grid:
    """The parts of GridScreen the filters read and call."""

    categories: list[str] = field(default_factory=lambda: ["经济发展", "创新驱动", "民生福祉"])
    assessments: dict[int, Assessed] = field(default_factory=dict)
    refiltered: list[str] = field(default_factory=list)
    rebuilt: int = 0
    said: list[tuple[str, str]] = field(default_factory=list)

    def refilter(self, message: str) -> None:
        self.refiltered.append(message)

    def rebuild(self) -> None:
        self.rebuilt += 1

    def say(self, text: str, severity: str = "info") -> None:
        self.said.append((text, severity))


UNITS = [UnitChoice("区发展改革委", "发改委"), UnitChoice("区科技局", "科技局")]


def test_category_steps_through_every_category_and_back_to_all():
    grid = Grid()
    filters = GridFilters(grid)
    seen = []
    for _ in range(4):
        filters.next_category()
        seen.append(filters.rule.category)
    assert seen == ["经济发展", "创新驱动", "民生福祉", None]
    assert grid.refiltered == ["类别：经济发展", "类别：创新驱动", "类别：民生福祉", "类别：全部"]


def test_status_steps_only_through_statuses_present():
    grid = Grid(assessments={1: Assessed(Status.BEHIND), 2: Assessed(Status.ON_TRACK), 3: Assessed(Status.BEHIND)})
    filters = GridFilters(grid)
    filters.next_status()
    filters.next_status()
    first, second = grid.refiltered
    assert {first, second} == {f"状态：{Status.BEHIND.label}", f"状态：{Status.ON_TRACK.label}"}
    filters.next_status()
    assert filters.rule.status is None and grid.refiltered[-1] == "状态：全部"


def test_the_title_names_every_filter_in_effect():
    filters = GridFilters(Grid())
    filters.loaded(MyUnit(units=UNITS, bound="", chosen="区科技局"))
    filters.next_category()
    filters.toggle_binding()
    filters.by_unit("发改委")
    assert filters.title_parts() == ["经济发展", "约束性", "牵头单位：发改委", "我的单位：区科技局"]
    assert "区发展改革委" in filters.rule.unit_names  # the short name finds the unit, as everywhere


def test_clearing_keeps_the_unit_an_account_is_bound_to():
    grid = Grid()
    filters = GridFilters(grid)
    filters.loaded(MyUnit(units=UNITS, bound="区科技局", chosen="区科技局"))
    filters.next_category()
    filters.clear()
    assert filters.rule == IndicatorFilter(my_unit="区科技局")
    assert "绑定了“区科技局”" in grid.refiltered[-1]


def test_a_read_of_my_unit_while_a_save_is_on_its_way_is_ignored():
    """「我的单位」 read back on resume may predate the save this screen just sent: the save's read-back decides."""
    grid = Grid()
    filters = GridFilters(grid)
    filters.my_unit_saves = 1
    filters.my_unit_read(MyUnitRead(MyUnit(units=UNITS, bound="", chosen="区发展改革委")))
    assert filters.rule.my_unit == "" and grid.rebuilt == 0
    filters.my_unit_read(MyUnitRead(MyUnit(units=UNITS, bound="", chosen="区科技局"), "我的单位：区科技局", saved=True))
    assert filters.rule.my_unit == "区科技局" and grid.rebuilt == 1 and filters.my_unit_saves == 0
    assert grid.said == [("我的单位：区科技局", "ok")]
