import { createHash } from "node:crypto";
import aws4 from "aws4";
import type { ClusterAuth } from "../config/cluster-config.ts";
import { Secret } from "../config/secret.ts";
import { BluegreenError } from "../errors/index.ts";

export interface SigV4Credentials {
  readonly accessKeyId: Secret;
  readonly secretAccessKey: Secret;
  readonly sessionToken?: Secret;
}

export interface SigV4Scope {
  readonly region: string;
  /** "es" (managed OpenSearch), "aoss" (Serverless); anything else only in tests (the AWS suite uses "service"). */
  readonly service: string;
}

export interface SignableRequest {
  readonly method: string;
  readonly hostname: string;
  readonly port?: string | number | undefined;
  /** Path plus query string, as it will be sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | undefined;
}

export interface SignedRequest {
  /** aws4 re-encodes the query string; send exactly this path, or the signature will not match. */
  readonly path: string;
  readonly headers: Record<string, string>;
}

type SigV4Auth = Extract<ClusterAuth, { type: "sigv4" }>;

/** Hex SHA-256 of the payload, as SigV4 wants it in the canonical request and `x-amz-content-sha256`. */
export function payloadHash(body: string | Buffer | undefined): string {
  return createHash("sha256")
    .update(body ?? "")
    .digest("hex");
}

/** Serverless refuses requests without the payload hash header; managed domains accept either. */
export function needsContentHashHeader(service: string): boolean {
  return service === "aoss";
}

/** 2015-08-30T12:36:00.000Z -> 20150830T123600Z */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/**
 * Signs one request with AWS Signature Version 4 (header form). Credentials are revealed only here,
 * for the duration of the call; the result holds nothing but the derived signature and, when the
 * credentials are temporary, the session token AWS requires in `x-amz-security-token`.
 */
export function signSigV4(
  request: SignableRequest,
  credentials: SigV4Credentials,
  scope: SigV4Scope,
  now: Date,
): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower !== "authorization" && lower !== "x-amz-date" && lower !== "x-amz-security-token") {
      headers[lower] = value;
    }
  }
  headers["x-amz-date"] = amzDate(now);
  if (needsContentHashHeader(scope.service)) headers["x-amz-content-sha256"] = payloadHash(request.body);
  const signed = aws4.sign(
    {
      method: request.method,
      hostname: request.hostname,
      port: request.port,
      path: request.path,
      headers,
      body: request.body,
      service: scope.service,
      region: scope.region,
    },
    {
      accessKeyId: credentials.accessKeyId.reveal(),
      secretAccessKey: credentials.secretAccessKey.reveal(),
      sessionToken: credentials.sessionToken?.reveal(),
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = String(value);
  }
  return { path: signed.path ?? request.path, headers: out };
}

/**
 * The credentials to sign with: explicit keys from the config, else the standard AWS environment
 * variables (read at each call, so rotated session tokens are picked up). Profiles and instance
 * metadata would need the AWS SDK, which this tool does not ship.
 */
export function resolveSigV4Credentials(
  auth: SigV4Auth,
  cluster: string,
  env: NodeJS.ProcessEnv = process.env,
): SigV4Credentials {
  if (auth.accessKeyId !== undefined || auth.secretAccessKey !== undefined) {
    if (auth.accessKeyId === undefined || auth.secretAccessKey === undefined) {
      throw missingCredentials(cluster, "both accessKeyId and secretAccessKey are needed");
    }
    return {
      accessKeyId: auth.accessKeyId,
      secretAccessKey: auth.secretAccessKey,
      sessionToken: auth.sessionToken,
    };
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (
    accessKeyId === undefined ||
    accessKeyId === "" ||
    secretAccessKey === undefined ||
    secretAccessKey === ""
  ) {
    throw missingCredentials(cluster, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  const token = env.AWS_SESSION_TOKEN;
  return {
    accessKeyId: new Secret(accessKeyId),
    secretAccessKey: new Secret(secretAccessKey),
    sessionToken: token === undefined || token === "" ? undefined : new Secret(token),
  };
}

function missingCredentials(cluster: string, why: string): BluegreenError {
  return new BluegreenError(
    "BG_CLUSTER_AUTH",
    `No AWS credentials to sign requests to cluster "${cluster}": ${why}.`,
    {
      fix: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or configure the keys in the cluster's sigv4 auth.",
      details: { cluster },
    },
  );
}
