/**
 * Holds the splitter's table of refusals to the real thing: each body the unit test expects
 * parseBulk to refuse is sent to the sandbox's OpenSearch 2.11.1 source, which must refuse it with
 * the same status, type and reason. Refused requests write nothing, so the shared cluster is untouched.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { REFUSED } from "../support/bulk-parse-cases.ts";
import { testSandbox } from "../support/sandbox.ts";

const source = testSandbox().source;

describe(`_bulk refusals of OpenSearch ${source.version}`, () => {
  // The table records 2.11.1's answers: another source version is a wrong setup, not a reason to skip.
  test("the suite's source is the version the table records", () => {
    assert.equal(source.version, "2.11.1");
  });
  for (const c of REFUSED) {
    test(c.name, async () => {
      const smile = c.format === "smile";
      const res = await fetch(new URL(c.path ?? "/_bulk", source.url), {
        method: "POST",
        headers: {
          "content-type": smile ? "application/smile" : "application/x-ndjson",
          accept: "application/json",
        },
        body: typeof c.body === "string" ? Buffer.from(c.body) : c.body,
      });
      const answer = (await res.json()) as { error?: { type?: string; reason?: string } };
      const cut = (s: string | undefined) => (smile ? s?.replace(/\n at \[Source: .*$/s, "") : s);
      assert.deepEqual(
        { status: res.status, type: answer.error?.type, reason: cut(answer.error?.reason) },
        { status: c.status, type: c.type, reason: cut(c.reason) },
      );
    });
  }
});
