/**
 * The task workflow: runs a task type's steps, each as chunk activities that continue from
 * the text so far, falls back along the model chain when a model keeps failing, and answers
 * progress and output queries while it runs.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  isCancellation,
  log,
  metricMeter,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SendCallbackParams } from '../activities/callback.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import {
  initialState,
  type OutputCursor,
  type OutputPiece,
  outputSince,
  runTaskSteps,
  type StepsState,
} from '../protocol/task-steps.ts';
import { getTaskType } from '../protocol/task-types.ts';
import {
  OUTPUT_QUERY,
  PROGRESS_QUERY,
  type TaskProgress,
  type TaskResult,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import { callbackWorkflow, callbackWorkflowId } from './callback-workflow.ts';
import { type FallbackState, rootType, withFallback } from './model-fallback.ts';

/** Outputs longer than this are left out of the callback; the producer reads the task. */
const CALLBACK_OUTPUT_LIMIT = 200_000;

/**
 * Chunks one run generates before it continues as new, keeping each history to a few
 * thousand events however long the task.
 */
export const CHUNKS_PER_RUN = 500;

/**
 * How much of a step's text a chunk is sent to continue from: its end, as a context window
 * would hold, so the cost of a chunk stays the same however long the output grows.
 */
export const PREFIX_WINDOW_CHARS = 16_000;

/** What a run hands the next when it continues as new. */
export interface CarriedState {
  steps: StepsState;
  fallback: FallbackState;
}

export const progressQuery = defineQuery<TaskProgress>(PROGRESS_QUERY);
export const outputQuery = defineQuery<OutputPiece[], [OutputCursor]>(OUTPUT_QUERY);

export async function taskWorkflow(
  task: TaskWorkflowInput,
  carried?: CarriedState,
): Promise<TaskResult> {
  const definition = getTaskType(task.type);
  const startedAt = workflowInfo().startTime.toISOString();
  const state = carried?.steps ?? initialState(definition, task.input, startedAt);
  setHandler(progressQuery, () => state.progress);
  setHandler(outputQuery, (cursor) => outputSince(state, cursor));
  const fields = observationFields(task);
  if (!carried) {
    log.info('task started', fields);
    recordQueueWait(task);
  }

  try {
    if (!definition) {
      throw ApplicationFailure.nonRetryable(
        `task type ${task.type} is not registered on this worker`,
        ERROR_CODES.unknownTaskType,
      );
    }
    const chain = [...new Set([task.model, ...(task.fallbackModels ?? definition.fallbackModels)])];
    const fallback = carried?.fallback ?? { fallbacks: [], current: 0 };
    const generateWithFallback = withFallback(chain, state, fallback);
    let chunksThisRun = 0;
    const generate = (request: Parameters<typeof generateWithFallback>[0]) => {
      chunksThisRun += 1;
      return generateWithFallback({ ...request, prefix: windowOf(request.prefix) });
    };
    const pause = () =>
      patched('continue-as-new') &&
      (chunksThisRun >= CHUNKS_PER_RUN || workflowInfo().continueAsNewSuggested);

    const result = await runTaskSteps(definition, task, generate, state, pause);
    if (!result) {
      // Only the query handlers run here, and they finish at once, so nothing is cut off.
      return await continueAsNew<typeof taskWorkflow>(task, { steps: state, fallback });
    }
    const { promptTokens, completionTokens, costUsd } = result.usage;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.TotalTokens, value: promptTokens + completionTokens },
      ...(costUsd === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.CostUsd, value: costUsd }]),
    ]);
    recordFinish(task, state, 'completed');
    log.info('task finished', {
      ...fields,
      state: 'completed',
      chunks: state.progress.chunks,
      promptTokens,
      completionTokens,
      costUsd,
    });
    const final =
      fallback.fallbacks.length > 0 ? { ...result, fallbacks: fallback.fallbacks } : result;
    const { output, ...withoutOutput } = final;
    await notify(task, {
      state: 'completed',
      result: output.length > CALLBACK_OUTPUT_LIMIT ? withoutOutput : final,
    });
    return final;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) {
      state.progress.state = 'cancelled';
      recordFinish(task, state, 'cancelled');
      log.info('task finished', { ...fields, state: 'cancelled' });
      await notify(task, {
        state: 'cancelled',
        error: { code: ERROR_CODES.taskCancelled, message: 'the task was cancelled' },
      });
      throw error;
    }
    const failure = asTaskFailure(error);
    state.progress.state = 'failed';
    recordFinish(task, state, 'failed', failure.type ?? 'failed');
    log.warn('task finished', { ...fields, state: 'failed', errorCode: failure.type });
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ErrorCode, value: failure.type ?? 'failed' }]);
    await notify(task, {
      state: 'failed',
      error: { code: failure.type ?? 'failed', message: failure.message },
    });
    throw failure;
  }
}

/**
 * The observation fields of DESIGN.md for a task's log lines; Temporal's logger adds the
 * workflow and run ids and the task queue, and the time of each line.
 */
function observationFields(task: TaskWorkflowInput) {
  return {
    taskId: task.taskId,
    taskType: task.type,
    tenantId: task.tenantId,
    modelId: task.model,
    tier: task.tier,
    qstashMessageId: task.delivery.qstashMessageId,
    retryCount: task.delivery.retryCount,
    enqueuedAt: task.delivery.enqueuedAt,
    receivedAt: task.delivery.receivedAt,
  };
}

/**
 * Queue wait, from the producer's enqueuedAt (or the gateway's receipt) to the first
 * workflow task: how long a task waited for a worker. Workflow time is the task's start.
 */
function recordQueueWait(task: TaskWorkflowInput): void {
  const since = Date.parse(task.delivery.enqueuedAt ?? task.delivery.receivedAt);
  if (Number.isNaN(since)) return;
  metricMeter
    .createHistogram('ackflow_task_queue_wait_seconds', 'float', 's', 'Enqueued to started')
    .record(Math.max(0, Date.now() - since) / 1000, { task_type: task.type, tier: task.tier });
}

/** Execution time and the task count, by type, model, tier and how the task ended. */
function recordFinish(task: TaskWorkflowInput, state: StepsState, end: string, code = ''): void {
  const tags = { task_type: task.type, model: task.model, tier: task.tier, outcome: end };
  const seconds = (Date.now() - Date.parse(state.progress.startedAt)) / 1000;
  metricMeter
    .createHistogram('ackflow_task_execution_seconds', 'float', 's', 'Started to finished')
    .record(seconds, tags);
  metricMeter
    .createCounter('ackflow_tasks_total', 'tasks', 'Finished tasks')
    .add(1, { ...tags, error_code: code });
}

/** The end of a step's text, starting at a word. */
function windowOf(text: string): string {
  if (text.length <= PREFIX_WINDOW_CHARS) return text;
  const tail = text.slice(-PREFIX_WINDOW_CHARS);
  const wordStart = tail.search(/\s\S/);
  return wordStart < 0 ? tail : tail.slice(wordStart + 1);
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

/** The task fails with the code of what went wrong underneath, for readers and search. */
function asTaskFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const type = rootType(error) ?? ERROR_CODES.llmUnavailable;
  let message = String(error);
  for (let cause = error; cause instanceof Error; cause = cause.cause) message = cause.message;
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause: error as Error });
}
