/**
 * The commands as an operator runs them: `bluegreen gateway` as a process, `bluegreen gateway mode` to
 * read and switch it, a restart that keeps the mode, and the usage errors of the mode command.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { bluegreen, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { gatewayConfig } from "../support/gateway-harness.ts";

/** Fixed (a restart must find it again), below Linux's ephemeral range (32768-60999) so no outgoing connection holds it. */
const LISTEN = "127.0.0.1:31802";

async function run(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const child = bluegreen(args);
  const code = await exitOf(child);
  return { code, output: child.output() };
}

describe("bluegreen gateway and gateway mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-cli-"));
  gatewayConfig(`gw-cli-${randomBytes(3).toString("hex")}`, dir, { listen: LISTEN });
  const file = join(dir, "bluegreen.yaml");
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a first start captures; a switch survives a restart", async () => {
    const first = bluegreen(["gateway", "-c", file]);
    await waitForOutput(first, /gateway listening on http:\/\/127\.0\.0\.1:31802 \(mode capture, log /);
    assert.match(
      (await run(["gateway", "mode", "-c", file])).output,
      /^mode capture \(0 write\(s\) in flight\)/,
    );
    const switched = await run(["gateway", "mode", "fenced", "-c", file]);
    assert.equal(switched.code, 0, switched.output);
    assert.match(switched.output, /mode capture → fenced/);
    first.child.kill("SIGTERM");
    assert.equal(await exitOf(first), 0, first.output());

    const second = bluegreen(["gateway", "-c", file]);
    try {
      await waitForOutput(second, /gateway listening on .* \(mode fenced,/);
      const json = await run(["gateway", "mode", "-c", file, "--json"]);
      assert.deepEqual(JSON.parse(json.output), { mode: "fenced", inflightWrites: 0 });
    } finally {
      second.child.kill("SIGTERM");
      await exitOf(second);
    }
  });

  const bad: [string, string[], number, RegExp][] = [
    [
      "an unknown mode",
      ["gateway", "mode", "turbo"],
      2,
      /error BG_GATEWAY_MODE: "turbo" is not a gateway mode\.\nfix: Use one of: capture, dual, fenced, target\./,
    ],
    [
      "no gateway running",
      ["gateway", "mode"],
      1,
      /error BG_GATEWAY_ADMIN: No gateway of this migration answered \(The gateway at http:\/\/127\.0\.0\.1:31802 cannot be reached: ECONNREFUSED\)\.\nfix: Start it with `bluegreen gateway -c FILE`/,
    ],
    [
      "a bad listen address",
      ["gateway", "--listen", "nowhere"],
      2,
      /error BG_USAGE: "nowhere" is not a listen address\./,
    ],
  ];
  for (const [name, args, code, message] of bad) {
    test(`${name} → exit ${code} with a clear message`, async () => {
      const result = await run([...args, "-c", file]);
      assert.equal(result.code, code, result.output);
      assert.match(result.output, message);
    });
  }

  test("a wrong admin token is refused by the running gateway", async () => {
    const gateway = bluegreen(["gateway", "-c", file]);
    try {
      await waitForOutput(gateway, /gateway listening/);
      const other = join(dir, "other.yaml");
      writeFileSync(
        other,
        `version: 1\nname: gw-other\nsource: { url: 'http://127.0.0.1:1' }\ntarget: { url: 'http://127.0.0.1:2' }\nstate: { path: '${join(dir, "other.db")}' }\ngateway: { adminToken: wrong, listen: '${LISTEN}' }\n`,
      );
      const result = await run(["gateway", "mode", "capture", "-c", other]);
      assert.equal(result.code, 1);
      assert.match(
        result.output,
        /error BG_GATEWAY_ADMIN: The gateway refused \/_bluegreen\/mode \(401\): missing or wrong admin token/,
      );
    } finally {
      gateway.child.kill("SIGTERM");
      await exitOf(gateway);
    }
  });
});
