#!/usr/bin/env -S node --max-semi-space-size=2
// Runs the TypeScript sources directly (Node 24 strips types); a published package runs the build.
// A 2 MB semi-space: the streaming jobs (validate, backfill, replay) allocate fast and keep little, and
// with V8's default young generation `validate --full` peaked above 256 MB RSS; with this it stays near
// 230 MB and runs faster, and the gateway's CPU per request moves by a few percent (bench:validate,
// bench:request-target; docs/performance.md).
import { existsSync } from "node:fs";
import module from "node:module";
import { nodeTooOld } from "./node-version.js";

const tooOld = nodeTooOld(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(tooOld);
  process.exit(2);
}

// Keeps V8's compiled code of every module (and the sources with their types stripped) between runs:
// loading the CLI cost about 0.4 s of CPU and 20 MB in each process that copies or serves, more than
// some copies take. The cache lives with the installed package, written by whoever installed it, not in
// a shared temporary directory another user could fill. NODE_COMPILE_CACHE moves it,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; a cache that cannot be written is skipped.
module.enableCompileCache(new URL("../node_modules/.cache/bluegreen-compile", import.meta.url).pathname);

const dist = new URL("../dist/cli/main.js", import.meta.url);
const entry = existsSync(dist) ? dist : new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
