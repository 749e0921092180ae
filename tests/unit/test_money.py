"""Fees and money rendering (docs.payluk.ng/concepts/fees-and-settlement numbers)."""

from decimal import Decimal

import pytest

from sandbox.domain.money import fee_for, fee_shares, is_positive_int, kobo_to_wire, naira_to_kobo


@pytest.mark.parametrize("amount, fee", [(150000, 3750), (160000, 4000), (200000, 5000), (1000000, 25000),
                                         (1200000, 30000)])
def test_fee_for__documented_examples(amount, fee):
    assert fee_for(naira_to_kobo(amount)) == naira_to_kobo(fee)


@pytest.mark.parametrize("amount_kobo, fee_kobo", [(100100, 2503), (100, 3), (20, 1), (19, 0), (1, 0)])
def test_fee_for__half_a_kobo_rounds_up(amount_kobo, fee_kobo):
    assert fee_for(amount_kobo) == fee_kobo


@pytest.mark.parametrize("who_pays, shares", [("buyer", (2500000, 0)), ("seller", (0, 2500000)),
                                              ("both", (1250000, 1250000))])
def test_fee_shares(who_pays, shares):
    assert fee_shares(2500000, who_pays) == shares


def test_fee_shares__odd_kobo_goes_to_the_buyer():
    assert fee_shares(2503, "both") == (1252, 1251)


def test_buyer_charge_docs_example():
    buyer_share, _ = fee_shares(fee_for(naira_to_kobo(1000000)), "both")
    assert kobo_to_wire(naira_to_kobo(1000000) + buyer_share) == 1012500


def test_kobo_to_wire():
    assert kobo_to_wire(2500000) == 25000 and isinstance(kobo_to_wire(2500000), int)
    assert kobo_to_wire(2503) == Decimal("25.03")
    assert kobo_to_wire(-150) == Decimal("-1.50")


@pytest.mark.parametrize("value, ok", [(1, True), (10**12, True), (0, False), (-1, False), (1.0, False),
                                       (True, False), ("5", False), (None, False)])
def test_is_positive_int(value, ok):
    assert is_positive_int(value) is ok
