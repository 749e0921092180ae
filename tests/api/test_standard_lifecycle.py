"""Standard escrows: edit, delete, confirm, claim, disputes, lists, multi-quantity copies."""

import pytest

from tests.conftest import advance_clock, BUYER, POOR_BUYER, SELLER, SELLER2, UNKNOWN_ID, Api, InProcessHttp

DAY_MS = 86_400_000


def standard(api, amount=1000000, who_pays="both", seller=SELLER, **extra):
    fields = {"amount": str(amount), "purpose": "Phone", "whoPays": who_pays, **extra}
    return api.create_escrow(fields, seller=seller)


def funded(api, **kw):
    escrow = standard(api, **kw)
    api.pay(escrow["id"])
    return escrow


def dispute(api, escrow, customer=BUYER, message="Item not as described", files=None):
    return api.http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=customer,
                         data={"message": message}, files=files)


def resolve(api, escrow, status="REFUNDED", resolution="Refund the buyer", **kw):
    return api.http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", data={"resolution": resolution,
                                                                            "status": status}, **kw)


# -- edit / delete ------------------------------------------------------------------------------


def test_edit_escrow(api):
    escrow = api.create_escrow(files={"imageUrl": [("a.png", b"x")]})
    reply = api.http.put(f"/v1/escrow/edit/{escrow['paymentToken']}", customer=SELLER,
                         data={"amount": "160000", "purpose": "MacBook Pro 16"}, files={"imageUrl": [("b.jpg", b"y")]})
    assert reply.status == 200 and reply.body["message"] == "Escrow updated successfully"
    edited = reply.data
    assert (edited["amount"], edited["fee"], edited["purpose"]) == (160000, 4000, "MacBook Pro 16")
    assert (edited["whoPays"], edited["description"]) == ("both", "Space grey, sealed"), "fields not sent are kept"
    assert edited["imageUrl"][0] == escrow["imageUrl"][0] and edited["imageUrl"][1].endswith(".jpg")
    assert api.verify(escrow["paymentToken"]) == {**edited, "isSeller": False}


def test_edit_escrow__json(api):
    escrow = standard(api)
    reply = api.http.put(f"/v1/escrow/edit/{escrow['paymentToken']}", customer=SELLER, json={"whoPays": "seller"})
    assert reply.data["whoPays"] == "seller" and reply.data["fee"] == 25000


def test_edit_escrow__refused(api):
    escrow = standard(api)
    path = f"/v1/escrow/edit/{escrow['paymentToken']}"
    api.error(api.http.put(path, customer=SELLER2, data={"amount": "5"}), 400, "Action not allowed")
    api.error(api.http.put(path, customer=SELLER, data={"amount": "0"}), 400, '"amount" must be greater than or equal to 1')
    api.error(api.http.put(path, customer=SELLER, data={"whoPays": "x"}), 400, '"whoPays" must be one of [buyer, seller, both]')
    api.error(api.http.put(path, customer=SELLER, data={}, files={"imageUrl": [(f"{i}.png", b"x") for i in range(6)]}),
              400, '"imageUrl" must contain at most 5 images')
    api.error(api.http.put("/v1/escrow/edit/PY_nothing001234", customer=SELLER, data={"amount": "5"}), 400,
              "Escrow not found")
    api.error(api.http.put(path, data={"amount": "5"}), 400, "customer-id header is required")
    api.pay(escrow["id"])
    api.error(api.http.put(path, customer=SELLER, data={"amount": "5"}), 400, "Action not allowed")
    milestone = api.create_milestone_escrow()
    api.error(api.http.put(f"/v1/escrow/edit/{milestone['paymentToken']}", customer=SELLER, data={"amount": "5"}), 400,
              "Action not allowed")


