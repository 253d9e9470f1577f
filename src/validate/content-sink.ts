import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { DocDifference } from "./content-types.ts";

/** Characters buffered before a write: a few syscalls per thousand differences. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Where differences go: every one to the NDJSON file as it is found (so a million differences cost no
 * memory), the first `limit` kept for the result, and a count per kind.
 */
export class DifferenceSink {
  readonly byKind = { missing: 0, extra: 0, differs: 0 };
  readonly first: DocDifference[] = [];
  readonly #limit: number;
  readonly #fd: number;
  #buffer = "";

  constructor(file: string, limit: number) {
    mkdirSync(dirname(file), { recursive: true });
    this.#fd = openSync(file, "w");
    this.#limit = limit;
  }

  get total(): number {
    return this.byKind.missing + this.byKind.extra + this.byKind.differs;
  }

  add(difference: DocDifference): void {
    const ordered = inOrder(difference);
    this.byKind[ordered.kind] += 1;
    if (this.first.length < this.#limit) this.first.push(ordered);
    this.#buffer += `${JSON.stringify(ordered)}\n`;
    if (this.#buffer.length >= FLUSH_CHARS) this.#flush();
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }

  #flush(): void {
    if (this.#buffer !== "") writeSync(this.#fd, this.#buffer);
    this.#buffer = "";
  }
}

/** One field order for every line of the file, whatever order the difference was built in. */
function inOrder(d: DocDifference): DocDifference {
  const key = { id: d.id, ...(d.routing === undefined ? {} : { routing: d.routing }) };
  if (d.kind !== "differs") return { kind: d.kind, ...key };
  return {
    kind: d.kind,
    ...key,
    path: d.path,
    ...(d.source === undefined ? {} : { source: d.source }),
    ...(d.target === undefined ? {} : { target: d.target }),
  };
}
