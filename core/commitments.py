"""Finding a plan's commitments in its running text: quantified targets (文中量化指标) and projects (项目/工程).

Everything here is a pure function over text; the caller passes an opaque `block_key` for each block and gets
proposals back, each traced to the block, the sentence and the exact phrase it came from. Proposals are meant
to be reviewed by a person, so the finder aims for high precision and reports what it is sure of.

Quantified targets
------------------
A target is a metric, an optional bound word, a number and a unit, in one clause:

    期末全区高新技术企业突破 500 家        metric BOUND number unit        → 高新技术企业 >= 500 家
    新增投产 7 个国家一类新药              VERB number unit NOUN           → 新增投产国家一类新药 = 7 个
    建成省级以上研发机构 150 家            VERB metric number unit         → 省级以上研发机构 = 150 家
    筹集总规模不低于 50 亿元的…直投基金    VERB measure BOUND number unit 的 NOUN → …直投基金总规模 >= 50 亿元
    化学药获批量跻身全国园区前五           rank                            → …排名 <= 5 位

Rules, in the order they are applied:
- Text is folded character for character (full-width digits and signs to ASCII), so offsets stay those of
  the input.
- Past-tense sentences are skipped: those that speak of 「“十三五”」 or 2015-2020 as a time (「“十三五”末」,
  「2020年底」), 「过去五年」, 「近五年」, 「累计完成」, 「已经」. `find_in_plan` also skips whole nodes whose title
  says they review the past (「发展基础」, 「回顾」, 「成就」, 「成效」), the table and figure nodes (the main
  indicator table is read elsewhere) and headings.
- A number counts only with a unit from a whitelist (家 个 名 人 所 项 座 条 辆 … 元 亿元 吨 公里 平方米 … % ‰
  个百分点). So years (「2025年」), durations (「10 分钟」, 「24 小时」), names (「5G」, 「S231」, 「3A」) and
  「3 大产业」 are not quantities. Also not: a number inside short quotes (「“113 人才计划”」, 「“1+N”」) or
  parentheses, after 「第」 or a Latin letter, or glued to 「+」; a unit that starts a word (「113 人才」); a
  quantity followed by 「级」 (「50 亿元级企业」 is a class of firm) or 「等」 (an example, 「中航 704 所等」);
  an amount written as a qualifier (「5 亿元以上重大产业项目」).
- Chinese numerals count only right after a bound word (「超百家」, 「突破两千家」), value 2 or more.
- Comparator: the bound word before the number or the suffix after it (vocabulary of core.targets:
  突破/不低于/以上 → >=, 超/超过 → >, 不超过/以内 → <=, 低于 → <, 左右/约 → ~). A plain figure, including
  「新增 N」, is =: the office reads 「新增投产 7 个」 as "reach 7", and direction says more is fine. A range
  「1-2 家」 is its lower bound with >=. Ranks are <=, direction lower.
- Metric: the clause before the number (or before the bound word), from the last clause boundary (「，；：」,
  and 「、」 when the list item before it holds a number), with leading time words (期末, 到 2025 年, 全区 …) and
  plain verbs (建成, 培育, 形成 …) dropped; verbs that change the meaning (新增, 增加, 净增, 累计) are kept.
  When nothing is left, the metric is the noun after the unit (「7 个国家一类新药」, after its last 「的」).
  In a 「、」 list the leading 「新增」 carries to the items after it. A clause with no metric of its own
  (「年均增速 8%左右，期末力争达到 1500 亿元」) borrows the previous target's subject.
- Target year: the nearest explicit year before the number in the sentence (「到 YYYY 年」, 「二〇三五年」;
  not 「较YYYY年」), else the plan end, the target year of the plan's own period (which is what 「期末」 and
  「“十X五”末」 mean): the caller passes it (db.projects.run_finder reads it from the stored plan).
- Stretch: 「力争」 earlier in the same sentence.

Projects
--------
A project is a concrete verb (建成 建设 新建 迁建 改扩建 扩建 续建 开工建设 筹建 加快建设 …, 「推进/加快 … 建设」,
「实施 … 工程」) followed by a named object that ends in a facility word (基地 小学 中学 学校 幼儿园 医院 消防站
中心 园 项目 工程 平台 大道 路 桥 站 厂 馆 港 码头 公园 综合体 …). Objects listed with 「、」 are split when each part
ends in a facility word (「A、B、C基地」 stays one); items before 「等项目」/「等一批…」 are each a project. Objects
with 「的」 or 「一批」 are descriptive, not named, and are dropped (「建设国内领先的汽车产业中心」), as is a
paragraph's lead sentence (「建设区域性医学科学中心。」, a heading in disguise). A box item written
「迁建 5 所：A、B、C。」 yields one project per name with that action.

Keys
----
`key` is a readable fingerprint: for a target 「metric|value|unit|year」, for a project 「title」, with white
space removed and characters folded, so the same target found twice (or in a re-run) has the same key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Callable

from core.kinds import BlockKind, NodeKind
from core.plan_text import Block, Node, ParsedPlan
from core.targets import Comparator, Direction

# --------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SourceRef:
    block_key: object  # opaque id the caller passed in (a block id)
    sentence: str
    sentence_start: int  # offsets of the sentence in the block text
    sentence_end: int


@dataclass(frozen=True)
class QuantifiedTarget:
    """A quantified target found in the text (文中量化指标)."""

    metric: str
    comparator: Comparator
    value: Decimal
    unit: str
    target_year: int
    text: str  # the exact phrase, a slice of the block text: text == block_text[text_start:text_end]
    stretch: bool
    direction: Direction
    source: SourceRef
    key: str
    text_start: int = 0
    text_end: int = 0


@dataclass(frozen=True)
class ProjectProposal:
    """A project, work, platform or facility the plan commits to build, move, expand or complete."""

    title: str
    action: str
    text: str  # the phrase, a slice of the block text at text_start:text_end
    box_title: str | None
    source: SourceRef
    key: str
    text_start: int = 0
    text_end: int = 0


# --------------------------------------------------------------------------------------------------------
# Folding: one character for one, so offsets in the folded text are offsets in the input.

_FOLD = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0x00A0: " ", 0xFE65: ">", 0xFE64: "<", 0xFE6A: "%"})
_FOLD.update(dict.fromkeys([0x2010, 0x2011, 0x2012, 0x2013, 0x2015, 0x2212], "-"))
# Full-width punctuation that carries meaning in Chinese text stays as it is.
for _keep in "，；：！？（）":
    _FOLD.pop(ord(_keep), None)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _squash(text: str) -> str:
    """For keys and metrics: NFKC-folded, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _clean(text: str) -> str:
    """A metric or title as shown: white space removed, full-width brackets kept."""
    return re.sub(r"\s+", "", text).strip("，、；：。 ")


