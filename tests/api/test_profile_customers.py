"""Profile 2026-10 ([B]): merchant customers and the wallet, and who may call what.

`PUT /v1/customer/update/{id}`; the [B] customer object from every customer route (the permission
and status routes answer the whole customer); `countryId` checked against `/v1/countries`;
`customer-id` refused on customer management; the wallet's `id`, `createdAt`, `updatedAt`;
`canWithdraw`; and [B]'s super-admin rule (payluk-api.md §1): a key without super-admin rights
may call only the escrow, milestone-escrow and category routes. 2026-06 answers as before.
"""

import re

import pytest

from sandbox.api.documented import super_admin_only
from sandbox.docs import openapi
from sandbox.domain import errors as E
from tests.conftest import BUYER, LATER, SELLER, START, UNKNOWN_ID

NEW = {"firstname": "Amaka", "lastname": "Obi", "email": "Amaka.Obi@Example.com", "phone": "08099990000"}
CUSTOMER_KEYS = ["id", "customerId", "firstname", "lastname", "email", "phone", "countryId", "bvn", "dob", "role",
                 "status", "blockedReason", "blockedAt", "permissions", "createdAt", "updatedAt"]
NIGERIA_ID = "665f1b2c9a1e4d0012ab4001"  # sandbox/data/countries.json
LIMITED = "sk_test_limited_cust"
DAY = 86_400
T = "PY_8AB12C9D3045"
E_ID = "665f1b2c9a1e4d0012ab3c10"


def update(http, customer_id, body, **kw):
    return http.put(f"/v1/customer/update/{customer_id}", json=body, **kw)


def advance(http, seconds):
    assert http.post("/_sandbox/clock/advance", json={"seconds": seconds}).status == 200


# -- PUT /v1/customer/update/{customerId} ---------------------------------------------------------


def test_update_customer(later):
    http = later.http
    reply = update(http, BUYER, {"firstname": "Babatunde", "email": "Tunde@New.Example"})
    assert (reply.status, reply.body["message"]) == (200, "Customer updated successfully")
    customer = reply.data
    assert list(customer) == CUSTOMER_KEYS
    assert (customer["id"], customer["customerId"]) == (BUYER, BUYER)
    assert (customer["firstname"], customer["lastname"], customer["email"]) == ("Babatunde", "Bakare",
                                                                                 "tunde@new.example")
    assert http.get(f"/v1/customer/get/{BUYER}").data == customer
    assert http.get("/v1/customers?email=tunde@new.example").data["data"] == [customer]


@pytest.mark.parametrize("body", [{"firstname": "Ade"}, {"lastname": "Ade"}, {"email": "ade@example.com"}])
def test_update_customer__one_field_is_enough(later, body):
    customer = update(later.http, SELLER, body).data
    (field, value), = body.items()
    assert customer[field] == value
    assert customer["updatedAt"] == START


def test_update_customer__own_email_again(later):
    reply = update(later.http, BUYER, {"email": "TUNDE.BAKARE@sandbox.payluk.test"})
    assert (reply.status, reply.data["email"]) == (200, "tunde.bakare@sandbox.payluk.test")


def test_update_customer__moves_updated_at(later):
    advance(later.http, 60)
    customer = update(later.http, BUYER, {"lastname": "B."}).data
    assert (customer["createdAt"], customer["updatedAt"]) == (START, "2026-06-22T10:16:00.000Z")


@pytest.mark.parametrize("body, message", [
    ({}, E.CUSTOMER_UPDATE_EMPTY),
    ({"email": "not-an-email"}, '"email" must be a valid email'),
    ({"firstname": ""}, '"firstname" is not allowed to be empty'),
    ({"phone": "08031230099"}, '"phone" is not allowed'),
    ({"customerId": SELLER, "firstname": "x"}, '"customerId" is not allowed'),
    ({"firstname": 5}, '"firstname" must be a string'),
])
def test_update_customer__bad_body(later, body, message):
    later.error(update(later.http, BUYER, body), 400, message)
    assert later.http.get(f"/v1/customer/get/{BUYER}").data["firstname"] == "Tunde"


def test_update_customer__email_taken(later):
    later.error(update(later.http, BUYER, {"firstname": "X", "email": "ADA.EZE@sandbox.payluk.test"}), 400,
                E.CUSTOMER_EMAIL_TAKEN)
    assert later.http.get(f"/v1/customer/get/{BUYER}").data["firstname"] == "Tunde"  # nothing changed


def test_update_customer__unknown(later):
    later.error(update(later.http, UNKNOWN_ID, {"firstname": "X"}), 404, E.CUSTOMER_NOT_FOUND)
    later.error(update(later.http, "not-an-id", {"firstname": "X"}), 404, E.CUSTOMER_NOT_FOUND)


