import { describe, expect, it } from 'vitest';
import { emptyRecords, type TaskLine } from './logs.ts';
import { joinTasks } from './tasks.ts';
import { mergeRuns, type VisibilityRecord, visibilityQuery } from './visibility.ts';

const line = (fields: Partial<TaskLine>): TaskLine => ({ time: 0, taskId: 'task-1', ...fields });

const execution = (fields: Partial<VisibilityRecord>): VisibilityRecord => ({
  taskId: 'task-1',
  taskQueue: 'ackflow-heavy',
  status: 'running',
  startTime: 1_000,
  ...fields,
});

describe('joining what is known of each task', () => {
  it('measures queue wait from enqueuedAt, else receivedAt, to the worker’s start', () => {
    const records = emptyRecords();
    records.started.push(
      line({ taskId: 'a', time: 1_500, enqueuedAt: 1_000, receivedAt: 1_200 }),
      line({ taskId: 'b', time: 1_500, receivedAt: 1_200 }),
    );
    records.finished.push(line({ taskId: 'a', time: 4_500, state: 'completed' }));

    const [a, b] = joinTasks(records);
    expect(a).toMatchObject({ queueWaitMs: 500, executionMs: 3_000, state: 'completed' });
    expect(b).toMatchObject({ queueWaitMs: 300 });
    expect(b?.executionMs).toBeUndefined();
  });

  it('falls back to the workflow’s start, without a queue wait, when no start line came', () => {
    const records = emptyRecords();
    records.finished.push(
      line({ time: 9_000, state: 'failed', workflowStartedAt: 2_000, enqueuedAt: 1_000 }),
    );

    const [task] = joinTasks(records);
    expect(task).toMatchObject({ startSeenByWorker: false, executionMs: 7_000, state: 'failed' });
    expect(task?.queueWaitMs).toBeUndefined();
  });

  it('takes the end, timeouts included, and the attributes from visibility', () => {
    const records = emptyRecords();
    records.started.push(line({ time: 1_200, receivedAt: 1_000 }));
    const timedOut = execution({ status: 'timed_out', closeTime: 61_200, taskType: 'x.y' });

    expect(joinTasks(records, [timedOut])[0]).toMatchObject({
      taskQueue: 'ackflow-heavy',
      taskType: 'x.y',
      queueWaitMs: 200,
      executionMs: 60_000,
      state: 'timed_out',
    });
    expect(joinTasks(emptyRecords(), [execution({})])[0]).toMatchObject({ running: true });
  });
});

describe('visibility records', () => {
  it('describe a task that continued as new by its first start and last end', () => {
    const first = execution({ startTime: 1_000, closeTime: 5_000, enqueuedAt: 900 });
    const last = execution({ startTime: 5_000, closeTime: 9_000, status: 'completed' });

    expect(mergeRuns([last, first])).toEqual([
      { ...last, startTime: 1_000, enqueuedAt: 900, receivedAt: undefined },
    ]);
  });

  it('are listed for tasks that started in the window or closed in it', () => {
    const query = visibilityQuery({ from: 0, to: 60_000 });

    expect(query).toBe(
      'WorkflowType = "taskWorkflow" AND (StartTime >= "1970-01-01T00:00:00.000Z" OR ' +
        'CloseTime >= "1970-01-01T00:00:00.000Z") AND StartTime <= "1970-01-01T00:01:00.000Z"',
    );
  });
});
