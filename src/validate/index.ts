export { compareContent } from "./content.ts";
export { type FieldDifference, firstDifference } from "./content-diff.ts";
export { recheck } from "./content-docs.ts";
export type { ContentMode, ContentOptions, ContentResult, DocDifference, DocKey } from "./content-types.ts";
export {
  compareDigests,
  type DigestComparison,
  type DigestOptions,
  digestIndex,
  documentHash,
  type IndexDigest,
} from "./digest.ts";
