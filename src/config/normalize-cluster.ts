/**
 * The cluster part of normalization (`source`, `target`): URLs, credentials read from files or the
 * environment, TLS material read from PEM files. Every failure is a problem with its field path.
 */
import { resolve } from "node:path";
import type { ClusterAuth, ClusterConfig, ClusterTls } from "./cluster-config.ts";
import type { Env } from "./env.ts";
import { type ConfigPath, type Problem, problem } from "./problems.ts";
import type { RawAuth, RawCluster, RawTls } from "./schema.ts";
import { Secret } from "./secret.ts";

export interface ResolveContext {
  /** Relative paths in the file (state, password files, PEM files) are resolved from here. */
  readonly baseDir: string;
  readonly env: Env;
  /** Reads a file as UTF-8; injected so tests need no files and parsing stays free of globals. */
  readonly readFile: (absolutePath: string) => string;
}

export function normalizeCluster(
  raw: RawCluster,
  side: "source" | "target",
  ctx: ResolveContext,
  problems: Problem[],
) {
  const path: ConfigPath = [side];
  const origins: ConfigPath[] = [];
  const urls: string[] = [];
  if (raw.url !== undefined && raw.urls !== undefined) {
    problems.push(
      problem([side, "url"], "is set together with urls", "keep one: url for one node, urls for several"),
    );
  }
  if (raw.url === undefined && (raw.urls === undefined || raw.urls.length === 0)) {
    problems.push(
      problem(path, "has no url", "add `url: http://host:9200` (or `urls:` with one entry per node)"),
    );
  }
  const given: [string, ConfigPath][] =
    raw.url !== undefined
      ? [[raw.url, [side, "url"]]]
      : (raw.urls ?? []).map((u, i) => [u, [side, "urls", i]]);
  for (const [url, origin] of given) {
    if (urls.includes(url)) {
      problems.push(problem(origin, `repeats ${url}`, "list each node once"));
      continue;
    }
    urls.push(url);
    origins.push(origin);
  }
  const cluster: ClusterConfig = {
    name: raw.name ?? side,
    urls,
    auth: normalizeAuth(raw.auth, [side, "auth"], ctx, problems),
    tls: normalizeTls(raw.tls, [side, "tls"], ctx, problems),
    requestTimeoutMs: raw.requestTimeout,
    retry: {
      maxAttempts: raw.retry.maxAttempts,
      initialDelayMs: raw.retry.initialDelay,
      maxDelayMs: raw.retry.maxDelay,
    },
  };
  return { cluster, origins };
}

const AUTH_FIELDS = {
  none: ["type"],
  basic: ["type", "username", "password", "passwordEnv", "passwordFile"],
  sigv4: ["type", "region", "service", "accessKeyId", "secretAccessKey", "sessionToken"],
} as const satisfies Record<RawAuth["type"], readonly (keyof RawAuth)[]>;

function normalizeAuth(raw: RawAuth | undefined, path: ConfigPath, ctx: ResolveContext, problems: Problem[]) {
  if (raw === undefined) return { type: "none" } as const;
  const allowed: readonly string[] = AUTH_FIELDS[raw.type];
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const owner = AUTH_FIELDS.basic.some((k) => k === key) ? "basic" : "sigv4";
    problems.push(
      problem([...path, key], `only applies to type ${owner}`, `remove it, or set type: ${owner}`),
    );
  }
  switch (raw.type) {
    case "none":
      return { type: "none" } as const;
    case "basic": {
      if (raw.username === undefined)
        problems.push(
          problem([...path, "username"], "is required", "add the user to log in as: username: admin"),
        );
      const password = basicPassword(raw, path, ctx, problems);
      return { type: "basic", username: raw.username ?? "", password } satisfies ClusterAuth;
    }
    case "sigv4":
      return sigv4(raw, path, problems);
  }
}

