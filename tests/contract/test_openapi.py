"""The OpenAPI document: every route of the url_map carries its description, the committed copy
is current, it is served (with an offline Swagger UI), and real answers conform to it.

Answers are validated with `jsonschema_rs` (a JSON Schema 2020-12 validator, what OpenAPI 3.1
uses) against the response schema the document gives for (route, status): success envelopes
with their `data` schema, errors with the error envelope and a message the document lists.
"""

import json
import re
from pathlib import Path

import pytest

from sandbox import create_app
from sandbox.docs import openapi
from sandbox.domain import errors as E
from sandbox.domain.profiles import PROFILES
from tests.conftest import BENEFICIARY, BUYER, DOCS_MILESTONE_EXAMPLE, KEY, SELLER, UNKNOWN_ID, make_config, pay_body

jsonschema_rs = pytest.importorskip("jsonschema_rs")

ROOT = Path(__file__).resolve().parents[2]
DOC = openapi.document()


# -- helpers ------------------------------------------------------------------------------------------


def response_spec(key: str, status: int) -> dict:
    method, rule = key.split(" ", 1)
    operation = DOC["paths"][openapi.openapi_path(rule)][method.lower()]
    assert str(status) in operation["responses"], f"{key}: status {status} is not documented"
    return operation["responses"][str(status)]


def validator(key: str, status: int):
    """A validator of the JSON answer of `key` with `status` (the whole document as the root,
    so `$ref`s to components resolve)."""
    schema = response_spec(key, status)["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": DOC["components"]}, validate_formats=True)


def documented_messages(key: str, status: int) -> set:
    spec = response_spec(key, status)
    content = spec["content"]["application/json"]
    examples = content.get("examples", {}).values()
    values = [e.get("value") or resolve(e["$ref"])["value"] for e in examples]
    if "example" in content:
        values.append(content["example"])
    return {v["message"] for v in values}


def resolve(ref: str) -> dict:
    node = DOC
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class Checker:
    """Sends requests through the `http` fixture and checks every JSON answer against the
    document; remembers which routes it checked."""

    def __init__(self, http):
        self.http = http
        self.checked = set()

    def __call__(self, key: str, reply, status: int | None = None):
        if status is not None:
            assert reply.status == status, (key, reply.status, reply.body)
        assert reply.body is not None, f"{key}: not a JSON answer"
        errors = [f"{e.instance_path}: {e.message}" for e in validator(key, reply.status).iter_errors(reply.body)]
        assert not errors, f"{key} {reply.status} does not match the document:\n" + "\n".join(errors[:10])
        if reply.status >= 400 and not reply.body["message"].startswith('"'):
            # (Joi-style validation messages name any field: the document shows samples of them)
            assert reply.body["message"] in documented_messages(key, reply.status), (key, reply.body)
        self.checked.add(key)
        return reply.body.get("data")

    def send(self, route: str, path: str, status: int | None = None, **kw):
        method = route.split(" ", 1)[0]
        return self(route, self.http.request(method, path, **kw), status)


# -- every route carries its description ---------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_every_route_is_documented(profile):
    """Each route of the url_map that exists in an API profile carries a `@doc` description
    (sandbox/api/documented.py); only the console's pages for people, and in an earlier profile
    the routes a later one introduced, are left out of its document."""
    app = create_app(make_config())
    assert openapi.undocumented(app, profile) == [], "routes without @doc(...) on their view"
    documented = set(openapi.routes(app, profile))
    assert documented == openapi.url_map_routes(app, profile)
    later = openapi.url_map_routes(app, PROFILES[-1]) - documented
    left_out = {rule.rule for rule in app.url_map.iter_rules()} - {key.split(" ", 1)[1] for key in documented | later}
    assert left_out and all(rule.startswith(openapi.CONSOLE_PREFIX) for rule in left_out), left_out


