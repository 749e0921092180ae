"""One function per Payluk operation: check every precondition first, then mutate.

Each service takes the namespace repository `ns` (see `sandbox.store.memory.MemoryNamespace`),
reads "now" from its clock only, and either raises a `PaylukError` having changed nothing
or applies all of its changes (entities saved, ledger postings appended). The caller holds
the namespace lock around the call, which makes every operation atomic.

Inputs are plain dicts with Python names (`who_pays`, `max_delivery`...) as the schemas
load them; amounts arrive in whole naira and are kept in kobo from here on.
"""

import copy
from dataclasses import dataclass

from sandbox.domain import errors, ledger
from sandbox.domain import outbox
from sandbox.domain import escrow as lifecycle
from sandbox.domain.errors import ActionNotAllowed, BadRequest, NotFound
from sandbox.domain.escrow import MILESTONE, PENDING, RELEASED, STANDARD
from sandbox.domain.money import KOBO_PER_NAIRA, fee_for, fee_shares, is_positive_int, naira_to_kobo
from sandbox.clock import iso, parse_iso
from sandbox.ids import is_object_id

# Card/bank gateways are simulated as an instant, successful external charge.
WALLET = "WALLET"
EXTERNAL_GATEWAYS = ("PAYSTACK", "FLUTTERWAVE", "CARD")


@dataclass
class Page:
    """One page of a list plus what the pagination block needs."""

    items: list
    count: int
    page: int
    limit: int


def paginate(items: list, page: int, limit: int) -> Page:
    """Slice `items` for a 1-based `page` of `limit` rows; `count` is the total matching."""
    start = (page - 1) * limit
    return Page(items[start : start + limit], len(items), page, limit)


# -- customers ---------------------------------------------------------------------------


def require_customer(ns, customer_id) -> dict:
    """The customer a `customer-id` header names: unknown -> 404, blocked -> 401 ([B] messages)."""
    customer = ns.get("customers", customer_id) if is_object_id(customer_id) else None
    if customer is None:
        raise NotFound(errors.CUSTOMER_NOT_FOUND)
    if customer["status"] == "blocked":
        raise errors.Unauthorized(errors.ACCOUNT_DISABLED)
    return customer


def _require_permission(customer: dict, permission: str) -> None:
    """merchant-customers: `canSell: false` blocks selling, `canBuy: false` buying (401, the
    documented code for a disallowed action; Payluk gives no message, so `Access denied`)."""
    if not customer["permissions"][permission]:
        raise errors.Unauthorized(errors.ACCESS_DENIED)


def create_customer(ns, data: dict, customer_id: str | None = None) -> dict:
    """Onboard a merchant customer (role `merchant_user`); e-mails are unique per namespace."""
    email = data["email"].strip().lower()
    if ns.find("customers", lambda c: c["email"] == email):
        raise BadRequest(errors.CUSTOMER_EMAIL_TAKEN)
    if customer_id is not None and ns.get("customers", customer_id) is not None:
        raise BadRequest(f"Customer id {customer_id} is used twice")
    now = ns.now_ms()
    permissions = data.get("permissions") or {}
    customer = {
        "id": customer_id or ns.new_id(),
        "firstname": data["firstname"],
        "lastname": data["lastname"],
        "email": email,
        "phone": data["phone"],
        "country_id": data.get("country_id"),
        "bvn": data.get("bvn"),
        "dob": data.get("dob"),
        "status": "active",
        "blocked_reason": None,
        "blocked_at_ms": None,
        "role": "merchant_user",
        "permissions": {
            "can_buy": permissions.get("can_buy", True),
            "can_sell": permissions.get("can_sell", True),
            "can_withdraw": permissions.get("can_withdraw", True),
        },
        "created_at_ms": now,
        "updated_at_ms": now,
    }
    ns.save("customers", customer)
    return customer


