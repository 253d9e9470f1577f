export {
  CUTOVER_PARTS,
  type CutoverOptions,
  type CutoverPart,
  type CutoverRecord,
  type CutoverResult,
  cutoverRecord,
  runCutover,
} from "./cutover.ts";
export { attachIsmPolicies } from "./ism-attach.ts";
export { CUTOVER_APPROVAL, cutoverStep, cutoverSummary } from "./step.ts";
export { type PreviousBlocks, setBlocks } from "./write-block.ts";