def test_a_route_documented_public_is_the_one_auth_lets_through():
    """`@doc(..., public=True)` (no `security` in the document) and `@public` (no key asked) say
    the same of every route."""
    from sandbox.api.auth import PUBLIC

    app = create_app(make_config())
    endpoints = {f"{method} {rule.rule}": rule.endpoint for rule in app.url_map.iter_rules()
                 for method in rule.methods}
    mismatched = [key for key, op in openapi.routes(app).items()
                  if op.public != (app.view_functions[endpoints[key]] in PUBLIC)]
    assert mismatched == []


def test_a_route_documented_with_url_credentials_is_the_one_auth_reads_them_for():
    """`@doc(..., url_credentials=True)` (`keyInUrl` in the document) and `@credentials_in_url`
    (auth reads `?key=`, `?token=`) say the same of every route."""
    from sandbox.api.auth import URL_CREDENTIALS

    app = create_app(make_config())
    endpoints = {f"{method} {rule.rule}": rule.endpoint for rule in app.url_map.iter_rules()
                 for method in rule.methods}
    documented = {key for key, op in openapi.routes(app).items() if op.url_credentials}
    assert documented == {key for key in openapi.routes(app) if app.view_functions[endpoints[key]] in URL_CREDENTIALS}
    assert documented == {"POST /_sandbox/pact/provider-states"}
    security = DOC["paths"]["/_sandbox/pact/provider-states"]["post"]["security"]
    assert {"keyInUrl": [], "controlTokenInUrl": []} in security and {"bearerAuth": []} in security


def test_route_check_can_fail():
    """A new route whose view has no description is seen."""
    app = create_app(make_config())
    app.add_url_rule("/v1/not-documented", "extra", lambda: "")
    assert openapi.undocumented(app) == ["GET /v1/not-documented"]
    assert "GET /healthz" in openapi.routes(app)


@pytest.mark.parametrize("profile", PROFILES)
def test_committed_document_is_current(profile):
    path = openapi.committed_path(profile)
    committed = (ROOT / path).read_text(encoding="utf-8")
    assert committed == openapi.render(openapi.document(profile)), (
        f"{path} is out of date with the schemas: run `make openapi` and commit the result")


# -- the document itself -------------------------------------------------------------------------------


def test_document_shape():
    assert DOC["openapi"] == "3.1.0"
    assert DOC["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "sk_test_…",
        "description": DOC["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert DOC["security"] == [{"bearerAuth": []}]
    tags = {t["name"] for t in DOC["tags"]}
    assert tags == {"Escrows", "Milestone escrows", "Disputes", "Customers", "Payments", "Catalogue", "Checkout",
                    "Sandbox controls", "Health"}
    operation_ids = []
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            key = f"{method.upper()} {path}"
            assert operation["summary"] and "\n" not in operation["summary"], key
            assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, key
            assert "500" in operation["responses"], key
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), key
            operation_ids.append(operation["operationId"])
    assert len(operation_ids) == len(set(operation_ids)) == len(openapi.routes())


def test_every_ref_resolves():
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(DOC)))
    assert refs
    for ref in refs:
        assert resolve(ref) is not None, ref


@pytest.mark.parametrize("key", ["GET /healthz", "GET /readyz", "GET /openapi.json", "GET /docs",
                                 "POST /v1/checkout/session", "GET /_sandbox/checkout/<session_id>",
                                 "GET /_sandbox/authorize/<token>", "GET /_sandbox/escrow-checkout.min.js"])
def test_public_routes_need_no_key(key):
    method, rule = key.split(" ", 1)
    assert DOC["paths"][openapi.openapi_path(rule)][method.lower()]["security"] == []


