"""Pact's own tools against the sandbox: a consumer contract written with pact-python (its mock
server and its verifier are the Pact FFI that ships in the wheel), verified against a live sandbox
by pact-python's `Verifier` with `/_sandbox/pact/provider-states` as its state-change URL.

The contract (`CONSUMER`, a small Payluk client as an integration writes one, tested against
Pact's mock server) covers the milestone flow — list customers, create a milestone escrow, read
the milestones of an unfunded escrow, pay it, release the next milestone of a funded one — with
the ids the provider state makes injected by `fromProviderState` (in a path, a body, a header),
and refusals (a wallet read without `customer-id`, a milestone released twice, an unknown
escrow). It is verified as a Python team would (`pact_verify.py`, the README's example: the key
and control token as custom headers, the change in the body) and as a verifier that sends no
headers to the state-change URL would (key and token in its URL, the change in its query).
The checks that must fail do: the old envelope route as state-change URL, a missing token.

Skipped, with the reason, where pact-python or its FFI cannot be loaded.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import BUYER, SELLER, running_server

try:
    from pact import Pact, Verifier, generate, match
    from pact.match.matcher import GenericMatcher
except Exception as err:  # ImportError, or the FFI's shared library refusing to load (OSError)
    pytest.skip(f"pact-python cannot be used here: {type(err).__name__}: {err}", allow_module_level=True)

HERE = Path(__file__).resolve().parent
TOKEN = "pact-control-token-7c1d"
CONSUMER_KEY = "sk_test_pact_consumer"  # the key the consumer's requests carry (recorded in the contract)
PACT_STATES = "/_sandbox/pact/provider-states"
UNFUNDED = "an unfunded milestone escrow exists"
FUNDED = "a funded milestone escrow with one milestone released exists"
OBJECT_ID = r"^[0-9a-f]{24}$"
# Examples for the consumer's own tests (Pact's mock server); the verifier replaces each with the
# value the provider state answers.
EXAMPLE_ESCROW, EXAMPLE_TOKEN = "665f1b2c9a1e4d0012ab3c10", "PY_8AB12C9D3045"
EXAMPLE_RELEASED, EXAMPLE_NEXT = "665f1b2c9a1e4d0012ab3c21", "665f1b2c9a1e4d0012ab3c22"


# -- the consumer: a Payluk client, and its contract ------------------------------------------------


class PaylukError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"{status} {message}")
        self.status, self.message = status, message


class Payluk:
    """The consumer's client: `Authorization: Bearer`, `customer-id`, the envelope's `data`."""

    def __init__(self, base: str, key: str = CONSUMER_KEY):
        self.base, self.key = base, key

    def call(self, method: str, path: str, customer: str | None = None, body=None):
        headers = {"Authorization": f"Bearer {self.key}"}
        if customer is not None:
            headers["customer-id"] = customer
        reply = requests.request(method, self.base + path, headers=headers, json=body, timeout=10)
        envelope = reply.json()
        if reply.status_code >= 400:
            raise PaylukError(envelope["status"], envelope["message"])
        return envelope["data"]

    def customers(self):
        return self.call("GET", "/v1/customers")["data"]

    def create_milestone_escrow(self, seller: str, body: dict):
        return self.call("POST", "/v1/escrow/milestone/create", seller, body)

    def milestones(self, token: str):
        return self.call("GET", f"/v1/escrow/milestone/{token}")

    def pay(self, buyer: str, escrow_id: str):
        return self.call("POST", "/v1/payment/escrow", buyer, {
            "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow_id}})

    def release(self, buyer: str, escrow_id: str, milestone_id: str):
        return self.call("POST", f"/v1/escrow/milestone/confirm/{escrow_id}/{milestone_id}", buyer)

    def wallet(self, customer: str | None = None):
        return self.call("GET", "/v1/wallet", customer)


def from_state(expression: str, example: str):
    """A value the verifier fills in from the provider state's answer (`${paymentToken}`). In the
    consumer's own tests it is the example, exactly: a regex of it, since a type matcher would
    take any path and Pact's mock server would answer another interaction."""
    return GenericMatcher("regex", example, regex=f"^{re.escape(example)}$",
                          generator=generate.provider_state(expression))


