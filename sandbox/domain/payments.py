"""Payment intents and the other /v1/payment helpers: verify, virtual account, top-up, account names.

Sources: docs.payluk.ng/api-reference/payments/* ([A]) and the later docs ([B], input shapes
only). An intent is staged money movement for one customer: `create_intent` records it as
`PENDING`; `verify_payment` executes it (deposits credit the main balance from the gateway,
withdrawals pay the main balance out, wallet transfers move it to another customer) and
marks it `SUCCESS`; declining it on the sandbox authorisation page marks it `FAILED`.
Every rule is checked before anything changes, so a refused request changes nothing.

Profile 2026-10 ([B], docs.payluk.ng payments pages and concepts/webhooks of Oct 2026):
  * create-intent takes `amount` >= 100 (2 decimals), a required `reference`, lower-case types,
    and answers the transaction with its `fee`; a deposit without a card answers a `testAccount`
    (the "Payluk Test Bank"), a card deposit a `checkoutConfig`.
  * Fees (sandbox rule; [B] shows one example, `fee` 100 on a 10 000 withdrawal, and no table):
    a withdrawal (bank or blockchain) costs 1 % of its amount, half a kobo rounded up, no floor
    or cap; deposits and wallet transfers are free. The withdrawal debits amount + fee; the fee
    goes to Payluk (`ledger.FEES`).
  * A test-bank deposit settles only when money arrives: `POST /_sandbox/test-bank/transfer`
    (verify answers it `pending` until then); a card deposit, a withdrawal and a wallet transfer
    settle on verify (`otp` is accepted, never required) or on the authorisation page.
  * Every settled, failed or reversed transaction sends `payment.<type>.<success|failed|reversed>`;
    a wallet transfer sends one per side, each with its own `id` and `customerId`.
"""

from sandbox.domain import customers, errors, funding, ledger, outbox, profiles
from sandbox.domain.errors import BadRequest, Gone, NotFound, Unauthorized
from sandbox.domain.escrows import later_amount
from sandbox.domain.funding import WALLET
from sandbox.domain.listings import history_matching
from sandbox.domain.money import naira_to_kobo, rate_of

# Intent status ([A] upper-case; [B] shows `pending`, `success`, `failed`, `reversed`).
PENDING = "PENDING"
SUCCESS = "SUCCESS"
FAILED = "FAILED"
REVERSED = "REVERSED"  # [B]: a settled withdrawal paid back (the sandbox's reverse helper)

# transactionType: [A] DEPOSIT, ESCROW, WITHDRAWAL; [B] adds wallet_transfer on create-intent.
DEPOSIT = "DEPOSIT"
ESCROW = "ESCROW"
WITHDRAWAL = "WITHDRAWAL"
WALLET_TRANSFER = "WALLET_TRANSFER"
TRANSACTION_TYPES = (DEPOSIT, ESCROW, WITHDRAWAL, WALLET_TRANSFER)

# Money comes in (CREDIT) on deposits -- an ESCROW intent is a deposit earmarked for an
# escrow payment, so it credits the main balance too -- and goes out (DEBIT) otherwise.
CREDIT_TYPE_OF = {DEPOSIT: "CREDIT", ESCROW: "CREDIT", WITHDRAWAL: "DEBIT", WALLET_TRANSFER: "DEBIT"}
DEBITS = (WITHDRAWAL, WALLET_TRANSFER)

# The gateway recorded when the caller names none ([B] create-intent has no `gateway`).
DEFAULT_GATEWAY = {DEPOSIT: "CARD", ESCROW: "CARD", WITHDRAWAL: WALLET, WALLET_TRANSFER: WALLET}

# Where withdrawals and staging top-ups go to / come from outside the namespace.
PAYOUT_SOURCE = "payout"
TOPUP_SOURCE = "topup"

REFERENCE_PREFIX = "PSK_REF_"  # the [A] example reference is `PSK_REF_12345`
TOPUP_REFERENCE_PREFIX = "TOPUP_REF_"

