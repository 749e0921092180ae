"""Customers of the merchant and their wallets: creation, lookup, permissions, status, funding
(docs.payluk.ng merchant-customers). Every service takes the namespace `ns` (the port in
sandbox/store/base.py), reads "now" from its clock only, checks every precondition first and
then mutates; the caller holds the namespace lock, which makes each call atomic."""

from sandbox.domain import catalog, errors, ledger, profiles
from sandbox.domain.errors import BadRequest, NotFound
from sandbox.domain.listings import Page, paginate
from sandbox.domain.money import naira_to_kobo
from sandbox.ids import is_object_id
from sandbox.store.base import Filter


def require_customer(ns, customer_id) -> dict:
    """The customer a `customer-id` header names: unknown -> 404, blocked -> 401 ([B] messages)."""
    customer = ns.get("customers", customer_id) if is_object_id(customer_id) else None
    if customer is None:
        raise NotFound(errors.CUSTOMER_NOT_FOUND)
    if customer["status"] == "blocked":
        raise errors.Unauthorized(errors.ACCOUNT_DISABLED)
    return customer


def require_permission(customer: dict, permission: str) -> None:
    """merchant-customers: `canSell: false` blocks selling, `canBuy: false` buying (401, the
    documented code for a disallowed action; Payluk gives no message, so `Access denied`)."""
    if not customer["permissions"][permission]:
        raise errors.Unauthorized(errors.ACCESS_DENIED)


def _require_email_free(ns, email: str, owner_id: str | None = None) -> None:
    """E-mails are unique per namespace (another customer's -> 400)."""
    if any(c["id"] != owner_id for c in ns.find("customers", Filter(equal={"email": email}))):
        raise BadRequest(errors.CUSTOMER_EMAIL_TAKEN)


def _country_id(ns, value):
    """[B] `countryId` is optional and, when sent, must name a country of `/v1/countries` by its
    id or ISO code (400 `Country not found`); kept as the country's code or id, as it matched.
    [A] stores what was sent (it documents no check)."""
    if value is None or not profiles.later(ns):
        return value
    country = catalog.find_country(value)
    if country is None:
        raise BadRequest(errors.COUNTRY_NOT_FOUND)
    return country["id"] if value.strip().lower() == country["id"] else country["code"]


def create_customer(ns, data: dict, customer_id: str | None = None) -> dict:
    """Onboard a merchant customer (role `merchant_user`); e-mails are unique per namespace."""
    email = data["email"].strip().lower()
    _require_email_free(ns, email)
    if customer_id is not None and ns.get("customers", customer_id) is not None:
        raise BadRequest(errors.CUSTOMER_ID_TWICE.format(customer_id=customer_id))
    country_id = _country_id(ns, data.get("country_id"))
    now = ns.now_ms()
    permissions = data.get("permissions") or {}
    customer = {
        "id": customer_id or ns.new_id(),
        "firstname": data["firstname"],
        "lastname": data["lastname"],
        "email": email,
        "phone": data["phone"],
        "country_id": country_id,
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


def find_by_phone(ns, phone: str) -> dict | None:
    """The first customer (in creation order) whose phone is `phone`, with or without the
    country prefix or trunk 0; None when none is."""
    wanted = _national_number(phone)
    return next((c for c in ns.all("customers") if wanted and _national_number(c["phone"]) == wanted), None)


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


def require_route_access(ns, open_to_any_business: bool) -> None:
    """Who may call a route. [A]: only the customer routes need a super-admin key (their services
    say so). [B] (payluk-api.md §1, docs.payluk.ng authentication): any approved business key
    may call only the Escrow, Milestone-Escrow and Category routes; every other route
    (customers, wallet, merchant account, confirm, disputes, additional fee, vault, payments,
    cards, countries, whitelist) needs a super-admin key, else 401 `Access denied`."""
    if not open_to_any_business and profiles.later(ns):
        require_super_admin(ns)


def update_customer(ns, customer_id, changes: dict) -> dict:
    """[B] `PUT /v1/customer/update/{id}`: change `firstname`, `lastname` and / or `email` (at
    least one, the schema says); the e-mail stays unique per namespace as on create."""
    customer = get_customer(ns, customer_id)
    changes = dict(changes)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        _require_email_free(ns, changes["email"], customer["id"])
    customer.update(changes)
    customer["updated_at_ms"] = ns.now_ms()
    ns.save("customers", customer)
    return customer


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
    """Balances in kobo, straight from the ledger: main (spendable) and escrow (held as buyer).
    [B] adds `id`, `createdAt`, `updatedAt`: one wallet per customer, so its id is the
    customer's (as the merchant wallet's is the merchant's); it was opened with the customer
    and last updated by the latest posting that moved either balance."""
    customer = require_customer(ns, customer_id)
    main, escrow = ledger.main_account(customer["id"]), ledger.escrow_account(customer["id"])
    wallet = {"main": ns.balance(main), "escrow": ns.balance(escrow)}
    if profiles.later(ns):
        moved = [p["at_ms"] for p in ns.postings() if any(account in (main, escrow) for account, _ in p["entries"])]
        created = customer["created_at_ms"]
        wallet.update(id=customer["id"], created_at_ms=created, updated_at_ms=max([created, *moved]))
    return wallet


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
