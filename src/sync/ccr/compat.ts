/**
 * Cross-cluster replication between versions, as data: the rule is that the follower (the target) is
 * not older than the leader (the source); the pairs below were measured on real nodes with the
 * sandbox's plugin zips (see docs/sync.md). Kept apart from the backfill's compatibility matrix so
 * either can change alone; the matrix's `ccr` column can read `ccrVersionVerdict`.
 */
import { compareVersions, parseVersion } from "../../cluster/index.ts";

export interface CcrPair {
  readonly leader: string;
  readonly follower: string;
  readonly works: boolean;
  /** Where it was measured, or the server's refusal. */
  readonly note: string;
}

export const CCR_PAIRS: readonly CcrPair[] = [
  {
    leader: "2.11.1",
    follower: "2.19.4",
    works: true,
    note: "sandbox pair, test/integration/sync-ccr.test.ts",
  },
  {
    leader: "1.3.14",
    follower: "2.19.4",
    works: true,
    note: "legacy sandbox pair, test/integration/sync-ccr.test.ts",
  },
  {
    leader: "2.19.4",
    follower: "3.4.0",
    works: true,
    note: "across the major; the follower keeps index.version.created",
  },
  {
    leader: "3.4.0",
    follower: "2.19.4",
    works: false,
    note: 'refused by the plugin: "Leader index [...] is on higher version [3.4.0] than follower [2.19.4]"',
  },
];

/** Undefined when CCR can replicate from `leader` to `follower`; else the reason. */
export function ccrVersionVerdict(leader: string, follower: string): string | undefined {
  if (compareVersions(parseVersion(follower), parseVersion(leader)) >= 0) return undefined;
  return `the target (follower) runs ${follower}, older than the source (leader) ${leader}: CCR only replicates to a follower of the same or a newer version`;
}
