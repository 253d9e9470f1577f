/**
 * The cluster layer against a local HTTP server that injects faults (throttling, resets, silence).
 * The server knows nothing of OpenSearch beyond the shape of an error body; it only misbehaves.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import type { ClusterAuth, ClusterConfig } from "../../src/config/cluster-config.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

type Handler = (res: ServerResponse, req: IncomingMessage) => void;

interface FaultServer {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** Answers the n-th request with handlers[n] (the last one repeats). */
async function faultServer(...handlers: Handler[]): Promise<FaultServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const handler = handlers[Math.min(seen.length, handlers.length) - 1];
      handler?.(res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (res) => {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(JSON.stringify(body));
  };
}

const ok = json(200, { acknowledged: true });
const reset: Handler = (_res, req) => req.socket.destroy();
const silent: Handler = () => {};

function config(url: string, overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: "source",
    urls: [url],
    auth: { type: "none" },
    tls: { insecure: false },
    requestTimeoutMs: 2000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 2000 },
    ...overrides,
  };
}

async function withCluster(
  server: FaultServer,
  overrides: Partial<ClusterConfig>,
  body: (cluster: Cluster) => Promise<void>,
): Promise<void> {
  const cluster = createCluster(config(server.url, overrides));
  try {
    await body(cluster);
  } finally {
    await cluster.close();
    await server.close();
  }
}

test("429 with Retry-After, then 200: succeeds after waiting as told", async () => {
  const server = await faultServer(json(429, { error: "too many" }, { "retry-after": "1" }), ok);
  await withCluster(server, {}, async (cluster) => {
    const started = performance.now();
    const response = await cluster.request({ method: "GET", path: "/_cluster/health" });
    const waited = performance.now() - started;
    assert.equal(response.status, 200);
    assert.equal(response.attempts, 2);
    assert.equal(server.seen.length, 2);
    assert.ok(waited >= 950, `waited only ${Math.round(waited)} ms`);
  });
});

test("503 on every attempt: BG_CLUSTER_THROTTLED after maxAttempts", async () => {
  const server = await faultServer(
    json(503, { error: { type: "cluster_block_exception", reason: "blocked" } }),
  );
  await withCluster(
    server,
    { retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5 } },
    async (cluster) => {
      await assert.rejects(cluster.request({ method: "GET", path: "/idx/_search" }), (error) => {
        assert.ok(isBluegreenError(error, "BG_CLUSTER_THROTTLED"));
        assert.equal(error.retryable, true);
        assert.equal(error.details.attempts, 4);
        assert.match(error.message, /cluster_block_exception: blocked/);
        return true;
      });
      assert.equal(server.seen.length, 4);
    },
  );
});

test("POST _bulk answered 503 is not retried", async () => {
  const server = await faultServer(json(503, { error: "unavailable" }), ok);
  await withCluster(server, {}, async (cluster) => {
    await assert.rejects(
      cluster.request({ method: "POST", path: "/_bulk", bulkBody: [{ index: { _index: "a" } }, { f: 1 }] }),
      (error) => isBluegreenError(error, "BG_CLUSTER_THROTTLED"),
    );
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0]?.body, '{"index":{"_index":"a"}}\n{"f":1}\n');
    assert.equal(server.seen[0]?.headers["content-type"], "application/x-ndjson");
  });
});

test("POST marked idempotent (_search) is retried on 503", async () => {
  const server = await faultServer(json(503, { error: "unavailable" }), json(200, { hits: { hits: [] } }));
  await withCluster(server, {}, async (cluster) => {
    const response = await cluster.request({
      method: "POST",
      path: "/i/_search",
      body: {},
      idempotent: true,
    });
    assert.equal(response.status, 200);
    assert.equal(server.seen.length, 2);
  });
});

test("connection reset on GET is retried", async () => {
  const server = await faultServer(reset, ok);
  await withCluster(server, {}, async (cluster) => {
    const response = await cluster.request({ method: "GET", path: "/" });
    assert.equal(response.status, 200);
    assert.equal(server.seen.length, 2);
  });
});

test("connection reset on POST is not retried and is BG_CLUSTER_UNREACHABLE", async () => {
  const server = await faultServer(reset, ok);
  await withCluster(server, {}, async (cluster) => {
    await assert.rejects(cluster.request({ method: "POST", path: "/i/_doc", body: { a: 1 } }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_UNREACHABLE"));
      assert.match(error.fix ?? "", /firewall/);
      return true;
    });
    assert.equal(server.seen.length, 1);
  });
});

