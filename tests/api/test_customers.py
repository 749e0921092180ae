"""Merchant customers: create, list (paging, e-mail/phone look-up), get."""

import pytest

from tests.conftest import BENEFICIARY, BUYER, SELLER, START, UNKNOWN_ID

NEW = {"firstname": "Amaka", "lastname": "Obi", "email": "Amaka.Obi@Example.com", "phone": "08099990000"}
CUSTOMER_KEYS = ["id", "customerId", "firstname", "lastname", "email", "phone", "countryId", "bvn", "dob", "role",
                 "status", "blockedReason", "blockedAt", "permissions", "createdAt", "updatedAt"]


def test_create_customer(api):
    customer = api.create_customer({**NEW, "bvn": "12345678901"})
    assert list(customer) == CUSTOMER_KEYS
    assert customer["id"] == customer["customerId"] and len(customer["id"]) == 24
    assert (customer["email"], customer["role"], customer["status"]) == ("amaka.obi@example.com", "merchant_user", "active")
    assert customer["permissions"] == {"canBuy": True, "canSell": True, "canWithdraw": True}
    assert (customer["bvn"], customer["countryId"], customer["createdAt"]) == ("12345678901", None, START)
    assert api.http.get(f"/v1/customer/get/{customer['id']}").data == customer
    assert api.wallet(customer["id"]) == {"mainBalance": 0, "escrowBalance": 0, "currency": "NGN"}


def test_create_customer__with_country_id_as_in_first_docs(api):
    assert api.create_customer({**NEW, "countryId": "NG"})["countryId"] == "NG"


def test_create_customer__can_trade_at_once(api):
    seller = api.create_customer(NEW)
    body = {"amount": 2000, "purpose": "Gig", "whoPays": "buyer",
            "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}
    escrow = api.create_milestone_escrow(body, seller=seller["id"])
    api.pay(escrow["id"])
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
    assert api.wallet(seller["id"])["mainBalance"] == 2000


@pytest.mark.parametrize("body, message", [
    ({k: v for k, v in NEW.items() if k != "email"}, '"email" is required'),
    ({**NEW, "email": "not-an-email"}, '"email" must be a valid email'),
    ({**NEW, "phone": "call me"}, '"phone" must be a phone number of 7 to 15 digits'),
    ({**NEW, "bvn": "123"}, '"bvn" must be exactly 11 digits'),
    ({**NEW, "firstname": ""}, '"firstname" is not allowed to be empty'),
    ({**NEW, "nickname": "A"}, '"nickname" is not allowed'),
    ({**NEW, "email": "ada.eze@sandbox.payluk.test"}, "A customer with this email already exists"),
])
def test_create_customer__invalid(api, body, message):
    api.error(api.http.post("/v1/customer/create", json=body), 400, message)


def test_list_customers(api):
    reply = api.http.get("/v1/customers")
    assert reply.body["message"] == "Customers fetched successfully"
    assert list(reply.data) == ["pagination", "data"]
    assert reply.data["pagination"] == {"count": 5, "pages": 1, "isLastPage": True, "nextPage": None,
                                        "previousPage": None}
    assert [c["id"] for c in reply.data["data"]][:2] == [SELLER, BUYER]


def test_list_customers__pages(api):
    page2 = api.http.get("/v1/customers?limit=2&page=2").data
    assert page2["pagination"] == {"count": 5, "pages": 3, "isLastPage": False, "nextPage": 3, "previousPage": 1}
    assert len(page2["data"]) == 2
    last = api.http.get("/v1/customers?limit=2&page=3").data
    assert last["pagination"]["isLastPage"] is True and [c["id"] for c in last["data"]] == [BENEFICIARY]
    assert api.http.get("/v1/customers?limit=2&page=9").data["data"] == []


@pytest.mark.parametrize("query, message", [
    ("limit=0", '"limit" must be greater than or equal to 1'),
    ("limit=500", '"limit" must be less than or equal to 100'),
    ("page=first", '"page" must be an integer'),
])
def test_list_customers__bad_query(api, query, message):
    api.error(api.http.get(f"/v1/customers?{query}"), 400, message)


def test_list_customers__email_lookup(api):
    rows = api.http.get("/v1/customers?email=Tunde.Bakare@sandbox.payluk.test").data["data"]
    assert [c["id"] for c in rows] == [BUYER]
    api.error(api.http.get("/v1/customers?email=nobody@example.com"), 400, "No customer found with the provided email")


@pytest.mark.parametrize("phone", ["08031230031", "2348031230031", "%2B2348031230031", "8031230031"])
def test_list_customers__phone_lookup_with_or_without_prefix(api, phone):
    assert [c["id"] for c in api.http.get(f"/v1/customers?phone={phone}").data["data"]] == [BUYER]


def test_list_customers__phone_not_found(api):
    api.error(api.http.get("/v1/customers?phone=0000"), 400, "No customer found with the provided phone")


def test_get_customer(api):
    customer = api.http.get(f"/v1/customer/get/{SELLER}")
    assert customer.status == 200 and customer.body["message"] == "Customers fetched successfully"
    assert customer.data["firstname"] == "Ada"
    assert api.http.get(f"/v1/customer/{SELLER}").data == customer.data
    api.error(api.http.get(f"/v1/customer/get/{UNKNOWN_ID}"), 404, "Customer not found")
    api.error(api.http.get("/v1/customer/get/xyz"), 404, "Customer not found")


def test_customer_routes_ignore_a_customer_id_header(api):
    """Some real clients send customer-id on every call."""
    assert api.http.get("/v1/customers", customer=BUYER).status == 200


def test_update_permissions(api):
    reply = api.http.put(f"/v1/customer/permissions/{BUYER}", json={"canBuy": False})
    assert (reply.status, reply.body["message"]) == (200, "Customers fetched successfully")
    assert reply.data == {"id": BUYER, "canBuy": False, "canSell": True, "canWithdraw": True}
    escrow = api.create_milestone_escrow()
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}}),
        401, "Access denied")
    api.http.put(f"/v1/customer/permissions/{BUYER}", json={"canBuy": True})
    api.pay(escrow["id"])


