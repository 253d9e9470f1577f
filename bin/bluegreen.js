#!/usr/bin/env -S node --max-semi-space-size=2
// Runs the TypeScript sources directly (Node 24 strips types); a published package runs the build.
// A 2 MB semi-space: the streaming jobs (validate, backfill, replay) allocate fast and keep little, and
// with V8's default young generation `validate --full` peaked above 256 MB RSS; with this it stays near
// 230 MB and runs faster, and the gateway's CPU per request moves by a few percent (bench:validate,
// bench:request-target; docs/performance.md).
import { existsSync } from "node:fs";

const dist = new URL("../dist/cli/main.js", import.meta.url);
const entry = existsSync(dist) ? dist : new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