# --------------------------------------------------------------------------------------------------------
# Sentences

_TERMINALS = set("。；！？;!?")
_CLOSERS = set("”’」』）)》】")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after 。；！？ (also half-width ; ! ?), closing quotes kept with
    the sentence they close; leading and trailing white space is not part of a sentence."""
    spans: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        if text[i] in _TERMINALS:
            end = i + 1
            while end < n and text[end] in _CLOSERS:
                end += 1
            _add_span(text, start, end, spans)
            start = i = end
            continue
        i += 1
    _add_span(text, start, n, spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# --------------------------------------------------------------------------------------------------------
# Vocabulary

_COUNT_UNITS = (
    "家 个 名 人次 人 户 所 项 座 条 辆 台 套 艘 件 张 床 篇 株 部 支 处 栋 间 种 款 位 例 棵 只 块"
).split()
_MEASURE_UNITS = (
    "美元 元 吨标准煤 标准煤 吨 公里 千米 平方公里 平方米 立方米 米 亩 公顷 千瓦时 千瓦 兆瓦 标箱 岁 公斤 千克 微克 毫克"
).split()
_MULTIPLIER = "[十百千万亿]{0,2}"
_ONE_UNIT = (
    _MULTIPLIER + "(?:" + "|".join(sorted(_COUNT_UNITS + _MEASURE_UNITS, key=len, reverse=True)) + ")"
)
_UNIT_RE = rf"个百分点|百分点|%|‰|{_ONE_UNIT}(?:/{_ONE_UNIT})?"  # 「微克/立方米」
_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_SUFFIX = r"及以上|或以上|以上|及以下|以下|以内|之内|左右|上下"
_QTY = re.compile(
    rf"(?<![0-9.,])(?P<num>{_NUM})(?:\s*[-~～—至到]\s*(?P<num2>{_NUM}))?"
    rf"\s*(?P<unit>{_UNIT_RE})(?:\s*(?P<suffix>{_SUFFIX}))?"
)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万"
_CN_QTY = re.compile(
    rf"(?P<bound>超过|超|突破|逾|达到|不少于|不低于)(?P<cn>[{_CN_DIGITS}]+)(?P<unit>{'|'.join(_COUNT_UNITS)})"
    rf"(?:(?P<suffix>{_SUFFIX}))?"
)

# Bound words right before the number; longest first. (comparator, direction)
_H, _L = Direction.HIGHER, Direction.LOWER
_BOUNDS: dict[str, tuple[Comparator, Direction]] = {
    **dict.fromkeys(["不低于", "不少于", "不小于", "至少", "突破"], (Comparator.GE, _H)),
    **dict.fromkeys(["超过", "高于", "大于", "多于", "超", "逾"], (Comparator.GT, _H)),
    **dict.fromkeys(["不高于", "不超过", "不大于", "不多于"], (Comparator.LE, _L)),
    **dict.fromkeys(["低于", "小于", "少于"], (Comparator.LT, _L)),
    **dict.fromkeys(["约为", "大约", "约", "近"], (Comparator.ABOUT, _H)),
    **dict.fromkeys(
        ["控制在", "控制到", "降至", "降到", "降低到", "降低至", "下降到", "下降至", "减少到", "减少至", "压减到", "压减至"],
        (Comparator.REACH, _L),
    ),
    **dict.fromkeys(
        ["提高到", "提高至", "提升到", "提升至", "增长到", "增长至", "增加到", "增加至", "增至", "上升到", "上升至"],
        (Comparator.REACH, _H),
    ),
    **dict.fromkeys(["保持在", "稳定在", "维持在", "达到", "到达", "达", "为", "保持"], (Comparator.REACH, _H)),
}
_BOUND_ORDER = sorted(_BOUNDS, key=len, reverse=True)
_SUFFIX_COMPARATOR = {
    **dict.fromkeys(["及以上", "或以上", "以上"], Comparator.GE),
    **dict.fromkeys(["及以下", "以下", "以内", "之内"], Comparator.LE),
    **dict.fromkeys(["左右", "上下"], Comparator.ABOUT),
}

# Words a metric starts with that say when or how, not what: dropped. Checked repeatedly, longest first.
_LEAD_WORDS = sorted(
    """期末 期内 届时 五年内 今后五年 全区 全市 力争 确保 努力 争取 基本 初步 同时 并且 并 进一步 全面 加快 大力 积极
    持续 着力 重点 逐步 稳步 有序 实现 达到 建成 形成 培育 培养 打造 设立 筹集 引进 建设 完成 创建 争创 新改扩建
    新建改建 新建 改扩建 迁建 扩建 续建 建立 推动 集聚 招引 储备 吸引 开展 提供 布局 组建 支持 推进 发展 拥有 成为 至 到 在 使""".split(),
    key=len,
    reverse=True,
)
# Verbs that change what is counted (an increment, a running total): kept at the front of a metric.
_KEEP_WORDS = sorted("新增投产 新增上市 新增 净增 增加 累计新增 累计".split(), key=len, reverse=True)
# Verbs after which the counted thing follows the number (「培育 10 家以上…」, 「新增 5 家…」).
_OBJECT_VERBS = sorted(
    "新增投产 新增上市 新增 净增 增加 培育 培养 形成 建成 打造 设立 引进 建设 新建 新改扩建 新建改建 改扩建 完成 创建 招引 集聚 储备".split(),
    key=len,
    reverse=True,
)
_TRAIL_WORDS = sorted("力争 确保 要 将 基本 分别 总计 合计 均 的".split(), key=len, reverse=True)
_TIME_LEAD = re.compile(  # 「到“十五五”末」 of any period, 「到 2030 年底前」
    r"(?:到|至|在)?\s*“?十?[一二三四五六七八九]?五”?(?:规划)?\s*(?:期末|末|期间|时期)|"
    r"(?:到|至|在)?\s*(?:20[0-9]{2}|[二][〇零][一二三四五六七八九〇零]{2})\s*年\s*(?:底|末)?\s*(?:前)?"
)
# The noun after a quantity ends where one of these starts: a predicate, not part of the name.
_NOUN_STOPS = re.compile(r"为骨干|为主体|为主|为龙头|为代表|为核心|为重点|实现|达到|投产|落户|入驻|等|建设|以上")
_BOUNDARY = "，。；：！？,;:!?"
_MEASURE_WORDS = ("总规模", "规模", "总量", "总长度", "长度", "面积", "总面积", "总投资", "投资", "产值", "容量", "能力")
# Words glued after a unit that make it part of another word (「113 人才计划」).
_UNIT_COMPOUNDS = set(
    "人才 人员 人口 人民 人群 人类 人均 人文 人工 人社 个性 个人 个体 个案 名单 名称 名牌 名城 名片 名企 名师 名医 名优 名录 "
    "家庭 家园 家居 家电 家政 家族 家具 所在 所属 所有 所得 台阶 项目 条件 条例 元素 件事 户籍 户口 位置 位于 处理 处置 "
    "种植 种类 种子 种苗 间隔 部门 部署 支撑 支持 只是 块状 例如 米袋".split()
)
# Past-tense sentences: the review of the last plan period. Which period was the last one depends on the plan.
_PAST_WORDS = r"过去五年|近五年|累计完成|已经"


@lru_cache(maxsize=8)
def _past_pattern(plan_end: int | None) -> re.Pattern:
    """The previous period's name and years: for a 十五五 plan, 「“十四五”时期」 and the end of any year of it."""
    if plan_end is None:
        return re.compile(_PAST_WORDS)
    from core.period import chinese_number, period_containing

    previous = period_containing(plan_end - 5)
    name = chinese_number(previous.ordinal) + "五" if previous.ordinal else ""
    years = "|".join(str(y) for y in range(previous.base_year, previous.target_year + 1))
    return re.compile(
        (rf"“?{name}”?\s*(?:末|时期|期间|以来|期末|中期)|" if name else "")
        + _PAST_WORDS
        + rf"|(?<![较比])(?:截至|截止)?\s*(?:{years})\s*年\s*(?:底|末)"
    )


