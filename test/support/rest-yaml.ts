/**
 * Runs OpenSearch's own REST API YAML tests, or Elasticsearch 7.10's (the Maven project in
 * conformance/rest-yaml, one profile per flavour) against one `host:port` and reads back what each
 * test did.
 *
 * The runner picks a random body format (JSON, YAML, SMILE, CBOR) per request from its seed; that
 * randomization stays on, and a fixed seed makes a direct run and a run through the gateway send the
 * same formats, so their results can be compared test by test.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { exec, tail } from "../../src/sandbox/exec.ts";
import { findJava } from "../../src/sandbox/java.ts";

export const REST_YAML_PROJECT = join(import.meta.dirname, "..", "..", "conformance", "rest-yaml");

/** The document, bulk, search, mapping and alias folders: what a capturing gateway must get right. */
export const FOCUSED_SUITES: readonly string[] = [
  "index",
  "bulk",
  "get",
  "update",
  "delete",
  "search",
  "indices.create",
  "indices.put_mapping",
  "indices.put_alias",
  "mget",
  "count",
  "create",
  "exists",
];

export const DEFAULT_SEED = "B1E6EE4";

export type YamlStatus = "passed" | "skipped" | "failed";

export interface YamlTestResult {
  /** The test's path, `folder/file/section`, e.g. `index/10_with_id/Index with ID`. */
  readonly name: string;
  readonly status: YamlStatus;
  /** Why it failed or was skipped. */
  readonly message?: string;
}

/**
 * Whose runner and suite: OpenSearch 2's (2.11.1 runner, 2.19.0 tests), OpenSearch 3's (3.4.0 runner,
 * 3.1.0 tests, on Java 21 or later) or Elasticsearch 7.10.2's, for an Elasticsearch OSS source. Each
 * is a profile of the Maven project.
 */
export type YamlFlavour = "opensearch" | "opensearch-3" | "elasticsearch-7";

export interface RestYamlOptions {
  /** `host:port` of the cluster (or the gateway) the tests talk to. */
  readonly cluster: string;
  /** Default `opensearch`. */
  readonly flavour?: YamlFlavour;
  /** Folders (or `folder/file`) under rest-api-spec/test; empty or absent runs all of them. */
  readonly suites?: readonly string[];
  readonly seed?: string;
  /** Where surefire writes its XML and Maven its log; emptied first. */
  readonly reportsDir: string;
  /** POSTed every test's path before the framework wipes the cluster; see RestApiYamlTests.java. */
  readonly checkpointUrl?: string;
  /** Only every Nth test calls the checkpoint. */
  readonly checkpointEvery?: number;
  /** Extra `-D` properties for the test JVM. */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface RestYamlRun {
  readonly results: readonly YamlTestResult[];
  readonly seconds: number;
  readonly reportsDir: string;
  /** Whether Maven ran with `-o` (everything was already in the local repository). */
  readonly offline: boolean;
}

/** Runs the suites and parses surefire's report. Throws only when Maven itself failed (no report). */
export async function runRestYaml(options: RestYamlOptions): Promise<RestYamlRun> {
  const started = Date.now();
  rmSync(options.reportsDir, { recursive: true, force: true });
  mkdirSync(join(options.reportsDir, "tmp"), { recursive: true });
  const properties: Record<string, string> = {
    "tests.rest.cluster": options.cluster,
    "tests.seed": options.seed ?? DEFAULT_SEED,
    "bluegreen.reports": options.reportsDir,
    // The whole suite takes longer than the framework's 30 minute default on a small machine.
    "tests.timeoutSuite": String(3 * 3600 * 1000),
    // Lucene's per-suite temporary folders, kept after a failure: inside the report, not in /tmp.
    tempDir: join(options.reportsDir, "tmp"),
    ...options.properties,
  };
  if (options.suites !== undefined && options.suites.length > 0) {
    properties["tests.rest.suite"] = options.suites.join(",");
  }
  if (options.checkpointUrl !== undefined) properties["bluegreen.checkpoint"] = options.checkpointUrl;
  if (options.checkpointEvery !== undefined) {
    properties["bluegreen.checkpoint.every"] = String(options.checkpointEvery);
  }
  const flavour = options.flavour ?? "opensearch";
  const args = [
    "-q",
    "-B",
    "-P",
    flavour,
    "test",
    ...Object.entries(properties).map(([k, v]) => `-D${k}=${v}`),
  ];
  const java = findJava(flavour === "opensearch-3" ? [25, 21] : [17], "the REST API YAML tests");
  const env = { ...process.env, JAVA_HOME: java.home };
  const log = join(options.reportsDir, "maven.log");
  // Offline first, so a CI run that already resolved everything does not touch the network; Maven
  // fails fast (before any test runs) when something is missing, and then the online run fetches it.
  let offline = true;
  let result = await exec("mvn", ["-o", ...args], { cwd: REST_YAML_PROJECT, env, outputFile: log });
  if (result.code !== 0 && reportFiles(options.reportsDir).length === 0) {
    offline = false;
    result = await exec("mvn", args, { cwd: REST_YAML_PROJECT, env, outputFile: log });
  }
  const files = reportFiles(options.reportsDir);
  if (files.length === 0) {
    throw new Error(
      `Maven produced no test report (exit ${result.code}); ${log}:\n${tail(result.stdout, 40)}`,
    );
  }
  const results = files.flatMap((f) => parseSurefireXml(readFileSync(join(options.reportsDir, f), "utf8")));
  return { results, seconds: (Date.now() - started) / 1000, reportsDir: options.reportsDir, offline };
}

function reportFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith("TEST-") && f.endsWith(".xml"));
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : unescapeXml(match[1]);
}

