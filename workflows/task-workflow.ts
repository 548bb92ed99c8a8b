/**
 * The task workflow: runs a task type's steps, each as chunk activities that continue from
 * the text so far, falls back along the model chain when a model keeps failing, and answers
 * progress and output queries while it runs.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SendCallbackParams } from '../activities/callback.ts';
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
import { callbackWorkflow, callbackWorkflowId } from './callback-workflow.ts';

const { generateChunk } = proxyActivities<LlmActivities>(llmChunkOptions);

/** Outputs longer than this are left out of the callback; the producer reads the task. */
const CALLBACK_OUTPUT_LIMIT = 200_000;

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
    const chain = [...new Set([task.model, ...(task.fallbackModels ?? definition.fallbackModels)])];
    const fallbacks: ModelFallback[] = [];
    const generate = withFallback(chain, state, fallbacks);
    const result = await runTaskSteps(definition, task, generate, state);
    const { promptTokens, completionTokens, costUsd } = result.usage;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.TotalTokens, value: promptTokens + completionTokens },
      ...(costUsd === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.CostUsd, value: costUsd }]),
    ]);
    const final = fallbacks.length > 0 ? { ...result, fallbacks } : result;
    const { output, ...withoutOutput } = final;
    await notify(task, {
      state: 'completed',
      result: output.length > CALLBACK_OUTPUT_LIMIT ? withoutOutput : final,
    });
    return final;
  } catch (error) {
    if (isCancellation(error)) {
      state.progress.state = 'cancelled';
      await notify(task, {
        state: 'cancelled',
        error: { code: ERROR_CODES.taskCancelled, message: 'the task was cancelled' },
      });
      throw error;
    }
    const failure = asTaskFailure(error);
    state.progress.state = 'failed';
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ErrorCode, value: failure.type ?? 'failed' }]);
    await notify(task, {
      state: 'failed',
      error: { code: failure.type ?? 'failed', message: failure.message },
    });
    throw failure;
  }
}

/**
 * Tells the producer how the task ended, when it asked to be told: starts a child workflow
 * that outlives this one and retries on its own, so this task's outcome is final at once.
 * Runs even for a cancelled task; a failure to start it is logged and changes nothing.
 */
async function notify(
  task: TaskWorkflowInput,
  outcome: Pick<SendCallbackParams, 'state' | 'result' | 'error'>,
): Promise<void> {
  if (!task.callbackUrl) return;
  const params: SendCallbackParams = {
    ...outcome,
    callbackUrl: task.callbackUrl,
    taskId: task.taskId,
    type: task.type,
    tenantId: task.tenantId,
    metadata: task.metadata,
    finishedAt: new Date().toISOString(), // the workflow clock: the same on every retry
  };
  const start = () =>
    startChild(callbackWorkflow, {
      args: [params],
      workflowId: callbackWorkflowId(task.taskId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  await CancellationScope.nonCancellable(start).catch((error: Error) => {
    log.warn('result callback not started', { taskId: task.taskId, error: error.message });
  });
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
