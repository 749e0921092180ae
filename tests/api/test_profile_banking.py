"""Profile 2026-10 ([B]): the small /v1/payment routes — the bank list, the phone check, the master
cNGN deposit wallet, the deprecated virtual account (410) and the top-up's 1 000-100 000 range —
with what 2026-06 answers for the same requests (payluk-api.md §5.5, §7)."""

import re
from urllib.parse import unquote

import pytest

from sandbox.domain import errors as E
from sandbox.domain.banking import deposit_address
from tests.conftest import BUYER, KEY, LATER, SELLER, UNKNOWN_ID

BANK_LIST = "/v1/payment/bank-list"
DEPOSIT_WALLET = "/v1/payment/deposit/wallet"
MASTER_WALLET = "/v1/payment/get-master-wallet-address"
VIRTUAL_ACCOUNT = "/v1/payment/virtual-account"
TOPUP = "/v1/payment/topup"
BUYER_PHONE = "08031230031"  # the default fixture set's Tunde Bakare
DAY = 86_400


def verify_phone(http, phone, customer=SELLER):
    return http.get(f"/v1/payment/verify-phone/{phone}", customer=customer)


def advance(http, seconds):
    assert http.post("/_sandbox/clock/advance", json={"seconds": seconds}).status == 200


# -- GET /v1/payment/bank-list --------------------------------------------------------------------


def test_list_banks(later):
    reply = later.http.get(BANK_LIST, customer=BUYER)
    assert (reply.status, reply.body["message"]) == (200, "Banks fetched successfully")
    banks = reply.data
    assert all(list(bank) == ["name", "code"] for bank in banks)
    assert {"name": "Access Bank", "code": "044"} in banks
    assert {"name": "Guaranty Trust Bank", "code": "058"} in banks
    assert {"name": "Safe Haven Microfinance Bank", "code": "090286"} in banks  # [A]'s virtual account bank
    assert len({b["code"] for b in banks}) == len({b["name"] for b in banks}) == len(banks)
    assert all(re.fullmatch(r"\d{3}|\d{6}", b["code"]) for b in banks)
    assert [b["name"] for b in banks] == sorted(b["name"] for b in banks)
    assert later.http.get(BANK_LIST, customer=SELLER).data == banks


def test_list_banks__customer_id(later):
    later.error(later.http.get(BANK_LIST), 400, E.CUSTOMER_ID_REQUIRED)
    later.error(later.http.get(BANK_LIST, customer=UNKNOWN_ID), 404, E.CUSTOMER_NOT_FOUND)
    assert later.http.post("/_sandbox/helpers/block-customer", json={"customerId": BUYER}).status == 200
    later.error(later.http.get(BANK_LIST, customer=BUYER), 401, E.ACCOUNT_DISABLED)


# -- GET /v1/payment/verify-phone/{phone} -----------------------------------------------------------


@pytest.mark.parametrize("phone", [BUYER_PHONE, "2348031230031", "+2348031230031", "8031230031"])
def test_verify_phone(later, phone):
    reply = verify_phone(later.http, phone)
    assert (reply.status, reply.body["message"]) == (200, "Phone number verified successfully")
    assert reply.data == {"phone": phone, "exists": True, "customerId": BUYER, "name": "Tunde Bakare"}


def test_verify_phone__no_customer(later):
    reply = verify_phone(later.http, "08099999999")
    assert (reply.status, reply.data) == (200, {"phone": "08099999999", "exists": False, "customerId": None,
                                                "name": None})


def test_verify_phone__a_customer_made_later(later):
    customer = later.create_customer({"firstname": "Amaka", "lastname": "Obi", "email": "amaka@example.com",
                                      "phone": "+2348099990000"})
    assert verify_phone(later.http, "08099990000").data["customerId"] == customer["id"]


@pytest.mark.parametrize("phone", ["abc", "123456", "0803123003100000", "+", "08031 230031", "%2B%2B0803123"])
def test_verify_phone__not_a_phone(later, phone):
    later.error(verify_phone(later.http, phone), 400, E.PHONE_INVALID)


def test_verify_phone__customer_id(later):
    later.error(verify_phone(later.http, BUYER_PHONE, customer=None), 400, E.CUSTOMER_ID_REQUIRED)
    later.error(verify_phone(later.http, BUYER_PHONE, customer=UNKNOWN_ID), 404, E.CUSTOMER_NOT_FOUND)


# -- GET /v1/payment/deposit/wallet ---------------------------------------------------------------


