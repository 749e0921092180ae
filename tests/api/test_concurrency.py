"""Races: many buyers' requests confirming one milestone at once release it exactly once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import BENEFICIARY, BUYER, KEY, SELLER, Api, LiveHttp

THREADS = 50


def _race(send):
    barrier = threading.Barrier(THREADS)

    def one(_):
        barrier.wait()
        return send()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_confirm_milestone__50_threads_over_http(live_server):
    api = Api(LiveHttp(live_server))
    assert api.http.post("/_sandbox/reset").status == 200
    escrow = api.funded_milestone_escrow()
    milestone = escrow["milestones"][1]  # pays the seller
    before = api.wallet(SELLER)["mainBalance"]
    url = f"{live_server}/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}"
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": BUYER}

    def send():
        with requests.Session() as session:
            reply = session.post(url, headers=headers, timeout=30)
            return reply.status_code, reply.json()["message"]

    results = _race(send)
    assert results.count((200, "Milestone confirmed successfully")) == 1
    assert results.count((400, "Action not allowed")) == THREADS - 1
    assert api.wallet(SELLER)["mainBalance"] == before + milestone["amount"]
    assert api.http.get("/_sandbox/invariants").data == {"ok": True, "violations": []}


def test_confirm_milestone__50_threads_in_process(app):
    client_headers = {"Authorization": f"Bearer {KEY}"}
    client = app.test_client()
    escrow = client.post("/v1/escrow/milestone/create", headers={**client_headers, "customer-id": SELLER}, json={
        "amount": 2000, "purpose": "x", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000, "customerId": BENEFICIARY}, {"title": "b", "amount": 1000}],
    }).get_json()["data"]
    client.post("/v1/payment/escrow", headers={**client_headers, "customer-id": BUYER},
                json={"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}})
    path = f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][0]['id']}"

    def send():
        reply = app.test_client().post(path, headers={**client_headers, "customer-id": BUYER})
        return reply.status_code

    results = _race(send)
    assert results.count(200) == 1 and results.count(400) == THREADS - 1
    wallet = client.get("/v1/wallet", headers={**client_headers, "customer-id": BENEFICIARY}).get_json()["data"]
    assert wallet["mainBalance"] == 1000
    assert client.get("/_sandbox/invariants", headers=client_headers).get_json()["data"]["ok"] is True