WEBSITE = {"amount": 1000000, "purpose": "Company website build", "whoPays": "buyer",
           "milestones": [{"title": "Design", "amount": 400000}, {"title": "Development", "amount": 600000}]}
MILESTONE = {"id": match.regex(EXAMPLE_NEXT, regex=OBJECT_ID), "title": match.str("Design"),
             "amount": match.int(400000), "status": match.regex("PENDING", regex="^(PENDING|RELEASED)$")}


def refusal(status: int, message: str) -> dict:
    return {"status": status, "message": message, "data": {}}


def write_contract(directory: Path) -> Path:
    """The consumer's tests against Pact's mock server, which write the contract."""
    pact = Pact("merchant-checkout", "payluk-sandbox").with_specification("V4")
    auth = ("Authorization", f"Bearer {CONSUMER_KEY}")

    (pact.upon_receiving("a request for the merchant's customers")
     .with_request("GET", "/v1/customers").with_header(*auth)
     .will_respond_with(200)
     .with_body({"status": 200, "message": "Customers fetched successfully", "data": {
         "pagination": match.like({"count": 5, "isLastPage": True}),
         "data": match.each_like({"id": match.regex(SELLER, regex=OBJECT_ID), "email": match.str("a@b.ng")})}}))

    (pact.upon_receiving("a request to create a milestone escrow")
     .with_request("POST", "/v1/escrow/milestone/create").with_header(*auth).with_header("customer-id", SELLER)
     .with_body(WEBSITE, "application/json")
     .will_respond_with(201)
     .with_body({"status": 201, "message": match.str("Milestone escrow created successfully"), "data": match.like({
         "id": match.regex(EXAMPLE_ESCROW, regex=OBJECT_ID),
         "paymentToken": match.regex(EXAMPLE_TOKEN, regex=r"^PY_[A-Za-z0-9]{8}[0-9]{4}$"),
         "state": "AWAITING_PAYMENT", "status": "PENDING", "fee": 25000, "settlementType": "MILESTONE",
         "milestones": match.each_like(MILESTONE, min=2)})}))

    (pact.upon_receiving("a request for the milestones of an unfunded escrow")
     .given(UNFUNDED)
     .with_request("GET", from_state("/v1/escrow/milestone/${paymentToken}", f"/v1/escrow/milestone/{EXAMPLE_TOKEN}"))
     .with_header(*auth)
     .will_respond_with(200)
     .with_body({"status": 200, "message": match.str("Milestones fetched successfully"),
                 "data": match.each_like({**MILESTONE, "status": "PENDING"}, min=3)}))

    (pact.upon_receiving("a request to pay for an unfunded escrow from the buyer's wallet")
     .given(UNFUNDED)
     .with_request("POST", "/v1/payment/escrow").with_header(*auth).with_header("customer-id", BUYER)
     .with_body({"gateway": "WALLET", "transactionType": "ESCROW",
                 "escrowDetails": {"escrowId": from_state("${escrowId}", EXAMPLE_ESCROW)}}, "application/json")
     .will_respond_with(200)
     .with_body({"status": 200, "message": match.str("Payment successful"), "data": {
         "reference": match.regex("ESC_REF_A6B46A4FAFF3", regex=r"^ESC_REF_[0-9A-F]{12}$"),
         "status": "SUCCESS", "amount": 1025000}}))

    (pact.upon_receiving("a request to release the next milestone of a funded escrow")
     .given(FUNDED)
     .with_request("POST", from_state("/v1/escrow/milestone/confirm/${escrowId}/${milestoneIds.1}",
                                      f"/v1/escrow/milestone/confirm/{EXAMPLE_ESCROW}/{EXAMPLE_NEXT}"))
     .with_header(*auth).with_header("customer-id", from_state("${buyerId}", BUYER))
     .will_respond_with(200)
     .with_body({"status": 200, "message": match.str("Milestone confirmed successfully"), "data": match.like({
         "id": match.regex(EXAMPLE_ESCROW, regex=OBJECT_ID), "state": "OPENED", "status": "ONGOING",
         "milestones": match.each_like(MILESTONE, min=3)})}))

    # Refusals: Payluk's error envelope, status and message exact.
    (pact.upon_receiving("a request to release a milestone already released")
     .given(FUNDED)
     .with_request("POST", from_state("/v1/escrow/milestone/confirm/${escrowId}/${milestoneId}",
                                      f"/v1/escrow/milestone/confirm/{EXAMPLE_ESCROW}/{EXAMPLE_RELEASED}"))
     .with_header(*auth).with_header("customer-id", from_state("${buyerId}", BUYER))
     .will_respond_with(400).with_body(refusal(400, "Action not allowed")))

    (pact.upon_receiving("a wallet read without customer-id")
     .with_request("GET", "/v1/wallet").with_header(*auth)
     .will_respond_with(400).with_body(refusal(400, "customer-id header is required")))

    (pact.upon_receiving("a request for the milestones of an escrow that does not exist")
     .with_request("GET", "/v1/escrow/milestone/PY_Nothing0000").with_header(*auth)
     .will_respond_with(400).with_body(refusal(400, "Escrow not found")))

    with pact.serve() as mock:
        client = Payluk(str(mock.url).rstrip("/"))
        assert client.customers()[0]["id"] == SELLER
        escrow = client.create_milestone_escrow(SELLER, WEBSITE)
        assert (escrow["state"], escrow["fee"]) == ("AWAITING_PAYMENT", 25000)
        assert {m["status"] for m in client.milestones(EXAMPLE_TOKEN)} == {"PENDING"}
        assert client.pay(BUYER, EXAMPLE_ESCROW)["status"] == "SUCCESS"
        assert client.release(BUYER, EXAMPLE_ESCROW, EXAMPLE_NEXT)["state"] == "OPENED"
        for call, message in ((lambda: client.release(BUYER, EXAMPLE_ESCROW, EXAMPLE_RELEASED), "Action not allowed"),
                              (lambda: client.wallet(), "customer-id header is required"),
                              (lambda: client.milestones("PY_Nothing0000"), "Escrow not found")):
            with pytest.raises(PaylukError) as refused:
                call()
            assert (refused.value.status, refused.value.message) == (400, message)
    pact.write_file(directory, overwrite=True)
    return directory / "merchant-checkout-payluk-sandbox.json"


