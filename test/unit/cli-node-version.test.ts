import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeTooOld } from "../../bin/node-version.js";

test("the launcher refuses a Node.js older than 24, naming it and the fix", () => {
  const cases: [string, RegExp | undefined][] = [
    [
      "20.20.2",
      /^bluegreen needs Node\.js 24 or later; this is Node\.js 20\.20\.2\.\nFix: run it through npx or an npm script \(the project's node@24 dependency provides Node 24\), or install Node 24\.\n$/,
    ],
    ["22.11.0", /this is Node\.js 22\.11\.0\./],
    ["23.9.9", /this is Node\.js 23\.9\.9\./],
    ["24.0.0", undefined],
    ["24.21.0", undefined],
    ["26.1.0", undefined],
  ];
  for (const [version, message] of cases) {
    const got = nodeTooOld(version);
    if (message === undefined) assert.equal(got, undefined, version);
    else assert.match(got ?? "", message, version);
  }
});
