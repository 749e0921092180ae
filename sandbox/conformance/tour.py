"""The conformance tour as data: the steps, in order, that run against both hosts.

Each step is one request. Its path, `customer-id` and body are templates over the host's own
context (`{name}`: the parties given for that host, ids and tokens an earlier step got from that
host, amounts derived from that host's answers), so each host is driven with its own values.
What a step keeps (`save`) and the numeric rules it derives (`rules`) are computed from each
host's answer alike; the runner (runner.py) compares the two.

Every body is valid under both API profiles: the delivery window [B] requires on milestone and
standard escrows, due dates after today, and on pay-escrow the `amount` due ([B] checks it, [A]
ignores it), computed from the host's own escrow (amount + the buyer's share of its fee).

The whole tour moves under 100,000 NGN through the buyer's wallet (one staging top-up; against
a sandbox with controls, `milestone.fund-buyer` credits that much first), and gets most of it
back to the seller or the buyer.
"""

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Callable

READ = "read-only"  # changes nothing on the host: GETs (the documented error cases among them)
MONEY = "money-moving"  # creates escrows, moves money, or is a write the docs say is refused

GROUPS = ("reads", "milestone", "standard", "disputes", "errors")

# The most the tour takes from the buyer's wallet at once (a sandbox's buyer is funded this much
# by `milestone.fund-buyer`; a staging buyer needs it in their wallet).
BUYER_NEEDS = 100_000
# The parties when none are named: the default fixture set's seller (Ada Eze) and buyer (Tunde Bakare).
FIXTURE_SELLER = "665f1b2c9a1e4d0012ab3c30"
FIXTURE_BUYER = "665f1b2c9a1e4d0012ab3c31"
UNKNOWN_CUSTOMER = "ffffffffffffffffffffffff"
UNKNOWN_TOKEN = "PY_zzzzzzzz0000"
LIVE_KEY = "sk_live_conformance_tour"


@dataclass(frozen=True)
class Rule:
    """A number the tour derives from a host's answer (and what it kept before), e.g. fee ÷ amount.
    `derive(data, ctx)` answers a Decimal, or None when the answer does not hold it."""

    name: str
    derive: Callable


@dataclass(frozen=True)
class Step:
    id: str  # `<group>.<name>`
    title: str
    method: str
    path: str  # a template: `{name}` from the host's context
    kind: str = READ
    party: str | None = None  # the `customer-id` header: a template (`{seller}`), or None for none
    json: object = None  # a JSON body template
    form: dict | None = None  # a multipart body template (values sent as text)
    auth: str = "key"  # `key`: the host's key; `none`: no Authorization header; `live`: a live key
    controls: bool = False  # needs the sandbox controls (a host without them: skipped on both)
    after: tuple = ()  # steps that must have succeeded (2xx) on both hosts first
    save: dict = field(default_factory=dict)  # context name -> a path in the answer, or f(data, ctx)
    rules: tuple = ()  # Rules derived from a 2xx answer
    values: tuple = ()  # paths whose values are compared as they are (lifecycle states), not only their type

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


