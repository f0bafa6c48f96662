from . import (
    res_partner,
    city_trace_location,
    city_trace_product,
    city_trace_lot,
    city_trace_serial,
    city_trace_logistic_unit,
    city_trace_chain,
    city_trace_event,
    city_trace_event_line,
    city_trace_edge,
)
