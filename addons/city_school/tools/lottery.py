"""The enrolment assignment and lottery, as a pure function anyone can re-run.

This file has no dependency on Odoo: copy it and run ``python3 lottery.py published.json`` on the
JSON file published for a campaign (``/school/enrolment/<campaign>/lottery.json``). It recomputes the
result from the published seed and application list and compares it with the published result.

The algorithm (version 1):

1. The participants are the approved applications at the draw, each with its number, its school,
   its priority category (1 household and property in the same school district 户房一致,
   2 household and property in different districts 户房分离, 3 property without household
   有房无户, 4 policy cases 政策性照顾) and its priority date (the household registration date for
   categories 1 and 2, the property registration date for 3, the application date for 4).
2. Each application's lottery key is ``SHA-256(seed + ":" + number)`` in lower-case hexadecimal.
3. Per school, the categories are served in order 1, 2, 3, 4 while seats remain. A category that
   fits in the remaining seats is placed whole. In the first category that does not fit, the
   applications are ordered by the campaign's rule: ``date_then_lottery`` (earlier priority date
   first, the lottery key deciding between equal dates) or ``lottery`` (by lottery key only), and
   the first ones take the remaining seats. Everybody else is waitlisted.
4. Applications are numbered 1, 2, ... per school in the order above (the rank).
"""

import hashlib
import json
import sys

ALGORITHM_VERSION = 1
ORDER_RULES = ("date_then_lottery", "lottery")


def lottery_key(seed, number):
    """The lottery key of an application: SHA-256 of ``seed:number`` (hex)."""
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def assign(seed, seats, applications, order_rule="date_then_lottery"):
    """Assign ``applications`` to the ``seats`` of each school.

    :param seed: the published seed (text)
    :param seats: {school: number of seats left}
    :param applications: iterable of dicts with ``number``, ``school``, ``category`` (1-4) and
        ``priority_date`` (ISO text)
    :return: {number: {"key", "rank", "placed", "lottery"}} where ``lottery`` tells whether the
        application was in a category decided by the lottery
    """
    if order_rule not in ORDER_RULES:
        raise ValueError(f"unknown order rule {order_rule}")
    by_school = {}
    for app in applications:
        by_school.setdefault(app["school"], {}).setdefault(int(app["category"]), []).append(app)
    result = {}
    for school, categories in by_school.items():
        left = max(int(seats.get(school, 0)), 0)
        rank = 0
        for category in sorted(categories):
            apps = categories[category]
            keyed = [(app, lottery_key(seed, app["number"])) for app in apps]
            drawn = len(apps) > left > 0
            if order_rule == "lottery" and drawn:
                keyed.sort(key=lambda item: (item[1], item[0]["number"]))
            else:
                keyed.sort(key=lambda item: (item[0]["priority_date"] or "", item[1], item[0]["number"]))
            for app, key in keyed:
                rank += 1
                placed = left > 0
                if placed:
                    left -= 1
                result[app["number"]] = {"key": key, "rank": rank, "placed": placed, "lottery": drawn}
    return result


def verify(published):
    """Recompute a published draw; return the list of application numbers whose result differs."""
    computed = assign(
        published["seed"], published["seats"], published["applications"], published.get("order_rule", ORDER_RULES[0])
    )
    wrong = []
    for app in published["applications"]:
        mine = computed[app["number"]]
        if (mine["placed"], mine["rank"], mine["key"]) != (app["placed"], app["rank"], app["key"]):
            wrong.append(app["number"])
    return wrong


def input_digest(seed_free_applications, seats, order_rule):
    """SHA-256 of the participants and seats, published with the seed before the draw."""
    payload = {
        "applications": sorted(
            ({k: app[k] for k in ("number", "school", "category", "priority_date")} for app in seed_free_applications),
            key=lambda a: a["number"],
        ),
        "seats": seats,
        "order_rule": order_rule,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: python3 lottery.py published.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    digest = input_digest(published["applications"], published["seats"], published.get("order_rule", ORDER_RULES[0]))
    if published.get("input_digest") and digest != published["input_digest"]:
        sys.stdout.write("the application list differs from the one published with the seed\n")
        return 1
    wrong = verify(published)
    if wrong:
        sys.stdout.write(f"{len(wrong)} results differ, e.g. {', '.join(wrong[:10])}\n")
        return 1
    sys.stdout.write(f"OK: {len(published['applications'])} results reproduced from seed {published['seed']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
