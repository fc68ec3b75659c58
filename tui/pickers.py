"""Modal helpers shared by the review, projects and summary screens: a unit picker with type-ahead, a list
picker, a one-line prompt and a form built from a list of fields; plus the 「我的单位」 setting and the plan
picker (F7).

The forms do not write to the database: each hands its answer to a callback of the screen that opened it, and
that callback returns None when saved or a Chinese reason when refused (the modal then stays open, with
the reason shown where the user is looking). The pickers read what they list themselves when not given it —
the unit list, 「我的单位」, the plans — through tui.base `fetch`, so they open at once and fill when the
database answers; the queries are db.unit_views' and db.dialog_views'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.data_table import CellDoesNotExist
from textual.widgets.option_list import Option

from core.phrases import phrase_span
from core.units import split_units
from db.dialog_views import PlanChoice, database_refusal, paragraph_source
from db.dialog_views import plan_choices as read_plan_choices
from db.unit_views import MyUnit, UnitChoice, read_my_unit, save_my_unit
from db.unit_views import unit_choices as read_unit_choices
from tui.base import DataFailed, GuihuaModal
from tui.widgets import SeparatorRowsTable

__all__ = ["PlanChoice", "UnitChoice", "paragraph_source", "phrase_span"]  # kept for the screens importing them here

_SPACES = re.compile(r"\s+")

# A save callback: None when saved, otherwise the reason it was refused; or SAVING when the save runs off the
# event loop (tui.base fetch): the dialog then waits, showing so, until its opener calls `finish(reason)`.
Save = Callable[[dict[str, str]], str | None]
SAVING = "\x00saving"
SAVING_TEXT = "正在保存…"


def db_error(exc: Exception) -> str:
    """A refusal in Chinese: the store's own message, or which database error happened."""
    return database_refusal(exc)


# ----------------------------------------------------------------------------------------------------------
# Unit picker


class UnitsRead(Message):
    def __init__(self, units: list[UnitChoice]) -> None:
        super().__init__()
        self.units = units


def rank_units(units: Sequence[UnitChoice], query: str) -> list[UnitChoice]:
    """Units whose name or short name contains what was typed; exact and leading matches first."""
    wanted = _SPACES.sub("", query)
    if not wanted:
        return list(units)
    ranked = []
    for index, unit in enumerate(units):
        names = (unit.name, unit.short_name)
        if wanted in names:
            rank = 0
        elif any(n.startswith(wanted) or n.startswith("区" + wanted) for n in names if n):
            rank = 1
        elif any(wanted in n for n in names if n):
            rank = 2
        else:
            continue
        ranked.append((rank, index, unit))
    if not ranked:
        # 「区发改委」 for 「区发展改革委」: the matching rules every layer uses (core.units).
        from core.units import matching_units

        return list(matching_units(wanted, units))
    return [unit for _, _, unit in sorted(ranked, key=lambda t: t[:2])]


NO_UNIT = "\x00none"  # the option id of 「（不指定）」