_REVIEW_TITLE = re.compile(r"发展基础|回顾|成就|成效|现状|基础与")
_YEAR = re.compile(r"(?<![较比])(?:到|至|在)?\s*(20[0-9]{2}|二[〇零][一二三四五六七八九〇零]{2})\s*年(?!\s*[-~—至])")
_CN_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CN_YEAR_DIGITS["零"] = "0"

_RANK = re.compile(
    r"(?P<verb>排名|排位|位列|位居|跻身|进入|保持)(?P<middle>[^，。；：、]{0,16}?)(?P<kind>第|前)\s*"
    r"(?P<num>[0-9]+|[一二三四五六七八九十]+)\s*(?P<unit>位|名|强)?(?![0-9\u4e00-\u9fff“”\"])"
)


def _cn_value(text: str) -> int | None:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    big = {"万": 10000}
    small = {"十": 10, "百": 100, "千": 1000}
    total, section, current = 0, 0, None
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in small:
            section += (1 if current is None else current) * small[ch]
            current = None
        elif ch in big:
            section += current or 0
            total += (section or 1) * big[ch]
            section, current = 0, None
        else:
            return None
    return total + section + (current or 0)


# --------------------------------------------------------------------------------------------------------
# Quantified targets


@dataclass
class _Found:
    start: int  # of the phrase, in the sentence
    end: int
    metric: str
    comparator: Comparator
    value: Decimal
    unit: str
    direction: Direction
    keep_prefix: str = ""  # 「新增」 that opened a 「、」 list, carried to the items after it
    respectively: tuple[str, ...] = ()  # 「A、B分别达 X、Y」: the metrics of the values still to come


def _inside_short_quotes(sentence: str, pos: int) -> bool:
    open_at = max(sentence.rfind("“", 0, pos), sentence.rfind('"', 0, pos))
    if open_at < 0:
        return False
    closed_between = sentence.rfind("”", open_at, pos)
    if closed_between >= 0:
        return False
    close_at = sentence.find("”", pos)
    return close_at >= 0 and close_at - open_at <= 16


def _inside_parentheses(sentence: str, pos: int) -> bool:
    for opening, closing in (("（", "）"), ("(", ")")):
        open_at = sentence.rfind(opening, 0, pos)
        if open_at >= 0 and sentence.rfind(closing, open_at, pos) < 0 and sentence.find(closing, pos) >= 0:
            return True
    return False


def _clause_start(sentence: str, pos: int) -> int:
    """Where the clause holding `pos` begins: after 「，；：」, or after a 「、」 whose list item holds a number."""
    i = pos - 1
    while i >= 0:
        ch = sentence[i]
        if ch in _BOUNDARY:
            return i + 1
        if ch == "、":
            j = i - 1
            while j >= 0 and sentence[j] not in _BOUNDARY and sentence[j] != "、":
                j -= 1
            if re.search(r"[0-9]", sentence[j + 1 : i]):
                return i + 1
        i -= 1
    return 0


