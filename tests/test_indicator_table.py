"""core.indicator_table: the plan's own main-indicator table, read from the shapes real plans give it.

The three real 十五五 tables below are the plans' own lines, verbatim (each plan's .truth.json notes where the
table stands); the expected rows were read off the printed tables by hand. The bundled 十四五 seed's table was
extracted column by column: it must give no invented rows, only a warning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.indicator_table import (
    FoundTable,
    IndicatorRow,
    find_indicator_tables,
    indicator_key,
    read_indicator_table,
    read_plan_indicator_table,
    row_warnings,
    target_problem,
)
from core.plan_text import Block, Node, ParsedPlan
from importers.plan import bundled_plan_bytes

PLANS = Path("/work/shared/plans")


def table_rows(table) -> list[tuple]:
    return [(r.category, r.number, r.name, r.unit, r.attribute, r.base_text, r.target_text) for r in table.rows]


# /work/shared/plans/02-suzhou-15th.txt, lines 556–604, verbatim
SUZHOU = """\
表 1 “十五五”经济社会发展主要指标
序号 指 标 2030 年目标 属性
一、经济强（12 项）
1 地区生产总值年均增长（%） 5 左右 预期性
2 全员劳动生产率年均增长（%） 高于地区生产总值年均增长 预期性
3 全社会研发经费支出占地区生产总值比重（%） 4.8 左右 预期性
4 每万人口高价值发明专利拥有量（件） 80 预期性
5 规上工业增加值率（%） 提高 1 个百分点以上 预期性
6 制造业增加值占地区生产总值比重（%） ＞40 预期性
7 高新技术产业产值占规上工业总产值比重（%） ＞60 预期性
8 规上数字经济核心产业营业收入占规上企业营业
收入比重（%） 32.5 预期性
9 金融业增加值占地区生产总值比重（%） 稳中有升 预期性
10 生产性服务业增加值占服务业增加值比重（%） 62 预期性
11 服务贸易进出口年均增长（%） 10 左右 预期性
12 粮食综合生产能力（亿斤） ＞19 约束性
— 13 —
序号 指 标 2030 年目标 属性
二、百姓富（7 项）
13 居民人均可支配收入年均增速（%） 与地区生产总值增长同步 预期性
14 城镇新增就业人数（万人） 175 预期性
15 普通高中招生计划占比（%） ＞80 预期性
16 3 岁以下婴幼儿入托率（%） 25 预期性
17 养老机构护理型床位占比（%） ＞75 预期性
18 居民重大慢病过早死亡率（%） ＜6 预期性
19 人均预期寿命（岁） 85 左右 预期性
三、环境美（6 项）
20 单位地区生产总值二氧化碳排放下降率（%） 完成省定目标 约束性
21 单位地区生产总值建设用地使用面积下降率（%） 18 预期性
22 单位地区生产总值用水量下降率（%） 完成省定目标 约束性
23 细颗粒物（PM2.5）年均浓度（微克/立方米） 28 左右 约束性
24 地表水优良水体比例（%） 完成省定目标 约束性
25 森林覆盖率（%） ≥7.64 约束性
四、社会文明程度高（5 项）
26 劳动年龄人口平均受教育年限（年） 12.6 约束性
27 新增大专及以上学历人才（万人） 150 预期性
28 文化产业增加值占地区生产总值比重（%） ＞6 预期性
29 法治建设满意度（分） 93 预期性
30 生产安全事故死亡人数下降率（%） 完成省定目标 约束性
在此基础上再奋斗五年，到 2035 年，城市综合竞争力、国际
影响力、可持续发展能力大幅提升，人均地区生产总值和居民收
入达到更高水平，人民生活更加幸福美好，基本实现社会主义现
代化。
第二篇 加快发展新质生产力 构建现代化产业体系
坚守实体经济，坚持智能化、绿色化、融合化方向，实施“苏
州智造”强基提质工程，巩固制造业领先地位，促进服务业优质
高效发展，构建以先进制造业为骨干的现代化产业体系，创建国
家新型工业化示范区，打造制造强市，建设具有国际竞争力的“智
能制造之城”。
"""


SUZHOU_ROWS = [  # category, number, name, unit, attribute, base, target
    ('经济强', '1', '地区生产总值年均增长', '%', '预期性', '', '5左右'),
    ('经济强', '2', '全员劳动生产率年均增长', '%', '预期性', '', '高于地区生产总值年均增长'),
    ('经济强', '3', '全社会研发经费支出占地区生产总值比重', '%', '预期性', '', '4.8左右'),
    ('经济强', '4', '每万人口高价值发明专利拥有量', '件', '预期性', '', '80'),
    ('经济强', '5', '规上工业增加值率', '%', '预期性', '', '提高1个百分点以上'),
    ('经济强', '6', '制造业增加值占地区生产总值比重', '%', '预期性', '', '＞40'),
    ('经济强', '7', '高新技术产业产值占规上工业总产值比重', '%', '预期性', '', '＞60'),
    ('经济强', '8', '规上数字经济核心产业营业收入占规上企业营业收入比重', '%', '预期性', '', '32.5'),
    ('经济强', '9', '金融业增加值占地区生产总值比重', '%', '预期性', '', '稳中有升'),
    ('经济强', '10', '生产性服务业增加值占服务业增加值比重', '%', '预期性', '', '62'),
    ('经济强', '11', '服务贸易进出口年均增长', '%', '预期性', '', '10左右'),
    ('经济强', '12', '粮食综合生产能力', '亿斤', '约束性', '', '＞19'),
    ('百姓富', '13', '居民人均可支配收入年均增速', '%', '预期性', '', '与地区生产总值增长同步'),
    ('百姓富', '14', '城镇新增就业人数', '万人', '预期性', '', '175'),
    ('百姓富', '15', '普通高中招生计划占比', '%', '预期性', '', '＞80'),
    ('百姓富', '16', '3岁以下婴幼儿入托率', '%', '预期性', '', '25'),
    ('百姓富', '17', '养老机构护理型床位占比', '%', '预期性', '', '＞75'),
    ('百姓富', '18', '居民重大慢病过早死亡率', '%', '预期性', '', '＜6'),
    ('百姓富', '19', '人均预期寿命', '岁', '预期性', '', '85左右'),
    ('环境美', '20', '单位地区生产总值二氧化碳排放下降率', '%', '约束性', '', '完成省定目标'),
    ('环境美', '21', '单位地区生产总值建设用地使用面积下降率', '%', '预期性', '', '18'),
    ('环境美', '22', '单位地区生产总值用水量下降率', '%', '约束性', '', '完成省定目标'),
    ('环境美', '23', '细颗粒物（PM2.5）年均浓度', '微克/立方米', '约束性', '', '28左右'),
    ('环境美', '24', '地表水优良水体比例', '%', '约束性', '', '完成省定目标'),
    ('环境美', '25', '森林覆盖率', '%', '约束性', '', '≥7.64'),
    ('社会文明程度高', '26', '劳动年龄人口平均受教育年限', '年', '约束性', '', '12.6'),
    ('社会文明程度高', '27', '新增大专及以上学历人才', '万人', '预期性', '', '150'),
    ('社会文明程度高', '28', '文化产业增加值占地区生产总值比重', '%', '预期性', '', '＞6'),
    ('社会文明程度高', '29', '法治建设满意度', '分', '预期性', '', '93'),
    ('社会文明程度高', '30', '生产安全事故死亡人数下降率', '%', '约束性', '', '完成省定目标'),
]


# /work/shared/plans/03-nanjing-15th.txt, lines 365–398, verbatim
NANJING = """\
专栏2  “十五五”经济社会发展主要指标
分类    序号    指标    属性    2030年目标值
经济强    1    地区生产总值（GDP）年均增长率（%）    预期性    5以上
    2    制造业增加值占比（%）    预期性    基本稳定
    3    全社会研发经费投入年均增长（%）    预期性    7.5
    4    每万人口拥有高价值发明专利数（件）    预期性    120
    5    全员劳动生产率（万元）    预期性    48
    6    规上数字经济核心产业企业营业收入占比（%）    预期性    24
    7    规上生产性服务业营业收入年均增速（%）    预期性    6
