"""The merchant's own side ([B], profile 2026-10): its commission on escrow fees and its wallet.

docs.payluk.ng (changelog 2 Oct 2026): a merchant escrow's fee is Payluk's 2 % plus the
merchant's own commission, a dashboard setting; on completion the merchant wallet
(`GET /v1/merchant/balance`) receives a `commission` transaction and, for an additional fee, a
`delivery` one (`GET /v1/merchant/transactions`). The sandbox reads the commission from the
fixture file's `merchant.commission` (percent, default 0) unless the namespace chose its own
(`PUT /_sandbox/merchant`, kept by a reset like the other settings). Money only reaches the
wallet through ledger postings (sandbox/domain/escrows.py `book_fee`); this module reads them.
"""

from sandbox.domain import ledger
from sandbox.domain.customers import require_super_admin
from sandbox.domain.listings import history_matching

# The namespace's own commission (basis points), a setting beside its entities.
SETTING = "commission"
FROM_NAMESPACE, FROM_FIXTURE = "namespace", "fixture"
# Sandbox limit: at most 50 %, so a fee (2 % + commission) never exceeds the escrow amount.
MAX_COMMISSION_BP = 5_000

# [B] transactionType values of the merchant's transactions (lower case, as [B] prints them).
TRANSACTION_TYPES = ("deposit", "withdrawal", "transfer", "wallet_transfer", "escrow", "commission", "delivery")
# Ledger kinds -> transactionType; any other posting reaching the wallet pays out an escrow the
# merchant sold as its own business account (`escrow`).
TYPE_OF_KIND = {"commission": "commission", "delivery": "delivery"}
# References of the postings that credit the wallet with fees.
REFERENCE_PREFIX = {"commission": "COM_REF_", "delivery": "DLV_REF_"}


def commission_bp(ns) -> int:
    """The merchant's commission in basis points (1.5 % = 150): the namespace's choice, else the
    fixture file's, else 0."""
    chosen = ns.settings(SETTING)
    if chosen is not None:
        return chosen["bp"]
    return (ns.get_merchant() or {}).get("commission_bp", 0)


def describe(ns) -> dict:
    """The commission and where it comes from, as the control shows it."""
    return {"commission_bp": commission_bp(ns),
            "source": FROM_NAMESPACE if ns.settings(SETTING) is not None else FROM_FIXTURE}


def choose_commission(ns, rate_bp: int | None) -> dict:
    """The namespace's own commission (None: back to the fixture file's). Escrows already made
    keep the fee they were made with; new ones (and edits of those made under it) use it."""
    ns.save_settings(SETTING, None if rate_bp is None else {"bp": rate_bp})
    return describe(ns)


def _postings(ns) -> list[tuple[dict, int]]:
    """Every posting that moved the merchant wallet, with the wallet's side of it (oldest first)."""
    moved = []
    for posting in ns.postings():
        amount = sum(a for account, a in posting["entries"] if account == ledger.MERCHANT)
        if amount:
            moved.append((posting, amount))
    return moved


def get_balance(ns) -> dict:
    """The merchant wallet: `mainBalance` from the ledger; `escrowBalance` is always 0 (the
    merchant never pays into an escrow: buyers are customers). Its `id` is the merchant's; it
    was created with the namespace (its first posting) and updated by its last movement."""
    require_super_admin(ns)
    merchant = ns.get_merchant()
    postings = ns.postings()
    created = postings[0]["at_ms"] if postings else ns.now_ms()
    moved = _postings(ns)
    return {"id": merchant["id"], "main": ns.balance(ledger.MERCHANT), "escrow": 0,
            "created_at_ms": created, "updated_at_ms": moved[-1][0]["at_ms"] if moved else created}


def transaction(posting: dict, amount: int, escrow: dict | None) -> dict:
    """A posting that moved the merchant wallet by `amount`, as [B]'s transaction object (and
    the `data` of its `payment.<type>.success` webhook)."""
    escrow_id = posting.get("escrow_id")
    details = None if escrow_id is None else {
        "escrow_id": escrow_id, "payment_token": escrow["payment_token"] if escrow else None}
    return {
        "id": posting["id"],
        "amount": abs(amount),
        "reference": posting.get("reference") or posting["id"],
        "fee": 0,
        "transaction_type": TYPE_OF_KIND.get(posting["kind"], "escrow"),
        "currency": "NGN",
        "status": "success",
        "credit_type": "credit" if amount > 0 else "debit",
        "escrow_details": details,
        "created_at_ms": posting["at_ms"],
        "updated_at_ms": posting["at_ms"],
    }


def list_transactions(ns, kind=None, reference=None, from_ms=None, to_ms=None) -> list[dict]:
    """The merchant wallet's movements, newest first, filtered by `type`, `reference` and an
    inclusive time window."""
    require_super_admin(ns)
    escrows: dict = {}
    records = []
    for posting, amount in _postings(ns):
        escrow_id = posting.get("escrow_id")
        if escrow_id is not None and escrow_id not in escrows:
            escrows[escrow_id] = ns.get("escrows", escrow_id)
        records.append(transaction(posting, amount, escrows.get(escrow_id)))
    records = history_matching(records, kind, reference, from_ms, to_ms)
    records.reverse()
    return records
