from . import city_trace_import, city_trace_label, city_trace_export, city_trace_credit