def _national_number(phone: str) -> str:
    """A Nigerian phone without `+`, `234` or the trunk `0`, so 0803…, 234803… and +234803… match."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("234") and len(digits) > 10:
        digits = digits[3:]
    return digits.lstrip("0")


def list_customers(ns, page: int, limit: int, email=None, phone=None) -> Page:
    """Customers in creation order; `email` / `phone` look one up ([B]), 400 when none matches."""
    customers = ns.all("customers")
    if email is not None:
        customers = [c for c in customers if c["email"] == email.strip().lower()]
        if not customers:
            raise BadRequest(errors.NO_CUSTOMER_WITH_EMAIL)
    if phone is not None:
        wanted = _national_number(phone)
        customers = [c for c in customers if wanted and _national_number(c["phone"]) == wanted]
        if not customers:
            raise BadRequest(errors.NO_CUSTOMER_WITH_PHONE)
    return paginate(customers, page, limit)


def get_customer(ns, customer_id) -> dict:
    """One customer by id; an unknown or malformed id is 404 `Customer not found`."""
    customer = ns.get("customers", customer_id) if is_object_id(customer_id) else None
    if customer is None:
        raise NotFound(errors.CUSTOMER_NOT_FOUND)
    return customer


def require_super_admin(ns) -> None:
    """merchant-customers overview: these routes need a super-admin merchant key (401 otherwise)."""
    if not ns.get_merchant()["super_admin"]:
        raise errors.Unauthorized(errors.ACCESS_DENIED)


def update_permissions(ns, customer_id, changes: dict) -> dict:
    """Toggle `canBuy` / `canSell` (and [B] `canWithdraw`); fields not sent keep their value."""
    customer = get_customer(ns, customer_id)
    customer["permissions"].update(changes)
    customer["updated_at_ms"] = ns.now_ms()
    ns.save("customers", customer)
    return customer


def set_customer_status(ns, customer_id, status: str, reason: str | None = None) -> dict:
    """Block (suspend) or unblock a customer; a blocked customer is refused wherever it is the
    `customer-id` (401 `Your account is disabled. Please contact support`)."""
    customer = get_customer(ns, customer_id)
    now = ns.now_ms()
    customer["status"] = status
    customer["blocked_reason"] = reason if status == "blocked" else None
    customer["blocked_at_ms"] = now if status == "blocked" else None
    customer["updated_at_ms"] = now
    ns.save("customers", customer)
    return customer


def get_wallet(ns, customer_id) -> dict:
    """Balances in kobo, straight from the ledger: main (spendable) and escrow (held as buyer)."""
    customer = require_customer(ns, customer_id)
    return {
        "main": ns.balance(ledger.main_account(customer["id"])),
        "escrow": ns.balance(ledger.escrow_account(customer["id"])),
    }


def fund_customer(ns, customer_id: str, amount_kobo: int, source: str) -> None:
    """Credit a main balance from outside the namespace (fixture seeding)."""
    ledger.post(
        ns,
        "funding",
        [
            (ledger.external_account(source), -amount_kobo),
            (ledger.main_account(customer_id), amount_kobo),
        ],
        customer_id=customer_id,
    )


def seed_namespace(ns, fixture: dict, super_admin: bool = True) -> None:
    """Replay a validated fixture set through the same services the API uses."""
    ns.save_merchant({**fixture["merchant"], "super_admin": fixture["merchant"]["super_admin"] and super_admin})
    for spec in fixture["customers"]:
        customer = create_customer(ns, spec, customer_id=spec["id"])
        if spec.get("main_balance"):
            fund_customer(ns, customer["id"], naira_to_kobo(spec["main_balance"]), "fixtures")


# -- escrows: shared rules -----------------------------------------------------------------


def escrow_by_token(ns, token) -> dict:
    escrow = ns.get_escrow_by_token(token) if isinstance(token, str) else None
    if escrow is None:
        raise BadRequest(errors.ESCROW_NOT_FOUND)
    return escrow


def escrow_by_id(ns, escrow_id) -> dict:
    escrow = ns.get("escrows", escrow_id) if is_object_id(escrow_id) else None
    if escrow is None:
        raise BadRequest(errors.ESCROW_NOT_FOUND)
    return escrow


def _require_seller(escrow: dict, seller_id: str) -> None:
    """Only the creating seller may change an escrow (docs: `Action not allowed` otherwise)."""
    if escrow["seller_id"] != seller_id:
        raise ActionNotAllowed()


def _check_amount(amount) -> int:
    """The escrow amount: whole naira above zero ([A] takes no kobo), returned in kobo."""
    if not is_positive_int(amount):
        raise BadRequest(errors.AMOUNT_POSITIVE_INT)
    return naira_to_kobo(amount)


def _build_milestones(ns, specs, target_naira: int) -> list[dict]:
    """Milestones per docs.payluk.ng/concepts/milestone-escrows: >= 2, positive integers,
    summing to the escrow amount, each optional beneficiary an existing customer."""
    if not isinstance(specs, list) or len(specs) < 2:
        raise BadRequest(errors.MILESTONES_MIN_TWO)
    if not all(is_positive_int(spec.get("amount")) for spec in specs):
        raise BadRequest(errors.MILESTONE_AMOUNT_POSITIVE_INT)
    if sum(spec["amount"] for spec in specs) != target_naira:
        raise BadRequest(errors.MILESTONE_SUM_MISMATCH)
    for spec in specs:
        beneficiary = spec.get("customer_id")
        if beneficiary is not None and (
            not is_object_id(beneficiary) or ns.get("customers", beneficiary) is None
        ):
            raise BadRequest(errors.BENEFICIARY_NOT_FOUND)
    return [
        {
            "id": ns.new_id(),
            "title": spec.get("title"),
            "description": spec.get("description"),
            "amount": naira_to_kobo(spec["amount"]),
            "due_date": spec.get("due_date"),
            "status": PENDING,
            "released_at_ms": None,
            "customer_id": spec.get("customer_id"),
        }
        for spec in specs
    ]


def cdn_url(folder: str, name: str, filename: str, default_ext: str) -> str:
    """Where an uploaded file "lives": Payluk's CDN pattern (cdn.payluk.ng/<folder>/<name>.<ext>);
    the sandbox keeps no bytes, so the URL does not resolve."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else default_ext
    ext = ext if ext.isalnum() and len(ext) <= 5 else default_ext
    return f"https://cdn.payluk.ng/{folder}/{name}.{ext}"


