/**
 * `bluegreen demo`: the whole migration on the sandbox, as one command. It starts (or attaches to) a
 * sandbox pair, loads the sample shop into the source, writes the migration file an operator would
 * write, starts the gateway service with replay, keeps clients writing through it, and runs every
 * workflow step from preflight to decommission with the demo's own approval. Then it proves the
 * result (source ≡ target by content digest; every write answered 2xx on the target) and cleans up,
 * or leaves everything running with --keep.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { cutoverRecord } from "../cutover/index.ts";
import { defaultReportFiles, writeMigrationReport } from "../decommission/index.ts";
import { BluegreenError, toBluegreenError } from "../errors/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { openMigrationState, type StateStore } from "../state/index.ts";
import { lastValidation } from "../validate/index.ts";
import { runWorkflow, type Step, type StepId, type WorkflowOutcome } from "../workflow/index.ts";
import { writeDemoConfig } from "./config.ts";
import { LIVE_INDEX, loadSample, resetDemoData, type SampleIndex, sampleLayout } from "./data.ts";
import { type GatewayProcess, startGatewayProcess } from "./gateway.ts";
import { WriteLoad } from "./load.ts";
import { loadLine, tailProgress } from "./progress.ts";
import { proveSameContent } from "./proof.ts";
import type { DemoResult, DemoStep } from "./result.ts";
import { type DemoPair, releaseSandbox, takePair } from "./sandbox.ts";

export interface DemoOptions {
  /** Sample documents in total, over all indices. */
  readonly docs: number;
  readonly keep: boolean;
  /** Attach to this running sandbox instead of starting the demo's own (it is left running). */
  readonly sandbox?: string;
  readonly portBase?: number;
  /** The migration's steps for a config (the same list `bluegreen run` runs). */
  readonly steps: (config: MigrationConfig, logger: Logger) => Step[];
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
  /** Client writes per second through the gateway. */
  readonly writeRate?: number;
}

/**
 * Pino's JSON lines from the steps (warnings and errors), told as plain lines. The workflow's own
 * (bound to a `step`) are left out: its events say the same, and the progress tells those.
 */
function stepLogger(say: (line: string) => void): Logger {
  return createLogger({
    level: process.env.BLUEGREEN_LOG_LEVEL ?? "warn",
    destination: {
      write(line: string) {
        try {
          const parsed = JSON.parse(line) as { msg?: string; step?: string };
          if (parsed.step === undefined) say(`  ! ${parsed.msg ?? line.trim()}`);
        } catch {
          say(`  ! ${line.trim()}`);
        }
      },
    },
  });
}

function stepTimes(state: StateStore, outcome: WorkflowOutcome): DemoStep[] {
  return outcome.steps.map((s) => {
    const record = state.getStep(s.id);
    const ms =
      record?.startedAt !== undefined && record.finishedAt !== undefined && s.outcome !== "not-run"
        ? Date.parse(record.finishedAt) - Date.parse(record.startedAt)
        : undefined;
    return {
      id: s.id,
      outcome: s.outcome,
      ...(ms === undefined ? {} : { durationMs: ms }),
      ...(s.error === undefined ? {} : { error: s.error.toJSON() }),
    };
  });
}

/** Removes the work folder but the report, which the summary points at. */
function tidyWorkDir(dir: string, keepFiles: readonly string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!keepFiles.includes(path)) rmSync(path, { recursive: true, force: true });
  }
}