function basicPassword(raw: RawAuth, path: ConfigPath, ctx: ResolveContext, problems: Problem[]): Secret {
  const sources = (["password", "passwordEnv", "passwordFile"] as const).filter((k) => raw[k] !== undefined);
  if (sources.length !== 1) {
    problems.push(
      problem(
        [...path, sources[1] ?? "password"],
        sources.length === 0 ? "is required" : `is set together with ${sources[0]}`,
        `give the password exactly one way: password: \${ENV_VAR}, passwordEnv: ENV_VAR or passwordFile: ./file`,
      ),
    );
    return new Secret("");
  }
  let value: string | undefined;
  if (raw.password !== undefined) {
    value = raw.password;
  } else if (raw.passwordEnv !== undefined) {
    value = ctx.env[raw.passwordEnv];
    if (value === undefined) {
      problems.push(
        problem(
          [...path, "passwordEnv"],
          `environment variable ${raw.passwordEnv} is not set`,
          `export ${raw.passwordEnv} before running bluegreen`,
          "secret",
        ),
      );
      return new Secret("");
    }
  } else if (raw.passwordFile !== undefined) {
    value = readText(raw.passwordFile, [...path, "passwordFile"], ctx, problems, "secret")?.replace(
      /(\r?\n)+$/,
      "",
    );
    if (value === undefined) return new Secret("");
  }
  if (value === undefined || value === "") {
    problems.push(
      problem([...path, sources[0] ?? "password"], "gives an empty password", "set a non-empty password"),
    );
    return new Secret("");
  }
  return new Secret(value);
}

function sigv4(raw: RawAuth, path: ConfigPath, problems: Problem[]): ClusterAuth {
  if (raw.region === undefined) {
    problems.push(
      problem([...path, "region"], "is required for sigv4", "add the AWS region, e.g. region: eu-west-1"),
    );
  }
  if ((raw.accessKeyId === undefined) !== (raw.secretAccessKey === undefined)) {
    const missing = raw.accessKeyId === undefined ? "accessKeyId" : "secretAccessKey";
    problems.push(
      problem(
        [...path, missing],
        "is required when the other key is set",
        "set both keys, or neither to use AWS_* env",
      ),
    );
  }
  if (raw.sessionToken !== undefined && raw.accessKeyId === undefined) {
    problems.push(
      problem(
        [...path, "sessionToken"],
        "needs explicit keys",
        "set accessKeyId and secretAccessKey as well",
      ),
    );
  }
  return {
    type: "sigv4",
    region: raw.region ?? "",
    service: raw.service ?? "es",
    ...(raw.accessKeyId === undefined ? {} : { accessKeyId: new Secret(raw.accessKeyId) }),
    ...(raw.secretAccessKey === undefined ? {} : { secretAccessKey: new Secret(raw.secretAccessKey) }),
    ...(raw.sessionToken === undefined ? {} : { sessionToken: new Secret(raw.sessionToken) }),
  };
}

function normalizeTls(raw: RawTls, path: ConfigPath, ctx: ResolveContext, problems: Problem[]): ClusterTls {
  const ca = raw.ca === undefined ? undefined : readPem(raw.ca, [...path, "ca"], ctx, problems, "invalid");
  const cert =
    raw.cert === undefined ? undefined : readPem(raw.cert, [...path, "cert"], ctx, problems, "invalid");
  const key = raw.key === undefined ? undefined : readPem(raw.key, [...path, "key"], ctx, problems, "secret");
  return {
    insecure: raw.insecure,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key: new Secret(key) }),
    ...(raw.servername === undefined ? {} : { servername: raw.servername }),
  };
}

/** A PEM value is a file path, or the PEM text itself (handy with `${VAR}` in CI and containers). */
export function readPem(
  value: string,
  path: ConfigPath,
  ctx: ResolveContext,
  problems: Problem[],
  kind: Problem["kind"],
) {
  if (value.trimStart().startsWith("-----BEGIN ")) return value;
  const content = readText(value, path, ctx, problems, kind);
  if (content === undefined) return undefined;
  if (!content.includes("-----BEGIN ")) {
    problems.push(
      problem(
        path,
        `${resolve(ctx.baseDir, value)} holds no PEM data`,
        "point it at a PEM file (-----BEGIN …)",
      ),
    );
    return undefined;
  }
  return content;
}

function readText(
  file: string,
  path: ConfigPath,
  ctx: ResolveContext,
  problems: Problem[],
  kind: Problem["kind"],
) {
  const absolute = resolve(ctx.baseDir, file);
  try {
    return ctx.readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`;
    problems.push(
      problem(
        path,
        `file ${absolute} ${reason}`,
        `fix the path (relative paths start from ${ctx.baseDir}) or the file's permissions`,
        kind,
      ),
    );
    return undefined;
  }
}
