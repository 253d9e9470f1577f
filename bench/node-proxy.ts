/**
 * The least a single-threaded Node reverse proxy does per request, as a floor for the gateway's CPU:
 * Node's HTTP server, undici's pool to the upstream, bodies read whole and passed on. No log, no
 * parsing, no metrics. `node bench/node-proxy.ts UPSTREAM_URL PORT`.
 */
import { createServer } from "node:http";
import { Pool } from "undici";

const [upstream, port] = process.argv.slice(2);
if (upstream === undefined || port === undefined) throw new Error("usage: node-proxy.ts UPSTREAM_URL PORT");
const pool = new Pool(upstream, { connections: 128 });

createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const contentType = req.headers["content-type"];
  try {
    const answer = await pool.request({
      method: req.method as "GET",
      path: req.url ?? "/",
      headers: contentType === undefined ? {} : { "content-type": contentType },
      body: chunks.length === 0 ? null : Buffer.concat(chunks),
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, {
      "content-type": String(answer.headers["content-type"] ?? "application/json"),
      "content-length": body.length,
    });
    res.end(body);
  } catch (error) {
    res.writeHead(502).end(String(error));
  }
}).listen(Number(port), "127.0.0.1");