def _image_url(ns, filename: str) -> str:
    return cdn_url("escrow", ns.new_id(), filename, "png")


def _category(ns, category_id) -> dict | None:
    """The category an escrow is filed under, copied onto it (a snapshot, as it was then)."""
    if category_id is None:
        return None
    from sandbox.domain.catalog import require_category  # catalog builds on this module

    return require_category(ns, category_id)


def _set_amount(escrow: dict, amount_kobo: int) -> None:
    escrow["amount"] = amount_kobo
    escrow["fee"] = fee_for(amount_kobo)


def _new_escrow(ns, seller_id: str, data: dict, amount_kobo: int, settlement_type: str, category: dict | None,
                milestones: list = (), images: list = ()) -> dict:
    """A new unfunded escrow, saved; every input has been checked by the caller."""
    now = ns.now_ms()
    escrow = {
        "id": ns.new_id(),
        "payment_token": ns.new_token(),
        "settlement_type": settlement_type,
        "purpose": data["purpose"],
        "description": data.get("description"),
        "who_pays": data["who_pays"],
        "image_urls": list(images),
        "paid_at_ms": None,
        "status": PENDING,
        "state": lifecycle.STATE_OF_STATUS[PENDING],
        "logs": [],
        "channel": "API",
        "dispute": None,
        "payment_details": None,
        "category_id": data.get("category_id"),
        "category": category,
        "completed_at_ms": None,
        "approved_claim_by": None,
        "refunded_by": None,
        "max_delivery": data.get("max_delivery"),
        "delivery_timeline": data.get("delivery_timeline"),
        "total_quantity": data.get("total_quantity") or 1,
        "callback_url": data.get("callback_url"),
        "additional_fee": 0,
        "additional_fee_refundable": True,
        "clone_of": None,
        "milestones": list(milestones),
        "seller_id": seller_id,
        "buyer_id": None,
        "held": 0,
        "created_at_ms": now,
        "updated_at_ms": now,
    }
    _set_amount(escrow, amount_kobo)
    ns.save_escrow(escrow)
    # concepts/webhooks: `escrow.created`, and the escrow enters PENDING (`escrow.pending`).
    outbox.emit(ns, "escrow.created", escrow)
    outbox.emit(ns, "escrow.pending", escrow)
    return escrow


def _apply_details(escrow: dict, data: dict) -> None:
    """Replace the descriptive fields an edit may change (full replacement, per the docs)."""
    for key in ("purpose", "description", "who_pays", "max_delivery", "delivery_timeline",
                "category_id"):
        escrow[key] = data.get(key)
    escrow["total_quantity"] = data.get("total_quantity") or 1


# -- standard escrows ----------------------------------------------------------------------

# Sandbox choice: [A] makes maxDelivery/deliveryTimeline optional and states no default.
DEFAULT_MAX_DELIVERY = 3
DEFAULT_DELIVERY_TIMELINE = "days"
MAX_IMAGES = 5