def _strip_leading(sentence: str, start: int, end: int) -> tuple[int, str]:
    """Skip time words and plain verbs at the start of sentence[start:end]; return the new start and a kept
    prefix such as 「新增」 (which stays in the span)."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and (sentence[start].isspace() or sentence[start] in "，、"):
            start += 1
            changed = True
        match = _TIME_LEAD.match(sentence, start, end)
        if match and match.end() > start:
            start = match.end()
            changed = True
            continue
        for word in _LEAD_WORDS:
            if sentence.startswith(word, start) and start + len(word) <= end and not sentence.startswith("建成区", start):
                # 「建设」 inside a name such as 「建设银行」 is rare in plans; 「全区」 likewise.
                start += len(word)
                changed = True
                break
    keep = ""
    for word in _KEEP_WORDS:
        if sentence.startswith(word, start):
            keep = word
            break
    return start, keep


def _strip_trailing(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        text = text.rstrip()
        for word in _TRAIL_WORDS:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                changed = True
                break
    return text


def _bound_before(sentence: str, clause_start: int, pos: int) -> tuple[str, int]:
    """The bound word right before the number (white space and 「力争」 allowed between), and where it starts."""
    j = pos
    while j > clause_start and sentence[j - 1].isspace():
        j -= 1
    for word in _BOUND_ORDER:
        if j - len(word) >= clause_start and sentence.startswith(word, j - len(word)):
            return word, j - len(word)
    return "", pos


def _noun_after(sentence: str, pos: int) -> tuple[str, int]:
    """The noun phrase right after a quantity (「7 个国家一类新药」), and where it ends."""
    end = pos
    n = min(len(sentence), pos + 48)  # a noun after a quantity is short; this also keeps long lists linear
    depth = 0
    while end < n:
        ch = sentence[end]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in _BOUNDARY:
            break
        elif depth == 0 and ch == "、" and _NEXT_ITEM.match(sentence, end + 1):
            break
        end += 1
    phrase = sentence[pos:end]
    stop = _NOUN_STOPS.search(phrase)
    if stop:
        phrase = phrase[: stop.start()]
    phrase_end = pos + len(phrase.rstrip())
    if "的" in phrase:
        phrase = phrase[phrase.rfind("的") + 1 :]
    return phrase.strip(), phrase_end


_NEXT_ITEM = re.compile(r"\s*(?:[0-9]|超|突破)")


def _is_measure(unit: str) -> bool:
    return unit not in ("%", "‰", "个百分点", "百分点") and not any(unit.endswith(u) for u in _COUNT_UNITS)


def _quantities(sentence: str):
    """Candidate quantities in a folded sentence: (start, end, value, unit, suffix, bound_from_cn)."""
    for match in _QTY.finditer(sentence):
        num, num2, unit, suffix = match.group("num", "num2", "unit", "suffix")
        yield match.start(), match.end(), num, num2, unit, suffix, ""
    for match in _CN_QTY.finditer(sentence):
        value = _cn_value(match.group("cn"))
        if value is None or value < 2:
            continue
        unit, suffix, bound = match.group("unit", "suffix", "bound")
        yield match.start("cn"), match.end(), str(value), None, unit, suffix, bound


def _rejected(sentence: str, start: int, end: int, unit: str, suffix: str | None) -> bool:
    before = sentence[max(0, start - 12) : start].rstrip()
    prev = before[-1:] if before else ""
    after_text = sentence[end:]
    after = after_text.lstrip()
    nxt = after[:1]
    if prev.isascii() and (prev.isalpha() or prev in "+.-/"):
        return True
    if before.endswith(("全国", "全省", "全市", "全球", "世界")):
        return True  # 「列全国 169 家国家级高新区」: a population, not a target
    if prev == "第" or nxt in ("+", "级") or after.startswith(("等", "强", "倍", "多")):
        return True
    if after_text[:1].isascii() and after_text[:1].isalnum():  # 「5G」, 「3A」: a name
        return True
    if unit and (unit[-1] + after_text[:1]) in _UNIT_COMPOUNDS and not suffix:
        return True
    if _inside_short_quotes(sentence, start) or _inside_parentheses(sentence, start):
        return True
    # 「5 亿元以上重大产业项目」: an amount qualifying the noun after it, not a target.
    if suffix and _is_measure(unit) and nxt and nxt not in _BOUNDARY + "、的" and "\u4e00" <= nxt <= "\u9fff":
        return True
    if suffix is None and _is_measure(unit):
        # 「5 亿元（或 3000 万美元）以上…」
        if re.match(r"\s*[（(][^）)]*[）)]\s*(?:以上|以下)", after_text):
            return True
    return False


def _years(sentence: str) -> list[tuple[int, int]]:
    """(offset, year) of every explicit target year in the sentence, in order."""
    years = []
    for match in _YEAR.finditer(sentence):
        raw = match.group(1)
        if not raw.isdigit():
            raw = "".join(_CN_YEAR_DIGITS.get(c, "") for c in raw)
        if len(raw) == 4 and raw.isdigit() and 2000 <= int(raw) <= 2100:
            tail = sentence[match.end() : match.end() + 4]
            if tail.startswith(("基础上", "相比", "水平")):
                continue
            years.append((match.end(), int(raw)))
    return years


def _target_year(years: list[tuple[int, int]], pos: int, plan_end: int) -> int:
    """The nearest explicit year before `pos`, else the plan end."""
    found = [year for end, year in years if end <= pos]
    return found[-1] if found else plan_end


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _targets_in_sentence(sentence: str) -> list[_Found]:
    found: list[_Found] = []
    previous: _Found | None = None
    for start, end, num, num2, unit, suffix, cn_bound in sorted(_quantities(sentence), key=lambda q: q[0]):
        if _rejected(sentence, start, end, unit, suffix):
            continue
        value = _decimal(num)
        if value is None:
            continue
        clause = _clause_start(sentence, start)
        if cn_bound:
            bound, bound_at = cn_bound, start - len(cn_bound)
        else:
            bound, bound_at = _bound_before(sentence, clause, start)
        comparator, direction = _BOUNDS.get(bound, (Comparator.REACH, Direction.HIGHER))
        if suffix:
            comparator = _SUFFIX_COMPARATOR[suffix]
            if comparator is Comparator.LE:
                direction = Direction.LOWER
        elif num2 is not None:
            comparator = Comparator.GE  # 「1-2 家」: at least the lower bound
        # The metric: the clause before the bound word, or the noun after the unit.
        metric_end = bound_at
        while metric_end > clause and sentence[metric_end - 1] in " 力争":
            if sentence[metric_end - 1] == " ":
                metric_end -= 1
            elif sentence.endswith("力争", 0, metric_end):
                metric_end -= 2
            else:
                break
        lead, keep = _strip_leading(sentence, clause, metric_end)
        before = _strip_trailing(sentence[lead:metric_end])
        if sentence[:metric_end].rstrip()[-1:] in ("、", "，", "：", ","):
            before = ""  # 「…为龙头、2 家 50 亿元级企业」: the number opens a list item; the noun follows it
        noun, noun_end = _noun_after(sentence, end)
        verb_tail = next((v for v in _OBJECT_VERBS if before.endswith(v) and before != v), "")
        if noun and verb_tail and not _inside_parentheses(sentence, end):
            # 「适时启动经济开发区新增 2 万吨工业污水处理能力」: what is counted follows the verb.
            keep, before = (verb_tail if verb_tail in _KEEP_WORDS else ""), ""
        phrase_start, phrase_end = lead, end
        respectively: tuple[str, ...] = ()
        if before and before not in _KEEP_WORDS:
            metric = before
            if sentence[lead:metric_end].rstrip().endswith("分别"):
                names = _respectively(before)
                if len(names) >= 2:
                    metric, respectively = names[0], tuple(names[1:])
            if noun and sentence[end:].lstrip().startswith("的") and before.endswith(_MEASURE_WORDS):
                # 「筹集总规模不低于 50 亿元的医药健康产业直投基金」
                measure = next(w for w in _MEASURE_WORDS if before.endswith(w))
                metric = noun + measure
                phrase_end = noun_end
            elif metric.startswith("占") and previous is not None:
                # 「地区生产总值…，占全市比重超过 20%」
                metric = _subject(previous.metric) + metric
        elif noun:
            metric = (keep or "") + noun
            phrase_end = noun_end
            if keep and verb_tail:
                phrase_start = sentence.rfind(verb_tail, lead, metric_end)
            elif not keep:
                phrase_start = bound_at if bound else start
        elif previous is not None and previous.respectively:
            metric, respectively = previous.respectively[0], previous.respectively[1:]
            phrase_start = start
        elif previous is not None:
            # 「年均增速 8%左右，期末力争达到 1500 亿元」: the subject of the previous target.
            metric = _subject(previous.metric)
            phrase_start = bound_at if bound else start
        elif subject := _previous_clause_subject(sentence, clause):
            # 「高新技术企业数量实现翻番，达到 300 家左右」
            metric = subject
            phrase_start = bound_at if bound else start
        else:
            continue
        while phrase_start < phrase_end and sentence[phrase_start].isspace():
            phrase_start += 1
        if clause > 0 and sentence[clause - 1] == "、" and previous is not None and previous.keep_prefix:
            if not metric.startswith(tuple(_KEEP_WORDS)):
                metric = previous.keep_prefix + metric
        metric = _clean(re.sub(r"(较|比)\s*20[0-9]{2}\s*年(底|末)?", "", metric))  # 「能耗较2020年下降」
        if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", metric)) < 2:
            continue
        keep_prefix = keep if keep else (
            previous.keep_prefix if previous and clause > 0 and sentence[clause - 1] == "、" else ""
        )
        item = _Found(
            phrase_start, phrase_end, metric, comparator, value, unit, direction, keep_prefix, respectively
        )
        found.append(item)
        previous = item
    for match in _RANK.finditer(sentence):
        item = _rank(sentence, match)
        if item is not None:
            found.append(item)
    found.sort(key=lambda f: f.start)
    return found


_PREDICATE = re.compile(r"实现|达到|保持|提高|提升|增长|下降|降低|翻番|翻一番|突破|超过|稳定|持续|进一步|明显|显著|大幅")


def _previous_clause_subject(sentence: str, clause: int) -> str:
    """The subject of the clause before `clause` in the sentence: its text up to its first predicate word."""
    if clause <= 0:
        return ""
    start = _clause_start(sentence, clause - 1)
    lead, keep = _strip_leading(sentence, start, clause - 1)
    text = sentence[lead : clause - 1]
    match = _PREDICATE.search(text)
    if not match or match.start() < 2 or re.search(r"[0-9]", text):
        return ""
    return text[: match.start()].strip()


def _respectively(text: str) -> list[str]:
    """「累计新签约、新开工 5 亿元以上重大产业项目」 → one metric per listed word, sharing the words after the list."""
    parts = text.split("、")
    if len(parts) < 2 or any(not p.strip() or len(p.strip()) > 12 for p in parts[:-1]):
        return []
    match = re.match(r"\s*([^\s0-9]+?)(\s*[0-9].*)?$", parts[-1])
    if not match:
        return []
    rest = match.group(2) or ""
    words = [p.strip() for p in parts[:-1]] + [match.group(1)]
    prefix = next((w for w in _KEEP_WORDS if words[0].startswith(w)), "")
    return [(prefix if prefix and not w.startswith(prefix) else "") + w + rest for w in words]


def _subject(metric: str) -> str:
    """「地区生产总值年均增速」 → 「地区生产总值」."""
    return re.sub(r"(年均)?(增速|增长率|增长|增幅)$", "", metric) or metric


def _rank(sentence: str, match: re.Match) -> _Found | None:
    raw = match.group("num")
    value = int(raw) if raw.isdigit() else _cn_value(raw)
    if not value:
        return None
    clause = _clause_start(sentence, match.start())
    lead, _ = _strip_leading(sentence, clause, match.start())
    before = _strip_trailing(sentence[lead : match.start()])
    middle = re.sub(r"^(跻身|进入|位列|位居|保持)", "", match.group("middle"))
    subject = before + middle
    if match.group("verb") == "排名" and not before:
        return None
    metric = _clean(re.sub(r"排名$", "", subject) + "排名")
    if len(metric) < 4:
        return None
    return _Found(lead, match.end(), metric, Comparator.LE, Decimal(value), "位", Direction.LOWER)


def _is_past(sentence: str, plan_end: int | None) -> bool:
    return bool(_past_pattern(plan_end).search(sentence))


def _target_key(metric: str, value: Decimal, unit: str, year: int) -> str:
    return f"{_squash(metric)}|{_number_text(value)}|{_squash(unit)}|{year}"


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def find_quantified_targets(block_key, text: str, *, plan_end: int) -> list[QuantifiedTarget]:
    """The quantified targets in one block of text, in reading order. `plan_end`: the plan's target year."""
    if not text:
        return []
    folded = _fold(text)
    results: list[QuantifiedTarget] = []
    for s_start, s_end in split_sentences(text):
        sentence = folded[s_start:s_end]
        if _is_past(sentence, plan_end) or not re.search(r"[0-9一二两三四五六七八九十百千]", sentence):
            continue
        source = SourceRef(block_key, text[s_start:s_end], s_start, s_end)
        items = _targets_in_sentence(sentence)
        numbers = [_number_pos(sentence, item) for item in items]
        years = _years(sentence)
        for item, number_at in zip(items, numbers):
            start, end = s_start + item.start, s_start + item.end
            # The year may sit inside the phrase (「到 2025 年新增…」): look up to the number itself.
            year = _target_year(years, number_at, plan_end)
            stretch = _stretch(sentence, number_at, numbers)
            results.append(
                QuantifiedTarget(
                    metric=item.metric,
                    comparator=item.comparator,
                    value=item.value,
                    unit=item.unit,
                    target_year=year,
                    text=text[start:end],
                    stretch=stretch,
                    direction=item.direction,
                    source=source,
                    key=_target_key(item.metric, item.value, item.unit, year),
                    text_start=start,
                    text_end=end,
                )
            )
    return results


