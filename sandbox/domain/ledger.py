"""Double-entry ledger: every money movement is one balanced posting; balances are derived.

Accounts (all in kobo, positive = money the holder has):
  customer:<id>:main     spendable balance (`mainBalance`)
  customer:<id>:escrow   money this customer paid into escrows still holding it (`escrowBalance`)
  payluk:fees            Payluk's fee (2.5 % [A]; 2 % [B]), earned when an escrow completes
  merchant:main          [B] the merchant's own wallet (`/v1/merchant/balance`): its commission,
                         additional (delivery) fees, escrows it sells as its business account
  external:<source>      the world outside (card gateways, fixture seeding); goes negative
The entries of a posting sum to zero, so the sum of all balances is always zero.
"""

from collections import defaultdict

FEES = "payluk:fees"
MERCHANT = "merchant:main"


def main_account(customer_id: str) -> str:
    """The customer's spendable account."""
    return f"customer:{customer_id}:main"


def payee_account(ns, party_id: str) -> str:
    """Where money paid out to a party lands: the merchant's wallet when the party is the
    merchant's own business account ([B]: escrows it sells without `customer-id`), else the
    customer's main balance."""
    merchant = ns.get_merchant()
    return MERCHANT if merchant is not None and party_id == merchant["id"] else main_account(party_id)


def escrow_account(customer_id: str) -> str:
    """Funds this customer (as buyer) has locked in open escrows."""
    return f"customer:{customer_id}:escrow"


def external_account(source: str) -> str:
    """Money entering from outside the namespace (a gateway, the fixtures)."""
    return f"external:{source.lower()}"


def make_posting(posting_id: str, at_ms: int, kind: str, entries: list, **refs) -> dict:
    """A posting after checking it: integer amounts, non-zero, summing to zero."""
    clean = []
    for account, amount in entries:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ValueError(f"ledger amount must be integer kobo: {amount!r}")
        if amount:
            clean.append([account, amount])
    if sum(amount for _, amount in clean) != 0:
        raise ValueError(f"unbalanced posting {kind}: {clean}")
    posting = {"id": posting_id, "at_ms": at_ms, "kind": kind, "entries": clean}
    posting.update({k: v for k, v in refs.items() if v is not None})
    return posting


def post(ns, kind: str, entries: list, **refs) -> dict:
    """Append one checked posting to the namespace's ledger (the only way money moves); answers it."""
    posting = make_posting(ns.new_id(), ns.now_ms(), kind, entries, **refs)
    ns.append_posting(posting)
    return posting


def fold(postings) -> dict:
    """Balances recomputed from scratch (used to check the running balances)."""
    balances = defaultdict(int)
    for posting in postings:
        for account, amount in posting["entries"]:
            balances[account] += amount
    return {account: amount for account, amount in balances.items() if amount}
