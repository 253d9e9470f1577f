import { spawn } from "node:child_process";
import { BluegreenError } from "../errors/index.ts";

/**
 * Runs `cutover.switchCommand` through the shell with the target's URL in its environment. Its exit
 * status decides: anything but 0 stops cutover before the gateway switches, with the command's stderr.
 */
export async function runSwitchCommand(
  command: string,
  targetUrl: string,
  signal?: AbortSignal,
): Promise<void> {
  const child = spawn(command, {
    shell: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, BLUEGREEN_TARGET_URL: targetUrl },
    ...(signal === undefined ? {} : { signal }),
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 4_000) stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    throw new BluegreenError(
      "BG_CUTOVER_SWITCH",
      `cutover.switchCommand exited with ${code ?? "a signal"}: ${stderr.trim() || "(no stderr)"}.`,
      {
        fix: "Clients were not switched: the gateway stays fenced and the source stays write-blocked. Fix the command and run cutover again, or run bluegreen rollback to release the fence and the block.",
        details: { code },
      },
    );
  }
}