def test_escrow_routes():
    create = DOC["paths"]["/v1/escrow/create"]["post"]
    assert "security" not in create  # the global bearer key applies
    header = next(p for p in create["parameters"] if p["name"] == "customer-id")
    assert header == {"in": "header", "name": "customer-id", "required": True,
                      "description": header["description"], "schema": openapi.OBJECT_ID}
    body = create["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/EscrowCreate"}
    form = body["multipart/form-data"]["schema"]
    assert form["required"] == ["amount", "purpose", "whoPays"]
    assert form["properties"]["imageUrl"]["oneOf"][0]["items"]["contentMediaType"] == "application/octet-stream"
    data = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert data["properties"]["data"] == {"$ref": "#/components/schemas/Escrow"}
    assert data["properties"]["message"] == {"type": "string", "const": "Created successfully"}
    errors = create["responses"]["400"]["content"]["application/json"]["examples"]
    messages = {resolve(e["$ref"])["value"]["message"] if "$ref" in e else e["value"]["message"]
                for e in errors.values()}
    assert {E.CUSTOMER_ID_REQUIRED, '"amount" is required', E.TOO_MANY_IMAGES} <= messages
    assert set(create["responses"]) >= {"201", "400", "401", "403", "404", "413", "429", "500", "504"}
    feeds = DOC["paths"]["/v1/escrow/feeds"]["get"]
    assert "customer-id" not in {p["name"] for p in feeds["parameters"]}
    assert E.CUSTOMER_ID_NOT_ALLOWED in feeds["responses"]["400"]["description"]
    query = {p["name"]: p for p in feeds["parameters"] if p["in"] == "query"}
    assert {"page", "limit", "status", "customerId", "categoryId", "paymentToken", "fromDate", "toDate"} <= set(query)
    assert query["limit"]["schema"]["maximum"] == 100
    verify = DOC["paths"]["/v1/escrow/verify/{paymentToken}"]["get"]
    assert next(p for p in verify["parameters"] if p["name"] == "customer-id")["required"] is False
    for path in ("/v1/escrow/submit-dispute/{paymentToken}", "/v1/escrow/dispute/resolve/{escrowId}",
                 "/v1/escrow/category/create", "/v1/escrow/category/edit/{categoryId}",
                 "/v1/escrow/edit/{paymentToken}"):
        method = "put" if "edit" in path else "post"
        assert "multipart/form-data" in DOC["paths"][path][method]["requestBody"]["content"], path


