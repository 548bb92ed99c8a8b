/**
 * Who may read or cancel a task: a holder of an API key, or of that task's read token
 * (in `?token=`, since a browser's EventSource cannot set headers, or `X-Read-Token`).
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { taskIdSchema } from '../protocol/envelope.ts';
import { apiKeyMatches } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { Problem } from './problems.ts';
import { readTokenMatches } from './read-token.ts';

export function taskAccess(config: GatewayConfig): MiddlewareHandler {
  return async (c, next) => {
    const taskId = c.req.param('taskId') ?? '';
    if (!taskIdSchema.safeParse(taskId).success) {
      throw new Problem(404, ERROR_CODES.notFound, `no task ${JSON.stringify(taskId)}`);
    }
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    const token = c.req.query('token') ?? c.req.header('x-read-token');
    const allowed =
      (bearer !== undefined && apiKeyMatches(bearer, config.apiKeys)) ||
      (token !== undefined && readTokenMatches(config.readTokenSecret, taskId, token));
    if (!allowed) {
      throw new Problem(
        401,
        ERROR_CODES.accessDenied,
        'reading a task needs an API key or the read token of that task',
      );
    }
    await next();
  };
}
