import assert from "node:assert/strict";
import { test } from "node:test";
import { Cluster } from "../../src/cluster/cluster.ts";
import { splitNodeUrls, tlsOptions } from "../../src/cluster/connection.ts";
import { displayUrl, failureKindOf, serverReason, stripUserinfo } from "../../src/cluster/errors.ts";
import { parseHealth, parseNodesPlugins, parseRootInfo } from "../../src/cluster/facts.ts";
import { indexExpression, parseCatIndices, parseHiddenIndices } from "../../src/cluster/indices.ts";
import { Connection, createOfficialTransport } from "../../src/cluster/official-client.ts";
import type { ClusterRequest, ClusterResponse } from "../../src/cluster/types.ts";
import { Secret } from "../../src/config/secret.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const OPENSEARCH_ROOT = {
  name: "node-1",
  cluster_name: "blue",
  cluster_uuid: "AGV4PWvjSqCa6Ofp536OLw",
  version: { distribution: "opensearch", number: "2.19.4", build_type: "tar" },
  tagline: "The OpenSearch Project: https://opensearch.org/",
};

test("GET / -> distribution, version, names", () => {
  assert.deepEqual(parseRootInfo(OPENSEARCH_ROOT, "source"), {
    distribution: "opensearch",
    version: { major: 2, minor: 19, patch: 4 },
    versionText: "2.19.4",
    buildFlavor: undefined,
    clusterName: "blue",
    clusterUuid: "AGV4PWvjSqCa6Ofp536OLw",
  });
  const esOss = parseRootInfo(
    { cluster_name: "green", cluster_uuid: "u", version: { number: "7.10.2", build_flavor: "oss" } },
    "source",
  );
  assert.deepEqual(
    [esOss.distribution, esOss.versionText, esOss.buildFlavor],
    ["elasticsearch", "7.10.2", "oss"],
  );
  for (const body of [{}, { version: {} }, { version: { number: "banana" } }, "<html>", null]) {
    assert.throws(
      () => parseRootInfo(body, "source"),
      (error) => isBluegreenError(error, "BG_CLUSTER_UNSUPPORTED") && error.message.includes('"source"'),
    );
  }
});

test("_cluster/health", () => {
  assert.deepEqual(parseHealth({ status: "yellow", number_of_nodes: 3, number_of_data_nodes: 2 }), {
    status: "yellow",
    numberOfNodes: 3,
    numberOfDataNodes: 2,
  });
  assert.equal(parseHealth({}).status, "red", "unknown health is treated as the worst");
});

test("_nodes/plugins: present means present on every node", () => {
  const body = {
    nodes: {
      a: {
        version: "2.19.4",
        plugins: [{ name: "opensearch-security" }, { name: "opensearch-index-management" }],
        modules: [{ name: "reindex" }, { name: "lang-painless" }],
      },
      b: {
        version: "2.19.3",
        plugins: [{ name: "opensearch-security" }],
        modules: [{ name: "lang-painless" }, { name: "reindex" }, { name: "ingest-common" }],
      },
    },
  };
  assert.deepEqual(parseNodesPlugins(body), {
    plugins: ["opensearch-security"],
    partialPlugins: ["opensearch-index-management"],
    modules: ["lang-painless", "reindex"],
    nodeVersions: ["2.19.3", "2.19.4"],
  });
  assert.deepEqual(parseNodesPlugins({}), { plugins: [], partialPlugins: [], modules: [], nodeVersions: [] });
});

test("_cat/indices rows and hidden flags", () => {
  const rows = [
    {
      health: "yellow",
      status: "open",
      index: "logs",
      uuid: "u1",
      pri: "1",
      rep: "1",
      "docs.count": "42",
      "store.size": "2048",
      "pri.store.size": "1024",
    },
    {
      health: null,
      status: "close",
      index: ".archive",
      uuid: "u2",
      pri: "1",
      rep: "0",
      "docs.count": null,
      "store.size": null,
      "pri.store.size": null,
    },
  ];
  const hidden = parseHiddenIndices({
    ".archive": { settings: { "index.hidden": "true" } },
    logs: { settings: {} },
  });
  assert.deepEqual(parseCatIndices(rows, hidden), [
    {
      name: ".archive",
      uuid: "u2",
      health: undefined,
      status: "close",
      hidden: true,
      primaries: 1,
      replicas: 0,
      docsCount: undefined,
      storeSizeBytes: undefined,
      primaryStoreSizeBytes: undefined,
    },
    {
      name: "logs",
      uuid: "u1",
      health: "yellow",
      status: "open",
      hidden: false,
      primaries: 1,
      replicas: 1,
      docsCount: 42,
      storeSizeBytes: 2048,
      primaryStoreSizeBytes: 1024,
    },
  ]);
  assert.deepEqual(parseCatIndices({ error: "x" }, new Set()), []);
  assert.equal(indexExpression(undefined), "");
  assert.equal(indexExpression("logs-*, metrics"), "logs-*,metrics");
  assert.equal(indexExpression(["a b", "<logs-{now/d}>"]), "a%20b,%3Clogs-%7Bnow%2Fd%7D%3E");
});