def _stretch(sentence: str, number_at: int, numbers: list[int]) -> bool:
    """「力争」 governs the clause it stands in and the clauses after it that go on listing targets:
    「力争新增投产 7 个国家一类新药，新增上市靶向药物品种 10 个」, not 「力争在…取得突破，…总量超 5.5 万人」."""
    at = sentence.rfind("力争", 0, number_at)
    if at < 0:
        return False
    clause = _clause_start(sentence, at)
    while True:
        end = next((i for i in range(clause, len(sentence)) if sentence[i] in _BOUNDARY), len(sentence))
        if end >= number_at:
            return True
        if not any(clause <= n < end for n in numbers):
            return False
        clause = end + 1


def _number_pos(sentence: str, item: _Found) -> int:
    match = re.search(r"[0-9一二两三四五六七八九十百千]", sentence[item.start : item.end])
    return item.start + (match.start() if match else 0)


# --------------------------------------------------------------------------------------------------------
# Projects

_ACTIONS = sorted(
    "建成 建设 新建 迁建 改扩建 新改扩建 新建或改建 扩建 续建 开工建设 筹建 改造 改造升级 建成投用 建成推广 开工 完成 加快建设 "
    "加快推进 推进 实施 启动"
    .split(),
    key=len,
    reverse=True,
)
_ADVERBS = sorted(
    "全面 加快 积极 努力 基本 重点 有序 力争 大力 着力 进一步 规划 适时 尽快 全力 高标准 高质量 持续 争取 率先 初步".split(),
    key=len,
    reverse=True,
)
_FACILITY = sorted(
    """基地 小学 中学 初中 初级中学 高中 学校 学院 校区 幼儿园 医院 中医院 卫生院 消防站 消防大队 中心 分中心 园 园区 产业园 项目
    工程 平台 大道 路 桥 大桥 站 厂 馆 港 物联港 码头 公园 综合体 生产线 研究院 实验室 街区 广场 商圈 湿地 绿廊 铁路 支线
    高架 一条街 街 社区 小镇 酒店 谷 商务区 楼 大厦 书房 枢纽 管网 机场 机构 中心站 高铁 孵化器 绿道""".split(),
    key=len,
    reverse=True,
)
_GENERIC_START = (
    "一批", "一系列", "若干", "多个", "各类", "一个", "一所", "一支", "各", "全国", "国内", "一流", "美丽", "现代", "特色",
    "高水平", "高标准", "高端", "重大", "公共", "协同", "新型", "综合性", "或",
)
_LIST_CLASS = re.compile(r"等(?:一批)?(?:[^，。；、]{0,12}?)(项目|节点|载体|工程|设施|企业|平台)")
_BOX_HEADING = re.compile(
    r"^\s*(?P<action>新改扩建|改扩建|扩建|迁建|新建|续建|建成|新开工|开工)\s*(?:[0-9]+\s*[所个座家项处条])?\s*[：:]\s*(?P<rest>.+)$",
    re.S,
)
_LEAD_SENTENCE = re.compile(r"^[^，。；：、！？]{2,16}。")


