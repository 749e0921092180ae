// What the tests need from payluk-sandbox: its URL (PAYLUK_SANDBOX_URL, set by scripts/test.mjs
// or by you), a fresh `sk_test_` key per test — its own namespace with the default fixture
// customers and balances — and the documented `/_sandbox` controls (clock, helpers, webhooks,
// journal, invariants). The client under test (src/payluk.mjs) knows nothing of any of this.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { test } from "node:test";

import { PaylukClient, idOf } from "../src/payluk.mjs";

export const SANDBOX_URL = (process.env.PAYLUK_SANDBOX_URL ?? "").replace(/\/+$/, "");
if (!SANDBOX_URL) {
  throw new Error("PAYLUK_SANDBOX_URL is not set: run `npm test` (it starts payluk-sandbox), or point "
    + "PAYLUK_SANDBOX_URL at a running sandbox");
}
const CONTROL_TOKEN = process.env.PAYLUK_SANDBOX_TOKEN; // when the sandbox protects its controls

// The default fixtures' customers (the sandbox's fixtures/default.json), found by e-mail.
export const EMAILS = {
  seller: "ada.eze@sandbox.payluk.test", // empty wallet
  buyer: "tunde.bakare@sandbox.payluk.test", // 5,000,000 NGN
  poorBuyer: "bola.adeyemi@sandbox.payluk.test", // 10,000 NGN
  beneficiary: "chidi.nwosu@sandbox.payluk.test", // receives a milestone
};

// docs.payluk.ng's milestone escrow example (concepts/milestone-escrows), the beneficiary's id
// filled in: the Design milestone is paid to them, the rest to the seller.
export function websiteEscrow(beneficiary) {
  return {
    amount: 1000000,
    purpose: "Company website build",
    whoPays: "buyer",
    milestones: [
      { title: "Design", amount: 300000, dueDate: "2026-07-15", customerId: beneficiary },
      { title: "Development", amount: 500000, dueDate: "2026-08-15" },
      { title: "Deployment", amount: 200000 },
    ],
  };
}

export class Namespace {
  constructor(key = `sk_test_node_${crypto.randomBytes(12).toString("hex")}`) {
    this.key = key;
    this.payluk = new PaylukClient({ baseUrl: SANDBOX_URL, secretKey: key, retryDelayMs: 20 });
  }

  /** The fixture customers' ids by role, looked up through the API as an integration would. */
  async parties() {
    const entries = await Promise.all(Object.entries(EMAILS).map(async ([role, email]) => {
      const customer = await this.payluk.customerByEmail(email);
      assert.ok(customer, `fixture customer ${email} not found`);
      return [role, idOf(customer)];
    }));
    return Object.fromEntries(entries);
  }

  /** A `/_sandbox` control of this key's namespace; returns the envelope's `data`. */
  async control(method, path, json) {
    const headers = { Authorization: `Bearer ${this.key}` };
    if (CONTROL_TOKEN) headers["X-Sandbox-Token"] = CONTROL_TOKEN;
    if (json !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${SANDBOX_URL}/_sandbox${path}`, {
      method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal: AbortSignal.timeout(30_000),
    });
    const envelope = await response.json();
    assert.ok(response.ok, `${method} /_sandbox${path}: ${response.status} ${envelope.message}`);
    return envelope.data;
  }

  /** Move the namespace clock (ISO-8601 duration); answers what fell due on the way. */
  advance(duration) {
    return this.control("POST", "/clock/advance", { duration });
  }

  /** The sandbox's ledger still balances: no money was created or lost. */
  async assertBooksBalance() {
    const { ok, violations } = await this.control("GET", "/invariants");
    assert.deepEqual(violations, []);
    assert.equal(ok, true);
  }
}

/** A test on a namespace of its own; the books must balance when it ends. */
export function sandboxTest(name, fn) {
  return test(name, { timeout: 60_000 }, async (t) => {
    const ns = new Namespace();
    await fn(ns, t);
    await ns.assertBooksBalance();
  });
}