async function loadData(
  source: Cluster,
  layout: readonly SampleIndex[],
  options: DemoOptions,
): Promise<void> {
  const total = layout.reduce((s, i) => s + i.docs, 0);
  options.say(
    `▶ sample data: ${total} documents into the source (${layout.map((i) => i.index).join(", ")}; the events indices from the template demo-events)`,
  );
  const started = performance.now();
  let reported = 0;
  await loadSample(
    source,
    layout,
    (loaded) => {
      if (loaded - reported >= total / 5 || loaded === total) {
        reported = loaded;
        options.say(`  loaded ${loaded} of ${total}`);
      }
    },
    options.signal,
  );
  options.say(`✓ sample data loaded in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
}

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { say, signal } = options;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "bluegreen-demo-"));
  const result: Mutable<DemoResult> = { workDir: dir, kept: options.keep };
  let pair: DemoPair | undefined;
  let clusters: { source: Cluster; target: Cluster } | undefined;
  let gateway: GatewayProcess | undefined;
  let load: WriteLoad | undefined;
  let state: StateStore | undefined;
  let config: MigrationConfig | undefined;
  try {
    pair = await takePair(options, say);
    result.sandbox = pair.describe;
    const written = await writeDemoConfig(dir, pair.source, pair.target);
    config = written.config;
    result.configFile = written.file;
    const source = createCluster(config.source);
    const target = createCluster(config.target);
    clusters = { source, target };
    await Promise.all([resetDemoData(source), resetDemoData(target)]);
    const layout = sampleLayout(options.docs);
    result.dataset = layout.map((i) => ({ index: i.index, docs: i.docs }));
    await loadData(source, layout, options);

    say(
      "▶ gateway: bluegreen gateway --replay (clients write through it; its log is replayed to the target)",
    );
    gateway = await startGatewayProcess(written.file, join(dir, "gateway.log"));
    say(`✓ gateway listening on ${gateway.url} (pid ${gateway.pid})`);
    const rate = options.writeRate ?? 20;
    load = new WriteLoad({
      url: gateway.url,
      rate,
      clients: 2,
      firstOrder: layout[1]?.docs ?? 0,
      customers: layout[0]?.docs ?? 1,
    });
    say(`▶ client load: new orders into ${LIVE_INDEX} through the gateway, ${rate} writes/s`);

    state = openMigrationState(config);
    const running = gateway;
    const outcome = await migrate(config, state, load, options, async () => {
      // What cutover.switchCommand does in production (DNS, a load balancer): clients now reach the
      // target directly, so the gateway has nothing left to forward and stops before decommission.
      load?.retarget(pair?.target ?? "");
      say(`✓ clients switched: they write to the target (${pair?.target}) directly now`);
      const code = await running.stop();
      say(`✓ gateway stopped (exit ${code}): writes it took are all on the target`);
    });
    result.steps = stepTimes(state, outcome);
    result.writes = await load.stop();
    say(`✓ client load stopped: ${loadLine(result.writes)}`);
    if (result.writes.firstFailure !== undefined) say(`  first failed write: ${result.writes.firstFailure}`);
    if (outcome.status === "cancelled") throw signal.reason ?? new Error("interrupted");
    if (outcome.status !== "completed") {
      result.status = "failed";
      result.error =
        outcome.status === "failed"
          ? outcome.error
          : new BluegreenError("BG_INTERNAL", `The run stopped before ${outcome.stoppedBefore}.`);
      return result as DemoResult;
    }
    result.writePauseMs = cutoverRecord(state).switch?.pauseMs;
    result.validation = validationSummary(state);
    // Again now that the gateway is stopped, so the report says what is left as it really is.
    const files = defaultReportFiles(config);
    await writeMigrationReport(config, state, stepLogger(say), files);
    result.report = files;

    say("▶ proof: every document digested on both clusters");
    const proof = await proveSameContent(
      source,
      target,
      layout.map((i) => i.index),
      LIVE_INDEX,
      load,
      signal,
    );
    result.proof = proof;
    if (!proof.equal || !proof.acceptedOnTarget || !proof.refusedAbsent) {
      result.status = "failed";
      result.error = new BluegreenError(
        "BG_DEMO_PROOF",
        `After the migration the clusters do not hold what the clients were told: ${JSON.stringify({
          differs: proof.indices.filter((i) => !i.equal).map((i) => i.index),
          acceptedMissing: proof.acceptedMissing,
          refusedFound: proof.refusedFound,
        })}.`,
        {
          fix: `Run the demo again with --keep to keep the evidence, compare with \`bluegreen validate -c ${written.file}\` and the report, and report it as a bug.`,
        },
      );
      return result as DemoResult;
    }
    result.status = "completed";
    return result as DemoResult;
  } catch (thrown) {
    result.status = signal.aborted ? "cancelled" : "failed";
    if (!signal.aborted) result.error = toBluegreenError(thrown);
    return result as DemoResult;
  } finally {
    if (load !== undefined) result.writes = await load.stop();
    if (gateway !== undefined && !gateway.exited()) await gateway.stop();
    state?.close();
    if (!options.keep) {
      say("▶ cleaning up (--keep leaves everything running)");
      result.cleanupProblems = await cleanUp(dir, pair, clusters, config);
    }
    await Promise.all([clusters?.source.close(), clusters?.target.close()]);
    result.durationMs = Math.round(performance.now() - started);
  }
}

/**
 * Every step, from preflight to decommission, approved by the demo, with live progress; `switched`
 * runs between cutover and decommission. The outcome has each step's report from the run that ran it.
 */
async function migrate(
  config: MigrationConfig,
  state: StateStore,
  load: WriteLoad,
  options: DemoOptions,
  switched: () => Promise<void>,
): Promise<WorkflowOutcome> {
  const logger = stepLogger(options.say);
  const progress = tailProgress({ state, say: options.say, load: () => load.counts() });
  const run = (until?: StepId) =>
    runWorkflow(options.steps(config, logger), {
      state,
      logger,
      signal: options.signal,
      approve: async () => ({ approved: true, by: "bluegreen demo" }),
      ...(until === undefined ? {} : { until }),
    });
  try {
    const first = await run("decommission");
    if (first.status !== "stopped") return first;
    await switched();
    const rest = await run();
    const earlier = new Map(first.steps.map((s) => [s.id, s]));
    return {
      ...rest,
      steps: rest.steps.map((s) => (s.outcome === "already-done" ? (earlier.get(s.id) ?? s) : s)),
    };
  } finally {
    progress.stop();
  }
}

function validationSummary(state: StateStore): DemoResult["validation"] {
  const validation = lastValidation(state);
  if (validation === undefined) return undefined;
  return {
    passed: validation.passed,
    mode: validation.mode,
    checks: validation.checks.length,
    failed: validation.checks.filter((c) => !c.passed).map((c) => `${c.kind} ${c.index}: ${c.summary}`),
  };
}

/**
 * The demo's own sandbox is stopped and purged; on an attached pair only the demo's indices and
 * template go. The work folder goes, but the report. Problems are told, not thrown: the demo's
 * outcome stands.
 */
async function cleanUp(
  dir: string,
  pair: DemoPair | undefined,
  clusters: { source: Cluster; target: Cluster } | undefined,
  config: MigrationConfig | undefined,
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown> | unknown) => {
    try {
      await work();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (pair?.describe.attached === true && clusters !== undefined) {
    await attempt("removing the demo's indices", () =>
      Promise.all([resetDemoData(clusters.source), resetDemoData(clusters.target)]),
    );
  }
  if (pair !== undefined) await attempt("stopping the sandbox", () => releaseSandbox(pair));
  const files = config === undefined ? undefined : defaultReportFiles(config);
  await attempt(`removing ${dir}`, () => {
    const kept = files === undefined ? [] : [files.markdown, files.html].filter((f) => existsSync(f));
    tidyWorkDir(dir, kept);
    if (kept.length === 0) rmSync(dir, { recursive: true, force: true });
  });
  return problems;
}
