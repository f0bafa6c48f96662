"""The demo city's care service: sixteen care files and the week before installation.

Care files cover every category (高龄 from the birth date, 失能 and 半失能 from confirmed Barthel
assessments, 残障 from the certificate, 留守儿童 from the family situation, 孤寡, 独居 and 空巢 as
recorded). Their wearables report a week of heartbeats, locations and vital signs through the real
ingest path, so the alarms arise from the events; the alarm desk then works them through the
closed loop as the demo users, and the times of each step are moved back to when they happened.
Visits, assessments, counselling and life-help tasks go through their business methods too.
"""

import datetime
import json
import math
import random

from odoo import Command, fields

from .imei import luhn_check_digit

SEED = 2027
DAYS = 7
LOCAL = datetime.timedelta(hours=8)  # Asia/Shanghai has no daylight saving time
MODULE = "city_special_care"
OPEN_STATES = ("new", "acknowledged", "called", "dispatched", "arrived")
BARTHEL = (
    "feeding",
    "bathing",
    "grooming",
    "dressing",
    "bowels",
    "bladder",
    "toilet",
    "transfer",
    "mobility",
    "stairs",
)
MANUAL = {
    "widowed": "city_special_care.city_care_category_widowed",
    "alone": "city_special_care.city_care_category_alone",
    "empty_nest": "city_special_care.city_care_category_empty_nest",
}
DISABILITY_CODES = {"visual": 1, "hearing": 2, "speech": 3, "physical": 4, "intellectual": 5, "mental": 6}
# Device models: (xml id, type allocation code, hourly drain of the battery in %, charged daily)
MODELS = {
    "watch": ("city_special_care.city_care_device_model_watch_demo", "86947203", 2.2, True),
    "badge": ("city_special_care.city_care_device_model_badge_demo", "86516004", 0.25, False),
    "bracelet": ("city_special_care.city_care_device_model_bracelet_demo", "86734105", 0.35, False),
}

