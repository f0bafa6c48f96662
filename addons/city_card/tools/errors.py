from odoo.exceptions import UserError


class CardError(UserError):
    """A refused card operation with a stable error code for the API.

    ``code`` is one of: amount_invalid, balance_limit, card_not_active, card_expired,
    function_disabled, merchant_inactive, insufficient_funds, hold_not_pending, hold_expired,
    capture_exceeds, refund_exceeds, not_refundable, idempotency_conflict, state.
    """

    def __init__(self, message, code="state", status=422):
        super().__init__(message)
        self.code = code
        self.status = status
