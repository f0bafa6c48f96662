#!/usr/bin/env python3
"""Generate the demo data of the ``city_base`` addon (Jilin City / 吉林市).

Run from anywhere::

    python3 scripts/demo/generate_city_base_demo.py            # writes addons/city_base/demo/*.xml
    python3 scripts/demo/generate_city_base_demo.py --out DIR  # writes the files into DIR instead

The output is deterministic (fixed seed): running it twice gives identical files. It writes

* ``city_division_demo.xml``       streets, communities and grids under the districts of data/
* ``city_building_demo.xml``       buildings and households
* ``res_partner_demo.xml``         residents, heads of household, organisations and a business contact
* ``city_credit_record_demo.xml``  credit records (blacklist, warning, commendation) of organisations

Identity numbers, mobile numbers and unified social credit codes are valid but made up.
"""

import argparse
import datetime
import importlib
import os
import random
import sys
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "scripts", "lib"))

citydata = importlib.import_module("citydata")  # scripts/lib/citydata.py

SEED = 20250218
DEFAULT_OUT = os.path.join(REPO, "addons", "city_base", "demo")
MIN_RESIDENTS = 220
ADULT_BORN_BEFORE = datetime.date(2008, 1, 1)  # adults (18+) get a mobile number
FIRST_BIRTH = datetime.date(1930, 1, 1)
LAST_BIRTH = datetime.date(2020, 12, 31)
# Names already used by demo users; residents get other names so that searches stay unambiguous.
RESERVED_NAMES = {"李秀英", "张伟", "王芳", "刘洋", "陈静", "赵敏", "孙丽"}
GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格")

# Streets and communities created under the districts of data/city_division_data.xml.
STREETS = (
    {
        "key": "beishan",
        "name": "北山街道",
        "code": "220204001000",
        "district": ("city_division_chuanying", "船营区"),
        "communities": (
            {
                "key": "a",
                "name": "北山社区",
                "grids": 3,
                "roads": ("德胜路", "北山路", "越山路"),
                "at": (43.8432, 126.5291),
            },
            {"key": "c", "name": "德胜社区", "grids": 2, "roads": ("光华路", "德胜路"), "at": (43.8479, 126.5362)},
        ),
    },
    {
        "key": "yanjiang",
        "name": "延江街道",
        "code": "220202002000",
        "district": ("city_division_changyi", "昌邑区"),
        "communities": (
            {
                "key": "b",
                "name": "延江社区",
                "grids": 3,
                "roads": ("延江路", "吉林大街", "徐州路"),
                "at": (43.8716, 126.5618),
            },
            {"key": "d", "name": "松江社区", "grids": 2, "roads": ("松江东路", "中兴街"), "at": (43.8652, 126.5703)},
        ),
    },
    {
        "key": "taishan",
        "name": "泰山街道",
        "code": "220211001000",
        "district": ("city_division_fengman", "丰满区"),
        "communities": (
            {"key": "e", "name": "泰山社区", "grids": 2, "roads": ("泰山路", "吉林大街"), "at": (43.8047, 126.5498)},
        ),
    },
)

# Organisations: (xml id, name, registration district code, street address, zip, contact e-mail).
ORGANISATIONS = (
    ("res_partner_org_demo", "吉林市北山粮油有限公司", "220204", "船营区德胜路18号", "132011", "info@bsly.example.com"),
    (
        "res_partner_org_1_demo",
        "吉林市松花江食品有限公司",
        "220202",
        "昌邑区松江东路126号",
        "132002",
        "service@shjfood.example.com",
    ),
    ("res_partner_org_2_demo", "吉林市江城建筑工程有限公司", "220204", "船营区越山路56号", "132011", False),
    (
        "res_partner_org_3_demo",
        "吉林市雾凇物业管理有限公司",
        "220211",
        "丰满区泰山路88号",
        "132013",
        "wusongwuye@example.com",
    ),
    ("res_partner_org_4_demo", "吉林市龙潭化工机械有限公司", "220203", "龙潭区遵义东路33号", "132021", False),
    (
        "res_partner_org_5_demo",
        "吉林市丰满旅游开发有限公司",
        "220211",
        "丰满区吉林大街2018号",
        "132013",
        "travel@fengman.example.com",
    ),
    ("res_partner_org_6_demo", "吉林市延江家政服务有限公司", "220202", "昌邑区延江路61号", "132002", False),
    (
        "res_partner_org_7_demo",
        "吉林市德胜商贸有限公司",
        "220204",
        "船营区光华路109号",
        "132011",
        "desheng@example.com",
    ),
    (
        "res_partner_org_8_demo",
        "吉林市北华信息技术有限公司",
        "220204",
        "船营区北京路77号",
        "132011",
        "hr@beihuait.example.com",
    ),
    ("res_partner_org_9_demo", "吉林市松江汽车配件有限公司", "220202", "昌邑区中兴街45号", "132002", False),
    (
        "res_partner_org_10_demo",
        "吉林市吉丰医药连锁有限公司",
        "220211",
        "丰满区吉林大街1566号",
        "132013",
        "jifeng@example.com",
    ),
    ("res_partner_org_11_demo", "吉林市江南绿化工程有限公司", "220211", "丰满区江南大街12号", "132013", False),
    ("res_partner_org_12_demo", "吉林市世纪广场餐饮管理有限公司", "220202", "昌邑区吉林大街321号", "132002", False),
)

