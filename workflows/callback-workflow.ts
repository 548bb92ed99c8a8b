/**
 * Delivers one result callback, retrying on its own schedule. It runs as a child that
 * outlives the task's workflow, so the task's final state is readable at once while a slow
 * or failing producer endpoint is retried for minutes.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CallbackActivities, SendCallbackParams } from '../activities/callback.ts';
import { callbackOptions } from './activity-options.ts';

const { sendCallback } = proxyActivities<CallbackActivities>(callbackOptions);

/** Callback workflow ids: `#` never appears in a task id, so they cannot collide. */
export function callbackWorkflowId(taskId: string): string {
  return `${taskId}#callback`;
}

export async function callbackWorkflow(params: SendCallbackParams): Promise<void> {
  await sendCallback(params);
}
