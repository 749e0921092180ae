"""Profile 2026-10 ([B]): who may call the escrow and category routes (payluk-api.md §1, the
`customer-id` table). The header becomes optional on the seller's escrow routes and the
category routes; without it the merchant's own business account is the seller, and its
payouts land in the merchant wallet. In 2026-06 the header stays required where it was."""

import json

import pytest

from sandbox import create_app
from sandbox.controlplane.fixture_sets import DEFAULT_DIR
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from tests.api.test_profile_milestones import WINDOW, charge, example, pay
from tests.conftest import BUYER, KEY, SELLER, UNKNOWN_ID, Api, InProcessHttp, make_config

MERCHANT = "665f1b2c9a1e4d0012ab3c01"  # the default fixture set's merchant
STANDARD = {"amount": "150000", "purpose": "Phone", "whoPays": "buyer", "maxDelivery": "3", "deliveryTimeline": "days"}
MILESTONES = [{"title": "a", "amount": 400000}, {"title": "b", "amount": 600000}]
DAY = 86_400


def create(api, customer=None, fields=None):
    return api.http.post("/v1/escrow/create", customer=customer, data=fields or STANDARD)


def merchant_credits(http, escrow_id) -> list:
    """Amounts posted to the merchant wallet for an escrow, in naira."""
    postings = http.get("/_sandbox/ledger").data["postings"]
    return [amount for p in postings if p.get("escrowId") == escrow_id
            for account, amount in p["entries"] if account == "merchant:main" and p["kind"] != "fee"]


def sales(api, customer=None):
    reply = api.http.get("/v1/escrow/transactions?type=sales", customer=customer)
    assert reply.status == 200, reply.body
    return reply.data["data"]


# -- the merchant sells: create, list, pay, release -----------------------------------------------


def test_create_escrow__without_customer_id_the_merchant_sells(later):
    reply = create(later)
    assert reply.status == 201, reply.body
    escrow = reply.data
    assert escrow["isSeller"] is True
    assert [e["id"] for e in sales(later)] == [escrow["id"]]
    assert all(e["isSeller"] for e in sales(later))
    assert sales(later, SELLER) == []  # not the customer's
    assert later.http.get("/v1/escrow/transactions?type=buy").data["data"] == []


def test_confirm_payment__merchant_escrow_pays_the_merchant_wallet(later):
    escrow = create(later).data
    before = later.balances(SELLER)
    pay(later, escrow)
    reply = later.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER)
    assert (reply.status, reply.data["status"]) == (200, "COMPLETED")
    assert merchant_credits(later.http, escrow["id"]) == [150000]
    assert later.balances(SELLER) == before


def test_claim_funds__the_merchant_claims_without_customer_id(later):
    escrow = create(later).data
    pay(later, escrow)
    path = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    assert later.http.post("/_sandbox/clock/advance", json={"seconds": 4 * DAY}).status == 200
    later.error(later.http.get(path, customer=SELLER), 400, E.ACTION_NOT_ALLOWED)  # not the customer's escrow
    reply = later.http.get(path)
    assert (reply.status, reply.data["status"], reply.data["isSeller"]) == (200, "CLAIMED", True)
    assert merchant_credits(later.http, escrow["id"]) == [150000]


def test_milestone_escrow__the_merchant_sells_and_is_paid_per_milestone(later):
    reply = later.http.post("/v1/escrow/milestone/create", json=example(milestones=MILESTONES))
    assert reply.status == 201, reply.body
    escrow = reply.data
    token = escrow["paymentToken"]
    edited = later.http.put(f"/v1/escrow/milestone/edit/{token}", json=example(milestones=MILESTONES, purpose="Site"))
    assert (edited.status, edited.data["purpose"], edited.data["isSeller"]) == (200, "Site", True)
    escrow = edited.data
    pay(later, escrow)
    for milestone in escrow["milestones"]:
        assert later.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}",
                               customer=BUYER).status == 200
    assert merchant_credits(later.http, escrow["id"]) == [400000, 600000]


def test_edit_delete_convert__the_merchant_acts_on_its_own_escrows_only(later):
    mine = create(later).data
    theirs = create(later, SELLER).data
    reply = later.http.put(f"/v1/escrow/edit/{mine['paymentToken']}", data={"purpose": "Tablet", **WINDOW})
    assert (reply.status, reply.data["purpose"]) == (200, "Tablet")
    later.error(later.http.put(f"/v1/escrow/edit/{theirs['paymentToken']}", data={"purpose": "Mine now", **WINDOW}),
                400, E.ACTION_NOT_ALLOWED)
    later.error(later.http.request("DELETE", f"/v1/escrow/delete/{theirs['paymentToken']}"), 400,
                E.ACTION_NOT_ALLOWED)
    later.error(later.http.put(f"/v1/escrow/milestone/convert/{theirs['paymentToken']}",
                               json={"milestones": [{"title": "a", "amount": 75000}, {"title": "b", "amount": 75000}]}),
                400, E.ACTION_NOT_ALLOWED)
    converted = later.http.put(f"/v1/escrow/milestone/convert/{mine['paymentToken']}",
                               json={"milestones": [{"title": "a", "amount": 75000}, {"title": "b", "amount": 75000}]})
    assert (converted.status, converted.data["settlementType"]) == (200, "MILESTONE")
    deleted = later.http.request("DELETE", f"/v1/escrow/delete/{mine['paymentToken']}")
    assert deleted.status == 200
    assert [e["id"] for e in sales(later)] == []


