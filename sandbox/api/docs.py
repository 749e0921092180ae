"""The API's own description: `GET /openapi.json` (generated from the marshmallow schemas by
sandbox/docs/openapi.py, built once per process) and `GET /docs`, Swagger UI from flask-swagger-ui
with every asset served by the sandbox itself (works offline, no CDN)."""

from flask import Blueprint, current_app
from flask_swagger_ui import get_swaggerui_blueprint

from sandbox.docs import openapi
from sandbox.api.auth import public

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


@bp.get(SPEC_PATH)
@public
def openapi_json():
    return current_app.response_class(openapi.document_json(), mimetype="application/json")


@bp.get(DOCS_PATH)
@public
def docs_page():
    """`/docs` itself (no redirect to `/docs/`): the Swagger UI page."""
    return current_app.view_functions["docs.swagger_ui.show"]()