@pytest.mark.parametrize("kind", ["standard", "milestone"])
def test_delete_escrow(api, kind):
    escrow = standard(api) if kind == "standard" else api.create_milestone_escrow()
    path = f"/v1/escrow/delete/{escrow['paymentToken']}"
    api.error(api.http.request("DELETE", path, customer=SELLER2), 400, "Action not allowed")
    reply = api.http.request("DELETE", path, customer=SELLER)
    assert (reply.status, reply.body["message"]) == (200, "Escrow deleted successfully")
    assert reply.data == {"id": escrow["id"], "paymentToken": escrow["paymentToken"]}
    api.error(api.http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    api.error(api.http.request("DELETE", path, customer=SELLER), 400, "Escrow not found")


def test_delete_escrow__funded(api):
    escrow = funded(api)
    api.error(api.http.request("DELETE", f"/v1/escrow/delete/{escrow['paymentToken']}", customer=SELLER), 400,
              "Action not allowed")


# -- confirm-payment --------------------------------------------------------------------------


@pytest.mark.parametrize("who_pays, seller_gets", [("both", 987500), ("buyer", 1000000), ("seller", 975000)])
def test_confirm_payment(api, who_pays, seller_gets):
    escrow = funded(api, who_pays=who_pays)
    before = api.wallet(SELLER)["mainBalance"]
    reply = api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER)
    assert (reply.status, reply.body["message"]) == (200, "Escrow updated successfully")
    assert (reply.data["state"], reply.data["status"], reply.data["completedAt"]) == ("CLOSED", "COMPLETED",
                                                                                      "2026-06-22T10:15:00.000Z")
    assert api.wallet(SELLER)["mainBalance"] == before + seller_gets
    assert api.wallet(BUYER)["escrowBalance"] == 0
    ledger = api.http.get("/_sandbox/ledger").data
    assert ledger["balances"]["payluk:fees"] == 25000


def test_confirm_payment__refused(api):
    escrow = standard(api)
    path = f"/v1/escrow/confirm-payment/{escrow['id']}"
    api.error(api.http.post(path, customer=BUYER), 400, "Action not allowed")  # not funded
    api.pay(escrow["id"])
    api.error(api.http.post(path, customer=SELLER), 400, "Action not allowed")  # not the buyer
    api.error(api.http.post(path), 400, "customer-id header is required")
    api.error(api.http.post(f"/v1/escrow/confirm-payment/{UNKNOWN_ID}", customer=BUYER), 400, "Escrow not found")
    assert dispute(api, escrow).status == 200
    api.error(api.http.post(path, customer=BUYER), 400, "Action not allowed")  # funds frozen by the dispute
    milestone = api.funded_milestone_escrow()
    api.error(api.http.post(f"/v1/escrow/confirm-payment/{milestone['id']}", customer=BUYER), 400, "Action not allowed")


def test_confirm_payment__twice(api):
    escrow = funded(api)
    api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER)
    api.error(api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER), 400, "Action not allowed")


# -- claim-funds (needs the clock: in-process, moving the namespace clock directly) --------------


@pytest.fixture
def local(app):
    api = Api(InProcessHttp(app))
    yield api
    assert api.http.get("/_sandbox/invariants").data["violations"] == []


def advance(app, ms):
    advance_clock(app, ms)


@pytest.mark.parametrize("max_delivery, timeline, wait_ms", [("3", "days", 3 * DAY_MS), ("2", "hours", 7_200_000),
                                                              ("30", "minutes", 1_800_000)])
def test_claim_funds(app, local, max_delivery, timeline, wait_ms):
    escrow = funded(local, maxDelivery=max_delivery, deliveryTimeline=timeline)
    path = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    local.error(local.http.get(path, customer=SELLER), 400, "Escrow cannot be claimed yet")
    advance(app, wait_ms - 1)
    local.error(local.http.get(path, customer=SELLER), 400, "Escrow cannot be claimed yet")
    advance(app, 1)
    reply = local.http.get(path, customer=SELLER)
    assert (reply.status, reply.body["message"]) == (200, "Funds claimed successfully")
    assert (reply.data["status"], reply.data["state"], reply.data["paymentToken"]) == ("CLAIMED", "CLOSED",
                                                                                      escrow["paymentToken"])
    assert reply.data["approvedClaimBy"] == SELLER
    assert local.wallet(SELLER)["mainBalance"] == 987500
    local.error(local.http.get(path, customer=SELLER), 400, "Action not allowed")


def test_claim_funds__refused(app, local):
    escrow = standard(local)
    path = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    local.error(local.http.get(path, customer=SELLER), 400, "Action not allowed")  # not funded
    local.pay(escrow["id"])
    advance(app, 30 * DAY_MS)
    local.error(local.http.get(path, customer=BUYER), 400, "Action not allowed")  # not the seller
    assert dispute(local, escrow).status == 200
    local.error(local.http.get(path, customer=SELLER), 400, "Action not allowed")  # disputed
    milestone = local.funded_milestone_escrow()
    local.error(local.http.get(f"/v1/escrow/claim-funds/{milestone['paymentToken']}", customer=SELLER), 400,
                "Action not allowed")
    local.error(local.http.get("/v1/escrow/claim-funds/PY_nothing001234", customer=SELLER), 400, "Escrow not found")


