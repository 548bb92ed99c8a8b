/**
 * `bench ack`'s procedure. The comparison runs the bare start and the gateway in alternating
 * segments (A B, B A, A B, …) after a discarded warm-up, so drift over the run (the SQLite
 * file growing, the JIT warming) falls on both alike; each segment may first settle, so that
 * neither inherits the other's unfinished tasks. The saturation ladder raises the gateway's
 * rate step by step until it stops keeping up.
 */
import { randomUUID } from 'node:crypto';
import type { Scenario } from './ack-scenarios.ts';
import { type OpenLoopResult, runOpenLoop, type Sample } from './open-loop.ts';
import { type LatencySummary, summarize } from './percentiles.ts';

export interface ScenarioResult {
  name: string;
  requests: number;
  errors: number;
  /** Answers by label: "200", "started", "503", "TimeoutError"… */
  outcomes: Record<string, number>;
  latency: LatencySummary;
  lag: LatencySummary;
  /** Successful answers per second of the segments' wall time (see OpenLoopResult). */
  achievedRate: number;
  maxInFlight: number;
  /** This process's event-loop delay in ms: the worst segment's p99, and the longest. */
  loopDelay: { p99: number; max: number };
  samples: Sample[];
}

export interface ComparisonOptions {
  rate: number;
  durationS: number;
  warmupS: number;
  /** Segments per scenario; the measured time is split evenly between them. */
  rounds: number;
  timeoutMs: number;
  log?: (line: string) => void;
  /** Runs before every segment, to let the tasks earlier segments started finish. */
  settle?: () => Promise<void>;
}

const runId = () => randomUUID().slice(0, 8);

async function runSegment(
  scenario: Scenario,
  segment: string,
  rate: number,
  seconds: number,
  timeoutMs: number,
): Promise<OpenLoopResult> {
  const count = Math.round(rate * seconds);
  const send = scenario.prepare(segment, count);
  return runOpenLoop({ rate, durationMs: seconds * 1000, timeoutMs, send });
}

/** Pools a scenario's segments into one result. */
export function combine(name: string, runs: OpenLoopResult[]): ScenarioResult {
  const samples = runs.flatMap((run) => run.samples);
  const outcomes: Record<string, number> = {};
  for (const sample of samples) outcomes[sample.label] = (outcomes[sample.label] ?? 0) + 1;
  const ok = samples.filter((sample) => sample.ok);
  const wallMs = runs.reduce((sum, run) => sum + run.wallMs, 0);
  return {
    name,
    requests: samples.length,
    errors: samples.length - ok.length,
    outcomes,
    // Failed requests count as errors, not as latencies: a fast 503 is not a fast ACK.
    latency: summarize(ok.map((sample) => sample.latencyMs)),
    lag: summarize(samples.map((sample) => sample.lagMs)),
    achievedRate: wallMs > 0 ? ok.length / (wallMs / 1000) : 0,
    maxInFlight: Math.max(0, ...runs.map((run) => run.maxInFlight)),
    loopDelay: {
      p99: Math.max(0, ...runs.map((run) => run.loopDelayMs.p99)),
      max: Math.max(0, ...runs.map((run) => run.loopDelayMs.max)),
    },
    samples,
  };
}

export async function compareAck(
  bare: Scenario,
  gateway: Scenario,
  options: ComparisonOptions,
): Promise<{ bare: ScenarioResult; gateway: ScenarioResult }> {
  const log = options.log ?? (() => undefined);
  const id = runId();
  const segmentS = options.durationS / options.rounds;
  const { rate, timeoutMs } = options;
  const run = async (scenario: Scenario, segment: string, seconds: number) => {
    await options.settle?.();
    return runSegment(scenario, `bench-${id}-${segment}`, rate, seconds, timeoutMs);
  };

  if (options.warmupS > 0) {
    log(`warm-up: ${options.warmupS} s of each at ${options.rate}/s (discarded)`);
    await run(bare, 'warm-a', options.warmupS);
    await run(gateway, 'warm-b', options.warmupS);
  }

  const runs = new Map<Scenario, OpenLoopResult[]>([
    [bare, []],
    [gateway, []],
  ]);
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? [bare, gateway] : [gateway, bare];
    for (const scenario of order) {
      const tag = scenario === bare ? 'a' : 'b';
      const result = await run(scenario, `${tag}${round}`, segmentS);
      runs.get(scenario)?.push(result);
      const summary = combine(scenario.name, [result]);
      log(
        `round ${round + 1}/${options.rounds} ${scenario.name}: ${summary.requests} sent, ` +
          `p50 ${summary.latency.p50.toFixed(2)} ms, p99 ${summary.latency.p99.toFixed(2)} ms`,
      );
    }
  }
  return {
    bare: combine(bare.name, runs.get(bare) ?? []),
    gateway: combine(gateway.name, runs.get(gateway) ?? []),
  };
}

/** When a saturation step counts as sustained: besides having no errors. */
export const SUSTAINED = { maxP99Ms: 100, minAchievedShare: 0.95 } as const;

export interface SaturationOptions {
  rates: number[];
  stepS: number;
  /** A step whose p99 exceeds this is not sustained. */
  maxP99Ms: number;
  /** A step must deliver this share of its rate as successful answers. */
  minAchievedShare: number;
  timeoutMs: number;
  log?: (line: string) => void;
  /** Runs before every step. */
  settle?: () => Promise<void>;
}

export interface SaturationStep {
  rate: number;
  result: ScenarioResult;
  sustained: boolean;
  /** Why the step was not sustained; empty when it was. */
  reasons: string[];
}

export interface SaturationResult {
  steps: SaturationStep[];
  /** The highest rate sustained before the first step that was not; 0 if none was. */
  highestSustainedRate: number;
}

export async function saturate(
  scenario: Scenario,
  options: SaturationOptions,
): Promise<SaturationResult> {
  const log = options.log ?? (() => undefined);
  const id = runId();
  const steps: SaturationStep[] = [];
  let highestSustainedRate = 0;

  for (const rate of options.rates) {
    const segment = `bench-${id}-s${rate}`;
    await options.settle?.();
    const run = await runSegment(scenario, segment, rate, options.stepS, options.timeoutMs);
    const result = combine(scenario.name, [run]);
    const reasons: string[] = [];
    if (result.errors > 0) reasons.push(`${result.errors} errors`);
    if (!(result.latency.p99 <= options.maxP99Ms)) {
      reasons.push(`p99 ${result.latency.p99.toFixed(2)} ms > ${options.maxP99Ms} ms`);
    }
    if (result.achievedRate < rate * options.minAchievedShare) {
      reasons.push(`achieved ${result.achievedRate.toFixed(1)}/s`);
    }
    steps.push({ rate, result, sustained: reasons.length === 0, reasons });
    log(
      `saturation ${rate}/s: p50 ${result.latency.p50.toFixed(2)} ms, ` +
        `p99 ${result.latency.p99.toFixed(2)} ms, errors ${result.errors}, ` +
        `achieved ${result.achievedRate.toFixed(1)}/s${reasons.length ? ' — stop' : ''}`,
    );
    if (reasons.length > 0) break;
    highestSustainedRate = rate;
  }
  return { steps, highestSustainedRate };
}

/**
 * 50, 100, 200, then every 100 up to the cap; with 10 to 40 first, because a small machine
 * running the whole stack may not sustain 50.
 */
export function saturationRates(maxRate: number): number[] {
  const rates = [10, 20, 30, 40, 50, 100];
  for (let rate = 200; rate <= maxRate; rate += 100) rates.push(rate);
  return rates.filter((rate) => rate <= maxRate);
}
