export {
  ROLLBACK_PARTS,
  type RollbackOptions,
  type RollbackPart,
  type RollbackResult,
  runRollback,
} from "./rollback.ts";
