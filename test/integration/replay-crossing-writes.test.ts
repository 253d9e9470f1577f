/**
 * Two writes to one document whose intents reach the log in one order and the source in the other
 * (two clients, two connections, or two gateways): the source keeps the one it applied last, and so
 * must the target after replay. A proxy holds the first write back until the second has been
 * applied; the source (a real cluster) then applies the first one last.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertSameContent } from "../support/digest.ts";
import {
  dropIndices,
  type GatewayRig,
  LOG_FACTORIES,
  type LogFactory,
  startGateway,
  stopLogBackends,
} from "../support/gateway-harness.ts";
import { type HoldProxy, startHoldProxy } from "../support/hold-proxy.ts";
import { testSandbox } from "../support/sandbox.ts";

const P = `rp-cross-${process.pid}`;
const JSON_TYPE = { "content-type": "application/json" };
const NDJSON_TYPE = { "content-type": "application/x-ndjson" };

interface Send {
  readonly method: string;
  readonly path: (index: string) => string;
  readonly body?: (index: string) => string;
  readonly headers?: Record<string, string>;
}

interface Case {
  readonly name: string;
  /** Written before the race, normally. */
  readonly before?: Send;
  /** Sent first, held back on its way to the source. */
  readonly held: Send;
  /** Sent second, applied first. */
  readonly crossing: Send;
  /** The document on the source afterwards (undefined: none), so the race is known to have happened. */
  readonly expected: unknown;
}

const put = (body: string, query = ""): Send => ({
  method: "PUT",
  path: (i) => `/${i}/_doc/1${query}`,
  body: () => body,
  headers: JSON_TYPE,
});
const bulk = (body: string, query = ""): Send => ({
  method: "POST",
  path: () => `/_bulk${query}`,
  body: (i) => `{"index":{"_index":"${i}","_id":"1"}}\n${body}\n`,
  headers: NDJSON_TYPE,
});

const deleteByQuery = (query: string): Send => ({
  method: "POST",
  path: (i) => `/${i}/_delete_by_query?refresh=true`,
  body: () => `{"query":${query}}`,
  headers: JSON_TYPE,
});

const CASES: readonly Case[] = [
  {
    name: "two single-document writes",
    held: put('{"v":1,"held":true}'),
    crossing: put('{"v":2}'),
    expected: { v: 1, held: true },
  },
  {
    name: "two _bulk items",
    held: bulk('{"v":1,"held":true}'),
    crossing: bulk('{"v":2}'),
    expected: { v: 1, held: true },
  },
  {
    name: "a write and a delete (the delete applied first)",
    before: put('{"v":0}'),
    held: put('{"v":1,"held":true}'),
    crossing: { method: "DELETE", path: (i) => `/${i}/_doc/1` },
    expected: { v: 1, held: true },
  },
  {
    name: "a _bulk item and a single-document write, long numbers kept",
    held: bulk('{"v":9007199254740993,"held":true}'),
    crossing: put('{"v":2}'),
    // Read back here through JSON.parse, which rounds it; the digest below compares the literal text.
    expected: { v: 2 ** 53, held: true },
  },
  {
    // The answers carry no _seq_no: the write that crossed is copied from the source instead.
    name: "two _bulk items whose answers are filtered the way Logstash and Beats ask",
    held: bulk('{"v":1,"held":true}', "?filter_path=errors,items.*.error,items.*.status"),
    crossing: bulk('{"v":2}', "?filter_path=errors,items.*.error,items.*.status"),
    expected: { v: 1, held: true },
  },
  {
    name: "a single-document write with a filtered answer and a _bulk item",
    held: put('{"v":1,"held":true}', "?filter_path=result"),
    crossing: bulk('{"v":2}'),
    expected: { v: 1, held: true },
  },
  {
    // No sequence number orders a by-query request against a write: the write is copied after it.
    name: "a write and a _delete_by_query (the _delete_by_query ran first)",
    held: put('{"v":1,"held":true}'),
    crossing: deleteByQuery('{"match_all":{}}'),
    expected: { v: 1, held: true },
  },
  {
    name: "a _delete_by_query and a write (the write applied first, then deleted)",
    held: deleteByQuery('{"bool":{"must":{"match_all":{}},"_name":"held"}}'),
    crossing: put('{"v":2}', "?refresh=true"),
    expected: undefined,
  },
];

const BACKENDS: readonly (readonly [string, LogFactory])[] = [
  ["file", LOG_FACTORIES.file as LogFactory],
  ["kafka", LOG_FACTORIES.kafka as LogFactory],
];

after(stopLogBackends);

for (const [backend, factory] of BACKENDS) {
  describe(`replay keeps what the source applied last when two writes cross (${backend} log)`, () => {
    let proxy: HoldProxy;
    let rig: GatewayRig;
    before(async () => {
      const sandbox = testSandbox();
      proxy = await startHoldProxy(sandbox.source.url, '"held"');
      rig = await startGateway(`${P}-${backend}`, factory, {
        pair: { ...sandbox, source: { ...sandbox.source, url: proxy.url } },
      });
    });
    after(async () => {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
      await proxy.close();
    });

    const send = (s: Send, index: string) =>
      fetch(`${rig.url}${s.path(index)}`, {
        method: s.method,
        ...(s.headers === undefined ? {} : { headers: s.headers }),
        ...(s.body === undefined ? {} : { body: s.body(index) }),
      });

    CASES.forEach((c, n) => {
      test(c.name, async () => {
        const index = `${P}-${backend}-${n}`;
        assert.equal((await send({ method: "PUT", path: (i) => `/${i}` }, index)).status, 200);
        if (c.before !== undefined) assert.ok((await send(c.before, index)).ok);
        const held = send(c.held, index);
        await proxy.held();
        const crossing = await send(c.crossing, index);
        assert.ok(crossing.ok, `the crossing write: ${crossing.status} ${await crossing.text()}`);
        proxy.release();
        const first = await held;
        assert.ok(first.ok, `the held write: ${first.status} ${await first.text()}`);
        // The race happened: the source applied the held write last.
        const onSource = await rig.source.request<{ _source?: unknown }>({
          method: "GET",
          path: `/${index}/_doc/1`,
          allowStatus: [404],
        });
        assert.deepEqual(onSource.body._source, c.expected);
        const report = await rig.replay();
        assert.equal(report.deadLettered, 0);
        await assertSameContent(rig.source, index, rig.target);
      });
    });
  });
}
