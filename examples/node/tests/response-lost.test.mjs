// A payment whose answer never arrives: Payluk took the money, the connection dropped. The
// sandbox's `response_lost` scenario does exactly that (triggered here by its magic reference
// prefix `sbx_lost_`). Sending the payment again with the same `reference` gets the first
// payment's answer; a new reference would be a second payment attempt.

import assert from "node:assert/strict";

import { PaylukClient, PaylukError, PaylukNetworkError } from "../src/payluk.mjs";
import { SANDBOX_URL, sandboxTest, websiteEscrow } from "./sandbox.mjs";

const balances = ({ mainBalance, escrowBalance }) => ({ mainBalance, escrowBalance });

sandboxTest("the client retries a lost payment answer with the same reference: charged once", async (ns) => {
  const { payluk } = ns;
  const { seller, buyer, beneficiary } = await ns.parties();
  const escrow = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
  const reference = `sbx_lost_order_${escrow.id}_${Date.now()}`;

  const payment = await payluk.payEscrow(buyer, escrow, { reference });
  assert.deepEqual([payment.reference, payment.status, payment.amount], [reference, "SUCCESS", 1025000]);

  // Two requests reached the sandbox, both under the scenario (the retry carries the magic
  // reference too): the first committed and was dropped, the retry changed nothing and was answered.
  const { data: journal } = await ns.control("GET", "/requests?path=/v1/payment/escrow");
  assert.deepEqual(journal.map((entry) => [entry.status, entry.scenario, entry.requestBody.reference]),
    [[200, "response_lost", reference], [200, "response_lost", reference]]);
  assert.deepEqual(balances(await payluk.wallet(buyer)), { mainBalance: 5000000 - 1025000, escrowBalance: 1025000 });
  assert.equal((await payluk.verify(escrow.paymentToken, buyer)).state, "OPENED");
});

sandboxTest("without a retry the payment's fate is unknown; only the same reference settles it", async (ns) => {
  const { seller, buyer, beneficiary } = await ns.parties();
  const payluk = new PaylukClient({ baseUrl: SANDBOX_URL, secretKey: ns.key, retries: 0 });
  const escrow = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
  const reference = `sbx_lost_order_${escrow.id}_${Date.now()}`;

  await assert.rejects(payluk.payEscrow(buyer, escrow, { reference }), PaylukNetworkError);
  // The payment committed although no answer came back ...
  assert.equal((await payluk.verify(escrow.paymentToken, buyer)).state, "OPENED");
  // ... so a fresh attempt under a new reference is refused, and the same reference answers it.
  await assert.rejects(payluk.payEscrow(buyer, escrow, { reference: `order_${escrow.id}_${Date.now()}` }),
    (err) => err instanceof PaylukError && err.status === 400 && err.message === "Action not allowed");
  const replay = await payluk.payEscrow(buyer, escrow, { reference });
  assert.deepEqual([replay.reference, replay.status, replay.amount], [reference, "SUCCESS", 1025000]);
  assert.deepEqual(balances(await payluk.wallet(buyer)), { mainBalance: 5000000 - 1025000, escrowBalance: 1025000 });
});
