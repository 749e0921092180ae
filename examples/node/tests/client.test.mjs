// The client's own rules: what a buyer pays, how Payluk's envelope becomes an error, paging.

import assert from "node:assert/strict";
import { test } from "node:test";

import { LIVE_URL, PaylukClient, PaylukError, STAGING_URL, amountDue, idOf } from "../src/payluk.mjs";
import { EMAILS, SANDBOX_URL, sandboxTest } from "./sandbox.mjs";

test("amountDue: the amount, the buyer's share of the fee and any additional fee, to the kobo", () => {
  assert.equal(amountDue({ amount: 1000000, fee: 25000, whoPays: "buyer" }), 1025000);
  assert.equal(amountDue({ amount: 150000, fee: 3750, whoPays: "both" }), 151875);
  assert.equal(amountDue({ amount: 150000, fee: 3750, whoPays: "seller" }), 150000);
  assert.equal(amountDue({ amount: 1001, fee: 25.03, whoPays: "both" }), 1013.52); // the odd kobo is the buyer's
  assert.equal(amountDue({ amount: 1000.1, fee: 20.2, whoPays: "buyer", additionalFee: 0.7 }), 1021);
});

test("idOf reads data.id, then the older _id / customerId", () => {
  assert.equal(idOf({ id: "a", _id: "b" }), "a");
  assert.equal(idOf({ _id: "b" }), "b");
  assert.equal(idOf({ customerId: "c" }), "c");
});

test("the key picks Payluk's host when no base URL is given", () => {
  assert.equal(new PaylukClient({ secretKey: "sk_test_x" }).baseUrl, STAGING_URL);
  assert.equal(new PaylukClient({ secretKey: "sk_live_x" }).baseUrl, LIVE_URL);
});

sandboxTest("every customer, page by page until pagination.isLastPage", async (ns) => {
  const emails = [];
  for await (const customer of ns.payluk.customers({ limit: 2 })) emails.push(customer.email);
  assert.deepEqual(emails.sort(), [...Object.values(EMAILS), "ngozi.okafor@sandbox.payluk.test"].sort());
  const { data: journal } = await ns.control("GET", "/requests?path=/v1/customers");
  assert.deepEqual(journal.map((entry) => entry.query.page).reverse(), ["1", "2", "3"]);
  assert.equal(await ns.payluk.customerByEmail("nobody@example.com"), null);
});

sandboxTest("non-2xx answers become PaylukError with the envelope's message", async (ns) => {
  const { seller } = await ns.parties();
  await assert.rejects(ns.payluk.wallet(undefined), { name: "PaylukError", status: 400, message: "customer-id header is required" });
  await assert.rejects(ns.payluk.wallet("aaaaaaaaaaaaaaaaaaaaaaaa"), { status: 404, message: "Customer not found" });
  await assert.rejects(ns.payluk.createMilestoneEscrow(seller, {
    amount: 1000, purpose: "Logo", milestones: [{ title: "Draft", amount: 400 }, { title: "Final", amount: 500 }],
  }), { status: 400, message: "The sum of milestone amounts must equal the escrow amount" });

  const live = new PaylukClient({ baseUrl: SANDBOX_URL, secretKey: "sk_live_not_here" });
  const refused = await live.wallet(seller).catch((err) => err);
  assert.ok(refused instanceof PaylukError);
  assert.deepEqual([refused.status, refused.message], [403, "Unauthorized Access"]);
});
