"""Realistic Chinese personal and organisation data for demo and benchmark generators.

Pure Python (no Odoo import). Every function takes a ``random.Random`` instance, so the output is
deterministic for a given seed::

    rng = random.Random(20250101)
    name = make_name(rng, "female", birth_year=1958)
    number = make_resident_id(rng, "220204", datetime.date(1958, 3, 15), "female")

Identity numbers (GB 11643) and unified social credit codes (GB 32100) are built with the check
characters of ``addons/city_base/tools/validators.py``, so they pass the addon's validation.
"""

import bisect
import datetime
import importlib
import os
import sys

_TOOLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "addons", "city_base", "tools")
if os.path.normpath(_TOOLS_DIR) not in sys.path:
    sys.path.insert(0, os.path.normpath(_TOOLS_DIR))

validators = importlib.import_module("validators")  # addons/city_base/tools/validators.py

# Jilin City (吉林市) districts and counties: GB/T 2260 code -> name.
JILIN_CITY_CODE = "220200"
JILIN_DISTRICTS = {
    "220202": "昌邑区",
    "220203": "龙潭区",
    "220204": "船营区",
    "220211": "丰满区",
    "220221": "永吉县",
    "220281": "蛟河市",
    "220282": "桦甸市",
    "220283": "舒兰市",
    "220284": "磐石市",
}

