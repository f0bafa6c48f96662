from . import (
    test_alarm,
    test_api,
    test_deadline,
    test_dispatch,
    test_escalation,
    test_merge,
    test_notice,
    test_portal,
    test_scorecard,
    test_security,
    test_workflow,
)
