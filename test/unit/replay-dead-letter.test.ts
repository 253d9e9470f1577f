import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { docDeadLetter } from "../../src/replay/dead-letter.ts";

const at = { partition: 0, offset: 7, index: "i", id: "d1" };
const body = (text: string | Buffer, contentType: string) => ({
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text),
  contentType,
});

describe("docDeadLetter: a refused document stays re-appliable by hand", () => {
  const table: { name: string; item: Parameters<typeof docDeadLetter>[0]; expected: object }[] = [
    {
      name: "a JSON document keeps its text, a long above 2^53 included",
      item: { ...at, doc: body('{"n":9007199254740993}', "application/json") },
      expected: { contentType: "application/json", text: '{"n":9007199254740993}' },
    },
    {
      name: "a YAML document keeps its text",
      item: { ...at, doc: body("---\nn: 1\n", "application/yaml") },
      expected: { contentType: "application/yaml", text: "---\nn: 1\n" },
    },
    {
      name: "a CBOR document goes as base64",
      item: { ...at, doc: body(Buffer.from([0xa1, 0x61, 0x6e, 0x01]), "application/cbor") },
      expected: { contentType: "application/cbor", base64: "oWFuAQ==" },
    },
  ];
  for (const row of table) {
    test(row.name, () => {
      const letter = docDeadLetter(row.item, 400, "mapper_parsing_exception: no");
      assert.deepEqual(letter, {
        logOffset: { partition: 0, offset: 7 },
        reason: "mapper_parsing_exception: no",
        status: 400,
        index: "i",
        id: "d1",
        doc: row.expected,
      });
    });
  }

  test("a delete has no document, and a refusal without a reason says the target refused it", () => {
    assert.deepEqual(docDeadLetter(at, 400, undefined), {
      logOffset: { partition: 0, offset: 7 },
      reason: "rejected by the target",
      status: 400,
      index: "i",
      id: "d1",
    });
  });
});
