"""The control plane: time travel, reset to named sets, snapshots, export/import, fork,
provider states, readiness, and switching the controls off or behind a token."""

import json

import pytest

from sandbox import create_app
from tests.conftest import BENEFICIARY, BUYER, KEY, SELLER, START, Api, InProcessHttp, make_config, pay_body
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)

DAY = 86_400


def claimable_escrow(api, max_delivery="3", timeline="days"):
    escrow = api.create_escrow({"amount": "150000", "purpose": "Phone", "whoPays": "both",
                                "maxDelivery": max_delivery, "deliveryTimeline": timeline})
    api.pay(escrow["id"])
    return escrow


# -- clock -------------------------------------------------------------------------------------------


def test_clock(http):
    reply = http.get("/_sandbox/clock")
    assert (reply.status, reply.data) == (200, {"now": START, "frozen": True, "offsetMs": 0})


def test_claim_after_advancing_three_days(http, api):
    """The issue's example: maxDelivery 3 days; claim refused; advance P3D; claim succeeds."""
    escrow = claimable_escrow(api)
    path = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    api.error(http.get(path, customer=SELLER), 400, "Escrow cannot be claimed yet")
    reply = http.post("/_sandbox/clock/advance", json={"duration": "P3D"})
    assert reply.status == 200 and reply.data["now"] == "2026-06-25T10:15:00.000Z"
    assert reply.data["due"] == [{"type": "escrow.claimable", "at": "2026-06-25T10:15:00.000Z",
                                  "escrowId": escrow["id"], "paymentToken": escrow["paymentToken"]}]
    claimed = http.get(path, customer=SELLER)
    assert (claimed.status, claimed.data["status"]) == (200, "CLAIMED")


def test_advance_by_seconds_and_what_becomes_due(http, api):
    api.create_milestone_escrow()  # milestones due 2026-07-15 and 2026-08-15, but unfunded still counts
    reply = http.post("/_sandbox/clock/advance", json={"seconds": 30 * DAY})
    assert reply.data["now"] == "2026-07-22T10:15:00.000Z"
    assert [d["type"] for d in reply.data["due"]] == ["milestone.due"]
    assert reply.data["due"][0]["at"] == "2026-07-15T00:00:00.000Z"
    assert http.post("/_sandbox/clock/advance", json={"seconds": 0}).data["due"] == []


def test_set_clock_forward_only(http, api):
    reply = http.post("/_sandbox/clock/set", json={"now": "2026-07-01T00:00:00Z"})
    assert reply.data["now"] == "2026-07-01T00:00:00.000Z"
    api.error(http.post("/_sandbox/clock/set", json={"now": "2026-06-30T00:00:00Z"}), 400,
              "the clock only moves forward: it is already 2026-07-01T00:00:00.000Z")
    escrow = api.create_milestone_escrow()
    assert escrow["createdAt"] == "2026-07-01T00:00:00.000Z", "new timestamps read the moved clock"


@pytest.mark.parametrize("body, message", [
    ({}, "Send exactly one of seconds, duration"),
    ({"seconds": 5, "duration": "PT5S"}, "Send exactly one of seconds, duration"),
    ({"seconds": -1}, '"seconds" must be greater than or equal to 0'),
    ({"duration": "P1M"}, '"duration" must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, '
                          'e.g. P3D or PT2H30M'),
    ({"days": 1}, '"days" is not allowed'),
])
def test_advance_clock__invalid(http, api, body, message):
    api.error(http.post("/_sandbox/clock/advance", json=body), 400, message)


def test_freeze_and_resume(http):
    resumed = http.post("/_sandbox/clock/resume")
    assert resumed.data["frozen"] is False
    assert resumed.data["now"] >= START
    frozen = http.post("/_sandbox/clock/freeze")
    assert frozen.data["frozen"] is True
    assert http.get("/_sandbox/clock").data["now"] == frozen.data["now"], "a frozen clock stays put"


