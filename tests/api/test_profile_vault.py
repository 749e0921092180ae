"""Vault escrows (profile 2026-10, docs.payluk.ng concepts/vault-escrows): create, name the
winner, cancel, read; never disputable; refused by every other escrow route; absent (404)
from profile 2026-06, whose escrow answers stay as they were."""

import re
from decimal import Decimal

import pytest

from sandbox.domain.vaults import fee_shares
from tests.conftest import BENEFICIARY, BUYER, POOR_BUYER, SELLER, SELLER2, START, UNKNOWN_ID, pay_body

CREATE = "/v1/escrow/vault/create"
CREATED = "Vault escrow created successfully"
ROUTE_NOT_FOUND = (404, {"status": 404, "message": "Route not found", "data": {}})
TOKEN = re.compile(r"^PY_[A-Za-z0-9]{8}[0-9]{4}$")
MIN_TWO = "At least 2 participants are required"
UNIQUE = "Each customer can be a participant only once"
STAKE = "Every participant amount must be at least 1 with at most 2 decimal places"
POT = "The sum of participant amounts must be at least 1000"
INACTIVE = "Every participant must be an active customer"
NOT_PARTICIPANT = "The winner must be a participant of this vault"
NOT_DISPUTABLE = "Vault escrows cannot be disputed"
NOT_ALLOWED = "Action not allowed"
ESCROW_NOT_FOUND = "Escrow not found"
ESCROW_KEYS = [
    "id", "amount", "purpose", "description", "whoPays", "imageUrl", "fee", "paymentToken", "paidAt",
    "status", "state", "logs", "channel", "isSeller", "dispute", "paymentDetails", "category",
    "completedAt", "approvedClaimBy", "refundedBy", "maxDelivery", "deliveryTimeline", "totalQuantity",
    "settlementType", "milestones", "createdAt", "updatedAt", "additionalFee", "additionalFeeRefundable",
]


def body(*stakes, purpose="Office football pool", **extra) -> dict:
    """A create body: (customerId, amount) pairs."""
    return {"purpose": purpose, "participants": [{"customerId": c, "amount": a} for c, a in stakes], **extra}


POOL = body((BUYER, 600000), (POOR_BUYER, 5000))  # pot 605,000


def fund(http, customer, amount):
    reply = http.post("/_sandbox/helpers/fund-customer", json={"customerId": customer, "amount": amount})
    assert reply.status == 200, reply.body


def create(api, payload=POOL):
    return api._expect(api.http.post(CREATE, json=payload), 201)


def wallets(api, *customers):
    return {c: (api.wallet(c)["mainBalance"], api.wallet(c)["escrowBalance"]) for c in customers}


def postings(http):
    return http.get("/_sandbox/ledger").data["postings"]


def events(http, escrow_id):
    return [e["event"] for e in http.get(f"/_sandbox/events?escrowId={escrow_id}").data["data"]]


def naira(kobo: int):
    return kobo // 100 if kobo % 100 == 0 else float(Decimal(kobo) / 100)


def tariff(api, amount) -> int:
    """The fee a standard escrow of `amount` gets in the same namespace (the escrow tariff of the
    profile, whatever it is): a vault's fee must be the same."""
    return api.create_escrow({"amount": str(amount), "purpose": "tariff", "whoPays": "seller",
                              "maxDelivery": "1", "deliveryTimeline": "days"})["fee"]


# -- create ------------------------------------------------------------------------------------


