"""Rules every route shares: envelope, auth, namespaces, customer-id, bodies, ids, timestamps."""

import json
import re
import uuid

import pytest

from sandbox import create_app
from sandbox.server.config import Config
from tests.conftest import BUYER, KEY, SELLER, UNKNOWN_ID, make_config

E, M, T = "665f1b2c9a1e4d0012ab3c10", "665f1b2c9a1e4d0012ab3c21", "PY_8AB12C9D3045"

# Every authenticated route of this sandbox: (method, path).
ROUTES = [
    ("POST", "/v1/escrow/create"),
    ("PUT", f"/v1/escrow/edit/{T}"),
    ("DELETE", f"/v1/escrow/delete/{T}"),
    ("POST", f"/v1/escrow/confirm-payment/{E}"),
    ("GET", f"/v1/escrow/claim-funds/{T}"),
    ("GET", "/v1/escrow/transactions?type=sales"),
    ("GET", "/v1/escrow/feeds"),
    ("GET", "/v1/escrow/dispute/get"),
    ("GET", f"/v1/escrow/dispute/get/{E}"),
    ("GET", "/v1/escrow/all-dispute"),
    ("POST", f"/v1/escrow/dispute/resolve/{E}"),
    ("GET", f"/v1/escrow/verify/{T}"),
    ("POST", "/v1/escrow/milestone/create"),
    ("PUT", f"/v1/escrow/milestone/edit/{T}"),
    ("PUT", f"/v1/escrow/milestone/convert/{T}"),
    ("GET", f"/v1/escrow/milestone/{T}"),
    ("POST", f"/v1/escrow/milestone/confirm/{E}/{M}"),
    ("POST", f"/v1/escrow/submit-dispute/{T}"),
    ("POST", "/v1/payment/escrow"),
    ("GET", "/v1/wallet"),
    ("GET", "/v1/customers"),
    ("GET", f"/v1/customer/get/{SELLER}"),
    ("GET", f"/v1/customer/{SELLER}"),
    ("POST", "/v1/customer/create"),
    ("PUT", f"/v1/customer/permissions/{SELLER}"),
    ("PUT", f"/v1/customer/block/{SELLER}"),
    ("PUT", f"/v1/customer/unblock/{SELLER}"),
    ("POST", "/v1/payment/create-intent"),
    ("POST", "/v1/payment/verify"),
    ("POST", "/v1/payment/virtual-account"),
    ("POST", "/v1/payment/topup"),
    ("POST", "/v1/payment/verify-account"),
    ("GET", "/v1/payment/history"),
    ("POST", "/v1/escrow/category/create"),
    ("PUT", f"/v1/escrow/category/edit/{E}"),
    ("GET", "/v1/escrow/category/get"),
    ("GET", f"/v1/escrow/category/get/{E}"),
    ("PUT", f"/v1/escrow/category/position/{E}"),
    ("DELETE", f"/v1/escrow/category/delete/{E}"),
    ("GET", "/v1/misc/countries"),
    ("GET", "/v1/countries"),
    ("GET", "/v1/cards"),
    ("DELETE", f"/v1/card/{E}"),
    ("GET", "/v1/whitelist-address"),
    ("POST", "/v1/whitelist-address"),
    ("DELETE", f"/v1/whitelist-address/{E}"),
    ("POST", "/_sandbox/reset"),
    ("GET", "/_sandbox/clock"), ("GET", "/_sandbox/profile"), ("PUT", "/_sandbox/profile"),
    ("POST", "/_sandbox/clock/advance"),
    ("POST", "/_sandbox/clock/set"),
    ("POST", "/_sandbox/clock/freeze"),
    ("POST", "/_sandbox/clock/resume"),
    ("POST", "/_sandbox/provider-states"),
    ("POST", "/_sandbox/pact/provider-states"),
    ("POST", "/_sandbox/snapshots"),
    ("GET", "/_sandbox/snapshots"),
    ("POST", "/_sandbox/snapshots/s1/restore"),
    ("DELETE", "/_sandbox/snapshots/s1"),
    ("GET", "/_sandbox/snapshots/s1/export"),
    ("GET", "/_sandbox/state"),
    ("POST", "/_sandbox/import"),
    ("POST", "/_sandbox/fork"),
    ("GET", "/_sandbox/webhook"),
    ("PUT", "/_sandbox/webhook"),
    ("GET", "/_sandbox/events"),
    ("POST", f"/_sandbox/events/{E}/resend"),
    ("GET", "/_sandbox/webhooks/deliveries"),
    ("POST", "/_sandbox/webhooks/flush"),
    ("GET", "/_sandbox/requests"),
    ("GET", "/_sandbox/requests/1"),
    ("DELETE", "/_sandbox/requests"),
    ("GET", "/_sandbox/scenarios"),
    ("GET", "/_sandbox/maintenance"),
    ("PUT", "/_sandbox/maintenance"),
    ("GET", "/_sandbox/rate-limit"),
    ("PUT", "/_sandbox/rate-limit"),
    ("POST", "/_sandbox/helpers/block-customer"),
    ("POST", "/_sandbox/helpers/unblock-customer"),
    ("POST", "/_sandbox/helpers/fund-customer"),
    ("POST", "/_sandbox/helpers/reverse-withdrawal"),
    ("GET", "/_sandbox/ledger"),
    ("GET", "/_sandbox/invariants"),
    ("GET", "/_sandbox/merchant"),
    ("PUT", "/_sandbox/merchant"),
]
# Routes of profile 2026-10 only (404 in the default profile, whose bad-input sweep covers ROUTES;
# their own test modules cover their bodies): the key is checked first, in every profile.
LATER_ROUTES = [
    ("POST", "/v1/escrow/vault/create"),
    ("POST", f"/v1/escrow/vault/winner/{T}"),
    ("POST", f"/v1/escrow/vault/cancel/{T}"),
    ("GET", f"/v1/escrow/vault/{T}"),
    ("PUT", f"/v1/escrow/additional-fee/{T}"),
    ("GET", "/v1/merchant/balance"),
    ("GET", "/v1/merchant/transactions"),
    ("PUT", f"/v1/customer/update/{SELLER}"),
    ("GET", "/v1/payment/bank-list"),
    ("GET", "/v1/payment/verify-phone/08031230031"),
    ("GET", "/v1/payment/deposit/wallet"),
    ("GET", "/v1/payment/get-master-wallet-address"),
    ("POST", "/_sandbox/test-bank/transfer"),
]
KEYED_ROUTES = ROUTES + LATER_ROUTES
CUSTOMER_ROUTES = [r for r in ROUTES if r[1].startswith(("/v1/escrow/create", "/v1/escrow/milestone/create",
                                                         "/v1/escrow/edit", "/v1/escrow/delete",
                                                         "/v1/escrow/confirm-payment", "/v1/escrow/claim-funds",
                                                         "/v1/escrow/dispute/get",
                                                         "/v1/escrow/milestone/edit", "/v1/escrow/milestone/convert",
                                                         "/v1/escrow/milestone/confirm", "/v1/escrow/submit-dispute",
                                                         "/v1/payment/escrow", "/v1/wallet"))]
