"""Hosted checkout: the SDK's session route (publishable key, CORS, top-level `session`) and
the sandbox checkout page, driven without a browser (GET the page, POST its forms, read the
303 without following it)."""

import re
from html import escape

import pytest

from tests.conftest import BUYER, KEY, POOR_BUYER, SELLER, START, UNKNOWN_ID, InProcessHttp
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)

PK = "pk_test_suite"  # pairs with tests.conftest.KEY = sk_test_suite
RETURN = "http://localhost:9/return?order=42"
SESSION_FIELDS = ["id", "url", "paymentToken", "reference", "amount", "status", "customerId", "expiresAt",
                  "redirectUrl"]
EXPIRES = START.replace("10:15:00", "10:45:00")  # 30 minutes after the frozen START


# -- helpers ---------------------------------------------------------------------------------


def standard(api, amount=1000000, who_pays="both", seller=SELLER):
    return api.create_escrow({"amount": str(amount), "purpose": "Phone", "whoPays": who_pays}, seller=seller)


def session_body(token, reference="order_1", redirect=RETURN, public_key=PK, **extra):
    return {"paymentToken": token, "reference": reference, "redirectUrl": redirect, "publicKey": public_key, **extra}


def post_session(http, body):
    """The SDK's request: JSON, no Authorization header."""
    return http.post("/v1/checkout/session", key=None, json=body)


def create_session(http, token, **kw):
    reply = post_session(http, session_body(token, **kw))
    assert reply.status == 201, reply.body
    return reply.body["session"]


def get_session(http, session_id, public_key=PK):
    return http.get(f"/v1/checkout/session/{session_id}?publicKey={public_key}", key=None)


def host_url(http) -> str:
    return "http://localhost/" if isinstance(http, InProcessHttp) else http.base_url + "/"


def page(http, method, path, form=None):
    """An HTML page request: (status, text, headers); redirects are never followed."""
    if isinstance(http, InProcessHttp):
        resp = http.client.open(path, method=method, data=form)
        return resp.status_code, resp.get_data(as_text=True), resp.headers
    resp = http.session.request(method, http.base_url + path, data=form, allow_redirects=False, timeout=30)
    return resp.status_code, resp.text, resp.headers


def approve(http, session_id, form=None):
    return page(http, "POST", f"/_sandbox/checkout/{session_id}/approve", form)


def decline(http, session_id):
    return page(http, "POST", f"/_sandbox/checkout/{session_id}/decline")


def assert_refusal_page(result, status, message):
    code, text, headers = result
    assert code == status, text
    assert headers["Content-Type"].startswith("text/html")
    assert f'<p id="message">{escape(message).replace("&quot;", "&#34;")}</p>' in text


# -- POST /v1/checkout/session ------------------------------------------------------------------


def test_create_checkout_session(api, http):
    escrow = standard(api)
    reply = post_session(http, session_body(escrow["paymentToken"]))
    assert reply.status == 201
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert list(reply.body) == ["status", "message", "data", "session"]
    assert (reply.body["status"], reply.body["message"]) == (201, "Checkout session created successfully")
    session = reply.body["session"]
    assert reply.data == {"session": session}
    assert list(session) == SESSION_FIELDS
    assert re.fullmatch(r"[0-9a-f]{24}", session["id"])
    assert session == {
        "id": session["id"],
        "url": f"{host_url(http)}_sandbox/checkout/{session['id']}",
        "paymentToken": escrow["paymentToken"],
        "reference": "order_1",
        "amount": 1012500,  # 1 000 000 + half of the 25 000 fee (whoPays both)
        "status": "PENDING",
        "customerId": None,
        "expiresAt": EXPIRES,
        "redirectUrl": RETURN,
    }
    # Opening a session moves no money and leaves the escrow unfunded.
    assert api.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"


@pytest.mark.parametrize("who_pays, amount", [("buyer", 1025000), ("seller", 1000000)])
def test_create_checkout_session__with_customer(api, http, who_pays, amount):
    escrow = standard(api, who_pays=who_pays)
    session = create_session(http, escrow["paymentToken"], customerId=BUYER.upper())
    assert (session["customerId"], session["amount"]) == (BUYER, amount)


