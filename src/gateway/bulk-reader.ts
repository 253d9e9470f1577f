/** The token source the `_bulk` action-line parser reads, JSON (bulk-lexer.ts) or SMILE (bulk-smile.ts). */
import type { SmileToken } from "./smile.ts";

/** Jackson's token kinds; SMILE and JSON action lines produce the same ones. */
export type Token = SmileToken;

/** What the action-line parser needs from a JSON or SMILE token source (XContentParser's shape). */
export interface ActionReader {
  next(): Token | null;
  /** The field name after FIELD_NAME. */
  readonly name: string;
  /** XContentParser.text() of the current value token. */
  text(): string;
  /** Jackson's getLongValue()/getIntValue()/getBooleanValue() on a non-string value token. */
  long(): bigint;
  int(): number;
  bool(): boolean;
  /** Byte offsets (in the body) of the current token: a value's literal, or an object's `{`. */
  readonly tokenStart: number;
  readonly tokenEnd: number;
}
