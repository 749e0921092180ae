"""Exact money: amounts are held as integer kobo; the Payluk fee rule lives here only.

Payluk's API speaks naira (major units). [A] accepts whole naira only, and its fee
examples are all exact at 2.5 % (3 750 on 150 000, 25 000 on 1 000 000 ...). Internally
every amount is an `int` number of kobo so no float ever touches a balance.
"""

from decimal import Decimal

KOBO_PER_NAIRA = 100
# docs.payluk.ng/concepts/fees-and-settlement: the Payluk fee is 2.5 % of `amount`.
FEE_NUMERATOR = 25
FEE_DENOMINATOR = 1000


def naira_to_kobo(naira: int) -> int:
    """Whole naira from the wire to kobo."""
    return int(naira) * KOBO_PER_NAIRA


def kobo_to_wire(kobo: int) -> int | Decimal:
    """Kobo to the wire: a JSON integer when whole (`25000`, never `25000.0`), else exact 2 dp."""
    if kobo % KOBO_PER_NAIRA == 0:
        return kobo // KOBO_PER_NAIRA
    return Decimal(kobo).scaleb(-2)


def fee_for(amount_kobo: int) -> int:
    """2.5 % of the amount in kobo, half a kobo rounded up (Payluk documents no rounding)."""
    return (amount_kobo * FEE_NUMERATOR * 2 + FEE_DENOMINATOR) // (FEE_DENOMINATOR * 2)


def fee_shares(fee_kobo: int, who_pays: str) -> tuple[int, int]:
    """Split the fee into (buyer share, seller share) by `whoPays`.

    `buyer` pays it all on top, `seller` has it deducted from the payout, `both` halves it;
    an odd kobo on `both` goes to the buyer (sandbox choice, undocumented).
    """
    if who_pays == "buyer":
        return fee_kobo, 0
    if who_pays == "seller":
        return 0, fee_kobo
    seller = fee_kobo // 2
    return fee_kobo - seller, seller


def is_positive_int(value) -> bool:
    """A JSON whole number above zero (booleans are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
