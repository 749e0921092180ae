"""Milestone escrows end to end: create, edit, convert, list, pay, confirm, dispute."""

import copy

import pytest

from tests.conftest import BENEFICIARY, BUYER, DOCS_MILESTONE_EXAMPLE, SELLER, SELLER2, START, UNKNOWN_ID
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)

ESCROW_KEYS = [
    "id", "amount", "purpose", "description", "whoPays", "imageUrl", "fee", "paymentToken", "paidAt",
    "status", "state", "logs", "channel", "isSeller", "dispute", "paymentDetails", "category",
    "completedAt", "approvedClaimBy", "refundedBy", "maxDelivery", "deliveryTimeline", "totalQuantity",
    "settlementType", "milestones", "createdAt", "updatedAt", "additionalFee", "additionalFeeRefundable",
]


def example(**changes):
    body = copy.deepcopy(DOCS_MILESTONE_EXAMPLE)
    body.update(changes)
    return body


def test_create_milestone_escrow__docs_example_verbatim(api):
    escrow = api.create_milestone_escrow()
    assert list(escrow) == ESCROW_KEYS
    assert escrow["amount"] == 1000000 and escrow["fee"] == 25000
    assert (escrow["settlementType"], escrow["state"], escrow["status"]) == ("MILESTONE", "AWAITING_PAYMENT", "PENDING")
    assert escrow["whoPays"] == "buyer" and escrow["isSeller"] is True and escrow["channel"] == "API"
    assert escrow["paidAt"] is None and escrow["createdAt"] == START == escrow["updatedAt"]
    assert escrow["additionalFee"] == 0 and escrow["additionalFeeRefundable"] is True
    assert [(m["title"], m["amount"], m["dueDate"], m["status"], m["releasedAt"], m["customerId"])
            for m in escrow["milestones"]] == [
        ("Design", 300000, "2026-07-15", "PENDING", None, BENEFICIARY),
        ("Development", 500000, "2026-08-15", "PENDING", None, None),
        ("Deployment", 200000, None, "PENDING", None, None),
    ]
    ids = [escrow["id"]] + [m["id"] for m in escrow["milestones"]]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("body, message", [
    (example(milestones=DOCS_MILESTONE_EXAMPLE["milestones"][:1]), "At least 2 milestones are required"),
    (example(milestones=[]), "At least 2 milestones are required"),
    (example(amount=1000000, milestones=[{"title": "a", "amount": 0}, {"title": "b", "amount": 1000000}]),
     "Every milestone amount must be a positive integer"),
    (example(amount=1000000, milestones=[{"title": "a", "amount": -5}, {"title": "b", "amount": 1000005}]),
     "Every milestone amount must be a positive integer"),
    (example(amount=1000000, milestones=[{"title": "a", "amount": 1.5}, {"title": "b", "amount": 999998.5}]),
     "Every milestone amount must be a positive integer"),
    (example(amount=1000000, milestones=[{"title": "a", "amount": "500000"}, {"title": "b", "amount": 500000}]),
     "Every milestone amount must be a positive integer"),
    (example(amount=999999), "The sum of milestone amounts must equal the escrow amount"),
    (example(whoPays="seller"), "whoPays must be buyer"),
    (example(whoPays="both"), "whoPays must be buyer"),
    (example(whoPays="nobody"), '"whoPays" must be one of [buyer, seller, both]'),
    (example(amount=0), '"amount" must be a positive integer'),
    (example(amount="1000000"), '"amount" must be a positive integer'),
    (example(amount=1000000.5), '"amount" must be a positive integer'),
    (example(milestones="many"), '"milestones" must be an array'),
    (example(milestones=[{"title": "a", "amount": 500000}, {"amount": 500000}]), '"milestones[1].title" is required'),
    (example(milestones=[{"title": "a", "amount": 500000}, {"title": 7, "amount": 500000}]),
     '"milestones[1].title" must be a string'),
    (example(milestones=[{"title": "a", "amount": 500000, "dueDate": "15/07/2026"}, {"title": "b", "amount": 500000}]),
     '"milestones[0].dueDate" must be a valid date (YYYY-MM-DD)'),
    (example(milestones=[{"title": "a", "amount": 500000, "colour": "red"}, {"title": "b", "amount": 500000}]),
     '"milestones[0].colour" is not allowed'),
    (example(callbackUrl="https://example.com/hook"), '"callbackUrl" is not allowed'),
    ({k: v for k, v in DOCS_MILESTONE_EXAMPLE.items() if k != "purpose"}, '"purpose" is required'),
    (example(purpose=""), '"purpose" is not allowed to be empty'),
    (example(maxDelivery=0), '"maxDelivery" must be greater than or equal to 1'),
    (example(deliveryTimeline="weeks"), '"deliveryTimeline" must be one of [minutes, hours, days]'),
    ([1, 2], "Request body must be a JSON object"),
])
def test_create_milestone_escrow__invalid(api, body, message):
    api.error(api.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body), 400, message)


