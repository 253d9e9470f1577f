/**
 * One HTTP listener for `npm run bench:listener`: `node bench/listener-server.ts <root|plain> <port>`.
 * `plain` is Node's own http.Server; otherwise the gateway's listener (openListener) of the checkout
 * at <root>. The handler reads the body and answers a fixed JSON, so only the listener differs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";

const [root, port] = process.argv.slice(2);
const handler = (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => res.end('{"ok":true}'));
};
if (root === "plain") {
  createServer({ keepAliveTimeout: 65_000 }, handler).listen(Number(port), "127.0.0.1");
} else {
  const { openListener } = await import(join(root as string, "src", "gateway", "listener.ts"));
  await openListener(handler, "127.0.0.1", Number(port), undefined);
}
