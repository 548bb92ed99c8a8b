/**
 * The callback activity: when a task ends, POST a signed JSON summary to the producer's
 * `callbackUrl`. One call is one delivery attempt; the workflow's retry policy repeats it,
 * and every attempt carries the same body and Idempotency-Key so the producer can drop
 * repeats.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, fetch } from 'undici';
import {
  CALLBACK_HEADERS,
  CALLBACK_VERSION,
  type CallbackPayload,
  type CallbackState,
  callbackIdempotencyKey,
  signCallback,
} from '../protocol/callback.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import type { TaskResult } from '../protocol/workflow-api.ts';
import { pinnedLookup, type ResolveHost, vetCallbackUrl } from './address-policy.ts';
import { retryAfterSeconds } from './llm-errors.ts';

export interface CallbackSettings {
  secret: string;
  /** Exact host names or `*.example.com` patterns; empty allows any public host. */
  allowedHosts: string[];
  /** Lets callbacks reach loopback and private networks; for development only. */
  allowPrivateAddresses: boolean;
  /** Per attempt, from connect to response headers. Default 10 s. */
  timeoutMs?: number;
  /** Above this the output is left out of the body. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Host name resolution; tests inject one. Default: dns.lookup with `all: true`. */
  resolve?: ResolveHost;
}

export type CallbackResultInput = Omit<TaskResult, 'output'> & { output?: string };

/** What the workflow passes once its task has ended. */
export interface SendCallbackParams {
  callbackUrl: string;
  taskId: string;
  type: string;
  state: CallbackState;
  /**
   * The task's result. The workflow may leave `output` out (say, when it lives in the blob
   * store); the producer is then told to read it from the task API.
   */
  result?: CallbackResultInput;
  error?: { code: string; message: string };
  tenantId?: string;
  metadata?: Record<string, string>;
  /** Taken from the workflow clock, so every attempt sends the same body. */
  finishedAt: string;
}

export interface SendCallbackOutcome {
  status: number;
  bytes: number;
  outputTruncated: boolean;
}

/** A receiver asking for a longer wait is retried after this, so one task cannot idle long. */
const MAX_RETRY_AFTER_SECONDS = 600;

/**
 * The JSON body. The output is left out, with `outputTruncated: true`, when the whole would
 * exceed `maxBytes` or when the workflow did not pass it.
 */
export function callbackBody(
  params: SendCallbackParams,
  maxBytes: number,
): { body: string; outputTruncated: boolean } {
  // Fields are copied one by one so nothing the workflow adds later leaks to producers.
  const { result } = params;
  const payload: CallbackPayload = {
    version: CALLBACK_VERSION,
    taskId: params.taskId,
    type: params.type,
    state: params.state,
    result: result && {
      output: result.output,
      usage: result.usage,
      usageByModel: result.usageByModel,
      steps: result.steps,
      fallbacks: result.fallbacks,
    },
    error: params.error && { code: params.error.code, message: params.error.message },
    tenantId: params.tenantId,
    metadata: params.metadata,
    finishedAt: params.finishedAt,
  };
  const body = JSON.stringify(payload);
  const fits = Buffer.byteLength(body) <= maxBytes;
  if (!payload.result || (fits && payload.result.output !== undefined)) {
    return { body, outputTruncated: false };
  }
  const rest = { ...payload.result, output: undefined, outputTruncated: true as const };
  const withoutOutput = { ...payload, result: rest };
  return { body: JSON.stringify(withoutOutput), outputTruncated: true };
}

function statusFailure(status: number, retryAfter: string | null, host: string) {
  const message = `callback to ${host} answered ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const wait = Math.min(retryAfterSeconds(retryAfter), MAX_RETRY_AFTER_SECONDS);
    return ApplicationFailure.create({
      message,
      type: ERROR_CODES.callbackFailed,
      nextRetryDelay: Number.isFinite(wait) ? Math.ceil(wait * 1000) : undefined,
    });
  }
  const hint = status < 400 ? '; redirects are not followed' : '';
  return ApplicationFailure.nonRetryable(`${message}${hint}`, ERROR_CODES.callbackRejected);
}

function transportFailure(error: unknown, host: string, timedOut: boolean, timeoutMs: number) {
  if (timedOut) {
    return ApplicationFailure.retryable(
      `callback to ${host} got no answer within ${timeoutMs} ms`,
      ERROR_CODES.callbackFailed,
    );
  }
  const cause = error instanceof Error ? error : new Error(String(error));
  const detail = cause.cause instanceof Error ? cause.cause.message : cause.message;
  return ApplicationFailure.create({
    message: `callback to ${host} failed: ${detail}`,
    type: ERROR_CODES.callbackFailed,
    cause,
  });
}

export function createCallbackActivities(settings: CallbackSettings) {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const maxPayloadBytes = settings.maxPayloadBytes ?? 1024 * 1024;

  async function sendCallback(params: SendCallbackParams): Promise<SendCallbackOutcome> {
    const context = Context.current();
    const fields = { taskId: params.taskId, state: params.state, attempt: context.info.attempt };
    const target = await vetCallbackUrl(params.callbackUrl, settings).catch(
      (error: ApplicationFailure) => {
        const reason = error.message;
        context.log.warn('callback not sent', { ...fields, errorCode: error.type, reason });
        throw error;
      },
    );
    const host = target.url.host;

    const { body, outputTruncated } = callbackBody(params, maxPayloadBytes);
    const bytes = Buffer.byteLength(body);
    if (outputTruncated) {
      context.log.warn('callback output left out', { ...fields, host, bytes, maxPayloadBytes });
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'ackflow-callback/1',
      [CALLBACK_HEADERS.signature]: signCallback(settings.secret, body, unixSeconds()),
      [CALLBACK_HEADERS.taskId]: params.taskId,
      [CALLBACK_HEADERS.idempotencyKey]: callbackIdempotencyKey(params.taskId, params.state),
      [CALLBACK_HEADERS.attempt]: String(context.info.attempt),
    };

    // A dispatcher per call: its lookup is pinned to this target's vetted addresses.
    const dispatcher = new Agent({ connect: { lookup: pinnedLookup(target) } });
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, context.cancellationSignal]);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal,
        dispatcher,
      });
      // Only the status matters; the receiver's body is not read.
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        throw statusFailure(response.status, response.headers.get('retry-after'), host);
      }
      context.log.info('callback delivered', { ...fields, host, status: response.status, bytes });
      return { status: response.status, bytes, outputTruncated };
    } catch (error) {
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      const failure =
        error instanceof ApplicationFailure
          ? error
          : transportFailure(error, host, timeout.aborted, timeoutMs);
      const reason = failure.message;
      context.log.warn('callback failed', { ...fields, host, errorCode: failure.type, reason });
      throw failure;
    } finally {
      await dispatcher.destroy();
    }
  }

  return { sendCallback };
}

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export type CallbackActivities = ReturnType<typeof createCallbackActivities>;