# Credit records: (xml id, organisation xml id, kind, source, reason, valid from, valid to, revoke reason).
CREDIT_RECORDS = (
    (
        "city_credit_record_1_demo",
        "res_partner_org_2_demo",
        "blacklist",
        "吉林市人力资源和社会保障局",
        "拖欠农民工工资，经责令限期支付后逾期仍未支付，列入拖欠农民工工资失信联合惩戒对象名单。",
        "2026-03-01",
        "2029-02-28",
        False,
    ),
    (
        "city_credit_record_2_demo",
        "res_partner_org_6_demo",
        "blacklist",
        "信用中国（吉林）",
        "有履行能力而拒不履行人民法院生效法律文书确定的义务，被列为失信被执行人。",
        "2025-09-15",
        "2027-09-14",
        False,
    ),
    (
        "city_credit_record_3_demo",
        "res_partner_org_1_demo",
        "warning",
        "吉林市市场监督管理局",
        "食品安全监督抽检中一批次产品标签标识不规范，已责令限期整改。",
        "2025-05-10",
        "2025-11-09",
        False,
    ),
    (
        "city_credit_record_4_demo",
        "res_partner_org_demo",
        "commendation",
        "吉林市市场监督管理局",
        "被评为2025年度吉林市“守合同重信用”企业。",
        "2026-01-01",
        "2027-12-31",
        False,
    ),
    (
        "city_credit_record_5_demo",
        "res_partner_org_3_demo",
        "commendation",
        "吉林市住房和城乡建设局",
        "2025年度物业服务质量考评优秀，业主满意度测评位列全市前十。",
        "2026-02-15",
        "2027-02-14",
        False,
    ),
    (
        "city_credit_record_6_demo",
        "res_partner_org_9_demo",
        "warning",
        "国家税务总局吉林市税务局",
        "未按规定期限办理纳税申报，已补正申报并缴纳滞纳金。",
        "2026-06-01",
        "2026-12-31",
        False,
    ),
    (
        "city_credit_record_7_demo",
        "res_partner_org_8_demo",
        "blacklist",
        "信用中国（吉林）",
        "未按期报送年度报告，被列入严重违法失信名单。",
        "2025-04-20",
        "2026-04-19",
        "企业已补报年度报告并完成信用修复，经信用中国（吉林）审核移出名单。",
    ),
)


class Xml:
    """Minimal writer for Odoo data files."""

    def __init__(self, comment):
        self.lines = ['<?xml version="1.0" encoding="utf-8" ?>', f"<!-- {comment} -->", "<odoo>"]

    def comment(self, text):
        self.lines.append(f"    <!-- {text} -->")

    def record(self, xmlid, model, fields):
        """``fields`` is a list of (name, kind, value); kind is 'text', 'ref' or 'eval'."""
        self.lines.append(f"    <record id={quoteattr(xmlid)} model={quoteattr(model)}>")
        for name, kind, value in fields:
            if value is False or value is None:
                continue
            if kind == "text":
                self.lines.append(f"        <field name={quoteattr(name)}>{escape(str(value))}</field>")
            else:
                self.lines.append(f"        <field name={quoteattr(name)} {kind}={quoteattr(str(value))}/>")
        self.lines.append("    </record>")

    def write(self, path):
        self.lines.append("</odoo>")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(self.lines) + "\n")


def clamp_birth(date):
    return min(max(date, FIRST_BIRTH), LAST_BIRTH)


def birth_in(rng, first_year, last_year):
    return clamp_birth(citydata.random_date(rng, datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)))


def child_birth(rng, mother_birth, min_gap=22, max_gap=33):
    """Birth date of a child of a woman born on ``mother_birth`` (never after LAST_BIRTH)."""
    year = mother_birth.year + rng.randint(min_gap, max_gap)
    if year > LAST_BIRTH.year:
        year = max(LAST_BIRTH.year - rng.randint(0, 3), mother_birth.year + 20)
    return birth_in(rng, year, year)