test("serverReason reads every error shape it may meet", () => {
  const cases: Array<[unknown, string | undefined]> = [
    [
      {
        error: {
          type: "index_not_found_exception",
          reason: "no such index [x]",
          root_cause: [{ type: "index_not_found_exception", reason: "no such index [x]" }],
        },
      },
      "index_not_found_exception: no such index [x]",
    ],
    [
      {
        error: {
          type: "search_phase_execution_exception",
          reason: "all shards failed",
          root_cause: [{ type: "query_shard_exception", reason: "bad field" }],
        },
      },
      "search_phase_execution_exception: all shards failed (root cause: query_shard_exception: bad field)",
    ],
    [{ error: "IndexMissingException[[x] missing]", status: 404 }, "IndexMissingException[[x] missing]"],
    [
      { message: "The security token included in the request is invalid." },
      "The security token included in the request is invalid.",
    ],
    [{ Message: "User: anonymous is not authorized" }, "User: anonymous is not authorized"],
    ["Unauthorized", "Unauthorized"],
    [
      { error: { type: "x", reason: "remote [http://admin:pw@old:9200] refused" } },
      "x: remote [http://old:9200] refused",
    ],
    [{ acknowledged: false }, undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [body, expected] of cases) assert.equal(serverReason(body), expected, JSON.stringify(body));
  assert.ok((serverReason("x".repeat(2000)) ?? "").length < 600);
});

test("userinfo never survives display", () => {
  assert.equal(
    stripUserinfo("see https://admin:secret@h:9200/x and http://u@h2"),
    "see https://h:9200/x and http://h2",
  );
  assert.equal(displayUrl("https://admin:secret@h:9200"), "https://h:9200/");
  assert.equal(displayUrl("not a url admin:secret@"), "not a url admin:secret@");
});

test("splitNodeUrls moves credentials out of URLs and rejects bad ones", () => {
  const split = splitNodeUrls({ name: "source", urls: ["https://admin:p%40ss@h1:9200", "https://h2:9200/"] });
  assert.deepEqual(split.urls, ["https://h1:9200/", "https://h2:9200/"]);
  assert.equal(split.userinfo?.username, "admin");
  assert.equal(split.userinfo?.password.reveal(), "p@ss");
  for (const urls of [[], ["ftp://h"], ["https://admin:hunter2@"]]) {
    assert.throws(
      () => splitNodeUrls({ name: "source", urls }),
      (error) =>
        isBluegreenError(error, "BG_CONFIG_INVALID") && !JSON.stringify(error.toJSON()).includes("hunter2"),
    );
  }
});

test("tlsOptions: verification stays on unless insecure", () => {
  assert.deepEqual(tlsOptions({ insecure: false }), { rejectUnauthorized: true });
  assert.deepEqual(tlsOptions({ insecure: true }), { rejectUnauthorized: false });
  assert.deepEqual(
    tlsOptions({ insecure: false, ca: "CA", cert: "CERT", key: new Secret("KEY"), servername: "s" }),
    {
      rejectUnauthorized: true,
      ca: "CA",
      cert: "CERT",
      key: "KEY",
      servername: "s",
    },
  );
});

test("failureKindOf maps socket and OpenSSL codes", () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ["ECONNREFUSED", "refused"],
    ["ECONNRESET", "reset"],
    ["ENOTFOUND", "dns"],
    ["ETIMEDOUT", "timeout"],
    ["EHOSTUNREACH", "unreachable"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["HPE_INVALID_CONSTANT", "protocol"],
    ["EWHATEVER", undefined],
    [undefined, undefined],
  ];
  for (const [code, kind] of cases) assert.equal(failureKindOf(code), kind, String(code));
});

test("facts() detects once, caches, refreshes on demand, and does not cache a failure", async () => {
  const bodies: Record<string, unknown> = {
    "/": OPENSEARCH_ROOT,
    "/_cluster/health": { status: "green", number_of_nodes: 1, number_of_data_nodes: 1 },
    "/_nodes/plugins": { nodes: { a: { version: "2.19.4", plugins: [], modules: [{ name: "reindex" }] } } },
  };
  const calls: string[] = [];
  let failNext = true;
  const dispatch = async (request: ClusterRequest): Promise<ClusterResponse> => {
    calls.push(request.path);
    if (failNext && request.path === "/") {
      failNext = false;
      return { status: 500, body: { error: "boom" }, headers: {}, attempts: 1 };
    }
    return { status: 200, body: bodies[request.path], headers: {}, attempts: 1 };
  };
  const client = createOfficialTransport({
    nodes: ["http://127.0.0.1:9"],
    Connection,
    ssl: {},
    requestTimeout: 1000,
    nodeSelector: (connections) => connections[0] as Connection,
    name: "source",
  });
  const cluster = new Cluster({ name: "source", client, dispatch, authType: "none", timeoutMs: 1000 });
  try {
    await assert.rejects(cluster.facts(), (error) => isBluegreenError(error, "BG_CLUSTER_RESPONSE"));
    const facts = await cluster.facts();
    assert.equal(facts.distribution, "opensearch");
    assert.equal(facts.capabilities.remoteReindex, true);
    assert.equal(facts.capabilities.painless, false);
    const before = calls.length;
    assert.equal(await cluster.facts(), facts);
    assert.equal(calls.length, before, "cached");
    await cluster.facts({ refresh: true });
    assert.equal(calls.length, before + 3);
  } finally {
    await cluster.close();
  }
});
