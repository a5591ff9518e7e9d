"""Fixed lists the demo data is built from: Jilin Province's GB/T 2260 division codes, purchaser kinds, name parts.

Region tuples are ``(code, name, level, parent code, weight, telephone area code)``; ``weight`` is a rough share of
organizations (Changchun has most of them). Regions marked ``SMALL_REGION_CODES`` make up the everyday demo set;
the large benchmark set uses every region listed.
"""

PROVINCE = ("220000", "吉林省", "province", None, 0, "0431")

PREFECTURES = [
    ("220100", "长春市", "prefecture", "220000", 6, "0431"),
    ("220200", "吉林市", "prefecture", "220000", 3, "0432"),
    ("220300", "四平市", "prefecture", "220000", 2, "0434"),
    ("220400", "辽源市", "prefecture", "220000", 1, "0437"),
    ("220500", "通化市", "prefecture", "220000", 1, "0435"),
    ("220600", "白山市", "prefecture", "220000", 1, "0439"),
    ("220700", "松原市", "prefecture", "220000", 1, "0438"),
    ("220800", "白城市", "prefecture", "220000", 1, "0436"),
    ("222400", "延边朝鲜族自治州", "prefecture", "220000", 2, "0433"),
]

COUNTIES = [
    ("220102", "南关区", "220100", 8), ("220103", "宽城区", "220100", 6), ("220104", "朝阳区", "220100", 10),
    ("220105", "二道区", "220100", 6), ("220106", "绿园区", "220100", 6), ("220112", "双阳区", "220100", 3),
    ("220113", "九台区", "220100", 3), ("220122", "农安县", "220100", 3), ("220182", "榆树市", "220100", 3),
    ("220183", "德惠市", "220100", 3), ("220184", "公主岭市", "220100", 3),
    ("220202", "昌邑区", "220200", 5), ("220203", "龙潭区", "220200", 4), ("220204", "船营区", "220200", 5),
    ("220211", "丰满区", "220200", 3), ("220221", "永吉县", "220200", 2), ("220281", "蛟河市", "220200", 2),
    ("220282", "桦甸市", "220200", 2), ("220283", "舒兰市", "220200", 2), ("220284", "磐石市", "220200", 2),
    ("220302", "铁西区", "220300", 3), ("220303", "铁东区", "220300", 3), ("220322", "梨树县", "220300", 2),
    ("220323", "伊通满族自治县", "220300", 1), ("220382", "双辽市", "220300", 1),
    ("220402", "龙山区", "220400", 2), ("220403", "西安区", "220400", 1), ("220421", "东丰县", "220400", 1),
    ("220422", "东辽县", "220400", 1),
    ("220502", "东昌区", "220500", 2), ("220503", "二道江区", "220500", 1), ("220521", "通化县", "220500", 1),
    ("220523", "辉南县", "220500", 1), ("220524", "柳河县", "220500", 1), ("220581", "梅河口市", "220500", 2),
    ("220582", "集安市", "220500", 1),
    ("220602", "浑江区", "220600", 2), ("220605", "江源区", "220600", 1), ("220621", "抚松县", "220600", 1),
    ("220622", "靖宇县", "220600", 1), ("220623", "长白朝鲜族自治县", "220600", 1), ("220681", "临江市", "220600", 1),
    ("220702", "宁江区", "220700", 3), ("220721", "前郭尔罗斯蒙古族自治县", "220700", 2),
    ("220722", "长岭县", "220700", 1), ("220723", "乾安县", "220700", 1), ("220781", "扶余市", "220700", 1),
    ("220802", "洮北区", "220800", 2), ("220821", "镇赉县", "220800", 1), ("220822", "通榆县", "220800", 1),
    ("220881", "洮南市", "220800", 1), ("220882", "大安市", "220800", 1),
    ("222401", "延吉市", "222400", 4), ("222402", "图们市", "222400", 1), ("222403", "敦化市", "222400", 2),
    ("222404", "珲春市", "222400", 2), ("222405", "龙井市", "222400", 1), ("222406", "和龙市", "222400", 1),
    ("222424", "汪清县", "222400", 1), ("222426", "安图县", "222400", 1),
]

