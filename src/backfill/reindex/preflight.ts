/** What remote reindex needs before a task can start: the module, the allowlist, a usable login. */
import { REINDEX_DEFAULTS } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { BackfillContext } from "../types.ts";
import { allowlistKey, checkAllowlist, parseAllowlists, remoteHost } from "./allowlist.ts";
import type { RemoteSource } from "./tasks.ts";

/** The source URL the target's nodes use: configured, else the first source URL. */
export function sourceUrlFor(ctx: Pick<BackfillContext, "config">): string {
  const configured = (ctx.config.backfill.reindex ?? REINDEX_DEFAULTS).sourceUrl;
  return configured ?? (ctx.config.source.urls[0] as string);
}

export async function preflightRemoteReindex(ctx: BackfillContext): Promise<RemoteSource> {
  const facts = await ctx.target.facts();
  if (!facts.capabilities.remoteReindex) {
    throw new BluegreenError(
      "BG_REINDEX_FAILED",
      `The target cluster "${ctx.target.name}" has no reindex module, so it cannot reindex from a remote cluster.`,
      { fix: "Install the reindex module on every target node, or use method snapshot or stream." },
    );
  }
  const url = sourceUrlFor(ctx);
  const nodes = await ctx.target.request({
    method: "GET",
    path: "/_nodes/settings",
    querystring: { filter_path: "nodes.*.name,nodes.*.settings.reindex.remote" },
    signal: ctx.signal,
  });
  checkAllowlist(
    parseAllowlists(nodes.body, allowlistKey(facts.distribution, facts.version)),
    url,
    ctx.target.name,
  );
  const auth = ctx.config.source.auth;
  if (auth.type === "sigv4") {
    throw new BluegreenError(
      "BG_REINDEX_FAILED",
      "Remote reindex cannot sign requests to the source with AWS SigV4; it only sends a username and password.",
      { fix: "Use method snapshot or stream for a SigV4 source." },
    );
  }
  const host = remoteHost(url);
  return auth.type === "basic"
    ? { host, username: auth.username, password: auth.password.reveal() }
    : { host };
}
