/**
 * Split workers: a worker started with role `workflows` runs a task's workflow but none of its
 * chunk activities, and one with role `activities` runs those without hosting workflows, so
 * each kind can be sized and scaled on its own. Together they complete the task.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFolderBlobStore } from '../activities/blob-store.ts';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';
import { createWorkers } from '../worker/worker.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  deliver,
  pendingChunks,
  startTestStack,
  TEST_CALLBACK_SECRET,
  waitForState,
} from './support/stack.ts';

const namespace = TEST_NAMESPACES.roles;
let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(namespace, { role: 'workflows' });
});
afterAll(() => stack?.stop());

describe('workers split by role', () => {
  it('leave chunks unstarted with only a workflows worker, and complete with both', async () => {
    const taskId = `roles-${Date.now()}`;
    const envelope = { version: 1, taskId, type: 'llm.generate', input: { prompt: 'Split' } };
    expect((await deliver(stack.gateway, envelope)).status).toBe(200);

    // The workflow runs and schedules its first chunk, which no worker here picks up.
    const pending = await pendingChunks(stack.client, taskId, 15_000);
    expect(pending.map((activity) => activity.activityType?.name)).toEqual(['generateChunk']);
    await sleep(1_000);
    const { raw } = await stack.client.workflow.getHandle(taskId).describe();
    expect(raw.pendingActivities?.[0]?.attempt ?? 1).toBe(1);
    expect(raw.pendingActivities?.[0]?.lastStartedTime).toBeFalsy();

    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const activities = await createWorkers({
      connection,
      namespace,
      taskQueues: Object.values(TASK_QUEUES),
      llm: { baseURL: stack.mock.url, apiKey: 'test' },
      callback: { secret: TEST_CALLBACK_SECRET, allowedHosts: [], allowPrivateAddresses: true },
      blobStore: createFolderBlobStore(stack.blobDir),
      role: 'activities',
    });
    const done = activities.run();
    try {
      const view = await waitForState(stack.gateway, taskId, ['completed']);
      expect(view.state).toBe('completed');
    } finally {
      activities.shutdown();
      await done;
      await connection.close();
    }
  });
});
