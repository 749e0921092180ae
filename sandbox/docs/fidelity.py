"""The fidelity report as data: every documented Payluk route and behaviour, what the sandbox does.

Each entry names a Payluk route or behaviour from the docs (/work/shared/payluk-api.md §1–§7:
[A] the mid-2026 docs.payluk.ng, [B] the later docs and their openapi.json, [L] the legacy
readme), whether the sandbox emulates it, and the choice it took where the docs are silent (the
wording of README "Fidelity and limitations"). `python -m sandbox.docs.fidelity` renders it to
docs/fidelity.md; tests/contract/test_fidelity.py keeps that file, this data and the app's
url_map in step, so the report cannot drift from the code.
"""

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

EMULATED = "emulated"
PARTIAL = "partial"
NOT_EMULATED = "not emulated"
ABSENT = "not in these docs"  # a [B] route or rule, in the profile of the [A] docs
STATUSES = (EMULATED, PARTIAL, NOT_EMULATED, ABSENT)
# One status column per API profile (sandbox/domain/profiles.py): the [A] docs, the [B] docs.
PROFILES = ("2026-06", "2026-10")

# The report's sections, in this order.
AREAS = (
    "Standard escrows",
    "Milestone escrows",
    "Disputes",
    "Customers & wallet",
    "Payments",
    "Cards",
    "Whitelist",
    "Categories",
    "Countries",
    "Checkout",
    "Webhooks",
    "Auth & headers",
    "Envelope & errors",
    "Test mode",
)

DOCS = "docs.payluk.ng"
REPORT = Path("docs") / "fidelity.md"
COMMAND = "python -m sandbox.docs.fidelity"


@dataclass(frozen=True)
class Entry:
    """One row: a route (`method` + `path`, docs notation `{param}`) or a behaviour (`what`), its
    status under profile 2026-06 (`status`) and 2026-10 (`later`; None: the same), and the
    sandbox's choice (`later_choice`: what differs under 2026-10)."""

    area: str
    what: str
    status: str
    source: str
    choice: str = ""
    method: str | None = None
    path: str | None = None
    later: str | None = None
    later_choice: str = ""

    @property
    def route(self) -> tuple[str, str] | None:
        return (self.method, route_pattern(self.path)) if self.method else None

    def status_in(self, profile: str) -> str:
        return self.status if profile == PROFILES[0] or self.later is None else self.later


def route_pattern(path: str) -> str:
    """A path with its parameters blanked, so `/v1/x/{paymentToken}` matches Flask's `/v1/x/<token>`."""
    return re.sub(r"<[^>]*>|\{[^}]*\}", "{}", path)


def A(page: str | None = None) -> str:
    return f"[A] {DOCS}/{page}" if page else "[A]"


def B(page: str | None = None) -> str:
    return f"[B] {DOCS}/{page}" if page else "[B] openapi.json"


ENTRIES: list[Entry] = []


def route(area, method, path, status, source, choice="", later=None, later_choice=""):
    ENTRIES.append(Entry(area, f"`{method} {path}`", status, source, choice, method, path, later, later_choice))


def behaviour(area, what, status, source, choice="", later=None, later_choice=""):
    ENTRIES.append(Entry(area, what, status, source, choice, later=later, later_choice=later_choice))


# -- Standard escrows -----------------------------------------------------------------------------
AREA = "Standard escrows"
route(AREA, "POST", "/v1/escrow/create", EMULATED, A("api-reference/escrow/create-escrow"),
      "multipart (documented) or JSON (seen in clients); up to 5 `imageUrl` files or URLs, given "
      "CDN-style URLs (`https://cdn.payluk.ng/escrow/<id>.<ext>`, bytes not kept); `maxDelivery: 3`, "
      "`deliveryTimeline: \"days\"`, `totalQuantity: 1` by default; `customer-id` required ([A])")
route(AREA, "PUT", "/v1/escrow/edit/{paymentToken}", EMULATED, A("api-reference/escrow/edit-escrow"),
      "creator only, while `AWAITING_PAYMENT`; fields sent replace, images are appended (5 at most in "
      "all), fee recomputed; answers the full escrow (a superset of the documented partial object)")
route(AREA, "DELETE", "/v1/escrow/delete/{paymentToken}", EMULATED, A("api-reference/escrow/overview"),
      "no page of its own: creator only, while `AWAITING_PAYMENT` (standard or milestone); "
      "`Escrow deleted successfully` with `{id, paymentToken}`")
route(AREA, "GET", "/v1/escrow/verify/{paymentToken}", EMULATED, A("api-reference/escrow/verify-payment-token"),
      "`isSeller` relative to the `customer-id` sent; the full escrow, a superset of the documented one")
route(AREA, "POST", "/v1/escrow/confirm-payment/{escrowId}", EMULATED,
      A("api-reference/disputes/overview") + "; " + B("api-reference/disputes/buyer-confirm-payment-standard"),
      "paying buyer only, standard escrow `ONGOING` → `CLOSED`/`COMPLETED`; message "
      "`Escrow updated successfully` (from an integrator's fixture); refused while a dispute is open")
route(AREA, "GET", "/v1/escrow/claim-funds/{paymentToken}", EMULATED, A("api-reference/escrow/claim-funds"),
      "needs `paidAt + maxDelivery × deliveryTimeline` ≤ now on the namespace clock; `CLAIMED`/`CLOSED` (the "
      "status reference's state, not the example's `OPENED`), `approvedClaimBy` = the seller; refused while a "
      "dispute is open", later_choice="the window has [B]'s extra day (changelog of 2 Oct 2026)")
