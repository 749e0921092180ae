"""Scenarios and fault injection: the catalogue, each scenario by header and by magic value,
"nothing changed" where promised, the dropped response (live: requests sees the connection
break while the escrow is funded), header errors, and the test helpers."""

import threading
import time

import pytest
import requests

from sandbox import create_app
from sandbox import ResponseLost  # the public name README gives (sandbox/controlplane/faults.py)
from tests.conftest import BUYER, KEY, POOR_BUYER, SELLER, UNKNOWN_ID, make_config, pay_body

PAY = "/v1/payment/escrow"
CREATE_INTENT = "/v1/payment/create-intent"
VERIFY = "/v1/payment/verify"
SESSION = "/v1/checkout/session"
PK = "pk_test_suite"  # pairs with tests.conftest.KEY
NAMES = ["card_declined", "insufficient_funds", "gateway_timeout", "server_error", "latency", "rate_limited",
         "response_lost", "maintenance"]
KNOWN = ", ".join(NAMES)
HELPERS = ["block-customer", "unblock-customer", "fund-customer", "reverse-withdrawal"]
DEPOSIT = {"amount": 50000, "gateway": "PAYSTACK", "currency": "NGN", "transactionType": "DEPOSIT"}
ESCROW_FIELDS = {"amount": "150000", "purpose": "Phone", "whoPays": "both"}
CHARGE = 151875  # 150 000 + half of the 3 750 fee


# -- helpers ---------------------------------------------------------------------------------


def scenario(value: str) -> dict:
    return {"X-Sandbox-Scenario": value}


def world(http) -> list:
    """Everything a fault could have touched: the ledger, every escrow, the buyers' payment
    histories (intents, payments) and the customers."""
    return [
        http.get("/_sandbox/ledger").body,
        http.get("/v1/escrow/feeds?limit=100").body,
        http.get("/v1/payment/history?limit=100", customer=BUYER).body,
        http.get("/v1/payment/history?limit=100", customer=POOR_BUYER).body,
        http.get("/v1/customers?limit=100").body,
    ]


def escrow_status(api, escrow) -> tuple:
    found = api.verify(escrow["paymentToken"])
    return found["state"], found["status"]


def pay(http, escrow, gateway="card", headers=None, **extra):
    return http.post(PAY, customer=BUYER, json=pay_body(escrow["id"], gateway, **extra), headers=headers)


def lost(http):
    """What the client sees when the connection is dropped: requests raises ConnectionError or
    ChunkedEncodingError (live); the Flask test client raises ResponseLost (in-process)."""
    if http.transport == "live":
        return pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError))
    return pytest.raises(ResponseLost)


def applied(reply) -> str | None:
    return reply.headers.get("X-Sandbox-Scenario-Applied")


def catalogue(http) -> dict:
    reply = http.get("/_sandbox/scenarios")
    assert (reply.status, reply.body["message"]) == (200, "Scenarios fetched successfully")
    return reply.data


# -- the catalogue ---------------------------------------------------------------------------


def test_list_scenarios(http):
    data = catalogue(http)
    assert (data["header"], data["headerSyntax"], data["appliedHeader"], data["magicPrefix"]) == (
        "X-Sandbox-Scenario", "<name>[; <param>=<value>]...", "X-Sandbox-Scenario-Applied", "sbx_")
    assert [s["name"] for s in data["scenarios"]] == NAMES
    for entry in data["scenarios"]:
        assert list(entry) == ["name", "kind", "description", "appliesTo", "ignoredWhen", "triggers", "params",
                               "outcome", "effect", "committed", "notes"]
        assert entry["kind"] == "scenario" and entry["description"]
        assert entry["triggers"]["header"] == entry["name"]
        assert entry["triggers"]["magic"][0]["value"].startswith("sbx_")
    by_name = {s["name"]: s for s in data["scenarios"]}
    assert {n: s["committed"] for n, s in by_name.items()} == {
        "card_declined": False, "insufficient_funds": False, "gateway_timeout": False, "server_error": False,
        "latency": True, "rate_limited": False, "response_lost": True, "maintenance": False}
    assert {n: s["outcome"] for n, s in by_name.items()} == {
        "card_declined": "refuse", "insufficient_funds": "refuse", "gateway_timeout": "timeout",
        "server_error": "refuse", "latency": "delay", "rate_limited": "rate_limit", "response_lost": "drop",
        "maintenance": "refuse"}


