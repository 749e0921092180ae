"""Escrows: the rules every escrow shares (lookup, amounts, milestones as created, the new
escrow itself, release and close, the fee booking) and the standard escrow's operations —
create, edit, delete, verify, confirm, claim (docs.payluk.ng concepts/escrows).

Inputs are plain dicts with Python names (`who_pays`, `max_delivery`...) as the schemas load
them; amounts arrive in naira as the client sent them (an int, an exact Decimal, or whatever
the schema let through for the rules here to refuse) and are kept in kobo from here on.

Profile 2026-10 ([B], payluk-api.md §1, §3.2, §4.1, §5.1, §5.2) changes: amounts to 2 decimals
(an escrow at least 1 000, a milestone at least 1), `maxDelivery` (1-365) and `deliveryTimeline`
required, milestone due dates in the future, one more day before a claim, and `customer-id`
optional on the seller's routes (absent: the merchant's own business account sells)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sandbox.domain import errors, ledger, lifecycle, merchant, outbox
from sandbox.domain.catalog import require_category
from sandbox.domain.customers import require_customer, require_permission, require_super_admin
from sandbox.domain.errors import ActionNotAllowed, BadRequest
from sandbox.domain.lifecycle import PENDING, STANDARD
from sandbox.domain.listings import Page, created_within, escrow_page
from sandbox.domain.money import (
    KOBO_PER_NAIRA, LATER_FEE_BP, exact_hundredths, fee_for, fee_shares, is_positive_int, naira_to_kobo, rate_of,
)
from sandbox.domain.profiles import later
from sandbox.domain.uploads import cdn_url
from sandbox.ids import is_object_id
from sandbox.store.base import Filter


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


def require_seller(escrow: dict, seller_id: str) -> None:
    """Only the creating seller may change an escrow (docs: `Action not allowed` otherwise)."""
    if escrow["seller_id"] != seller_id:
        raise ActionNotAllowed()


# -- who sells ------------------------------------------------------------------------------------


def acting_seller(ns, seller_id, creating: bool = False) -> str:
    """The seller a request acts as. With `customer-id`: that customer (404 unknown, 401 blocked;
    creating also needs `canSell`). Without it ([B] only: the API layer refuses a missing header
    in [A] before the body is read): the merchant's own business account, whose payouts land in
    the merchant wallet (ledger.payee_account); a merchant that is no business account cannot
    create an escrow for itself (§1, [B] 401)."""
    if seller_id is not None:
        customer = require_customer(ns, seller_id)
        if creating:
            require_permission(customer, "can_sell")
        return customer["id"]
    if not later(ns):
        raise BadRequest(errors.CUSTOMER_ID_REQUIRED)
    merchant = ns.get_merchant()
    if creating and not merchant.get("business", True):
        raise errors.Unauthorized(errors.MERCHANT_SELF_ESCROW)
    return merchant["id"]


# -- amounts -------------------------------------------------------------------------------------

# [B]: an escrow amount is at least 1 000 naira, a milestone's at least 1 (§1 "Amounts and ids").
MIN_ESCROW_NAIRA = 1000
MIN_MILESTONE_NAIRA = 1
NUMBER_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# Number.MAX_SAFE_INTEGER: Payluk is a Node service; Joi refuses numbers beyond it.
MAX_SAFE_NUMBER = 2**53 - 1


def _exact(value) -> int | Decimal | None:
    """An amount as an exact number, or None when it is none. JSON numbers with a fraction
    arrive as Decimal (the API parses them from their text); multipart text spelling a number
    is read exactly. Only fixture files, read by the standard library, hold floats: their repr
    is the shortest text that reads back as the same float, i.e. the file's own text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        text = value.strip()
        if not NUMBER_TEXT.fullmatch(text):
            return None
        value = Decimal(text)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def _has_kobo_only(number: int | Decimal) -> bool:
    """At most 2 decimal places, judged on the digits (never by rounding): 150000.50 and
    150000.500 qualify, 150000.505 does not."""
    if isinstance(number, int):
        return True
    _, digits, exponent = number.as_tuple()
    extra = -exponent - 2  # digits beyond the second decimal place
    return extra <= 0 or not any(digits[-extra:])


def _to_kobo(number: int | Decimal) -> int:
    if isinstance(number, int):
        return naira_to_kobo(number)
    return int(number * KOBO_PER_NAIRA)  # whole: only amounts with at most 2 decimals get here