def test_create_vault(later):
    before = wallets(later, BUYER, POOR_BUYER)
    vault = create(later)
    assert list(vault) == ESCROW_KEYS + ["participants", "winnerId"]
    assert (vault["settlementType"], vault["state"], vault["status"]) == ("VAULT", "OPENED", "ONGOING")
    assert vault["amount"] == 605000 and vault["fee"] == tariff(later, 605000)
    assert vault["whoPays"] == "seller" and vault["purpose"] == "Office football pool"
    assert TOKEN.match(vault["paymentToken"]) and vault["logs"] == [] and vault["isSeller"] is False
    assert vault["participants"] == [{"customerId": BUYER, "amount": 600000, "status": "STAKED"},
                                     {"customerId": POOR_BUYER, "amount": 5000, "status": "STAKED"}]
    assert vault["winnerId"] is None and vault["milestones"] == [] and vault["dispute"] is None
    assert vault["createdAt"] == START and vault["paidAt"] is not None and vault["completedAt"] is None
    assert wallets(later, BUYER, POOR_BUYER) == {
        BUYER: (before[BUYER][0] - 600000, 600000), POOR_BUYER: (before[POOR_BUYER][0] - 5000, 5000)}
    assert events(later.http, vault["id"]) == ["escrow.created", "escrow.ongoing"]
    stake = [p for p in postings(later.http) if p.get("escrowId") == vault["id"]]
    assert [p["kind"] for p in stake] == ["vault_stake"]


def test_create_vault__decimal_stakes_are_exact(later):
    fund(later.http, SELLER, 2000)
    vault = create(later, body((SELLER, 700.55), (BUYER, 300.46), description="Two decimals", categoryId=None))
    assert vault["amount"] == 1001.01 and vault["description"] == "Two decimals"
    assert [p["amount"] for p in vault["participants"]] == [700.55, 300.46]
    assert wallets(later, SELLER) == {SELLER: (1299.45, 700.55)}


def test_create_vault__with_category(later):
    category = "665f1b2c9a1e4d0012ab3c50"
    vault = create(later, {**POOL, "categoryId": category})
    assert vault["category"]["id"] == category


def test_create_vault__insufficient_balance_moves_nothing(later):
    before = wallets(later, BUYER, POOR_BUYER)
    count = len(postings(later.http))
    reply = later.http.post(CREATE, json=body((BUYER, 600000), (POOR_BUYER, 10000.01)))
    later.error(reply, 400, "Insufficient balance")
    assert wallets(later, BUYER, POOR_BUYER) == before
    assert len(postings(later.http)) == count
    assert later.http.get("/v1/escrow/feeds").data["data"] == []


@pytest.mark.parametrize("payload, status, message", [
    (body((BUYER, 2000)), 400, MIN_TWO),
    (body(), 400, MIN_TWO),
    (body((BUYER, 600), (BUYER, 600)), 400, UNIQUE),
    (body((BUYER, 600), (POOR_BUYER, 0.5)), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, 0)), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, -500)), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, 500.005)), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, "500")), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, True)), 400, STAKE),
    (body((BUYER, 600), (POOR_BUYER, None)), 400, '"participants[1].amount" must not be null'),
    (body((BUYER, 600), (POOR_BUYER, 399.99)), 400, POT),
    (body((BUYER, 600), (UNKNOWN_ID, 600)), 404, "Customer not found"),
    (body((BUYER, 600), ("not-an-id", 600)), 400, '"participants[1].customerId" must be a valid id (24 hex characters)'),
    (body((BUYER, 600), (POOR_BUYER, 1e300)), 400, '"participants[1].amount" must be a safe number'),
    ({"participants": POOL["participants"]}, 400, '"purpose" is required'),
    ({"purpose": "x"}, 400, '"participants" is required'),
    ({**POOL, "participants": "everyone"}, 400, '"participants" must be an array'),
    ({**POOL, "participants": [{"customerId": BUYER}]}, 400, '"participants[0].amount" is required'),
    ({**POOL, "whoPays": "buyer"}, 400, '"whoPays" is not allowed'),
    ({**POOL, "purpose": ""}, 400, '"purpose" is not allowed to be empty'),
    ({**POOL, "categoryId": UNKNOWN_ID}, 400, "Category not found"),
])
def test_create_vault__invalid(later, payload, status, message):
    before = wallets(later, BUYER, POOR_BUYER)
    later.error(later.http.post(CREATE, json=payload), status, message)
    assert wallets(later, BUYER, POOR_BUYER) == before