route(AREA, "GET", "/v1/escrow/transactions", EMULATED, A("api-reference/escrow/list-escrow-transactions"),
      "`type` missing or invalid → 401 ([B]); newest first; without `customer-id` the merchant's own "
      "escrows (none, since [A] create requires `customer-id`)")
route(AREA, "PUT", "/v1/escrow/additional-fee/{paymentToken}", ABSENT,
      B("api-reference/escrow/update-additional-fee"),
      "escrows carry `additionalFee: 0` and `additionalFeeRefundable: true` so [B] clients read them",
      later=EMULATED, later_choice="super-admin key, no `customer-id`; `additionalFee` ≥ 0 (2 dp, 0 clears), "
      "`additionalFeeRefundable` kept when not sent; milestone or vault escrow → 400 `Additional fees apply to "
      "standard escrows only`, once paid → `Action not allowed`; message `Additional fee updated successfully`")
route(AREA, "POST", "/v1/escrow/vault/create", ABSENT, B("concepts/vault-escrows"), later=EMULATED,
      later_choice="no `customer-id`, super-admin key; ≥ 2 unique active participants, stakes ≥ 1 (2 dp), pot ≥ 1000; "
                   "stakes move main → escrow balance all or nothing (`Insufficient balance`); born "
                   "`OPENED`/`ONGOING`, participants `STAKED`; fee = the escrow tariff on the pot, `whoPays: seller` "
                   "(the pot pays it); events `escrow.created`, `escrow.ongoing`; message `Vault escrow created "
                   "successfully` (undocumented)")
route(AREA, "POST", "/v1/escrow/vault/winner/{paymentToken}", ABSENT, B("concepts/vault-escrows"), later=EMULATED,
      later_choice="pot − fee to the winner, every participant `RELEASED`, `CLOSED`/`COMPLETED`, `escrow.completed`; "
                   "a non-participant → 400 `The winner must be a participant of this vault`")
route(AREA, "POST", "/v1/escrow/vault/cancel/{paymentToken}", ABSENT, B("concepts/vault-escrows"), later=EMULATED,
      later_choice="each stake back minus its pro-rata share of the fee (kobo rounded down; the few left over "
                   "go one each to the stakes that lost most to rounding), `REFUNDED`, `escrow.refunded`")
route(AREA, "GET", "/v1/escrow/vault/{paymentToken}", ABSENT, B("concepts/vault-escrows"), later=EMULATED,
      later_choice="a token of another kind → 400 `Escrow not found`; vault escrows carry `participants "
                   "[{customerId, amount, status}]` and `winnerId` (other escrows have neither key)")
route(AREA, "GET", "/api/v1/escrow/transactions", NOT_EMULATED, f"[L] {DOCS} (old single-page reference)",
      "the legacy `/api/v1` prefix answers 404 `Route not found`")
behaviour(AREA, "Lifecycle: `AWAITING_PAYMENT` → `OPENED` → `CLOSED`, statuses `PENDING`…`REFUNDED`",
          EMULATED, A("essentials/status-reference"),
          "the lifecycle is a table; wrong party or wrong state → 400 `Action not allowed`; no automatic "
          "release or expiry (none documented); `logs` lists the statuses an escrow has left")
behaviour(AREA, "Fee: 2.5 % of `amount`, split by `whoPays`", EMULATED, A("concepts/fees-and-settlement"),
          "computed in kobo, half a kobo rounded up; with `both` an odd kobo goes to the buyer; "
          "non-whole results render with two decimals")
behaviour(AREA, "Fee: 2 % + merchant commission, merchant wallet credits", ABSENT,
          B("concepts/fees-and-settlement"), "the [A] 2.5 % tariff applies; the fee is kept by Payluk",
          later=EMULATED, later_choice="2 % + the merchant's commission (fixture `merchant.commission`, 0–50 %, "
          "or `PUT /_sandbox/merchant`), each part rounded half up to the kobo; an escrow keeps the rates it was "
          "made with; on completion the commission and any additional fee go to the merchant wallet "
          "(`commission` / `delivery` transactions), the rest to Payluk; the commission is earned on every "
          "ruling too (\"the fee is never refunded\")")
behaviour(AREA, "Multi-quantity links (`totalQuantity` > 1) cloned on payment", EMULATED,
          A("concepts/multi-quantity-escrows"),
          "a standard API link is not funded itself: each payment mints a copy (own id, token, fee, "
          "lifecycle; `totalQuantity: 1`) and the link counts down; at 1 the next payment funds the link")
behaviour(AREA, "`paidAt` format", EMULATED, "[L] payluk.readme.io/reference/webhook; [B]",
          "a Unix-seconds string (`\"1782123300\"`), as later examples and webhooks show; other "
          "timestamps ISO-8601 with milliseconds and `Z`")

# -- Milestone escrows ----------------------------------------------------------------------------
AREA = "Milestone escrows"
route(AREA, "POST", "/v1/escrow/milestone/create", EMULATED,
      A("api-reference/milestone-escrow/create-milestone-escrow"),
      "JSON; ≥ 2 milestones, positive integer amounts summing to `amount`, `whoPays: buyer`, optional "
      "per-milestone beneficiary `customerId`; `maxDelivery`/`deliveryTimeline` stay `null` unless sent")