def later_amount(value, minimum: int, below: str, places: str, not_a_number: str, unsafe: str) -> int:
    """[B] an amount of up to 2 decimals, at least `minimum` naira, in kobo; each refusal has
    the message given."""
    number = _exact(value)
    if number is None:
        raise BadRequest(not_a_number)
    if abs(number) > MAX_SAFE_NUMBER:
        raise BadRequest(unsafe)
    if number < minimum:
        raise BadRequest(below)
    if not _has_kobo_only(number):
        raise BadRequest(places)
    return _to_kobo(number)


def check_amount(ns, amount, standard: bool = False) -> int:
    """The escrow amount in kobo. [B]: a number of at least 1 000 with at most 2 decimals.
    [A]: whole naira above zero — refused in Joi's words on the standard routes (what their
    schema has always said), with the milestone page's rule text on the milestone routes."""
    if later(ns):
        return later_amount(amount, MIN_ESCROW_NAIRA, errors.AMOUNT_AT_LEAST_1000, errors.AMOUNT_TWO_DECIMALS,
                            errors.AMOUNT_NUMBER, errors.AMOUNT_SAFE_NUMBER)
    if not standard:
        if not is_positive_int(amount):
            raise BadRequest(errors.AMOUNT_POSITIVE_INT)
    elif isinstance(amount, bool) or not isinstance(amount, int):
        raise BadRequest(errors.AMOUNT_INTEGER)
    elif amount < 1:
        raise BadRequest(errors.AMOUNT_AT_LEAST_ONE)
    return naira_to_kobo(amount)


# [B]: maxDelivery is 1-365 (its lower bound is the schema's, in every profile).
MAX_DELIVERY = 365


def check_delivery(ns, data: dict) -> None:
    """[B] create/edit (standard and milestone): `maxDelivery` (at most 365) and
    `deliveryTimeline` are required; [A] makes both optional."""
    if not later(ns):
        return
    if data.get("max_delivery") is None:
        raise BadRequest(errors.MAX_DELIVERY_REQUIRED)
    if data["max_delivery"] > MAX_DELIVERY:
        raise BadRequest(errors.MAX_DELIVERY_AT_MOST)
    if data.get("delivery_timeline") is None:
        raise BadRequest(errors.DELIVERY_TIMELINE_REQUIRED)


def today(ns) -> date:
    """The namespace clock's calendar date (UTC)."""
    return date(1970, 1, 1) + timedelta(days=ns.now_ms() // lifecycle.TIMELINE_MS["days"])


def _milestone_amounts(ns, specs) -> list[int]:
    """Each milestone's amount in kobo: [A] a positive whole number, [B] at least 1 with at
    most 2 decimals (one message for either rule, as the concept page states them together)."""
    if not later(ns):
        if not all(is_positive_int(spec.get("amount")) for spec in specs):
            raise BadRequest(errors.MILESTONE_AMOUNT_POSITIVE_INT)
        return [naira_to_kobo(spec["amount"]) for spec in specs]
    message = errors.MILESTONE_AMOUNT_TWO_DECIMALS
    return [later_amount(spec.get("amount"), MIN_MILESTONE_NAIRA, message, message, message, message)
            for spec in specs]


def build_milestones(ns, specs, target_kobo: int) -> list[dict]:
    """Milestones per docs.payluk.ng/concepts/milestone-escrows: >= 2, amounts summing to the
    escrow amount, each optional beneficiary an existing customer; [B] each `dueDate` given
    must lie after the namespace clock's today (§3.2 "must be in the future")."""
    if not isinstance(specs, list) or len(specs) < 2:
        raise BadRequest(errors.MILESTONES_MIN_TWO)
    amounts = _milestone_amounts(ns, specs)
    if sum(amounts) != target_kobo:
        raise BadRequest(errors.MILESTONE_SUM_MISMATCH)
    if later(ns):
        now = today(ns)
        if any(spec.get("due_date") and date.fromisoformat(spec["due_date"]) <= now for spec in specs):
            raise BadRequest(errors.MILESTONE_DUE_DATE_FUTURE)
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
            "amount": amount,
            "due_date": spec.get("due_date"),
            "status": PENDING,
            "released_at_ms": None,
            "customer_id": spec.get("customer_id"),
        }
        for spec, amount in zip(specs, amounts)
    ]


def _image_url(ns, filename: str) -> str:
    return cdn_url("escrow", ns.new_id(), filename, "png")