# [B] "once per customer per day": the sandbox reads it as a rolling 24 hours on the
# namespace clock (never flaky around midnight; move the clock a day to top up again).
TOPUP_INTERVAL_MS = 24 * 60 * 60 * 1000

# The staging virtual account of docs.payluk.ng/api-reference/payments/generate-virtual-account.
VIRTUAL_ACCOUNT_BANK = "SAFE HAVEN SANDBOX BANK"
VIRTUAL_ACCOUNT_BANK_CODE = "090286"
VIRTUAL_ACCOUNT_EXPIRES_IN = "in 30 minutes"

# verify-account: this account number never resolves, so integrators can test the failure.
UNRESOLVABLE_ACCOUNT_NUMBER = "0000000000"
# Fake Nigerian names; the docs' example number 0123456789 resolves to "ADA EZE" as documented.
FIRST_NAMES = (
    "TUNDE", "NGOZI", "EMEKA", "FUNMI", "CHIDI", "AMAKA", "SEGUN", "BOLA", "IFEOMA", "YUSUF",
    "KEMI", "OBINNA", "HALIMA", "IBRAHIM", "ADA", "TOBI", "ZAINAB", "UCHE", "FOLAKE", "MUSA",
)
LAST_NAMES = (
    "BAKARE", "OKAFOR", "ADEYEMI", "NWOSU", "BELLO", "OKONKWO", "ABUBAKAR", "OGUNLEYE", "IBE",
    "EZE", "ADEBAYO", "OKORO", "DANJUMA", "NWACHUKWU", "LAWAL", "OBI", "ADEWALE", "UMAR",
    "OKEKE", "ALABI",
)


# [B] sandbox fee rule (see the module docstring): 1 % of a withdrawal, nothing on the rest.
WITHDRAWAL_FEE_BP = 100
MIN_INTENT_NAIRA = 100  # [B] create-intent: "deposit/transfer intent min 100"
# [B] docs.payluk.ng/guides/payluk-test-bank: where a deposit without a card is paid on staging.
TEST_BANK_NAME = "Payluk Test Bank"
TEST_BANK_CODE = "000099"
TEST_ACCOUNT_TTL_MS = 30 * 60 * 1000  # as [A]'s staging virtual account ("in 30 minutes")


def intent_fee(kind: str, amount_kobo: int) -> int:
    """[B] the fee of an intent, in kobo: 1 % of a withdrawal (100 on 10 000, the docs'
    example), half a kobo rounded up; deposits, escrow deposits and wallet transfers are free."""
    return rate_of(amount_kobo, WITHDRAWAL_FEE_BP) if kind == WITHDRAWAL else 0


def test_account(ns, intent: dict, customer: dict) -> dict:
    """[B] the test-bank account a deposit without a card is paid into: fixed by the intent
    (the number comes from its id), for its amount, for 30 minutes on the namespace clock."""
    return {
        "bank_name": TEST_BANK_NAME,
        "bank_code": TEST_BANK_CODE,
        "account_number": f"{int(intent['id'], 16) % 10**10:010d}",
        "account_name": f"PAYLUK / {customer['firstname']} {customer['lastname']}".upper(),
        "amount": intent["amount"],
        "expires_at_ms": intent["created_at_ms"] + TEST_ACCOUNT_TTL_MS,
    }


def _merchant_id(ns):
    return (ns.get_merchant() or {}).get("id")


def _party(ns, customer_id) -> dict:
    """`{name, phone}` of a customer (or of the merchant's own business account)."""
    customer = ns.get("customers", customer_id) if customer_id else None
    if customer is None:
        merchant = ns.get_merchant() or {}
        return {"name": merchant.get("name"), "phone": None}
    return {"name": f"{customer['firstname']} {customer['lastname']}", "phone": customer["phone"]}


