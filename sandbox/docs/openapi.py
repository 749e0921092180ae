"""The OpenAPI 3.1 document of the sandbox, generated from the marshmallow schemas (apispec).

Each route carries its own description: `@doc(...)` on its view function (sandbox/api/documented.py)
gives the tag, summary, the schema of `data` in the success envelope, the body (JSON, or multipart
with file parts), query, the `customer-id` header rule and the route's own error messages. This
module walks the app's url_map, reads each endpoint's description for the API profile asked for,
and derives everything else (sandbox/docs/derived.py): path parameters from the rule,
validation-error examples by loading the real schemas, the common errors (authentication, control
token, `customer-id`, malformed JSON, 413, 500, scenario faults) from the code that raises them.
A contract test fails when a route of the url_map carries no description.

`python -m sandbox.docs.openapi [FILE]` (or `make openapi`) writes the document (`openapi.json`).
"""

import argparse
import copy
import json
import sys
from contextlib import contextmanager

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from sandbox import __version__
from sandbox.api.documented import DEFAULT_PROFILE, HTML, TAGS, OneOf, Op, Page, exists_in, resolve
from sandbox.controlplane import faults
from sandbox.controlplane import ratelimit
from sandbox.docs.derived import (
    OBJECT_ID, PATH_PARAMETER_SCHEMAS, RULE_PARAMETER, error_list, openapi_path, parameter_name, reads_json,
    sandbox_field_properties, schema_instance, schema_name, slug,
)
from sandbox.domain import errors as E
from sandbox.domain.profiles import DOCS as PROFILE_DOCS, PROFILES
from sandbox.schemas import answers as out

# Browser pages for people (sandbox/console), not part of the API the document describes.
CONSOLE_PREFIX = "/_sandbox/console"


# -- the routes ----------------------------------------------------------------------------------------


def route_key(method: str, rule: str) -> str:
    return f"{method} {rule}"


