/**
 * One record per task id, joined from its `task started` and `task finished` lines and, when
 * read, its visibility record. Log lines win where both know a fact: they carry the moment a
 * worker picked the task up, which visibility does not.
 */
import type { LogRecords, TaskLine } from './logs.ts';
import type { VisibilityRecord, VisibilityStatus } from './visibility.ts';

export type EndState = Exclude<VisibilityStatus, 'running'>;

export interface TaskRecord {
  taskId: string;
  taskQueue?: string;
  taskType?: string;
  modelId?: string;
  tier?: string;
  /** QStash redeliveries before the delivery that started it. */
  retryCount?: number;
  /** When the task entered the system: the producer's `enqueuedAt`, else `receivedAt`. */
  arrivedAt?: number;
  /** When a worker started it, else when the workflow started (finish line, visibility). */
  startedAt?: number;
  /** False when `startedAt` is the workflow's start, which cannot tell queue wait apart. */
  startSeenByWorker: boolean;
  endedAt?: number;
  state?: EndState;
  errorCode?: string;
  /** Visibility says it is still running, so it holds a worker until the window's end. */
  running: boolean;
  queueWaitMs?: number;
  executionMs?: number;
}

const END_STATES: readonly string[] = ['completed', 'failed', 'cancelled', 'timed_out'];

function fill(task: TaskRecord, from: Partial<TaskLine & VisibilityRecord>) {
  task.taskQueue ??= from.taskQueue;
  task.taskType ??= from.taskType;
  task.modelId ??= from.modelId;
  task.tier ??= from.tier;
  task.retryCount ??= from.retryCount;
  task.arrivedAt ??= from.enqueuedAt ?? from.receivedAt;
}

export function joinTasks(records: LogRecords, visibility: VisibilityRecord[] = []): TaskRecord[] {
  const tasks = new Map<string, TaskRecord>();
  const taskFor = (taskId: string) => {
    let task = tasks.get(taskId);
    if (!task) {
      task = { taskId, startSeenByWorker: false, running: false };
      tasks.set(taskId, task);
    }
    return task;
  };

  for (const line of records.started) {
    const task = taskFor(line.taskId);
    fill(task, line);
    // A second start line is a second worker's log of the same run; the first is the start.
    if (task.startedAt === undefined || line.time < task.startedAt) task.startedAt = line.time;
    task.startSeenByWorker = true;
  }
  for (const line of records.finished) {
    const task = taskFor(line.taskId);
    fill(task, line);
    task.startedAt ??= line.workflowStartedAt;
    task.endedAt = line.time;
    task.state = END_STATES.includes(line.state ?? '') ? (line.state as EndState) : 'failed';
    task.errorCode = line.errorCode;
  }
  for (const execution of visibility) {
    const task = taskFor(execution.taskId);
    fill(task, execution);
    task.startedAt ??= execution.startTime;
    task.errorCode ??= execution.errorCode;
    if (task.endedAt !== undefined) continue;
    if (execution.status === 'running') task.running = true;
    else {
      task.endedAt = execution.closeTime;
      task.state = execution.status;
    }
  }

  for (const task of tasks.values()) {
    if (task.startSeenByWorker && task.arrivedAt !== undefined && task.startedAt !== undefined) {
      task.queueWaitMs = Math.max(0, task.startedAt - task.arrivedAt);
    }
    if (task.startedAt !== undefined && task.endedAt !== undefined) {
      task.executionMs = Math.max(0, task.endedAt - task.startedAt);
    }
  }
  return [...tasks.values()];
}