def transaction(intent: dict, side: str = "payer") -> dict:
    """[B]'s transaction object of an intent (internal names, kobo): the payer's side, or for a
    wallet transfer the receiver's (`side="receiver"`: its own id, a credit, no fee)."""
    receiver = side == "receiver"
    return {
        "id": intent["receiver_transaction_id"] if receiver else intent["id"],
        "reference": intent["reference"],
        "amount": intent["amount"],
        "fee": 0 if receiver else intent.get("fee", 0),
        "currency": intent["currency"],
        "status": intent["status"],
        "transaction_type": intent["transaction_type"],
        "credit_type": "CREDIT" if receiver else intent["credit_type"],
        "customer_id": intent["recipient_id"] if receiver else intent["customer_id"],
        "withdrawal_details": intent.get("withdrawal_details"),
        "blockchain_details": intent.get("blockchain_details"),
        "wallet_details": intent.get("wallet_details"),
        "deposit_details": intent.get("deposit_details"),
        "escrow_details": None,
        "created_at_ms": intent["created_at_ms"],
        "updated_at_ms": intent["updated_at_ms"],
    }


def as_transaction(record: dict) -> dict:
    """[B] what verify answers for a reference: an intent's or an escrow payment's transaction."""
    if "authorization_token" in record:
        return transaction(record)
    return funding.transaction(record)


def _announce(ns, intent: dict) -> None:
    """[B] `payment.<type>.<status>` for the intent as it is now: one event, or one per side of
    a settled wallet transfer (sender debit, receiver credit, each with its `customerId`)."""
    if not profiles.later(ns):
        return
    event = f"payment.{intent['transaction_type'].lower()}.{intent['status'].lower()}"
    merchant_id = _merchant_id(ns)
    sides = ["payer"]
    if intent["transaction_type"] == WALLET_TRANSFER and intent["status"] == SUCCESS:
        sides.append("receiver")
    for side in sides:
        outbox.emit_payment(ns, event, None, {**transaction(intent, side), "merchant_id": merchant_id})


# -- intents -----------------------------------------------------------------------------------


def _new_reference(ns, prefix: str) -> str:
    while True:
        reference = ns.new_reference(prefix)
        if not funding.reference_taken(ns, reference):
            return reference


def create_intent(ns, customer_id, data: dict, token: str) -> dict:
    """Stage a deposit, escrow deposit, withdrawal or wallet transfer for the customer named
    in `customer-id`; nothing moves until it is verified. A caller's `reference` must be new
    (400 `Duplicate reference`); the sandbox makes one (`PSK_REF_…`) when none is sent.
    `token` is the unguessable key of the intent's authorisation page."""
    customer = customers.require_customer(ns, customer_id)
    later = profiles.later(ns)
    if later:  # [B]: at least 100 naira, up to 2 decimals
        amount = later_amount(data["amount"], MIN_INTENT_NAIRA, errors.INTENT_AMOUNT_AT_LEAST_100,
                              errors.AMOUNT_TWO_DECIMALS, errors.AMOUNT_NUMBER, errors.AMOUNT_SAFE_NUMBER)
    else:
        amount = naira_to_kobo(data["amount"])
    kind = data["transaction_type"]
    if kind in DEBITS:
        customers.require_permission(customer, "can_withdraw")  # no message from Payluk: 401 `Access denied`
    reference = data.get("reference")
    if reference is not None and funding.reference_taken(ns, reference):
        raise BadRequest(errors.DUPLICATE_REFERENCE)
    recipient_id = None
    if kind == WALLET_TRANSFER:
        # [B] walletDetails.phone names the receiving customer (same phone matching as look-ups).
        recipient = customers.list_customers(ns, 1, 1, phone=data["wallet_details"]["phone"]).items[0]
        if recipient["id"] == customer["id"]:
            raise BadRequest(errors.TRANSFER_TO_SELF)
        recipient_id = recipient["id"]

    now = ns.now_ms()
    intent = {
        "id": ns.new_id(),
        "reference": reference or _new_reference(ns, REFERENCE_PREFIX),
        "customer_id": customer["id"],
        "amount": amount,
        "fee": intent_fee(kind, amount) if later else 0,
        "currency": data.get("currency") or "NGN",
        "gateway": data.get("gateway") or DEFAULT_GATEWAY[kind],
        "transaction_type": kind,
        "credit_type": CREDIT_TYPE_OF[kind],
        "status": PENDING,
        "withdrawal_details": data.get("withdrawal_details"),
        "blockchain_details": data.get("blockchain_details"),
        "wallet_details": data.get("wallet_details"),
        "deposit_details": data.get("deposit_details"),
        "recipient_id": recipient_id,
        "receiver_transaction_id": ns.new_id() if recipient_id else None,
        "authorization_token": token,
        "created_at_ms": now,
        "updated_at_ms": now,
        "verified_at_ms": None,
        "test_account": None,
    }
    if later and kind == DEPOSIT and not data.get("deposit_details") and not data.get("gateway"):
        intent["test_account"] = test_account(ns, intent, customer)
    ns.save("intents", intent, key_field="reference")
    return intent


