/**
 * How a task's workflow is started: the task id is the workflow id, and a second start of
 * the same id is refused whether the first run is still going or long finished, which is
 * what makes every QStash redelivery a duplicate instead of a second run.
 */
import type { WorkflowStartOptions } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import type { TaskWorkflowInput } from '../protocol/workflow-api.ts';
import type { Route } from './routes.ts';

export function startOptions(
  task: TaskWorkflowInput,
  { taskQueue, priority }: Pick<Route, 'taskQueue' | 'priority'>,
): WorkflowStartOptions {
  const optional = <T>(value: T | undefined, key: { name: string }) =>
    value === undefined ? [] : [{ key, value }];
  return {
    workflowId: task.taskId,
    taskQueue,
    args: [task],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    // The tenant is the fairness key: backlogged tenants share the workers evenly.
    priority: {
      priorityKey: priority,
      fairnessKey: task.tenantId ? task.tenantId.slice(0, 64) : undefined,
    },
    memo: { taskType: task.type, delivery: task.delivery },
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.TaskType, value: task.type },
      { key: SEARCH_ATTRIBUTES.Tier, value: task.tier },
      { key: SEARCH_ATTRIBUTES.ModelId, value: task.model },
      ...optional(task.tenantId, SEARCH_ATTRIBUTES.TenantId),
      ...optional(task.delivery.qstashMessageId, SEARCH_ATTRIBUTES.QstashMessageId),
    ] as WorkflowStartOptions['typedSearchAttributes'],
  };
}