JSON_ROUTES = [("POST", "/v1/escrow/milestone/create"), ("PUT", f"/v1/escrow/milestone/edit/{T}"),
               ("PUT", f"/v1/escrow/milestone/convert/{T}"), ("POST", "/v1/payment/escrow"),
               ("POST", "/v1/customer/create"),
    ("PUT", f"/v1/customer/permissions/{SELLER}"),
    ("PUT", f"/v1/customer/block/{SELLER}"),
    ("PUT", f"/v1/customer/unblock/{SELLER}"), ("POST", "/v1/escrow/create")]


def test_every_keyed_route_is_in_the_auth_tests():
    """A new route cannot skip the auth tests: every rule that needs a key is listed above."""
    from sandbox.api.auth import PUBLIC

    app = create_app(make_config())
    listed = {(m, p.split("?")[0]) for m, p in KEYED_ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or app.view_functions[rule.endpoint] in PUBLIC:
            continue
        pattern = re.compile("^" + re.sub(r"<[^>]+>", "[^/]+", rule.rule) + "$")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if not any(m == method and pattern.match(p) for m, p in listed):
                missing.append(f"{method} {rule.rule}")
    assert missing == []


@pytest.mark.parametrize("method, path", KEYED_ROUTES)
def test_auth__missing_token(http, method, path):
    reply = http.request(method, path, key=None, customer=BUYER)
    assert (reply.status, reply.body) == (401, {"status": 401, "message": "No token provided", "data": {}})


@pytest.mark.parametrize("method, path", KEYED_ROUTES)
@pytest.mark.parametrize("key", ["sk_live_abc123", "pk_test_abc", "abc", "sk_test_", "sk_test_white space"])
def test_auth__not_a_test_secret_key(http, method, path, key):
    reply = http.request(method, path, key=None, customer=BUYER, headers={"Authorization": f"Bearer {key}"})
    assert (reply.status, reply.body) == (403, {"status": 403, "message": "Unauthorized Access", "data": {}})


@pytest.mark.parametrize("method, path", CUSTOMER_ROUTES)
def test_customer_id__required(http, method, path):
    reply = http.request(method, path, json={})
    assert (reply.status, reply.body) == (400, {"status": 400, "message": "customer-id header is required", "data": {}})


@pytest.mark.parametrize("method, path", [r for r in CUSTOMER_ROUTES if r[0] != "GET" or "wallet" in r[1]])
def test_customer_id__unknown(http, method, path, api):
    body = {"amount": 10, "purpose": "x", "whoPays": "buyer",
            "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 5}],
            "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": E}, "message": "x"}
    allowed = {"/v1/escrow/create": ["amount", "purpose", "whoPays"],
               "/v1/escrow/edit": ["purpose"],
               "/v1/escrow/submit-dispute": ["message"],
               "/v1/payment/escrow": ["gateway", "transactionType", "escrowDetails"],
               "/v1/escrow/milestone/convert": ["milestones"]}
    keys = next((v for k, v in allowed.items() if path.startswith(k)), ["amount", "purpose", "whoPays", "milestones"])
    reply = http.request(method, path, customer=UNKNOWN_ID, json={k: body[k] for k in keys})
    api.error(reply, 404, "Customer not found")


