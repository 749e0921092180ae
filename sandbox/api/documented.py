"""Route documentation that lives on the route: `@doc(...)` on a view function says how the
OpenAPI document describes it — tag, summary, the schema of `data` in the success envelope,
the status and message(s), the body (JSON, or multipart with file parts), query, the
`customer-id` header rule and the route's own error messages. sandbox/docs/openapi.py walks the
app's url_map, reads each endpoint's description and derives the rest (path parameters,
validation examples, the errors common to every route); a contract test fails for a route that
carries none.

    @bp.post("/v1/escrow/create")
    @doc(Tag.ESCROWS, "Create a standard escrow (the seller is the customer-id)", data=esc.EscrowSchema,
         status=201, message="Created successfully", body=esc.EscrowCreateSchema,
         files={"imageUrl": "many"}, customer="required", errors=((400, E.TOO_MANY_IMAGES),))
    def create_escrow(): ...

`doc` only attaches the description to the function and returns that same function (no
wrapper: the view runs exactly as written). This module imports neither apispec nor the
builder, so importing views costs nothing for the document.

One function serving several rules (e.g. an [A] and a [B] path) carries one `doc` per rule,
each with `rule=` (the rule as the url_map spells it); `method=` likewise picks one method.
Views the sandbox does not write (Flask's static route, flask-swagger-ui's page) are described
by endpoint name with `document_endpoint` (in sandbox/api/docs.py).

API profiles: a route's plain `doc` is its default, used by every profile. A profile can have
its own variant, either a whole description (`@doc(..., profile="2026-10")`) or changes to the
default (`@variant("2026-10", summary=..., data=...)`), stacked beside the default. The builder,
asked for a profile, uses the route's variant for it when there is one, else the default. A
route Payluk added in a later profile is marked `@introduced("2026-10")`: earlier profiles answer
it 404 as an unknown route (sandbox/api/auth.py) and their documents leave it out.
"""

import functools
import re
from dataclasses import dataclass, field, fields, replace
from types import SimpleNamespace

from sandbox.domain import errors as E
from sandbox.domain import profiles

DEFAULT_PROFILE = profiles.DEFAULT

# -- tags ------------------------------------------------------------------------------------------


class Tag:
    """The document's tags (a namespace: views have schema instances called CUSTOMERS, MILESTONES)."""

    ESCROWS = "Escrows"
    MILESTONES = "Milestone escrows"
    DISPUTES = "Disputes"
    CUSTOMERS = "Customers"
    PAYMENTS = "Payments"
    CATALOGUE = "Catalogue"
    CHECKOUT = "Checkout"
    CONTROLS = "Sandbox controls"
    HEALTH = "Health"


TAGS = [
    {"name": Tag.ESCROWS, "description": "Standard escrows: create, edit, fund, confirm, claim, lists."},
    {"name": Tag.MILESTONES, "description": "Escrows released milestone by milestone."},
    {"name": Tag.DISPUTES, "description": "Disputes on standard escrows and their resolution."},
    {"name": Tag.CUSTOMERS, "description": "Merchant customers and their wallets (super-admin keys)."},
    {"name": Tag.PAYMENTS, "description": "Funding escrows, payment intents, top-ups, history."},
    {"name": Tag.CATALOGUE, "description": "Escrow categories, countries, saved cards, crypto whitelist."},
    {"name": Tag.CHECKOUT, "description": "Hosted checkout: the SDK's session routes and the sandbox pages."},
    {"name": Tag.CONTROLS, "description": "Sandbox-only controls under /_sandbox (never in Payluk's API)."},
    {"name": Tag.HEALTH, "description": "Health checks and this document."},
]

# -- what many routes share --------------------------------------------------------------------------

