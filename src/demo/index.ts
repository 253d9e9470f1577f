export { DEMO_PREFIX, LIVE_INDEX, rng, sampleLayout } from "./data.ts";
export { type DemoOptions, runDemo } from "./demo.ts";
export type { LoadCounts } from "./load.ts";
export type { DemoProof, IndexProof } from "./proof.ts";
export { type DemoResult, type DemoStep, demoJson, renderDemo } from "./result.ts";
export { DEMO_PORT_BASE, DEMO_SANDBOX, type PairDescription } from "./sandbox.ts";