# Common surnames with their approximate share (per mille) of the population; the north-east
# favours 于, 孙, 姜 and 刘 a little more than the national figures.
SURNAME_WEIGHTS = (
    ("王", 71),
    ("李", 70),
    ("张", 67),
    ("刘", 56),
    ("陈", 40),
    ("杨", 31),
    ("赵", 25),
    ("黄", 18),
    ("周", 17),
    ("吴", 15),
    ("孙", 16),
    ("于", 11),
    ("徐", 13),
    ("胡", 11),
    ("朱", 11),
    ("高", 12),
    ("林", 9),
    ("何", 9),
    ("郭", 11),
    ("马", 11),
    ("姜", 9),
    ("罗", 7),
    ("梁", 8),
    ("宋", 8),
    ("郑", 7),
    ("谢", 6),
    ("韩", 8),
    ("唐", 6),
    ("冯", 6),
    ("董", 6),
    ("萧", 3),
    ("程", 5),
    ("曹", 5),
    ("袁", 5),
    ("邓", 4),
    ("许", 5),
    ("傅", 4),
    ("沈", 4),
    ("曾", 3),
    ("彭", 4),
    ("吕", 5),
    ("苏", 4),
    ("卢", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("贾", 4),
    ("丁", 4),
    ("魏", 4),
    ("薛", 3),
    ("叶", 3),
    ("阎", 3),
    ("余", 2),
    ("潘", 3),
    ("杜", 3),
    ("戴", 2),
    ("夏", 3),
    ("钟", 2),
    ("汪", 2),
    ("田", 4),
    ("任", 3),
    ("范", 3),
    ("方", 2),
    ("石", 3),
    ("姚", 3),
    ("谭", 2),
    ("廖", 1),
    ("邹", 2),
    ("金", 4),
    ("陆", 2),
    ("郝", 3),
    ("孔", 2),
    ("白", 3),
    ("崔", 4),
    ("康", 2),
    ("毛", 2),
    ("邱", 2),
    ("秦", 2),
    ("江", 2),
    ("史", 2),
    ("顾", 2),
    ("侯", 3),
    ("邵", 2),
    ("孟", 3),
    ("龙", 1),
    ("万", 2),
    ("段", 2),
    ("雷", 2),
    ("钱", 2),
    ("汤", 1),
    ("尹", 2),
    ("常", 2),
    ("武", 2),
    ("乔", 2),
    ("贺", 2),
    ("龚", 1),
    ("文", 1),
    ("关", 3),
    ("付", 3),
    ("纪", 1),
    ("安", 1),
    ("庞", 1),
    ("隋", 1),
    ("佟", 1),
)
SURNAMES = tuple(surname for surname, _weight in SURNAME_WEIGHTS)
_SURNAME_CUM = []
for _surname, _weight in SURNAME_WEIGHTS:
    _SURNAME_CUM.append((_SURNAME_CUM[-1] if _SURNAME_CUM else 0) + _weight)
del _surname, _weight

# Characters used to compose given names: a first character followed by a second one, or a
# single character on its own.
MALE_FIRST_CHARS = (
    "志",
    "建",
    "国",
    "海",
    "晓",
    "俊",
    "子",
    "宇",
    "浩",
    "文",
    "明",
    "永",
    "立",
    "云",
    "春",
    "振",
    "天",
    "嘉",
    "梓",
    "一",
    "德",
    "庆",
    "家",
    "长",
    "宏",
    "学",
    "承",
    "博",
    "思",
    "金",
)
FEMALE_FIRST_CHARS = (
    "秀",
    "桂",
    "淑",
    "玉",
    "丽",
    "红",
    "春",
    "晓",
    "海",
    "美",
    "雅",
    "欣",
    "思",
    "梓",
    "雨",
    "诗",
    "佳",
    "婉",
    "慧",
    "婷",
    "凤",
    "艳",
    "冬",
    "秋",
    "若",
    "可",
    "紫",
    "语",
    "梦",
    "静",
)
MALE_GIVEN_CHARS = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "斌",
    "鹏",
    "辉",
    "刚",
    "健",
    "波",
    "宇",
    "浩",
    "凯",
    "峰",
    "亮",
    "林",
    "华",
    "平",
    "东",
    "文",
    "龙",
    "俊",
    "博",
    "晨",
    "阳",
    "鑫",
    "飞",
    "成",
    "新",
    "春",
    "德",
    "福",
    "庆",
    "宏",
    "振",
    "兴",
    "然",
    "轩",
    "泽",
    "睿",
    "铭",
    "哲",
    "航",
    "瑞",
    "豪",
    "生",
)
FEMALE_GIVEN_CHARS = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "英",
    "燕",
    "玲",
    "红",
    "梅",
    "莉",
    "兰",
    "凤",
    "洁",
    "琳",
    "雪",
    "婷",
    "颖",
    "慧",
    "倩",
    "琴",
    "晶",
    "萍",
    "华",
    "珍",
    "欣",
    "怡",
    "涵",
    "萱",
    "悦",
    "彤",
    "馨",
    "月",
    "云",
    "蕾",
    "菲",
    "媛",
    "瑶",
    "妍",
)
MALE_SINGLE_NAMES = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "斌",
    "鹏",
    "辉",
    "刚",
    "健",
    "波",
    "宇",
    "浩",
    "凯",
    "峰",
    "亮",
    "林",
    "平",
    "东",
    "龙",
    "俊",
    "博",
    "晨",
    "阳",
    "鑫",
    "飞",
    "睿",
    "哲",
    "航",
    "昊",
)
FEMALE_SINGLE_NAMES = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "燕",
    "玲",
    "红",
    "梅",
    "莉",
    "洁",
    "琳",
    "雪",
    "婷",
    "颖",
    "慧",
    "倩",
    "琴",
    "晶",
    "萍",
    "欣",
    "悦",
    "彤",
    "佳",
    "璐",
    "瑶",
    "妍",
)

