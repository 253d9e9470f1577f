import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { customerDoc, eventDoc, orderDoc, sampleLayout } from "../../src/demo/data.ts";
import { describeEvent } from "../../src/demo/progress.ts";

describe("the demo's sample data", () => {
  it("splits any total over five indices without losing a document", () => {
    for (const total of [10, 3000, 200_000, 199_999]) {
      const layout = sampleLayout(total);
      assert.deepEqual(
        layout.map((i) => i.index),
        [
          "demo-customers",
          "demo-orders",
          "demo-events-2024.01",
          "demo-events-2024.02",
          "demo-events-2024.03",
        ],
      );
      assert.equal(
        layout.reduce((s, i) => s + i.docs, 0),
        total,
        String(total),
      );
    }
  });

  it("writes longs above 2^53 as their exact digits, which JSON.parse would round", () => {
    const cases: [string, string, string][] = [
      [customerDoc(0), "account_number", "9007199254740993"],
      [orderDoc(1, 10), "payment_ref", "9007199254950451"],
      [eventDoc(2, 1, 10), "trace_id", "9007199316684447"],
    ];
    for (const [text, field, digits] of cases) {
      assert.match(text, new RegExp(`"${field}":${digits}}$`));
      assert.notEqual(String((JSON.parse(text) as Record<string, number>)[field]), digits);
    }
  });

  it("makes the same document for the same number, with nested items and geo points", () => {
    assert.equal(orderDoc(42, 100), orderDoc(42, 100));
    const order = JSON.parse(orderDoc(42, 100)) as {
      items: unknown[];
      shipping: { location: { lat: number; lon: number } };
    };
    assert.ok(order.items.length >= 1);
    assert.equal(typeof order.shipping.location.lat, "number");
  });
});

describe("the demo's progress lines", () => {
  const event = (type: string, data: unknown, step = "cutover") => ({ seq: 1, at: "", step, type, data });
  it("tells the events worth a line and leaves the rest to the report", () => {
    const cases: [ReturnType<typeof event>, string | undefined][] = [
      [event("step.started", {}), "▶ cutover"],
      [event("step.finished", { durationMs: 2_345 }), "✓ cutover done in 2.3 s"],
      [event("cutover.fence", { at: "x" }), "  cutover fence: done"],
      [
        event("cutover.switch", { pauseMs: 1_840 }),
        "  cutover switch: clients now write to the target; write pause 1.8 s",
      ],
      [
        event("step.failed", { code: "BG_X", message: "it broke" }, "validate"),
        "✗ validate failed: BG_X: it broke",
      ],
      [event("validate.check", { passed: true }, "validate"), undefined],
      [event("gateway.started", {}, "gateway"), undefined],
    ];
    for (const [e, line] of cases) assert.equal(describeEvent(e), line, e.type);
  });
});
