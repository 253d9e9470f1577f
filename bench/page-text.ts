/**
 * `npm run bench:page-text`: what the stream copier's text handling costs per page, no I/O. A search
 * answer of BENCH_PAGE_DOCS (default 2,000) bench documents is turned into text, its hits found
 * (`parseSearchPage`) and each `_source` written into a bulk body, two ways side by side:
 * - utf8: what the copier did before 2026-12-01, the answer decoded as UTF-8 and each source encoded back;
 * - latin1: what the copier does now, the answer's bytes carried as a one-byte string, each byte one
 *   character (json/bytes-text.ts), ids decoded, each source written back as the bytes it was.
 * For ASCII documents and for mixed text (BENCH_DOC_TEXT=mixed in bench/data.ts), each in a process of
 * its own so that both see the same vocabulary. Prints the median of BENCH_PAGE_ROUNDS (default 40) in ms.
 */
import { spawnSync } from "node:child_process";
import { parseSearchPage } from "../src/json/index.ts";

const DOCS = Number(process.env.BENCH_PAGE_DOCS ?? 2000);
const ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 40);

async function measure(): Promise<string> {
  const { benchDoc, DOC_TEXT } = await import("./data.ts");
  const hits = Array.from(
    { length: DOCS },
    (_, i) =>
      `{"_index":"bench-docs","_id":"o${i}","_score":null,"_source":${JSON.stringify(benchDoc(i))},"sort":[${i}]}`,
  );
  const answer = Buffer.from(
    `{"pit_id":"p","took":3,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"hits":[${hits.join(",")}]}}`,
  );
  const body = Buffer.alloc(answer.length * 2);
  const rows: string[] = [];
  for (const encoding of ["utf8", "latin1"] as const) {
    const times = { decode: [] as number[], parse: [] as number[], encode: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      const text = answer.toString(encoding);
      times.decode.push(performance.now() - t);
      t = performance.now();
      const page = parseSearchPage(text, { bytes: encoding === "latin1" });
      times.parse.push(performance.now() - t);
      t = performance.now();
      let at = 0;
      for (const hit of page.hits) {
        const source = hit.source as string;
        if (at + Buffer.byteLength(source, encoding) > body.length) at = 0;
        at += body.write(source, at, encoding);
      }
      times.encode.push(performance.now() - t);
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
    const [d, p, e] = [median(times.decode), median(times.parse), median(times.encode)];
    rows.push(
      `| ${DOC_TEXT} | ${(answer.length / 1048576).toFixed(1)} MB | ${encoding} | ${d.toFixed(2)} | ${p.toFixed(2)} | ${e.toFixed(2)} | ${(d + p + e).toFixed(2)} |`,
    );
  }
  return rows.join("\n");
}

if (process.env.BENCH_PAGE_CHILD === "1") {
  process.stdout.write(`${await measure()}\n`);
} else {
  const lines = [
    `A page of ${DOCS} bench documents, median of ${ROUNDS} rounds, ms:`,
    "",
    "| text | page | as | decode | find the hits | write the sources | total |",
    "|---|---:|---|---:|---:|---:|---:|",
  ];
  for (const text of ["ascii", "mixed"]) {
    const run = spawnSync(process.execPath, [import.meta.filename], {
      env: { ...process.env, BENCH_PAGE_CHILD: "1", BENCH_DOC_TEXT: text },
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(run.stderr);
    lines.push(run.stdout.trimEnd());
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
