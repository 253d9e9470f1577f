/**
 * Request-targets without the leading slash (`GET _nodes/plugins HTTP/1.1`), which OpenSearch serves
 * and Node's parser refuses, reach the gateway's handler as `/_nodes/plugins`. Raw byte streams go to
 * a real listener over real sockets, whole, byte by byte and in random pieces; the tracker alone is
 * fed every split. Whatever does not need fixing (and every malformed request) must behave exactly as
 * on a plain Node server.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AddressInfo, connect as connectTcp, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect as connectTls } from "node:tls";
import { Secret } from "../../src/config/index.ts";
import { type Listening, openListener } from "../../src/gateway/listener.ts";
import { RequestTargetTracker } from "../../src/gateway/request-target.ts";

const H = "Host: x\r\n";
const CLOSE = "Connection: close\r\n";

function withBody(head: string, body: string): string {
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function chunk(data: string, ext = ""): string {
  return `${Buffer.byteLength(data).toString(16)}${ext}\r\n${data}\r\n`;
}

interface Row {
  readonly name: string;
  /** Turns: each after the answer to the one before has arrived (Node answers a pipelined bad
   * request before the good ones ahead of it are done). */
  readonly send: string | readonly string[];
  /** `METHOD url[ body]` per request the handler saw. */
  readonly saw: readonly string[];
  /** Status codes the client got back, in order (100 included). */
  readonly got: readonly number[];
  /** Nothing to fix: the listener must answer exactly as a plain Node server does. */
  readonly asBefore?: true;
}

const NASTY = "GET _x HTTP/1.1\r\nHost: x\r\n\r\n0\r\n\r\nPOST _y HTTP/1.1\r\n";

const ROWS: readonly Row[] = [
  {
    name: "no leading slash",
    send: `GET _nodes/plugins?x=1 HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["GET /_nodes/plugins?x=1"],
    got: [200],
  },
  {
    name: "leading slash, untouched",
    send: `GET /_cluster/health HTTP/1.1\r\n${H}\r\nGET /a?b=/c HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["GET /_cluster/health", "GET /a?b=/c"],
    got: [200, 200],
    asBefore: true,
  },
  {
    name: "index names, a colon, an index pattern; keep-alive",
    send: `GET my-index/_doc/1 HTTP/1.1\r\n${H}\r\nGET cluster_one:logs/_search HTTP/1.1\r\n${H}\r\nGET *,-x/_search HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["GET /my-index/_doc/1", "GET /cluster_one:logs/_search", "GET /*,-x/_search"],
    got: [200, 200, 200],
  },
  {
    name: "asterisk-form and absolute-form stay Node's",
    send: `OPTIONS * HTTP/1.1\r\n${H}\r\nGET http://h/p HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["OPTIONS *", "GET http://h/p"],
    got: [200, 200],
    asBefore: true,
  },
  {
    name: "a request without the slash after ones Node parsed itself; keep-alive",
    send: `GET /a HTTP/1.1\r\n${H}\r\nPUT /b HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\n{}GET _c HTTP/1.1\r\n${H}\r\nGET /d HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["GET /a", "PUT /b {}", "GET /_c", "GET /d"],
    got: [200, 200, 200, 200],
  },
  {
    name: "a body ending in capitals, then a request without the slash",
    send: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nX-GETDELETE _b HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["POST /a X-GET", "DELETE /_b"],
    got: [200, 200],
  },
  {
    name: "a target longer than any scheme",
    send: `GET ${"a".repeat(100)}/_search HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: [`GET /${"a".repeat(100)}/_search`],
    got: [200],
  },
  {
    name: "a Content-Length body that looks like requests is not touched",
    send: `${withBody(`POST _bulk HTTP/1.1\r\n${H}`, NASTY)}GET _next HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: [`POST /_bulk ${NASTY}`, "GET /_next"],
    got: [200, 200],
  },
  {
    name: "chunked, with extensions and trailers",
    send: `POST idx/_bulk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${chunk(NASTY, ';a="b;c"')}${chunk("GET _z", ";q")}0\r\nX-Trailer: GET _t HTTP/1.1\r\n\r\nGET _after HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: [`POST /idx/_bulk ${NASTY}GET _z`, "GET /_after"],
    got: [200, 200],
  },
  {
    name: "hex sizes in upper case with leading zeros; gzip, chunked",
    send: `PUT i/_doc/1 HTTP/1.1\r\n${H}Transfer-Encoding: gzip, CHUNKED\r\n\r\n000A\r\n0123456789\r\n000\r\n\r\nGET _n HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["PUT /i/_doc/1 0123456789", "GET /_n"],
    got: [200, 200],
  },
  {
    name: "HEAD, then GET",
    send: `HEAD _x HTTP/1.1\r\n${H}\r\nGET _y HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["HEAD /_x", "GET /_y"],
    got: [200, 200],
  },
  {
    name: "empty lines before requests; Content-Length 0 and with white space",
    send: `\r\n\r\nPOST _a HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n\r\nPOST _b HTTP/1.1\r\n${H}content-LENGTH:\t3 \r\n\r\nabcDELETE _c HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["POST /_a", "POST /_b abc", "DELETE /_c"],
    got: [200, 200, 200],
  },
  {
    name: "two spaces before the target",
    send: `GET  _x HTTP/1.1\r\n${H}${CLOSE}\r\n`,
    saw: ["GET /_x"],
    got: [200],
  },
  // Malformed: Node's 400, as before.
  {
    name: "duplicate Content-Length",
    send: `POST /a HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 1\r\n\r\nx`,
    saw: [],
    got: [400],
    asBefore: true,
  },
  {
    name: "Content-Length with Transfer-Encoding",
    send: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    saw: [],
    got: [400],
    asBefore: true,
  },
  {
    name: "chunked not last",
    send: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`,
    saw: [],
    got: [400],
    asBefore: true,
  },
  {
    name: "a head over Node's limit: 431",
    send: `GET /a HTTP/1.1\r\n${H}X-Big: ${"a".repeat(17_000)}\r\n\r\n`,
    saw: [],
    got: [431],
    asBefore: true,
  },
  {
    name: "a head over Node's limit after a fixed request: 431",
    send: [`GET _a HTTP/1.1\r\n${H}\r\n`, `GET _b HTTP/1.1\r\n${H}X-Big: ${"a".repeat(17_000)}\r\n\r\n`],
    saw: ["GET /_a"],
    got: [200, 431],
  },
  { name: "bare LF", send: `GET /a HTTP/1.1\n${H}\r\n`, saw: [], got: [400], asBefore: true },
  { name: "lower-case method", send: `get /a HTTP/1.1\r\n${H}\r\n`, saw: [], got: [400], asBefore: true },
  {
    name: "control byte target",
    send: `GET \x01a HTTP/1.1\r\n${H}\r\n`,
    saw: [],
    got: [400],
    asBefore: true,
  },
  {
    name: "obs-fold",
    send: `GET /a HTTP/1.1\r\n${H}X-A: 1\r\n 2\r\n\r\n`,
    saw: [],
    got: [400],
    asBefore: true,
  },
  { name: "CONNECT is Node's", send: `CONNECT h:1 HTTP/1.1\r\n${H}\r\n`, saw: [], got: [], asBefore: true },
  {
    name: "a bad request after a fixed one",
    send: [`GET _a HTTP/1.1\r\n${H}\r\n`, `GET _b HTTP/1.1\r\n${H}Content-Length: x\r\n\r\n`],
    saw: ["GET /_a"],
    got: [200, 400],
  },
  {
    name: "after an Upgrade header the tracker steps aside",
    send: [`GET _a HTTP/1.1\r\n${H}Upgrade: h2c\r\n\r\n`, `GET _b HTTP/1.1\r\n${H}${CLOSE}\r\n`],
    saw: ["GET /_a"],
    got: [200, 400],
  },
];