def test_update_permissions__can_sell(api):
    api.http.put(f"/v1/customer/permissions/{SELLER}", json={"canSell": False, "canWithdraw": False})
    api.error(api.http.post("/v1/escrow/milestone/create", customer=SELLER, json={
        "amount": 10, "purpose": "x", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 5}]}), 401, "Access denied")
    api.error(api.http.post("/v1/escrow/create", customer=SELLER, data={"amount": "10", "purpose": "x", "whoPays": "buyer"}),
              401, "Access denied")


@pytest.mark.parametrize("body, message", [
    ({}, "At least one of canBuy, canSell, canWithdraw is required"),
    ({"canBuy": "no"}, '"canBuy" must be a boolean'),
    ({"canFly": True}, '"canFly" is not allowed'),
])
def test_update_permissions__invalid(api, body, message):
    api.error(api.http.put(f"/v1/customer/permissions/{BUYER}", json=body), 400, message)


def test_update_permissions__unknown(api):
    api.error(api.http.put(f"/v1/customer/permissions/{UNKNOWN_ID}", json={"canBuy": True}), 404, "Customer not found")


def test_block_and_unblock(api):
    reply = api.http.put(f"/v1/customer/block/{BUYER}", json={"reason": "chargebacks"})
    assert (reply.status, reply.body["message"], reply.data) == (200, "Customers status updated successfully",
                                                                  {"id": BUYER, "status": "blocked"})
    customer = api.http.get(f"/v1/customer/get/{BUYER}").data
    assert (customer["status"], customer["blockedReason"], customer["blockedAt"]) == ("blocked", "chargebacks", START)
    for method, path in [("GET", "/v1/wallet"), ("POST", "/v1/payment/escrow"),
                         ("GET", "/v1/escrow/transactions?type=buy"), ("GET", "/v1/escrow/dispute/get")]:
        api.error(api.http.request(method, path, customer=BUYER, json={
            "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": UNKNOWN_ID}}),
            401, "Your account is disabled. Please contact support")
    reply = api.http.put(f"/v1/customer/unblock/{BUYER}")
    assert reply.data == {"id": BUYER, "status": "active"}
    assert api.wallet(BUYER)["mainBalance"] == 5000000
    assert api.http.get(f"/v1/customer/get/{BUYER}").data["blockedReason"] is None


def test_block__unknown(api):
    api.error(api.http.put(f"/v1/customer/block/{UNKNOWN_ID}"), 404, "Customer not found")
    api.error(api.http.put(f"/v1/customer/unblock/{UNKNOWN_ID}"), 404, "Customer not found")


LIMITED = "sk_test_limited_ci"


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/v1/customer/create", NEW),
    ("GET", "/v1/customers", None),
    ("GET", f"/v1/customer/get/{BUYER}", None),
    ("PUT", f"/v1/customer/permissions/{BUYER}", {"canBuy": False}),
    ("PUT", f"/v1/customer/block/{BUYER}", None),
    ("PUT", f"/v1/customer/unblock/{BUYER}", None),
    ("GET", "/v1/wallet", None),
])
def test_customer_routes_need_a_super_admin_key(api, method, path, body):
    reply = api.http.request(method, path, key=LIMITED, customer=BUYER, json=body)
    api.error(reply, 401, "Access denied")


def test_limited_key_still_runs_escrows(api):
    reply = api.http.post("/v1/escrow/milestone/create", key=LIMITED, customer=SELLER, json={
        "amount": 10, "purpose": "x", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 5}]})
    assert reply.status == 201