def _endpoints(app):
    """(rule, method) of every route of an app's url_map the document covers: HEAD and automatic
    OPTIONS left out, the console's pages too."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(CONSOLE_PREFIX):
            continue
        methods = set(rule.methods) - {"HEAD"}
        if methods != {"OPTIONS"}:
            methods.discard("OPTIONS")
        for method in sorted(methods):
            yield rule, method


def url_map_routes(app, profile: str = DEFAULT_PROFILE) -> set:
    """The `"METHOD /rule"` keys of an app's url_map that exist in an API profile (HEAD and
    automatic OPTIONS left out)."""
    return {route_key(method, rule.rule) for rule, method in _endpoints(app) if _in_profile(app, rule, profile)}


def _describe(app, rule, method, profile) -> Op | None:
    return resolve(app.view_functions[rule.endpoint], rule.rule, method, profile, rule.endpoint)


def _in_profile(app, rule, profile) -> bool:
    return exists_in(app.view_functions[rule.endpoint], profile)


def routes(app=None, profile: str = DEFAULT_PROFILE) -> dict:
    """`{"METHOD /rule": Op}`: the description of every documented route of an app (by default
    the sandbox's own) in an API profile, in url_map order."""
    if app is None:
        with _sandbox_app() as app:
            return routes(app, profile)
    return {route_key(method, rule.rule): op for rule, method in _endpoints(app)
            if _in_profile(app, rule, profile) and (op := _describe(app, rule, method, profile)) is not None}


def undocumented(app, profile: str = DEFAULT_PROFILE) -> list:
    """The routes of an app's url_map that carry no description (the contract test wants none)."""
    return sorted(route_key(method, rule.rule) for rule, method in _endpoints(app)
                  if _in_profile(app, rule, profile) and _describe(app, rule, method, profile) is None)


@contextmanager
def _sandbox_app():
    """The sandbox's own app (default settings: its routes do not depend on them), closed after use."""
    from sandbox.app import create_app  # only when no app is given; sandbox.app imports every view
    from sandbox.server.config import Config

    app = create_app(Config())
    try:
        yield app
    finally:
        app.close()


# -- building ------------------------------------------------------------------------------------------


class Builder:
    """The document of `routes` (`{"METHOD /rule": Op}`, as `routes()` gives them)."""

    def __init__(self, routes: dict, profile: str = DEFAULT_PROFILE):
        self.routes = routes
        self.profile = profile
        self.plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
        about = ("A stateful, deterministic sandbox of the Payluk escrow API (docs.payluk.ng). "
                 "Every answer is Payluk's envelope `{status, message, data}`; amounts are whole "
                 "naira; ids are 24-hex. /_sandbox routes are the sandbox's own controls.")
        if profile != DEFAULT_PROFILE:
            about += f" API profile {profile}: {PROFILE_DOCS[profile]} (amounts to 2 decimals)."
        self.spec = APISpec(
            title="payluk-sandbox" if profile == DEFAULT_PROFILE else f"payluk-sandbox (profile {profile})",
            version=__version__,
            openapi_version="3.1.0",
            plugins=[self.plugin],
            info={"description": about},
            servers=[{"url": "/", "description": "this sandbox"}],
            tags=TAGS,
            security=[{"bearerAuth": []}],
        )
        self.plugin.converter.add_attribute_function(sandbox_field_properties)
        self.spec.components.security_scheme("bearerAuth", {
            "type": "http", "scheme": "bearer", "bearerFormat": "sk_test_…",
            "description": "A test secret key `sk_test_…` (each key is its own namespace; `sk_test_limited_…` "
                           "is a merchant without super-admin rights)."})
        self.spec.components.security_scheme("controlToken", {
            "type": "apiKey", "in": "header", "name": "X-Sandbox-Token",
            "description": "Needed on /_sandbox routes when the sandbox runs with a control token."})
        self.spec.components.security_scheme("keyInUrl", {
            "type": "apiKey", "in": "query", "name": "key",
            "description": "The secret key in the URL, for the one route that reads it there (Pact's "
                           "state-change URL, for verifiers that send no headers to it); with an `Authorization` "
                           "header as well, both must name the same key."})
        self.spec.components.security_scheme("controlTokenInUrl", {
            "type": "apiKey", "in": "query", "name": "token",
            "description": "The control token in the URL, where `keyInUrl` is accepted."})
        self.spec.components.schema("ErrorEnvelope", schema=out.ErrorEnvelopeSchema)
        self.spec.components.schema("RateLimited", schema=out.RateLimitedSchema)
        self.examples = {}  # (status, message) -> component name
        self.response_refs = []  # JSON schemas of success `data` (to mark their components strict)
        self.request_refs = []

    # -- pieces
    def example(self, status: int, message: str) -> str:
        """The name of the shared example of an error envelope (registered on first use)."""
        key = (status, message)
        if key not in self.examples:
            name = f"E{status}_{slug(message)}"
            while name in self.examples.values():
                name += "_"
            self.examples[key] = name
            self.spec.components.example(name, {"summary": message,
                                                "value": {"status": status, "message": message, "data": {}}})
        return self.examples[key]

    def ref(self, schema) -> dict:
        """`{$ref}` (or an array of refs for many=True) to a schema's component."""
        return self.plugin.converter.resolve_nested_schema(schema)

    def data_schema(self, data) -> dict:
        if isinstance(data, OneOf):
            return {"oneOf": [self.data_schema(choice) for choice in data.choices]}
        if isinstance(data, Page):  # a page of the webhook controls
            if data.name not in self.spec.components.schemas:
                self.spec.components.schema(data.name, {
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": self.ref(data.item)},
                                   "count": {"type": "integer"}, "dropped": {"type": "integer"}},
                })
            return {"$ref": f"#/components/schemas/{data.name}"}
        return self.ref(data)

    def envelope(self, data: dict, status: int, message, extra: dict | None = None) -> dict:
        """The success envelope `{status, message, data}` around a `data` JSON schema."""
        messages = [message] if isinstance(message, str) else list(message)
        properties = {
            "status": {"type": "integer", "const": status},
            "message": {"type": "string", "enum": messages} if len(messages) > 1
            else {"type": "string", "const": messages[0]},
            "data": data,
            **(extra or {}),
        }
        return {"type": "object", "required": list(properties), "properties": properties,
                "additionalProperties": False}

    def error_responses(self, key: str, op: Op) -> dict:
        by_status = {}
        for status, message in error_list(key, op, self.profile):
            by_status.setdefault(status, []).append(message)
        responses = {}
        for status, messages in sorted(by_status.items()):
            page = op.content == HTML and op.public and status != 500 or status in op.html_errors
            if page:
                responses[str(status)] = {
                    "description": "; ".join(messages) + " (rendered as an HTML page)",
                    "content": {HTML: {"schema": {"type": "string"}}},
                }
                continue
            examples = {}
            for message in messages:
                name = self.example(status, message)
                examples[name] = {"$ref": f"#/components/examples/{name}"}
            responses[str(status)] = {
                "description": "; ".join(messages),
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}, "examples": examples}},
            }
        rate_limited = op.rate_limited
        if rate_limited is None:
            rate_limited = key.split(" ", 1)[1].startswith("/v1/") and not op.public
        if rate_limited:
            headers = {"Retry-After": {"schema": {"type": "integer"}}}
            description = f"{E.TOO_MANY_REQUEST} (scenario rate_limited: a body without `data`)"
            if self.profile >= ratelimit.SINCE:
                headers |= {"RateLimit-Policy": {"schema": {"type": "string"}, "description": "e.g. `10;w=60`"},
                            "RateLimit": {"schema": {"type": "string"},
                                          "description": "e.g. `limit=10, remaining=0, reset=42`"}}
                description = (f"{E.TOO_MANY_REQUEST}: the key's rate limit (off until PUT /_sandbox/rate-limit "
                               "switches it on), or scenario rate_limited; a body without `data`")
            responses["429"] = {
                "description": description,
                "headers": headers,
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/RateLimited"},
                    "example": {"status": 429, "message": E.TOO_MANY_REQUEST}}},
            }
        return responses

    def links(self, op: Op) -> dict:
        """OpenAPI links for stateful testing: create -> pay -> confirm."""
        return {name: dict(link) for name, link in op.links.items()}

    def success_response(self, key: str, op: Op) -> dict:
        if op.status == 204:
            return {"description": "No content (CORS preflight)", "headers": {
                "Access-Control-Allow-Methods": {"schema": {"type": "string"}},
                "Access-Control-Allow-Headers": {"schema": {"type": "string"}}}}
        if op.status == 303:
            return {"description": "Redirect to the session's redirectUrl", "headers": {
                "Location": {"schema": {"type": "string", "format": "uri"}}}}
        if op.data is None:
            if op.schema is None or isinstance(op.schema, dict):
                schema = {"type": "string"} if op.schema is None else copy.deepcopy(op.schema)
            else:  # a marshmallow schema: an answer outside the envelope (the Pact state change's)
                schema = self.ref(op.schema)
            return {"description": op.summary, "content": {op.content: {"schema": schema}}}
        data = self.data_schema(op.data)
        self.response_refs.append(data)
        extra = {name: self.ref(schema) for name, schema in op.envelope.items()} or None
        return {"description": op.summary, "content": {"application/json": {
            "schema": self.envelope(data, op.status, op.message, extra)}}}

    def request_body(self, op: Op) -> dict | None:
        if op.body is None:
            return None
        instance = schema_instance(op.body)
        required = any(f.required for f in instance.fields.values()) and not instance.partial
        if not reads_json(op):  # an HTML form
            return {"required": required, "content": {"application/x-www-form-urlencoded": {
                "schema": self.plugin.converter.schema2jsonschema(instance)}}}
        ref = self.ref(op.body)
        self.request_refs.append(ref)
        content = {"application/json": {"schema": ref}}
        if op.files:
            form = copy.deepcopy(self.plugin.converter.schema2jsonschema(instance))
            form.pop("additionalProperties", None)
            for name, count in op.files.items():
                part = {"type": "string", "contentMediaType": "application/octet-stream"}
                text = form["properties"].get(name)
                if count == "many":
                    part = {"type": "array", "items": part}
                form["properties"][name] = part if text is None else {"oneOf": [part, {"type": "string"}],
                                                                      "description": "file part(s), or URL text"}
            form["additionalProperties"] = False
            content["multipart/form-data"] = {"schema": form}
        return {"required": required, "content": content}

    def parameters(self, key: str, op: Op) -> list:
        method, rule = key.split(" ", 1)
        params = []
        for converter, name in RULE_PARAMETER.findall(rule):
            wire = parameter_name(rule, name)
            schema = PATH_PARAMETER_SCHEMAS.get(wire, {"type": "string"})
            params.append({"in": "path", "name": wire, "required": True, "schema": dict(schema)})
        if op.query is not None:
            params.append({"in": "query", "schema": op.query})
        if op.customer == "required":
            params.append({"in": "header", "name": "customer-id", "required": True,
                           "description": "The merchant customer the request acts for", "schema": dict(OBJECT_ID)})
        elif op.customer == "optional":
            # Not a pattern: an empty header is no header (as Express reads it), and so is one the
            # HTTP server cannot decode (granian drops a value with non-ASCII bytes); any other
            # value must name a customer (404 otherwise).
            params.append({"in": "header", "name": "customer-id", "required": False,
                           "description": "The merchant customer the request acts for (a 24-hex id); empty or "
                                          "absent: none",
                           "schema": {"type": "string"}})
        if rule.startswith("/v1/") and method != "OPTIONS":
            params.append({"in": "header", "name": faults.HEADER, "required": False,
                           "description": f"Sandbox fault injection: {faults.HEADER_SYNTAX} "
                                          "(see GET /_sandbox/scenarios)",
                           "schema": {"type": "string"}})
        return params

    def operation(self, key: str, op: Op) -> dict:
        method, rule = key.split(" ", 1)
        operation = {
            "tags": [op.tag],
            "summary": op.summary,
            "operationId": slug(f"{method.lower()} {openapi_path(rule)}") + ("_index" if rule.endswith("/") else ""),
            "parameters": self.parameters(key, op),
            "responses": {str(op.status): self.success_response(key, op), **self.error_responses(key, op)},
        }
        links = self.links(op)
        if links:
            operation["responses"][str(op.status)]["links"] = links
        notes = [op.description] if op.description else []
        if op.customer == "absent":
            notes.append(f"Send no `customer-id` header: it is refused with 400 `{E.CUSTOMER_ID_NOT_ALLOWED}`.")
        if notes:
            operation["description"] = " ".join(notes)
        body = self.request_body(op)
        if body is not None:
            operation["requestBody"] = body
        if op.public:
            operation["security"] = []
        elif rule.startswith("/_sandbox"):
            keys, tokens = ["bearerAuth"], ["controlToken"]
            if op.url_credentials:
                keys, tokens = keys + ["keyInUrl"], tokens + ["controlTokenInUrl"]
            operation["security"] = ([{key: []} for key in keys]
                                     + [{key: [], token: []} for key in keys for token in tokens])
        return operation

    def build(self) -> dict:
        paths = {}
        for key, op in self.routes.items():
            method, rule = key.split(" ", 1)
            paths.setdefault(openapi_path(rule), {})[method.lower()] = self.operation(key, op)
        for path in sorted(paths):
            self.spec.path(path=path, operations=paths[path])
        document = self.spec.to_dict()
        self._strict_responses(document)
        return document

    def _strict_responses(self, document: dict) -> None:
        """Components only ever answered (never sent) refuse keys they do not list, so an answer
        that grows a field the schemas do not describe fails the contract test."""
        schemas = document["components"]["schemas"]
        request_side = _reachable(self.request_refs, schemas)
        for name in _reachable(self.response_refs, schemas) - request_side:
            component = schemas[name]
            if component.get("type") == "object" and "additionalProperties" not in component:
                component["additionalProperties"] = False


