export {
  CUTOVER_PARTS,
  type CutoverOptions,
  type CutoverPart,
  type CutoverRecord,
  type CutoverResult,
  cutoverRecord,
  runCutover,
} from "./cutover.ts";
export { type PreviousBlocks, setBlocks } from "./write-block.ts";
