/**
 * Upgrade signals: the window's second half compared with its first. Each check says whether
 * it fired, with the figures that decided it, so a reader can judge the evidence rather than
 * trust a verdict.
 */
import { summarize } from '../../bench/percentiles.ts';
import { peakConcurrency } from './concurrency.ts';
import type { DeliveryLine } from './logs.ts';
import { ackTimes } from './stats.ts';
import type { TaskRecord } from './tasks.ts';
import { halfOf, halves, type ReportWindow } from './window.ts';

/** A curve counts as rising when its second-half figure is more than 50% above the first. */
export const RISE = 1.5;
/** Fewer samples than this in either half and a comparison says nothing. */
export const MIN_SAMPLES = 3;
/** A share must also grow by this much (5 points), so one retry among few does not fire. */
export const MIN_SHARE_STEP = 0.05;

export type SignalStatus = 'signal' | 'no signal' | 'not enough data';

export interface Signal {
  check: 'queue wait rising' | 'retries rising' | 'ACK time rising';
  /** `all`, or the task queue a queue-wait check looked at. */
  scope: string;
  status: SignalStatus;
  /** What it means, in one sentence. */
  finding: string;
  evidence: string;
  /** What to do about it, when it fired. */
  action?: string;
}

/** Activity slots per queue (all its workers together); `*` applies to every queue. */
export type WorkerSlots = Record<string, number>;

const ms = (value: number) => `${Math.round(value)} ms`;
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const change = (before: number, after: number) =>
  before > 0 ? ` (${after >= before ? '+' : ''}${Math.round((after / before - 1) * 100)}%)` : '';

function split<T>(window: ReportWindow, items: T[], timeOf: (item: T) => number | undefined) {
  const parts: [T[], T[]] = [[], []];
  for (const item of items) {
    const half = halfOf(window, timeOf(item));
    if (half !== undefined) parts[half].push(item);
  }
  return parts;
}

export function queueWaitSignal(
  scope: string,
  tasks: TaskRecord[],
  window: ReportWindow,
  slots: number | undefined,
): Signal {
  const check = 'queue wait rising';
  const measured = tasks.filter((task) => task.queueWaitMs !== undefined);
  const [first, second] = split(window, measured, (task) => task.startedAt);
  if (first.length < MIN_SAMPLES || second.length < MIN_SAMPLES) {
    const evidence = `${first.length} and ${second.length} measured starts in the two halves`;
    return { check, scope, status: 'not enough data', finding: 'cannot tell', evidence };
  }
  const before = summarize(first.map((task) => task.queueWaitMs as number)).p50;
  const after = summarize(second.map((task) => task.queueWaitMs as number)).p50;
  const { peak, unknownEnd } = peakConcurrency(tasks, halves(window)[1]);
  const evidence =
    `p50 queue wait ${ms(before)} → ${ms(after)}${change(before, after)}; ` +
    `at most ${peak} running at once in the second half` +
    (unknownEnd ? ` (${unknownEnd} started tasks with no known end left out)` : '') +
    `; worker slots ${slots === undefined ? 'unknown (pass --worker-slots)' : slots}`;
  if (!(after > before * RISE)) {
    return { check, scope, status: 'no signal', finding: 'queue wait steady', evidence };
  }
  if (slots === undefined) {
    const finding =
      'queue wait is rising; without --worker-slots the report cannot tell idle workers ' +
      'from busy ones';
    return { check, scope, status: 'signal', finding, evidence };
  }
  if (peak >= slots) {
    const finding = 'queue wait is rising with every worker slot in use: workers are the limit';
    const action = 'scale this queue’s workers (replicas or WORKER_*_CONCURRENCY)';
    return { check, scope, status: 'signal', finding, evidence, action };
  }
  const finding = 'queue wait is rising while workers sit idle: workers are not the limit';
  const action =
    'do not add workers: check the LLM provider’s rate limits (llm_rate_limited), then ' +
    'the Temporal server (move to a cluster, docs/beyond-one-machine.md)';
  return { check, scope, status: 'signal', finding, evidence, action };
}

