/**
 * The state file's audit events as a timeline a person reads: one line per event that marks a
 * decision or a milestone, in words. Per-item noise (each prepared object, each passing check) is left
 * out; every failure, override and mode switch stays.
 */

import type { TimelineEntry } from "../report/index.ts";
import type { EventRecord, StateStore } from "../state/index.ts";

type Data = Record<string, unknown>;

const CUTOVER_TEXT: Readonly<Record<string, (d: Data) => string>> = {
  gate: (d) =>
    d.forced === undefined
      ? "cutover: the readiness gate passed"
      : `cutover: gate overridden (--force): ${String(d.forced)}`,
  fence: () => "cutover: writes fenced at the gateway",
  block: (d) =>
    `cutover: source write-blocked (${Object.keys((d.previous as Data | undefined) ?? {}).length} index(es))`,
  drain: () => "cutover: drained; document counts equal on both sides",
  finish: (d) =>
    `cutover: target tuning restored${Array.isArray(d.restored) && d.restored.length > 0 ? ` on ${d.restored.join(", ")}` : ""}`,
  switch: (d) =>
    `cutover: clients switched to the target; writes paused ${(Number(d.pauseMs) / 1000).toFixed(2)} s`,
};

const ROLLBACK_TEXT: Readonly<Record<string, string>> = {
  fence: "rollback: writes fenced",
  unblock: "rollback: source write blocks lifted",
  reverse: "rollback: the target's writes replayed back to the source",
  capture: "rollback: clients write to the source again",
};

const DECOMMISSION_TEXT: Readonly<Record<string, (d: Data) => string>> = {
  sync: () => "decommission: sync retired (gateway and replay positions recorded)",
  snapshot: (d) => `decommission: final snapshot ${String(d.repository)}/${String(d.name)} taken`,
  repositories: (d) => `decommission: snapshot repositories removed: ${list(d.removed)}`,
  remote: (d) => `decommission: remote-cluster settings removed: ${list(d.removed)}`,
  readonly: (d) =>
    `decommission: source left read-only (${Array.isArray(d.indices) ? d.indices.length : 0} index(es))`,
  delete: (d) => `decommission: source indices deleted on ${String(d.cluster)}: ${list(d.deleted)}`,
};

function list(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(", ") : "none";
}

function via(d: Data): string {
  return typeof d.via === "string" ? ` (by ${d.via})` : "";
}

function describe(e: EventRecord): Omit<TimelineEntry, "at" | "step"> | undefined {
  const d = (typeof e.data === "object" && e.data !== null ? e.data : {}) as Data;
  const [family, what = ""] = e.type.split(/\.(.*)/s);
  switch (e.type) {
    case "step.started":
      return { tone: "info", text: `started${via(d)}` };
    case "step.finished":
      return {
        tone: "milestone",
        text: `done in ${(Number(d.durationMs ?? 0) / 1000).toFixed(1)} s${via(d)}`,
      };
    case "step.failed":
      return { tone: "bad", text: `failed: ${String(d.code)}: ${String(d.message)}` };
    case "step.skipped":
      return { tone: "info", text: `skipped: ${String(d.reason)}` };
    case "step.interrupted":
      return { tone: "bad", text: "found interrupted (a crash or kill); resumed" };
    case "step.approved":
      return { tone: "info", text: `approved (${String(d.by)})` };
    case "step.not-approved":
      return { tone: "info", text: `stopped for approval: ${String(d.reason)}` };
    case "gateway.started":
      return { tone: "info", text: `gateway started (pid ${String(d.pid)}, ${String(d.url)})` };
    case "gateway.mode":
      return { tone: "info", text: `gateway mode ${String(d.from)} → ${String(d.to)}` };
    case "replay.backfill-mark":
      return { tone: "info", text: "capture log marked: replay applies every write after this point" };
    case "validate.passed":
      return { tone: "milestone", text: `validation passed (${String(d.mode)}, ${String(d.checks)} checks)` };
    case "validate.failed":
      return { tone: "bad", text: `validation failed: ${list(d.failed)}` };
    case "validate.gate-forced":
      return { tone: "bad", text: `readiness gate overridden: ${String(d.reason)}` };
  }
  if (family === "cutover") {
    const text = CUTOVER_TEXT[what]?.(d);
    return text === undefined ? undefined : { tone: d.forced === undefined ? "milestone" : "bad", text };
  }
  if (family === "rollback" && ROLLBACK_TEXT[what] !== undefined)
    return { tone: "bad", text: ROLLBACK_TEXT[what] };
  if (family === "decommission") {
    const text = DECOMMISSION_TEXT[what]?.(d);
    return text === undefined ? undefined : { tone: "milestone", text };
  }
  return undefined;
}

export function timeline(state: StateStore): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (let after = 0; ; ) {
    const page = state.readEvents({ afterSeq: after, limit: 1_000 });
    for (const event of page) {
      const described = describe(event);
      if (described !== undefined) entries.push({ at: event.at, step: event.step, ...described });
    }
    if (page.length < 1_000) return entries;
    after = page[page.length - 1]?.seq ?? after;
  }
}

/** Each decommission part done, in the timeline's words. */
export function decommissionLines(record: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(DECOMMISSION_TEXT).flatMap(([part, text]) => {
    const done = record[part];
    return done === undefined ? [] : [text(done as Data)];
  });
}