def awaits_transfer(intent: dict) -> bool:
    """[B] a test-bank deposit still waiting for its money (verify cannot settle it)."""
    return intent["status"] == PENDING and intent.get("test_account") is not None


def _entries(intent: dict) -> list:
    """The balanced ledger entries that executing this intent posts."""
    amount = intent["amount"]
    main = ledger.main_account(intent["customer_id"])
    kind = intent["transaction_type"]
    if kind == WITHDRAWAL:
        fee = intent.get("fee", 0)  # [B]: amount + fee leave the wallet, the fee is Payluk's
        return [(main, -(amount + fee)), (ledger.external_account(PAYOUT_SOURCE), amount), (ledger.FEES, fee)]
    if kind == WALLET_TRANSFER:
        return [(main, -amount), (ledger.main_account(intent["recipient_id"]), amount)]
    return [(ledger.external_account(intent["gateway"]), -amount), (main, amount)]


def verify_payment(ns, customer_id, references: list) -> list[dict]:
    """Verify references of the caller's intents or escrow payments, all or nothing.

    A `PENDING` intent is executed (balances checked in request order, so a deposit earlier
    in a batch can fund a withdrawal later in it) and becomes `SUCCESS`; a `SUCCESS` intent
    or an escrow payment answers its stored result again and changes nothing; a declined
    (`FAILED`) intent is refused. A reference that is unknown or someone else's is 400
    `Payment intent not found`. Any refusal refuses the whole batch.
    """
    customer = customers.require_customer(ns, customer_id)
    running = {}  # customer accounts touched by this batch -> balance after the steps so far
    plan = []
    for reference in dict.fromkeys(references):
        intent = ns.get("intents", reference) if isinstance(reference, str) else None
        if intent is not None and intent["customer_id"] == customer["id"]:
            if intent["status"] == FAILED:
                raise BadRequest(errors.INTENT_DECLINED)
            if intent["status"] == PENDING and not awaits_transfer(intent):
                if intent["transaction_type"] in DEBITS:
                    customers.require_permission(customer, "can_withdraw")
                entries = _entries(intent)
                for account, amount in entries:
                    if account.startswith("customer:"):
                        running[account] = running.get(account, ns.balance(account)) + amount
                        if running[account] < 0:
                            raise BadRequest(errors.INSUFFICIENT_BALANCE)
                plan.append((intent, entries))
            else:
                plan.append((intent, None))
            continue
        payment = ns.get("payments", reference) if isinstance(reference, str) else None
        if payment is not None and payment["buyer_id"] == customer["id"]:
            plan.append((payment, None))
            continue
        raise BadRequest(errors.INTENT_NOT_FOUND)

    now = ns.now_ms()
    results = []
    for record, entries in plan:
        if entries is not None:
            ledger.post(ns, record["transaction_type"].lower(), entries,
                        customer_id=record["customer_id"], reference=record["reference"])
            record["status"] = SUCCESS
            record["verified_at_ms"] = now
            record["updated_at_ms"] = now
            ns.save("intents", record, key_field="reference")
            _announce(ns, record)
        results.append(record)
    return results


