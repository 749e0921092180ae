"""Exact money: amounts are held as integer kobo; the Payluk fee rules live here only.

Payluk's API speaks naira (major units). [A] accepts whole naira only, and its fee
examples are all exact at 2.5 % (3 750 on 150 000, 25 000 on 1 000 000 ...). [B] (changelog
of 2 Oct 2026) charges merchant escrows Payluk's 2 % plus the merchant's own commission.
Internally every amount is an `int` number of kobo and every rate an `int` number of basis
points (1.5 % = 150), so no float ever touches a balance.
"""

import re
from decimal import Decimal, InvalidOperation

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


# [B] docs.payluk.ng/concepts/fees-and-settlement: Payluk's part of a merchant escrow's fee.
LATER_FEE_BP = 200
BP_PER_PERCENT = 100
BP_DENOMINATOR = 10_000


def rate_of(amount_kobo: int, rate_bp: int) -> int:
    """`rate_bp` basis points of an amount in kobo, half a kobo rounded up (as `fee_for`)."""
    return (amount_kobo * rate_bp * 2 + BP_DENOMINATOR) // (BP_DENOMINATOR * 2)


def later_fee(amount_kobo: int, commission_bp: int) -> tuple[int, int]:
    """[B]: the fee's two parts, (Payluk's 2 %, the merchant's commission), each rounded alone;
    the escrow's `fee` is their sum."""
    return rate_of(amount_kobo, LATER_FEE_BP), rate_of(amount_kobo, commission_bp)


# A number as text: ASCII digits, an optional sign and decimal part (no exponent, no spaces
# inside, no other scripts' digits, which Decimal would take).
NUMBER_TEXT = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?").fullmatch


def exact_hundredths(value) -> int | None:
    """A number (or its text, as multipart sends it) with at most 2 decimals, times 100 as an
    `int` (naira -> kobo, percent -> basis points); None when it is no such number. Floats are
    read through their shortest text (`Decimal(str(1.1))` is exactly 1.1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    if isinstance(value, str) and not NUMBER_TEXT(value.strip()):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    scaled = number * 100
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def percent_to_wire(rate_bp: int) -> int | Decimal:
    """Basis points to a percent on the wire (150 -> 1.5, 200 -> 2)."""
    return kobo_to_wire(rate_bp)


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