const MESSAGE_LIMIT = 4000;

const RANK: Readonly<Record<YamlStatus, number>> = { passed: 0, skipped: 1, failed: 2 };

/**
 * Per-test results from one surefire XML report. Surefire's format is flat and regular (attributes
 * always double-quoted, text in CDATA or escaped), so a scan over `<testcase>` elements is enough.
 * A test that errored (an exception rather than a failed assertion) counts as failed. A test whose
 * body and whose @After both failed appears twice in the report; it is one failed result here, with
 * both messages.
 */
export function parseSurefireXml(xml: string): YamlTestResult[] {
  const merged = new Map<string, YamlTestResult>();
  for (const result of scanTestcases(xml)) {
    const seen = merged.get(result.name);
    if (seen === undefined || RANK[result.status] > RANK[seen.status]) {
      merged.set(result.name, result);
    } else if (result.status === "failed" && seen.status === "failed") {
      // Each half keeps room for the other: the second is often the telling one (the failed wipe).
      const half = (m: string | undefined) => (m ?? "").slice(0, MESSAGE_LIMIT / 2);
      const message = `${half(seen.message)}\n-- then --\n${half(result.message)}`;
      merged.set(result.name, { ...seen, message });
    }
  }
  return [...merged.values()];
}

function scanTestcases(xml: string): YamlTestResult[] {
  const results: YamlTestResult[] = [];
  const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    const open = match[1] ?? "";
    const body = match[3] ?? "";
    const rawName = attribute(open, "name") ?? "(unnamed)";
    // `test {yaml=index/10_with_id/Index with ID}`; anything else is a suite-level problem.
    const name = /\{yaml=(.*)\}$/s.exec(rawName)?.[1] ?? `(suite) ${rawName}`;
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (problem !== null) {
      const text = attribute(problem[2] ?? "", "message") ?? firstLines(problem[3] ?? "", 5);
      const type = attribute(problem[2] ?? "", "type");
      const message = text === "" && type !== undefined ? type : text;
      results.push({ name, status: "failed", message: message.slice(0, MESSAGE_LIMIT) });
      continue;
    }
    const skipped = /<skipped\b([^>]*?)(?:\/>|>)/.exec(body);
    if (skipped !== null) {
      const reason = attribute(skipped[1] ?? "", "message");
      results.push({ name, status: "skipped", ...(reason === undefined ? {} : { message: reason }) });
      continue;
    }
    results.push({ name, status: "passed" });
  }
  return results;
}