def record_decline(ns, customer_id, route: str, body) -> list[dict]:
    """[B] a card the gateway declined (the sandbox's `card_declined` scenario) is a failed
    transaction: `payment.<type>.failed` is sent, and nothing is charged. On verify, each of
    the caller's pending card deposits named becomes `FAILED` (verifying it again is refused);
    on pay-escrow, the escrows named stay payable and the failed transaction is not kept (its
    reference stays free for a retry). A request naming nothing of the caller's records
    nothing; [A] records nothing. `route` is `verify` or `escrow`; `body` is the raw JSON."""
    customer = ns.get("customers", customer_id) if isinstance(customer_id, str) else None
    if not profiles.later(ns) or customer is None or customer["status"] != "active" or not isinstance(body, dict):
        return []
    if route == "verify":
        references = [body.get("reference")] + (body["references"] if isinstance(body.get("references"), list) else [])
        failed = []
        for reference in dict.fromkeys(r for r in references if isinstance(r, str)):
            intent = ns.get("intents", reference)
            if (intent is None or intent["customer_id"] != customer["id"] or intent["status"] != PENDING
                    or intent["credit_type"] != "CREDIT" or awaits_transfer(intent)):
                continue
            intent.update(status=FAILED, updated_at_ms=ns.now_ms())
            ns.save("intents", intent, key_field="reference")
            _announce(ns, intent)
            failed.append(intent)
        return failed
    return [funding.record_decline(ns, customer, body)] if route == "escrow" else []


def test_bank_transfer(ns, reference) -> dict:
    """[B] the payer pays into the test account of a deposit intent (a sandbox control standing
    in for a bank transfer to the "Payluk Test Bank"): the deposit settles as verify would
    settle a card deposit. A settled one answers again, unchanged; a declined one is refused."""
    intent = ns.get("intents", reference) if isinstance(reference, str) else None
    if intent is None or intent.get("test_account") is None:
        raise BadRequest(errors.TEST_ACCOUNT_NOT_FOUND)
    if intent["status"] == FAILED:
        raise BadRequest(errors.INTENT_DECLINED)
    if intent["status"] != PENDING:
        return intent
    customers.require_customer(ns, intent["customer_id"])
    now = ns.now_ms()
    ledger.post(ns, "deposit", [(ledger.external_account(TEST_BANK_NAME.replace(" ", "_")), -intent["amount"]),
                                (ledger.main_account(intent["customer_id"]), intent["amount"])],
                customer_id=intent["customer_id"], reference=intent["reference"])
    intent.update(status=SUCCESS, verified_at_ms=now, updated_at_ms=now)
    ns.save("intents", intent, key_field="reference")
    _announce(ns, intent)
    return intent


def reverse_withdrawal(ns, reference) -> dict:
    """Sandbox helper: the bank sends a settled withdrawal back. Its amount and fee return to
    the customer's main balance in one posting; the intent becomes `REVERSED` ([B]:
    `payment.withdrawal.reversed`). Only a settled (`SUCCESS`) withdrawal can be reversed."""
    intent = ns.get("intents", reference) if isinstance(reference, str) else None
    if intent is None or intent["transaction_type"] != WITHDRAWAL:
        raise BadRequest(errors.WITHDRAWAL_NOT_FOUND)
    if intent["status"] != SUCCESS:
        raise BadRequest(errors.WITHDRAWAL_NOT_REVERSIBLE)
    fee = intent.get("fee", 0)
    ledger.post(ns, "withdrawal_reversal",
                [(ledger.external_account(PAYOUT_SOURCE), -intent["amount"]), (ledger.FEES, -fee),
                 (ledger.main_account(intent["customer_id"]), intent["amount"] + fee)],
                customer_id=intent["customer_id"], reference=intent["reference"])
    intent.update(status=REVERSED, updated_at_ms=ns.now_ms())
    ns.save("intents", intent, key_field="reference")
    _announce(ns, intent)
    return intent


def _intent_by_token(ns, token) -> dict:
    intent = next((i for i in ns.all("intents") if i["authorization_token"] == token), None)
    if intent is None:
        raise NotFound(errors.INTENT_NOT_FOUND)
    return intent


def show_authorization(ns, token) -> dict:
    """What the authorisation page shows: the intent, its customer and any transfer recipient."""
    intent = _intent_by_token(ns, token)
    recipient = ns.get("customers", intent["recipient_id"]) if intent["recipient_id"] else None
    return {"intent": intent, "customer": ns.get("customers", intent["customer_id"]), "recipient": recipient}