route(AREA, "PUT", "/v1/escrow/milestone/edit/{paymentToken}", EMULATED,
      A("api-reference/milestone-escrow/edit-milestone-escrow"),
      "full replacement while `AWAITING_PAYMENT`, creator only; fee recomputed, milestone ids regenerated")
route(AREA, "PUT", "/v1/escrow/milestone/convert/{paymentToken}", EMULATED,
      A("api-reference/milestone-escrow/convert-to-milestone"),
      "standard → milestone while `AWAITING_PAYMENT`; optional new `amount`; `whoPays` forced to `buyer`")
route(AREA, "GET", "/v1/escrow/milestone/{paymentToken}", EMULATED, A("api-reference/milestone-escrow/overview"),
      "`[]` for a standard escrow; message `Milestones fetched successfully` (undocumented)")
route(AREA, "POST", "/v1/escrow/milestone/confirm/{escrowId}/{milestoneId}", EMULATED,
      A("api-reference/milestone-escrow/overview") + "; " + B("api-reference/milestone-escrow/confirm-milestone"),
      "paying buyer only; releases to the seller's or the beneficiary's main balance; the last release "
      "closes the escrow; answers the escrow with `Milestone confirmed successfully` (undocumented)")
behaviour(AREA, "Milestones confirmed in strict order (earliest pending first)", ABSENT,
          B("changelog"), "any order, as [A]", later=EMULATED,
          later_choice="another milestone → 400 `Milestones must be confirmed in order` (wording undocumented)")
behaviour(AREA, "[B] milestone rules: `maxDelivery` (1–365) + `deliveryTimeline` required, `dueDate` in the future, "
          "amounts ≥ 1 with 2 decimals", ABSENT, B("api-reference/milestone-escrow/create-milestone-escrow"),
          later=EMULATED, later_choice="a `dueDate` must be after today's date (UTC) on the namespace clock; "
          "`Every milestone amount must be at least 1 with no more than 2 decimal places`, `Every milestone dueDate "
          "must be a date after today` (wording undocumented)")
behaviour(AREA, "Milestone escrows and multi-quantity cloning", EMULATED, A("concepts/multi-quantity-escrows"),
          "never cloned: a milestone escrow is funded once, in full")

# -- Disputes -------------------------------------------------------------------------------------
AREA = "Disputes"
route(AREA, "POST", "/v1/escrow/submit-dispute/{paymentToken}", EMULATED, A("api-reference/disputes/submit-dispute"),
      "multipart or JSON `message`, optional evidence `file` (a CDN-style `proofUrl`, bytes not kept); "
      "buyer opens (`DISPUTED`), seller replies once (`INVESTIGATING`); thread entries `{type, name, "
      "message, proofUrl, createdAt}` with the docs' `\"2026-06-22 10:30:00\"` datetime")
route(AREA, "GET", "/v1/escrow/dispute/get", EMULATED, A("api-reference/disputes/list-my-disputes"),
      "the customer's disputed escrows; `page`, `limit`, `paymentToken`, `fromDate`, `toDate`")
route(AREA, "GET", "/v1/escrow/dispute/get/{escrowId}", EMULATED,
      A("api-reference/disputes/get-dispute-by-escrow-id"), "for a party to the escrow only")
route(AREA, "GET", "/v1/escrow/all-dispute", EMULATED, A("api-reference/disputes/overview"),
      "no `customer-id`; [B] filters `paymentId`, `fromDate`, `toDate` too; message "
      "`Disputes fetched successfully` (undocumented)")
route(AREA, "GET", "/v1/escrow/feeds", EMULATED, A("api-reference/disputes/get-escrow-feeds"),
      "no `customer-id`; [B] `paymentToken` filter too")
route(AREA, "POST", "/v1/escrow/dispute/resolve/{escrowId}", EMULATED, A("api-reference/disputes/resolve-dispute"),
      "`COMPLETED` (seller paid, `approvedClaimBy` = merchant) and `REFUNDED` (everything the buyer "
      "paid, fee included, `refundedBy` = merchant); `sellerAmount`/`buyerAmount` beside them are accepted "
      "and ignored (real clients send them); `SPLIT` is refused", later_choice="REFUNDED returns the held pool "
      "only (standard: amount − seller's fee share; milestone: the pending milestones), the additional fee to "
      "the buyer when refundable (the body's `additionalFeeRefundable` overrides); `SPLIT` with `sellerAmount` + "
      "`buyerAmount` = the pool (else 400 `sellerAmount and buyerAmount must add up to the amount held in "
      "escrow`) → `CLOSED`/`SPLIT`, `split {sellerAmount, buyerAmount, pool, resolvedAt}`, `escrow.split`")
behaviour(AREA, "Milestone escrows cannot be disputed", EMULATED, A("concepts/dispute-resolution"),
          "400 `Milestone escrows cannot be disputed`", later=ABSENT,
          later_choice="[B] reverses it: see the next rows")
behaviour(AREA, "Each side writes once", EMULATED, A("api-reference/disputes/submit-dispute"),
          "`Buyer already submitted Dispute` / `Seller already submitted Dispute`, also after the resolution; "
          "a seller cannot open; a third customer → `Action not allowed`")
behaviour(AREA, "Confirm and claim while a dispute is open", EMULATED, A("concepts/dispute-resolution"),
          "undocumented: refused with `Action not allowed` (the funds are frozen)")