# Whole given names typical of the generation a person was born in.
GIVEN_NAMES_BY_ERA = {
    ("male", 1930): (
        "建国",
        "国庆",
        "德福",
        "长发",
        "振华",
        "树林",
        "宝山",
        "玉林",
        "福祥",
        "永福",
        "志刚",
        "庆云",
        "文斌",
        "德胜",
        "金山",
        "广田",
        "世昌",
        "学文",
    ),
    ("female", 1930): (
        "秀英",
        "桂兰",
        "淑珍",
        "玉兰",
        "凤英",
        "秀兰",
        "桂英",
        "淑兰",
        "玉珍",
        "桂芝",
        "淑芬",
        "秀珍",
        "凤兰",
        "玉梅",
        "素芳",
        "春花",
        "翠兰",
        "秀云",
    ),
    ("male", 1960): (
        "建华",
        "建军",
        "国强",
        "卫东",
        "红军",
        "志强",
        "海涛",
        "立新",
        "永刚",
        "振宇",
        "洪亮",
        "春雷",
        "建平",
        "伟",
        "军",
        "勇",
        "刚",
        "斌",
    ),
    ("female", 1960): (
        "丽华",
        "秀梅",
        "红梅",
        "春燕",
        "丽娟",
        "玉霞",
        "海燕",
        "桂珍",
        "淑华",
        "晓红",
        "艳华",
        "凤霞",
        "秀华",
        "丽",
        "敏",
        "静",
        "红",
        "艳",
    ),
    ("male", 1980): (
        "伟",
        "磊",
        "鹏",
        "超",
        "涛",
        "杰",
        "强",
        "明",
        "亮",
        "刚",
        "海龙",
        "志鹏",
        "晓东",
        "建伟",
        "大伟",
        "俊杰",
        "宏伟",
        "旭东",
    ),
    ("female", 1980): (
        "静",
        "丽",
        "娜",
        "敏",
        "婷",
        "燕",
        "芳",
        "颖",
        "晶",
        "雪",
        "丽娜",
        "晓燕",
        "海燕",
        "婷婷",
        "冬梅",
        "红艳",
        "晓丽",
        "美玲",
    ),
    ("male", 2000): (
        "浩然",
        "子轩",
        "宇轩",
        "梓豪",
        "俊熙",
        "浩宇",
        "子墨",
        "一鸣",
        "沐辰",
        "宇航",
        "博文",
        "天佑",
        "皓轩",
        "睿",
        "泽",
        "昊",
        "铭",
        "晨阳",
    ),
    ("female", 2000): (
        "子涵",
        "梓涵",
        "欣怡",
        "梓萱",
        "诗涵",
        "一诺",
        "雨桐",
        "语桐",
        "可馨",
        "若汐",
        "佳怡",
        "思彤",
        "欣妍",
        "悦",
        "彤",
        "萱",
        "雨萱",
        "梦瑶",
    ),
}

# Mainland mobile prefixes (China Mobile, Unicom and Telecom number blocks in daily use).
MOBILE_PREFIXES = tuple(
    [str(prefix) for prefix in range(130, 140)]
    + [str(prefix) for prefix in range(150, 160) if prefix != 154]
    + [str(prefix) for prefix in range(180, 190)]
    + ["199"]
)

# GB 11714 organisation code: weights of the eight body characters, and the characters allowed
# in a unified social credit code (no I, O, S, V, Z).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
USCC_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"
USCC_CHARSET = validators.USCC_CHARSET

COMPANY_PLACE_WORDS = (
    "松花江",
    "江城",
    "雾凇",
    "北山",
    "龙潭",
    "丰满",
    "昌邑",
    "船营",
    "江南",
    "吉丰",
    "德胜",
    "延江",
    "松江",
    "北华",
    "世纪",
    "东华",
    "长白",
    "玄天",
    "朱雀",
    "小白山",
)
COMPANY_TRADES = (
    "食品",
    "粮油",
    "建筑工程",
    "物业管理",
    "商贸",
    "化工",
    "汽车配件",
    "医药连锁",
    "家政服务",
    "信息技术",
    "餐饮管理",
    "旅游开发",
    "绿化工程",
    "机械制造",
    "装饰工程",
    "物流",
    "农业科技",
    "印刷",
    "电力设备",
    "供热",
)
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")


def weighted_surname(rng):
    """Return a surname drawn with its population weight."""
    return SURNAMES[bisect.bisect_right(_SURNAME_CUM, rng.randrange(_SURNAME_CUM[-1]))]


def _era(birth_year):
    if birth_year < 1960:
        return 1930
    if birth_year < 1980:
        return 1960
    if birth_year < 2000:
        return 1980
    return 2000


