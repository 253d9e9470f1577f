import { TransportFailure } from "./errors.ts";
import type { ClusterRequest, ClusterResponse, Dispatch } from "./types.ts";

export interface RetryPolicy {
  /** Total attempts, the first included; 1 disables retries. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RetryEvent {
  readonly request: ClusterRequest;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  /** The HTTP status or the failure kind that triggered the retry. */
  readonly reason: number | string;
}

export interface RetryHooks {
  /** Returns a number in [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Statuses that say "not now" rather than "no": overload (429, 503) and gateway trouble (502, 504). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE"]);

export function isIdempotent(request: Pick<ClusterRequest, "method" | "idempotent">): boolean {
  return request.idempotent ?? IDEMPOTENT_METHODS.has(request.method);
}

/**
 * Retry-After in milliseconds, from delta-seconds or an HTTP date; undefined when absent or unreadable.
 * A date in the past means "now".
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const text = (typeof value === "string" ? value : value?.[0])?.trim();
  if (text === undefined || text === "") return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only an HTTP date (it names a month) counts; Date.parse would also accept "-1" or "2024".
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** "Full jitter": uniform in [0, min(cap, base * 2^(attempt-1))), which spreads synchronized clients best. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The server's Retry-After wins over our own backoff, but never beyond maxDelayMs. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  return backoffDelayMs(attempt, policy, random);
}

/**
 * Whether an outcome may be repeated. Responses and failures after which the server may have acted
 * (a 503 can come after a partial bulk, a reset after the body went out) are only retried for
 * idempotent requests; a connection that was never established is safe to retry for any request.
 */
export function shouldRetry(
  request: ClusterRequest,
  outcome: { readonly status: number } | TransportFailure,
): boolean {
  if (outcome instanceof TransportFailure) {
    if (outcome.kind === "tls" || outcome.kind === "protocol") return false;
    return !outcome.sent || isIdempotent(request);
  }
  return RETRYABLE_STATUSES.has(outcome.status) && isIdempotent(request);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Wraps a dispatch with retries. The last response (e.g. a 503 after all attempts) is returned, not
 * thrown: turning statuses into errors is the caller's decision; the last failure is rethrown.
 */
export function withRetry(dispatch: Dispatch, policy: RetryPolicy, hooks: RetryHooks = {}): Dispatch {
  const random = hooks.random ?? Math.random;
  const wait = hooks.sleep ?? sleep;
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      let outcome: ClusterResponse | TransportFailure;
      try {
        outcome = await dispatch(request);
      } catch (error) {
        if (!(error instanceof TransportFailure)) throw error;
        outcome = error;
      }
      const last = attempt >= maxAttempts || request.signal?.aborted === true;
      if (last || !shouldRetry(request, outcome)) {
        if (outcome instanceof TransportFailure) {
          throw attempt === 1 ? outcome : outcome.withAttempts(attempt);
        }
        return { ...outcome, attempts: attempt };
      }
      const retryAfter =
        outcome instanceof TransportFailure
          ? undefined
          : parseRetryAfter(outcome.headers["retry-after"], Date.now());
      const delayMs = retryDelayMs(attempt, policy, retryAfter, random);
      hooks.onRetry?.({
        request,
        attempt,
        delayMs,
        reason: outcome instanceof TransportFailure ? outcome.kind : outcome.status,
      });
      await wait(delayMs, request.signal);
    }
  };
}