def test_response_components_refuse_unlisted_keys():
    """Answer-only components are strict, so the contract test notices a new field."""
    schemas = DOC["components"]["schemas"]
    assert schemas["Escrow"]["additionalProperties"] is False
    assert schemas["Customer"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["ErrorEnvelope"] or schemas["ErrorEnvelope"]


# -- served ---------------------------------------------------------------------------------------------


def test_openapi_json_is_served(http):
    reply = http.get("/openapi.json", key=None)
    assert reply.status == 200
    assert reply.body == DOC


def test_docs_page_is_offline():
    client = create_app(make_config()).test_client()
    for path in ("/docs", "/docs/"):
        page = client.get(path)
        assert page.status_code == 200 and page.mimetype == "text/html", path
        html = page.get_data(as_text=True)
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert "/docs/swagger-ui-bundle.js" in assets and "/docs/swagger-ui.css" in assets
        assert all(a.startswith("/docs/") for a in assets), assets  # nothing from a CDN
        assert '"url": "/openapi.json"' in html
        for asset in assets:
            assert client.get(asset).status_code == 200, asset


# -- answers conform to the document ---------------------------------------------------------------------


def test_validation_can_fail():
    """The validator rejects an answer that drifts from the document."""
    good = {"status": 200, "message": "Wallet fetched successfully",
            "data": {"mainBalance": 1, "escrowBalance": 0, "currency": "NGN"}}
    check = validator("GET /v1/wallet", 200)
    assert check.is_valid(good)
    assert not check.is_valid({**good, "data": {**good["data"], "extra": 1}})
    assert not check.is_valid({**good, "data": {**good["data"], "mainBalance": "1"}})
    assert not check.is_valid({**good, "message": "Wallet fetched"})
    assert not validator("GET /v1/wallet", 400).is_valid({"status": 400, "message": "x", "data": {"a": 1}})


def test_answers_conform__escrows_and_payments(http):
    check = Checker(http)
    check.send("GET /healthz", "/healthz", 200, key=None)
    check.send("GET /readyz", "/readyz", 200, key=None)
    # errors common to every route
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 401, key=None,
               json=DOCS_MILESTONE_EXAMPLE)
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 403, key="sk_live_x",
               json=DOCS_MILESTONE_EXAMPLE)
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 400, json=DOCS_MILESTONE_EXAMPLE)
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 400, customer=SELLER, json={})
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 404, customer=UNKNOWN_ID,
               json=DOCS_MILESTONE_EXAMPLE)
    check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 400, customer=SELLER,
               body=b"{", headers={"Content-Type": "application/json"})
    check.send("GET /v1/escrow/feeds", "/v1/escrow/feeds", 400, customer=SELLER)
    check.send("GET /v1/escrow/verify/<token>", "/v1/escrow/verify/PY_nothing001234", 400)
    # milestone escrow: create, list, pay, confirm
    ms = check.send("POST /v1/escrow/milestone/create", "/v1/escrow/milestone/create", 201, customer=SELLER,
                    json=DOCS_MILESTONE_EXAMPLE)
    token = ms["paymentToken"]
    check.send("PUT /v1/escrow/milestone/edit/<token>", f"/v1/escrow/milestone/edit/{token}", 200, customer=SELLER,
               json=DOCS_MILESTONE_EXAMPLE)
    milestones = check.send("GET /v1/escrow/milestone/<token>", f"/v1/escrow/milestone/{token}", 200)
    check.send("POST /v1/payment/escrow", "/v1/payment/escrow", 200, customer=BUYER, json=pay_body(ms["id"]))
    check.send("POST /v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>",
               f"/v1/escrow/milestone/confirm/{ms['id']}/{milestones[0]['id']}", 200, customer=BUYER)
    check.send("POST /v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>",
               f"/v1/escrow/milestone/confirm/{ms['id']}/{UNKNOWN_ID}", 400, customer=BUYER)
    check.send("GET /v1/escrow/verify/<token>", f"/v1/escrow/verify/{token}", 200, customer=BENEFICIARY)
    # standard escrow, multipart with an image, and JSON
    std = check.send("POST /v1/escrow/create", "/v1/escrow/create", 201, customer=SELLER,
                     data={"amount": "150000", "purpose": "Phone", "whoPays": "both", "maxDelivery": "3",
                           "deliveryTimeline": "days"}, files={"imageUrl": [("phone.png", b"\x89PNG")]})
    check.send("PUT /v1/escrow/edit/<token>", f"/v1/escrow/edit/{std['paymentToken']}", 200, customer=SELLER,
               json={"purpose": "Phone, boxed"})
    other = check.send("POST /v1/escrow/create", "/v1/escrow/create", 201, customer=SELLER,
                       json={"amount": 20000, "purpose": "Case", "whoPays": "seller"})
    check.send("PUT /v1/escrow/milestone/convert/<token>", f"/v1/escrow/milestone/convert/{other['paymentToken']}",
               200, customer=SELLER, json={"milestones": [{"title": "a", "amount": 10000},
                                                          {"title": "b", "amount": 10000}]})
    gone = check.send("POST /v1/escrow/create", "/v1/escrow/create", 201, customer=SELLER,
                      json={"amount": 5000, "purpose": "Cable", "whoPays": "buyer"})
    check.send("DELETE /v1/escrow/delete/<token>", f"/v1/escrow/delete/{gone['paymentToken']}", 200,
               customer=SELLER)
    check.send("POST /v1/payment/escrow", "/v1/payment/escrow", 200, customer=BUYER, json=pay_body(std["id"]))
    check.send("GET /v1/escrow/claim-funds/<token>", f"/v1/escrow/claim-funds/{std['paymentToken']}", 400,
               customer=SELLER)
    # a dispute on the standard escrow, resolved
    check.send("POST /v1/escrow/submit-dispute/<token>", f"/v1/escrow/submit-dispute/{std['paymentToken']}", 200,
               customer=BUYER, data={"message": "Not as described"}, files={"file": [("proof.jpg", b"jpg")]})
    check.send("GET /v1/escrow/dispute/get", "/v1/escrow/dispute/get", 200, customer=BUYER)
    check.send("GET /v1/escrow/dispute/get/<escrow_id>", f"/v1/escrow/dispute/get/{std['id']}", 200, customer=BUYER)
    check.send("GET /v1/escrow/all-dispute", "/v1/escrow/all-dispute", 200)
    check.send("POST /v1/escrow/dispute/resolve/<escrow_id>", f"/v1/escrow/dispute/resolve/{std['id']}", 200,
               json={"resolution": "Refund the buyer", "status": "REFUNDED"})
    check.send("POST /v1/escrow/confirm-payment/<escrow_id>", f"/v1/escrow/confirm-payment/{std['id']}", 400,
               customer=BUYER)
    # lists
    check.send("GET /v1/escrow/transactions", "/v1/escrow/transactions?type=sales", 200, customer=SELLER)
    check.send("GET /v1/escrow/transactions", "/v1/escrow/transactions?type=nope", 401, customer=SELLER)
    check.send("GET /v1/escrow/feeds", "/v1/escrow/feeds?limit=2", 200)
    check.send("GET /v1/escrow/feeds", "/v1/escrow/feeds?limit=500", 400)
    # payment intents and the other payment routes
    intent = check.send("POST /v1/payment/create-intent", "/v1/payment/create-intent", 200, customer=BUYER,
                        json={"amount": 5000, "gateway": "PAYSTACK", "reference": "contract_1"})
    check.send("POST /v1/payment/verify", "/v1/payment/verify", 400, customer=BUYER,
               json={"reference": "unknown_ref"})
    check.send("POST /v1/payment/verify", "/v1/payment/verify", None, customer=BUYER,
               json={"references": [intent["reference"]]})
    check.send("POST /v1/payment/virtual-account", "/v1/payment/virtual-account", 200, customer=BUYER)
    check.send("POST /v1/payment/topup", "/v1/payment/topup", 200, customer=BUYER, json={"amount": 1000})
    check.send("POST /v1/payment/topup", "/v1/payment/topup", 401, customer=BUYER, json={"amount": 1000})
    check.send("POST /v1/payment/verify-account", "/v1/payment/verify-account", None, customer=BUYER,
               json={"accountNumber": "0123456789", "bankCode": "058"})
    check.send("GET /v1/payment/history", "/v1/payment/history", 200, customer=BUYER)
    check.send("GET /v1/payment/history", f"/v1/payment/history?reference={intent['reference']}", 200,
               customer=BUYER)
    # a fault injected by scenario, documented on /v1 routes
    check.send("GET /v1/wallet", "/v1/wallet", 429, customer=BUYER, headers={"X-Sandbox-Scenario": "rate_limited"})
    check.send("GET /v1/wallet", "/v1/wallet", 500, customer=BUYER, headers={"X-Sandbox-Scenario": "server_error"})
    check.send("POST /v1/payment/escrow", "/v1/payment/escrow", 400, customer=BUYER, json=pay_body(ms["id"]),
               headers={"X-Sandbox-Scenario": "card_declined"})
    assert len(check.checked) >= 25