def _ends_with_facility(title: str) -> bool:
    title = re.sub(r"[（(][^（）()]*[）)]$", "", title.strip())  # 「临床试验平台（GCP）」
    return title.endswith(tuple(_FACILITY))


def _acceptable_title(title: str) -> bool:
    if not (2 <= len(title) <= 32):
        return False
    if "的" in title or "一批" in title or title.startswith(_GENERIC_START):
        return False
    if re.search(r"[两二三四五六七八九十]大", title):  # 「五大功能园区」: a group, not a named thing
        return False
    if re.search(r"[0-9]+\s*[所个座家项处条]", title):  # 「社区卫生服务中心 6 家」: a count, a target
        return False
    return True


def _split_objects(phrase: str) -> list[str]:
    """Split a list of objects on 「、」, keeping 「A、B、C基地」 (a shared head noun) together."""
    parts = [p.strip() for p in phrase.split("、")]
    merged: list[str] = []
    carry = ""
    for part in parts:
        joined = carry + ("、" if carry else "") + part
        if _ends_with_facility(part) or _trailing_action(part)[1]:
            merged.append(joined)
            carry = ""
        else:
            carry = joined
    if carry:
        merged.append(carry)
    result: list[str] = []
    for item in merged:
        # 「滨江物流园和滨江商务中心」: two names joined by 和/及/与 when both end in a facility word.
        pieces = re.split(r"和|及|与", item)
        if len(pieces) == 2 and all(_ends_with_facility(p.strip()) and len(p.strip()) >= 3 for p in pieces):
            result.extend(p.strip() for p in pieces)
        else:
            result.append(item)
    return result


