"""Small modal screens of the indicator grid: a yes/no confirmation and the indicator's edit form.

Neither writes to the database itself: the form hands its changes to a `save` callback of the grid, which
writes them and reports a refusal back, so errors show where the user is looking. 牵头单位 and 配合单位 are
chosen from the unit list with the same picker as projects (tui.pickers.UnitField), never typed as free text."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Awaitable, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from core.progress import Status
from core.targets import ValueParseError, parse_value
from db.indicators import STAGES, IndicatorView, decimal_text
from tui.base import GuihuaModal
from tui.pickers import UnitField


class ConfirmScreen(GuihuaModal[bool]):
    """「确定…？」 answered with y/Enter or n/Esc."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "确定", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "取消", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static("回车 / Y 确定　　Esc / N 取消", id="confirm-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FormSelect(Select):
    """A Select whose Enter saves the form (↓ or space opens the list), so Enter saves from every field."""

    BINDINGS = [
        Binding("enter", "screen.save", "保存", show=False, id="form.save_select"),
        Binding("down,space,up", "show_overlay", "展开", show=False, id="form.open_select"),
    ]


@dataclass
class FormChanges:
    indicator: dict[str, str]  # set_indicator_fields(**indicator)
    year: dict[str, str | None]  # set_year_fields(**year)


# (field, label) of the indicator as a whole, then of one year; the unit fields are picked from the unit list
INDICATOR_INPUTS = (("lead_unit", "牵头单位"), ("partner_units", "配合单位"), ("leader", "分管领导"), ("note", "指标备注"))
UNIT_INPUTS = {"lead_unit": False, "partner_units": True}  # field: several units may be chosen
YEAR_INPUTS = (("source", "数据来源"), ("note", "年度备注"))


class IndicatorForm(GuihuaModal[bool]):
    """Edit who is responsible for an indicator and one year's target, stage, source and notes.

    Enter saves (from any field but a unit field, where Enter or typing opens the unit picker), Tab moves
    between fields, Esc cancels. `save` returns None when saved, or
    the reason in Chinese when refused (the form then stays open)."""

    DEFAULT_CSS = """
    #form-box UnitField { width: 1fr; height: 1; background: $boost; }
    #form-box UnitField:focus { background: $accent 40%; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="form.cancel"),
        Binding("ctrl+s", "save", "保存", id="form.save"),
    ]

    def __init__(
        self,
        view: IndicatorView,
        year: int,
        save: Callable[[FormChanges], str | None | Awaitable[str | None]],
        *,
        judged_by_hand: bool = False,
    ) -> None:
        super().__init__()
        self.view = view
        self.year = year
        self._save = save
        record = view.years.get(year)
        self.record = record
        # The manual status is offered for qualitative targets, and wherever one is already set.
        self.show_manual = judged_by_hand or bool(record and record.manual_status)

    def compose(self) -> ComposeResult:
        view, record = self.view, self.record
        with VerticalScroll(id="form-box") as box:
            box.border_title = f"{view.name}"
            box.border_subtitle = "回车保存 · Tab 下一项 · Esc 取消"
            yield Static("指标（各年通用）", classes="form-section")
            for name, label in INDICATOR_INPUTS:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    if name in UNIT_INPUTS:
                        yield UnitField(getattr(view, name), multiple=UNIT_INPUTS[name], title=f"选择{label}",
                                        id=f"f-{name}")
                    else:
                        yield Input(getattr(view, name), id=f"f-{name}", compact=True, select_on_focus=False)
            yield Static(f"{self.year}年", classes="form-section")
            with Horizontal(classes="form-row"):
                yield Label("年度目标", classes="form-label")
                target = record.target if record else None
                yield Input(decimal_text(target) or "", id="y-target", compact=True, select_on_focus=False,
                            placeholder=f"数值，单位{view.unit}" if view.unit else "数值")
            with Horizontal(classes="form-row"):
                yield Label("数据阶段", classes="form-label")
                stage = record.stage if record and record.stage in STAGES else Select.NULL
                yield FormSelect([(s, s) for s in STAGES], prompt="（未填）", value=stage, id="y-stage", compact=True)
            for name, label in YEAR_INPUTS:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(getattr(record, name, "") if record else "", id=f"y-{name}", compact=True,
                                select_on_focus=False)
            if self.show_manual:
                with Horizontal(classes="form-row"):
                    yield Label("人工判断", classes="form-label")
                    current = record.manual_status if record and record.manual_status else Select.NULL
                    yield FormSelect([(s.label, s.value) for s in Status], prompt="（按计算结果）", value=current,
                                     id="y-manual_status", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("判断说明", classes="form-label")
                    yield Input(record.manual_note if record else "", id="y-manual_note", compact=True,
                                select_on_focus=False)
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.guihua.CURSOR_BLINK
        self.query_one("#f-lead_unit", UnitField).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_save()

    def changes(self) -> FormChanges:
        """What differs from the stored values; raises ValueParseError for a bad 年度目标."""
        view, record = self.view, self.record
        indicator = {}
        for name, _ in INDICATOR_INPUTS:
            widget = self.query_one(f"#f-{name}", UnitField if name in UNIT_INPUTS else Input)
            value = widget.value.strip()
            if value != getattr(view, name):
                indicator[name] = value
        year: dict[str, str | None] = {}
        target = decimal_text(parse_value(self.query_one("#y-target", Input).value))
        if target != decimal_text(record.target if record else None):
            year["target"] = target
        stage = self.query_one("#y-stage", Select).value
        stage = "" if stage is Select.NULL else str(stage)
        if stage != (record.stage if record else ""):
            year["stage"] = stage
        for name, _ in YEAR_INPUTS:
            value = self.query_one(f"#y-{name}", Input).value.strip()
            if value != (getattr(record, name) if record else ""):
                year[name] = value
        if self.show_manual:
            manual = self.query_one("#y-manual_status", Select).value
            manual = None if manual is Select.NULL else str(manual)
            if manual != (record.manual_status if record else None):
                year["manual_status"] = manual
            note = self.query_one("#y-manual_note", Input).value.strip()
            if note != (record.manual_note if record else ""):
                year["manual_note"] = note
        return FormChanges(indicator, year)

    async def action_save(self) -> None:
        error = self.query_one("#form-error", Static)
        try:
            changes = self.changes()
        except ValueParseError as exc:
            error.update(f"年度目标{exc.reason}，没有保存。")
            self.query_one("#y-target", Input).focus()
            return
        if not changes.indicator and not changes.year:
            self.dismiss(False)
            return
        refused = self._save(changes)
        if inspect.isawaitable(refused):  # the grid saves in a worker: wait here, the app's keys keep working
            refused = await refused
        if refused:
            error.update(refused)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
