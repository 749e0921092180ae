// The milestone escrow of Payluk's docs, end to end: the seller creates it with a beneficiary on
// its first milestone, the buyer funds it from the wallet and releases each milestone; the money
// lands with the beneficiary and the seller, and the last release closes the escrow.

import assert from "node:assert/strict";

import { PaylukError } from "../src/payluk.mjs";
import { sandboxTest, websiteEscrow } from "./sandbox.mjs";

const balances = ({ mainBalance, escrowBalance }) => ({ mainBalance, escrowBalance });

sandboxTest("a milestone escrow with a beneficiary: create, fund, release each milestone", async (ns) => {
  const { payluk } = ns;
  const { seller, buyer, beneficiary } = await ns.parties();

  const escrow = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
  assert.match(escrow.id, /^[0-9a-f]{24}$/);
  assert.match(escrow.paymentToken, /^PY_[A-Za-z0-9]{8}\d{4}$/);
  assert.deepEqual([escrow.settlementType, escrow.state, escrow.status], ["MILESTONE", "AWAITING_PAYMENT", "PENDING"]);
  assert.equal(escrow.fee, 25000); // 2.5 % of 1,000,000, paid by the buyer on top
  assert.deepEqual(escrow.milestones.map((m) => [m.title, m.amount, m.customerId]),
    [["Design", 300000, beneficiary], ["Development", 500000, null], ["Deployment", 200000, null]]);

  const link = await payluk.verify(escrow.paymentToken, buyer); // what the buyer sees behind the link
  assert.deepEqual([link.id, link.isSeller, link.amount], [escrow.id, false, 1000000]);

  const reference = `order_${escrow.id}_${Date.now()}`;
  const payment = await payluk.payEscrow(buyer, escrow, { reference });
  assert.deepEqual([payment.reference, payment.status, payment.amount], [reference, "SUCCESS", 1025000]);
  assert.deepEqual(balances(await payluk.wallet(buyer)), { mainBalance: 5000000 - 1025000, escrowBalance: 1025000 });

  const milestones = await payluk.milestones(escrow.paymentToken);
  assert.deepEqual(milestones.map((m) => [m.id, m.status]), escrow.milestones.map((m) => [m.id, "PENDING"]));

  const [design, development, deployment] = milestones;
  let after = await payluk.confirmMilestone(buyer, escrow.id, design.id);
  assert.deepEqual([after.state, after.status], ["OPENED", "ONGOING"]);
  assert.deepEqual(balances(await payluk.wallet(beneficiary)), { mainBalance: 300000, escrowBalance: 0 });
  assert.equal((await payluk.wallet(seller)).mainBalance, 0); // Design's money went to the beneficiary

  after = await payluk.confirmMilestone(buyer, escrow.id, development.id);
  assert.deepEqual([after.state, after.status], ["OPENED", "ONGOING"]);
  assert.equal((await payluk.wallet(seller)).mainBalance, 500000);

  after = await payluk.confirmMilestone(buyer, escrow.id, deployment.id);
  assert.deepEqual([after.state, after.status], ["CLOSED", "COMPLETED"]); // the last release completes it

  assert.deepEqual(balances(await payluk.wallet(seller)), { mainBalance: 700000, escrowBalance: 0 });
  assert.deepEqual(balances(await payluk.wallet(beneficiary)), { mainBalance: 300000, escrowBalance: 0 });
  assert.deepEqual(balances(await payluk.wallet(buyer)), { mainBalance: 5000000 - 1025000, escrowBalance: 0 });
  assert.deepEqual((await payluk.milestones(escrow.paymentToken)).map((m) => m.status),
    ["RELEASED", "RELEASED", "RELEASED"]);
});

sandboxTest("a milestone released twice: Action not allowed, nothing paid twice", async (ns) => {
  const { payluk } = ns;
  const { seller, buyer, beneficiary } = await ns.parties();
  const escrow = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
  await payluk.payEscrow(buyer, escrow);
  const design = escrow.milestones[0];
  await payluk.confirmMilestone(buyer, escrow.id, design.id);

  await assert.rejects(payluk.confirmMilestone(buyer, escrow.id, design.id),
    (err) => err instanceof PaylukError && err.status === 400 && err.message === "Action not allowed");
  assert.equal((await payluk.wallet(beneficiary)).mainBalance, 300000);
});