def test_create_checkout_session__null_customer_means_none(api, http):
    escrow = standard(api)
    assert create_session(http, escrow["paymentToken"], customerId=None)["customerId"] is None


def test_create_checkout_session__preflight(http):
    reply = http.request("OPTIONS", "/v1/checkout/session", key=None,
                         headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert reply.status == 204
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert reply.headers["Access-Control-Allow-Headers"] == "Content-Type"


@pytest.mark.parametrize("change, status, message", [
    ({"publicKey": None}, 400, '"publicKey" must not be null'),
    ({"publicKey": ""}, 400, '"publicKey" is not allowed to be empty'),
    ({"publicKey": 42}, 400, '"publicKey" must be a string'),
    ({"publicKey": "pk_live_suite"}, 403, "Unauthorized Access"),
    ({"publicKey": "sk_test_suite"}, 403, "Unauthorized Access"),
    ({"publicKey": "pk_test_"}, 403, "Unauthorized Access"),
    ({"publicKey": "pk_test_a b"}, 403, "Unauthorized Access"),
    # The key is judged before the rest of the body.
    ({"publicKey": "pk_live_suite", "redirectUrl": "nope"}, 403, "Unauthorized Access"),
    ({"paymentToken": None}, 400, '"paymentToken" must not be null'),
    ({"reference": ""}, 400, '"reference" is not allowed to be empty'),
    ({"redirectUrl": "ftp://shop.example/return"}, 400, '"redirectUrl" must be a valid uri'),
    ({"redirectUrl": "/relative/return"}, 400, '"redirectUrl" must be a valid uri'),
    ({"redirectUrl": "javascript:alert(1)"}, 400, '"redirectUrl" must be a valid uri'),
    ({"customerId": 7}, 400, '"customerId" must be a string'),
    ({"amount": 1012500}, 400, '"amount" is not allowed'),
    ({"paymentToken": "PY_zzzzzzzz0000"}, 400, "Escrow not found"),
    ({"customerId": UNKNOWN_ID}, 404, "Customer not found"),
    ({"customerId": "not-an-id"}, 404, "Customer not found"),
])
def test_create_checkout_session__invalid(api, http, change, status, message):
    escrow = standard(api)
    reply = post_session(http, {**session_body(escrow["paymentToken"]), **change})
    api.error(reply, status, message)
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("missing", ["publicKey", "paymentToken", "reference", "redirectUrl"])
def test_create_checkout_session__missing_field(api, http, missing):
    body = session_body("PY_zzzzzzzz0000")
    del body[missing]
    api.error(post_session(http, body), 400, f'"{missing}" is required')


def test_create_checkout_session__empty_body_names_the_key_first(api, http):
    api.error(post_session(http, {}), 400, '"publicKey" is required')


@pytest.mark.parametrize("kwargs, message", [
    ({"body": "{not json", "headers": {"Content-Type": "application/json"}}, "Malformed JSON in request body"),
    ({"json": ["publicKey"]}, "Request body must be a JSON object"),
    ({"data": {"publicKey": PK}}, "Content-Type must be application/json"),
])
def test_create_checkout_session__malformed_body(api, http, kwargs, message):
    api.error(http.post("/v1/checkout/session", key=None, **kwargs), 400, message)


def test_create_checkout_session__escrow_already_funded(api, http):
    escrow = standard(api)
    api.pay(escrow["id"])
    api.error(post_session(http, session_body(escrow["paymentToken"])), 400,
              "Escrow is not in a valid state for checkout")


def test_create_checkout_session__duplicate_reference(api, http):
    first, second = standard(api), standard(api, 200000)
    create_session(http, first["paymentToken"], reference="order_1")
    api.error(post_session(http, session_body(second["paymentToken"], reference="order_1")), 400,
              "Duplicate reference")
    # A reference already used by a payment names that payment: refused too.
    third = standard(api, 300000)
    api.pay(third["id"], reference="paid_ref")
    api.error(post_session(http, session_body(second["paymentToken"], reference="paid_ref")), 400,
              "Duplicate reference")
    assert create_session(http, second["paymentToken"], reference="order_2")["reference"] == "order_2"


def test_create_checkout_session__publishable_key_picks_the_namespace(api, http):
    other = "sk_test_checkout_other"
    assert http.post("/_sandbox/reset", key=other).status == 200
    mine = standard(api)
    # The escrow lives under sk_test_suite: pk_test_checkout_other cannot see it.
    api.error(post_session(http, session_body(mine["paymentToken"], public_key="pk_test_checkout_other")), 400,
              "Escrow not found")
    reply = http.post("/v1/escrow/create", key=other, customer=SELLER,
                      data={"amount": "100000", "purpose": "Other", "whoPays": "buyer"})
    theirs = reply.data
    session = create_session(http, theirs["paymentToken"], public_key="pk_test_checkout_other")
    assert session["amount"] == 102500
    api.error(get_session(http, session["id"]), 404, "Checkout session not found")
    assert get_session(http, session["id"], "pk_test_checkout_other").status == 200


def test_create_checkout_session__equal_seeded_ids_get_distinct_pages(api, http):
    """Two seeded namespaces mint the same id sequence; each page must still reach its own."""
    keys = ["sk_test_checkout_a", "sk_test_checkout_b"]
    sessions = {}
    for key in keys:
        assert http.post("/_sandbox/reset", key=key).status == 200
        escrow = http.post("/v1/escrow/create", key=key, customer=SELLER,
                           data={"amount": "100000", "purpose": key, "whoPays": "buyer"}).data
        sessions[key] = (escrow, create_session(http, escrow["paymentToken"], public_key=key.replace("sk_", "pk_")))
    (escrow_a, session_a), (escrow_b, session_b) = sessions[keys[0]], sessions[keys[1]]
    assert escrow_a["id"] == escrow_b["id"]  # same seed, same sequence
    assert session_a["id"] != session_b["id"]
    code, text, _ = page(http, "GET", f"/_sandbox/checkout/{session_b['id']}")
    assert code == 200 and "<h1>sk_test_checkout_b</h1>" in text
    assert approve(http, session_b["id"], {"customerId": BUYER})[0] == 303
    state = lambda key, token: http.get(f"/v1/escrow/verify/{token}", key=key).data["state"]  # noqa: E731
    assert state(keys[1], escrow_b["paymentToken"]) == "OPENED"
    assert state(keys[0], escrow_a["paymentToken"]) == "AWAITING_PAYMENT"


# -- GET /v1/checkout/session/{id} -----------------------------------------------------------------


def test_get_checkout_session(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"])
    reply = get_session(http, session["id"].upper())
    assert reply.status == 200 and reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.body["message"] == "Checkout session fetched successfully"
    assert reply.body["session"] == reply.data["session"] == session
    approve(http, session["id"], {"customerId": BUYER})
    assert get_session(http, session["id"]).body["session"] == {**session, "status": "COMPLETED"}


@pytest.mark.parametrize("query, status, message", [
    ("", 400, '"publicKey" is required'),
    ("?publicKey=", 400, '"publicKey" is not allowed to be empty'),
    ("?publicKey=pk_live_suite", 403, "Unauthorized Access"),
    ("?publicKey=pk_test_suite", 404, "Checkout session not found"),
])
def test_get_checkout_session__invalid(api, http, query, status, message):
    api.error(http.get(f"/v1/checkout/session/{UNKNOWN_ID}{query}", key=None), status, message)


# -- the checkout page ----------------------------------------------------------------------------


def test_show_checkout(api, http):
    escrow = api.create_escrow({"amount": "150000", "purpose": 'MacBook <Pro> 14"', "whoPays": "both",
                                "description": "Space grey & sealed"})
    session = create_session(http, escrow["paymentToken"])
    code, text, headers = page(http, "GET", session["url"].replace(host_url(http), "/"))
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<meta name="viewport"' in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # no external assets
    assert "<h1>MacBook &lt;Pro&gt; 14&#34;</h1>" in text  # escaped
    assert "Space grey &amp; sealed" in text
    assert '<div class="total" id="amount">₦151,875</div>' in text
    assert f'action="/_sandbox/checkout/{session["id"]}/approve"' in text
    assert f'action="/_sandbox/checkout/{session["id"]}/decline"' in text
    options = re.findall(r'<option value="([0-9a-f]{24})">', text)
    assert BUYER in options and POOR_BUYER in options and SELLER not in options


def test_show_checkout__session_names_the_buyer(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], customerId=BUYER)
    code, text, _ = page(http, "GET", f"/_sandbox/checkout/{session['id']}")
    assert code == 200
    assert '<strong id="buyer">Tunde Bakare (tunde.bakare@sandbox.payluk.test)</strong>' in text
    assert "<select" not in text


def test_approve_checkout(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], reference="order_77")
    before = api.wallet(BUYER)
    code, _, headers = approve(http, session["id"], {"customerId": BUYER})
    assert code == 303
    assert headers["Location"] == "http://localhost:9/return?order=42&reference=order_77&status=success"
    funded = api.verify(escrow["paymentToken"], customer=BUYER)
    assert (funded["state"], funded["status"]) == ("OPENED", "ONGOING")
    assert funded["paymentDetails"] == {"reference": "order_77", "gateway": "CARD", "amount": 1012500}
    # A card charge: the buyer's main balance is untouched, the escrow balance holds the charge.
    assert api.wallet(BUYER) == {"mainBalance": before["mainBalance"],
                                 "escrowBalance": before["escrowBalance"] + 1012500, "currency": "NGN"}
    assert get_session(http, session["id"]).body["session"]["status"] == "COMPLETED"


