/**
 * The gateway (with replay) as the demo runs it: `bluegreen gateway -c FILE --listen 127.0.0.1:0
 * --replay` in a child process, exactly as an operator runs the service. A process of its own keeps
 * the gateway's work off the demo's event loop (on two cores that matters) and stops the way the
 * service does: SIGTERM, drain, log closed, exit 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { BluegreenError, CATALOGUE, type ErrorCode } from "../errors/index.ts";

const BIN = new URL("../../bin/bluegreen.js", import.meta.url).pathname;
const LISTENING = /gateway listening on (http:\/\/\S+) /;

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then waits for the drain; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Whether it has exited (on its own, or stopped). */
  exited(): boolean;
}

/** The error a child printed (`error CODE: message` / `fix: …`), as our own error again. */
export function childError(output: string, what: string): BluegreenError {
  const match = /^error (BG_[A-Z_]+): (.*)$/m.exec(output);
  const fix = /^fix: (.*)$/m.exec(output)?.[1];
  const code = match?.[1];
  if (match !== null && code !== undefined && code in CATALOGUE) {
    return new BluegreenError(code as ErrorCode, match[2] ?? "", fix === undefined ? {} : { fix });
  }
  const tail = output.trim().split("\n").slice(-5).join(" | ");
  return new BluegreenError("BG_INTERNAL", `${what} exited without saying why${tail ? `: ${tail}` : ""}.`);
}

export async function startGatewayProcess(configFile: string, logFile: string): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "gateway", "-c", configFile, "--listen", "127.0.0.1:0", "--replay"],
    {
      // Its own process group: Ctrl-C reaches the demo only, which stops the load first and then
      // the gateway, in that order.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, BLUEGREEN_LOG_LEVEL: process.env.BLUEGREEN_LOG_LEVEL ?? "warn" },
    },
  );
  const log = createWriteStream(logFile, { flags: "a" });
  let output = "";
  const collect = (chunk: Buffer) => {
    // The tail is enough to find the address and the last error; the whole output is in the file.
    output = (output + chunk.toString()).slice(-65_536);
    log.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exit = once(child, "exit").then(([code]) => code as number | null);
  // If the demo itself dies of an error nobody caught, the gateway must not outlive it.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  const finished = exit.then(async (code) => {
    process.off("exit", orphan);
    await new Promise((r) => log.end(r));
    return code;
  });

  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const found = LISTENING.exec(output)?.[1];
      if (found !== undefined) {
        child.stdout?.off("data", onData);
        resolve(found);
      }
    };
    child.stdout?.on("data", onData);
    void finished.then(() => reject(childError(output, "The gateway")));
  });
  let stopping = false;
  return {
    url,
    pid: child.pid ?? 0,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop() {
      // Once only: a second SIGTERM makes the gateway exit at once instead of draining.
      if (!stopping && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      stopping = true;
      return finished;
    },
  };
}
