"""The 「审核」 screen: the review queue of what the finder proposed from the plan's text.

Quantified targets (文中量化指标) and projects are two lists (t switches), grouped by chapter and filtered by
review status (待审核 first). Every decision goes through db.projects and is committed before the status line
says so; a decided row stays in view (showing its new status) until the filter changes, so the reviewer sees
what was done while the cursor moves on to the next pending item."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Callable, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Static

from core.commitments import split_project_title
from core.errors import GuihuaError
from core.kinds import ProposalKind, ProposalStatus
from core.period import Period
from core.units import involves
from db.review_views import Outcome, ReviewQueue, attempt, decide, proposal_source, read_review_queue
from db.projects import (
    PROPOSAL_STATUSES,
    ProposalView,
    accept_proposal,
    add_proposal,
    edit_proposal,
    merge_proposals,
    reject_proposal,
    reopen_proposal,
    split_proposal,
)
from tui.base import DataFailed, GuihuaModal, GuihuaScreen
from tui.pickers import (
    GROUP_PREFIX,
    SAVING,
    Field,
    FieldsForm,
    GroupedTable,
    SavingDialog,
    choose_my_unit,
    marked,
)
from tui.reader import ShowSource
from tui.widgets import StatusLine

KINDS = {ProposalKind.TARGET: "文中量化指标", ProposalKind.PROJECT: "项目"}
STATUS_CYCLE: list[ProposalStatus | None] = [*ProposalStatus, None]  # None: all
STATUS_STYLES = {ProposalStatus.PENDING: "", ProposalStatus.ACCEPTED: "green", ProposalStatus.REJECTED: "dim",
                 ProposalStatus.MERGED: "dim"}
COMPARATORS = [
    ("达到（=）", "="),
    ("不低于、突破（≥）", ">="),
    ("超过（＞）", ">"),
    ("不超过（≤）", "<="),
    ("低于（＜）", "<"),
    ("左右（约）", "~"),
]
YES_NO = [("是", "是"), ("否", "否")]
HAND_CHAPTER = "（手工添加，未关联段落）"
LABEL_WIDTH = 46
TEXT_WIDTH = 40
HINT_WIDTH = 32


def target_fields(data: dict, target_year: int | None = None) -> list[Field]:
    """The form for a target; `target_year` (the plan's) is the example under 年份."""
    example = f"如：{target_year}" if target_year else "四位数字"
    return [
        Field("metric", "指标名称", str(data.get("metric", ""))),
        Field("comparator", "比较方式", str(data.get("comparator", "=")), kind="select", options=COMPARATORS),
        Field("value", "目标值", str(data.get("value", "")), placeholder="如：500"),
        Field("unit", "单位", str(data.get("unit", "")), placeholder="如：家、%、亿元"),
        Field("year", "年份", str(data.get("year", "") or ""), placeholder=example),
        Field("stretch", "力争目标", "是" if data.get("stretch") else "否", kind="select", options=YES_NO),
    ]


def project_fields(data: dict) -> list[Field]:
    return [
        Field("title", "名称", str(data.get("title", ""))),
        Field("action", "动作", str(data.get("action", "")), placeholder="如：建成、新建、迁建、改扩建"),
    ]


def form_to_data(kind: str, values: dict[str, str]) -> dict:
    """Form strings to the proposal's data; a year that is not a number is refused here, in Chinese."""
    data: dict = dict(values)
    if kind == ProposalKind.TARGET:
        if "year" in data:
            year = data["year"].strip()
            if year and not re.fullmatch(r"\d{4}", year):
                raise GuihuaError(f"年份应为四位数字，如 {date.today().year}。")
            data["year"] = int(year) if year else ""
        if "stretch" in data:
            data["stretch"] = data["stretch"] == "是"
    return data


class SplitForm(SavingDialog, GuihuaModal[bool]):
    """Split one proposal into several: one line per part. A new empty line appears under the last one as
    soon as it is used; empty lines are ignored. Enter saves, Esc cancels."""

    DEFAULT_CSS = """
    SplitForm { align: center middle; }
    #split-box {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #split-source { color: $text-muted; margin-bottom: 1; height: auto; }
    #split-head { color: $text-muted; height: 1; }
    .split-row { height: 1; }
    .split-row:focus-within { background: $accent 25%; }
    .split-number { width: 4; color: $text-muted; }
    .split-row Input { background: $boost; margin-right: 1; }
    .split-main { width: 1fr; }
    .split-small { width: 14; }
    #split-error { color: $error; text-style: bold; height: auto; }
    """

    ERROR_SELECTOR = "#split-error"
    BINDINGS = [
        Binding("escape", "cancel", "取消", id="split.cancel"),
        Binding("ctrl+s", "save", "保存", id="split.save"),
    ]

    def __init__(self, item: ProposalView, save) -> None:
        super().__init__()
        self.item = item
        self._save = save
        self.rows = 0

    def columns(self) -> list[tuple[str, str, str]]:
        """(data key, heading, css class) of each input on a line."""
        if self.item.kind == ProposalKind.TARGET:
            return [("metric", "指标名称", "split-main"), ("value", "目标值", "split-small"), ("unit", "单位", "split-small")]
        return [("action", "动作", "split-small"), ("title", "名称", "split-main")]

    def first_parts(self) -> list[dict]:
        data = self.item.data
        if self.item.kind == ProposalKind.PROJECT:
            names = split_project_title(str(data.get("title", "")))  # one line per project the title lists
            if len(names) > 1:
                return [{"action": data.get("action", ""), "title": n} for n in names]
        return [dict(data)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="split-box") as box:
            box.border_title = f"拆分：{self.item.label}"
            box.border_subtitle = "每行一项 · 回车保存 · Tab 下一格 · Esc 取消"
            yield Static(marked(self.item.sentence, self.item.text), id="split-source")
            yield Static("    " + "  ".join(h for _, h, _ in self.columns()), id="split-head")
            for part in [*self.first_parts(), {}]:
                yield self.make_row(part)
            yield Static("", id="split-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def make_row(self, part: dict) -> Horizontal:
        self.rows += 1
        index = self.rows
        inputs = [
            Input(str(part.get(key, "")), placeholder=heading, compact=True, select_on_focus=False,
                  id=f"split-{index}-{key}", classes=css)
            for key, heading, css in self.columns()
        ]
        for box in inputs:
            box.cursor_blink = self.guihua.CURSOR_BLINK
        return Horizontal(Label(f"{index}.", classes="split-number"), *inputs, classes="split-row")

    def add_row(self) -> None:
        row = self.make_row({})
        self.query_one("#split-box").mount(row, before=self.query_one("#split-error"))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        # the last line in use: offer one more
        if event.value.strip() and event.input.id and event.input.id.startswith(f"split-{self.rows}-"):
            self.add_row()

    def parts(self) -> list[dict]:
        parts = []
        for index in range(1, self.rows + 1):
            values = {key: self.query_one(f"#split-{index}-{key}", Input).value.strip() for key, _, _ in self.columns()}
            if any(values.values()):
                parts.append({**self.item.data, **values})
        return parts

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if not self.saving:
            self.finish(self._save(self.parts()))

    def action_cancel(self) -> None:
        self.dismiss(False)


class QueueRead(Message):
    def __init__(self, queue: ReviewQueue, keep: int | None) -> None:
        super().__init__()
        self.queue = queue
        self.keep = keep


class Decided(Message):
    def __init__(self, result: object, done: str, keep: int | None, next_pending_after: int | None) -> None:
        super().__init__()
        self.done = done
        self.keep = keep
        self.next_pending_after = next_pending_after


class DialogSaved(Message):
    """A dialog's save came back: `outcome.refused` is empty when it was saved."""

    def __init__(self, outcome: Outcome, dialog: SavingDialog, keep: int | None, done: Callable[[object], str],
                 seen: list[int], conflict_hint: str) -> None:
        super().__init__()
        self.outcome = outcome
        self.dialog = dialog
        self.keep = keep
        self.done = done
        self.seen = seen
        self.conflict_hint = conflict_hint


class SourceFound(Message):
    def __init__(self, source, label: str) -> None:
        super().__init__()
        self.source = source
        self.label = label


class ReviewScreen(GuihuaScreen):
    """The finder's proposals, for accepting, editing, merging, splitting, rejecting and adding by hand."""

    DEFAULT_CSS = """
    #review-tabs { height: 1; padding: 0 1; background: $panel; }
    #review-table { height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }
    #review-table:focus { border: round $accent; }
    #review-detail { height: 9; padding: 0 1; border-top: solid $panel-lighten-2; overflow: hidden; }
    #review-search { height: 1; background: $surface; display: none; }
    #review-search.-open { display: block; }
    #review-search-label { width: auto; text-style: bold; color: $accent; }
    #review-search-input { width: 1fr; }
    #review-status { height: 1; background: $panel; padding: 0 1; }
    """

    AUTO_FOCUS = "#review-table"
    BINDINGS = [
        Binding("a", "accept", "采纳", id="review.accept"),
        Binding("x", "reject", "舍弃", id="review.reject"),
        Binding("e", "edit", "修改", id="review.edit"),
        Binding("space", "mark", "标记", key_display="空格", id="review.mark"),
        Binding("m", "merge", "合并", id="review.merge"),
        Binding("s", "split", "拆分", id="review.split"),
        Binding("n", "add", "新增", id="review.add"),
        Binding("u", "reopen", "退回", show=False, id="review.reopen"),
        Binding("t", "switch_kind", "指标/项目", show=False, id="review.kind"),
        Binding("f", "cycle_status", "状态", show=False, id="review.status"),
        Binding("slash", "search", "搜索", show=False, id="review.search"),
        Binding("escape", "escape", "关闭", show=False, id="review.escape"),
        Binding("ctrl+u", "my_unit", "我的单位", show=False, id="review.my_unit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="review-screen")
        self.kind = ProposalKind.TARGET
        self.period: Period | None = None  # the plan's: a target added by hand is for its target year
        self.status: ProposalStatus | None = ProposalStatus.PENDING
        self.query_text = ""
        self.items: dict[int, ProposalView] = {}
        self.block_chapters: dict[int, str] = {}
        self.marks: set[int] = set()
        self.sticky: set[int] = set()  # decided here: stay in view until the filter changes
        self.my_unit = ""
        self.shown = 0
        self.unit_results: dict[tuple[str, int], tuple[str, str]] = {}  # (kind, result id) -> (lead, partners)
        self._own_modal = False

    # ------------------------------------------------------------------------------------------------------
    # Layout and loading

    def compose(self) -> ComposeResult:
        yield Static("", id="review-tabs")
        table = GroupedTable(id="review-table")
        table.add_column("条目", key="label", width=LABEL_WIDTH)
        table.add_column("状态", key="status", width=6)
        table.add_column("原文", key="text", width=TEXT_WIDTH)
        table.add_column("提示", key="hint", width=HINT_WIDTH)
        yield table
        yield Static("", id="review-detail")
        with Horizontal(id="review-search"):
            yield Static("搜索条目：", id="review-search-label")
            yield Input(placeholder="输入条目或原文中的字，边输边筛选；回车回到列表，Esc 清除", id="review-search-input",
                        compact=True)
        yield StatusLine("", id="review-status")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> GroupedTable:
        return self.query_one("#review-table", GroupedTable)

    def on_mount(self) -> None:
        self.query_one("#review-search-input", Input).cursor_blink = self.guihua.CURSOR_BLINK
        self.say("a 采纳 · x 舍弃 · e 修改 · 空格标记后 m 合并 · s 拆分 · n 新增漏掉的 · u 退回 · / 搜索 · 回车看原文 · ? 全部按键")

    def on_screen_resume(self) -> None:
        if self._own_modal:
            self._own_modal = False
            return
        self.load()  # shown first, or back from another screen: the queue or 「我的单位」 may have changed there

    def push(self, screen, callback=None) -> None:
        self._own_modal = True
        self.app.push_screen(screen, callback)

    def load(self, keep: int | None = None, then: Callable[[], None] | None = None) -> None:
        """Read the queue in a worker (a newer read replaces an older one); `keep`: the row to stay on; `then`:
        what to do once the rows are shown (say what a save did, naming the rows as read back)."""
        if keep is None:
            keep = self.table.current_id()
        self._after_load = then
        database, plan_id = self.database, self.plan_id
        self.fetch(lambda: read_review_queue(database, plan_id), partial(QueueRead, keep=keep), group="review-load")

    _after_load: Callable[[], None] | None = None

    def on_queue_read(self, message: QueueRead) -> None:
        queue = message.queue
        self.my_unit, self.unit_results, self.period = queue.my_unit, queue.unit_results, queue.period
        self.items = {v.id: v for v in queue.proposals}
        self.block_chapters = {}
        for view in queue.proposals:
            if view.block_id is not None and view.chapter:
                self.block_chapters.setdefault(view.block_id, view.chapter)
        self.marks &= set(self.items)
        self.rebuild(message.keep)
        then, self._after_load = self._after_load, None
        if then is not None:
            then()

    def chapter_of(self, item: ProposalView) -> str:
        if item.chapter:
            return item.chapter
        if item.block_id is not None and item.block_id in self.block_chapters:
            return self.block_chapters[item.block_id]
        return HAND_CHAPTER

    def visible(self, item: ProposalView) -> bool:
        if item.kind != self.kind:
            return False
        if item.id in self.sticky:
            return True
        if self.status is not None and item.status != self.status:
            return False
        if self.query_text:
            words = self.query_text
            haystack = f"{item.label}{item.sentence}{item.text}"
            if not all(w in haystack for w in words.split()):
                return False
        if self.my_unit and item.status == ProposalStatus.ACCEPTED and item.result_id is not None:
            lead, partners = self.unit_results.get((item.kind, item.result_id), ("", ""))
            if not involves(self.my_unit, lead, partners):
                return False
        return True

    def rebuild(self, keep: int | None = None) -> None:
        table = self.table
        table.clear()
        groups: dict[str, list[ProposalView]] = {}
        totals: dict[str, int] = {}
        for item in self.items.values():
            if item.kind != self.kind:
                continue
            chapter = self.chapter_of(item)
            totals[chapter] = totals.get(chapter, 0) + 1
            if self.visible(item):
                groups.setdefault(chapter, []).append(item)
        shown = 0
        for chapter, items in groups.items():
            head = Text("▌" + chapter, style="bold", no_wrap=True, overflow="ellipsis")
            table.add_row(head, "", Text(f"{len(items)} 条（本章共 {totals[chapter]} 条）", style="dim"), "",
                          key=f"{GROUP_PREFIX}{chapter}")
            for item in items:
                table.add_row(*self.cells(item), key=str(item.id))
                shown += 1
        self.shown = shown
        self._update_titles()
        if not table.go_to(keep) and table.row_count:
            table.move_cursor(row=table.data_row(0, 1) or 0, animate=False)
        self.update_detail()

    def cells(self, item: ProposalView) -> list[Text]:
        mark = "● " if item.id in self.marks else "  "
        label = Text(mark, style="bold yellow")
        label.append(("（手工）" if item.added_by_hand else "") + item.label,
                     style=STATUS_STYLES.get(item.status, ""))
        label.no_wrap, label.overflow = True, "ellipsis"
        status = Text(PROPOSAL_STATUSES.get(item.status, item.status), style=STATUS_STYLES.get(item.status, ""))
        text = Text(item.text.replace("\n", ""), style="dim" if item.status != ProposalStatus.PENDING else "",
                    no_wrap=True, overflow="ellipsis")
        return [label, status, text, self.hint(item)]

    def hint(self, item: ProposalView) -> Text:
        if item.status == ProposalStatus.MERGED and item.result_id in self.items:
            return Text(f"并入：{self.items[item.result_id].label}", style="dim", no_wrap=True, overflow="ellipsis")
        if item.kind == ProposalKind.TARGET and item.data.get("same_as_main"):
            return Text("疑与主要指标重复", style="bold yellow", no_wrap=True)
        if item.kind == ProposalKind.PROJECT and item.data.get("box_title"):
            return Text(f"专栏：{item.data['box_title']}", style="dim", no_wrap=True, overflow="ellipsis")
        return Text("")

    def _update_titles(self) -> None:
        tabs = Text()
        for kind, word in KINDS.items():
            pending = sum(1 for v in self.items.values() if v.kind == kind and v.status == ProposalStatus.PENDING)
            tabs.append(f" {word}（待审核 {pending}） ", style="bold reverse" if kind == self.kind else "dim")
            tabs.append("  ")
        tabs.append("t 切换   ", style="dim")
        tabs.append("状态：", style="dim")
        tabs.append(PROPOSAL_STATUSES.get(self.status, "全部") if self.status else "全部", style="bold")
        tabs.append("（f 切换）", style="dim")
        if self.query_text:
            tabs.append(f"   搜索：“{self.query_text}”", style="bold")
        if self.my_unit:
            tabs.append(f"   我的单位：{self.my_unit}", style="bold cyan")
        self.query_one("#review-tabs", Static).update(tabs)
        title = f"审核 · {KINDS[self.kind]} · {self.shown} 条"
        if self.marks:
            title += f" · 已标记 {len(self.marks)} 条（m 并入当前条目）"
        self.table.border_title = title

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#review-status", StatusLine).update(Text(message, style=style))

    # ------------------------------------------------------------------------------------------------------
    # The detail panel

    def current(self) -> ProposalView | None:
        row_id = self.table.current_id()
        return self.items.get(row_id) if row_id is not None else None

    @on(DataTable.RowHighlighted, "#review-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.update_detail()

    def update_detail(self) -> None:
        detail = self.query_one("#review-detail", Static)
        item = self.current()
        if item is None:
            if self.table.row_count:
                detail.update("")
            else:
                word = PROPOSAL_STATUSES.get(self.status, "") if self.status else ""
                detail.update(Text(f"没有{word}的{KINDS[self.kind]}条目。按 f 换状态，t 换类别，n 新增。", style="dim"))
            return
        head = Text()
        head.append(item.label, style="bold")
        head.append(f"  {PROPOSAL_STATUSES.get(item.status, item.status)}", style=STATUS_STYLES.get(item.status) or "bold")
        head.append(f"  {self.chapter_of(item)}", style="dim")
        lines = [head]
        phrase = item.text
        if item.added_by_hand:
            phrase = str(item.data.get("metric") or item.data.get("title") or "")
        if item.sentence:
            source = Text("原文：", style="dim")
            source.append_text(marked(item.sentence.replace("\n", ""), phrase, "bold reverse yellow"))
            lines.append(source)
        else:
            lines.append(Text("原文：（未关联段落）", style="dim"))
        if item.kind == ProposalKind.TARGET and item.data.get("same_as_main"):
            lines.append(Text(f"疑与主要指标“{item.data['same_as_main']}”重复：同一数字已在主要指标中跟踪，一般按 x 舍弃。",
                              style="bold yellow"))
        lines.append(self.fields_text(item))
        if item.status == ProposalStatus.MERGED and item.result_id in self.items:
            lines.append(Text(f"已并入：{self.items[item.result_id].label}（按 u 退回待审核）", style="dim"))
        if item.status == ProposalStatus.ACCEPTED:
            where = ("文中指标" if item.kind == ProposalKind.TARGET
                     else "项目（在「项目」界面跟踪里程碑）")
            lines.append(Text(f"已采纳为{where}", style="green"))
        out = Text("\n").join(lines)
        detail.update(out)

    @staticmethod
    def fields_text(item: ProposalView) -> Text:
        d = item.data
        if item.kind == ProposalKind.TARGET:
            sign = dict((v, k) for k, v in COMPARATORS).get(str(d.get("comparator", "")), "")
            parts = [("指标", d.get("metric")), ("比较", sign), ("目标值", d.get("value")), ("单位", d.get("unit")),
                     ("年份", d.get("year")), ("力争", "是" if d.get("stretch") else "")]
        else:
            parts = [("动作", d.get("action")), ("名称", d.get("title")), ("专栏", d.get("box_title"))]
        out = Text()
        for label, value in parts:
            if value in (None, ""):
                continue
            out.append(f"{label}：", style="dim")
            out.append(f"{value}   ")
        return out

    # ------------------------------------------------------------------------------------------------------
    # Decisions

    def _write(self, work, done: str, *, keep: int | None = None, next_pending_after: int | None = None) -> None:
        """Run `work(session)` in a worker, reload, and say `done`; a refusal is shown and nothing else changes.
        When another reviewer acted on the item first, the list is reloaded to show what they did; pressing
        the key again then acts on the item as it is now."""
        database = self.database
        self._failed_keep = keep if keep is not None else next_pending_after
        self.fetch(lambda: decide(database, work),
                   partial(Decided, done=done, keep=keep, next_pending_after=next_pending_after),
                   group="review-write", exclusive=False)

    _failed_keep: int | None = None

    def on_decided(self, message: Decided) -> None:
        keep = message.keep
        if message.next_pending_after is not None:
            keep = self._next_pending(message.next_pending_after)
        self.load(keep)
        self.say(message.done, "ok")

    def on_data_failed(self, message: DataFailed) -> None:
        if message.group == "review-write":
            self.load(self._failed_keep)  # another reviewer may have acted first: show what they did
            self.say(message.text, "error")
        elif message.group in ("review-load", "review-source"):
            self.say(message.text, "error")
        elif message.group == "review-dialog" and self._waiting_dialog is not None:
            dialog, self._waiting_dialog = self._waiting_dialog, None  # failed unexpectedly: it takes keys again
            if cast(ModalScreen, dialog).is_attached:
                dialog.finish(message.text)

    def _next_pending(self, after: int) -> int:
        ids = self.table.ids()
        if after not in ids:
            return after
        at = ids.index(after)
        for row_id in ids[at + 1 :] + ids[:at]:
            item = self.items.get(row_id)
            if item is not None and item.status == ProposalStatus.PENDING:
                return row_id
        return after

    def action_accept(self) -> None:
        item = self.current()
        if item is None:
            return
        if item.status == ProposalStatus.ACCEPTED:
            self.say(f"“{item.label}”已采纳。")
            return
        self.sticky.add(item.id)
        where = "文中指标" if item.kind == ProposalKind.TARGET else "项目"
        self._write(lambda s: accept_proposal(s, item.id, origin="tui", expected_version=item.version),
                    f"已采纳：{item.label} → 已加入{where}",
                    next_pending_after=item.id)

    def action_reject(self) -> None:
        item = self.current()
        if item is None:
            return
        self.sticky.add(item.id)
        self._write(lambda s: reject_proposal(s, item.id, expected_version=item.version),
                    f"已舍弃：{item.label}（按 u 可退回）",
                    next_pending_after=item.id)

    def action_reopen(self) -> None:
        item = self.current()
        if item is None:
            return
        if item.status == ProposalStatus.PENDING:
            self.say("该条目本来就是待审核。")
            return
        self.sticky.add(item.id)
        self._write(lambda s: reopen_proposal(s, item.id, expected_version=item.version),
                    f"已退回待审核：{item.label}", keep=item.id)

    def action_mark(self) -> None:
        item = self.current()
        if item is None:
            return
        if item.id in self.marks:
            self.marks.discard(item.id)
        else:
            self.marks.add(item.id)
        self.table.update_cell(str(item.id), "label", self.cells(item)[0])
        self._update_titles()
        self.table.move_cursor(row=self.table.data_row(self.table.cursor_row + 1, 1) or self.table.cursor_row,
                               animate=False)
        if self.marks:
            self.say(f"已标记 {len(self.marks)} 条。移到要保留的条目上按 m，把标记的条目并入它；Esc 取消标记。")

    def action_merge(self) -> None:
        item = self.current()
        if item is None:
            return
        others = sorted(self.marks - {item.id})
        if not others:
            self.say("先用空格标记要并入的条目，再在要保留的条目上按 m。", "error")
            return
        self.sticky.update(others)
        self.sticky.add(item.id)

        seen = {i: self.items[i].version for i in [item.id, *others] if i in self.items}

        def work(session) -> None:
            merge_proposals(session, item.id, others, expected_versions=seen)

        self.marks.clear()
        self._write(work, f"已把 {len(others)} 条并入：{item.label}（并入的条目可按 u 退回）", keep=item.id)

    def save_in_dialog(self, dialog: SavingDialog, work, *, keep: int | None, done: Callable[[object], str],
                       seen: list[int] | None = None, conflict_hint: str = "") -> str:
        """Run a dialog's write (`work(session)`) in a worker; the dialog waits (SAVING) until `on_dialog_saved`
        closes it or shows why not. `done(value)` says what was saved once the rows are read back; after a
        conflict `seen[0]` becomes the version now stored, so Enter again saves over it knowingly."""
        database = self.database
        self.fetch(lambda: attempt(database, work),
                   partial(DialogSaved, dialog=dialog, keep=keep, done=done, seen=seen or [], conflict_hint=conflict_hint),
                   group="review-dialog", exclusive=False)
        self._waiting_dialog = dialog
        return SAVING

    _waiting_dialog: SavingDialog | None = None

    def on_dialog_saved(self, message: DialogSaved) -> None:
        outcome, dialog = message.outcome, message.dialog
        self._waiting_dialog = None
        if not outcome.refused:
            value = outcome.value
            self.sticky.update(value if isinstance(value, list) else [value] if isinstance(value, int) else [])
            if message.keep is not None:
                self.sticky.add(message.keep)
            keep = value[0] if isinstance(value, list) and value else value if isinstance(value, int) else message.keep
            self.load(keep, then=lambda: self.say(message.done(value), "ok"))
            reason = None
        elif outcome.conflict_version is not None:
            if message.seen:
                message.seen[0] = outcome.conflict_version
            self.load(message.keep)
            reason = f"{outcome.refused}\n{message.conflict_hint}"
        else:
            reason = outcome.refused
        if cast(ModalScreen, dialog).is_attached:
            dialog.finish(reason)

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            return
        if item.status != ProposalStatus.PENDING:
            self.say("只能修改待审核的条目；已采纳的请到指标或项目界面修改，已舍弃或合并的先按 u 退回。", "error")
            return
        target_year = self.period.target_year if self.period else None
        is_target = item.kind == ProposalKind.TARGET
        fields = target_fields(item.data, target_year) if is_target else project_fields(item.data)
        seen = [item.version]  # after a refusal, the version now shown: Enter again overwrites knowingly

        def save(values: dict[str, str]) -> str | None:
            try:
                data = form_to_data(item.kind, values)
            except GuihuaError as exc:
                return exc.message
            return self.save_in_dialog(
                form, lambda s: edit_proposal(s, item.id, data, expected_version=seen[0]), keep=item.id, seen=seen,
                done=lambda _: f"已保存修改：{self.items[item.id].label}",
                conflict_hint="再按回车用你的修改覆盖，Esc 放弃。")

        form = FieldsForm(f"修改：{item.label}", fields, save, note=f"原文：{item.sentence[:80]}")
        self.push(form)

    def action_split(self) -> None:
        item = self.current()
        if item is None:
            return
        if item.status != ProposalStatus.PENDING:
            self.say("只能拆分待审核的条目。", "error")
            return

        seen = [item.version]

        def save(parts: list[dict]) -> str | None:
            if len(parts) < 2:
                return "拆分至少需要两项：每行写一项。"
            try:
                parts = [form_to_data(item.kind, {k: str(v) if k != "stretch" else ("是" if v else "否")
                                                  for k, v in part.items()}) for part in parts]
            except GuihuaError as exc:
                return exc.message

            def done(ids) -> str:
                return f"已拆分为 {len(ids)} 条：{'；'.join(self.items[i].label for i in ids if i in self.items)}"

            return self.save_in_dialog(
                form, lambda s: split_proposal(s, item.id, parts, expected_version=seen[0]), keep=item.id, seen=seen,
                done=done, conflict_hint="再按回车仍按此拆分，Esc 放弃。")

        form = SplitForm(item, save)
        self.push(form)

    def action_add(self) -> None:
        current = self.current()
        block_id = current.block_id if current is not None else None
        target_year = self.period.target_year if self.period else None
        empty: dict = {"comparator": "=", "year": target_year or ""} if self.kind == ProposalKind.TARGET else {}
        fields = target_fields(empty, target_year) if self.kind == ProposalKind.TARGET else project_fields(empty)
        if block_id is not None and current is not None:
            paragraph = current.sentence.replace("\n", "")
            note = f"关联段落（{self.chapter_of(current)}）：{paragraph[:60]}{'…' if len(paragraph) > 60 else ''}"
        else:
            note = "不关联段落（列表中没有选中的条目）。"
        kind, plan_id = self.kind, self.plan_id

        def save(values: dict[str, str]) -> str | None:
            try:
                data = form_to_data(kind, values)
            except GuihuaError as exc:
                return exc.message
            return self.save_in_dialog(
                form, lambda s: add_proposal(s, plan_id, kind, data, block_id=block_id), keep=None,
                done=lambda new_id: f"已新增待审核条目：{self.items[new_id].label}（按 a 采纳）")

        form = FieldsForm(f"新增{KINDS[kind]}（漏掉的条目）", fields, save, note=note, send_all=True)
        self.push(form)

    # ------------------------------------------------------------------------------------------------------
    # Source, filters, search

    @on(DataTable.RowSelected, "#review-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_source()

    def action_source(self) -> None:
        item = self.current()
        if item is None:
            return
        phrase = item.text if not item.added_by_hand else str(item.data.get("metric") or item.data.get("title") or "")
        database, block_id = self.database, item.block_id
        self.fetch(lambda: proposal_source(database, block_id, phrase), partial(SourceFound, label=item.label),
                   group="review-source")

    def on_source_found(self, message: SourceFound) -> None:
        if message.source is None:
            self.say(f"“{message.label}”没有关联到规划原文的段落。", "error")
            return
        self.post_message(ShowSource(message.source))

    def action_switch_kind(self) -> None:
        self.kind = ProposalKind.PROJECT if self.kind == ProposalKind.TARGET else ProposalKind.TARGET
        self.marks.clear()
        self.sticky.clear()
        self.rebuild()
        self.say(f"{KINDS[self.kind]}：{self.shown} 条")

    def action_cycle_status(self) -> None:
        self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        self.sticky.clear()
        self.rebuild()
        word = PROPOSAL_STATUSES.get(self.status, "") if self.status else "全部"
        self.say(f"状态：{word}（{self.shown} 条）")

    def action_search(self) -> None:
        bar = self.query_one("#review-search")
        bar.add_class("-open")
        box = self.query_one("#review-search-input", Input)
        box.value = self.query_text
        box.focus()

    @on(Input.Changed, "#review-search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.sticky.clear()
        self.rebuild()

    @on(Input.Submitted, "#review-search-input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#review-search").remove_class("-open")
        self.table.focus()
        self.say(f"搜索“{self.query_text}”：{self.shown} 条（/ 修改，Esc 清除）" if self.query_text else "已清除搜索")

    def action_escape(self) -> None:
        bar = self.query_one("#review-search")
        if bar.has_class("-open") or self.query_text:
            bar.remove_class("-open")
            self.query_one("#review-search-input", Input).value = ""  # Changed rebuilds
            self.query_text = ""
            self.table.focus()
            self.say("已清除搜索")
        elif self.marks:
            self.marks.clear()
            self.rebuild()
            self.say("已取消标记")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escape":
            return bool(self.marks or self.query_text or self.query("#review-search.-open"))
        return True

    def action_my_unit(self) -> None:
        choose_my_unit(self)

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "采纳", "采纳当前条目（a）", self.action_accept
        yield "舍弃", "舍弃当前条目（x）", self.action_reject
        yield "修改条目", "修改当前条目的内容（e）", self.action_edit
        yield "合并条目", "把空格标记的条目并入当前条目（m）", self.action_merge
        yield "拆分条目", "把一条拆成几条（s）", self.action_split
        yield "新增漏掉的条目", "手工添加查找时漏掉的指标或项目（n）", self.action_add
        yield "退回待审核", "把舍弃或合并的条目退回（u）", self.action_reopen
        yield "切换指标/项目", "文中量化指标和项目两个列表（t）", self.action_switch_kind
        yield "按审核状态筛选", "待审核、已采纳、已舍弃、已合并、全部（f）", self.action_cycle_status
        yield "查看规划原文", "到条目所在的段落（回车）", self.action_source
        yield "我的单位", "只看本单位牵头或配合的条目，各界面通用（Ctrl+U）", self.action_my_unit