def test_get_deposit_wallet(later):
    reply = later.http.get(DEPOSIT_WALLET, customer=BUYER)
    assert (reply.status, reply.body["message"]) == (200, "Deposit wallet fetched successfully")
    wallet = reply.data
    address = wallet["address"]
    assert re.fullmatch(r"0x[0-9a-f]{40}", address)
    assert address == deposit_address(KEY)
    assert (wallet["network"], wallet["chainId"], wallet["currency"]) == ("BSC", 97, "cNGN")
    assert wallet["explorerUrl"] == f"https://testnet.bscscan.com/address/{address}"
    assert wallet["qrCode"].startswith("data:image/svg+xml;charset=utf-8,")
    svg = unquote(wallet["qrCode"].split(",", 1)[1])
    assert svg.startswith("<svg") and address[:22] in svg and address[22:] in svg
    # The master address: the same for every customer, across resets, and under the changelog's name.
    assert later.http.get(DEPOSIT_WALLET, customer=SELLER).data == wallet
    assert later.http.post("/_sandbox/reset", json={}).status == 200
    assert later.http.get(MASTER_WALLET, customer=BUYER).data == wallet


def test_get_deposit_wallet__per_namespace(later_http):
    other = "sk_test_other_cust"
    assert later_http.put("/_sandbox/profile", key=other, json={"profile": LATER}).status == 200
    later_http.profiles[other] = LATER
    mine = later_http.get(DEPOSIT_WALLET, customer=BUYER).data["address"]
    theirs = later_http.get(DEPOSIT_WALLET, key=other, customer=BUYER).data["address"]
    assert mine != theirs and theirs == deposit_address(other)


def test_get_deposit_wallet__customer_id(later):
    later.error(later.http.get(DEPOSIT_WALLET), 400, E.CUSTOMER_ID_REQUIRED)
    later.error(later.http.get(DEPOSIT_WALLET, customer=UNKNOWN_ID), 404, E.CUSTOMER_NOT_FOUND)


@pytest.mark.parametrize("path", [BANK_LIST, f"/v1/payment/verify-phone/{BUYER_PHONE}", DEPOSIT_WALLET, MASTER_WALLET])
def test_banking_routes__not_in_2026_06(api, path):
    api.error(api.http.get(path, customer=BUYER), 404, E.ROUTE_NOT_FOUND)


# -- POST /v1/payment/virtual-account: 410 ----------------------------------------------------------


@pytest.mark.parametrize("customer, body", [(BUYER, None), (BUYER, {"amount": 50000}), (None, None),
                                            (UNKNOWN_ID, {"amount": "x"})])
def test_generate_virtual_account__gone(later, customer, body):
    before = later.http.get("/_sandbox/state").data
    later.error(later.http.post(VIRTUAL_ACCOUNT, customer=customer, json=body), 410, E.ROUTE_DEPRECATED)
    assert later.http.get("/_sandbox/state").data == before


def test_generate_virtual_account__2026_06_unchanged(api):
    reply = api.http.post(VIRTUAL_ACCOUNT, customer=BUYER, json={"amount": 50000})
    assert (reply.status, reply.body["message"]) == (200, "Virtual account generated successfully")
    assert (reply.data["bank"], reply.data["bankCode"]) == ("SAFE HAVEN SANDBOX BANK", "090286")


# -- POST /v1/payment/topup: 1 000-100 000 ------------------------------------------------------------


@pytest.mark.parametrize("amount, message", [(999, E.AMOUNT_AT_LEAST_1000), (1, E.AMOUNT_AT_LEAST_1000),
                                             (100001, E.TOPUP_AMOUNT_AT_MOST), (5_000_000, E.TOPUP_AMOUNT_AT_MOST)])
def test_top_up__out_of_range(later, amount, message):
    later.error(later.http.post(TOPUP, customer=BUYER, json={"amount": amount}), 400, message)
    assert later.wallet(BUYER)["mainBalance"] == 5_000_000
    # A refused amount does not use up the day's top-up.
    assert later.http.post(TOPUP, customer=BUYER, json={"amount": 1000}).status == 200


@pytest.mark.parametrize("amount", [1000, 100000])
def test_top_up__bounds(later, amount):
    reply = later.http.post(TOPUP, customer=BUYER, json={"amount": amount})
    assert (reply.status, reply.data) == (200, {"mainBalance": 5_000_000 + amount})
    later.error(later.http.post(TOPUP, customer=BUYER, json={"amount": amount}), 401, E.TOPUP_ONCE_A_DAY)
    advance(later.http, DAY)
    assert later.http.post(TOPUP, customer=BUYER, json={"amount": amount}).status == 200


@pytest.mark.parametrize("amount", [1, 999, 100001, 5_000_000])
def test_top_up__2026_06_takes_any_whole_amount(api, amount):
    reply = api.http.post(TOPUP, customer=BUYER, json={"amount": amount})
    assert (reply.status, reply.data) == (200, {"mainBalance": 5_000_000 + amount})
