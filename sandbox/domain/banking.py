"""[B] (profile 2026-10) banking helpers under /v1/payment: the payout bank list, whether a phone
belongs to a customer, and the master cNGN deposit wallet (payluk-api.md §5.5, known from the
later docs only: their paths and purpose, no answer shapes -- the shapes here are the sandbox's).
"""

import hashlib
from urllib.parse import quote

from sandbox.domain import customers, errors
from sandbox.domain.errors import BadRequest

# Payout banks, by name. Payluk calls its codes opaque and provider-specific; the sandbox uses the
# CBN's 3-digit codes for deposit money banks and the NIBSS NIP 6-digit institution codes for the
# microfinance banks and wallets (Safe Haven's 090286 is the [A] virtual account's bankCode).
BANKS = (
    ("Access Bank", "044"),
    ("Citibank Nigeria", "023"),
    ("Ecobank Nigeria", "050"),
    ("Fidelity Bank", "070"),
    ("First Bank of Nigeria", "011"),
    ("First City Monument Bank", "214"),
    ("Guaranty Trust Bank", "058"),
    ("Jaiz Bank", "301"),
    ("Keystone Bank", "082"),
    ("Kuda Microfinance Bank", "090267"),
    ("Moniepoint Microfinance Bank", "090405"),
    ("OPay", "100004"),
    ("PalmPay", "100033"),
    ("Polaris Bank", "076"),
    ("Providus Bank", "101"),
    ("Safe Haven Microfinance Bank", "090286"),
    ("Stanbic IBTC Bank", "221"),
    ("Standard Chartered Bank", "068"),
    ("Sterling Bank", "232"),
    ("SunTrust Bank", "100"),
    ("Titan Trust Bank", "102"),
    ("Union Bank of Nigeria", "032"),
    ("United Bank For Africa", "033"),
    ("Unity Bank", "215"),
    ("Wema Bank", "035"),
    ("Zenith Bank", "057"),
)

# The cNGN rail (payluk-api.md §7): BEP-20 on BSC; staging is BSC testnet (chain 97).
NETWORK = "BSC"
CHAIN_ID = 97
CURRENCY = "cNGN"
EXPLORER = "https://testnet.bscscan.com/address/"


def list_banks(ns, customer_id) -> list[dict]:
    """The payout banks (the same for every merchant), for the `customer-id` named (§1: every
    /v1/payment route takes one)."""
    customers.require_customer(ns, customer_id)
    return [{"name": name, "code": code} for name, code in BANKS]


def verify_phone(ns, customer_id, phone: str) -> dict:
    """Whether `phone` belongs to a customer of this merchant, matched as `GET /v1/customers?phone=`
    does (with or without +234 / the trunk 0). A phone of 7 to 15 digits (an optional `+`), else
    400; no match is an answer (`exists: false`), not an error."""
    customers.require_customer(ns, customer_id)
    digits = phone[1:] if phone.startswith("+") else phone
    if not (digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 15):
        raise BadRequest(errors.PHONE_INVALID)
    found = customers.find_by_phone(ns, phone)
    return {
        "phone": phone,
        "exists": found is not None,
        "customer_id": found["id"] if found else None,
        "name": f"{found['firstname']} {found['lastname']}" if found else None,
    }


def deposit_address(namespace_name: str) -> str:
    """The namespace's master deposit address: fixed by its name (the same across resets and
    restarts), 0x + 40 lower-case hex (not EIP-55 checksummed: that needs Keccak)."""
    return "0x" + hashlib.sha256(f"payluk-sandbox cNGN deposit wallet {namespace_name}".encode()).hexdigest()[:40]


def _qr_placeholder(address: str) -> str:
    """A data URL of an SVG card that names the address: a placeholder for Payluk's QR code (no QR
    library is a dependency and nothing is fetched at run time; it does not scan)."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
           '<rect width="240" height="240" fill="#fff" stroke="#000" stroke-width="4"/>'
           '<text x="120" y="100" font-family="monospace" font-size="14" text-anchor="middle">'
           f'{CURRENCY} on {NETWORK} testnet</text>'
           '<text x="120" y="130" font-family="monospace" font-size="11" text-anchor="middle">'
           f'{address[:22]}</text>'
           '<text x="120" y="148" font-family="monospace" font-size="11" text-anchor="middle">'
           f'{address[22:]}</text>'
           '<text x="120" y="190" font-family="monospace" font-size="10" text-anchor="middle">'
           'sandbox placeholder, not a QR code</text></svg>')
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe="")


def deposit_wallet(ns, customer_id, namespace_name: str) -> dict:
    """[B] `GET /v1/payment/deposit/wallet`: the master cNGN deposit address (BEP-20 on BSC) with
    a QR code and an explorer link. Not emulated: deposits to it (nothing watches a chain)."""
    customers.require_customer(ns, customer_id)
    address = deposit_address(namespace_name)
    return {"address": address, "network": NETWORK, "chain_id": CHAIN_ID, "currency": CURRENCY,
            "qr_code": _qr_placeholder(address), "explorer_url": EXPLORER + address}
