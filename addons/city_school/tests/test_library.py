import base64

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .library_common import MP4, PDF_V1, PDF_V2, LibraryCase


@tagged("post_install", "-at_install")
class TestLibrary(LibraryCase, TransactionCase):
    def test_school_isolation(self):
        """Staff manage their school's resources only; the bureau sees all."""
        slide_a = self.upload(self.teacher_user_a, self.channel_a, "分数的初步认识")
        slide_b = self.upload(self.teacher_user_b, self.channel_b, "面积单位")
        self.assertEqual(slide_a.school_id, self.school_a)
        self.assertEqual(slide_a.library_teacher_id, self.teacher_a)
        Slide = self.env["slide.slide"]
        self.assertIn(slide_a, Slide.with_user(self.teacher_user_a).search([]))
        self.assertNotIn(slide_b, Slide.with_user(self.teacher_user_a).search([]))
        self.assertCannotRead(self.teacher_user_a, slide_b)
        self.assertCannotRead(self.admin_user_b, slide_a)
        with mute_logger("odoo.addons.base.models.ir_rule"):
            self.assertCannotWrite(self.teacher_user_a, slide_b, {"name": "X"})
            self.assertCannotCreate(self.teacher_user_a, "slide.slide", self.resource_values(self.channel_b, "X"))
            self.assertCannotWrite(self.admin_user_a, self.channel_b, {"name": "X"})
        bureau = Slide.with_user(self.bureau_user).search([("school_id", "!=", False)])
        self.assertIn(slide_a, bureau)
        self.assertIn(slide_b, bureau)
        # the district office reads the resources of its district's schools only
        self.assertCanRead(self.district_user, slide_a)
        self.assertCannotRead(self.district_user, slide_b)
        # versions follow the school separation too
        self.assertCannotRead(self.teacher_user_b, slide_a.library_version_ids)

    def test_review_levels(self):
        slide = self.upload(self.teacher_user_a, self.channel_a, "两位数乘两位数")
        with self.assertRaises(UserError):
            slide.with_user(self.admin_user_a).action_library_approve()  # still a draft
        slide.with_user(self.teacher_user_a).action_library_submit()
        self.assertEqual(slide.library_state, "school_review")
        with self.assertRaises(AccessError):
            slide.with_user(self.teacher_user_a).action_library_approve()  # a teacher is no reviewer
        with self.assertRaises(AccessError):
            slide.with_user(self.admin_user_b).action_library_approve()  # another school's administrator
        slide.with_user(self.admin_user_a).action_library_approve("规范完整")
        self.assertEqual(slide.library_state, "district_review")
        with self.assertRaises(AccessError):
            slide.with_user(self.admin_user_a).action_library_approve()  # the school cannot decide for the district
        with self.assertRaises(AccessError):
            slide.with_user(self.other_district_user).action_library_approve()  # another district
        slide.with_user(self.district_user).action_library_approve()
        self.assertEqual(slide.library_state, "city_review")
        self.assertFalse(slide.is_published)
        with self.assertRaises(AccessError):
            slide.with_user(self.district_user).action_library_approve()  # only the city publishes
        slide.with_user(self.bureau_user).action_library_approve()
        self.assertEqual(slide.library_state, "published")
        self.assertTrue(slide.website_published)
        self.assertEqual(slide.library_review_ids.mapped("level"), ["school", "district", "city"])
        self.assertEqual(slide.library_review_ids[0].reviewer_id, self.admin_user_a)
        self.assertEqual(slide.library_review_ids[0].reason, "规范完整")
        audit = self.env["city.audit.log"].search(
            [("chain", "=", "school_library"), ("res_id", "=", slide.id), ("model", "=", "slide.slide")]
        )
        self.assertEqual(len(audit), 3)
        with self.assertRaises(UserError):
            slide.with_user(self.bureau_user).action_library_approve()  # nothing left to approve
        with self.assertRaises(UserError):
            slide.with_user(self.teacher_user_a).action_library_submit()
        with self.assertRaises(UserError):
            slide.library_review_ids[0].write({"decision": "reject"})

    def test_illegal_moves(self):
        slide = self.upload(self.teacher_user_a, self.channel_a, "认识钟表")
        with self.assertRaises(UserError):
            slide.with_user(self.bureau_user).write({"library_state": "published"})
        with self.assertRaises(UserError):
            self.env["slide.slide"].with_user(self.bureau_user).create(
                dict(self.resource_values(self.channel_a, "X"), library_state="published")
            )
        with self.assertRaises(ValidationError):
            slide.with_user(self.bureau_user).write({"is_published": True})  # publishing is the city's approval
        slide.with_user(self.teacher_user_a).action_library_submit()
        with self.assertRaises(UserError):
            slide.with_user(self.admin_user_a).action_library_reject("")  # a rejection needs a reason
        slide.with_user(self.admin_user_a).action_library_reject("缺少教学目标")
        self.assertEqual(slide.library_state, "rejected")
        self.assertEqual(slide.library_review_ids.decision, "reject")
        with self.assertRaises(UserError):
            slide.with_user(self.admin_user_a).action_library_approve()
        # the author corrects and submits again
        slide.with_user(self.teacher_user_a).action_library_submit()
        self.assertEqual(slide.library_state, "school_review")

    def test_submit_needs_taxonomy(self):
        values = self.resource_values(self.channel_a, "无分类资源")
        values.pop("school_edition_id")
        values.pop("school_chapter_id")
        slide = self.env["slide.slide"].with_user(self.teacher_user_a).create(values)
        with self.assertRaises(UserError):
            slide.with_user(self.teacher_user_a).action_library_submit()
        with self.assertRaises(ValidationError):
            slide.school_edition_id = self.env.ref("city_school.city_school_edition_bnu")
            slide.school_volume = "second"
            slide.school_chapter_id = self.lesson_node  # the chapter is of the PEP edition

    def test_versions_keep_old_files(self):
        slide = self.upload(self.teacher_user_a, self.channel_a, "长方形和正方形的面积")
        self.assertEqual(slide.library_version, 1)
        self.assertEqual(slide.library_mimetype, "application/pdf")
        self.publish(slide)
        self.assertEqual(slide.library_state, "published")
        slide.with_user(self.teacher_user_a).with_context(city_school_version_note="修订例题").write(
            {"binary_content": base64.b64encode(PDF_V2)}
        )
        self.assertEqual(slide.library_version, 2)
        versions = slide.library_version_ids.sorted("version")
        self.assertEqual(versions.mapped("version"), [1, 2])
        self.assertEqual(versions[0].attachment_id.raw, PDF_V1)
        self.assertEqual(versions[1].attachment_id.raw, PDF_V2)
        self.assertEqual(versions[1].note, "修订例题")
        self.assertEqual(versions[1].uploaded_by_id, self.teacher_user_a)
        self.assertEqual(base64.b64decode(slide.binary_content), PDF_V2)
        # a new file goes back through the review and leaves the website meanwhile
        self.assertEqual(slide.library_state, "draft")
        self.assertFalse(slide.is_published)

    def test_local_video(self):
        slide = self.upload(self.teacher_user_a, self.channel_a, "课堂实录", content=MP4)
        self.assertEqual(slide.library_mimetype, "video/mp4")
        self.assertFalse(slide.url)

    def test_public_sees_only_published(self):
        published = self.publish(self.upload(self.teacher_user_a, self.channel_a, "已发布资源"))
        in_review = self.upload(self.teacher_user_a, self.channel_a, "审核中资源")
        in_review.with_user(self.teacher_user_a).action_library_submit()
        in_review.with_user(self.admin_user_a).action_library_approve()
        public = self.env.ref("base.public_user")
        domain = [("channel_id", "in", (self.channel_a | self.channel_b).ids)]
        self.assertEqual(self.env["slide.slide"].with_user(public).search(domain), published)
        self.assertEqual(self.env["slide.slide"].with_user(self.portal_user).search(domain), published)
        self.assertCannotRead(public, in_review)
        self.assertCannotRead(self.portal_user, in_review)

    def test_rating_once_per_user(self):
        slide = self.publish(self.upload(self.teacher_user_a, self.channel_a, "可评分资源"))
        slide.with_user(self.portal_user)._library_rate(4)
        slide.with_user(self.portal_user)._library_rate(5)
        slide.with_user(self.other_parent_user)._library_rate(2)
        self.assertEqual(len(slide.library_rating_ids), 2)
        self.assertEqual(slide.library_rating_count, 2)
        self.assertAlmostEqual(slide.library_rating_avg, 3.5)
        with self.assertRaises(UserError):
            slide.with_user(self.env.ref("base.public_user"))._library_rate(5)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["city.school.resource.rating"].create(
                {"slide_id": slide.id, "user_id": self.portal_user.id, "stars": 3}
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["city.school.resource.rating"].create(
                {"slide_id": slide.id, "user_id": self.bureau_user.id, "stars": 6}
            )
        draft = self.upload(self.teacher_user_a, self.channel_a, "草稿")
        with self.assertRaises(UserError):
            draft.with_user(self.bureau_user)._library_rate(5)
