/**
 * The gateway's only link to Temporal: start a task's workflow exactly once, and read a
 * task's state back. Routes depend on this interface, not on the client.
 */
import {
  type Client,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import type { TaskState } from '../protocol/task-state.ts';
import {
  PROGRESS_QUERY,
  TASK_WORKFLOW_TYPE,
  type TaskProgress,
  type TaskResult,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';

export class TemporalUnavailable extends Error {
  override name = 'TemporalUnavailable';
}

export interface StartOutcome {
  duplicate: boolean;
  workflowId: string;
  runId?: string;
}

export interface TaskView {
  taskId: string;
  type: string;
  state: TaskState;
  progress?: TaskProgress;
  result?: TaskResult;
  error?: { code: string; message: string };
  startedAt: string;
  finishedAt?: string;
  delivery?: TaskWorkflowInput['delivery'];
}

export interface TaskBackend {
  start(task: TaskWorkflowInput, taskQueue: string): Promise<StartOutcome>;
  /** The task's view, or undefined when no such task exists. */
  read(taskId: string): Promise<TaskView | undefined>;
  ready(): Promise<boolean>;
}

const STATES: Record<string, TaskState> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'failed',
  TIMED_OUT: 'timed_out',
};

/** gRPC status codes that mean "not reachable now" rather than "no". */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

function isUnavailable(error: unknown): boolean {
  if (!isGrpcServiceError(error)) return false;
  return error.code === GRPC_UNAVAILABLE || error.code === GRPC_DEADLINE_EXCEEDED;
}

export function createTemporalTasks(client: Client, startTimeoutMs: number): TaskBackend {
  const withDeadline = <T>(ms: number, fn: () => Promise<T>) =>
    client.connection.withDeadline(Date.now() + ms, fn);

  return {
    async start(task, taskQueue) {
      try {
        const handle = await withDeadline(startTimeoutMs, () =>
          client.workflow.start(TASK_WORKFLOW_TYPE, {
            workflowId: task.taskId,
            taskQueue,
            args: [task],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowIdConflictPolicy: 'FAIL',
            memo: { taskType: task.type, delivery: task.delivery },
            typedSearchAttributes: [
              { key: SEARCH_ATTRIBUTES.TaskType, value: task.type },
              { key: SEARCH_ATTRIBUTES.Tier, value: task.tier },
              { key: SEARCH_ATTRIBUTES.ModelId, value: task.model },
              ...(task.tenantId ? [{ key: SEARCH_ATTRIBUTES.TenantId, value: task.tenantId }] : []),
              ...(task.delivery.qstashMessageId
                ? [{ key: SEARCH_ATTRIBUTES.QstashMessageId, value: task.delivery.qstashMessageId }]
                : []),
            ],
          }),
        );
        return {
          duplicate: false,
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
        };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          return { duplicate: true, workflowId: task.taskId };
        }
        throw new TemporalUnavailable(`workflow start failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },

    async read(taskId) {
      const handle = client.workflow.getHandle(taskId);
      let description;
      try {
        description = await withDeadline(5_000, () => handle.describe());
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        if (isUnavailable(error)) throw new TemporalUnavailable('Temporal is unreachable');
        throw error;
      }
      const memo = (description.memo ?? {}) as Partial<Pick<TaskView, 'delivery'>> & {
        taskType?: string;
      };
      const view: TaskView = {
        taskId,
        type: memo.taskType ?? description.type,
        state: STATES[description.status.name] ?? 'running',
        startedAt: description.startTime.toISOString(),
        finishedAt: description.closeTime?.toISOString(),
        delivery: memo.delivery,
      };
      if (view.state === 'running') {
        // Before a worker's first workflow task the history holds only the start events,
        // and a query would wait for a worker; the task is simply queued.
        if ((description.historyLength ?? 0) <= 2) return { ...view, state: 'queued' };
        view.progress = await withDeadline(5_000, () =>
          handle.query<TaskProgress>(PROGRESS_QUERY),
        ).catch(() => undefined);
      } else if (view.state === 'completed') {
        view.result = await handle.result();
      } else {
        view.error = await handle.result().then(
          () => undefined,
          (error) => describeFailure(error),
        );
      }
      return view;
    },

    async ready() {
      try {
        await withDeadline(2_000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}

function describeFailure(error: unknown): TaskView['error'] {
  if (error instanceof WorkflowFailedError) {
    const cause = error.cause as { type?: string; message?: string } | undefined;
    return { code: cause?.type ?? 'failed', message: cause?.message ?? error.message };
  }
  return { code: 'failed', message: error instanceof Error ? error.message : String(error) };
}
