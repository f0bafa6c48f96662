from . import city_elderly_subsidy_report