/** mulberry32: random but repeatable piece sizes. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pieces = "whole" | "bytes" | number;

function split(bytes: Buffer, how: Pieces): Buffer[] {
  if (how === "whole") return [bytes];
  const next = random(typeof how === "number" ? how : 0);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = how === "bytes" ? 1 : 1 + Math.floor(next() * 24);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

const seen: string[] = [];
const record: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
  const parts: Buffer[] = [];
  req.on("data", (d: Buffer) => parts.push(d));
  req.on("end", () => {
    const body = Buffer.concat(parts).toString("latin1");
    seen.push(`${req.method} ${req.url}${body === "" ? "" : ` ${body}`}`);
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
};

interface Tls {
  readonly cert: string;
  readonly key: string;
}

function bytesOf(row: Row): Buffer {
  return Buffer.from(typeof row.send === "string" ? row.send : row.send.join(""), "latin1");
}

const statuses = (text: string) => [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
const answers = (text: string) => statuses(text).filter((s) => s >= 200).length;

/** Sends the turns in the given pieces (a loop turn apart); the status codes got until the close. */
async function exchange(port: number, turns: readonly string[], how: Pieces, tls?: Tls): Promise<number[]> {
  const socket: Socket =
    tls === undefined
      ? connectTcp(port, "127.0.0.1")
      : connectTls({ port, host: "127.0.0.1", ca: tls.cert, servername: "localhost" });
  socket.setNoDelay(true);
  socket.on("error", () => {});
  await once(socket, tls === undefined ? "connect" : "secureConnect");
  let text = "";
  let answered = () => {};
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
    answered();
  });
  const closed = new Promise<void>((r) => socket.on("close", r));
  for (const [n, turn] of turns.entries()) {
    for (const piece of split(Buffer.from(turn, "latin1"), how)) {
      if (socket.readableEnded || socket.destroyed) break;
      socket.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    if (n < turns.length - 1 && answers(text) <= n) {
      await Promise.race([closed, new Promise<void>((r) => (answered = () => answers(text) > n && r()))]);
    }
  }
  await closed;
  return statuses(text);
}

async function check(port: number, row: Row, how: Pieces, tls?: Tls): Promise<void> {
  seen.length = 0;
  const got = await exchange(port, typeof row.send === "string" ? [row.send] : row.send, how, tls);
  assert.deepEqual({ saw: seen, got }, { saw: row.saw, got: row.got }, `${row.name} (${how})`);
}