def _image_urls(ns, data: dict, existing: list) -> list:
    """`imageUrl`: URLs given as text plus uploaded files; at most 5 per escrow in all."""
    urls = existing + list(data.get("image_urls") or [])
    files = data.get("image_files") or []
    if len(urls) + len(files) > MAX_IMAGES:
        raise BadRequest(errors.TOO_MANY_IMAGES)
    return urls + [_image_url(ns, name) for name in files]


def create_escrow(ns, seller_id, data: dict) -> dict:
    """A standard escrow (payment link) created by the seller named in `customer-id`."""
    _require_permission(require_customer(ns, seller_id), "can_sell")
    amount = _check_amount(data.get("amount"))
    data = dict(data)
    data["max_delivery"] = data.get("max_delivery") or DEFAULT_MAX_DELIVERY
    data["delivery_timeline"] = data.get("delivery_timeline") or DEFAULT_DELIVERY_TIMELINE
    category = _category(ns, data.get("category_id"))
    images = _image_urls(ns, data, [])
    return _new_escrow(ns, seller_id, data, amount, STANDARD, category, images=images)


def edit_escrow(ns, seller_id, token, data: dict) -> dict:
    """Edit an unfunded standard escrow: fields sent replace the old ones, new images are
    appended, the fee is recomputed (api-reference/escrow/edit-escrow). Creator only."""
    require_customer(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    _require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "edit")
    amount = _check_amount(data["amount"]) if "amount" in data else escrow["amount"]
    category = _category(ns, data["category_id"]) if data.get("category_id") else escrow["category"]
    images = _image_urls(ns, data, escrow["image_urls"])
    for key in ("purpose", "description", "who_pays", "max_delivery", "delivery_timeline", "total_quantity",
                "callback_url"):
        if data.get(key) is not None:
            escrow[key] = data[key]
    if data.get("category_id"):
        escrow["category_id"], escrow["category"] = data["category_id"], category
    escrow["image_urls"] = images
    _set_amount(escrow, amount)
    _transition(ns, escrow, "edit", ns.now_ms())
    return escrow


def delete_escrow(ns, seller_id, token) -> dict:
    """Remove an unfunded escrow (standard or milestone); only its creator may."""
    require_customer(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    _require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "delete")
    ns.delete_escrow(escrow)
    return escrow


def verify_escrow(ns, token) -> dict:
    """Resolve a payment token to its escrow (anyone may; `isSeller` is set by the caller)."""
    return escrow_by_token(ns, token)


def _release_to_seller(ns, escrow: dict, kind: str) -> None:
    """Pay the seller amount - seller fee share from the held funds; the rest (the fee) is
    Payluk's (fees-and-settlement: "Commission is charged on completion")."""
    _, seller_share = fee_shares(escrow["fee"], escrow["who_pays"])
    payout = escrow["amount"] - seller_share
    buyer_escrow = ledger.escrow_account(escrow["buyer_id"])
    ledger.post(ns, kind, [(buyer_escrow, -payout), (ledger.main_account(escrow["seller_id"]), payout)],
                escrow_id=escrow["id"])
    ledger.post(ns, "fee", [(buyer_escrow, -(escrow["held"] - payout)), (ledger.FEES, escrow["held"] - payout)],
                escrow_id=escrow["id"])
    escrow["held"] = 0


def _transition(ns, escrow: dict, action: str, now: int) -> None:
    """Apply a lifecycle action, save, and emit `escrow.<status>` if the status changed."""
    before = escrow["status"]
    lifecycle.apply(escrow, action, now)
    ns.save_escrow(escrow)
    outbox.emit_transition(ns, escrow, before)


def _close(ns, escrow: dict, action: str) -> None:
    now = ns.now_ms()
    escrow["completed_at_ms"] = now
    _transition(ns, escrow, action, now)


def confirm_payment(ns, buyer_id, escrow_id) -> dict:
    """The buyer confirms delivery of a funded standard escrow: it closes as `COMPLETED` and
    the seller is paid. Refused during a dispute (the funds are frozen)."""
    require_customer(ns, buyer_id)
    escrow = escrow_by_id(ns, escrow_id)
    if escrow["buyer_id"] != buyer_id:
        raise ActionNotAllowed()
    lifecycle.next_status(escrow, "confirm_payment")
    _release_to_seller(ns, escrow, "release")
    _close(ns, escrow, "confirm_payment")
    return escrow


