"""Profile 2026-10 ([B]) escrow rules: milestones confirmed in order, amounts to 2 decimals
(escrow >= 1 000, milestone >= 1), `maxDelivery` (1-365) and `deliveryTimeline` required,
milestone due dates after today, and the claim window's extra day; beside each, the 2026-06
behaviour it leaves as it was."""

import copy
import json
from decimal import Decimal

import pytest

from sandbox.domain import errors as E
from tests.conftest import BUYER, DOCS_MILESTONE_EXAMPLE, SELLER

DAY = 86_400
# [B] requires the delivery window on every create and edit.
WINDOW = {"maxDelivery": 3, "deliveryTimeline": "days"}
STANDARD = {"amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both", "maxDelivery": "3",
            "deliveryTimeline": "days"}


def example(**changes) -> dict:
    """The docs' milestone example with the [B] delivery window, changed as given."""
    body = {**copy.deepcopy(DOCS_MILESTONE_EXAMPLE), **WINDOW}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def two(first, second, **changes) -> dict:
    """An example split into two milestones of these amounts (no due dates)."""
    return example(milestones=[{"title": "a", "amount": first}, {"title": "b", "amount": second}], **changes)


def charge(escrow: dict):
    """What the buyer owes ([B] pay-escrow `amount`): amount + the buyer's fee share (the odd
    kobo of a `both` split is the buyer's) + the additional fee, read from the escrow."""
    fee = round(Decimal(str(escrow["fee"])) * 100)
    share = {"buyer": fee, "seller": 0, "both": fee - fee // 2}[escrow["whoPays"]]
    kobo = round(Decimal(str(escrow["amount"])) * 100) + share + round(Decimal(str(escrow["additionalFee"])) * 100)
    return kobo // 100 if kobo % 100 == 0 else float(Decimal(kobo) / 100)


def pay(api, escrow: dict) -> None:
    """The buyer funds the escrow, sending the amount [B] checks."""
    api.pay(escrow["id"], amount=charge(escrow), reference=f"REF_{escrow['id']}")


def advance(http, seconds: int) -> dict:
    reply = http.post("/_sandbox/clock/advance", json={"seconds": seconds})
    assert reply.status == 200, reply.body
    return reply.data


def confirm(api, escrow, index):
    return api.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][index]['id']}",
                         customer=BUYER)


# -- strict milestone order (changelog 29 Jun 2026) ---------------------------------------------


def test_confirm_milestone__in_order(later):
    escrow = later.create_milestone_escrow(example())
    pay(later, escrow)
    before = later.balances(BUYER, SELLER)
    for index in (1, 2):
        later.error(confirm(later, escrow, index), 400, E.MILESTONE_OUT_OF_ORDER)
    assert [m["status"] for m in later.milestones(escrow["paymentToken"])] == ["PENDING"] * 3
    assert later.balances(BUYER, SELLER) == before  # a refusal changes nothing
    released = [later._expect(confirm(later, escrow, index), 200) for index in (0, 1)]
    assert [m["status"] for m in released[-1]["milestones"]] == ["RELEASED", "RELEASED", "PENDING"]
    later.error(confirm(later, escrow, 0), 400, E.ACTION_NOT_ALLOWED)  # released already
    closed = later._expect(confirm(later, escrow, 2), 200)
    assert (closed["state"], closed["status"]) == ("CLOSED", "COMPLETED")


def test_confirm_milestone__any_order_in_2026_06(api):
    escrow = api.create_milestone_escrow()
    api.pay(escrow["id"])
    assert [m["status"] for m in api.confirm(escrow["id"], escrow["milestones"][2]["id"])["milestones"]] == [
        "PENDING", "PENDING", "RELEASED"]
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])


def test_confirm_milestone__state_comes_before_order(later):
    """An unfunded escrow is `Action not allowed`, whatever milestone is named."""
    escrow = later.create_milestone_escrow(example())
    later.error(confirm(later, escrow, 1), 400, E.ACTION_NOT_ALLOWED)


# -- milestone escrows: create, edit, convert ---------------------------------------------------


def test_create_milestone_escrow__2026_10(later):
    escrow = later.create_milestone_escrow(example())
    assert (escrow["maxDelivery"], escrow["deliveryTimeline"]) == (3, "days")
    assert [m["amount"] for m in escrow["milestones"]] == [300000, 500000, 200000]


def test_create_milestone_escrow__amounts_with_kobo(later):
    escrow = later.create_milestone_escrow(two(500.25, 500.25, amount=1000.5))
    assert escrow["amount"] == 1000.5 and [m["amount"] for m in escrow["milestones"]] == [500.25, 500.25]
    assert escrow["fee"] > 0