def test_customer_escrows_unchanged_with_the_header(later):
    reply = create(later, SELLER)
    assert (reply.status, reply.data["isSeller"]) == (201, True)
    assert [e["id"] for e in sales(later, SELLER)] == [reply.data["id"]]
    assert sales(later) == []


# -- a bad customer-id, a merchant that is no business account ------------------------------------


SELLER_ROUTES = [
    ("POST", "/v1/escrow/create", {"data": STANDARD}),
    ("POST", "/v1/escrow/milestone/create", {"json": example(milestones=MILESTONES)}),
    ("PUT", "/v1/escrow/edit/PY_nothing001234", {"data": {"purpose": "x", **WINDOW}}),
    ("DELETE", "/v1/escrow/delete/PY_nothing001234", {}),
    ("PUT", "/v1/escrow/milestone/edit/PY_nothing001234", {"json": example(milestones=MILESTONES)}),
    ("PUT", "/v1/escrow/milestone/convert/PY_nothing001234", {"json": {"milestones": MILESTONES}}),
    ("GET", "/v1/escrow/claim-funds/PY_nothing001234", {}),
    ("GET", "/v1/escrow/transactions?type=sales", {}),
]


@pytest.mark.parametrize("method, path, sent", SELLER_ROUTES)
def test_customer_id__unknown_or_blocked(later, method, path, sent):
    later.error(later.http.request(method, path, customer=UNKNOWN_ID, **sent), 404, E.CUSTOMER_NOT_FOUND)
    assert later.http.put(f"/v1/customer/block/{SELLER}", json={"reason": "test"}).status == 200
    later.error(later.http.request(method, path, customer=SELLER, **sent), 401, E.ACCOUNT_DISABLED)


@pytest.mark.parametrize("method, path, sent", SELLER_ROUTES[:-1])
def test_customer_id__still_required_in_2026_06(api, method, path, sent):
    api.error(api.http.request(method, path, **sent), 400, E.CUSTOMER_ID_REQUIRED)


def test_list_transactions__merchant_list_empty_in_2026_06(api):
    api.create_escrow()
    reply = api.http.get("/v1/escrow/transactions?type=sales")
    assert (reply.status, reply.data["data"]) == (200, [])


@pytest.fixture
def not_business(tmp_path):
    """An in-process sandbox answering by 2026-10 whose merchant is no business account."""
    data = json.loads((DEFAULT_DIR / "default.json").read_text())
    data["merchant"]["business"] = False
    data["profile"] = OCTOBER
    file = tmp_path / "fixture.json"
    file.write_text(json.dumps(data))
    http = InProcessHttp(create_app(make_config(fixtures=str(file))))
    http.profiles[KEY] = OCTOBER
    yield Api(http)
    http.app.close()


def test_create_escrow__a_merchant_that_is_no_business_account(not_business):
    api = not_business
    api.error(create(api), 401, E.MERCHANT_SELF_ESCROW)
    api.error(api.http.post("/v1/escrow/milestone/create", json=example(milestones=MILESTONES)), 401,
              E.MERCHANT_SELF_ESCROW)
    assert create(api, SELLER).status == 201  # its customers still sell
    assert api.http.get("/v1/escrow/transactions?type=sales").data["data"] == []
    assert api.http.get("/_sandbox/invariants").data["violations"] == []


# -- paying one's own escrow (not refused: staging) ------------------------------------------------


def test_pay_escrow__own_escrow_allowed_on_staging(later):
    """§4.1 row 5 refuses buyer = seller on live only; the sandbox is staging."""
    escrow = create(later, BUYER, {**STANDARD, "amount": "1000"}).data
    reply = later.http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "wallet", "transactionType": "escrow", "amount": charge(escrow),
        "escrowDetails": {"escrowId": escrow["id"]}})
    assert reply.status == 200, reply.body


# -- categories ------------------------------------------------------------------------------------


def test_categories__customer_id_optional_and_checked(later):
    created = later.http.post("/v1/escrow/category/create", json={"name": "Phones"})
    assert created.status == 201
    category = created.data["id"]
    assert later.http.post("/v1/escrow/category/create", customer=SELLER, json={"name": "Laptops"}).status == 201
    for method, path, request in [
        ("POST", "/v1/escrow/category/create", {"json": {"name": "Books"}}),
        ("PUT", f"/v1/escrow/category/edit/{category}", {"json": {"name": "Mobiles"}}),
        ("GET", "/v1/escrow/category/get", {}),
        ("GET", f"/v1/escrow/category/get/{category}", {}),
        ("PUT", f"/v1/escrow/category/position/{category}", {"json": {"newPosition": 2}}),
        ("DELETE", f"/v1/escrow/category/delete/{category}", {}),
    ]:
        later.error(later.http.request(method, path, customer=UNKNOWN_ID, **request), 404, E.CUSTOMER_NOT_FOUND)
        reply = later.http.request(method, path, customer=SELLER, **request)
        assert reply.status in (200, 201), reply.body
    names = [c["name"] for c in later.http.get("/v1/escrow/category/get?limit=100").data["data"]]
    assert "Laptops" in names and "Books" in names and "Mobiles" not in names


def test_categories__customer_id_ignored_in_2026_06(api):
    reply = api.http.post("/v1/escrow/category/create", customer=UNKNOWN_ID, json={"name": "Phones"})
    assert reply.status == 201
    reply = api.http.get("/v1/escrow/category/get?limit=100", customer=UNKNOWN_ID)
    assert "Phones" in [c["name"] for c in reply.data["data"]]