def test_answers_conform__customers_catalogue_checkout(http):
    check = Checker(http)
    created = check.send("POST /v1/customer/create", "/v1/customer/create", 201,
                         json={"firstname": "Ife", "lastname": "Ola", "email": "ife@example.com",
                               "phone": "08030000000"})
    cid = created["id"]
    check.send("POST /v1/customer/create", "/v1/customer/create", 400,
               json={"firstname": "Ife", "lastname": "Ola", "email": "ife@example.com", "phone": "08030000000"})
    check.send("POST /v1/customer/create", "/v1/customer/create", 401, key="sk_test_limited_x",
               json={"firstname": "Ife", "lastname": "Ola", "email": "ife2@example.com", "phone": "08030000000"})
    check.send("GET /v1/customers", "/v1/customers?limit=3", 200)
    check.send("GET /v1/customer/<customer_id>", f"/v1/customer/{cid}", 200)
    check.send("GET /v1/customer/get/<customer_id>", f"/v1/customer/get/{UNKNOWN_ID}", 404)
    check.send("PUT /v1/customer/permissions/<customer_id>", f"/v1/customer/permissions/{cid}", 200,
               json={"canSell": False})
    check.send("PUT /v1/customer/block/<customer_id>", f"/v1/customer/block/{cid}", 200, json={"reason": "test"})
    check.send("PUT /v1/customer/unblock/<customer_id>", f"/v1/customer/unblock/{cid}", 200)
    check.send("GET /v1/wallet", "/v1/wallet", 200, customer=BUYER)
    # catalogue
    category = check.send("POST /v1/escrow/category/create", "/v1/escrow/category/create", 201,
                          data={"name": "Contract gadgets"}, files={"imageUrl": [("cover.png", b"png")]})
    check.send("PUT /v1/escrow/category/edit/<category_id>", f"/v1/escrow/category/edit/{category['id']}", 200,
               json={"description": "Phones and more"})
    check.send("GET /v1/escrow/category/get", "/v1/escrow/category/get", 200)
    check.send("GET /v1/escrow/category/get/<category_id>", f"/v1/escrow/category/get/{category['id']}", 200)
    check.send("PUT /v1/escrow/category/position/<category_id>",
               f"/v1/escrow/category/position/{category['id']}", 200, json={"newPosition": 1})
    check.send("DELETE /v1/escrow/category/delete/<category_id>", f"/v1/escrow/category/delete/{category['id']}",
               200)
    check.send("GET /v1/escrow/category/get/<category_id>", f"/v1/escrow/category/get/{category['id']}", 400)
    check.send("GET /v1/countries", "/v1/countries", 200)
    check.send("GET /v1/misc/countries", "/v1/misc/countries", 200)
    check.send("GET /v1/cards", "/v1/cards", None, customer=BUYER)
    check.send("DELETE /v1/card/<card_id>", f"/v1/card/{UNKNOWN_ID}", None, customer=BUYER)
    address = "0x" + "ab" * 20
    entry = check.send("POST /v1/whitelist-address", "/v1/whitelist-address", 201, customer=BUYER,
                       json={"walletAddress": address, "network": "BSC", "label": "cold"})
    check.send("POST /v1/whitelist-address", "/v1/whitelist-address", 400, customer=BUYER,
               json={"walletAddress": address, "network": "BSC"})
    check.send("GET /v1/whitelist-address", "/v1/whitelist-address", 200, customer=BUYER)
    check.send("DELETE /v1/whitelist-address/<address_id>", f"/v1/whitelist-address/{entry['id']}", 200,
               customer=BUYER)
    # checkout (publishable key, no Authorization)
    escrow = check.send("POST /v1/escrow/create", "/v1/escrow/create", 201, customer=SELLER,
                        json={"amount": 30000, "purpose": "Shoes", "whoPays": "both"})
    session = check.send("POST /v1/checkout/session", "/v1/checkout/session", 201, key=None,
                         json={"publicKey": "pk_test_suite", "paymentToken": escrow["paymentToken"],
                               "reference": "contract_checkout", "redirectUrl": "http://localhost:9/return"})
    sid = session["session"]["id"]
    check.send("GET /v1/checkout/session/<session_id>", f"/v1/checkout/session/{sid}?publicKey=pk_test_suite", 200,
               key=None)
    check.send("GET /v1/checkout/session/<session_id>", f"/v1/checkout/session/{UNKNOWN_ID}?publicKey=pk_test_suite",
               404, key=None)
    check.send("POST /v1/checkout/session", "/v1/checkout/session", 403, key=None,
               json={"publicKey": "pk_live_x", "paymentToken": escrow["paymentToken"], "reference": "r",
                     "redirectUrl": "http://localhost:9/return"})
    assert len(check.checked) >= 20