behaviour(AREA, "`SPLIT` resolutions and milestone disputes", ABSENT, B("concepts/dispute-resolution"),
          later=EMULATED, later_choice="a funded milestone escrow is disputed like a standard one while a "
          "milestone is pending (none: 400 `All milestones have been released; there are no held funds to "
          "dispute`); no milestone is released meanwhile; COMPLETED releases the pending milestones to their "
          "beneficiaries, REFUNDED / SPLIT mark them `REFUNDED` / `SPLIT` (SPLIT's seller part to the seller)")
behaviour(AREA, "Vault escrows cannot be disputed", ABSENT, B("concepts/vault-escrows"), later=EMULATED,
          later_choice="400 `Vault escrows cannot be disputed`")

# -- Customers & wallet ---------------------------------------------------------------------------
AREA = "Customers & wallet"
route(AREA, "POST", "/v1/customer/create", EMULATED, A("api-reference/merchant-customers/create-merchant-customer"),
      "super-admin key; `countryId` optional ([B]); e-mails unique per namespace "
      "(400 `A customer with this email already exists`); answers both `id` and `customerId`",
      later_choice="`countryId` checked against the country list when sent (400 `Country not found`); a "
                   "`customer-id` header on customer management → 400 `customer-id is not allowed in request header`")
route(AREA, "GET", "/v1/customers", EMULATED, A("api-reference/merchant-customers/list-merchant-customers"),
      "`pagination` before `data` as documented; [B] `?email=` / `?phone=` look-ups (`phone` matches with or "
      "without `+234`/`234`/`0`)")
route(AREA, "GET", "/v1/customer/get/{customerId}", EMULATED,
      A("api-reference/merchant-customers/get-merchant-customer"),
      "an unknown id → 404 `Customer not found`")
route(AREA, "GET", "/v1/customer/{customerId}", EMULATED, "sandbox alias",
      "the same view as `/v1/customer/get/{customerId}`")
route(AREA, "PUT", "/v1/customer/permissions/{customerId}", EMULATED,
      A("api-reference/merchant-customers/update-customer-permissions"),
      "`canBuy`, `canSell`, [B] `canWithdraw`, enforced on pay, create and withdraw with 401 `Access denied`",
      later_choice="answers the whole [B] customer object (so do block and unblock)")
route(AREA, "PUT", "/v1/customer/block/{customerId}", EMULATED, A("api-reference/merchant-customers/block-customer"),
      "optional `reason`; a blocked customer is refused wherever it is the `customer-id`; money released "
      "to it as a seller or beneficiary still arrives")
route(AREA, "PUT", "/v1/customer/unblock/{customerId}", EMULATED, A("api-reference/merchant-customers/overview"))
route(AREA, "GET", "/v1/wallet", EMULATED, A("api-reference/merchant-customers/get-customer-wallet"),
      "held funds show in the **buyer's** `escrowBalance` (undocumented whose); `currency: \"NGN\"`",
      later_choice="with `id` (the customer's: one wallet each), `createdAt` (the customer's) and `updatedAt` (its "
                   "last movement)")
route(AREA, "PUT", "/v1/customer/update/{customerId}", ABSENT, B(), later=EMULATED,
      later_choice="≥ 1 of `firstname`, `lastname`, `email` (e-mails unique); no `customer-id`; `Customer updated "
                   "successfully` with the customer (wording undocumented)")
route(AREA, "GET", "/v1/merchant/balance", ABSENT, B("api-reference/merchant-account/balance"), later=EMULATED,
      later_choice="the wallet shape (`escrowBalance` always 0) with `id` (the merchant's), `createdAt`, "
                   "`updatedAt`; super-admin key, no `customer-id`")
route(AREA, "GET", "/v1/merchant/transactions", ABSENT, B("api-reference/merchant-account/transactions"),
      later=EMULATED, later_choice="`commission` and `delivery` credits (`COM_REF_…`, `DLV_REF_…`) and payouts of "
      "escrows the merchant sells as itself (`escrow`); paged, a flat array with `reference` / `fromDate` / "
      "`toDate`")
behaviour(AREA, "Super-admin keys for merchant-customer routes", EMULATED,
          A("api-reference/merchant-customers/overview"),
          "every `sk_test_` key is a super-admin merchant except `sk_test_limited_…` (401 `Access denied`)")
behaviour(AREA, "[B]'s stricter super-admin rule (payments, cards, whitelist, …)", ABSENT, B("authentication"),
          later=EMULATED, later_choice="an `sk_test_limited_…` key may call only the escrow, milestone-escrow and "
          "category routes (milestone confirm included: read as part of the milestone group); everything else → "
          "401 `Access denied`, after the header and body checks")

# -- Payments -------------------------------------------------------------------------------------
AREA = "Payments"
route(AREA, "POST", "/v1/payment/escrow", EMULATED, A("api-reference/payments/pay-escrow-buy"),
      "`gateway` case-insensitive, default `card` ([B]); `WALLET` debits the main balance, card/bank gateways "
      "always succeed; answers [A]'s `{reference, status: \"SUCCESS\", amount}`; same `reference` again → the "
      "first answer, no second charge; a reference used elsewhere → 400 `Duplicate reference`",
      later_choice="answers [B]'s transaction (`id, amount, reference, fee` (the buyer's share)`, transactionType: "
                   "\"escrow\", currency, escrowDetails {…}, status: \"success\", creditType: \"debit\", createdAt, "
                   "updatedAt`; several escrows: `escrowDetails` of the first and an `escrows` list); a `cardId` sent must "
                   "be the buyer's (400 `Card not found`); `payment.escrow.success`; a declined card is "
                   "`payment.escrow.failed`, nothing kept")
