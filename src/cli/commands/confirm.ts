import { createInterface } from "node:readline/promises";
import { BluegreenError } from "../../errors/index.ts";

/** A step that changes both clusters: a person confirms it on a terminal, a script passes --yes. */
export async function confirm(step: string, what: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new BluegreenError("BG_CONFIRM", `${step} ${what} and needs confirmation.`, {
      fix: "Run it on a terminal to confirm, or pass --yes.",
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${step} ${what}. Go on? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
