"""Names, places and phone numbers the generated county is made of (Faker's zh_CN lists)."""

from __future__ import annotations

from itertools import accumulate

from faker.providers.person.zh_CN import Provider

from ..choices import UnitKind

# --- names and places -----------------------------------------------------------------------

COUNTY_NAMES = ["青山县", "临溪县", "平川县", "安和县", "清河县", "云溪县", "长乐县", "宁远县", "丰泽县", "松岭县"]
_PLACE_LINES = (
    "东风 西湖 新华 人民 解放 建设 光明 胜利 团结 友谊 文化 朝阳 向阳 红星 长安 锦绣 金桥 翠苑 桂花 桃源",
    "柳岸 青石 白沙 龙泉 金山 平安 永兴 兴隆 和平 幸福 春晖 秀水 明珠 滨江 临江 南湖 北山 东城 西城 南门",
    "北门 新城 古城 枫林 松涛 竹园 梅园 荷塘 莲花 凤凰 龙山 玉泉 清溪 双塔 三元 五星 七里 九龙 百合 丰乐",
    "富康 安居 宜居 嘉和 瑞祥 景福 康乐 万福 盛世 华庭 育才 教场 书院 府前 县前 仓前 河西 河东 江南 桥头",
)
PLACE_WORDS = [word for line in _PLACE_LINES for word in line.split()]
ROAD_SUFFIXES = ["路", "街", "大道", "巷"]
UNIT_TEMPLATES = [
    (UnitKind.SCHOOL, "{w}小学", "向居民开放操场和图书室，参与社区共建"),
    (UnitKind.SCHOOL, "{w}幼儿园", "开展亲子活动，参与社区共建"),
    (UnitKind.HOSPITAL, "{w}社区卫生服务站", "健康讲座，义诊，建立居民健康档案"),
    (UnitKind.HOSPITAL, "{w}卫生院", "向居民开放康复室，上门巡诊"),
    (UnitKind.ENTERPRISE, "{w}超市", "为困难群众送货上门，提供便民服务"),
    (UnitKind.ENTERPRISE, "农业银行{w}支行", "金融知识宣传，助老服务"),
    (UnitKind.ENTERPRISE, "{w}物业服务中心", "小区物业管理，配合环境整治"),
    (UnitKind.GOVERNMENT, "{w}派出所", "维护社区治安，法制宣传"),
    (UnitKind.GOVERNMENT, "{w}供电所", "安全用电宣传，故障抢修"),
    (UnitKind.PUBLIC_INSTITUTION, "{w}文化站", "向居民开放活动室，组织文体活动"),
    (UnitKind.PUBLIC_INSTITUTION, "{w}邮政所", "代办业务，报刊投递"),
    (UnitKind.SOCIAL_ORG, "{w}志愿者协会", "组织志愿服务，结对帮扶"),
    (UnitKind.SOCIAL_ORG, "{w}老年协会", "组织老年文体活动，邻里互助"),
    (UnitKind.OTHER, "{w}农贸市场", "维护市场秩序，参与环境整治"),
]
UNIT_CONTACT_TITLES = {
    UnitKind.SCHOOL: "校长",
    UnitKind.HOSPITAL: "院长",
    UnitKind.ENTERPRISE: "经理",
    UnitKind.GOVERNMENT: "所长",
    UnitKind.PUBLIC_INSTITUTION: "站长",
    UnitKind.SOCIAL_ORG: "会长",
    UnitKind.OTHER: "主任",
}
# mobile prefixes that phonenumbers accepts for CN
MOBILE_PREFIXES = [str(p) for p in [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 176, 177]] + [
    str(p) for p in [*range(180, 190), 198, 199]
]
MOVE_REASONS = ["购房迁入", "投亲迁入", "婚嫁迁入", "工作调动", "拆迁安置"]
EARLIER_REASONS = ["户内迁移", "搬家", "分户", "房屋置换"]


def faker_names():

    surnames = list(Provider.last_names.keys())
    cum = list(accumulate(Provider.last_names.values()))
    return surnames, cum, list(Provider.first_names_male), list(Provider.first_names_female)
