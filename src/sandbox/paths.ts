import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the sandbox keeps downloads, built installs and running nodes. Root gets a world-traversable
 * path because the nodes run as an unprivileged user that cannot enter /root.
 */
export function sandboxHome(): string {
  const configured = process.env.BLUEGREEN_SANDBOX_HOME;
  if (configured !== undefined && configured !== "") return configured;
  if (typeof process.getuid === "function" && process.getuid() === 0)
    return "/var/cache/opensearch-bluegreen";
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "opensearch-bluegreen");
}

export interface SandboxPaths {
  readonly home: string;
  readonly artifacts: string;
  readonly installs: string;
  readonly sandbox: string;
  readonly stateFile: string;
  readonly repo: string;
}

export function sandboxPaths(name: string, home = sandboxHome()): SandboxPaths {
  const sandbox = join(home, "sandboxes", name);
  return {
    home,
    artifacts: join(home, "artifacts"),
    installs: join(home, "installs"),
    sandbox,
    stateFile: join(sandbox, "sandbox.json"),
    repo: join(sandbox, "snapshots"),
  };
}
