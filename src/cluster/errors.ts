import { BluegreenError, type ErrorCode } from "../errors/index.ts";
import type { ClusterResponse } from "./types.ts";

/**
 * Why no HTTP response arrived. `sent` says whether request bytes may have reached the server: the
 * retry layer only repeats a non-idempotent request when they provably did not.
 */
export type FailureKind = "refused" | "dns" | "unreachable" | "reset" | "timeout" | "tls" | "protocol";

export class TransportFailure extends Error {
  readonly kind: FailureKind;
  readonly sent: boolean;
  /** The system/OpenSSL error code (ECONNRESET, SELF_SIGNED_CERT_IN_CHAIN, ...), when known. */
  readonly code: string | undefined;
  /** The node URL the attempt went to, userinfo already stripped. */
  readonly url: string | undefined;
  /** How many attempts ended like this one (set by the retry layer). */
  readonly attempts: number;

  constructor(kind: FailureKind, message: string, options: TransportFailureOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TransportFailure";
    this.kind = kind;
    this.code = options.code;
    this.url = options.url;
    this.sent = options.sent ?? !NOTHING_SENT.has(kind);
    this.attempts = options.attempts ?? 1;
  }

  withAttempts(attempts: number): TransportFailure {
    const { kind, message, code, url, sent, cause } = this;
    return new TransportFailure(kind, message, { code, url, sent, cause, attempts });
  }
}

export interface TransportFailureOptions {
  readonly code?: string;
  readonly url?: string;
  readonly sent?: boolean;
  readonly attempts?: number;
  readonly cause?: unknown;
}

/** Kinds where the connection never carried a request, so even a POST may be repeated safely. */
const NOTHING_SENT: ReadonlySet<FailureKind> = new Set(["refused", "dns", "unreachable", "tls"]);

const KIND_BY_CODE: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: "refused",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EADDRNOTAVAIL: "unreachable",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ECONNABORTED: "reset",
  ETIMEDOUT: "timeout",
  UND_ERR_SOCKET: "reset",
};

/** OpenSSL certificate-verification codes as Node reports them on `err.code`. */
const CERT_VERIFY_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERT_VERIFY_CODES.has(code);
}

/** Maps a socket-level error to a failure kind; undefined when it is not a recognisable network error. */
export function failureKindOf(code: string | undefined): FailureKind | undefined {
  if (code === undefined) return undefined;
  if (isCertificateError(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "tls";
  if (code === "EPROTO") return "tls";
  if (code.startsWith("HPE_")) return "protocol";
  return KIND_BY_CODE[code];
}

/** Node's error objects carry `code` as an untyped own property. */
export function errorCode(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("code" in value)) return undefined;
  return typeof value.code === "string" ? value.code : undefined;
}

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;

/** Removes `user:password@` from every URL in a text, so credentials typed into a URL never get shown. */
export function stripUserinfo(text: string): string {
  return text.replace(USERINFO, "$1");
}

export function displayUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    return stripUserinfo(String(url));
  }
}

const MAX_REASON = 500;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function typeAndReason(value: unknown): string | undefined {
  const record = asRecord(value);
  if (record === undefined) return undefined;
  const type = typeof record.type === "string" ? record.type : undefined;
  const reason = typeof record.reason === "string" ? record.reason : undefined;
  if (type !== undefined && reason !== undefined) return `${type}: ${reason}`;
  return type ?? reason;
}

/**
 * The server's own explanation from an error body: OpenSearch/Elasticsearch `error.type: error.reason`
 * plus the root cause when it says something else, AWS gateways' `message`, or a short plain-text body.
 */