def family(rng, kind):
    """Return (members, head index); a member is a dict with gender, birth and surname."""
    surname = citydata.weighted_surname(rng)

    def person(gender, birth, own_surname=None):
        return {"gender": gender, "birth": birth, "surname": own_surname or surname}

    def spouse_of(partner):
        year = partner["birth"].year + (rng.randint(-1, 4) if partner["gender"] == "male" else rng.randint(-4, 1))
        gender = "female" if partner["gender"] == "male" else "male"
        return person(gender, birth_in(rng, year, year), citydata.weighted_surname(rng))

    if kind == "elderly_single":
        return [person(rng.choices(("female", "male"), (7, 3))[0], birth_in(rng, 1930, 1948))], 0
    if kind == "elderly_couple":
        husband = person("male", birth_in(rng, 1932, 1955))
        return [husband, spouse_of(husband)], (0 if rng.random() < 0.8 else 1)
    if kind == "couple_kids":
        husband = person("male", birth_in(rng, 1975, 1993))
        wife = spouse_of(husband)
        members = [husband, wife, person(rng.choice(("male", "female")), child_birth(rng, wife["birth"]))]
        if rng.random() < 0.35:
            second = members[-1]["birth"] + datetime.timedelta(days=rng.randint(700, 2200))
            if second <= LAST_BIRTH:
                members.append(person(rng.choice(("male", "female")), second))
        return members, (0 if rng.random() < 0.75 else 1)
    if kind == "three_generations":
        members = []
        grandfather = person("male", birth_in(rng, 1938, 1958))
        if rng.random() < 0.7:
            members.append(grandfather)
        grandmother = spouse_of(grandfather)
        if not members or rng.random() < 0.8:
            members.append(grandmother)
        son = person("male", child_birth(rng, grandmother["birth"], 23, 30))
        daughter_in_law = spouse_of(son)
        members += [son, daughter_in_law]
        members.append(person(rng.choice(("male", "female")), child_birth(rng, daughter_in_law["birth"], 24, 32)))
        return members, 0
    if kind == "young_single":
        return [person(rng.choice(("male", "female")), birth_in(rng, 1990, 2003))], 0
    if kind == "young_couple":
        husband = person("male", birth_in(rng, 1988, 1999))
        return [husband, spouse_of(husband)], (0 if rng.random() < 0.6 else 1)
    if kind == "single_parent":
        mother = person("female", birth_in(rng, 1976, 1990))
        return [mother, person(rng.choice(("male", "female")), child_birth(rng, mother["birth"]))], 0
    if kind == "parents_adult_child":
        father = person("male", birth_in(rng, 1960, 1974))
        mother = spouse_of(father)
        return [father, mother, person(rng.choice(("male", "female")), child_birth(rng, mother["birth"], 24, 29))], 0
    raise ValueError(kind)


FAMILY_KINDS = (
    ("elderly_single", 10),
    ("elderly_couple", 14),
    ("couple_kids", 24),
    ("three_generations", 16),
    ("young_single", 9),
    ("young_couple", 9),
    ("single_parent", 6),
    ("parents_adult_child", 12),
)