def category_of(ns, category_id) -> dict | None:
    """The category an escrow is filed under, copied onto it (a snapshot, as it was then)."""
    return None if category_id is None else require_category(ns, category_id)


def set_amount(escrow: dict, amount_kobo: int) -> None:
    """The amount and its fee. [A]: 2.5 %. An escrow made under [B] carries the rates it was made
    with (`fee_rates`, fixed then: a later profile switch or commission change leaves its fee
    alone): Payluk's 2 % + the merchant's commission, each part rounded alone; the commission's
    part is kept (`commission`) for the merchant's wallet on completion."""
    escrow["amount"] = amount_kobo
    rates = escrow.get("fee_rates")
    if rates is None:
        escrow["fee"] = fee_for(amount_kobo)
        return
    commission = rate_of(amount_kobo, rates["commission"])
    escrow["fee"] = rate_of(amount_kobo, rates["payluk"]) + commission
    escrow["commission"] = commission


def escrow_record(ns, seller_id: str | None, data: dict, amount_kobo: int, settlement_type: str,
                  category: dict | None, milestones: list = (), images: list = ()) -> dict:
    """A new unfunded escrow, not saved yet; every input has been checked by the caller."""
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
    if later(ns):
        escrow["fee_rates"] = {"payluk": LATER_FEE_BP, "commission": merchant.commission_bp(ns)}
    set_amount(escrow, amount_kobo)
    return escrow


def new_escrow(ns, seller_id: str, data: dict, amount_kobo: int, settlement_type: str, category: dict | None,
                milestones: list = (), images: list = ()) -> dict:
    """A new unfunded escrow, saved; every input has been checked by the caller."""
    escrow = escrow_record(ns, seller_id, data, amount_kobo, settlement_type, category, milestones, images)
    ns.save_escrow(escrow)
    # concepts/webhooks: `escrow.created`, and the escrow enters PENDING (`escrow.pending`).
    outbox.emit(ns, "escrow.created", escrow)
    outbox.emit(ns, "escrow.pending", escrow)
    return escrow


def apply_details(escrow: dict, data: dict) -> None:
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
    """A standard escrow (payment link) created by the seller named in `customer-id` ([B]: or
    by the merchant's business account). The amount is checked first, as the schema did when
    it alone judged amounts."""
    amount = check_amount(ns, data.get("amount"), standard=True)
    check_delivery(ns, data)
    seller_id = acting_seller(ns, seller_id, creating=True)
    data = dict(data)
    data["max_delivery"] = data.get("max_delivery") or DEFAULT_MAX_DELIVERY
    data["delivery_timeline"] = data.get("delivery_timeline") or DEFAULT_DELIVERY_TIMELINE
    category = category_of(ns, data.get("category_id"))
    images = _image_urls(ns, data, [])
    return new_escrow(ns, seller_id, data, amount, STANDARD, category, images=images)


def edit_escrow(ns, seller_id, token, data: dict) -> dict:
    """Edit an unfunded standard escrow: fields sent replace the old ones, new images are
    appended, the fee is recomputed (api-reference/escrow/edit-escrow). Creator only."""
    amount = check_amount(ns, data["amount"], standard=True) if "amount" in data else None
    check_delivery(ns, data)
    seller_id = acting_seller(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "edit")
    amount = escrow["amount"] if amount is None else amount
    category = category_of(ns, data["category_id"]) if data.get("category_id") else escrow["category"]
    images = _image_urls(ns, data, escrow["image_urls"])
    for key in ("purpose", "description", "who_pays", "max_delivery", "delivery_timeline", "total_quantity",
                "callback_url"):
        if data.get(key) is not None:
            escrow[key] = data[key]
    if data.get("category_id"):
        escrow["category_id"], escrow["category"] = data["category_id"], category
    escrow["image_urls"] = images
    set_amount(escrow, amount)
    transition(ns, escrow, "edit", ns.now_ms())
    return escrow


def delete_escrow(ns, seller_id, token) -> dict:
    """Remove an unfunded escrow (standard or milestone); only its creator may."""
    seller_id = acting_seller(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "delete")
    ns.delete_escrow(escrow)
    return escrow


def verify_escrow(ns, token) -> dict:
    """Resolve a payment token to its escrow (anyone may; `isSeller` is set by the caller)."""
    return escrow_by_token(ns, token)


