/**
 * Validation under faults never reports a pass it did not earn: the target going away mid-run is a
 * clear error naming the cluster (no stack trace) and leaves the gate closed; a validate process killed
 * with SIGKILL mid-run leaves no pass standing, and the next run starts over and passes.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { loadConfig } from "../../src/config/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { readiness } from "../../src/validate/index.ts";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed, start } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const clusters = clustersOf(sandbox);
const P = prefix();
const INDEX = `${P}-vf`;

async function gate(file: string) {
  const state = openMigrationState(await loadConfig(file));
  try {
    return readiness(state, 3_600_000);
  } finally {
    state.close();
  }
}

/** A pass-through proxy to `upstream` that can be cut: every open connection destroyed, new ones refused. */
async function cuttableProxy(upstream: string) {
  let searches = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if ((req.url ?? "").includes("_search")) searches++;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === "string" && !["host", "connection", "content-length"].includes(k)) headers[k] = v;
      const body = chunks.length === 0 ? undefined : new Uint8Array(Buffer.concat(chunks));
      fetch(`${upstream}${req.url}`, { method: req.method ?? "GET", headers, ...(body ? { body } : {}) })
        .then(async (answer) => {
          const bytes = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
          res.end(bytes);
        })
        .catch(() => res.destroy());
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    searches: () => searches,
    cut: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

before(async () => {
  await seed(clusters.source, INDEX, 3000, { shards: 2, routeEvery: 5 });
  const { dir, file } = migrationFile(`${P}-setup`, sandbox, INDEX);
  for (const step of [
    ["prepare", "--apply"],
    ["backfill", "--method", "stream"],
  ]) {
    const run = bluegreen([...step, "-c", file], dir);
    assert.equal(run.code, 0, run.stderr);
  }
});

after(async () => {
  await dropAll(clusters.source, `${P}-*`);
  await dropAll(clusters.target, `${P}-*`);
  await clusters.close();
});

test("the target goes away mid-validation: a clear error naming it, and the gate stays closed", async () => {
  const proxy = await cuttableProxy(sandbox.target.url);
  const { dir, file } = migrationFile(
    `${P}-gone`,
    { ...sandbox, target: { ...sandbox.target, url: proxy.url } },
    INDEX,
  );
  // A first pass proves the set-up validates, so the failure below can only come from the cut. (Not
  // spawnSync: the proxy serves from this process's event loop.)
  const first = await start(["validate", "-c", file, "--full"], dir).done;
  assert.equal(first.code, 0, first.stderr);
  assert.equal((await gate(file)).ok, true);

  const before = proxy.searches();
  const run = start(["validate", "-c", file, "--full"], dir);
  let finished = false;
  void run.done.then(() => {
    finished = true;
  });
  while (proxy.searches() === before && !finished) await delay(5);
  proxy.cut();
  const result = await run.done;
  assert.notEqual(result.code, 0, result.stdout);
  assert.match(result.stderr, /error BG_CLUSTER_\w+: .*[Cc]luster "target"/);
  assert.match(result.stderr, /fix: /);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  const verdict = await gate(file);
  assert.equal(verdict.ok, false);
  assert.match(verdict.ok ? "" : verdict.reason, /did not finish/);
});

test("validate killed with SIGKILL mid-run leaves no pass standing; the next run passes", async () => {
  const { dir, file } = migrationFile(`${P}-kill`, sandbox, INDEX);
  const first = bluegreen(["validate", "-c", file, "--sample", "100"], dir);
  assert.equal(first.code, 0, first.stderr);
  assert.equal((await gate(file)).ok, true);

  const run = start(["validate", "-c", file, "--full"], dir);
  // Killed once the run has cleared the last result: from then on only a finished run may open the gate.
  for (;;) {
    const verdict = await gate(file);
    if (!verdict.ok) break;
    await delay(10);
  }
  run.child.kill("SIGKILL");
  const killed = await run.done;
  assert.equal(killed.signal, "SIGKILL");
  const verdict = await gate(file);
  assert.equal(verdict.ok, false);
  assert.match(verdict.ok ? "" : verdict.reason, /did not finish/);

  const again = bluegreen(["validate", "-c", file, "--full"], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await gate(file)).ok, true);
});
