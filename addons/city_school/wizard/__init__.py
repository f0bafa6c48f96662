from . import city_school_allocate
from . import city_school_indicator_report
from . import city_school_indicator_report_line
from . import city_school_resource_review_wizard
