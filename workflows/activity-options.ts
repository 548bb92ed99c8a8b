/**
 * Shared activity option sets. Every proxy names its timeouts and retry policy here, so a
 * reader finds them in one place.
 */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { ERROR_CODES } from '../protocol/error-codes.ts';

/** Attempts on one model before the step falls back to the next model in its chain. */
export const ATTEMPTS_PER_MODEL = 3;

/** One streamed chunk of LLM output: short, heartbeating, retried with backoff. */
export const llmChunkOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  // A worker that dies mid-chunk is noticed this quickly; the retry resumes from the last
  // heartbeat's text.
  heartbeatTimeout: '10 seconds',
  // A cancelled task ends only once its chunk has really stopped streaming (the activity
  // learns of the cancel at its next heartbeat, within a second).
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: ATTEMPTS_PER_MODEL,
    nonRetryableErrorTypes: [ERROR_CODES.llmRequestInvalid],
  },
};

/** The result callback: one POST per attempt, about fourteen minutes of retries in all. */
export const callbackOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds', // above the 10 s request timeout plus name resolution
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [ERROR_CODES.callbackRejected, ERROR_CODES.callbackForbidden],
  },
};
