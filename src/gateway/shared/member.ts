/**
 * A gateway's side of the shared mode: it follows the control topic, applies each decided switch
 * (waiting for its writes of earlier modes to drain), and publishes a heartbeat carrying the epoch it
 * applied, which is the switch command's acknowledgement. While it cannot read the topic to its end
 * for `lease`, it fences itself (writes held, then 503) rather than write under a mode that may be
 * stale; once it reads again it applies the decided mode. See docs/gateway.md, "Several gateways".
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { MigrationConfig, SharedModeSettings } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { StateStore } from "../../state/index.ts";
import type { GatewayMode, ModeStore } from "../mode.ts";
import { type ControlTopic, openControlTopic, sharedSettings } from "./control.ts";
import { ControlView, encodeControl, type Heartbeat, memberKey } from "./view.ts";

/** What the member drives: the gateway's own switch (persist, apply, wait for the drain). */
export interface ModeSubject {
  readonly mode: GatewayMode;
  setMode(mode: GatewayMode): Promise<{ readonly drained: boolean }>;
}

const RETRY_MS = 200;

export class SharedModeMember {
  readonly id = `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
  readonly view = new ControlView();
  readonly #control: ControlTopic;
  readonly #settings: SharedModeSettings;
  readonly #logger: Logger;
  readonly #state: StateStore | undefined;
  readonly #since = new Date().toISOString();
  #subject: ModeSubject | undefined;
  #url: string | undefined;
  /** Monotonic time of the last read that reached the topic's end (when that read was sent). */
  #freshAt = 0;
  #applied = 0;
  #drained = true;
  #failedClosed = false;
  /** Set only while this member calls setMode: any other caller's switch is refused by `store`. */
  #applying = false;
  /** Why this member switches: the topic decided it, or the lease lapsed (for the audit event). */
  #why: "decided" | "lease lapsed" = "decided";
  #stopped = false;
  #loop: Promise<void> | undefined;
  /** The reconciling in progress (one at a time), and whether another pass was asked for meanwhile. */
  #reconciling: Promise<void> | undefined;
  #again = false;
  #beating: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];

  private constructor(
    control: ControlTopic,
    settings: SharedModeSettings,
    logger: Logger,
    state?: StateStore,
  ) {
    this.#control = control;
    this.#settings = settings;
    this.#logger = logger.child({ component: "shared-mode", member: this.id });
    this.#state = state;
  }

  /**
   * Opens the control topic, reads it to its end, announces this gateway, and reads past that
   * announcement: any switch decided before it is applied before the first write, and any switch
   * decided after it waits for this gateway's acknowledgement. Fails (the gateway does not start)
   * when the topic cannot be read.
   */
  static async join(
    config: MigrationConfig,
    logger: Logger,
    state?: StateStore,
    /** How the topic is opened; a test passes one it can cut off from Kafka. */
    open: typeof openControlTopic = openControlTopic,
  ): Promise<SharedModeMember> {
    const control = await open(config, "bluegreen-gateway");
    const member = new SharedModeMember(control, sharedSettings(config), logger, state);
    try {
      await member.#catchUp();
      member.#applied = member.view.epoch;
      const at = await member.#beat(member.view.mode);
      while (member.view.next <= at) await member.#catchUp();
      member.#applied = member.view.epoch;
      return member;
    } catch (error) {
      await control.close();
      throw error;
    }
  }

  /** The gateway's ModeStore: the decided mode; a switch not made by this member is refused. */
  get store(): ModeStore {
    return {
      load: () => this.view.mode,
      save: (mode, previous) => {
        if (!this.#applying)
          throw new BluegreenError(
            "BG_GATEWAY_SHARED",
            `This gateway shares its mode with the others through Kafka topic ${this.#control.topic}; one gateway cannot be switched alone.`,
            {
              fix: "Switch every gateway at once: `bluegreen gateway mode MODE -c FILE` (it writes the switch to the topic and waits for each gateway).",
            },
          );
        this.#state?.appendEvent({
          step: "gateway",
          type: "gateway.mode",
          data: {
            from: previous,
            to: mode,
            epoch: this.view.epoch,
            shared: this.#control.topic,
            why: this.#why,
          },
        });
      },
    };
  }

  /** Starts following the topic and heart-beating for `gateway` (already built with `store`). */
  attach(subject: ModeSubject): void {
    this.#subject = subject;
    this.#loop = this.#follow();
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    // The lease is checked on its own timer: a read hanging on a dead broker must not delay the fence.
    every(Math.max(10, Math.floor(this.#settings.leaseMs / 10)), () => this.#checkLease());
    // Beats go on while a switch waits for its drain: the gateway is alive, just not done yet.
    every(this.#settings.heartbeatMs, () => void this.#heartbeat());
  }

  /** The URL clients reach this gateway at, carried in its heartbeats from now on. */
  listening(url: string): void {
    this.#url = url;
    void this.#heartbeat();
  }

  get failedClosed(): boolean {
    return this.#failedClosed;
  }

  /** Stops following and says goodbye (a tombstone): call after the gateway drained its writes. */
  async leave(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#loop;
    await this.#reconciling;
    await this.#beating;
    await this.#control.publish(memberKey(this.id), undefined).catch((error: unknown) => {
      // Then the others leave it out of switches once it has been silent for memberTimeout.
      this.#logger.warn(
        { err: (error as Error).message },
        "could not announce the stop on the control topic",
      );
    });
    await this.#control.close();
  }

  async #catchUp(): Promise<void> {
    const sent = performance.now();
    const { records, highWatermark } = await this.#control.read(this.view.next, this.#settings.heartbeatMs);
    for (const record of records) this.view.apply(record);
    if (this.view.next >= highWatermark) this.#freshAt = sent;
  }

  async #follow(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#catchUp();
      } catch (error) {
        this.#logger.warn({ err: (error as Error).message }, "control topic read failed; retrying");
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      if (this.#fresh() && (this.#failedClosed || this.#applied !== this.view.epoch || !this.#drained))
        this.#kick();
    }
  }

  #kick(): void {
    if (this.#reconciling !== undefined) {
      this.#again = true;
      return;
    }
    this.#reconciling = (async () => {
      do {
        this.#again = false;
        await this.#reconcile().catch((error: unknown) => {
          this.#logger.error({ err: (error as Error).message }, "applying the shared mode failed");
        });
      } while (this.#again && !this.#stopped);
      this.#reconciling = undefined;
    })();
  }

  #fresh(): boolean {
    return performance.now() - this.#freshAt < this.#settings.leaseMs;
  }

  #checkLease(): void {
    if (this.#stopped || this.#failedClosed || this.#fresh()) return;
    this.#failedClosed = true;
    this.#logger.error(
      { topic: this.#control.topic, leaseMs: this.#settings.leaseMs },
      "cannot read the shared mode's control topic: refusing writes (fenced) until it can",
    );
    void this.#switch("fenced", "lease lapsed");
  }

  /** Applies the decided mode, then acknowledges it. Runs one at a time (see #kick). */
  async #reconcile(): Promise<void> {
    if (!this.#fresh()) return;
    const epoch = this.view.epoch;
    const mode = this.view.mode;
    const { drained } = await this.#switch(mode, "decided");
    if (this.view.epoch !== epoch || !this.#fresh()) return;
    if (this.#failedClosed) this.#logger.info({ mode, epoch }, "control topic readable again; mode applied");
    this.#failedClosed = false;
    this.#applied = epoch;
    this.#drained = drained;
    await this.#heartbeat();
  }

  #switch(mode: GatewayMode, why: "decided" | "lease lapsed"): Promise<{ readonly drained: boolean }> {
    const subject = this.#subject as ModeSubject;
    this.#why = why;
    this.#applying = true;
    try {
      // setMode saves (through `store`) before its first await, so the flag covers exactly that call.
      return subject.setMode(mode);
    } finally {
      this.#applying = false;
    }
  }

  /** Beats only while fresh: a gateway that cannot read the topic must look silent to a switch. */
  async #heartbeat(): Promise<void> {
    if (this.#stopped || this.#failedClosed || !this.#fresh()) return;
    await this.#beating;
    const beating = this.#beat(this.#subject?.mode ?? this.view.mode).then(
      () => undefined,
      (error: unknown) => {
        this.#logger.warn({ err: (error as Error).message }, "heartbeat not published");
      },
    );
    this.#beating = beating;
    await beating;
  }

  #beat(mode: GatewayMode): Promise<number> {
    const beat: Heartbeat = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      url: this.#url,
      epoch: this.#applied,
      mode,
      drained: this.#drained,
      since: this.#since,
    };
    return this.#control.publish(memberKey(this.id), encodeControl(beat));
  }
}
