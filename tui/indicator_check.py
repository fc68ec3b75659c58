"""The 「核对主要指标」 screen: the main indicators read from a newly imported plan's own table, for the office
to check and confirm before they count.

One row per proposed indicator (类别 | 指标 | 单位 | 属性 | 基数 | 目标 | 状态), in the table's order, with the
source line and whatever the reader found doubtful under the table. e or Enter corrects a row, r sets it aside,
u takes a rejection back, a confirms all pending rows at once (after a yes/no question); confirmed rows become
the plan's main indicators in the grid (F3). Every database call runs through tui.base `fetch` (db.dialog_views),
so the screen stays live on a slow server; the decisions themselves are db.plan_indicators'."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from core.kinds import ProposalStatus
from db.dialog_views import (
    IndicatorCheck,
    Outcome,
    confirm_proposals,
    edit_proposal,
    read_indicator_check,
    reject_proposal,
    reopen_proposal,
)
from db.plan_indicators import FIELDS, STATUSES, IndicatorProposalView
from tui.base import DataFailed, GuihuaScreen
from tui.help import Sections
from tui.pickers import SAVING, Field, FieldsForm
from tui.widgets import StatusLine

HELP_SECTIONS: Sections = [
    (
        "核对主要指标",
        [
            ("↑ ↓ / PgUp PgDn", "在指标间移动；下方显示表中原文和需要核对的地方"),
            ("回车 / e", "修改当前指标：类别、名称、单位、属性、基数、目标、年均增长"),
            ("a", "全部确认：把待确认的指标全部加入「主要指标」（会先询问）"),
            ("r", "舍弃当前指标（不是指标的行，如误读的标题行）"),
            ("u", "把舍弃的指标退回待确认"),
            ("Esc", "返回"),
        ],
    ),
    (
        "说明",
        [
            ("⚠", "这一行有需要核对的地方（目标无法自动读取、带〔〕的累计数、没有属性等），详见下方"),
            ("基数", "确认时，表中基数如是数字，记为基期年份的实际值"),
            ("目标", "保持表中原文；改写时须能自动读取，如“5以上”“6.5左右”“≥85”“累计30”，定性目标写文字"),
        ],
    ),
]
STATUS_STYLES = {ProposalStatus.PENDING: "", ProposalStatus.ACCEPTED: "green", ProposalStatus.REJECTED: "dim"}
ATTRIBUTE_OPTIONS = [("预期性", "预期性"), ("约束性", "约束性")]


class IndicatorForm(FieldsForm):
    """The edit form of a proposed indicator. It saves off the event loop: `save(changes)` starts the write and
    answers SAVING; the check screen calls `finish(None)` when saved (closing the form) or `finish(reason)`."""


class CheckRead(Message):
    def __init__(self, check: IndicatorCheck) -> None:
        super().__init__()
        self.check = check


class Decided(Message):
    """A write of the check screen came back: `outcome` of db.dialog_views; `done` words it when saved."""

    def __init__(self, outcome: Outcome, done: Callable[[object], str], keep: int | None) -> None:
        super().__init__()
        self.outcome = outcome
        self.done = done
        self.keep = keep


def _confirmed_words(ids: list[int], carried) -> str:
    words = f"已确认 {len(ids)} 项主要指标，可在「主要指标」界面（F3）录入数据。"
    if carried is not None and carried.carried:
        words += (f"其中 {len(carried.carried)} 项承接《{carried.old_plan}》{carried.year}年实际值作为基数"
                  "（可在命令面板「承接上一规划的基数」中查看和调整）。")
    return words


class IndicatorCheckScreen(GuihuaScreen):
    """The proposed main indicators of the open plan (or of `plan_id`)."""

    DEFAULT_CSS = """
    #check-title { height: 1; padding: 0 1; background: $panel; }
    #check-table { height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }
    #check-table:focus { border: round $accent; }
    #check-detail { height: 8; padding: 0 1; border-top: solid $panel-lighten-2; overflow: hidden; }
    #check-status { height: 1; background: $panel; padding: 0 1; }
    """

    AUTO_FOCUS = "#check-table"
    BINDINGS = [
        Binding("e", "edit", "修改", id="indicators.edit"),
        Binding("a", "accept_all", "全部确认", id="indicators.accept_all"),
        Binding("r", "reject", "舍弃", id="indicators.reject"),
        Binding("u", "reopen", "退回", show=False, id="indicators.reopen"),
        Binding("escape", "close", "返回", id="indicators.close"),
    ]
    help_sections = HELP_SECTIONS
    help_title = "按键帮助 · 核对主要指标"

    def __init__(self, plan_id: int | None = None) -> None:
        super().__init__(id="indicator-check-screen")
        self.checked_plan_id = plan_id  # None: the open plan
        self.items: dict[int, IndicatorProposalView] = {}
        self.order: list[int] = []
        self.has_main = False
        self.loaded = False
        self.busy = False
        self.keep: int | None = None  # the row the cursor stays on when the list comes back
        self.after_load: Callable[[], None] | None = None  # said once the list is back (what was just done)
        self.form: IndicatorForm | None = None  # the edit form waiting for its save
        self.form_version = 0  # the version the form saves over (after a conflict: the one now stored)

    # ------------------------------------------------------------------------------------------------------
    # Layout and loading

    def compose(self) -> ComposeResult:
        yield Static("", id="check-title")
        yield DataTable(id="check-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="check-detail")
        yield StatusLine("", id="check-status")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> DataTable:
        return self.query_one("#check-table", DataTable)

    def column_widths(self, width: int) -> dict[str, int]:
        """Every column on screen at any width from 80 up; the name takes what the others leave."""
        narrow = width < 110
        widths = {"category": 6 if narrow else 10, "unit": 7 if narrow else 10, "attribute": 6,
                  "base": 8 if narrow else 12, "target": 12 if narrow else 16, "status": 8}
        spare = width - sum(widths.values()) - 2 * (len(widths) + 1) - 3  # cell padding, border, scrollbar
        widths["name"] = max(12, min(spare, 60))
        return widths

    def set_columns(self) -> None:
        widths = self.column_widths(self.size.width or self.app.size.width)
        if widths == getattr(self, "_widths", None):
            return
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        for key, label in (("category", "类别"), ("name", "指标"), ("unit", "单位"), ("attribute", "属性"),
                           ("base", "基数"), ("target", "目标"), ("status", "状态")):
            table.add_column(label, key=key, width=widths[key])
        if self.loaded:
            self.rebuild(self.current_id())

    def on_resize(self) -> None:
        self.set_columns()

    def on_mount(self) -> None:
        self.set_columns()
        if self.checked_plan_id is None:
            self.checked_plan_id = self.plan_id
        self.say("正在读取…")
        self.load()

    def load(self, keep: int | None = None, then: Callable[[], None] | None = None) -> None:
        """Read the proposals again (in a worker); `keep` the cursor on that row; `then` says what was done."""
        plan_id = self.checked_plan_id
        if plan_id is None:
            self.say("没有打开的规划。", "error")
            return
        self.keep = self.current_id() if keep is None else keep
        self.after_load = then
        database = self.database
        self.fetch(lambda: read_indicator_check(database, plan_id), CheckRead, group="indicator-check-read")

    def on_check_read(self, message: CheckRead) -> None:
        views, self.has_main = message.check.proposals, message.check.has_main
        self.items = {v.id: v for v in views}
        self.order = [v.id for v in views]
        self.loaded = True
        self.rebuild(self.keep)
        then, self.after_load = self.after_load, None
        if then is not None:
            then()
        elif not views:
            self.say("这个规划没有从指标表读出的待确认指标。", "info")
        else:
            self.say("回车或 e 修改 · a 全部确认 · r 舍弃 · u 退回 · Esc 返回 · ? 全部按键")

    def decide(self, write: Callable[[], Outcome], done: Callable[[object], str], keep: int | None) -> None:
        """Run a write in a worker (one at a time: keys meanwhile are told to wait); Decided comes back."""
        self.busy = True
        self.fetch(lambda: write(), lambda outcome: Decided(outcome, done, keep), group="indicator-check-write")

    def on_decided(self, message: Decided) -> None:
        self.busy = False
        outcome, form = message.outcome, self.form
        if not outcome.refused:
            if form is not None:
                self.form = None
                form.finish(None)
            words = message.done(outcome.value)
            self.load(message.keep, then=lambda: self.say(words, "ok"))
            return
        if outcome.conflict_version is not None:  # someone else saved first: show theirs, offer to save over it
            self.form_version = outcome.conflict_version
            if form is not None:
                form.finish(f"{outcome.refused}\n再按回车用你的修改覆盖，Esc 放弃。")
                self.load(message.keep)
            else:
                self.load(message.keep, then=lambda: self.say(outcome.refused, "error"))
        elif form is not None:
            form.finish(outcome.refused)
        else:
            refused = outcome.refused
            self.say(refused if refused.startswith("没有保存") else f"没有保存：{refused}", "error")

    def on_data_failed(self, message: DataFailed) -> None:
        """The database could not be reached at all (the message is already shown as a notice)."""
        self.busy = False
        if self.form is not None:
            self.form.finish(message.text)
        self.say(message.text, "error")

    def rebuild(self, keep: int | None = None) -> None:
        table = self.table
        table.clear()
        for item_id in self.order:
            table.add_row(*self.cells(self.items[item_id]), key=str(item_id))
        self._update_title()
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
        elif table.row_count:
            first = next((i for i, item_id in enumerate(self.order)
                          if self.items[item_id].status == ProposalStatus.PENDING), 0)
            table.move_cursor(row=first, animate=False)
        self.update_detail()

    def cells(self, item: IndicatorProposalView) -> list[Text]:
        style = STATUS_STYLES.get(item.status, "")

        def cell(value: str, extra: str = "") -> Text:
            return Text(value or "", style=f"{style} {extra}".strip(), no_wrap=True, overflow="ellipsis")

        pending = item.status == ProposalStatus.PENDING
        status = Text(STATUSES.get(item.status, item.status), style=style or ("bold" if pending else ""))
        if item.warnings and pending:
            status.append(" ⚠", style="bold yellow")
        target = item.target_text or (f"年均{item.growth_text}" if item.growth_text else "")
        return [cell(item.category), cell(item.name), cell(item.unit), cell(item.attribute), cell(item.base_text),
                cell(target), status]

    def _update_title(self) -> None:
        pending = sum(1 for v in self.items.values() if v.status == ProposalStatus.PENDING)
        accepted = sum(1 for v in self.items.values() if v.status == ProposalStatus.ACCEPTED)
        doubtful = sum(1 for v in self.items.values() if v.status == ProposalStatus.PENDING and v.warnings)
        title = Text()
        table_title = next((v.table for v in self.items.values() if v.table), "")
        title.append(f"核对主要指标：{table_title or '规划的主要指标表'}", style="bold")
        title.append(f"   待确认 {pending} 项", style="bold" if pending else "dim")
        if doubtful:
            title.append(f"（其中 {doubtful} 项需核对 ⚠）", style="yellow")
        title.append(f"   已确认 {accepted} 项", style="dim")
        self.query_one("#check-title", Static).update(title)
        self.table.border_title = f"主要指标 · {len(self.items)} 项"

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#check-status", StatusLine).update(Text(message, style=style))

    # ------------------------------------------------------------------------------------------------------
    # The detail panel

    def current_id(self) -> int | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None

    def current(self) -> IndicatorProposalView | None:
        row_id = self.current_id()
        return self.items.get(row_id) if row_id is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.update_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def update_detail(self) -> None:
        detail = self.query_one("#check-detail", Static)
        item = self.current()
        if item is None:
            if self.loaded and not self.items:
                text = "本规划没有从规划文本的主要指标表中读出待确认的指标。"
                if self.has_main:
                    text += "规划已有主要指标，请在「主要指标」界面（F3）查看和修改。"
                detail.update(Text(text, style="dim"))
            else:
                detail.update("")
            return
        lines = []
        head = Text()
        head.append(f"{item.number}. " if item.number else "", style="dim")
        head.append(item.name, style="bold")
        head.append(f"  {item.status_label}", style=STATUS_STYLES.get(item.status) or "bold")
        years = f"{item.base_year or ''}→{item.target_year}年" if item.target_year else ""
        parts = [("类别", item.category), ("单位", item.unit), ("属性", item.attribute), ("基数", item.base_text),
                 ("目标", item.target_text), ("年均增长", item.growth_text), ("年份", years)]
        fields = Text()
        for label, value in parts:
            if value:
                fields.append(f"{label}：", style="dim")
                fields.append(f"{value}   ")
        lines += [head, fields]
        if item.sentence:
            source = Text("表中原文：", style="dim")
            source.append(" │ ".join(" ".join(line.split()) for line in item.sentence.splitlines()))
            source.no_wrap, source.overflow = True, "ellipsis"
            lines.append(source)
        if item.note:
            lines.append(Text(f"说明：{item.note}", style="dim"))
        for warning in item.warnings:
            lines.append(Text(f"⚠ {warning}", style="yellow"))
        if item.status == ProposalStatus.ACCEPTED:
            lines.append(Text("已确认为主要指标（在「主要指标」界面 F3 录入数据）", style="green"))
        detail.update(Text("\n").join(lines))

    # ------------------------------------------------------------------------------------------------------
    # Decisions

    def _can_act(self) -> bool:
        if self.busy:
            self.say("正在处理上一步，请稍候。")
            return False
        return True

    def action_edit(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status != ProposalStatus.PENDING:
            self.say("只能修改待确认的指标；已确认的请到「主要指标」界面修改，已舍弃的先按 u 退回。", "error")
            return
        fields = [
            Field("category", FIELDS["category"], item.category),
            Field("name", FIELDS["name"], item.name),
            Field("unit", FIELDS["unit"], item.unit, placeholder="如：%、亿元、万人"),
            Field("attribute", FIELDS["attribute"], item.attribute, kind="select", options=ATTRIBUTE_OPTIONS),
            Field("base_text", FIELDS["base_text"], item.base_text, placeholder="基期年份的数值"),
            Field("target_text", FIELDS["target_text"], item.target_text, placeholder="如：5以上、6.5左右、≥85"),
            Field("growth_text", FIELDS["growth_text"], item.growth_text, placeholder="如：5%左右（没有可不填）"),
        ]
        source = " │ ".join(" ".join(line.split()) for line in item.sentence.splitlines())
        note = f"表中原文：{source[:120]}" if source else ""
        if item.warnings:
            note += ("\n" if note else "") + "\n".join(f"⚠ {w}" for w in item.warnings[:3])

        self.form_version = item.version
        database = self.database

        def save(changes: dict[str, str]) -> str:
            version = self.form_version  # after a refusal, the version now shown: Enter again saves over it
            self.decide(lambda: edit_proposal(database, item.id, changes, version),
                        lambda view: f"已保存修改：{view.name}", item.id)
            return SAVING

        def closed(_saved: bool | None) -> None:
            self.form = None

        self.form = IndicatorForm(f"修改：{item.name}", fields, save, note=note)
        self.app.push_screen(self.form, closed)

    def action_reject(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status == ProposalStatus.REJECTED:
            self.say(f"“{item.name}”已舍弃（按 u 退回）。")
            return
        database = self.database
        self.decide(lambda: reject_proposal(database, item.id, item.version),
                    lambda view: f"已舍弃：{view.name}（按 u 可退回）", self._next_pending(item.id))

    def action_reopen(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status != ProposalStatus.REJECTED:
            self.say("只有舍弃的指标可以退回待确认。")
            return
        database = self.database
        self.decide(lambda: reopen_proposal(database, item.id, item.version),
                    lambda view: f"已退回待确认：{view.name}", item.id)

    def _next_pending(self, after: int) -> int:
        if after not in self.order:
            return after
        at = self.order.index(after)
        for item_id in self.order[at + 1 :] + self.order[:at]:
            if self.items[item_id].status == ProposalStatus.PENDING:
                return item_id
        return after

    def action_accept_all(self) -> None:
        if not self._can_act():
            return
        pending = [v for v in self.items.values() if v.status == ProposalStatus.PENDING]
        if not pending:
            self.say("没有待确认的指标。")
            return
        from tui.forms import ConfirmScreen  # the app's yes/no question

        doubtful = sum(1 for v in pending if v.warnings)
        question = f"确认全部 {len(pending)} 项指标？"
        if doubtful:
            question += f"\n其中 {doubtful} 项标有 ⚠（需核对），确认后仍可在「主要指标」界面修改。"
        seen = {v.id: v.version for v in pending}
        plan_id = self.checked_plan_id

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("没有确认。")
                return
            database = self.database
            self.decide(lambda: confirm_proposals(database, plan_id, seen),
                        lambda outcome: _confirmed_words(*outcome), None)

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "修改指标", "修改当前指标的名称、单位、目标等（回车 / e）", self.action_edit
        yield "全部确认", "把待确认的指标全部加入主要指标（a）", self.action_accept_all
        yield "舍弃指标", "舍弃当前行（r）", self.action_reject
        yield "退回待确认", "把舍弃的指标退回（u）", self.action_reopen