def test_topup_limit_follows_the_clock(http, api):
    assert http.post("/v1/payment/topup", customer=BUYER, json={"amount": 1000}).status == 200
    api.error(http.post("/v1/payment/topup", customer=BUYER, json={"amount": 1000}), 401,
              "You can only top up your account once a day")
    due = http.post("/_sandbox/clock/advance", json={"duration": "P1D"}).data["due"]
    assert {"type": "topup.available", "customerId": BUYER} == {k: due[0][k] for k in ("type", "customerId")}
    assert http.post("/v1/payment/topup", customer=BUYER, json={"amount": 1000}).status == 200


# -- reset and named fixture sets --------------------------------------------------------------------


SETTINGS = {"url": "http://127.0.0.1:9/hooks", "milestoneEvents": True, "faults": ["duplicate"], "delaySeconds": 5}
DEFAULT_SETTINGS = {"url": None, "milestoneEvents": False, "faults": [], "delaySeconds": 0}


def test_reset__keeps_the_settings_made_through_the_controls(http, api):
    """A webhook URL and faults are configuration, not data: the README's walkthrough starts
    with a reset after the URL was set, and must still deliver."""
    assert http.put("/_sandbox/webhook", json=SETTINGS).status == 200
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    assert http.post("/_sandbox/reset").status == 200
    assert http.get("/_sandbox/webhook").data == SETTINGS
    assert http.get("/v1/escrow/feeds").data["pagination"]["count"] == 0  # the data did go
    assert http.post("/_sandbox/reset", json={"fixtures": "funded-milestone", "seed": 3}).status == 200
    assert http.get("/_sandbox/webhook").data == SETTINGS


def test_reset__keep_settings_false_goes_back_to_the_server_defaults(http):
    http.put("/_sandbox/webhook", json=SETTINGS)
    assert http.post("/_sandbox/reset", json={"keepSettings": False}).status == 200
    assert http.get("/_sandbox/webhook").data == DEFAULT_SETTINGS


def test_reset__keep_settings_false_restores_the_configured_callback_url():
    app = create_app(make_config(webhook_url="http://127.0.0.1:9/configured"))
    http = InProcessHttp(app)
    try:
        http.put("/_sandbox/webhook", json={"url": "http://127.0.0.1:9/mine", "faults": ["delayed"]})
        http.post("/_sandbox/reset", json={"keepSettings": False})
        assert http.get("/_sandbox/webhook").data == {**DEFAULT_SETTINGS, "url": "http://127.0.0.1:9/configured"}
    finally:
        app.close()


def test_reset__keep_settings_must_be_a_boolean(http, api):
    api.error(http.post("/_sandbox/reset", json={"keepSettings": "maybe"}), 400, '"keepSettings" must be a boolean')


def test_provider_state__keeps_the_settings_like_a_reset(http):
    http.put("/_sandbox/webhook", json=SETTINGS)
    assert http.post("/_sandbox/provider-states", json={"state": "funded-milestone"}).status == 200
    assert http.get("/_sandbox/webhook").data == SETTINGS


def test_snapshot_restore_and_fork__carry_the_settings_they_captured(http):
    http.put("/_sandbox/webhook", json=SETTINGS)
    assert http.post("/_sandbox/snapshots", json={"name": "with-settings"}).status == 201
    http.put("/_sandbox/webhook", json={"url": None, "faults": []})
    assert http.post("/_sandbox/snapshots/with-settings/restore").status == 200
    assert http.get("/_sandbox/webhook").data == SETTINGS
    assert http.post("/_sandbox/fork", json={"key": "sk_test_settings_fork", "replace": True}).status == 201
    assert http.get("/_sandbox/webhook", key="sk_test_settings_fork").data == SETTINGS
    http.post("/_sandbox/reset", key="sk_test_settings_fork", json={"keepSettings": False})


def test_reset_to_a_named_set(http, api):
    reply = http.post("/_sandbox/reset", json={"fixtures": "funded-milestone"})
    assert reply.status == 200 and reply.data["fixtures"] == "funded-milestone"
    values = reply.data["values"]["milestone"]
    escrow = api.verify(values["paymentToken"])
    assert (escrow["state"], [m["status"] for m in escrow["milestones"]]) == (
        "OPENED", ["RELEASED", "PENDING", "PENDING"])
    assert api.wallet(BENEFICIARY)["mainBalance"] == 300000
    assert api.wallet(BUYER) == {"mainBalance": 5000000 - 1025000, "escrowBalance": 725000, "currency": "NGN"}
    api.confirm(values["id"], values["milestones"][1])


