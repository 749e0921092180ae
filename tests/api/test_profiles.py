"""The API profile switch (issue 19): the server's default, a fixture file's, a namespace's own
choice (PUT /_sandbox/profile) — in that order of precedence, kept by a reset — and where the
profile shows: /healthz, the state export, journal entries, the documents per profile, routes a
later profile introduced."""

import json

import pytest
from flask import Blueprint

from sandbox import create_app
from sandbox.api.documented import Tag, doc, introduced
from sandbox.api.http import envelope
from sandbox.controlplane.fixture_sets import DEFAULT_DIR
from sandbox.docs import openapi
from sandbox.domain import profiles
from sandbox.server.config import Config, ConfigError
from tests.conftest import KEY, make_config

JUNE, OCTOBER = profiles.JUNE, profiles.OCTOBER


def profile_of(http, key=KEY):
    reply = http.get("/_sandbox/profile", key=key)
    assert (reply.status, reply.body["message"]) == (200, "Profile fetched successfully")
    return reply.data["profile"], reply.data["source"]


def test_the_default_is_the_june_profile_from_the_server(http):
    assert profile_of(http) == (JUNE, "server")
    assert http.get("/_sandbox/profile").data["profiles"] == [JUNE, OCTOBER]


def test_a_namespace_chooses_its_profile_and_a_reset_keeps_it(http):
    reply = http.put("/_sandbox/profile", json={"profile": OCTOBER})
    assert (reply.status, reply.body["message"], reply.data["profile"], reply.data["source"]) == (
        200, "Profile updated successfully", OCTOBER, "namespace")
    assert profile_of(http) == (OCTOBER, "namespace")
    assert profile_of(http, key="sk_test_someone_else") == (JUNE, "server"), "one namespace's choice only"
    assert http.post("/_sandbox/reset", json={}).status == 200
    assert profile_of(http) == (OCTOBER, "namespace")
    assert http.put("/_sandbox/profile", json={"profile": None}).data["source"] == "server"
    assert profile_of(http) == (JUNE, "server")


def test_a_reset_without_settings_forgets_the_choice(http):
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    assert http.post("/_sandbox/reset", json={"keepSettings": False}).status == 200
    assert profile_of(http) == (JUNE, "server")


@pytest.mark.parametrize("body, message", [
    ({"profile": "2026-11"}, '"profile" must be one of [2026-06, 2026-10]'),
    ({"profile": 2026}, '"profile" must be a string'),
    ({}, '"profile" is required'),
    ({"profile": OCTOBER, "extra": 1}, '"extra" is not allowed'),
])
def test_a_bad_choice_is_refused_and_changes_nothing(http, body, message):
    reply = http.put("/_sandbox/profile", json=body)
    assert (reply.status, reply.body) == (400, {"status": 400, "message": message, "data": {}})
    assert profile_of(http) == (JUNE, "server")


def test_the_journal_names_the_profile_that_answered(http):
    http.request("DELETE", "/_sandbox/requests")  # (the journal outlives resets: the live server's holds earlier tests')
    http.get("/v1/customers")
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    http.get("/v1/customers")
    entries = http.get("/_sandbox/requests?path=/v1/customers").data["data"]
    assert [e["profile"] for e in entries] == [OCTOBER, JUNE]


def test_the_state_export_names_the_profile_and_import_restores_it(http):
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    exported = http.get("/_sandbox/state").data
    assert exported["profile"] == OCTOBER
    other = "sk_test_imported"
    assert http.post("/_sandbox/import", key=other, json=exported).status == 200
    assert profile_of(http, key=other) == (OCTOBER, "namespace")


def test_an_import_with_an_unknown_profile_is_refused(http):
    exported = http.get("/_sandbox/state").data
    exported["state"]["profile"] = {"name": "1999-01"}
    reply = http.post("/_sandbox/import", json=exported)
    assert reply.status == 400 and reply.body["message"].startswith("Imported state is not valid")
    assert profile_of(http) == (JUNE, "server")


def test_an_export_made_before_profiles_imports_as_the_default(http):
    exported = http.get("/_sandbox/state").data
    del exported["state"]["profile"], exported["profile"]
    exported["state"]["fixture"].pop("profile"), exported["state"]["fixture"].pop("profile_from")
    assert http.post("/_sandbox/import", json=exported).status == 200
    assert profile_of(http) == (JUNE, "server")


def test_healthz_names_the_servers_profile(http):
    data = http.get("/healthz", key=None).data
    assert (data["profile"], data["profiles"]) == (JUNE, [JUNE, OCTOBER])


# -- the server's default and the fixture file's -------------------------------------------------------


def _client(config):
    app = create_app(config)
    return app, app.test_client()


def _get_profile(client, key=KEY):
    return client.get("/_sandbox/profile", headers={"Authorization": f"Bearer {key}"}).get_json()["data"]


def test_the_server_default_applies_to_every_namespace():
    app, client = _client(make_config(profile=OCTOBER))
    try:
        assert (_get_profile(client)["profile"], _get_profile(client)["source"]) == (OCTOBER, "server")
        assert client.get("/healthz").get_json()["data"]["profile"] == OCTOBER
    finally:
        app.close()


def _fixture_dir(tmp_path, profile):
    default = json.loads((DEFAULT_DIR / "default.json").read_text())
    default["profile"] = profile
    (tmp_path / "default.json").write_text(json.dumps(default))
    return str(tmp_path)