class Generator:
    def __init__(self, seed=SEED):
        self.rng = random.Random(seed)
        self.names = set(RESERVED_NAMES)
        self.id_numbers = set()
        self.mobiles = set()
        self.usccs = set()
        self.divisions = Xml(
            "Demo streets, communities and grids of Jilin City (generated by scripts/demo/generate_city_base_demo.py)."
        )
        self.buildings = Xml("Demo buildings and households (generated by scripts/demo/generate_city_base_demo.py).")
        self.partners = Xml(
            "Demo residents, organisations and a business contact (generated by "
            "scripts/demo/generate_city_base_demo.py)."
        )
        self.credits = Xml("Demo credit records (generated by scripts/demo/generate_city_base_demo.py).")
        self.homes = []  # (grid, building, household xml id, household name)
        self.resident_count = 0
        self.heads = []
        self.lixiuying_household = None

    # --- divisions, buildings, households ------------------------------------------------------

    def build_divisions(self):
        rng = self.rng
        for street in STREETS:
            street_id = f"city_division_street_{street['key']}_demo"
            district_id, district_name = street["district"]
            self.divisions.comment(f"{district_name} {street['name']}")
            self.divisions.record(
                street_id,
                "city.division",
                [
                    ("name", "text", street["name"]),
                    ("code", "text", street["code"]),
                    ("type", "text", "street"),
                    ("parent_id", "ref", district_id),
                ],
            )
            for index, community in enumerate(street["communities"], start=1):
                community_id = f"city_division_community_{community['key']}_demo"
                community_code = street["code"][:9] + f"{index:03d}"
                self.divisions.record(
                    community_id,
                    "city.division",
                    [
                        ("name", "text", community["name"]),
                        ("code", "text", community_code),
                        ("type", "text", "community"),
                        ("parent_id", "ref", street_id),
                    ],
                )
                for grid_index in range(1, community["grids"] + 1):
                    grid = {
                        "id": f"city_division_grid_{community['key']}{grid_index}_demo",
                        "key": f"{community['key']}{grid_index}",
                        "code": community_code + f"{grid_index:03d}",
                        "district": district_name,
                        "street": street["name"],
                        "road": community["roads"][(grid_index - 1) % len(community["roads"])],
                        "at": community["at"],
                    }
                    self.divisions.record(
                        grid["id"],
                        "city.division",
                        [
                            ("name", "text", GRID_NAMES[grid_index - 1]),
                            ("code", "text", grid["code"]),
                            ("type", "text", "grid"),
                            ("parent_id", "ref", community_id),
                        ],
                    )
                    self.build_buildings(grid, first_number=rng.randint(1, 20) * 2 + grid_index * 40)

    def build_buildings(self, grid, first_number):
        rng = self.rng
        self.buildings.comment(f"{grid['district']}{grid['street']} {grid['key']}: {grid['road']}")
        for number in range(1, rng.randint(2, 3) + 1):
            floors = rng.choice((6, 6, 7, 7, 11, 18, 24))
            building = {
                "id": f"city_building_{grid['key']}_{number}_demo",
                "name": f"{number}号楼",
                "address": f"吉林市{grid['district']}{grid['street']}{grid['road']}{first_number + 2 * (number - 1)}号",
                "grid": grid,
            }
            latitude = grid["at"][0] + rng.uniform(-0.003, 0.003)
            longitude = grid["at"][1] + rng.uniform(-0.004, 0.004)
            self.buildings.record(
                building["id"],
                "city.building",
                [
                    ("name", "text", building["name"]),
                    ("grid_id", "ref", grid["id"]),
                    ("address", "text", building["address"]),
                    ("floors", "text", floors),
                    ("latitude", "text", f"{latitude:.6f}"),
                    ("longitude", "text", f"{longitude:.6f}"),
                ],
            )
            rooms = set()
            special = (1, 3, 1) if grid["key"] == "a1" and number == 1 else None  # home of 李秀英
            if special:
                rooms.add(special)
            units = 3 if floors < 11 else 2
            count = rng.randint(3, 4)
            while len(rooms) < count:
                rooms.add((rng.randint(1, units), rng.randint(1, floors), rng.randint(1, 2)))
            for index, (unit, floor, door) in enumerate(sorted(rooms), start=1):
                household_id = f"city_household_{grid['key']}_{number}_{index}_demo"
                room = f"{unit}单元{floor}{door:02d}"
                self.homes.append((grid, building, household_id, room))
                if (unit, floor, door) == special:
                    self.lixiuying_household = household_id
                self.buildings.record(
                    household_id,
                    "city.household",
                    [("name", "text", room), ("building_id", "ref", building["id"])],
                )

    # --- people --------------------------------------------------------------------------------

    def add_resident(self, xmlid, home, member, name=None, email=False):
        grid, building, household_id, room = home
        rng = self.rng
        region = grid["code"][:6]
        if name is None:
            name = citydata.make_unique(
                self.names,
                citydata.make_name,
                rng,
                member["gender"],
                member["surname"],
                member["birth"].year,
            )
        number = citydata.make_unique(
            self.id_numbers, citydata.make_resident_id, rng, region, member["birth"], member["gender"]
        )
        mobile = (
            citydata.make_unique(self.mobiles, citydata.make_mobile, rng)
            if member["birth"] < ADULT_BORN_BEFORE
            else False
        )
        self.partners.record(
            xmlid,
            "res.partner",
            [
                ("name", "text", name),
                ("is_resident", "eval", "True"),
                ("resident_id_number", "text", number),
                ("mobile", "text", mobile),
                ("email", "text", email),
                ("city_division_id", "ref", grid["id"]),
                ("city_building_id", "ref", building["id"]),
                ("city_household_id", "ref", household_id),
                ("street", "text", building["address"].removeprefix("吉林市")),
                ("street2", "text", f"{building['name']}{room}"),
                ("city", "text", "吉林市"),
                ("state_id", "ref", "base.state_cn_JL"),
                ("country_id", "ref", "base.cn"),
                ("lang", "text", "zh_CN"),
            ],
        )
        self.resident_count += 1
        return xmlid

    def next_resident_id(self):
        return f"res_partner_resident_{self.resident_count + 1:03d}_demo"

    def build_residents(self):
        rng = self.rng
        kinds = [kind for kind, _weight in FAMILY_KINDS]
        weights = [weight for _kind, weight in FAMILY_KINDS]
        self.partners.comment("Residents, household by household")
        for home in self.homes:
            household_id = home[2]
            if household_id == self.lixiuying_household:
                head = self.build_lixiuying(home)
            else:
                members, head_index = family(rng, rng.choices(kinds, weights)[0])
                ids = [self.add_resident(self.next_resident_id(), home, member) for member in members]
                head = ids[head_index]
            self.heads.append((household_id, head))
        self.partners.comment("Heads of household (each lives in the household)")
        for household_id, head in self.heads:
            self.partners.record(household_id, "city.household", [("head_id", "ref", head)])

    def build_lixiuying(self, home):
        """李秀英 (born 1958), head of a household in grid A1, with her husband and granddaughter."""
        lixiuying = {"gender": "female", "birth": datetime.date(1958, 3, 15), "surname": "李"}
        self.add_resident("res_partner_resident_demo", home, lixiuying, name="李秀英", email="lixiuying@example.com")
        self.names.update({"王建华", "王梓涵"})
        husband = {"gender": "male", "birth": datetime.date(1956, 10, 2), "surname": "王"}
        self.add_resident(self.next_resident_id(), home, husband, name="王建华")
        granddaughter = {"gender": "female", "birth": datetime.date(2014, 6, 8), "surname": "王"}
        self.add_resident(self.next_resident_id(), home, granddaughter, name="王梓涵")
        return "res_partner_resident_demo"

    def build_organisations(self):
        rng = self.rng
        self.partners.comment("Organisations")
        for xmlid, name, region, street, zip_code, email in ORGANISATIONS:
            self.names.add(name)
            self.partners.record(
                xmlid,
                "res.partner",
                [
                    ("name", "text", name),
                    ("is_company", "eval", "True"),
                    ("uscc", "text", citydata.make_unique(self.usccs, citydata.make_uscc, rng, region)),
                    ("street", "text", street),
                    ("city", "text", "吉林市"),
                    ("zip", "text", zip_code),
                    ("state_id", "ref", "base.state_cn_JL"),
                    ("country_id", "ref", "base.cn"),
                    ("phone", "text", citydata.make_landline(rng)),
                    ("email", "text", email),
                    ("lang", "text", "zh_CN"),
                ],
            )
        self.partners.comment("Contact person of 吉林市北山粮油有限公司 (portal business user)")
        self.partners.record(
            "res_partner_business_demo",
            "res.partner",
            [
                ("name", "text", "张伟"),
                ("parent_id", "ref", "res_partner_org_demo"),
                ("function", "text", "总经理"),
                ("email", "text", "zhangwei@example.com"),
                ("mobile", "text", citydata.make_unique(self.mobiles, citydata.make_mobile, rng)),
                ("lang", "text", "zh_CN"),
            ],
        )

    def build_credit_records(self):
        for xmlid, partner, kind, source, reason, valid_from, valid_to, revoke_reason in CREDIT_RECORDS:
            self.credits.record(
                xmlid,
                "city.credit.record",
                [
                    ("partner_id", "ref", partner),
                    ("kind", "text", kind),
                    ("source", "text", source),
                    ("reason", "text", reason),
                    ("valid_from", "text", valid_from),
                    ("valid_to", "text", valid_to),
                    ("state", "text", "revoked" if revoke_reason else False),
                    ("revoke_reason", "text", revoke_reason),
                ],
            )

    def run(self, out_dir):
        self.build_divisions()
        self.build_residents()
        if self.resident_count < MIN_RESIDENTS:
            raise SystemExit(f"only {self.resident_count} residents generated, {MIN_RESIDENTS} needed")
        self.build_organisations()
        self.build_credit_records()
        os.makedirs(out_dir, exist_ok=True)
        self.divisions.write(os.path.join(out_dir, "city_division_demo.xml"))
        self.buildings.write(os.path.join(out_dir, "city_building_demo.xml"))
        self.partners.write(os.path.join(out_dir, "res_partner_demo.xml"))
        self.credits.write(os.path.join(out_dir, "city_credit_record_demo.xml"))
        return self.resident_count, len(self.homes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)
    residents, households = Generator(args.seed).run(args.out)
    sys.stdout.write(f"{residents} residents in {households} households written to {args.out}\n")


if __name__ == "__main__":
    main()
