import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCluster } from "../../src/cluster/index.ts";
import { parseConfig } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { type ReplayOptions, replay } from "../../src/replay/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import { MemoryLog } from "./gateway-memory-log.ts";

/** A state file of its own in a fresh temporary folder. */
export function freshState(name: string): StateStore {
  return openState(join(mkdtempSync(join(tmpdir(), `bg-${name}-`)), "state.db"), {
    migrationName: name,
    fingerprint: "f",
  });
}

/** A pid that surely ran and surely ended: how a record left by a killed process looks. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid as number;
}

/**
 * replay() against an empty in-memory log and clusters at addresses nothing answers: for runs that must
 * never reach a cluster (a held replay, an empty log). `extra` adds or overrides options. Close in `after`.
 */
export function offlineReplay(name: string) {
  const config = parseConfig(
    `version: 1\nname: ${name}\nsource: { url: 'http://127.0.0.1:1' }\ntarget: { url: 'http://127.0.0.1:2' }\n`,
    { baseDir: tmpdir(), env: {} },
  );
  const source = createCluster(config.source);
  const target = createCluster(config.target);
  return {
    run: (state: StateStore, extra: Partial<ReplayOptions> = {}) =>
      replay({
        log: new MemoryLog(),
        state,
        source,
        target,
        settings: config.replay,
        logger: createLogger({ level: "silent" }),
        pollMs: 5,
        ...extra,
      }),
    close: () => Promise.all([source.close(), target.close()]),
  };
}
