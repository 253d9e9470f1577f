/** Where commands write: stdout for results (tables or JSON), stderr for progress, so pipes stay clean. */
export interface Output {
  out(text: string): void;
  progress(text: string): void;
}

export const consoleOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  progress: (text) => process.stderr.write(`${text}\n`),
};