ESCROW_NOT_FOUND = ((400, E.ESCROW_NOT_FOUND),)
NOT_ALLOWED = ((400, E.ACTION_NOT_ALLOWED),)
SUPER = ((401, E.ACCESS_DENIED),)
CATEGORY_NOT_FOUND = ((400, E.CATEGORY_NOT_FOUND),)
FEATURE = ((403, E.FEATURE_NOT_ENABLED),)
SNAPSHOT_NOT_FOUND = ((404, E.SNAPSHOT_NOT_FOUND),)
HTML = "text/html"
OCTET_STREAM = "application/octet-stream"

# [B] (payluk-api.md §1): any approved business key may call only the Escrow, Milestone-Escrow and
# Category routes -- /v1/escrow/... except the buyer's confirm-payment, the dispute routes, the
# additional fee and the vault; every other /v1 route (customers, wallet, merchant account,
# payments, cards, countries, whitelist...) needs a super-admin key. Matched on the url_map rule.
OPEN_TO_ANY_BUSINESS = re.compile(
    r"^/v1/escrow/(?!confirm-payment/|submit-dispute/|dispute/|all-dispute|additional-fee/|vault/)")


@functools.cache  # asked on every request; the url_map's rules are few
def super_admin_only(rule: str) -> bool:
    """Whether a keyed route needs a super-admin key in profile 2026-10 (callers leave out the
    public routes, which take no key: the hosted checkout's)."""
    return rule.startswith("/v1/") and not OPEN_TO_ANY_BUSINESS.match(rule)


# OpenAPI links, for stateful clients and fuzzers: a created escrow can be paid, a paid standard
# escrow confirmed. (A milestone confirm needs a milestone id, which the pay answer does not carry.)
PAY_CREATED = {"PayEscrow": {
    "operationId": "post_v1_payment_escrow",
    "description": "The buyer funds the escrow just created",
    "requestBody": {"gateway": "WALLET", "transactionType": "ESCROW",
                    "escrowDetails": {"escrowId": "$response.body#/data/id"}},
}}
CONFIRM_PAID = {"ConfirmPayment": {
    "operationId": "post_v1_escrow_confirm_payment_escrowId",
    "description": "The buyer confirms the standard escrow just funded",
    "parameters": {"path.escrowId": "$request.body#/escrowDetails/escrowId"},
}}


# -- descriptions ------------------------------------------------------------------------------------


class OneOf:
    """`data` is one of several shapes (e.g. an object, or an array for a batch)."""

    def __init__(self, *choices):
        self.choices = choices


@dataclass(frozen=True)
class Page:
    """`data` is a page `{data: [item, ...], count, dropped}`, documented as the component `name`."""

    name: str
    item: object


@dataclass(frozen=True)
class Op:
    """How one route is described. `data`: schema (class, or instance with many=True), OneOf,
    Page, or None for answers that are no JSON envelope (then `schema` is their JSON schema, or
    the marshmallow schema of a JSON answer; a string by default); `customer`: "required" |
    "optional" | "absent" | None (not read); `files`: multipart file parts (name -> "one" |
    "many"), which also makes the body multipart (JSON accepted too); `errors`: the route's own
    (status, message) pairs."""

    tag: str
    summary: str
    data: object = None
    status: int = 200
    message: object = None  # str, or a tuple of the messages the route can answer
    body: object = None
    files: dict = field(default_factory=dict)
    query: object = None
    customer: str | None = None
    errors: tuple = ()
    public: bool = False
    url_credentials: bool = False  # the key and control token may come in the query too (`?key=`, `?token=`)
    content: str = "application/json"  # the success media type
    json_body: bool = None  # reads a JSON body although `body` is None (defaults to bool(body))
    description: str = ""
    links: dict = field(default_factory=dict)  # OpenAPI links of the success answer
    envelope: dict = field(default_factory=dict)  # top-level members beside status/message/data -> schema
    html_errors: tuple = ()  # error statuses answered as an HTML page (a public page's are, always)
    rate_limited: bool = None  # documents the scenario 429 (defaults to: a keyed /v1 route)
    schema: object = None  # JSON schema (dict) or marshmallow schema of an answer without `data` (with `content`)


OP_FIELDS = frozenset(f.name for f in fields(Op))
ATTRIBUTE = "__route_docs__"


