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
import { TERMINAL_STATES, type TaskState } from '../protocol/task-state.ts';
import type { OutputCursor, OutputPiece } from '../protocol/task-steps.ts';
import {
  OUTPUT_QUERY,
  PROGRESS_QUERY,
  TASK_WORKFLOW_TYPE,
  type TaskProgress,
  type TaskResult,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import type { Route } from './routes.ts';
import { startOptions } from './start-options.ts';

export class TemporalUnavailable extends Error {
  override name = 'TemporalUnavailable';
}

export interface StartOutcome {
  duplicate: boolean;
  workflowId: string;
  /** The first run of the task's workflow; for a duplicate, absent if it could not be read. */
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
  start(
    task: TaskWorkflowInput,
    route: Pick<Route, 'taskQueue' | 'priority'>,
  ): Promise<StartOutcome>;
  /** The task's view, or undefined when no such task exists. */
  read(taskId: string): Promise<TaskView | undefined>;
  /** Output produced after `cursor`; empty when there is none yet or none can be read now. */
  readOutput(taskId: string, cursor: OutputCursor): Promise<OutputPiece[]>;
  /** Asks a running task to stop; its activities see the request at their next heartbeat. */
  cancel(taskId: string): Promise<'requested' | 'closed' | 'not_found'>;
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

/** How long a duplicate delivery may wait for its run id, holding its QStash slot. */
const DUPLICATE_LOOKUP_MS = 1_000;

/** gRPC status codes that mean "not reachable now" rather than "no". */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** The SDK wraps gRPC errors in its own; the status code sits somewhere in the cause chain. */
function isUnavailable(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (isGrpcServiceError(cause)) {
      return cause.code === GRPC_UNAVAILABLE || cause.code === GRPC_DEADLINE_EXCEEDED;
    }
  }
  return false;
}

export function createTemporalTasks(client: Client, startTimeoutMs: number): TaskBackend {
  /** Calls Temporal with a deadline; "cannot reach it now" becomes TemporalUnavailable. */
  const call = async <T>(ms: number, fn: () => Promise<T>): Promise<T> => {
    try {
      return await client.connection.withDeadline(Date.now() + ms, fn);
    } catch (error) {
      if (isUnavailable(error)) {
        throw new TemporalUnavailable(`Temporal is unreachable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  /**
   * The run a task's first delivery started, for a duplicate's answer and log line: the
   * already-started error names the workflow but not the run. A look-up that fails or is
   * slow gives undefined, and the delivery is still the duplicate it is.
   */
  const firstRunIdOf = (workflowId: string) =>
    call(DUPLICATE_LOOKUP_MS, () => client.workflow.getHandle(workflowId).describe()).then(
      (description) => description.raw.workflowExecutionInfo?.firstRunId || description.runId,
      () => undefined,
    );

  return {
    async start(task, route) {
      try {
        const handle = await call(startTimeoutMs, () =>
          client.workflow.start(TASK_WORKFLOW_TYPE, startOptions(task, route)),
        );
        return {
          duplicate: false,
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
        };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          const runId = await firstRunIdOf(task.taskId);
          return { duplicate: true, workflowId: task.taskId, runId };
        }
        if (error instanceof TemporalUnavailable) throw error;
        // Whatever else went wrong, the task is not held: QStash must try again.
        throw new TemporalUnavailable(`workflow start failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },

    async read(taskId) {
      const handle = client.workflow.getHandle(taskId);
      const description = await call(5_000, () => handle.describe()).catch((error) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
      if (!description) return undefined;
      const memo = (description.memo ?? {}) as { taskType?: string } & Pick<TaskView, 'delivery'>;
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
        // A run continued from an earlier one starts the same way but is well under way.
        const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
        const continued = Boolean(firstRunId) && firstRunId !== description.runId;
        if (!continued && (description.historyLength ?? 0) <= 2) {
          return { ...view, state: 'queued' };
        }
        view.progress = await call(5_000, () => handle.query<TaskProgress>(PROGRESS_QUERY)).catch(
          () => undefined,
        );
      } else if (view.state === 'completed') {
        view.result = await call(5_000, () => handle.result());
      } else {
        view.error = await call(5_000, () => handle.result()).then(
          () => undefined,
          (error) => {
            if (error instanceof TemporalUnavailable) throw error;
            return describeFailure(error);
          },
        );
      }
      return view;
    },

    async readOutput(taskId, cursor) {
      const handle = client.workflow.getHandle(taskId);
      return call(5_000, () =>
        handle.query<OutputPiece[], [OutputCursor]>(OUTPUT_QUERY, cursor),
      ).catch(() => []);
    },

    async cancel(taskId) {
      const view = await this.read(taskId);
      if (!view) return 'not_found';
      if (TERMINAL_STATES.has(view.state)) return 'closed';
      await call(5_000, () => client.workflow.getHandle(taskId).cancel());
      return 'requested';
    },

    async ready() {
      return call(2_000, () => client.workflowService.getSystemInfo({})).then(
        () => true,
        () => false,
      );
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