let http: Listening;
let https: Listening;
let plain: Server;
let tlsDir: string;
let tls: Tls;

before(async () => {
  tlsDir = mkdtempSync(join(tmpdir(), "gw-rt-"));
  const [key, cert] = [join(tlsDir, "key.pem"), join(tlsDir, "cert.pem")];
  const subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"];
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"].concat(
      subject,
      ["-keyout", key, "-out", cert],
    ),
    { stdio: "ignore" },
  );
  tls = { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
  http = await openListener(record, "127.0.0.1", 0, undefined);
  https = await openListener(record, "127.0.0.1", 0, { cert: tls.cert, key: new Secret(tls.key) });
  plain = createServer({ keepAliveTimeout: 65_000 }, record);
  plain.listen(0, "127.0.0.1");
  await once(plain, "listening");
});

after(async () => {
  for (const server of [http.server, https.server, plain]) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  rmSync(tlsDir, { recursive: true, force: true });
});

describe("over a real socket", () => {
  for (const row of ROWS) {
    test(row.name, async () => {
      for (const how of ["whole", "bytes", 1, 2, 3] as const) await check(http.port, row, how);
      if (row.asBefore) await check((plain.address() as AddressInfo).port, row, "whole");
    });
  }
});

describe("over TLS, the tracker on the decrypted stream", () => {
  for (const row of ROWS) {
    test(row.name, async () => {
      for (const how of ["whole", "bytes", 7] as const) await check(https.port, row, how, tls);
    });
  }
});

test("the tracker gives the same bytes however the stream is cut", () => {
  const feed = (pieces: readonly Buffer[]) => {
    const tracker = new RequestTargetTracker();
    const out = pieces.map((p) => tracker.feed(p) ?? Buffer.alloc(0));
    return Buffer.concat([...out, tracker.end() ?? Buffer.alloc(0)]).toString("latin1");
  };
  for (const row of ROWS) {
    const bytes = bytesOf(row);
    const whole = feed([bytes]);
    for (let k = 1; k < bytes.length; k++) {
      assert.equal(feed([bytes.subarray(0, k), bytes.subarray(k)]), whole, `${row.name}: split at ${k}`);
    }
    assert.equal(feed(split(bytes, "bytes")), whole, `${row.name}: byte by byte`);
    for (let seed = 1; seed <= 50; seed++)
      assert.equal(feed(split(bytes, seed)), whole, `${row.name}: ${seed}`);
  }
});

test("a chunk that needs no change is handed on as is, not copied", () => {
  const tracker = new RequestTargetTracker();
  const bytes = Buffer.from(
    `POST /a HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n${H}\r\n`,
  );
  assert.equal(tracker.feed(bytes), bytes);
  const fixed = tracker.feed(Buffer.from(`GET _c HTTP/1.1\r\n${H}\r\n`));
  assert.equal(fixed?.toString(), `GET /_c HTTP/1.1\r\n${H}\r\n`);
});

test("a target start held back to tell `http://` from `index:`… reaches the parser at the end", () => {
  const tracker = new RequestTargetTracker();
  assert.equal(tracker.feed(Buffer.from("GET htt"))?.toString(), "GET ");
  assert.equal(tracker.feed(Buffer.from("p")), undefined);
  assert.equal(tracker.end()?.toString(), "http");
  assert.equal(tracker.end(), undefined);
});

test("Expect: 100-continue: the body follows the interim answer, the next request is fixed too", async () => {
  seen.length = 0;
  const socket = connectTcp(http.port, "127.0.0.1");
  await once(socket, "connect");
  let text = "";
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
    if (text.includes("100 Continue\r\n\r\n") && !text.includes("200")) {
      socket.write(`hello\r\nGET _next HTTP/1.1\r\n${H}${CLOSE}\r\n`);
    }
  });
  socket.write(`POST _doc HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 7\r\n\r\n`);
  await once(socket, "close");
  assert.deepEqual(statuses(text), [100, 200, 200]);
  assert.deepEqual(seen, ["POST /_doc hello\r\n", "GET /_next"]);
});

test("the handler sees the client's address and port, and over TLS an encrypted socket", async () => {
  for (const [listening, secure] of [
    [http, false],
    [https, true],
  ] as const) {
    let where: unknown;
    listening.server.once("request", (req: IncomingMessage) => {
      const s = req.socket as Socket & { encrypted?: boolean };
      where = { address: s.remoteAddress, port: s.remotePort, encrypted: s.encrypted === true };
    });
    const socket = secure
      ? connectTls({ port: listening.port, host: "127.0.0.1", ca: tls.cert, servername: "localhost" })
      : connectTcp(listening.port, "127.0.0.1");
    await once(socket, secure ? "secureConnect" : "connect");
    const port = socket.localPort;
    socket.write(`GET _x HTTP/1.1\r\n${H}${CLOSE}\r\n`);
    socket.resume();
    await once(socket, "close");
    assert.deepEqual(where, { address: "127.0.0.1", port, encrypted: secure });
  }
});
