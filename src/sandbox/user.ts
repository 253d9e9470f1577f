import { chownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { exec } from "./exec.ts";

/** OpenSearch refuses to start as root and has no override, so root runs nodes as this system user. */
export const SANDBOX_USER = "bluegreen-sandbox";

export interface RunAs {
  /** Undefined when we are not root and can run nodes as ourselves. */
  readonly user: string | undefined;
  readonly uid: number;
  readonly gid: number;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

async function idOf(user: string): Promise<{ uid: number; gid: number } | undefined> {
  const uid = await exec("id", ["-u", user]);
  const gid = await exec("id", ["-g", user]);
  if (uid.code !== 0 || gid.code !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function ensureRunAs(homeDir: string): Promise<RunAs> {
  if (!isRoot()) return { user: undefined, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  let ids = await idOf(SANDBOX_USER);
  if (ids === undefined) {
    const created = await exec("useradd", [
      "--system",
      "--home-dir",
      homeDir,
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      SANDBOX_USER,
    ]);
    ids = await idOf(SANDBOX_USER);
    if (ids === undefined) {
      throw new BluegreenError(
        "BG_SANDBOX_USER",
        `Could not create the system user "${SANDBOX_USER}": ${created.stderr.trim()}`,
        {
          fix: `Create it yourself (useradd --system ${SANDBOX_USER}) or run bluegreen as a non-root user.`,
        },
      );
    }
  }
  return { user: SANDBOX_USER, uid: ids.uid, gid: ids.gid };
}

/** Wraps a command so it runs as the sandbox user when we are root. */
export function asUser(runAs: RunAs, command: string, args: readonly string[]): [string, string[]] {
  if (runAs.user === undefined) return [command, [...args]];
  return ["runuser", ["-u", runAs.user, "--", command, ...args]];
}

export function chownTree(path: string, runAs: RunAs): void {
  if (runAs.user === undefined) return;
  chownSync(path, runAs.uid, runAs.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), runAs);
}
