/**
 * Remote reindex only reaches hosts in the target's static `reindex.remote.allowlist` (`whitelist`
 * before OpenSearch 2.0). Checking it up front turns a task that would fail minutes later into an
 * error that shows the exact opensearch.yml line to add.
 */
import type { Distribution, Version } from "../../cluster/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { obj, str } from "../snapshot/index.ts";

export interface NodeAllowlist {
  readonly node: string;
  /** The setting's name as this node knows it. */
  readonly key: string;
  readonly patterns: readonly string[];
}

const KEYS = ["reindex.remote.allowlist", "reindex.remote.whitelist"] as const;

function list(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return raw.map((entry) => String(entry).trim()).filter((entry) => entry !== "");
}

/** Reads `GET _nodes/settings` (nested or flat settings) into one allowlist per node. */
export function parseAllowlists(body: unknown, preferredKey: string): NodeAllowlist[] {
  return Object.entries(obj(obj(body).nodes)).map(([id, value]) => {
    const node = obj(value);
    const settings = obj(node.settings);
    const remote = obj(obj(settings.reindex).remote);
    for (const key of KEYS) {
      const leaf = key.split(".").at(-1) as string;
      const found = remote[leaf] ?? settings[key];
      if (found !== undefined) return { node: str(node.name) ?? id, key, patterns: list(found) };
    }
    return { node: str(node.name) ?? id, key: preferredKey, patterns: [] };
  });
}

/** OpenSearch 2.0 renamed the setting; older OpenSearch and Elasticsearch only read the old name. */
export function allowlistKey(distribution: Distribution, version: Version): string {
  return distribution === "opensearch" && version.major >= 2 ? KEYS[0] : KEYS[1];
}

/** `host:port` as the allowlist sees the remote: the port is always explicit. */
export function remoteHostPort(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port !== "" ? parsed.port : parsed.protocol === "https:" ? "443" : "80";
  return `${parsed.hostname}:${port}`;
}

/** The remote `host` value `_reindex` wants: scheme, host and an explicit port (plus any path prefix). */
export function remoteHost(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/+$/, "");
  return `${parsed.protocol}//${remoteHostPort(url)}${path}`;
}

/** The server's simple wildcard match: `*` stands for any run of characters, nothing else is special. */
export function matchesPattern(pattern: string, hostPort: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[\\^$.+?()[\]{}|]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${regex}$`).test(hostPort);
}

export function allowlistLine(key: string, patterns: readonly string[], hostPort: string): string {
  const entries = [...patterns.filter((p) => p !== hostPort), hostPort].map((p) => JSON.stringify(p));
  return `${key}: [${entries.join(", ")}]`;
}

/** Throws BG_REINDEX_ALLOWLIST unless every node admits the source (any node may run the task). */
export function checkAllowlist(nodes: readonly NodeAllowlist[], sourceUrl: string, targetName: string): void {
  const hostPort = remoteHostPort(sourceUrl);
  const refusing = nodes.filter((n) => !n.patterns.some((p) => matchesPattern(p, hostPort)));
  const first = refusing[0];
  if (first === undefined) return;
  const names = refusing.map((n) => n.node).join(", ");
  const why =
    first.patterns.length === 0
      ? `${first.key} is not set on node(s) ${names}, which disables remote reindex`
      : `${first.key} on node(s) ${names} is [${first.patterns.join(", ")}], which does not match ${hostPort}`;
  const line = allowlistLine(first.key, first.patterns, hostPort);
  throw new BluegreenError(
    "BG_REINDEX_ALLOWLIST",
    `The target cluster "${targetName}" does not allow remote reindex from the source at ${hostPort}: ${why}.`,
    {
      fix:
        `Add this line to opensearch.yml on every target node and restart them (the setting is static):\n` +
        `  ${line}\n` +
        "or set backfill.reindex.sourceUrl to an address the allowlist admits, or use method stream.",
      details: { hostPort, setting: first.key, line, nodes: refusing.map((n) => n.node) },
    },
  );
}