# Care files. ``team``: who keeps the file — "worker" (北山社区, the responsible worker), "duty" (the
# other communities of 北山 and 延江 streets, no responsible worker yet) or "manager" (泰山街道).
# ``opened``: days since the file was opened; ``place``: a favourite spot (metres north, east of home).
RECIPIENTS = [
    {
        "key": "zhao_qingyun",
        "resident": "resident_009",
        "manual": ["empty_nest"],
        "risk": "medium",
        "opened": 160,
        "team": "worker",
        "device": "watch",
        "vitals": (72, 132, 80, 97),
        "place": (350, 200),
        "radius": 800,
        "note": "高血压 10 年，规律服用降压药；左耳听力下降。",
        "last_visit": 12,  # the alarm follow-up visit comes after it
        "contacts": [
            {"partner": "resident_059", "relation": "child", "note": "儿子，住北山社区第三网格"},
            {"partner": "resident_010", "relation": "spouse"},
            {"partner": "resident_060", "relation": "relative", "note": "儿媳"},
        ],
        "consents": [
            {
                "contact": 0,
                "alarms": True,
                "visits": True,
                "readings": True,
                "signer": "赵庆云",
                "signed": 150,
                "until": -580,
            }
        ],
        "assessments": [(150, "initial", (10, 0, 5, 10, 10, 5, 10, 15, 10, 5))],
    },
    {
        "key": "li_shichang",
        "resident": "resident_024",
        "manual": ["empty_nest"],
        "risk": "high",
        "opened": 50,
        "team": "worker",
        "device": "badge",
        "radius": 300,
        "note": "脑梗死后遗症，右侧肢体活动不利，以卧床为主；高血压。",
        "last_visit": 2,  # home from hospital
        "contacts": [
            {"name": "李红梅", "phone": "13904326618", "relation": "child", "address": "长春市朝阳区"},
            {"partner": "resident_025", "relation": "spouse"},
            {"name": "张桂芳", "phone": "15804321177", "relation": "neighbour", "note": "同单元邻居，有备用钥匙"},
        ],
        "consents": [
            {"contact": 0, "alarms": True, "visits": True, "signer": "李世昌", "signed": 48, "revoked": 20},
            {
                "shared_with": "medical",
                "organisation": "北山街道社区卫生服务中心",
                "alarms": True,
                "visits": False,
                "readings": True,
                "signer": "李世昌",
                "signed": 20,
                "until": -345,
            },
        ],
        "assessments": [(49, "initial", (10, 0, 0, 5, 10, 5, 5, 10, 5, 0))],
    },
    {
        "key": "ma_cuilan",
        "resident": "resident_025",
        "manual": ["empty_nest"],
        "risk": "medium",
        "opened": 120,
        "team": "worker",
        "device": "badge",
        "radius": 300,
        "note": "骨质疏松，行走需使用助行器。",
        "contacts": [
            {"name": "李红梅", "phone": "13904326618", "relation": "child", "address": "长春市朝阳区"},
            {"partner": "resident_024", "relation": "spouse"},
        ],
        "assessments": [(118, "initial", (10, 0, 5, 5, 10, 5, 5, 10, 5, 0))],
    },
    {
        "key": "wang_zihan",
        "resident": "resident_003",
        "risk": "medium",
        "opened": 200,
        "team": "worker",
        "device": "watch",
        "vitals": (88, 105, 68, 98),
        "school": (600, 300),
        "parents_work_location": "上海市浦东新区（建筑工地务工）",
        "contacts": [
            {"partner": "resident_002", "relation": "grandparent", "guardian": True, "note": "祖父，监护人"},
            {"partner": "resident", "relation": "grandparent", "note": "祖母"},
            {
                "name": "王鹏",
                "phone": "13816624530",
                "relation": "parent",
                "address": "上海市浦东新区川沙新镇",
                "note": "父亲，在沪务工",
            },
            {"name": "刘娜", "phone": "13917735812", "relation": "parent", "note": "母亲，在沪务工"},
        ],
        "consents": [
            {
                "contact": 2,
                "alarms": True,
                "visits": True,
                "signed_by": "guardian",
                "signer": "王建华",
                "signed": 198,
                "until": -530,
            }
        ],
    },
    {
        "key": "cui_shuzhen",
        "resident": "resident_063",
        "manual": ["widowed", "alone"],
        "risk": "high",
        "opened": 45,
        "team": "worker",
        "device": "watch",
        "vitals": (76, 142, 84, 95),
        "place": (250, -150),
        "radius": 600,
        "note": "丈夫 2009 年去世，无子女；冠心病，随身携带速效救心丸。",
        "contacts": [
            {"name": "刘桂香", "phone": "13596218874", "relation": "neighbour", "note": "对门邻居，有备用钥匙"},
            {"name": "崔淑琴", "phone": "13029876615", "relation": "sibling", "address": "吉林市龙潭区"},
        ],
        "consents": [
            {
                "shared_with": "provider",
                "organisation": "北山社区居家养老服务站",
                "alarms": True,
                "visits": True,
                "signer": "崔淑珍",
                "signed": 44,
                "until": -700,
            }
        ],
        "assessments": [(44, "initial", (10, 0, 5, 10, 10, 10, 10, 10, 5, 0))],
    },
    {
        "key": "yu_shichang",
        "resident": "resident_057",
        "manual": ["empty_nest"],
        "risk": "medium",
        "opened": 180,
        "team": "worker",
        "device": "bracelet",
        "vitals": (70, 150, 88, 96),
        "thresholds": {"systolic_max": 165},
        "note": "高血压 20 年，医嘱收缩压控制在 165 mmHg 以下；前列腺增生。",
        "contacts": [
            {"partner": "resident_058", "relation": "spouse"},
            {"name": "于海波", "phone": "13504456627", "relation": "child", "address": "深圳市南山区"},
        ],
        "consents": [
            {
                "contact": 1,
                "alarms": True,
                "visits": False,
                "readings": True,
                "signer": "于世昌",
                "signed": 178,
                "until": -550,
            }
        ],
        "assessments": [(178, "initial", (10, 5, 5, 10, 10, 10, 10, 15, 10, 5))],
    },
    {
        "key": "deng_chunjie",
        "resident": "resident_075",
        "risk": "low",
        "opened": 100,
        "team": "worker",
        "device": "watch",
        "vitals": (80, 118, 74, 98),
        "place": (-300, 350),
        "radius": 800,
        "disability": ("intellectual", "3"),
        "note": "智力残疾三级，能简单交流；曾两次外出走失。",
        "contacts": [
            {"partner": "resident_074", "relation": "parent", "guardian": True, "note": "母亲，监护人"},
            {"partner": "resident_073", "relation": "parent", "guardian": True, "note": "父亲"},
        ],
        "consents": [
            {
                "contact": 0,
                "alarms": True,
                "visits": True,
                "signed_by": "guardian",
                "signer": "丁红梅",
                "signed": 98,
                "until": -630,
            }
        ],
        "no_visits": True,
    },
    {
        "key": "dong_lizhen",
        "resident": "resident_090",
        "manual": ["alone"],
        "risk": "low",
        "opened": 210,
        "team": "duty",
        "device": "badge",
        "radius": 400,
        "note": "老伴 2019 年去世；2 型糖尿病，注射胰岛素。",
        "contacts": [
            {"name": "董建军", "phone": "13694320158", "relation": "child", "address": "北京市朝阳区"},
            {"partner": "resident_086", "relation": "neighbour", "note": "楼下邻居"},
        ],
    },
    {
        "key": "shi_hailong",
        "resident": "resident_097",
        "risk": "low",
        "opened": 240,
        "team": "duty",
        "disability": ("physical", "2"),
        "note": "2015 年车祸致双下肢功能障碍，使用轮椅；有居家就业意愿。",
        "contacts": [
            {"partner": "resident_095", "relation": "parent"},
            {"partner": "resident_096", "relation": "parent"},
        ],
    },
    {
        "key": "zhang_xiulan",
        "resident": "resident_159",
        "manual": ["alone"],
        "risk": "medium",
        "opened": 150,
        "team": "duty",
        "device": "watch",
        "vitals": (74, 136, 82, 96),
        "place": (300, 250),
        "radius": 700,
        "note": "腰椎间盘突出，久站后腰痛。",
        "contacts": [{"name": "刘建平", "phone": "13578214436", "relation": "child", "address": "吉林市高新区"}],
        "consents": [{"contact": 0, "alarms": True, "visits": True, "signer": "张秀兰", "signed": 148, "until": 8}],
    },
    {
        "key": "li_guilan",
        "resident": "resident_177",
        "manual": ["alone"],
        "risk": "medium",
        "opened": 130,
        "team": "duty",
        "device": "watch",
        "vitals": (84, 128, 78, 93),
        "thresholds": {"spo2_min": 88},
        "place": (200, -200),
        "radius": 600,
        "note": "慢性阻塞性肺疾病，家庭氧疗；医嘱血氧低于 88% 需就医。",
        "contacts": [{"name": "王丽萍", "phone": "13843290517", "relation": "child", "address": "吉林市船营区"}],
        "assessments": [(45, "periodic", (10, 5, 5, 10, 10, 5, 10, 15, 10, 5))],
    },
    {
        "key": "zhao_guangtian",
        "resident": "resident_172",
        "manual": ["empty_nest"],
        "risk": "medium",
        "opened": 170,
        "team": "duty",
        "device": "watch",
        "vitals": (68, 138, 84, 96),
        "place": (300, 300),
        "radius": 600,
        "note": "轻度认知障碍，2024 年曾走失一次。",
        "last_visit": 26,  # not visited yet this month, due in a few days
        "contacts": [
            {"partner": "resident_173", "relation": "spouse"},
            {"name": "赵立国", "phone": "13664472309", "relation": "child", "address": "大连市甘井子区"},
        ],
        "consents": [
            {
                "contact": 1,
                "alarms": True,
                "visits": True,
                "readings": True,
                "signer": "赵广田",
                "signed": 165,
                "until": -560,
            }
        ],
    },
    {
        "key": "lei_zhigang",
        "resident": "resident_188",
        "risk": "medium",
        "opened": 140,
        "team": "duty",
        "device": "bracelet",
        "vitals": (78, 140, 86, 95),
        "note": "冠心病、心房颤动，长期服用华法林。",
        "contacts": [
            {"partner": "resident_189", "relation": "child"},
            {"partner": "resident_190", "relation": "relative", "note": "儿媳"},
        ],
        "assessments": [(60, "periodic", (10, 0, 0, 5, 5, 5, 5, 10, 5, 0))],
        "last_visit": 4,  # still within a week when his risk is raised to high
    },
    {
        "key": "han_zhigang",
        "resident": "resident_203",
        "risk": "medium",
        "opened": 220,
        "team": "duty",
        "device": "badge",
        "radius": 400,
        "disability": ("hearing", "3"),
        "note": "听力残疾三级，佩戴助听器，需面对面大声交流。",
        "contacts": [
            {"partner": "resident_204", "relation": "child"},
            {"partner": "resident_205", "relation": "relative", "note": "儿媳"},
        ],
        "assessments": [(100, "periodic", (10, 5, 5, 10, 10, 10, 10, 15, 15, 10))],
    },
    {
        "key": "feng_guizhi",
        "resident": "resident_263",
        "manual": ["widowed", "alone"],
        "risk": "high",
        "opened": 60,
        "team": "duty",
        "device": "watch",
        "vitals": (74, 146, 86, 95),
        "place": (200, 150),
        "radius": 600,
        "note": "特困供养对象；高血压，白内障术后。",
        "contacts": [
            {
                "name": "冯淑珍",
                "phone": "13756628940",
                "relation": "relative",
                "address": "吉林市昌邑区",
                "note": "侄女",
            },
            {"partner": "resident_251", "relation": "neighbour", "note": "同楼邻居"},
        ],
        "consents": [
            {
                "shared_with": "volunteer",
                "organisation": "松江社区“夕阳红”志愿服务队",
                "alarms": False,
                "visits": True,
                "signer": "冯桂芝",
                "signed": 58,
                "until": 5,
            }
        ],
        "assessments": [(58, "initial", (10, 0, 5, 10, 10, 10, 10, 10, 10, 0))],
        "late_visit": 3,
    },
    {
        "key": "li_shulan",
        "resident": "resident_282",
        "manual": ["alone"],
        "risk": "low",
        "opened": 90,
        "team": "manager",
        "device": "badge",
        "radius": 400,
        "note": "类风湿关节炎，手指关节变形。",
        "last_visit": 26,  # not visited yet this month, due in a few days
        "contacts": [{"name": "张丽", "phone": "13944265503", "relation": "child", "address": "吉林市丰满区"}],
    },
]

