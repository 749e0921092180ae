"""Ledger postings, the memory store behind them and the invariants over both."""

import pytest

from sandbox.domain import customers, invariants, ledger
from sandbox.store.base import new_state
from sandbox.store.memory import MemoryNamespace


def test_make_posting__balanced_and_integer():
    posting = ledger.make_posting("p1", 7, "funding", [("external:x", -500), ("customer:a:main", 500), ("z", 0)],
                                  escrow_id=None, reference="r")
    assert posting == {"id": "p1", "at_ms": 7, "kind": "funding", "reference": "r",
                       "entries": [["external:x", -500], ["customer:a:main", 500]]}


@pytest.mark.parametrize("entries", [[("a", -5), ("b", 4)], [("a", -5.0), ("b", 5.0)], [("a", True), ("b", -1)]])
def test_make_posting__rejects_bad_entries(entries):
    with pytest.raises(ValueError):
        ledger.make_posting("p", 0, "k", entries)


def test_fold_matches_running_balances():
    ns = MemoryNamespace(new_state(1, 0))
    customers.fund_customer(ns, "a" * 24, 1000, "fixtures")
    customers.fund_customer(ns, "b" * 24, 250, "fixtures")
    assert ledger.fold(ns.postings()) == {k: v for k, v in ns.balances().items() if v}
    assert ns.balance(ledger.external_account("fixtures")) == -1250
    assert invariants.check(ns) == []


def test_invariants_catch_a_tampered_balance():
    ns = MemoryNamespace(new_state(1, 0))
    customers.fund_customer(ns, "a" * 24, 1000, "fixtures")
    ns.state["ledger"]["balances"][ledger.main_account("a" * 24)] += 1
    problems = invariants.check(ns)
    assert any("folded" in p for p in problems) and any("sum to" in p for p in problems)


def test_invariants_catch_escrow_money_not_held():
    ns = MemoryNamespace(new_state(1, 0))
    ns.save("escrows", {"id": "e", "state": "OPENED", "held": 100, "buyer_id": "b" * 24, "milestones": [],
                        "fee": 0, "who_pays": "buyer", "additional_fee": 0})
    assert any("escrow balances" in p for p in invariants.check(ns))