_COUNTED_GROUP = re.compile(r"^(?P<names>.+?)(?P<count>[两二三四五六七八九十0-9]+)\s*[所个座家项处条][^、，,]{0,6}$")


def split_project_title(title: str) -> list[str]:
    """The separate projects a title lists, for the review queue's split: one part when it names one thing.

    The finder's rule (`_split_objects`): 「、」 (or 「，」) separates projects only where each part ends in a
    facility word, so 「化学药高端制剂、体外诊断试剂、生物制品中试工艺开发平台」 (one platform, the head noun at the
    end governing every item) stays whole; 「A和B」 splits when both name facilities. A counted group
    「实验小学、第二中学两所学校」 lists its names: one part per name when the count matches.
    """
    title = title.strip()
    counted = _COUNTED_GROUP.match(title)
    if counted:
        names = [n.strip() for n in re.split(r"[、，,]|和|及|与", counted["names"]) if n.strip()]
        count = counted["count"]
        if len(names) > 1 and (int(count) if count.isdigit() else _cn_value(count)) == len(names):
            return names
    listed = re.sub(r"[，,]", "、", title)  # one separator, character for character: offsets stay the title's
    parts, at = [], 0
    for part in _split_objects(listed):
        if part.strip("、 "):
            start = listed.index(part, at)
            parts.append(title[start : start + len(part)])  # the title's own words, its own 「，」 kept
            at = start + len(part)
    return parts if len(parts) > 1 else [title]


def _trailing_action(title: str) -> tuple[str, str]:
    """「高港消防大队改扩建」 → (「高港消防大队」, 「改扩建」)."""
    for action in ("改扩建", "扩建", "迁建", "新建", "续建", "改造"):
        if title.endswith(action) and len(title) > len(action) + 1:
            return title[: -len(action)], action
    return title, ""


_VERB_HINT = re.compile(
    r"建|设|推|实施|打造|培育|发展|提升|完善|加强|开展|形成|构建|引进|促进|支持|强化|优化|争|创|衔接|对接|依托|围绕|布局|引导"
)


def _has_verb(text: str) -> bool:
    return bool(_VERB_HINT.search(text))


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(sentence):
        if ch in "，。；：！？,;:!?":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(sentence)))
    return [(a, b) for a, b in spans if b > a]


_CLAUSE_STARTS = frozenset(word[0] for word in (*_ADVERBS, *_ACTIONS))


def _project_clause(clause: str) -> tuple[str, int, int] | None:
    """(action, start of object, end of object) when a clause commits to building something."""
    pos = 0
    while pos < len(clause) and clause[pos].isspace():
        pos += 1
    if pos == len(clause) or clause[pos] not in _CLAUSE_STARTS:
        return None  # most clauses: no adverb or action starts here (checked first, for speed)
    changed = True
    while changed:
        changed = False
        for adverb in _ADVERBS:
            if not clause.startswith(adverb, pos):
                continue
            longer_action = any(clause.startswith(a, pos) for a in _ACTIONS if len(a) > len(adverb))  # 「加快建设」
            if not longer_action:
                pos += len(adverb)
                changed = True
                break
    for action in _ACTIONS:
        if not clause.startswith(action, pos):
            continue
        obj_start = pos + len(action)
        obj_end = len(clause.rstrip())
        if action in ("推进", "加快推进", "启动", "开工"):
            # 「推进南中医泰州校区建设」: the object is between the verb and 「建设」.
            match = re.search(r"(建设|改造|扩建|改扩建)$", clause[obj_start:obj_end].rstrip())
            if not match:
                return None
            return action, obj_start, obj_start + match.start()
        if action == "实施":
            if not re.search(r"工程$", clause[obj_start:obj_end].rstrip()):
                return None
        if action == "完成" and not re.search(r"(工程|项目|改造|扩能|建设)$", clause[obj_start:obj_end]):
            return None
        return action, obj_start, obj_end
    return None


