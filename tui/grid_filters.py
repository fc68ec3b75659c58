"""The grid's filters (tui.grid): category, status, 约束性, 牵头单位 and 「我的单位」, and what the title says
about them. The rules themselves are core.indicator_filters; this holds the current one and the keys' steps."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from core.indicator_filters import IndicatorFilter, unit_names_for
from core.progress import Status
from db import grid_views
from db.unit_views import MyUnit, UnitChoice, read_my_unit
from tui.pickers import UnitPicker

if TYPE_CHECKING:
    from tui.grid import GridScreen

MY_UNIT_SAVE_GROUP = "grid-my-unit-save"


class UnitsRead(Message):
    """For 「我的单位」 (Ctrl+U): the unit list and who the user is bound to."""

    def __init__(self, my_unit: MyUnit) -> None:
        super().__init__()
        self.my_unit = my_unit


class MyUnitRead(Message):
    def __init__(self, my_unit: MyUnit, said: str = "", *, saved: bool = False) -> None:
        super().__init__()
        self.my_unit = my_unit
        self.said = said  # what to tell the user once it is in effect
        self.saved = saved  # read back after this screen saved it (a plain read may predate the save)


class GridFilters:
    """The filter in effect on the grid `grid`, the unit list it picks from, and the 「我的单位」 saves on their
    way. Each step changes `rule` and has the screen rebuild its rows (`grid.refilter`)."""

    def __init__(self, grid: GridScreen) -> None:
        self.grid = grid
        self.rule = IndicatorFilter()
        self.bound_unit = ""  # the unit the user's account is bound to: 「我的单位」 always
        self.units: list[UnitChoice] = []
        self.my_unit_saves = 0  # 「我的单位」 saves on their way

    def loaded(self, my_unit: MyUnit) -> None:
        """The grid was read, with who the user is and the unit list."""
        self.units, self.bound_unit = my_unit.units, my_unit.bound
        self.rule = replace(self.rule, my_unit=my_unit.chosen)

    def title_parts(self) -> list[str]:
        rule = self.rule
        parts = []
        if rule.category is not None:
            parts.append(rule.category)
        if rule.status is not None:
            parts.append(rule.status.label)
        if rule.binding_only:
            parts.append("约束性")
        if rule.unit_text:
            parts.append(f"牵头单位：{rule.unit_text}")
        if rule.my_unit:
            parts.append(f"我的单位：{rule.my_unit}")
        return parts

    def next_category(self) -> None:
        options: list[str | None] = [None, *self.grid.categories]
        category = options[(options.index(self.rule.category) + 1) % len(options)]
        self.rule = replace(self.rule, category=category)
        self.grid.refilter(f"类别：{category or '全部'}")

    def next_status(self) -> None:
        present = [s for s in Status if any(a.status == s for a in self.grid.assessments.values())]
        options: list[Status | None] = [None, *present]
        current = self.rule.status if self.rule.status in options else None
        status = options[(options.index(current) + 1) % len(options)]
        self.rule = replace(self.rule, status=status)
        self.grid.refilter(f"状态：{status.label if status else '全部'}")

    def toggle_binding(self) -> None:
        self.rule = replace(self.rule, binding_only=not self.rule.binding_only)
        self.grid.refilter("只看约束性指标" if self.rule.binding_only else "约束性和预期性指标都显示")

    def pick_unit(self) -> None:
        """Pick the 牵头单位 to show from the unit list (typing 发改委 finds 区发展改革委, as everywhere)."""
        current = self.rule.unit_text

        def chosen(names: list[str] | None) -> None:
            if names is None:
                return
            self.by_unit(names[0] if names else "")

        self.grid.app.push_screen(UnitPicker(self.units, [current] if current else [], title="按牵头单位筛选",
                                             none_label="（不限牵头单位：显示全部）"), chosen)

    def by_unit(self, text: str) -> None:
        """Rows led by the unit(s) `text` names by core.units' rules, or whose 牵头单位 contains it."""
        self.rule = replace(self.rule, unit_text=text, unit_names=unit_names_for(text, self.units))
        self.grid.refilter(f"牵头单位：{text}" if text else "牵头单位：全部")

    def clear(self) -> None:
        """Every filter, 「我的单位」 included (it hid the rows as much as the others), unless the user's account is
        bound to the unit: then only that unit's rows can show, and the message says so."""
        bound = self.bound_unit
        had_my_unit = self.rule.my_unit and not bound
        self.rule = IndicatorFilter(my_unit=bound)
        if bound:
            self.grid.refilter(f"已清除筛选；你的账号绑定了“{bound}”，只显示本单位牵头或配合的指标")
        else:
            self.grid.refilter("已清除筛选")
        if had_my_unit:
            self.save_my_unit("")

    # 「我的单位」: read with the unit list, picked, saved, read back

    def ask_my_unit(self) -> None:
        """Pick 「我的单位」 (or none); the grid then shows only that unit's rows (and so do the other screens)."""
        database = self.grid.database
        self.grid.fetch(lambda: read_my_unit(database, with_units=True), UnitsRead, group="grid-my-unit")

    def units_read(self, message: UnitsRead) -> None:
        bound, current = message.my_unit.bound, message.my_unit.chosen
        if bound:
            self.grid.say(f"你的账号绑定了“{bound}”，只能查看和修改本单位的条目；如需更改请联系规划办。", "error")
            return

        def chosen(names: list[str] | None) -> None:
            if names is None:
                return
            name = names[0] if names else ""
            said = f"我的单位：{name}（只显示本单位牵头或配合的条目）" if name else "已取消“我的单位”，显示全部。"
            self.save_my_unit(name, said)

        self.grid.app.push_screen(UnitPicker(message.my_unit.units, [current] if current else [],
                                             title="我的单位（只看本单位牵头或配合的）",
                                             none_label="（不限单位：显示全部）"), chosen)

    def save_my_unit(self, name: str, said: str = "") -> None:
        database = self.grid.database
        self.my_unit_saves += 1
        self.grid.fetch(lambda: grid_views.choose_my_unit(database, name), partial(MyUnitRead, said=said, saved=True),
                        group=MY_UNIT_SAVE_GROUP, exclusive=False)

    def reread_my_unit(self) -> None:
        """「我的单位」 may have been changed on another screen meanwhile (a quick read; the rows stay as they are)."""
        database = self.grid.database
        self.grid.fetch(lambda: read_my_unit(database), MyUnitRead, group="grid-my-unit")

    def my_unit_read(self, message: MyUnitRead) -> None:
        if message.saved:
            self.my_unit_saves -= 1
        elif self.my_unit_saves:
            return  # read while a save was on its way: the save's own read-back decides
        self.bound_unit = message.my_unit.bound
        if message.my_unit.chosen != self.rule.my_unit:
            self.rule = replace(self.rule, my_unit=message.my_unit.chosen)
            self.grid.rebuild()
        if message.said:
            self.grid.say(message.said, "ok")