def test_update_customer__no_customer_id_header(later):
    later.error(update(later.http, BUYER, {"firstname": "X"}, customer=BUYER), 400, E.CUSTOMER_ID_NOT_ALLOWED)


def test_update_customer__not_in_2026_06(api):
    api.error(update(api.http, BUYER, {"firstname": "X"}), 404, E.ROUTE_NOT_FOUND)


# -- the [B] customer object everywhere -----------------------------------------------------------


def test_customer_object__every_route(later):
    http = later.http
    created = later.create_customer({**NEW, "bvn": "12345678901"})
    cid = created["id"]
    assert list(created) == CUSTOMER_KEYS
    assert (created["customerId"], created["status"], created["blockedReason"], created["blockedAt"]) == (
        cid, "active", None, None)
    assert created["permissions"] == {"canBuy": True, "canSell": True, "canWithdraw": True}
    assert http.get(f"/v1/customer/get/{cid}").data == created
    assert http.get(f"/v1/customer/{cid}").data == created
    assert http.get("/v1/customers?limit=50").data["data"][-1] == created
    permitted = http.put(f"/v1/customer/permissions/{cid}", json={"canWithdraw": False})
    assert (permitted.status, permitted.body["message"]) == (200, "Customers fetched successfully")
    assert permitted.data == {**created, "permissions": {"canBuy": True, "canSell": True, "canWithdraw": False}}
    blocked = http.put(f"/v1/customer/block/{cid}", json={"blockedReason": "chargeback"})
    assert (blocked.status, blocked.body["message"]) == (200, "Customers status updated successfully")
    assert list(blocked.data) == CUSTOMER_KEYS
    assert (blocked.data["status"], blocked.data["blockedReason"], blocked.data["blockedAt"]) == (
        "blocked", "chargeback", START)
    unblocked = http.put(f"/v1/customer/unblock/{cid}").data
    assert (unblocked["status"], unblocked["blockedReason"], unblocked["blockedAt"]) == ("active", None, None)
    assert unblocked["permissions"]["canWithdraw"] is False


def test_customer_object__2026_06_permission_and_status_answers_unchanged(api):
    reply = api.http.put(f"/v1/customer/permissions/{BUYER}", json={"canSell": False})
    assert reply.data == {"id": BUYER, "canBuy": True, "canSell": False, "canWithdraw": True}
    assert api.http.put(f"/v1/customer/block/{BUYER}").data == {"id": BUYER, "status": "blocked"}
    assert api.http.put(f"/v1/customer/unblock/{BUYER}").data == {"id": BUYER, "status": "active"}


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/v1/customer/create", NEW),
    ("GET", "/v1/customers", None),
    ("GET", f"/v1/customer/get/{BUYER}", None),
    ("GET", f"/v1/customer/{BUYER}", None),
    ("PUT", f"/v1/customer/permissions/{BUYER}", {"canBuy": False}),
    ("PUT", f"/v1/customer/block/{BUYER}", None),
    ("PUT", f"/v1/customer/unblock/{BUYER}", None),
])
def test_customer_management__refuses_customer_id(later, method, path, body):
    later.error(later.http.request(method, path, customer=SELLER, json=body), 400, E.CUSTOMER_ID_NOT_ALLOWED)
    assert later.http.get(f"/v1/customer/get/{BUYER}").data["status"] == "active"


def test_customer_management__2026_06_ignores_customer_id(api):
    assert api.http.get(f"/v1/customer/get/{BUYER}", customer=SELLER).status == 200
    assert api.http.post("/v1/customer/create", customer=SELLER, json=NEW).status == 201


# -- countryId ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent, kept", [("NG", "NG"), ("ng", "NG"), (" gh ", "GH"), (NIGERIA_ID, NIGERIA_ID),
                                        (NIGERIA_ID.upper(), NIGERIA_ID), (None, None)])
def test_create_customer__country_id(later, sent, kept):
    body = NEW if sent is None else {**NEW, "countryId": sent}
    assert later.create_customer(body)["countryId"] == kept


@pytest.mark.parametrize("sent", ["XX", "Nigeria", "", UNKNOWN_ID])
def test_create_customer__unknown_country(later, sent):
    before = len(later.http.get("/v1/customers?limit=50").data["data"])
    later.error(later.http.post("/v1/customer/create", json={**NEW, "countryId": sent}), 400, E.COUNTRY_NOT_FOUND)
    assert len(later.http.get("/v1/customers?limit=50").data["data"]) == before


def test_create_customer__2026_06_keeps_any_country_id(api):
    assert api.create_customer({**NEW, "countryId": "XX"})["countryId"] == "XX"


