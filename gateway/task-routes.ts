/** The read side of the API: a task's state and result, its event stream, and cancel. */
import { type Context, Hono } from 'hono';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import type { GatewayConfig } from './config.ts';
import { Problem } from './problems.ts';
import { taskAccess } from './task-access.ts';
import { streamTaskEvents } from './task-events.ts';
import { readOrNotFound, orUnavailable } from './task-reads.ts';
import type { TaskBackend, TaskView } from './temporal-tasks.ts';

export function taskStatusBody(view: TaskView) {
  return {
    taskId: view.taskId,
    type: view.type,
    state: view.state,
    step: view.progress?.step ?? null,
    progress: view.progress && {
      stepIndex: view.progress.stepIndex,
      stepCount: view.progress.stepCount,
      chunks: view.progress.chunks,
      outputChars: view.progress.outputChars,
    },
    usage: view.result?.usage ?? view.progress?.usage,
    result: view.result,
    error: view.error,
    retryCount: view.delivery?.retryCount,
    timestamps: {
      enqueuedAt: view.delivery?.enqueuedAt,
      receivedAt: view.delivery?.receivedAt,
      startedAt: view.startedAt,
      finishedAt: view.finishedAt,
    },
  };
}

export function taskRoutes(config: GatewayConfig, backend: TaskBackend) {
  const app = new Hono();
  const access = taskAccess(config);
  const apiKeyAccess = taskAccess(config, { readToken: false });
  const taskIdOf = (c: Context) => c.req.param('taskId') as string;

  app.get('/v1/tasks/:taskId/events', access, (c) =>
    streamTaskEvents(
      c,
      backend,
      taskIdOf(c),
      c.req.header('last-event-id'),
      config.eventKeepAliveMs,
    ),
  );

  app.post('/v1/tasks/:taskId/cancel', apiKeyAccess, async (c) => {
    const taskId = taskIdOf(c);
    const outcome = await orUnavailable(() => backend.cancel(taskId));
    if (outcome === 'not_found') throw new Problem(404, ERROR_CODES.notFound, `no task ${taskId}`);
    if (outcome === 'closed') {
      throw new Problem(409, ERROR_CODES.taskClosed, `task ${taskId} has already finished`);
    }
    return c.json({ taskId, cancelRequested: true }, 202);
  });

  app.get('/v1/tasks/:taskId', access, async (c) => {
    return c.json(taskStatusBody(await readOrNotFound(backend, taskIdOf(c))));
  });

  return app;
}