def claim_window_ends_ms(escrow: dict) -> int:
    """When the seller may claim: paidAt + maxDelivery x deliveryTimeline (claim-funds page)."""
    unit = lifecycle.TIMELINE_MS[escrow["delivery_timeline"] or DEFAULT_DELIVERY_TIMELINE]
    return escrow["paid_at_ms"] + (escrow["max_delivery"] or DEFAULT_MAX_DELIVERY) * unit


def claim_funds(ns, seller_id, token) -> dict:
    """The seller takes the funds once the delivery window has passed on the namespace clock
    without the buyer confirming: `CLAIMED` (and `CLOSED`, per the status reference)."""
    require_customer(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    _require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "claim")
    if ns.now_ms() < claim_window_ends_ms(escrow):
        raise BadRequest(errors.CANNOT_CLAIM_YET)
    _release_to_seller(ns, escrow, "claim")
    escrow["approved_claim_by"] = seller_id
    _close(ns, escrow, "claim")
    return escrow


# -- disputes (standard escrows only in [A]) -------------------------------------------------


def _dispute_time(ms: int) -> str:
    # submit-dispute's example prints `createdAt` as "2026-06-22 10:30:00" (space, no zone).
    return iso(ms)[:19].replace("T", " ")


def _evidence_url(ns, filename: str | None) -> str | None:
    return cdn_url("dispute", ns.new_id(), filename, "bin") if filename else None


def _thread_entry(ns, kind: str, name: str, message: str, filename: str | None) -> dict:
    return {"type": kind, "name": name, "message": message, "proof_url": _evidence_url(ns, filename),
            "created_at": _dispute_time(ns.now_ms())}


def submit_dispute(ns, customer_id, token, data: dict) -> dict:
    """The buyer opens a dispute on a funded standard escrow (`DISPUTED`); the seller answers
    once (`INVESTIGATING`); each side once; the seller cannot open one. [A]: milestone
    escrows cannot be disputed."""
    customer = require_customer(ns, customer_id)
    escrow = escrow_by_token(ns, token)
    if escrow["settlement_type"] == MILESTONE:
        raise BadRequest(errors.MILESTONE_NOT_DISPUTABLE)
    sides = {entry["type"] for entry in escrow["dispute"] or []}
    if customer_id == escrow["buyer_id"]:
        if "buyer" in sides:
            raise BadRequest(errors.BUYER_ALREADY_DISPUTED)
        side, action = "buyer", "open_dispute"
    elif customer_id == escrow["seller_id"]:
        if "seller" in sides:
            raise BadRequest(errors.SELLER_ALREADY_DISPUTED)
        side, action = "seller", "reply_dispute"
    else:
        raise ActionNotAllowed()
    lifecycle.next_status(escrow, action)
    name = f"{customer['firstname']} {customer['lastname']}"
    escrow["dispute"] = (escrow["dispute"] or []) + [
        _thread_entry(ns, side, name, data["message"], data.get("file_name"))
    ]
    _transition(ns, escrow, action, ns.now_ms())
    return escrow


def resolve_dispute(ns, escrow_id, data: dict) -> dict:
    """The merchant rules on a disputed escrow: `COMPLETED` pays the seller as a confirm would,
    `REFUNDED` returns everything the buyer paid (fee included: no commission is charged
    without completion) to the buyer's main balance. Either way it closes."""
    escrow = escrow_by_id(ns, escrow_id)
    if escrow["state"] == lifecycle.CLOSED:
        raise BadRequest(errors.ESCROW_ALREADY_COMPLETED)
    if escrow["status"] not in lifecycle.OPEN_DISPUTE_STATUSES:
        raise BadRequest(errors.NO_DISPUTE)
    action = "resolve_completed" if data["status"] == lifecycle.COMPLETED else "resolve_refunded"
    lifecycle.next_status(escrow, action)
    merchant = ns.get_merchant()
    if action == "resolve_completed":
        _release_to_seller(ns, escrow, "resolution_release")
        escrow["approved_claim_by"] = merchant["id"]
    else:
        ledger.post(ns, "refund", [(ledger.escrow_account(escrow["buyer_id"]), -escrow["held"]),
                                   (ledger.main_account(escrow["buyer_id"]), escrow["held"])],
                    escrow_id=escrow["id"])
        escrow["held"] = 0
        escrow["refunded_by"] = merchant["id"]
    escrow["dispute"] = escrow["dispute"] + [
        _thread_entry(ns, "merchant", merchant["name"], data["resolution"], data.get("file_name"))
    ]
    _close(ns, escrow, action)
    return escrow