@pytest.mark.parametrize("method, path", JSON_ROUTES)
@pytest.mark.parametrize("raw", [b"{", b"{'amount': 1}", b"\xff\xfe", b"[1,"])
def test_malformed_json(http, api, method, path, raw):
    reply = http.request(method, path, customer=SELLER, body=raw, headers={"Content-Type": "application/json"})
    api.error(reply, 400, "Malformed JSON in request body")


@pytest.mark.parametrize("method, path", JSON_ROUTES[:-1])
def test_json_route_refuses_a_form(http, api, method, path):
    reply = http.request(method, path, customer=SELLER, data={"amount": "1"})
    api.error(reply, 400, "Content-Type must be application/json")


@pytest.mark.parametrize("body", [[], "text", 5, None])
def test_body_must_be_an_object(http, api, body):
    reply = http.post("/v1/customer/create", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    api.error(reply, 400, "Request body must be a JSON object")


def test_unknown_route(http, api):
    api.error(http.get("/v1/nothing/here"), 404, "Route not found")
    api.error(http.get("/v1/nothing/here", key=None), 404, "Route not found")


def test_wrong_method(http, api):
    reply = http.request("DELETE", "/v1/escrow/milestone/create", customer=SELLER)
    api.error(reply, 405, "Method not allowed")
    assert "POST" in reply.headers["Allow"]


def test_body_over_one_mebibyte(http, api):
    big = json.dumps({"purpose": "x" * (1024 * 1024)}).encode()
    reply = http.post("/v1/escrow/milestone/create", customer=SELLER, body=big,
                      headers={"Content-Type": "application/json"})
    api.error(reply, 413, "Request body too large (limit 1 MiB)")


def test_healthz(http):
    reply = http.get("/healthz", key=None)
    assert reply.status == 200 and reply.body["message"] == "OK" and "version" in reply.data
    store = "redis" if http.transport == "app" and http.app.extensions["sandbox"].config.shared_store else "memory"
    assert reply.data["store"] == store and isinstance(reply.data["worker"], int)


def test_unexpected_exception_is_enveloped():
    app = create_app(make_config())

    @app.get("/v1/boom")
    def boom():
        raise RuntimeError("kaboom")

    resp = app.test_client().get("/v1/boom", headers={"Authorization": f"Bearer {KEY}"})
    assert (resp.status_code, resp.get_json()) == (500, {"status": 500, "message": "Internal server error", "data": {}})


def test_namespaces_are_isolated(http, api):
    other = f"sk_test_{uuid.uuid4().hex}"
    escrow = api.create_milestone_escrow()
    api.pay(escrow["id"])
    reply = http.get(f"/v1/escrow/verify/{escrow['paymentToken']}", key=other)
    api.error(reply, 400, "Escrow not found")
    assert http.get("/v1/wallet", key=other, customer=BUYER).data["mainBalance"] == 5000000
    assert http.get("/v1/wallet", customer=BUYER).data["mainBalance"] == 5000000 - 1025000


def test_reset(http, api):
    escrow = api.funded_milestone_escrow()
    reply = http.post("/_sandbox/reset")
    assert reply.status == 200 and reply.body["message"] == "Sandbox reset successfully"
    assert [c["id"] for c in reply.data["customers"]][:2] == [SELLER, BUYER]
    api.error(http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    assert api.wallet(BUYER)["mainBalance"] == 5000000
    assert api.create_milestone_escrow()["id"] == escrow["id"], "reset restarts the seeded id sequence"


def test_ids_tokens_and_timestamps_have_payluk_shapes(api):
    escrow = api.create_milestone_escrow()
    for value in [escrow["id"]] + [m["id"] for m in escrow["milestones"]]:
        assert re.fullmatch(r"[0-9a-f]{24}", value)
    assert re.fullmatch(r"PY_[A-Za-z0-9]{8}\d{4}", escrow["paymentToken"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", escrow["createdAt"])


def test_seeded_namespaces_are_reproducible():
    def run(key):
        client = create_app(make_config()).test_client()
        headers = {"Authorization": f"Bearer {key}", "customer-id": SELLER}
        body = {"amount": 2000, "purpose": "x", "whoPays": "buyer",
                "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}
        return client.post("/v1/escrow/milestone/create", headers=headers, json=body).get_json()

    assert run("sk_test_a") == run("sk_test_a") == run("sk_test_b")


def test_unseeded_ids_differ_between_namespaces():
    client = create_app(Config()).test_client()
    tokens = set()
    for key in ("sk_test_a", "sk_test_b"):
        headers = {"Authorization": f"Bearer {key}", "customer-id": SELLER}
        reply = client.post("/v1/escrow/create", headers=headers, data={"amount": "10", "purpose": "x", "whoPays": "buyer"})
        tokens.add(reply.get_json()["data"]["paymentToken"])
    assert len(tokens) == 2


def _state(app):
    store = app.extensions["sandbox"].store
    return json.dumps(store.namespace(KEY).state, sort_keys=True)


@pytest.mark.parametrize("method, path, customer, body", [
    ("POST", "/v1/escrow/milestone/create", SELLER, {"amount": 10, "purpose": "x", "whoPays": "buyer",
                                                    "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 6}]}),
    ("POST", "/v1/payment/escrow", "665f1b2c9a1e4d0012ab3c32", "pay-poor"),
    ("POST", "/v1/payment/escrow", BUYER, "pay-twice"),
    ("PUT", "/v1/escrow/milestone/edit/{token}", SELLER, {"amount": 7, "purpose": "x", "whoPays": "buyer",
                                                         "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 1}]}),
    ("POST", "/v1/escrow/milestone/confirm/{id}/{milestone}", SELLER, None),
    ("POST", "/v1/customer/create", None, {"firstname": "A", "lastname": "B", "email": "ada.eze@sandbox.payluk.test",
                                           "phone": "08000000000"}),
])
def test_errors_change_nothing(method, path, customer, body):
    app = create_app(make_config())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}
    escrow = client.post("/v1/escrow/milestone/create", headers=headers, json={
        "amount": 2000, "purpose": "x", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}).get_json()["data"]
    pay = {"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}}
    if body == "pay-twice":
        client.post("/v1/payment/escrow", headers={**headers, "customer-id": BUYER}, json=pay)
    if body in ("pay-poor", "pay-twice"):
        big = client.post("/v1/escrow/milestone/create", headers=headers, json={
            "amount": 2000000, "purpose": "x", "whoPays": "buyer",
            "milestones": [{"title": "a", "amount": 1000000}, {"title": "b", "amount": 1000000}]}).get_json()["data"]
        body = {**pay, "escrowDetails": {"escrowId": big["id"] if body == "pay-poor" else escrow["id"]}}
    before = _state(app)
    path = path.format(token=escrow["paymentToken"], id=escrow["id"], milestone=escrow["milestones"][0]["id"])
    sent = {**headers, "customer-id": customer} if customer else {"Authorization": headers["Authorization"]}
    reply = client.open(path, method=method, headers=sent, json=body)
    assert reply.status_code == 400, reply.get_json()
    assert _state(app) == before