# -- the wallet -----------------------------------------------------------------------------------


def test_get_wallet__id_and_times(later):
    http = later.http
    wallet = later.wallet(BUYER)
    assert list(wallet) == ["id", "mainBalance", "escrowBalance", "currency", "createdAt", "updatedAt"]
    assert (wallet["id"], wallet["mainBalance"], wallet["createdAt"], wallet["updatedAt"]) == (
        BUYER, 5000000, START, START)
    advance(http, 3600)
    reply = http.post("/v1/payment/topup", customer=BUYER, json={"amount": 5000})
    assert reply.status == 200, reply.body
    assert later.wallet(BUYER)["updatedAt"] == "2026-06-22T11:15:00.000Z"
    assert later.wallet(SELLER)["updatedAt"] == START  # another customer's movement


def test_get_wallet__a_new_customer(later):
    advance(later.http, 120)
    customer = later.create_customer(NEW)
    assert later.wallet(customer["id"]) == {"id": customer["id"], "mainBalance": 0, "escrowBalance": 0,
                                            "currency": "NGN", "createdAt": "2026-06-22T10:17:00.000Z",
                                            "updatedAt": "2026-06-22T10:17:00.000Z"}


def test_get_wallet__2026_06_unchanged(api):
    assert api.wallet(BUYER) == {"mainBalance": 5000000, "escrowBalance": 0, "currency": "NGN"}


# -- canWithdraw ----------------------------------------------------------------------------------


def test_can_withdraw__false_refuses_withdrawals(later):
    http = later.http
    assert http.put(f"/v1/customer/permissions/{BUYER}", json={"canWithdraw": False}).status == 200
    body = {"amount": 1000, "reference": "wd_can_withdraw", "transactionType": "withdrawal", "withdrawalDetails": {
        "accountName": "ADA EZE", "accountNumber": "0123456789", "bankName": "Access Bank", "bankCode": "044"}}
    later.error(http.post("/v1/payment/create-intent", customer=BUYER, json=body), 401, E.ACCESS_DENIED)
    assert http.put(f"/v1/customer/permissions/{BUYER}", json={"canWithdraw": True}).status == 200
    assert http.post("/v1/payment/create-intent", customer=BUYER, json=body).status == 200


# -- [B]'s super-admin rule -----------------------------------------------------------------------

# Routes a key without super-admin rights may not call in 2026-10 (a sample of each group).
SUPER_ONLY = [
    ("GET", "/v1/wallet"), ("GET", "/v1/customers"), ("PUT", f"/v1/customer/update/{BUYER}"),
    ("POST", f"/v1/escrow/confirm-payment/{E_ID}"), ("POST", f"/v1/escrow/submit-dispute/{T}"),
    ("GET", "/v1/escrow/dispute/get"), ("GET", f"/v1/escrow/dispute/get/{E_ID}"), ("GET", "/v1/escrow/all-dispute"),
    ("POST", f"/v1/escrow/dispute/resolve/{E_ID}"), ("PUT", f"/v1/escrow/additional-fee/{T}"),
    ("GET", f"/v1/escrow/vault/{T}"), ("GET", "/v1/merchant/balance"),
    ("POST", "/v1/payment/escrow"), ("POST", "/v1/payment/create-intent"), ("POST", "/v1/payment/verify"),
    ("POST", "/v1/payment/virtual-account"), ("POST", "/v1/payment/topup"), ("POST", "/v1/payment/verify-account"),
    ("GET", "/v1/payment/history"), ("GET", "/v1/payment/bank-list"), ("GET", "/v1/payment/verify-phone/08031230031"),
    ("GET", "/v1/payment/deposit/wallet"), ("GET", "/v1/cards"), ("GET", "/v1/countries"),
    ("GET", "/v1/misc/countries"), ("GET", "/v1/whitelist-address"),
]
BODIES = {
    "/v1/payment/escrow": {"amount": 1000, "gateway": "wallet", "transactionType": "escrow",
                           "escrowDetails": {"escrowId": E_ID}},
    "/v1/payment/create-intent": {"amount": 1000, "transactionType": "deposit"},
    "/v1/payment/verify": {"reference": "PSK_REF_1"},
    "/v1/payment/topup": {"amount": 5000},
    "/v1/payment/verify-account": {"accountNumber": "0123456789", "bankCode": "044"},
    f"/v1/customer/update/{BUYER}": {"firstname": "X"},
    f"/v1/escrow/additional-fee/{T}": {"additionalFee": 100},
    f"/v1/escrow/dispute/resolve/{E_ID}": {"resolution": "x", "status": "COMPLETED"},
    f"/v1/escrow/submit-dispute/{T}": {"message": "x"},
}
# Merchant-wide routes refuse the header; the others need it.
NO_HEADER = ("/v1/customers", "/v1/customer/", "/v1/escrow/all-dispute", "/v1/escrow/dispute/resolve",
             "/v1/escrow/additional-fee", "/v1/escrow/vault", "/v1/merchant", "/v1/countries", "/v1/misc/countries")