def test_answers_conform__sandbox_controls(http):
    check = Checker(http)
    check.send("GET /_sandbox/clock", "/_sandbox/clock", 200)
    check.send("POST /_sandbox/clock/freeze", "/_sandbox/clock/freeze", 200)
    check.send("POST /_sandbox/clock/advance", "/_sandbox/clock/advance", 200, json={"duration": "PT1H"})
    check.send("POST /_sandbox/clock/advance", "/_sandbox/clock/advance", 400, json={})
    check.send("POST /_sandbox/clock/set", "/_sandbox/clock/set", 200, json={"now": "2026-07-01T00:00:00Z"})
    check.send("POST /_sandbox/clock/resume", "/_sandbox/clock/resume", 200)
    check.send("POST /_sandbox/snapshots", "/_sandbox/snapshots", 201, json={"name": "before"})
    check.send("GET /_sandbox/snapshots", "/_sandbox/snapshots", 200)
    exported = check.send("GET /_sandbox/snapshots/<name>/export", "/_sandbox/snapshots/before/export", 200)
    check.send("POST /_sandbox/snapshots/<name>/restore", "/_sandbox/snapshots/before/restore", 200)
    check.send("DELETE /_sandbox/snapshots/<name>", "/_sandbox/snapshots/before", 200)
    check.send("DELETE /_sandbox/snapshots/<name>", "/_sandbox/snapshots/before", 404)
    state = check.send("GET /_sandbox/state", "/_sandbox/state", 200)
    check.send("POST /_sandbox/import", "/_sandbox/import", 200, json={"format": state["format"],
                                                                    "state": exported["state"]})
    check.send("POST /_sandbox/fork", "/_sandbox/fork", 201, json={"key": KEY + "_fork", "replace": True})
    check.send("POST /_sandbox/fork", "/_sandbox/fork", 400, json={"key": KEY})
    check.send("GET /_sandbox/ledger", "/_sandbox/ledger", 200)
    check.send("GET /_sandbox/invariants", "/_sandbox/invariants", 200)
    check.send("GET /_sandbox/scenarios", "/_sandbox/scenarios", 200)
    check.send("POST /_sandbox/helpers/fund-customer", "/_sandbox/helpers/fund-customer", None,
               json={"customerId": BUYER, "amount": 1000})
    check.send("POST /_sandbox/helpers/block-customer", "/_sandbox/helpers/block-customer", None,
               json={"customerId": BUYER, "reason": "test"})
    check.send("POST /_sandbox/helpers/unblock-customer", "/_sandbox/helpers/unblock-customer", None,
               json={"customerId": BUYER})
    check.send("GET /_sandbox/webhook", "/_sandbox/webhook", 200)
    check.send("PUT /_sandbox/webhook", "/_sandbox/webhook", 200, json={"milestoneEvents": True})
    check.send("PUT /_sandbox/webhook", "/_sandbox/webhook", 400, json={"url": "not a url"})
    check.send("GET /_sandbox/events", "/_sandbox/events", 200)
    check.send("GET /_sandbox/webhooks/deliveries", "/_sandbox/webhooks/deliveries", 200)
    check.send("POST /_sandbox/webhooks/flush", "/_sandbox/webhooks/flush", 200)
    check.send("POST /_sandbox/events/<event_id>/resend", f"/_sandbox/events/{UNKNOWN_ID}/resend", 404)
    journal = check.send("GET /_sandbox/requests", "/_sandbox/requests?limit=5", 200)
    check.send("GET /_sandbox/requests/<entry_id>", f"/_sandbox/requests/{journal['data'][0]['id']}", 200)
    check.send("GET /_sandbox/requests/<entry_id>", "/_sandbox/requests/999999", 400)
    check.send("DELETE /_sandbox/requests", "/_sandbox/requests", 200)
    check.send("POST /_sandbox/provider-states", "/_sandbox/provider-states", 200,
               json={"state": "the default parties exist"})
    values = check.send("POST /_sandbox/pact/provider-states", "/_sandbox/pact/provider-states", 200,
                        json={"state": "a funded milestone escrow with one milestone released exists"})
    assert values is None and validator("POST /_sandbox/pact/provider-states", 200).is_valid({"escrowId": "x"})
    assert not validator("POST /_sandbox/pact/provider-states", 200).is_valid({"escrowId": 5})
    check.send("POST /_sandbox/pact/provider-states", "/_sandbox/pact/provider-states?state=", 200)
    check.send("POST /_sandbox/pact/provider-states", "/_sandbox/pact/provider-states", 400,
               json={"state": "", "params": {"seed": "x"}})
    check.send("POST /_sandbox/reset", "/_sandbox/reset", 200)
    check.send("GET /_sandbox/clock", "/_sandbox/clock", 401, key=None)
    assert len(check.checked) >= 25
