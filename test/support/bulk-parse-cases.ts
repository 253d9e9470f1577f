/**
 * The `_bulk` bodies the splitter is held to, with OpenSearch 2.11.1's own answer to each: used by
 * the unit test (against parseBulk) and the integration test (against the sandbox's 2.11.1 source).
 */
import type { BulkDefaults, BulkFormat } from "../../src/gateway/bulk-parse.ts";
import { encodeSmile, type SmileValue } from "../../src/gateway/smile.ts";

export const L = (...lines: string[]) => lines.map((l) => `${l}\n`).join("");
export const D = '{"a":1}';
const toSmile = (v: unknown): SmileValue =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !("kind" in v)
    ? new Map(Object.entries(v).map(([k, x]) => [k, toSmile(x)]))
    : Array.isArray(v)
      ? v.map(toSmile)
      : (v as SmileValue);
export const S = (v: unknown) => encodeSmile(toSmile(v));
export const smileBody = (...docs: Buffer[]) => Buffer.concat(docs.flatMap((d) => [d, Buffer.from([0xff])]));
export const long = (v: bigint) => ({ kind: "long" as const, value: v });

/** The defaults the gateway takes from a `_bulk` URL: /{index}/_bulk?routing=&pipeline=. */
export function defaultsOf(path = "/_bulk"): BulkDefaults {
  const url = new URL(path, "http://x");
  const index = /^\/([^/_][^/]*)\/_bulk$/.exec(url.pathname)?.[1];
  return {
    index,
    routing: url.searchParams.get("routing") ?? undefined,
    pipeline: url.searchParams.get("pipeline") ?? undefined,
  };
}

export interface Refused {
  readonly name: string;
  readonly body: string | Buffer;
  readonly format?: BulkFormat;
  readonly path?: string;
  readonly status: number;
  readonly type: string;
  readonly reason: string;
}

export interface Accepted {
  readonly name: string;
  readonly body: string | Buffer;
  readonly format?: BulkFormat;
  readonly path?: string;
  /** [op, index, id] as OpenSearch answered each item; null where it generated the id. */
  readonly items: readonly (readonly [string, string, string | null])[];
}

