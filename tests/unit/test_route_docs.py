"""Route descriptions on the views (sandbox/api/documented.py) and how the OpenAPI builder reads
them: no wrapper on the view, one description per rule, and a variant per API profile, picked for
its profile only (on a throwaway app, not the sandbox's)."""

import subprocess
import sys

import pytest
from flask import Flask

from sandbox.api.documented import DEFAULT_PROFILE, Tag, doc, resolve, variant
from sandbox.docs import openapi
from sandbox.schemas import answers as out
from sandbox.schemas import control as ctl

LATER = "2026-10"


def tiny_app() -> Flask:
    app = Flask("tiny", static_folder=None)

    @app.get("/v1/things")
    @doc(Tag.ESCROWS, "Things", data=out.IdSchema, message="Things fetched successfully")
    @doc(Tag.ESCROWS, "Things, as a list", data=out.IdSchema(many=True), message="Things fetched successfully",
         profile=LATER)
    def things():
        return "things"

    @app.post("/v1/snapshots")
    @variant(LATER, summary="Save a snapshot (renamed)", status=201)
    @doc(Tag.CONTROLS, "Save a snapshot", data=out.SnapshotInfoSchema, message="Snapshot saved",
         body=ctl.SnapshotCreateSchema)
    def save():
        return "saved"

    @app.get("/v1/countries")
    @app.get("/v1/misc/countries")
    @doc(Tag.CATALOGUE, "Countries ([B] path)", data=out.IdSchema, message="Countries", rule="/v1/countries")
    @doc(Tag.CATALOGUE, "Countries ([A] path)", data=out.IdSchema, message="Countries", rule="/v1/misc/countries")
    def countries():
        return "countries"

    return app


def test_doc_returns_the_view_itself():
    def view():
        return "answer"

    assert doc(Tag.HEALTH, "A view")(view) is view
    assert view() == "answer"


def test_the_default_is_used_without_a_variant():
    routes = openapi.routes(tiny_app(), DEFAULT_PROFILE)
    assert routes["GET /v1/things"].summary == "Things"
    assert routes["POST /v1/snapshots"].summary == "Save a snapshot"
    assert routes["POST /v1/snapshots"].status == 200
    assert routes["GET /v1/countries"].summary == "Countries ([B] path)"
    assert routes["GET /v1/misc/countries"].summary == "Countries ([A] path)"


def test_a_variant_is_picked_for_its_profile():
    routes = openapi.routes(tiny_app(), LATER)
    assert routes["GET /v1/things"].summary == "Things, as a list"  # a whole variant
    later = routes["POST /v1/snapshots"]  # changes to the default
    assert (later.summary, later.status, later.message) == ("Save a snapshot (renamed)", 201, "Snapshot saved")
    assert later.body is ctl.SnapshotCreateSchema
    assert routes["GET /v1/countries"].summary == "Countries ([B] path)"  # no variant: the default
    assert openapi.routes(tiny_app(), "2027-01")["GET /v1/things"].summary == "Things"


def test_the_document_of_a_profile_uses_its_variants():
    default = openapi.build(tiny_app())
    later = openapi.build(tiny_app(), LATER)
    things, later_things = default["paths"]["/v1/things"]["get"], later["paths"]["/v1/things"]["get"]
    assert (things["summary"], later_things["summary"]) == ("Things", "Things, as a list")

    def data(operation, status):
        return operation["responses"][status]["content"]["application/json"]["schema"]["properties"]["data"]

    assert data(things, "200") == {"$ref": "#/components/schemas/Id"}
    assert data(later_things, "200") == {"type": "array", "items": {"$ref": "#/components/schemas/Id"}}
    assert "200" in default["paths"]["/v1/snapshots"]["post"]["responses"]
    assert "201" in later["paths"]["/v1/snapshots"]["post"]["responses"]


def test_undocumented_routes_are_listed():
    app = tiny_app()
    app.add_url_rule("/v1/bare", "bare", lambda: "")
    assert openapi.undocumented(app) == ["GET /v1/bare"]
    assert "GET /v1/bare" not in openapi.routes(app)


def test_mistakes_are_refused():
    def view():
        return ""

    doc(Tag.HEALTH, "One")(view)
    with pytest.raises(ValueError):
        doc(Tag.HEALTH, "Two")(view)  # a second default for the same rule and method
    with pytest.raises(TypeError):
        variant(LATER, summery="typo")
    orphan = variant(LATER, summary="no default")(lambda: "")
    with pytest.raises(LookupError):
        resolve(orphan, "/x", "GET", LATER)
    assert resolve(orphan, "/x", "GET", DEFAULT_PROFILE) is None


def test_the_app_does_not_load_the_builder():
    """Views import the decorator, not apispec: the builder loads on the first GET /openapi.json."""
    code = ("import sys; from sandbox import create_app; from sandbox.server.config import Config; "
            "app = create_app(Config()); app.close(); "
            "assert not {'apispec', 'sandbox.docs.openapi'} & set(sys.modules), sorted(sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