def test_create_milestone_escrow__unknown_beneficiary(api):
    body = example()
    body["milestones"][1]["customerId"] = UNKNOWN_ID
    reply = api.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body)
    api.error(reply, 400, "Milestone beneficiary customer not found")


def test_create_milestone_escrow__customer_header_rules(api):
    api.error(api.http.post("/v1/escrow/milestone/create", json=DOCS_MILESTONE_EXAMPLE), 400,
              "customer-id header is required")
    api.error(api.http.post("/v1/escrow/milestone/create", customer=UNKNOWN_ID, json=DOCS_MILESTONE_EXAMPLE), 404,
              "Customer not found")


def test_create_milestone_escrow__optional_fields(api):
    escrow = api.create_milestone_escrow(example(description="Three phases", maxDelivery=14,
                                                 deliveryTimeline="days", totalQuantity=1))
    assert (escrow["description"], escrow["maxDelivery"], escrow["deliveryTimeline"]) == ("Three phases", 14, "days")


def test_list_milestones(api):
    escrow = api.create_milestone_escrow()
    assert api.milestones(escrow["paymentToken"]) == escrow["milestones"]


def test_list_milestones__standard_escrow_is_empty(api):
    escrow = api.create_escrow()
    assert api.milestones(escrow["paymentToken"]) == []


def test_list_milestones__unknown_token(api):
    api.error(api.http.get("/v1/escrow/milestone/PY_nope00001234"), 400, "Escrow not found")


def test_confirm_milestone__full_flow(api):
    escrow = api.create_milestone_escrow()
    before = api.balances(SELLER, BUYER, BENEFICIARY)
    paid = api.pay(escrow["id"])
    assert paid["amount"] == 1025000 and paid["status"] == "SUCCESS"
    assert api.wallet(BUYER) == {"mainBalance": before[BUYER] - 1025000, "escrowBalance": 1025000, "currency": "NGN"}
    funded = api.verify(escrow["paymentToken"])
    assert (funded["state"], funded["status"]) == ("OPENED", "ONGOING")
    assert funded["paidAt"] is not None

    design, development, deployment = escrow["milestones"]
    after_first = api.confirm(escrow["id"], design["id"])
    assert (after_first["state"], after_first["status"]) == ("OPENED", "ONGOING")
    released = after_first["milestones"][0]
    assert released["status"] == "RELEASED" and released["releasedAt"] == START
    # The Design milestone names a beneficiary: its 300,000 goes to that customer, not the seller.
    assert api.balances(SELLER, BENEFICIARY) == {SELLER: before[SELLER], BENEFICIARY: before[BENEFICIARY] + 300000}
    assert api.wallet(BUYER)["escrowBalance"] == 725000

    api.confirm(escrow["id"], development["id"])
    assert api.wallet(SELLER)["mainBalance"] == before[SELLER] + 500000
    closed = api.confirm(escrow["id"], deployment["id"])
    assert (closed["state"], closed["status"]) == ("CLOSED", "COMPLETED")
    assert closed["completedAt"] == START
    assert all(m["status"] == "RELEASED" for m in closed["milestones"])
    assert api.balances(SELLER, BUYER, BENEFICIARY) == {
        SELLER: before[SELLER] + 700000, BUYER: before[BUYER] - 1025000, BENEFICIARY: before[BENEFICIARY] + 300000,
    }
    assert api.wallet(BUYER)["escrowBalance"] == 0
    assert api.milestones(escrow["paymentToken"]) == closed["milestones"]