class UnitPicker(GuihuaModal[list[str] | None]):
    """Pick a unit from the list by typing any part of its name or short name (never free text). Given no list
    (`units` None), the picker reads it: typing goes on meanwhile and is matched when the list arrives.

    The text box keeps focus (so a pinyin IME's window sits where the typing is); ↑ ↓ move in the list.
    One unit: Enter takes the highlighted one. Several: Enter adds or removes the highlighted one, Enter on
    an empty box (or Ctrl+S) finishes, Backspace on an empty box drops the last one chosen."""

    DEFAULT_CSS = """
    UnitPicker { align: center middle; }
    #picker-box {
        width: 64; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #picker-chosen { color: $secondary; text-style: bold; height: auto; }
    #picker-input { margin-bottom: 1; background: $boost; }
    #picker-list { height: auto; max-height: 16; border: none; }
    #picker-note { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="picker.cancel"),
        Binding("down", "move(1)", "下移", show=False, id="picker.down"),
        Binding("up", "move(-1)", "上移", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", show=False, id="picker.page_down"),
        Binding("pageup", "move(-8)", show=False, id="picker.page_up"),
        Binding("ctrl+s", "done", "完成", id="picker.done"),
    ]

    def __init__(self, units: Sequence[UnitChoice] | None, chosen: Sequence[str] = (), *, multiple: bool = False,
                 title: str = "选择单位", query: str = "", allow_none: bool = True, none_label: str = "（不指定）") -> None:
        super().__init__()
        self.loaded = units is not None
        self.units = list(units or ())
        self.chosen = list(chosen)
        self.multiple = multiple
        self.title_text = title
        self.first_query = query
        self.allow_none = allow_none and not multiple
        self.none_label = none_label
        self._moved = False  # an arrow was pressed since the last change: Enter takes the highlighted unit

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box") as box:
            box.border_title = self.title_text
            if self.multiple:
                box.border_subtitle = "回车 选中/取消 · 空白时回车 完成 · Esc 取消"
                yield Static("", id="picker-chosen")
            else:
                box.border_subtitle = "输入单位名称中的字 · ↑↓ 选择 · 回车 确定 · Esc 取消"
            yield Input(self.first_query, placeholder="输入单位名称或简称中的字，如“教育”", id="picker-input",
                        compact=True, select_on_focus=False)
            yield OptionList(id="picker-list", compact=True)
            yield Static("", id="picker-note")

    def on_mount(self) -> None:
        box = self.query_one("#picker-input", Input)
        box.cursor_blink = self.guihua.CURSOR_BLINK
        box.focus()
        box.cursor_position = len(box.value)
        self._refill()
        if not self.loaded:
            self.read()

    def read(self) -> None:
        """Ask the database for what the picker lists (a subclass may read more)."""
        database = self.database
        self.fetch(lambda: read_unit_choices(database), UnitsRead, group="unit-picker")

    def on_units_read(self, message: UnitsRead) -> None:
        self.show_units(message.units)

    def show_units(self, units: Sequence[UnitChoice]) -> None:
        self.units, self.loaded = list(units), True
        self._refill()

    def on_data_failed(self, message: DataFailed) -> None:
        self.query_one("#picker-note", Static).update(Text(message.text, style="bold red"))

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-list", OptionList)

    @property
    def query_text(self) -> str:
        return self.query_one("#picker-input", Input).value

    def _refill(self) -> None:
        query = self.query_text
        matches = rank_units(self.units, query)
        options = self.options
        options.clear_options()
        if self.allow_none and not _SPACES.sub("", query):
            options.add_option(Option(Text(self.none_label, style="dim"), id=NO_UNIT))
        for unit in matches:
            label = Text()
            label.append("✓ " if unit.name in self.chosen else "  ", style="bold green")
            label.append(unit.name)
            if unit.short_name and unit.short_name != unit.name:
                label.append(f"  {unit.short_name}", style="dim")
            options.add_option(Option(label, id=unit.name))
        self._moved = False
        # typing picks the best match at once; with nothing typed nothing is taken by accident
        options.highlighted = 0 if matches and _SPACES.sub("", query) else None
        note = self.query_one("#picker-note", Static)
        if not self.loaded:
            note.update(Text("正在读取单位列表…", style="dim"))
        elif _SPACES.sub("", query) and not matches:
            note.update(Text(f"单位列表中没有含“{query.strip()}”的单位。单位须从列表中选择；新单位请在命令行添加。",
                             style="bold red"))
        else:
            note.update(f"共 {len(matches)} 个单位" if _SPACES.sub("", query) else f"全部 {len(self.units)} 个单位")
        if self.multiple:
            chosen = "、".join(self.chosen) or "（尚未选择）"
            self.query_one("#picker-chosen", Static).update(f"已选：{chosen}")

    @on(Input.Changed, "#picker-input")
    def _typed(self, event: Input.Changed) -> None:
        self._refill()

    def action_move(self, step: int) -> None:
        options = self.options
        if not options.option_count:
            return
        current = options.highlighted
        if current is None:
            target = 0 if step > 0 else options.option_count - 1
        else:
            target = max(0, min(options.option_count - 1, current + step))
        options.highlighted = target
        self._moved = True

    def type_ahead(self, text: str) -> None:
        """Characters typed before the picker took the keys (see UnitField.on_key)."""
        boxes = self.query("#picker-input")
        if boxes:
            boxes.first(Input).insert_text_at_cursor(text)
        else:  # not composed yet: the box starts with it
            self.first_query += text

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#picker-input", Input)
        if self.multiple and event.key == "backspace" and not box.value and self.chosen and box.has_focus:
            self.chosen.pop()
            self._refill()
            event.stop()
        elif not box.has_focus and event.is_printable and event.character:
            # keys typed while the picker was opening land on the screen: keep them
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()

    @on(Input.Submitted, "#picker-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._take(self.options.highlighted, typed=bool(_SPACES.sub("", event.value)))

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._moved = True
        self._take(event.option_index, typed=True)

    def _take(self, index: int | None, *, typed: bool) -> None:
        options = self.options
        option = options.get_option_at_index(index) if index is not None and (typed or self._moved) else None
        if not self.loaded:
            return  # Enter before the list arrived: nothing to take yet (the note says it is being read)
        if not self.multiple:
            if option is None:
                if not _SPACES.sub("", self.query_text):  # otherwise the note already says nothing matched
                    self.query_one("#picker-note", Static).update(
                        Text("请输入单位名称中的字，或用 ↑↓ 选择后回车。", style="bold red"))
                return
            self.choose([] if option.id == NO_UNIT else [str(option.id)])
            return
        if option is None:
            self.action_done()
            return
        name = str(option.id)
        if name in self.chosen:
            self.chosen.remove(name)
        else:
            self.chosen.append(name)
        box = self.query_one("#picker-input", Input)
        if box.value:
            box.value = ""  # Changed refills the list
        else:
            self._refill()

    def action_done(self) -> None:
        if self.multiple:
            self.choose(list(self.chosen))
        else:
            self._take(self.options.highlighted, typed=True)

    def choose(self, names: list[str]) -> None:
        self.dismiss(names)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class MyUnitChosen:
    """What MyUnitPicker closed with: the unit stored ("" for all), or why none could be chosen."""

    name: str = ""
    refused: str = ""


class MyUnitRead(Message):
    def __init__(self, my_unit: MyUnit) -> None:
        super().__init__()
        self.my_unit = my_unit


class MyUnitSaved(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class MyUnitPicker(UnitPicker):
    """「我的单位」: reads the choice and the unit list, stores what is picked; closes with a MyUnitChosen. A user
    bound to a unit cannot choose: the picker closes saying so."""

    def __init__(self) -> None:
        super().__init__(None, title="我的单位（只看本单位牵头或配合的）", none_label="（不限单位：显示全部）")
        self.saving = False

    def read(self) -> None:
        database = self.database
        self.fetch(lambda: read_my_unit(database, with_units=True), MyUnitRead, group="my-unit")

    def on_my_unit_read(self, message: MyUnitRead) -> None:
        mine = message.my_unit
        if mine.bound:
            self.dismiss(MyUnitChosen(refused=f"你的账号绑定了“{mine.bound}”，只能查看和修改本单位的条目；如需更改请联系规划办。"))
            return
        self.chosen = [mine.chosen] if mine.chosen else []
        self.show_units(mine.units)

    def choose(self, names: list[str]) -> None:
        if self.saving:
            return
        name = names[0] if names else ""
        self.saving = True
        self.query_one("#picker-note", Static).update(SAVING_TEXT)
        database = self.database
        self.fetch(lambda: save_my_unit(database, name), MyUnitSaved, group="my-unit-save")

    def on_my_unit_saved(self, message: MyUnitSaved) -> None:
        self.dismiss(MyUnitChosen(message.name))

    def on_data_failed(self, message: DataFailed) -> None:
        self.saving = False
        super().on_data_failed(message)


def choose_my_unit(screen) -> None:
    """Pick 「我的单位」 (or none) and store it; the screen then reloads to show only that unit's items."""

    def chosen(result: MyUnitChosen | None) -> None:
        if result is None:
            return
        if result.refused:
            screen.say(result.refused, "error")
            return
        screen.load()
        name = result.name
        screen.say(f"我的单位：{name}（只显示本单位牵头或配合的条目）" if name else "已取消“我的单位”，显示全部。", "ok")

    push = getattr(screen, "push", None) or screen.app.push_screen  # review notes its own modals
    push(MyUnitPicker(), chosen)


