/**
 * End to end behind QStash's parallelism limit: the same batch of LLM tasks of a few seconds
 * each, published at a fixed arrival rate (or all at once) and delivered through a simulator
 * that keeps at most N deliveries awaiting an answer. An endpoint that answers only when the
 * work is done (inline mode) caps throughput at N ÷ task time; one that answers once the task
 * is durable holds each slot for milliseconds and leaves the limit to its workers.
 *
 * Each contestant is measured alike: the slot hold time of every delivery attempt, tasks per
 * second from the first publish to the last task finished (the makespan rate), and the steady
 * rate: tasks finished per second between the 10th and the 90th percentile finish times, which
 * leaves out the pipeline filling at the start and draining at the end.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LatencySummary, percentile, summarize } from './percentiles.ts';
import { type DeliveryRecord, QstashSim } from './qstash-sim.ts';

export interface E2eLoad {
  /** QStash's parallelism: deliveries awaiting an answer at once. */
  parallelism: number;
  /** How long each task's LLM generation streams. */
  taskSeconds: number;
  /** The mock's pace for these tasks; tokens per task follow from it. */
  tokensPerSecond: number;
  /** Messages published per second, evenly spaced; 0 publishes the whole batch at once. */
  arrivalsPerSecond: number;
}

export interface Contestant {
  name: string;
  /** Where deliveries go, and the URL their signatures name. */
  url: string;
  signedUrl: string;
  signingKey: string;
  /**
   * When each task finished (epoch ms), polled until all have or the deadline passes.
   * Undefined means the answer itself was the end (inline: it carries the result).
   */
  finishedAt?: (taskIds: string[], deadline: number) => Promise<Map<string, number>>;
}

export interface E2eResult {
  name: string;
  tasks: number;
  finished: number;
  deadLettered: number;
  attempts: number;
  /** Attempts answered with anything but a 2xx, or not answered. */
  failedAttempts: number;
  /** Attempts by HTTP status, or by error name where no answer came. */
  answers: Record<string, number>;
  makespanS: number;
  /** Finished tasks over the makespan, from the first publish to the last finish. */
  tasksPerSecond: number;
  /** Finished tasks per second between the 10th and the 90th percentile finish times. */
  steadyTasksPerSecond: number;
  /** Slot hold per attempt, in ms: from the send until its answer arrived. */
  holdMs: LatencySummary;
  maxInFlight: number;
}

/** Prompt of one task: unique, so outputs differ, and paced to last `taskSeconds`. */
export function taskPrompt(taskId: string, load: E2eLoad): string {
  const tokens = Math.max(1, Math.round(load.taskSeconds * load.tokensPerSecond));
  const pace = `[[mock:tokens=${tokens}]] [[mock:tps=${load.tokensPerSecond}]]`;
  return `Draft a cover letter for ${taskId}. ${pace}`;
}

export async function runE2e(
  contestant: Contestant,
  load: E2eLoad,
  tasks: number,
  timeoutMs: number,
): Promise<E2eResult> {
  const run = randomUUID().slice(0, 8);
  const sim = new QstashSim({
    url: contestant.url,
    signedUrl: contestant.signedUrl,
    signingKey: contestant.signingKey,
    parallelism: load.parallelism,
    maxRetries: 3,
    backoffScale: 100,
    timeoutMs,
  });
  const taskIds = Array.from({ length: tasks }, (_, i) => `e2e-${contestant.name}-${run}-${i}`);
  const t0 = Date.now();
  const records: DeliveryRecord[] = [];
  for (const [index, taskId] of taskIds.entries()) {
    // Open loop: each message is due at its own time, however the endpoint keeps up.
    const dueAt = load.arrivalsPerSecond > 0 ? t0 + (index * 1000) / load.arrivalsPerSecond : t0;
    if (dueAt > Date.now()) await sleep(dueAt - Date.now());
    const body = JSON.stringify({
      version: 1,
      taskId,
      type: 'llm.generate',
      input: { prompt: taskPrompt(taskId, load) },
      enqueuedAt: new Date().toISOString(),
    });
    records.push(sim.publish(body));
  }
  const deadline = t0 + timeoutMs;
  await Promise.race([sim.idle(), sleep(Math.max(0, deadline - Date.now()))]);
  sim.close();

  const delivered = taskIds.filter((_, i) => records[i]?.outcome === 'delivered');
  const finishedAt = contestant.finishedAt
    ? await contestant.finishedAt(delivered, deadline)
    : new Map(delivered.map((id, i) => [id, records[i]?.settledAt ?? Number.NaN]));
  const ends = [...finishedAt.values()].filter(Number.isFinite);
  const makespanS = ends.length ? (Math.max(...ends) - t0) / 1000 : Number.NaN;
  const attempts = records.flatMap((record) => record.attempts);
  const failed = attempts.filter((a) => typeof a.status !== 'number' || a.status >= 300);
  const answers: Record<string, number> = {};
  for (const { status } of attempts) answers[status] = (answers[status] ?? 0) + 1;
  return {
    name: contestant.name,
    tasks,
    finished: ends.length,
    deadLettered: sim.deadLetters.length,
    attempts: attempts.length,
    failedAttempts: failed.length,
    answers,
    makespanS,
    tasksPerSecond: ends.length / makespanS,
    steadyTasksPerSecond: steadyRate(ends),
    holdMs: summarize(attempts.map((attempt) => attempt.holdMs)),
    maxInFlight: sim.maxInFlight,
  };
}

/**
 * Tasks finished per second once the pipeline is full and before it drains: those finished
 * after the 10th percentile finish time and by the 90th, over the time between the two.
 * Counting by time rather than by rank keeps an endpoint that finishes in waves of N (inline)
 * at its true N ÷ task time.
 */
export function steadyRate(finishTimes: readonly number[]): number {
  const sorted = [...finishTimes].sort((a, b) => a - b);
  const from = percentile(sorted, 10);
  const to = percentile(sorted, 90);
  const count = sorted.filter((time) => time > from && time <= to).length;
  return to > from ? count / ((to - from) / 1000) : Number.NaN;
}

/** Polls `read` until every id has a finish time or the deadline passes. */
export async function pollFinished(
  taskIds: string[],
  deadline: number,
  read: (pending: Set<string>) => Promise<Map<string, number>>,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const pending = new Set(taskIds);
  while (pending.size > 0 && Date.now() < deadline) {
    for (const [id, at] of await read(pending)) {
      if (pending.delete(id)) found.set(id, at);
    }
    if (pending.size > 0) await sleep(500);
  }
  return found;
}