# -- disputes ------------------------------------------------------------------------------------


def test_submit_dispute__buyer_then_seller(api):
    escrow = funded(api)
    opened = dispute(api, escrow, files={"file": [("proof.jpg", b"x")]})
    assert (opened.status, opened.body["message"]) == (200, "Escrow dispute submitted successfully")
    assert (opened.data["status"], opened.data["state"]) == ("DISPUTED", "OPENED")
    [entry] = opened.data["dispute"]
    assert (entry["type"], entry["name"], entry["message"]) == ("buyer", "Tunde Bakare", "Item not as described")
    assert entry["createdAt"] == "2026-06-22 10:15:00" and entry["proofUrl"].endswith(".jpg")
    api.error(dispute(api, escrow), 400, "Buyer already submitted Dispute")
    replied = dispute(api, escrow, customer=SELLER, message="It was sealed")
    assert replied.data["status"] == "INVESTIGATING"
    assert [(e["type"], e["proofUrl"]) for e in replied.data["dispute"]][1] == ("seller", None)
    assert replied.data["logs"] == ["PENDING", "ONGOING", "DISPUTED"]
    api.error(dispute(api, escrow, customer=SELLER), 400, "Seller already submitted Dispute")
    api.error(dispute(api, escrow), 400, "Buyer already submitted Dispute")


def test_submit_dispute__refused(api):
    escrow = standard(api)
    api.error(dispute(api, escrow), 400, "Action not allowed")  # not funded: nobody is the buyer yet
    api.pay(escrow["id"])
    api.error(dispute(api, escrow, customer=SELLER), 400, "Action not allowed")  # the seller cannot open
    api.error(dispute(api, escrow, customer=POOR_BUYER), 400, "Action not allowed")  # not a party
    api.error(dispute(api, escrow, message=""), 400, '"message" is not allowed to be empty')
    api.error(api.http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER, data={}), 400,
              '"message" is required')
    api.error(api.http.post("/v1/escrow/submit-dispute/PY_nothing001234", customer=BUYER, data={"message": "x"}), 400,
              "Escrow not found")
    api.http.post(f"/v1/escrow/confirm-payment/{escrow['id']}", customer=BUYER)
    api.error(dispute(api, escrow), 400, "Action not allowed")  # closed


def test_resolve_dispute__refund(api):
    escrow = funded(api)
    before = api.wallet(BUYER)
    dispute(api, escrow)
    reply = resolve(api, escrow)
    assert (reply.status, reply.body["message"]) == (200, "Dispute resolution submitted successfully")
    assert (reply.data["status"], reply.data["state"]) == ("REFUNDED", "CLOSED")
    assert reply.data["refundedBy"] == "665f1b2c9a1e4d0012ab3c01"
    assert reply.data["dispute"][-1]["type"] == "merchant" and reply.data["dispute"][-1]["message"] == "Refund the buyer"
    assert api.wallet(BUYER) == {"mainBalance": before["mainBalance"] + 1012500, "escrowBalance": 0, "currency": "NGN"}
    assert api.wallet(SELLER)["mainBalance"] == 0


def test_resolve_dispute__completed_after_reply(api):
    escrow = funded(api)
    dispute(api, escrow)
    dispute(api, escrow, customer=SELLER, message="Delivered")
    reply = resolve(api, escrow, status="completed", resolution="Seller delivered")
    assert (reply.data["status"], reply.data["state"]) == ("COMPLETED", "CLOSED")
    assert api.wallet(SELLER)["mainBalance"] == 987500
    assert api.http.get("/_sandbox/ledger").data["balances"]["payluk:fees"] == 25000


def test_resolve_dispute__refused(api):
    escrow = funded(api)
    api.error(resolve(api, escrow), 400, "No dispute found for this escrow")
    dispute(api, escrow)
    api.error(resolve(api, escrow, customer=SELLER), 400, "customer-id is not allowed in request header")
    api.error(resolve(api, escrow, status="SPLIT"), 400, '"status" must be one of [COMPLETED, REFUNDED]')
    api.error(api.http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", data={"status": "REFUNDED"}), 400,
              '"resolution" is required')
    api.error(api.http.post(f"/v1/escrow/dispute/resolve/{UNKNOWN_ID}", data={"status": "REFUNDED", "resolution": "x"}),
              400, "Escrow not found")
    assert resolve(api, escrow).status == 200
    api.error(resolve(api, escrow), 400, "Escrow already completed")