def authorize_intent(ns, token) -> dict:
    """The payer approves on the authorisation page: exactly what `/v1/payment/verify` does."""
    intent = _intent_by_token(ns, token)
    if awaits_transfer(intent):  # [B] the payer pays the test-bank deposit from the page
        return test_bank_transfer(ns, intent["reference"])
    return verify_payment(ns, intent["customer_id"], [intent["reference"]])[0]


def decline_intent(ns, token) -> dict:
    """The payer declines: a `PENDING` intent becomes `FAILED` (again: no change); a verified
    one can no longer be declined."""
    intent = _intent_by_token(ns, token)
    if intent["status"] in (SUCCESS, REVERSED):
        raise BadRequest(errors.INTENT_ALREADY_VERIFIED)
    if intent["status"] == PENDING:
        now = ns.now_ms()
        intent["status"] = FAILED
        intent["updated_at_ms"] = now
        ns.save("intents", intent, key_field="reference")
        _announce(ns, intent)  # [B] payment.<type>.failed
    return intent


# -- virtual account, top-up, account names ------------------------------------------------------


def generate_virtual_account(ns, customer_id, amount_naira: int | None) -> dict:
    """A temporary funding account ([A]). The number is derived from the namespace's id
    sequence (reproducible when seeded). Not emulated: paying into it -- nothing can; the
    staging top-up is the way to add funds. [B] removed virtual accounts on 2 Sep 2026: the
    route answers 410 (`require_virtual_accounts`, which the view calls before anything else)."""
    require_virtual_accounts(ns)
    customer = customers.require_customer(ns, customer_id)
    number = f"{int(ns.new_id(), 16) % 10**10:010d}"
    return {
        "account_number": number,
        "bank_code": VIRTUAL_ACCOUNT_BANK_CODE,
        "amount": None if amount_naira is None else naira_to_kobo(amount_naira),
        "account_name": f"PAYLUK / {customer['firstname']} {customer['lastname']}".upper(),
        "bank": VIRTUAL_ACCOUNT_BANK,
        "expires_in": VIRTUAL_ACCOUNT_EXPIRES_IN,
    }


def require_virtual_accounts(ns) -> None:
    """[B] (changelog 2 Sep 2026): `POST /v1/payment/virtual-account` is deprecated, 410 Gone;
    deposits go through create-intent (a test bank account on staging) instead."""
    if profiles.later(ns):
        raise Gone(errors.ROUTE_DEPRECATED)


# [B]: a staging top-up is 1 000 to 100 000 naira.
TOPUP_MIN_NAIRA, TOPUP_MAX_NAIRA = 1_000, 100_000


def top_up(ns, customer_id, amount_naira: int) -> dict:
    """Staging-only credit of the main balance, once per customer per rolling 24 hours
    ([B] 401 `You can only top up your account once a day`). Returns the balances (kobo).
    [B] also bounds the amount (1 000-100 000, Joi's messages; checked before the customer)."""
    if profiles.later(ns):
        if amount_naira < TOPUP_MIN_NAIRA:
            raise BadRequest(errors.AMOUNT_AT_LEAST_1000)
        if amount_naira > TOPUP_MAX_NAIRA:
            raise BadRequest(errors.TOPUP_AMOUNT_AT_MOST)
    customer = customers.require_customer(ns, customer_id)
    now = ns.now_ms()
    last = max((t["created_at_ms"] for t in ns.all("topups") if t["customer_id"] == customer["id"]), default=None)
    if last is not None and now - last < TOPUP_INTERVAL_MS:
        raise Unauthorized(errors.TOPUP_ONCE_A_DAY)
    amount = naira_to_kobo(amount_naira)
    main = ledger.main_account(customer["id"])
    reference = _new_reference(ns, TOPUP_REFERENCE_PREFIX)
    ledger.post(ns, "topup", [(ledger.external_account(TOPUP_SOURCE), -amount), (main, amount)],
                customer_id=customer["id"], reference=reference)
    ns.save("topups", {"id": ns.new_id(), "reference": reference, "customer_id": customer["id"],
                       "amount": amount, "created_at_ms": now})
    return {"main": ns.balance(main), "escrow": ns.balance(ledger.escrow_account(customer["id"]))}