/** Redeliveries (`retryCount` > 0) as a share of deliveries, first half against second. */
export function retrySignal(
  items: { time?: number; retryCount?: number }[],
  window: ReportWindow,
): Signal {
  const check = 'retries rising';
  const scope = 'all';
  const counted = items.filter((item) => item.retryCount !== undefined);
  const [first, second] = split(window, counted, (item) => item.time);
  if (first.length < MIN_SAMPLES || second.length < MIN_SAMPLES) {
    const evidence = `${first.length} and ${second.length} deliveries in the two halves`;
    return { check, scope, status: 'not enough data', finding: 'cannot tell', evidence };
  }
  const shareOf = (part: typeof counted) =>
    part.filter((item) => (item.retryCount as number) > 0).length / part.length;
  const before = shareOf(first);
  const after = shareOf(second);
  const evidence =
    `redelivered share ${pct(before)} of ${first.length} → ` +
    `${pct(after)} of ${second.length} deliveries`;
  if (!(after > before * RISE && after - before >= MIN_SHARE_STEP)) {
    return { check, scope, status: 'no signal', finding: 'retries steady', evidence };
  }
  const finding = 'QStash is redelivering more: earlier answers were refusals or came too late';
  const action =
    'read the refused outcomes (unavailable, unauthorized, error) and the gateway’s errors';
  return { check, scope, status: 'signal', finding, evidence, action };
}

export function ackSignal(deliveries: DeliveryLine[], window: ReportWindow): Signal {
  const check = 'ACK time rising';
  const [first, second] = split(window, deliveries, (delivery) => delivery.time).map(ackTimes);
  if (!first || !second || first.length < MIN_SAMPLES || second.length < MIN_SAMPLES) {
    const evidence = `${first?.length ?? 0} and ${second?.length ?? 0} accepted deliveries`;
    return { check, scope: 'all', status: 'not enough data', finding: 'cannot tell', evidence };
  }
  const before = summarize(first).p99;
  const after = summarize(second).p99;
  const evidence = `p99 ACK ${ms(before)} → ${ms(after)}${change(before, after)}`;
  if (!(after > before * RISE)) {
    return { check, scope: 'all', status: 'no signal', finding: 'ACK time steady', evidence };
  }
  return {
    check,
    scope: 'all',
    status: 'signal',
    finding: 'slot hold time is rising: Temporal is slow to persist starts, or gateways are busy',
    evidence,
    action:
      'check workflow_start_errors_total{reason="deadline_exceeded"} and the gateways’ ' +
      'event-loop lag (docs/operations.md, "Which signal asks for what")',
  };
}

export function slotsFor(slots: WorkerSlots, queue: string): number | undefined {
  return slots[queue] ?? slots['*'];
}

/**
 * Queue wait per task queue, where workers are deployed; retries and ACK time overall.
 * Retries come from delivery lines, or from the workers' start lines when only those were
 * collected.
 */
export function upgradeSignals(
  tasks: TaskRecord[],
  deliveries: DeliveryLine[],
  window: ReportWindow,
  slots: WorkerSlots,
): Signal[] {
  const queues = [...new Set(tasks.flatMap((task) => task.taskQueue ?? []))].sort();
  const queueChecks = queues.map((queue) =>
    queueWaitSignal(
      queue,
      tasks.filter((task) => task.taskQueue === queue),
      window,
      slotsFor(slots, queue),
    ),
  );
  const retries = deliveries.some((d) => d.retryCount !== undefined)
    ? deliveries
    : tasks.map((task) => ({ time: task.startedAt, retryCount: task.retryCount }));
  return [
    ...(queueChecks.length ? queueChecks : [queueWaitSignal('all', tasks, window, slots['*'])]),
    retrySignal(retries, window),
    ackSignal(deliveries, window),
  ];
}
