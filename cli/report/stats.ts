/**
 * The figures of one group of tasks (everything, one queue, one task type, one model): the
 * three curves, how tasks ended and how deliveries were answered.
 */
import { summarize } from '../../bench/percentiles.ts';
import type { AckOutcome } from '../../gateway/metrics.ts';
import type { DeliveryLine } from './logs.ts';
import type { TaskRecord } from './tasks.ts';
import { type ReportWindow, within } from './window.ts';

/** Milliseconds by nearest rank; null where there was nothing to measure. */
export interface Curve {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface TaskEnds {
  ended: number;
  completed: number;
  failed: number;
  cancelled: number;
  timedOut: number;
  terminated: number;
  /** Failed over ended; null when none ended. */
  errorRate: number | null;
  timeoutRate: number | null;
}

export const OUTCOMES: readonly AckOutcome[] = [
  'accepted',
  'duplicate',
  'unauthorized',
  'too_large',
  'invalid',
  'unavailable',
  'error',
];

export interface DeliveryCounts {
  total: number;
  byOutcome: Record<string, number>;
  duplicateShare: number | null;
  /** Accepted inline: their ACK is the whole task, so they stay out of the ACK curve. */
  inlineAccepted: number;
}

export interface GroupStats {
  key: string;
  queueWait: Curve;
  ack: Curve;
  execution: Curve;
  tasks: TaskEnds;
  deliveries: DeliveryCounts;
}

/** The three curves of DESIGN.md, as fields of a group and as a reader names them. */
export const CURVES = [
  ['queueWait', 'queue wait'],
  ['ack', 'ACK time'],
  ['execution', 'execution time'],
] as const;

export type Dimension = 'taskQueue' | 'taskType' | 'modelId';

const orNull = (value: number) => (Number.isFinite(value) ? value : null);
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function curveOf(values: number[]): Curve {
  const { count, mean, p50, p90, p99 } = summarize(values);
  return { count, mean: orNull(mean), p50: orNull(p50), p90: orNull(p90), p99: orNull(p99) };
}

/** ACK times of accepted durable deliveries: how long each held a QStash slot. */
export function ackTimes(deliveries: DeliveryLine[]): number[] {
  return deliveries
    .filter((d) => d.outcome === 'accepted' && d.mode !== 'inline' && d.ackMs !== undefined)
    .map((d) => d.ackMs as number);
}

function taskEnds(tasks: TaskRecord[]): TaskEnds {
  const count = (state: string) => tasks.filter((task) => task.state === state).length;
  const ended = tasks.length;
  const failed = count('failed');
  const timedOut = count('timed_out');
  return {
    ended,
    completed: count('completed'),
    failed,
    cancelled: count('cancelled'),
    timedOut,
    terminated: count('terminated'),
    errorRate: share(failed, ended),
    timeoutRate: share(timedOut, ended),
  };
}

function deliveryCounts(deliveries: DeliveryLine[]): DeliveryCounts {
  const byOutcome: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const { outcome } of deliveries) byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  return {
    total: deliveries.length,
    byOutcome,
    duplicateShare: share(byOutcome.duplicate ?? 0, deliveries.length),
    inlineAccepted: deliveries.filter((d) => d.outcome === 'accepted' && d.mode === 'inline')
      .length,
  };
}

/**
 * A group's figures in the window: queue wait counts where the task started, execution
 * time and end states where it ended, and each delivery where it was answered.
 */
export function groupStats(
  key: string,
  tasks: TaskRecord[],
  deliveries: DeliveryLine[],
  window: ReportWindow,
): GroupStats {
  const started = tasks.filter((task) => within(window, task.startedAt));
  const ended = tasks.filter((task) => task.state && within(window, task.endedAt));
  const answered = deliveries.filter((d) => within(window, d.time));
  return {
    key,
    queueWait: curveOf(started.flatMap((task) => task.queueWaitMs ?? [])),
    ack: curveOf(ackTimes(answered)),
    execution: curveOf(ended.flatMap((task) => task.executionMs ?? [])),
    tasks: taskEnds(ended),
    deliveries: deliveryCounts(answered),
  };
}

/**
 * One group per value of the dimension, sorted by name. Deliveries refused before routing
 * (unauthorized, invalid, too large) have no queue, type or model and appear only in the
 * overall figures.
 */
export function groupsBy(
  dimension: Dimension,
  tasks: TaskRecord[],
  deliveries: DeliveryLine[],
  window: ReportWindow,
): GroupStats[] {
  const keys = new Set<string>();
  for (const item of [...tasks, ...deliveries]) if (item[dimension]) keys.add(item[dimension]);
  return [...keys].sort().map((key) =>
    groupStats(
      key,
      tasks.filter((task) => task[dimension] === key),
      deliveries.filter((delivery) => delivery[dimension] === key),
      window,
    ),
  );
}
