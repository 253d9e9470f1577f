import { readFileSync } from "node:fs";

/** The V8 flags the `bluegreen` launcher starts Node with (its shebang line), so children run as the CLI does. */
export const CLI_FLAGS: readonly string[] = (
  readFileSync(new URL("../bin/bluegreen.js", import.meta.url), "utf8").split("\n")[0] ?? ""
)
  .split(/\s+/)
  .filter((word) => word.startsWith("--"));