# The everyday demo set: the province, Changchun and its seven districts, three of Jilin City's districts,
# Siping's Tiexi district and Yanji in Yanbian.
SMALL_REGION_CODES = {
    "220000", "220100", "220102", "220103", "220104", "220105", "220106", "220112", "220113",
    "220200", "220202", "220203", "220204", "220300", "220302", "222400", "222401",
}

# Purchasers of the everyday demo set: (region code, kind, level, name or None for the generated name).
SMALL_PURCHASERS = [
    ("220000", "civil_affairs", "provincial", None),
    ("220000", "disabled_persons_federation", "provincial", None),
    ("220100", "civil_affairs", "municipal", None),
    ("220100", "disabled_persons_federation", "municipal", None),
    ("220100", "human_resources", "municipal", None),
    ("220102", "civil_affairs", "county", None),
    ("220103", "civil_affairs", "county", None),
    ("220104", "civil_affairs", "county", None),
    ("220104", "disabled_persons_federation", "county", None),
    ("220104", "street_office", "township", "长春市朝阳区红旗街道办事处"),
    ("220105", "civil_affairs", "county", None),
    ("220106", "disabled_persons_federation", "county", None),
    ("220200", "civil_affairs", "municipal", None),
    ("220204", "civil_affairs", "county", None),
    ("220300", "disabled_persons_federation", "municipal", None),
    ("222400", "civil_affairs", "municipal", None),
    ("222401", "disabled_persons_federation", "county", None),
]

# Kinds every region gets in the large set.
LARGE_KINDS = {
    "province": ["civil_affairs", "disabled_persons_federation", "health", "human_resources"],
    "prefecture": ["civil_affairs", "disabled_persons_federation", "human_resources", "health"],
    "county": ["civil_affairs", "disabled_persons_federation"],
}
# Kinds every region outside Jilin gets in the national set: a civil-affairs bureau per county, and a civil-affairs
# department and a disabled persons' federation per prefecture and province (≈3,700 purchasers with Jilin's).
NATIONAL_KINDS = {
    "province": ["civil_affairs", "disabled_persons_federation"],
    "prefecture": ["civil_affairs", "disabled_persons_federation"],
    "county": ["civil_affairs"],
}
PURCHASER_LEVEL = {"province": "provincial", "prefecture": "municipal", "county": "county"}

KIND_SUFFIX = {
    "province": {"civil_affairs": "民政厅", "disabled_persons_federation": "残疾人联合会",
                 "health": "卫生健康委员会", "human_resources": "人力资源和社会保障厅"},
    "other": {"civil_affairs": "民政局", "disabled_persons_federation": "残疾人联合会",
              "health": "卫生健康委员会", "human_resources": "人力资源和社会保障局"},
}
KIND_ABBR = {"civil_affairs": "MZ", "disabled_persons_federation": "CL", "health": "WJ", "human_resources": "RS",
             "street_office": "JD", "education": "JY", "finance": "CZ", "housing": "ZJ", "other": "QT"}

# Chinese labels of the service categories, for contract titles.
CATEGORY_TITLES = {
    "rehab_children": "残疾儿童康复服务",
    "rehab_adult": "成年残疾人康复服务",
    "assistive_devices": "辅助器具适配服务",
    "daily_care": "重度残疾人居家照料服务",
    "residential_care": "残疾人托养服务",
    "vocational_training": "残疾人职业技能培训",
    "employment": "残疾人就业援助服务",
    "accessibility": "困难残疾人家庭无障碍改造",
    "education": "残疾儿童送教上门服务",
    "culture_sports": "残疾人文化体育活动",
    "legal_aid": "残疾人法律援助与维权服务",
    "other": "助残社会工作服务",
}
# Typical contract size (yuan, at county level) per category: (low, high).
CATEGORY_AMOUNTS = {
    "rehab_children": (150_000, 900_000), "rehab_adult": (80_000, 500_000), "assistive_devices": (60_000, 600_000),
    "daily_care": (80_000, 450_000), "residential_care": (200_000, 1_200_000),
    "vocational_training": (50_000, 300_000), "employment": (40_000, 250_000), "accessibility": (100_000, 800_000),
    "education": (60_000, 300_000), "culture_sports": (20_000, 120_000), "legal_aid": (20_000, 150_000),
    "other": (30_000, 200_000),
}
LEVEL_FACTOR = {"provincial": 1.6, "municipal": 1.25, "county": 1.0, "township": 0.4}