百姓富    8    居民人均可支配收入增长    预期性    与经济增长
保持同步
    9    人均预期寿命（岁）    预期性    ≥85
    10    每千人口拥有医护
人员数    执业（助理）医师数（人）    预期性    5
            注册护士数（人）    预期性    5.5
    11    3岁以下婴幼儿入托率（%）    预期性    20
    12    养老机构护理型床位占比（%）    预期性    85
环境美    13    单位地区生产总值二氧化碳排放降低（%）    约束性    完成省定目标
    14    地表水国考断面优良水体比例（%）    约束性    完成省定目标
    15    细颗粒物（PM2.5）年均浓度（微克/立方米）    约束性    完成省定目标
    16    森林覆盖率（%）    约束性    完成省定目标
社会文明程度高    17    新增就业参保大学生人数（万人）    预期性    完成省定目标
    18    劳动年龄人口平均受教育年限（年）    约束性    13.5
    19    文化产业增加值占GDP比重（%）    预期性    6.5左右
    20    旅游业总收入（亿元）    预期性    3300
    21    南京至都市圈内成员城市1小时通达率（%）    预期性    100
城市安全韧性    22    耕地保有量（万公顷）    约束性    完成省定目标
    23    粮食综合生产能力（万吨）    约束性    ＞100
    24    生产安全事故    起数下降（%）    约束性    〔20〕
            死亡人数下降（%）        〔16〕

注：带〔〕数据表示“十五五”期间累计变化情况

