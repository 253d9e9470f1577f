/**
 * The ingestion ceiling: generated documents bulk-loaded into the target, nothing read from anywhere.
 * Honest on purpose: every bulk body is built (as bytes) before the clock starts, so the time is the
 * target's and the wire's alone, and it prints that time (`{"ms":…}`) for the bench to use.
 */
import { bulkBodies, sendBodies } from "./data.ts";

const [url, index, docs, concurrency] = process.argv.slice(2);
if (url === undefined || index === undefined) throw new Error("usage: ceiling.ts URL INDEX DOCS CONCURRENCY");
const bodies = [...bulkBodies(index, 0, Number(docs), 4 * 1024 * 1024)].map((b) => Buffer.from(b.body));
const started = performance.now();
await sendBodies(url, bodies, Number(concurrency ?? 4));
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
