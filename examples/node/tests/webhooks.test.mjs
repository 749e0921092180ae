// Payluk's webhooks, received by a Node http server and checked the two ways integrations check
// them: HMAC-SHA512 over the raw body, and over JSON.stringify of the parsed body. Every event
// the sandbox emits must reach the receiver and pass both checks; a wrongly signed one must fail
// both. The flows between them produce every escrow event of the mid-2026 docs, and (profile
// 2026-10) the payment events, decimal amounts and a split.

import assert from "node:assert/strict";
import http from "node:http";

import { WebhookReceiver, readRawBody } from "../src/webhooks.mjs";
import { sandboxTest, websiteEscrow } from "./sandbox.mjs";

/** A receiver on a free port that runs every delivery through both verifiers. */
async function startReceiver(secretKey) {
  const accepted = { raw: [], stringify: [] };
  const rejected = [];
  const verifiers = {
    raw: new WebhookReceiver({ secretKey, verify: "raw", onEvent: (event) => accepted.raw.push(event) }),
    stringify: new WebhookReceiver({ secretKey, verify: "stringify", onEvent: (event) => accepted.stringify.push(event) }),
  };
  const server = http.createServer(async (req, res) => {
    const body = await readRawBody(req);
    const raw = verifiers.raw.receive(body, req.headers);
    const stringify = verifiers.stringify.receive(body, req.headers);
    if (raw.status !== 200 || stringify.status !== 200) {
      rejected.push({ raw: raw.status, stringify: stringify.status, body: body.toString("utf8") });
    }
    res.writeHead(raw.status === 200 && stringify.status === 200 ? 200 : 401).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const stop = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}/payluk/webhook`, accepted, rejected, stop };
}

const keyOf = (payload) => `${payload.event} ${payload.data.id}`;

/** Deliver what is due and wait until no event is still on its way; returns the outbox. */
async function settle(ns) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await ns.control("POST", "/webhooks/flush");
    const { data: events } = await ns.control("GET", "/events");
    if (events.every((event) => event.status === "DELIVERED" || event.attempts > 0)) return events;
    assert.ok(Date.now() < deadline, `events still pending: ${JSON.stringify(events.map((e) => [e.event, e.status]))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every event of the outbox was delivered and accepted by both verifiers, each with the payload the outbox lists. */
function assertEveryEventAccepted(events, receiver) {
  assert.deepEqual(receiver.rejected, []);
  assert.deepEqual(events.filter((event) => event.status !== "DELIVERED").map((e) => [e.event, e.status]), []);
  const sent = new Map(events.map((event) => [keyOf(event.payload), event.payload]));
  assert.equal(sent.size, events.length, "each event is told apart by event + data.id");
  for (const [name, accepted] of Object.entries(receiver.accepted)) {
    const got = new Map(accepted.map((payload) => [keyOf(payload), payload]));
    assert.deepEqual([...got.keys()].sort(), [...sent.keys()].sort(), `the ${name} verifier's events`);
    for (const [key, payload] of got) assert.deepEqual(payload, sent.get(key), key);
  }
}

sandboxTest("every escrow event reaches a Node receiver and passes both signature checks", async (ns) => {
  const { payluk } = ns;
  const { seller, buyer, beneficiary } = await ns.parties();
  const receiver = await startReceiver(ns.key);
  try {
    await ns.control("PUT", "/webhook", { url: receiver.url });

    // Milestone: created, pending, ongoing, completed.
    const website = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
    await payluk.payEscrow(buyer, website);
    for (const milestone of website.milestones) await payluk.confirmMilestone(buyer, website.id, milestone.id);

    // Standard, multipart, text no ASCII encoder would leave alone; disputed, answered, refunded.
    const naira = await payluk.createEscrow(seller, {
      amount: 150000, purpose: "Àdìrẹ fabric — ₦150k “premium” 🧵",
      description: 'Ọjà: 3 yards\n\t"indigo" </script> \\ é', whoPays: "both",
    });
    await payluk.payEscrow(buyer, naira);
    await payluk.submitDispute(buyer, naira.paymentToken, "Ẹ jọ̀ọ́, the colour is wrong 😞");
    await payluk.submitDispute(seller, naira.paymentToken, "Ó dára: it matches the photo");
    await payluk.resolveDispute(naira.id, { status: "REFUNDED", resolution: "Refund the buyer" });

    // Standard: released by the buyer (completed), and one claimed by the seller (claimed).
    const phone = await payluk.createEscrow(seller, { amount: 80000, purpose: "Phone", whoPays: "seller" });
    await payluk.payEscrow(buyer, phone);
    await payluk.confirmPayment(buyer, phone.id);
    const laptop = await payluk.createEscrow(seller, { amount: 200000, purpose: "Laptop", maxDelivery: 1 });
    await payluk.payEscrow(buyer, laptop);
    await ns.advance("P1DT1M");
    await payluk.claimFunds(seller, laptop.paymentToken);

    // A multi-quantity link: each payment funds a copy with events of its own.
    const tickets = await payluk.createEscrow(seller, { amount: 5000, purpose: "Concert ticket", totalQuantity: 3 });
    await payluk.payEscrow(buyer, tickets);

    const events = await settle(ns);
    const types = new Set(events.map((event) => event.event));
    for (const type of ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.disputed",
      "escrow.investigating", "escrow.completed", "escrow.claimed", "escrow.refunded"]) {
      assert.ok(types.has(type), `no ${type} event: ${[...types]}`);
    }
    assertEveryEventAccepted(events, receiver);
    const disputed = receiver.accepted.raw.find((payload) => payload.event === "escrow.refunded");
    assert.equal(disputed.data.purpose, "Àdìrẹ fabric — ₦150k “premium” 🧵");

    // A wrongly signed delivery fails both checks (and is answered 401, so the sandbox retries it later).
    await ns.control("PUT", "/webhook", { faults: ["wrong_signature"] });
    await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));
    const after = await settle(ns);
    const forged = after.filter((event) => event.status !== "DELIVERED");
    assert.deepEqual(forged.map((event) => event.event), ["escrow.created", "escrow.pending"]);
    assert.deepEqual(receiver.rejected.map(({ raw, stringify }) => [raw, stringify]), [[401, 401], [401, 401]]);
  } finally {
    await ns.control("PUT", "/webhook", { url: null, faults: [] });
    await receiver.stop();
  }
});

