"""Money invariants of a namespace: checked after every test and served at /_sandbox/invariants."""

from collections import defaultdict

from sandbox.domain import ledger
from sandbox.domain.lifecycle import OPENED, RELEASED, STAKED, VAULT
from sandbox.domain.money import fee_shares


def check(ns) -> list[str]:
    """Every violated invariant, as a sentence; an empty list means the books balance."""
    violations = []
    postings = ns.postings()
    balances = {k: v for k, v in ns.balances().items() if v}
    for posting in postings:
        if sum(amount for _, amount in posting["entries"]) != 0:
            violations.append(f"posting {posting['id']} ({posting['kind']}) does not sum to zero")
    if ledger.fold(postings) != balances:
        violations.append("running balances differ from the balances folded from the postings")
    if sum(balances.values()) != 0:
        violations.append(f"balances sum to {sum(balances.values())} kobo, not zero")
    for account, amount in balances.items():
        if (account.startswith("customer:") or account == ledger.MERCHANT) and amount < 0:
            violations.append(f"{account} is negative ({amount} kobo)")

    held_by_buyer = defaultdict(int)
    for escrow in ns.all("escrows"):
        if escrow["state"] != OPENED:
            if escrow["held"]:
                violations.append(f"escrow {escrow['id']} is {escrow['state']} but holds {escrow['held']}")
            continue
        if escrow.get("settlement_type") == VAULT:
            # A vault has no buyer: each participant's stake sits in their own escrow balance.
            staked = [p for p in escrow["participants"] if p["status"] == STAKED]
            for participant in staked:
                held_by_buyer[participant["customer_id"]] += participant["amount"]
            if escrow["held"] != sum(p["amount"] for p in staked):
                violations.append(f"vault {escrow['id']} holds {escrow['held']}, its stakes say otherwise")
            continue
        held_by_buyer[escrow["buyer_id"]] += escrow["held"]
        if escrow["milestones"]:
            unreleased = sum(m["amount"] for m in escrow["milestones"] if m["status"] != RELEASED)
            buyer_share, _ = fee_shares(escrow["fee"], escrow["who_pays"])
            if escrow["held"] != unreleased + buyer_share + escrow["additional_fee"]:
                violations.append(f"escrow {escrow['id']} holds {escrow['held']}, milestones say otherwise")
    escrow_accounts = {k: v for k, v in balances.items() if k.endswith(":escrow")}
    expected = {ledger.escrow_account(b): v for b, v in held_by_buyer.items() if v}
    if escrow_accounts != expected:
        violations.append(f"escrow balances {escrow_accounts} differ from funds held {expected}")
    return violations
