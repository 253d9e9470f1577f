/**
 * `bluegreen validate` and the `validate` step: per selected index, counts and content on both sides,
 * then the metadata plan; differences found while sync still runs are re-checked once it caught up,
 * and only the ones that stay count. The report goes to the readiness gate in the state file.
 */
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  type WriteStream,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { targetIndexName } from "../backfill/index.ts";
import { type Cluster, guardSelection } from "../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { withClusters } from "../prepare/index.ts";
import type { StateStore } from "../state/index.ts";
import { settledReading, syncLag, waitCaughtUp } from "../sync/index.ts";
import { compareContent } from "./content.ts";
import { recheck } from "./content-docs.ts";
import type { DocDifference } from "./content-types.ts";
import { checkCounts } from "./counts.ts";
import { checkDashboards } from "./dashboards.ts";
import { recordValidation, startValidation } from "./gate.ts";
import { checkIsm } from "./ism.ts";
import { checkMetadata } from "./metadata.ts";
import { checkPermissions, type Env } from "./permissions.ts";
import { compareQueries } from "./queries.ts";
import { loadQueriesFile, type UserQuery } from "./queries-file.ts";
import { type Check, orderChecks, type ValidationReport, validationReportSchema } from "./report.ts";
import { checkShadow } from "./shadow.ts";

export type ValidateMode =
  | { readonly kind: "full" }
  | { readonly kind: "sample"; readonly size: number; readonly seed: number };

export interface ValidateOptions {
  readonly mode: ValidateMode;
  /** Only these source indices (`--index`); default: every selected open index. */
  readonly indices?: readonly string[];
  /** Every difference, as NDJSON with its index. */
  readonly differencesFile: string;
  readonly signal?: AbortSignal;
  /** One line per finished check, for progress on stderr. */
  readonly onCheck?: (check: Check) => void;
  /** Differences were found while sync runs: validation now waits for it, then re-checks them. */
  readonly onSettle?: (wait: {
    readonly index: string;
    readonly differences: number;
    readonly waitMs: number;
  }) => void;
  /** The queries file's entries, already loaded. */
  readonly queries?: readonly UserQuery[];
  /**
   * A queries file to load (default validate.queries): read once the selected indices are known, so
   * an entry naming an index the migration does not select fails before any comparison runs.
   */
  readonly queriesFile?: string;
  /** Where probe users' credentials are read (default: process.env). */
  readonly env?: Env;
}

const FIRST = 20;
/** Beyond this many differences an index is not "in flight": re-checking them all would be pointless. */
const SETTLE_MAX = 10_000;

interface Pair {
  readonly index: string;
  readonly targetIndex: string;
}

async function selectPairs(
  config: MigrationConfig,
  source: Cluster,
  only: readonly string[] | undefined,
): Promise<{ selected: string[]; pairs: Pair[] }> {
  const all = await source.indices();
  const selected = selectIndices(all, config.indices);
  const names = selected
    .filter((i) => i.status === "open")
    .map((i) => i.name)
    .sort();
  // The command line's own mistake first; then what the selection reaches.
  if (only !== undefined) {
    const unknown = only.filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new BluegreenError(
        "BG_USAGE",
        `--index names ${unknown.map((n) => `"${n}"`).join(", ")}, not an open index the migration selects on the source.`,
        {
          fix: `Name one of: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""} (indices.include in the migration file selects them).`,
        },
      );
    }
  }
  const covered = only === undefined ? selected : selected.filter((i) => only.includes(i.name));
  await guardSelection(source, config.indices, all, covered, "Validation");
  const pairs = names
    .filter((name) => only === undefined || only.includes(name))
    .map((index) => ({ index, targetIndex: targetIndexName(index, config.backfill.rename) }));
  return { selected: names, pairs };
}