def test_dispute_reads(api):
    first, second = funded(api), funded(api, amount=5000)
    funded(api, amount=7000)  # never disputed
    dispute(api, first)
    dispute(api, second)
    mine = api.http.get("/v1/escrow/dispute/get", customer=BUYER)
    assert (mine.status, mine.body["message"]) == (200, "Escrow retrieved successfully")
    assert [e["id"] for e in mine.data["data"]] == [second["id"], first["id"]]
    assert mine.data["pagination"]["count"] == 2
    by_token = api.http.get(f"/v1/escrow/dispute/get?paymentToken={first['paymentToken']}", customer=SELLER)
    assert [e["id"] for e in by_token.data["data"]] == [first["id"]]
    assert api.http.get("/v1/escrow/dispute/get?fromDate=2026-06-23", customer=BUYER).data["data"] == []
    assert len(api.http.get("/v1/escrow/dispute/get?toDate=2026-06-22", customer=BUYER).data["data"]) == 2
    assert api.http.get("/v1/escrow/dispute/get", customer=POOR_BUYER).data["data"] == []
    one = api.http.get(f"/v1/escrow/dispute/get/{first['id']}", customer=BUYER)
    assert (one.status, one.body["message"]) == (200, "Escrow dispute retrieved successfully")
    assert one.data["dispute"][0]["type"] == "buyer"
    api.error(api.http.get(f"/v1/escrow/dispute/get/{first['id']}", customer=POOR_BUYER), 400, "Escrow not found")
    api.error(api.http.get("/v1/escrow/dispute/get"), 400, "customer-id header is required")
    everything = api.http.get("/v1/escrow/all-dispute?limit=1")
    assert (everything.status, everything.body["message"]) == (200, "Disputes fetched successfully")
    assert everything.data["pagination"] == {"count": 2, "pages": 2, "isLastPage": False, "nextPage": 2,
                                             "previousPage": None}
    api.error(api.http.get("/v1/escrow/all-dispute", customer=BUYER), 400, "customer-id is not allowed in request header")
    api.error(api.http.get("/v1/escrow/dispute/get?fromDate=yesterday", customer=BUYER), 400,
              '"fromDate" must be a valid date (YYYY-MM-DD)')


def test_get_dispute__none(api):
    escrow = funded(api)
    api.error(api.http.get(f"/v1/escrow/dispute/get/{escrow['id']}", customer=BUYER), 400,
              "No dispute found for this escrow")


# -- lists -----------------------------------------------------------------------------------------


def test_list_transactions(api):
    a = standard(api, amount=1000)
    b = standard(api, amount=2000)
    other = standard(api, amount=3000, seller=SELLER2)
    api.pay(b["id"])
    sales = api.http.get("/v1/escrow/transactions?type=sales", customer=SELLER)
    assert (sales.status, sales.body["message"]) == (200, "Transaction fetched successfully")
    assert [e["id"] for e in sales.data["data"]] == [b["id"], a["id"]]
    assert all(e["isSeller"] for e in sales.data["data"])
    buys = api.http.get("/v1/escrow/transactions?type=buy", customer=BUYER).data
    assert [e["id"] for e in buys["data"]] == [b["id"]] and buys["data"][0]["isSeller"] is False
    ongoing = api.http.get("/v1/escrow/transactions?type=sales&status=ongoing", customer=SELLER).data
    assert [e["id"] for e in ongoing["data"]] == [b["id"]]
    paged = api.http.get("/v1/escrow/transactions?type=sales&limit=1&page=2", customer=SELLER).data
    assert [e["id"] for e in paged["data"]] == [a["id"]] and paged["pagination"]["isLastPage"] is True
    assert other["id"] not in [e["id"] for e in sales.data["data"]]
    assert api.http.get("/v1/escrow/transactions?type=sales").data["data"] == []


@pytest.mark.parametrize("query", ["", "?type=all", "?type=SALES"])
def test_list_transactions__type_required(api, query):
    api.error(api.http.get(f"/v1/escrow/transactions{query}", customer=SELLER), 401, '"type" must be one of [sales, buy]')


def test_list_transactions__bad_filters(api):
    api.error(api.http.get("/v1/escrow/transactions?type=buy&status=LOST", customer=BUYER), 400,
              '"status" must be one of [PENDING, ONGOING, COMPLETED, CLAIMED, REFUNDED, DISPUTED, INVESTIGATING]')
    api.error(api.http.get("/v1/escrow/transactions?type=buy&limit=101", customer=BUYER), 400,
              '"limit" must be less than or equal to 100')


