/**
 * The task workflow: runs a task type's steps, each as chunk activities that continue from
 * the text so far, falls back along the model chain when a model keeps failing, and answers
 * progress and output queries while it runs.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LlmActivities } from '../activities/llm.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import {
  type ChunkRequest,
  initialState,
  type OutputCursor,
  type OutputPiece,
  outputSince,
  runTaskSteps,
  type StepsState,
} from '../protocol/task-steps.ts';
import { getTaskType } from '../protocol/task-types.ts';
import {
  type ModelFallback,
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
  const state = initialState(definition, task.input, workflowInfo().startTime.toISOString());
  setHandler(progressQuery, () => state.progress);
  setHandler(outputQuery, (cursor) => outputSince(state, cursor));

  try {
    if (!definition) {
      throw ApplicationFailure.nonRetryable(
        `task type ${task.type} is not registered on this worker`,
        ERROR_CODES.unknownTaskType,
      );
    }
    const chain = [...new Set([task.model, ...definition.fallbackModels])];
    const fallbacks: ModelFallback[] = [];
    const generate = withFallback(chain, state, fallbacks);
    const result = await runTaskSteps(definition, task, generate, state);
    const { promptTokens, completionTokens, costUsd } = result.usage;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.TotalTokens, value: promptTokens + completionTokens },
      ...(costUsd === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.CostUsd, value: costUsd }]),
    ]);
    return fallbacks.length > 0 ? { ...result, fallbacks } : result;
  } catch (error) {
    if (isCancellation(error)) throw error;
    const failure = asTaskFailure(error);
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ErrorCode, value: failure.type ?? 'failed' }]);
    throw failure;
  }
}

/**
 * Generates each chunk with the current model; when a model has used up its attempts on
 * failures another model might not have, moves to the next in the chain for the rest of
 * the task. Each move is written to the memo, so it stands in the history.
 */
function withFallback(chain: string[], state: StepsState, fallbacks: ModelFallback[]) {
  let current = 0;
  return async (request: ChunkRequest) => {
    for (;;) {
      const model = chain[current] ?? request.model;
      try {
        return { ...(await generateChunk({ ...request, model })), model };
      } catch (error) {
        const next = chain[current + 1];
        if (!next || !canFallBack(error)) throw error;
        const errorCode = rootType(error) ?? 'failed';
        fallbacks.push({ step: state.progress.step, from: model, to: next, errorCode });
        log.warn('falling back to the next model', { from: model, to: next, errorCode });
        upsertMemo({ fallbacks });
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ModelId, value: next }]);
        current += 1;
      }
    }
  };
}

function rootType(error: unknown): string | undefined {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  }
  return undefined;
}

/** A request the provider refused as invalid would be refused by any model. */
function canFallBack(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    !isCancellation(error) &&
    rootType(error) !== ERROR_CODES.llmRequestInvalid
  );
}

/** The task fails with the code of what went wrong underneath, for readers and search. */
function asTaskFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const type = rootType(error) ?? ERROR_CODES.llmUnavailable;
  let message = String(error);
  for (let cause = error; cause instanceof Error; cause = cause.cause) message = cause.message;
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause: error as Error });
}
