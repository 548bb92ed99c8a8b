/**
 * The callback a producer receives at its `callbackUrl` when a task ends, and the signature
 * that proves ackflow sent it. Producers import this file to verify deliveries.
 *
 * It uses node:crypto, so workflow code may only `import type` from it: the workflow sandbox
 * has no Node built-ins.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TaskState } from './task-state.ts';
import type { ModelFallback, StepReport, TokenUsage } from './workflow-api.ts';

export const CALLBACK_VERSION = 1;

export const CALLBACK_HEADERS = {
  signature: 'Ackflow-Signature',
  taskId: 'Ackflow-Task-Id',
  idempotencyKey: 'Idempotency-Key',
  attempt: 'Ackflow-Delivery-Attempt',
} as const;

/** The states a task can end in; a callback is sent once, for one of them. */
export type CallbackState = Extract<TaskState, 'completed' | 'failed' | 'cancelled' | 'timed_out'>;

export interface CallbackResult {
  /** Absent when `outputTruncated` is true: read it from `GET /v1/tasks/:taskId`. */
  output?: string;
  /** True when the output was left out to keep the callback under its size limit. */
  outputTruncated?: true;
  usage: TokenUsage;
  usageByModel: Record<string, TokenUsage>;
  steps: StepReport[];
  fallbacks?: ModelFallback[];
}

export interface CallbackPayload {
  version: typeof CALLBACK_VERSION;
  taskId: string;
  type: string;
  state: CallbackState;
  /** Present when `state` is `completed`. */
  result?: CallbackResult;
  /** Present for every other state; `code` is one of the stable error codes. */
  error?: { code: string; message: string };
  tenantId?: string;
  metadata?: Record<string, string>;
  /** ISO 8601 time the task ended; the same on every attempt to deliver this callback. */
  finishedAt: string;
}

/** Stable for one task and end state, so a receiver can drop a repeated delivery. */
export function callbackIdempotencyKey(taskId: string, state: CallbackState): string {
  return `${taskId}:${state}`;
}

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The `Ackflow-Signature` value for a body sent at `timestamp` (unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 */
export function signCallback(secret: string, body: string | Uint8Array, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  }
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type CallbackSignatureProblem = 'malformed' | 'expired' | 'invalid';

export class CallbackSignatureError extends Error {
  override name = 'CallbackSignatureError';
  constructor(
    readonly problem: CallbackSignatureProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyOptions {
  /** How far the signed time may be from `now`, either way. Default 300 seconds. */
  toleranceSeconds?: number;
  /** The current time in unix seconds. Default: the clock. */
  now?: number;
}

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedHeader {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (value === undefined || rest.length > 0) continue;
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) {
    throw new CallbackSignatureError('malformed', 'signature header has no t=<unix seconds>');
  }
  if (signatures.length === 0) {
    throw new CallbackSignatureError('malformed', 'signature header has no v1=<64 hex digits>');
  }
  return { timestamp, signatures };
}

/**
 * Checks an `Ackflow-Signature` header against the raw body exactly as received (before any
 * JSON parsing). Returns the signed timestamp; throws a CallbackSignatureError saying whether
 * the header was malformed, expired or did not match. Pass several secrets while rotating.
 */
export function verifyCallback(
  secret: string | readonly string[],
  body: string | Uint8Array,
  header: string | null | undefined,
  { toleranceSeconds = 300, now = Math.floor(Date.now() / 1000) }: VerifyOptions = {},
): { timestamp: number } {
  if (!header) throw new CallbackSignatureError('malformed', 'signature header is missing');
  const { timestamp, signatures } = parseHeader(header);

  const age = now - timestamp;
  if (Math.abs(age) > toleranceSeconds) {
    throw new CallbackSignatureError(
      'expired',
      `signature time is ${age} s from now; at most ${toleranceSeconds} s is accepted`,
    );
  }

  const secrets = typeof secret === 'string' ? [secret] : secret;
  for (const candidate of secrets) {
    const expected = Buffer.from(hmacHex(candidate, timestamp, body), 'hex');
    // Every v1 was checked to be 32 bytes, so timingSafeEqual never sees unequal lengths.
    if (signatures.some((signature) => timingSafeEqual(signature, expected))) {
      return { timestamp };
    }
  }
  throw new CallbackSignatureError('invalid', 'signature does not match the body');
}