第二篇  立足产业强市之要，
"""


NANJING_ROWS = [  # category, number, name, unit, attribute, base, target
    ('经济强', '1', '地区生产总值（GDP）年均增长率', '%', '预期性', '', '5以上'),
    ('经济强', '2', '制造业增加值占比', '%', '预期性', '', '基本稳定'),
    ('经济强', '3', '全社会研发经费投入年均增长', '%', '预期性', '', '7.5'),
    ('经济强', '4', '每万人口拥有高价值发明专利数', '件', '预期性', '', '120'),
    ('经济强', '5', '全员劳动生产率', '万元', '预期性', '', '48'),
    ('经济强', '6', '规上数字经济核心产业企业营业收入占比', '%', '预期性', '', '24'),
    ('经济强', '7', '规上生产性服务业营业收入年均增速', '%', '预期性', '', '6'),
    ('百姓富', '8', '居民人均可支配收入增长', '', '预期性', '', '与经济增长保持同步'),
    ('百姓富', '9', '人均预期寿命', '岁', '预期性', '', '≥85'),
    ('百姓富', '10', '每千人口拥有医护人员数：执业（助理）医师数', '人', '预期性', '', '5'),
    ('百姓富', '10', '每千人口拥有医护人员数：注册护士数', '人', '预期性', '', '5.5'),
    ('百姓富', '11', '3岁以下婴幼儿入托率', '%', '预期性', '', '20'),
    ('百姓富', '12', '养老机构护理型床位占比', '%', '预期性', '', '85'),
    ('环境美', '13', '单位地区生产总值二氧化碳排放降低', '%', '约束性', '', '完成省定目标'),
    ('环境美', '14', '地表水国考断面优良水体比例', '%', '约束性', '', '完成省定目标'),
    ('环境美', '15', '细颗粒物（PM2.5）年均浓度', '微克/立方米', '约束性', '', '完成省定目标'),
    ('环境美', '16', '森林覆盖率', '%', '约束性', '', '完成省定目标'),
    ('社会文明程度高', '17', '新增就业参保大学生人数', '万人', '预期性', '', '完成省定目标'),
    ('社会文明程度高', '18', '劳动年龄人口平均受教育年限', '年', '约束性', '', '13.5'),
    ('社会文明程度高', '19', '文化产业增加值占GDP比重', '%', '预期性', '', '6.5左右'),
    ('社会文明程度高', '20', '旅游业总收入', '亿元', '预期性', '', '3300'),
    ('社会文明程度高', '21', '南京至都市圈内成员城市1小时通达率', '%', '预期性', '', '100'),
    ('城市安全韧性', '22', '耕地保有量', '万公顷', '约束性', '', '完成省定目标'),
    ('城市安全韧性', '23', '粮食综合生产能力', '万吨', '约束性', '', '＞100'),
    ('城市安全韧性', '24', '生产安全事故：起数下降', '%', '约束性', '', '〔20〕'),
    ('城市安全韧性', '24', '生产安全事故：死亡人数下降', '%', '约束性', '', '〔16〕'),
]


# /work/shared/plans/04-guangzhou-15th.txt, lines 885–1237, verbatim
GUANGZHOU = """\
专栏

1

 “十五五”时期经济社会发展主要指标

类别

指标

单位

2025年

完成值

2030年

目标值

属性

经济发展

1. 地区生产总值年均增长

%

“十四五”年均增长4.0

“十五五”年均增长5.0左右

预期性

2. 全员劳动生产率

万元/人

28

36

预期性

3. 工业总产值

万亿元

2.5

3

预期性

4. “15+8”产业增加值占地区生产总值比重*

%

58.6

67.5

预期性

5. 数字经济核心产业增加值占地区生产总值比重

%

15.0

18.0

预期性

6. 社会消费品零售总额年均增长

%

“十四五”年均增长4.1

“十五五”年均增长

5.0左右

预期性

7. 海洋生产总值*

亿元

5231

7300

预期性

科技创新

8. 全社会研发经费支出占地区生产总值比重

%

3.4

4.0左右

预期性

9. 企业研发经费支出占全社会研发经费支出比重

%

66

70

预期性

10. 每万人高价值发明专利拥有量

件

43.9

60

预期性

对外开放

11. 商品进出口总值年均增长

%

“十四五”年均增长5.4

“十五五”年均增长

6.0左右

预期性

12. 服务外包合同执行额

亿美元

200

240

预期性

13. 机场旅客/货邮吞吐量

万人次/

万吨

8358/244

11000/350

预期性

14. 港口货物/集装箱吞吐量

亿吨/

万标箱

6.99/2805

7.4/3100

预期性

绿色低碳

15. 单位地区生产总值二氧化碳排放降低

%

2021-2024年累计降低8.2

完成省下达目标

约束性

16. 细颗粒物（PM
2.5
）年均浓度

微克/立方米

21.5

≤20

约束性

17. 地表水优良水体比例*

%

100

完成省下达目标

约束性

18. 森林覆盖率

%

41.65

完成省下达目标

约束性

民生福祉

19. 常住人口城镇化率

%

87.56

88

预期性

20. 累计城镇新增就业人数

万人

“十四五”

累计新增160

完成省下达目标

预期性

21. 常住居民人均可支配收入年均增速

%

“十四五”年均增长5.0

与经济增长同步

预期性

22. 城乡居民人均可支配收入比值

—

1.99

1.9

预期性

23. 普通高中入学率

%

57.61

≥70

预期性

24. 每千人口拥有医护人员数

每千人口拥有执业（助理）医师数

人

4.45

4.50

预期性

每千人口拥有注册护士数

人

5.21

5.30

25. 养老机构认知障碍照护床位数

张

5500

≥7000

预期性

26. 3岁以下婴幼儿入托率

%

10

20

预期性

27. 人均预期寿命

岁

84.38

≥85

预期性

