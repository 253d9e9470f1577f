export { syncStep } from "./step.ts";
