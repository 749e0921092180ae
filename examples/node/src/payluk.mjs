// A small Payluk escrow client for Node 18+, written the way public Payluk integrations write
// theirs (Next.js route handlers, Express back ends): global `fetch`, `Authorization: Bearer
// <secret key>`, the `customer-id` header naming the merchant customer who acts, the created id
// read from `data.id` and the payment link from `data.paymentToken`, lists paged until
// `pagination.isLastPage`. No dependencies.
//
// It knows nothing about the sandbox: give it Payluk's staging URL and a real `sk_test_` key, or
// payluk-sandbox's URL and any `sk_test_` key, and it behaves the same. It sends the input shapes
// both generations of Payluk's docs accept (JSON bodies, lower-case `gateway` /
// `transactionType`, `amount` and `currency` on pay-escrow, `maxDelivery` / `deliveryTimeline` on
// milestone escrows) and targets the mid-2026 behaviour.

export const STAGING_URL = "https://staging.api.payluk.ng";
export const LIVE_URL = "https://api.payluk.ng";

/** A non-2xx answer: `status` is the HTTP code, `message` Payluk's envelope `message`. */
export class PaylukError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.name = "PaylukError";
    this.status = status;
    this.body = body;
  }
}

/**
 * No (complete) answer: the connection failed, timed out or dropped before the whole answer
 * arrived. The operation may or may not have happened on Payluk's side, so only a request that
 * is safe to repeat (a read, or a payment with the same `reference`) may be sent again.
 */
export class PaylukNetworkError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "PaylukNetworkError";
  }
}

const toKobo = (naira) => Math.round(Number(naira) * 100);

/**
 * What the buyer pays for an escrow: its amount, the buyer's share of the fee (`whoPays`:
 * `buyer` all of it, `seller` none, `both` half, an odd kobo to the buyer) and any
 * `additionalFee`. Computed in kobo so decimal amounts add up exactly.
 */
export function amountDue(escrow) {
  const fee = toKobo(escrow.fee ?? 0);
  const buyerShare = escrow.whoPays === "seller" ? 0 : escrow.whoPays === "both" ? fee - Math.floor(fee / 2) : fee;
  return (toKobo(escrow.amount) + buyerShare + toKobo(escrow.additionalFee ?? 0)) / 100;
}

