"""Which purses pay, in which order: the one spending rule of the ledger.

Used by the engine (``city.card.operation._allocate``), the offline batch and the terminal
API's direct payment path, so that all three spend a card the same way.
"""


def spending_order(purses, accepts_subsidy, today):
    """Account ids in spending order.

    :param purses: iterable of ``(account_id, kind, expires_on, balance)`` of one card
    :param accepts_subsidy: whether the merchant takes subsidy purses
    :param today: the business date; a subsidy is spendable through its expiry date
    Unexpired subsidy purses come first, earliest expiry first (where the merchant accepts
    subsidies), then the cash purse.
    """
    subsidies = sorted(
        (expires_on, account_id)
        for account_id, kind, expires_on, _balance in purses
        if kind == "purse_subsidy" and accepts_subsidy and expires_on and expires_on >= today
    )
    cash = sorted(account_id for account_id, kind, _expires_on, _balance in purses if kind == "purse_cash")
    return [account_id for _expires_on, account_id in subsidies] + cash


def allocate(order, balances, amount):
    """Split ``amount`` over the accounts of ``order`` given ``balances`` (``{account_id: fen}``).

    Returns ``(allocation, rest)``: ``[(account_id, part), ...]`` and the fen left uncovered
    (0 when the purses suffice). ``balances`` is not changed.
    """
    allocation, rest = [], amount
    for account_id in order:
        part = min(balances.get(account_id, 0), rest)
        if part > 0:
            allocation.append((account_id, part))
            rest -= part
        if not rest:
            break
    return allocation, rest
