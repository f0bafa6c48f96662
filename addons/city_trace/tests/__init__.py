from . import (
    test_api,
    test_events,
    test_export,
    test_graph_view,
    test_gs1,
    test_import,
    test_labels,
    test_models,
    test_portal,
    test_recall,
    test_scan,
    test_security,
)