route(AREA, "POST", "/v1/payment/create-intent", EMULATED, A("api-reference/payments/create-payment-intent"),
      "deposit, escrow deposit, withdrawal ([B] wallet transfer too); `gateway` defaults to `CARD` for "
      "deposits and `WALLET` for withdrawals; balances checked at verify; no fees ([A]); [A]'s upper-case enums",
      later_choice="[B]'s body (`amount` ≥ 100, `reference` required, lower-case types, the details objects) and "
                   "answer with `fee`: withdrawals 1 % (half a kobo up; the docs' 100 on 10,000), deposits and wallet "
                   "transfers free (sandbox rule); a deposit without a card answers a `testAccount` (\"Payluk Test "
                   "Bank\", code `000099`, 30 minutes), a card deposit a `checkoutConfig` (the sandbox authorisation "
                   "page); `wallet_transfer` moves money to the customer whose phone is given")
route(AREA, "POST", "/v1/payment/verify", EMULATED, A("api-reference/payments/verify-payment"),
      "`reference` or a batch `references` (all or nothing); verifying again changes nothing; [B] `otp` "
      "accepted, never required; a declined intent → 400 `Payment intent was declined`",
      later_choice="answers the transaction with its `fee`; a test-bank deposit stays `pending` until "
                   "`POST /_sandbox/test-bank/transfer` (or the authorisation page) pays it in; withdrawals debit "
                   "amount + fee; `POST /_sandbox/helpers/reverse-withdrawal` reverses a settled one")
route(AREA, "POST", "/v1/payment/virtual-account", PARTIAL, A("api-reference/payments/generate-virtual-account"),
      "the docs' sandbox bank details; nothing can be paid into it", later=EMULATED,
      later_choice="410 `This route has been deprecated` (Payluk prints only \"Gone\"), before anything is read")
route(AREA, "POST", "/v1/payment/topup", EMULATED, A("api-reference/payments/top-up-virtual-account-staging-only"),
      "any positive whole amount; once per rolling 24 h per customer on the namespace clock (401 `You can only "
      "top up your account once a day`)", later_choice="1,000–100,000 (Joi's wording), checked before the daily "
      "rule (a refused top-up leaves the day unused)")
route(AREA, "POST", "/v1/payment/verify-account", EMULATED, A("api-reference/payments/verify-account-number"),
      "deterministic account name (`0123456789` → `ADA EZE`); `0000000000` is not found")
route(AREA, "GET", "/v1/payment/history", EMULATED, B(),
      "the customer's intents, top-ups and escrow payments; paged, or a flat array with `reference` / "
      "`fromDate` / `toDate`", later_choice="[B]'s transaction objects, lower-case types (a top-up is a "
      "`deposit`), transfers received included")
route(AREA, "GET", "/v1/payment/bank-list", ABSENT, B("api-reference/payments/get-bank-list"), later=EMULATED,
      later_choice="26 banks `[{name, code}]`, sorted: CBN codes for commercial banks, NIBSS NIP codes for "
                   "microfinance banks and wallets; `customer-id` required (§1's rule for `/v1/payment/*`; §5.5 "
                   "says none)")
route(AREA, "GET", "/v1/payment/verify-phone/{phone}", ABSENT, B(), later=EMULATED,
      later_choice="`{phone, exists, customerId, name}` (no match is `exists: false`, not an error; shape "
                   "undocumented); with or without `+234` / `0`")
route(AREA, "GET", "/v1/payment/deposit/wallet", ABSENT, B("changelog"), later=EMULATED,
      later_choice="a per-key `0x…` address (BSC testnet, chain 97, cNGN), `explorerUrl` on testnet.bscscan.com; "
                   "`qrCode` an SVG data URL showing the address (no QR library: it does not scan); nothing can be "
                   "deposited to it")
route(AREA, "GET", "/v1/payment/get-master-wallet-address", ABSENT, B("changelog"), later=EMULATED,
      later_choice="the changelog's other name for `/v1/payment/deposit/wallet`, the same answer")
behaviour(AREA, "`Amount mismatch` check on pay-escrow", ABSENT, B("api-reference/payments/pay-escrow-buy"),
          "`amount` is accepted and not checked", later=EMULATED,
          later_choice="`amount` required (`\"amount\" is required`) and equal to Σ amount + buyer's fee share + "
                       "additional fee, else 400 `Amount mismatch`, nothing charged")
behaviour(AREA, "Paying an escrow that is not awaiting payment", EMULATED, A("api-reference/payments/pay-escrow-buy"),
          "400 `Action not allowed` (the lifecycle's refusal), nothing charged", later=EMULATED,
          later_choice="400 `Escrow is not in a valid state for checkout` ([B]'s message; code undocumented), "
                       "nothing charged")
behaviour(AREA, "`Insufficient balance` on wallet payments and withdrawals", EMULATED, B(),
          "400 (code undocumented); the refused request changes nothing")
behaviour(AREA, "Legacy invoice API (`api.payluk.com/v1/invoice/…`)", NOT_EMULATED,
          "[L] Developers-PHP-SDK", "defunct, unrelated to escrows")

# -- Cards ----------------------------------------------------------------------------------------
AREA = "Cards"
route(AREA, "GET", "/v1/cards", EMULATED, A("api-reference/debit-cards/overview"),
      "feature-gated: 403 `This feature is not enabled on your merchant account` unless the fixture "
      "merchant has `features.cards`; the feature check comes before the `customer-id` check")
