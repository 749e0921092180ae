"""The same client tested with `mock_payluk`: it keeps Payluk's staging URL (its default,
https://staging.api.payluk.ng), no sandbox server runs and no port is opened; every call it makes
is answered by payluk-sandbox in this process. The handle the mock yields has the `payluk_sandbox`
fixture's helpers (clock, journal, scenarios, invariants) and collects the webhooks, signed.
"""

import pytest
import requests

from payluk_client import STAGING_URL, PaylukClient, PaylukError
from sandbox import mock_payluk

SELLER = "ada.eze@sandbox.payluk.test"  # fixture seller, empty wallet
BUYER = "tunde.bakare@sandbox.payluk.test"  # fixture buyer, 5,000,000 NGN
LOGO = {"amount": 20000, "purpose": "Logo design",
        "milestones": [{"title": "Sketches", "amount": 5000}, {"title": "Final files", "amount": 15000}]}


@pytest.fixture
def payluk():
    """The mock, with its handle: a fresh `sk_test_` key of its own and the sandbox's controls."""
    with mock_payluk() as sandbox:
        yield sandbox
        sandbox.invariants()  # the sandbox's books still balance after whatever the test did


@pytest.fixture
def client(payluk):
    """The client under test as production builds it, but for the key: no base URL given."""
    client = PaylukClient(secret_key=payluk.key)
    assert client.base_url == STAGING_URL
    yield client
    client.session.close()


def ids(payluk) -> tuple[str, str]:
    return payluk.customer(SELLER)["id"], payluk.customer(BUYER)["id"]


def test_milestone_flow_on_the_staging_url(client, payluk):
    seller, buyer = ids(payluk)
    escrow = client.create_milestone_escrow(seller, **LOGO)
    client.pay_escrow(buyer, escrow["id"])
    for milestone in client.milestones(escrow["paymentToken"]):
        escrow = client.confirm_milestone(buyer, escrow["id"], milestone["id"])
    assert (escrow["state"], escrow["status"]) == ("CLOSED", "COMPLETED")
    assert client.wallet(seller)["mainBalance"] == 20000

    # Each webhook arrived right after the call that caused it, signed with the key.
    assert [w.event for w in payluk.webhooks] == [
        "escrow.created", "escrow.pending", "escrow.ongoing", "escrow.completed"]
    assert all(w.verify(payluk.key) for w in payluk.webhooks)
    assert payluk.webhooks[-1].data["id"] == escrow["id"]
    # The journal is read without HTTP.
    assert [e["path"] for e in payluk.requests_log(path="/v1/escrow/milestone/confirm")["data"]] == [
        f"/v1/escrow/milestone/confirm/{escrow['id']}/{m['id']}" for m in reversed(escrow["milestones"])]


def test_seller_claims_after_the_delivery_window(client, payluk):
    seller, buyer = ids(payluk)
    escrow = client.create_escrow(seller, amount=150000, purpose="MacBook Pro 14", who_pays="both")
    client.pay_escrow(buyer, escrow["id"])
    with pytest.raises(PaylukError) as early:
        client.claim_funds(seller, escrow["paymentToken"])
    assert (early.value.status, early.value.message) == (400, "Escrow cannot be claimed yet")

    payluk.advance("P3D")  # the sandbox clock, not three days of CI
    assert client.claim_funds(seller, escrow["paymentToken"])["status"] == "CLAIMED"
    assert payluk.webhooks[-1].event == "escrow.claimed"


def test_a_payment_whose_answer_is_lost_is_retried_with_its_reference(client, payluk):
    seller, buyer = ids(payluk)
    escrow = client.create_milestone_escrow(seller, **LOGO)
    # `response_lost`: Payluk charges, then the connection drops before the answer.
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        client.pay_escrow(buyer, escrow["id"], reference="sbx_lost_order_42")
    again = client.pay_escrow(buyer, escrow["id"], reference="sbx_lost_order_42")  # the same payment
    assert again["status"] == "SUCCESS"
    assert client.wallet(buyer)["mainBalance"] == 5000000 - 20500  # charged once


def test_webhooks_to_the_integrators_handler():
    """The integrator's webhook handler gets every delivery; what it answers decides retries."""
    seen = []

    def handler(delivery):
        assert delivery.verify()  # what the handler's signature check does with its secret key
        seen.append(delivery.event)
        return 200

    with mock_payluk(webhooks=handler) as payluk:
        seller, _ = ids(payluk)
        PaylukClient(secret_key=payluk.key).create_milestone_escrow(seller, **LOGO)
    assert seen == ["escrow.created", "escrow.pending"]


@mock_payluk()
def test_as_a_decorator(payluk_mock):
    client = PaylukClient(secret_key=payluk_mock.key)
    with pytest.raises(PaylukError) as refused:
        client.verify("PY_aaaaaaaa0000")
    assert (refused.value.status, refused.value.message) == (400, "Escrow not found")


def test_with_the_plugins_fixture(payluk_mock):
    """`payluk_mock`: the plugin's fixture (one in-process app for the session, a key per test)."""
    seller, buyer = ids(payluk_mock)
    wallet = PaylukClient(secret_key=payluk_mock.key).wallet(buyer)
    assert wallet == {"mainBalance": 5000000, "escrowBalance": 0, "currency": "NGN"}
