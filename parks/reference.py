"""Reference data shipped with the project: the first three batches of pilot zones (State Council
approvals of 2015-03-07, 2016-01-06 and 2018-07-24), Hangzhou's eight parks, and the park services.

Loaded by a data migration; districts and kinds of the parks are the portal's classification [I].
"""

import datetime

from django.utils.translation import gettext_noop

BATCH_DATES = {1: datetime.date(2015, 3, 7), 2: datetime.date(2016, 1, 6), 3: datetime.date(2018, 7, 24)}

# (slug, city in English, city in Chinese, batch)
ZONES = [
    ("hangzhou", "Hangzhou", "杭州", 1),
    ("tianjin", "Tianjin", "天津", 2),
    ("shanghai", "Shanghai", "上海", 2),
    ("chongqing", "Chongqing", "重庆", 2),
    ("hefei", "Hefei", "合肥", 2),
    ("zhengzhou", "Zhengzhou", "郑州", 2),
    ("guangzhou", "Guangzhou", "广州", 2),
    ("chengdu", "Chengdu", "成都", 2),
    ("dalian", "Dalian", "大连", 2),
    ("ningbo", "Ningbo", "宁波", 2),
    ("qingdao", "Qingdao", "青岛", 2),
    ("shenzhen", "Shenzhen", "深圳", 2),
    ("suzhou", "Suzhou", "苏州", 2),
    ("beijing", "Beijing", "北京", 3),
    ("hohhot", "Hohhot", "呼和浩特", 3),
    ("shenyang", "Shenyang", "沈阳", 3),
    ("changchun", "Changchun", "长春", 3),
    ("harbin", "Harbin", "哈尔滨", 3),
    ("nanjing", "Nanjing", "南京", 3),
    ("nanchang", "Nanchang", "南昌", 3),
    ("wuhan", "Wuhan", "武汉", 3),
    ("changsha", "Changsha", "长沙", 3),
    ("nanning", "Nanning", "南宁", 3),
    ("haikou", "Haikou", "海口", 3),
    ("guiyang", "Guiyang", "贵阳", 3),
    ("kunming", "Kunming", "昆明", 3),
    ("xian", "Xi'an", "西安", 3),
    ("lanzhou", "Lanzhou", "兰州", 3),
    ("xiamen", "Xiamen", "厦门", 3),
    ("tangshan", "Tangshan", "唐山", 3),
    ("wuxi", "Wuxi", "无锡", 3),
    ("weihai", "Weihai", "威海", 3),
    ("zhuhai", "Zhuhai", "珠海", 3),
    ("dongguan", "Dongguan", "东莞", 3),
    ("yiwu", "Yiwu", "义乌", 3),
]

# (code, Chinese, English, description); the description is a message id, read in the reader's language
SERVICES = [
    (
        "customs-clearance",
        "通关服务",
        "Customs clearance",
        gettext_noop("Declaration and inspection on site"),
    ),
    (
        "bonded-warehousing",
        "保税仓储",
        "Bonded warehousing",
        gettext_noop("Stock held under bond for mode 1210"),
    ),
    ("warehousing", "仓储配送", "Warehousing and fulfilment", gettext_noop("Storage, picking and dispatch")),
    (
        "direct-mail",
        "直邮进口",
        "Direct-mail import",
        gettext_noop("Mode 9610 parcels through the supervised site"),
    ),
    ("logistics", "物流快递", "Logistics and express", gettext_noop("Line-haul and last-mile delivery")),
    (
        "overseas-warehouse",
        "海外仓服务",
        "Overseas warehouses",
        gettext_noop("Export to overseas warehouses, mode 9810"),
    ),
    (
        "finance",
        "金融服务",
        "Financial services",
        gettext_noop("Payment, settlement, financing and insurance"),
    ),
    ("training", "人才培训", "Training", gettext_noop("Courses for cross-border e-commerce staff")),
    ("incubation", "创业孵化", "Incubation", gettext_noop("Offices and mentoring for new sellers")),
    (
        "exhibition",
        "展示交易",
        "Exhibition and trade",
        gettext_noop("Showrooms for imported and export goods"),
    ),
]

# (slug, Chinese, English, district, kind, services)
HANGZHOU_PARKS = [
    (
        "hangzhou-xiacheng",
        "下城园区",
        "Xiacheng Park",
        "下城区 Xiacheng",
        "comprehensive",
        ["customs-clearance", "finance", "training", "incubation"],
    ),
    (
        "hangzhou-xiasha",
        "下沙园区",
        "Xiasha Park",
        "杭州经济技术开发区 Xiasha",
        "bonded",
        ["customs-clearance", "bonded-warehousing", "warehousing", "exhibition"],
    ),
    (
        "hangzhou-airport",
        "空港园区",
        "Airport Park",
        "萧山区 Xiaoshan (Xiaoshan Airport)",
        "airport",
        ["customs-clearance", "direct-mail", "bonded-warehousing", "logistics"],
    ),
    (
        "hangzhou-linan",
        "临安园区",
        "Lin'an Park",
        "临安区 Lin'an",
        "industrial",
        ["training", "incubation", "overseas-warehouse"],
    ),
    (
        "hangzhou-jianggan",
        "江干园区",
        "Jianggan Park",
        "江干区 Jianggan",
        "incubator",
        ["incubation", "training", "finance"],
    ),
    (
        "hangzhou-xiaoshan",
        "萧山园区",
        "Xiaoshan Park",
        "萧山区 Xiaoshan",
        "industrial",
        ["warehousing", "overseas-warehouse", "logistics"],
    ),
    (
        "hangzhou-yuhang",
        "余杭园区",
        "Yuhang Park",
        "余杭区 Yuhang",
        "industrial",
        ["warehousing", "incubation", "overseas-warehouse", "training"],
    ),
    (
        "hangzhou-postal",
        "邮政速递园区",
        "Postal Express Park",
        "杭州市 Hangzhou",
        "postal",
        ["customs-clearance", "direct-mail", "logistics"],
    ),
]


def load(apps) -> None:
    """Create or update the reference rows (idempotent)."""
    Zone = apps.get_model("parks", "Zone")
    Park = apps.get_model("parks", "Park")
    ParkService = apps.get_model("parks", "ParkService")
    for slug, city_en, city_zh, batch in ZONES:
        Zone.objects.update_or_create(
            slug=slug,
            defaults={
                "name_zh": f"中国（{city_zh}）跨境电子商务综合试验区",
                "name_en": f"China ({city_en}) Cross-border E-commerce Comprehensive Pilot Zone",
                "city": city_en,
                "batch": batch,
                "approval_date": BATCH_DATES[batch],
            },
        )
    services = {}
    for code, zh, en, description in SERVICES:
        services[code], _ = ParkService.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "description": description}
        )
    hangzhou = Zone.objects.get(slug="hangzhou")
    for slug, zh, en, district, kind, offered in HANGZHOU_PARKS:
        park, _ = Park.objects.update_or_create(
            slug=slug,
            defaults={"zone": hangzhou, "name_zh": zh, "name_en": en, "district": district, "kind": kind},
        )
        park.services.set([services[code] for code in offered])