# -- what steps derive ------------------------------------------------------------------------------
def dec(value) -> Decimal:
    """A JSON number as an exact Decimal (never through a binary float's digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(str(value))


def number(value: Decimal):
    """A Decimal as a JSON number: an int when whole (25000, not 25000.0)."""
    return int(value) if value == value.to_integral_value() else float(value)


def buyer_share(escrow: dict) -> Decimal:
    """What the buyer owes of the fee by `whoPays` (both: half, the odd kobo the buyer's)."""
    fee = dec(escrow["fee"])
    if escrow["whoPays"] == "seller":
        return Decimal(0)
    if escrow["whoPays"] == "both":
        kobo = int(fee * 100)
        return Decimal(kobo - kobo // 2) / 100
    return fee


def amount_due(escrow: dict, ctx: dict | None = None):
    """The pay-escrow `amount`: amount + the buyer's fee share + any additional fee."""
    return number(dec(escrow["amount"]) + buyer_share(escrow) + dec(escrow.get("additionalFee") or 0))


def ratio(part, whole) -> Decimal | None:
    whole = dec(whole)
    return None if whole == 0 else (dec(part) / whole).quantize(Decimal("0.000001"))


def fee_ratio(data, ctx):
    return ratio(data["fee"], data["amount"])


def credited(before: str, base: str):
    """A rule: (mainBalance now − the `before` kept) ÷ the `base` kept: what a release credited."""
    return lambda data, ctx: ratio(dec(data["mainBalance"]) - dec(ctx[before]), ctx[base])


def debited(before: str, base: str):
    """A rule: (the `before` kept − mainBalance now) ÷ the `base` kept: what a payment took."""
    return lambda data, ctx: ratio(dec(ctx[before]) - dec(data["mainBalance"]), ctx[base])


def half_amount(data, ctx):
    """Half the escrow's amount: a SPLIT of a pool the buyer's fee share is not part of (whoPays buyer)."""
    return number(dec(data["amount"]) / 2)


def more_than_balance(data, ctx):
    """An escrow amount the buyer's main balance cannot pay: the balance, rounded up, + 1,000."""
    return number(dec(data["mainBalance"]).to_integral_value(ROUND_CEILING) + 1000)


FEE_RATIO = Rule("fee ÷ amount", fee_ratio)
LIFECYCLE = ("data.state", "data.status")
MAIN = "data.mainBalance"


def escrow_saves(prefix: str, milestones: int = 0) -> dict:
    """What a create (or edit) keeps of the escrow: its id, token, amount and the amount due."""
    saves = {f"{prefix}_id": "data.id", f"{prefix}_token": "data.paymentToken", f"{prefix}_amount": "data.amount",
             f"{prefix}_due": amount_due}
    for i in range(milestones):
        saves[f"{prefix}_m{i + 1}"] = f"data.milestones.{i}.id"
        saves[f"{prefix}_m{i + 1}_amount"] = f"data.milestones.{i}.amount"
    return saves


def pay_body(prefix: str, attempt: int = 1) -> dict:
    """A pay-escrow body in the later docs' spelling (which both profiles take) with the amount due
    and a reference of this run's own (a new one per attempt: the same one again is a replay)."""
    return {"gateway": "wallet", "transactionType": "escrow", "currency": "NGN", "amount": f"{{{prefix}_due}}",
            "reference": f"{{run}}_{prefix}_{attempt}", "escrowDetails": {"escrowId": f"{{{prefix}_id}}"}}


def paying(step_id: str, prefix: str, title: str, after: tuple = ()) -> Step:
    """The buyer pays the escrow the `prefix` names from their wallet."""
    return Step(step_id, title, "POST", "/v1/payment/escrow", MONEY, "{buyer}", json=pay_body(prefix), after=after,
                values=("data.status",))


def wallet(step_id: str, title: str, party: str, save: dict | None = None, rules: tuple = (),
           after: tuple = ()) -> Step:
    """A read of a party's wallet: what it keeps (a balance before a movement) or derives (after)."""
    return Step(step_id, title, "GET", "/v1/wallet", READ, party, save=save or {}, rules=rules, after=after)


def dispute_form(message: str) -> dict:
    return {"message": message}


# -- the tour -------------------------------------------------------------------------------------
MILESTONE_ESCROW = {
    # docs.payluk.ng/concepts/milestone-escrows' example at a fiftieth of its amounts (so a staging
    # top-up pays the whole tour), with the delivery window [B] requires, due dates after today.
    "amount": 20000, "purpose": "Company website build", "description": "Conformance tour", "whoPays": "buyer",
    "maxDelivery": 30, "deliveryTimeline": "days",
    "milestones": [
        {"title": "Design", "amount": 6000, "dueDate": "{due_soon}"},
        {"title": "Development", "amount": 10000, "dueDate": "{due_later}"},
        {"title": "Deployment", "amount": 4000},
    ],
}
SMALL_MILESTONE_ESCROW = {
    "amount": 10000, "purpose": "Logo", "whoPays": "buyer", "maxDelivery": 7, "deliveryTimeline": "days",
    "milestones": [{"title": "Draft", "amount": 5000}, {"title": "Final", "amount": 5000}],
}


# [B]'s edit takes the five fields create requires; [A]'s replaces those sent.
EDIT = {"amount": "12000", "purpose": "Phone", "whoPays": "both", "maxDelivery": "3", "deliveryTimeline": "days"}


def standard_escrow(amount: int, who_pays: str, max_delivery: int = 3, purpose: str = "Phone") -> dict:
    """A standard escrow as multipart fields (the documented form), text as a form sends them."""
    return {"amount": str(amount), "purpose": purpose, "description": "Conformance tour", "whoPays": who_pays,
            "maxDelivery": str(max_delivery), "deliveryTimeline": "days", "totalQuantity": "1"}


TOUR: list[Step] = [
    # -- reads: nothing changes ------------------------------------------------------------------
    Step("reads.countries", "the country list", "GET", "/v1/misc/countries"),
    Step("reads.countries-b", "the country list at [B]'s path", "GET", "/v1/countries"),
    Step("reads.categories", "the merchant's escrow categories", "GET", "/v1/escrow/category/get"),
    Step("reads.customers", "the merchant's customers, paged", "GET", "/v1/customers?page=1&limit=5"),
    Step("reads.seller", "the seller as a customer", "GET", "/v1/customer/get/{seller}"),
    wallet("reads.seller-wallet", "the seller's wallet", "{seller}"),
    wallet("reads.buyer-wallet", "the buyer's wallet", "{buyer}"),
    Step("reads.sales", "the seller's sales", "GET", "/v1/escrow/transactions?type=sales&limit=5", party="{seller}"),
    Step("reads.purchases", "the buyer's purchases", "GET", "/v1/escrow/transactions?type=buy&limit=5",
         party="{buyer}"),
    Step("reads.feeds", "every escrow of the merchant", "GET", "/v1/escrow/feeds?limit=5"),
    Step("reads.all-disputes", "every disputed escrow of the merchant", "GET", "/v1/escrow/all-dispute?limit=5"),
    Step("reads.my-disputes", "the buyer's disputes", "GET", "/v1/escrow/dispute/get?limit=5", party="{buyer}"),
    Step("reads.history", "the buyer's payment history", "GET", "/v1/payment/history?limit=5", party="{buyer}"),
    Step("reads.bank-list", "the banks payouts can go to", "GET", "/v1/payment/bank-list", party="{buyer}"),
    Step("reads.merchant-balance", "the merchant's own wallet", "GET", "/v1/merchant/balance"),

    # -- the milestone flow: create, fund, release each milestone, closed --------------------------
    Step("milestone.fund-buyer", "fund the buyer for the tour (sandbox control)", "POST",
         "/_sandbox/helpers/fund-customer", MONEY, json={"customerId": "{buyer}", "amount": BUYER_NEEDS},
         controls=True),
    Step("milestone.create", "the seller creates a milestone escrow", "POST", "/v1/escrow/milestone/create", MONEY,
         "{seller}", json=MILESTONE_ESCROW, save=escrow_saves("m", milestones=3), rules=(FEE_RATIO,), values=LIFECYCLE),
    Step("milestone.list", "its milestones", "GET", "/v1/escrow/milestone/{m_token}", values=("data.0.status",)),
    Step("milestone.verify", "the buyer verifies its payment token", "GET", "/v1/escrow/verify/{m_token}",
         party="{buyer}", values=LIFECYCLE),
    wallet("milestone.buyer-before", "the buyer's wallet before paying", "{buyer}", save={"m_buyer_main": MAIN},
           after=("milestone.create",)),
    paying("milestone.pay", "m", "the buyer pays it in full from their wallet"),
    wallet("milestone.buyer-paid", "the buyer's wallet after paying", "{buyer}",
           rules=(Rule("payment debits ÷ escrow amount", debited("m_buyer_main", "m_amount")),),
           after=("milestone.buyer-before", "milestone.pay")),
    wallet("milestone.seller-before", "the seller's wallet before the first release", "{seller}",
           save={"m_seller_main": MAIN}, after=("milestone.pay",)),
    Step("milestone.confirm-1", "the buyer releases the first milestone", "POST",
         "/v1/escrow/milestone/confirm/{m_id}/{m_m1}", MONEY, "{buyer}", after=("milestone.pay",), values=LIFECYCLE),
    wallet("milestone.seller-credited", "the seller's wallet after the first release", "{seller}",
           rules=(Rule("release credits ÷ milestone amount", credited("m_seller_main", "m_m1_amount")),),
           after=("milestone.seller-before", "milestone.confirm-1")),
    Step("milestone.confirm-2", "the buyer releases the second milestone", "POST",
         "/v1/escrow/milestone/confirm/{m_id}/{m_m2}", MONEY, "{buyer}", after=("milestone.confirm-1",),
         values=LIFECYCLE),
    Step("milestone.confirm-3", "the buyer releases the last milestone: the escrow closes", "POST",
         "/v1/escrow/milestone/confirm/{m_id}/{m_m3}", MONEY, "{buyer}", after=("milestone.confirm-2",),
         values=LIFECYCLE),
    Step("milestone.confirm-again", "releasing the last milestone again is refused", "POST",
         "/v1/escrow/milestone/confirm/{m_id}/{m_m3}", MONEY, "{buyer}", after=("milestone.confirm-3",)),
    Step("milestone.closed", "the escrow as the buyer sees it now", "GET", "/v1/escrow/verify/{m_token}",
         party="{buyer}", after=("milestone.confirm-3",), values=LIFECYCLE),

    # -- the standard flow: create, edit, fund, confirm; a second escrow claimed ----------------
    Step("standard.create", "the seller creates a standard escrow (multipart)", "POST", "/v1/escrow/create", MONEY,
         "{seller}", form=standard_escrow(10000, "both"), save=escrow_saves("s"), rules=(FEE_RATIO,),
         values=LIFECYCLE),
    Step("standard.edit", "the seller edits its amount before payment", "PUT", "/v1/escrow/edit/{s_token}", MONEY,
         "{seller}", form=EDIT, save=escrow_saves("s"), rules=(FEE_RATIO,), values=LIFECYCLE),
    Step("standard.verify", "the buyer verifies its payment token", "GET", "/v1/escrow/verify/{s_token}",
         party="{buyer}", values=LIFECYCLE),
    wallet("standard.buyer-before", "the buyer's wallet before paying", "{buyer}", save={"s_buyer_main": MAIN},
           after=("standard.create",)),
    paying("standard.pay", "s", "the buyer pays it from their wallet"),
    wallet("standard.buyer-paid", "the buyer's wallet after paying", "{buyer}",
           rules=(Rule("payment debits ÷ escrow amount", debited("s_buyer_main", "s_amount")),),
           after=("standard.buyer-before", "standard.pay")),
    Step("standard.history", "the payment in the buyer's history", "GET", "/v1/payment/history?limit=1",
         party="{buyer}", after=("standard.pay",)),
    Step("standard.pay-again", "paying it twice is refused", "POST", "/v1/payment/escrow", MONEY, "{buyer}",
         json=pay_body("s", attempt=2), after=("standard.pay",)),
    wallet("standard.seller-before", "the seller's wallet before the release", "{seller}",
           save={"s_seller_main": MAIN}, after=("standard.pay",)),
    Step("standard.confirm", "the buyer confirms delivery: the escrow closes", "POST",
         "/v1/escrow/confirm-payment/{s_id}", MONEY, "{buyer}", after=("standard.pay",), values=LIFECYCLE),
    wallet("standard.seller-credited", "the seller's wallet after the release", "{seller}",
           rules=(Rule("release credits ÷ escrow amount", credited("s_seller_main", "s_amount")),),
           after=("standard.seller-before", "standard.confirm")),
    Step("standard.confirm-again", "confirming it again is refused", "POST", "/v1/escrow/confirm-payment/{s_id}",
         MONEY, "{buyer}", after=("standard.confirm",)),
    Step("standard.create-claimable", "the seller creates an escrow with a one-day window", "POST",
         "/v1/escrow/create", MONEY, "{seller}", form=standard_escrow(10000, "seller", max_delivery=1,
                                                                       purpose="Headphones"),
         save=escrow_saves("c"), rules=(FEE_RATIO,), values=LIFECYCLE),
    paying("standard.pay-claimable", "c", "the buyer pays it"),
    Step("standard.claim-early", "the seller claims before the window has passed: refused", "GET",
         "/v1/escrow/claim-funds/{c_token}", MONEY, "{seller}", after=("standard.pay-claimable",)),
    Step("standard.clock", "a day (and a minute) passes (sandbox control)", "POST", "/_sandbox/clock/advance", MONEY,
         json={"duration": "P1DT1M"}, controls=True, after=("standard.pay-claimable",)),
    wallet("standard.seller-before-claim", "the seller's wallet before claiming", "{seller}",
           save={"c_seller_main": MAIN}, after=("standard.clock",)),
    Step("standard.claim", "the seller claims once maxDelivery × deliveryTimeline has passed", "GET",
         "/v1/escrow/claim-funds/{c_token}", MONEY, "{seller}", after=("standard.clock",), values=LIFECYCLE),
    wallet("standard.seller-claimed", "the seller's wallet after the claim", "{seller}",
           rules=(Rule("claim credits ÷ escrow amount", credited("c_seller_main", "c_amount")),),
           after=("standard.seller-before-claim", "standard.claim")),

    # -- disputes: opened, answered, ruled; a SPLIT; a milestone escrow --------------------------
    Step("disputes.create", "the seller creates a standard escrow", "POST", "/v1/escrow/create", MONEY, "{seller}",
         form=standard_escrow(10000, "both", purpose="Camera"), save=escrow_saves("d"), values=LIFECYCLE),
    paying("disputes.pay", "d", "the buyer pays it"),
    Step("disputes.open", "the buyer opens a dispute (multipart)", "POST", "/v1/escrow/submit-dispute/{d_token}",
         MONEY, "{buyer}", form=dispute_form("Item not as described"), after=("disputes.pay",), values=LIFECYCLE),
    Step("disputes.open-again", "the buyer writing again is refused", "POST", "/v1/escrow/submit-dispute/{d_token}",
         MONEY, "{buyer}", form=dispute_form("Still not as described"), after=("disputes.open",)),
    Step("disputes.reply", "the seller replies", "POST", "/v1/escrow/submit-dispute/{d_token}", MONEY, "{seller}",
         form=dispute_form("It was as described"), after=("disputes.open",), values=LIFECYCLE),
    Step("disputes.get", "the dispute thread, for the buyer", "GET", "/v1/escrow/dispute/get/{d_id}",
         party="{buyer}", after=("disputes.open",), values=LIFECYCLE),
    Step("disputes.mine", "the buyer's disputes, by payment token", "GET",
         "/v1/escrow/dispute/get?paymentToken={d_token}", party="{buyer}", after=("disputes.open",)),
    Step("disputes.all", "every disputed escrow of the merchant", "GET", "/v1/escrow/all-dispute?limit=5",
         after=("disputes.open",)),
    Step("disputes.resolve-as-customer", "a ruling sent with customer-id is refused", "POST",
         "/v1/escrow/dispute/resolve/{d_id}", MONEY, "{buyer}",
         form={"resolution": "Refund the buyer", "status": "REFUNDED"}, after=("disputes.open",)),
    wallet("disputes.buyer-before", "the buyer's wallet before the ruling", "{buyer}", save={"d_buyer_main": MAIN},
           after=("disputes.open",)),
    Step("disputes.refund", "the merchant rules REFUNDED: the escrow closes", "POST",
         "/v1/escrow/dispute/resolve/{d_id}", MONEY, form={"resolution": "Refund the buyer", "status": "REFUNDED"},
         after=("disputes.open",), values=LIFECYCLE),
    wallet("disputes.buyer-refunded", "the buyer's wallet after the refund", "{buyer}",
           rules=(Rule("refund credits ÷ escrow amount", credited("d_buyer_main", "d_amount")),),
           after=("disputes.buyer-before", "disputes.refund")),
    Step("disputes.resolve-again", "ruling on the closed escrow again is refused", "POST",
         "/v1/escrow/dispute/resolve/{d_id}", MONEY, form={"resolution": "Refund the buyer", "status": "REFUNDED"},
         after=("disputes.refund",)),
    Step("disputes.create-split", "the seller creates another escrow (the buyer pays the fee)", "POST",
         "/v1/escrow/create", MONEY, "{seller}", form=standard_escrow(10000, "buyer", purpose="Tablet"),
         save={**escrow_saves("p"), "p_half": half_amount}, values=LIFECYCLE),
    paying("disputes.pay-split", "p", "the buyer pays it"),
    Step("disputes.open-split", "the buyer disputes it", "POST", "/v1/escrow/submit-dispute/{p_token}", MONEY,
         "{buyer}", form=dispute_form("Half of it is missing"), after=("disputes.pay-split",), values=LIFECYCLE),
    Step("disputes.split", "the merchant rules SPLIT, half each", "POST", "/v1/escrow/dispute/resolve/{p_id}", MONEY,
         form={"resolution": "Half each", "status": "SPLIT", "sellerAmount": "{p_half}", "buyerAmount": "{p_half}"},
         after=("disputes.open-split",), values=LIFECYCLE),
    Step("disputes.create-milestone", "the seller creates a two-milestone escrow", "POST",
         "/v1/escrow/milestone/create", MONEY, "{seller}", json=SMALL_MILESTONE_ESCROW,
         save=escrow_saves("q", milestones=2), values=LIFECYCLE),
    paying("disputes.pay-milestone", "q", "the buyer pays it"),
    Step("disputes.confirm-out-of-order", "the buyer releases the second milestone first", "POST",
         "/v1/escrow/milestone/confirm/{q_id}/{q_m2}", MONEY, "{buyer}", after=("disputes.pay-milestone",),
         values=LIFECYCLE),
    Step("disputes.open-milestone", "the buyer disputes the milestone escrow", "POST",
         "/v1/escrow/submit-dispute/{q_token}", MONEY, "{buyer}", form=dispute_form("The draft never came"),
         after=("disputes.pay-milestone",), values=LIFECYCLE),
    wallet("disputes.buyer-before-milestone", "the buyer's wallet before the milestone ruling", "{buyer}",
           save={"q_buyer_main": MAIN}, after=("disputes.open-milestone",)),
    Step("disputes.refund-milestone", "the merchant rules REFUNDED on the milestone escrow", "POST",
         "/v1/escrow/dispute/resolve/{q_id}", MONEY, form={"resolution": "Refund the buyer", "status": "REFUNDED"},
         after=("disputes.open-milestone",), values=LIFECYCLE),
    wallet("disputes.buyer-refunded-milestone", "the buyer's wallet after the milestone refund", "{buyer}",
           rules=(Rule("refund credits ÷ escrow amount", credited("q_buyer_main", "q_amount")),),
           after=("disputes.buyer-before-milestone", "disputes.refund-milestone")),

    # -- documented error cases ------------------------------------------------------------------
    Step("errors.no-token", "no Authorization header", "GET", "/v1/wallet", party="{buyer}", auth="none"),
    Step("errors.live-key", "a live key", "GET", "/v1/escrow/category/get", auth="live"),
    Step("errors.no-customer-id", "a customer route without customer-id", "GET", "/v1/wallet"),
    Step("errors.unknown-customer", "a customer-id that names no customer", "GET", "/v1/wallet",
         party=UNKNOWN_CUSTOMER),
    Step("errors.customer-id-not-allowed", "customer-id on a merchant-wide route", "GET", "/v1/escrow/feeds",
         party="{buyer}"),
    Step("errors.unknown-token", "a payment token that names no escrow", "GET", f"/v1/escrow/verify/{UNKNOWN_TOKEN}",
         party="{buyer}"),
    Step("errors.transactions-without-type", "the escrow list without its type", "GET", "/v1/escrow/transactions",
         party="{seller}"),
    Step("errors.milestone-sum", "milestones that do not add up to the amount", "POST",
         "/v1/escrow/milestone/create", MONEY, "{seller}",
         json={**SMALL_MILESTONE_ESCROW, "milestones": [{"title": "Draft", "amount": 5000},
                                                       {"title": "Final", "amount": 4000}]}),
    wallet("errors.buyer-balance", "the buyer's balance, to ask for more", "{buyer}",
           save={"big_amount": more_than_balance}),
    Step("errors.create-too-big", "the seller creates an escrow above the buyer's balance", "POST",
         "/v1/escrow/create", MONEY, "{seller}",
         form={**standard_escrow(0, "buyer", purpose="Car"), "amount": "{big_amount}"}, save=escrow_saves("b")),
    paying("errors.insufficient-balance", "b", "the buyer cannot pay it from their wallet"),
    Step("errors.delete", "the seller deletes the unpaid escrow", "DELETE", "/v1/escrow/delete/{b_token}", MONEY,
         "{seller}", after=("errors.create-too-big",)),
    Step("errors.deleted", "the deleted escrow's token names no escrow", "GET", "/v1/escrow/verify/{b_token}",
         party="{buyer}", after=("errors.delete",)),
]


def check(tour: list[Step]) -> None:
    """The tour's own consistency: unique ids, known groups and kinds, `after` names earlier steps."""
    seen = set()
    for step in tour:
        assert step.id not in seen, f"two steps named {step.id}"
        assert step.group in GROUPS and step.kind in (READ, MONEY), step.id
        assert step.kind == MONEY or step.method == "GET", f"{step.id}: a read-only step is a GET"
        assert all(name in seen for name in step.after), f"{step.id}: `after` names a later or unknown step"
        assert step.json is None or step.form is None, step.id
        seen.add(step.id)


check(TOUR)
