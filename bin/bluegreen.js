#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types); a published package runs the build.
import { existsSync } from "node:fs";

const dist = new URL("../dist/cli/main.js", import.meta.url);
const entry = existsSync(dist) ? dist : new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