FINDINGS = {
    "elderly": [
        "老人精神状态良好，按时服药；家中供暖正常，冰箱食物充足。提醒冬季防滑、防煤气中毒。",
        "老人近期睡眠欠佳，夜间起夜两三次；检查了卫生间扶手，建议加装小夜灯。",
        "居室整洁，智能设备佩戴正常、电量充足；与老人核对紧急联系人电话，确认无误。",
        "老人反映膝关节疼痛，行走较慢；已联系社区卫生服务站预约家庭医生上门随访。",
        "送去社区助餐券和防滑鞋套；老人情绪稳定，与邻居来往正常。",
        "测量血压正常；老人询问高龄津贴发放时间，已解答并告知一卡通查询方式。",
    ],
    "alone": [
        "独居老人，近一周食欲下降；已通知家属，并联系家庭医生上门检查。",
        "老人独自在家，门窗、燃气阀门检查正常；提醒夜间起床先开灯、慢起身。",
    ],
    "child": [
        "孩子学习状态正常，与祖父母相处融洽；每周与父母视频通话两次。提醒假期注意用电、用火安全。",
        "检查作业完成情况，数学成绩有所下降；已安排志愿者每周二、四进行作业辅导。",
        "孩子情绪较前开朗，班主任反映在校表现良好；祖父血压偏高，提醒按时复诊。",
    ],
    "intellectual": ["由母亲照顾，情绪平稳；核对残疾人两项补贴发放情况，均按月到账。"],
    "physical": [
        "轮椅使用正常，楼道坡道扶手已修缮；了解其就业意愿，推荐参加区残联电商培训。",
        "居家康复训练坚持较好；协助申请的电动轮椅适配评估已排期。",
    ],
    "hearing": [
        "助听器电池需更换，已代为购买；通过写字板沟通，老人表示生活无困难。",
        "老人与儿子一家同住，照护到位；提醒佩戴呼叫胸牌外出。",
    ],
    "bedridden": [
        "老人卧床为主，骶尾部皮肤完好；指导老伴协助翻身，每两小时一次。",
        "检查呼叫胸牌佩戴情况，演示按键呼叫；床边护栏牢固。",
    ],
}


def _local_at(now, days, hour, minute=0):
    """UTC datetime of a local time ``days`` days before (negative: after) today."""
    today = (now + LOCAL).date()
    local = datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(hour, minute))
    return local - LOCAL


def _offset(lat, lng, north, east):
    """The point ``north`` and ``east`` metres from (lat, lng)."""
    return (
        round(lat + north / 111320.0, 7),
        round(lng + east / (111320.0 * math.cos(math.radians(lat))), 7),
    )


def _jitter(rng, lat, lng, metres):
    return _offset(lat, lng, rng.uniform(-metres, metres), rng.uniform(-metres, metres))


def _battery(charges, drain, at):
    """Battery level at ``at``, charged to full at the last of ``charges`` before it."""
    charged = max((c for c in charges if c <= at), default=charges[0])
    return max(1, round(100 - drain * (at - charged).total_seconds() / 3600))


def _imei(tac, serial):
    body = f"{tac}{serial:06d}"
    return body + luhn_check_digit(body)


