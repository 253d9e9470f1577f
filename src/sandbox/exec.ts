import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /**
   * Send output to this file and return when the command exits. Needed for launchers that daemonize:
   * the daemon inherits the pipes, so waiting for them to close would wait for the daemon to die.
   */
  readonly outputFile?: string;
}

/** Runs a command to completion and collects its output; never throws for a non-zero exit. */
export function exec(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  if (options.outputFile !== undefined) return execToFile(command, args, options.outputFile, options);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Whether an executable can be found on PATH (or at the given absolute path). */
export async function hasCommand(command: string): Promise<boolean> {
  const result = await exec("sh", ["-c", 'command -v "$0"', command]).catch(() => undefined);
  return result !== undefined && result.code === 0;
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function execToFile(
  command: string,
  args: readonly string[],
  file: string,
  options: ExecOptions,
): Promise<ExecResult> {
  const fd = openSync(file, "w");
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", fd, fd],
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const output = readFileSync(file, "utf8");
      resolve({ code: code ?? 1, stdout: output, stderr: output });
    });
  }).finally(() => closeSync(fd));
}
