/**
 * Waits for the workers to finish what earlier load started. On one machine the Temporal
 * server that acknowledges starts also runs every started task, so a backlog left by one
 * phase would slow the next; each phase starts from a quiet server instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';

export interface Settled {
  /** False when tasks were still running at the deadline. */
  idle: boolean;
  waitedMs: number;
  /** Tasks still running when the wait ended. */
  running: number;
}

export async function waitUntilIdle(
  client: Client,
  timeoutMs: number,
  pollMs = 250,
): Promise<Settled> {
  const started = Date.now();
  for (;;) {
    const { count } = await client.workflow.count('ExecutionStatus = "Running"');
    const waitedMs = Date.now() - started;
    if (count === 0) return { idle: true, waitedMs, running: 0 };
    if (waitedMs >= timeoutMs) return { idle: false, waitedMs, running: count };
    await sleep(pollMs);
  }
}

/**
 * A settle step for the benchmark phases that says when it had to wait, and keeps every
 * wait for the record.
 */
export function settler(client: Client, timeoutMs: number, log: (line: string) => void) {
  const waits: Settled[] = [];
  const settle = async () => {
    const settled = await waitUntilIdle(client, timeoutMs);
    waits.push(settled);
    if (settled.waitedMs < 1_000) return;
    const seconds = (settled.waitedMs / 1000).toFixed(1);
    log(
      settled.idle
        ? `  waited ${seconds} s for the workers to finish earlier tasks`
        : `  ${settled.running} earlier tasks still running after ${seconds} s; going on`,
    );
  };
  return { settle, waits };
}

const STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut'];

/**
 * How the started tasks ended, by workflow status: a benchmark whose tasks fail is not
 * measuring the deployment it claims to, however fast its answers.
 */
export async function countTasks(client: Client): Promise<Record<string, number>> {
  const counts = await Promise.all(
    STATUSES.map(async (status) => {
      const { count } = await client.workflow.count(`ExecutionStatus = "${status}"`);
      return [status, count] as const;
    }),
  );
  return Object.fromEntries(counts.filter(([, count]) => count > 0));
}