def test_create_vault__blocked_participant(later):
    assert later.http.post("/_sandbox/helpers/block-customer", json={"customerId": POOR_BUYER}).status == 200
    later.error(later.http.post(CREATE, json=POOL), 400, INACTIVE)


@pytest.mark.parametrize("raw, content_type, message", [
    (b"{", "application/json", "Malformed JSON in request body"),
    (b'{"purpose": NaN}', "application/json", "Malformed JSON in request body"),
    (b"[1, 2]", "application/json", "Request body must be a JSON object"),
    (b"purpose=x", "application/x-www-form-urlencoded", "Content-Type must be application/json"),
])
def test_create_vault__bad_bodies(later, raw, content_type, message):
    state = later.http.get("/_sandbox/state").data["state"]
    reply = later.http.post(CREATE, body=raw, headers={"Content-Type": content_type})
    later.error(reply, 400, message)
    assert later.http.get("/_sandbox/state").data["state"] == state


# -- the winner ----------------------------------------------------------------------------------


def test_choose_winner(later):
    vault = create(later)
    before = wallets(later, BUYER, POOR_BUYER)
    reply = later.http.post(f"/v1/escrow/vault/winner/{vault['paymentToken']}", json={"winnerId": POOR_BUYER})
    won = later._expect(reply, 200)
    assert reply.body["message"] == "Vault winner selected successfully"
    assert (won["state"], won["status"], won["logs"]) == ("CLOSED", "COMPLETED", ["ONGOING"])
    assert won["winnerId"] == POOR_BUYER and won["completedAt"] is not None
    assert [p["status"] for p in won["participants"]] == ["RELEASED", "RELEASED"]
    payout = 605000 - vault["fee"]
    assert wallets(later, BUYER, POOR_BUYER) == {BUYER: (before[BUYER][0], 0),
                                                 POOR_BUYER: (before[POOR_BUYER][0] + payout, 0)}
    release = [p for p in postings(later.http) if p.get("escrowId") == vault["id"]][-1]
    assert release["kind"] == "vault_release"
    assert ["payluk:fees", vault["fee"]] in release["entries"]
    assert events(later.http, vault["id"]) == ["escrow.created", "escrow.ongoing", "escrow.completed"]
    completed = later.http.get(f"/_sandbox/events?escrowId={vault['id']}&type=escrow.completed").data["data"][0]
    assert completed["payload"]["data"]["winnerId"] == POOR_BUYER
    assert completed["payload"]["data"]["participants"] == won["participants"]
    assert later._expect(later.http.get(f"/v1/escrow/vault/{vault['paymentToken']}"), 200) == won


def test_choose_winner__not_a_participant(later):
    vault = create(later)
    reply = later.http.post(f"/v1/escrow/vault/winner/{vault['paymentToken']}", json={"winnerId": SELLER})
    later.error(reply, 400, NOT_PARTICIPANT)
    assert later._expect(later.http.get(f"/v1/escrow/vault/{vault['paymentToken']}"), 200) == vault


@pytest.mark.parametrize("payload, message", [
    ({}, '"winnerId" is required'),
    ({"winnerId": "<script>"}, '"winnerId" must be a valid id (24 hex characters)'),
    ({"winnerId": 7}, '"winnerId" must be a string'),
    ({"winnerId": BUYER, "amount": 1}, '"amount" is not allowed'),
])
def test_choose_winner__invalid(later, payload, message):
    vault = create(later)
    later.error(later.http.post(f"/v1/escrow/vault/winner/{vault['paymentToken']}", json=payload), 400, message)


# -- cancel -----------------------------------------------------------------------------------------


