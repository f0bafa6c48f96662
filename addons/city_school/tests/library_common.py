"""Library fixtures on top of the school fixtures: one public course per school, a textbook chapter
tree, a district education office user and helpers to upload and publish resources."""

import base64

from odoo.tests import new_test_user

from odoo.addons.city_school.models.city_school_library_demo import _demo_pdf

from .common import SchoolCase

PDF_V1 = _demo_pdf("两位数乘两位数", ["第一版"])
PDF_V2 = _demo_pdf("两位数乘两位数", ["第二版：修订例题"])
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


class LibraryCase(SchoolCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.district_user = new_test_user(
            cls.env, login="t_edu_district", groups="city_school.group_city_school_district", name="t_edu_district"
        )
        cls.district_user.city_division_ids = cls.district
        cls.other_district_user = new_test_user(
            cls.env,
            login="t_edu_district_other",
            groups="city_school.group_city_school_district",
            name="t_edu_district_other",
        )
        cls.other_district_user.city_division_ids = cls.other_district
        cls.teacher_user_b = new_test_user(
            cls.env, login="t_school_teacher_b", groups="city_school.group_city_school_teacher", name="t_teacher_b"
        )
        cls.teacher_user_b.city_school_ids = cls.school_b
        cls.teacher_b.user_id = cls.teacher_user_b
        cls.math = cls.env.ref("city_school.city_school_subject_math")
        cls.pep = cls.env.ref("city_school.city_school_edition_pep")
        Chapter = cls.env["city.school.chapter"]
        book = {"subject_id": cls.math.id, "grade": "3", "edition_id": cls.pep.id, "volume": "second"}
        cls.unit = Chapter.create(dict(book, name="第四单元 两位数乘两位数"))
        cls.lesson_node = Chapter.create(dict(book, name="笔算乘法", parent_id=cls.unit.id))
        cls.other_node = Chapter.create(dict(book, name="口算乘法", parent_id=cls.unit.id))
        Channel = cls.env["slide.channel"]
        cls.channel_a = Channel.create(
            {"name": "测试第一实验小学资源", "school_id": cls.school_a.id, "is_published": True, "visibility": "public"}
        )
        cls.channel_b = Channel.create(
            {"name": "测试第二小学资源", "school_id": cls.school_b.id, "is_published": True, "visibility": "public"}
        )
        cls.portal_user = cls.parent_user

    @classmethod
    def resource_values(cls, channel, name, content=PDF_V1, chapter=None):
        return {
            "name": name,
            "channel_id": channel.id,
            "slide_category": "document",
            "binary_content": base64.b64encode(content),
            "school_stage": "primary",
            "school_subject_id": cls.math.id,
            "school_grade": "3",
            "school_edition_id": cls.pep.id,
            "school_volume": "second",
            "school_chapter_id": (chapter or cls.lesson_node).id,
            "library_license": "cc_by_nc",
        }

    def upload(self, user, channel, name, **kwargs):
        return self.env["slide.slide"].with_user(user).create(self.resource_values(channel, name, **kwargs))

    def publish(self, slide):
        """Submit as the author and approve at the three levels."""
        slide.with_user(slide.user_id).action_library_submit()
        slide.with_user(self.bureau_user).action_library_approve()
        slide.with_user(self.bureau_user).action_library_approve()
        slide.with_user(self.bureau_user).action_library_approve()
        return slide
