/**
 * `POST /v1/tasks`: verify, parse, start the workflow, and only then answer. The answer is
 * 200 once Temporal holds the task, so QStash can free its slot at once.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { TASK_QUEUES, type TaskWorkflowInput } from '../protocol/workflow-api.ts';
import { createAuthenticator } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { InvalidEnvelope, parseTask } from './envelope.ts';
import { Problem } from './problems.ts';
import { type TaskBackend, TemporalUnavailable } from './temporal-tasks.ts';

/** Seconds QStash (or any caller) should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

export function ingressRoutes(config: GatewayConfig, backend: TaskBackend, logger: Logger) {
  const authenticate = createAuthenticator(config);
  const app = new Hono();

  const limit = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      throw new Problem(
        413,
        ERROR_CODES.bodyTooLarge,
        `body is larger than ${config.bodyLimitBytes} bytes`,
      );
    },
  });

  app.post('/v1/tasks', limit, async (c) => {
    const receivedAt = new Date();
    const body = new TextDecoder().decode(await c.req.arrayBuffer());
    const qstashMessageId = c.req.header('upstash-message-id');
    const retryCount = Number(c.req.header('upstash-retried') ?? 0) || 0;

    const sender = await authenticate(
      {
        signature: c.req.header('upstash-signature'),
        authorization: c.req.header('authorization'),
      },
      body,
      c.req.path,
    );

    let task;
    try {
      task = parseTask(body, qstashMessageId);
    } catch (error) {
      if (!(error instanceof InvalidEnvelope)) throw error;
      if (sender.source === 'qstash') {
        // Signed but never valid: QStash should dead-letter it rather than retry.
        throw new Problem(489, error.code, error.message, { 'Upstash-NonRetryable-Error': 'true' });
      }
      const status = error.code === ERROR_CODES.malformedJson ? 400 : 422;
      throw new Problem(status, error.code, error.message);
    }

    const { envelope, definition, taskId } = task;
    const tier = envelope.tier ?? definition.tier;
    const taskQueue = TASK_QUEUES[tier];
    const workflowInput: TaskWorkflowInput = {
      taskId,
      type: definition.type,
      input: task.input,
      model: envelope.model ?? config.defaultModel ?? definition.model,
      tier,
      tenantId: envelope.tenantId,
      priority: envelope.priority,
      callbackUrl: envelope.callbackUrl,
      metadata: envelope.metadata,
      delivery: {
        source: sender.source,
        qstashMessageId,
        retryCount,
        signatureId: sender.source === 'qstash' ? sender.signatureId : undefined,
        enqueuedAt: envelope.enqueuedAt,
        receivedAt: receivedAt.toISOString(),
      },
    };

    let outcome;
    try {
      outcome = await backend.start(workflowInput, taskQueue);
    } catch (error) {
      if (!(error instanceof TemporalUnavailable)) throw error;
      logger.warn({ taskId, err: error.message }, 'workflow start failed');
      throw new Problem(503, ERROR_CODES.temporalUnavailable, 'Temporal is unavailable; retry', {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      });
    }

    const ackedAt = new Date();
    logger.info(
      {
        taskId,
        taskType: definition.type,
        tenantId: envelope.tenantId,
        modelId: workflowInput.model,
        tier,
        taskQueue,
        qstashMessageId,
        retryCount,
        enqueuedAt: envelope.enqueuedAt,
        receivedAt: receivedAt.toISOString(),
        ackedAt: ackedAt.toISOString(),
        ackMs: ackedAt.getTime() - receivedAt.getTime(),
        workflowId: outcome.workflowId,
        runId: outcome.runId,
        duplicate: outcome.duplicate,
      },
      'delivery accepted',
    );
    return c.json({
      taskId,
      workflowId: outcome.workflowId,
      runId: outcome.runId,
      duplicate: outcome.duplicate,
    });
  });

  return app;
}