def test_precedence_namespace_over_fixture_over_server(tmp_path):
    app, client = _client(make_config(profile=JUNE, fixtures=_fixture_dir(tmp_path, OCTOBER)))
    auth = {"Authorization": f"Bearer {KEY}"}
    try:
        assert (_get_profile(client)["profile"], _get_profile(client)["source"]) == (OCTOBER, "fixture")
        client.put("/_sandbox/profile", headers=auth, json={"profile": JUNE})
        assert (_get_profile(client)["profile"], _get_profile(client)["source"]) == (JUNE, "namespace")
        client.put("/_sandbox/profile", headers=auth, json={"profile": None})
        assert _get_profile(client)["source"] == "fixture"
    finally:
        app.close()


def test_a_fixture_file_with_an_unknown_profile_stops_start_up(tmp_path):
    from sandbox.controlplane.fixture_sets import FixtureError

    with pytest.raises(FixtureError, match=r'default.json: "profile" must be one of \[2026-06, 2026-10\]'):
        create_app(make_config(fixtures=_fixture_dir(tmp_path, "2027-01")))


@pytest.mark.parametrize("env, message", [
    ({"SANDBOX_PROFILE": "2026-07"}, "profile must be one of 2026-06, 2026-10, got '2026-07'"),
])
def test_the_server_profile_must_be_known(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_the_profile_survives_the_worker_environment():
    config = Config(profile=OCTOBER)
    assert Config.from_env(config.to_env()).profile == OCTOBER


@pytest.mark.parametrize("profile", profiles.PROFILES)
def test_every_shipped_fixture_set_replays_under_every_profile(profile):
    """Fixture sets are replayed under the namespace's profile, so each must work under both."""
    app = create_app(make_config(profile=profile))
    try:
        sandbox = app.extensions["sandbox"]
        for name in sandbox.fixture_sets:
            ns = sandbox.store.reset(f"sk_test_{name}", fixtures=name)
            with ns.lock:
                assert profiles.current(ns) == profile
    finally:
        app.close()


def test_a_reset_replays_the_set_under_the_kept_profile(http):
    """`claimable-standard` moves the clock past the claim window of the profile it is replayed
    under: claiming right after the reset works under both."""
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    parties = http.post("/_sandbox/reset", json={"fixtures": "claimable-standard"}).data
    assert profile_of(http) == (OCTOBER, "namespace")
    escrow = parties["values"]["escrow"]
    seller = parties["customers"][0]["id"]
    reply = http.get(f"/v1/escrow/claim-funds/{escrow['paymentToken']}", customer=seller)
    assert reply.status == 200, reply.body


# -- routes a later profile introduced ----------------------------------------------------------------


def _app_with_a_later_route():
    bp = Blueprint("later_only", __name__)

    @bp.get("/v1/later-only")
    @doc(Tag.HEALTH, "A route of the October profile only", message="OK")
    @introduced(OCTOBER)
    def later_only():
        return envelope(200, "OK", {})

    app = create_app(make_config())
    app.register_blueprint(bp)
    return app


def test_a_later_route_is_404_in_an_earlier_profile_and_left_out_of_its_document():
    app = _app_with_a_later_route()
    client, auth = app.test_client(), {"Authorization": f"Bearer {KEY}"}
    try:
        assert client.get("/v1/later-only", headers=auth).get_json() == {
            "status": 404, "message": "Route not found", "data": {}}
        client.put("/_sandbox/profile", headers=auth, json={"profile": OCTOBER})
        assert client.get("/v1/later-only", headers=auth).status_code == 200
        assert "GET /v1/later-only" not in openapi.routes(app, JUNE)
        assert "GET /v1/later-only" in openapi.routes(app, OCTOBER)
        assert openapi.undocumented(app, JUNE) == openapi.undocumented(app, OCTOBER) == []
    finally:
        app.close()


def test_descriptions_name_known_profiles_only():
    with pytest.raises(ValueError, match="unknown API profile '2026-13'"):
        doc(Tag.HEALTH, "x", profile="2026-13")
    with pytest.raises(ValueError, match="unknown profile"):
        introduced("2025-01")


# -- one document per profile --------------------------------------------------------------------------


def test_each_profile_has_its_document(http):
    june = http.get("/openapi.json", key=None).body
    october = http.get(f"/openapi.json?profile={OCTOBER}", key=None).body
    assert june["info"]["title"] == "payluk-sandbox"
    assert october["info"]["title"] == f"payluk-sandbox (profile {OCTOBER})"
    assert june == openapi.document(JUNE) and october == openapi.document(OCTOBER)
    reply = http.get("/openapi.json?profile=latest", key=None)
    assert (reply.status, reply.body["message"]) == (400, '"profile" must be one of [2026-06, 2026-10]')


def test_the_document_command_writes_one_profile(tmp_path, capsys):
    target = tmp_path / "doc.json"
    assert openapi.main(["--profile", OCTOBER, str(target)]) == 0
    assert json.loads(target.read_text()) == openapi.document(OCTOBER)
    assert f"profile {OCTOBER}" in capsys.readouterr().out


def test_a_provider_state_is_set_up_under_the_namespaces_profile(http):
    """A Pact provider state is a reset: it keeps the namespace's profile and replays the set
    under it (here the funded milestone escrow, paid at [B]'s 2 % fee)."""
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    reply = http.post("/_sandbox/provider-states", json={"state": "a funded milestone escrow with one milestone released exists"})
    assert reply.status == 200, reply.body
    token = reply.data["values"]["milestone"]["paymentToken"]
    escrow = http.get(f"/v1/escrow/verify/{token}").data
    assert (escrow["fee"], escrow["maxDelivery"], escrow["status"]) == (20000, 60, "ONGOING")
    assert profile_of(http) == (OCTOBER, "namespace")
