/**
 * Latency percentiles by the nearest-rank method: every percentile is a value that was
 * actually observed, never a blend of two, so "p99 = 12.3 ms" means a request took that long.
 */

/** The p-th percentile (0 ≤ p ≤ 100) of values sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is within 0..100; got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  // p * n before dividing keeps integer ranks exact (0.07 * 100 is 7.000000000000001).
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Count, mean and the percentiles a latency table shows; NaN figures for no values. */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
