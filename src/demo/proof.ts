/**
 * The end-of-demo proof that nothing was lost or changed: every migrated index digested on both
 * clusters (every `_id`, `_routing` and `_source`, numbers exactly as written). After the switch the
 * clients' new orders go to the target only, while the source stays write-blocked as cutover left it;
 * so the target is compared without those documents, and each of them must be a write a client got a
 * 2xx for. A 2xx write missing from the target, a 503 write found anywhere, or any other difference
 * fails the proof.
 */
import type { Cluster } from "../cluster/index.ts";
import { addHash, digestHex, digestIndex, type IndexDigest } from "../validate/index.ts";

export interface IndexProof {
  readonly index: string;
  readonly sourceDocs: number;
  readonly targetDocs: number;
  /** Documents only the target has that clients wrote after the switch (answered 2xx). */
  readonly writtenAfterSwitch: number;
  readonly sourceDigest: string;
  /** The target's digest without the documents written after the switch. */
  readonly targetDigest: string;
  readonly equal: boolean;
  /** At most a few keys of each kind, to name a difference. */
  readonly missingOnTarget: readonly string[];
  readonly extraOnTarget: readonly string[];
  readonly different: readonly string[];
}

export interface DemoProof {
  readonly equal: boolean;
  readonly indices: readonly IndexProof[];
  /** Every write answered 2xx is on the target. */
  readonly acceptedOnTarget: boolean;
  readonly acceptedMissing: readonly string[];
  /** No write answered 503 is on either cluster. */
  readonly refusedAbsent: boolean;
  readonly refusedFound: readonly string[];
}

const LIMIT = 5;

function sum(hashes: Iterable<string>): string {
  let total = 0n;
  for (const hash of hashes) total = addHash(total, hash);
  return digestHex(total);
}

function compare(source: IndexDigest, target: IndexDigest, accepted: ReadonlySet<string>): IndexProof {
  const src = source.documents ?? new Map<string, string>();
  const kept: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  const different: string[] = [];
  let after = 0;
  for (const [key, hash] of target.documents ?? new Map<string, string>()) {
    const other = src.get(key);
    if (other === undefined && accepted.has(key)) {
      after++;
      continue;
    }
    kept.push(hash);
    if (other === undefined) extra.length < LIMIT && extra.push(key);
    else if (other !== hash) different.length < LIMIT && different.push(key);
  }
  for (const key of src.keys()) {
    if (!target.documents?.has(key) && missing.length < LIMIT) missing.push(key);
  }
  const targetDigest = sum(kept);
  return {
    index: source.index,
    sourceDocs: source.count,
    targetDocs: target.count,
    writtenAfterSwitch: after,
    sourceDigest: source.digest,
    targetDigest,
    equal: targetDigest === source.digest && kept.length === source.count,
    missingOnTarget: missing,
    extraOnTarget: extra,
    different,
  };
}

export async function proveSameContent(
  source: Cluster,
  target: Cluster,
  indices: readonly string[],
  liveIndex: string,
  writes: { readonly accepted: readonly string[]; readonly refused: readonly string[] },
  signal: AbortSignal,
): Promise<DemoProof> {
  const names = indices.join(",");
  await Promise.all([source, target].map((c) => c.request({ method: "POST", path: `/${names}/_refresh` })));
  const accepted = new Set(writes.accepted);
  const proofs: IndexProof[] = [];
  let acceptedMissing: string[] = [];
  let refusedFound: string[] = [];
  // One index at a time: only one index's document hashes are held at once.
  for (const index of indices) {
    const [a, b] = await Promise.all([
      digestIndex(source, index, { keepDocuments: true, signal }),
      digestIndex(target, index, { keepDocuments: true, signal }),
    ]);
    proofs.push(compare(a, b, index === liveIndex ? accepted : new Set()));
    if (index === liveIndex) {
      acceptedMissing = writes.accepted.filter((id) => !b.documents?.has(id));
      refusedFound = writes.refused.filter((id) => a.documents?.has(id) || b.documents?.has(id));
    }
  }
  return {
    equal: proofs.every((p) => p.equal),
    indices: proofs,
    acceptedOnTarget: acceptedMissing.length === 0,
    acceptedMissing: acceptedMissing.slice(0, LIMIT),
    refusedAbsent: refusedFound.length === 0,
    refusedFound: refusedFound.slice(0, LIMIT),
  };
}
