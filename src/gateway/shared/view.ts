/**
 * The shared mode's control topic, folded. One partition, so every reader sees the same total order,
 * and the fold is a pure function of it: every gateway and every switch command computes the same
 * decided mode from the same records without talking to each other.
 *
 * - `mode/<proposal>`: a proposed switch `{mode, basedOn}`. It is decided (and becomes epoch
 *   basedOn + 1) only if `basedOn` is the epoch decided just before it in the log; otherwise it lost
 *   a race to a switch that was written first and is ignored by everyone. Keys are unique per
 *   proposal, so compaction never removes a decision (or lets a losing record stand in for one).
 * - `member/<id>`: a gateway's heartbeat, which is also its acknowledgement (the epoch it applied
 *   and whether its writes of earlier modes drained). Compaction keeps the newest per gateway; an
 *   empty value (a tombstone) means it stopped cleanly.
 *
 * Timestamps are the broker's (the topic is created with message.timestamp.type=LogAppendTime), so
 * ages are compared on one clock, never between hosts.
 */
import { type GatewayMode, isGatewayMode } from "../mode.ts";

export interface ControlRecord {
  readonly offset: number;
  readonly key: string;
  /** Undefined for a tombstone. */
  readonly value: Uint8Array | undefined;
  readonly timestampMs: number;
}

export interface ModeProposal {
  readonly mode: GatewayMode;
  readonly basedOn: number;
  readonly proposal: string;
  /** Who asked, in words (host, pid), for messages about races. */
  readonly by: string;
}

export interface Heartbeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The client URL, once the gateway listens. */
  readonly url: string | undefined;
  /** The decided epoch this gateway applied. */
  readonly epoch: number;
  readonly mode: GatewayMode;
  /** Whether its writes started under earlier modes had finished when it applied `epoch`. */
  readonly drained: boolean;
  readonly since: string;
}

export interface Member {
  readonly beat: Heartbeat;
  readonly offset: number;
  readonly timestampMs: number;
}

export interface Decision {
  readonly epoch: number;
  readonly mode: GatewayMode;
  readonly by: string;
  readonly offset: number;
  readonly timestampMs: number;
}

export const modeKey = (proposal: string): string => `mode/${proposal}`;
export const memberKey = (id: string): string => `member/${id}`;

export function encodeControl(value: ModeProposal | Heartbeat): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export class ControlView {
  /** The last decided switch; undefined before any (the mode is then `capture`, the first start's). */
  decision: Decision | undefined;
  readonly members = new Map<string, Member>();
  /** Each proposal seen: the epoch it was decided as, or undefined when it lost. */
  readonly proposals = new Map<string, number | undefined>();
  /** The offset after the last record folded in. */
  next = 0;
  /** The newest broker timestamp seen, and when (this process's monotonic clock) it was seen. */
  brokerTimeMs = 0;
  #seenAt = 0;

  get epoch(): number {
    return this.decision?.epoch ?? 0;
  }

  get mode(): GatewayMode {
    return this.decision?.mode ?? "capture";
  }

  /** The broker's clock now, estimated from the newest record and the local time elapsed since. */
  brokerNow(): number {
    return this.brokerTimeMs + (performance.now() - this.#seenAt);
  }

  apply(record: ControlRecord): void {
    this.next = Math.max(this.next, record.offset + 1);
    if (record.timestampMs >= this.brokerTimeMs) {
      this.brokerTimeMs = record.timestampMs;
      this.#seenAt = performance.now();
    }
    if (record.key.startsWith("member/")) {
      const id = record.key.slice("member/".length);
      const beat = record.value === undefined ? undefined : parse(record.value);
      if (beat === undefined || !isHeartbeat(beat)) this.members.delete(id);
      else this.members.set(id, { beat, offset: record.offset, timestampMs: record.timestampMs });
      return;
    }
    if (!record.key.startsWith("mode/") || record.value === undefined) return;
    const proposal = parse(record.value);
    if (!isProposal(proposal) || this.proposals.has(proposal.proposal)) return;
    if (proposal.basedOn !== this.epoch) {
      this.proposals.set(proposal.proposal, undefined);
      return;
    }
    this.decision = {
      epoch: proposal.basedOn + 1,
      mode: proposal.mode,
      by: proposal.by,
      offset: record.offset,
      timestampMs: record.timestampMs,
    };
    this.proposals.set(proposal.proposal, this.decision.epoch);
  }
}

function parse(value: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(value).toString("utf8"));
  } catch {
    // Not ours (someone wrote to the topic by hand): ignored by every reader alike.
    return undefined;
  }
}

function isProposal(v: unknown): v is ModeProposal {
  const p = v as Partial<ModeProposal> | undefined;
  return (
    isGatewayMode(p?.mode) &&
    Number.isSafeInteger(p?.basedOn) &&
    typeof p?.proposal === "string" &&
    typeof p.by === "string"
  );
}

function isHeartbeat(v: unknown): v is Heartbeat {
  const b = v as Partial<Heartbeat> | undefined;
  return (
    typeof b?.id === "string" &&
    Number.isSafeInteger(b.epoch) &&
    isGatewayMode(b.mode) &&
    typeof b.drained === "boolean"
  );
}
