/** The cluster pair the demo migrates: its own sandbox `demo`, or a running one it attaches to. */
import { BluegreenError } from "../errors/index.ts";
import { type SandboxStatus, sandboxDown, sandboxStatus, sandboxUp } from "../sandbox/index.ts";

export const DEMO_SANDBOX = "demo";
/**
 * Not the sandbox's own default (9200): a newcomer who already ran `bluegreen sandbox up` keeps that
 * pair, and the demo's runs beside it (HTTP 9220/9221, transport 9320/9321).
 */
export const DEMO_PORT_BASE = 9220;

export interface PairDescription {
  readonly name: string;
  /** Whether the demo started it (and so stops it), or attached to a running one. */
  readonly attached: boolean;
  readonly source: { readonly url: string; readonly version: string };
  readonly target: { readonly url: string; readonly version: string };
}

export interface DemoPair {
  readonly source: string;
  readonly target: string;
  readonly describe: PairDescription;
}

function describe(status: SandboxStatus, attached: boolean): DemoPair {
  const node = (role: "source" | "target") => ({
    url: status[role].url,
    version: `${status[role].distribution === "opensearch" ? "OpenSearch" : status[role].distribution} ${status[role].version}`,
  });
  return {
    source: status.source.url,
    target: status.target.url,
    describe: { name: status.name, attached, source: node("source"), target: node("target") },
  };
}

export async function takePair(
  options: { readonly sandbox?: string; readonly portBase?: number },
  say: (line: string) => void,
): Promise<DemoPair> {
  if (options.sandbox !== undefined) {
    const status = await sandboxStatus(options.sandbox);
    if (status.secure) {
      throw new BluegreenError(
        "BG_USAGE",
        `Sandbox "${options.sandbox}" is a secure one; the demo migrates a plain pair.`,
        { fix: "Attach to a sandbox started without --secure, or leave out --sandbox." },
      );
    }
    if (!status.source.healthy || !status.target.healthy) {
      throw new BluegreenError("BG_SANDBOX_NOT_RUNNING", `Sandbox "${options.sandbox}" is not running.`, {
        fix: `Start it with \`bluegreen sandbox up --name ${options.sandbox}\`, or leave out --sandbox.`,
      });
    }
    say(
      `✓ sandbox "${options.sandbox}": attached (source ${status.source.url}, target ${status.target.url})`,
    );
    return describe(status, true);
  }
  say(`▶ sandbox "${DEMO_SANDBOX}": real OpenSearch nodes on loopback (the first run downloads them)`);
  const started = performance.now();
  const status = await sandboxUp({
    name: DEMO_SANDBOX,
    portBase: options.portBase ?? DEMO_PORT_BASE,
    onProgress: (m) => say(`  ${m}`),
  });
  say(
    `✓ sandbox up in ${((performance.now() - started) / 1_000).toFixed(1)} s: source ${status.source.url}, target ${status.target.url}`,
  );
  return describe(status, false);
}

/** Stops and purges the demo's own sandbox; an attached one is left running. */
export async function releaseSandbox(pair: DemoPair): Promise<void> {
  if (!pair.describe.attached) await sandboxDown({ name: pair.describe.name, purge: true });
}