// Every status, type and reason below is what OpenSearch 2.11.1 answered for the same body (sent
// directly with POST /_bulk, Content-Type application/x-ndjson or application/smile). SMILE reasons
// end with a byte offset that also counts OpenSearch's network buffer: only the text before it is compared.
export const REFUSED: readonly Refused[] = [
  { name: "empty body", body: "", status: 400, type: "parse_exception", reason: "request body is required" },
  {
    name: "only a newline",
    body: "\n",
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: no requests added;",
  },
  {
    name: "blank lines only",
    body: "\n\n  \n",
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: no requests added;",
  },
  {
    name: "no trailing newline",
    body: L('{"index":{"_index":"t1","_id":"1"}}') + D,
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "delete without trailing newline",
    body: '{"delete":{"_index":"t1","_id":"1"}}',
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "trailing spaces after the last newline",
    body: `${L('{"index":{"_index":"t1","_id":"1"}}', D)}  `,
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "CR line ends only",
    body: '{"index":{"_index":"t1","_id":"1"}}\r{"a":1}\r',
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "an action without its document line, alone",
    body: L('{"index":{"_index":"t1","_id":"1"}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: no requests added;",
  },
  {
    name: "an update without its document line, alone",
    body: L('{"update":{"_index":"t1","_id":"1"}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: no requests added;",
  },
  {
    name: "action line is an array",
    body: L("[1]"),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT but found [START_ARRAY]",
  },
  {
    name: "action line is a string",
    body: L('"x"'),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_STRING]",
  },
  {
    name: "action line is a number",
    body: L("5"),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_NUMBER]",
  },
  {
    name: "action line is true",
    body: L("true"),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_BOOLEAN]",
  },
  {
    name: "action line is an empty object",
    body: L("{}"),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected FIELD_NAME but found [END_OBJECT]",
  },
  {
    name: "unknown action",
    body: L('{"foo":{}}', "{}"),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [foo]",
  },
  {
    name: "empty action name",
    body: L('{"":{}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected one of [create, delete, index, update] but found []",
  },
  {
    name: "action value is a string",
    body: L('{"index":"t1"}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]",
  },
  {
    name: "action value is null",
    body: L('{"index":null}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_NULL]",
  },
  {
    name: "action value is an array",
    body: L('{"index":[]}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [START_ARRAY]",
  },
  {
    name: "action value is true",
    body: L('{"index":true}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_BOOLEAN]",
  },
  {
    name: "unknown parameter",
    body: L('{"index":{"_index":"t1","foo":1}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Action/metadata line [1] contains an unknown parameter [foo]",
  },
  {
    name: "_type is unknown in 2.x",
    body: L('{"index":{"_index":"t1","_type":"_doc"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Action/metadata line [1] contains an unknown parameter [_type]",
  },
  {
    name: "_routing is unknown in 2.x",
    body: L('{"index":{"_index":"t1","_id":"r1","_routing":"x"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Action/metadata line [1] contains an unknown parameter [_routing]",
  },
  {
    name: "array parameter",
    body: L('{"index":{"_index":"t1","routing":[1]}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected a simple value for field [routing] but found [START_ARRAY]",
  },
  {
    name: "object parameter",
    body: L('{"index":{"_index":"t1","routing":{"a":1}}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected a simple value for field [routing] but found [START_OBJECT]",
  },
  {
    name: "dynamic_templates is not in 2.11",
    body: L('{"index":{"_index":"t1","_id":"1","dynamic_templates":{"a":"b"}}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected a simple value for field [dynamic_templates] but found [START_OBJECT]",
  },
  {
    name: "no index anywhere",
    body: L('{"index":{"_id":"1"}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: index is missing;",
  },
  {
    name: "no index, twice",
    body: L('{"index":{"_id":"1"}}', D, '{"delete":{"_id":"1"}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: index is missing;2: index is missing;",
  },
  {
    name: "delete with nothing",
    body: L('{"delete":{}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: index is missing;2: id is missing;",
  },
  {
    name: "update without id",
    body: L('{"update":{"_index":"t1"}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: id is missing;",
  },
  {
    name: "delete without id",
    body: L('{"delete":{"_index":"t1"}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: id is missing;",
  },
  {
    name: "delete with an empty id",
    body: L('{"delete":{"_index":"t1","_id":""}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: id is missing;",
  },
  {
    name: "update with an empty id",
    body: L('{"update":{"_index":"t1","_id":""}}', '{"doc":{}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: id is missing;",
  },
  {
    name: "update with version",
    body: L('{"update":{"_index":"t1","_id":"1","version":3}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
  },
  {
    name: "update with version_type",
    body: L('{"update":{"_index":"t1","_id":"1","version_type":"external"}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
  },
  {
    name: "unknown version_type",
    body: L('{"index":{"_index":"t1","_id":"1","version_type":"foo"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "No version type match [foo]",
  },
  {
    name: "version_type force is gone",
    body: L('{"index":{"_index":"t1","_id":"1","version":3,"version_type":"force"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "No version type match [force]",
  },
  {
    name: "version_type is case sensitive",
    body: L('{"index":{"_index":"t1","_id":"1","version":50,"version_type":"EXTERNAL"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "No version type match [EXTERNAL]",
  },
  {
    name: "version as a word",
    body: L('{"index":{"_index":"t1","_id":"1","version":"abc"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: 'For input string: "abc"',
  },
  {
    name: "version as an empty string",
    body: L('{"index":{"_index":"t1","_id":"1","version":"","version_type":"external"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: 'For input string: ""',
  },
  {
    name: "version string out of range",
    body: L(
      '{"index":{"_index":"t1","_id":"1","version":"99999999999999999999","version_type":"external"}}',
      D,
    ),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Value [99999999999999999999] is out of range for a long",
  },
  {
    name: "version beyond a long (500 in 2.11)",
    body: L(
      '{"index":{"_index":"t1","_id":"1","version":18446744073709551616,"version_type":"external"}}',
      D,
    ),
    status: 500,
    type: "input_coercion_exception",
    reason:
      'Numeric value (18446744073709551616) out of range of long (-9223372036854775808 - 9223372036854775807)\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","version":18446744073709551616,"version_type":"external"}}"; line: 1, column: 65]',
  },
  {
    name: "version float beyond a long",
    body: L('{"index":{"_index":"t1","_id":"1","version":1e30,"version_type":"external"}}', D),
    status: 500,
    type: "input_coercion_exception",
    reason:
      'Numeric value (1e30) out of range of long (-9223372036854775808 - 9223372036854775807)\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","version":1e30,"version_type":"external"}}"; line: 1, column: 49]',
  },
  {
    name: "version true",
    body: L('{"index":{"_index":"t1","_id":"1","version":true,"version_type":"external"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Current token (VALUE_TRUE) not numeric, can not use numeric value accessors\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","version":true,"version_type":"external"}}"; line: 1, column: 49]',
  },
  {
    name: "negative external version",
    body: L('{"index":{"_index":"t1","_id":"1","version":-7,"version_type":"external"}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: illegal version value [-7] for version type [EXTERNAL];",
  },
  {
    name: "internal version",
    body: L('{"index":{"_index":"t1","_id":"1","version":7}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;",
  },
  {
    name: "internal version 0",
    body: L('{"index":{"_index":"t1","_id":"1","version":0}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: illegal version value [0] for version type [INTERNAL];2: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;",
  },
  {
    name: "external version_type without version",
    body: L('{"index":{"_index":"t1","_id":"1","version_type":"external"}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: illegal version value [-3] for version type [EXTERNAL];",
  },
  {
    name: "external version without id",
    body: L('{"index":{"_index":"t1","version":5,"version_type":"external"}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: an id must be provided if version type or value are set;",
  },
  {
    name: "create with external version",
    body: L('{"create":{"_index":"t1","_id":"c1","version":5,"version_type":"external"}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: create operations only support internal versioning. use index instead;",
  },
  {
    name: "create with a version",
    body: L('{"create":{"_index":"t1","_id":"c1","version":3}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: create operations do not support explicit versions. use index instead;",
  },
  {
    name: "create with if_seq_no",
    body: L('{"create":{"_index":"t1","_id":"1","if_seq_no":0,"if_primary_term":1}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: create operations do not support compare and set. use index instead;",
  },
  {
    name: "op_type create with a version",
    body: L('{"index":{"_index":"t1","_id":"1","op_type":"create","version":3}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: create operations do not support explicit versions. use index instead;",
  },
  {
    name: "op_type create with external version",
    body: L(
      '{"index":{"_index":"t1","_id":"1","op_type":"create","version":5,"version_type":"external"}}',
      D,
    ),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: create operations only support internal versioning. use index instead;",
  },
  {
    name: "retry_on_conflict as a word",
    body: L('{"update":{"_index":"t1","_id":"1","retry_on_conflict":"x"}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "number_format_exception",
    reason: 'For input string: "x"',
  },
  {
    name: "retry_on_conflict as an empty string",
    body: L('{"update":{"_index":"t1","_id":"1","retry_on_conflict":""}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "number_format_exception",
    reason: "empty String",
  },
  {
    name: "retry_on_conflict string out of range",
    body: L('{"update":{"_index":"t1","_id":"1","retry_on_conflict":"3000000000"}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Value [3000000000] is out of range for an integer",
  },
  {
    name: "retry_on_conflict beyond an int (500 in 2.11)",
    body: L('{"update":{"_index":"t1","_id":"1","retry_on_conflict":3000000000}}', '{"doc":{"a":1}}'),
    status: 500,
    type: "input_coercion_exception",
    reason:
      'Numeric value (3000000000) out of range of int (-2147483648 - 2147483647)\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","retry_on_conflict":3000000000}}"; line: 1, column: 66]',
  },
  {
    name: "retry_on_conflict true",
    body: L('{"update":{"_index":"t1","_id":"1","retry_on_conflict":true}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Current token (VALUE_TRUE) not numeric, can not use numeric value accessors\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","retry_on_conflict":true}}"; line: 1, column: 60]',
  },
  {
    name: "retried compare and write",
    body: L(
      '{"update":{"_index":"t1","_id":"1","if_seq_no":1,"if_primary_term":1,"retry_on_conflict":2}}',
      '{"doc":{"a":1}}',
    ),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: compare and write operations can not be retried;",
  },
  {
    name: "three update errors in order",
    body: L(
      `{"update":{"_index":"t1","_id":"${"w".repeat(513)}","if_seq_no":1,"retry_on_conflict":2}}`,
      '{"doc":{"a":1}}',
    ),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: ifSeqNo is set, but primary term is [0];2: compare and write operations can not be retried;3: id [wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww] is too long, must be no longer than 512 bytes but was: 513;",
  },
  {
    name: "require_alias yes",
    body: L('{"index":{"_index":"t1","_id":"1","require_alias":"yes"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "Failed to parse value [yes] as only [true] or [false] are allowed.",
  },
  {
    name: "require_alias 1",
    body: L('{"index":{"_index":"t1","_id":"1","require_alias":1}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Current token (VALUE_NUMBER_INT) not of boolean type\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","require_alias":1}}"; line: 1, column: 52]',
  },
  {
    name: "if_seq_no as a word",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":"x"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: 'For input string: "x"',
  },
  {
    name: "if_seq_no without primary term",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":1}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: ifSeqNo is set, but primary term is [0];",
  },
  {
    name: "primary term without if_seq_no",
    body: L('{"index":{"_index":"t1","_id":"1","if_primary_term":1}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: ifSeqNo is unassigned, but primary term is [1];",
  },
  {
    name: "negative if_seq_no",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":-5,"if_primary_term":1}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "sequence numbers must be non negative. got [-5].",
  },
  {
    name: "if_seq_no -2 is unassigned",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":-2,"if_primary_term":1}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: ifSeqNo is unassigned, but primary term is [1];",
  },
  {
    name: "negative primary term",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":1,"if_primary_term":-1}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason: "primary term must be non negative. got [-1]",
  },
  {
    name: "if_seq_no with an external version",
    body: L(
      '{"index":{"_index":"t1","_id":"1","if_seq_no":0,"if_primary_term":1,"version":2,"version_type":"external"}}',
      D,
    ),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: compare and write operations can not use versioning;",
  },
  {
    name: "if_seq_no with an internal version",
    body: L('{"index":{"_index":"t1","_id":"1","if_seq_no":0,"if_primary_term":1,"version":2}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;2: compare and write operations can not use versioning;",
  },
  {
    name: "delete with an internal version",
    body: L('{"delete":{"_index":"t1","_id":"zz","version":3}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;",
  },
  {
    name: "delete with if_seq_no alone",
    body: L('{"delete":{"_index":"t1","_id":"zz","if_seq_no":3}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: ifSeqNo is set, but primary term is [0];",
  },
  {
    name: "delete with a negative if_seq_no",
    body: L('{"delete":{"_index":"t1","_id":"1","if_seq_no":-3,"if_primary_term":1}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason: "sequence numbers must be non negative. got [-3].",
  },
  {
    name: "id longer than 512 bytes",
    body: L(`{"index":{"_index":"t1","_id":"${"x".repeat(513)}"}}`, D),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: id [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx] is too long, must be no longer than 512 bytes but was: 513;",
  },
  {
    name: "update id longer than 512 bytes",
    body: L(`{"update":{"_index":"t1","_id":"${"q".repeat(513)}"}}`, '{"doc":{"a":1}}'),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: id [qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq] is too long, must be no longer than 512 bytes but was: 513;",
  },
  {
    name: "empty pipeline",
    body: L('{"index":{"_index":"t1","_id":"pe","pipeline":""}}', D),
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: pipeline cannot be an empty string;",
  },
  {
    name: "empty pipeline in the URL",
    body: L('{"index":{"_index":"t1","_id":"pe"}}', D),
    path: "/_bulk?pipeline=",
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: pipeline cannot be an empty string;",
  },
  {
    name: "errors of several items, numbered",
    body: L('{"delete":{}}', `{"index":{"_id":"${"y".repeat(600)}"}}`, "{}"),
    status: 400,
    type: "action_request_validation_exception",
    reason:
      "Validation Failed: 1: index is missing;2: id is missing;3: index is missing;4: id [yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy] is too long, must be no longer than 512 bytes but was: 600;",
  },
  {
    name: "a parse error wins over validation",
    body: L('{"delete":{}}', '{"foo":{}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [2], expected one of [create, delete, index, update] but found [foo]",
  },
  {
    name: "missing newline wins over validation",
    body: '{"delete":{}}\n{"delete":{}}',
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "parse error before the missing newline",
    body: '{"foo":{}}\n{"a":1}',
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [foo]",
  },
  {
    name: "a document line after a delete",
    body: L('{"delete":{"_index":"t1","_id":"x"}}', D),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [2], expected one of [create, delete, index, update] but found [a]",
  },
  {
    name: "_source number",
    body: L('{"update":{"_index":"t1","_id":"1","_source":1}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Expected one of [VALUE_BOOLEAN, START_OBJECT] but found [VALUE_NUMBER]",
  },
  {
    name: "_source array",
    body: L('{"update":{"_index":"t1","_id":"1","_source":[1]}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "illegal_argument_exception",
    reason:
      "Malformed action/metadata line [1], expected a simple value for field [_source] but found [START_ARRAY]",
  },
  {
    name: "_source object unknown key",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"foo":["a"]}}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a START_ARRAY in [foo].",
  },
  {
    name: "_source includes number",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":1}}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a VALUE_NUMBER in [includes].",
  },
  {
    name: "_source includes null",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":null}}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a VALUE_NULL in [includes].",
  },
  {
    name: "_source includes [1]",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":[1]}}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a VALUE_NUMBER in [includes].",
  },
  {
    name: "_source includes [[a]]",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":[["a"]]}}}', '{"doc":{"a":1}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a START_ARRAY in [includes].",
  },
  {
    name: "_source object in object",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"],"x":{"y":1}}}}', '{"doc":{}}'),
    status: 400,
    type: "parsing_exception",
    reason: "Unknown key for a START_OBJECT in [x].",
  },
  {
    name: "_source duplicate key",
    body: L(
      '{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"],"includes":["b"]}}}',
      '{"doc":{}}',
    ),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Duplicate field \'includes\'\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"],"includes":["b"]}}}"; line: 1, column: 74]',
  },
  {
    name: "JSON: end of input after the value",
    body: L('{"index":', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index":"; line: 1, column: 10]',
  },
  {
    name: "JSON: unquoted field name",
    body: L("{index}", D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character ('i' (code 105)): was expecting double-quote to start field name\n at [Source: (byte[])\"{index}\"; line: 1, column: 3]",
  },
  {
    name: "JSON: single quotes",
    body: L("{'index':{'_index':'t1','_id':'sq'}}", D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character (''' (code 39)): was expecting double-quote to start field name\n at [Source: (byte[])\"{'index':{'_index':'t1','_id':'sq'}}\"; line: 1, column: 3]",
  },
  {
    name: "JSON: single-quoted value",
    body: L('{"index":{"_index":\'t1\'}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character (''' (code 39)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_index\":'t1'}}\"; line: 1, column: 21]",
  },
  {
    name: "JSON: duplicate field",
    body: L('{"index":{"_index":"t1","_id":"d1","_id":"d2"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Duplicate field \'_id\'\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"d1","_id":"d2"}}"; line: 1, column: 41]',
  },
  {
    name: "JSON: duplicate _index",
    body: L('{"index":{"_index":"t1","_index":"t2","_id":"di"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Duplicate field \'_index\'\n at [Source: (byte[])"{"index":{"_index":"t1","_index":"t2","_id":"di"}}"; line: 1, column: 33]',
  },
  {
    name: "JSON: NaN",
    body: L('{"index":{"_index":"t1","_id":"1","version":NaN}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Non-standard token \'NaN\': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","version":NaN}}"; line: 1, column: 48]',
  },
  {
    name: "JSON: Infinity",
    body: L('{"index":{"_index":"t1","_id":Infinity}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Non-standard token \'Infinity\': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow\n at [Source: (byte[])"{"index":{"_index":"t1","_id":Infinity}}"; line: 1, column: 39]',
  },
  {
    name: "JSON: -Infinity",
    body: L('{"index":{"_index":"t1","_id":-Infinity}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Non-standard token \'-Infinity\': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow\n at [Source: (byte[])"{"index":{"_index":"t1","_id":-Infinity}}"; line: 1, column: 40]',
  },
  {
    name: "JSON: YAML comment",
    body: L("# c", '{"index":{"_index":"t1","_id":"y"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character ('#' (code 35)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"# c\"; line: 1, column: 2]",
  },
  {
    name: "JSON: line comment hides the rest",
    body: L('{"index":{"_index":"t1",//c', '"_id":"lc"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index":{"_index":"t1",//c"; line: 1, column: 28]',
  },
  {
    name: "JSON: unterminated block comment",
    body: L('{"index":{"_index":"t1","_id":"bc" /* }}', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input in a comment\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"bc" /* }}"; line: 1, column: 41]',
  },
  {
    name: "JSON: slash at the end",
    body: L('{"index":{"_index":"t1",/', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input in a comment\n at [Source: (byte[])"{"index":{"_index":"t1",/"; line: 1, column: 26]',
  },
  {
    name: "JSON: slash not a comment",
    body: L('{"index":{"_index":"t1",/x "_id":"sc"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'x\' (code 120)): was expecting either \'*\' or \'/\' for a comment\n at [Source: (byte[])"{"index":{"_index":"t1",/x "_id":"sc"}}"; line: 1, column: 27]',
  },
  {
    name: "JSON: leading zero",
    body: L('{"index":{"_index":"t1","_id":"1","version":01,"version_type":"external"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Invalid numeric value: Leading zeroes not allowed\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"1","version":01,"version_type":"external"}}"; line: 1, column: 46]',
  },
  {
    name: "JSON: negative leading zero",
    body: L('{"index":{"_id":-01}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Invalid numeric value: Leading zeroes not allowed\n at [Source: (byte[])"{"index":{"_id":-01}}"; line: 1, column: 19]',
  },
  {
    name: "JSON: plus sign",
    body: L('{"index":{"_index":"t1","_id":+1}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'+\' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow\n at [Source: (byte[])"{"index":{"_index":"t1","_id":+1}}"; line: 1, column: 33]',
  },
  {
    name: "JSON: minus alone",
    body: L('{"index":{"_id":-}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'}\' (code 125)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value\n at [Source: (byte[])"{"index":{"_id":-}}"; line: 1, column: 19]',
  },
  {
    name: "JSON: minus at the end",
    body: L('{"index":{"_id":-', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input in FIELD_NAME\n at [Source: (byte[])"{"index":{"_id":-"; line: 1, column: 18]',
  },
  {
    name: "JSON: leading dot",
    body: L('{"index":{"_id":.5}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character ('.' (code 46)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_id\":.5}}\"; line: 1, column: 18]",
  },
  {
    name: "JSON: trailing dot",
    body: L('{"index":{"_id":1.}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'}\' (code 125)) in numeric value: Decimal point not followed by a digit\n at [Source: (byte[])"{"index":{"_id":1.}}"; line: 1, column: 20]',
  },
  {
    name: "JSON: trailing dot at the end",
    body: L('{"index":{"_id":1.', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'.\' (code 46)) in numeric value: Decimal point not followed by a digit\n at [Source: (byte[])"{"index":{"_id":1."; line: 1, column: 19]',
  },
  {
    name: "JSON: exponent without digits",
    body: L('{"index":{"_id":1e}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'}\' (code 125)) in numeric value: Exponent indicator not followed by a digit\n at [Source: (byte[])"{"index":{"_id":1e}}"; line: 1, column: 20]',
  },
  {
    name: "JSON: number then a letter",
    body: L('{"index":{"_id":12a}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'a\' (code 97)): was expecting comma to separate Object entries\n at [Source: (byte[])"{"index":{"_id":12a}}"; line: 1, column: 20]',
  },
  {
    name: "JSON: number at the end",
    body: L('{"index":{"_id":12', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (byte[])"{"index":{"_id":12"; line: 1, column: 10])\n at [Source: (byte[])"{"index":{"_id":12"; line: 1, column: 19]',
  },
  {
    name: "JSON: bad escape",
    body: L('{"index":{"_index":"t1","_id":"\\x"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unrecognized character escape \'x\' (code 120)\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"\\x"}}"; line: 1, column: 34]',
  },
  {
    name: "JSON: bad hex escape",
    body: L('{"index":{"_index":"t1","_id":"\\u12g4"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'g\' (code 103)): expected a hex-digit for character escape sequence\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"\\u12g4"}}"; line: 1, column: 37]',
  },
  {
    name: "JSON: raw tab in a string",
    body: L('{"index":{"_index":"t1","_id":"a\tb"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash to be included in string value\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"a\\u0009b"}}"; line: 1, column: 34]',
  },
  {
    name: "JSON: raw 0x1f in a string",
    body: L('{"index":{"_index":"t1","_id":"a\u001fb"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Illegal unquoted character ((CTRL-CHAR, code 31)): has to be escaped using backslash to be included in string value\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"a\\u001Fb"}}"; line: 1, column: 34]',
  },
  {
    name: "JSON: control character between tokens",
    body: L('{"index":\u0001{"_index":"t1"}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Illegal character ((CTRL-CHAR, code 1)): only regular white space (\\r, \\n, \\t) is allowed between tokens\n at [Source: (byte[])"{"index":\\u0001{"_index":"t1"}}"; line: 1, column: 11]',
  },
  {
    name: "JSON: invalid UTF-8 start byte",
    body: Buffer.concat([
      Buffer.from('{"index":{"_index":"t1","_id":"'),
      Buffer.from([0xff]),
      Buffer.from('"}}\n{"a":1}\n'),
    ]),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Invalid UTF-8 start byte 0xff\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"�"}}"; line: 1, column: 33]',
  },
  {
    name: "JSON: invalid UTF-8 middle byte",
    body: Buffer.concat([
      Buffer.from('{"index":{"_index":"t1","_id":"'),
      Buffer.from([0xc3, 0x41]),
      Buffer.from('"}}\n{"a":1}\n'),
    ]),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Invalid UTF-8 middle byte 0x41\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"�A"}}"; line: 1, column: 34]',
  },
  {
    name: "JSON: end of input after a comma",
    body: L('{"index":{"_index":"t1",'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index":{"_index":"t1","; line: 1, column: 25]',
  },
  {
    name: "JSON: end of input after a name",
    body: L('{"index":{"_index"'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index":{"_index""; line: 1, column: 19]',
  },
  {
    name: "JSON: end of input after a value",
    body: L('{"index":{"_index":"t1"'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (byte[])"{"index":{"_index":"t1""; line: 1, column: 10])\n at [Source: (byte[])"{"index":{"_index":"t1""; line: 1, column: 24]',
  },
  {
    name: "JSON: end of input after {",
    body: L('{"index":{'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (byte[])"{"index":{"; line: 1, column: 10])\n at [Source: (byte[])"{"index":{"; line: 1, column: 11]',
  },
  {
    name: "JSON: end of input after the action name",
    body: L('{"index"'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index""; line: 1, column: 9]',
  },
  {
    name: "JSON: only {",
    body: L("{"),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (byte[])"{"; line: 1, column: 1])\n at [Source: (byte[])"{"; line: 1, column: 2]',
  },
  {
    name: "JSON: end of input in a string",
    body: L('{"index":{"_index":"t1'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input in VALUE_STRING\n at [Source: (byte[])"{"index":{"_index":"t1"; line: 1, column: 23]',
  },
  {
    name: "JSON: end of input in a name",
    body: L('{"index":{"_ind'),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input in field name\n at [Source: (byte[])"{"index":{"_ind"; line: 1, column: 16]',
  },
  {
    name: "JSON: end of input after a colon",
    body: L('{"index":{"_index":  '),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input within/between Object entries\n at [Source: (byte[])"{"index":{"_index":  "; line: 1, column: 22]',
  },
  {
    name: "JSON: missing colon",
    body: L('{"index":{"_index" "t1"}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'"\' (code 34)): was expecting a colon to separate field name and value\n at [Source: (byte[])"{"index":{"_index" "t1"}}"; line: 1, column: 21]',
  },
  {
    name: "JSON: missing comma",
    body: L('{"index":{"_index":"t1" "_id":"x"}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'"\' (code 34)): was expecting comma to separate Object entries\n at [Source: (byte[])"{"index":{"_index":"t1" "_id":"x"}}"; line: 1, column: 26]',
  },
  {
    name: "JSON: unknown word",
    body: L('{"index":{"_index":abc}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unrecognized token 'abc': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_index\":abc}}\"; line: 1, column: 24]",
  },
  {
    name: "JSON: truncated true",
    body: L('{"index":{"_index":tru}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_index\":tru}}\"; line: 1, column: 24]",
  },
  {
    name: "JSON: true with a tail",
    body: L('{"index":{"_index":truex}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unrecognized token 'truex': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_index\":truex}}\"; line: 1, column: 26]",
  },
  {
    name: "JSON: # as a value",
    body: L('{"index":{"_index":#}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character ('#' (code 35)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_index\":#}}\"; line: 1, column: 21]",
  },
  {
    name: "JSON: } as a value",
    body: L('{"index":{"_id":}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'}\' (code 125)): expected a value\n at [Source: (byte[])"{"index":{"_id":}}"; line: 1, column: 18]',
  },
  {
    name: "JSON: , as a value",
    body: L('{"index":{"_id":,}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\',\' (code 44)): expected a value\n at [Source: (byte[])"{"index":{"_id":,}}"; line: 1, column: 18]',
  },
  {
    name: "JSON: ] as a value",
    body: L('{"index":{"_id":]}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"index\":{\"_id\":]}}\"; line: 1, column: 18]",
  },
  {
    name: "JSON: ] closing an object",
    body: L('{"index":{"_index":"a"]}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected close marker \']\': expected \'}\' (for Object starting at [Source: (byte[])"{"index":{"_index":"a"]}"; line: 1, column: 10])\n at [Source: (byte[])"{"index":{"_index":"a"]}"; line: 1, column: 24]',
  },
  {
    name: "JSON: trailing comma",
    body: L('{"index":{"_index":"a",}}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'}\' (code 125)): was expecting double-quote to start field name\n at [Source: (byte[])"{"index":{"_index":"a",}}"; line: 1, column: 25]',
  },
  {
    name: "JSON: bad value of an unknown action",
    body: L('{"foo":garbage}'),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unrecognized token 'garbage': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"{\"foo\":garbage}\"; line: 1, column: 16]",
  },
  {
    name: "JSON: array left open",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"', D),
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Array (start marker at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a""; line: 1, column: 58])\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a""; line: 1, column: 62]',
  },
  {
    name: "JSON: array missing comma",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a" "b"]}}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'"\' (code 34)): was expecting comma to separate Array entries\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a" "b"]}}}"; line: 1, column: 64]',
  },
  {
    name: "JSON: } closing an array",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"}}}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected close marker \'}\': expected \']\' (for Array starting at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"}}}}"; line: 1, column: 58])\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a"}}}}"; line: 1, column: 63]',
  },
  {
    name: "JSON: trailing comma in an array",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a",]}}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\']\' (code 93)): expected a value\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a",]}}}"; line: 1, column: 64]',
  },
  {
    name: "JSON: end of input after a comma in an array",
    body: L('{"update":{"_index":"t1","_id":"1","_source":{"includes":["a",', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected end-of-input within/between Array entries\n at [Source: (byte[])"{"update":{"_index":"t1","_id":"1","_source":{"includes":["a","; line: 1, column: 63]',
  },
  {
    name: "JSON: an error past 500 bytes",
    body: L(`{"index":{"_index":"t1","_id":"${"z".repeat(600)}",x}}`, D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'x\' (code 120)): was expecting double-quote to start field name\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"[truncated 136 bytes]; line: 1, column: 635]',
  },
  {
    name: "JSON: CRLF counts as a line in locations",
    body: '{"index":{"_index":"t1","_id":"x"\r\n{"a":1}\r\n',
    status: 400,
    type: "json_e_o_f_exception",
    reason:
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (byte[])"{"index":{"_index":"t1","_id":"x"\r"; line: 1, column: 10])\n at [Source: (byte[])"{"index":{"_index":"t1","_id":"x"\r"; line: 2, column: 1]',
  },
  {
    name: "JSON: BOM counts in columns",
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"index":{"_index":x}}\n{"a":1}\n')]),
    status: 400,
    type: "json_parse_exception",
    reason:
      "Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (byte[])\"﻿{\"index\":{\"_index\":x}}\"; line: 1, column: 25]",
  },
  {
    name: "JSON: UTF-8 counts in bytes",
    body: L('{"index":{"_index":"é",x}}', D),
    status: 400,
    type: "json_parse_exception",
    reason:
      'Unexpected character (\'x\' (code 120)): was expecting double-quote to start field name\n at [Source: (byte[])"{"index":{"_index":"é",x}}"; line: 1, column: 26]',
  },
  {
    name: "SMILE: no header",
    body: smileBody(S({ index: { _index: "sm", _id: "s4" } }).subarray(4), S({ a: "x" })),
    format: "smile",
    status: 400,
    type: "json_parse_exception",
    reason:
      "Input does not start with Smile format header (first byte = 0xfa) and parser has REQUIRE_HEADER enabled: can not parse\n at [Source: (byte[])[27 bytes]; byte offset: #242]",
  },
  {
    name: "SMILE: no final separator",
    body: S({ delete: { _index: "sm", _id: "s1" } }),
    format: "smile",
    status: 400,
    type: "illegal_argument_exception",
    reason: "The bulk request must be terminated by a newline [\\n]",
  },
  {
    name: "SMILE: key without value",
    body: smileBody(
      Buffer.concat([S({ index: { _index: "sm" } }).subarray(0, -2), Buffer.from([0x80, 0x61, 0xfb, 0xfb])]),
      S({ a: "x" }),
    ),
    format: "smile",
    status: 400,
    type: "json_parse_exception",
    reason:
      "Invalid type marker byte 0xFB in value mode (would be END_OBJECT in key mode)\n at [Source: (byte[])[26 bytes]; byte offset: #267]",
  },
  {
    name: "SMILE: unknown parameter",
    body: smileBody(S({ index: { _index: "sm", _id: "s6", foo: true } }), S({ a: "x" })),
    format: "smile",
    status: 400,
    type: "illegal_argument_exception",
    reason: "Action/metadata line [1] contains an unknown parameter [foo]",
  },
  {
    name: "SMILE: action is an array",
    body: smileBody(S(["index"]), S({ a: "x" })),
    format: "smile",
    status: 400,
    type: "illegal_argument_exception",
    reason: "Malformed action/metadata line [1], expected START_OBJECT but found [START_ARRAY]",
  },
  {
    name: "SMILE: version true",
    body: smileBody(
      S({ index: { _index: "sm", _id: "s9", version: true, version_type: "external" } }),
      S({ a: "x" }),
    ),
    format: "smile",
    status: 400,
    type: "json_parse_exception",
    reason:
      "Internal error: number token (VALUE_TRUE) decoded, no value set\n at [Source: (byte[])[62 bytes]; byte offset: #280]",
  },
  {
    name: "SMILE: version beyond a long",
    body: smileBody(
      S({
        index: {
          _index: "sm",
          _id: "s8",
          version: { kind: "bigint", value: 1n << 70n },
          version_type: "external",
        },
      }),
      S({ a: "x" }),
    ),
    format: "smile",
    status: 500,
    type: "input_coercion_exception",
    reason:
      "Numeric value (1180591620717411303424) out of range of long (-9223372036854775808 - 9223372036854775807)\n at [Source: (byte[])[74 bytes]; byte offset: #292]",
  },
];

// Bodies OpenSearch 2.11.1 accepted, with the items it answered (per-item failures included).
export const ACCEPTED: readonly Accepted[] = [
  {
    name: "mixed operations",
    body: L(
      '{"index":{"_index":"t1","_id":"1"}}',
      D,
      '{"create":{"_index":"t2","_id":"2"}}',
      D,
      '{"update":{"_index":"t1","_id":"1"}}',
      '{"doc":{"b":2}}',
      '{"delete":{"_index":"t2","_id":"2"}}',
    ),
    items: [
      ["index", "t1", "1"],
      ["create", "t2", "2"],
      ["update", "t1", "1"],
      ["delete", "t2", "2"],
    ],
  },
  {
    name: "defaults from the URL",
    body: L('{"index":{"_id":"u1"}}', D, '{"delete":{"_id":"u1"}}'),
    path: "/t3/_bulk?routing=abc",
    items: [
      ["index", "t3", "u1"],
      ["delete", "t3", "u1"],
    ],
  },
  {
    name: "numeric ids keep their text",
    body: L(
      '{"index":{"_index":"t1","_id":12345678901234567890}}',
      D,
      '{"index":{"_index":"t1","_id":1.50}}',
      D,
      '{"index":{"_index":"t1","_id":1e3}}',
      D,
      '{"index":{"_index":"t1","_id":-5}}',
      D,
      '{"index":{"_index":"t1","_id":true}}',
      D,
      '{"index":{"_index":"t1","_id":0}}',
      D,
    ),
    items: [
      ["index", "t1", "12345678901234567890"],
      ["index", "t1", "1.50"],
      ["index", "t1", "1e3"],
      ["index", "t1", "-5"],
      ["index", "t1", "true"],
      ["index", "t1", "0"],
    ],
  },
  { name: "numeric index", body: L('{"index":{"_index":5,"_id":"1"}}', D), items: [["index", "5", "1"]] },
  {
    name: "what follows the metadata object is never read",
    body: L(
      '{"index":{"_index":"t1"},"delete":{"_index":"t1","_id":"9"}}',
      D,
      '{"index":{"_index":"t1"}',
      D,
      '{"index":{"_index":"t1"}} garbage',
      D,
      '{"index":{"_index":"t1","_id":"do"},"index":{}}',
      D,
      '{"index":{"_index":"t1"}}\u0000}',
      D,
      '{"index":{"_index":"t1","_id":"sc"} /x}',
      D,
    ),
    items: [
      ["index", "t1", null],
      ["index", "t1", null],
      ["index", "t1", null],
      ["index", "t1", "do"],
      ["index", "t1", null],
      ["index", "t1", "sc"],
    ],
  },
  {
    name: "nulls are ignored",
    body: L(
      '{"index":{"_index":"t1","routing":null,"_id":null,"version":null,"require_alias":null,"foo":null}}',
      D,
      '{"update":{"_index":"t1","_id":"1","_source":null}}',
      '{"doc":{"a":1}}',
    ),
    items: [
      ["index", "t1", null],
      ["update", "t1", "1"],
    ],
  },
  {
    name: "an action without its document line after others",
    body: L('{"index":{"_index":"t1","_id":"1"}}', D, '{"index":{"_index":"t1","_id":"2"}}'),
    items: [["index", "t1", "1"]],
  },
  {
    name: "blank lines and comments",
    body:
      "\n" +
      L('{"index":{"_index":"t1","_id":"b1"}}', D, "", "  ", "// just a comment", "/* c */") +
      L('/* c */{"index":{"_index":"t1","_id":"cm"}} // c', D),
    items: [
      ["index", "t1", "b1"],
      ["index", "t1", "cm"],
    ],
  },
  {
    name: "CRLF",
    body: '{"index":{"_index":"t1","_id":"crlf"}}\r\n{"a":1}\r\n',
    items: [["index", "t1", "crlf"]],
  },
  {
    name: "white space around lines",
    body: L('  {"index":{"_index":"t1","_id":"s1"}}  ', '  {"a":1}  '),
    items: [["index", "t1", "s1"]],
  },
  {
    name: "malformed documents are the item's business",
    body: L(
      '{"index":{"_index":"t1","_id":"m1"}}',
      '{"a":',
      '{"index":{"_index":"t1","_id":"m2"}}',
      "",
      '{"index":{"_index":"t1","_id":"m3"}}',
      "[1,2]",
      '{"index":{"_index":"t1","_id":"m4"}}',
      '{"a":1} {"b":2}',
    ),
    items: [
      ["index", "t1", "m1"],
      ["index", "t1", "m2"],
      ["index", "t1", "m3"],
      ["index", "t1", "m4"],
    ],
  },
  {
    name: "per-item refusals",
    body: L(
      '{"index":{"_index":"t1","_id":""}}',
      D,
      '{"index":{"_index":"","_id":"x"}}',
      D,
      '{"index":{"_index":"T1","_id":"1"}}',
      D,
      `{"delete":{"_index":"t1","_id":"${"q".repeat(513)}"}}`,
    ),
    items: [
      ["index", "t1", ""],
      ["index", "", "x"],
      ["index", "T1", "1"],
      [
        "delete",
        "t1",
        "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
      ],
    ],
  },
  {
    name: "parameters OpenSearch accepts",
    body: L(
      '{"index":{"_index":"t1","_id":"a","op_type":"create"}}',
      D,
      '{"index":{"_index":"t1","_id":"b","op_type":"foo","routing":5,"pipeline":"_none","require_alias":"false","_source":false}}',
      D,
      '{"index":{"_index":"t1","_id":"c","version":"7","version_type":"external_gt"}}',
      D,
      '{"index":{"_index":"t1","_id":"d","version":1.5,"version_type":"external_gte"}}',
      D,
      '{"create":{"_index":"t1","_id":"e","version":-4}}',
      D,
      '{"update":{"_index":"t1","_id":"1","retry_on_conflict":"3.5","_source":{"includes":"a","exclude":["b"]},"version_type":"internal"}}',
      '{"doc":{"a":1}}',
      '{"update":{"_index":"t1","_id":"1","retry_on_conflict":-1,"_source":"true"}}',
      '{"doc":{"a":1}}',
      '{"delete":{"_index":"t1","_id":"zz","version":3,"version_type":"external"}}',
      '{"index":{"_index":"t1","_id":"f","if_seq_no":1.9,"if_primary_term":1,"require_alias":""}}',
      D,
      '{"update":{"_index":"t1","_id":"1","retry_on_conflict":" 2 "}}',
      '{"doc":{"a":1}}',
      '{"update":{"_index":"t1","_id":"1","retry_on_conflict":"NaN"}}',
      '{"doc":{"a":1}}',
      '{"index":{"_index":"t1","_id":"g","version":"+9","version_type":"external"}}',
      D,
      '{"index":{"_index":"t1","_id":"h","version":"1e2","version_type":"external"}}',
      D,
    ),
    items: [
      ["create", "t1", "a"],
      ["index", "t1", "b"],
      ["index", "t1", "c"],
      ["index", "t1", "d"],
      ["create", "t1", "e"],
      ["update", "t1", "1"],
      ["update", "t1", "1"],
      ["delete", "t1", "zz"],
      ["index", "t1", "f"],
      ["update", "t1", "1"],
      ["update", "t1", "1"],
      ["index", "t1", "g"],
      ["index", "t1", "h"],
    ],
  },
  {
    name: "id-less index and create",
    body: L(
      '{"index":{"_index":"t1"}}',
      D,
      '{"create":{"_index":"t1"}}',
      D,
      '{"index":{"_index":"t1","op_type":"create"}}',
      D,
    ),
    items: [
      ["index", "t1", null],
      ["create", "t1", null],
      ["create", "t1", null],
    ],
  },
  {
    name: "string escapes in metadata",
    body: L(
      '{"index":{"_index":"t\\u0031","_id":"\\u00e9\\n"}}',
      D,
      '{"index":{"_index":"t1","_id":"\\ud83d\\ude00"}}',
      D,
      '{"index":{"_index":"t1","_id":"\\ud83d"}}',
      D,
      '{"index":{"_index":"t1","_id":"a\\u0001b"}}',
      D,
    ),
    items: [
      ["index", "t1", "é\n"],
      ["index", "t1", "😀"],
      ["index", "t1", "\ud83d"],
      ["index", "t1", "a\u0001b"],
    ],
  },
  {
    name: "BOM on every line",
    body: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"index":{"_index":"t1","_id":"bom"}}\n{"a":1}\n'),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"index":{"_index":"t1","_id":"b3"}}\n{"a":1}\n'),
    ]),
    items: [
      ["index", "t1", "bom"],
      ["index", "t1", "b3"],
    ],
  },
  {
    name: "SMILE: bulk",
    body: smileBody(
      S({ index: { _index: "sm", _id: "s1", version: long(9007199254740993n), version_type: "external" } }),
      S({ a: long(9007199254740993n), f: { kind: "double", value: 1.0 } }),
      S({ delete: { _index: "sm", _id: "s1", routing: "r" } }),
    ),
    format: "smile",
    items: [
      ["index", "sm", "s1"],
      ["delete", "sm", "s1"],
    ],
  },
  {
    name: "SMILE: empty and header-only segments",
    body: Buffer.concat([
      Buffer.from([0xff, 0xff, 0x3a, 0x29, 0x0a, 0x00, 0xff]),
      smileBody(S({ index: { _index: "sm", _id: "s2" } }), S({ a: "x" })),
      Buffer.from([0xff]),
    ]),
    format: "smile",
    items: [["index", "sm", "s2"]],
  },
  {
    name: "SMILE: numbers as ids",
    body: smileBody(
      S({ index: { _index: "sm", _id: { kind: "int", value: 42n } } }),
      S({ a: "x" }),
      S({ index: { _index: "sm", _id: { kind: "double", value: 1e10 } } }),
      S({ a: "x" }),
      S({ index: { _index: "sm", _id: { kind: "bigdecimal", unscaled: 1n, scale: -3 } } }),
      S({ a: "x" }),
      S({ index: { _index: "sm", _id: { kind: "float", value: Math.fround(0.1) } } }),
      S({ a: "x" }),
    ),
    format: "smile",
    items: [
      ["index", "sm", "42"],
      ["index", "sm", "1.0E10"],
      ["index", "sm", "1E+3"],
      ["index", "sm", "0.1"],
    ],
  },
  {
    name: "SMILE: shared value back reference and a long string",
    body: smileBody(
      Buffer.from([
        0x3a,
        0x29,
        0x0a,
        0x03,
        0xfa,
        0x84,
        ...Buffer.from("index"),
        0xfa,
        0x85,
        ...Buffer.from("_index"),
        0x41,
        ...Buffer.from("sm"),
        0x82,
        ...Buffer.from("_id"),
        0xe0,
        ...Buffer.from("lf"),
        0xfc,
        0x86,
        ...Buffer.from("routing"),
        0x01,
        0xfb,
        0xfb,
      ]),
      S({ a: "x" }),
    ),
    format: "smile",
    items: [["index", "sm", "lf"]],
  },
  {
    name: "SMILE: a binary id is no id",
    body: smileBody(S({ index: { _index: "sm", _id: new Uint8Array([1, 2, 3]) } }), S({ a: "x" })),
    format: "smile",
    items: [["index", "sm", null]],
  },
  {
    name: "SMILE: a JSON document is the item's business",
    body: smileBody(S({ index: { _index: "sm", _id: "s7" } }), Buffer.from('{"a":1}')),
    format: "smile",
    items: [["index", "sm", "s7"]],
  },
];