route(AREA, "DELETE", "/v1/card/{cardId}", EMULATED, A("api-reference/debit-cards/overview"),
      "an unknown card → 400 `Card not found`")
behaviour(AREA, "Saving a card", NOT_EMULATED, A("api-reference/debit-cards/overview"),
          "no add-card route is documented: cards come only from the fixture")

# -- Whitelist ------------------------------------------------------------------------------------
AREA = "Whitelist"
route(AREA, "GET", "/v1/whitelist-address", EMULATED, A("api-reference/crypto-whitelist/overview"))
route(AREA, "POST", "/v1/whitelist-address", EMULATED, A("api-reference/crypto-whitelist/overview"),
      "`address` ([A]) or `walletAddress` ([B]), `0x` + 40 hex, network `BSC` only, at most 5 per customer "
      "(the limit's message is undocumented); `otp` accepted and not checked")
route(AREA, "DELETE", "/v1/whitelist-address/{addressId}", EMULATED, A("api-reference/crypto-whitelist/overview"))
behaviour(AREA, "Deposits from non-whitelisted addresses reverted", NOT_EMULATED,
          A("api-reference/crypto-whitelist/overview"), "no cNGN deposits exist in the sandbox")

# -- Categories -----------------------------------------------------------------------------------
AREA = "Categories"
route(AREA, "POST", "/v1/escrow/category/create", EMULATED, A("concepts/how-it-works"),
      "category names unique per merchant; one cover image per category")
route(AREA, "PUT", "/v1/escrow/category/edit/{categoryId}", EMULATED, B())
route(AREA, "GET", "/v1/escrow/category/get", EMULATED, A("concepts/how-it-works"))
route(AREA, "GET", "/v1/escrow/category/get/{categoryId}", EMULATED, B())
route(AREA, "PUT", "/v1/escrow/category/position/{categoryId}", EMULATED,
      A("api-reference/categories/update-category-position"),
      "positions stay 1..n; a position past the end means last")
route(AREA, "DELETE", "/v1/escrow/category/delete/{categoryId}", EMULATED, B())
behaviour(AREA, "Categories on escrows", EMULATED, A("api-reference/escrow/create-escrow"),
          "copied onto the escrow when set: later category edits or a delete do not change existing escrows")

# -- Countries ------------------------------------------------------------------------------------
AREA = "Countries"
route(AREA, "GET", "/v1/misc/countries", EMULATED, A("concepts/how-it-works"),
      "a fixed list of 22 countries (shape undocumented)")
route(AREA, "GET", "/v1/countries", EMULATED, B(), "the same list as `/v1/misc/countries`")

# -- Checkout -------------------------------------------------------------------------------------
AREA = "Checkout"
route(AREA, "POST", "/v1/checkout/session", EMULATED, "SDK source (jerozeek/Payluk-Escrow-Inline-Checkout)",
      "no bearer key; `publicKey: pk_test_…` (the namespace of `sk_test_…` with the same suffix); answers the "
      "envelope and a top-level `session`; CORS preflight answered; sessions last 30 minutes")
route(AREA, "GET", "/v1/checkout/session/{sessionId}", EMULATED, "sandbox addition",
      "a session's status, given `publicKey`")
behaviour(AREA, "Hosts `live.payluk.ng` / `staging.live.payluk.ng`", PARTIAL, "SDK source",
          "the same server serves the API and the checkout route")
behaviour(AREA, "Widget script `checkout.payluk.ng/escrow-checkout.min.js`", PARTIAL, "SDK source",
          "a stand-in at `/_sandbox/escrow-checkout.min.js` (use the SDK's `scriptUrlOverride`) opening an "
          "approve/decline page; approving charges exactly the session's amount (`Amount mismatch` otherwise)")

# -- Webhooks -------------------------------------------------------------------------------------
AREA = "Webhooks"
behaviour(AREA, "Escrow events `escrow.created` + `escrow.<status>`, one per transition", EMULATED,
          A("concepts/webhooks"),
          "every event is kept in the namespace outbox even without a callback URL (`GET /_sandbox/events`)")
behaviour(AREA, "Body `{event, data, timestamp}`, `Content-Type: application/json`", EMULATED, A("concepts/webhooks"))
behaviour(AREA, "`x-payluk-signature`: hex HMAC-SHA512 of the raw body, keyed with the secret key", EMULATED,
          A("concepts/webhooks") + "; " + B("concepts/webhooks"))
behaviour(AREA, "`User-Agent: Payluk-Webhook/1.0`", EMULATED, B("concepts/webhooks"))
behaviour(AREA, "Delivery: 10 s timeout, 3 retries with backoff, best effort", EMULATED, B("concepts/webhooks"),
          "retries 1, 2 and 4 minutes after a failure on the namespace clock; then `FAILED`")
behaviour(AREA, "Callback URL from the dashboard", PARTIAL, A("concepts/webhooks"),
          "set per namespace with `PUT /_sandbox/webhook` (or `--webhook-url`)")
behaviour(AREA, "Milestone-level events", PARTIAL, "undocumented",
          "sandbox-only `escrow.milestone.released`, off by default")
behaviour(AREA, "`escrow.split`, `payment.commission.success`, `payment.delivery.success`", ABSENT,
          B("concepts/webhooks"), later=EMULATED,
          later_choice="`payment.*` data: the transaction with `customerId: null`, `environment`, `merchantId` (a "
                       "vault's commission posts no event)")