# -- the provider: a live sandbox, verified by Pact ------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def no_tracking():
    """Pact's verifier reports usage over the network unless told not to (there is none here)."""
    before = os.environ.get("PACT_DO_NOT_TRACK")
    os.environ["PACT_DO_NOT_TRACK"] = "true"
    yield
    if before is None:
        os.environ.pop("PACT_DO_NOT_TRACK")
    else:
        os.environ["PACT_DO_NOT_TRACK"] = before


@pytest.fixture(scope="module")
def contract(tmp_path_factory, no_tracking):
    return write_contract(tmp_path_factory.mktemp("pacts"))


@pytest.fixture(scope="module")
def sandbox():
    """A live sandbox with a control token (every state change must carry it)."""
    with running_server("--control-token", TOKEN) as url:
        yield url


def verify(sandbox: str, contract: Path, state_url: str, *, body: bool = True, headers: dict | None = None):
    """pact-python's Verifier run in-process; answers (passed, {interaction: passed}, output)."""
    verifier = (Verifier("payluk-sandbox", host="127.0.0.1").add_transport(url=sandbox)
                .state_handler(state_url, teardown=True, body=body).add_source(contract))
    for name, value in (headers or {}).items():
        verifier.add_custom_header(name, value)
    try:
        verifier.verify()
        passed = True
    except RuntimeError:
        passed = False
    output = verifier.output(strip_ansi=True)
    results = {r["description"]: r["result"] == "OK"
               for r in verifier.results.get("interactionResults", [])} if verifier.results else {}
    return passed, results, output


