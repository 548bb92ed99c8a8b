/**
 * Model fallback: each chunk is generated with the current model of the chain; when a model
 * has used up its attempts on failures another model might not have, the rest of the task
 * moves to the next one. Each move is written to the memo, so it stands in the history.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  log,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { LlmActivities } from '../activities/llm.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import type { ChunkRequest, ChunkResponse, StepsState } from '../protocol/task-steps.ts';
import type { ModelFallback } from '../protocol/workflow-api.ts';
import { llmChunkOptions } from './activity-options.ts';

const { generateChunk } = proxyActivities<LlmActivities>(llmChunkOptions);

export interface FallbackState {
  fallbacks: ModelFallback[];
  /** Index in the chain of the model in use. */
  current: number;
}

export function withFallback(chain: string[], steps: StepsState, fallback: FallbackState) {
  return async (request: ChunkRequest): Promise<ChunkResponse> => {
    for (;;) {
      const model = chain[fallback.current] ?? request.model;
      try {
        return { ...(await generateChunk({ ...request, model })), model };
      } catch (error) {
        const next = chain[fallback.current + 1];
        if (!next || !canFallBack(error)) throw error;
        const errorCode = rootType(error) ?? 'failed';
        fallback.fallbacks.push({ step: steps.progress.step, from: model, to: next, errorCode });
        log.warn('falling back to the next model', { from: model, to: next, errorCode });
        upsertMemo({ fallbacks: fallback.fallbacks });
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ModelId, value: next }]);
        fallback.current += 1;
      }
    }
  };
}

/** The type of the innermost application failure: the code of what went wrong. */
export function rootType(error: unknown): string | undefined {
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
