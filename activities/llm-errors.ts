/**
 * Maps what an OpenAI-compatible provider answers to Temporal failures: a 429 waits as long
 * as the provider asks, 5xx and network faults retry with backoff, and other 4xx are
 * permanent, since sending the same request again cannot help.
 */
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { ERROR_CODES } from '../protocol/error-codes.ts';

/** Seconds from a `retry-after` header (delta-seconds or an HTTP date), if it has one. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number {
  if (!value) return NaN;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? NaN : Math.max(0, (date - now) / 1000);
}

export function toActivityFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : new Error(String(error));

  if (error instanceof OpenAI.APIError && error.status === 429) {
    const wait = retryAfterSeconds(error.headers?.get('retry-after'));
    return ApplicationFailure.create({
      message: `LLM provider rate-limited the request: ${error.message}`,
      type: ERROR_CODES.llmRateLimited,
      nextRetryDelay: Number.isFinite(wait) ? `${Math.ceil(wait * 1000)}ms` : undefined,
      cause,
    });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status < 500) {
    if (error.status !== 408 && error.status !== 409) {
      return ApplicationFailure.create({
        message: `LLM provider refused the request (${error.status}): ${error.message}`,
        type: ERROR_CODES.llmRequestInvalid,
        nonRetryable: true,
        cause,
      });
    }
  }
  return ApplicationFailure.create({
    message: `LLM provider failed: ${cause.message}`,
    type: ERROR_CODES.llmUnavailable,
    cause,
  });
}
