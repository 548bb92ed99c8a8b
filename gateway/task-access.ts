/**
 * Who may read or cancel a task. Reading takes an API key, or that task's read token (in
 * `?token=`, since a browser's EventSource cannot set headers, or `X-Read-Token`). Cancel
 * takes an API key: a read token is handed to browsers and travels in URLs, which end up in
 * history, proxy logs and screenshots, so whoever sees one may watch the task, not stop it.
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { taskIdSchema } from '../protocol/envelope.ts';
import { apiKeyMatches } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { Problem } from './problems.ts';
import { readTokenMatches } from './read-token.ts';

export function taskAccess(
  config: GatewayConfig,
  { readToken = true }: { readToken?: boolean } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const taskId = c.req.param('taskId') ?? '';
    if (!taskIdSchema.safeParse(taskId).success) {
      throw new Problem(404, ERROR_CODES.notFound, `no task ${JSON.stringify(taskId)}`);
    }
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    const token = readToken ? (c.req.query('token') ?? c.req.header('x-read-token')) : undefined;
    const allowed =
      (bearer !== undefined && apiKeyMatches(bearer, config.apiKeys)) ||
      (token !== undefined && readTokenMatches(config.readTokenSecret, taskId, token));
    if (!allowed) {
      const needed = readToken
        ? 'reading a task needs an API key or the read token of that task'
        : 'cancelling a task needs an API key; a read token only reads';
      throw new Problem(401, ERROR_CODES.accessDenied, needed);
    }
    await next();
  };
}