def make_given_name(rng, gender, birth_year=None):
    """Return a given name of one or two characters for ``gender`` ('male' or 'female')."""
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be 'male' or 'female', not {gender!r}")
    if birth_year is not None and rng.random() < 0.75:
        return rng.choice(GIVEN_NAMES_BY_ERA[(gender, _era(birth_year))])
    male = gender == "male"
    if rng.random() < 0.25:
        return rng.choice(MALE_SINGLE_NAMES if male else FEMALE_SINGLE_NAMES)
    first = rng.choice(MALE_FIRST_CHARS if male else FEMALE_FIRST_CHARS)
    second = rng.choice(MALE_GIVEN_CHARS if male else FEMALE_GIVEN_CHARS)
    while second == first:
        second = rng.choice(MALE_GIVEN_CHARS if male else FEMALE_GIVEN_CHARS)
    return first + second


def make_name(rng, gender, surname=None, birth_year=None):
    """Return a full name: ``surname`` (weighted random when not given) followed by a given name."""
    return (surname or weighted_surname(rng)) + make_given_name(rng, gender, birth_year)


def random_date(rng, start, end):
    """Return a date between ``start`` and ``end`` (both included)."""
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def make_resident_id(rng, region_code6, birth_date, gender):
    """Return a valid 18-character GB 11643 identity number.

    ``region_code6`` is the six-digit GB/T 2260 code of the place of registration, ``gender`` is
    'male' (odd 17th digit) or 'female' (even 17th digit).
    """
    region = str(region_code6)
    if len(region) != 6 or not region.isdigit():
        raise ValueError(f"region code must have 6 digits: {region_code6!r}")
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be 'male' or 'female', not {gender!r}")
    order = rng.randrange(100)
    gender_digit = rng.choice("13579" if gender == "male" else "02468")
    first17 = f"{region}{birth_date:%Y%m%d}{order:02d}{gender_digit}"
    return first17 + validators.resident_id_check_char(first17)


def make_mobile(rng):
    """Return an 11-digit mainland mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_landline(rng, area_code="0432"):
    """Return a fixed-line number such as 0432-62451234 (Jilin City numbers have eight digits)."""
    return f"{area_code}-6{rng.randint(2, 9)}{rng.randrange(10**6):06d}"


def org_code_check_char(body8):
    """GB 11714 check character of an eight-character organisation code body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_org_code(rng):
    """Return a nine-character organisation code (GB 11714) using only USCC characters.

    Codes issued since the 2015 reform start with 'MA'; older ones are eight digits.
    """
    if rng.random() < 0.7:
        body = "MA" + "".join(rng.choice(USCC_CHARSET) for _index in range(6))
    else:
        body = f"{rng.randrange(10**8):08d}"
    return body + org_code_check_char(body)


def make_uscc(rng, region_code6, prefix="91"):
    """Return a valid 18-character GB 32100 unified social credit code.

    ``prefix`` is the registration authority and organisation type ('91' = enterprise registered
    by the market regulator, '12' = public institution, '52' = social organisation...).
    """
    region = str(region_code6)
    if len(region) != 6 or not region.isdigit():
        raise ValueError(f"region code must have 6 digits: {region_code6!r}")
    first17 = prefix + region + make_org_code(rng)
    return first17 + validators.uscc_check_char(first17)


def make_company_name(rng, city="吉林市"):
    """Return a company name such as 吉林市松花江食品有限公司."""
    return city + rng.choice(COMPANY_PLACE_WORDS) + rng.choice(COMPANY_TRADES) + rng.choice(COMPANY_SUFFIXES)


def make_unique(seen, factory, *args, attempts=1000):
    """Call ``factory(*args)`` until it returns a value not in the set ``seen``; add and return it."""
    for _attempt in range(attempts):
        value = factory(*args)
        if value not in seen:
            seen.add(value)
            return value
    raise RuntimeError(f"no unique value after {attempts} attempts")
