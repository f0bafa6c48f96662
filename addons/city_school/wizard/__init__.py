from . import city_school_allocate
