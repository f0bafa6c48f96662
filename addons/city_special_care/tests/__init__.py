from . import (
    test_alarm,
    test_api,
    test_assessment,
    test_portal,
    test_recipient,
    test_security,
    test_views,
    test_visit,
)