test("404 with an OpenSearch error body: BG_CLUSTER_RESPONSE naming cluster, method, path, reason", async () => {
  const body = {
    error: {
      root_cause: [{ type: "index_not_found_exception", reason: "no such index [missing]" }],
      type: "index_not_found_exception",
      reason: "no such index [missing]",
    },
    status: 404,
  };
  const server = await faultServer(json(404, body));
  await withCluster(server, {}, async (cluster) => {
    await assert.rejects(cluster.request({ method: "GET", path: "/missing/_mapping" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_RESPONSE"));
      assert.match(error.message, /"source"/);
      assert.match(error.message, /GET \/missing\/_mapping/);
      assert.match(error.message, /index_not_found_exception: no such index \[missing\]/);
      assert.equal(error.details.status, 404);
      return true;
    });
    assert.equal(server.seen.length, 1, "a 404 is an answer, not a fault: no retry");
  });
});

test("allowStatus and HEAD 404 come back as responses", async () => {
  const server = await faultServer(json(404, { found: false }), json(404, {}));
  await withCluster(server, {}, async (cluster) => {
    const get = await cluster.request({ method: "GET", path: "/i/_doc/1", allowStatus: [404] });
    assert.deepEqual([get.status, get.body], [404, { found: false }]);
    const head = await cluster.request({ method: "HEAD", path: "/i" });
    assert.deepEqual([head.status, head.body], [404, false]);
  });
});

test("401: BG_CLUSTER_AUTH with a fix about the credentials", async () => {
  const server = await faultServer(json(401, { error: "Unauthorized" }));
  const auth: ClusterAuth = { type: "none" };
  await withCluster(server, { auth }, async (cluster) => {
    await assert.rejects(cluster.request({ method: "GET", path: "/" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_AUTH"));
      assert.match(error.fix ?? "", /configure auth/);
      return true;
    });
  });
});

test("403: BG_CLUSTER_FORBIDDEN carries the security reason", async () => {
  const reason = "no permissions for [indices:data/read/search] and User [name=bg]";
  const server = await faultServer(json(403, { error: { type: "security_exception", reason }, status: 403 }));
  await withCluster(server, {}, async (cluster) => {
    await assert.rejects(cluster.request({ method: "GET", path: "/i/_search" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_FORBIDDEN"));
      assert.ok(error.message.includes(reason));
      return true;
    });
  });
});

test("a silent server: BG_CLUSTER_TIMEOUT after the per-request timeout", async () => {
  const server = await faultServer(silent);
  await withCluster(
    server,
    { requestTimeoutMs: 150, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } },
    async (cluster) => {
      const started = performance.now();
      await assert.rejects(cluster.request({ method: "GET", path: "/_cluster/health" }), (error) => {
        assert.ok(isBluegreenError(error, "BG_CLUSTER_TIMEOUT"));
        assert.match(error.message, /within 150 ms/);
        return true;
      });
      assert.ok(performance.now() - started < 1500);
    },
  );
});

test("timeoutMs on the request overrides the cluster's, and the timed-out GET is retried", async () => {
  const server = await faultServer(silent, ok);
  await withCluster(server, { requestTimeoutMs: 60_000 }, async (cluster) => {
    const response = await cluster.request({ method: "GET", path: "/", timeoutMs: 100 });
    assert.equal(response.status, 200);
    assert.equal(server.seen.length, 2);
  });
});

test("the caller's AbortSignal cancels and rejects with its reason", async () => {
  const server = await faultServer(silent);
  await withCluster(server, {}, async (cluster) => {
    const controller = new AbortController();
    const reason = new Error("user pressed ctrl-c");
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(
      cluster.request({ method: "GET", path: "/", signal: controller.signal }),
      (error) => {
        assert.equal(error, reason);
        return true;
      },
    );
  });
});

test("refused connection: BG_CLUSTER_UNREACHABLE; a POST is retried because nothing was sent", async () => {
  const server = await faultServer(ok);
  const deadUrl = server.url;
  await server.close();
  const cluster = createCluster(
    config(deadUrl, { retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 } }),
  );
  try {
    await assert.rejects(cluster.request({ method: "POST", path: "/_bulk", bulkBody: "{}\n" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_UNREACHABLE"));
      assert.equal(error.details.errno, "ECONNREFUSED");
      assert.equal(error.details.attempts, 2);
      return true;
    });
  } finally {
    await cluster.close();
  }
});

test("several URLs: a refused first node fails over to the next", async () => {
  const dead = await faultServer(ok);
  await dead.close();
  const live = await faultServer(json(200, { from: "live" }));
  const cluster = createCluster({ ...config(dead.url), urls: [dead.url, live.url] });
  try {
    const response = await cluster.request<{ from: string }>({
      method: "POST",
      path: "/_bulk",
      bulkBody: "{}\n",
    });
    assert.equal(response.body.from, "live");
  } finally {
    await cluster.close();
    await live.close();
  }
});

test("querystring and JSON body go out as given; basic auth is sent", async () => {
  const server = await faultServer(ok);
  const { Secret } = await import("../../src/config/secret.ts");
  const auth: ClusterAuth = { type: "basic", username: "bg", password: new Secret("pw") };
  await withCluster(server, { auth }, async (cluster) => {
    await cluster.request({
      method: "PUT",
      path: "idx",
      querystring: { wait_for_active_shards: 1, expand_wildcards: ["open", "hidden"], skip: undefined },
      body: { settings: { number_of_shards: 1 } },
    });
    const seen = server.seen[0];
    assert.equal(seen?.url, "/idx?wait_for_active_shards=1&expand_wildcards=open%2Chidden");
    assert.equal(seen?.body, '{"settings":{"number_of_shards":1}}');
    assert.equal(seen?.headers.authorization, `Basic ${Buffer.from("bg:pw").toString("base64")}`);
  });
});

/** Writes `text` in pieces cut at these byte offsets (inside multi-byte characters too), a pause between. */
function inPieces(text: string, cuts: readonly number[]): Handler {
  return (res) => {
    const bytes = Buffer.from(text);
    res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
    const edges = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
    let i = 0;
    const next = (): void => {
      if (i + 1 >= edges.length) {
        res.end();
        return;
      }
      res.write(bytes.subarray(edges[i], edges[i + 1]));
      i++;
      setTimeout(next, 2);
    };
    next();
  };
}

test("raw answers arriving in pieces read back as their exact text, a long one and then a shorter one", async () => {
  // Multi-byte characters split across pieces, and a long above 2^53 that a parse would round; the
  // shorter second answer must not carry any of the first one's bytes.
  const long = `{"hits":[${Array.from({ length: 400 }, (_, i) => `{"n":9007199254740993${i},"s":"zürich ✓ 東京 ${i}"}`).join(",")}]}`;
  const short = `{"hits":[{"n":12345678901234567890,"s":"ß€𝄞"}]}`;
  const server = await faultServer(
    inPieces(long, [1, 7, 100, 4097, 9001, 9002, 9003, 20000]),
    inPieces(short, [3, 20, 41, 42, 43]),
    inPieces(long, [5000]),
  );
  await withCluster(server, {}, async (cluster) => {
    for (const expected of [long, short, long]) {
      const res = await cluster.request<string>({ method: "POST", path: "/_search", raw: true });
      assert.equal(res.body, expected);
    }
  });
});

test("rawBytes answers read back as their exact bytes, one character each; an error answer is still read as text", async () => {
  const long = `{"hits":[${Array.from({ length: 400 }, (_, i) => `{"n":9007199254740993${i},"s":"zürich ✓ 東京 ${i} 𝄞"}`).join(",")}]}`;
  const server = await faultServer(
    inPieces(long, [1, 7, 100, 4097, 9001, 9002, 9003, 20000]),
    inPieces(long, [5000]),
    json(400, { error: { type: "illegal_argument_exception", reason: "schlüssel ✓ refused" } }),
  );
  await withCluster(server, {}, async (cluster) => {
    for (let i = 0; i < 2; i++) {
      const res = await cluster.request<string>({
        method: "POST",
        path: "/_search",
        raw: true,
        rawBytes: true,
      });
      assert.equal(res.body.length, Buffer.byteLength(long), "one character per byte");
      assert.ok(Buffer.from(res.body, "latin1").equals(Buffer.from(long)));
    }
    await assert.rejects(
      cluster.request({ method: "POST", path: "/_search", raw: true, rawBytes: true }),
      (e: Error) => e.message.includes("schlüssel ✓ refused"),
    );
  });
});