def test_approve_checkout__session_customer_pays(api, http):
    escrow = api.create_milestone_escrow()
    session = create_session(http, escrow["paymentToken"], customerId=POOR_BUYER)
    # The session's customer is the buyer, whatever the form says.
    code, _, _ = approve(http, session["id"], {"customerId": BUYER})
    assert code == 303
    assert api.wallet(POOR_BUYER)["escrowBalance"] == 1025000
    assert api.wallet(BUYER)["escrowBalance"] == 0


@pytest.mark.parametrize("redirect, location", [
    ("https://shop.example/done", "https://shop.example/done?reference=order_1&status=success"),
    ("https://shop.example/done?a=1&a=2&empty=#top",
     "https://shop.example/done?a=1&a=2&empty=&reference=order_1&status=success#top"),
    ("https://shop.example/done?status=old&reference=old&x=y",
     "https://shop.example/done?x=y&reference=order_1&status=success"),
])
def test_approve_checkout__redirect_keeps_the_query(api, http, redirect, location):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], redirect=redirect)
    code, _, headers = approve(http, session["id"], {"customerId": BUYER})
    assert (code, headers["Location"]) == (303, location)


def test_decline_checkout(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], customerId=BUYER)
    before = api.wallet(BUYER)
    code, _, headers = decline(http, session["id"])
    assert code == 303
    assert headers["Location"] == "http://localhost:9/return?order=42&reference=order_1&status=cancelled"
    assert api.wallet(BUYER) == before
    assert api.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"
    assert get_session(http, session["id"]).body["session"]["status"] == "CANCELLED"
    assert_refusal_page(page(http, "GET", f"/_sandbox/checkout/{session['id']}"), 400,
                        "This checkout session was cancelled")
    assert_refusal_page(approve(http, session["id"], {"customerId": BUYER}), 400,
                        "This checkout session was cancelled")
    # The escrow can still be checked out in a new session.
    assert create_session(http, escrow["paymentToken"], reference="order_2")["status"] == "PENDING"


