"""The API's own description: `GET /openapi.json` (generated from the marshmallow schemas and the
routes' `@doc` descriptions by sandbox/docs/openapi.py, built once per process on first request)
and `GET /docs`, Swagger UI from flask-swagger-ui with every asset served by the sandbox itself
(works offline, no CDN)."""

from flask import Blueprint, current_app, request
from flask_swagger_ui import get_swaggerui_blueprint

from sandbox.api.auth import public
from sandbox.api.documented import HTML, OCTET_STREAM, Tag, doc, document_endpoint
from sandbox.domain import errors as E
from sandbox.schemas import control as ctl
from sandbox.schemas.base import load

DOCS_PATH = "/docs"
SPEC_PATH = "/openapi.json"

bp = Blueprint("docs", __name__)

# flask-swagger-ui's blueprint: `/docs/` (the page) and `/docs/<path>` (its bundled assets).
swagger_ui = get_swaggerui_blueprint(DOCS_PATH, SPEC_PATH, config={
    "app_name": "payluk-sandbox API",
    "validatorUrl": None,  # no call to swagger.io's online validator
    "persistAuthorization": True,
})


def _make_public(state) -> None:
    """Once registered, its view answers without a secret key, like the page it serves."""
    for endpoint, view in state.app.view_functions.items():
        if endpoint.endswith("swagger_ui.show"):
            public(view)


swagger_ui.record(_make_public)
bp.register_blueprint(swagger_ui)

# The routes whose views the sandbox does not write: flask-swagger-ui's page and assets, and
# Flask's own static route (the sandbox ships no static files).
document_endpoint(
    "docs.swagger_ui.show",
    doc(Tag.HEALTH, "Swagger UI for this document (flask-swagger-ui's own path)", public=True, content=HTML,
        rule="/docs/"),
    doc(Tag.HEALTH, "Swagger UI assets (shipped with flask-swagger-ui)", public=True, content=OCTET_STREAM,
        errors=((404, E.ROUTE_NOT_FOUND),), rule="/docs/<path:path>"),
)
document_endpoint("static", doc(Tag.HEALTH, "Flask's static files: the sandbox ships none (404)", content=OCTET_STREAM,
                                errors=((404, E.ROUTE_NOT_FOUND),)))


@bp.get(SPEC_PATH)
@doc(Tag.HEALTH, "This OpenAPI document, of the default API profile or of `?profile=`", public=True,
     query=ctl.ProfileQuerySchema, schema={"type": "object", "required": ["openapi", "paths"]})
@public
def openapi_json():
    from sandbox.docs import openapi  # the builder (and apispec) load on first use, not at start-up

    profile = load(ctl.PROFILE_QUERY, request.args.to_dict())["profile"]
    return current_app.response_class(openapi.document_json(profile, app=current_app), mimetype="application/json")


@bp.get(DOCS_PATH)
@doc(Tag.HEALTH, "Swagger UI for this document (assets served locally)", public=True, content=HTML)
@public
def docs_page():
    """`/docs` itself (no redirect to `/docs/`): the Swagger UI page."""
    return current_app.view_functions["docs.swagger_ui.show"]()