def test_confirm_milestone__out_of_order_is_allowed(api):
    escrow = api.funded_milestone_escrow()
    last = escrow["milestones"][-1]
    confirmed = api.confirm(escrow["id"], last["id"])
    assert [m["status"] for m in confirmed["milestones"]] == ["PENDING", "PENDING", "RELEASED"]


def test_confirm_milestone__twice(api):
    escrow = api.funded_milestone_escrow()
    first = escrow["milestones"][0]["id"]
    api.confirm(escrow["id"], first)
    api.error(api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{first}", customer=BUYER), 400,
              "Action not allowed")


def test_confirm_milestone__unfunded(api):
    escrow = api.create_milestone_escrow()
    reply = api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][0]['id']}", customer=BUYER)
    api.error(reply, 400, "Action not allowed")


def test_confirm_milestone__not_the_buyer(api):
    escrow = api.funded_milestone_escrow()
    path = f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][0]['id']}"
    api.error(api.http.post(path, customer=SELLER), 400, "Action not allowed")
    api.error(api.http.post(path), 400, "customer-id header is required")
    api.error(api.http.post(path, customer=UNKNOWN_ID), 404, "Customer not found")


def test_confirm_milestone__unknown_ids(api):
    escrow = api.funded_milestone_escrow()
    milestone = escrow["milestones"][0]["id"]
    api.error(api.http.post(f"/v1/escrow/milestone/confirm/{UNKNOWN_ID}/{milestone}", customer=BUYER), 400,
              "Escrow not found")
    api.error(api.http.post(f"/v1/escrow/milestone/confirm/not-an-id/{milestone}", customer=BUYER), 400,
              "Escrow not found")
    api.error(api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{UNKNOWN_ID}", customer=BUYER), 400,
              "Milestone not found")


def test_confirm_milestone__after_close(api):
    escrow = api.funded_milestone_escrow()
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
    reply = api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][0]['id']}", customer=BUYER)
    api.error(reply, 400, "Action not allowed")


def test_confirm_milestone__standard_escrow(api):
    escrow = api.create_escrow()
    api.pay(escrow["id"])
    reply = api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{UNKNOWN_ID}", customer=BUYER)
    api.error(reply, 400, "Milestone not found")


def test_edit_milestone_escrow(api):
    escrow = api.create_milestone_escrow()
    body = {
        "amount": 1200000, "purpose": "Company website build v2", "whoPays": "buyer",
        "milestones": [{"title": "Design", "amount": 400000}, {"title": "Build", "amount": 800000}],
    }
    edited = api.edit_milestone_escrow(escrow["paymentToken"], body)
    assert (edited["id"], edited["paymentToken"]) == (escrow["id"], escrow["paymentToken"])
    assert (edited["amount"], edited["fee"], edited["purpose"]) == (1200000, 30000, "Company website build v2")
    assert [m["amount"] for m in edited["milestones"]] == [400000, 800000]
    old_ids = {m["id"] for m in escrow["milestones"]}
    assert not old_ids & {m["id"] for m in edited["milestones"]}, "edit regenerates milestone ids"
    assert api.milestones(escrow["paymentToken"]) == edited["milestones"]


