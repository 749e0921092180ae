"""Every (settlementType, status, action) through the HTTP API: done, or refused with the
documented message. The escrow is put in each status by real calls (and the clock)."""

import itertools

import pytest

from sandbox import create_app
from tests.conftest import advance_clock, BUYER, SELLER, UNKNOWN_ID, Api, InProcessHttp, make_config, pay_body
from tests.unit.test_lifecycle import ALLOWED

MONTH_MS = 30 * 86_400_000
STATES = {
    "STANDARD": ["PENDING", "ONGOING", "DISPUTED", "INVESTIGATING", "COMPLETED", "CLAIMED", "REFUNDED"],
    "MILESTONE": ["PENDING", "ONGOING", "COMPLETED"],
}
ACTIONS = ["edit", "edit_milestones", "convert", "delete", "pay", "confirm_payment", "claim", "open_dispute",
           "reply_dispute", "resolve_refunded", "release_milestone"]
MILESTONE_BODY = {"amount": 3000, "purpose": "x", "whoPays": "buyer",
                  "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000},
                                 {"title": "c", "amount": 1000}]}


def special_refusal(settlement, status, action):
    """The documented messages that win over the generic `Action not allowed`."""
    closed = status in ("COMPLETED", "CLAIMED", "REFUNDED")
    if settlement == "MILESTONE" and action in ("open_dispute", "reply_dispute"):
        return "Milestone escrows cannot be disputed"
    if action == "open_dispute" and status in ("DISPUTED", "INVESTIGATING", "REFUNDED"):
        return "Buyer already submitted Dispute"
    if action == "reply_dispute" and status == "INVESTIGATING":
        return "Seller already submitted Dispute"
    if action == "resolve_refunded":
        return "Escrow already completed" if closed else None if status in ("DISPUTED", "INVESTIGATING") \
            else "No dispute found for this escrow"
    if action == "release_milestone" and settlement == "STANDARD":
        return "Milestone not found"
    return None


def build(api, app, settlement, status):
    if settlement == "MILESTONE":
        escrow = api.create_milestone_escrow(MILESTONE_BODY)
    else:
        escrow = api.create_escrow({"amount": "3000", "purpose": "x", "whoPays": "both"})
    steps = {
        "ONGOING": ["pay"], "DISPUTED": ["pay", "dispute"], "INVESTIGATING": ["pay", "dispute", "reply"],
        "CLAIMED": ["pay", "claim"], "REFUNDED": ["pay", "dispute", "refund"],
        "COMPLETED": ["pay", "confirm"] if settlement == "STANDARD" else ["pay", "release_all"],
    }.get(status, [])
    for step in steps:
        if step == "pay":
            api.pay(escrow["id"], gateway="PAYSTACK")
        elif step == "dispute":
            api.http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER, data={"message": "m"})
        elif step == "reply":
            api.http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=SELLER, data={"message": "m"})
        elif step == "claim":
            advance_clock(app, MONTH_MS)
            api.http.get(f"/v1/escrow/claim-funds/{escrow['paymentToken']}", customer=SELLER)
        elif step == "refund":
            api.http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", data={"resolution": "r", "status": "REFUNDED"})
        elif step == "confirm":
            api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER)
        elif step == "release_all":
            for milestone in escrow["milestones"]:
                api.confirm(escrow["id"], milestone["id"])
    current = api.verify(escrow["paymentToken"])
    assert (current["settlementType"], current["status"]) == (settlement, status)
    return current


def act(api, app, escrow, action):
    token, eid = escrow["paymentToken"], escrow["id"]
    if action == "claim":
        advance_clock(app, MONTH_MS)
    requests = {
        "edit": lambda: api.http.put(f"/v1/escrow/edit/{token}", customer=SELLER, data={"purpose": "y"}),
        "edit_milestones": lambda: api.http.put(f"/v1/escrow/milestone/edit/{token}", customer=SELLER,
                                                json=MILESTONE_BODY),
        "convert": lambda: api.http.put(f"/v1/escrow/milestone/convert/{token}", customer=SELLER, json={
            "milestones": [{"title": "a", "amount": 1500}, {"title": "b", "amount": 1500}]}),
        "delete": lambda: api.http.request("DELETE", f"/v1/escrow/delete/{token}", customer=SELLER),
        "pay": lambda: api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(eid, "PAYSTACK")),
        "confirm_payment": lambda: api.http.post(f"/v1/escrow/confirm-payment/{eid}", customer=BUYER),
        "claim": lambda: api.http.get(f"/v1/escrow/claim-funds/{token}", customer=SELLER),
        "open_dispute": lambda: api.http.post(f"/v1/escrow/submit-dispute/{token}", customer=BUYER,
                                              data={"message": "m"}),
        "reply_dispute": lambda: api.http.post(f"/v1/escrow/submit-dispute/{token}", customer=SELLER,
                                               data={"message": "m"}),
        "resolve_refunded": lambda: api.http.post(f"/v1/escrow/dispute/resolve/{eid}",
                                                  data={"resolution": "r", "status": "REFUNDED"}),
        "release_milestone": lambda: api.http.post(
            f"/v1/escrow/milestone/confirm/{eid}/{escrow['milestones'][0]['id'] if escrow['milestones'] else UNKNOWN_ID}",
            customer=BUYER),
    }
    return requests[action]()


CASES = [(s, st, a) for s, states in STATES.items() for st, a in itertools.product(states, ACTIONS)]


@pytest.mark.parametrize("settlement, status, action", CASES)
def test_lifecycle_over_http(settlement, status, action):
    app = create_app(make_config())
    api = Api(InProcessHttp(app))
    escrow = build(api, app, settlement, status)
    reply = act(api, app, escrow, action)
    special = special_refusal(settlement, status, action)
    if special is None and (settlement, status, action) in ALLOWED:
        assert reply.status in (200, 201), reply.body
    else:
        api.error(reply, 400, special or "Action not allowed")
        assert api.verify(escrow["paymentToken"]) == escrow, "a refused action changes nothing"
    assert api.http.get("/_sandbox/invariants").data["violations"] == []
