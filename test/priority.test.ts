/**
 * Priority: with a backlog on a queue, a task of a higher priority (a lower number) is
 * served before the tasks of lower priority that were waiting before it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  cancelTask,
  deliver,
  pendingChunks,
  startTestStack,
  waitForState,
} from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.priority, {
    concurrency: { [TASK_QUEUES.heavy]: 1, [TASK_QUEUES.light]: 1 },
  });
});
afterAll(() => stack?.stop());

const send = (taskId: string, priority: number, tokens: number) =>
  deliver(stack.gateway, {
    version: 1,
    taskId,
    type: 'llm.generate',
    tier: 'heavy',
    priority,
    input: { prompt: `${taskId} [[mock:tokens=${tokens}]] [[mock:tps=200]]` },
  });

describe('with a backlog on the heavy queue', () => {
  it('a priority 1 task goes before the priority 5 tasks waiting ahead of it', async () => {
    const run = Date.now();
    // Holds the queue's one slot until every other task is queued behind it, however long
    // the sends take on a loaded machine; it is then cancelled to free the slot.
    const blocker = `priority-blocker-${run}`;
    await send(blocker, 5, 20_000);
    await waitForState(stack.gateway, blocker, ['running']);
    const low = Array.from({ length: 5 }, (_, i) => `priority-low-${run}-${i}`);
    for (const id of low) await send(id, 5, 100);
    const high = `priority-high-${run}`;
    await send(high, 1, 100);
    for (const id of [...low, high]) await pendingChunks(stack.client, id);
    // A chunk scheduled in the workflow's state reaches the matching service's backlog a
    // moment later; the slot is freed once all are there, so the order is the matcher's.
    await sleep(1_000);
    await cancelTask(stack.gateway, blocker);

    const waiting = [...low, high];
    const views = await Promise.all(
      waiting.map((id) => waitForState(stack.gateway, id, ['completed'])),
    );
    const finished = (id: string) => views[waiting.indexOf(id)].timestamps.finishedAt as string;
    const lowsAfterHigh = low.filter((id) => finished(id) > finished(high));
    expect(lowsAfterHigh.length).toBeGreaterThanOrEqual(4);
  });
});
