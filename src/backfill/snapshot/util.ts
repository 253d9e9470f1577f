/** Reading loosely typed cluster responses without a cast at every step, and an abortable pause. */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function num(value: unknown): number {
  const parsed = typeof value === "string" ? Number(value) : value;
  return typeof parsed === "number" && Number.isFinite(parsed) ? parsed : 0;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export const BACKFILL_STEP = "backfill";

/**
 * Waits `ms`, rejecting with the signal's own reason on abort (node's timer rejects with a generic
 * AbortError instead, which would hide why the caller stopped).
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * How long to wait before poll number `round` (0-based): short at first, so small copies finish
 * without idling, then at most a second, so long ones do not flood the cluster with status calls.
 */
export function pollDelay(round: number): number {
  return Math.min(1000, 50 * 2 ** Math.min(round, 10));
}