def test_list_scenarios__card_declined_entry(http):
    entry = next(s for s in catalogue(http)["scenarios"] if s["name"] == "card_declined")
    payment_routes = ["POST /v1/payment/escrow", "POST /v1/payment/create-intent", "POST /v1/payment/verify",
                      "POST /v1/checkout/session"]
    assert entry["appliesTo"] == payment_routes
    assert entry["ignoredWhen"] == {"gateway": ["wallet"], "transactionType": ["withdrawal", "wallet_transfer"]}
    assert entry["triggers"] == {"header": "card_declined", "headerExample": "card_declined", "magic": [
        {"field": "reference", "match": "prefix", "value": "sbx_decline_", "routes": payment_routes,
         "example": "sbx_decline_order42"},
        {"field": "amount", "match": "equals", "value": 402,
         "routes": ["POST /v1/payment/escrow", "POST /v1/payment/create-intent"]},
    ]}
    assert entry["effect"] == {"status": 400, "message": "Card declined",
                               "body": {"status": 400, "message": "Card declined", "data": {}}, "headers": {}}


def test_list_scenarios__parameters_and_special_bodies(http):
    by_name = {s["name"]: s for s in catalogue(http)["scenarios"]}
    assert by_name["latency"]["params"] == [{"name": "ms", "default": 1000, "minimum": 0, "maximum": 30000,
                                             "description": "milliseconds to wait (real time, not the namespace clock)"}]
    assert by_name["latency"]["triggers"]["headerExample"] == "latency; ms=1000"
    assert by_name["latency"]["triggers"]["magic"][0]["example"] == "sbx_latency_1000_order42"
    assert by_name["latency"]["appliesTo"] == ["* /v1/*"]
    assert by_name["gateway_timeout"]["params"][0]["default"] == 50
    assert by_name["rate_limited"]["effect"] == {
        "status": 429, "message": "Too many request", "body": {"status": 429, "message": "Too many request"},
        "headers": {"RateLimit-Policy": "10;w=60", "RateLimit": "limit=10, remaining=0, reset={reset}",
                    "Retry-After": "{reset}"}}
    assert [m["value"] for m in by_name["response_lost"]["triggers"]["magic"]] == ["sbx_lost_", 444]
    assert by_name["response_lost"]["effect"]["body"] is None
    assert [m["value"] for m in by_name["server_error"]["triggers"]["magic"]] == ["sbx_error_"]


def test_list_scenarios__helpers(http):
    helpers = catalogue(http)["helpers"]
    assert [h["name"] for h in helpers] == HELPERS
    assert [h["route"] for h in helpers] == [f"POST /_sandbox/helpers/{name}" for name in HELPERS]
    assert all(h["kind"] == "helper" and h["committed"] is True and h["effect"]["status"] == 200 for h in helpers)
    assert helpers[2]["body"] == {"customerId": "required: the customer's 24-hex id",
                                  "amount": "required: whole naira, 1 to 1000000000000"}


def test_list_scenarios__needs_a_key(http):
    reply = http.get("/_sandbox/scenarios", key=None)
    assert (reply.status, reply.body) == (401, {"status": 401, "message": "No token provided", "data": {}})


def test_list_scenarios__every_magic_trigger_does_what_the_catalogue_says(api):
    """Each magic value the catalogue lists, sent on pay-escrow, gives the answer it documents."""
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    checked = 0
    for entry in catalogue(api.http)["scenarios"]:
        if entry["effect"]["status"] is None:
            continue
        for magic in entry["triggers"]["magic"]:
            assert "POST /v1/payment/escrow" in magic["routes"]
            extra = {"amount": magic["value"]} if magic["field"] == "amount" else {"reference": magic["value"] + "0_x"}
            reply = pay(api.http, escrow, **extra)
            assert (reply.status, reply.body) == (entry["effect"]["status"], entry["effect"]["body"]), entry["name"]
            assert applied(reply) == entry["name"]
            checked += 1
    assert checked == 9
    assert world(api.http) == before


# -- faults that change nothing --------------------------------------------------------------