@pytest.mark.parametrize("body, message", [
    (example(maxDelivery=None), E.MAX_DELIVERY_REQUIRED),
    (example(maxDelivery=None, deliveryTimeline=None), E.MAX_DELIVERY_REQUIRED),
    (example(deliveryTimeline=None), E.DELIVERY_TIMELINE_REQUIRED),
    (example(maxDelivery=366), E.MAX_DELIVERY_AT_MOST),
    (example(maxDelivery=0), '"maxDelivery" must be greater than or equal to 1'),
    (two(500, 499.99, amount=999.99), E.AMOUNT_AT_LEAST_1000),
    (two(500, 500.005, amount=1000.005), E.AMOUNT_TWO_DECIMALS),
    (two(500, 500, amount=True), E.AMOUNT_NUMBER),
    (two(500, 500, amount="a thousand"), E.AMOUNT_NUMBER),
    (two(0.5, 999.5, amount=1000), E.MILESTONE_AMOUNT_TWO_DECIMALS),
    (two(0, 1000), E.MILESTONE_AMOUNT_TWO_DECIMALS),
    (two(500.001, 499.999, amount=1000), E.MILESTONE_AMOUNT_TWO_DECIMALS),
    (two("five", 1000, amount=1000), E.MILESTONE_AMOUNT_TWO_DECIMALS),
    (two(500.25, 500.25, amount=1000.49), E.MILESTONE_SUM_MISMATCH),
    (example(whoPays="both"), E.MILESTONE_WHO_PAYS_BUYER),
])
def test_create_milestone_escrow__refused_2026_10(later, body, message):
    later.error(later.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body), 400, message)


@pytest.mark.parametrize("due, allowed", [
    ("2026-06-21", False), ("2026-06-22", False), ("2026-06-23", True), (None, True),
])
def test_create_milestone_escrow__due_date_after_today(later, due, allowed):
    """The namespace clock is at 2026-06-22T10:15Z: a due date must be 2026-06-23 or later."""
    body = two(500000, 500000, amount=1000000)
    body["milestones"][1]["dueDate"] = due
    reply = later.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body)
    if allowed:
        assert reply.status == 201 and reply.data["milestones"][1]["dueDate"] == due
    else:
        later.error(reply, 400, E.MILESTONE_DUE_DATE_FUTURE)


def test_create_milestone_escrow__due_date_follows_the_clock(later):
    advance(later.http, 2 * DAY)  # 2026-06-24
    body = two(500000, 500000, amount=1000000)
    body["milestones"][0]["dueDate"] = "2026-06-24"
    later.error(later.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body), 400,
                E.MILESTONE_DUE_DATE_FUTURE)


def test_create_milestone_escrow__numbers_read_from_their_text(later):
    """A JSON number is judged on its digits: 1000.1 followed by more digits is not 2 decimals,
    although a float would round it to 1000.1."""
    body = json.dumps(two(500, 500, amount=0)).replace('"amount": 0', '"amount": 1000.1000000000000000055511151231257827')
    reply = later.http.post("/v1/escrow/milestone/create", customer=SELLER, body=body.encode(),
                            headers={"Content-Type": "application/json"})
    later.error(reply, 400, E.AMOUNT_TWO_DECIMALS)
    body = json.dumps(two(500, 500, amount=0)).replace('"amount": 0', '"amount": 1e3')
    reply = later.http.post("/v1/escrow/milestone/create", customer=SELLER, body=body.encode(),
                            headers={"Content-Type": "application/json"})
    assert reply.status == 201 and reply.data["amount"] == 1000


@pytest.mark.parametrize("body, message", [
    (example(maxDelivery=1000, milestones=[{"title": "a", "amount": 500000}, {"title": "b", "amount": 500000}]), None),
    (two(500, 500, amount=1000.5), '"amount" must be a positive integer'),
    (two(499.5, 500.5, amount=1000), "Every milestone amount must be a positive integer"),
    (two(500, 500, amount=1000, maxDelivery=None, deliveryTimeline=None), None),
])
def test_create_milestone_escrow__2026_06_unchanged(api, body, message):
    """2026-06: whole naira only, no delivery window required, no upper bound on maxDelivery."""
    reply = api.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body)
    if message is None:
        assert reply.status == 201, reply.body
    else:
        api.error(reply, 400, message)


def test_create_milestone_escrow__past_due_date_in_2026_06(api):
    body = two(500, 500, amount=1000)
    body["milestones"][0]["dueDate"] = "2020-01-01"
    assert api.http.post("/v1/escrow/milestone/create", customer=SELLER, json=body).status == 201


