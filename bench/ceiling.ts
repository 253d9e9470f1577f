/** The ingestion ceiling: generated documents bulk-loaded into the target, nothing read from anywhere. */
import { bulkLoad } from "./data.ts";

const [url, index, docs, concurrency] = process.argv.slice(2);
if (url === undefined || index === undefined) throw new Error("usage: ceiling.ts URL INDEX DOCS CONCURRENCY");
await bulkLoad(url, index, Number(docs), Number(concurrency ?? 4));