# ----------------------------------------------------------------------------------------------------------
# List picker and one-line prompt


class ChoicePicker(GuihuaModal[str | None]):
    """Pick one of a few words (a stage, a status): ↑ ↓ and Enter, or the number in front of it."""

    DEFAULT_CSS = """
    ChoicePicker { align: center middle; }
    #choice-box {
        width: 44; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #choice-list { height: auto; border: none; }
    """

    BINDINGS = [Binding("escape", "cancel", "取消", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[str], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "↑↓ 或数字键 · 回车确定 · Esc 取消"
            options = []
            for index, choice in enumerate(self.choices, start=1):
                label = Text(f"{index}  " if index < 10 else "   ", style="dim")
                label.append(choice, style="bold" if choice == self.current else "")
                if choice == self.current:
                    label.append("  （当前）", style="dim")
                options.append(Option(label, id=str(index - 1)))
            yield OptionList(*options, id="choice-list", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#choice-list", OptionList)
        options.focus()
        options.highlighted = self.choices.index(self.current) if self.current in self.choices else 0

    def on_key(self, event: events.Key) -> None:
        # a digit moves to its choice and Enter takes it, as the hint says: a stray digit changes nothing
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.choices):
            event.stop()
            self.query_one("#choice-list", OptionList).highlighted = int(event.character) - 1

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavingDialog:
    """A dialog whose save callback may answer SAVING: it then ignores Enter until `finish` is called."""

    ERROR_SELECTOR = ""  # where a refusal is shown
    saving = False

    def finish(self, refused: str | None) -> None:
        """Close when saved; otherwise show why not (or SAVING: a save under way, finish follows)."""
        node = cast(ModalScreen, self)
        self.saving = refused == SAVING
        if refused:
            node.query_one(self.ERROR_SELECTOR, Static).update(SAVING_TEXT if self.saving else refused)
            return
        node.dismiss(True)


class PromptScreen(SavingDialog, GuihuaModal[bool]):
    """One value on one line (a due date, a done date). Enter saves through `save`, Esc cancels."""

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    #prompt-box {
        width: 64; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #prompt-question { margin-bottom: 1; }
    #prompt-input { background: $boost; }
    #prompt-error { color: $error; text-style: bold; height: auto; }
    #prompt-hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "取消", id="prompt.cancel")]
    ERROR_SELECTOR = "#prompt-error"

    def __init__(self, title: str, question: str, value: str, save: Callable[[str], str | None], *,
                 hint: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.value = value
        self._save = save
        self.hint = hint
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "回车保存 · Esc 取消"
            yield Static(self.question, id="prompt-question")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input", compact=True)
            yield Static("", id="prompt-error")
            if self.hint:
                yield Static(self.hint, id="prompt-hint")

    def on_mount(self) -> None:
        box = self.query_one("#prompt-input", Input)
        box.cursor_blink = self.guihua.CURSOR_BLINK
        box.focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.saving:
            return
        self.finish(self._save(event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(False)


# ----------------------------------------------------------------------------------------------------------
# A form from a list of fields


@dataclass
class Field:
    """One row of a form. kind: text, select (options are (label, value)), unit (one unit), units (several),
    or section (a heading; name unused)."""

    name: str
    label: str
    value: str = ""
    kind: str = "text"
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)
    placeholder: str = ""


class FormSelect(Select):
    """A Select whose Enter saves the form (↓ or space opens the list), so Enter saves from every field."""

    BINDINGS = [
        Binding("enter", "screen.save", "保存", show=False, id="fields.save_select"),
        Binding("down,space,up", "show_overlay", "展开", show=False, id="fields.open_select"),
    ]


class UnitField(Static, can_focus=True):
    """A unit chosen from the list: Enter, space or typing a character opens the picker (never free text)."""

    BINDINGS = [Binding("enter,space", "pick", "选择单位", show=False, id="fields.pick_unit")]

    def __init__(self, value: str, *, multiple: bool, title: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.value = value
        self.multiple = multiple
        self.title_text = title
        self._opening: UnitPicker | None = None
        self._show()

    def _show(self) -> None:
        if self.value:
            self.update(Text(self.value))
        else:
            self.update(Text("（未指定：回车或输入单位名称中的字选择）", style="dim"))

    def on_focus(self) -> None:
        # a pinyin IME opens its window at the terminal cursor: put it on this field
        region = self.content_region
        self.app.cursor_position = region.offset

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            if self._opening is not None:
                # an IME commits several characters at once: the rest arrive while the picker is opening
                self._opening.type_ahead(event.character)
            else:
                self.open_picker(event.character)

    def action_pick(self) -> None:
        self.open_picker("")

    def open_picker(self, query: str) -> None:
        """The picker opens at once and reads the unit list itself; characters typed meanwhile are kept."""

        def chosen(names: list[str] | None) -> None:
            self._opening = None
            if names is not None:
                self.value = "、".join(names)
                self._show()
            self.focus()

        self._opening = UnitPicker(None, split_units(self.value), multiple=self.multiple, title=self.title_text,
                                   query=query)
        self.app.push_screen(self._opening, chosen)


class FieldsForm(SavingDialog, GuihuaModal[bool]):
    """A form from `Field`s. Enter saves from any field (a unit field opens its picker instead), Tab moves,
    Ctrl+S saves, Esc cancels. `save` receives the fields whose value changed (all of them when `send_all`)."""

    DEFAULT_CSS = """
    FieldsForm { align: center middle; }
    #fields-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #fields-box .fields-section { text-style: bold; color: $secondary; margin-top: 1; }
    #fields-box .fields-row { height: 1; }
    #fields-box .fields-row:focus-within { background: $accent 25%; }
    #fields-box .fields-label { width: 14; padding-right: 1; color: $text-muted; }
    #fields-box Input, #fields-box Select, #fields-box UnitField { width: 1fr; background: $boost; }
    #fields-box UnitField:focus { background: $accent 40%; }
    #fields-note { color: $text-muted; height: auto; margin-top: 1; }
    #fields-error { color: $error; text-style: bold; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="fields.cancel"),
        Binding("ctrl+s", "save", "保存", id="fields.save"),
    ]
    ERROR_SELECTOR = "#fields-error"

    def __init__(self, title: str, fields: Sequence[Field], save: Save, *, note: str = "", send_all: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.fields = [f for f in fields]
        self._save = save
        self.note = note
        self.send_all = send_all

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="fields-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "回车保存 · Tab 下一项 · Esc 取消"
            for item in self.fields:
                if item.kind == "section":
                    yield Static(item.label, classes="fields-section")
                    continue
                with Horizontal(classes="fields-row"):
                    yield Label(item.label, classes="fields-label")
                    if item.kind == "select":
                        values = [v for _, v in item.options]
                        yield FormSelect(list(item.options), prompt="（未填）", compact=True, id=f"field-{item.name}",
                                         value=item.value if item.value in values else Select.NULL)
                    elif item.kind in ("unit", "units"):
                        yield UnitField(item.value, multiple=item.kind == "units", title=f"选择{item.label}",
                                        id=f"field-{item.name}")
                    else:
                        yield Input(item.value, placeholder=item.placeholder, compact=True, select_on_focus=False,
                                    id=f"field-{item.name}")
            if self.note:
                yield Static(self.note, id="fields-note")
            yield Static("", id="fields-error")

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.guihua.CURSOR_BLINK
        first = next((f for f in self.fields if f.kind != "section"), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def values(self) -> dict[str, str]:
        out = {}
        for item in self.fields:
            if item.kind == "section":
                continue
            widget = self.query_one(f"#field-{item.name}")
            if isinstance(widget, Select):
                value = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, UnitField):
                value = widget.value
            else:
                value = widget.value.strip()
            if self.send_all or value != (item.value or ""):
                out[item.name] = value
        return out

    def action_save(self) -> None:
        if self.saving:
            return
        changes = self.values()
        if not changes and not self.send_all:
            self.dismiss(False)
            return
        self.finish(self._save(changes))

    def action_cancel(self) -> None:
        self.dismiss(False)


# ----------------------------------------------------------------------------------------------------------
# A table of rows grouped under chapter rows, and the way to a paragraph


GROUP_PREFIX = "ch:"


class GroupedTable(SeparatorRowsTable):
    """Rows keyed by database ids, under chapter rows keyed 「ch:…」 that never hold the cursor."""

    SEPARATOR_PREFIX = GROUP_PREFIX

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, cell_padding=1, **kwargs)

    def is_group(self, row: int) -> bool:
        return self.is_separator(row)

    def current_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        value = str(key.value)
        return None if value.startswith(GROUP_PREFIX) else int(value)

    def ids(self) -> list[int]:
        """The data rows' ids, top to bottom."""
        return [int(str(row.key.value)) for row in self.ordered_rows if not str(row.key.value).startswith(GROUP_PREFIX)]

    def go_to(self, row_id: int | None) -> bool:
        if row_id is None or str(row_id) not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(str(row_id)), animate=False)
        return True


def marked(text: str, phrase: str, style: str = "bold reverse") -> Text:
    """`text` with `phrase` highlighted (where it is found)."""
    out = Text(text)
    span = phrase_span(text, phrase)
    if span is not None:
        out.stylize(style, *span)
    return out


# ----------------------------------------------------------------------------------------------------------
# The plan picker (F7 / 「切换规划」)


class PlansRead(Message):
    def __init__(self, plans: list[PlanChoice]) -> None:
        super().__init__()
        self.plans = plans


def _local_time(moment) -> str:
    from datetime import timezone

    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()
    return f"{local:%Y-%m-%d %H:%M}"


class PlanPicker(GuihuaModal[int | None]):
    """Choose the plan every screen shows: ↑ ↓ and Enter, or the number in front of it; Esc keeps the open one.
    Given no list (`plans` None), the picker reads it and fills when it arrives."""

    DEFAULT_CSS = """
    PlanPicker { align: center middle; }
    #plans-box {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #plans-list { height: auto; max-height: 24; border: none; }
    #plans-note { color: $text-muted; height: auto; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "取消", id="plans.cancel")]

    def __init__(self, plans: Sequence[PlanChoice] | None = None, current: int | None = None) -> None:
        super().__init__(id="plans-screen")
        self.loaded = plans is not None
        self.plans = list(plans or ())
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="plans-box") as box:
            box.border_title = "切换规划"
            box.border_subtitle = "↑↓ 或数字键 · 回车打开 · Esc 取消"
            yield OptionList(id="plans-list", compact=True)
            yield Static("正在读取规划列表…", id="plans-note")

    def on_mount(self) -> None:
        self.query_one("#plans-list", OptionList).focus()
        if self.loaded:
            self.show_plans(self.plans)
        else:
            database = self.database
            self.fetch(lambda: read_plan_choices(database), PlansRead, group="plan-picker")

    def on_plans_read(self, message: PlansRead) -> None:
        self.loaded = True
        self.show_plans(message.plans)

    def on_data_failed(self, message: DataFailed) -> None:
        self.query_one("#plans-note", Static).update(Text(message.text, style="bold red"))

    def show_plans(self, plans: Sequence[PlanChoice]) -> None:
        self.plans = list(plans)
        options = self.query_one("#plans-list", OptionList)
        options.clear_options()
        for index, plan in enumerate(self.plans, start=1):
            label = Text(f"{index}  " if index < 10 else "   ", style="dim")
            label.append(plan.name, style="bold")
            if plan.period:
                label.append(f"  {plan.period}")
            if plan.id == self.current:
                label.append("  （当前）", style="bold green")
            label.append(f"\n   {plan.title}", style="")
            facts = [f"{plan.chapters} 章", f"主要指标 {plan.indicators} 项", f"项目 {plan.projects} 个",
                     f"导入于 {_local_time(plan.imported_at)}" + ("（内置）" if plan.bundled else "")]
            label.append("\n   " + " · ".join(facts), style="dim")
            options.add_option(Option(label, id=str(plan.id)))
        if not self.plans:
            note = "数据库中还没有任何规划。按 F8 导入规划文件。"
        elif len(self.plans) > 1:
            note = "选定的规划在各界面打开，下次启动时仍打开它；导入新规划后默认打开最新导入的规划。"
        else:
            note = "数据库中只有这一个规划。导入新规划：F8 或命令面板「导入规划文件…」。"
        self.query_one("#plans-note", Static).update(note)
        ids = [p.id for p in self.plans]
        if ids:
            options.highlighted = ids.index(self.current) if self.current in ids else 0

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= min(9, len(self.plans)):
            event.stop()
            self.dismiss(self.plans[int(event.character) - 1].id)

    @on(OptionList.OptionSelected, "#plans-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