def _date_ms(text: str | None, end: bool = False) -> int | None:
    if text is None:
        return None
    return parse_iso(text + ("T23:59:59.999" if end else "T00:00:00")) if len(text) == 10 else parse_iso(text)


def _created_within(query: dict):
    """A predicate: created on or after `fromDate` and on or before `toDate` (whole days, UTC)."""
    start, end = _date_ms(query.get("from_date")), _date_ms(query.get("to_date"), end=True)
    return lambda escrow: ((start is None or escrow["created_at_ms"] >= start)
                           and (end is None or escrow["created_at_ms"] <= end))


def _page(ns, query: dict, predicate) -> Page:
    """A page of the escrows `predicate` accepts (it sees each escrow's summary fields, see
    store.ESCROW_SUMMARY), newest first: creation order reversed (seeded ids may not sort by time)."""
    items, count = ns.page("escrows", query["page"], query["limit"], predicate)
    return Page(items, count, query["page"], query["limit"])


def list_my_disputes(ns, customer_id, query: dict) -> Page:
    """Disputed escrows the customer is party to (`/v1/escrow/dispute/get`), newest first."""
    require_customer(ns, customer_id)
    within = _created_within(query)
    return _page(ns, query, lambda e: e["dispute"] and customer_id in (e["buyer_id"], e["seller_id"])
                 and within(e) and query.get("payment_token") in (None, e["payment_token"]))


def get_dispute(ns, customer_id, escrow_id) -> dict:
    """One escrow's dispute thread, for a party to it (others get `Escrow not found`)."""
    require_customer(ns, customer_id)
    escrow = escrow_by_id(ns, escrow_id)
    if customer_id not in (escrow["buyer_id"], escrow["seller_id"]):
        raise BadRequest(errors.ESCROW_NOT_FOUND)
    if not escrow["dispute"]:
        raise BadRequest(errors.NO_DISPUTE)
    return escrow


def list_all_disputes(ns, query: dict) -> Page:
    """Every disputed escrow of the merchant (`/v1/escrow/all-dispute`), newest first."""
    within = _created_within(query)
    return _page(ns, query, lambda e: e["dispute"] and within(e)
                 and (query.get("payment_id") is None or query["payment_id"] in (e["id"], e["payment_token"])))


# -- escrow lists ------------------------------------------------------------------------------


def list_transactions(ns, customer_id, query: dict) -> Page:
    """The caller's escrows: `type=sales` as seller, `type=buy` as buyer; filters `status`,
    `categoryId`; newest first. Without `customer-id` the merchant's own escrows, which [A]
    cannot create (create requires `customer-id`), so the list is empty."""
    if query.get("type") not in ("sales", "buy"):
        # [B]: a missing or invalid `type` is refused with a 401.
        raise errors.Unauthorized(errors.LIST_TYPE_REQUIRED)
    if customer_id is not None:
        require_customer(ns, customer_id)
    party = "seller_id" if query["type"] == "sales" else "buyer_id"
    return _page(ns, query, lambda e: customer_id is not None and e[party] == customer_id
                 and query.get("status") in (None, e["status"])
                 and query.get("category_id") in (None, e["category_id"]))


def list_feeds(ns, query: dict) -> Page:
    """Every escrow of the merchant's customers (`/v1/escrow/feeds`) with its filters; without
    any filter only the page itself is visited."""
    filters = ("status", "category_id", "customer_id", "payment_token", "from_date", "to_date")
    if not any(query.get(name) is not None for name in filters):
        return _page(ns, query, None)
    within = _created_within(query)
    return _page(ns, query, lambda e: query.get("status") in (None, e["status"])
                 and query.get("category_id") in (None, e["category_id"])
                 and query.get("customer_id") in (None, e["seller_id"], e["buyer_id"])
                 and query.get("payment_token") in (None, e["payment_token"])
                 and within(e))


# -- milestone escrows ---------------------------------------------------------------------


def _check_buyer_pays(data: dict) -> None:
    # concepts/milestone-escrows: "the buyer always covers the Payluk fee on milestone escrows".
    if data.get("who_pays") != "buyer":
        raise BadRequest(errors.MILESTONE_WHO_PAYS_BUYER)


