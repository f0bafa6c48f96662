import datetime
import io
import json
import pathlib

import openpyxl
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from odoo.tests import HttpCase, tagged

from .evaluation_common import EvaluationCase

DATA = pathlib.Path(__file__).parent / "data"


def ocds_validator(name):
    """A validator of one official OCDS 1.1 schema, with the other schemas resolvable by their ids."""
    schemas = {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in DATA.glob("*.json")
        if path.name.endswith("schema.json")
    }
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas.values()
    )
    return Draft4Validator(schemas[name], registry=registry, format_checker=FormatChecker())


@tagged("post_install", "-at_install")
class TestOcds(EvaluationCase, HttpCase):
    def contracted_procedure(self):
        procedure = self.opened_procedure(
            state="contracted",
            clarification_deadline=datetime.datetime(2026, 3, 12, 1, 0),
            key_released_at=datetime.datetime(2026, 3, 27, 1, 0),
            publicity_end=datetime.datetime(2026, 4, 2, 16, 0),
            contract_reference="JLHT-2026-018",
            contract_date=datetime.date(2026, 4, 10),
            contract_amount=4_500_000,
            award_amount=4_500_000,
        )
        winner = procedure.bid_ids.sorted("price")[0]
        procedure.with_context(city_trading_internal=True).write({"winner_bid_id": winner.id})
        procedure.bid_ids.sorted("price")[2].sudo().write({"state": "disqualified"})
        return procedure

    def assert_valid(self, validator, document):
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        self.assertFalse(errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10]))

    def test_releases_and_record_validate(self):
        procedure = self.contracted_procedure()
        package = procedure._ocds_release_package("https://ggzy.jlcity.gov.cn/api/city/v1/trading/ocds/releases/x")
        self.assert_valid(ocds_validator("release-package-schema.json"), package)
        release_validator = ocds_validator("release-schema.json")
        for release in package["releases"]:
            self.assert_valid(release_validator, release)
        self.assertEqual(
            [release["tag"][0] for release in package["releases"]],
            ["tender", "tenderUpdate", "award", "awardUpdate", "contract"],
        )
        self.assertEqual(package["releases"][0]["ocid"], f"ocds-jlggzy-{procedure.reference}")
        # The validator does reject what the standard forbids.
        broken = dict(package["releases"][0], tag=["opening"], tender={"status": "open"})
        self.assertTrue(list(release_validator.iter_errors(broken)))
        records = procedure._ocds_record_package("https://example.cn/records", "https://example.cn/releases")
        self.assert_valid(ocds_validator("record-package-schema.json"), records)
        compiled = records["records"][0]["compiledRelease"]
        self.assert_valid(release_validator, compiled)
        self.assertEqual(compiled["tender"]["numberOfTenderers"], 3)
        self.assertEqual(compiled["tender"]["status"], "complete")
        self.assertEqual(compiled["awards"][0]["status"], "active")
        self.assertEqual(compiled["awards"][0]["suppliers"][0]["name"], self.company_a.name)
        self.assertEqual(compiled["contracts"][0]["value"]["amount"], 4_500_000)
        supplier = next(party for party in compiled["parties"] if party["name"] == self.company_a.name)
        self.assertEqual(supplier["roles"], ["tenderer", "supplier"])

    def test_nothing_sealed_before_opening(self):
        procedure = self.opened_procedure(state="bidding")
        procedure.bid_ids.sudo().with_context(city_trading_opening=True).write({"state": "submitted", "price": False})
        package = procedure._ocds_release_package("https://example.cn/releases")
        self.assert_valid(ocds_validator("release-package-schema.json"), package)
        text = json.dumps(package, ensure_ascii=False)
        self.assertEqual([release["tag"] for release in package["releases"]], [["tender"]])
        self.assertNotIn("tenderers", text)
        self.assertNotIn("numberOfTenderers", text)
        for company in (self.company_a, self.company_b, self.company_c):
            self.assertNotIn(company.name, text)
        # Suspended during the bidding: still sealed.
        procedure.with_context(city_trading_internal=True).write({"state": "suspended", "suspended_state": "bidding"})
        self.assertNotIn("tenderers", json.dumps(procedure._ocds_release_package("x")))

    def test_public_endpoints(self):
        procedure = self.contracted_procedure()
        response = self.url_open(f"/api/city/v1/trading/ocds/records/{procedure.ocid}")
        self.assertEqual(response.status_code, 200)
        self.assert_valid(ocds_validator("record-package-schema.json"), response.json())
        response = self.url_open(f"/api/city/v1/trading/ocds/releases/{procedure.ocid}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.json()["releases"]), 5)
        self.assertEqual(self.url_open("/api/city/v1/trading/ocds/releases/ocds-jlggzy-NOPE").status_code, 404)
        openapi = self.url_open("/api/city/v1/openapi.json").json()
        self.assertIn("/trading/ocds/records/{ocid}", openapi["paths"])
        draft = self.env["city.trading.procedure"].create(
            {"name": "草稿项目", "type_id": self.construction.id, "buyer_id": self.buyer.id}
        )
        self.assertEqual(self.url_open(f"/api/city/v1/trading/ocds/records/{draft.ocid}").status_code, 404)

    def test_xlsx_exports(self):
        procedure = self.contracted_procedure()
        action = procedure.with_user(self.officer)._export_results_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        values = [cell.value for cell in sheet[2]]
        self.assertEqual(values[0], procedure.reference)
        self.assertIn(self.company_a.name, values)
        self.assertIn("JLHT-2026-018", values)
        procedure.with_context(city_trading_internal=True).write({"award_amount": 3_000_000})
        self.env["city.trading.red.flag"]._recompute(procedure)
        flags = self.env["city.trading.red.flag"].search([("procedure_id", "=", procedure.id)])
        action = flags.with_user(self.trd_supervisor)._export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        self.assertEqual(sheet.max_row, len(flags) + 1)
        self.assertIn("60.0", " ".join(str(cell.value) for cell in sheet[2]))
