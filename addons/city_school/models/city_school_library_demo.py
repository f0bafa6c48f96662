"""Demo data of the resource library, generated deterministically (called from demo XML).

It uses the demo schools when there are some and otherwise creates three schools of Jilin City
(one of them rural), then builds textbook chapters, 120 resources across stages, subjects, grades,
editions and volumes (teaching designs as articles, courseware as PDF files, one with two versions),
reviews at every level, views, downloads, ratings and points, an excellent-lesson selection and
synchronous classroom sessions with attendance.
"""

import base64
import io
import random
from datetime import datetime, timedelta

from odoo import api, models

from odoo.addons.city_base.tools.validators import resident_id_check_char

# (subject xml id, edition xml id, grade, volume, units)
BOOKS = [
    (
        "math",
        "pep",
        "3",
        "second",
        [
            "位置与方向（一）",
            "除数是一位数的除法",
            "复式统计",
            "两位数乘两位数",
            "面积",
            "年、月、日",
            "小数的初步认识",
        ],
    ),
    ("math", "bnu", "4", "first", ["认识更大的数", "线与角", "乘法", "运算律", "方向与位置", "除法"]),
    ("math", "pep", "1", "first", ["准备课", "位置", "1~5的认识和加减法", "认识图形（一）", "6~10的认识和加减法"]),
    (
        "chinese",
        "unified",
        "3",
        "second",
        ["古诗三首", "燕子", "荷花", "守株待兔", "陶罐和铁罐", "纸的发明", "赵州桥", "花钟"],
    ),
    ("chinese", "unified", "5", "first", ["白鹭", "落花生", "桂花雨", "搭石", "将相和", "少年中国说（节选）"]),
    ("chinese", "unified", "2", "second", ["找春天", "开满鲜花的小路", "雷锋叔叔，你在哪里", "千人糕", "画杨桃"]),
    ("english", "pep", "4", "first", ["My classroom", "My schoolbag", "My friends", "My home", "Dinner's ready"]),
    ("science", "jiangsu", "5", "second", ["热胀冷缩", "地球的运动", "生物与环境", "电磁铁", "斜面的作用"]),
    ("physics", "pep", "8", "first", ["机械运动", "声现象", "物态变化", "光现象", "透镜及其应用"]),
]
KINDS = [
    ("教学设计", "article"),
    ("教学课件", "pdf"),
    ("课堂练习", "article"),
    ("说课稿", "article"),
    ("微课讲解", "pdf"),
]
SCHOOLS = [
    ("吉林市船营区第一实验小学", "2222000101", "primary", "city_base.city_division_chuanying"),
    ("吉林市昌邑区通江小学", "2222000102", "primary", "city_base.city_division_changyi"),
    ("吉林市船营区搜登站镇中心小学", "2222000103", "primary", "city_base.city_division_chuanying"),
]
TEACHERS = ["王淑芬", "李建国", "张丽华", "刘洋", "陈静", "赵志强", "孙雪梅", "周宏伟", "吴海燕"]


