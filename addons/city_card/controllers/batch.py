"""Offline batch upload of card terminals: ``POST /api/city/v1/card/terminal-batches``.

A terminal authenticates with its own key like every terminal call (see ``api.py``) and uploads
the taps it recorded offline: ``{batch_id, records: [{serial, card, amount, tapped_at, counter,
mac}]}``, at most ``city_card.batch_max_records`` records (1000 by default; 413 beyond). The whole
batch is processed in the request's one transaction (``city.card.terminal.batch._ingest``): a
batch cut short (crash, timeout, connection lost before the commit) leaves nothing behind and is
simply uploaded again. A terminal of a suspended merchant may still upload: its records go to
the exception queue (``merchant_inactive``), since the taps did happen.
"""

from odoo import http
from odoo.http import request

from odoo.addons.city_base.controllers.api import API_PREFIX

from .api import ROUTE, CardTerminalApi


class CardBatchApi(CardTerminalApi):
    @http.route(f"{API_PREFIX}/card/terminal-batches", methods=["POST"], **ROUTE)
    def card_terminal_batches(self):
        def handler():
            terminal, _info = self._card_terminal()
            payload = self._api_body()
            answer, replayed = request.env["city.card.terminal.batch"]._ingest(
                terminal, payload.get("batch_id"), payload.get("records")
            )
            return {"data": dict(answer, replayed=replayed)}

        return self._card_call(handler)
