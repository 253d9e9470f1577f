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
): Promise<Record<string, unknown>> {
  const url = `${base.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "PUT",
      headers: { authorization: `Bearer ${token.reveal()}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new BluegreenError(
      "BG_GATEWAY_ADMIN",
      `The gateway at ${base} cannot be reached: ${(error as Error).message}.`,
      {
        fix: "Check the gateway runs and the URL (--url or gateway.listen) points at it.",
        retryable: true,
      },
    );
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
