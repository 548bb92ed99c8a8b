/**
 * Queue isolation: with every slot of the heavy queue busy and more heavy tasks waiting,
 * light tasks still run at once, because each queue has its own worker and slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestStack, taskUrl, waitForState } from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.isolation, {
    concurrency: { [TASK_QUEUES.heavy]: 2, [TASK_QUEUES.light]: 10 },
  });
});
afterAll(() => stack?.stop());

const send = (taskId: string, tier: 'light' | 'heavy', prompt: string) =>
  deliver(stack.gateway, { version: 1, taskId, type: 'llm.generate', tier, input: { prompt } });

async function viewOf(taskId: string) {
  return (await fetch(taskUrl(stack.gateway, taskId))).json();
}

describe('with the heavy queue saturated', () => {
  it('light tasks still complete promptly', async () => {
    const run = Date.now();
    // Six heavy tasks of ten seconds each for two slots: thirty seconds of backlog.
    const heavy = Array.from({ length: 6 }, (_, i) => `isolation-heavy-${run}-${i}`);
    for (const id of heavy) await send(id, 'heavy', `${id} [[mock:tokens=3000]] [[mock:tps=300]]`);
    await waitForState(stack.gateway, heavy[0]!, ['running']);

    const light = Array.from({ length: 5 }, (_, i) => `isolation-light-${run}-${i}`);
    await Promise.all(light.map((id) => send(id, 'light', `${id} [[mock:tokens=200]]`)));
    await Promise.all(light.map((id) => waitForState(stack.gateway, id, ['completed'], 15_000)));

    // Every light task is done while no heavy one is, and most heavy tasks have not even
    // had a slot for their first chunk yet: the heavy queue was saturated all along.
    const heavyViews = await Promise.all(heavy.map(viewOf));
    expect(heavyViews.filter((view) => view.state === 'completed')).toHaveLength(0);
    const waiting = heavyViews.filter((view) => (view.progress?.chunks ?? 0) === 0);
    expect(waiting.length).toBeGreaterThanOrEqual(3);

    await Promise.all(
      heavy.map((id) => fetch(taskUrl(stack.gateway, id, '/cancel'), { method: 'POST' })),
    );
  });
});
