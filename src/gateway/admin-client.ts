import type { Secret } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";

/**
 * Calls a running gateway's `/_bluegreen/…` endpoint with the admin token; what the CLI and a backfill
 * in another process use. Failures are BG_GATEWAY_ADMIN: unreachable (retryable) or refused.
 */
export async function callAdmin(
  base: string,
  token: Secret,
  path: string,
  body?: unknown,
  /** A gateway that accepts the connection but never answers must not hang the caller. */
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const url = `${base.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "PUT",
      headers: { authorization: `Bearer ${token.reveal()}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    throw new BluegreenError("BG_GATEWAY_ADMIN", `The gateway at ${base} cannot be reached: ${reason}.`, {
      fix: "Check the gateway runs and the URL (--url or gateway.listen) points at it.",
      retryable: true,
    });
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const reason = (answer.error as { reason?: string } | undefined)?.reason ?? response.statusText;
    throw new BluegreenError(
      "BG_GATEWAY_ADMIN",
      `The gateway refused ${path} (${response.status}): ${reason}.`,
      {
        fix: "Use the same gateway.adminToken as the running gateway.",
        details: { status: response.status },
      },
    );
  }
  return answer;
}