@pytest.fixture
def limited(later_http):
    """The suite's http with a key of a merchant without super-admin rights, on 2026-10."""
    assert later_http.put("/_sandbox/profile", key=LIMITED, json={"profile": LATER}).status == 200
    later_http.profiles[LIMITED] = LATER
    return later_http


@pytest.mark.parametrize("method, path", SUPER_ONLY)
def test_super_admin_rule__refused(later, limited, method, path):
    customer = None if path.startswith(NO_HEADER) else BUYER
    reply = limited.request(method, path, key=LIMITED, customer=customer, json=BODIES.get(path))
    later.error(reply, 401, E.ACCESS_DENIED)
    assert limited.get("/_sandbox/state", key=LIMITED).data["state"]["customers"][BUYER]["firstname"] == "Tunde"
    assert limited.get("/_sandbox/ledger", key=LIMITED).data["postings"][-1]["kind"] == "funding"


def test_super_admin_rule__escrow_milestone_and_category_routes_stay_open(later, limited):
    def send(method, path, status, **kw):
        reply = limited.request(method, path, key=LIMITED, **kw)
        assert reply.status == status, (path, reply.body)
        return reply.data

    escrow = send("POST", "/v1/escrow/create", 201, customer=SELLER, data={
        "amount": "150000", "purpose": "Phone", "whoPays": "buyer", "maxDelivery": "3", "deliveryTimeline": "days"})
    token = escrow["paymentToken"]
    send("GET", f"/v1/escrow/verify/{token}", 200)
    send("PUT", f"/v1/escrow/edit/{token}", 200, customer=SELLER, data={
        "amount": "160000", "purpose": "Phone", "whoPays": "buyer", "maxDelivery": "3", "deliveryTimeline": "days"})
    send("GET", "/v1/escrow/transactions?type=sales", 200, customer=SELLER)
    send("GET", "/v1/escrow/feeds", 200)
    send("PUT", f"/v1/escrow/milestone/convert/{token}", 200, customer=SELLER,
         json={"milestones": [{"title": "a", "amount": 80000}, {"title": "b", "amount": 80000}]})
    send("GET", f"/v1/escrow/milestone/{token}", 200)
    send("DELETE", f"/v1/escrow/delete/{token}", 200, customer=SELLER)
    send("GET", "/v1/escrow/category/get", 200)
    category = send("POST", "/v1/escrow/category/create", 201, data={"name": "Phones"})
    send("GET", f"/v1/escrow/category/get/{category['id']}", 200)


@pytest.mark.parametrize("method, path", [
    ("POST", "/v1/payment/topup"), ("GET", "/v1/countries"), ("GET", "/v1/payment/history"),
    ("GET", "/v1/escrow/all-dispute"), ("GET", "/v1/whitelist-address"),
])
def test_super_admin_rule__2026_06_only_customer_routes(api, method, path):
    key = "sk_test_limited_cust06"
    customer = None if path.startswith(NO_HEADER) else BUYER
    reply = api.http.request(method, path, key=key, customer=customer, json=BODIES.get(path))
    assert reply.status == 200, reply.body
    api.error(api.http.get("/v1/wallet", key=key, customer=BUYER), 401, E.ACCESS_DENIED)


def test_super_admin_rule__documented_per_route():
    """The 2026-10 document lists 401 `Access denied` on exactly the routes the rule covers."""
    later_doc, default_doc = openapi.document(LATER), openapi.document()
    covered = set()
    for path, item in later_doc["paths"].items():
        if not path.startswith("/v1/"):
            continue
        rule = re.sub(r"\{([^}]+)\}", r"<\1>", path)
        for method, operation in item.items():
            if operation.get("security") == []:
                continue  # public (the hosted checkout's session routes)
            denied = E.ACCESS_DENIED in operation["responses"]["401"]["description"]
            assert denied == super_admin_only(rule), (method, path)
            if denied:
                covered.add(path)
    assert "/v1/payment/bank-list" in covered and "/v1/escrow/create" not in covered
    assert "/v1/escrow/category/get" not in covered and "/v1/escrow/confirm-payment/{escrowId}" in covered
    # 2026-06: only the customer routes (and none of 2026-10's additions) answer it.
    assert E.ACCESS_DENIED not in default_doc["paths"]["/v1/payment/topup"]["post"]["responses"]["401"]["description"]