def create_milestone_escrow(ns, seller_id, data: dict) -> dict:
    """A milestone escrow: whoPays buyer, >= 2 milestones whose amounts sum to `amount`."""
    _require_permission(require_customer(ns, seller_id), "can_sell")
    amount = _check_amount(data.get("amount"))
    _check_buyer_pays(data)
    category = _category(ns, data.get("category_id"))
    milestones = _build_milestones(ns, data.get("milestones"), data["amount"])
    return _new_escrow(ns, seller_id, data, amount, MILESTONE, category, milestones=milestones)


def edit_milestone_escrow(ns, seller_id, token, data: dict) -> dict:
    """Replace an unfunded milestone escrow's details and milestones (ids regenerated, fee
    recomputed); only its creator may, only while `AWAITING_PAYMENT`."""
    require_customer(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    _require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "edit_milestones")
    amount = _check_amount(data.get("amount"))
    _check_buyer_pays(data)
    category = _category(ns, data.get("category_id"))
    milestones = _build_milestones(ns, data.get("milestones"), data["amount"])
    _apply_details(escrow, data)
    escrow["category"] = category
    _set_amount(escrow, amount)
    escrow["milestones"] = milestones
    _transition(ns, escrow, "edit_milestones", ns.now_ms())
    return escrow


def convert_to_milestone(ns, seller_id, token, data: dict) -> dict:
    """Turn an unfunded standard escrow into a milestone one: optional new `amount` (else the
    current one) split over >= 2 milestones; `whoPays` forced to `buyer`, fee recomputed."""
    require_customer(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    _require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "convert")
    if data.get("amount") is None:
        amount = escrow["amount"]
        target = amount // KOBO_PER_NAIRA
    else:
        amount = _check_amount(data["amount"])
        target = data["amount"]
    milestones = _build_milestones(ns, data.get("milestones"), target)
    lifecycle.apply(escrow, "convert", ns.now_ms())  # no status change, so no event
    escrow["settlement_type"] = MILESTONE
    escrow["who_pays"] = "buyer"
    _set_amount(escrow, amount)
    escrow["milestones"] = milestones
    ns.save_escrow(escrow)
    return escrow


def list_milestones(ns, token) -> list[dict]:
    """The escrow's milestones; a standard escrow simply has none (`[]`)."""
    return escrow_by_token(ns, token)["milestones"]


def confirm_milestone(ns, buyer_id, escrow_id, milestone_id) -> dict:
    """The buyer releases one milestone: its amount goes to the beneficiary's (or seller's)
    main balance; the last release closes the escrow (`CLOSED`/`COMPLETED`) and books the fee."""
    require_customer(ns, buyer_id)
    escrow = escrow_by_id(ns, escrow_id)
    milestone = next((m for m in escrow["milestones"] if m["id"] == milestone_id), None)
    if milestone is None:
        raise BadRequest(errors.MILESTONE_NOT_FOUND)
    if escrow["buyer_id"] != buyer_id or milestone["status"] == RELEASED:
        raise ActionNotAllowed()
    pending = [m for m in escrow["milestones"] if m["status"] != RELEASED]
    last = len(pending) == 1
    action = "complete_milestones" if last else "release_milestone"
    lifecycle.next_status(escrow, action)

    now = ns.now_ms()
    beneficiary = milestone["customer_id"] or escrow["seller_id"]
    buyer_escrow = ledger.escrow_account(buyer_id)
    ledger.post(
        ns,
        "milestone_release",
        [(buyer_escrow, -milestone["amount"]), (ledger.main_account(beneficiary), milestone["amount"])],
        escrow_id=escrow["id"],
        milestone_id=milestone["id"],
    )
    escrow["held"] -= milestone["amount"]
    milestone["status"] = RELEASED
    milestone["released_at_ms"] = now
    if last:
        # fees-and-settlement: commission is charged on completion.
        ledger.post(ns, "fee", [(buyer_escrow, -escrow["held"]), (ledger.FEES, escrow["held"])],
              escrow_id=escrow["id"])
        escrow["held"] = 0
        escrow["completed_at_ms"] = now
    # Sandbox-only (off unless asked for): the release itself, before the closing event.
    outbox.emit(ns, outbox.MILESTONE_RELEASED, escrow, milestone=milestone)
    _transition(ns, escrow, action, now)
    return escrow