@dataclass(frozen=True)
class Described:
    """One description attached to a view: for a profile (None: the default), a rule and a method
    (None: any), either a whole `op` or `changes` to the default."""

    profile: str | None
    rule: str | None
    method: str | None
    op: Op | None = None
    changes: dict | None = None


def doc(tag: str, summary: str, *, rule: str | None = None, method: str | None = None,
        profile: str | None = None, **details):
    """Decorator: the route's description (`details` are the other fields of `Op`). With
    `profile`, a whole variant for that API profile only."""
    _known(profile)
    return _attach(Described(profile, rule, _method(method), op=Op(tag, summary, **details)))


def variant(profile: str, *, rule: str | None = None, method: str | None = None, **changes):
    """Decorator: the route's variant for an API profile, as changes to its default `doc`."""
    unknown = sorted(set(changes) - OP_FIELDS)
    if unknown:
        raise TypeError(f"variant: unknown description fields {unknown}")
    _known(profile)
    return _attach(Described(profile, rule, _method(method), changes=changes))


def document_endpoint(endpoint: str, *decorators) -> None:
    """Descriptions (`doc(...)`, `variant(...)`) of an endpoint whose view the sandbox does not
    write — Flask's static route, flask-swagger-ui's page — kept under the endpoint's name."""
    holder = FOREIGN.setdefault(endpoint, SimpleNamespace())
    for decorate in decorators:
        decorate(holder)


FOREIGN: dict = {}  # endpoint -> holder of its descriptions (document_endpoint)
INTRODUCED = "__introduced_in__"


def introduced(profile: str):
    """Decorator: the route exists from API profile `profile` on (earlier ones answer 404)."""
    if profile not in profiles.PROFILES:
        raise ValueError(f"introduced: unknown profile {profile!r}")

    def decorate(view):
        setattr(view, INTRODUCED, profile)
        return view

    return decorate


def exists_in(view, profile: str) -> bool:
    """Whether a route served by `view` exists in an API profile."""
    return profile >= getattr(view, INTRODUCED, profile)


def _known(profile: str | None) -> None:
    if profile is not None and profile not in profiles.PROFILES:
        raise ValueError(f"unknown API profile {profile!r} (one of {', '.join(profiles.PROFILES)})")


def _method(method: str | None) -> str | None:
    return method.upper() if method else None


def _attach(entry: Described):
    def decorate(view):
        entries = view.__dict__.setdefault(ATTRIBUTE, [])
        for other in entries:
            if (other.profile, other.rule, other.method) == (entry.profile, entry.rule, entry.method):
                raise ValueError(f"{getattr(view, '__qualname__', view)}: two descriptions for "
                                 f"profile={entry.profile} rule={entry.rule} method={entry.method}")
        entries.append(entry)
        return view

    return decorate


def descriptions(view, endpoint: str | None = None) -> list:
    """Every description attached to a view (or registered for its endpoint)."""
    found = getattr(view, ATTRIBUTE, None)
    if found is None and endpoint in FOREIGN:
        found = getattr(FOREIGN[endpoint], ATTRIBUTE, None)
    return list(found or ())


def resolve(view, rule: str, method: str, profile: str = DEFAULT_PROFILE, endpoint: str | None = None) -> Op | None:
    """The description of `method rule` served by `view` in an API profile: the route's variant
    for that profile if it has one, else its default; None when it carries none."""
    entries = descriptions(view, endpoint)

    def best(wanted):
        matching = [e for e in entries
                    if e.profile == wanted and e.rule in (None, rule) and e.method in (None, method)]
        return max(matching, key=lambda e: (e.rule is not None, e.method is not None), default=None)

    default = best(None)
    chosen = best(profile) if profile is not None else None
    if chosen is None:
        return default.op if default else None
    if chosen.op is not None:
        return chosen.op
    if default is None:
        raise LookupError(f"{method} {rule}: a variant for {profile} changes a default description it does not have")
    return replace(default.op, **chosen.changes)
