export { fromBytes, toBytes } from "./bytes-text.ts";
export { canonicalText } from "./canonical.ts";
export {
  canonicalJson,
  isRawJson,
  losslessParse,
  parseForTransform,
  type RawJson,
  rawJson,
} from "./lossless.ts";
export { type MgetDoc, mgetErrorType, parseMget } from "./mget.ts";
export { elements, fields, members, skipSpace, stringEnd, valueEnd } from "./raw.ts";
export { parseSearchPage, type RawHit, type RawPage } from "./search-page.ts";
