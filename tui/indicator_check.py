"""The 「核对主要指标」 screen: the main indicators read from a newly imported plan's own table, for the office
to check and confirm before they count.

One row per proposed indicator (类别 | 指标 | 单位 | 属性 | 基数 | 目标 | 状态), in the table's order, with the
source line and whatever the reader found doubtful under the table. e or Enter corrects a row, r sets it aside,
u takes a rejection back, a confirms all pending rows at once (after a yes/no question); confirmed rows become
the plan's main indicators in the grid (F3). Every database call runs in a thread worker, so the screen stays
live on a slow server; the decisions themselves are db.plan_indicators'."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core.errors import GuihuaError
from db.audit import ConcurrentEditError
from db.plan_indicators import (
    FIELDS,
    STATUSES,
    IndicatorProposalView,
    confirm_indicators,
    edit_indicator_proposal,
    has_main_indicators,
    list_indicator_proposals,
    reject_indicator_proposal,
    reopen_indicator_proposal,
)
from tui import errorlog
from tui.help import Sections
from tui.pickers import Field, FieldsForm, db_error
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
STATUS_STYLES = {"pending": "", "accepted": "green", "rejected": "dim"}
ATTRIBUTE_OPTIONS = [("预期性", "预期性"), ("约束性", "约束性")]


class IndicatorForm(FieldsForm):
    """The edit form, saving in a thread: `save(changes, saved, refused)` calls back saved() or refused(message)
    on the UI thread, and the form stays open with the message when refused."""

    def __init__(self, title: str, fields: list[Field], save: Callable, *, note: str = "") -> None:
        super().__init__(title, fields, lambda changes: None, note=note)
        self._save_async = save
        self._saving = False

    def action_save(self) -> None:
        if self._saving:
            return
        changes = self.values()
        if not changes:
            self.dismiss(False)
            return
        self._saving = True
        self.query_one("#fields-error", Static).update("正在保存…")
        self._save_async(changes, self._saved, self._refused)

    def _saved(self) -> None:
        self._saving = False
        self.dismiss(True)

    def _refused(self, message: str) -> None:
        self._saving = False
        self.query_one("#fields-error", Static).update(message)


def _confirmed_words(ids: list[int], carried) -> str:
    words = f"已确认 {len(ids)} 项主要指标，可在「主要指标」界面（F3）录入数据。"
    if carried is not None and carried.carried:
        words += (f"其中 {len(carried.carried)} 项承接《{carried.old_plan}》{carried.year}年实际值作为基数"
                  "（可在命令面板「承接上一规划的基数」中查看和调整）。")
    return words


class IndicatorCheckScreen(Screen):
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
        self.plan_id = plan_id
        self.items: dict[int, IndicatorProposalView] = {}
        self.order: list[int] = []
        self.has_main = False
        self.loaded = False
        self.busy = False

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
        if self.plan_id is None:
            self.plan_id = getattr(self.app, "plan_id", None)
        self.say("正在读取…")
        self.load()

    def off_loop(self, work: Callable[[Any], Any], done: Callable[[Any], None],
                 failed: Callable[[Exception | str], None] | None = None) -> None:
        """Run work(session) in a thread worker, then done(result) on the UI thread; a refusal or a database
        error goes to failed (default: the status line), an unexpected error is logged and named."""
        database = self.app.database  # type: ignore[attr-defined]
        app = self.app
        fail = failed or (lambda error: self.say(error if isinstance(error, str) else db_error(error), "error"))

        def body() -> None:
            try:
                with database.session() as session:
                    result = work(session)
            except (GuihuaError, SQLAlchemyError) as exc:
                app.call_from_thread(self._finish, fail, exc)
            except Exception as exc:  # noqa: BLE001 - shown to the user, traceback in the log
                app.call_from_thread(self._finish, fail, errorlog.unexpected_message(exc, errorlog.log_unexpected(exc)))
            else:
                app.call_from_thread(self._finish, done, result)

        self.busy = True
        self.run_worker(body, thread=True, group="indicator-check", exit_on_error=False)

    def _finish(self, callback: Callable, value) -> None:
        self.busy = False
        if self.is_attached:
            callback(value)

    def load(self, keep: int | None = None, then: Callable[[], None] | None = None) -> None:
        plan_id = self.plan_id
        if plan_id is None:
            self.say("没有打开的规划。", "error")
            return
        if keep is None:
            keep = self.current_id()

        def work(session):
            return list_indicator_proposals(session, plan_id), has_main_indicators(session, plan_id)

        def done(result) -> None:
            views, self.has_main = result
            self.items = {v.id: v for v in views}
            self.order = [v.id for v in views]
            self.loaded = True
            self.rebuild(keep)
            if then is not None:
                then()
            elif not views:
                self.say("这个规划没有从指标表读出的待确认指标。", "info")
            else:
                self.say("回车或 e 修改 · a 全部确认 · r 舍弃 · u 退回 · Esc 返回 · ? 全部按键")

        self.off_loop(work, done)

    def rebuild(self, keep: int | None = None) -> None:
        table = self.table
        table.clear()
        for item_id in self.order:
            table.add_row(*self.cells(self.items[item_id]), key=str(item_id))
        self._update_title()
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
        elif table.row_count:
            first = next((i for i, item_id in enumerate(self.order) if self.items[item_id].status == "pending"), 0)
            table.move_cursor(row=first, animate=False)
        self.update_detail()

    def cells(self, item: IndicatorProposalView) -> list[Text]:
        style = STATUS_STYLES.get(item.status, "")

        def cell(value: str, extra: str = "") -> Text:
            return Text(value or "", style=f"{style} {extra}".strip(), no_wrap=True, overflow="ellipsis")

        status = Text(STATUSES.get(item.status, item.status), style=style or ("bold" if item.status == "pending" else ""))
        if item.warnings and item.status == "pending":
            status.append(" ⚠", style="bold yellow")
        target = item.target_text or (f"年均{item.growth_text}" if item.growth_text else "")
        return [cell(item.category), cell(item.name), cell(item.unit), cell(item.attribute), cell(item.base_text),
                cell(target), status]

    def _update_title(self) -> None:
        pending = sum(1 for v in self.items.values() if v.status == "pending")
        accepted = sum(1 for v in self.items.values() if v.status == "accepted")
        doubtful = sum(1 for v in self.items.values() if v.status == "pending" and v.warnings)
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
        if item.status == "accepted":
            lines.append(Text("已确认为主要指标（在「主要指标」界面 F3 录入数据）", style="green"))
        detail.update(Text("\n").join(lines))

    # ------------------------------------------------------------------------------------------------------
    # Decisions

    def _can_act(self) -> bool:
        if self.busy:
            self.say("正在处理上一步，请稍候。")
            return False
        return True

    def _refused(self, keep: int | None) -> Callable[[Exception | str], None]:
        def failed(error) -> None:
            message = error if isinstance(error, str) else db_error(error)
            if isinstance(error, ConcurrentEditError):
                self.load(keep, then=lambda: self.say(message, "error"))
            else:
                self.say(f"没有保存：{message}" if not message.startswith("没有保存") else message, "error")

        return failed

    def action_edit(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status != "pending":
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
        seen = [item.version]  # after a refusal, the version now shown: Enter again saves over it knowingly
        source = " │ ".join(" ".join(line.split()) for line in item.sentence.splitlines())
        note = f"表中原文：{source[:120]}" if source else ""
        if item.warnings:
            note += ("\n" if note else "") + "\n".join(f"⚠ {w}" for w in item.warnings[:3])

        def save(changes: dict[str, str], saved: Callable[[], None], refused: Callable[[str], None]) -> None:
            def failed(error) -> None:
                if isinstance(error, ConcurrentEditError):
                    seen[0] = error.current_version
                    self.load(item.id)
                    refused(f"{error.message}\n再按回车用你的修改覆盖，Esc 放弃。")
                else:
                    refused(error if isinstance(error, str) else db_error(error))

            def done(view: IndicatorProposalView) -> None:
                saved()
                self.load(item.id, then=lambda: self.say(f"已保存修改：{view.name}", "ok"))

            self.off_loop(lambda s: edit_indicator_proposal(s, item.id, changes, expected_version=seen[0]), done, failed)

        self.app.push_screen(IndicatorForm(f"修改：{item.name}", fields, save, note=note))

    def action_reject(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status == "rejected":
            self.say(f"“{item.name}”已舍弃（按 u 退回）。")
            return
        self.off_loop(lambda s: reject_indicator_proposal(s, item.id, expected_version=item.version),
                      lambda view: self.load(self._next_pending(item.id), then=lambda: self.say(
                          f"已舍弃：{view.name}（按 u 可退回）", "ok")),
                      self._refused(item.id))

    def action_reopen(self) -> None:
        item = self.current()
        if item is None or not self._can_act():
            return
        if item.status != "rejected":
            self.say("只有舍弃的指标可以退回待确认。")
            return
        self.off_loop(lambda s: reopen_indicator_proposal(s, item.id, expected_version=item.version),
                      lambda view: self.load(item.id, then=lambda: self.say(f"已退回待确认：{view.name}", "ok")),
                      self._refused(item.id))

    def _next_pending(self, after: int) -> int:
        if after not in self.order:
            return after
        at = self.order.index(after)
        for item_id in self.order[at + 1 :] + self.order[:at]:
            if self.items[item_id].status == "pending":
                return item_id
        return after

    def action_accept_all(self) -> None:
        if not self._can_act():
            return
        pending = [v for v in self.items.values() if v.status == "pending"]
        if not pending:
            self.say("没有待确认的指标。")
            return
        from tui.forms import ConfirmScreen  # the app's yes/no question

        doubtful = sum(1 for v in pending if v.warnings)
        question = f"确认全部 {len(pending)} 项指标？"
        if doubtful:
            question += f"\n其中 {doubtful} 项标有 ⚠（需核对），确认后仍可在「主要指标」界面修改。"
        seen = {v.id: v.version for v in pending}
        plan_id = self.plan_id

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("没有确认。")
                return
            self.off_loop(
                lambda s: confirm_indicators(s, plan_id, list(seen), expected_versions=seen),
                lambda outcome: self.load(then=lambda: self.say(_confirmed_words(*outcome), "ok")),
                self._refused(None),
            )

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