def test_edit_milestone_escrow__2026_10(later):
    escrow = later.create_milestone_escrow(example())
    token = escrow["paymentToken"]
    later.error(later.http.put(f"/v1/escrow/milestone/edit/{token}", customer=SELLER,
                               json=two(600000.5, 600000, amount=1200000.5, maxDelivery=None)),
                400, E.MAX_DELIVERY_REQUIRED)
    later.error(later.http.put(f"/v1/escrow/milestone/edit/{token}", customer=SELLER,
                               json=two(600000.555, 600000, amount=1200000.555)), 400, E.AMOUNT_TWO_DECIMALS)
    edited = later.edit_milestone_escrow(token, two(600000.5, 600000, amount=1200000.5))
    assert edited["amount"] == 1200000.5 and [m["amount"] for m in edited["milestones"]] == [600000.5, 600000]


def test_convert_to_milestone__2026_10(later):
    escrow = later.create_escrow({**STANDARD, "amount": "150000.50"})
    token = escrow["paymentToken"]
    for body, message in [
        ({"milestones": [{"title": "a", "amount": 75000.25}, {"title": "b", "amount": 75000}]}, E.MILESTONE_SUM_MISMATCH),
        ({"amount": 999, "milestones": [{"title": "a", "amount": 499}, {"title": "b", "amount": 500}]},
         E.AMOUNT_AT_LEAST_1000),
        ({"amount": 2000, "milestones": [{"title": "a", "amount": 1999.999}, {"title": "b", "amount": 0.001}]},
         E.MILESTONE_AMOUNT_TWO_DECIMALS),
    ]:
        later.error(later.http.put(f"/v1/escrow/milestone/convert/{token}", customer=SELLER, json=body), 400, message)
    converted = later.convert_to_milestone(token, {"milestones": [{"title": "a", "amount": 75000.25},
                                                                  {"title": "b", "amount": 75000.25}]})
    assert converted["settlementType"] == "MILESTONE" and converted["amount"] == 150000.5
    assert [m["amount"] for m in converted["milestones"]] == [75000.25, 75000.25]


def test_convert_to_milestone__whole_naira_in_2026_06(api):
    escrow = api.create_escrow()
    api.error(api.http.put(f"/v1/escrow/milestone/convert/{escrow['paymentToken']}", customer=SELLER,
                           json={"milestones": [{"title": "a", "amount": 74999.5}, {"title": "b", "amount": 75000.5}]}),
              400, "Every milestone amount must be a positive integer")


# -- standard escrows: create and edit ----------------------------------------------------------


def test_create_escrow__decimal_amounts_2026_10(later):
    assert later.create_escrow({**STANDARD, "amount": "150000.50"})["amount"] == 150000.5
    assert later.create_escrow({**STANDARD, "amount": 150000.5, "maxDelivery": 3}, as_json=True)["amount"] == 150000.5
    assert later.create_escrow({**STANDARD, "amount": "1000"})["amount"] == 1000
    assert later.create_escrow({**STANDARD, "maxDelivery": "365"})["maxDelivery"] == 365


@pytest.mark.parametrize("changes, message", [
    ({"amount": "150000.505"}, E.AMOUNT_TWO_DECIMALS),
    ({"amount": "999.99"}, E.AMOUNT_AT_LEAST_1000),
    ({"amount": "-5"}, E.AMOUNT_AT_LEAST_1000),
    ({"amount": "abc"}, E.AMOUNT_NUMBER),
    ({"amount": "1e3"}, E.AMOUNT_NUMBER),
    ({"amount": "9" * 40 + ".5"}, E.AMOUNT_SAFE_NUMBER),
    ({"maxDelivery": None}, E.MAX_DELIVERY_REQUIRED),
    ({"maxDelivery": "366"}, E.MAX_DELIVERY_AT_MOST),
    ({"deliveryTimeline": None}, E.DELIVERY_TIMELINE_REQUIRED),
])
def test_create_escrow__refused_2026_10(later, changes, message):
    fields = {k: v for k, v in {**STANDARD, **changes}.items() if v is not None}
    later.error(later.http.post("/v1/escrow/create", customer=SELLER, data=fields), 400, message)


@pytest.mark.parametrize("amount", [150000.505, 150000.5 + 1e-7])
def test_create_escrow__json_refused_2026_10(later, amount):
    body = {**STANDARD, "amount": amount, "maxDelivery": 3}
    later.error(later.http.post("/v1/escrow/create", customer=SELLER, json=body), 400, E.AMOUNT_TWO_DECIMALS)


