"""The default chart of accounts, the funding sources, the "四室两站六个一" checklist and the
county 80% / town 20% cost split (idempotent; all editable afterwards)."""

from django.db import migrations

ACCOUNTS = [
    ("1001", "库存现金", "asset", ""),
    ("1002", "银行存款", "asset", ""),
    ("1121", "应收财政补助", "asset", ""),
    ("1131", "其他应收款", "asset", ""),
    ("2201", "应付工作人员报酬", "liability", ""),
    ("2202", "其他应付款", "liability", ""),
    ("2209", "应退还资金", "liability", ""),
    ("3101", "非限定性净资产", "net_unrestricted", ""),
    ("3102", "限定性净资产", "net_restricted", ""),
    ("4101", "政府补助收入", "income", ""),
    ("4201", "捐赠收入", "income", ""),
    ("4301", "居民集资收入", "income", ""),
    ("4401", "有偿服务收入", "income", ""),
    ("4402", "物业管理收费收入", "income", ""),
    ("4403", "中介服务费收入", "income", ""),
    ("4901", "其他收入", "income", ""),
    ("5101", "工作人员报酬", "expense", "staff_pay"),
    ("5201", "办公用房及设施支出", "expense", "office"),
    ("5301", "公益事业支出", "expense", "public_welfare"),
    ("5401", "社区服务支出", "expense", "services"),
    ("5501", "文体活动支出", "expense", "activities"),
    ("5601", "日常办公支出", "expense", "administration"),
    ("5701", "退还资金支出", "expense", "refund"),
    ("5901", "其他支出", "expense", "other"),
]

SOURCES = [
    ("county_budget", "县级财政", "county_budget"),
    ("town_budget", "镇级财政", "town_budget"),
    ("enterprise_donation", "企业捐赠", "enterprise_donation"),
    ("social_donation", "社会组织捐赠", "social_donation"),
    ("resident_fundraising", "居民集资", "resident_fundraising"),
    ("own_services", "有偿服务收入", "own_services"),
    ("own_property", "物业管理收费", "own_property"),
    ("own_referral", "帮忙公司中介费", "own_referral"),
    ("other", "其他来源", "other"),
]

FACILITY_ITEMS = [
    ("room_office", "办公室", "四室"),
    ("room_police", "警务室", "四室"),
    ("room_reading", "图书阅览室", "四室"),
    ("room_activity", "活动室", "四室"),
    ("station_service", "社区服务站", "两站"),
    ("station_health", "卫生计生服务站", "两站"),
    ("one_sign", "一块社区牌子", "六个一"),
    ("one_board", "一个宣传栏", "六个一"),
    ("one_rules", "一套规章制度", "六个一"),
    ("one_computer", "一套电脑办公设备", "六个一"),
    ("one_av", "一套电教设备（电视、VCD）", "六个一"),
    ("one_ground", "一个室外活动场地", "六个一"),
]

DEFAULT_SPLIT = "县80%/镇20%"


def load(apps, schema_editor):
    Account = apps.get_model("funding", "Account")
    FundingSource = apps.get_model("funding", "FundingSource")
    FacilityItem = apps.get_model("funding", "FacilityItem")
    CostSplit = apps.get_model("funding", "CostSplit")
    CostSplitShare = apps.get_model("funding", "CostSplitShare")
    for code, name, type_, use in ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": type_, "use": use})
    sources = {}
    for code, name, kind in SOURCES:
        sources[code], _ = FundingSource.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    for order, (code, name, group) in enumerate(FACILITY_ITEMS, 1):
        FacilityItem.objects.get_or_create(code=code, defaults={"name": name, "group": group, "order": order})
    split, created = CostSplit.objects.get_or_create(
        name=DEFAULT_SPLIT, defaults={"description": "社区工作者报酬：县财政负担80%，镇财政负担20%"}
    )
    if created:
        CostSplitShare.objects.create(split=split, source=sources["county_budget"], basis_points=8000)
        CostSplitShare.objects.create(split=split, source=sources["town_budget"], basis_points=2000)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_postgres_guards")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