behaviour(AREA, "Other `payment.*` events (deposit, withdrawal, transfer, escrow)", ABSENT, B("concepts/webhooks"),
          later=EMULATED, later_choice="`payment.<type>.<success|failed|reversed>` with [B]'s `data`; a wallet "
          "transfer is one event per side, each with its own transaction id and `customerId`; `failed` from the "
          "`card_declined` scenario and a declined authorisation page, `reversed` from "
          "`POST /_sandbox/helpers/reverse-withdrawal`")

# -- Auth & headers -------------------------------------------------------------------------------
AREA = "Auth & headers"
behaviour(AREA, "`Authorization: Bearer sk_test_…`", EMULATED, A("authentication"),
          "each distinct key is its own namespace built from the fixtures; missing or not `Bearer <token>` "
          "→ 401 `No token provided`")
behaviour(AREA, "Live keys and unknown keys", EMULATED, B("authentication"),
          "`sk_live_…` and anything else → 403 `Unauthorized Access` (the sandbox is staging)")
behaviour(AREA, "`customer-id` required", EMULATED, A("concepts/merchant-customers"),
          "missing → 400 `customer-id header is required`; unknown → 404 `Customer not found` ([B]); blocked "
          "→ 401 `Your account is disabled. Please contact support`")
behaviour(AREA, "`customer-id` must be absent on merchant-wide routes", EMULATED, B("concepts/merchant-customers"),
          "feeds, all-dispute, resolve → 400 `customer-id is not allowed in request header` (code "
          "undocumented); other routes ignore it")
behaviour(AREA, "Another merchant's customer", PARTIAL, B("concepts/merchant-customers"),
          "namespaces share nothing, so it is 404 `Customer not found`, never 403 "
          "`Customer does not belong to the merchant`")
behaviour(AREA, "Optional `customer-id` on escrow and category routes (merchant as seller)", ABSENT,
          B("concepts/merchant-customers"), "[A]: create requires `customer-id`", later=EMULATED,
          later_choice="absent: the merchant's business account sells, its payouts land in the merchant wallet; a "
                       "fixture merchant with `business: false` → 401 `Merchant cannot create escrow for itself via "
                       "API` on create; a buyer paying their own escrow is not refused ([B] refuses it on live only)")
behaviour(AREA, "Publishable keys `pk_test_…`", EMULATED, "SDK source", "checkout only")
behaviour(AREA, "Production IP allow-list (403 `Unauthorized IP address`)", ABSENT, B("authentication"),
          later=NOT_EMULATED, later_choice="production only: staging, which the sandbox is, never checks it")
behaviour(AREA, "Rate limit: 10 requests per minute per key (429 `Too many request`)", PARTIAL, B("introduction"),
          "only as the `rate_limited` scenario, with Payluk's body and `RateLimit` headers",
          later=EMULATED, later_choice="a per-namespace setting, off by default (a CI suite is not throttled by "
          "accident): `PUT /_sandbox/rate-limit {\"enabled\": true}` (10 per 60 s unless told); every `/v1` request "
          "of the key counted in real time in the store (one Redis script; every worker shares the count); a fixed "
          "window from the first request, as express-rate-limit; 429 with `RateLimit-Policy`, `RateLimit`, "
          "`Retry-After`")

# -- Envelope & errors ----------------------------------------------------------------------------
AREA = "Envelope & errors"
behaviour(AREA, "Envelope `{status, message, data}` on every response, `data: {}` on errors", EMULATED,
          A("essentials/errors"),
          "also for unknown routes (404), wrong methods (405), malformed JSON (400), bodies over 1 MiB (413), "
          "crashes (500)")
behaviour(AREA, "Pagination `{data, pagination: {count, pages, isLastPage, nextPage, previousPage}}`", EMULATED,
          A("essentials/pagination"), "`count` is the total of matching records; `limit` 1–100, default 10")
behaviour(AREA, "Validation failures → 400", EMULATED, A("essentials/errors"),
          "wording undocumented: Joi-style one-liners naming the wire field (`\"amount\" is required`); unknown "
          "body fields refused except those real clients send; unknown query parameters refused too")
behaviour(AREA, "Not found → 400 `Escrow not found`", EMULATED, A("essentials/errors"),
          "also for another key's escrow; other unknown things → 400 `<Thing> not found`")
behaviour(AREA, "Amounts in whole naira", EMULATED, A(),
          "integers only ([A]); [B]'s two decimals are refused on input; kept as integer kobo inside",
          later_choice="up to 2 decimals, read exactly from the JSON text or the form (never through a float); "
                       "escrow ≥ 1000, milestone and stake ≥ 1; `\"amount\" must have no more than 2 decimal places`")
behaviour(AREA, "`maxDelivery` 1–365 and `deliveryTimeline` required on standard create and edit", ABSENT,
          B("api-reference/escrow/create-escrow"), later=EMULATED,
          later_choice="`\"maxDelivery\" is required`, `\"maxDelivery\" must be less than or equal to 365`, "
                       "`\"deliveryTimeline\" is required` (Joi's wording)")
behaviour(AREA, "Ids and tokens: 24-hex ObjectIds, `PY_` + 8 alphanumerics + 4 digits", EMULATED,
          A("api-reference/escrow/create-escrow"), "reproducible with `--seed`")
behaviour(AREA, "500 for an action by an ineligible account type", NOT_EMULATED, A("essentials/errors"),
          "refusals are 4xx; the sandbox answers 500 only with the `server_error` scenario")
