"""Merchant-customer and wallet routes (docs.payluk.ng/api-reference/merchant-customers).

All of them need a super-admin merchant key ([A]); a key made with the `sk_test_limited_`
prefix belongs to a merchant without those rights and gets 401 `Access denied`. Profile
2026-10 ([B]) adds `PUT /v1/customer/update/{id}`, answers the whole customer object from the
permissions and block routes, adds `id`/`createdAt`/`updatedAt` to the wallet, and refuses a
`customer-id` header on the customer-management routes (payluk-api.md §1)."""

from flask import Blueprint, g, request

from sandbox.api.documented import SUPER, Tag, doc, introduced, variant
from sandbox.api.http import call, customer_header, envelope, json_body, no_customer_header, pagination
from sandbox.domain import customers
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import answers as out
from sandbox.schemas import customer as cus
from sandbox.schemas import payment as pay
from sandbox.schemas.base import load
from sandbox.schemas.customer import (
    BLOCK,
    CUSTOMER,
    CUSTOMER_CREATE,
    CUSTOMER_LIST_QUERY,
    CUSTOMER_UPDATE,
    CUSTOMERS,
    PERMISSIONS_UPDATE,
    WALLET_LATER,
)
from sandbox.schemas.payment import WALLET_BALANCES

bp = Blueprint("customers", __name__)

COUNTRY = ((400, E.COUNTRY_NOT_FOUND),)


def _as_super_admin(service, *args):
    def run(ns, *inner):
        customers.require_super_admin(ns)
        return service(ns, *inner)

    return call(run, *args)


def _managing() -> None:
    """[B] customer management takes no `customer-id` (checked before the body is read)."""
    no_customer_header(since=OCTOBER)


def _later() -> bool:
    """Whether the answer is the 2026-10 one (`call` noted the namespace's profile)."""
    return g.profile >= OCTOBER


@bp.post("/v1/customer/create")
@doc(Tag.CUSTOMERS, "Create a merchant customer", data=cus.CustomerSchema, status=201,
     message="Customer created successfully", body=cus.CustomerCreateSchema,
     errors=SUPER + ((400, E.CUSTOMER_EMAIL_TAKEN),))
@variant(OCTOBER, errors=SUPER + ((400, E.CUSTOMER_EMAIL_TAKEN),) + COUNTRY, customer="absent")
def create_customer():
    _managing()
    data = load(CUSTOMER_CREATE, json_body())
    customer = _as_super_admin(customers.create_customer, data)
    return envelope(201, "Customer created successfully", CUSTOMER.dump(customer))


@bp.get("/v1/customers")
@doc(Tag.CUSTOMERS, "List the merchant's customers (or find one by email / phone)", data=out.CustomerPageSchema,
     message="Customers fetched successfully", query=cus.CustomerListQuerySchema,
     errors=SUPER + ((400, E.NO_CUSTOMER_WITH_EMAIL), (400, E.NO_CUSTOMER_WITH_PHONE)))
@variant(OCTOBER, customer="absent")
def list_customers():
    _managing()
    query = load(CUSTOMER_LIST_QUERY, request.args.to_dict())
    page = _as_super_admin(customers.list_customers, query["page"], query["limit"], query.get("email"),
                           query.get("phone"))
    # docs.payluk.ng list-merchant-customers: this list puts `pagination` before `data`.
    return envelope(200, "Customers fetched successfully",
                    {"pagination": pagination(page), "data": CUSTOMERS.dump(page.items)})


@bp.get("/v1/customer/get/<customer_id>")
@bp.get("/v1/customer/<segment:customer_id>")
@doc(Tag.CUSTOMERS, "One customer ([B] path)", data=cus.CustomerSchema, message="Customers fetched successfully",
     errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),), rule="/v1/customer/<segment:customer_id>")
@doc(Tag.CUSTOMERS, "One customer ([A] path)", data=cus.CustomerSchema, message="Customers fetched successfully",
     errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),), rule="/v1/customer/get/<customer_id>")
@variant(OCTOBER, customer="absent", rule="/v1/customer/<segment:customer_id>")
@variant(OCTOBER, customer="absent", rule="/v1/customer/get/<customer_id>")
def get_customer(customer_id):
    _managing()
    customer = _as_super_admin(customers.get_customer, customer_id.lower())
    return envelope(200, "Customers fetched successfully", CUSTOMER.dump(customer))


@bp.put("/v1/customer/permissions/<customer_id>")
@doc(Tag.CUSTOMERS, "Change a customer's canBuy / canSell / canWithdraw", data=out.PermissionsResultSchema,
     message="Customers fetched successfully", body=cus.PermissionsUpdateSchema,
     errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),))
@variant(OCTOBER, data=cus.CustomerSchema, customer="absent")
def update_permissions(customer_id):
    _managing()
    changes = load(PERMISSIONS_UPDATE, json_body())
    customer = _as_super_admin(customers.update_permissions, customer_id.lower(), changes)
    answer = CUSTOMER.dump(customer)
    if not _later():
        answer = {"id": customer["id"], **answer["permissions"]}
    return envelope(200, "Customers fetched successfully", answer)


@bp.put("/v1/customer/update/<customer_id>")
@introduced(OCTOBER)
@doc(Tag.CUSTOMERS, "Change a customer's firstname / lastname / email ([B])", data=cus.CustomerSchema,
     message="Customer updated successfully", body=cus.CustomerUpdateSchema, customer="absent",
     errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND), (400, E.CUSTOMER_EMAIL_TAKEN)))
def update_customer(customer_id):
    no_customer_header()
    changes = load(CUSTOMER_UPDATE, json_body())
    customer = _as_super_admin(customers.update_customer, customer_id.lower(), changes)
    return envelope(200, "Customer updated successfully", CUSTOMER.dump(customer))


def _set_status(customer_id, status, reason=None):
    customer = _as_super_admin(customers.set_customer_status, customer_id.lower(), status, reason)
    answer = CUSTOMER.dump(customer) if _later() else {"id": customer["id"], "status": customer["status"]}
    return envelope(200, "Customers status updated successfully", answer)


STATUS_LATER = {"data": cus.CustomerSchema, "customer": "absent"}


@bp.put("/v1/customer/block/<customer_id>")
@doc(Tag.CUSTOMERS, "Block a customer", data=out.CustomerStatusSchema, message="Customers status updated successfully",
     body=cus.BlockSchema, errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),))
@variant(OCTOBER, **STATUS_LATER)
def block_customer(customer_id):
    _managing()
    body = load(BLOCK, json_body())
    return _set_status(customer_id, "blocked", body.get("blocked_reason") or body.get("reason"))


@bp.put("/v1/customer/unblock/<customer_id>")
@doc(Tag.CUSTOMERS, "Unblock a customer", data=out.CustomerStatusSchema,
     message="Customers status updated successfully", body=cus.BlockSchema,
     errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),))
@variant(OCTOBER, **STATUS_LATER)
def unblock_customer(customer_id):
    _managing()
    load(BLOCK, json_body())
    return _set_status(customer_id, "active")


@bp.get("/v1/wallet")
@doc(Tag.CUSTOMERS, "The customer's main and escrow balances", data=pay.WalletSchema,
     message="Wallet fetched successfully", customer="required", errors=SUPER)
@variant(OCTOBER, data=cus.WalletLaterSchema)
def get_wallet():
    customer_id = customer_header()
    wallet = _as_super_admin(customers.get_wallet, customer_id)
    return envelope(200, "Wallet fetched successfully", (WALLET_LATER if _later() else WALLET_BALANCES).dump(wallet))