def release_to_seller(ns, escrow: dict, kind: str) -> None:
    """Pay the seller amount - seller fee share from the held funds; the rest (the fee) is
    Payluk's (fees-and-settlement: "Commission is charged on completion")."""
    _, seller_share = fee_shares(escrow["fee"], escrow["who_pays"])
    payout = escrow["amount"] - seller_share
    buyer_escrow = ledger.escrow_account(escrow["buyer_id"])
    ledger.post(ns, kind, [(buyer_escrow, -payout), (ledger.payee_account(ns, escrow["seller_id"]), payout)],
                escrow_id=escrow["id"])
    book_fee(ns, escrow, paid_out=payout)


def book_fee(ns, escrow: dict, paid_out: int = 0, delivery: int | None = None) -> None:
    """What the escrow still holds after `paid_out` is its fee (and an additional fee not given
    back), booked as the escrow closes (fees-and-settlement: "Commission is charged on
    completion"): [B] the merchant's commission (`commission`) and the additional fee
    (`delivery`, unless the caller says it went back to the buyer) go to the merchant wallet,
    each with its `payment.<type>.success` webhook event; the rest is Payluk's; nothing is
    held after."""
    rest = escrow["held"] - paid_out
    buyer_escrow = ledger.escrow_account(escrow["buyer_id"])
    delivery = escrow["additional_fee"] if delivery is None else delivery
    for kind, amount in (("commission", escrow.get("commission", 0)), ("delivery", delivery)):
        if amount:
            posting = ledger.post(ns, kind, [(buyer_escrow, -amount), (ledger.MERCHANT, amount)],
                                  escrow_id=escrow["id"], reference=ns.new_reference(merchant.REFERENCE_PREFIX[kind]))
            # concepts/webhooks [B]: `payment.commission.success` / `payment.delivery.success`.
            outbox.emit_payment(ns, f"payment.{kind}.success", escrow,
                                {**merchant.transaction(posting, amount, escrow), "merchant_id": ns.get_merchant()["id"]})
            rest -= amount
    ledger.post(ns, "fee", [(buyer_escrow, -rest), (ledger.FEES, rest)], escrow_id=escrow["id"])
    escrow["held"] = 0


def held_pool(escrow: dict) -> int:
    """[B] what a dispute's ruling shares out, the fee never refunded (fees-and-settlement): a
    standard escrow's amount - the seller's fee share; a milestone escrow's still-held
    (`PENDING`) milestones."""
    if escrow["settlement_type"] == STANDARD:
        return escrow["amount"] - fee_shares(escrow["fee"], escrow["who_pays"])[1]
    return sum(m["amount"] for m in escrow["milestones"] if m["status"] == PENDING)


def settle(ns, escrow: dict, kind: str, to_seller: int, to_buyer: int, refundable: bool) -> None:
    """[B] a ruling's money: `to_seller` of the pool to the seller, `to_buyer` (plus the
    additional fee when it is refundable) back to the buyer's main balance, in one posting;
    then the fee is booked (the additional fee, when not refundable, to the merchant)."""
    delivery = escrow["additional_fee"]
    back = to_buyer + (delivery if refundable else 0)
    entries = [(ledger.escrow_account(escrow["buyer_id"]), -(to_seller + back))]
    if to_seller:
        entries.append((ledger.payee_account(ns, escrow["seller_id"]), to_seller))
    if back:
        entries.append((ledger.main_account(escrow["buyer_id"]), back))
    if len(entries) > 1:
        ledger.post(ns, kind, entries, escrow_id=escrow["id"])
    book_fee(ns, escrow, paid_out=to_seller + back, delivery=0 if refundable else delivery)


def transition(ns, escrow: dict, action: str, now: int) -> None:
    """Apply a lifecycle action, save, and emit `escrow.<status>` if the status changed."""
    before = escrow["status"]
    lifecycle.apply(escrow, action, now)
    ns.save_escrow(escrow)
    outbox.emit_transition(ns, escrow, before)


def close(ns, escrow: dict, action: str) -> None:
    now = ns.now_ms()
    escrow["completed_at_ms"] = now
    transition(ns, escrow, action, now)


def confirm_payment(ns, buyer_id, escrow_id) -> dict:
    """The buyer confirms delivery of a funded standard escrow: it closes as `COMPLETED` and
    the seller is paid. Refused during a dispute (the funds are frozen)."""
    require_customer(ns, buyer_id)
    escrow = escrow_by_id(ns, escrow_id)
    if escrow["buyer_id"] != buyer_id:
        raise ActionNotAllowed()
    lifecycle.next_status(escrow, "confirm_payment")
    release_to_seller(ns, escrow, "release")
    close(ns, escrow, "confirm_payment")
    return escrow