def test_approve_checkout__finished_session(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], customerId=BUYER)
    assert approve(http, session["id"])[0] == 303
    after = api.wallet(BUYER)
    for result in (page(http, "GET", f"/_sandbox/checkout/{session['id']}"), approve(http, session["id"]),
                   decline(http, session["id"])):
        assert_refusal_page(result, 400, "This checkout session has already been paid")
    assert api.wallet(BUYER) == after
    assert get_session(http, session["id"]).body["session"]["status"] == "COMPLETED"


@pytest.mark.parametrize("method, suffix", [("GET", ""), ("POST", "/approve"), ("POST", "/decline")])
def test_checkout_page__unknown_session(http, method, suffix):
    assert_refusal_page(page(http, method, f"/_sandbox/checkout/{UNKNOWN_ID}{suffix}"), 404,
                        "Checkout session not found")


@pytest.mark.parametrize("form, message", [
    (None, "Choose the customer who pays"),
    ({"customerId": ""}, "Choose the customer who pays"),
    ({"customerId": "tunde"}, '"customerId" must be a valid id (24 hex characters)'),
    ({"customerId": UNKNOWN_ID}, "Customer not found"),
])
def test_approve_checkout__invalid_buyer(api, http, form, message):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"])
    assert_refusal_page(approve(http, session["id"], form), 400, message)
    assert get_session(http, session["id"]).body["session"]["status"] == "PENDING"
    assert api.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"


