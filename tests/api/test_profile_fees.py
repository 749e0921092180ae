"""Profile 2026-10 ([B]): the fee (Payluk's 2 % + the merchant's commission), the merchant wallet
and its transactions, the additional (delivery) fee, and pay-escrow's `amount` check; with the
2026-06 behaviour they leave unchanged."""

import json

import pytest

from sandbox import create_app
from sandbox.controlplane.fixture_sets import FixtureError
from sandbox.domain import errors as E
from tests.conftest import (
    BUYER, KEY, LATER, LATER_MILESTONE_EXAMPLE, ROOT, SELLER, UNKNOWN_ID, Api, InProcessHttp, balances_of, make_config,
    pay_body,
)

START_BUYER = 5_000_000
STANDARD = {"amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both", "maxDelivery": "3",
            "deliveryTimeline": "days"}
MONTH_MS = 30 * 86_400_000
LIMITED = "sk_test_limited_fees"


def set_commission(http, commission):
    reply = http.put("/_sandbox/merchant", json={"commission": commission})
    assert reply.status == 200, reply.body
    return reply.data


def add_fee(http, token, body, **kw):
    return http.put(f"/v1/escrow/additional-fee/{token}", json=body, **kw)


def pay(api, escrow_ids, amount, buyer=BUYER, status=200):
    ids = escrow_ids if isinstance(escrow_ids, list) else [escrow_ids]
    body = {"gateway": "wallet", "transactionType": "escrow", "currency": "NGN",
            "escrowDetails": {"escrowId": ids if len(ids) > 1 else ids[0]}, "amount": amount}
    return api._expect(api.http.post("/v1/payment/escrow", customer=buyer, json=body), status)


def merchant_balance(http):
    reply = http.get("/v1/merchant/balance")
    assert reply.status == 200, reply.body
    return reply.data


def payluk_fees(http):
    return http.get("/_sandbox/ledger").data["balances"].get("payluk:fees", 0)


# -- the fee ---------------------------------------------------------------------------------------


def test_fee__two_percent_without_commission(later):
    escrow = later.create_escrow(STANDARD)
    assert escrow["fee"] == 3000  # 2 % of 150 000 (2026-06: 3 750)


def test_fee__commission_added(later):
    set_commission(later.http, 1.5)
    escrow = later.create_escrow(STANDARD)
    assert escrow["fee"] == 5250  # 3 000 + 2 250
    milestone = later.create_milestone_escrow()
    assert milestone["fee"] == 35000  # 20 000 + 15 000 on 1 000 000


def test_fee__rounding_half_up(later):
    set_commission(later.http, 0.25)
    escrow = later.create_escrow({**STANDARD, "amount": "1002"})
    # 2 % of 1 002 = 20.04; 0.25 % = 2.505 -> 2.51 (half a kobo up); each part rounded alone.
    assert escrow["fee"] == 22.55


def test_fee__existing_escrows_keep_theirs(later):
    before = later.create_escrow(STANDARD)
    set_commission(later.http, 1)
    assert later.verify(before["paymentToken"])["fee"] == 3000
    edited = later.http.put(f"/v1/escrow/edit/{before['paymentToken']}", customer=SELLER,
                             data={"amount": "160000", "maxDelivery": "3", "deliveryTimeline": "days"})
    assert edited.status == 200, edited.body
    assert edited.data["fee"] == 3200  # its own rates: 2 %, no commission
    assert later.create_escrow(STANDARD)["fee"] == 4500


def test_fee__2026_06_unchanged(api):
    set_commission(api.http, 1.5)
    escrow = api.create_escrow()
    assert escrow["fee"] == 3750  # 2.5 %, the commission ignored
    api.pay(escrow["id"])
    assert api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER).status == 200
    assert payluk_fees(api.http) == 3750
    assert "merchant:main" not in api.http.get("/_sandbox/ledger").data["balances"]
    api.error(api.http.get("/v1/merchant/balance"), 404, E.ROUTE_NOT_FOUND)
    api.error(api.http.get("/v1/merchant/transactions"), 404, E.ROUTE_NOT_FOUND)


# -- the commission control ------------------------------------------------------------------------


