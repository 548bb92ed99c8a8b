import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { TaskWorkflowInput } from '../protocol/workflow-api.ts';
import { createTemporalTasks } from './temporal-tasks.ts';

const task = {
  taskId: 'task-duplicate',
  type: 'llm.generate',
  input: { prompt: 'hello' },
  model: 'mock-fast',
  tier: 'light',
  delivery: { source: 'api', retryCount: 0, receivedAt: new Date(0).toISOString() },
} as TaskWorkflowInput;
const route = { taskQueue: 'ackflow-light', priority: 3 };

/** A client whose every start meets a workflow that already exists. */
function clientWithExistingWorkflow(describe: () => Promise<unknown>): Client {
  const fake = {
    connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
    workflow: {
      start: async () => {
        throw new WorkflowExecutionAlreadyStartedError('already started', task.taskId, 'x');
      },
      getHandle: () => ({ describe }),
    },
  };
  return fake as unknown as Client;
}

describe('starting a task that already exists', () => {
  it("answers a duplicate carrying the first run's id", async () => {
    const client = clientWithExistingWorkflow(async () => ({
      runId: 'run-continued',
      raw: { workflowExecutionInfo: { firstRunId: 'run-first' } },
    }));
    await expect(createTemporalTasks(client, 5_000).start(task, route)).resolves.toEqual({
      duplicate: true,
      workflowId: task.taskId,
      runId: 'run-first',
    });
  });

  it('is still a duplicate, without a run id, when looking the run up fails', async () => {
    const client = clientWithExistingWorkflow(async () => {
      throw new Error('connection reset');
    });
    await expect(createTemporalTasks(client, 5_000).start(task, route)).resolves.toEqual({
      duplicate: true,
      workflowId: task.taskId,
      runId: undefined,
    });
  });
});