class _Demo:
    def __init__(self, env):
        self.env = env
        self.rng = random.Random(SEED)
        self.now = fields.Datetime.now()
        self.ref = env.ref
        self.worker = env.ref("city_special_care.user_care_worker_demo")
        self.duty = env.ref("city_special_care.user_care_duty_demo")
        self.counsellor = env.ref("city_special_care.user_care_counsellor_demo")
        self.manager = env.ref("city_special_care.user_care_manager_demo")
        self.recipients = {}
        self.devices = {}
        self.homes = {}
        self.events = []
        self.checkpoints = []

    def at(self, days, hour, minute=0):
        return _local_at(self.now, days, hour, minute)

    def actor(self, key):
        team = self.spec(key)["team"]
        return {"worker": self.worker, "duty": self.duty, "manager": self.manager}[team]

    def spec(self, key):
        return next(spec for spec in RECIPIENTS if spec["key"] == key)

    # ------------------------------------------------------------------
    # Care files
    # ------------------------------------------------------------------
    def create_recipients(self):
        Recipient = self.env["city.care.recipient"].sudo()
        for spec in RECIPIENTS:
            partner = self.ref(f"city_base.res_partner_{spec['resident']}_demo")
            values = {
                "partner_id": partner.id,
                "manual_category_ids": [Command.set([self.ref(MANUAL[code]).id for code in spec.get("manual", [])])],
                "risk_level": spec["risk"],
                "responsible_user_id": self.worker.id if spec["team"] == "worker" else False,
                "health_note": spec.get("note"),
                **spec.get("thresholds", {}),
            }
            if spec.get("disability"):
                kind, grade = spec["disability"]
                values.update(
                    disability_type=kind,
                    disability_grade=grade,
                    disability_certificate=f"{partner.resident_id_number}{DISABILITY_CODES[kind]}{grade}",
                )
            if spec.get("parents_work_location"):
                values.update(parents_away=True, parents_work_location=spec["parents_work_location"])
            recipient = Recipient.create(values)
            self.recipients[spec["key"]] = recipient
            building = partner.city_building_id
            self.homes[spec["key"]] = (building.latitude, building.longitude)
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": f"{MODULE}.city_care_recipient_{spec['key']}_demo", "record": recipient, "noupdate": True}]
            )
        # The files were opened months ago: routine visits count from then.
        for spec in RECIPIENTS:
            self.env.cr.execute(
                "UPDATE city_care_recipient SET create_date = %s, risk_changed_at = %s WHERE id = %s",
                (self.at(spec["opened"], 9, 30), self.at(spec["opened"], 9, 30), self.recipients[spec["key"]].id),
            )
        recipients = Recipient.browse([r.id for r in self.recipients.values()])
        recipients.invalidate_recordset(["create_date", "risk_changed_at"])
        recipients._schedule_visits()

    def create_contacts_consents_zones(self):
        Contact = self.env["city.care.contact"].sudo()
        Consent = self.env["city.care.consent"].sudo()
        Zone = self.env["city.care.zone"].sudo()
        today = (self.now + LOCAL).date()
        for spec in RECIPIENTS:
            recipient = self.recipients[spec["key"]]
            contacts = []
            for priority, item in enumerate(spec.get("contacts", []), start=1):
                values = {
                    "recipient_id": recipient.id,
                    "priority": priority,
                    "relation": item["relation"],
                    "is_guardian": item.get("guardian", False),
                    "address": item.get("address"),
                    "note": item.get("note"),
                }
                if item.get("partner"):
                    partner = self.ref(f"city_base.res_partner_{item['partner']}_demo")
                    values.update(partner_id=partner.id, name=partner.name, phone=partner.mobile)
                else:
                    values.update(name=item["name"], phone=item["phone"])
                contacts.append(Contact.create(values))
            for item in spec.get("consents", []):
                shared_with = item.get("shared_with", "family")
                consent = Consent.create(
                    {
                        "recipient_id": recipient.id,
                        "shared_with": shared_with,
                        "contact_id": contacts[item["contact"]].id if shared_with == "family" else False,
                        "organisation": item.get("organisation"),
                        "share_alarms": item.get("alarms", True),
                        "share_visits": item.get("visits", True),
                        "share_readings": item.get("readings", False),
                        "signed_by": item.get("signed_by", "self"),
                        "signer_name": item["signer"],
                        "signed_on": today - datetime.timedelta(days=item["signed"]),
                        "valid_until": today - datetime.timedelta(days=item["until"]) if "until" in item else False,
                    }
                )
                if item.get("revoked"):
                    consent.with_user(self.actor(spec["key"])).action_revoke()
                    consent.revoked_on = today - datetime.timedelta(days=item["revoked"])
            if not spec.get("device") or spec["device"] == "bracelet":
                continue
            lat, lng = self.homes[spec["key"]]
            if spec.get("school"):
                north, east = spec["school"]
                south_west = _offset(lat, lng, -150, -150)
                north_east = _offset(lat, lng, north + 150, east + 150)
                corners = [
                    [south_west[0], south_west[1]],
                    [south_west[0], north_east[1]],
                    [north_east[0], north_east[1]],
                    [north_east[0], south_west[1]],
                ]
                Zone.create(
                    {
                        "recipient_id": recipient.id,
                        "name": "家—北山小学上下学区域",
                        "shape": "polygon",
                        "polygon": json.dumps(corners),
                    }
                )
            else:
                Zone.create(
                    {
                        "recipient_id": recipient.id,
                        "name": f"住所周边 {spec['radius']} 米",
                        "shape": "circle",
                        "latitude": lat,
                        "longitude": lng,
                        "radius": spec["radius"],
                    }
                )

    def confirm_assessments(self):
        Assessment = self.env["city.care.assessment"]
        today = (self.now + LOCAL).date()
        for spec in RECIPIENTS:
            for days, reason, scores in spec.get("assessments", []):
                user = self.actor(spec["key"])
                assessment = Assessment.with_user(user).create(
                    {
                        "recipient_id": self.recipients[spec["key"]].id,
                        "date": today - datetime.timedelta(days=days),
                        "reason": reason,
                        "assessor_id": user.id,
                        **{item: str(score) for item, score in zip(BARTHEL, scores, strict=True)},
                    }
                )
                assessment.action_confirm()

    # ------------------------------------------------------------------
    # Visits
    # ------------------------------------------------------------------
    def _findings(self, spec):
        pools = ["elderly"]
        if spec.get("school"):
            pools = ["child"]
        elif spec.get("disability"):
            pools = [spec["disability"][0]] + (["elderly"] if spec["disability"][0] == "hearing" else [])
        elif spec["key"] == "li_shichang":
            pools = ["bedridden"]
        elif "alone" in spec.get("manual", []):
            pools = ["elderly", "alone"]
        return self.rng.choice([text for pool in pools for text in FINDINGS[pool]])

    def record_visit(self, visit, spec, visited_at, user, mode=None, findings=None, wellbeing=None):
        mode = mode or ("phone" if self.rng.random() < 0.2 else "home")
        findings = findings or self._findings(spec)
        values = {
            "visited_at": visited_at,
            "mode": mode,
            "findings": findings,
            "wellbeing": wellbeing or ("fair" if "下降" in findings or "疼痛" in findings else "good"),
            "needs_follow_up": "下降" in findings,
        }
        if mode == "home":
            lat, lng = _jitter(self.rng, *self.homes[spec["key"]], 25)
            values.update(checkin_latitude=lat, checkin_longitude=lng)
        visit = visit.with_user(user)
        visit.write(values)
        visit.action_done()
        # The worker's to-do for the booked visit is done with it.
        visit.sudo().activity_unlink(["city_special_care.mail_activity_type_visit"])

    def visit_history(self):
        """Past routine visits, spaced by each file's policy interval; one recorded late."""
        Visit = self.env["city.care.visit"].sudo()
        for spec in RECIPIENTS:
            if spec.get("no_visits"):
                continue
            recipient = self.recipients[spec["key"]]
            interval = recipient.visit_interval_days
            latest = spec.get("last_visit") or self.rng.randint(2, max(2, min(interval - 3, 20)))
            days = [latest]
            while True:
                gap = interval + 2 if len(days) == spec.get("late_visit") else interval - self.rng.randint(1, 3)
                if days[-1] + gap >= spec["opened"] - 1:
                    break
                days.append(days[-1] + gap)
            if days[-1] < spec["opened"] - 1:
                days.append(spec["opened"] - 1)  # the first visit, the day after the file was opened
            for index, day in enumerate(reversed(days)):
                visit = Visit.search(
                    [("recipient_id", "=", recipient.id), ("state", "=", "planned"), ("reason", "=", "routine")],
                    limit=1,
                )
                moment = self.at(day, self.rng.randint(9, 15), self.rng.choice((0, 10, 20, 30, 40, 50)))
                self.record_visit(visit, spec, moment, self.actor(spec["key"]), mode="home" if index == 0 else None)

    # ------------------------------------------------------------------
    # Devices and events
    # ------------------------------------------------------------------
    def create_devices(self):
        Device = self.env["city.care.device"].sudo()
        serial = 120400
        for index, spec in enumerate(RECIPIENTS):
            if not spec.get("device"):
                continue
            model_ref, tac, _drain, _daily = MODELS[spec["device"]]
            serial += 37 + index
            device = Device.create(
                {
                    "imei": _imei(tac, serial),
                    "model_id": self.ref(model_ref).id,
                    "sim_number": f"14403221{serial % 100000:05d}",
                    "iccid": f"8986042219{serial:010d}",
                    "recipient_id": self.recipients[spec["key"]].id,
                }
            )
            self.devices[spec["key"]] = device
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": f"{MODULE}.city_care_device_{spec['key']}_demo", "record": device, "noupdate": True}]
            )
        # A spare watch at the community service station and a badge retired after water damage.
        Device.create(
            {
                "imei": _imei(MODELS["watch"][1], 130001),
                "model_id": self.ref(MODELS["watch"][0]).id,
                "sim_number": "1440322130001",
                "note": "备用机，存放于北山社区居家养老服务站。",
            }
        )
        retired = Device.create(
            {
                "imei": _imei(MODELS["badge"][1], 118852),
                "model_id": self.ref(MODELS["badge"][0]).id,
                "recipient_id": self.recipients["li_shichang"].id,
                "note": "进水损坏，已更换新胸牌。",
            }
        )
        retired.with_user(self.worker).action_retire()

    def _event(self, key, kind, at, **readings):
        device = self.devices[key]
        sequence = len(self.events) + 1
        self.events.append(
            {
                "event_id": f"{device.imei[-6:]}-{sequence:06d}",
                "imei": device.imei,
                "kind": kind,
                "occurred_at": at.replace(microsecond=0),
                "latitude": readings.get("latitude"),
                "longitude": readings.get("longitude"),
                "accuracy": readings.get("accuracy"),
                "heart_rate": readings.get("heart_rate"),
                "systolic": readings.get("systolic"),
                "diastolic": readings.get("diastolic"),
                "spo2": readings.get("spo2"),
                "battery": readings.get("battery"),
            }
        )

    def _vitals(self, spec):
        hr, systolic, diastolic, spo2 = spec["vitals"]
        rng = self.rng
        return {
            "heart_rate": hr + rng.randint(-6, 6),
            "systolic": systolic + rng.randint(-7, 7),
            "diastolic": diastolic + rng.randint(-5, 5),
            "spo2": min(100, spo2 + rng.randint(-2, 2)),
        }

    def _position(self, spec, at):
        """Where the wearer is at ``at``: home, a favourite spot in the afternoon, school on weekdays."""
        lat, lng = self.homes[spec["key"]]
        local = at + LOCAL
        if spec.get("school") and local.weekday() < 5 and 8 <= local.hour < 16:
            lat, lng = _offset(lat, lng, *spec["school"])
        elif spec.get("place") and local.hour in (9, 15, 16):
            lat, lng = _offset(lat, lng, *spec["place"])
        return _jitter(self.rng, lat, lng, 40)

    def generate_events(self, stories):
        """Hourly reports of every device over the week, shaped by the ``stories`` of each wearer."""
        start = self.now - datetime.timedelta(days=DAYS)
        for index, spec in enumerate(RECIPIENTS):
            key = spec["key"]
            if key not in self.devices:
                continue
            story = stories.get(key, {})
            kind = spec["device"]
            _model, _tac, drain, daily = MODELS[kind]
            minute = (index * 7 + 3) % 60
            charges = [start - datetime.timedelta(hours=self.rng.randint(1, 10))]
            if daily:
                charges = [
                    self.at(day, 21, 30) for day in range(DAYS + 1, -1, -1) if day not in story.get("skip_charge", ())
                ]
            low_at = None
            if story.get("skip_charge"):
                last = max(c for c in charges if c < self.at(min(story["skip_charge"]), 21, 30))
                low_at = last + datetime.timedelta(hours=(100 - 15) / drain)
                charges = sorted([*charges, low_at + datetime.timedelta(minutes=12)])
                self._event(key, "low_battery", low_at, battery=15)

            slot = start.replace(minute=minute, second=0, microsecond=0)
            while slot <= self.now:
                at = slot + datetime.timedelta(seconds=self.rng.randint(0, 50))
                slot += datetime.timedelta(hours=1)
                if at > self.now or at <= start:
                    continue
                if any(begin <= at < end for begin, end in story.get("silent", ())):
                    continue
                local_hour = (at + LOCAL).hour
                level = _battery(charges, drain, at)
                if low_at and low_at < at < low_at + datetime.timedelta(minutes=12):
                    level = None
                hidden = any(begin <= at < end for begin, end in story.get("away", ()))
                located = (kind == "watch" and 7 <= local_hour <= 20) or (kind == "badge" and local_hour in (9, 13, 17))
                if located and not hidden:
                    lat, lng = self._position(spec, at)
                    self._event(
                        key,
                        "location",
                        at,
                        latitude=lat,
                        longitude=lng,
                        accuracy=self.rng.randint(8, 35),
                        battery=level,
                    )
                else:
                    self._event(key, "heartbeat", at, battery=level)
                measured = at + datetime.timedelta(minutes=3)
                if spec.get("vitals") and local_hour in (8, 14, 20) and measured <= self.now:
                    self._event(key, "vitals", measured, battery=level, **self._vitals(spec))
        self.events.sort(key=lambda event: event["occurred_at"])

    def ingest(self):
        Event = self.env["city.care.event"].sudo().with_context(city_care_event_capture=True)
        devices = {
            device.imei: (device.id, device.recipient_id.id, device.model_id.low_battery_percent)
            for device in self.devices.values()
        }
        done = 0
        for moment, callback in sorted(self.checkpoints, key=lambda checkpoint: checkpoint[0]):
            upto = done
            while upto < len(self.events) and self.events[upto]["occurred_at"] <= moment:
                upto += 1
            if upto > done:
                # Each batch arrives in a request of its own: what the desk did before is stored.
                self.env.flush_all()
                Event._ingest(devices, self.events[done:upto])
                done = upto
            callback()
        if done < len(self.events):
            self.env.flush_all()
            Event._ingest(devices, self.events[done:])

    # ------------------------------------------------------------------
    # The alarm desk
    # ------------------------------------------------------------------
    def open_alarm(self, key, kind):
        return (
            self.env["city.care.alarm"]
            .sudo()
            .search(
                [("recipient_id", "=", self.recipients[key].id), ("kind", "=", kind), ("state", "in", OPEN_STATES)],
                limit=1,
            )
        )

    def work_alarm(self, key, kind, raised, steps):
        """Run the closed-loop ``steps`` ``[(seconds after raising, user, step, values)]`` and backdate them."""
        alarm = self.open_alarm(key, kind)
        alarm.ensure_one()
        times = {}
        for seconds, user, step, values in steps:
            record = alarm.with_user(user)
            if values:
                record.write(values)
            if step == "acknowledge":
                record.action_acknowledge()
                times["ack"] = raised + datetime.timedelta(seconds=seconds)
            elif step in ("verified", "no_answer"):
                getattr(record, f"action_callback_{step}")()
                times["called"] = raised + datetime.timedelta(seconds=seconds)
            elif step == "dispatch":
                record.action_dispatch()
                times["dispatched"] = raised + datetime.timedelta(seconds=seconds)
            elif step == "arrive":
                record.action_arrived()
                times["arrived"] = raised + datetime.timedelta(seconds=seconds)
            elif step == "resolve":
                record.action_resolve()
                times["resolved"] = raised + datetime.timedelta(seconds=seconds)
        self.backdate(alarm, raised, **times)
        return alarm

    def backdate(self, alarm, raised, ack=None, called=None, dispatched=None, arrived=None, resolved=None):
        values = {"raised_at": raised}
        if ack:
            seconds = int((ack - raised).total_seconds())
            values.update(
                ack_at=ack,
                ack_seconds=seconds,
                ack_within_60=100 if seconds <= 60 else 0,
                ack_within_180=100 if seconds <= 180 else 0,
            )
        if called:
            values["called_at"] = called
        if dispatched:
            values["dispatched_at"] = dispatched
        if arrived:
            values.update(arrived_at=arrived, arrive_minutes=round((arrived - raised).total_seconds() / 60, 1))
        if resolved:
            values.update(resolved_at=resolved, resolve_minutes=round((resolved - raised).total_seconds() / 60, 1))
        alarm.sudo().write(values)

    def follow_up(self, alarm, done_at=None, findings=None, mode="home", wellbeing="fair"):
        """The follow-up visit the resolved alarm booked: due two days after, recorded at ``done_at``."""
        visit = self.env["city.care.visit"].sudo().search([("alarm_id", "=", alarm.id)], limit=1)
        if not visit:
            return
        visit.due_date = alarm.resolved_at + datetime.timedelta(hours=48)
        if done_at:
            key = next(k for k, r in self.recipients.items() if r == alarm.recipient_id)
            self.record_visit(
                visit, self.spec(key), done_at, self.actor(key), mode=mode, findings=findings, wellbeing=wellbeing
            )

    def incident(self, key, when, steps, kind="sos", readings=None, alarm_kind=None, more=(), follow=None):
        """Events of one incident (``more``: further ``(minutes later, readings)``) and the desk's steps."""
        readings = readings if readings is not None else self.home_point(key)
        for offset, values in ((0, readings), *more):
            self._event(key, kind, when + datetime.timedelta(minutes=offset), **values)
        raised = when if kind in ("sos", "fall") else when + datetime.timedelta(seconds=2)
        last = when + datetime.timedelta(minutes=max((offset for offset, _values in more), default=0))

        def handle():
            alarm = self.work_alarm(key, alarm_kind or kind, raised, steps)
            if follow is not None:
                self.follow_up(alarm, *follow)

        self.checkpoints.append((last + datetime.timedelta(seconds=30), handle))

    def home_point(self, key):
        lat, lng = self.homes[key]
        return {"latitude": lat, "longitude": lng, "accuracy": 10}

    def away_point(self, key, north, east, battery):
        lat, lng = _jitter(self.rng, *_offset(*self.homes[key], north, east), 30)
        return {"latitude": lat, "longitude": lng, "accuracy": 20, "battery": battery}

    def stories(self):
        """The week's incidents: extra events, gaps, and what the desk did about them."""
        duty, worker = self.duty, self.worker
        now = self.now
        minutes = datetime.timedelta(minutes=1)
        go_worker = {"responder_type": "worker", "responder_user_id": worker.id}

        # 6 days ago: 赵庆云 presses SOS, feeling dizzy; nobody answers the call-back; a worker goes.
        self.incident(
            "zhao_qingyun",
            self.at(6, 9, 12),
            [
                (35, duty, "acknowledge", None),
                (150, duty, "no_answer", None),
                (190, duty, "dispatch", go_worker),
                (17 * 60, worker, "arrive", None),
                (
                    52 * 60,
                    worker,
                    "resolve",
                    {
                        "outcome": "assisted",
                        "resolution": "老人在家中头晕，社工到场测得血压 168/96，协助服用降压药后缓解；"
                        "已通知儿子赵志强，建议到医院复查。",
                    },
                ),
            ],
            follow=(
                self.at(5, 10, 0),
                "呼叫回访：老人血压 142/86，头晕已缓解；儿子赵志强陪同到医院复查，调整了降压药剂量。",
            ),
        )
        # 5 days ago: 李世昌 falls beside his bed; his wife cannot answer; an ambulance takes him in.
        self.incident(
            "li_shichang",
            self.at(5, 14, 36),
            [
                (72, duty, "acknowledge", None),
                (200, duty, "no_answer", None),
                (240, duty, "dispatch", {"responder_type": "ambulance"}),
                (19 * 60, duty, "arrive", None),
                (
                    95 * 60,
                    duty,
                    "resolve",
                    {
                        "outcome": "hospital",
                        "resolution": "120 送吉林市中心医院，诊断左腕骨裂，已复位固定；女儿李红梅已赶到医院。",
                    },
                ),
            ],
            kind="fall",
            follow=(
                self.at(4, 11, 0),
                "电话联系女儿李红梅了解住院情况：左腕骨裂已复位固定，预计三天后出院，出院后安排上门评估。",
                "phone",
            ),
        )
        # 4 days ago: 张秀兰 takes the bus across the river; the desk reaches her by phone.
        self.incident(
            "zhang_xiulan",
            self.at(4, 10, 5),
            [
                (95, duty, "acknowledge", None),
                (240, duty, "verified", None),
                (
                    19 * 60,
                    duty,
                    "resolve",
                    {
                        "outcome": "by_phone",
                        "resolution": "老人乘公交到江南公园晨练，电话确认安全；提醒外出告知家人并佩戴手表。",
                    },
                ),
            ],
            kind="location",
            alarm_kind="geofence",
            readings=self.away_point("zhang_xiulan", 2100, 400, 80),
            more=[(15, self.away_point("zhang_xiulan", 2100, 400, 79))],
        )
        # 3 days ago: 雷志刚's heart races after climbing the stairs.
        self.incident(
            "lei_zhigang",
            self.at(3, 20, 40),
            [
                (40, duty, "acknowledge", None),
                (170, duty, "verified", None),
                (
                    11 * 60,
                    duty,
                    "resolve",
                    {
                        "outcome": "by_phone",
                        "resolution": "儿子雷永刚确认老人刚爬楼回家，休息十分钟后复测心率 86 次/分。",
                    },
                ),
            ],
            kind="vitals",
            readings={"heart_rate": 128, "systolic": 152, "diastolic": 92, "spo2": 95, "battery": 70},
        )
        # 2 days ago: 董立振 presses the button by mistake.
        self.incident(
            "dong_lizhen",
            self.at(2, 16, 20),
            [
                (30, duty, "acknowledge", None),
                (110, duty, "verified", None),
                (
                    180,
                    duty,
                    "resolve",
                    {"outcome": "false_alarm", "resolution": "老人整理衣物时误按呼叫键，电话确认无事。"},
                ),
            ],
        )
        # The day before yesterday: 崔淑珍 slips in the bathroom; a worker helps her.
        self.incident(
            "cui_shuzhen",
            now - datetime.timedelta(hours=44),
            [
                (22, duty, "acknowledge", None),
                (120, duty, "no_answer", None),
                (170, duty, "dispatch", go_worker),
                (12 * 60, worker, "arrive", None),
                (
                    45 * 60,
                    worker,
                    "resolve",
                    {
                        "outcome": "assisted",
                        "resolution": "老人在卫生间滑倒，右膝擦伤；社工到场协助处理伤口，社区医生上门检查未见骨折。",
                    },
                ),
            ],
            kind="fall",
            follow=(),
        )
        # Open at installation, one alarm in every state of the closed loop. Arrived: 韩志刚's son came home.
        son = self.env["city.care.contact"].sudo().search([("recipient_id", "=", self.recipients["han_zhigang"].id)])
        self.incident(
            "han_zhigang",
            now - 48 * minutes,
            [
                (40, duty, "acknowledge", None),
                (180, duty, "no_answer", None),
                (300, duty, "dispatch", {"responder_type": "family", "responder_contact_id": son[:1].id}),
                (24 * 60, duty, "arrive", None),
            ],
            kind="fall",
        )
        # Called back: 于世昌 is resting, to be measured again.
        self.incident(
            "yu_shichang",
            now - 40 * minutes,
            [(35, duty, "acknowledge", None), (260, duty, "verified", None)],
            kind="vitals",
            readings={"heart_rate": 82, "systolic": 172, "diastolic": 96, "spo2": 96, "battery": 64},
        )
        # Acknowledged: 赵广田 walked off towards the railway station.
        self.incident(
            "zhao_guangtian",
            now - 26 * minutes,
            [(50, duty, "acknowledge", None)],
            kind="location",
            alarm_kind="geofence",
            readings=self.away_point("zhao_guangtian", -1300, 1400, 72),
            more=[(15, self.away_point("zhao_guangtian", -1500, 1650, 71))],
        )
        # Dispatched: the worker is on her way to 马翠兰.
        self.incident(
            "ma_cuilan",
            now - 14 * minutes,
            [(28, duty, "acknowledge", None), (130, duty, "no_answer", None), (360, duty, "dispatch", go_worker)],
        )
        # New: 李淑兰 (泰山街道, seen by the city-wide manager only) and 李桂兰's oxygen saturation.
        self.incident("li_shulan", now - 7 * minutes, [])
        self.incident(
            "li_guilan", now - 4 * minutes, [], kind="vitals", readings={"heart_rate": 104, "spo2": 86, "battery": 58}
        )
        self.checkpoints.append((None, self.low_battery))
        silent = (self.at(1, 11, 0), self.at(1, 17, 30))
        self.checkpoints.append((silent[0] + datetime.timedelta(hours=3, minutes=1), self.badge_silent))
        self.checkpoints.append((silent[1] + datetime.timedelta(hours=2), self.badge_back))
        return {
            # 3 days ago: 冯桂芝 forgot to charge her watch overnight; the watch reports its low battery.
            "feng_guizhi": {"skip_charge": (4,)},
            # Yesterday: 韩志刚's badge stayed in a coat pocket for six hours, then came back online.
            "han_zhigang": {"silent": [silent]},
            # 董立振's badge lies uncharged in a drawer: silent for the last four and a half hours.
            "dong_lizhen": {"silent": [(now - datetime.timedelta(hours=4, minutes=30), now + minutes)]},
            # No ordinary location reports while 张秀兰 and 赵广田 are away.
            "zhang_xiulan": {"away": [(self.at(4, 9, 50), self.at(4, 10, 50))]},
            "zhao_guangtian": {"away": [(now - 31 * minutes, now + minutes)]},
        }

    def low_battery(self):
        low = next(
            e["occurred_at"]
            for e in self.events
            if e["imei"] == self.devices["feng_guizhi"].imei and e["kind"] == "low_battery"
        )
        self.work_alarm(
            "feng_guizhi",
            "low_battery",
            low + datetime.timedelta(seconds=2),
            [
                (210, self.duty, "acknowledge", None),
                (
                    540,
                    self.duty,
                    "resolve",
                    {"outcome": "device", "resolution": "电话提醒老人给手表充电，老人已接上充电器。"},
                ),
            ],
        )

    def badge_silent(self):
        """The offline check finds 韩志刚's badge silent; the desk acknowledges the low-severity alarm."""
        device = self.devices["han_zhigang"]
        device.is_online = False
        self.env["city.care.alarm"].sudo()._raise_offline(device)
        raised = device.last_heartbeat_at + datetime.timedelta(seconds=device.model_id.offline_after + 40)
        self.work_alarm("han_zhigang", "device_offline", raised, [(150, self.duty, "acknowledge", None)])

    def badge_back(self):
        """The badge came back online, which closed its alarm: at the time of its first event."""
        alarm = (
            self.env["city.care.alarm"]
            .sudo()
            .search([("recipient_id", "=", self.recipients["han_zhigang"].id), ("kind", "=", "device_offline")])
        )
        back = alarm.device_id.last_heartbeat_at
        back = min(
            e["occurred_at"]
            for e in self.events
            if e["imei"] == alarm.device_id.imei and alarm.last_event_at < e["occurred_at"] <= back
        )
        self.backdate(alarm, alarm.raised_at, ack=alarm.ack_at, resolved=back)

    # ------------------------------------------------------------------
    # Services
    # ------------------------------------------------------------------
    def counselling(self):
        Session = self.env["city.care.counselling"].with_user(self.counsellor)
        sessions = [
            (
                "wang_zihan",
                10,
                (16, 30),
                "in_person",
                "亲子分离焦虑疏导",
                "done",
                "孩子近期情绪低落，常说想念在上海务工的父母；通过绘画表达情绪。"
                "建议父母每周固定两次视频通话，祖父母多给予肯定。",
            ),
            ("wang_zihan", -4, (16, 30), "in_person", "学习压力与情绪管理", "planned", None),
            (
                "cui_shuzhen",
                8,
                (10, 0),
                "in_person",
                "丧偶哀伤与孤独感疏导",
                "done",
                "老人谈及老伴去世后的孤独，夜间常失眠；鼓励参加社区老年活动室的剪纸小组，已请志愿者每周上门陪伴一次。",
            ),
            (
                "han_zhigang",
                3,
                (15, 0),
                "in_person",
                "听力障碍老人社会交往支持",
                "done",
                "借助写字板交流；老人因听不清而回避邻里交往。介绍区残联助听器补贴和社区手语角活动。",
            ),
            ("deng_chunjie", -2, (10, 0), "in_person", "情绪行为支持（家属共同参与）", "planned", None),
            ("yu_shichang", 5, (9, 30), "phone", "慢病焦虑与睡眠问题", "cancelled", None),
        ]
        for key, days, (hour, minute), mode, topic, state, notes in sessions:
            session = Session.create(
                {
                    "recipient_id": self.recipients[key].id,
                    "counsellor_id": self.counsellor.id,
                    "scheduled_at": self.at(days, hour, minute),
                    "duration": 1.5 if key == "cui_shuzhen" else 1.0,
                    "mode": mode,
                    "topic": topic,
                    "notes": notes,
                    "follow_up_date": (self.now + LOCAL).date() + datetime.timedelta(days=20) if notes else False,
                }
            )
            if state == "done":
                session.action_done()
            elif state == "cancelled":
                session.action_cancel()

    def tasks(self):
        today = (self.now + LOCAL).date()
        volunteers = {
            key: self.ref(f"city_special_care.city_care_volunteer_{key}_demo")
            for key in ("lin_peng", "zhou_ting", "huang_jing")
        }
        tasks = [
            (
                "cui_shuzhen",
                "代购米、面、油和新鲜蔬菜",
                "shopping",
                4,
                "lin_peng",
                1.5,
                "done",
                "已送到家，老人当面核对了小票。",
            ),
            (
                "wang_zihan",
                "数学作业辅导（每周二、四）",
                "tutoring",
                2,
                "zhou_ting",
                2.0,
                "done",
                "完成分数应用题练习，错题已讲解。",
            ),
            ("li_guilan", "陪同到吉林市人民医院呼吸科复诊", "escort", -2, "huang_jing", 0, "assigned", None),
            ("li_shichang", "更换卫生间防滑垫、加装床边扶手", "repair", -1, "lin_peng", 0, "assigned", None),
            (
                "feng_guizhi",
                "到社区卫生服务站代取降压药",
                "medicine",
                5,
                None,
                0,
                "done",
                "已取回一个月用量的硝苯地平缓释片。",
            ),
            ("dong_lizhen", "入冬前家庭大扫除、擦窗", "cleaning", -5, None, 0, "new", None),
            ("zhao_qingyun", "陪老人聊天、读报", "company", 3, "zhou_ting", 0, "cancelled", None),
        ]
        for key, name, kind, days, volunteer, hours, state, result in tasks:
            user = self.actor(key)
            task = (
                self.env["city.care.task"]
                .with_user(user)
                .create(
                    {
                        "name": name,
                        "recipient_id": self.recipients[key].id,
                        "type": kind,
                        "planned_date": today - datetime.timedelta(days=days),
                        "volunteer_id": volunteers[volunteer].id if volunteer else False,
                        "hours": hours,
                        "result": result,
                    }
                )
            )
            if state in ("assigned", "done"):
                task.action_assign()
            if state == "done":
                task.action_done()
                if task.hour_id:
                    self.env.cr.execute(
                        "UPDATE city_care_volunteer_hour SET date = %s WHERE id = %s",
                        (task.planned_date, task.hour_id.id),
                    )
            elif state == "cancelled":
                task.action_cancel()
        self.env["city.care.volunteer.hour"].invalidate_model(["date"])

    # ------------------------------------------------------------------
    def run(self):
        self.create_recipients()
        self.create_contacts_consents_zones()
        self.confirm_assessments()
        self.visit_history()
        # A visit outside the routine, cancelled: the assistive-device assessment was moved.
        self.env["city.care.visit"].with_user(self.duty).create(
            {
                "recipient_id": self.recipients["shi_hailong"].id,
                "reason": "manual",
                "reason_note": "陪同参加区残联辅具适配评估",
                "due_date": self.at(-6, 9, 0),
            }
        ).action_cancel()
        self.create_devices()
        stories = self.stories()
        self.generate_events(stories)
        # The low-battery checkpoint (the time became known with the events).
        low = next(
            e["occurred_at"]
            for e in self.events
            if e["imei"] == self.devices["feng_guizhi"].imei and e["kind"] == "low_battery"
        )
        self.checkpoints = [
            (low + datetime.timedelta(minutes=1) if moment is None else moment, callback)
            for moment, callback in self.checkpoints
        ]
        self.ingest()
        Device = self.env["city.care.device"].sudo()
        Device._cron_offline()
        offline = self.open_alarm("dong_lizhen", "device_offline")
        device = self.devices["dong_lizhen"]
        self.backdate(
            offline, device.last_heartbeat_at + datetime.timedelta(seconds=device.model_id.offline_after + 30)
        )
        # 李世昌 is home from hospital: the assessment booked by his fall, scored yesterday, is worse.
        assessment = self.env["city.care.assessment"].search(
            [("recipient_id", "=", self.recipients["li_shichang"].id), ("state", "=", "draft")], limit=1
        )
        if assessment:
            scores = (5, 0, 0, 0, 5, 5, 0, 5, 5, 0)
            assessment = assessment.with_user(self.worker)
            assessment.write(
                {
                    "date": (self.now + LOCAL).date() - datetime.timedelta(days=1),
                    "assessor_id": self.worker.id,
                    "note": "骨折后右手无法持物，进食、如厕均需协助。",
                    **{item: str(score) for item, score in zip(BARTHEL, scores, strict=True)},
                }
            )
            assessment.action_confirm()
        # Repeated readings: 雷志刚's risk is raised, which books a visit within a day.
        self.recipients["lei_zhigang"].with_user(self.duty).risk_level = "high"
        self.counselling()
        self.tasks()
        Alarm = self.env["city.care.alarm"].sudo()
        Alarm._cron_escalate()
        Alarm._cron_duty_summary()
        Recipient = self.env["city.care.recipient"].sudo()
        Recipient._cron_refresh_consents()
        Recipient._cron_due_reassessments()
        self.env["city.care.visit"].sudo()._cron_overdue()


def populate(env):
    if env.ref(f"{MODULE}.city_care_recipient_zhao_qingyun_demo", raise_if_not_found=False):
        return
    _Demo(env).run()
