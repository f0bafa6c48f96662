import base64

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels

STATE_CLASSES = {
    "draft": "text-bg-light",
    "submitted": "text-bg-info",
    "under_review": "text-bg-info",
    "returned": "text-bg-warning",
    "approved": "text-bg-primary",
    "placed": "text-bg-success",
    "waitlisted": "text-bg-warning",
    "allocated": "text-bg-success",
    "appealed": "text-bg-warning",
    "closed": "text-bg-secondary",
}
APPLY_FIELDS = (
    "child_name",
    "child_id_number",
    "household_address",
    "household_registered_on",
    "property_address",
    "property_certificate_no",
    "property_registered_on",
)
MAX_UPLOAD = 10 * 1024 * 1024


class SchoolPortal(CityBasePortal):
    """Parents in the portal: school place applications (apply, upload materials, results, appeals)."""

    _sch_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "school_application_count" in counters:
            Application = request.env["city.school.application"]
            values["school_application_count"] = (
                Application.search_count(self._sch_domain()) if Application.has_access("read") else 0
            )
        if "school_child_count" in counters:
            Student = request.env["city.school.student"]
            values["school_child_count"] = (
                Student.search_count(self._sch_children_domain()) if Student.has_access("read") else 0
            )
        return values

    @staticmethod
    def _sch_children_domain():
        return [("guardian_partner_ids", "in", request.env.user.partner_id.ids)]

    @staticmethod
    def _sch_domain():
        return [("parent_partner_id", "=", request.env.user.partner_id.id)]

    def _sch_application_sudo(self, application_id):
        try:
            return self._document_check_access("city.school.application", application_id)
        except (AccessError, MissingError):
            return None

    @http.route(
        ["/my/school/applications", "/my/school/applications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_school_applications(self, page=1, sortby=None, **kw):
        Application = request.env["city.school.application"]
        if not Application.has_access("read"):
            return request.redirect("/my")
        env = request.env
        sortings = {
            "date": {"label": env._("Newest"), "order": "id desc"},
            "state": {"label": env._("Status"), "order": "state, id desc"},
        }
        apps, values = self._city_list_page(
            Application,
            "/my/school/applications",
            page,
            sortby,
            sortings,
            "date",
            domain=self._sch_domain(),
            per_page=self._sch_per_page,
            history="my_school_applications_history",
        )
        states = selection_labels(Application, "state")
        values.update(
            {
                "page_name": "school_applications",
                "rows": [
                    {
                        "app": app,
                        "state_label": states[app.state],
                        "state_class": STATE_CLASSES[app.state],
                        # school names: schools are public information
                        "school": app.sudo().school_id.name or "",
                        "result": app.sudo().result_school_id.name or "",
                    }
                    for app in apps
                ],
                "can_apply": bool(self._sch_open_campaigns()),
            }
        )
        return request.render("city_school.portal_my_school_applications", values)

    @staticmethod
    def _sch_open_campaigns():
        Campaign = request.env["city.school.enrolment.campaign"]
        if not Campaign.has_access("read"):
            return Campaign
        today = fields.Date.context_today(Campaign)
        return Campaign.search([("state", "=", "open"), ("date_start", "<=", today), ("date_end", ">=", today)])

    @staticmethod
    def _sch_divisions():
        return request.env["city.division"].search([("type", "in", ("community", "grid"))], order="complete_name")

    def _sch_form_values(self, error=None, form=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "school_apply",
                "campaigns": self._sch_open_campaigns(),
                "divisions": self._sch_divisions(),
                "schools": request.env["city.school"].search([]),
                "policy_reasons": list(
                    selection_labels(request.env["city.school.application"], "policy_reason").items()
                ),
                "error": error,
                "form": form or {},
            }
        )
        return values

    @http.route("/my/school/applications/new", type="http", auth="user", website=True, methods=["GET"])
    def portal_school_apply_form(self, **kw):
        if not request.env["city.school.application"].has_access("read"):
            return request.redirect("/my")
        return request.render("city_school.portal_school_apply", self._sch_form_values())

    @http.route("/my/school/applications/new", type="http", auth="user", website=True, methods=["POST"])
    def portal_school_apply(self, **post):
        env = request.env
        if not env["city.school.application"].has_access("read") or not env.user.has_group("base.group_portal"):
            return request.redirect("/my")
        campaign = self._sch_open_campaigns().filtered(lambda c: str(c.id) == post.get("campaign_id"))
        divisions = self._sch_divisions()

        def division(key):
            return divisions.filtered(lambda d: str(d.id) == post.get(key))[:1]

        values = {key: (post.get(key) or "").strip() or False for key in APPLY_FIELDS}
        has_property = bool(post.get("has_property"))
        policy_case = bool(post.get("policy_case"))
        policy_school = env["city.school"].search([("id", "=", int(post.get("policy_school_id") or 0))])
        values.update(
            {
                "campaign_id": campaign.id,
                "parent_partner_id": env.user.partner_id.id,
                "household_division_id": division("household_division_id").id,
                "has_property": has_property,
                "property_division_id": has_property and division("property_division_id").id,
                "policy_case": policy_case,
                "policy_reason": policy_case and post.get("policy_reason") or False,
                "policy_school_id": policy_case and policy_school.id,
            }
        )
        if not campaign or not values["child_name"] or not values["child_id_number"]:
            error = env._("Choose the enrolment and enter the child's name and resident ID.")
            return request.render("city_school.portal_school_apply", self._sch_form_values(error, post))
        try:
            with env.cr.savepoint():
                # The parent may apply (checked above); applications are created by the office's rules.
                app_sudo = env["city.school.application"].sudo().create(values)
        except (UserError, ValidationError) as exc:
            return request.render("city_school.portal_school_apply", self._sch_form_values(exc.args[0], post))
        return request.redirect(app_sudo.access_url)

    @http.route("/my/school/applications/<int:application_id>", type="http", auth="public", website=True)
    def portal_school_application(self, application_id, access_token=None, message=None, **kw):
        app_sudo = self._sch_application_sudo(application_id)
        if app_sudo is None:
            return request.redirect("/my")
        values = self._get_page_view_values(
            app_sudo, access_token, {"page_name": "school_application"}, "my_school_applications_history", False
        )
        values.update(
            {
                "app": app_sudo,
                "state_label": selection_labels(app_sudo, "state")[app_sudo.state],
                "state_class": STATE_CLASSES[app_sudo.state],
                "category_label": selection_labels(app_sudo, "category").get(app_sudo.category, ""),
                "required_kinds": app_sudo._required_materials(),
                "can_edit": app_sudo.state in ("draft", "returned"),
                "can_appeal": app_sudo.state in ("placed", "waitlisted", "allocated")
                and not app_sudo.appeal_ids.filtered(lambda a: a.state in ("submitted", "under_review")),
                "appeal_states": selection_labels(request.env["city.school.enrolment.appeal"], "state"),
                "message": message,
                "error": request.session.pop("school_portal_error", None) if message == "submit_failed" else None,
            }
        )
        return request.render("city_school.portal_school_application", values)

    @http.route(
        "/my/school/applications/<int:application_id>/material/<int:material_id>",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_school_material(self, application_id, material_id, upload=None, **kw):
        app_sudo = self._sch_application_sudo(application_id)
        if app_sudo is None:
            return request.redirect("/my")
        material_sudo = app_sudo.material_ids.filtered(lambda m: m.id == material_id)
        if not material_sudo or app_sudo.state not in ("draft", "returned") or not upload:
            return request.redirect(f"{app_sudo.access_url}?message=upload_refused")
        content = upload.read()
        if not content or len(content) > MAX_UPLOAD:
            return request.redirect(f"{app_sudo.access_url}?message=upload_refused")
        material_sudo.write({"attachment": base64.b64encode(content), "filename": upload.filename, "verified": False})
        return request.redirect(f"{app_sudo.access_url}?message=uploaded")

    @http.route(
        "/my/school/applications/<int:application_id>/submit", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_school_submit(self, application_id, **kw):
        app_sudo = self._sch_application_sudo(application_id)
        if app_sudo is None:
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                app_sudo.action_submit()
        except (UserError, ValidationError) as exc:
            request.session["school_portal_error"] = exc.args[0]
            return request.redirect(f"{app_sudo.access_url}?message=submit_failed")
        return request.redirect(f"{app_sudo.access_url}?message=submitted")

    @http.route(
        "/my/school/applications/<int:application_id>/appeal", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_school_appeal(self, application_id, reason=None, **kw):
        app_sudo = self._sch_application_sudo(application_id)
        if app_sudo is None:
            return request.redirect("/my")
        if not (reason or "").strip() or app_sudo.state not in ("placed", "waitlisted", "allocated"):
            return request.redirect(f"{app_sudo.access_url}?message=appeal_refused")
        try:
            with request.env.cr.savepoint():
                request.env["city.school.enrolment.appeal"].sudo().create(
                    {"application_id": app_sudo.id, "reason": reason.strip()}
                )
        except UserError:
            return request.redirect(f"{app_sudo.access_url}?message=appeal_refused")
        return request.redirect(f"{app_sudo.access_url}?message=appealed")

    # ------------------------------------------------------------------
    # Guardians: the children's growth records
    # ------------------------------------------------------------------
    @http.route("/my/school/children", type="http", auth="user", website=True, readonly=True)
    def portal_my_school_children(self, **kw):
        Student = request.env["city.school.student"]
        if not Student.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "school_children",
                "students": Student.search(self._sch_children_domain(), order="name, id"),
            }
        )
        return request.render("city_school.portal_my_school_children", values)

    @http.route("/my/school/children/<int:student_id>", type="http", auth="user", website=True, readonly=True)
    def portal_my_school_child(self, student_id, **kw):
        student = request.env["city.school.student"].browse(student_id).exists()
        if not student or not student.has_access("read"):
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "school_child",
                "student": student,
                "portfolios": request.env["city.school.portfolio"].search([("student_id", "=", student.id)]),
                "kinds": selection_labels(request.env["city.school.portfolio.entry"], "kind"),
                "levels": selection_labels(request.env["city.school.portfolio.entry"], "level"),
                "terms": selection_labels(request.env["city.school.portfolio"], "term"),
            }
        )
        return request.render("city_school.portal_my_school_child", values)