def test_approve_checkout__escrow_paid_meanwhile(api, http):
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"])
    api.pay(escrow["id"])
    after = api.wallet(POOR_BUYER)
    assert_refusal_page(approve(http, session["id"], {"customerId": POOR_BUYER}), 400, "Action not allowed")
    assert api.wallet(POOR_BUYER) == after
    assert get_session(http, session["id"]).body["session"]["status"] == "PENDING"


def test_approve_checkout__reference_taken_meanwhile(api, http):
    escrow, other = standard(api), standard(api, 200000)
    session = create_session(http, escrow["paymentToken"], reference="order_9")
    api.pay(other["id"], reference="order_9")
    assert_refusal_page(approve(http, session["id"], {"customerId": BUYER}), 400, "Duplicate reference")
    assert api.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"


def test_approve_checkout__amount_changed_meanwhile(api, http):
    escrow = api.create_milestone_escrow()
    session = create_session(http, escrow["paymentToken"])
    api.edit_milestone_escrow(escrow["paymentToken"], {
        "amount": 1200000, "purpose": "Bigger", "whoPays": "buyer",
        "milestones": [{"title": "One", "amount": 600000}, {"title": "Two", "amount": 600000}]})
    assert_refusal_page(approve(http, session["id"], {"customerId": BUYER}), 400, "Amount mismatch")
    assert api.wallet(BUYER)["escrowBalance"] == 0


def test_approve_checkout__pay_escrow_rules_apply(api, http):
    """The page funds through pay-escrow, so its request shape is irrelevant: a payment made
    by the same buyer with the same reference afterwards is the same payment (idempotent)."""
    escrow = standard(api)
    session = create_session(http, escrow["paymentToken"], customerId=BUYER, reference="order_5")
    approve(http, session["id"])
    again = api.pay(escrow["id"], gateway="CARD", reference="order_5")
    assert again == {"reference": "order_5", "status": "SUCCESS", "amount": 1012500}
    assert api.wallet(BUYER)["escrowBalance"] == 1012500


# -- in-process only: the clock and states no public route can reach --------------------------------


@pytest.fixture
def client(app):
    return app.test_client()


def _namespace(app):
    return app.extensions["sandbox"].store.namespace(KEY)


def _create(client, who_pays="both", **extra):
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}
    escrow = client.post("/v1/escrow/create", headers=headers,
                         data={"amount": "1000000", "purpose": "Phone", "whoPays": who_pays}).get_json()["data"]
    reply = client.post("/v1/checkout/session", json=session_body(escrow["paymentToken"], **extra))
    assert reply.status_code == 201, reply.get_json()
    return escrow, reply.get_json()["session"]


def _refusal(resp, status, message):
    assert resp.status_code == status
    assert f'<p id="message">{message}</p>' in resp.get_data(as_text=True)


def test_checkout__expires_after_30_minutes(app, client):
    escrow, session = _create(client)
    clock = _namespace(app).state["clock"]
    clock["frozen_ms"] += 30 * 60 * 1000 - 1
    assert client.get(f"/_sandbox/checkout/{session['id']}").status_code == 200
    clock["frozen_ms"] += 1
    _refusal(client.get(f"/_sandbox/checkout/{session['id']}"), 400, "This checkout session has expired")
    _refusal(client.post(f"/_sandbox/checkout/{session['id']}/approve", data={"customerId": BUYER}), 400,
             "This checkout session has expired")
    _refusal(client.post(f"/_sandbox/checkout/{session['id']}/decline"), 400, "This checkout session has expired")
    reply = client.get(f"/v1/checkout/session/{session['id']}?publicKey={PK}").get_json()
    assert reply["session"]["status"] == "EXPIRED"
    ns = _namespace(app)
    assert ns.get("escrows", escrow["id"])["state"] == "AWAITING_PAYMENT"
    assert ns.get("checkout_sessions", session["id"])["status"] == "PENDING"


