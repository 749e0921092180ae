"""Categories, countries, debit cards and the crypto whitelist (payluk-api.md §5.6-§5.9).

Categories are merchant-level (one ordered list per namespace, `category_position` always
1..n); cards and whitelisted addresses belong to one merchant customer. Like every
service, each function checks all of its preconditions before it changes anything.
"""

import json
from pathlib import Path

from sandbox.domain import customers, errors, listings, profiles, uploads
from sandbox.domain.errors import BadRequest, Forbidden
from sandbox.ids import is_object_id

COUNTRIES_FILE = Path(__file__).resolve().parent.parent / "data" / "countries.json"

# Sandbox choice: Payluk says "400 when limit reached" but not the limit.
WHITELIST_LIMIT = 5
# The cNGN rail is BEP-20 on BSC ([B] `network`: "BSC"); no other network is documented.
WHITELIST_NETWORKS = ("BSC",)


# -- categories ------------------------------------------------------------------------------


def category_caller(ns, customer_id) -> None:
    """Categories are the merchant's. [A] accepts a `customer-id` header and ignores it; [B]
    takes it optionally (payluk-api.md §1: absent, the merchant's business account acts) and
    checks one that is sent like every customer-id (404 unknown, 401 blocked)."""
    if customer_id is not None and profiles.later(ns):
        customers.require_customer(ns, customer_id)


def require_category(ns, category_id) -> dict:
    """The merchant's category with this id; unknown or malformed -> 400 `Category not found`."""
    category = ns.get("categories", category_id) if is_object_id(category_id) else None
    if category is None:
        raise BadRequest(errors.CATEGORY_NOT_FOUND)
    return category


def _ordered(ns) -> list[dict]:
    return sorted(ns.all("categories"), key=lambda c: (c["position"], c["created_at_ms"]))


def _check_name_free(ns, name: str, own_id: str | None = None) -> None:
    """Names are unique per merchant, case-insensitively (sandbox choice)."""
    wanted = name.strip().lower()
    if any(c["name"].strip().lower() == wanted and c["id"] != own_id for c in ns.all("categories")):
        raise BadRequest(errors.CATEGORY_NAME_TAKEN)


def _image_url(category_id: str, filename: str) -> str:
    return uploads.cdn_url("category", category_id, filename, "png")


def _place(ns, category: dict, position: int | None) -> None:
    """Save `category` at `position` (None or past the end = last) and renumber the rest so
    positions stay 1..n with no gaps; the others keep their relative order."""
    others = [c for c in _ordered(ns) if c["id"] != category["id"]]
    index = len(others) if position is None else min(position, len(others) + 1) - 1
    others.insert(index, category)
    for number, item in enumerate(others, start=1):
        if item is category or item["position"] != number:
            item["position"] = number
            ns.save("categories", item)


def create_category(ns, data: dict, customer_id=None) -> dict:
    """A category; `category_position` inserts it there (others shift down), else it goes last."""
    category_caller(ns, customer_id)
    _check_name_free(ns, data["name"])
    now = ns.now_ms()
    category = {
        "id": data.get("id") or ns.new_id(),
        "name": data["name"],
        "description": data.get("description"),
        "image_url": data.get("image_url"),
        "position": 0,
        "created_at_ms": now,
        "updated_at_ms": now,
    }
    if data.get("image_file") is not None:
        category["image_url"] = _image_url(category["id"], data["image_file"])
    _place(ns, category, data.get("category_position"))
    return category


def edit_category(ns, category_id, data: dict, customer_id=None) -> dict:
    """Change the fields sent (all optional); a new cover replaces the old one."""
    category_caller(ns, customer_id)
    category = require_category(ns, category_id)
    if "name" in data:
        _check_name_free(ns, data["name"], own_id=category["id"])
    for key in ("name", "description", "image_url"):
        if key in data:
            category[key] = data[key]
    if data.get("image_file") is not None:
        category["image_url"] = _image_url(category["id"], data["image_file"])
    category["updated_at_ms"] = ns.now_ms()
    if "category_position" in data:
        _place(ns, category, data["category_position"])
    else:
        ns.save("categories", category)
    return category


def list_categories(ns, page: int, limit: int, customer_id=None):
    """The merchant's categories by `category_position`, one page."""
    category_caller(ns, customer_id)
    return listings.paginate(_ordered(ns), page, limit)


def get_category(ns, category_id, customer_id=None) -> dict:
    category_caller(ns, customer_id)
    return require_category(ns, category_id)


def update_category_position(ns, category_id, new_position: int, customer_id=None) -> dict:
    """docs.payluk.ng update-category-position: move one category; the others shift so the
    positions stay 1..n. A position past the end means last."""
    category_caller(ns, customer_id)
    category = require_category(ns, category_id)
    category["updated_at_ms"] = ns.now_ms()
    _place(ns, category, new_position)
    return category


