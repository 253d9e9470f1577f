import assert from "node:assert/strict";
import { test } from "node:test";
import { TransportFailure } from "../../src/cluster/errors.ts";
import {
  backoffDelayMs,
  isIdempotent,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
  shouldRetry,
  withRetry,
} from "../../src/cluster/retry.ts";
import type { ClusterRequest, ClusterResponse, HttpMethod } from "../../src/cluster/types.ts";

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000 };

test("isIdempotent: by method, overridable per request", () => {
  const cases: Array<[HttpMethod, boolean | undefined, boolean]> = [
    ["GET", undefined, true],
    ["HEAD", undefined, true],
    ["PUT", undefined, true],
    ["DELETE", undefined, true],
    ["POST", undefined, false],
    ["PATCH", undefined, false],
    ["POST", true, true],
    ["PUT", false, false],
  ];
  for (const [method, idempotent, expected] of cases) {
    assert.equal(isIdempotent({ method, idempotent }), expected, `${method} idempotent=${idempotent}`);
  }
});

test("parseRetryAfter: delta-seconds, HTTP dates, junk", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  const cases: Array<[string | string[] | undefined, number | undefined]> = [
    ["3", 3000],
    [" 0 ", 0],
    [["2", "9"], 2000],
    ["Wed, 21 Oct 2015 07:28:05 GMT", 5000],
    ["Wed, 21 Oct 2015 07:27:00 GMT", 0],
    ["-1", undefined],
    ["soon", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) {
    assert.equal(parseRetryAfter(value, now), expected, JSON.stringify(value));
  }
});

test("backoff: full jitter under a doubling, capped ceiling", () => {
  const cases: Array<[number, number, number]> = [
    // attempt, random, expected
    [1, 0.999, 99],
    [2, 0.999, 199],
    [3, 0.5, 200],
    [4, 0.999, 799],
    [5, 0.999, 999],
    [30, 0.999, 999],
    [3, 0, 0],
  ];
  for (const [attempt, random, expected] of cases) {
    assert.equal(
      backoffDelayMs(attempt, policy, () => random),
      expected,
      `attempt ${attempt}`,
    );
  }
});

test("Retry-After wins over backoff but is capped by maxDelayMs", () => {
  assert.equal(
    retryDelayMs(1, policy, 300, () => 0),
    300,
  );
  assert.equal(
    retryDelayMs(1, policy, 60_000, () => 0),
    1000,
  );
  assert.equal(
    retryDelayMs(1, policy, undefined, () => 0.5),
    50,
  );
});

test("shouldRetry: statuses and failures, idempotent or not", () => {
  const get: ClusterRequest = { method: "GET", path: "/" };
  const post: ClusterRequest = { method: "POST", path: "/_bulk" };
  const search: ClusterRequest = { method: "POST", path: "/_search", idempotent: true };
  const cases: Array<[ClusterRequest, { status: number } | TransportFailure, boolean]> = [
    [get, { status: 429 }, true],
    [get, { status: 502 }, true],
    [get, { status: 503 }, true],
    [get, { status: 504 }, true],
    [get, { status: 500 }, false],
    [get, { status: 404 }, false],
    [post, { status: 429 }, false],
    [post, { status: 503 }, false],
    [search, { status: 503 }, true],
    [get, new TransportFailure("reset", "socket hang up"), true],
    [post, new TransportFailure("reset", "socket hang up"), false],
    [post, new TransportFailure("timeout", "slow"), false],
    [post, new TransportFailure("refused", "ECONNREFUSED"), true],
    [post, new TransportFailure("dns", "ENOTFOUND"), true],
    [get, new TransportFailure("tls", "bad cert"), false],
    [get, new TransportFailure("protocol", "HPE_INVALID_CONSTANT"), false],
  ];
  for (const [request, outcome, expected] of cases) {
    const label = outcome instanceof TransportFailure ? outcome.kind : outcome.status;
    assert.equal(shouldRetry(request, outcome), expected, `${request.method} ${request.path} ${label}`);
  }
});

function scripted(outcomes: Array<number | TransportFailure>) {
  const calls: ClusterRequest[] = [];
  const dispatch = async (request: ClusterRequest): Promise<ClusterResponse> => {
    calls.push(request);
    const next = outcomes[Math.min(calls.length, outcomes.length) - 1];
    if (next instanceof TransportFailure) throw next;
    return {
      status: next ?? 200,
      body: {},
      headers: next === 429 ? { "retry-after": "2" } : {},
      attempts: 1,
    };
  };
  return { calls, dispatch };
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

test("withRetry: retries until success, honouring Retry-After, and counts attempts", async () => {
  const { calls, dispatch } = scripted([429, 503, 200]);
  const { delays, sleep } = recordingSleep();
  const events: Array<number | string> = [];
  const retrying = withRetry(dispatch, policy, {
    sleep,
    random: () => 0.5,
    onRetry: (e) => events.push(e.reason),
  });
  const response = await retrying({ method: "GET", path: "/" });
  assert.equal(response.status, 200);
  assert.equal(response.attempts, 3);
  assert.equal(calls.length, 3);
  assert.deepEqual(delays, [1000, 100]);
  assert.deepEqual(events, [429, 503]);
});

test("withRetry: returns the last response when attempts run out", async () => {
  const { calls, dispatch } = scripted([503]);
  const { sleep } = recordingSleep();
  const response = await withRetry(dispatch, policy, { sleep })({ method: "GET", path: "/" });
  assert.deepEqual([response.status, response.attempts, calls.length], [503, 4, 4]);
});

test("withRetry: rethrows the last failure with its attempt count", async () => {
  const { dispatch } = scripted([new TransportFailure("reset", "socket hang up")]);
  const { sleep } = recordingSleep();
  await assert.rejects(withRetry(dispatch, policy, { sleep })({ method: "GET", path: "/" }), (error) => {
    assert.ok(error instanceof TransportFailure);
    assert.equal(error.attempts, 4);
    assert.equal(error.kind, "reset");
    return true;
  });
});

test("withRetry: a POST is tried once on 503 and on a reset", async () => {
  for (const outcome of [503, new TransportFailure("reset", "x")]) {
    const { calls, dispatch } = scripted([outcome, 200]);
    const { sleep } = recordingSleep();
    const attempt = withRetry(dispatch, policy, { sleep })({ method: "POST", path: "/_bulk" });
    if (outcome instanceof TransportFailure) await assert.rejects(attempt);
    else assert.equal((await attempt).status, 503);
    assert.equal(calls.length, 1);
  }
});

test("withRetry: maxAttempts 1 disables retries; other errors pass straight through", async () => {
  const { calls, dispatch } = scripted([503, 200]);
  const once = await withRetry(dispatch, { ...policy, maxAttempts: 1 })({ method: "GET", path: "/" });
  assert.deepEqual([once.status, calls.length], [503, 1]);
  const boom = new Error("bug");
  const failing = withRetry(async () => Promise.reject(boom), policy);
  await assert.rejects(failing({ method: "GET", path: "/" }), (error) => error === boom);
});

test("withRetry: aborting during the backoff stops with the signal's reason", async () => {
  const { calls, dispatch } = scripted([503]);
  const controller = new AbortController();
  const reason = new Error("stop");
  setTimeout(() => controller.abort(reason), 20);
  const retrying = withRetry(
    dispatch,
    { maxAttempts: 5, initialDelayMs: 10_000, maxDelayMs: 10_000 },
    { random: () => 0.99 },
  );
  await assert.rejects(
    retrying({ method: "GET", path: "/", signal: controller.signal }),
    (error) => error === reason,
  );
  assert.equal(calls.length, 1);
});