安全保障

28. 电力电源装机规模

万千瓦

1624

2050

预期性

29. 单位地区生产总值生产安全事故死亡率

人/百亿元

0.61

完成省下达目标

约束性

　　注：1.“15+8”产业是指15个战略性产业和8个现代服务业，其中15个战略性产业包括智能网联与新能源汽车、超高清视频与新型显示、生物医药与健康、绿色石化与新材料、软件与互联网、智能装备与机器人6个新兴支柱产业，人工智能、半导体与集成电路、新能源与新型储能、低空经济与航空航天、生物制造5个战略先导产业，以及时尚消费品、轨道交通、船舶与海洋工程、智能建造与工业化建筑4个特色优势产业；8个现代服务业包括现代金融、科技服务、专业服务3个追赶先进类行业，以及现代商贸、物流与供应链、会展、文化创意、旅游休闲5个保持位势类行业。

　　2. 根据《海洋及相关产业分类》（GB/T 20794—2021），海洋生产总值分为三个层级，第一层级是海洋经济核心层，包括海洋渔业、沿海滩涂种植业、海洋水产品加工业、海洋油气业、海洋矿业、海洋盐业、海洋船舶工业、海洋工程装备制造业、海洋化工业、海洋药物和生物制品业、海洋工程建筑业、海洋电力业、海水淡化与综合利用业、海洋交通运输业、海洋旅游业；第二层级是海洋经济支持层，包括海洋科研教育、海洋公共管理服务；第三层级是海洋经济外围层，包含海洋上游相关产业、海洋下游相关产业。

　　3. 地表水优良水体比例是指国控、省控断面地表水优良水体比例，“十四五”时期广州国控、省控断面20个，2024年起优良比例已达100%，“十五五”时期国家、省将根据实际情况对广州地表水考核断面进行调整，“地表水优良水体比例”与“十四五”时期相比统计范围发生变化。

