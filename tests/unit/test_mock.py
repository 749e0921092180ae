"""The in-process mock (`sandbox.mock_payluk`, sandbox/testing/mock.py): requests and httpx calls to
Payluk's hosts answered by the app in this process, other hosts untouched or blocked, the handle's
controls, webhooks, the dropped answer, the decorator and the pytest fixture, and what is left
behind (nothing)."""

pytest_plugins = ["pytester"]

import asyncio
import inspect
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
import responses
import respx

import sandbox
from sandbox.testing import mock as mock_module
from sandbox.testing.mock import BASE_URL, HOSTS, MOCK_WEBHOOK_URL, PaylukMock, WebhookDelivery, mock_payluk
from sandbox.testing.pytest_plugin import PaylukSandbox, PaylukSandboxError
from tests.conftest import BENEFICIARY, BUYER, POOR_BUYER, SEED, SELLER, START

MILESTONES = {"amount": 3000, "purpose": "Logo", "whoPays": "buyer",
              "milestones": [{"title": f"m{i}", "amount": 1000} for i in range(3)]}
OTHER = "https://api.example.com/ping"  # a host some other mock answers


def authorised(key: str, customer: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    if customer:
        headers["customer-id"] = customer
    return headers


def pay(escrow_id: str, **extra) -> dict:
    return {"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow_id}, **extra}


def milestone_flow(session, key: str, base: str = BASE_URL) -> dict:
    """Create, pay, confirm each milestone; answers the closed escrow."""
    created = session.post(f"{base}/v1/escrow/milestone/create", headers=authorised(key, SELLER), json=MILESTONES)
    assert created.status_code == 201, created.text
    escrow = created.json()["data"]
    paid = session.post(f"{base}/v1/payment/escrow", headers=authorised(key, BUYER), json=pay(escrow["id"]))
    assert paid.status_code == 200, paid.text
    for milestone in escrow["milestones"]:
        done = session.post(f"{base}/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}",
                            headers=authorised(key, BUYER))
        assert done.status_code == 200, done.text
    return done.json()["data"]


@pytest.fixture
def local_server():
    """A plain HTTP server on a free loopback port (a host that is not Payluk's); it records paths."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = b'{"local": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


# -- requests ----------------------------------------------------------------------------------
def test_requests_session__milestone_flow_in_process():
    with mock_payluk(seed=SEED, clock_start=START) as payluk:
        session = requests.Session()  # a client's own session, with no idea of the mock
        done = milestone_flow(session, payluk.key)
        assert (done["state"], done["status"]) == ("CLOSED", "COMPLETED")
        wallet = session.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, SELLER)).json()
        assert wallet["data"] == {"mainBalance": 3000, "escrowBalance": 0, "currency": "NGN"}
        assert payluk.invariants()["ok"] is True
        journal = payluk.requests_log(path="/v1/")["data"]
        assert [entry["path"].split("/")[2] for entry in journal[::-1]] == [
            "escrow", "payment", "escrow", "escrow", "escrow", "wallet"]


def test_requests_module_level_calls_and_the_response_object():
    with mock_payluk() as payluk:
        created = requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                                json=MILESTONES)
        assert (created.status_code, created.reason, created.ok) == (201, "CREATED", True)
        assert created.headers["content-type"] == "application/json"
        assert int(created.headers["Content-Length"]) == len(created.content)
        assert created.url == f"{BASE_URL}/v1/escrow/milestone/create"
        assert created.request.method == "POST" and created.elapsed.total_seconds() >= 0
        assert created.json()["message"] == "Milestone escrow created successfully"
        streamed = requests.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, BUYER), stream=True)
        assert json.loads(b"".join(streamed.iter_content(7)))["data"]["mainBalance"] == 5000000
        refused = requests.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key))
        assert refused.json() == {"status": 400, "message": "customer-id header is required", "data": {}}
        with pytest.raises(requests.HTTPError):
            refused.raise_for_status()


def test_requests_form_and_multipart_bodies():
    with mock_payluk() as payluk:
        form = {"amount": "150000", "purpose": "MacBook", "whoPays": "both", "maxDelivery": "3",
                "deliveryTimeline": "days"}
        multipart = requests.post(f"{BASE_URL}/v1/escrow/create", headers=authorised(payluk.key, SELLER),
                                  files={name: (None, value) for name, value in form.items()})
        assert multipart.status_code == 201, multipart.text
        assert multipart.json()["data"]["fee"] == 3750
        image = requests.post(f"{BASE_URL}/v1/escrow/create", headers=authorised(payluk.key, SELLER), data=form,
                              files={"imageUrl": ("phone.png", b"\x89PNG....", "image/png")})
        assert image.json()["data"]["imageUrl"][0].endswith(".png")


# -- httpx -------------------------------------------------------------------------------------
def test_httpx_client_and_module_level_calls():
    with mock_payluk() as payluk:
        with httpx.Client(base_url=BASE_URL, headers=authorised(payluk.key)) as client:
            created = client.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json=MILESTONES)
            assert (created.status_code, created.reason_phrase, created.http_version) == (201, "CREATED", "HTTP/1.1")
            escrow = created.json()["data"]
            assert client.post("/v1/payment/escrow", headers={"customer-id": BUYER},
                               json=pay(escrow["id"])).json()["data"]["status"] == "SUCCESS"
        wallet = httpx.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, BUYER)).json()["data"]
        assert wallet["escrowBalance"] == 3075
        with httpx.Client() as client, client.stream("GET", f"{BASE_URL}/healthz") as streamed:
            assert json.loads(streamed.read())["status"] == 200


def test_httpx_async_client():
    async def flow(key):
        async with httpx.AsyncClient(base_url=BASE_URL, headers=authorised(key)) as client:
            created = await client.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER},
                                        json=MILESTONES)
            escrow = created.json()["data"]
            await client.post("/v1/payment/escrow", headers={"customer-id": BUYER}, json=pay(escrow["id"]))
            answers = await asyncio.gather(*(
                client.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{m['id']}", headers={"customer-id": BUYER})
                for m in escrow["milestones"]))
            return [a.status_code for a in answers], (await client.get(f"/v1/escrow/verify/{escrow['paymentToken']}"))

    with mock_payluk() as payluk:
        statuses, verified = asyncio.run(flow(payluk.key))
        assert statuses == [200, 200, 200]
        assert verified.json()["data"]["status"] == "COMPLETED"
        assert payluk.invariants()["ok"] is True


def test_repeated_headers_reach_the_app_joined_as_over_http():
    with mock_payluk() as payluk:
        headers = httpx.Headers([("Authorization", f"Bearer {payluk.key}"), ("customer-id", BUYER),
                                 ("customer-id", BUYER)])
        reply = httpx.get(f"{BASE_URL}/v1/wallet", headers=headers)
        assert reply.json() == {"status": 404, "message": "Customer not found", "data": {}}


# -- hosts ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", [h for h in HOSTS if h != "checkout.payluk.ng"])
def test_every_payluk_host_is_answered_in_process(host):
    with mock_payluk() as payluk:
        for get in (requests.get, httpx.get):
            reply = get(f"https://{host}/v1/wallet", headers=authorised(payluk.key, BUYER))
            assert reply.json()["data"]["mainBalance"] == 5000000
        assert http_get(f"http://{host}/healthz").status_code == 200  # either scheme, any port
        assert http_get(f"https://{host}:443/healthz").status_code == 200
        assert payluk.requests_log(path="/v1/wallet")["count"] == 2


def http_get(url):
    return requests.get(url)


def test_checkout_hosts__session_page_and_widget():
    with mock_payluk() as payluk:
        escrow = requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                               json=MILESTONES).json()["data"]
        public_key = "pk_test_" + payluk.key.removeprefix("sk_test_")
        session = requests.post("https://staging.live.payluk.ng/v1/checkout/session", json={
            "paymentToken": escrow["paymentToken"], "reference": "order-1", "redirectUrl": "https://shop.example/done",
            "customerId": BUYER, "publicKey": public_key}).json()["session"]
        assert session["url"].startswith("https://staging.live.payluk.ng/_sandbox/checkout/")
        page = requests.get(session["url"])
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        widget = requests.get("https://checkout.payluk.ng/escrow-checkout.min.js")
        assert widget.status_code == 200 and "window.EscrowCheckout" in widget.text
        assert "https://checkout.payluk.ng" in widget.text  # its baseUrl: the host it was fetched from


def test_a_live_key_is_refused_as_payluk_refuses_it():
    with mock_payluk():
        reply = requests.get("https://api.payluk.ng/v1/wallet", headers=authorised("sk_live_abc", BUYER))
        assert reply.json() == {"status": 403, "message": "Unauthorized Access", "data": {}}


# -- other hosts --------------------------------------------------------------------------------
def test_other_hosts_go_out_untouched(local_server):
    with mock_payluk():
        assert requests.get(local_server.url + "/a").json() == {"local": True}
        assert httpx.get(local_server.url + "/b").json() == {"local": True}
        assert asyncio.run(_async_get(local_server.url + "/c")) == {"local": True}
    assert local_server.seen == ["/a", "/b", "/c"]


async def _async_get(url):
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).json()


def test_other_hosts_can_be_blocked(local_server):
    with mock_payluk(block_other_hosts=True) as payluk:
        with pytest.raises(requests.ConnectionError, match="127.0.0.1 is not a Payluk host"):
            requests.get(local_server.url + "/a")
        with pytest.raises(httpx.ConnectError, match="block_other_hosts=True"):
            httpx.get(local_server.url + "/b")
        with pytest.raises(httpx.ConnectError):
            asyncio.run(_async_get(local_server.url + "/c"))
        assert requests.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, BUYER)).status_code == 200
    assert local_server.seen == []
    with mock_payluk(block_other_hosts=True, allow_hosts=["127.0.0.1"]):
        assert requests.get(local_server.url + "/allowed").json() == {"local": True}
    assert local_server.seen == ["/allowed"]


@pytest.mark.parametrize("block", [False, True])
@pytest.mark.parametrize("mock_first", [False, True], ids=["responses-outside", "responses-inside"])
def test_coexists_with_responses_for_other_hosts(block, mock_first):
    rsps = responses.RequestsMock(assert_all_requests_are_fired=True)
    rsps.get(OTHER, json={"from": "responses"})
    mocker = mock_payluk(block_other_hosts=block)
    outer, inner = (mocker, rsps) if mock_first else (rsps, mocker)
    with outer as first, inner as second:
        payluk = first if mock_first else second
        assert requests.get(OTHER).json() == {"from": "responses"}
        assert requests.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, BUYER)).status_code == 200
        with pytest.raises(requests.ConnectionError):  # responses' own refusal of what it does not know
            requests.get("https://unknown.example.com/")


@pytest.mark.parametrize("using", ["httpcore", "httpx"])
@pytest.mark.parametrize("mock_first", [False, True], ids=["respx-outside", "respx-inside"])
def test_coexists_with_respx_for_other_hosts(using, mock_first):
    router = respx.mock(using=using, assert_all_called=False)
    router.get(OTHER).respond(json={"from": "respx"})
    if using == "httpx" and mock_first:
        # respx's httpx mocker entered inside the mock wraps the same method: it sees Payluk's calls
        # first and needs to be told to pass them on (README "In-process mock": limits).
        router.route(host__in=tuple(HOSTS)).pass_through()
    mocker = mock_payluk(block_other_hosts=True)
    outer, inner = (mocker, router) if mock_first else (router, mocker)
    with outer as first, inner as second:
        payluk = first if mock_first else second
        assert httpx.get(OTHER).json() == {"from": "respx"}
        assert httpx.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk.key, BUYER)).status_code == 200
        assert asyncio.run(_async_get(OTHER)) == {"from": "respx"}


# -- namespaces and the handle --------------------------------------------------------------------
def test_every_key_is_its_own_namespace():
    with mock_payluk() as payluk:
        mine = requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                             json=MILESTONES).json()["data"]
        verify = f"{BASE_URL}/v1/escrow/verify/{mine['paymentToken']}"
        assert requests.get(verify, headers=authorised("sk_test_someone_else")).json()["message"] == "Escrow not found"
        assert httpx.get(verify, headers=authorised(payluk.key)).json()["data"]["id"] == mine["id"]
        other = payluk.handle("sk_test_someone_else")
        assert isinstance(other, PaylukSandbox) and other.key == "sk_test_someone_else"
        assert other.requests_log()["count"] == 1 and payluk.requests_log()["count"] == 2


def test_the_handle_is_the_plugins_with_a_key_of_its_own_or_the_one_named():
    with mock_payluk() as payluk:
        assert isinstance(payluk, PaylukSandbox) and isinstance(payluk, PaylukMock)
        assert payluk.key.startswith("sk_test_") and len(payluk.key) == len("sk_test_") + 32
        assert payluk.base_url == BASE_URL == "https://staging.api.payluk.ng"
        assert payluk.url("/v1/wallet") == "https://staging.api.payluk.ng/v1/wallet"
        assert payluk.session.get("/v1/wallet", headers={"customer-id": BUYER}).json()["data"]["mainBalance"] == 5000000
        assert payluk.customer("ada.eze@sandbox.payluk.test")["id"] == SELLER
    with mock_payluk("sk_test_named") as named:
        assert named.key == "sk_test_named"
        assert requests.get(named.url("/v1/wallet"), headers=named.headers(BUYER)).status_code == 200


def test_clock_reset_snapshot_and_journal_through_the_handle():
    with mock_payluk(clock_start=START) as payluk:
        seller = requests.Session()
        escrow = seller.post(f"{BASE_URL}/v1/escrow/create", headers=authorised(payluk.key, SELLER), json={
            "amount": 150000, "purpose": "MacBook", "whoPays": "both", "maxDelivery": 3,
            "deliveryTimeline": "days"}).json()["data"]
        seller.post(f"{BASE_URL}/v1/payment/escrow", headers=authorised(payluk.key, BUYER), json=pay(escrow["id"]))
        claim = f"{BASE_URL}/v1/escrow/claim-funds/{escrow['paymentToken']}"
        assert seller.get(claim, headers=authorised(payluk.key, SELLER)).json()["message"] == \
            "Escrow cannot be claimed yet"
        payluk.snapshot("paid")
        moved = payluk.advance("P3D")
        assert [d["type"] for d in moved["due"]] == ["escrow.claimable"]
        assert payluk.clock()["now"] == "2026-06-25T10:15:00.000Z"
        assert seller.get(claim, headers=authorised(payluk.key, SELLER)).json()["data"]["status"] == "CLAIMED"
        assert [(e["method"], e["status"]) for e in payluk.requests_log(path="/v1/escrow/claim")["data"]] == [
            ("GET", 200), ("GET", 400)]
        payluk.restore("paid")
        assert payluk.clock()["now"] == START
        assert payluk.reset()["customers"]
        assert seller.get(claim, headers=authorised(payluk.key, SELLER)).json()["message"] == "Escrow not found"
        with pytest.raises(PaylukSandboxError, match="^POST /_sandbox/clock/set failed: 400"):
            payluk.set_clock("2020-01-01T00:00:00.000Z")


def test_scenarios_through_the_handle_and_the_header():
    with mock_payluk() as payluk:
        escrow = payluk.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER},
                                     json=MILESTONES).json()["data"]
        with payluk.scenario("card_declined"):
            declined = payluk.session.post("/v1/payment/escrow", headers={"customer-id": BUYER},
                                           json=pay(escrow["id"], gateway="card"))
        assert declined.json() == {"status": 400, "message": "Card declined", "data": {}}
        assert declined.headers["X-Sandbox-Scenario-Applied"] == "card_declined"
        broke = httpx.post(f"{BASE_URL}/v1/payment/escrow", json=pay(escrow["id"]),
                           headers={**authorised(payluk.key, POOR_BUYER), "X-Sandbox-Scenario": "insufficient_funds"})
        assert broke.json()["message"] == "Insufficient balance"
        assert [e["scenario"] for e in payluk.requests_log(path="/v1/payment")["data"]] == [
            "insufficient_funds", "card_declined"]


def test_a_latency_fault_waits_in_process():
    with mock_payluk() as payluk:
        reply = requests.get(f"{BASE_URL}/v1/wallet", headers={
            **authorised(payluk.key, BUYER), "X-Sandbox-Scenario": "latency; ms=150"})
        assert reply.status_code == 200 and reply.elapsed.total_seconds() >= 0.15


# -- response_lost ----------------------------------------------------------------------------------
def test_response_lost__requests_raises_what_it_raises_over_http():
    with mock_payluk() as payluk:
        session = requests.Session()
        escrow = session.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                              json=MILESTONES).json()["data"]
        body = pay(escrow["id"], reference="sbx_lost_1")
        with pytest.raises(requests.exceptions.ChunkedEncodingError, match=r"Connection broken: IncompleteRead\(0 "
                                                                          r"bytes read, \d+ more expected\)"):
            session.post(f"{BASE_URL}/v1/payment/escrow", headers=authorised(payluk.key, BUYER), json=body)
        # It committed: the retry with the same reference answers the same payment, charged once.
        retry = session.post(f"{BASE_URL}/v1/payment/escrow", headers=authorised(payluk.key, BUYER), json=body)
        assert retry.json()["data"]["status"] == "SUCCESS"
        assert payluk.session.get("/v1/wallet", headers={"customer-id": BUYER}).json()["data"]["mainBalance"] == \
            5000000 - 3075
        assert [e["event"] for e in payluk.events()["data"]][-1] == "escrow.ongoing"
        # The journal keeps the answer the client never got; the retry (same magic reference, nothing
        # changed) was answered.
        assert [(e["status"], e["scenario"]) for e in payluk.requests_log(path="/v1/payment")["data"]] == [
            (200, "response_lost"), (200, "response_lost")]


def test_response_lost__httpx_sync_and_async_raise_remote_protocol_error():
    lost = r"^peer closed connection without sending complete message body \(received 0 bytes, expected \d+\)$"
    with mock_payluk() as payluk:
        headers = {**authorised(payluk.key, SELLER), "X-Sandbox-Scenario": "response_lost"}
        with pytest.raises(httpx.RemoteProtocolError, match=lost):
            httpx.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=headers, json=MILESTONES)

        async def create():
            async with httpx.AsyncClient() as client:
                await client.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=headers, json=MILESTONES)

        with pytest.raises(httpx.RemoteProtocolError, match=lost):
            asyncio.run(create())
        assert payluk.session.get("/v1/escrow/feeds").json()["data"]["pagination"]["count"] == 2  # both committed


# -- webhooks ---------------------------------------------------------------------------------------
def test_webhooks_collected_right_after_the_request_and_signed():
    with mock_payluk() as payluk:
        escrow = requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                               json=MILESTONES).json()["data"]
        assert [w.event for w in payluk.webhooks] == ["escrow.created", "escrow.pending"]
        requests.post(f"{BASE_URL}/v1/payment/escrow", headers=authorised(payluk.key, BUYER), json=pay(escrow["id"]))
        assert [w.event for w in payluk.webhooks][2:] == ["escrow.ongoing"]
        delivery = payluk.webhooks[-1]
        assert isinstance(delivery, WebhookDelivery) and delivery.url == MOCK_WEBHOOK_URL
        assert delivery.key == payluk.key and delivery.status_code == 200
        assert delivery.headers["User-Agent"] == "Payluk-Webhook/1.0"
        assert delivery.headers["Content-Type"] == "application/json"
        assert delivery.verify() and delivery.verify(payluk.key) and not delivery.verify("sk_test_other")
        assert delivery.data["id"] == escrow["id"] and delivery.data["buyerId"] == BUYER
        outbox = payluk.events()["data"]
        assert [e["status"] for e in outbox] == ["DELIVERED"] * 3
        sent = payluk.deliveries()["data"]
        assert {d["signature"] for d in sent} == {w.signature for w in payluk.webhooks}


def test_webhooks_of_other_keys_carry_their_own_signature():
    with mock_payluk() as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised("sk_test_second", SELLER),
                      json=MILESTONES)
        assert {w.key for w in payluk.webhooks} == {"sk_test_second"}
        assert all(w.verify("sk_test_second") for w in payluk.webhooks)


def test_webhooks_to_a_callable_and_its_answer_drives_retries():
    answers = {"escrow.created": [500, 200]}
    received = []

    def receiver(delivery):
        received.append(delivery.event)
        codes = answers.get(delivery.event, [200])
        return codes.pop(0) if len(codes) > 1 else codes[0]

    with mock_payluk(webhooks=receiver, clock_start=START) as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                      json=MILESTONES)
        assert received == ["escrow.created", "escrow.pending"]
        created = payluk.events()["data"][0]
        assert (created["status"], created["attempts"]) == ("PENDING", 1)
        assert payluk.flush() == []  # nothing due yet on the frozen clock
        moved = payluk.advance(60)  # the retry falls due, and is sent right after the advance
        assert [d["type"] for d in moved["due"]] == ["webhook.retry"]
        assert received == ["escrow.created", "escrow.pending", "escrow.created"]
        assert payluk.events()["data"][0]["status"] == "DELIVERED"
        assert [w.status_code for w in payluk.webhooks] == [500, 200, 200]


def test_webhook_receiver_that_raises_is_a_failed_attempt():
    def receiver(delivery):
        raise RuntimeError("handler bug")

    with mock_payluk(webhooks=receiver) as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                      json=MILESTONES)
        attempts = payluk.deliveries()["data"]
        assert {(a["statusCode"], a["error"]) for a in attempts} == {(None, "RuntimeError: handler bug")}
        assert [e["status"] for e in payluk.events()["data"]] == ["PENDING", "PENDING"]


def test_retries_on_a_running_clock_go_out_on_flush():
    calls = []
    with mock_payluk(webhooks=lambda d: calls.append(d.event) or (503 if len(calls) == 1 else 200)) as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                      json=MILESTONES)
        assert calls == ["escrow.created", "escrow.pending"]
        time_passes(payluk, payluk.key, 61_000)  # a minute of real time on the running clock, no request
        assert payluk.session.get("/v1/wallet", headers={"customer-id": BUYER}).status_code == 200
        assert len(calls) == 2  # a GET that only reads does not look for due events
        attempts = payluk.flush()
        assert [(a["event"], a["statusCode"]) for a in attempts] == [("escrow.created", 200)]
        assert calls == ["escrow.created", "escrow.pending", "escrow.created"]


def test_webhooks_to_a_url_are_posted_for_real(local_server):
    with mock_payluk(webhooks=local_server.url + "/hook", block_other_hosts=True) as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                      json=MILESTONES)
        assert local_server.seen == ["/hook", "/hook"]  # let out although other hosts are blocked
        assert [w.status_code for w in payluk.webhooks] == [200, 200]
        # A URL set with the controls is posted to as over HTTP (and not collected).
        payluk.control("PUT", "/_sandbox/webhook", json={"url": local_server.url + "/controlled"})
        payluk.session.post(f"/_sandbox/events/{payluk.events()['data'][0]['id']}/resend")
        assert local_server.seen[2:] == ["/controlled"]
        assert len(payluk.webhooks) == 2


def test_webhooks_off():
    with mock_payluk(webhooks=False) as payluk:
        requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                      json=MILESTONES)
        assert payluk.webhooks == []
        assert [e["status"] for e in payluk.events()["data"]] == ["NOT_SENT", "NOT_SENT"]
        assert payluk.control("GET", "/_sandbox/webhook")["url"] is None


def test_a_claim_is_a_get_and_its_webhook_goes_out_right_after_it():
    with mock_payluk(clock_start=START) as payluk:
        escrow = payluk.session.post("/v1/escrow/create", headers={"customer-id": SELLER}, json={
            "amount": 150000, "purpose": "MacBook", "whoPays": "both", "maxDelivery": 3,
            "deliveryTimeline": "days"}).json()["data"]
        payluk.session.post("/v1/payment/escrow", headers={"customer-id": BUYER}, json=pay(escrow["id"]))
        payluk.advance("P3D")
        before = len(payluk.webhooks)
        httpx.get(f"{BASE_URL}/v1/escrow/claim-funds/{escrow['paymentToken']}", headers=authorised(payluk.key, SELLER))
        assert [w.event for w in payluk.webhooks[before:]] == ["escrow.claimed"]


def time_passes(payluk, key: str, ms: int) -> None:
    """Real time passing on a running namespace clock, without a request (as `flush()` sees it)."""
    ns = payluk.app.extensions["sandbox"].store.namespace(key)
    with ns.lock:
        setting = ns.get_clock()
        setting["offset_ms"] += ms
        ns.save_clock(setting)


def test_a_fork_sends_the_copys_due_events_signed_with_its_key():
    with mock_payluk(webhooks=lambda d: 500 if d.key == "sk_test_origin" else 200) as payluk:
        origin = payluk.handle("sk_test_origin")
        origin.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json=MILESTONES)
        time_passes(payluk, "sk_test_origin", 61_000)  # the failed first attempts' retries are due
        origin.control("POST", "/_sandbox/fork", json={"key": "sk_test_copy"})
        # Right after the fork: the origin's retries, and the copy's events, signed with the copy's key.
        assert [(w.key, w.event, w.status_code) for w in payluk.webhooks][2:] == [
            ("sk_test_origin", "escrow.created", 500), ("sk_test_origin", "escrow.pending", 500),
            ("sk_test_copy", "escrow.created", 200), ("sk_test_copy", "escrow.pending", 200)]
        assert all(w.verify("sk_test_copy") for w in payluk.webhooks[4:])


# -- decorator, nesting, threads, leftovers ---------------------------------------------------------
@mock_payluk(seed=SEED)
def decorated(amount, payluk_mock):
    return requests.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk_mock.key, BUYER)).json()["data"][amount]


@mock_payluk()
def decorated_without_the_handle():
    return httpx.get(f"{BASE_URL}/healthz").status_code


@mock_payluk()
async def decorated_async(payluk_mock):
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{BASE_URL}/v1/wallet", headers=authorised(payluk_mock.key, BUYER))).json()


def test_decorator_form():
    assert decorated("mainBalance") == 5000000
    assert decorated(amount="escrowBalance") == 0  # a fresh entry each call
    assert list(inspect.signature(decorated).parameters) == ["amount"]  # pytest sees no `payluk_mock` fixture
    assert decorated_without_the_handle() == 200
    assert asyncio.run(decorated_async())["data"]["mainBalance"] == 5000000
    assert mock_module.active() is None


def test_nested_mocks_the_innermost_answers():
    with mock_payluk() as outer:
        requests.post(f"{BASE_URL}/v1/customer/create", headers=authorised("sk_test_nest"), json={
            "firstname": "A", "lastname": "B", "email": "a@example.com", "phone": "08030000001"})
        with mock_payluk() as inner:
            assert mock_module.active() is inner
            customers = requests.get(f"{BASE_URL}/v1/customers", headers=authorised("sk_test_nest")).json()
            assert customers["data"]["pagination"]["count"] == 5  # the inner app never saw the create
        assert mock_module.active() is outer
        assert requests.get(f"{BASE_URL}/v1/customers",
                            headers=authorised("sk_test_nest")).json()["data"]["pagination"]["count"] == 6


def test_concurrent_calls_from_threads():
    with mock_payluk() as payluk:
        payluk.control("POST", "/_sandbox/helpers/fund-customer", json={"customerId": BUYER, "amount": 10**9})
        failures, closed = [], []

        def worker(n):
            try:
                session = requests.Session() if n % 2 else httpx.Client()
                for _ in range(5):
                    closed.append(milestone_flow(session, payluk.key)["id"])
            except BaseException as err:  # noqa: BLE001 - reported below
                failures.append(err)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failures == []
        assert len(set(closed)) == 30
        assert payluk.invariants()["ok"] is True
        assert len(payluk.webhooks) == 30 * 4  # created, pending, ongoing, completed
        assert sorted({w.event for w in payluk.webhooks}) == [
            "escrow.completed", "escrow.created", "escrow.ongoing", "escrow.pending"]


def seams():
    return (requests.Session.__dict__["get_adapter"], httpx.Client.__dict__["_transport_for_url"],
            httpx.AsyncClient.__dict__["_transport_for_url"])


def test_nothing_left_running_or_patched_after_exit_even_on_an_exception():
    before_seams, before_threads = seams(), set(threading.enumerate())
    with pytest.raises(ZeroDivisionError):
        with mock_payluk() as payluk:
            assert seams() != before_seams
            requests.post(f"{BASE_URL}/v1/escrow/milestone/create", headers=authorised(payluk.key, SELLER),
                          json=MILESTONES)
            asyncio.run(_async_get(f"{BASE_URL}/healthz"))
            app = payluk.app
            1 / 0
    assert seams() == before_seams
    assert mock_module.active() is None and mock_module._patches == []
    assert app.extensions["sandbox"].dispatcher._thread is None  # the app's own sender never started
    left = [t for t in set(threading.enumerate()) - before_threads if t.is_alive()]
    for thread in left:  # anyio's worker threads end with their event loop
        thread.join(5)
    assert [t.name for t in left if t.is_alive()] == []


def test_a_seam_patched_over_by_someone_else_passes_through_after_exit(local_server):
    from unittest import mock

    with mock_payluk(block_other_hosts=True):
        ours = requests.Session.get_adapter
        spy = mock.patch.object(requests.Session, "get_adapter", autospec=True, side_effect=ours)
        spy.start()
    try:
        assert requests.Session.get_adapter is not ours  # theirs, on top of our stale one
        assert requests.get(local_server.url + "/after").json() == {"local": True}  # no longer blocked
    finally:
        spy.stop()
    assert requests.Session.__dict__["get_adapter"] is requests.Session.get_adapter


def test_options_are_checked():
    with pytest.raises(TypeError, match="webhooks= takes a callable"):
        mock_payluk(webhooks="ftp://nowhere")
    with pytest.raises(TypeError, match="not with app="):
        mock_payluk(app=object(), seed=1)
    mocker = mock_payluk()
    with mocker:
        with pytest.raises(RuntimeError, match="already active"):
            mocker.__enter__()


def test_import_sandbox_stays_light_and_exports_mock_payluk():
    import subprocess
    import sys

    code = ("import sys, sandbox; assert 'sandbox.testing.mock' not in sys.modules and 'flask' not in sys.modules; "
            "from sandbox import mock_payluk; print(mock_payluk.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sandbox.testing.mock"
    assert sandbox.mock_payluk is mock_payluk and "mock_payluk" in sandbox.__all__


# -- the pytest fixture ------------------------------------------------------------------------------
FIXTURE_CONSUMER = '''
import threading

import httpx
import requests

from sandbox import mock_payluk

STAGING = "https://staging.api.payluk.ng"
BUYER = "665f1b2c9a1e4d0012ab3c31"


def test_fixture(payluk_mock):
    reply = requests.get(STAGING + "/v1/wallet", headers={"Authorization": f"Bearer {payluk_mock.key}",
                                                          "customer-id": BUYER})
    assert reply.json()["data"]["mainBalance"] == 5000000
    assert payluk_mock.requests_log()["count"] == 1
    assert "payluk-sandbox-server" not in [t.name for t in threading.enumerate()]


def test_fixture_gives_each_test_its_own_key(payluk_mock, request):
    keys = request.config.cache.get("keys", [])
    request.config.cache.set("keys", keys + [payluk_mock.key])
    assert payluk_mock.requests_log()["count"] == 0


@mock_payluk()
def test_decorated(payluk_mock, tmp_path):
    assert tmp_path.exists()
    assert httpx.get(STAGING + "/healthz").status_code == 200
'''


def test_payluk_mock_fixture_in_a_consumer_project(pytester):
    pytester.makepyfile(test_consumer=FIXTURE_CONSUMER)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=3)
    result = pytester.runpytest_subprocess("--fixtures")
    result.stdout.fnmatch_lines(["payluk_mock_app *session scope* -- *pytest_plugin.py*",
                                 "payluk_mock -- *pytest_plugin.py*"])


def test_payluk_mock_fixture_here(payluk_mock):
    assert isinstance(payluk_mock, PaylukMock)
    assert payluk_mock.session.get("/v1/wallet", headers={"customer-id": BENEFICIARY}).json()["data"][
        "mainBalance"] == 0
    payluk_mock.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json=MILESTONES)
    assert [w.event for w in payluk_mock.webhooks] == ["escrow.created", "escrow.pending"]