sandboxTest("profile 2026-10: payment events, decimal amounts and a split pass both checks too", async (ns) => {
  const { payluk } = ns;
  const { seller, buyer, beneficiary } = await ns.parties();
  const receiver = await startReceiver(ns.key);
  try {
    await ns.control("PUT", "/profile", { profile: "2026-10" });
    await ns.control("PUT", "/merchant", { commission: 1.5 }); // the merchant's own cut, paid on completion
    await ns.control("PUT", "/webhook", { url: receiver.url });
    const today = new Date((await ns.control("GET", "/clock")).now);
    const due = (days) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);

    const website = await payluk.createMilestoneEscrow(seller, {
      amount: 1000.5, purpose: "Logo — ₦ brand kit", whoPays: "buyer",
      milestones: [{ title: "Sketch", amount: 400.25, dueDate: due(7), customerId: beneficiary },
        { title: "Final", amount: 600.25, dueDate: due(14) }],
    });
    await payluk.payEscrow(buyer, website);
    for (const milestone of website.milestones) await payluk.confirmMilestone(buyer, website.id, milestone.id);

    const chair = await payluk.createEscrow(seller, { amount: 1500.75, purpose: "Chair", whoPays: "both" });
    await payluk.payEscrow(buyer, chair);
    await payluk.confirmPayment(buyer, chair.id);

    const desk = await payluk.createEscrow(seller, { amount: 2000.1, purpose: "Desk", whoPays: "seller" });
    await payluk.payEscrow(buyer, desk);
    await payluk.submitDispute(buyer, desk.paymentToken, "Scratched top");
    const pool = Math.round((desk.amount - desk.fee) * 100); // whoPays seller: the fee is the seller's, in kobo
    await payluk.resolveDispute(desk.id, { status: "SPLIT", resolution: "Part each", sellerAmount: 1000.05,
      buyerAmount: (pool - 100005) / 100 });

    const events = await settle(ns);
    const types = new Set(events.map((event) => event.event));
    for (const type of ["payment.escrow.success", "payment.commission.success", "escrow.split"]) {
      assert.ok(types.has(type), `no ${type} event: ${[...types]}`);
    }
    assertEveryEventAccepted(events, receiver);
    const split = receiver.accepted.stringify.find((payload) => payload.event === "escrow.split");
    assert.equal(split.data.split.sellerAmount, 1000.05);
  } finally {
    await ns.control("PUT", "/webhook", { url: null, faults: [] });
    await receiver.stop();
  }
});
