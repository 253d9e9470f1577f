import { hostname } from "node:os";

/** A process that recorded itself in the state file (a gateway, a backfill holding replay). */
export interface ProcessRef {
  readonly pid: number;
  readonly host: string;
}

export function thisProcess(): ProcessRef {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether a recorded process still runs: known only on its own host (a state file is local, so that
 * is the usual case); undefined elsewhere. A record outlives a kill -9, so readers must ask this
 * rather than trust the record.
 */
export function processAlive(ref: ProcessRef): boolean | undefined {
  if (ref.host !== hostname()) return undefined;
  try {
    process.kill(ref.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `pid 123` here, `pid 123 on host-b` elsewhere. */
export function describeProcess(ref: ProcessRef): string {
  return ref.host === hostname() ? `pid ${ref.pid}` : `pid ${ref.pid} on ${ref.host}`;
}