def test_cancel_vault(later):
    fund(later.http, SELLER, 1000)
    fund(later.http, BENEFICIARY, 1000)
    stakes = [333.33, 333.33, 333.34]
    vault = create(later, body((SELLER, stakes[0]), (BENEFICIARY, stakes[1]), (BUYER, stakes[2])))
    before = wallets(later, SELLER, BENEFICIARY, BUYER)
    reply = later.http.post(f"/v1/escrow/vault/cancel/{vault['paymentToken']}")
    cancelled = later._expect(reply, 200)
    assert reply.body["message"] == "Vault escrow cancelled successfully"
    assert (cancelled["state"], cancelled["status"], cancelled["winnerId"]) == ("CLOSED", "REFUNDED", None)
    assert [p["status"] for p in cancelled["participants"]] == ["REFUNDED"] * 3
    fee = round(vault["fee"] * 100)
    shares = fee_shares(fee, [round(s * 100) for s in stakes])
    refunds = [round(s * 100) - share for s, share in zip(stakes, shares)]
    assert sum(refunds) + fee == 100000
    after = wallets(later, SELLER, BENEFICIARY, BUYER)
    for customer, refund in zip((SELLER, BENEFICIARY, BUYER), refunds):
        assert after[customer] == (float(Decimal(str(before[customer][0])) + Decimal(refund) / 100), 0)
    assert events(later.http, vault["id"]) == ["escrow.created", "escrow.ongoing", "escrow.refunded"]


def test_fee_shares__largest_remainder():
    # 2.5 % of 1,000 naira over three stakes: 833.325 / 833.325 / 833.35 kobo, one kobo left over.
    assert fee_shares(2500, [33333, 33333, 33334]) == [833, 833, 834]
    assert fee_shares(2500, [50000, 50000]) == [1250, 1250]
    assert fee_shares(3, [100, 100, 100, 100]) == [1, 1, 1, 0]
    # Many small stakes: no share exceeds its stake, the shares sum to the fee.
    stakes = [100] * 999 + [1000]
    shares = fee_shares(2525, stakes)
    assert sum(shares) == 2525 and all(0 <= s <= stake for s, stake in zip(shares, stakes))


@pytest.mark.parametrize("first, then", [("winner", "winner"), ("winner", "cancel"), ("cancel", "winner"),
                                         ("cancel", "cancel")])
def test_closed_vault__action_not_allowed(later, first, then):
    vault = create(later)
    token = vault["paymentToken"]
    call = {"winner": lambda: later.http.post(f"/v1/escrow/vault/winner/{token}", json={"winnerId": BUYER}),
            "cancel": lambda: later.http.post(f"/v1/escrow/vault/cancel/{token}")}
    assert call[first]().status == 200
    closed = later._expect(later.http.get(f"/v1/escrow/vault/{token}"), 200)
    later.error(call[then](), 400, NOT_ALLOWED)
    assert later._expect(later.http.get(f"/v1/escrow/vault/{token}"), 200) == closed


# -- get, lookups, headers, keys ------------------------------------------------------------------------


def test_get_vault(later):
    vault = create(later)
    reply = later.http.get(f"/v1/escrow/vault/{vault['paymentToken']}")
    assert later._expect(reply, 200) == vault
    assert reply.body["message"] == "Vault escrow fetched successfully"


def test_vault_routes__other_tokens_are_not_vaults(later):
    standard = later.create_escrow()
    for token in (standard["paymentToken"], "PY_8AB12C9D3045", "%3Cscript%3E"):
        later.error(later.http.get(f"/v1/escrow/vault/{token}"), 400, ESCROW_NOT_FOUND)
        later.error(later.http.post(f"/v1/escrow/vault/winner/{token}", json={"winnerId": BUYER}), 400,
                    ESCROW_NOT_FOUND)
        later.error(later.http.post(f"/v1/escrow/vault/cancel/{token}"), 400, ESCROW_NOT_FOUND)
    assert later.verify(standard["paymentToken"], customer=SELLER) == standard


