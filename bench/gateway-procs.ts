import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onToolCores } from "./pin.ts";

/** The helper processes the gateway benchmark compares against and runs: nginx and the gateway. */

const ROOT = join(import.meta.dirname, "..");

export interface Proc {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Started on the tool's cores when BENCH_PIN is on (taskset execs it: the pid is the tool's). */
export function startProcess(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Proc {
  const [command, argv] = onToolCores(cmd, args);
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return {
    child,
    output: () => text,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Waits until `url` answers; fails with the process's output if it exits or takes too long. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch (error) {
      if (proc.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${url} did not answer (${(error as Error).message}):\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function nginxBinary(): string {
  for (const candidate of ["/usr/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      execFileSync(candidate, ["-v"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    "nginx is not installed: run `apt-get install -y nginx` (the benchmark runs it itself, not the service)",
  );
}

/**
 * nginx as a plain keep-alive reverse proxy to `upstream`, in the foreground with its own config, pid
 * and temp paths under `dir` (never the system service).
 */
export function startNginx(dir: string, port: number, upstream: string): Proc {
  mkdirSync(join(dir, "logs"), { recursive: true });
  const target = new URL(upstream);
  const conf = `worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "logs", "error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "client_body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  upstream opensearch { server ${target.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 100m;
    location / {
      proxy_pass http://opensearch;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  const file = join(dir, "nginx.conf");
  writeFileSync(file, conf);
  return startProcess(nginxBinary(), ["-p", dir, "-c", file]);
}

/** bench/node-proxy.ts: the least a Node proxy does, as a floor for the gateway's CPU. */
export function startNodeProxy(port: number, upstream: string): Proc {
  return startProcess(process.execPath, [join(ROOT, "bench", "node-proxy.ts"), upstream, String(port)]);
}

/** `bluegreen gateway` (of the checkout at `root`) as a child process, optionally replaying in-process. */
export function startGateway(configFile: string, listen: string, replay: boolean, root = ROOT): Proc {
  const prof = process.env.BENCH_GATEWAY_PROF;
  const args = [
    ...(prof === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", prof]),
    join(root, "src", "cli", "main.ts"),
    "gateway",
    "-c",
    configFile,
    "--listen",
    listen,
  ];
  return startProcess(process.execPath, replay ? [...args, "--replay"] : args, {
    ...process.env,
    BLUEGREEN_LOG_LEVEL: "warn",
  });
}

/** User + system CPU seconds of a process and its direct children (nginx's workers), from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = (p: string) => readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const fields = stat(entry);
      // After the command: state, ppid, …; utime and stime are fields 14 and 15 (11 and 12 here).
      if (entry === String(pid) || fields[1] === String(pid))
        ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks / 100;
}