def _demo_pdf(title, lines):
    """A one-page PDF with a Chinese title and body (reportlab's built-in CID font, no font file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("STSong-Light", 20)
    pdf.drawString(60, 780, title)
    pdf.setFont("STSong-Light", 12)
    for index, line in enumerate(lines):
        pdf.drawString(60, 740 - index * 22, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class CitySchoolLibraryDemo(models.AbstractModel):
    _name = "city.school.library.demo"
    _description = "School Library Demo Data"

    @api.model
    def _demo_schools(self):
        env = self.env
        schools = env["city.school"].search([("stage", "=", "primary")], order="id", limit=3)
        if len(schools) >= 3:
            return schools
        for name, code, stage, division in SCHOOLS[len(schools) :]:
            schools |= env["city.school"].create(
                {"name": name, "code": code, "stage": stage, "division_id": env.ref(division).id}
            )
        return schools

    @api.model
    def _demo_teachers(self, schools):
        env = self.env
        teachers = env["city.school.teacher"]
        for index, name in enumerate(TEACHERS):
            school = schools[index % len(schools)]
            existing = env["city.school.teacher"].search([("school_id", "=", school.id)], order="id")
            if len(existing) > index // len(schools):
                teachers |= existing[index // len(schools)]
                continue
            first17 = f"22020419{80 + index:02d}0{index % 9 + 1}1{index % 2}{300 + index:03d}"
            partner = env["res.partner"].create(
                {
                    "name": name,
                    "is_resident": True,
                    "resident_id_number": first17 + resident_id_check_char(first17),
                    "city_division_id": env.ref("city_base.city_division_grid_a1_demo").id,
                }
            )
            teachers |= env["city.school.teacher"].create(
                {"school_id": school.id, "partner_id": partner.id, "title": "first" if index % 3 else "senior"}
            )
        return teachers

    @api.model
    def _demo_generate(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True, mail_create_nolog=True))
        self = self.with_env(env)
        rng = random.Random(8)
        schools = self._demo_schools()
        teachers = self._demo_teachers(schools)
        Channel = env["slide.channel"]
        channels = {}
        for school in schools:
            channels[school] = Channel.search([("school_id", "=", school.id)], limit=1) or Channel.create(
                {
                    "name": f"{school.name}教学资源",
                    "school_id": school.id,
                    "is_published": True,
                    "visibility": "public",
                    "description": "本校教师上传、经学校、区教育局、市教育局三级审核的教学资源。",
                }
            )
        Chapter = env["city.school.chapter"]
        Slide = env["slide.slide"]
        slides = Slide
        for subject_ref, edition_ref, grade, volume, units in BOOKS:
            subject = env.ref(f"city_school.city_school_subject_{subject_ref}")
            edition = env.ref(f"city_school.city_school_edition_{edition_ref}")
            book = {"subject_id": subject.id, "grade": grade, "edition_id": edition.id, "volume": volume}
            stage = "junior" if int(grade) > 6 else "primary"
            for unit_no, unit_name in enumerate(units, start=1):
                unit = Chapter.create(dict(book, name=f"第{unit_no}单元 {unit_name}", sequence=unit_no))
                lessons = Chapter.create([dict(book, name=f"第{n}课时", parent_id=unit.id, sequence=n) for n in (1, 2)])
                for kind_no in range(2 if len(slides) < 100 else 1):
                    kind, form = KINDS[(unit_no + kind_no + len(slides)) % len(KINDS)]
                    teacher = teachers[rng.randrange(len(teachers))]
                    if stage == "junior":
                        teacher = teachers[0]
                    title = f"《{unit_name}》{kind}"
                    values = {
                        "name": title,
                        "channel_id": channels[teacher.school_id].id,
                        "library_teacher_id": teacher.id,
                        "school_stage": stage,
                        "school_subject_id": subject.id,
                        "school_grade": grade,
                        "school_edition_id": edition.id,
                        "school_volume": volume,
                        "school_chapter_id": lessons[kind_no].id,
                        "library_license": ["cc_by", "cc_by_nc", "cc_by_nc_sa", "all_rights_reserved"][
                            rng.randrange(4)
                        ],
                        "library_owner": teacher.school_id.name,
                        "description": f"{subject.name}{grade}年级{kind}，适用于{edition.name}。",
                    }
                    if form == "pdf":
                        values.update(
                            slide_category="document",
                            binary_content=base64.b64encode(
                                _demo_pdf(
                                    title,
                                    [
                                        f"学科：{subject.name}　年级：{grade}　版本：{edition.name}",
                                        "一、教学目标：理解本课核心概念，能运用所学解决实际问题。",
                                        "二、教学重难点：概念的形成过程与方法的迁移。",
                                        "三、教学过程：情境导入—探究新知—巩固练习—课堂小结。",
                                        f"主讲：{teacher.name}（{teacher.school_id.name}）",
                                    ],
                                )
                            ),
                        )
                    else:
                        values.update(
                            slide_category="article",
                            html_content=(
                                f"<h3>{title}</h3><h4>教学目标</h4><p>1. 理解《{unit_name}》的主要内容。"
                                "2. 通过小组合作探究，提高分析和表达能力。</p><h4>教学过程</h4>"
                                "<ol><li>创设情境，激趣导入</li><li>自主探究，合作交流</li>"
                                "<li>分层练习，巩固提升</li><li>回顾总结，布置作业</li></ol>"
                                f"<p>设计：{teacher.name}</p>"
                            ),
                        )
                    slides |= Slide.create(values)
        self._demo_reviews(slides, rng)
        self._demo_usage(slides, rng)
        self._demo_excellent_lessons(slides)
        self._demo_sync_sessions(schools, teachers)
        return True

    @api.model
    def _demo_reviews(self, slides, rng):
        """Most resources published; some waiting at each level, some rejected, a few drafts."""
        pdf = slides.filtered(lambda s: s.binary_content)[:1]
        for index, slide in enumerate(slides):
            target = (
                "draft"
                if index % 20 == 3
                else "school_review"
                if index % 20 == 7
                else "district_review"
                if index % 20 == 11
                else "city_review"
                if index % 20 == 15
                else "rejected"
                if index % 20 == 19
                else "published"
            )
            if target == "draft":
                continue
            slide.action_library_submit()
            steps = {"school_review": 0, "district_review": 1, "city_review": 2, "published": 3, "rejected": 1}[target]
            for step in range(steps):
                slide.action_library_approve(["内容规范，符合课标要求", "同意推荐到市级", "准予发布"][step])
            if target == "rejected":
                slide.action_library_reject("课件引用图片未注明出处，请补充版权说明后重新提交")
        # a published courseware revised later: version 2 is a draft to review again, version 1 is kept
        if pdf:
            pdf.with_context(city_school_version_note="修订第3页例题").write(
                {
                    "binary_content": base64.b64encode(
                        _demo_pdf(f"{pdf.name}（修订版）", ["修订：更正第3页例题的计算过程。"])
                    )
                }
            )

    @api.model
    def _demo_usage(self, slides, rng):
        users = self.env["res.users"].search([("share", "=", True), ("login", "!=", "public")], order="id", limit=4)
        users |= self.env.ref("base.user_admin")
        published = slides.filtered(lambda s: s.library_state == "published")
        for slide in published:
            views, downloads = rng.randrange(20, 900), rng.randrange(0, 120)
            self.env.cr.execute(
                "UPDATE slide_slide SET public_views = %s, total_views = %s + slide_views, "
                "library_download_count = %s WHERE id = %s",
                [views, views, downloads, slide.id],
            )
            for user in users:
                if rng.random() < 0.5:
                    slide.with_user(user)._library_rate(rng.choice([3, 4, 4, 5, 5]))
                if rng.random() < 0.3:
                    slide.with_user(user)._library_count_view()
        published.invalidate_recordset()

    @api.model
    def _demo_excellent_lessons(self, slides):
        Lesson = self.env["city.school.excellent.lesson"]
        seen = set()
        lessons = Lesson
        for slide in slides.filtered(lambda s: s.library_state == "published" and s.library_teacher_id):
            key = (slide.library_teacher_id, slide.school_chapter_id)
            if key in seen:
                continue
            seen.add(key)
            lessons |= Lesson.create({"teacher_id": slide.library_teacher_id.id, "slide_id": slide.id, "year": 2026})
            if len(lessons) == 4:
                break
        if lessons:
            lessons[:2].action_select()  # district selection
            lessons[:1].action_select()  # city excellent lesson
            lessons[3:4]._lesson_decide(False, "同课时已有更优课例")

    @api.model
    def _demo_sync_sessions(self, schools, teachers):
        Class = self.env["city.school.class"]
        classes = {}
        for school in schools:
            classes[school] = Class.search(
                [("school_id", "=", school.id), ("grade", "=", "3")], limit=1
            ) or Class.create({"school_id": school.id, "grade": "3", "section": 1, "year": 2025})
        host, rural = schools[0], schools[-1]
        host_teachers = teachers.filtered(lambda t: t.school_id == host)
        start = datetime(2026, 3, 2, 1, 0)  # 09:00 in Jilin City
        Session = self.env["city.school.sync.session"]
        for week in range(4):
            session = Session.create(
                {
                    "subject_id": self.env.ref("city_school.city_school_subject_math").id,
                    "host_class_id": classes[host].id,
                    "teacher_id": host_teachers[week % len(host_teachers)].id,
                    "room": "录播教室",
                    "start": start + timedelta(days=7 * week),
                    "end": start + timedelta(days=7 * week, minutes=40),
                    "receiving_class_ids": [(6, 0, [classes[s].id for s in schools[1:]])],
                }
            )
            if week < 3:
                for line in session.attendance_ids:
                    line.write({"present_count": 36 - week - (line.school_id == rural), "absent_count": week + 1})
                session.action_done()
        Session.create(
            {
                "subject_id": self.env.ref("city_school.city_school_subject_chinese").id,
                "host_class_id": classes[host].id,
                "teacher_id": host_teachers[-1].id,
                "room": "二号录播教室",
                "start": start + timedelta(days=1),
                "end": start + timedelta(days=1, minutes=40),
                "receiving_class_ids": [(6, 0, classes[rural].ids)],
            }
        )