# [B] (changelog 2 Oct 2026): the claim window runs one day past the delivery window.
CLAIM_GRACE_MS = lifecycle.TIMELINE_MS["days"]


def claim_window_ends_ms(ns, escrow: dict) -> int:
    """When the seller may claim: paidAt + maxDelivery x deliveryTimeline (claim-funds page),
    + 1 day when `ns` answers by [B] (changelog of 2 Oct 2026)."""
    unit = lifecycle.TIMELINE_MS[escrow["delivery_timeline"] or DEFAULT_DELIVERY_TIMELINE]
    grace = CLAIM_GRACE_MS if later(ns) else 0
    return escrow["paid_at_ms"] + (escrow["max_delivery"] or DEFAULT_MAX_DELIVERY) * unit + grace


def claim_funds(ns, seller_id, token) -> dict:
    """The seller takes the funds once the delivery window has passed on the namespace clock
    without the buyer confirming: `CLAIMED` (and `CLOSED`, per the status reference)."""
    seller_id = acting_seller(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "claim")
    if ns.now_ms() < claim_window_ends_ms(ns, escrow):
        raise BadRequest(errors.CANNOT_CLAIM_YET)
    release_to_seller(ns, escrow, "claim")
    escrow["approved_claim_by"] = seller_id
    close(ns, escrow, "claim")
    return escrow


def set_additional_fee(ns, token, data: dict) -> dict:
    """[B] PUT /v1/escrow/additional-fee/{token}: the merchant's delivery fee on a standard
    escrow not yet paid (0 clears it), and whether a refund gives it back to the buyer. The
    buyer then owes amount + buyer fee share + additional fee; it is held with the escrow and
    goes to the merchant wallet on completion. Milestone and vault escrows take none."""
    require_super_admin(ns)
    escrow = escrow_by_token(ns, token)
    if escrow["settlement_type"] != STANDARD:
        raise BadRequest(errors.ADDITIONAL_FEE_STANDARD_ONLY)
    lifecycle.next_status(escrow, "set_additional_fee")
    escrow["additional_fee"] = exact_hundredths(data["additional_fee"])
    if data.get("additional_fee_refundable") is not None:
        escrow["additional_fee_refundable"] = data["additional_fee_refundable"]
    transition(ns, escrow, "set_additional_fee", ns.now_ms())
    return escrow


# -- escrow lists ------------------------------------------------------------------------------


@dataclass
class EscrowList(Page):
    """A page of escrows and whose list it is (`isSeller` is relative to that party)."""

    viewer_id: str | None = None


def list_transactions(ns, customer_id, query: dict) -> EscrowList:
    """The caller's escrows: `type=sales` as seller, `type=buy` as buyer; filters `status`,
    `categoryId`; newest first. Without `customer-id` the merchant's own escrows: [A] cannot
    create any (create requires `customer-id`), so its list is empty; [B] lists those its
    business account sells (it never buys: paying needs `customer-id`)."""
    if query.get("type") not in ("sales", "buy"):
        # [B]: a missing or invalid `type` is refused with a 401.
        raise errors.Unauthorized(errors.LIST_TYPE_REQUIRED)
    if customer_id is not None:
        require_customer(ns, customer_id)
    elif later(ns):
        customer_id = ns.get_merchant()["id"]
    else:
        return EscrowList([], 0, query["page"], query["limit"])
    party = "seller_id" if query["type"] == "sales" else "buyer_id"
    page = escrow_page(ns, query, Filter.where(**{party: customer_id}, status=query.get("status"),
                                               category_id=query.get("category_id")))
    return EscrowList(page.items, page.count, page.page, page.limit, viewer_id=customer_id)


def list_feeds(ns, query: dict) -> Page:
    """Every escrow of the merchant's customers (`/v1/escrow/feeds`) with its filters; without
    any filter only the page itself is visited."""
    filters = ("status", "category_id", "customer_id", "payment_token", "from_date", "to_date")
    if not any(query.get(name) is not None for name in filters):
        return escrow_page(ns, query, None)
    where = Filter.where(status=query.get("status"), category_id=query.get("category_id"),
                         payment_token=query.get("payment_token")) & created_within(query)
    if query.get("customer_id") is not None:
        where &= Filter(any_field=(("seller_id", "buyer_id"), query["customer_id"]))
    return escrow_page(ns, query, where)