def test_merchant_commission_control(later):
    http = later.http
    assert http.get("/_sandbox/merchant").data == {"commission": 0, "source": "fixture"}
    assert set_commission(http, 1.5) == {"commission": 1.5, "source": "namespace"}
    assert http.post("/_sandbox/reset", json={}).status == 200
    assert http.get("/_sandbox/merchant").data == {"commission": 1.5, "source": "namespace"}
    assert later.create_escrow(STANDARD)["fee"] == 5250  # kept by the reset
    assert set_commission(http, None) == {"commission": 0, "source": "fixture"}


def test_merchant_commission_control__refused(later):
    http = later.http
    for body, message in (
        ({"commission": 1.555}, '"commission" must have no more than 2 decimal places'),
        ({"commission": -1}, '"commission" must be greater than or equal to 0'),
        ({"commission": 51}, '"commission" must be less than or equal to 50'),
        ({"commission": "1.5"}, '"commission" must be a number'),
        ({"commission": True}, '"commission" must be a number'),
        ({}, '"commission" is required'),
    ):
        later.error(http.put("/_sandbox/merchant", json=body), 400, message)
    assert http.get("/_sandbox/merchant").data == {"commission": 0, "source": "fixture"}


# -- the merchant wallet ---------------------------------------------------------------------------


def test_merchant_wallet__completion_credits_commission_and_delivery(later):
    http = later.http
    set_commission(http, 1.5)
    escrow = later.create_escrow(STANDARD)
    assert add_fee(http, escrow["paymentToken"], {"additionalFee": 1000, "additionalFeeRefundable": False}).status == 200
    pay(later, escrow["id"], 153625)  # 150 000 + half of 5 250 + 1 000
    assert balances_of(later.wallet(BUYER)) == {"mainBalance": START_BUYER - 153625, "escrowBalance": 153625, "currency": "NGN"}
    assert merchant_balance(http)["mainBalance"] == 0
    assert http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER).status == 200
    assert later.wallet(SELLER)["mainBalance"] == 147375  # 150 000 - 2 625
    wallet = merchant_balance(http)
    assert wallet == {"id": "665f1b2c9a1e4d0012ab3c01", "mainBalance": 3250, "escrowBalance": 0, "currency": "NGN",
                      "createdAt": "2026-06-22T10:15:00.000Z", "updatedAt": "2026-06-22T10:15:00.000Z"}
    assert payluk_fees(http) == 3000

    page = http.get("/v1/merchant/transactions").data
    assert page["pagination"] == {"count": 2, "pages": 1, "isLastPage": True, "nextPage": None, "previousPage": None}
    delivery, commission = page["data"]  # newest first
    assert {k: commission[k] for k in ("amount", "fee", "transactionType", "currency", "status", "creditType")} == {
        "amount": 2250, "fee": 0, "transactionType": "commission", "currency": "NGN", "status": "success",
        "creditType": "credit"}
    assert commission["escrowDetails"] == {"escrowId": escrow["id"], "paymentToken": escrow["paymentToken"]}
    assert (delivery["transactionType"], delivery["amount"]) == ("delivery", 1000)
    assert commission["reference"].startswith("COM_REF_") and delivery["reference"].startswith("DLV_REF_")

    only = http.get("/v1/merchant/transactions?type=commission").data
    assert [t["id"] for t in only["data"]] == [commission["id"]]
    flat = http.get(f"/v1/merchant/transactions?reference={delivery['reference']}").data
    assert flat == [delivery]  # a flat array when filtered by reference or dates
    assert http.get("/v1/merchant/transactions?fromDate=2026-06-22&toDate=2026-06-22").data == [delivery, commission]
    assert http.get("/v1/merchant/transactions?fromDate=2026-06-23").data == []
    assert http.get("/v1/merchant/transactions?page=2&limit=1").data["data"] == [commission]