@pytest.mark.parametrize("body, message", [
    (example(amount=1200000), "The sum of milestone amounts must equal the escrow amount"),
    (example(whoPays="both"), "whoPays must be buyer"),
    (example(milestones=DOCS_MILESTONE_EXAMPLE["milestones"][:1]), "At least 2 milestones are required"),
    ({"purpose": "x"}, '"amount" is required'),
])
def test_edit_milestone_escrow__invalid(api, body, message):
    escrow = api.create_milestone_escrow()
    api.error(api.http.put(f"/v1/escrow/milestone/edit/{escrow['paymentToken']}", customer=SELLER, json=body),
              400, message)
    assert api.verify(escrow["paymentToken"])["amount"] == 1000000


def test_edit_milestone_escrow__not_allowed(api):
    escrow = api.create_milestone_escrow()
    path = f"/v1/escrow/milestone/edit/{escrow['paymentToken']}"
    api.error(api.http.put(path, customer=SELLER2, json=DOCS_MILESTONE_EXAMPLE), 400, "Action not allowed")
    api.pay(escrow["id"])
    api.error(api.http.put(path, customer=SELLER, json=DOCS_MILESTONE_EXAMPLE), 400, "Action not allowed")
    api.error(api.http.put("/v1/escrow/milestone/edit/PY_unknown001234", customer=SELLER, json=DOCS_MILESTONE_EXAMPLE),
              400, "Escrow not found")


def test_edit_milestone_escrow__standard_escrow(api):
    escrow = api.create_escrow()
    reply = api.http.put(f"/v1/escrow/milestone/edit/{escrow['paymentToken']}", customer=SELLER,
                         json=DOCS_MILESTONE_EXAMPLE)
    api.error(reply, 400, "Action not allowed")


def test_convert_to_milestone(api):
    escrow = api.create_escrow()
    assert (escrow["fee"], escrow["whoPays"]) == (3750, "both")
    body = {"amount": 200000, "milestones": [{"title": "Half", "amount": 100000}, {"title": "Rest", "amount": 100000}]}
    converted = api.convert_to_milestone(escrow["paymentToken"], body)
    assert (converted["settlementType"], converted["amount"], converted["fee"], converted["whoPays"]) == (
        "MILESTONE", 200000, 5000, "buyer")
    assert (converted["id"], converted["state"]) == (escrow["id"], "AWAITING_PAYMENT")
    assert len(converted["milestones"]) == 2


def test_convert_to_milestone__keeps_amount(api):
    escrow = api.create_escrow()
    body = {"milestones": [{"title": "a", "amount": 50000}, {"title": "b", "amount": 100000}]}
    converted = api.convert_to_milestone(escrow["paymentToken"], body)
    assert (converted["amount"], converted["fee"]) == (150000, 3750)
    api.error(api.http.put(f"/v1/escrow/milestone/convert/{escrow['paymentToken']}", customer=SELLER, json=body),
              400, "Action not allowed")


def test_convert_to_milestone__invalid(api):
    escrow = api.create_escrow()
    path = f"/v1/escrow/milestone/convert/{escrow['paymentToken']}"
    two = [{"title": "a", "amount": 50000}, {"title": "b", "amount": 50000}]
    api.error(api.http.put(path, customer=SELLER, json={"milestones": two}), 400,
              "The sum of milestone amounts must equal the escrow amount")
    api.error(api.http.put(path, customer=SELLER, json={"amount": 100000, "milestones": two[:1]}), 400,
              "At least 2 milestones are required")
    api.error(api.http.put(path, customer=SELLER2, json={"amount": 100000, "milestones": two}), 400,
              "Action not allowed")
    api.error(api.http.put(path, customer=SELLER, json={"amount": 100000, "milestones": two, "whoPays": "buyer"}), 400,
              '"whoPays" is not allowed')
    api.pay(escrow["id"])
    api.error(api.http.put(path, customer=SELLER, json={"amount": 100000, "milestones": two}), 400,
              "Action not allowed")


def test_submit_dispute__milestone_escrow(api):
    escrow = api.funded_milestone_escrow()
    reply = api.http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER,
                          data={"message": "Not delivered"})
    api.error(reply, 400, "Milestone escrows cannot be disputed")
    assert api.verify(escrow["paymentToken"])["status"] == "ONGOING"
