import assert from "node:assert/strict";
import { test } from "node:test";
import { BluegreenError, CATALOGUE, EXIT, toBluegreenError } from "../../src/errors/index.ts";
import { renderError } from "../../src/report/index.ts";

test("every catalogue code is BG_-prefixed, exits 1, 2, 3, 4 or 5, and has a summary", () => {
  for (const [code, entry] of Object.entries(CATALOGUE)) {
    assert.match(code, /^BG_[A-Z_]+$/);
    assert.ok(
      entry.exit === EXIT.failure ||
        entry.exit === EXIT.usage ||
        entry.exit === EXIT.blocked ||
        entry.exit === EXIT.approval ||
        entry.exit === EXIT.unconfirmed,
      `${code} exit ${entry.exit}`,
    );
    assert.ok(entry.summary.length > 10, code);
  }
});

test("usage and config codes exit 2; cluster codes exit 1", () => {
  assert.equal(new BluegreenError("BG_CONFIG_INVALID", "x").exitCode, 2);
  assert.equal(new BluegreenError("BG_USAGE", "x").exitCode, 2);
  assert.equal(new BluegreenError("BG_CLUSTER_UNREACHABLE", "x").exitCode, 1);
  // A hold only another command can lift: its own exit code, so scripts can run that command first.
  assert.equal(new BluegreenError("BG_REPLAY_HELD", "x").exitCode, 3);
  // A run that stopped for approval did not fail: scripts tell it apart by its own code.
  assert.equal(new BluegreenError("BG_APPROVAL", "x").exitCode, 4);
  // A shared mode switch decided but not confirmed everywhere is neither success nor a plain failure.
  assert.equal(new BluegreenError("BG_GATEWAY_MODE_UNCONFIRMED", "x").exitCode, 5);
});

test("retryable comes from the catalogue unless the throw site overrides it", () => {
  assert.equal(new BluegreenError("BG_CLUSTER_UNREACHABLE", "x").retryable, true);
  assert.equal(new BluegreenError("BG_CLUSTER_TLS", "x").retryable, false);
  assert.equal(new BluegreenError("BG_CLUSTER_RESPONSE", "x", { retryable: true }).retryable, true);
});

test("a rendered error has code, message and fix, and never a stack", () => {
  const text = renderError(
    new BluegreenError("BG_CONFIG_EXISTS", "a.yaml already exists.", { fix: "Pass --force." }),
  );
  assert.equal(text, "error BG_CONFIG_EXISTS: a.yaml already exists.\nfix: Pass --force.\n");
  const json = JSON.stringify(new BluegreenError("BG_USAGE", "bad", { details: { flag: "--x" } }));
  assert.deepEqual(JSON.parse(json), {
    code: "BG_USAGE",
    message: "bad",
    retryable: false,
    details: { flag: "--x" },
  });
});

test("anything unexpected becomes BG_INTERNAL, keeping the original as cause", () => {
  const original = new TypeError("boom");
  const wrapped = toBluegreenError(original);
  assert.equal(wrapped.code, "BG_INTERNAL");
  assert.equal(wrapped.cause, original);
  const known = new BluegreenError("BG_USAGE", "x");
  assert.equal(toBluegreenError(known), known);
});
