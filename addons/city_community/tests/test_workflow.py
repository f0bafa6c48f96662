from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestWorkflow(CommunityCase, TransactionCase):
    def test_full_cycle_with_auto_dispatch(self):
        request = self.new_request()
        self.assertEqual(request.state, "draft")
        self.assertTrue(request.name.startswith("SQ"))
        # location auto-filled from the resident's home
        self.assertEqual(request.division_id, self.grid_a)
        self.assertEqual(request.building_id, self.building_a)
        self.assertEqual(request.household_id, self.household_a)
        self.assertEqual(request.community_id, self.community_a)
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertTrue(request.accept_deadline)
        request.action_accept()
        # no rule: the item's lead department takes it
        self.assertEqual(request.state, "dispatched")
        self.assertEqual(request.department_id, self.dept_city)
        self.assertTrue(request.one_stop)
        self.assertIn(self.officer_city.partner_id, request.message_partner_ids)
        request.with_user(self.officer_city).action_start()
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(request.user_id, self.officer_city)
        request.with_user(self.officer_city).action_reply("<p>已更换灯泡</p>")
        self.assertEqual(request.state, "replied")
        self.assertTrue(request.on_time)
        request.with_user(self.worker_a).action_visit("satisfied", "phone", "很好")
        self.assertEqual(request.state, "closed")
        self.assertEqual(request.visit_ids.department_id, self.dept_city)
        self.assertEqual(request.satisfaction, "satisfied")

    def test_every_step_is_in_the_chatter(self):
        request = self.new_request().with_context(tracking_disable=False)

        def commit_tracking():  # tracking values are written when the transaction commits
            self.env.flush_all()
            self.env.cr.precommit.run()

        for step in (
            request.action_submit,
            request.action_accept,
            lambda: request.with_user(self.officer_city).action_reply("<p>已处理</p>"),
        ):
            step()
            commit_tracking()
        bodies = " ".join(request.message_ids.mapped("body"))
        self.assertIn("已处理", bodies)
        tracked = request.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertGreaterEqual(len(tracked), 2, "state changes are tracked with author and date")
        self.assertTrue(all(message.author_id for message in request.message_ids))

    def test_illegal_transitions_are_refused(self):
        request = self.new_request()
        with self.assertRaisesRegex(UserError, "Draft"):
            request.action_accept()
        with self.assertRaises(UserError):
            request.action_reply("<p>x</p>")
        request.action_submit()
        with self.assertRaises(UserError):
            request.action_submit()
        with self.assertRaises(UserError):
            request.action_visit("satisfied")
        with self.assertRaises(UserError):
            request.action_start()
        request.action_accept()
        with self.assertRaises(UserError):
            request.action_refuse("太迟了")
        with self.assertRaises(UserError):
            request.action_cancel()

    def test_refuse_needs_reason_and_is_final(self):
        request = self.submitted()
        with self.assertRaises(UserError):
            request.action_refuse("  ")
        request.action_refuse("不属于本社区受理范围")
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.refuse_reason, "不属于本社区受理范围")
        with self.assertRaises(UserError):
            request.action_accept()

    def test_only_the_lead_department_handles(self):
        request = self.accepted()
        with self.assertRaises(UserError):
            request.with_user(self.officer_civil).action_start()

    def test_send_back_and_redispatch(self):
        request = self.accepted()
        officer = request.with_user(self.officer_city)
        with self.assertRaises(UserError):
            officer.action_send_back("")
        officer.action_send_back("应由民政部门办理")
        self.assertEqual(request.state, "returned")
        self.assertFalse(request.one_stop)
        self.assertEqual(request.return_count, 1)
        # a worker cannot approve, and the same department is refused
        with self.assertRaises(UserError):
            request.with_user(self.worker_a).action_approve_return(self.dept_civil)
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_approve_return(self.dept_city)
        request.with_user(self.manager).action_approve_return(self.dept_civil)
        self.assertEqual(request.state, "dispatched")
        self.assertEqual(request.department_id, self.dept_civil)

    def test_reject_send_back_restores_state(self):
        request = self.accepted()
        request.with_user(self.officer_city).action_start()
        request.with_user(self.officer_city).action_send_back("不归我们")
        request.with_user(self.manager).action_reject_return("属于城管职责")
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(request.department_id, self.dept_city)

    def test_unsatisfied_visit_reopens(self):
        request = self.accepted()
        request.with_user(self.officer_city).action_reply("<p>已处理</p>")
        request.with_user(self.worker_a).action_visit("unsatisfied", "phone", "灯还是不亮")
        self.assertEqual(request.state, "dispatched")
        self.assertEqual(request.reopen_count, 1)
        self.assertEqual(request.department_id, self.dept_city)
        self.assertEqual(request.escalation_level, "0")
        self.assertGreater(request.reply_deadline, request.reply_date)
        visit = request.visit_ids
        self.assertEqual(visit.satisfaction, "unsatisfied")
        self.assertEqual(visit.department_id, self.dept_city, "counted against the department")
        self.assertEqual(visit.satisfied, 0)
        # second round: satisfied closes
        request.with_user(self.officer_city).action_reply("<p>重新更换线路</p>")
        request.with_user(self.worker_a).action_visit("basic")
        self.assertEqual(request.state, "closed")
        self.assertEqual(len(request.visit_ids), 2)

    def test_structured_answers_are_validated(self):
        Request = self.Request.with_user(self.worker_a)
        with self.assertRaisesRegex(ValidationError, "领取银行"):
            Request._answer_commands(self.item, {})
        with self.assertRaises(ValidationError):
            Request._answer_commands(self.item, {"领取银行": "招商银行"})
        with self.assertRaises(ValidationError):
            Request._answer_commands(self.item, {"领取银行": "工商银行", "家庭人口": "三"})
        commands = Request._answer_commands(self.item, {"领取银行": "工商银行", "家庭人口": "3"})
        request = self.new_request(item=self.item, answer_ids=commands)
        self.assertEqual(request.answer_ids.mapped("value"), ["工商银行", "3"])

    def test_hotline_anonymous_and_channel_rules(self):
        request = self.new_request(
            partner=False, channel="hotline", anonymous=True, caller_phone="12345", division_id=self.grid_a.id
        )
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        with self.assertRaises(ValidationError):
            self.new_request(partner=False, channel="window", division_id=self.grid_a.id)
        with self.assertRaises(ValidationError):
            self.new_request(channel="portal", anonymous=True)

    def test_location_must_be_consistent(self):
        with self.assertRaises(ValidationError):
            self.new_request(partner=self.resident_b, building_id=self.building_a.id, division_id=self.grid_b.id)

    def test_extension_approved_by_manager(self):
        request = self.accepted()
        old = request.reply_deadline
        extension = request.with_user(self.officer_city).action_request_extension(3, "需要协调供电公司")
        with self.assertRaises(UserError):
            request.with_user(self.officer_city).action_request_extension(2, "再来一次")
        with self.assertRaises(UserError):
            extension.with_user(self.officer_city).action_approve()
        extension.with_user(self.manager).action_approve()
        self.assertEqual(extension.state, "approved")
        self.assertGreater(request.reply_deadline, old)
        self.assertEqual(request.deadline, request.reply_deadline)
        with self.assertRaises(UserError):
            extension.with_user(self.manager).action_refuse()

    def test_only_drafts_are_deleted(self):
        request = self.submitted()
        with self.assertRaises(UserError):
            request.unlink()
        draft = self.new_request()
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_wizards_drive_the_same_workflow(self):
        request = self.submitted()
        action = request.with_user(self.worker_a).action_open_refuse_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.worker_a)
            .with_context(**action["context"])
            .create({"reason": "材料不全"})
        )
        wizard.action_confirm()
        self.assertEqual(request.state, "refused")
        # the dispatch wizard proposes the item's department
        request = self.submitted(item=self.item_lamp)
        self.item_lamp.department_id = False
        request.action_accept()
        self.assertEqual(request.state, "accepted")
        action = request.action_open_dispatch_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"department_id": self.dept_water.id, "assist_department_ids": [(6, 0, self.dept_city.ids)]})
        )
        wizard.action_confirm()
        self.assertEqual(request.department_id, self.dept_water)
        self.assertEqual(request.assist_department_ids, self.dept_city)
