/** The migration file the demo writes into its work folder: what an operator would write for this pair. */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type MigrationConfig } from "../config/index.ts";
import { DEMO_PREFIX } from "./data.ts";

export const DEMO_MIGRATION = "demo";

export interface DemoConfig {
  readonly file: string;
  readonly config: MigrationConfig;
}

export async function writeDemoConfig(dir: string, source: string, target: string): Promise<DemoConfig> {
  const file = join(dir, "bluegreen.yaml");
  // A fresh token per demo: the file says how a real migration reads it from the environment instead.
  const token = randomBytes(16).toString("hex");
  const text = `# Written by \`bluegreen demo\`: the migration it runs, between the two sandbox clusters.
# Explore it with \`bluegreen status -c ${file}\` (and every other command's -c).
version: 1
name: ${DEMO_MIGRATION}

source:
  url: ${source}
target:
  url: ${target}

# Only the demo's sample indices (and the template they are made from).
indices:
  include: ["${DEMO_PREFIX}*"]

# State, capture log and report live next to this file.
state:
  path: state.db

backfill:
  method: auto                # snapshot, reindex or stream per index; the plan says why

sync:
  method: gateway             # clients write through the gateway; its log is replayed to the target

validate:
  mode: full                  # every document compared by content, not only counts

gateway:
  # The demo starts the gateway itself (\`bluegreen gateway -c THIS --listen 127.0.0.1:0 --replay\`).
  adminToken: ${token}        # a real migration: adminToken: \${BLUEGREEN_GATEWAY_TOKEN}
  captureInTargetMode: true   # after cutover the target's writes are logged: rollback stays lossless
  log:
    dir: log

replay:
  deadLetterPath: dead-letters.ndjson
`;
  writeFileSync(file, text, { mode: 0o600 });
  return { file, config: await loadConfig(file) };
}