REFUSALS = [
    ("card_declined", 400, "Card declined"),
    ("insufficient_funds", 400, "Insufficient balance"),
    ("gateway_timeout", 504, "Gateway timeout"),
    ("server_error", 500, "Internal server error"),
]
MAGIC_REFUSALS = [
    ({"reference": "sbx_decline_order1"}, 400, "Card declined"),
    ({"reference": "SBX_DECLINE_ORDER1"}, 400, "Card declined"),
    ({"amount": 402}, 400, "Card declined"),
    ({"reference": "sbx_insufficient_order1"}, 400, "Insufficient balance"),
    ({"reference": "sbx_timeout_order1"}, 504, "Gateway timeout"),
    ({"reference": "sbx_timeout_0_order1"}, 504, "Gateway timeout"),
    ({"amount": 504}, 504, "Gateway timeout"),
    ({"reference": "sbx_error_order1"}, 500, "Internal server error"),
]


@pytest.mark.parametrize("name, status, message", REFUSALS)
def test_pay_escrow__fault_by_header(api, name, status, message):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    reply = pay(api.http, escrow, headers=scenario(name), reference="order_1")
    api.error(reply, status, message)
    assert applied(reply) == name
    assert world(api.http) == before
    assert escrow_status(api, escrow) == ("AWAITING_PAYMENT", "PENDING")
    # The same payment without the header goes through: the fault reserved nothing.
    assert pay(api.http, escrow, reference="order_1").status == 200


@pytest.mark.parametrize("extra, status, message", MAGIC_REFUSALS)
def test_pay_escrow__fault_by_magic_value(api, extra, status, message):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    reply = pay(api.http, escrow, **extra)
    api.error(reply, status, message)
    assert applied(reply) is not None
    assert world(api.http) == before
    assert escrow_status(api, escrow) == ("AWAITING_PAYMENT", "PENDING")