def find_projects(
    block_key, text: str, *, box_title: str | None = None, kind: str = BlockKind.PARAGRAPH, group_action: str | None = None,
    plan_end: int | None = None,
) -> list[ProjectProposal]:
    """Projects named in one block. `kind` is the block kind; a box item 「迁建 5 所：A、B。」 gives one project per
    name. `group_action` is the action of a box group heading above a box item (「迁建：」), if any. `plan_end`
    (the plan's target year) tells which period's review sentences to skip."""
    if not text:
        return []
    folded = _fold(text)
    results: list[ProjectProposal] = []

    def add(title: str, action: str, start: int, end: int, s_span: tuple[int, int]):
        title, trailing = _trailing_action(_clean(title))
        action = trailing or action
        title = re.sub(r"(建设|项目建设)$", "", title) if not title.endswith("项目") else title
        title = _clean(title)
        if not _acceptable_title(title):
            return
        source = SourceRef(block_key, text[s_span[0] : s_span[1]], s_span[0], s_span[1])
        results.append(
            ProjectProposal(
                title=title, action=action, text=text[start:end], box_title=box_title, source=source,
                key=f"project|{_squash(title)}", text_start=start, text_end=end,
            )
        )

    if kind in (BlockKind.BOX_ITEM, BlockKind.BOX_GROUP):
        heading = _BOX_HEADING.match(folded)
        if heading or (group_action and kind == BlockKind.BOX_ITEM):
            action = heading.group("action") if heading else group_action
            rest_start = heading.start("rest") if heading else 0
            span = (0, len(text.rstrip()))
            offset = rest_start
            for piece in re.split(r"([、，；。;,])", folded[rest_start:]):
                if piece and piece not in "、，；。;,":
                    name = piece.strip()
                    if name and (heading or _ends_with_facility(name)) and not _project_clause(name):
                        lead = offset + (len(piece) - len(piece.lstrip()))
                        add(name, action, lead, lead + len(name), span)
                offset += len(piece)
            if heading:
                return results

    for s_start, s_end in split_sentences(text):
        sentence = folded[s_start:s_end]
        if _is_past(sentence, plan_end):
            continue
        is_lead = s_start == 0 and kind == BlockKind.PARAGRAPH and len(sentence) < len(text.strip())
        if is_lead and _LEAD_SENTENCE.match(sentence):
            continue
        previous_action = previous_suffix = None
        for c_start, c_end in _clauses(sentence):
            clause = sentence[c_start:c_end]
            found = _project_clause(clause)
            if not found:
                # 「建设国家级疫苗临床评价基地，国家级…实训基地。」: a verbless clause continues the list before it.
                item = clause.strip()
                if (
                    previous_action
                    and previous_suffix
                    and sentence[c_start - 1 : c_start] == "，"
                    and item.endswith(previous_suffix)
                    and len(item) <= 32
                    and not _has_verb(item)
                ):
                    lead = s_start + c_start + (len(clause) - len(clause.lstrip()))
                    add(item, previous_action, lead, lead + len(item), (s_start, s_end))
                previous_action = previous_suffix = None
                continue
            action, o_start, o_end = found
            previous_action, previous_suffix = action, None
            obj = clause[o_start:o_end]
            listed = _LIST_CLASS.search(obj)
            base = s_start + c_start + o_start
            if listed:
                # 「建成扬子江海济、华永平台等项目」: each item before 等 is a project.
                names = obj[: listed.start()]
                head = re.sub(r"^一批", "", obj[listed.start() + 1 :].strip())
                if "的" in head:
                    continue
                offset = 0
                for piece in re.split(r"(、)", names):
                    if piece and piece != "、":
                        name = piece.strip()
                        title = name
                        if not _ends_with_facility(name) and re.search(r"(基地|中心)$", head):
                            title = name + head  # 「硕世生物、迈博太科等一批医药企业总部基地」
                        lead = base + offset + (len(piece) - len(piece.lstrip()))
                        add(title, action, lead, lead + len(name), (s_start, s_end))
                    offset += len(piece)
                previous_action = action
                continue
            if "的" in obj:
                continue  # 「建成全国一流的生物医药创新中心」: described, not named
            offset = 0
            for item in _split_objects(obj):
                at = obj.find(item, offset)
                if at < 0:
                    at = offset
                offset = at + len(item)
                stripped, trailing = _trailing_action(item.strip())
                if not (_ends_with_facility(stripped) or _ends_with_facility(item.strip())):
                    continue
                lead = base + at + (len(item) - len(item.lstrip()))
                add(item, action, lead, lead + len(item.strip()), (s_start, s_end))
                previous_suffix = next((f for f in _FACILITY if stripped.endswith(f)), None)
    return results


# --------------------------------------------------------------------------------------------------------
# A whole plan

_TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.LEAD_IN, BlockKind.BOX_ITEM, BlockKind.BOX_GROUP)


def _block_default_key(block: Block):
    return block.line_start


def find_in_plan(
    parsed: ParsedPlan, key: Callable[[Block], object] = _block_default_key, *, plan_end: int | None = None
) -> tuple[list[QuantifiedTarget], list[ProjectProposal]]:
    """Targets and projects in every block of the plan, in reading order. Review sections (their titles say
    发展基础, 回顾 …), tables and figures are skipped; box items get their box's title.

    `plan_end` is the target year of the plan's period; without it, the period the parsed plan states
    (core.period.stated_period); a plan that states none raises ValueError."""
    if plan_end is None:
        from core.period import stated_period

        period = stated_period(parsed)
        if period is None:
            raise ValueError("the plan does not state its period: pass plan_end")
        plan_end = period.target_year
    targets: list[QuantifiedTarget] = []
    projects: list[ProjectProposal] = []

    def visit(node: Node, in_review: bool):
        if node.kind in (NodeKind.TABLE, NodeKind.FIGURE, NodeKind.APPENDIX) or (node.kind == NodeKind.FRONT and node.title == "印发通知"):
            return  # tables and glossaries are no commitments; the notice only hands the plan out
        review = in_review or bool(_REVIEW_TITLE.search(node.title or ""))
        box_title = node.title if node.kind == NodeKind.BOX else None
        group_action: str | None = None
        for item in node.items:
            if isinstance(item, Node):
                visit(item, review)
                continue
            if item.kind not in _TEXT_KINDS or review:
                continue
            block_key = key(item)
            if item.kind == BlockKind.BOX_GROUP:
                heading = re.match(r"^\s*(新改扩建|改扩建|扩建|迁建|新建|续建|建成)", _fold(item.text))
                group_action = heading.group(1) if heading else None
            targets.extend(find_quantified_targets(block_key, item.text, plan_end=plan_end))
            projects.extend(
                find_projects(
                    block_key, item.text, box_title=box_title, kind=item.kind,
                    group_action=group_action if item.kind == BlockKind.BOX_ITEM else None, plan_end=plan_end,
                )
            )

    for node in parsed.nodes:
        visit(node, False)
    return targets, projects
