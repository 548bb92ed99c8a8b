/**
 * The task workflow: runs a task type's steps, each as chunk activities that continue from
 * the text so far, and answers progress and output queries while it runs.
 */
import {
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LlmActivities } from '../activities/llm.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import {
  initialState,
  type OutputCursor,
  type OutputPiece,
  outputSince,
  runTaskSteps,
} from '../protocol/task-steps.ts';
import { getTaskType } from '../protocol/task-types.ts';
import {
  OUTPUT_QUERY,
  PROGRESS_QUERY,
  type TaskProgress,
  type TaskResult,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import { llmChunkOptions } from './activity-options.ts';

const { generateChunk } = proxyActivities<LlmActivities>(llmChunkOptions);

export const progressQuery = defineQuery<TaskProgress>(PROGRESS_QUERY);
export const outputQuery = defineQuery<OutputPiece[], [OutputCursor]>(OUTPUT_QUERY);

export async function taskWorkflow(task: TaskWorkflowInput): Promise<TaskResult> {
  const definition = getTaskType(task.type);
  const state = initialState(definition, workflowInfo().startTime.toISOString());
  setHandler(progressQuery, () => state.progress);
  setHandler(outputQuery, (cursor) =>
    definition ? outputSince(definition, state.outputs, cursor) : [],
  );

  if (!definition) {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.ErrorCode, value: ERROR_CODES.unknownTaskType },
    ]);
    throw ApplicationFailure.nonRetryable(
      `task type ${task.type} is not registered on this worker`,
      ERROR_CODES.unknownTaskType,
    );
  }
  return runTaskSteps(definition, task, generateChunk, state);
}
