import { describe, expect, it } from 'vitest';
import { saturationRates, type ScenarioResult } from './ack-latency.ts';
import { judge } from './ack-report.ts';
import { summarize } from './percentiles.ts';

function result(name: string, latencies: number[], errors = 0): ScenarioResult {
  return {
    name,
    requests: latencies.length + errors,
    errors,
    outcomes: {},
    latency: summarize(latencies),
    lag: summarize([0]),
    achievedRate: 50,
    maxInFlight: 1,
    loopDelay: { p99: 1, max: 1 },
    samples: [],
  };
}

describe('judge', () => {
  it('passes a gateway within 25 ms and within 15% of the bare start', () => {
    const verdict = judge(result('bare', [5, 10]), result('gateway', [5.5, 11]));
    expect(verdict.p99Ratio).toBeCloseTo(1.1);
    expect(verdict.targets.map((target) => target.pass)).toEqual([true, true]);
    expect(verdict.targets[1]?.measured).toBe('+10.0%');
  });

  it('misses each target on its own terms, and both when a request failed', () => {
    expect(judge(result('bare', [30]), result('gateway', [31])).targets[0]?.pass).toBe(false);
    expect(judge(result('bare', [4]), result('gateway', [5])).targets[1]?.pass).toBe(false);
    const failed = judge(result('bare', [4]), result('gateway', [4], 1));
    expect(failed.targets.map((target) => target.pass)).toEqual([false, false]);
  });
});

describe('saturationRates', () => {
  it('climbs by tens to 50, then 100, then by hundreds up to the cap', () => {
    expect(saturationRates(450)).toEqual([10, 20, 30, 40, 50, 100, 200, 300, 400]);
    expect(saturationRates(50)).toEqual([10, 20, 30, 40, 50]);
  });
});
