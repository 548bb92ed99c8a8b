/**
 * Queue isolation: with every slot of the heavy queue busy and more heavy tasks waiting,
 * light tasks still run at once, because each queue has its own worker and slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { cancelTask, deliver, startTestStack, waitForState } from './support/stack.ts';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.isolation, {
    concurrency: { [TASK_QUEUES.heavy]: 2, [TASK_QUEUES.light]: 10 },
  });
});
afterAll(() => stack?.stop());

const send = (taskId: string, tier: 'light' | 'heavy', prompt: string, chunkTokens?: number) =>
  deliver(stack.gateway, {
    version: 1,
    taskId,
    type: 'llm.generate',
    tier,
    input: { prompt, chunkTokens },
  });

/** Whether the server has handed the task's chunk activity to a worker slot yet. */
async function chunkStarted(taskId: string) {
  const { raw } = await stack.client.workflow.getHandle(taskId).describe();
  return (raw.pendingActivities ?? []).some((activity) => activity.state === STARTED);
}

describe('with the heavy queue saturated', () => {
  it('light tasks still complete promptly', async () => {
    const run = Date.now();
    // Six heavy tasks of one 20 s chunk each for two slots: four wait at least 20 s.
    const heavy = Array.from({ length: 6 }, (_, i) => `isolation-heavy-${run}-${i}`);
    for (const id of heavy) {
      await send(id, 'heavy', `${id} [[mock:tokens=3000]] [[mock:tps=150]]`, 3000);
    }
    await waitForState(stack.gateway, heavy[0]!, ['running']);

    const light = Array.from({ length: 5 }, (_, i) => `isolation-light-${run}-${i}`);
    await Promise.all(light.map((id) => send(id, 'light', `${id} [[mock:tokens=200]]`)));
    await Promise.all(light.map((id) => waitForState(stack.gateway, id, ['completed'], 15_000)));

    // Every light task is done while both heavy slots are still busy and the other four
    // heavy tasks have not had a slot at all: the heavy queue was saturated all along.
    const started = await Promise.all(heavy.map(chunkStarted));
    expect(started.filter(Boolean)).toHaveLength(2);

    await Promise.all(heavy.map((id) => cancelTask(stack.gateway, id)));
  });
});