behaviour(AREA, "503 maintenance mode", ABSENT, B(), "the `maintenance` scenario and `PUT /_sandbox/maintenance` "
          "work in every profile", later=EMULATED,
          later_choice="503 `Service is under maintenance, please try again later` (wording undocumented) with "
                       "`Retry-After`: the `maintenance` scenario (header, `sbx_maintenance_…` reference) or a "
                       "namespace's maintenance mode (`PUT /_sandbox/maintenance`; a reset ends it)")

# -- Test mode ------------------------------------------------------------------------------------
AREA = "Test mode"
behaviour(AREA, "Staging host, `sk_test_` keys", EMULATED, A("authentication"),
          "point the base URL at the sandbox instead of `https://staging.api.payluk.ng`")
behaviour(AREA, "Staging top-up once a day", EMULATED, A("api-reference/payments/top-up-virtual-account-staging-only"),
          "a rolling 24 h on the namespace clock, which `/_sandbox/clock/advance` moves")
behaviour(AREA, "Staging virtual account (`SAFE HAVEN SANDBOX BANK`)", PARTIAL,
          A("api-reference/payments/generate-virtual-account"), "details only; nothing can be paid into it")
behaviour(AREA, "Payluk Test Bank `testAccount` on deposit intents", ABSENT, B("guides/payluk-test-bank"),
          "deposit intents answer an `authorizationUrl` to a sandbox Authorize / Decline page", later=EMULATED,
          later_choice="`testAccount {bankName: \"Payluk Test Bank\", bankCode: \"000099\", accountNumber, accountName, "
                       "amount, expiresAt}`; `POST /_sandbox/test-bank/transfer {reference}` pays it in")
behaviour(AREA, "cNGN testnet rail", ABSENT, B("guides/testnet-cngn-setup"), later=NOT_EMULATED,
          later_choice="a blockchain (BSC testnet) is outside an offline sandbox: the deposit address is answered, "
                       "nothing can arrive at it; move money with top-ups, deposits or the fund-customer helper")
behaviour(AREA, "Short claim windows (`deliveryTimeline: minutes`)", EMULATED, A("concepts/escrow-lifecycle"),
          "any window can be reached at once by moving the namespace clock")
behaviour(AREA, "Test cards, magic amounts, forced outcomes", PARTIAL, "undocumented",
          "none documented; the sandbox adds scenarios (`X-Sandbox-Scenario`, `sbx_…` references, magic "
          "amounts), listed at `GET /_sandbox/scenarios`")
behaviour(AREA, "The host's root, `GET /`", EMULATED, "sandbox",
          "answers 200 in the envelope with an index of links: API base, docs, console, scenarios")
behaviour(AREA, "A \"docs version\" switch to [B] behaviour", EMULATED, "[B]",
          "API profiles `2026-06` ([A], default) and `2026-10` ([B]): `--profile`, a fixture file's `profile`, "
          "`PUT /_sandbox/profile` per namespace (kept by a reset); [B] input shapes accepted by both")

del AREA


# -- rendering ------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "–"


def counts(entries=None, profile: str = PROFILES[0]) -> dict[str, int]:
    entries = ENTRIES if entries is None else entries
    return {status: sum(1 for e in entries if e.status_in(profile) == status) for status in STATUSES}


def _choice(entry: Entry) -> str:
    if not entry.later_choice:
        return entry.choice
    return f"{entry.choice}; **2026-10**: {entry.later_choice}" if entry.choice else f"**2026-10**: {entry.later_choice}"


def render(entries=None) -> str:
    """docs/fidelity.md, deterministically: areas in AREAS order, rows in declaration order."""
    entries = ENTRIES if entries is None else entries
    routes = [e for e in entries if e.method]
    totals = []
    for profile in PROFILES:
        total = counts(entries, profile)
        totals.append(f"- profile `{profile}`: " + ", ".join(f"{total[s]} {s}" for s in STATUSES if total[s]) + ".")
    lines = [
        "# Fidelity report",
        "",
        f"Generated by `{COMMAND}` from `sandbox/docs/fidelity.py`; do not edit by hand "
        "(tests/contract/test_fidelity.py fails when this file, that data or the app's routes disagree).",
        "",
        "Sources: **[A]** the mid-2026 docs.payluk.ng, followed by API profile `2026-06` (the default), "
        "**[B]** the docs to the changelog of 2 Oct 2026 and their openapi.json, followed by profile `2026-10` "
        "(both profiles accept [B]'s input shapes), **[L]** the legacy readme. One status column per profile "
        f"(\"{ABSENT}\": a [B] route or rule, absent from the [A] docs and from profile `2026-06`). "
        "\"Sandbox choice\" is what the sandbox does where the docs are silent or disagree.",
        "",
        f"{len(entries)} entries ({len(routes)} routes):",
        "",
        *totals,
        "",
    ]
    for area in AREAS:
        rows = [e for e in entries if e.area == area]
        if not rows:
            continue
        lines += [f"## {area}", "", f"| what | {' | '.join(PROFILES)} | source | sandbox choice |",
                  "|---|" + "---|" * len(PROFILES) + "---|---|"]
        lines += [f"| {_cell(e.what)} | {' | '.join(e.status_in(p) for p in PROFILES)} | {_cell(e.source)} | "
                  f"{_cell(_choice(e))} |" for e in rows]
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Write the fidelity report (docs/fidelity.md).")
    parser.add_argument("output", nargs="?", default=str(REPORT), help=f"where to write it (default {REPORT})")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text, path = render(), Path(args.output)
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{path} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(ENTRIES)} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
