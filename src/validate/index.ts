export {
  compareDigests,
  type DigestComparison,
  type DigestOptions,
  digestIndex,
  documentHash,
  type IndexDigest,
} from "./digest.ts";