def account_name(account_number: str) -> str:
    """A fake holder name fixed by the account number: the first five digits pick the first
    name, the last five the surname (0123456789 -> ADA EZE, the docs' example)."""
    first = FIRST_NAMES[int(account_number[:5]) % len(FIRST_NAMES)]
    last = LAST_NAMES[int(account_number[5:]) % len(LAST_NAMES)]
    return f"{first} {last}"


def verify_account(ns, customer_id, data: dict) -> dict:
    """Resolve a 10-digit account number to its holder's name; `0000000000` never resolves."""
    customers.require_customer(ns, customer_id)
    number = data["account_number"]
    if number == UNRESOLVABLE_ACCOUNT_NUMBER:
        raise BadRequest(errors.ACCOUNT_NOT_RESOLVED)
    return {"account_name": account_name(number), "account_number": number}


# -- the customer's payment history ([B] GET /v1/payment/history) ----------------------------------


def _history_record(source: dict, kind: str, credit_type: str, status: str) -> dict:
    return {
        "id": source.get("id") or source["reference"],
        "reference": source["reference"],
        "amount": source["amount"],
        "fee": 0,
        "currency": "NGN",
        "gateway": source.get("gateway"),
        "transaction_type": kind,
        "credit_type": credit_type,
        "status": status,
        "created_at_ms": source["created_at_ms"],
        "updated_at_ms": source.get("updated_at_ms", source["created_at_ms"]),
    }


def _later_history(ns, mine: str) -> list[dict]:
    """[B] the customer's transactions: their intents, the wallet transfers they received (the
    receiver's side), staging top-ups (as `deposit`s: [B] has no top-up type) and escrow
    payments, each as [B]'s transaction object."""
    intents = ns.all("intents")
    records = [transaction(i) for i in intents if i["customer_id"] == mine]
    records += [transaction(i, "receiver") for i in intents
                if i.get("recipient_id") == mine and i["status"] == SUCCESS and i.get("receiver_transaction_id")]
    records += [{"id": t["id"], "reference": t["reference"], "amount": t["amount"], "fee": 0, "currency": "NGN",
                 "status": SUCCESS, "transaction_type": DEPOSIT, "credit_type": "CREDIT", "customer_id": mine,
                 "created_at_ms": t["created_at_ms"], "updated_at_ms": t["created_at_ms"]}
                for t in ns.all("topups") if t["customer_id"] == mine]
    records += [funding.transaction(p) for p in ns.all("payments") if p.get("buyer_id") == mine]
    return records


def payment_history(ns, customer_id, kind=None, reference=None, from_ms=None, to_ms=None) -> list[dict]:
    """The customer's money movements, newest first: their intents (any status), staging
    top-ups (`TOPUP`) and escrow payments (`ESCROW`, DEBIT); filters on type, reference and
    an inclusive time window. [B]: `_later_history`."""
    customer = customers.require_customer(ns, customer_id)
    mine = customer["id"]
    if profiles.later(ns):
        records = _later_history(ns, mine)
        records = history_matching(records, kind, reference, from_ms, to_ms)
        return sorted(records, key=lambda r: r["created_at_ms"], reverse=True)
    records = [_history_record(i, i["transaction_type"], i["credit_type"], i["status"])
               for i in ns.all("intents") if i["customer_id"] == mine]
    records += [_history_record(t, "TOPUP", "CREDIT", SUCCESS) for t in ns.all("topups") if t["customer_id"] == mine]
    records += [_history_record(p, ESCROW, "DEBIT", p["status"])
                for p in ns.all("payments") if p.get("buyer_id") == mine]
    records = history_matching(records, kind, reference, from_ms, to_ms)
    # Newest first; records made at the same instant keep a stable order (Python's sort is stable).
    return sorted(records, key=lambda r: r["created_at_ms"], reverse=True)
