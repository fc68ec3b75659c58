"""Data entry on the grid (tui.grid): keys and pasted text on the table, the cell editor's saves, pasted rows,
clearing a cell, the plausibility questions, and the edit form (e) with its save.

Every save goes through the screen's write queue (tui.grid_saves): the cell shows the typed value at once, the
cursor moves on, and the stored value (or the reason it was refused) replaces it when the save returns."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING

from textual import events
from textual.screen import ModalScreen

from core.plan_years import PasteTooLong, paste_years
from core.targets import ValueParseError, parse_value
from db import grid_views
from db.grid_views import WriteOutcome
from db.indicators import decimal_text
from tui.forms import ConfirmScreen, FormChanges, IndicatorForm
from tui.grid_saves import UndoItem, Write
from tui.grid_table import EDIT_STARTERS, EDITOR_KEYS, FINISH_KEYS

if TYPE_CHECKING:
    from tui.grid import GridScreen


class GridEntry:
    """What typing, pasting and clearing do on the grid `grid`; it keeps no state of its own beyond the screen's
    (the open editor is the screen's CellEditor, the queue and undo stack its GridSaves)."""

    def __init__(self, grid: GridScreen) -> None:
        self.grid = grid

    async def key(self, event: events.Key) -> bool:
        """A key on the grid. While editing, every key the editor understands goes to it; otherwise a digit,
        sign or point starts an edit. True when the key was used."""
        grid = self.grid
        char = event.character if event.is_printable else None
        if grid.editing is None:
            if char is not None and char in EDIT_STARTERS and grid.table.current_year() is not None:
                self.start_edit(char)
                return True
            return False
        editor = grid.editor
        if event.key in FINISH_KEYS:
            self.finish_edit(FINISH_KEYS[event.key])
        elif event.key == "escape":
            self.cancel_edit()
        elif char is not None:
            editor.type_text(char)
        else:
            bindings = EDITOR_KEYS.get(event.key, ())
            if not bindings:
                return False  # F1, F2, Ctrl+P …: the app's keys still work while editing
            await grid.app.run_action(bindings[0].action, editor)
        return True

    def paste(self, text: str) -> None:
        """Pasted text goes into the open editor, or opens one on a year cell (saved only on Enter). A row
        copied from Excel or WPS (values separated by tabs) fills the year cells from here rightwards at once."""
        line = next((ln for ln in text.splitlines() if ln.strip()), "")
        cells = [cell.strip() for cell in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        text = line.strip()
        if not text:
            return
        if len(cells) > 1:
            self.paste_row(cells)
        elif self.grid.editing is not None:
            self.grid.editor.type_text(text)
        elif self.grid.table.current_year() is not None:
            self.start_edit(text)

    def paste_row(self, cells: list[str]) -> None:
        """Spread pasted values over the year cells from the edited (or current) one rightwards, checked as a
        whole: one bad value refuses them all, naming it; values that look like typos are asked about once.
        Saved in one transaction, undone by one ctrl+z. An empty cell leaves its year as it is."""
        grid = self.grid
        indicator_id, year = grid.editing or (grid.table.current_indicator(), grid.table.current_year())
        if indicator_id is None or year is None:
            return
        view = grid.view(indicator_id)
        try:
            years = paste_years(grid.years, year, len(cells))
        except PasteTooLong as exc:
            grid.say(f"没有粘贴：粘贴了 {exc.count} 个数值，{year}年起只有 {exc.room} 个年份"
                     f"（到 {grid.years[-1]}年）。", "error")
            return
        new: dict[int, Decimal | None] = {}
        errors = []
        for y, cell in zip(years, cells):
            if not cell:
                continue
            try:
                new[y] = parse_value(cell)
            except ValueParseError as exc:
                errors.append(f"{y}年“{cell}”{exc.reason}")
        if errors:
            grid.say(f"没有粘贴（一个也没有保存）：{'；'.join(errors)}。", "error")
            return
        new = {y: v for y, v in new.items() if v != view.values.get(y)}
        if not new:
            grid.say(f"{view.name}：粘贴的数值与表中相同，没有修改。")
            return
        worries = list(view.doubts(new).values())
        worries += [f"将清除 {y}年的数值 {decimal_text(view.values[y])}" for y, v in new.items()
                    if v is None and view.values.get(y) is not None]
        if worries:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.save_row(indicator_id, new)
                else:
                    grid.say("没有粘贴，数据未变。", "info")

            grid.app.push_screen(ConfirmScreen("；\n".join(worries) + "。\n\n仍然粘贴这些数值？"), answered)
            return
        self.save_row(indicator_id, new)

    def save_row(self, indicator_id: int, values: dict[int, Decimal | None]) -> None:
        grid = self.grid
        view = grid.view(indicator_id)
        if grid.editing is not None:
            grid.close_editor()
        grid.show_values(indicator_id, values)
        years = sorted(values)
        span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        database = grid.database

        def run() -> WriteOutcome:
            versions = {y: grid.view(indicator_id).year_version(y) for y in values}
            return grid_views.save_actuals(database, indicator_id, values, expected_versions=versions)

        def done(outcome: WriteOutcome) -> None:
            grid.apply(outcome.fresh or view)
            if outcome.refused:  # ConcurrentEditError included: nothing was saved
                grid.say(f"没有粘贴：{outcome.refused}", "error")
                return
            if outcome.edit is not None and outcome.edit.changed:
                grid.saves.push_undo(UndoItem(outcome.edit, indicator_id, years[0], f"{view.name} {span}实际值（粘贴）"))
            shown = "、".join(f"{y}年 {decimal_text(v) if v is not None else '清除'}" for y, v in sorted(values.items()))
            grid.say(f"已粘贴：{view.name} {shown} · {grid.as_of}年状态：{grid.status_word(indicator_id)}"
                     "（ctrl+z 撤销整行）", "ok")

        grid.say(f"正在保存：{view.name} {span}……")
        grid.saves.enqueue(Write(run, done))

    def start_edit(self, first: str | None, cell: tuple[int, int] | None = None) -> None:
        grid = self.grid
        table = grid.table
        indicator_id, year = cell or (table.current_indicator(), table.current_year())
        if indicator_id is None or year is None:
            return
        value = grid.view(indicator_id).values.get(year)
        text = decimal_text(value) or "" if first is None else first
        grid.editor.open((indicator_id, year), table.cell_region(table.cursor_coordinate), text,
                         select=first is None)
        grid.say(f"{grid.view(indicator_id).name} {year}年：回车保存并下移，Tab 右移，Esc 放弃")

    def cancel_edit(self) -> None:
        if self.grid.editing is None:
            return
        self.grid.close_editor()
        self.grid.say("已放弃修改，数据未变。")

    def finish_edit(self, move: str) -> None:
        """Save the editor's value (after a confirmation when it clears one or looks like a typo) and move."""
        grid = self.grid
        if grid.editing is None:
            return
        indicator_id, year = grid.editing
        view = grid.view(indicator_id)
        text = grid.editor.value
        try:
            value = parse_value(text)
        except ValueParseError as exc:
            grid.say(f"没有保存：{exc.reason}。请改正后回车，Esc 放弃。", "error")
            return
        old = view.values.get(year)
        if value is None and old is not None:
            question = f"确定清除 {view.name} {year}年的数值？"
            refused = "没有清除。可继续修改，Esc 放弃。"
        else:
            reason = view.doubt(year, value) if value != old else None
            if not reason:
                self._save_and_move(indicator_id, year, value, move)
                return
            question = f"{reason}。\n\n确定保存 {decimal_text(value)}{view.unit}？"
            refused = "没有保存。可继续修改，Esc 放弃。"

        def answered(yes: bool | None) -> None:
            if yes:
                self._save_and_move(indicator_id, year, value, move)
            else:
                grid.say(refused)

        grid.app.push_screen(ConfirmScreen(question), answered)

    def _save_and_move(self, indicator_id: int, year: int, value: Decimal | None, move: str) -> None:
        """Close the editor, show the value and move on at once; the save follows in the write queue."""
        grid = self.grid
        view = grid.view(indicator_id)
        typed = grid.editor.value
        if grid.editing is not None:
            grid.close_editor()
        if value == view.values.get(year):
            grid.say(f"{view.name} {year}年：数值未变。")
        else:
            grid.show_values(indicator_id, {year: value})
            self.save_value(indicator_id, year, value, typed=typed)
        grid.table.step(move)

    def save_value(self, indicator_id: int, year: int, value: Decimal | None, *, overwrite: bool = False,
                   typed: str = "") -> None:
        """Queue the save of one figure. `typed`: the editor's text, given back to the user if it is refused."""
        grid = self.grid
        view = grid.view(indicator_id)
        database = grid.database

        def run() -> WriteOutcome:
            # The version this screen showed when the write's turn came (earlier writes applied by then): a
            # figure someone else saved since is never overwritten unasked.
            version = grid.view(indicator_id).year_version(year)
            return grid_views.save_actual(database, indicator_id, year, value, expected_version=version,
                                          overwrite=overwrite)

        def done(outcome: WriteOutcome) -> None:
            grid.apply(outcome.fresh or grid.view(indicator_id))
            if outcome.conflict:
                self._offer_overwrite(indicator_id, year, value, outcome.conflict)
                return
            if outcome.refused:
                grid.say(f"没有保存：{outcome.refused}", "error")
                self._edit_again(indicator_id, year, typed)
                return
            if outcome.edit is not None and outcome.edit.changed:
                grid.saves.push_undo(UndoItem(outcome.edit, indicator_id, year, f"{view.name} {year}年实际值"))
            if grid.editing is not None:
                return  # the user is typing the next figure: the status line is theirs
            if value is None:
                said = f"已清除：{view.name} {year}年的数值"
            else:
                said = f"已保存：{view.name} {year}年 = {decimal_text(value)}{view.unit}"
            grid.say(f"{said} · {grid.as_of}年状态：{grid.status_word(indicator_id)}", "ok")

        grid.saves.enqueue(Write(run, done))

    def _edit_again(self, indicator_id: int, year: int, typed: str) -> None:
        """A refused figure goes back into the editor on its cell, unless the user is already typing another."""
        grid = self.grid
        if not typed or grid.editing is not None or isinstance(grid.app.screen, ModalScreen):
            return
        grid.table.show_cell(indicator_id, year)
        if grid.table.current_indicator() == indicator_id and grid.table.current_year() == year:
            self.start_edit(typed)
            grid.editor.select_all()

    def _offer_overwrite(self, indicator_id: int, year: int, value: Decimal | None, conflict: str) -> None:
        """Someone else saved this figure after it was shown (their figure now shows): ask before overwriting."""
        grid = self.grid
        if grid.editing is not None:
            grid.close_editor()
        grid.say(conflict, "error")
        mine = "清除" if value is None else decimal_text(value)

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                grid.show_values(indicator_id, {year: value})
                self.save_value(indicator_id, year, value, overwrite=True)
            else:
                grid.say("已保留对方的修改（表中已显示最新数值）。", "info")

        grid.app.push_screen(ConfirmScreen(f"{conflict}\n\n用你的数值（{mine}）覆盖吗？"), answered)

    def clear_cell(self) -> None:
        grid = self.grid
        indicator_id, year = grid.table.current_indicator(), grid.table.current_year()
        if indicator_id is None or year is None:
            return
        view = grid.view(indicator_id)
        if view.values.get(year) is None:
            grid.say(f"{view.name} {year}年没有数值。")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                grid.show_values(indicator_id, {year: None})
                self.save_value(indicator_id, year, None)

        grid.app.push_screen(ConfirmScreen(f"确定清除 {view.name} {year}年的数值？"), answered)

    def open_form(self) -> None:
        """The edit form (e) for the current indicator, at the current year column (or the status year)."""
        grid = self.grid
        indicator_id = grid.table.current_indicator()
        if indicator_id is None:
            return
        view = grid.view(indicator_id)
        year = grid.table.current_year() or grid.as_of

        def save(changes: FormChanges) -> asyncio.Future[str | None]:
            return self.save_form(indicator_id, year, changes)

        grid.app.push_screen(IndicatorForm(view, year, save, judged_by_hand=indicator_id in grid.by_hand))

    def save_form(self, indicator_id: int, year: int, changes: FormChanges) -> asyncio.Future[str | None]:
        """Queue the form's save; the future gives the form None when saved, or the reason it was refused
        (the form then stays open)."""
        grid = self.grid
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        view = grid.view(indicator_id)
        database = grid.database

        def run() -> WriteOutcome:
            shown = grid.view(indicator_id)
            return grid_views.save_details(database, indicator_id, year, indicator_fields=changes.indicator,
                                           year_fields=changes.year, indicator_version=shown.version,
                                           year_version=shown.year_version(year))

        def done(outcome: WriteOutcome) -> None:
            if outcome.edit is not None and outcome.edit.changed:
                # both parts undo as one action
                grid.saves.push_undo(UndoItem(outcome.edit, indicator_id, None, f"{view.name} 的详细信息"))
            if outcome.fresh is not None and (not outcome.refused or outcome.edit is not None):
                grid.apply(outcome.fresh)
            if outcome.refused:
                answer.set_result(f"没有保存：{outcome.refused}")
                return
            grid.say("；".join(outcome.labels) if outcome.labels else "没有变化。", "ok")
            answer.set_result(None)

        grid.saves.enqueue(Write(run, done))
        return answer