def test_checkout__blocked_customer(app, client):
    escrow, _ = _create(client)
    ns = _namespace(app)
    customer = ns.get("customers", BUYER)
    customer["status"] = "blocked"
    ns.save("customers", customer)
    reply = client.post("/v1/checkout/session",
                        json=session_body(escrow["paymentToken"], reference="r2", customerId=BUYER))
    assert (reply.status_code, reply.get_json()) == (
        401, {"status": 401, "message": "Your account is disabled. Please contact support", "data": {}})
    _, session = _create(client, reference="r3")
    _refusal(client.post(f"/_sandbox/checkout/{session['id']}/approve", data={"customerId": BUYER}), 400,
             "Your account is disabled. Please contact support")
    # Blocked customers are not offered on the page.
    assert BUYER not in client.get(f"/_sandbox/checkout/{session['id']}").get_data(as_text=True)


def test_checkout__buyer_without_can_buy(app, client):
    _, session = _create(client)
    ns = _namespace(app)
    customer = ns.get("customers", BUYER)
    customer["permissions"]["can_buy"] = False
    ns.save("customers", customer)
    _refusal(client.post(f"/_sandbox/checkout/{session['id']}/approve", data={"customerId": BUYER}), 400,
             "Access denied")


def test_checkout__escrow_deleted_meanwhile(app, client):
    escrow, session = _create(client)
    ns = _namespace(app)
    ns.delete_escrow(ns.get("escrows", escrow["id"]))
    _refusal(client.get(f"/_sandbox/checkout/{session['id']}"), 400, "Escrow not found")
    _refusal(client.post(f"/_sandbox/checkout/{session['id']}/approve", data={"customerId": BUYER}), 400,
             "Escrow not found")


def test_checkout__refused_session_changes_nothing(app, client):
    escrow, _ = _create(client)
    before = _namespace(app).all("checkout_sessions")
    reply = client.post("/v1/checkout/session", json=session_body(escrow["paymentToken"], customerId=UNKNOWN_ID,
                                                                  reference="fresh"))
    assert reply.status_code == 404
    assert _namespace(app).all("checkout_sessions") == before


def test_approve_checkout__multi_quantity_link_sells_copies(app, client):
    """Checkout funds through pay-escrow, so a payment link with stock sells a copy per
    approved session and stays open for the next buyer."""
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}
    link = client.post("/v1/escrow/create", headers=headers, data={
        "amount": "100000", "purpose": "Ticket", "whoPays": "buyer", "totalQuantity": "3"}).get_json()["data"]
    for n, buyer in enumerate((BUYER, POOR_BUYER), start=1):
        session = client.post("/v1/checkout/session", json=session_body(
            link["paymentToken"], reference=f"ticket_{n}", customerId=buyer)).get_json()["session"]
        assert session["amount"] == 102500
        assert client.post(f"/_sandbox/checkout/{session['id']}/approve").status_code == 303
        stored = _namespace(app).get("checkout_sessions", session["id"])
        copy = _namespace(app).get("escrows", stored["funded_escrow_id"])
        assert (copy["clone_of"], copy["buyer_id"], copy["state"]) == (link["id"], buyer, "OPENED")
    original = _namespace(app).get("escrows", link["id"])
    assert (original["state"], original["total_quantity"]) == ("AWAITING_PAYMENT", 1)


def test_widget_stand_in(app):
    resp = app.test_client().get("/_sandbox/escrow-checkout.min.js")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "application/javascript"
    assert "window.EscrowCheckout = EscrowCheckout" in body and "window.location.assign(session.url)" in body
    assert 'EscrowCheckout.baseUrl = "http://localhost"' in body
