from . import (
    city_request_dispatch_wizard,
    city_request_extension_wizard,
    city_request_merge_wizard,
    city_request_reason_wizard,
    city_request_reply_wizard,
    city_request_visit_wizard,
    city_scorecard_export_wizard,
)
