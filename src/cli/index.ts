export { buildProgram, isTopLevelHelp, main } from "./main.ts";
