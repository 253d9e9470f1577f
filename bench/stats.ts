/** Figures the benchmarks print: one number, one median, one ratio taken round by round. */

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The median of per-round ratios, with their range: "0.61× (0.55–0.70)". The paths of one round ran
 * minutes apart at most, rounds further, so each round's pair holds up better than a ratio of medians.
 */
export function ratio(perRound: readonly number[]): string {
  const finite = perRound.filter(Number.isFinite);
  if (finite.length === 0) return "n/a";
  return `${fmt(median(finite))}× (${fmt(Math.min(...finite))}–${fmt(Math.max(...finite))})`;
}