/** The id of something Payluk created: `data.id`, or the older `data._id` / `data.customerId`. */
export const idOf = (data) => data?.id ?? data?._id ?? data?.customerId;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class PaylukClient {
  /**
   * @param {object} options
   * @param {string} options.secretKey   `sk_test_…` (staging) or `sk_live_…` (production)
   * @param {string} [options.baseUrl]   defaults to Payluk's host for the key's environment
   * @param {number} [options.timeoutMs] per request
   * @param {number} [options.retries]   extra attempts for requests safe to repeat, on network errors only
   * @param {number} [options.retryDelayMs]
   */
  constructor({ secretKey, baseUrl, timeoutMs = 30_000, retries = 2, retryDelayMs = 250 } = {}) {
    if (!secretKey) throw new TypeError("PaylukClient needs a secretKey");
    this.secretKey = secretKey;
    this.baseUrl = (baseUrl ?? (secretKey.startsWith("sk_live_") ? LIVE_URL : STAGING_URL)).replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
    this.retries = retries;
    this.retryDelayMs = retryDelayMs;
  }

  // -- escrows: the seller is the customer-id ------------------------------------------------
  /** POST /v1/escrow/milestone/create (JSON). Milestone amounts must add up to `amount`. */
  createMilestoneEscrow(sellerId, { amount, purpose, milestones, whoPays = "buyer", maxDelivery = 30,
    deliveryTimeline = "days", ...extra }) {
    const json = { amount, purpose, whoPays, maxDelivery, deliveryTimeline, milestones, ...extra };
    return this.request("POST", "/v1/escrow/milestone/create", { customerId: sellerId, json });
  }

  /** POST /v1/escrow/create as multipart/form-data, as Payluk documents it (numbers as strings). */
  createEscrow(sellerId, { amount, purpose, whoPays = "both", maxDelivery = 3, deliveryTimeline = "days",
    totalQuantity = 1, ...extra }) {
    const form = new FormData();
    const fields = { amount, purpose, whoPays, maxDelivery, deliveryTimeline, totalQuantity, ...extra };
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && value !== null) form.append(name, String(value));
    }
    return this.request("POST", "/v1/escrow/create", { customerId: sellerId, form });
  }

  /** GET /v1/escrow/verify/{paymentToken}: the escrow behind a payment link. */
  verify(paymentToken, customerId) {
    return this.request("GET", `/v1/escrow/verify/${encodeURIComponent(paymentToken)}`, { customerId, retry: true });
  }

  /** GET /v1/escrow/milestone/{paymentToken}. */
  milestones(paymentToken) {
    return this.request("GET", `/v1/escrow/milestone/${encodeURIComponent(paymentToken)}`, { retry: true });
  }

  /** GET /v1/escrow/claim-funds/{paymentToken}: the seller takes the money once the delivery window has passed. */
  claimFunds(sellerId, paymentToken) {
    return this.request("GET", `/v1/escrow/claim-funds/${encodeURIComponent(paymentToken)}`, { customerId: sellerId });
  }

  // -- the buyer's side -----------------------------------------------------------------------
  /**
   * POST /v1/payment/escrow: fund an escrow in full. `reference` is ours (an order reference):
   * when the answer is lost on the way, the same request is sent again with the same
   * reference, which Payluk answers with the first payment instead of charging twice.
   */
  payEscrow(buyerId, escrow, { gateway = "wallet", reference = `order_${idOf(escrow)}_${Date.now()}` } = {}) {
    const json = {
      amount: amountDue(escrow),
      currency: "NGN",
      gateway,
      transactionType: "escrow",
      reference,
      escrowDetails: { escrowId: idOf(escrow) },
    };
    return this.request("POST", "/v1/payment/escrow", { customerId: buyerId, json, retry: true });
  }

  /** POST /v1/escrow/milestone/confirm/{escrowId}/{milestoneId}: release one milestone. */
  confirmMilestone(buyerId, escrowId, milestoneId) {
    return this.request("POST", `/v1/escrow/milestone/confirm/${escrowId}/${milestoneId}`, { customerId: buyerId });
  }

  /** POST /v1/escrow/confirm-payment/{escrowId}: the buyer releases a standard escrow. */
  confirmPayment(buyerId, escrowId) {
    return this.request("POST", `/v1/escrow/confirm-payment/${escrowId}`, { customerId: buyerId });
  }

  // -- disputes ---------------------------------------------------------------------------------
  /** POST /v1/escrow/submit-dispute/{paymentToken}: the buyer opens a dispute, the seller answers it once. */
  submitDispute(customerId, paymentToken, message) {
    return this.request("POST", `/v1/escrow/submit-dispute/${encodeURIComponent(paymentToken)}`,
      { customerId, json: { message } });
  }

  /**
   * POST /v1/escrow/dispute/resolve/{escrowId}: the merchant's ruling, no customer-id. `status`
   * `COMPLETED` (the seller is paid) or `REFUNDED` (the buyer is); the later docs add `SPLIT` with
   * `sellerAmount` + `buyerAmount`, and the amounts beside the other two (the earlier docs ignore them).
   */
  resolveDispute(escrowId, { status, resolution, ...amounts }) {
    return this.request("POST", `/v1/escrow/dispute/resolve/${escrowId}`, { json: { status, resolution, ...amounts } });
  }

  // -- customers and wallets --------------------------------------------------------------------
  /** GET /v1/wallet: `{mainBalance, escrowBalance, currency}`. */
  wallet(customerId) {
    return this.request("GET", "/v1/wallet", { customerId, retry: true });
  }

  /** Every merchant customer: GET /v1/customers page by page until `pagination.isLastPage`. */
  async *customers({ limit = 50 } = {}) {
    for (let page = 1; ; page += 1) {
      const { data, pagination } = await this.request("GET", "/v1/customers", { query: { limit, page }, retry: true });
      yield* data;
      if (pagination.isLastPage) return;
    }
  }

  /** GET /v1/customers?email=…: the customer, or null when Payluk finds none. */
  async customerByEmail(email) {
    try {
      const { data } = await this.request("GET", "/v1/customers", { query: { email }, retry: true });
      return data[0] ?? null;
    } catch (err) {
      if (err instanceof PaylukError && err.message === "No customer found with the provided email") return null;
      throw err;
    }
  }

  // -- plumbing ---------------------------------------------------------------------------------
  /**
   * One call; returns the envelope's `data`. A non-2xx answer throws PaylukError with the
   * envelope's `message`; no complete answer throws PaylukNetworkError, after `retries` more
   * attempts when the request is safe to repeat (`retry`). An answer whose body is cut off counts
   * as no answer: fetch resolves as soon as the status line and headers arrive, so the body must
   * be read inside the same try.
   */
  async request(method, path, { customerId, json, form, query, retry = false } = {}) {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers = { Authorization: `Bearer ${this.secretKey}`, Accept: "application/json" };
    if (customerId) headers["customer-id"] = customerId;
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form; // fetch writes the multipart/form-data Content-Type with its boundary
    }
    const attempts = retry ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      let response;
      let text;
      try {
        response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        text = await response.text();
      } catch (err) {
        if (attempt < attempts) {
          await sleep(this.retryDelayMs * attempt);
          continue;
        }
        const why = err.cause?.message ?? err.message;
        throw new PaylukNetworkError(`${method} ${url.pathname}: no answer from Payluk (${why})`, { cause: err });
      }
      return this.#unwrap(response, text);
    }
  }

  #unwrap(response, text) {
    let envelope;
    try {
      envelope = JSON.parse(text);
    } catch {
      throw new PaylukError(response.status, text.slice(0, 200) || response.statusText);
    }
    if (!response.ok) {
      throw new PaylukError(response.status, envelope?.message || response.statusText, envelope);
    }
    return envelope.data;
  }
}
