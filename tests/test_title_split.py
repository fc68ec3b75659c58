"""The review queue's split (`s`) proposes parts only where a project title lists separate projects
(core.commitments.split_project_title, the finder's own rule)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.commitments import _FACILITY, _ends_with_facility, _trailing_action, split_project_title

# plain words with no facility word, action or separator in them: 「化学药高端制剂」-like list items
_ITEM = st.text(alphabet="化学药高端制剂体外诊断试剂生物制品工艺开发智能装备新能源材料", min_size=2, max_size=8)
_FACILITY_WORD = st.sampled_from([f for f in _FACILITY if len(f) >= 2])


@pytest.mark.parametrize(("title", "parts"), [
    # one platform: the head noun at the end governs every item
    ("化学药高端制剂、体外诊断试剂、生物制品中试工艺开发平台", ["化学药高端制剂、体外诊断试剂、生物制品中试工艺开发平台"]),
    ("迈博太科医药企业总部基地", ["迈博太科医药企业总部基地"]),
    ("新材料、新能源产业园", ["新材料、新能源产业园"]),
    ("口岸实验小学、高港中学、刁铺卫生院", ["口岸实验小学", "高港中学", "刁铺卫生院"]),
    ("滨江物流园和滨江商务中心", ["滨江物流园", "滨江商务中心"]),
    ("口岸实验小学，高港中学", ["口岸实验小学", "高港中学"]),
    ("实验小学、第二中学两所学校", ["实验小学", "第二中学"]),
    ("东区、西区两座公园", ["东区", "西区"]),
    ("东区、西区三座公园", ["东区、西区三座公园"]),  # the count does not match the names: one group
])
def test_split_examples(title, parts):
    assert split_project_title(title) == parts


@given(st.lists(_ITEM, min_size=1, max_size=5), _ITEM, _FACILITY_WORD)
def test_a_shared_head_noun_keeps_the_list_one_project(items, last, head):
    assume(not any(_ends_with_facility(i) or _trailing_action(i)[1] for i in items))
    title = "、".join([*items, last + head])
    assert split_project_title(title) == [title]


@given(st.lists(st.tuples(_ITEM, _FACILITY_WORD).map("".join), min_size=2, max_size=5, unique=True))
def test_separate_facilities_are_proposed_one_per_line(names):
    assert split_project_title("、".join(names)) == names


@given(st.text(alphabet="化学药高端制剂基地中心平台、，和与及园路两所学校0123", max_size=30))
def test_parts_are_the_titles_own_words_in_order(title):
    assume(title.strip())
    parts = split_project_title(title)
    assert parts and all(parts)
    rest = title
    for part in parts:
        assert part in rest
        rest = rest[rest.index(part) + len(part):]