第二篇 坚持产业第一、制造业立市，推动现代化产业体系整体新跃升
"""


GUANGZHOU_ROWS = [  # category, number, name, unit, attribute, base, target
    ('经济发展', '1', '地区生产总值年均增长', '%', '预期性', '“十四五”年均增长4.0', '“十五五”年均增长5.0左右'),
    ('经济发展', '2', '全员劳动生产率', '万元/人', '预期性', '28', '36'),
    ('经济发展', '3', '工业总产值', '万亿元', '预期性', '2.5', '3'),
    ('经济发展', '4', '“15+8”产业增加值占地区生产总值比重', '%', '预期性', '58.6', '67.5'),
    ('经济发展', '5', '数字经济核心产业增加值占地区生产总值比重', '%', '预期性', '15.0', '18.0'),
    ('经济发展', '6', '社会消费品零售总额年均增长', '%', '预期性', '“十四五”年均增长4.1', '“十五五”年均增长5.0左右'),
    ('经济发展', '7', '海洋生产总值', '亿元', '预期性', '5231', '7300'),
    ('科技创新', '8', '全社会研发经费支出占地区生产总值比重', '%', '预期性', '3.4', '4.0左右'),
    ('科技创新', '9', '企业研发经费支出占全社会研发经费支出比重', '%', '预期性', '66', '70'),
    ('科技创新', '10', '每万人高价值发明专利拥有量', '件', '预期性', '43.9', '60'),
    ('对外开放', '11', '商品进出口总值年均增长', '%', '预期性', '“十四五”年均增长5.4', '“十五五”年均增长6.0左右'),
    ('对外开放', '12', '服务外包合同执行额', '亿美元', '预期性', '200', '240'),
    ('对外开放', '13', '机场旅客/货邮吞吐量', '万人次/万吨', '预期性', '8358/244', '11000/350'),
    ('对外开放', '14', '港口货物/集装箱吞吐量', '亿吨/万标箱', '预期性', '6.99/2805', '7.4/3100'),
    ('绿色低碳', '15', '单位地区生产总值二氧化碳排放降低', '%', '约束性', '2021-2024年累计降低8.2', '完成省下达目标'),
    ('绿色低碳', '16', '细颗粒物（PM2.5）年均浓度', '微克/立方米', '约束性', '21.5', '≤20'),
    ('绿色低碳', '17', '地表水优良水体比例', '%', '约束性', '100', '完成省下达目标'),
    ('绿色低碳', '18', '森林覆盖率', '%', '约束性', '41.65', '完成省下达目标'),
    ('民生福祉', '19', '常住人口城镇化率', '%', '预期性', '87.56', '88'),
    ('民生福祉', '20', '累计城镇新增就业人数', '万人', '预期性', '“十四五”累计新增160', '完成省下达目标'),
    ('民生福祉', '21', '常住居民人均可支配收入年均增速', '%', '预期性', '“十四五”年均增长5.0', '与经济增长同步'),
    ('民生福祉', '22', '城乡居民人均可支配收入比值', '', '预期性', '1.99', '1.9'),
    ('民生福祉', '23', '普通高中入学率', '%', '预期性', '57.61', '≥70'),
    ('民生福祉', '24', '每千人口拥有执业（助理）医师数', '人', '预期性', '4.45', '4.50'),
    ('民生福祉', '24', '每千人口拥有注册护士数', '人', '预期性', '5.21', '5.30'),
    ('民生福祉', '25', '养老机构认知障碍照护床位数', '张', '预期性', '5500', '≥7000'),
    ('民生福祉', '26', '3岁以下婴幼儿入托率', '%', '预期性', '10', '20'),
    ('民生福祉', '27', '人均预期寿命', '岁', '预期性', '84.38', '≥85'),
    ('安全保障', '28', '电力电源装机规模', '万千瓦', '预期性', '1624', '2050'),
    ('安全保障', '29', '单位地区生产总值生产安全事故死亡率', '人/百亿元', '约束性', '0.61', '完成省下达目标'),
]


# ----------------------------------------------------------------------------------------------------------
# The real tables


@pytest.mark.parametrize("name, first, last, text", [
    ("02-suzhou-15th.txt", 556, 604, SUZHOU),
    ("03-nanjing-15th.txt", 365, 398, NANJING),
    ("04-guangzhou-15th.txt", 885, 1237, GUANGZHOU),
])
def test_the_embedded_tables_are_the_plans_own_lines(name, first, last, text):
    path = PLANS / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    assert path.read_text(encoding="utf-8").split("\n")[first - 1 : last] == text.rstrip("\n").split("\n")


def test_suzhou_pdf_lines_single_spaces_page_break_and_wrapped_name():
    table = read_indicator_table(SUZHOU.split("\n"))
    assert table_rows(table) == SUZHOU_ROWS
    assert len(table.rows) == 30
    assert (table.base_year, table.target_year) == (None, 2030)
    assert table.columns == ["序号", "指标", "2030年目标", "属性"]
    # row 8 wrapped over two lines; the page number and the repeated header between rows 12 and 13 are skipped
    row8 = table.rows[7]
    assert row8.name == "规上数字经济核心产业营业收入占规上企业营业收入比重" and row8.lines == (10, 11)
    # the category rows' 「（12 项）」 agree with what was read: no warning about counts
    assert not any("写明" in w for w in table.warnings)
    # the only figure core.targets cannot read is 「提高1个百分点以上」 (a change, not a level)
    assert table.warnings == ["“规上工业增加值率”的目标“提高1个百分点以上”不能自动读取，进度需人工判断。"]
    assert all(not r.parent and not r.growth_text and not r.cumulative for r in table.rows)


def test_nanjing_four_space_cells_wrapped_cells_two_row_indicators_and_cumulative_note():
    table = read_indicator_table(NANJING.split("\n"))
    assert table_rows(table) == NANJING_ROWS
    assert len(table.rows) == 26  # 24 numbered rows, two of them over two rows each
    assert (table.base_year, table.target_year) == (None, 2030)
    doctors, nurses = table.rows[9], table.rows[10]
    assert doctors.parent == nurses.parent == "每千人口拥有医护人员数"
    assert doctors.lines == (12, 13) and nurses.lines == (14,)
    accidents, deaths = table.rows[24], table.rows[25]
    assert (accidents.parent, deaths.parent) == ("生产安全事故", "生产安全事故")
    assert deaths.attribute == "约束性"  # its attribute cell is merged with the row above
    assert accidents.cumulative and deaths.cumulative and "表注" in deaths.note
    assert table.notes == ["注：带〔〕数据表示“十五五”期间累计变化情况"]
    assert table.warnings == []  # core.targets reads 〔20〕 on a 下降 row as the period's reduction


def test_guangzhou_one_cell_per_line():
    table = read_indicator_table(GUANGZHOU.split("\n"))
    assert table_rows(table) == GUANGZHOU_ROWS
    assert len(table.rows) == 30  # 29 numbered rows, 24 over two rows
    assert (table.base_year, table.target_year) == (2025, 2030)
    assert table.columns == ["类别", "指标", "单位", "2025年完成值", "2030年目标值", "属性"]
    starred = [r.name for r in table.rows if "*" in r.note]
    assert starred == ["“15+8”产业增加值占地区生产总值比重", "海洋生产总值", "地表水优良水体比例"]
    assert table.rows[23].parent == table.rows[24].parent == "每千人口拥有医护人员数"
    assert table.rows[24].attribute == "预期性"
    assert len(table.notes) == 3 and table.notes[0].startswith("注：1.“15+8”产业")
    assert table.warnings == [
        "“地区生产总值年均增长”的目标““十五五”年均增长5.0左右”不能自动读取，进度需人工判断；可改写为“5.0左右”。",
        "“社会消费品零售总额年均增长”的目标““十五五”年均增长5.0左右”不能自动读取，进度需人工判断；可改写为“5.0左右”。",
        "“商品进出口总值年均增长”的目标““十五五”年均增长6.0左右”不能自动读取，进度需人工判断；可改写为“6.0左右”。",
        "“机场旅客/货邮吞吐量”的目标“11000/350”含两个数（/ 分隔），一项指标只能跟踪一个目标，可拆成两项或只保留一个。",
        "“港口货物/集装箱吞吐量”的目标“7.4/3100”含两个数（/ 分隔），一项指标只能跟踪一个目标，可拆成两项或只保留一个。",
    ]


def test_the_seed_table_extracted_column_by_column_gives_no_invented_rows():
    lines = bundled_plan_bytes().decode("utf-8").split("\n")[509:693]
    assert any("主要指标" in line for line in lines[:20])
    table = read_indicator_table(lines)
    assert table.rows == []
    assert any("顺序被打乱" in w for w in table.warnings)


def test_the_previous_plans_completion_table_is_not_the_main_table():
    title = "市“十四五”规划《纲要》指标完成情况"
    plan = ParsedPlan("规划", [
        Node("chapter", "第三章", "主要目标", 1, 40, [
            Node("box", None, title, 2, 5, [Block("table_cell", "序号\t指标\t属性\t规划目标", 3, 3),
                                             Block("table_cell", "1\t地区生产总值（亿元）\t预期性\t20000以上", 4, 4)]),
            Node("box", None, "“十五五”经济社会发展主要指标", 10, 14, [
                Block("table_cell", "分类\t序号\t指标\t属性\t2030年目标值", 11, 11),
                Block("table_cell", "经济强\t1\t地区生产总值（GDP）年均增长率（%）\t预期性\t5以上", 12, 12),
                Block("table_cell", "2\t制造业增加值占比（%）\t预期性\t基本稳定", 13, 13),
            ]),
        ]),
    ], [])
    found = find_indicator_tables(plan)
    assert [(f.title, f.kind, f.line_numbers) for f in found] == [("“十五五”经济社会发展主要指标", "box", [11, 12, 13])]
    result = read_plan_indicator_table(plan)
    assert result is not None
    table = result[1]
    assert [(r.name, r.target_text, r.category) for r in table.rows] == [
        ("地区生产总值（GDP）年均增长率", "5以上", "经济强"), ("制造业增加值占比", "基本稳定", "经济强")]


def test_find_indicator_tables_prefers_main_indicator_titles_and_needs_table_cells():
    def table(title, line, kind="table", cells=True):
        blocks = [Block("table_cell", "序号\t指标\t目标\t属性", line + 1, line + 1),
                  Block("table_cell", "1\t某指标（%）\t5\t预期性", line + 2, line + 2)] if cells else \
                 [Block("box_item", "序号 指标 目标 属性 1 某指标（%） 5 预期性", line + 1, line + 1)]
        return Node(kind, None, title, line, line + 2, blocks)

    plan = ParsedPlan("规划", [Node("chapter", "第一章", "目标", 1, 99, [
        table("表2 “十五五”时期指标体系", 10),
        table("专栏 重大项目", 20, kind="box"),
        table("表1 “十五五”经济社会发展主要指标", 30),
        table("“十五五”主要指标（合并单元格）", 40, kind="box", cells=False),  # the old parser's box: no cells
        Node("figure", None, "主要指标示意图", 50, 50, []),
    ])], [])
    found = find_indicator_tables(plan)
    assert [f.title for f in found] == ["表1 “十五五”经济社会发展主要指标", "表2 “十五五”时期指标体系"]
    assert isinstance(found[0], FoundTable) and found[0].lines[1] == "1\t某指标（%）\t5\t预期性"
    assert read_plan_indicator_table(ParsedPlan("规划", [], [])) is None


# ----------------------------------------------------------------------------------------------------------
# Synthetic variants


def test_word_rows_with_base_target_and_growth_columns():
    rows = [
        ["类别", "指标", "2025年基数", "2030年目标", "年均增长", "属性"],
        ["经济发展", "地区生产总值（亿元）", "1000", "1300", "5.4", "预期性"],
        ["", "一般公共预算收入(亿元)", "80", "力争100", "", "预期性"],
        ["", "研发经费投入强度（％）", "３.１", "３.５以上", "", "预期性"],
        ["民生福祉", "城镇调查失业率（%）", "—", "＜5", "", "预期性"],
        ["", "居民人均可支配收入增长（%）", "", "", "与经济增长同步", "预期性"],
        ["绿色生态", "单位地区生产总值能源消耗降低（%）", "", "完成市下达目标", "", "约束性"],
    ]
    table = read_indicator_table(rows)
    assert (table.base_year, table.target_year) == (2025, 2030)
    got = [(r.category, r.name, r.unit, r.base_text, r.target_text, r.growth_text, r.attribute) for r in table.rows]
    assert got == [
        ("经济发展", "地区生产总值", "亿元", "1000", "1300", "5.4", "预期性"),
        ("经济发展", "一般公共预算收入", "亿元", "80", "力争100", "", "预期性"),  # ASCII parentheses
        ("经济发展", "研发经费投入强度", "%", "３.１", "３.５以上", "", "预期性"),  # full-width, verbatim
        ("民生福祉", "城镇调查失业率", "%", "—", "＜5", "", "预期性"),
        ("民生福祉", "居民人均可支配收入增长", "%", "", "", "与经济增长同步", "预期性"),
        ("绿色生态", "单位地区生产总值能源消耗降低", "%", "", "完成市下达目标", "", "约束性"),
    ]
    assert table.warnings == []
    assert [r.number for r in table.rows] == [""] * 6 and [r.ordinal for r in table.rows] == [1, 2, 3, 4, 5, 6]


def test_word_rows_with_a_merged_sub_indicator_column():
    rows = [
        ["序号", "指标", "指标", "单位", "2030年目标", "属性"],  # a merged header cell repeated by the reader
        ["１", "地区生产总值", "地区生产总值", "亿元", "3000", "预期性"],
        ["2", "每千人口拥有医护人员数", "执业（助理）医师数", "人", "4", "预期性"],
        ["", "", "注册护士数", "人", "4.5", ""],  # its merged cells exported empty
        ["一、环境美", "一、环境美", "一、环境美", "一、环境美", "一、环境美", "一、环境美"],
        ["3", "森林覆盖率", "森林覆盖率", "%", "≥25", "约束性"],
    ]
    table = read_indicator_table(rows)
    got = [(r.category, r.number, r.name, r.unit, r.target_text, r.attribute, r.parent) for r in table.rows]
    assert got == [
        ("", "1", "地区生产总值", "亿元", "3000", "预期性", ""),
        ("", "2", "每千人口拥有医护人员数：执业（助理）医师数", "人", "4", "预期性", "每千人口拥有医护人员数"),
        ("", "2", "每千人口拥有医护人员数：注册护士数", "人", "4.5", "预期性", "每千人口拥有医护人员数"),
        ("环境美", "3", "森林覆盖率", "%", "≥25", "约束性", ""),
    ]


def test_tab_lines_from_the_parser_with_sub_rows_on_the_first_line_and_below():
    lines = [
        "序号\t指标\t单位\t2025年\t2030年\t属性",
        "1\t地区生产总值\t亿元\t1000\t1300\t预期性",
        "2\t每千人口拥有医护人员数\t执业（助理）医师数\t人\t3.1\t3.5\t预期性",
        "注册护士数\t人\t3.8\t4.2",
        "3\t生产安全事故\t起数下降\t%\t—\t〔20〕\t约束性",
        "死亡人数下降\t%\t—\t〔15〕",
    ]
    table = read_indicator_table(lines)
    assert (table.base_year, table.target_year) == (2025, 2030)  # bare years: the later one is the target
    got = [(r.number, r.name, r.unit, r.base_text, r.target_text, r.attribute) for r in table.rows]
    assert got == [
        ("1", "地区生产总值", "亿元", "1000", "1300", "预期性"),
        ("2", "每千人口拥有医护人员数：执业（助理）医师数", "人", "3.1", "3.5", "预期性"),
        ("2", "每千人口拥有医护人员数：注册护士数", "人", "3.8", "4.2", "预期性"),
        ("3", "生产安全事故：起数下降", "%", "—", "〔20〕", "约束性"),
        ("3", "生产安全事故：死亡人数下降", "%", "—", "〔15〕", "约束性"),
    ]
    # no 注 under this table: 〔〕 is read by convention (a figure for the whole period), which core.targets does
    assert table.warnings == []


def test_a_part_that_reads_as_a_whole_name_keeps_its_own_name():
    lines = ["类别\t指标\t单位\t目标值\t属性", "民生\t24. 每千人口拥有医护人员数\t每千人口拥有执业（助理）医师数\t人\t4.5\t预期性",
             "每千人口拥有注册护士数\t人\t5.3\t预期性"]
    table = read_indicator_table(lines)
    assert [(r.name, r.parent, r.number) for r in table.rows] == [
        ("每千人口拥有执业（助理）医师数", "每千人口拥有医护人员数", "24"),
        ("每千人口拥有注册护士数", "每千人口拥有医护人员数", "24"),
    ]
    assert (table.base_year, table.target_year) == (None, None)  # 「目标值」 names no year


def test_pdf_lines_with_a_two_row_indicator_and_a_category_column():
    lines = [
        "类别 序号 指 标 2030 年目标 属性",
        "经济强 1 地区生产总值（GDP）年均增长率（%） 5 以上 预期性",
        "2 居民人均可支配收入增长（%） 预期性 与经济增长",
        "保持同步",
        "安全 3 生产安全事故 起数下降（%） 〔20〕 约束性",
        "死亡人数下降（%） 〔16〕",
        "在此基础上再奋斗五年，到 2035 年，城市综合竞争力大幅提升，人民生活更加幸福美好。",
    ]
    table = read_indicator_table(lines)
    got = [(r.category, r.number, r.name, r.unit, r.target_text, r.attribute) for r in table.rows]
    assert got == [
        ("经济强", "1", "地区生产总值（GDP）年均增长率", "%", "5以上", "预期性"),
        ("经济强", "2", "居民人均可支配收入增长", "%", "与经济增长保持同步", "预期性"),
        ("安全", "3", "生产安全事故：起数下降", "%", "〔20〕", "约束性"),
        ("安全", "3", "生产安全事故：死亡人数下降", "%", "〔16〕", "约束性"),
    ]


@pytest.mark.parametrize("cell, name, unit", [
    ("地区生产总值（GDP）年均增长率（%）", "地区生产总值（GDP）年均增长率", "%"),
    ("细颗粒物（PM2.5）年均浓度（微克/立方米）", "细颗粒物（PM2.5）年均浓度", "微克/立方米"),
    ("每千人口拥有执业（助理）医师数（人）", "每千人口拥有执业（助理）医师数", "人"),
    ("每千人口拥有执业(助理)医师数(人)", "每千人口拥有执业(助理)医师数", "人"),
    ("人均预期寿命（岁）", "人均预期寿命", "岁"),
    ("耕地保有量（万公顷）", "耕地保有量", "万公顷"),
    ("粮食综合生产能力（亿斤）", "粮食综合生产能力", "亿斤"),
    ("法治建设满意度（分）", "法治建设满意度", "分"),
    ("全员劳动生产率（万元/人）", "全员劳动生产率", "万元/人"),
    ("研发经费投入强度（％）", "研发经费投入强度", "%"),
    ("社会文明程度测评指数", "社会文明程度测评指数", ""),
    ("新增就业（城镇）", "新增就业（城镇）", ""),
])
def test_the_unit_is_the_last_parenthesis_when_it_is_a_unit(cell, name, unit):
    table = read_indicator_table(["序号\t指标\t2030年目标\t属性", f"1\t{cell}\t5\t预期性"])
    assert [(r.name, r.unit) for r in table.rows] == [(name, unit)]


def test_a_table_without_a_header_is_read_in_the_usual_order_and_says_so():
    table = read_indicator_table(["1 地区生产总值（亿元） 1500 预期性", "2 城镇调查失业率（%） ＜5 预期性"])
    assert [(r.name, r.target_text) for r in table.rows] == [("地区生产总值", "1500"), ("城镇调查失业率", "＜5")]
    assert any("没有找到表头" in w for w in table.warnings)


def test_doubtful_rows_are_kept_with_warnings():
    lines = ["序号\t指标\t2030年目标\t属性", "1\t地区生产总值（亿元）\t翻一番以上约1500\t", "2\t常住人口（万人）\t\t预期性",
             "4\t公众安全感（%）\t95以上\t预期性"]
    table = read_indicator_table(lines)
    assert [r.name for r in table.rows] == ["地区生产总值", "常住人口", "公众安全感"]
    assert "“地区生产总值”没有读出属性（预期性/约束性）。" in table.warnings
    assert "“地区生产总值”的目标“翻一番以上约1500”不能自动读取，进度需人工判断。" in table.warnings
    assert "“常住人口”没有读出目标。" in table.warnings
    assert any(w.startswith("序号不连续：缺少 3") for w in table.warnings)


def test_a_category_that_promises_more_rows_than_were_read_is_named():
    lines = ["序号 指标 2030年目标 属性", "一、经济强（3 项）", "1 地区生产总值（亿元） 1500 预期性",
             "2 一般公共预算收入（亿元） 150 预期性"]
    table = read_indicator_table(lines)
    assert "类别“经济强”表中写明 3 项，读出 2 项。" in table.warnings


def test_empty_and_blank_input():
    assert read_indicator_table([]).rows == []
    assert read_indicator_table(["", "   ", []]).warnings == ["表格是空的。"]


def test_helpers():
    assert indicator_key("每千人口拥有执业(助理)医师数 ") == indicator_key("每千人口拥有执业（助理）医师数")
    assert indicator_key("ＧＤＰ增长") == indicator_key("GDP增长")
    assert target_problem("完成省定目标") is None and target_problem("5以上") is None and target_problem("") is None
    assert target_problem("〔20〕", name="生产安全事故起数下降") is None  # the reduction over the period
    assert target_problem("〔30〕", name="实际利用外资") is None  # a cumulative target
    row = IndicatorRow(1, "经济", "1", "外贸进出口额", "亿元", "", target_text="翻番")
    assert row_warnings(row) == ["“外贸进出口额”没有读出属性（预期性/约束性）。"]


# ----------------------------------------------------------------------------------------------------------
# Properties

_PIECES = list("1234567890 \t（）()%.、〔〕—-*/指标序号属性类别单位年目标基数经济强一二三四注：，。左右以上完成人口数率万亿元") + [
    "  ", "2030年", "预期性", "约束性", "年均增长", "（%）", "12 ", "3.", "\n"]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(_LINE, st.lists(_LINE, max_size=7)), max_size=25))
def test_never_raises_and_each_row_starts_on_its_own_line(rows):
    table = read_indicator_table(rows)
    assert len(table.rows) <= sum(1 for r in rows if (r.strip() if isinstance(r, str) else any(c.strip() for c in r)))
    firsts = [r.lines[0] for r in table.rows if r.lines]
    assert len(firsts) == len(set(firsts))
    assert all(r.name for r in table.rows)


_NUMBERED = re.compile(r"(?:^|\s)[0-9０-９]{1,3}(?:[.、．]|\s|$)")


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_LINE, max_size=25))
def test_rows_never_outnumber_numbered_lines_and_sub_rows(lines):
    table = read_indicator_table(["序号\t指标\t2030年目标\t属性", *lines])
    groups = {(r.number, r.parent) for r in table.rows if r.parent}
    plain = [r for r in table.rows if not r.parent]
    sub_rows = sum(1 for r in table.rows if r.parent)
    numbered = sum(1 for line in lines if _NUMBERED.search(line))
    assert len(plain) + len(groups) <= numbered
    assert len(table.rows) <= numbered + sub_rows
    assert all(r.number for r in plain)
