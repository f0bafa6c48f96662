import json
import os
import subprocess
import sys
import tempfile

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..tools import lottery
from .enrolment_common import EnrolmentCase


@tagged("post_install", "-at_install")
class TestEnrolment(EnrolmentCase, TransactionCase):
    def test_priority_categories(self):
        match = self.make_app("户房一致", household=self.grid_a, home=self.grid_c)
        split = self.make_app("户房分离", household=self.grid_a, home=self.grid_b)
        no_home = self.make_app("有户无房", household=self.grid_c)
        home_only = self.make_app("有房无户", household=self.other_street, home=self.grid_a, home_on="2021-03-01")
        policy = self.make_app("政策性照顾", policy=self.school_b)
        nothing = self.make_app("无学区")
        self.assertEqual((match.category, match.school_id), ("1", self.school_a))
        self.assertEqual((split.category, split.school_id), ("2", self.school_a))
        self.assertEqual((no_home.category, no_home.school_id), ("2", self.school_a))
        self.assertEqual((home_only.category, home_only.school_id), ("3", self.school_a))
        self.assertEqual(str(home_only.priority_date), "2021-03-01")
        self.assertEqual((policy.category, policy.school_id), ("4", self.school_b))
        self.assertFalse(nothing.category)
        self.upload_all(nothing)
        with self.assertRaises(UserError):
            nothing.action_submit()

    def test_child_checks(self):
        with self.assertRaises(ValidationError):
            self.make_app("太大", birth="20150101")
        app = self.make_app("校验", household=self.grid_a)
        with self.assertRaises(ValidationError):
            app.child_id_number = "220204201910011230"
        # one live application per child and campaign (the database backs the constraint)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["city.school.application"].create(
                {
                    "campaign_id": self.campaign.id,
                    "child_name": "重复",
                    "child_id_number": app.child_id_number,
                    "household_division_id": self.grid_a.id,
                }
            )

    def test_state_machine(self):
        app = self.make_app("流程", household=self.grid_a)
        with self.assertRaises(UserError):  # materials missing
            app.action_submit()
        with self.assertRaises(UserError):  # draft -> approved is not a move
            app.with_user(self.bureau_user).action_approve()
        self.upload_all(app)
        app.action_submit()
        self.assertEqual(app.state, "submitted")
        # the admin of another school does not see it; the teacher of the school cannot review
        with self.assertRaises(AccessError):
            app.with_user(self.admin_user_b).action_start_review()
        with self.assertRaises(AccessError):
            app.with_user(self.teacher_user_a).action_start_review()
        app.with_user(self.admin_user_a).action_start_review()
        with self.assertRaises(UserError):  # materials not verified
            app.with_user(self.admin_user_a).action_approve()
        with self.assertRaises(UserError):  # no reason
            app.with_user(self.admin_user_a).action_return()
        app.with_user(self.admin_user_a).write({"return_reason": "户口簿照片不清晰"})
        app.with_user(self.admin_user_a).action_return()
        self.assertEqual(app.state, "returned")
        app.action_submit()
        app.with_user(self.admin_user_a).action_start_review()
        app.material_ids.write({"verified": True})
        app.with_user(self.admin_user_a).action_approve()
        self.assertEqual(app.state, "approved")
        with self.assertRaises(UserError):
            app._set_state("draft")
        with self.assertRaises(AccessError):
            app.with_user(self.parent_user).write({"state": "placed"})

    def _draw(self, rule="date_then_lottery"):
        self.campaign.order_rule = rule
        self.campaign.action_close_applications()
        self.campaign.action_publish_seed()
        self.campaign.action_draw()

    def test_priority_order_and_draw(self):
        """3 seats: both category 1 placed, the earliest category 2 placed, the rest waitlisted."""
        cat1 = self.make_app("一类甲", household=self.grid_a, home=self.grid_a, household_on="2023-01-01")
        cat1 |= self.make_app("一类乙", household=self.grid_c, home=self.grid_a, household_on="2024-06-01")
        early = self.make_app("二类早", household=self.grid_a, household_on="2018-05-01")
        late = self.make_app("二类晚", household=self.grid_a, household_on="2022-05-01")
        cat3 = self.make_app("三类", home=self.grid_a, home_on="2010-01-01")
        policy = self.make_app("政策", policy=self.school_a)
        other = self.make_app("乙校", household=self.grid_b, home=self.grid_b)
        self.approve(cat1 | early | late | cat3 | policy | other)
        self._draw()
        self.assertEqual(set(cat1.mapped("state")), {"placed"})
        self.assertEqual(early.state, "placed")
        self.assertEqual(early.result_school_id, self.school_a)
        self.assertTrue(early.in_lottery)
        self.assertEqual((late.state, cat3.state, policy.state), ("waitlisted",) * 3)
        self.assertEqual(other.state, "placed")
        self.assertEqual(other.result_school_id, self.school_b)
        self.assertEqual(self.campaign.placed_count, 4)
        # rank: category order, then date
        self.assertLess(max(cat1.mapped("lottery_rank")), early.lottery_rank)
        self.assertLess(early.lottery_rank, late.lottery_rank)
        self.assertLess(late.lottery_rank, cat3.lottery_rank)
        with self.assertRaises(UserError):
            self.campaign.action_draw()

    def test_lottery_reproducible(self):
        """An oversubscribed category is drawn by the published seed; anyone re-running it gets the same result."""
        apps = self.env["city.school.application"]
        for index in range(8):
            apps |= self.make_app(f"摇号{index}", household=self.grid_a, home=self.grid_a, household_on="2020-01-01")
        self.approve(apps)
        self.campaign.seed = "2026-吉林-公开种子"
        self._draw(rule="lottery")
        placed = apps.filtered(lambda a: a.state == "placed")
        self.assertEqual(len(placed), 3)
        # the placed ones have the smallest SHA-256(seed:number) keys
        keys = sorted(apps, key=lambda a: lottery.lottery_key(self.campaign.seed, a.name))
        self.assertEqual(placed, self.env["city.school.application"].concat(*keys[:3]))
        published = json.loads(json.dumps(self.campaign._published_data()))
        self.assertEqual(lottery.verify(published), [])
        self.assertEqual(
            lottery.input_digest(published["applications"], published["seats"], published["order_rule"]),
            self.campaign.input_digest,
        )
        # same seed, same result; a tampered result is detected
        again = lottery.assign(published["seed"], published["seats"], published["applications"], "lottery")
        self.assertEqual({n for n, r in again.items() if r["placed"]}, set(placed.mapped("name")))
        waitlisted = next(app for app in published["applications"] if not app["placed"])
        waitlisted["placed"] = True
        self.assertEqual(lottery.verify(published), [waitlisted["number"]])
        # another seed gives another order
        other = lottery.assign("another seed", published["seats"], published["applications"], "lottery")
        self.assertNotEqual(
            [n for n, r in sorted(other.items(), key=lambda i: i[1]["rank"])],
            [n for n, r in sorted(again.items(), key=lambda i: i[1]["rank"])],
        )

    def test_standalone_verification_script(self):
        """tools/lottery.py re-runs a published draw without Odoo, and detects a changed result."""
        apps = self.env["city.school.application"]
        for index in range(5):
            apps |= self.make_app(f"脚本{index}", household=self.grid_a, home=self.grid_a)
        self.approve(apps)
        self._draw(rule="lottery")
        script = os.path.join(os.path.dirname(lottery.__file__), "lottery.py")
        published = self.campaign._published_data()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lottery.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(published, handle, ensure_ascii=False)
            run = subprocess.run([sys.executable, "-I", script, path], capture_output=True, text=True, check=False)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertIn("OK: 5 results reproduced", run.stdout)
            published["applications"][0]["rank"] += 10
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(published, handle, ensure_ascii=False)
            run = subprocess.run([sys.executable, "-I", script, path], capture_output=True, text=True, check=False)
            self.assertEqual(run.returncode, 1)

    def test_list_frozen_with_the_seed(self):
        first = self.make_app("先", household=self.grid_a)
        late = self.make_app("后", household=self.grid_a)
        self.approve(first)
        self.upload_all(late)
        late.action_submit()
        self.campaign.action_close_applications()
        with self.assertRaises(UserError):  # still under review
            self.campaign.action_publish_seed()
        late.with_user(self.bureau_user).action_close()
        self.campaign.action_publish_seed()
        self.assertTrue(self.campaign.seed and self.campaign.input_digest)
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.admin_user_a).action_draw()
        self.campaign.with_user(self.bureau_user).action_draw()
        self.assertEqual(first.state, "placed")

    def test_no_child_placed_twice(self):
        first = self.make_app("唯一", household=self.grid_a)
        number = first.sudo().child_id_number
        first.with_user(self.bureau_user).action_close()
        second = self.env["city.school.application"].create(
            {
                "campaign_id": self.campaign.id,
                "child_name": "唯一",
                "child_id_number": number,
                "household_division_id": self.grid_a.id,
                "household_registered_on": "2020-01-01",
            }
        )
        self.approve(second)
        self._draw()
        self.assertEqual(second.state, "placed")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            first.write({"state": "placed", "result_school_id": self.school_b.id})
            first.flush_recordset()
        # the database refuses it as well, whatever the code path
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_school_application SET state = 'placed' WHERE id = %s", [first.id])

    def test_appeal_and_allocation(self):
        apps = self.env["city.school.application"]
        for index in range(4):
            apps |= self.make_app(f"申诉{index}", household=self.grid_a, home=self.grid_a)
        self.approve(apps)
        self._draw(rule="lottery")
        waiting = apps.filtered(lambda a: a.state == "waitlisted")
        self.assertEqual(len(waiting), 1)
        appeal = self.env["city.school.enrolment.appeal"].create(
            {"application_id": waiting.id, "reason": "我们户房一致且落户更早"}
        )
        self.assertEqual(waiting.state, "appealed")
        with self.assertRaises(AccessError):
            appeal.with_user(self.admin_user_a).action_reject()
        with self.assertRaises(UserError):  # no decision written
            appeal.with_user(self.bureau_user).action_reject()
        appeal.decision = "摇号结果有效"
        appeal.with_user(self.bureau_user).action_reject()
        self.assertEqual(waiting.state, "waitlisted")
        full = (
            self.env["city.school.allocate"]
            .with_user(self.bureau_user)
            .create({"application_id": waiting.id, "school_id": self.school_a.id})
        )
        with self.assertRaises(UserError):  # school A is full
            full.action_allocate()
        self.env["city.school.allocate"].with_user(self.bureau_user).create(
            {"application_id": waiting.id, "school_id": self.school_b.id}
        ).action_allocate()
        self.assertEqual((waiting.state, waiting.result_school_id), ("allocated", self.school_b))
        # school B's admin now sees the child allocated to it
        self.assertTrue(waiting.with_user(self.admin_user_b).read(["name"]))

    def test_parent_sees_only_own(self):
        mine = self.make_app("我的", household=self.grid_a)
        theirs = self.make_app("别人的", household=self.grid_b, user=self.other_parent_user)
        Application = self.env["city.school.application"].with_user(self.parent_user)
        self.assertEqual(Application.search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.parent_user).read(["child_name"])
        with self.assertRaises(AccessError):
            mine.with_user(self.parent_user).read(["child_id_number"])
