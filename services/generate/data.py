"""The words and weights the generated services data is drawn from."""

from __future__ import annotations

import datetime as dt
from bisect import bisect
from itertools import accumulate

from community.choices import UnitKind

from ..choices import (
    Channel,
    CommunityEventKind,
    FacilityKind,
    Rating,
)

GENERATOR_USERNAME = "services_generator"  # records the generated staff work; no scope, cannot sign in
REQUESTS_PER_HOUSEHOLD = 5 / 6  # 100,000 requests a year in a county of 120,000 households
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

CATEGORY_WEIGHTS = {
    "repair": 25,
    "environment": 18,
    "dispute": 8,
    "elderly": 12,
    "certificate": 15,
    "order": 6,
    "housekeeping": 8,
    "plumbing": 8,
}
CHANNELS = [(Channel.WEB, 60), (Channel.PHONE, 25), (Channel.COUNTER, 12), (Channel.OPEN311, 3)]
# what becomes of a request: the usual path, refused, a duplicate, withdrawn, or stuck for a long time
FATES = [("normal", 82), ("rejected", 5), ("duplicate", 3), ("cancelled", 3), ("stalled", 7)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
ADDRESSING = ["先生", "女士", "阿姨", "师傅", "大爷", "奶奶"]
REJECT_REASONS = [
    "不属于社区受理范围，已告知居民向物业公司反映",
    "属于商品房质保范围，请联系开发商维修",
    "诉求内容不清，多次联系未果",
    "涉及司法程序，已引导居民通过法律途径解决",
]
CANCEL_REASONS = ["问题已自行解决", "已找物业处理", "重复提交，撤回", ""]
ACCEPT_NOTES = ["已受理", "已受理，将尽快安排", "社区已受理您的诉求"]
START_NOTES = ["工作人员已上门查看", "已联系相关部门，正在处理", "已安排人员处理"]
RESOLVE_NOTES = ["已处理完毕，请您确认", "已维修完成", "已协调解决，如有问题请再联系社区", "已办结"]
INTERNAL_NOTES = [
    "已电话联系居民，约定上门时间",
    "需要物业配合，已发函",
    "材料不全，已告知居民补充",
    "部门反馈需排队处理",
    "网格员已现场核实",
]
PUBLIC_NOTES = ["预计本周内处理完毕", "已联系维修单位，请耐心等待", "需要您在家配合，工作人员会提前电话联系"]
RESIDENT_INFO = ["补充一下：问题在晚上更严重", "我下午都在家，可以上门", "照片拍不清楚，具体在二单元门口"]
RATING_COMMENTS = {
    Rating.SATISFIED: ["处理及时，谢谢", "工作人员态度很好", "很满意", ""],
    Rating.BASICALLY: ["基本解决", "时间有点长", ""],
    Rating.DISSATISFIED: ["问题没有根本解决，又坏了", "处理太慢", "没有人联系我"],
}
FOLLOW_UP_NOTES = ["电话回访", "电话回访，居民表示认可", "上门回访", ""]
FACILITY_PLANS = {
    UnitKind.SCHOOL: [
        ("操场", FacilityKind.GYM, "周末及寒暑假 6:00–8:00、17:00–20:00", 300),
        ("图书室", FacilityKind.LIBRARY, "周六 9:00–16:00", 40),
    ],
    UnitKind.HOSPITAL: [("康复室", FacilityKind.CLINIC, "工作日 14:00–17:00", 15)],
    UnitKind.PUBLIC_INSTITUTION: [
        ("多功能活动室", FacilityKind.HALL, "每天 8:30–20:30", 80),
        ("阅览室", FacilityKind.LIBRARY, "周二至周日 9:00–17:00", 30),
    ],
    UnitKind.GOVERNMENT: [("会议室", FacilityKind.HALL, "周末 9:00–17:00（需预约）", 50)],
    UnitKind.ENTERPRISE: [("职工食堂", FacilityKind.CANTEEN, "工作日 11:00–13:00 为老人提供助餐", 60)],
    UnitKind.SOCIAL_ORG: [("活动中心", FacilityKind.HALL, "每天 9:00–17:00", 40)],
    UnitKind.OTHER: [("停车场", FacilityKind.PARKING, "夜间 19:00–次日 7:00", 120)],
}
ORGANISERS = ["社区老年活动队", "社区读书会", "社区舞蹈队", "青少年假日课堂", "社区志愿者服务队", "楼道议事会"]
PURPOSES = ["居民活动", "文艺排练", "健康讲座", "读书分享", "志愿服务培训", "议事协商"]
EVENT_PLANS = [
    (CommunityEventKind.RESIDENT_MEETING, ["居民会议：讨论小区停车管理", "居民会议：年度工作报告", "居民议事会"]),
    (CommunityEventKind.CULTURE_SPORTS, ["社区广场舞展演", "邻里节文艺汇演", "社区趣味运动会"]),
    (CommunityEventKind.EDUCATION, ["居民学校：防范电信诈骗", "居民学校：垃圾分类", "居民学校：家庭急救"]),
    (CommunityEventKind.VOLUNTEERING, ["志愿者环境清洁日", "楼道杂物清理行动"]),
]


def weighted(rng, pairs):
    """A chooser over ``[(value, weight), …]`` (one bisect a draw)."""
    values = [v for v, _w in pairs]
    cum = list(accumulate(w for _v, w in pairs))

    def choose():
        return values[bisect(cum, rng.random() * cum[-1])]

    return choose