def test_vault_routes__customer_id_not_allowed(later):
    vault = create(later)
    token = vault["paymentToken"]
    for method, path, payload in (("POST", CREATE, POOL), ("POST", f"/v1/escrow/vault/winner/{token}",
                                                             {"winnerId": BUYER}),
                                  ("POST", f"/v1/escrow/vault/cancel/{token}", None),
                                  ("GET", f"/v1/escrow/vault/{token}", None)):
        reply = later.http.request(method, path, customer=BUYER, json=payload)
        later.error(reply, 400, "customer-id is not allowed in request header")
    assert later._expect(later.http.get(f"/v1/escrow/vault/{token}"), 200) == vault


def test_vault_routes__need_a_super_admin_key(later_http):
    """A merchant without super-admin rights (`sk_test_limited_…`) gets 401 `Access denied`.
    (Sent past the adapter's contract check: that key's namespace is checked against 2026-06.)"""
    key = "sk_test_limited_vault"
    headers = {"Authorization": f"Bearer {key}"}
    later_http.keys.add(key)
    assert later_http._send("PUT", "/_sandbox/profile", headers, {"profile": "2026-10"}, None, None, None).status == 200
    for method, path, payload in (("POST", CREATE, POOL), ("GET", "/v1/escrow/vault/PY_8AB12C9D3045", None),
                                  ("POST", "/v1/escrow/vault/cancel/PY_8AB12C9D3045", None)):
        reply = later_http._send(method, path, headers, payload, None, None, None)
        assert (reply.status, reply.body) == (401, {"status": 401, "message": "Access denied", "data": {}})


@pytest.mark.parametrize("method, path", [("POST", CREATE), ("POST", "/v1/escrow/vault/winner/PY_8AB12C9D3045"),
                                          ("POST", "/v1/escrow/vault/cancel/PY_8AB12C9D3045"),
                                          ("GET", "/v1/escrow/vault/PY_8AB12C9D3045")])
def test_vault_routes__auth(later_http, method, path):
    """No key: 401; a key that is no test secret key: 403 (before any profile is known, so sent
    past the adapter's contract check, which reads a keyless answer by the 2026-06 document)."""
    reply = later_http._send(method, path, {}, None, None, None, None)
    assert (reply.status, reply.body) == (401, {"status": 401, "message": "No token provided", "data": {}})
    reply = later_http._send(method, path, {"Authorization": "Bearer sk_live_abc"}, None, None, None, None)
    assert (reply.status, reply.body) == (403, {"status": 403, "message": "Unauthorized Access", "data": {}})


# -- the vault among other escrows ---------------------------------------------------------------------


def test_submit_dispute__vault(later):
    vault = create(later)
    for customer in (BUYER, POOR_BUYER):
        reply = later.http.post(f"/v1/escrow/submit-dispute/{vault['paymentToken']}", customer=customer,
                                data={"message": "I should have won"})
        later.error(reply, 400, NOT_DISPUTABLE)
    assert later._expect(later.http.get(f"/v1/escrow/vault/{vault['paymentToken']}"), 200) == vault


def test_other_escrow_routes_refuse_a_vault(later):
    vault = create(later)
    token, eid = vault["paymentToken"], vault["id"]
    http = later.http
    refusals = [
        (http.post(f"/v1/escrow/confirm-payment/{eid}", customer=BUYER), 400, NOT_ALLOWED),
        (http.get(f"/v1/escrow/claim-funds/{token}", customer=BUYER), 400, NOT_ALLOWED),
        (http.put(f"/v1/escrow/edit/{token}", customer=BUYER, data={"purpose": "mine", "maxDelivery": "3", "deliveryTimeline": "days"}), 400, NOT_ALLOWED),
        (http.request("DELETE", f"/v1/escrow/delete/{token}", customer=BUYER), 400, NOT_ALLOWED),
        (http.put(f"/v1/escrow/milestone/convert/{token}", customer=BUYER, json={
            "milestones": [{"title": "a", "amount": 302500}, {"title": "b", "amount": 302500}]}), 400, NOT_ALLOWED),
        (http.post("/v1/payment/escrow", customer=SELLER2, json=pay_body(eid, "PAYSTACK")), *later.not_payable),
        (http.post(f"/v1/escrow/milestone/confirm/{eid}/{UNKNOWN_ID}", customer=BUYER), 400, "Milestone not found"),
        (http.post(f"/v1/escrow/dispute/resolve/{eid}", data={"resolution": "r", "status": "REFUNDED"}), 400,
         "No dispute found for this escrow"),
    ]
    for reply, status, message in refusals:
        later.error(reply, status, message)
    assert later._expect(http.get(f"/v1/escrow/vault/{token}"), 200) == vault


