"""School fixtures: two schools in two districts, one user per role, pupils and a guardian."""

from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase, make_resident_id


class SchoolCase(CityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Division = cls.env["city.division"]
        cls.grid_c = Division.create(
            {"name": "甲二网格", "code": "220204901001002", "type": "grid", "parent_id": cls.community_a.id}
        )
        cls.other_district = cls.env.ref("city_base.city_division_changyi")
        cls.other_street = Division.create(
            {"name": "测试镇", "code": "220202901000", "type": "street", "parent_id": cls.other_district.id}
        )
        cls.other_community = Division.create(
            {"name": "丙社区", "code": "220202901001", "type": "community", "parent_id": cls.other_street.id}
        )
        School = cls.env["city.school"]
        cls.school_a = School.create(
            {
                "name": "测试第一实验小学",
                "code": "T2202040001",
                "stage": "primary",
                "division_id": cls.street.id,
                "district_division_ids": [(6, 0, cls.community_a.ids)],
                "capacity_ids": [(0, 0, {"year": 2026, "grade": "1", "seats": 3})],
            }
        )
        cls.school_b = School.create(
            {
                "name": "测试第二小学",
                "code": "T2202020002",
                "stage": "primary",
                "division_id": cls.other_street.id,
                "district_division_ids": [(6, 0, (cls.community_b | cls.other_community).ids)],
                "capacity_ids": [(0, 0, {"year": 2026, "grade": "1", "seats": 2})],
            }
        )
        cls.class_a = cls.env["city.school.class"].create(
            {"school_id": cls.school_a.id, "grade": "1", "section": 1, "year": 2026}
        )
        cls.class_b = cls.env["city.school.class"].create(
            {"school_id": cls.school_b.id, "grade": "1", "section": 1, "year": 2026}
        )
        Partner = cls.env["res.partner"]

        def resident(name, birth, seq, division):
            return Partner.create(
                {
                    "name": name,
                    "is_resident": True,
                    "resident_id_number": make_resident_id("220204", birth, seq),
                    "city_division_id": division.id,
                }
            )

        cls.parent_partner = resident("王丽", "19880512", "026", cls.grid_a)
        cls.other_parent_partner = resident("刘强", "19850303", "017", cls.grid_b)
        cls.child_a = resident("王小明", "20190815", "013", cls.grid_a)
        cls.child_b = resident("刘小红", "20191120", "024", cls.grid_b)
        cls.teacher_partner_a = resident("陈老师", "19820101", "048", cls.grid_a)
        cls.teacher_partner_b = resident("周老师", "19830202", "059", cls.grid_b)

        def user(login, groups, schools=None, **values):
            record = new_test_user(cls.env, login=login, groups=groups, name=login, **values)
            if schools is not None:
                record.city_school_ids = schools
            return record

        cls.teacher_user_a = user("t_school_teacher_a", "city_school.group_city_school_teacher", cls.school_a)
        cls.admin_user_a = user("t_school_admin_a", "city_school.group_city_school_admin", cls.school_a)
        cls.admin_user_b = user("t_school_admin_b", "city_school.group_city_school_admin", cls.school_b)
        cls.bureau_user = user("t_edu_bureau", "city_school.group_city_school_bureau")
        cls.parent_user = user("t_parent", "city_base.group_city_base_resident", partner_id=cls.parent_partner.id)
        cls.other_parent_user = user(
            "t_parent_other", "city_base.group_city_base_resident", partner_id=cls.other_parent_partner.id
        )
        cls.teacher_a = cls.env["city.school.teacher"].create(
            {"school_id": cls.school_a.id, "partner_id": cls.teacher_partner_a.id, "user_id": cls.teacher_user_a.id}
        )
        cls.teacher_b = cls.env["city.school.teacher"].create(
            {"school_id": cls.school_b.id, "partner_id": cls.teacher_partner_b.id}
        )
        Student = cls.env["city.school.student"]
        cls.student_a = Student.create(
            {
                "school_id": cls.school_a.id,
                "class_id": cls.class_a.id,
                "partner_id": cls.child_a.id,
                "student_number": "A001",
                "guardian_partner_ids": [(6, 0, cls.parent_partner.ids)],
            }
        )
        cls.student_b = Student.create(
            {
                "school_id": cls.school_b.id,
                "class_id": cls.class_b.id,
                "partner_id": cls.child_b.id,
                "student_number": "B001",
                "guardian_partner_ids": [(6, 0, cls.other_parent_partner.ids)],
            }
        )
