"""A sandbox listening beyond loopback (a container, a shared host) must not be wiped by anyone
who can reach it (issue 21): the controls that destroy other keys' namespaces — a reset of
every namespace, a fork that replaces another key's — need the control token there, and are
refused with a 403 saying how to set one when none is configured. On loopback, and for a fork
into a new key, nothing changes."""

import pytest

from sandbox import create_app
from sandbox.domain import errors as E
from tests.conftest import InProcessHttp, make_config

OTHER = "sk_test_other_team"


@pytest.fixture
def exposed():
    app = create_app(make_config(host="0.0.0.0"))
    yield InProcessHttp(app)
    app.close()


@pytest.fixture
def guarded_exposed():
    app = create_app(make_config(host="0.0.0.0", control_token="s3cret"))
    yield InProcessHttp(app)
    app.close()


def refused(reply):
    assert (reply.status, reply.body) == (403, {"status": 403, "message": E.CONTROL_TOKEN_NEEDED, "data": {}})


def test_reset_of_every_namespace_needs_a_token_beyond_loopback(exposed):
    assert exposed.get("/v1/customers", key=OTHER).status == 200  # another team's namespace exists
    refused(exposed.post("/_sandbox/reset?all=true"))
    assert OTHER in exposed.app.extensions["sandbox"].store.keys()
    assert exposed.post("/_sandbox/reset").status == 200  # one's own namespace: open


def test_a_fork_replacing_another_key_needs_a_token_beyond_loopback(exposed):
    assert exposed.post("/_sandbox/fork", json={"key": "sk_test_brand_new"}).status == 201
    assert exposed.get("/v1/customers", key=OTHER).status == 200
    refused(exposed.post("/_sandbox/fork", json={"key": OTHER, "replace": True}))
    reply = exposed.post("/_sandbox/fork", json={"key": OTHER})
    assert (reply.status, reply.body["message"]) == (400, E.FORK_TARGET_TAKEN)


def test_with_a_token_they_work_beyond_loopback(guarded_exposed):
    http = guarded_exposed
    token = {"X-Sandbox-Token": "s3cret"}
    assert http.get("/v1/customers", key=OTHER).status == 200
    assert http.post("/_sandbox/fork", json={"key": OTHER, "replace": True}, headers=token).status == 201
    assert http.post("/_sandbox/reset?all=true", headers=token).status == 200
    reply = http.post("/_sandbox/reset?all=true")
    assert (reply.status, reply.body["message"]) == (401, E.CONTROL_TOKEN_REQUIRED)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_on_loopback_nothing_changes(host):
    app = create_app(make_config(host=host))
    http = InProcessHttp(app)
    try:
        assert http.get("/v1/customers", key=OTHER).status == 200
        assert http.post("/_sandbox/fork", json={"key": OTHER, "replace": True}).status == 201
        assert http.post("/_sandbox/reset?all=true").status == 200
    finally:
        app.close()
