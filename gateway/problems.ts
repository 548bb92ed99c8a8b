/**
 * The one error type a route throws to refuse a request, and the one place that turns it
 * into an HTTP answer. Bodies carry a stable code and a message, never a secret.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_CODES, type ErrorCode } from '../protocol/error-codes.ts';

export class Problem extends Error {
  override name = 'Problem';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function problemResponse(c: Context, problem: Problem): Response {
  for (const [name, value] of Object.entries(problem.headers)) c.header(name, value);
  // 489 is QStash's own code, outside Hono's list of statuses.
  const status = problem.status as ContentfulStatusCode;
  return c.json({ error: { code: problem.code, message: problem.message } }, status);
}

/** Seconds QStash (or any caller) should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** The answer for "not now": nothing was lost, and the same request will work later. */
export function unavailable(message: string, code: ErrorCode = ERROR_CODES.temporalUnavailable) {
  return new Problem(503, code, message, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
}
