import assert from "node:assert/strict";
import { test } from "node:test";
import { causeOf, diffResults, parseSurefireXml } from "../support/rest-yaml.ts";

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="bluegreen.conformance.RestApiYamlTests" tests="5" errors="1" skipped="1" failures="1">
  <properties><property name="a" value="b"/></properties>
  <testcase name="test {yaml=index/10_with_id/Index with ID}" classname="X" time="0.3"/>
  <testcase name="test {yaml=get/15_default_values/Default &quot;values&quot;}" classname="X" time="0.1">
    <system-out><![CDATA[log lines <testcase name="not a test"/> ]]></system-out>
  </testcase>
  <testcase name="test {yaml=index/91_flat/Mappings}" classname="X" time="0.0">
    <skipped message="[index/91_flat] skipped, reason: [needs 3.0.0 ]"/>
  </testcase>
  <testcase name="test {yaml=bulk/10_basic/empty action}" classname="X" time="0.2">
    <failure message="Failure at [bulk/10_basic:102]: expected &lt;404&gt;" type="java.lang.AssertionError">stack</failure>
  </testcase>
  <testcase name="test {yaml=bulk/10_basic/empty action}" classname="X" time="0.2">
    <error type="java.util.NoSuchElementException">java.util.NoSuchElementException
	at somewhere</error>
  </testcase>
</testsuite>`;

test("surefire XML: one result per test; a test failing in its body and its @After is one failure", () => {
  const results = parseSurefireXml(REPORT);
  assert.deepEqual(
    results.map((r) => [r.name, r.status]),
    [
      ["index/10_with_id/Index with ID", "passed"],
      ['get/15_default_values/Default "values"', "passed"],
      ["index/91_flat/Mappings", "skipped"],
      ["bulk/10_basic/empty action", "failed"],
    ],
  );
  assert.equal(results[2]?.message, "[index/91_flat] skipped, reason: [needs 3.0.0 ]");
  assert.match(results[3]?.message ?? "", /expected <404>[\s\S]*-- then --[\s\S]*NoSuchElementException/);
});

test("differences are the tests whose status changed, including ones that ran on one side only", () => {
  const differences = diffResults(
    [
      { name: "a", status: "passed" },
      { name: "b", status: "skipped" },
      { name: "c", status: "passed" },
    ],
    [
      { name: "a", status: "passed" },
      { name: "b", status: "failed", message: "Test could not be skipped due to other failures" },
      { name: "d", status: "passed" },
    ],
  );
  assert.deepEqual(
    differences.map((d) => [d.name, d.direct, d.gateway]),
    [
      ["b", "skipped", "failed"],
      ["c", "passed", "missing"],
      ["d", "missing", "passed"],
    ],
  );
});

test("causes: leading slash, content type, error shape", () => {
  const cause = (message: string) => causeOf({ name: "t", direct: "passed", gateway: "failed", message });
  assert.equal(
    cause(
      "method [GET], host [http://127.0.0.1:1], URI [_nodes/plugins], status line [HTTP/1.1 400 Bad Request]",
    ),
    "leading slash",
  );
  assert.equal(cause("x\n-- then --\njava.util.NoSuchElementException"), "leading slash");
  assert.equal(
    cause('returned [400 Bad Request] [{"reason":"the document is not valid JSON: Unexpected token"}]'),
    "content type",
  );
  assert.equal(
    cause("error.type: expected String [illegal_argument_exception] but was [bluegreen_gateway_exception]"),
    "error shape",
  );
  assert.equal(cause("expected [2] but was [1]"), "other");
});
