/**
 * `bluegreen gateway mode` when the gateways share their mode: the switch is written to the control
 * topic and decided by its place in the log (see view.ts), then the command waits until every live
 * gateway acknowledged it (applied it and drained its writes of earlier modes). It never reports a
 * success it has not seen: a lost race is BG_GATEWAY_MODE_CONFLICT, a live gateway that does not
 * acknowledge in time is BG_GATEWAY_MODE_UNCONFIRMED (exit 5).
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { MigrationConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { GatewayMode } from "../mode.ts";
import { type ControlTopic, openControlTopic, sharedSettings } from "./control.ts";
import { ControlView, encodeControl, type Member, type ModeProposal, modeKey } from "./view.ts";

const POLL_MS = 100;
const CLOCK_KEY = "clock";

export interface SharedMemberStatus {
  readonly id: string;
  readonly url: string | undefined;
  readonly mode: GatewayMode;
  readonly epoch: number;
  readonly drained: boolean;
  /** Milliseconds since its last heartbeat, on the broker's clock. */
  readonly silentMs: number;
  /** Silent longer than memberTimeout: left out of switches (stopped without a goodbye, or cut off). */
  readonly live: boolean;
}

export interface SharedModeStatus {
  readonly shared: string;
  readonly mode: GatewayMode;
  readonly epoch: number;
  readonly decidedBy: string | undefined;
  readonly members: readonly SharedMemberStatus[];
}

export interface SharedSwitchResult extends SharedModeStatus {
  /** Set when another switch was decided after this one before every gateway had acknowledged it. */
  readonly superseded?: {
    readonly mode: GatewayMode;
    readonly epoch: number;
    readonly by: string | undefined;
  };
  readonly previous: GatewayMode;
  /**
   * Always true: a gateway whose writes of earlier modes have not finished has not acknowledged, so a
   * switch that returns has every live gateway drained (a single gateway's switch may say false).
   */
  readonly drained: true;
  readonly acknowledged: readonly string[];
  /** Gateways left out because they were silent longer than memberTimeout (they refuse writes). */
  readonly excluded: readonly {
    readonly id: string;
    readonly url: string | undefined;
    readonly silentMs: number;
  }[];
}

export interface SwitchOptions {
  /** Decide only on top of this epoch (a compare-and-set); default the epoch read just before. */
  readonly basedOn?: number;
  /** How long to wait for acknowledgements; default memberTimeout + gateway.requestTimeout. */
  readonly waitMs?: number;
}

export async function sharedModeStatus(config: MigrationConfig): Promise<SharedModeStatus> {
  return withControl(config, async (control) => {
    const view = new ControlView();
    // The broker's clock now, as a record's timestamp: without it, gateways that all died long ago
    // would look live (their last heartbeats would be the newest records). One key, so compacted away.
    await control.publish(CLOCK_KEY, Buffer.from("{}"));
    await readToEnd(control, view);
    return status(config, control, view);
  });
}

export async function switchSharedMode(
  config: MigrationConfig,
  mode: GatewayMode,
  options: SwitchOptions = {},
): Promise<SharedSwitchResult> {
  const settings = sharedSettings(config);
  return withControl(config, async (control) => {
    const view = new ControlView();
    await readToEnd(control, view);
    const previous = view.mode;
    // Already decided: no new record, only wait again (so re-running an unconfirmed switch is safe).
    const epoch =
      mode === view.mode && (options.basedOn === undefined || options.basedOn === view.epoch)
        ? view.epoch
        : await propose(control, view, mode, options.basedOn ?? view.epoch);
    const deadline =
      performance.now() + (options.waitMs ?? settings.memberTimeoutMs + config.gateway.requestTimeoutMs);
    for (;;) {
      const tally = tallyAcks(view, epoch, settings.memberTimeoutMs);
      if (tally.waiting.length === 0 || performance.now() >= deadline) {
        if (tally.waiting.length > 0) throw unconfirmed(control, mode, epoch, tally.waiting, view);
        const now = status(config, control, view);
        return {
          ...now,
          // This switch's own decision; a switch decided after it (a race) is named as `superseded`.
          mode,
          epoch,
          ...(now.epoch > epoch
            ? { superseded: { mode: now.mode, epoch: now.epoch, by: now.decidedBy } }
            : {}),
          previous,
          drained: true,
          acknowledged: tally.acknowledged,
          excluded: tally.excluded,
        };
      }
      await readOnce(control, view, POLL_MS);
    }
  });
}