# Organization archetypes: legal form, name suffix, service categories.
ORG_TYPES = [
    ("social_service_org", "残疾儿童康复中心", ["rehab_children", "education"]),
    ("social_service_org", "康复服务中心", ["rehab_adult", "rehab_children", "assistive_devices"]),
    ("social_service_org", "社会工作服务中心", ["daily_care", "legal_aid", "culture_sports", "other"]),
    ("social_service_org", "残疾人托养服务中心", ["residential_care", "daily_care"]),
    ("social_service_org", "居家养护服务中心", ["daily_care", "residential_care"]),
    ("social_service_org", "职业技能培训学校", ["vocational_training", "employment"]),
    ("social_service_org", "特殊教育培训中心", ["education", "rehab_children"]),
    ("social_group", "助残志愿者协会", ["culture_sports", "daily_care", "other"]),
    ("social_group", "残疾人康复协会", ["rehab_adult", "legal_aid"]),
    ("social_group", "社会工作者协会", ["other", "legal_aid", "daily_care"]),
    ("foundation", "助残基金会", ["assistive_devices", "education", "other"]),
    ("enterprise", "康复辅具有限公司", ["assistive_devices", "accessibility"]),
    ("enterprise", "无障碍科技有限公司", ["accessibility", "assistive_devices"]),
    ("enterprise", "健康管理有限公司", ["rehab_adult", "daily_care"]),
    ("public_institution", "残疾人职业康复中心", ["vocational_training", "rehab_adult", "employment"]),
    ("other", "助残服务社", ["daily_care", "culture_sports"]),
]
ORG_TYPE_WEIGHTS = [14, 12, 12, 7, 6, 5, 4, 6, 4, 3, 4, 6, 4, 4, 3, 3]

# USCC positions 1–2 per legal form (GB 32100-2015: 5x civil affairs, 91 enterprise, 12 public institution).
USCC_PREFIX = {"social_group": "51", "social_service_org": "52", "foundation": "53", "other": "59",
               "enterprise": "91", "public_institution": "12"}

THEMES = [
    "阳光", "春晖", "启明", "爱心", "暖阳", "同心", "博爱", "心语", "星语", "彩虹", "福康", "康宁", "安康", "明德",
    "善德", "助力", "希望", "向日葵", "蒲公英", "红烛", "北辰", "长白", "松花", "晨曦", "益友", "惠民", "雨露",
    "春苗", "天使", "手拉手", "融爱", "恒爱", "乐康", "关爱", "金色", "暖心", "聚善", "仁和", "瑞祥", "童心",
    "百合", "新希望", "众益", "青松", "晓光", "梦飞", "春雨", "映山红", "齐心", "立新",
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段"
)
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀兰", "霞", "平", "刚", "桂英", "玉兰", "春梅", "海燕", "建华", "志强", "晓东", "丽娟", "红梅", "立新"]

STREETS = ["人民大街", "解放大路", "自由大路", "西安大路", "亚泰大街", "南湖大路", "红旗街", "湖西路", "卫星路",
           "延安大街", "重庆路", "同志街", "开运街", "建设街", "长江路", "北京大街", "吉林大路", "东盛大街"]

EVALUATORS = ["吉林省社会组织评估中心", "长春市社会工作服务评估中心", "吉林大学社会工作研究中心",
              "东北师范大学社会公共服务评估中心", "吉林省残疾人康复评估中心"]

FINDINGS_GOOD = ["服务对象满意度高，项目档案完整，资金使用规范。", "按合同完成服务数量，服务质量达到要求。",
                 "康复训练记录规范，家长反馈良好。", "项目执行进度符合计划，财务支出与预算一致。"]
FINDINGS_BAD = ["服务人次未达到合同约定，部分服务记录缺失。", "专项资金存在挪用情况，需限期整改。",
                "项目人员流动大，服务质量不稳定，满意度偏低。", "未按要求建立服务档案，财务凭证不全。"]

CORPORATE_DONORS = ["吉林省华康实业有限公司", "长春恒信汽车部件有限公司", "吉林长白山泉饮品有限公司",
                    "长春新区智联科技有限公司", "吉林宏达建设集团有限公司", "延边金达莱食品有限公司"]
FOUNDATION_FUNDERS = ["中国残疾人福利基金会", "吉林省慈善总会", "长春市慈善总会", "吉林省青少年发展基金会",
                      "南都公益基金会"]