@pytest.mark.parametrize("fields, json_body, message", [
    ({"amount": "150000.50"}, False, '"amount" must be an integer'),
    ({"amount": 150000.5}, True, '"amount" must be an integer'),
    ({"amount": 1e20}, True, '"amount" must be an integer'),
    ({"amount": "1" * 30 + ".5"}, False, '"amount" must be an integer'),
    ({"amount": 0}, True, '"amount" must be greater than or equal to 1'),
    ({"amount": "0"}, False, '"amount" must be greater than or equal to 1'),
    ({"amount": "9" * 30}, False, '"amount" must be a safe number'),
    ({"amount": "999", "maxDelivery": None, "deliveryTimeline": None}, False, None),
    ({"amount": "5000", "maxDelivery": "1000"}, False, None),
])
def test_create_escrow__2026_06_unchanged(api, fields, json_body, message):
    """2026-06: whole naira from 1, maxDelivery and deliveryTimeline optional (3 days)."""
    body = {k: v for k, v in {**STANDARD, **fields}.items() if v is not None}
    if json_body:
        body["maxDelivery"] = 3
        reply = api.http.post("/v1/escrow/create", customer=SELLER, json=body)
    else:
        reply = api.http.post("/v1/escrow/create", customer=SELLER, data=body)
    if message is None:
        assert reply.status == 201, reply.body
        assert reply.data["maxDelivery"] == int(fields.get("maxDelivery") or 3)
    else:
        api.error(reply, 400, message)


def test_create_escrow__amount_judged_before_the_customer_in_2026_06(api):
    """The amount is refused before the `customer-id` is looked up, as when the schema alone
    judged it."""
    api.error(api.http.post("/v1/escrow/create", customer="aaaaaaaaaaaaaaaaaaaaaaaa", data={**STANDARD, "amount": "1.5"}),
              400, '"amount" must be an integer')


def test_edit_escrow__2026_10(later):
    token = later.create_escrow()["paymentToken"]
    path = f"/v1/escrow/edit/{token}"
    later.error(later.http.put(path, customer=SELLER, data={"amount": "160000.75"}), 400, E.MAX_DELIVERY_REQUIRED)
    later.error(later.http.put(path, customer=SELLER, data={"amount": "160000.755", **WINDOW}), 400,
                E.AMOUNT_TWO_DECIMALS)
    later.error(later.http.put(path, customer=SELLER, data={"maxDelivery": "400", "deliveryTimeline": "days"}), 400,
                E.MAX_DELIVERY_AT_MOST)
    reply = later.http.put(path, customer=SELLER, data={"amount": "160000.75", "maxDelivery": "5",
                                                         "deliveryTimeline": "hours"})
    assert reply.status == 200, reply.body
    assert (reply.data["amount"], reply.data["maxDelivery"], reply.data["deliveryTimeline"]) == (160000.75, 5, "hours")


def test_edit_escrow__2026_06_unchanged(api):
    token = api.create_escrow()["paymentToken"]
    path = f"/v1/escrow/edit/{token}"
    api.error(api.http.put(path, customer=SELLER, data={"amount": "160000.75"}), 400, '"amount" must be an integer')
    reply = api.http.put(path, customer=SELLER, data={"amount": "160000"})
    assert (reply.status, reply.data["amount"], reply.data["fee"]) == (200, 160000, 4000)


# -- the claim window: one more day (changelog 2 Oct 2026) --------------------------------------


def test_claim_funds__a_day_after_the_window(later):
    escrow = later.create_escrow()
    pay(later, escrow)
    path = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    due = advance(later.http, 3 * DAY + 1)
    assert [item["type"] for item in due["due"]] == []
    later.error(later.http.get(path, customer=SELLER), 400, E.CANNOT_CLAIM_YET)
    due = advance(later.http, DAY - 2)
    later.error(later.http.get(path, customer=SELLER), 400, E.CANNOT_CLAIM_YET)
    due = advance(later.http, 1)  # paidAt + 3 days + 1 day exactly
    assert [item["type"] for item in due["due"]] == ["escrow.claimable"]
    reply = later.http.get(path, customer=SELLER)
    assert (reply.status, reply.data["status"]) == (200, "CLAIMED")


def test_claim_funds__at_the_window_in_2026_06(api):
    escrow = api.create_escrow()
    api.pay(escrow["id"])
    due = advance(api.http, 3 * DAY)
    assert [item["type"] for item in due["due"]] == ["escrow.claimable"]
    reply = api.http.get(f"/v1/escrow/claim-funds/{escrow['paymentToken']}", customer=SELLER)
    assert (reply.status, reply.data["status"]) == (200, "CLAIMED")