def test_merchant_wallet__claim_and_last_milestone(later, later_http):
    set_commission(later_http, 1)
    escrow = later.create_escrow({**STANDARD, "whoPays": "seller"})
    pay(later, escrow["id"], 150000)
    assert later_http.post("/_sandbox/clock/advance", json={"seconds": MONTH_MS // 1000}).status == 200
    claimed = later_http.get(f"/v1/escrow/claim-funds/{escrow['paymentToken']}", customer=SELLER)
    assert claimed.status == 200, claimed.body
    assert later.wallet(SELLER)["mainBalance"] == 150000 - 4500
    assert merchant_balance(later_http)["mainBalance"] == 1500

    # (the docs' due dates, a month behind the clock now, left out)
    milestone = later.create_milestone_escrow({**LATER_MILESTONE_EXAMPLE, "milestones": [
        {k: v for k, v in m.items() if k != "dueDate"} for m in LATER_MILESTONE_EXAMPLE["milestones"]]})
    assert milestone["fee"] == 30000
    pay(later, milestone["id"], 1030000)
    for item in milestone["milestones"][:2]:
        later.confirm(milestone["id"], item["id"])
    assert merchant_balance(later_http)["mainBalance"] == 1500  # nothing before the last release
    later.confirm(milestone["id"], milestone["milestones"][2]["id"])
    assert merchant_balance(later_http)["mainBalance"] == 11500
    types = [t["transactionType"] for t in later_http.get("/v1/merchant/transactions").data["data"]]
    assert types == ["commission", "commission"]


def test_merchant_routes__refused(later):
    http = later.http
    later.error(http.get("/v1/merchant/balance", customer=BUYER), 400, E.CUSTOMER_ID_NOT_ALLOWED)
    later.error(http.get("/v1/merchant/transactions", customer=BUYER), 400, E.CUSTOMER_ID_NOT_ALLOWED)
    later.error(http.get("/v1/merchant/transactions?type=refund"), 400,
                '"type" must be one of [deposit, withdrawal, transfer, wallet_transfer, escrow, commission, delivery]')
    later.error(http.get("/v1/merchant/transactions?limit=101"), 400, '"limit" must be less than or equal to 100')


def test_merchant_routes__super_admin_only(later_http):
    # A merchant key without super-admin rights (its namespace on 2026-10 too); sent without the
    # contract check, which reads such keys against the default profile's document.
    assert later_http.put("/_sandbox/profile", key=LIMITED, json={"profile": LATER}).status == 200
    headers = {"Authorization": f"Bearer {LIMITED}"}
    for path in ("/v1/merchant/balance", "/v1/merchant/transactions"):
        reply = later_http._send("GET", path, headers, None, None, None, None)
        assert (reply.status, reply.body) == (401, {"status": 401, "message": E.ACCESS_DENIED, "data": {}})


# -- the additional fee ----------------------------------------------------------------------------


def test_set_additional_fee(later):
    http = later.http
    escrow = later.create_escrow(STANDARD)
    assert (escrow["additionalFee"], escrow["additionalFeeRefundable"]) == (0, True)
    reply = add_fee(http, escrow["paymentToken"], {"additionalFee": 2500.5, "additionalFeeRefundable": False})
    assert (reply.status, reply.body["message"]) == (200, "Additional fee updated successfully")
    assert (reply.data["additionalFee"], reply.data["additionalFeeRefundable"]) == (2500.5, False)
    assert (reply.data["status"], reply.data["fee"]) == ("PENDING", 3000)
    cleared = add_fee(http, escrow["paymentToken"], {"additionalFee": 0}).data
    assert (cleared["additionalFee"], cleared["additionalFeeRefundable"]) == (0, False)  # unsent: kept
    assert later.verify(escrow["paymentToken"])["additionalFee"] == 0


def test_set_additional_fee__refused(later):
    http = later.http
    escrow = later.create_escrow(STANDARD)
    token = escrow["paymentToken"]
    for body, message in (
        ({}, '"additionalFee" is required'),
        ({"additionalFee": -1}, '"additionalFee" must be greater than or equal to 0'),
        ({"additionalFee": 1.234}, '"additionalFee" must have no more than 2 decimal places'),
        ({"additionalFee": "100"}, '"additionalFee" must be a number'),
        ({"additionalFee": 1, "additionalFeeRefundable": "yes"}, '"additionalFeeRefundable" must be a boolean'),
        ({"additionalFee": 1, "shipping": 1}, '"shipping" is not allowed'),
    ):
        later.error(add_fee(http, token, body), 400, message)
    later.error(add_fee(http, token, {"additionalFee": 1}, customer=SELLER), 400, E.CUSTOMER_ID_NOT_ALLOWED)
    later.error(add_fee(http, "PY_unknown0000", {"additionalFee": 1}), 400, E.ESCROW_NOT_FOUND)
    milestone = later.create_milestone_escrow()
    later.error(add_fee(http, milestone["paymentToken"], {"additionalFee": 1}), 400, E.ADDITIONAL_FEE_STANDARD_ONLY)
    pay(later, escrow["id"], 151500)
    later.error(add_fee(http, token, {"additionalFee": 1}), 400, E.ACTION_NOT_ALLOWED)  # once paid
    assert later.verify(token)["additionalFee"] == 0


def test_converting_to_milestones_drops_the_additional_fee(later):
    """A milestone escrow carries no additional fee ([B]), so a convert drops one set before."""
    escrow = later.create_escrow(STANDARD)
    assert add_fee(later.http, escrow["paymentToken"], {"additionalFee": 1000, "additionalFeeRefundable": False}).status == 200
    converted = later.convert_to_milestone(escrow["paymentToken"], {"milestones": [
        {"title": "a", "amount": 75000}, {"title": "b", "amount": 75000}]})
    assert (converted["additionalFee"], converted["additionalFeeRefundable"], converted["fee"]) == (0, True, 3000)


def test_set_additional_fee__not_in_2026_06(api):
    escrow = api.create_escrow()
    api.error(add_fee(api.http, escrow["paymentToken"], {"additionalFee": 1}), 404, E.ROUTE_NOT_FOUND)


def test_additional_fee__copies_of_a_multi_quantity_link(later):
    escrow = later.create_escrow({**STANDARD, "totalQuantity": "2"})
    add_fee(later.http, escrow["paymentToken"], {"additionalFee": 500})
    payment = pay(later, escrow["id"], 152000)
    assert payment["amount"] == 152000
    copies = later.http.get("/v1/escrow/feeds").data["data"]
    sold = next(e for e in copies if e["id"] != escrow["id"])
    assert (sold["status"], sold["additionalFee"]) == ("ONGOING", 500)


# -- pay-escrow's amount ---------------------------------------------------------------------------


def test_pay_escrow__amount_checked(later):
    escrow = later.create_escrow(STANDARD)
    add_fee(later.http, escrow["paymentToken"], {"additionalFee": 99.99})
    reply = later.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"]))
    later.error(reply, 400, E.PAY_AMOUNT_REQUIRED)
    for amount in (150000, 151500, 151599.98, 151600, 151599.999):
        later.error(later.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"], amount=amount)),
                    400, E.CHECKOUT_AMOUNT_MISMATCH)
    assert later.verify(escrow["paymentToken"])["status"] == "PENDING"
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER
    payment = pay(later, escrow["id"], 151599.99)  # 150 000 + 1 500 + 99.99
    assert payment["amount"] == 151599.99
    assert later.wallet(BUYER)["escrowBalance"] == 151599.99


def test_pay_escrow__amount_of_several_escrows(later):
    first = later.create_escrow(STANDARD)
    second = later.create_escrow({**STANDARD, "amount": "2000", "whoPays": "buyer"})
    later.error(later.http.post("/v1/payment/escrow", customer=BUYER,
                                json=pay_body([first["id"], second["id"]], amount=151500)), 400,
                E.CHECKOUT_AMOUNT_MISMATCH)
    assert pay(later, [first["id"], second["id"]], 151500 + 2040)["amount"] == 153540


def test_pay_escrow__amount_ignored_in_2026_06(api):
    escrow = api.create_escrow()
    payment = api.pay(escrow["id"], amount=1)  # accepted, not compared with the charge
    assert payment["amount"] == 151875
    other = api.create_escrow()
    assert api.pay(other["id"])["amount"] == 151875  # and not required


def test_pay_escrow__unknown_escrow_before_amount(later):
    later.error(later.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(UNKNOWN_ID, amount=5)), 400,
                E.ESCROW_NOT_FOUND)


def test_milestone_fee_with_commission(later):
    set_commission(later.http, 2)
    escrow = later.create_milestone_escrow(LATER_MILESTONE_EXAMPLE)
    assert escrow["fee"] == 40000


# -- bad input on the 2026-10 routes: refused (never a 500), nothing changed ------------------------

HOSTILE = [None, True, "", "abc", -1, 1e308, 10**20, 1.005, [], {}, "1e5", "NaN", " 5 ", "\uff11\uff12", "0x10"]


def test_bad_input__refused_and_nothing_changes(later):
    http = later.http
    escrow = later.create_escrow(STANDARD)
    disputed = later.create_escrow({**STANDARD, "purpose": "Camera"})
    pay(later, disputed["id"], 151500)
    assert http.post(f"/v1/escrow/submit-dispute/{disputed['paymentToken']}", customer=BUYER,
                     data={"message": "m"}).status == 200
    before = http.get("/_sandbox/state").data["state"]
    requests = []
    for value in HOSTILE:
        requests += [
            ("PUT", f"/v1/escrow/additional-fee/{escrow['paymentToken']}", {"additionalFee": value}),
            ("POST", f"/v1/escrow/dispute/resolve/{disputed['id']}",
             {"resolution": "r", "status": "SPLIT", "sellerAmount": value, "buyerAmount": 0}),
            ("POST", f"/v1/escrow/dispute/resolve/{disputed['id']}",
             {"resolution": "r", "status": "SPLIT", "sellerAmount": 0, "buyerAmount": value}),
            ("POST", "/v1/payment/escrow", pay_body(escrow["id"], amount=value)),
        ]
        if value is not None:
            requests.append(("PUT", "/_sandbox/merchant", {"commission": value}))
        if value is not True:
            requests.append(("PUT", f"/v1/escrow/additional-fee/{escrow['paymentToken']}",
                             {"additionalFee": 1, "additionalFeeRefundable": value}))
    for method, path, body in requests:
        reply = http.request(method, path, json=body, customer=BUYER if path.startswith("/v1/payment") else None)
        assert reply.status == 400, (method, path, body, reply.body)
    for name in ("type", "fromDate", "toDate", "page", "limit"):
        for value in ("", "abc", "-1", "0x10", "\uff11\uff12", "2026-13-40"):
            reply = http.get(f"/v1/merchant/transactions?{name}={value}")
            assert reply.status == 400, (name, value, reply.body)
    assert http.get("/_sandbox/state").data["state"] == before


# -- the fixture file's commission -----------------------------------------------------------------


def _fixture_app(tmp_path, **merchant):
    data = json.loads((ROOT / "sandbox" / "data" / "fixtures" / "default.json").read_text())
    data["merchant"].update(merchant)
    data["profile"] = LATER
    file = tmp_path / "fixture.json"
    file.write_text(json.dumps(data))
    return create_app(make_config(fixtures=str(file)))


def test_fixture_commission(tmp_path):
    http = InProcessHttp(_fixture_app(tmp_path, commission=1.25))
    http.profiles[KEY] = LATER
    api = Api(http)
    assert http.get("/_sandbox/merchant").data == {"commission": 1.25, "source": "fixture"}
    assert api.create_escrow(STANDARD)["fee"] == 4875  # 3 000 + 1 875
    assert http.put("/_sandbox/merchant", json={"commission": 0}).data == {"commission": 0, "source": "namespace"}
    assert http.put("/_sandbox/merchant", json={"commission": None}).data == {"commission": 1.25,
                                                                              "source": "fixture"}


def test_fixture_commission__refused(tmp_path):
    for value, message in ((1.255, "must have no more than 2 decimal places"), (-0.5, "must be greater than or equal "
                                                                                     "to 0"), ("2", "must be a number"),
                           (60, "must be less than or equal to 50")):
        with pytest.raises(FixtureError) as err:
            _fixture_app(tmp_path, commission=value)
        assert message in str(err.value)


def test_merchant_wallet__payment_webhook_events(later):
    http = later.http
    set_commission(http, 1.5)
    escrow = later.create_escrow(STANDARD)
    add_fee(http, escrow["paymentToken"], {"additionalFee": 1000})
    pay(later, escrow["id"], 153625)
    assert http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER).status == 200
    events = http.get(f"/_sandbox/events?escrowId={escrow['id']}").data["data"]
    assert [e["event"] for e in events] == ["escrow.created", "escrow.pending", "escrow.ongoing",
                                            "payment.escrow.success",  # the buyer's (part 2: payments)
                                            "payment.commission.success", "payment.delivery.success",
                                            "escrow.completed"]
    transactions = {t["transactionType"]: t for t in http.get("/v1/merchant/transactions").data["data"]}
    commission = events[4]["payload"]
    assert commission["event"] == "payment.commission.success"
    assert commission["data"] == {**transactions["commission"], "customerId": None, "environment": "test",
                                  "merchantId": "665f1b2c9a1e4d0012ab3c01"}
    assert events[5]["payload"]["data"]["amount"] == 1000