@pytest.mark.parametrize("name, check", [
    ("unfunded-milestone", lambda e: (e["settlementType"], e["state"]) == ("MILESTONE", "AWAITING_PAYMENT")),
    ("disputed-standard", lambda e: (e["status"], e["dispute"][0]["type"]) == ("DISPUTED", "buyer")),
    ("claimable-standard", lambda e: e["status"] == "ONGOING"),
])
def test_named_sets(http, api, name, check):
    values = http.post("/_sandbox/reset", json={"fixtures": name}).data["values"]
    [saved] = values.values()
    assert check(api.verify(saved["paymentToken"]))


def test_claimable_set_can_be_claimed_at_once(http, api):
    escrow = http.post("/_sandbox/reset", json={"fixtures": "claimable-standard"}).data["values"]["escrow"]
    assert http.get(f"/v1/escrow/claim-funds/{escrow['paymentToken']}", customer=SELLER).data["status"] == "CLAIMED"


def test_reset_with_a_seed(http, api):
    first = http.post("/_sandbox/reset", json={"fixtures": "unfunded-milestone", "seed": 7}).data["values"]
    second = http.post("/_sandbox/reset", json={"fixtures": "unfunded-milestone", "seed": 7}).data["values"]
    other = http.post("/_sandbox/reset", json={"fixtures": "unfunded-milestone", "seed": 8}).data["values"]
    assert first == second != other


def test_reset__unknown_set(http, api):
    api.error(http.post("/_sandbox/reset", json={"fixtures": "nope"}), 400,
              '"fixtures" must be one of [claimable-standard, default, disputed-standard, funded-milestone, '
              'unfunded-milestone]')


def test_reset_all(http, api):
    other = "sk_test_other_ns"
    api.wallet(BUYER)  # the caller's namespace exists (on Redis, namespaces are made on first use)
    http.post("/v1/escrow/milestone/create", key=other, customer=SELLER, json={
        "amount": 10, "purpose": "x", "whoPays": "buyer", "milestones": [{"title": "a", "amount": 5},
                                                                          {"title": "b", "amount": 5}]})
    reply = http.post("/_sandbox/reset?all=true")
    assert reply.status == 200 and reply.data["namespaces"] >= 2
    assert http.get("/v1/escrow/transactions?type=sales", key=other, customer=SELLER).data["data"] == []


def test_reset_does_not_cross_namespaces(http, api):
    escrow = api.create_milestone_escrow()
    http.post("/_sandbox/reset", key="sk_test_someone_else")
    assert api.verify(escrow["paymentToken"])["id"] == escrow["id"]


# -- provider states ---------------------------------------------------------------------------------


def test_provider_state(http, api):
    reply = http.post("/_sandbox/provider-states", json={"state": "an unfunded milestone escrow exists",
                                                         "params": {"seed": 3}, "action": "setup"})
    assert reply.status == 200 and reply.data["fixtures"] == "unfunded-milestone"
    token = reply.data["values"]["milestone"]["paymentToken"]
    assert api.verify(token)["state"] == "AWAITING_PAYMENT"
    assert http.post("/_sandbox/provider-states", json={"state": "x", "action": "teardown"}).status == 200
    assert http.post("/_sandbox/provider-states", json={"state": "disputed-standard"}).data["fixtures"] == \
        "disputed-standard"
    reply = http.post("/_sandbox/provider-states", json={"state": "nobody knows"})
    assert reply.status == 400 and reply.body["message"].startswith("Unknown provider state; known: ")


