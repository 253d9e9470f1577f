/**
 * A real third-party tool through the gateway: elasticdump imports a file (documents with and without
 * ids) into the gateway URL and exports it back through the gateway (scroll reads); replay makes the
 * target equal. And the client's credentials never reach the gateway's logs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertSameContent } from "../support/digest.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";

const P = `gw-cli-${randomBytes(4).toString("hex")}`;
const ELASTICDUMP = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "elasticdump");

async function elasticdump(args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [ELASTICDUMP, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const [code] = await once(child, "exit");
  assert.equal(code, 0, `elasticdump ${args.join(" ")} failed:\n${output}`);
  return output;
}

describe("third-party clients through the gateway", () => {
  let rig: GatewayRig;
  before(async () => {
    rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
  });
  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  test("elasticdump imports into the gateway and exports through it; replay → source ≡ target", async () => {
    const input = join(rig.dir, "input.ndjson");
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        _index: P,
        ...(i % 3 === 0 ? {} : { _id: `d${i}` }),
        _source: { i, tag: `t${i % 7}` },
      }),
    );
    writeFileSync(input, `${lines.join("\n")}\n`);
    await elasticdump([`--input=${input}`, `--output=${rig.url}/${P}`, "--type=data", "--limit=50"]);
    await rig.source.request({ method: "POST", path: `/${P}/_refresh` });
    const count = await rig.source.request<{ count: number }>({ method: "GET", path: `/${P}/_count` });
    assert.equal(count.body.count, 300);

    const exported = join(rig.dir, "export.ndjson");
    await elasticdump([`--input=${rig.url}/${P}`, `--output=${exported}`, "--type=data", "--limit=64"]);
    const back = readFileSync(exported, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    assert.equal(back.length, 300);

    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    await assertSameContent(rig.source, P, rig.target);
  });

  test("the client's Authorization header never reaches the gateway's logs", async () => {
    const secret = "sup3r-s3cret-pw";
    const authorization = `Basic ${Buffer.from(`gw-user:${secret}`).toString("base64")}`;
    const headers = { authorization, "content-type": "application/json" };
    // A write, a read, a refused write and a dual-mode write: every log path the gateway has.
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-1`, { method: "PUT", headers, body: '{"a":1}' })
    ).arrayBuffer();
    await (await fetch(`${rig.url}/${P}/_doc/auth-1`, { headers })).arrayBuffer();
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-2`, { method: "PUT", headers, body: "{broken" })
    ).arrayBuffer();
    await rig.gateway.setMode("dual");
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-3`, { method: "PUT", headers, body: '{"a":3}' })
    ).arrayBuffer();
    await rig.gateway.setMode("capture");
    const logged = rig.logLines.join("");
    assert.ok(rig.logLines.length > 3, "the gateway logged nothing: the check would prove nothing");
    assert.ok(!logged.includes(secret) && !logged.includes(authorization.slice(6)), "credentials in the log");
    assert.ok(!/authorization/i.test(logged));
  });
});