def test_list_feeds(api):
    a = standard(api, amount=1000)
    b = standard(api, amount=2000, seller=SELLER2)
    api.pay(b["id"], buyer=POOR_BUYER)
    feeds = api.http.get("/v1/escrow/feeds")
    assert (feeds.status, feeds.body["message"]) == (200, "Escrow transactions fetched successfully")
    assert [e["id"] for e in feeds.data["data"]] == [b["id"], a["id"]]
    assert [e["id"] for e in api.http.get(f"/v1/escrow/feeds?customerId={POOR_BUYER}").data["data"]] == [b["id"]]
    assert [e["id"] for e in api.http.get("/v1/escrow/feeds?status=PENDING").data["data"]] == [a["id"]]
    assert [e["id"] for e in api.http.get(f"/v1/escrow/feeds?paymentToken={a['paymentToken']}").data["data"]] == [a["id"]]
    assert api.http.get("/v1/escrow/feeds?fromDate=2026-06-23").data["data"] == []
    api.error(api.http.get("/v1/escrow/feeds", customer=SELLER), 400, "customer-id is not allowed in request header")


# -- multi-quantity ------------------------------------------------------------------------------


def test_pay_escrow__multi_quantity_mints_copies(api):
    link = standard(api, amount=10000, who_pays="buyer", totalQuantity="3")
    first = api.pay(link["id"])
    original = api.verify(link["paymentToken"])
    assert (original["state"], original["totalQuantity"]) == ("AWAITING_PAYMENT", 2)
    buys = api.http.get("/v1/escrow/transactions?type=buy", customer=BUYER).data["data"]
    [copy] = buys
    assert copy["id"] != link["id"] and copy["paymentToken"] != link["paymentToken"]
    assert (copy["state"], copy["totalQuantity"], copy["amount"], copy["fee"]) == ("OPENED", 1, 10000, 250)
    assert copy["paymentDetails"]["reference"] == first["reference"]
    api.pay(link["id"], buyer=POOR_BUYER, gateway="PAYSTACK")
    assert api.verify(link["paymentToken"])["totalQuantity"] == 1
    api.pay(link["id"])  # the last unit: no copy, the link itself is funded
    last = api.verify(link["paymentToken"])
    assert (last["state"], last["totalQuantity"]) == ("OPENED", 1)
    assert len(api.http.get("/v1/escrow/transactions?type=sales", customer=SELLER).data["data"]) == 3
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": link["id"]}}),
        400, "Action not allowed")
    # Each copy has its own lifecycle.
    confirmed = api.http.post(f"/v1/escrow/confirm-payment/{copy['id']}", customer=BUYER)
    assert confirmed.data["status"] == "COMPLETED" and api.verify(link["paymentToken"])["status"] == "ONGOING"


# -- categories on escrows ---------------------------------------------------------------------

ELECTRONICS = "665f1b2c9a1e4d0012ab3c50"


def test_escrow_category(api):
    escrow = standard(api, categoryId=ELECTRONICS)
    assert escrow["category"]["id"] == ELECTRONICS and escrow["category"]["name"] == "Electronics"
    plain = standard(api)
    assert plain["category"] is None
    listed = api.http.get(f"/v1/escrow/transactions?type=sales&categoryId={ELECTRONICS}", customer=SELLER).data
    assert [e["id"] for e in listed["data"]] == [escrow["id"]]
    assert [e["id"] for e in api.http.get(f"/v1/escrow/feeds?categoryId={ELECTRONICS}").data["data"]] == [escrow["id"]]
    milestone = api.create_milestone_escrow({"amount": 10, "purpose": "x", "whoPays": "buyer", "categoryId": ELECTRONICS,
                                             "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 5}]})
    assert milestone["category"]["name"] == "Electronics"
    edited = api.http.put(f"/v1/escrow/edit/{plain['paymentToken']}", customer=SELLER, data={"categoryId": ELECTRONICS})
    assert edited.data["category"]["id"] == ELECTRONICS


def test_escrow_category__unknown(api):
    api.error(api.http.post("/v1/escrow/create", customer=SELLER, data={
        "amount": "10", "purpose": "x", "whoPays": "buyer", "categoryId": UNKNOWN_ID}), 400, "Category not found")
