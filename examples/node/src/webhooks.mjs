// Receiving Payluk webhooks with Node's own `crypto` and `http`. Payluk POSTs
// `{"event", "data", "timestamp"}` with `x-payluk-signature`: the hex HMAC-SHA512 of the body,
// keyed with the environment's secret key. Integrations check it in one of two ways:
//   - over the raw bytes received (what the later docs prescribe), or
//   - over `JSON.stringify(req.body)` after a JSON body parser has run (Payluk's older sample,
//     and still common in Express apps) — which only works while Payluk's body is exactly what
//     Node would write again: compact, key order kept, non-ASCII unescaped.
// Both are here; `WebhookReceiver` deduplicates on `event` + `data.id`, as Payluk asks.

import crypto from "node:crypto";

export const SIGNATURE_HEADER = "x-payluk-signature";

/** Hex HMAC-SHA512 of `payload` (bytes or a string, UTF-8) keyed with `secretKey`. */
export function signatureOf(secretKey, payload) {
  return crypto.createHmac("sha512", secretKey).update(payload).digest("hex");
}

function sameSignature(expected, received) {
  if (typeof received !== "string") return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(received.trim().toLowerCase(), "utf8");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The raw-body check: `rawBody` is the request body exactly as received (a Buffer). */
export function verifyRawBody(rawBody, signature, secretKey) {
  return sameSignature(signatureOf(secretKey, rawBody), signature);
}

/** The re-serialising check: `body` is the parsed JSON (`req.body` behind a JSON body parser). */
export function verifyStringifiedBody(body, signature, secretKey) {
  return sameSignature(signatureOf(secretKey, JSON.stringify(body)), signature);
}

/** The whole request body as one Buffer. */
export async function readRawBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A webhook endpoint: verifies each delivery (`verify: "raw"` or `"stringify"`), skips
 * duplicates and hands each new event to `onEvent`. `receive()` is the framework-free core;
 * `listener` plugs it into `http.createServer`.
 */
export class WebhookReceiver {
  constructor({ secretKey, verify = "raw", onEvent = () => {} }) {
    if (!["raw", "stringify"].includes(verify)) throw new TypeError(`verify must be "raw" or "stringify", not ${verify}`);
    this.secretKey = secretKey;
    this.verify = verify;
    this.onEvent = onEvent;
    this.seen = new Set();
    this.listener = this.listener.bind(this);
  }

  /** One delivery → `{status, event, duplicate}`: 401 for a bad signature, 400 for a body that is not JSON. */
  receive(rawBody, headers) {
    const signature = headers[SIGNATURE_HEADER];
    let body;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return { status: 400, event: null, duplicate: false };
    }
    const ok = this.verify === "raw"
      ? verifyRawBody(rawBody, signature, this.secretKey)
      : verifyStringifiedBody(body, signature, this.secretKey);
    if (!ok) return { status: 401, event: body, duplicate: false };
    const key = `${body.event}:${body.data?.id}`;
    const duplicate = this.seen.has(key);
    if (!duplicate) {
      this.seen.add(key);
      this.onEvent(body);
    }
    return { status: 200, event: body, duplicate };
  }

  async listener(req, res) {
    const { status } = this.receive(await readRawBody(req), req.headers);
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ received: status === 200 }));
  }
}