def _reachable(roots: list, schemas: dict) -> set:
    """Names of the components reachable from `roots` through `$ref`s."""
    seen, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen.add(name)
                    stack.append(schemas.get(name, {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


def build(app=None, profile: str = DEFAULT_PROFILE) -> dict:
    """The OpenAPI document of an app's routes (by default the sandbox's own) in an API profile."""
    return Builder(routes(app, profile), profile).build()


_DOCUMENTS = {}  # profile -> the document's JSON text


def document_json(profile: str = DEFAULT_PROFILE, app=None) -> str:
    """The document as committed in openapi.json, built once per process and profile (from the
    routes of `app` when given: the serving app passes itself; they are the sandbox's own)."""
    text = _DOCUMENTS.get(profile)
    if text is None:
        text = _DOCUMENTS.setdefault(profile, render(build(app, profile)))
    return text


def document(profile: str = DEFAULT_PROFILE) -> dict:
    """The OpenAPI document (a fresh copy; built once per process)."""
    return json.loads(document_json(profile))


def render(doc: dict) -> str:
    """The committed form: sorted keys, indent 2, a trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def committed_path(profile: str) -> str:
    """Where the document of a profile is committed: openapi.json for the default profile,
    openapi-<profile>.json for the others."""
    return "openapi.json" if profile == DEFAULT_PROFILE else f"openapi-{profile}.json"


def main(argv=None) -> int:
    """`python -m sandbox.docs.openapi`: write every profile's committed document (in the current
    directory); `--profile P [FILE|-]`: one profile's document, to FILE or stdout."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.docs.openapi", description=main.__doc__)
    parser.add_argument("--profile", choices=PROFILES, help="one API profile's document only")
    parser.add_argument("target", nargs="?", help="file to write (- for stdout; default: the committed name)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.profile is None and args.target is not None:
        parser.error("a target needs --profile (without it every profile's committed document is written)")
    for profile in [args.profile] if args.profile else PROFILES:
        target = args.target or committed_path(profile)
        text = document_json(profile)
        if target == "-":
            sys.stdout.write(text)
            continue
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
        count = sum(len(operations) for operations in json.loads(text)["paths"].values())
        print(f"wrote {target} ({count} routes, profile {profile})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