def test_pay_escrow__insufficient_funds_on_a_wallet(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    api.error(pay(api.http, escrow, gateway="wallet", headers=scenario("insufficient_funds")), 400,
              "Insufficient balance")
    api.error(pay(api.http, escrow, gateway="WALLET", reference="sbx_insufficient_x"), 400, "Insufficient balance")
    assert world(api.http) == before


@pytest.mark.parametrize("trigger", [{"headers": scenario("card_declined")}, {"reference": "sbx_decline_w1"},
                                     {"amount": 402}])
def test_pay_escrow__card_declined_ignores_wallet_payments(api, trigger):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = api.wallet(BUYER)["mainBalance"]
    reply = pay(api.http, escrow, gateway="wallet", **trigger)
    assert reply.status == 200, reply.body
    assert applied(reply) is None
    assert api.wallet(BUYER)["mainBalance"] == before - CHARGE
    assert escrow_status(api, escrow) == ("OPENED", "ONGOING")


def test_card_declined__ignored_on_other_routes(api):
    reply = api.http.get("/v1/wallet", customer=BUYER, headers=scenario("card_declined"))
    assert reply.status == 200 and applied(reply) is None
    escrow = api.create_escrow(ESCROW_FIELDS)  # create is not a payment route: processed normally
    assert escrow["state"] == "AWAITING_PAYMENT"


def test_header_wins_over_magic_value(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    reply = pay(api.http, escrow, headers=scenario("latency; ms=0"), reference="sbx_decline_1")
    assert reply.status == 200 and applied(reply) == "latency"
    assert escrow_status(api, escrow) == ("OPENED", "ONGOING")


def test_header_that_does_not_apply_leaves_room_for_magic(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    reply = pay(api.http, escrow, gateway="wallet", headers=scenario("card_declined"), reference="sbx_error_1")
    api.error(reply, 500, "Internal server error")
    assert applied(reply) == "server_error"


def test_server_error__any_v1_route(api):
    before = world(api.http)
    reply = api.http.post("/v1/escrow/create", customer=SELLER, data=ESCROW_FIELDS,
                          headers=scenario("server_error"))
    api.error(reply, 500, "Internal server error")
    assert world(api.http) == before


def test_fault__answers_before_validation(api):
    """Faults answer before the body is looked at: even a body the view would refuse."""
    reply = api.http.post(PAY, customer=BUYER, json={"nonsense": True}, headers=scenario("card_declined"))
    api.error(reply, 400, "Card declined")


# -- payment intents, verify, checkout sessions ----------------------------------------------


@pytest.mark.parametrize("trigger, message", [
    ({"headers": scenario("card_declined")}, "Card declined"),
    ({"amount": 402}, "Card declined"),
    ({"reference": "sbx_decline_intent1"}, "Card declined"),
    ({"reference": "sbx_insufficient_intent1"}, "Insufficient balance"),
])
def test_create_intent__refused(api, trigger, message):
    before = world(api.http)
    trigger = dict(trigger)
    headers = trigger.pop("headers", None)
    reply = api.http.post(CREATE_INTENT, customer=BUYER, json={**DEPOSIT, **trigger}, headers=headers)
    api.error(reply, 400, message)
    assert world(api.http) == before


def test_create_intent__card_declined_ignores_withdrawals(api):
    body = {"amount": 1000, "transactionType": "withdrawal",
            "withdrawalDetails": {"accountNumber": "0123456789", "bankCode": "044"}}
    reply = api.http.post(CREATE_INTENT, customer=BUYER, json=body, headers=scenario("card_declined"))
    assert reply.status == 200 and reply.data["status"] == "PENDING"


def test_verify__card_declined_then_verified(api):
    intent = api._expect(api.http.post(CREATE_INTENT, customer=BUYER, json=DEPOSIT), 200)
    before = world(api.http)
    reply = api.http.post(VERIFY, customer=BUYER, json={"reference": intent["reference"]},
                          headers=scenario("card_declined"))
    api.error(reply, 400, "Card declined")
    assert world(api.http) == before
    verified = api._expect(api.http.post(VERIFY, customer=BUYER, json={"reference": intent["reference"]}), 200)
    assert verified["status"] == "SUCCESS"


def test_verify__magic_reference_in_a_batch(api):
    intent = api._expect(api.http.post(CREATE_INTENT, customer=BUYER, json=DEPOSIT), 200)
    before = world(api.http)
    reply = api.http.post(VERIFY, customer=BUYER, json={"references": [intent["reference"], "sbx_error_x"]})
    api.error(reply, 500, "Internal server error")
    assert world(api.http) == before


def test_checkout_session__card_declined_by_magic_reference(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    body = {"paymentToken": escrow["paymentToken"], "reference": "sbx_decline_c1",
            "redirectUrl": "http://localhost:9/return", "publicKey": PK}
    reply = api.http.post(SESSION, key=None, json=body)
    api.error(reply, 400, "Card declined")
    body["reference"] = "order_c1"
    assert api.http.post(SESSION, key=None, json=body).status == 201


# -- delays ----------------------------------------------------------------------------------


def timed(call):
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def test_gateway_timeout__waits_then_504(api):
    reply, elapsed = timed(lambda: api.http.get("/v1/wallet", customer=BUYER,
                                                headers=scenario("gateway_timeout; ms=150")))
    api.error(reply, 504, "Gateway timeout")
    assert elapsed >= 0.15
    reply, elapsed = timed(lambda: api.http.get("/v1/wallet", customer=BUYER, headers=scenario("gateway_timeout")))
    api.error(reply, 504, "Gateway timeout")
    assert elapsed >= 0.05


def test_latency__by_header(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    reply, elapsed = timed(lambda: pay(api.http, escrow, gateway="wallet", headers=scenario("Latency ; MS=200;")))
    assert reply.status == 200 and applied(reply) == "latency"
    assert elapsed >= 0.2
    assert escrow_status(api, escrow) == ("OPENED", "ONGOING")


def test_latency__default_one_second(api):
    reply, elapsed = timed(lambda: api.http.get("/v1/wallet", customer=BUYER, headers=scenario("latency")))
    assert reply.status == 200 and reply.data["mainBalance"] == 5000000
    assert elapsed >= 1.0


def test_latency__by_magic_reference(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    reply, elapsed = timed(lambda: pay(api.http, escrow, gateway="wallet", reference="sbx_latency_150_order9"))
    assert reply.status == 200 and reply.data["reference"] == "sbx_latency_150_order9"
    assert elapsed >= 0.15
    assert escrow_status(api, escrow) == ("OPENED", "ONGOING")


def test_latency__magic_delay_over_the_cap(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    reply = pay(api.http, escrow, reference="sbx_latency_30001_x")
    api.error(reply, 400, 'Sandbox scenario parameter "ms" must be a whole number from 0 to 30000')


# -- rate limited ----------------------------------------------------------------------------


@pytest.mark.parametrize("trigger, reset", [({"headers": scenario("rate_limited")}, "60"),
                                            ({"headers": scenario("rate_limited; reset=7")}, "7"),
                                            ({"reference": "sbx_ratelimit_order1"}, "60"),
                                            ({"reference": "sbx_ratelimit_12"}, "12"),
                                            ({"amount": 429}, "60")])
def test_rate_limited(api, trigger, reset):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    reply = pay(api.http, escrow, **trigger)
    assert (reply.status, reply.body) == (429, {"status": 429, "message": "Too many request"})
    assert reply.headers["RateLimit-Policy"] == "10;w=60"
    assert reply.headers["RateLimit"] == f"limit=10, remaining=0, reset={reset}"
    assert reply.headers["Retry-After"] == reset
    assert applied(reply) == "rate_limited"
    assert world(api.http) == before


def test_rate_limited__any_v1_route(api):
    reply = api.http.get("/v1/customers", headers=scenario("rate_limited"))
    assert (reply.status, reply.body) == (429, {"status": 429, "message": "Too many request"})


# -- response lost ---------------------------------------------------------------------------


def test_response_lost__pay_escrow_commits_and_the_retry_is_answered(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = api.wallet(BUYER)["mainBalance"]
    with lost(api.http):
        pay(api.http, escrow, gateway="wallet", reference="sbx_lost_order7")
    # The operation committed: the escrow is funded, the buyer charged once.
    assert escrow_status(api, escrow) == ("OPENED", "ONGOING")
    assert api.wallet(BUYER) == {"mainBalance": before - CHARGE, "escrowBalance": CHARGE, "currency": "NGN"}
    # The client's retry with the same reference changes nothing, so it gets its answer.
    retry = pay(api.http, escrow, gateway="wallet", reference="sbx_lost_order7")
    assert retry.status == 200, retry.body
    assert retry.data == {"reference": "sbx_lost_order7", "status": "SUCCESS", "amount": CHARGE}
    assert applied(retry) == "response_lost"
    assert api.wallet(BUYER)["mainBalance"] == before - CHARGE


def test_response_lost__by_header_on_escrow_create(api):
    with lost(api.http):
        api.http.post("/v1/escrow/create", customer=SELLER, data=ESCROW_FIELDS, headers=scenario("response_lost"))
    feeds = api.http.get("/v1/escrow/feeds").data
    assert feeds["pagination"]["count"] == 1 and feeds["data"][0]["purpose"] == "Phone"


def test_response_lost__create_intent_by_magic_amount(api):
    body = {**DEPOSIT, "amount": 444, "reference": "order_444"}
    with lost(api.http):
        api.http.post(CREATE_INTENT, customer=BUYER, json=body)
    # It was created: the retry is refused as a duplicate (a refusal is answered).
    api.error(api.http.post(CREATE_INTENT, customer=BUYER, json=body), 400, "Duplicate reference")
    verified = api._expect(api.http.post(VERIFY, customer=BUYER, json={"reference": "order_444"}), 200)
    assert (verified["status"], verified["amount"]) == ("SUCCESS", 444)


def test_response_lost__refusals_and_reads_are_answered(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    before = world(api.http)
    reply = api.http.post(PAY, customer=POOR_BUYER, json=pay_body(escrow["id"], "wallet"),
                          headers=scenario("response_lost"))
    api.error(reply, 400, "Insufficient balance")
    reply = api.http.get("/v1/wallet", customer=BUYER, headers=scenario("response_lost"))
    assert reply.status == 200 and applied(reply) == "response_lost"
    assert world(api.http) == before


def test_response_lost__checkout_session(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    body = {"paymentToken": escrow["paymentToken"], "reference": "sbx_lost_c1",
            "redirectUrl": "http://localhost:9/return", "publicKey": PK}
    with lost(api.http):
        api.http.post(SESSION, key=None, json=body)
    api.error(api.http.post(SESSION, key=None, json=body), 400, "Duplicate reference")


def test_response_lost__live_server_with_requests(live_server):
    """The proof over a real socket with plain `requests`: the connection breaks, yet the
    escrow is funded."""
    key = "sk_test_scenarios_response_lost"
    auth = {"Authorization": f"Bearer {key}"}
    assert requests.post(f"{live_server}/_sandbox/reset", headers=auth, timeout=10).status_code == 200
    created = requests.post(f"{live_server}/v1/escrow/create", headers={**auth, "customer-id": SELLER},
                            data=ESCROW_FIELDS, timeout=10).json()["data"]
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.post(f"{live_server}{PAY}", headers={**auth, "customer-id": BUYER, **scenario("response_lost")},
                      json=pay_body(created["id"], "wallet", reference="order_lost_1"), timeout=10)
    found = requests.get(f"{live_server}/v1/escrow/verify/{created['paymentToken']}", headers=auth,
                         timeout=10).json()["data"]
    assert (found["state"], found["status"], found["paymentDetails"]["reference"]) == (
        "OPENED", "ONGOING", "order_lost_1")
    checked = requests.get(f"{live_server}/_sandbox/invariants", headers=auth, timeout=10).json()["data"]
    assert checked["violations"] == []


def test_response_lost__one_info_line_in_the_server_log(tmp_path):
    """A deliberate fault is not an error: the server says so in one INFO line, no traceback."""
    from tests.conftest import running_server

    log = tmp_path / "server.log"
    with running_server(log=log) as url:
        auth = {"Authorization": "Bearer sk_test_scenarios_lost_log"}
        created = requests.post(f"{url}/v1/escrow/create", headers={**auth, "customer-id": SELLER},
                                data=ESCROW_FIELDS, timeout=10).json()["data"]
        with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.post(f"{url}{PAY}", headers={**auth, "customer-id": BUYER, **scenario("response_lost")},
                          json=pay_body(created["id"], "wallet"), timeout=10)
        time.sleep(0.2)
    lines = [line for line in log.read_text().splitlines() if "response_lost" in line or "Traceback" in line
             or "[ERROR]" in line]
    assert lines == ["[INFO] X-Sandbox-Scenario response_lost: the operation committed and the response is dropped "
                     "on purpose"], log.read_text()


def test_response_lost__journal_keeps_the_answer_the_client_never_got(api):
    escrow = api.create_escrow(ESCROW_FIELDS)
    with lost(api.http):
        pay(api.http, escrow, gateway="wallet", reference="sbx_lost_j1")
    entry = api.http.get("/_sandbox/requests?path=/v1/payment/escrow").data["data"][0]
    assert (entry["status"], entry["scenario"]) == (200, "response_lost")
    assert entry["responseBody"]["data"] == {"reference": "sbx_lost_j1", "status": "SUCCESS", "amount": CHARGE}


def test_faults__journaled_with_their_scenario(api):
    api.http.get("/v1/wallet", customer=BUYER, headers=scenario("server_error"))
    entry = api.http.get("/_sandbox/requests?path=/v1/wallet").data["data"][0]
    assert (entry["status"], entry["scenario"]) == (500, "server_error")


def test_controls_off__scenarios_are_not_honoured():
    client = create_app(make_config(controls=False)).test_client()
    auth = {"Authorization": f"Bearer {KEY}", "customer-id": BUYER}
    reply = client.get("/v1/wallet", headers={**auth, **scenario("server_error")})
    assert reply.status_code == 200 and "X-Sandbox-Scenario-Applied" not in reply.headers
    reply = client.get("/v1/wallet", headers={**auth, **scenario("nope")})
    assert reply.status_code == 200
    reply = client.get("/_sandbox/scenarios", headers=auth)
    assert reply.status_code == 404


# -- the header: errors and where it is ignored ----------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("nope", f'Unknown sandbox scenario "nope". Known scenarios: {KNOWN}'),
    ("card declined", f'Unknown sandbox scenario "card declined". Known scenarios: {KNOWN}'),
    ("latency; ms", "X-Sandbox-Scenario must be <name>[; <param>=<value>]..."),
    ("latency; =5", "X-Sandbox-Scenario must be <name>[; <param>=<value>]..."),
    ("latency; seconds=1", 'Sandbox scenario latency takes no parameter "seconds" (allowed: ms)'),
    ("card_declined; ms=1", 'Sandbox scenario card_declined takes no parameter "ms" (allowed: none)'),
    ("latency; ms=abc", 'Sandbox scenario parameter "ms" must be a whole number from 0 to 30000'),
    ("latency; ms=-1", 'Sandbox scenario parameter "ms" must be a whole number from 0 to 30000'),
    ("latency; ms=30001", 'Sandbox scenario parameter "ms" must be a whole number from 0 to 30000'),
    ("gateway_timeout; ms=1.5", 'Sandbox scenario parameter "ms" must be a whole number from 0 to 30000'),
    ("rate_limited; reset=61", 'Sandbox scenario parameter "reset" must be a whole number from 0 to 60'),
])
def test_header__refused(api, value, message):
    before = world(api.http)
    api.error(api.http.get("/v1/wallet", customer=BUYER, headers=scenario(value)), 400, message)
    api.error(api.http.post("/v1/escrow/create", customer=SELLER, data=ESCROW_FIELDS, headers=scenario(value)),
              400, message)
    assert world(api.http) == before


def test_header__blank_is_no_scenario(api):
    reply = api.http.get("/v1/wallet", customer=BUYER, headers=scenario(""))
    assert reply.status == 200 and applied(reply) is None


def test_header__authentication_comes_first(http):
    reply = http.get("/v1/wallet", key=None, customer=BUYER, headers=scenario("server_error"))
    assert (reply.status, reply.body["message"]) == (401, "No token provided")
    reply = http.get("/v1/wallet", key=None, customer=BUYER, headers=scenario("nope"))
    assert (reply.status, reply.body["message"]) == (401, "No token provided")


def test_header__ignored_outside_v1(http):
    reply = http.get("/_sandbox/ledger", headers=scenario("server_error"))
    assert reply.status == 200 and applied(reply) is None
    reply = http.get("/_sandbox/scenarios", headers=scenario("nope"))
    assert reply.status == 200
    reply = http.get("/v1/no-such-route", headers=scenario("server_error"))
    assert (reply.status, reply.body) == (404, {"status": 404, "message": "Route not found", "data": {}})


# -- helpers ---------------------------------------------------------------------------------

BLOCK = "/_sandbox/helpers/block-customer"
UNBLOCK = "/_sandbox/helpers/unblock-customer"
FUND = "/_sandbox/helpers/fund-customer"


def test_block_customer(api):
    reply = api.http.post(BLOCK, json={"customerId": BUYER, "reason": "chargeback"})
    assert (reply.status, reply.body["message"]) == (200, "Customer blocked successfully")
    assert (reply.data["id"], reply.data["status"], reply.data["blockedReason"]) == (BUYER, "blocked", "chargeback")
    assert reply.data["blockedAt"] == "2026-06-22T10:15:00.000Z"
    api.error(api.http.get("/v1/wallet", customer=BUYER), 401, "Your account is disabled. Please contact support")


def test_block_customer__with_a_key_that_cannot_use_the_merchant_route(http):
    key = "sk_test_limited_scenarios"
    denied = http.put(f"/v1/customer/block/{BUYER}", key=key, json={})
    assert (denied.status, denied.body["message"]) == (401, "Access denied")
    reply = http.post(BLOCK, key=key, json={"customerId": BUYER.upper()})
    assert (reply.status, reply.data["status"], reply.data["blockedReason"]) == (200, "blocked", None)


def test_unblock_customer(api):
    api.http.post(BLOCK, json={"customerId": BUYER})
    reply = api.http.post(UNBLOCK, json={"customerId": BUYER})
    assert (reply.status, reply.body["message"]) == (200, "Customer unblocked successfully")
    assert (reply.data["status"], reply.data["blockedAt"]) == ("active", None)
    assert api.wallet(BUYER)["mainBalance"] == 5000000


def test_fund_customer(api):
    before = api.wallet(SELLER)
    reply = api.http.post(FUND, json={"customerId": SELLER, "amount": 250000})
    assert (reply.status, reply.body["message"]) == (200, "Customer funded successfully")
    assert reply.data == {"mainBalance": before["mainBalance"] + 250000, "escrowBalance": 0, "currency": "NGN"}
    assert api.wallet(SELLER)["mainBalance"] == before["mainBalance"] + 250000
    posting = api.http.get("/_sandbox/ledger").data["postings"][-1]
    assert posting["kind"] == "sandbox_funding" and posting["customerId"] == SELLER
    assert posting["reference"].startswith("SBX_FUND_")
    assert posting["entries"] == [["external:sandbox", -250000], [f"customer:{SELLER}:main", 250000]]


def test_fund_customer__blocked_customer(api):
    api.http.post(BLOCK, json={"customerId": POOR_BUYER})
    reply = api.http.post(FUND, json={"customerId": POOR_BUYER, "amount": 5})
    assert reply.status == 200 and reply.data["mainBalance"] == 10005


@pytest.mark.parametrize("path", [BLOCK, UNBLOCK, FUND])
@pytest.mark.parametrize("body, status, message", [
    ({}, 400, '"customerId" is required'),
    ({"customerId": "abc"}, 400, '"customerId" must be a valid id (24 hex characters)'),
    ({"customerId": 7}, 400, '"customerId" must be a string'),
    ({"customerId": UNKNOWN_ID, "amount": 1}, 404, "Customer not found"),
    ({"customerId": BUYER, "amount": 1, "foo": 1}, 400, '"foo" is not allowed'),
    ([], 400, "Request body must be a JSON object"),
])
def test_helpers__refused(api, path, body, status, message):
    if path != FUND and isinstance(body, dict) and "amount" in body:
        body = {k: v for k, v in body.items() if k != "amount"}
    before = world(api.http)
    api.error(api.http.post(path, json=body), status, message)
    assert world(api.http) == before


@pytest.mark.parametrize("path", [BLOCK, UNBLOCK, FUND])
def test_helpers__malformed_json_and_no_key(http, path):
    reply = http.post(path, body="{", headers={"Content-Type": "application/json"})
    assert (reply.status, reply.body["message"]) == (400, "Malformed JSON in request body")
    reply = http.post(path, key=None, json={"customerId": BUYER})
    assert (reply.status, reply.body["message"]) == (401, "No token provided")


@pytest.mark.parametrize("amount, message", [
    (None, '"amount" is required'),
    (0, '"amount" must be greater than or equal to 1'),
    ("5", '"amount" must be an integer'),
    (1.5, '"amount" must be an integer'),
    (True, '"amount" must be an integer'),
    (10**12 + 1, '"amount" must be less than or equal to 1000000000000'),
])
def test_fund_customer__bad_amount(api, amount, message):
    body = {"customerId": SELLER} if amount is None else {"customerId": SELLER, "amount": amount}
    before = world(api.http)
    api.error(api.http.post(FUND, json=body), 400, message)
    assert world(api.http) == before


def test_a_waiting_request_does_not_stall_the_others():
    """Issues 9 and 16: on the production server as `make run` starts it (one request thread),
    requests sitting in `latency` and `gateway_timeout` faults — more of them than it has
    threads, one with a body (a magic reference) — hold nobody up: another client's answers
    come first, then each waiting request gets its own right answer, journaled once."""
    from tests.conftest import running_server

    with running_server() as url:
        key = "sk_test_scenarios_waiting"
        headers = {"Authorization": f"Bearer {key}"}
        wallet = f"{url}/v1/wallet"
        escrow = requests.post(f"{url}/v1/escrow/create", headers={**headers, "customer-id": SELLER},
                               data=ESCROW_FIELDS, timeout=10).json()["data"]
        finished, answers = [], {}

        def wait(name, call):
            answers[name] = call()
            finished.append(name)

        slow = {
            "latency": lambda: requests.get(wallet, headers={**headers, "customer-id": BUYER,
                                                             "X-Sandbox-Scenario": "latency; ms=2000"}, timeout=30),
            "timeout": lambda: requests.get(wallet, headers={**headers, "customer-id": BUYER,
                                                             "X-Sandbox-Scenario": "gateway_timeout; ms=1500"}, timeout=30),
            "paid": lambda: requests.post(f"{url}{PAY}", headers={**headers, "customer-id": BUYER}, timeout=30,
                                          json=pay_body(escrow["id"], "wallet", reference="sbx_latency_1800_order7")),
        }
        sleepers = [threading.Thread(target=wait, args=item) for item in slow.items()]
        for sleeper in sleepers:
            sleeper.start()
        time.sleep(0.3)  # the slow requests are in the server, waiting
        for _ in range(3):
            assert requests.get(wallet, headers={**headers, "customer-id": SELLER}, timeout=30).status_code == 200
        finished.append("fast")
        for sleeper in sleepers:
            sleeper.join()
        assert finished[0] == "fast" and sorted(finished[1:]) == ["latency", "paid", "timeout"]
        assert answers["latency"].json()["message"] == "Wallet fetched successfully"
        assert (answers["timeout"].status_code, answers["timeout"].json()["message"]) == (504, "Gateway timeout")
        assert answers["paid"].json()["data"]["reference"] == "sbx_latency_1800_order7"
        entries = requests.get(f"{url}/_sandbox/requests", headers=headers, timeout=10).json()["data"]["data"]
        waited = {e["scenario"]: e for e in entries if e["scenario"]}
        assert sorted(waited) == ["gateway_timeout", "latency"] and len(entries) == 7  # one entry per request
        assert [e["status"] for e in entries if e["scenario"] == "latency"] == [200, 200]
        assert waited["gateway_timeout"]["latencyMs"] >= 1500