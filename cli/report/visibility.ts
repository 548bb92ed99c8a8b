/**
 * What Temporal's visibility store knows about the task workflows of a window: when each
 * started and closed, how it ended, and the search attributes that group it. It fills the
 * gaps of the logs: tasks whose worker lines were not collected, and timeouts, which the
 * workflow never gets to log.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../protocol/search-attributes.ts';
import { TASK_WORKFLOW_TYPE } from '../../protocol/workflow-api.ts';
import { epochMs } from './logs.ts';
import type { ReportWindow } from './window.ts';

/** How an execution ended, in the words of the task states; `running` when it has not. */
export type VisibilityStatus =
  'running' | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'terminated';

export interface VisibilityRecord {
  taskId: string;
  taskQueue: string;
  taskType?: string;
  tier?: string;
  modelId?: string;
  errorCode?: string;
  status: VisibilityStatus;
  /** Epoch ms: when the workflow was started, which is just before the gateway's ACK. */
  startTime: number;
  closeTime?: number;
  enqueuedAt?: number;
  receivedAt?: number;
}

const STATUS: Record<string, VisibilityStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed_out',
  TERMINATED: 'terminated',
};

/**
 * Workflows that started in the window, or started earlier and closed in it: a long task
 * that ends in the window counts there, as its `task finished` line would.
 */
export function visibilityQuery(window: ReportWindow): string {
  const from = new Date(window.from).toISOString();
  const to = new Date(window.to).toISOString();
  return (
    `WorkflowType = "${TASK_WORKFLOW_TYPE}" AND ` +
    `(StartTime >= "${from}" OR CloseTime >= "${from}") AND StartTime <= "${to}"`
  );
}

export function toVisibilityRecord(execution: WorkflowExecutionInfo): VisibilityRecord {
  const attributes = execution.typedSearchAttributes;
  const delivery = (execution.memo?.delivery ?? {}) as Record<string, unknown>;
  return {
    taskId: execution.workflowId,
    taskQueue: execution.taskQueue,
    taskType: attributes.get(SEARCH_ATTRIBUTES.TaskType),
    tier: attributes.get(SEARCH_ATTRIBUTES.Tier),
    modelId: attributes.get(SEARCH_ATTRIBUTES.ModelId),
    errorCode: attributes.get(SEARCH_ATTRIBUTES.ErrorCode),
    // Any other status (continued as new, paused) is a task still on its way.
    status: STATUS[execution.status.name] ?? 'running',
    startTime: execution.startTime.getTime(),
    closeTime: execution.closeTime?.getTime(),
    enqueuedAt: epochMs(delivery.enqueuedAt),
    receivedAt: epochMs(delivery.receivedAt),
  };
}

/**
 * A task that continued as new is several executions under one id: the first run's start
 * and the last run's end describe the task.
 */
export function mergeRuns(records: VisibilityRecord[]): VisibilityRecord[] {
  const byTask = new Map<string, VisibilityRecord>();
  for (const record of records) {
    const seen = byTask.get(record.taskId);
    if (!seen) {
      byTask.set(record.taskId, record);
      continue;
    }
    const [first, last] = seen.startTime <= record.startTime ? [seen, record] : [record, seen];
    byTask.set(record.taskId, {
      ...last,
      startTime: first.startTime,
      enqueuedAt: first.enqueuedAt ?? last.enqueuedAt,
      receivedAt: first.receivedAt ?? last.receivedAt,
    });
  }
  return [...byTask.values()];
}

export async function listTaskExecutions(
  client: Client,
  window: ReportWindow,
): Promise<VisibilityRecord[]> {
  const records: VisibilityRecord[] = [];
  for await (const execution of client.workflow.list({ query: visibilityQuery(window) })) {
    records.push(toVisibilityRecord(execution));
  }
  return mergeRuns(records);
}
