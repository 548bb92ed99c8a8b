/**
 * A deliberately non-deterministic change to the task workflow, for the replay test: it
 * sleeps before its first step, a command that no recorded history contains. Replaying
 * any history against it must fail.
 */
import { sleep } from '@temporalio/workflow';
import type { TaskResult, TaskWorkflowInput } from '../../protocol/workflow-api.ts';
import { taskWorkflow as recorded } from '../../workflows/task-workflow.ts';

export { callbackWorkflow } from '../../workflows/callback-workflow.ts';

export async function taskWorkflow(task: TaskWorkflowInput): Promise<TaskResult> {
  await sleep('1 second');
  return recorded(task);
}