export function serverReason(body: unknown): string | undefined {
  let reason: string | undefined;
  const record = asRecord(body);
  if (typeof body === "string") {
    reason = body.trim() === "" ? undefined : body.trim();
  } else if (record !== undefined) {
    const error = record.error;
    if (typeof error === "string") {
      reason = error;
    } else if (asRecord(error) !== undefined) {
      const top = typeAndReason(error);
      const rootCauses = asRecord(error)?.root_cause;
      const root = Array.isArray(rootCauses) ? typeAndReason(rootCauses[0]) : undefined;
      reason = root !== undefined && root !== top ? `${top ?? root} (root cause: ${root})` : top;
    } else if (typeof record.message === "string") {
      reason = record.message;
    } else if (typeof record.Message === "string") {
      reason = record.Message;
    }
  }
  if (reason === undefined) return undefined;
  const clean = stripUserinfo(reason).replace(/\s+/g, " ");
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON)}…` : clean;
}

/** What the error messages need to know about the request that failed. */
export interface RequestContext {
  readonly cluster: string;
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly authType: "none" | "basic" | "sigv4";
}

function baseDetails(ctx: RequestContext): Record<string, unknown> {
  return { cluster: ctx.cluster, method: ctx.method, path: ctx.path };
}

const FIX_UNREACHABLE =
  "Check the URL and port, that the cluster is running, and that no firewall or proxy blocks this host.";
const FIX_TLS_CA =
  "Set tls.ca to the cluster's CA bundle, or tls.insecure: true to skip verification (not for production).";

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export function failureToError(failure: TransportFailure, ctx: RequestContext): BluegreenError {
  const attempts = failure.attempts;
  const where = `${ctx.method} ${ctx.path}${failure.url === undefined ? "" : ` at ${failure.url}`}`;
  const codeText = failure.code === undefined ? "" : ` (${failure.code})`;
  const details = compact({
    ...baseDetails(ctx),
    url: failure.url,
    failure: failure.kind,
    errno: failure.code,
    attempts,
  });
  const make = (code: ErrorCode, message: string, fix: string) =>
    new BluegreenError(code, message, { fix, details, cause: failure });
  switch (failure.kind) {
    case "tls": {
      if (failure.code === "ERR_TLS_CERT_ALTNAME_INVALID" || failure.code === "HOSTNAME_MISMATCH") {
        return make(
          "BG_CLUSTER_TLS",
          `TLS with cluster "${ctx.cluster}" failed (${where}): certificate verification failed, the certificate does not name this host: ${failure.message}${codeText}`,
          "Use a URL whose host the certificate names, or set tls.servername to a name it contains.",
        );
      }
      if (isCertificateError(failure.code)) {
        return make(
          "BG_CLUSTER_TLS",
          `TLS with cluster "${ctx.cluster}" failed (${where}): certificate verification failed: ${failure.message}${codeText}`,
          FIX_TLS_CA,
        );
      }
      return make(
        "BG_CLUSTER_TLS",
        `TLS handshake with cluster "${ctx.cluster}" failed (${where}): ${failure.message}${codeText}`,
        tlsHandshakeFix(`${failure.code ?? ""} ${failure.message}`),
      );
    }
    case "timeout":
      return make(
        "BG_CLUSTER_TIMEOUT",
        `Cluster "${ctx.cluster}" did not answer ${where} within ${ctx.timeoutMs} ms${attempts > 1 ? ` (${attempts} attempts)` : ""}.`,
        "Raise the cluster's request timeout, or check its load (hot threads, GC pauses, pending tasks).",
      );
    case "protocol":
      return make(
        "BG_CLUSTER_UNREACHABLE",
        `Cluster "${ctx.cluster}" sent something that is not a valid HTTP answer to ${where}: ${failure.message}${codeText}`,
        "If the cluster uses TLS, use an https:// URL; otherwise check for a proxy in between.",
      );
    case "dns":
      return make(
        "BG_CLUSTER_UNREACHABLE",
        `Cannot resolve the host of cluster "${ctx.cluster}" (${where}): ${failure.message}${codeText}`,
        "Check the host name in the cluster's URL and this machine's DNS.",
      );
    default:
      return make(
        "BG_CLUSTER_UNREACHABLE",
        `Cannot reach cluster "${ctx.cluster}" (${where}): ${failure.message}${codeText}${attempts > 1 ? ` after ${attempts} attempts` : ""}`,
        FIX_UNREACHABLE,
      );
  }
}

/** Picks the fix from the OpenSSL code or reason text (Node reports some alerts only as EPROTO). */
function tlsHandshakeFix(codeAndMessage: string): string {
  const code = codeAndMessage.toUpperCase().replace(/ /g, "_");
  if (/CERTIFICATE_REQUIRED/.test(code)) {
    return "The cluster requires a client certificate: set tls.cert and tls.key.";
  }
  if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(code)) {
    return "The cluster rejected the client certificate: check tls.cert and tls.key, and that the cluster trusts their CA.";
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code)) {
    return "The port does not serve HTTPS: use an http:// URL, or the cluster's HTTPS port.";
  }
  return "Check that the port serves HTTPS (use http:// if it does not), and the client certificate and key.";
}

function authFix(ctx: RequestContext): string {
  switch (ctx.authType) {
    case "basic":
      return "Check the cluster's username and password.";
    case "sigv4":
      return "Check the AWS credentials, the region and the service (es or aoss) configured for the cluster.";
    default:
      return "The cluster requires authentication: configure auth (basic or sigv4) for it.";
  }
}

export function responseToError(response: ClusterResponse, ctx: RequestContext): BluegreenError {
  const status = response.status;
  const reason = serverReason(response.body);
  const because = reason === undefined ? "" : `: ${reason}`;
  const details = compact({ ...baseDetails(ctx), status, attempts: response.attempts, reason });
  if (status === 401) {
    return new BluegreenError(
      "BG_CLUSTER_AUTH",
      `Cluster "${ctx.cluster}" refused the credentials (HTTP 401) for ${ctx.method} ${ctx.path}${because}`,
      { fix: authFix(ctx), details },
    );
  }
  if (status === 403) {
    return new BluegreenError(
      "BG_CLUSTER_FORBIDDEN",
      `Cluster "${ctx.cluster}" denied ${ctx.method} ${ctx.path} (HTTP 403)${because}`,
      {
        fix:
          ctx.authType === "sigv4"
            ? "Grant the IAM principal access in the domain's access policy (and its security role mapping), and check the region and clock."
            : "Grant the user the missing permission (e.g. a role with the cluster or index privilege named above).",
        details,
      },
    );
  }
  if (status === 429 || status === 503) {
    return new BluegreenError(
      "BG_CLUSTER_THROTTLED",
      response.attempts > 1
        ? `Cluster "${ctx.cluster}" kept rejecting ${ctx.method} ${ctx.path} with HTTP ${status} (${response.attempts} attempts)${because}`
        : `Cluster "${ctx.cluster}" rejected ${ctx.method} ${ctx.path} with HTTP ${status}${because}`,
      {
        fix: "The cluster is overloaded or not ready: wait and retry, or lower the batch size and concurrency.",
        details,
      },
    );
  }
  if (status === 502 || status === 504) {
    return new BluegreenError(
      status === 504 ? "BG_CLUSTER_TIMEOUT" : "BG_CLUSTER_RESPONSE",
      `A gateway in front of cluster "${ctx.cluster}" answered HTTP ${status} to ${ctx.method} ${ctx.path} (${response.attempts} attempt${response.attempts === 1 ? "" : "s"})${because}`,
      {
        fix: "Check the proxy or load balancer in front of the cluster, and the cluster's health.",
        details,
        retryable: true,
      },
    );
  }
  return new BluegreenError(
    "BG_CLUSTER_RESPONSE",
    `Cluster "${ctx.cluster}" answered HTTP ${status} to ${ctx.method} ${ctx.path}${because}`,
    { details, retryable: status >= 500 },
  );
}