def test_vault_in_feeds_and_verify(later):
    standard = later.create_escrow()
    vault = create(later)
    feeds = later.http.get("/v1/escrow/feeds").data["data"]
    assert [e["id"] for e in feeds] == [vault["id"], standard["id"]]
    assert feeds[0] == vault and "participants" not in feeds[1] and "winnerId" not in feeds[1]
    assert [e["id"] for e in later.http.get("/v1/escrow/feeds?status=ONGOING").data["data"]] == [vault["id"]]
    assert later.verify(vault["paymentToken"]) == vault


# -- profile 2026-06: unchanged ----------------------------------------------------------------------


def test_vault_routes__absent_from_2026_06(api):
    for method, path in (("POST", CREATE), ("POST", "/v1/escrow/vault/winner/PY_8AB12C9D3045"),
                         ("POST", "/v1/escrow/vault/cancel/PY_8AB12C9D3045"),
                         ("GET", "/v1/escrow/vault/PY_8AB12C9D3045")):
        reply = api.http.request(method, path, json=POOL if path == CREATE else None)
        assert (reply.status, reply.body) == ROUTE_NOT_FOUND
    assert api.wallet(BUYER)["escrowBalance"] == 0


def test_escrow_answers_unchanged_in_2026_06(api):
    escrow = api.create_escrow()
    assert list(escrow) == ESCROW_KEYS
    api.pay(escrow["id"])
    assert list(api.verify(escrow["paymentToken"])) == ESCROW_KEYS
    assert all(list(e) == ESCROW_KEYS for e in api.http.get("/v1/escrow/feeds").data["data"])


def test_invariants_know_where_stakes_are_held():
    """A vault's stakes sit in each participant's escrow balance; a vault holding anything else is
    caught (the books are checked after every test above)."""
    from sandbox.domain import invariants, ledger
    from sandbox.store.base import new_state
    from sandbox.store.memory import MemoryNamespace

    ns = MemoryNamespace(new_state(1, 0))
    vault = {"id": "v", "settlement_type": "VAULT", "state": "OPENED", "held": 300, "buyer_id": None,
             "participants": [{"customer_id": BUYER, "amount": 100, "status": "STAKED"},
                              {"customer_id": SELLER, "amount": 200, "status": "STAKED"}]}
    ns.save("escrows", vault)
    ledger.post(ns, "vault_stake", [(ledger.external_account("t"), -300), (ledger.escrow_account(BUYER), 100),
                                    (ledger.escrow_account(SELLER), 200)])
    assert invariants.check(ns) == []
    ns.save("escrows", {**vault, "held": 250})
    assert any("its stakes say otherwise" in v for v in invariants.check(ns))


def test_winner__the_merchants_commission_goes_to_its_wallet(later):
    """The vault's fee is the escrow tariff (2 % + the merchant's commission): at the winner, the
    commission lands in the merchant wallet, the rest is Payluk's."""
    assert later.http.put("/_sandbox/merchant", json={"commission": 1}).status == 200
    vault = create(later)
    assert vault["fee"] == 18150  # 3 % of the 605,000 pot
    reply = later.http.post(f"/v1/escrow/vault/winner/{vault['paymentToken']}", json={"winnerId": POOR_BUYER})
    assert reply.status == 200, reply.body
    assert later.http.get("/v1/merchant/balance").data["mainBalance"] == 6050
    assert later.http.get("/_sandbox/ledger").data["balances"]["payluk:fees"] == 12100  # (naira on the wire)