def test_provider_state__empty_state_resets_to_the_default_set(http, api):
    """Pact's verifiers send the empty state for an interaction without one: the default set."""
    escrow = api.create_milestone_escrow()
    reply = http.post("/_sandbox/provider-states", json={"state": "", "params": {}, "action": "setup"})
    assert (reply.status, reply.data["fixtures"], reply.data["values"]) == (200, "default", {})
    api.error(http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    assert http.post("/_sandbox/provider-states", json={"state": "", "action": "teardown"}).data == {"state": ""}


# -- provider states as Pact's verifiers call them (/_sandbox/pact/provider-states) --------------------

PACT = "/_sandbox/pact/provider-states"
UNFUNDED = "an unfunded milestone escrow exists"


def test_pact_provider_state(http, api):
    """The values answered flat, where Pact reads them, are those of what the state made."""
    reply = http.post(PACT, json={"state": UNFUNDED, "params": {}, "action": "setup"})
    assert reply.status == 200 and "status" not in reply.body and "data" not in reply.body, reply.body
    values = reply.body
    escrow = api.verify(values["paymentToken"])
    milestone_ids = [m["id"] for m in api.milestones(values["paymentToken"])]
    assert (escrow["id"], escrow["state"], len(milestone_ids)) == (values["escrowId"], "AWAITING_PAYMENT", 3)
    assert values["milestoneIds"] == milestone_ids and values["milestoneId"] == milestone_ids[0]
    assert [values[f"milestoneIds.{i}"] for i in range(3)] == milestone_ids
    assert (values["sellerId"], values["customerId"]) == (SELLER, SELLER)
    assert "buyerId" not in values  # nobody has funded it
    named = {key.removeprefix("milestone."): value for key, value in values.items() if key.startswith("milestone.")}
    assert named == {key: value for key, value in values.items() if not key.startswith("milestone.")}
    # A teardown changes nothing and answers no values.
    assert (http.post(PACT, json={"state": UNFUNDED, "action": "teardown"}).body) == {}
    assert api.verify(values["paymentToken"])["id"] == values["escrowId"]


def test_pact_provider_state__values_follow_each_set(http, api):
    funded = http.post(PACT, json={"state": "a funded milestone escrow with one milestone released exists"}).body
    milestones = api.milestones(funded["paymentToken"])
    assert [m["status"] for m in milestones] == ["RELEASED", "PENDING", "PENDING"]
    assert funded["milestoneIds"] == [m["id"] for m in milestones]
    assert (funded["buyerId"], funded["sellerId"]) == (BUYER, SELLER)
    api.confirm(funded["escrowId"], funded["milestoneIds.1"])  # the ids are the live escrow's
    disputed = http.post(PACT, json={"state": "disputed-standard"}).body
    escrow = api.verify(disputed["paymentToken"])
    assert (escrow["id"], escrow["status"]) == (disputed["escrowId"], "DISPUTED")
    assert "milestoneIds" not in disputed and disputed["escrow.buyerId"] == BUYER
    # A set that names no entity (the default parties) has no values.
    assert http.post(PACT, json={"state": "the default parties exist"}).body == {}


def test_pact_provider_state__empty_state(http, api):
    """An interaction without a state starts from the default set, whatever came before."""
    escrow = api.create_milestone_escrow()
    assert http.post(PACT, json={"state": "", "params": {}, "action": "setup"}).body == {}
    api.error(http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    assert http.post(PACT, json={"state": "", "params": {}, "action": "teardown"}).body == {}


def test_pact_provider_state__query_form(http, api):
    """A verifier told `body: false` sends the change in the query string, its params as text."""
    first = http.post(f"{PACT}?state=funded-milestone&action=setup&seed=5").body
    assert api.verify(first["paymentToken"])["id"] == first["escrowId"]
    assert http.post(f"{PACT}?state=funded-milestone&action=setup&seed=5").body == first
    assert http.post(f"{PACT}?state=funded-milestone&seed=6").body["escrowId"] != first["escrowId"]
    assert http.post(f"{PACT}?state=funded-milestone&action=teardown").body == {}
    api.error(http.post(f"{PACT}?state=funded-milestone&seed=five"), 400, '"params.seed" must be a whole number')
    api.error(http.post(f"{PACT}?action=setup"), 400, '"state" is required')
    api.error(http.post(f"{PACT}?state=x&action=undo"), 400, '"action" must be one of [setup, teardown]')
    # With a body, the query holds only the key and the token.
    api.error(http.post(f"{PACT}?state=default", json={"state": "default"}), 400, '"state" is not allowed')


def test_pact_provider_state__errors_keep_the_envelope(http, api):
    reply = http.post(PACT, json={"state": "nobody knows"})
    assert reply.status == 400 and reply.body["message"].startswith("Unknown provider state; known: ")
    assert reply.body["data"] == {}


def test_pact_provider_state__key_in_the_url(http, api):
    """For verifiers that send no headers to the state-change URL: `?key=` picks the namespace."""
    key = "sk_test_pact_url_key"
    values = http.post(f"{PACT}?key={key}", key=None, json={"state": UNFUNDED}).body
    assert http.get(f"/v1/escrow/verify/{values['paymentToken']}", key=key).data["id"] == values["escrowId"]
    api.error(http.get(f"/v1/escrow/verify/{values['paymentToken']}"), 400, "Escrow not found")  # not KEY's
    # The header and the URL may both name it, never two namespaces.
    assert http.post(f"{PACT}?key={key}", key=key, json={"state": UNFUNDED}).status == 200
    conflict = "The key in the URL and the Authorization header name different namespaces"
    api.error(http.post(f"{PACT}?key={key}", json={"state": UNFUNDED}), 400, conflict)
    api.error(http.post(f"{PACT}?key={key}", key=None, headers={"Authorization": f"Basic {key}"},
                        json={"state": UNFUNDED}), 400, conflict)
    for bad in ("sk_live_x", "", f"{key}&key={key}"):
        api.error(http.post(f"{PACT}?key={bad}", key=None, json={"state": UNFUNDED}), 403, "Unauthorized Access")
    api.error(http.post(PACT, key=None, json={"state": UNFUNDED}), 401, "No token provided")
    # Only this route reads a key from its URL.
    api.error(http.get(f"/_sandbox/clock?key={key}", key=None), 401, "No token provided")
    http.keys.add(key)  # (its ledger is checked after the test like the rest)


def test_pact_provider_state__control_token_in_the_url():
    http = InProcessHttp(create_app(make_config(control_token="s3cret-✓")))
    api = Api(http)
    refused = "Sandbox control token required (X-Sandbox-Token)"
    token = "s3cret-%E2%9C%93"  # percent-encoded UTF-8, as a URL carries it
    assert http.post(f"{PACT}?token={token}", json={"state": UNFUNDED}).status == 200
    assert http.post(PACT, headers={"X-Sandbox-Token": "s3cret-✓".encode().decode("latin-1")},
                     json={"state": UNFUNDED}).status == 200
    assert http.post(f"{PACT}?token={token}&key=sk_test_pact_token", key=None, json={"state": UNFUNDED}).status == 200
    for sent in ("wrong", "", f"{token}&token=wrong"):
        api.error(http.post(f"{PACT}?token={sent}", json={"state": UNFUNDED}), 401, refused)
    # Sent both ways, both must be right.
    api.error(http.post(f"{PACT}?token={token}", headers={"X-Sandbox-Token": "wrong"}, json={"state": UNFUNDED}),
              401, refused)
    api.error(http.post(f"{PACT}?token=wrong", headers={"X-Sandbox-Token": "s3cret-✓".encode().decode("latin-1")},
                        json={"state": UNFUNDED}), 401, refused)
    api.error(http.post(PACT, json={"state": UNFUNDED}), 401, refused)
    api.error(http.get(f"/_sandbox/clock?token={token}"), 401, refused)  # only this route reads it


def test_pact_provider_state__credentials_in_the_url_are_not_journaled():
    http = InProcessHttp(create_app(make_config(control_token="t0ken-in-url")))
    key, token = "sk_test_pact_secret_9d", "t0ken-in-url"
    guard = {"X-Sandbox-Token": token}
    assert http.post(f"{PACT}?key={key}&token={token}", key=None, json={"state": UNFUNDED}).status == 200
    assert http.post(f"{PACT}?key=sk%5Ftest%5Fpact%5Fsecret%5F9d&token=t0ken%2Din%2Durl&state=default",
                     key=None).status == 200
    journal = http.get("/_sandbox/requests", key=key, headers=guard)
    entries = journal.data["data"]
    assert [e["path"] for e in entries] == [PACT, PACT]  # newest first
    assert [e["query"] for e in entries] == [
        {"key": "sk_test_[REDACTED]", "token": "[REDACTED]", "state": "default"},
        {"key": "sk_test_[REDACTED]", "token": "[REDACTED]"}]
    text = json.dumps(journal.body) + json.dumps(http.get(f"/_sandbox/requests/{entries[0]['id']}", key=key,
                                                          headers=guard).body)
    assert key not in text and token not in text and "pact%5Fsecret" not in text


# -- snapshots, export, import, fork ---------------------------------------------------------------


def test_snapshot_round_trip(http, api):
    escrow = api.funded_milestone_escrow()
    before = http.get("/_sandbox/state").data["state"]
    created = http.post("/_sandbox/snapshots", json={"name": "funded"})
    assert (created.status, created.data) == (201, {"name": "funded", "createdAt": START})
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    http.post("/_sandbox/clock/advance", json={"duration": "P2D"})
    api.create_customer({"firstname": "A", "lastname": "B", "email": "a@b.example", "phone": "08000000001"})
    assert http.get("/_sandbox/state").data["state"] != before
    restored = http.post("/_sandbox/snapshots/funded/restore")
    assert restored.status == 200
    after = http.get("/_sandbox/state").data["state"]
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True), "byte for byte"
    assert api.wallet(BENEFICIARY)["mainBalance"] == 0
    assert [s["name"] for s in http.get("/_sandbox/snapshots").data] == ["funded"]
    exported = http.get("/_sandbox/snapshots/funded/export").data
    assert exported["format"] == "payluk-sandbox-state/1" and exported["state"] == before
    assert http.request("DELETE", "/_sandbox/snapshots/funded").status == 200
    api.error(http.post("/_sandbox/snapshots/funded/restore"), 404, "Snapshot not found")
    api.error(http.request("DELETE", "/_sandbox/snapshots/funded"), 404, "Snapshot not found")


def test_restore_restores_the_id_sequence(http, api):
    http.post("/_sandbox/snapshots", json={"name": "empty"})
    first = api.create_milestone_escrow()
    http.post("/_sandbox/snapshots/empty/restore")
    again = api.create_milestone_escrow()
    assert (again["id"], again["paymentToken"]) == (first["id"], first["paymentToken"])


def test_snapshot_names(http, api):
    api.error(http.post("/_sandbox/snapshots", json={"name": "../etc"}), 400,
              '"name" must be 1-64 letters, digits, \'.\', \'_\' or \'-\', starting with a letter or digit')
    api.error(http.get("/_sandbox/snapshots/none/export"), 404, "Snapshot not found")


def test_snapshots_are_per_namespace(http, api):
    http.post("/_sandbox/snapshots", json={"name": "mine"})
    assert http.get("/_sandbox/snapshots", key="sk_test_nosy_neighbour").data == []
    api.error(http.post("/_sandbox/snapshots/mine/restore", key="sk_test_nosy_neighbour"), 404, "Snapshot not found")


def test_export_and_import(http, api):
    escrow = api.funded_milestone_escrow()
    exported = http.get("/_sandbox/state").data
    target = "sk_test_import_target"
    reply = http.post("/_sandbox/import", key=target, json=exported)
    assert reply.status == 200 and reply.data["escrows"] == 1
    assert http.get(f"/v1/escrow/verify/{escrow['paymentToken']}", key=target).data["status"] == "ONGOING"
    assert http.get("/_sandbox/state", key=target).data["state"] == exported["state"]


def test_import_refuses_what_does_not_balance(http, api):
    exported = http.get("/_sandbox/state").data
    tampered = json.loads(json.dumps(exported))
    tampered["state"]["ledger"]["balances"][f"customer:{BUYER}:main"] += 100
    reply = http.post("/_sandbox/import", json=tampered)
    assert reply.status == 400 and reply.body["message"].startswith("Imported state does not balance: ")
    broken = {**exported, "state": {"version": 1}}
    assert http.post("/_sandbox/import", json=broken).body["message"].startswith("Imported state is not valid: missing")
    api.error(http.post("/_sandbox/import", json={**exported, "format": "v0"}), 400,
              '"format" must be payluk-sandbox-state/1')
    assert http.get("/_sandbox/state").data["state"] == exported["state"], "nothing changed"


def test_fork(http, api):
    escrow = api.funded_milestone_escrow()
    reply = http.post("/_sandbox/fork", json={"key": "sk_test_forked"})
    assert (reply.status, reply.data) == (201, {"key": "sk_test_forked"})
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    forked = http.get(f"/v1/escrow/verify/{escrow['paymentToken']}", key="sk_test_forked").data
    assert [m["status"] for m in forked["milestones"]] == ["PENDING"] * 3, "the fork does not follow the source"
    api.error(http.post("/_sandbox/fork", json={"key": "sk_test_forked"}), 400,
              "That key already has a namespace; send replace: true to overwrite it")
    assert http.post("/_sandbox/fork", json={"key": "sk_test_forked", "replace": True}).status == 201
    api.error(http.post("/_sandbox/fork", json={"key": KEY}), 400, "A namespace cannot be forked into itself")
    api.error(http.post("/_sandbox/fork", json={"key": "pk_test_x"}), 400,
              '"key" must be a test secret key (sk_test_...)')


def test_state_is_json(http):
    state = http.get("/_sandbox/state").data["state"]
    assert json.loads(json.dumps(state)) == state
    assert state["fixture"]["name"] == "default"


# -- readiness, switches ---------------------------------------------------------------------------


def test_readyz(http):
    reply = http.get("/readyz", key=None)
    assert reply.status == 200
    names = [s["name"] for s in reply.data["fixtures"]]
    assert "default" in names and "funded-milestone" in names
    assert all(len(s["checksum"]) == 64 for s in reply.data["fixtures"])


def test_controls_can_be_switched_off():
    api = Api(InProcessHttp(create_app(make_config(controls=False))))
    for method, path in [("POST", "/_sandbox/reset"), ("GET", "/_sandbox/clock"), ("GET", "/_sandbox/state")]:
        api.error(api.http.request(method, path), 404, "Route not found")
    assert api.http.get("/v1/customers").status == 200
    assert api.http.get("/healthz", key=None).status == 200


def test_control_token():
    api = Api(InProcessHttp(create_app(make_config(control_token="s3cret"))))
    api.error(api.http.get("/_sandbox/clock"), 401, "Sandbox control token required (X-Sandbox-Token)")
    api.error(api.http.get("/_sandbox/clock", headers={"X-Sandbox-Token": "wrong"}), 401,
              "Sandbox control token required (X-Sandbox-Token)")
    assert api.http.get("/_sandbox/clock", headers={"X-Sandbox-Token": "s3cret"}).status == 200
    assert api.http.get("/v1/customers").status == 200


def test_reset_timing_at_1k_escrows(capsys):
    """Not a timed assertion: prints reset and restore latency with 1,000 escrows."""
    import time

    app = create_app(make_config())
    api = Api(InProcessHttp(app))
    client = api.http
    for _ in range(1000):
        escrow = client.post("/v1/escrow/milestone/create", customer=SELLER, json={
            "amount": 10, "purpose": "x", "whoPays": "buyer",
            "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 5}]}).data
        client.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"], "PAYSTACK"))
    timings = {}
    t0 = time.perf_counter()
    assert client.post("/_sandbox/snapshots", json={"name": "big"}).status == 201
    timings["snapshot"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert client.post("/_sandbox/snapshots/big/restore").status == 200
    timings["restore"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert client.post("/_sandbox/reset").status == 200
    timings["reset"] = time.perf_counter() - t0
    with capsys.disabled():
        print("\n[1k escrows: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in timings.items()) + "]")


def test_index__the_root_answers_where_everything_is(http):
    reply = http.get("/", key=None)
    assert (reply.status, reply.body["status"], reply.body["message"]) == (200, 200, "payluk-sandbox is running")
    data = reply.data
    base = data["api"]
    assert base.startswith("http://") and not base.endswith("/")
    assert (data["docs"], data["console"], data["openapi"]) == (f"{base}/docs", f"{base}/_sandbox/console",
                                                                 f"{base}/openapi.json")
    assert data["apiPaths"] == "/v1/..." and "sk_test_" in data["authorization"]
