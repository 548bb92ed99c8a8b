/**
 * Per-task read tokens: an HMAC of the task id under the gateway's token secret. A producer
 * hands one to a browser, which can then follow that task, and only that task, without
 * holding an API key. Producers holding the secret compute the same value themselves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function readTokenFor(secret: string, taskId: string): string {
  return createHmac('sha256', secret).update(`ackflow-read:${taskId}`).digest('base64url');
}

export function readTokenMatches(secret: string, taskId: string, token: string): boolean {
  const expected = Buffer.from(readTokenFor(secret, taskId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
