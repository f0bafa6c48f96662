import json

from odoo import http
from odoo.http import request
from odoo.tools.misc import file_open


class SchoolLottery(http.Controller):
    """The public page of an enrolment draw: the seed, the algorithm and the published list."""

    @staticmethod
    def _campaign(campaign_id):
        campaign = request.env["city.school.enrolment.campaign"].browse(campaign_id).exists()
        if not campaign or campaign.state not in ("published", "drawn", "closed"):
            return None
        return campaign

    @http.route(
        "/school/enrolment/<int:campaign_id>/lottery",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        readonly=True,
    )
    def school_lottery_page(self, campaign_id, **kw):
        campaign = self._campaign(campaign_id)
        if campaign is None:
            raise request.not_found()
        data = campaign._published_data()
        return request.render(
            "city_school.school_lottery_page",
            {"campaign": campaign, "data": data, "seats": json.loads(campaign.seats_json or "{}")},
        )

    @http.route(
        "/school/enrolment/<int:campaign_id>/lottery.json", type="http", auth="public", sitemap=False, readonly=True
    )
    def school_lottery_json(self, campaign_id, **kw):
        campaign = self._campaign(campaign_id)
        if campaign is None:
            raise request.not_found()
        body = json.dumps(campaign._published_data(), ensure_ascii=False, sort_keys=True, indent=1)
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Disposition", f'attachment; filename="lottery-{campaign.id}.json"'),
            ],
        )

    @http.route("/school/enrolment/lottery.py", type="http", auth="public", sitemap=False, readonly=True)
    def school_lottery_script(self, **kw):
        with file_open("city_school/tools/lottery.py") as handle:
            body = handle.read()
        return request.make_response(body, headers=[("Content-Type", "text/x-python; charset=utf-8")])