def delete_category(ns, category_id, customer_id=None) -> dict:
    """Remove a category and close the gap. Escrows filed under it keep the snapshot they
    took when they were created or edited, so deleting a category in use is allowed."""
    category_caller(ns, customer_id)
    category = require_category(ns, category_id)
    ns.delete("categories", category["id"])
    for number, item in enumerate(_ordered(ns), start=1):
        if item["position"] != number:
            item["position"] = number
            ns.save("categories", item)
    return category


# -- countries --------------------------------------------------------------------------------

_COUNTRIES: list[dict] | None = None


def countries() -> list[dict]:
    """The fixed country list (sandbox/data/countries.json), Nigeria first."""
    global _COUNTRIES
    if _COUNTRIES is None:
        rows = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))
        _COUNTRIES = [{"id": r["id"], "name": r["name"], "code": r["code"], "dial_code": r["dialCode"],
                       "currency": r["currency"]} for r in rows]
    return [dict(country) for country in _COUNTRIES]


def list_countries(ns) -> list[dict]:
    """Countries are the same for every merchant; `ns` is unused."""
    return countries()


def find_country(value) -> dict | None:
    """A country by its id or ISO alpha-2 code (what [B] takes as `countryId`), or None."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    return next((c for c in countries() if wanted in (c["id"], c["code"].lower())), None)


# -- debit cards (feature-gated) ------------------------------------------------------------------


def _require_cards_feature(ns) -> None:
    """docs.payluk.ng debit-cards: 403 unless the merchant has the cards feature; checked
    before the `customer-id` header, so a merchant without it learns that first."""
    merchant = ns.get_merchant() or {}
    if not (merchant.get("features") or {}).get("cards"):
        raise Forbidden(errors.FEATURE_NOT_ENABLED)


def _card_owner(ns, customer_id):
    _require_cards_feature(ns)
    if customer_id is None:
        raise BadRequest(errors.CUSTOMER_ID_REQUIRED)
    return customers.require_customer(ns, customer_id)


def list_cards(ns, customer_id) -> list[dict]:
    """The customer's saved cards, oldest first."""
    customer = _card_owner(ns, customer_id)
    return [c for c in ns.all("cards") if c["customer_id"] == customer["id"]]


def require_card(ns, customer_id: str, card_id) -> dict:
    """One of this customer's cards; unknown, malformed or another customer's -> 400."""
    card = ns.get("cards", card_id) if is_object_id(card_id) else None
    if card is None or card["customer_id"] != customer_id:
        raise BadRequest(errors.CARD_NOT_FOUND)
    return card


def delete_card(ns, customer_id, card_id) -> dict:
    """Remove one of the caller's saved cards."""
    customer = _card_owner(ns, customer_id)
    card = require_card(ns, customer["id"], card_id)
    ns.delete("cards", card["id"])
    return card


# -- crypto whitelist ---------------------------------------------------------------------------


def list_whitelist(ns, customer_id) -> list[dict]:
    """The customer's whitelisted withdrawal addresses, oldest first."""
    customer = customers.require_customer(ns, customer_id)
    return [w for w in ns.all("whitelist") if w["customer_id"] == customer["id"]]


def add_whitelist_address(ns, customer_id, data: dict) -> dict:
    """Whitelist an address for the customer: unique per customer (EVM addresses compare
    case-insensitively), at most WHITELIST_LIMIT of them."""
    customer = customers.require_customer(ns, customer_id)
    mine = [w for w in ns.all("whitelist") if w["customer_id"] == customer["id"]]
    if any(w["address"].lower() == data["address"].lower() for w in mine):
        raise BadRequest(errors.WHITELIST_DUPLICATE)
    if len(mine) >= WHITELIST_LIMIT:
        raise BadRequest(errors.WHITELIST_LIMIT_REACHED)
    entry = {
        "id": ns.new_id(),
        "customer_id": customer["id"],
        "address": data["address"],
        "network": data.get("network") or WHITELIST_NETWORKS[0],
        "label": data.get("label"),
        "created_at_ms": ns.now_ms(),
    }
    ns.save("whitelist", entry)
    return entry


def delete_whitelist_address(ns, customer_id, address_id) -> dict:
    """Remove one of the caller's addresses; unknown or another customer's -> 400."""
    customer = customers.require_customer(ns, customer_id)
    entry = ns.get("whitelist", address_id) if is_object_id(address_id) else None
    if entry is None or entry["customer_id"] != customer["id"]:
        raise BadRequest(errors.WHITELIST_ADDRESS_NOT_FOUND)
    ns.delete("whitelist", entry["id"])
    return entry


# -- fixtures ---------------------------------------------------------------------------------


def seed(ns, fixture: dict) -> None:
    """Replay the catalogue part of a validated fixture set: categories (in file order,
    placed at their `category_position` when given) and saved cards."""
    for spec in fixture.get("categories") or []:
        create_category(ns, spec)
    now = ns.now_ms()
    for spec in fixture.get("cards") or []:
        ns.save("cards", {
            "id": spec["id"],
            "customer_id": spec["customer_id"],
            "last4": spec["last4"],
            "brand": spec["brand"],
            "created_at_ms": now,
        })