async function propose(
  control: ControlTopic,
  view: ControlView,
  mode: GatewayMode,
  basedOn: number,
): Promise<number> {
  const proposal: ModeProposal = {
    mode,
    basedOn,
    proposal: randomUUID(),
    by: `${hostname()} pid ${process.pid}`,
  };
  const offset = await control.publish(modeKey(proposal.proposal), encodeControl(proposal));
  while (view.next <= offset) await readOnce(control, view, POLL_MS);
  const decided = view.proposals.get(proposal.proposal);
  if (decided !== undefined) return decided;
  const winner = view.decision;
  throw new BluegreenError(
    "BG_GATEWAY_MODE_CONFLICT",
    `The switch to ${mode} lost a race: ${winner === undefined ? "another switch" : `a switch to ${winner.mode} (by ${winner.by})`} was written to ${control.topic} first, so the mode is now ${view.mode} (epoch ${view.epoch}) and this switch was not applied.`,
    {
      fix: `Check why two switches ran at once (a cutover and a manual switch?), then run \`bluegreen gateway mode ${mode}\` again if ${mode} is still wanted.`,
      details: { wanted: mode, basedOn, mode: view.mode, epoch: view.epoch },
    },
  );
}

interface Tally {
  readonly acknowledged: string[];
  readonly waiting: Member[];
  readonly excluded: { id: string; url: string | undefined; silentMs: number }[];
}

/**
 * A gateway has acknowledged epoch E when its heartbeat carries E with its writes drained, or a later
 * epoch (which supersedes E). One silent longer than memberTimeout is excluded: it has failed closed
 * by then (memberTimeout > lease + heartbeat is a config rule).
 */
function tallyAcks(view: ControlView, epoch: number, memberTimeoutMs: number): Tally {
  const tally: Tally = { acknowledged: [], waiting: [], excluded: [] };
  const now = view.brokerNow();
  for (const [id, member] of view.members) {
    const silentMs = Math.max(0, now - member.timestampMs);
    if (member.beat.epoch > epoch || (member.beat.epoch === epoch && member.beat.drained))
      tally.acknowledged.push(id);
    else if (silentMs > memberTimeoutMs) tally.excluded.push({ id, url: member.beat.url, silentMs });
    else tally.waiting.push(member);
  }
  return tally;
}

function unconfirmed(
  control: ControlTopic,
  mode: GatewayMode,
  epoch: number,
  waiting: readonly Member[],
  view: ControlView,
): BluegreenError {
  const names = waiting.map(
    (m) =>
      `${m.beat.id}${m.beat.url === undefined ? "" : ` (${m.beat.url})`} at epoch ${m.beat.epoch}${m.beat.epoch === epoch ? ", writes still draining" : ""}`,
  );
  return new BluegreenError(
    "BG_GATEWAY_MODE_UNCONFIRMED",
    `The switch to ${mode} is decided (epoch ${epoch} on ${control.topic}, now ${view.mode}) but ${waiting.length} live gateway(s) did not confirm it in time: ${names.join("; ")}.`,
    {
      fix: `Each of them applies it as soon as it reads the topic; check their logs, then run \`bluegreen gateway mode ${mode}\` again to wait once more (it writes nothing new). Do not go on (cutover, rollback) until it succeeds.`,
      details: { mode, epoch, waiting: waiting.map((m) => m.beat.id) },
    },
  );
}

function status(config: MigrationConfig, control: ControlTopic, view: ControlView): SharedModeStatus {
  const timeout = sharedSettings(config).memberTimeoutMs;
  const now = view.brokerNow();
  return {
    shared: control.topic,
    mode: view.mode,
    epoch: view.epoch,
    decidedBy: view.decision?.by,
    members: [...view.members.values()].map((m) => {
      const silentMs = Math.max(0, Math.round(now - m.timestampMs));
      return {
        id: m.beat.id,
        url: m.beat.url,
        mode: m.beat.mode,
        epoch: m.beat.epoch,
        drained: m.beat.drained,
        silentMs,
        live: silentMs <= timeout,
      };
    }),
  };
}

async function readOnce(control: ControlTopic, view: ControlView, waitMs: number): Promise<number> {
  const { records, highWatermark } = await control.read(view.next, waitMs);
  for (const record of records) view.apply(record);
  return highWatermark;
}

async function readToEnd(control: ControlTopic, view: ControlView): Promise<void> {
  while (view.next < (await readOnce(control, view, 0)));
}

async function withControl<T>(
  config: MigrationConfig,
  fn: (control: ControlTopic) => Promise<T>,
): Promise<T> {
  const control = await openControlTopic(config, "bluegreen-mode-switch");
  try {
    return await fn(control);
  } finally {
    await control.close();
  }
}
