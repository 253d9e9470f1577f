/**
 * Sync through cross-cluster replication on the suite's pairs that run the CCR plugin: the main pair
 * (2.11.1 → 2.19.4) and the legacy pair (1.3.14 → 2.19.4; a 1.x index reaches 2.x without a
 * snapshot). Each: `bluegreen run --until validate` sets CCR up (the backfill records each index as
 * copied by CCR) while a writer writes straight to the source; lag reaches zero; a new index matching
 * the selection's pattern is followed by the auto-follow rule; stop makes the followers writable;
 * every index is digest-equal; clean-up removes what was made (test/support/ccr.ts). Pairs CCR cannot
 * serve, crossed from the running nodes, are refused for `ccr` with the reason; `auto` takes the
 * gateway there.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createCluster } from "../../src/cluster/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { resolveSyncMethod } from "../../src/sync/index.ts";
import {
  assertCcrRefused,
  ccrConfigFile,
  ccrMainCase,
  dropPrefix,
  plainSides,
  silent,
} from "../support/ccr.ts";
import { crossPair, plainClusterConfig, type TestPair, testSandbox } from "../support/sandbox.ts";

const P = `ccr-${randomBytes(4).toString("hex")}`;
const ALIAS = `${P.replace(/-/g, "")}leader`;
const sandbox = testSandbox();
const dir = mkdtempSync(join(tmpdir(), "bg-ccr-"));
const used: string[] = [];

after(async () => {
  for (const file of used) await dropPrefix(file, P);
});

for (const [name, pair] of [
  ["2.11.1 → 2.19.4 (the main pair)", sandbox],
  ["1.3.14 → 2.19.4 (the legacy pair)", sandbox.legacy],
] as const) {
  test(`CCR ${name}: set up during writes, lag to zero, auto-follow, stop, digest-equal, clean-up`, async () => {
    const file = ccrConfigFile(dir, pair.name, plainSides(pair), P, ALIAS, "ccr");
    used.push(file);
    await ccrMainCase(file, dir, P, ALIAS);
  });
}

const REFUSED: [string, () => TestPair, string][] = [
  [
    "an Elasticsearch source",
    () => crossPair("es → 2.19", sandbox.major.source, sandbox.target),
    "the source is elasticsearch 7.10.2; cross-cluster replication is an OpenSearch plugin",
  ],
  [
    "a leader newer than the follower (3.4.0 → 2.19.4)",
    () => crossPair("3.4 → 2.19", sandbox.major.target, sandbox.legacy.target),
    "the target (follower) runs 2.19.4, older than the source (leader) 3.4.0: CCR only replicates to a follower of the same or a newer version",
  ],
];

test("pairs CCR cannot serve: ccr is refused with the reason, auto picks the gateway and says why", async () => {
  for (const [what, pairOf, reason] of REFUSED) {
    const pair = pairOf();
    const s = createCluster(plainClusterConfig("source", pair.source.url), { logger: silent });
    const t = createCluster(plainClusterConfig("target", pair.target.url), { logger: silent });
    try {
      for (const method of ["ccr", "auto"] as const) {
        const config = await loadConfig(
          ccrConfigFile(
            dir,
            `${method}-${randomBytes(3).toString("hex")}`,
            plainSides(pair),
            P,
            ALIAS,
            method,
          ),
        );
        const state = openMigrationState(config);
        try {
          if (method === "ccr") {
            await assertCcrRefused(resolveSyncMethod(config, state, s, t), reason, what);
          } else {
            const choice = await resolveSyncMethod(config, state, s, t);
            assert.deepEqual(
              [choice.method, choice.reason],
              [
                "gateway",
                `sync.method auto: the gateway, because cross-cluster replication cannot serve these clusters: ${reason}`,
              ],
            );
            // Decided once: the recorded choice is what later commands see.
            assert.deepEqual(await resolveSyncMethod(config, state, s, t), choice);
          }
        } finally {
          state.close();
        }
      }
    } finally {
      await Promise.all([s.close(), t.close()]);
    }
  }
});