def state_changes(sandbox: str, key: str) -> list:
    """The state-change calls the sandbox journaled in `key`'s namespace, oldest first."""
    reply = requests.get(f"{sandbox}/_sandbox/requests", params={"path": PACT_STATES, "limit": 1000},
                         headers={"Authorization": f"Bearer {key}", "X-Sandbox-Token": TOKEN}, timeout=10)
    assert reply.status_code == 200, reply.text
    return list(reversed(reply.json()["data"]["data"]))


def test_contract_covers_the_flow(contract):
    interactions = json.loads(contract.read_text())["interactions"]
    assert len(interactions) == 8
    with_values = [i["description"] for i in interactions if "generators" in i["request"]]
    assert len(with_values) == 4  # path, body and header values from the provider state
    assert {s["name"] for i in interactions for s in i.get("providerStates", [])} == {UNFUNDED, FUNDED}


def test_pact_verifier__key_and_token_as_custom_headers(sandbox, contract):
    """The README's example, as a Python team runs it: custom headers reach the state changes,
    the change comes in the body, and every interaction passes."""
    key = "sk_test_pact_verifier_headers"
    env = {**os.environ, "PAYLUK_SANDBOX_URL": sandbox, "PAYLUK_SANDBOX_KEY": key, "PAYLUK_SANDBOX_TOKEN": TOKEN}
    run = subprocess.run([sys.executable, str(HERE / "pact_verify.py"), str(contract)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "There were" not in run.stdout and run.stdout.count("(OK)") >= 16, run.stdout
    # Pact set up each state in the key's namespace: the empty state for the interactions without
    # one, then a teardown after each (16 calls for 8 interactions).
    entries = state_changes(sandbox, key)
    calls = [entry["requestBody"] for entry in entries]
    assert len(calls) == 16 and {entry["status"] for entry in entries} == {200}
    states = [(i.get("providerStates") or [{"name": ""}])[0]["name"]
              for i in json.loads(contract.read_text())["interactions"]]  # in the order Pact verifies them
    assert states.count("") == 4
    assert [(c["state"], c["action"]) for c in calls] == [(s, a) for s in states for a in ("setup", "teardown")]


def test_pact_verifier__key_and_token_in_the_url(sandbox, contract):
    """A verifier that sends no headers to the state-change URL (and the change in its query
    string): the key and the token come in the URL; the interactions carry the contract's key."""
    url = f"{sandbox}{PACT_STATES}?key={CONSUMER_KEY}&token={TOKEN}"
    passed, results, output = verify(sandbox, contract, url, body=False)
    assert passed and len(results) == 8 and all(results.values()), output
    calls = state_changes(sandbox, CONSUMER_KEY)
    assert len(calls) == 16 and calls[4]["requestBody"] is None
    assert calls[4]["query"] == {"key": "sk_test_[REDACTED]", "token": "[REDACTED]", "action": "setup", "state": UNFUNDED}


def test_pact_verifier__fails_on_the_envelope_route(sandbox, contract):
    """The old route nests the values in its envelope (`data.values.milestone`), where Pact does
    not look: exactly the interactions whose requests need them fail."""
    passed, results, output = verify(sandbox, contract, f"{sandbox}/_sandbox/provider-states",
                                     headers={"Authorization": "Bearer sk_test_pact_old_route", "X-Sandbox-Token": TOKEN})
    interactions = json.loads(contract.read_text())["interactions"]
    needs_values = {i["description"] for i in interactions if "generators" in i["request"]}
    assert not passed
    assert {name for name, ok in results.items() if not ok} == needs_values, output


def test_pact_verifier__fails_without_the_control_token(sandbox, contract):
    passed, results, output = verify(sandbox, contract, f"{sandbox}{PACT_STATES}",
                                     headers={"Authorization": "Bearer sk_test_pact_no_token"})
    assert not passed and results and not any(results.values()), output
    assert output.count("state change handlers has failed") >= 8, output
