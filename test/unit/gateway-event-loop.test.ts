import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayMetrics } from "../../src/gateway/metrics.ts";

function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is held, as a long request handler would hold it
  }
}

const UTILIZATION = "bluegreen_gateway_event_loop_utilization";
const delay = (quantile: string) => `bluegreen_gateway_event_loop_delay_seconds{quantile="${quantile}"}`;

describe("gateway event-loop metrics", () => {
  it("report the share of time the loop was busy since the previous scrape", async () => {
    const metrics = new GatewayMetrics();
    try {
      await metrics.text();
      await sleep(100);
      const idle = value(await metrics.text(), UTILIZATION);
      busy(100);
      const held = value(await metrics.text(), UTILIZATION);
      assert.ok(idle !== undefined && idle >= 0 && idle < 0.5, `an idle loop: ${idle}`);
      assert.ok(held !== undefined && held > 0.5 && held <= 1, `a loop held for the whole interval: ${held}`);
    } finally {
      metrics.close();
    }
  });

  it("report how late the loop ran since the previous scrape, starting at the first scrape", async () => {
    const metrics = new GatewayMetrics();
    try {
      const first = await metrics.text();
      assert.equal(value(first, delay("max")), undefined, "nothing sampled before the first scrape");
      await sleep(50);
      busy(150);
      await sleep(50);
      const late = await metrics.text();
      const max = value(late, delay("max"));
      assert.ok(max !== undefined && max >= 0.1, `a loop held 150 ms ran a timer that late: ${max}`);
      assert.ok((value(late, delay("0.5")) ?? -1) >= 0);
      // Each scrape covers only the time since the one before: the block is not reported twice.
      await sleep(50);
      const after = value(await metrics.text(), delay("max"));
      assert.ok(after !== undefined && after < max, `the next interval has its own maximum: ${after}`);
    } finally {
      metrics.close();
    }
  });
});
