"""OCDS 1.1 helpers: RFC 3339 dates and the merge of releases into a compiled release."""


def ocds_date(moment):
    """A naive UTC datetime as an OCDS date-time (RFC 3339, UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def ocds_merge(target, release):
    """Merge ``release`` into ``target`` (a new dict) following the OCDS merge routine.

    Objects are merged key by key; arrays of objects that all carry an ``id`` are merged by id;
    any other value (arrays of strings included) replaces the previous one.
    """
    result = dict(target)
    for key, value in release.items():
        previous = result.get(key)
        if isinstance(value, dict) and isinstance(previous, dict):
            result[key] = ocds_merge(previous, value)
        elif (
            isinstance(value, list)
            and isinstance(previous, list)
            and value
            and all(isinstance(item, dict) and "id" in item for item in value + previous)
        ):
            merged = {item["id"]: item for item in previous}
            order = [item["id"] for item in previous]
            for item in value:
                if item["id"] in merged:
                    merged[item["id"]] = ocds_merge(merged[item["id"]], item)
                else:
                    merged[item["id"]] = item
                    order.append(item["id"])
            result[key] = [merged[item_id] for item_id in order]
        else:
            result[key] = value
    return result
