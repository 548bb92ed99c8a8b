/** The read side of the API: a task's state, progress, result or error. */
import { Hono } from 'hono';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { taskIdSchema } from '../protocol/envelope.ts';
import { Problem } from './problems.ts';
import { RETRY_AFTER_SECONDS } from './ingress.ts';
import { type TaskBackend, TemporalUnavailable } from './temporal-tasks.ts';

export function taskRoutes(backend: TaskBackend) {
  const app = new Hono();

  app.get('/v1/tasks/:taskId{.+}', async (c) => {
    const taskId = c.req.param('taskId');
    if (!taskIdSchema.safeParse(taskId).success) {
      throw new Problem(404, ERROR_CODES.notFound, `no task ${JSON.stringify(taskId)}`);
    }
    let view;
    try {
      view = await backend.read(taskId);
    } catch (error) {
      if (!(error instanceof TemporalUnavailable)) throw error;
      throw new Problem(503, ERROR_CODES.temporalUnavailable, error.message, {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      });
    }
    if (!view) throw new Problem(404, ERROR_CODES.notFound, `no task ${taskId}`);

    return c.json({
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
    });
  });

  return app;
}