export async function runValidation(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  options: ValidateOptions,
): Promise<ValidationReport> {
  startValidation(state);
  const startedAt = new Date().toISOString();
  const work = mkdtempSync(join(tmpdir(), "bg-validate-"));
  mkdirSync(dirname(options.differencesFile), { recursive: true });
  const all = createWriteStream(options.differencesFile);
  const report = (checks: Check[]): Check[] => {
    for (const c of checks) options.onCheck?.(c);
    return checks;
  };
  try {
    const { checks, sample } = await withClusters(config, logger, async (source, target) => {
      const { selected, pairs } = await selectPairs(config, source, options.indices);
      const queriesFile = options.queriesFile ?? config.validate.queries;
      const queries =
        options.queries ?? (queriesFile === undefined ? undefined : loadQueriesFile(queriesFile, selected));
      // While sync runs, answers that differ are asked again once it caught up.
      const settle =
        config.sync.method === "none"
          ? undefined
          : () => waitCaughtUp(config, state, logger, config.validate.settleWaitMs, options.signal);
      const onTarget = new Set((await target.indices()).map((i) => i.name));
      const checks: Check[] = [];
      let sample: ValidationReport["sample"];
      for (const pair of pairs) {
        if (!onTarget.has(pair.targetIndex)) {
          checks.push(
            ...report([
              {
                ...pair,
                kind: "count",
                passed: false,
                summary: `${pair.targetIndex} does not exist on the target`,
                seconds: 0,
              },
            ]),
          );
          continue;
        }
        // Counted again once sync caught up while clients write, as differing documents are below.
        const counts = await settledReading(
          config,
          state,
          logger,
          () =>
            checkCounts({
              source,
              target,
              ...pair,
              tolerance: config.validate.countTolerance,
              ...(options.signal === undefined ? {} : { signal: options.signal }),
            }),
          (check) => check.passed,
          config.validate.settleWaitMs,
          options.signal,
        );
        checks.push(...report([counts]));
        const file = join(work, `${checks.length}.ndjson`);
        const content = await compareContent({
          source,
          target,
          sourceIndex: pair.index,
          targetIndex: pair.targetIndex,
          mode: options.mode,
          // The engine deletes its work directory when done: the differences file lives beside it.
          workDir: join(work, "engine"),
          differencesFile: file,
          limit: FIRST,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        sample = content.sample ?? sample;
        let first = content.first;
        let count = content.differences;
        let settled = 0;
        if (count > 0 && count <= SETTLE_MAX && config.sync.method !== "none") {
          // Writes may still be on their way: wait for sync, then look again at just these documents.
          options.onSettle?.({ index: pair.index, differences: count, waitMs: config.validate.settleWaitMs });
          await waitCaughtUp(config, state, logger, config.validate.settleWaitMs, options.signal);
          const again = await recheck(
            { source, target, sourceIndex: pair.index, targetIndex: pair.targetIndex },
            readDifferences(file),
          );
          first = again.persistent;
          count = again.persistent.length;
          settled = again.settled.length;
          for (const d of again.persistent) all.write(`${JSON.stringify({ index: pair.index, ...d })}\n`);
        } else {
          await appendDifferences(file, pair.index, all);
        }
        const passed = count === 0;
        checks.push(
          ...report([
            {
              ...pair,
              kind: "content",
              passed,
              summary: contentSummary(content.compared, content.mode, count, settled),
              compared: content.compared,
              differences: count,
              ...(settled > 0 ? { settled } : {}),
              ...(passed ? {} : { first: first.slice(0, FIRST) }),
              seconds: content.seconds,
            },
          ]),
        );
        const queriesCheck = await compareQueries({
          source,
          target,
          ...pair,
          queries,
          settle,
          settleWaitMs: config.validate.settleWaitMs,
          signal: options.signal,
        });
        checks.push(...report([queriesCheck]));
      }
      checks.push(...report([await checkMetadata(config, source, target, options.signal)]));
      const present = pairs.filter((p) => onTarget.has(p.targetIndex));
      checks.push(...report([await checkIsm(source, target, present, options.signal)]));
      checks.push(...report([await checkDashboards(source, target, options.signal)]));
      checks.push(
        ...report(await checkPermissions(config, pairs, options.env ?? process.env, options.signal)),
      );
      const shadow = await checkShadow(config, state);
      if (shadow !== undefined) checks.push(...report([shadow]));
      return { checks, sample };
    });
    const lag = await syncLag(config, state, logger).catch(() => undefined);
    const result: ValidationReport = validationReportSchema.parse({
      passed: checks.every((c) => c.passed),
      startedAt,
      finishedAt: new Date().toISOString(),
      mode: options.mode.kind,
      ...(sample === undefined ? {} : { sample }),
      sync: {
        method: config.sync.method,
        ...(lag?.position === undefined ? {} : { position: lag.position }),
        ...(lag === undefined ? {} : { lagRecords: lag.lagRecords }),
      },
      differencesFile: options.differencesFile,
      checks: orderChecks(checks),
    });
    recordValidation(state, result);
    return result;
  } finally {
    all.end();
    await once(all, "close").catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Copies an index's differences into the run's file, a line at a time, each with its index. */
async function appendDifferences(file: string, index: string, out: WriteStream): Promise<void> {
  let input: ReturnType<typeof createReadStream>;
  try {
    input = createReadStream(file, "utf8");
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line === "") continue;
      if (!out.write(`{"index":${JSON.stringify(index)},${line.slice(1)}\n`)) await once(out, "drain");
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error;
  }
}

/** Bounded by SETTLE_MAX lines: only called for an index with that few differences. */
function readDifferences(file: string): DocDifference[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as DocDifference);
}

function contentSummary(compared: number, mode: string, differences: number, settled: number): string {
  const settledNote = settled > 0 ? `; ${settled} settled once sync caught up` : "";
  if (differences === 0) return `${compared} document(s) equal (${mode})${settledNote}`;
  return `${differences} of ${compared} document(s) differ (${mode})${settledNote}`;
}
