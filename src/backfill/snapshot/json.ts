/** Reading loosely typed cluster responses without a cast at every step. */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function num(value: unknown): number {
  const parsed = typeof value === "string" ? Number(value) : value;
  return typeof parsed === "number" && Number.isFinite(parsed) ? parsed : 0;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export const BACKFILL_STEP = "backfill";