function firstLines(text: string, lines: number): string {
  const plain = unescapeXml(text.replace(/<!\[CDATA\[|\]\]>/g, ""));
  return plain.trim().split("\n").slice(0, lines).join("\n");
}

export interface Counts {
  readonly passed: number;
  readonly skipped: number;
  readonly failed: number;
  readonly total: number;
}

export function countResults(results: readonly YamlTestResult[]): Counts {
  const count = (s: YamlStatus) => results.filter((r) => r.status === s).length;
  return {
    passed: count("passed"),
    skipped: count("skipped"),
    failed: count("failed"),
    total: results.length,
  };
}

export interface ResultDifference {
  readonly name: string;
  readonly direct: YamlStatus | "missing";
  readonly gateway: YamlStatus | "missing";
  /** The gateway side's message (its failure), else the direct side's. */
  readonly message?: string;
}

/** Tests whose status differs between the two runs, in name order. */
export function diffResults(
  direct: readonly YamlTestResult[],
  gateway: readonly YamlTestResult[],
): ResultDifference[] {
  const a = new Map(direct.map((r) => [r.name, r]));
  const b = new Map(gateway.map((r) => [r.name, r]));
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const differences: ResultDifference[] = [];
  for (const name of names) {
    const left = a.get(name);
    const right = b.get(name);
    if (left?.status === right?.status) continue;
    const message = right?.message ?? left?.message;
    differences.push({
      name,
      direct: left?.status ?? "missing",
      gateway: right?.status ?? "missing",
      ...(message === undefined ? {} : { message }),
    });
  }
  return differences;
}

function paragraph(head: string, message: string | undefined, messageChars: number): string {
  if (message === undefined) return head;
  const text = message.length > messageChars ? `${message.slice(0, messageChars)}…` : message;
  return `${head}\n    ${text.replaceAll("\n", "\n    ")}`;
}

/** One difference per paragraph: the name, the two statuses, and the message indented. */
export function formatDifferences(differences: readonly ResultDifference[], messageChars = 600): string {
  return differences
    .map((d) =>
      paragraph(
        `- ${d.name}: ${d.direct} directly, ${d.gateway} through the gateway`,
        d.message,
        messageChars,
      ),
    )
    .join("\n");
}

export function formatResults(results: readonly YamlTestResult[], messageChars = 600): string {
  return results.map((r) => paragraph(`- ${r.name}: ${r.status}`, r.message, messageChars)).join("\n");
}

export const CAUSES = ["leading slash", "content type", "error shape", "other"] as const;
export type Cause = (typeof CAUSES)[number];

/**
 * A first sorting of why a test behaves differently through the gateway, from its failure message.
 * Order matters: a runner whose set-up request failed (`GET _nodes/plugins`, sent without a leading
 * `/`) never learns the node versions, so its after-test wipe fails with NoSuchElementException and
 * every later test inherits the previous one's indices; those all count as "leading slash". A body
 * the gateway cannot read (SMILE, CBOR, YAML) is "content type" even when the test only saw the
 * resulting error type. "error shape" is the gateway answering where OpenSearch would have, or in
 * another form.
 */
export function causeOf(difference: ResultDifference): Cause {
  const message = difference.message ?? "";
  if (/URI \[(?!\/)[^\]]*\][^\n]*status line \[HTTP\/1\.1 (400|502)/.test(message)) return "leading slash";
  if (message.includes("java.util.NoSuchElementException")) return "leading slash";
  if (/not valid JSON|[Cc]ontent-[Tt]ype|application\/(smile|cbor|yaml)|415 Unsupported/.test(message)) {
    return "content type";
  }
  if (
    /bluegreen_gateway_exception|error\.type didn't match|expected to match the provided regex/.test(message)
  ) {
    return "error shape";
  }
  return "other";
}
