import { constants } from "node:os";

export interface StopSignal {
  /** Aborted on the first SIGINT or SIGTERM; the command then finishes what it holds and exits 0. */
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * A clean stop on the first SIGINT/SIGTERM (systemd, `kill`, Ctrl-C); a second one exits at once, for
 * an operator who will not wait for the drain. That is safe too: the capture log and the state file
 * survive a kill -9, only less tidily (the log then recovers its tail on the next open).
 */
export function stopOnSignals(onStop: (name: NodeJS.Signals) => void = () => {}): StopSignal {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (constants.signals[name] ?? 0));
    controller.abort(new Error(`stopped by ${name}`));
    onStop(name);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
