import { createInterface } from "node:readline/promises";
import { BluegreenError } from "../../errors/index.ts";

/** One line typed on the terminal (stderr carries the question, so stdout stays clean). */
export async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

export function isTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/** A step that changes both clusters: a person confirms it on a terminal, a script passes --yes. */
export async function confirm(step: string, what: string): Promise<boolean> {
  if (!isTerminal()) {
    throw new BluegreenError("BG_CONFIRM", `${step} ${what} and needs confirmation.`, {
      fix: "Run it on a terminal to confirm, or pass --yes.",
    });
  }
  return /^y(es)?$/i.test(await askLine(`${step} ${what}. Go on? [y/N] `));
}
