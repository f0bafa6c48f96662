import datetime

from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase, make_uscc

from ..tools import gs1
from .common import TraceCase

DL = "https://id.gs1.org"
RICE_GTIN = "06901234567892"
PADDY_GTIN = "06901234567809"


def key_with_check(body):
    return body + gs1.check_digit(body)


@tagged("post_install", "-at_install")
class TestTraceApi(TraceCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.dist = Partner.create(
            {
                "name": "吉林市粮油批发有限公司",
                "is_company": True,
                "uscc": make_uscc("91220204MA0TR0003"),
                "trace_logistics": True,
                "gln": key_with_check("695012300003"),
            }
        )
        cls.mill_user = cls.enterprise_user("t_trace_api_mill", cls.mill, "米业接口")
        cls.farm_user = cls.enterprise_user("t_trace_api_farm", cls.farm, "合作社接口")
        cls.paddy = cls.env["city.trace.product"].create(
            {
                "name": "稻谷",
                "gtin": "6901234567809",
                "category": "agricultural",
                "partner_id": cls.farm.id,
                "uom": "kg",
            }
        )
        Lot = cls.env["city.trace.lot"]
        day = datetime.date(2026, 10, 1)
        cls.paddy_lot = Lot.create(
            {
                "name": "P1",
                "product_id": cls.paddy.id,
                "partner_id": cls.farm.id,
                "production_date": day,
                "quantity": 1000,
            }
        )
        cls.rice_lot = Lot.create(
            {
                "name": "R1",
                "product_id": cls.rice.id,
                "partner_id": cls.mill.id,
                "production_date": day,
                "quantity": 300,
            }
        )
        cls.mill_gln = key_with_check("695012300001")
        cls.plant = cls.env["city.trace.location"].create(
            {"name": "丰谷米业加工厂", "partner_id": cls.mill.id, "gln": cls.mill_gln}
        )
        cls.sscc = key_with_check("06901234000000001")
        cls.pallet = cls.env["city.trace.logistic.unit"].create({"sscc": cls.sscc, "partner_id": cls.mill.id})
        cls.mill_key = cls.api_key(cls.mill_user)
        cls.farm_key = cls.api_key(cls.farm_user)
        cls.officer_key = cls.api_key(cls.officer)
        cls.business_key = cls.api_key(cls.portal_business)
        cls.Event = cls.env["city.trace.event"]
        # the mill received the farm's paddy: it may name the batch in its own events
        cls.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "receiving",
                    "event_time": datetime.datetime(2026, 10, 2, 1, 0),
                    "partner_id": cls.mill.id,
                    "source_partner_id": cls.farm.id,
                    "lines": [{"role": "epc", "lot_id": cls.paddy_lot.id, "quantity": 1000}],
                }
            ]
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @staticmethod
    def when(hours_ago=24):
        moment = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(
            hours=hours_ago
        )
        return moment.replace(microsecond=0).isoformat()

    @staticmethod
    def document(*events, **extra):
        return {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-11-20T10:00:00+08:00",
            **extra,
            "epcisBody": {"eventList": list(events)},
        }

    def shipping(self, lot="R1", quantity=100, destination=None, hours_ago=20, **extra):
        return {
            "type": "ObjectEvent",
            "eventTime": self.when(hours_ago),
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
            "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
            "readPoint": {"id": f"{DL}/414/{self.mill_gln}"},
            "quantityList": [{"epcClass": f"{DL}/01/{RICE_GTIN}/10/{lot}", "quantity": quantity, "uom": "BG"}],
            "destinationList": [
                {"type": "owning_party", "destination": destination or f"urn:city:uscc:{self.dist.uscc}"}
            ],
            "bizTransactionList": [{"type": "desadv", "bizTransaction": "DA-2026-001"}],
            **extra,
        }

    def commissioning(self, lot="R9", quantity=500, hours_ago=30, **extra):
        return {
            "type": "ObjectEvent",
            "eventTime": self.when(hours_ago),
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "bizLocation": {"id": "urn:epc:id:sgln:6950123.00001.0"},
            "quantityList": [{"epcClass": f"{DL}/01/{RICE_GTIN}/10/{lot}", "quantity": quantity}],
            **extra,
        }

    def capture(self, document, key=None):
        return self.api("POST", "/trace/events", document, key=key or self.mill_key)

    def assertInvalid(self, response, codes):
        """422 with one error per invalid event, in order: ``codes`` = {index: code}."""
        status, body = response
        self.assertEqual(status, 422, body)
        self.assertEqual(body["error"]["code"], "validation_error")
        found = {entry["index"]: entry["code"] for entry in body["error"]["details"]["events"]}
        self.assertEqual(found, codes, body)
        for entry in body["error"]["details"]["events"]:
            self.assertEqual(entry["status"], "error")
            self.assertTrue(entry["message"])
            self.assertTrue(entry["field"] == "sender" or entry["field"].startswith("epcisBody.eventList["), entry)
        return body

    def event_count(self):
        return self.Event.search_count([])

    # ------------------------------------------------------------------
    # Capture
    # ------------------------------------------------------------------
    def test_capture_document_and_replay(self):
        transformation = {
            "type": "TransformationEvent",
            "eventID": "mill-2026-0002",
            "eventTime": self.when(28),
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "commissioning",
            "inputQuantityList": [{"epcClass": f"{DL}/01/{PADDY_GTIN}/10/P1", "quantity": 900, "uom": "KGM"}],
            "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.056789.R10", "quantity": 250}],
        }
        packing = {
            "type": "AggregationEvent",
            "eventTime": self.when(25),
            "action": "ADD",
            "bizStep": "packing",
            "parentID": f"{DL}/00/{self.sscc}",
            "childQuantityList": [{"epcClass": f"{DL}/01/{RICE_GTIN}/10/R9", "quantity": 40}],
        }
        document = self.document(
            self.shipping(lot="R9", eventID="mill-2026-0003"),  # names the batch the next event makes
            self.commissioning(eventID="mill-2026-0001"),
            transformation,
            packing,
        )
        before = self.event_count()
        status, body = self.capture(document)
        self.assertEqual(status, 200, body)
        data = body["data"]
        self.assertEqual((data["created"], data["duplicates"]), (4, 0))
        self.assertEqual([event["index"] for event in data["events"]], [0, 1, 2, 3])
        self.assertEqual(self.event_count(), before + 4)

        new_lot = self.env["city.trace.lot"].search([("product_id", "=", self.rice.id), ("name", "=", "R9")])
        self.assertEqual((new_lot.partner_id, new_lot.quantity), (self.mill, 500))
        self.assertEqual(new_lot.location_id, self.plant, "the commissioning event's location is the lot's origin")
        made_at = document["epcisBody"]["eventList"][1]["eventTime"]
        self.assertEqual(new_lot.production_date, datetime.date.fromisoformat(made_at[:10]), "the local date")
        self.assertTrue(new_lot.expiry_date, "expiry from the product's shelf life")
        made = self.env["city.trace.lot"].search([("product_id", "=", self.rice.id), ("name", "=", "R10")])
        self.assertEqual(made.quantity, 250)

        shipment = self.Event.search([("client_event_id", "=", "mill-2026-0003")])
        self.assertEqual(data["events"][0]["event_hash"], shipment.hash_uri)
        self.assertEqual(data["events"][0]["event_id"], "mill-2026-0003")
        self.assertEqual(
            (shipment.partner_id, shipment.dest_partner_id, shipment.location_id), (self.mill, self.dist, self.plant)
        )
        self.assertEqual((shipment.biz_step, shipment.disposition), ("shipping", "in_transit"))
        self.assertEqual((shipment.biz_transaction_type, shipment.biz_transaction_ref), ("desadv", "DA-2026-001"))
        self.assertEqual((shipment.capture_channel, shipment.event_tz), ("api", "+08:00"))
        self.assertEqual(shipment.line_ids.lot_id, new_lot)
        self.assertEqual(shipment.line_ids.quantity, 100)
        sent = document["epcisBody"]["eventList"][0]["eventTime"]
        expected_time = datetime.datetime.fromisoformat(sent).astimezone(datetime.timezone.utc)
        self.assertEqual(shipment.event_time, expected_time.replace(tzinfo=None))
        milling = self.Event.search([("client_event_id", "=", "mill-2026-0002")])
        self.assertEqual(
            {(line.role, line.lot_id, line.quantity) for line in milling.line_ids},
            {("input", self.paddy_lot, 900), ("output", made, 250)},
        )
        self.assertIn(new_lot, self.pallet.lot_ids, "packing put the batch on the pallet")
        nodes = self.env["city.trace.edge"]._graph(new_lot)["nodes"]
        self.assertIn((new_lot.id, self.dist.id), nodes)
        self.assertTrue(self.env["city.trace.chain"].search([("partner_id", "=", self.mill.id)]).verify()["ok"])

        # the same document again: every event is a duplicate, nothing is stored
        lots = self.env["city.trace.lot"].search_count([])
        status, body = self.capture(document)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["data"]["created"], body["data"]["duplicates"]), (0, 4))
        self.assertEqual({event["status"] for event in body["data"]["events"]}, {"duplicate"})
        self.assertEqual(body["data"]["events"][0]["event_hash"], shipment.hash_uri)
        self.assertEqual(self.event_count(), before + 4)
        self.assertEqual(self.env["city.trace.lot"].search_count([]), lots)

    def test_identifier_forms(self):
        """Serial items and a receiving event from a party named by GLN, vocabularies as web URIs."""
        serial = self.env["city.trace.serial"].create({"name": "SN0001", "lot_id": self.rice_lot.id})
        receiving = {
            "type": "ObjectEvent",
            "eventTime": self.when(3),
            "action": "OBSERVE",
            "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving",
            "epcList": [f"{DL}/01/{RICE_GTIN}/10/R1/21/SN0001", "urn:epc:id:sgtin:6901234.056789.SN0001"],
            "sourceList": [
                {"type": "urn:epcglobal:cbv:sdt:owning_party", "source": f"{DL}/417/{self.dist.gln}"},
                {"type": "possessing_party", "source": f"urn:city:uscc:{self.dist.uscc.lower()}"},
            ],
        }
        status, body = self.capture(self.document(receiving))
        self.assertEqual(status, 200, body)
        event = self.Event.search([], limit=1, order="id desc")
        self.assertEqual(event.line_ids.serial_id, serial)
        self.assertEqual(event.source_partner_id, self.dist)
        self.assertEqual(event.event_tz, "+08:00", "taken from eventTime")

    def test_invalid_events_store_nothing(self):
        before = self.event_count()
        lots = self.env["city.trace.lot"].search_count([])
        future = self.shipping()
        future["eventTime"] = self.when(-2)
        wrong_check = self.shipping()
        wrong_check["quantityList"][0]["epcClass"] = f"{DL}/01/06901234567893/10/R1"
        wrong_order = self.shipping()
        wrong_order["quantityList"][0]["epcClass"] = f"{DL}/01/{RICE_GTIN}/21/S1/10/R1"
        document = self.document(
            self.commissioning(),  # valid, and would create batch R9
            wrong_check,
            self.shipping(lot="NOPE"),
            future,
            {**self.shipping(), "type": "AssociationEvent"},
            self.shipping(eventTime="yesterday"),
            wrong_order,
            self.shipping(destination="urn:city:uscc:91220204MA0TR000"),
        )
        body = self.assertInvalid(
            self.capture(document),
            {
                1: "invalid_gtin",
                2: "unknown_lot",
                3: "future_time",
                4: "unsupported_event_type",
                5: "invalid_time",
                6: "invalid_digital_link",
                7: "invalid_uscc",
            },
        )
        self.assertEqual(
            body["error"]["details"]["events"][0]["field"], "epcisBody.eventList[1].quantityList[0].epcClass"
        )
        # the events that parse are resolved next: unknown batch, unknown party, unknown location
        unknown_party = make_uscc("91220204MA0TR0099")
        elsewhere = self.shipping(readPoint={"id": f"{DL}/414/{key_with_check('695012300099')}"})
        body = self.assertInvalid(
            self.capture(
                self.document(
                    self.commissioning(),
                    self.shipping(lot="NOPE"),
                    self.shipping(destination=f"urn:city:uscc:{unknown_party}"),
                    elsewhere,
                    self.commissioning(quantityList=[{"epcClass": f"{DL}/01/{PADDY_GTIN}/10/P9"}]),
                )
            ),
            {1: "unknown_lot", 2: "unknown_party", 3: "unknown_location", 4: "unknown_lot"},
        )
        self.assertEqual(body["error"]["details"]["events"][0]["field"], "epcisBody.eventList[1].quantityList[0]")
        # a batch of the enterprise's own product is only created with its quantity
        self.assertInvalid(
            self.capture(self.document(self.commissioning(quantityList=[{"epcClass": f"{DL}/01/{RICE_GTIN}/10/R12"}]))),
            {0: "quantity_required"},
        )
        self.assertInvalid(
            self.capture(
                self.document(
                    self.commissioning(
                        quantityList=[{"epcClass": f"{DL}/01/{RICE_GTIN}/10/R1", "quantity": 1, "uom": "KGM"}]
                    ),
                    {"type": "TransformationEvent", "eventTime": self.when(), "inputEPCList": []},
                    self.shipping(epcList=[f"{DL}/01/{RICE_GTIN}/10/R1"]),
                    self.shipping(action="MOVE"),
                    self.shipping(bizStep="urn:epcglobal:cbv:bizstep:flying"),
                )
            ),
            {
                0: "uom_mismatch",
                1: "missing_inputs_outputs",
                2: "class_in_epc_list",
                3: "invalid_action",
                4: "unknown_biz_step",
            },
        )
        self.assertEqual(self.event_count(), before)
        self.assertEqual(self.env["city.trace.lot"].search_count([]), lots)

    def test_malformed_requests(self):
        status, body = self.api("POST", "/trace/events", data="{not json", key=self.mill_key)
        self.assertEqual((status, body["error"]["code"]), (400, "malformed"))
        status, body = self.capture({**self.document(self.shipping()), "type": "EPCISQueryDocument"})
        self.assertEqual((status, body["error"]["code"], body["error"]["details"]["field"]), (400, "malformed", "type"))
        status, body = self.capture(self.document())
        self.assertEqual((status, body["error"]["code"]), (400, "malformed"))
        status, body = self.api("POST", "/trace/events", self.document(self.shipping()))
        self.assertEqual((status, body["error"]["code"]), (401, "unauthorized"))

    def test_oversize_batch_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("city_trace.api_max_events", "2")
        before = self.event_count()
        status, body = self.capture(self.document(*[self.shipping(hours_ago=hours) for hours in (20, 21, 22)]))
        self.assertEqual((status, body["error"]["code"]), (413, "payload_too_large"))
        self.assertEqual(body["error"]["details"]["limit"], 2)
        status, _body = self.capture(self.document(*[self.shipping(hours_ago=hours) for hours in (20, 21)]))
        self.assertEqual(status, 200)
        self.assertEqual(self.event_count(), before + 2)

    # ------------------------------------------------------------------
    # Who records
    # ------------------------------------------------------------------
    def test_enterprise_key_records_for_its_own_enterprise_only(self):
        before = self.event_count()
        # the farm's key cannot send the mill's events
        status, body = self.capture(
            self.document(self.shipping(), sender=f"urn:city:uscc:{self.mill.uscc}"), key=self.farm_key
        )
        self.assertEqual((status, body["error"]["code"]), (403, "forbidden"))
        status, body = self.capture(self.document(self.shipping(), enterprise_uscc=self.mill.uscc), key=self.farm_key)
        self.assertEqual(status, 403)
        # a business user whose organisation is no traceability enterprise, and a worker: no capture
        self.assertEqual(self.capture(self.document(self.shipping()), key=self.business_key)[0], 403)
        self.assertEqual(self.capture(self.document(self.shipping()), key=self.api_key(self.worker_a))[0], 403)
        # the farm records for itself: shipping its paddy, and naming itself as sender is fine
        farm_shipping = self.shipping()
        farm_shipping["quantityList"] = [{"epcClass": f"{DL}/01/{PADDY_GTIN}/10/P1", "quantity": 100}]
        del farm_shipping["readPoint"]
        status, body = self.capture(
            self.document(farm_shipping, sender=f"urn:city:uscc:{self.farm.uscc}"), key=self.farm_key
        )
        self.assertEqual(status, 200, body)
        self.assertEqual(self.Event.search([], limit=1, order="id desc").partner_id, self.farm)
        # nor ship the mill's batch, which it never held
        self.assertInvalid(self.capture(self.document(self.shipping()), key=self.farm_key), {0: "not_in_custody"})
        # the farm cannot commission a batch of the mill's product
        self.assertInvalid(self.capture(self.document(self.commissioning()), key=self.farm_key), {0: "unknown_lot"})
        self.assertEqual(self.event_count(), before + 1)

    def test_officer_names_the_enterprise(self):
        status, body = self.capture(self.document(self.shipping()), key=self.officer_key)
        self.assertEqual(
            (status, body["error"]["code"], body["error"]["details"]["field"]), (400, "malformed", "sender")
        )
        status, body = self.capture(
            self.document(self.shipping(), sender=f"urn:city:uscc:{self.mill.uscc}"), key=self.officer_key
        )
        self.assertEqual(status, 200, body)
        event = self.Event.search([], limit=1, order="id desc")
        self.assertEqual((event.partner_id, event.capture_channel), (self.mill, "api"))
        status, body = self.capture(
            self.document(self.shipping(), enterprise_uscc=self.org_contact.parent_id.uscc), key=self.officer_key
        )
        self.assertInvalid((status, body), {0: "unknown_party"})

    # ------------------------------------------------------------------
    # Error declarations
    # ------------------------------------------------------------------
    def test_error_declaration(self):
        status, body = self.capture(
            self.document(self.shipping(eventID="ship-1", destination=f"{DL}/417/{self.dist.gln}", hours_ago=10))
        )
        self.assertEqual(status, 200, body)
        wrong = self.Event.search([("client_event_id", "=", "ship-1")])
        corrective = self.shipping(
            eventID="ship-2", quantityList=[{"epcClass": f"{DL}/01/{RICE_GTIN}/10/R1", "quantity": 90}]
        )
        declaration = {
            "type": "ObjectEvent",
            "eventID": "ship-1",
            "eventTime": self.when(10),
            "action": "OBSERVE",
            "errorDeclaration": {
                "declarationTime": self.when(1),
                "reason": "urn:epcglobal:cbv:er:incorrect_data",
                "correctiveEventIDs": ["ship-2"],
            },
        }
        document = self.document(corrective, declaration)
        status, body = self.capture(document)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["created"], 2)
        right = self.Event.search([("client_event_id", "=", "ship-2")])
        self.assertTrue(wrong.is_erroneous)
        record = wrong.declaration_ids
        self.assertEqual((record.error_reason, record.corrective_event_ids), ("incorrect_data", right))
        self.assertEqual(body["data"]["events"][1]["event_hash"], record.hash_uri)
        self.assertEqual(body["data"]["events"][1]["event_id"], "ship-1")
        # replayed: duplicates, not a second declaration
        status, body = self.capture(document)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["duplicates"], 2)
        self.assertEqual(len(wrong.declaration_ids), 1)
        # a declaration naming the event by its hash id: the event is already declared
        again = dict(declaration, eventID=wrong.hash_uri, errorDeclaration={"declarationTime": self.when(0)})
        self.assertInvalid(self.capture(self.document(again)), {0: "already_declared"})
        # by hash id, an event that is not declared yet
        status, body = self.capture(self.document(dict(again, eventID=right.hash_uri)))
        self.assertEqual(status, 200, body)
        self.assertTrue(right.is_erroneous)
        # the farm cannot declare the mill's events: they are not found among its own
        self.assertInvalid(
            self.capture(self.document(dict(declaration, eventID="ship-2")), key=self.farm_key), {0: "unknown_event"}
        )
        self.assertInvalid(
            self.capture(self.document({k: v for k, v in declaration.items() if k != "eventID"})),
            {0: "event_id_required"},
        )
        # without its time a declaration sent twice would be two declarations: the time is required
        body = self.assertInvalid(
            self.capture(self.document(dict(declaration, eventID="ship-2", errorDeclaration={}))), {0: "invalid_time"}
        )
        self.assertEqual(
            body["error"]["details"]["events"][0]["field"], "epcisBody.eventList[0].errorDeclaration.declarationTime"
        )

    # ------------------------------------------------------------------
    # Query
    # ------------------------------------------------------------------
    def test_events_of_a_batch_round_trip(self):
        serial = self.env["city.trace.serial"].create({"name": "SN0002", "lot_id": self.rice_lot.id})
        packing = {
            "type": "AggregationEvent",
            "eventTime": self.when(26),
            "action": "ADD",
            "bizStep": "packing",
            "parentID": f"{DL}/00/{self.sscc}",
            "childEPCs": [f"{DL}/01/{RICE_GTIN}/21/SN0002"],
            "childQuantityList": [{"epcClass": f"{DL}/01/{RICE_GTIN}/10/R9", "quantity": 40}],
        }
        document = self.document(self.commissioning(), packing, self.shipping(lot="R9", eventID="ship-r9"))
        self.assertEqual(self.capture(document)[0], 200)
        wrong = self.Event.search([("client_event_id", "=", "ship-r9")])
        declaration = {
            "type": "ObjectEvent",
            "eventID": "ship-r9",
            "action": "OBSERVE",
            "errorDeclaration": {"declarationTime": self.when(2), "reason": "did_not_occur"},
        }
        self.assertEqual(self.capture(self.document(declaration))[0], 200)
        host = self.env["city.trace.product"]._digital_link_domain()
        status, body = self.api("GET", f"/trace/events?lot=https://{host}/01/{RICE_GTIN}/10/R9", key=self.mill_key)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["total"], 3, "commissioning, packing and shipping; the declaration names no batch")
        events = body["data"]["epcisBody"]["eventList"]
        self.assertEqual([event["type"] for event in events], ["ObjectEvent", "AggregationEvent", "ObjectEvent"])
        self.assertEqual(events[2]["eventID"], wrong.hash_uri)
        self.assertEqual(events[1]["childEPCs"], [serial.digital_link])
        self.assertEqual(events[1]["parentID"], f"https://{host}/00/{self.sscc}")
        self.assertEqual(events[0]["bizLocation"], {"id": f"https://{host}/414/{self.mill_gln}"})
        # sending the events back (and the declaration) stores nothing
        events.append(declaration)
        status, body = self.capture(body["data"])
        self.assertEqual((status, body["data"]["created"], body["data"]["duplicates"]), (200, 0, 4), body)
        # the farm sees none of the mill's events; a worker may not read events; unknown batch: 404
        status, body = self.api("GET", f"/trace/events?gtin={RICE_GTIN}&lot=R9", key=self.farm_key)
        self.assertEqual((status, body["total"]), (200, 0))
        self.assertEqual(self.api("GET", f"/trace/events?lot=R9&gtin={RICE_GTIN}", key=self.officer_key)[1]["total"], 3)
        self.assertEqual(
            self.api("GET", "/trace/events?lot=R9&gtin=" + RICE_GTIN, key=self.api_key(self.worker_a))[0], 403
        )
        self.assertEqual(self.api("GET", f"/trace/events?lot=NOPE&gtin={RICE_GTIN}", key=self.mill_key)[0], 404)
        self.assertEqual(self.api("GET", "/trace/events?lot=R9&gtin=123", key=self.mill_key)[0], 400)

    # ------------------------------------------------------------------
    # Description
    # ------------------------------------------------------------------
    def test_openapi_document(self):
        status, document = self.api("GET", "/openapi.json")
        self.assertEqual(status, 200)
        from openapi_spec_validator import validate  # noqa: PLC0415 - a test dependency only

        validate(document)
        operation = document["paths"]["/trace/events"]["post"]
        self.assertIn("unknown_lot", operation["description"])
        self.assertIn("EpcisDocument", document["components"]["schemas"])
        self.assertIn("get", document["paths"]["/trace/events"])
