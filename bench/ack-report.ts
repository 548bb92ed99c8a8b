/**
 * What `bench ack` prints and writes: the latency table, the gateway-to-bare ratios, the
 * targets with a plain PASS or MISS, the saturation ladder, and the raw JSON.
 */
import { type SaturationResult, type ScenarioResult, SUSTAINED } from './ack-latency.ts';

/** The gateway's ACK budget: absolute, and relative to the start it wraps. */
export const TARGETS = { p99Ms: 25, overBareP99: 0.15 } as const;

export interface TargetCheck {
  name: string;
  measured: string;
  pass: boolean;
}

export interface AckVerdict {
  p50Ratio: number;
  p99Ratio: number;
  targets: TargetCheck[];
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');

export function judge(bare: ScenarioResult, gateway: ScenarioResult): AckVerdict {
  const p50Ratio = gateway.latency.p50 / bare.latency.p50;
  const p99Ratio = gateway.latency.p99 / bare.latency.p99;
  const over = p99Ratio - 1;
  return {
    p50Ratio,
    p99Ratio,
    targets: [
      {
        name: `gateway ACK p99 ≤ ${TARGETS.p99Ms} ms`,
        measured: `${ms(gateway.latency.p99)} ms`,
        pass: gateway.errors === 0 && gateway.latency.p99 <= TARGETS.p99Ms,
      },
      {
        name: `gateway ACK p99 ≤ ${TARGETS.overBareP99 * 100}% above bare start p99`,
        measured: `${over >= 0 ? '+' : ''}${(over * 100).toFixed(1)}%`,
        pass: gateway.errors === 0 && over <= TARGETS.overBareP99,
      },
    ],
  };
}

const COLUMNS = ['scenario', 'requests', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];

function row(cells: string[]): string {
  return cells.map((cell, index) => (index === 0 ? cell.padEnd(12) : cell.padStart(9))).join('');
}

export function latencyTable(results: ScenarioResult[]): string[] {
  const lines = [row([...COLUMNS, 'rate/s', 'lag p99', 'loop p99'])];
  for (const result of results) {
    const { latency, lag } = result;
    lines.push(
      row([
        result.name,
        String(result.requests),
        String(result.errors),
        ms(latency.p50),
        ms(latency.p90),
        ms(latency.p99),
        ms(latency.max),
        result.achievedRate.toFixed(1),
        ms(lag.p99),
        ms(result.loopDelay.p99),
      ]),
    );
  }
  return lines;
}

export function verdictLines(verdict: AckVerdict): string[] {
  return [
    `gateway / bare: p50 ×${verdict.p50Ratio.toFixed(2)}, p99 ×${verdict.p99Ratio.toFixed(2)}`,
    ...verdict.targets.map(
      (target) => `${target.pass ? 'PASS' : 'MISS'}  ${target.name}: ${target.measured}`,
    ),
  ];
}

/** Failures by what came back, e.g. "gateway ACK: 503 ×3". */
export function errorLines(results: ScenarioResult[]): string[] {
  return results.flatMap((result) => {
    const failed = Object.entries(result.outcomes).filter(
      ([label]) => !/^(200|started)$/.test(label),
    );
    return failed.length === 0
      ? []
      : [`${result.name}: ${failed.map(([label, n]) => `${label} ×${n}`).join(', ')}`];
  });
}

export function saturationLines(saturation: SaturationResult): string[] {
  const lines = [row(['target/s', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'rate/s'])];
  for (const step of saturation.steps) {
    const { result } = step;
    lines.push(
      `${row([
        String(step.rate),
        String(result.requests),
        String(result.errors),
        ms(result.latency.p50),
        ms(result.latency.p99),
        ms(result.latency.max),
        result.achievedRate.toFixed(1),
      ])}  ${step.sustained ? 'ok' : step.reasons.join(', ')}`,
    );
  }
  const last = saturation.steps.at(-1);
  const bound = last && !last.sustained ? '' : ' (the ladder ended before the gateway failed)';
  lines.push(
    `highest sustained gateway rate: ${saturation.highestSustainedRate}/s ` +
      `(no errors, p99 ≤ ${SUSTAINED.maxP99Ms} ms, ` +
      `≥ ${SUSTAINED.minAchievedShare * 100}% of the rate answered)${bound}`,
  );
  return lines;
}

/** A scenario for the JSON file: the summary, and the raw samples rounded to microseconds. */
export function rawScenario(result: ScenarioResult) {
  const micro = (value: number) => Math.round(value * 1000) / 1000;
  const { samples, ...summary } = result;
  return {
    ...summary,
    latenciesMs: samples.map((sample) => micro(sample.latencyMs)),
    lagsMs: samples.map((sample) => micro(sample.lagMs)),
    labels: samples.map((sample) => sample.label),
  };
}

export interface AckRun {
  bare: ScenarioResult;
  gateway: ScenarioResult;
  saturation?: SaturationResult;
  storage: string;
  storageBytes: number;
  /** Started tasks by workflow status at the end of the run. */
  tasks: Record<string, number>;
}

/** Everything `bench ack` prints after the run. */
export function reportLines(run: AckRun): string[] {
  const results = [run.bare, run.gateway];
  const lines = [
    ...latencyTable(results),
    ...errorLines(results),
    ...verdictLines(judge(run.bare, run.gateway)),
  ];
  if (run.saturation) lines.push('', ...saturationLines(run.saturation));
  const tasks = Object.entries(run.tasks).map(([status, count]) => `${count} ${status}`);
  lines.push(`started tasks by state: ${tasks.join(', ') || 'none'}`);
  const mib = (run.storageBytes / 2 ** 20).toFixed(1);
  lines.push(`storage: ${run.storage}${run.storageBytes ? `, ${mib} MiB after the run` : ''}`);
  return lines;
}

/** The `--json` file: context, summaries, verdict and every sample. */
export function reportJson(run: AckRun, context: Record<string, unknown>) {
  return {
    ...context,
    storage: run.storage,
    storageBytes: run.storageBytes,
    tasks: run.tasks,
    comparison: { bare: rawScenario(run.bare), gateway: rawScenario(run.gateway) },
    verdict: judge(run.bare, run.gateway),
    saturation: run.saturation && {
      highestSustainedRate: run.saturation.highestSustainedRate,
      steps: run.saturation.steps.map((step) => ({ ...step, result: rawScenario(step.result) })),
    },
  };
}