# -- payments --------------------------------------------------------------------------------


def buyer_charge(escrow: dict) -> int:
    buyer_share, _ = fee_shares(escrow["fee"], escrow["who_pays"])
    return escrow["amount"] + buyer_share + escrow["additional_fee"]


def reference_taken(ns, reference: str) -> bool:
    """References are one namespace-wide space: escrow payments, payment intents and the
    hosted-checkout sessions that will become escrow payments (verify finds any of them)."""
    if ns.get("payments", reference) is not None or ns.get("intents", reference) is not None:
        return True
    return bool(ns.find("checkout_sessions", lambda s: s["reference"] == reference))


def _sells_a_copy(escrow: dict) -> bool:
    """concepts/multi-quantity-escrows: an API payment link with stock left (`totalQuantity`
    > 1) is not funded itself; each payment mints a copy. Milestone escrows never clone."""
    return escrow["settlement_type"] == STANDARD and escrow["channel"] == "API" and escrow["total_quantity"] > 1


def _sell_copy(ns, original: dict, now: int) -> dict:
    """Mint the clone a payment attaches to; the original stays payable, its stock counts down."""
    clone = {**copy.deepcopy(original), "id": ns.new_id(), "payment_token": ns.new_token(), "total_quantity": 1,
             "clone_of": original["id"], "logs": [], "created_at_ms": now, "updated_at_ms": now}
    original = {**original, "total_quantity": original["total_quantity"] - 1, "updated_at_ms": now}
    ns.save_escrow(original)
    ns.save_escrow(clone)
    # Multi-quantity: events fire per escrow, so the copy announces itself before it is funded.
    outbox.emit(ns, "escrow.created", clone)
    return clone


def pay_escrow(ns, buyer_id, data: dict) -> dict:
    """The buyer funds one escrow (or several, [B]) in full, once: `WALLET` debits the main
    balance by amount + the buyer's fee share; card gateways are an instant external charge.
    The money is then held in the buyer's escrow balance. A repeated `reference` for the
    same buyer and escrows answers the first result again without charging twice."""
    buyer = require_customer(ns, buyer_id)
    escrow_ids = data["escrow_ids"]
    reference = data.get("reference")
    if reference is not None:
        previous = ns.get("payments", reference)
        if previous is not None:
            if previous["buyer_id"] == buyer["id"] and previous["escrow_ids"] == escrow_ids:
                return previous
            raise BadRequest(errors.DUPLICATE_REFERENCE)
        if ns.get("intents", reference) is not None:
            raise BadRequest(errors.DUPLICATE_REFERENCE)
    if len(set(escrow_ids)) != len(escrow_ids):
        raise BadRequest('"escrowDetails.escrowId" contains duplicate ids')
    escrows = [escrow_by_id(ns, escrow_id) for escrow_id in escrow_ids]
    for escrow in escrows:
        lifecycle.next_status(escrow, "pay")
    _require_permission(buyer, "can_buy")
    gateway = data["gateway"]
    total = sum(buyer_charge(escrow) for escrow in escrows)
    source = ledger.main_account(buyer["id"]) if gateway == WALLET else ledger.external_account(gateway)
    if gateway == WALLET and ns.balance(source) < total:
        raise BadRequest(errors.INSUFFICIENT_BALANCE)

    now = ns.now_ms()
    reference = reference or ns.new_reference("ESC_REF_")
    funded = []
    for escrow in escrows:
        if _sells_a_copy(escrow):
            escrow = _sell_copy(ns, escrow, now)
        funded.append(escrow["id"])
        charge = buyer_charge(escrow)
        ledger.post(ns, "escrow_funding", [(source, -charge), (ledger.escrow_account(buyer["id"]), charge)],
                    escrow_id=escrow["id"], reference=reference)
        escrow["buyer_id"] = buyer["id"]
        escrow["held"] = charge
        escrow["paid_at_ms"] = now
        escrow["payment_details"] = {"reference": reference, "gateway": gateway, "amount": charge}
        _transition(ns, escrow, "pay", now)
    payment = {
        "reference": reference,
        "status": "SUCCESS",
        "amount": total,
        "gateway": gateway,
        "buyer_id": buyer["id"],
        "escrow_ids": escrow_ids,
        "funded_escrow_ids": funded,
        "created_at_ms": now,
    }
    ns.save("payments", payment, key_field="reference")
    return payment
