"""The kinds and states stored as text, as enums every layer shares. StrEnum: a member equals its stored
string (NodeKind.CHAPTER == "chapter"), so rows written before, and string comparisons not yet converted,
keep working; new code compares with the members."""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    """A node of a plan's tree (core.plan_text.Node, db.models.PlanNode)."""

    FRONT = "front"  # front matter: the title page, the issuing notice, the preface
    PART = "part"  # 篇
    CHAPTER = "chapter"  # 章
    SECTION = "section"  # 节
    BOX = "box"  # 专栏
    FIGURE = "figure"
    TABLE = "table"
    APPENDIX = "appendix"


class BlockKind(StrEnum):
    """A run of text inside a node (core.plan_text.Block, db.models.PlanBlock)."""

    PARAGRAPH = "paragraph"
    LEAD_IN = "lead_in"  # a part's lead-in text before its first chapter
    SUBHEADING = "subheading"  # （一） …
    BOX_GROUP = "box_group"  # a box's group heading (「迁建：」)
    BOX_ITEM = "box_item"
    FRAGMENT = "fragment"
    TABLE_CELL = "table_cell"
    TITLE = "title"
    DRAFT_MARK = "draft_mark"


class IndicatorKind(StrEnum):
    MAIN = "main"  # a row of the plan's main-indicator table
    TEXT = "text"  # a quantified target found in the running text


class ProposalKind(StrEnum):
    """What a review-queue entry proposes."""

    TARGET = "target"  # a quantified target in the text
    PROJECT = "project"
    INDICATOR = "indicator"  # a row of the plan's own main-indicator table (db.plan_indicators)


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


NODE_KINDS = frozenset(NodeKind)
BLOCK_KINDS = frozenset(BlockKind)
