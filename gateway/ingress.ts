/**
 * `POST /v1/tasks`: read the body once, verify the sender, parse the envelope, route, start
 * the workflow, and only then answer. The answer is 200 once Temporal holds the task, so
 * QStash frees its slot at once; a task that already exists answers 200 with duplicate.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import type { TaskWorkflowInput } from '../protocol/workflow-api.ts';
import { createAuthenticator, type Sender } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { InvalidEnvelope, parseTask, type ParsedTask } from './envelope.ts';
import { createInlineRunner } from './inline.ts';
import { noteIngress, startErrorReason } from './metrics.ts';
import { Problem, unavailable } from './problems.ts';
import { readTokenFor } from './read-token.ts';
import { resolveRoute, type Route } from './routes.ts';
import { type TaskBackend, TemporalUnavailable } from './temporal-tasks.ts';

/** Reads the raw bytes as UTF-8, and says whether they were valid UTF-8 (JSON's encoding). */
function decodeBody(bytes: ArrayBuffer): { text: string; utf8: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), utf8: true };
  } catch {
    // The lenient text is still what the signature check gets, so an unsigned or forged
    // delivery answers 401 before anything looks at its encoding.
    return { text: new TextDecoder().decode(bytes), utf8: false };
  }
}

function parseOrRefuse(
  body: { text: string; utf8: boolean },
  messageId: string | undefined,
  sender: Sender,
): ParsedTask {
  try {
    // Decoding invalid bytes as U+FFFD would start a task whose input the producer never
    // sent; such a body is refused like any other that is not JSON.
    if (!body.utf8) throw new InvalidEnvelope(ERROR_CODES.malformedJson, 'body is not UTF-8');
    return parseTask(body.text, messageId);
  } catch (error) {
    if (!(error instanceof InvalidEnvelope)) throw error;
    if (sender.source === 'qstash') {
      // Signed but never valid: QStash should dead-letter it rather than retry.
      throw new Problem(489, error.code, error.message, { 'Upstash-NonRetryable-Error': 'true' });
    }
    const status = error.code === ERROR_CODES.malformedJson ? 400 : 422;
    throw new Problem(status, error.code, error.message);
  }
}

export function ingressRoutes(config: GatewayConfig, backend: TaskBackend) {
  const authenticate = createAuthenticator(config);
  const runInline = config.llm ? createInlineRunner(config.llm) : undefined;
  const app = new Hono();

  const limit = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      const message = `body is larger than ${config.bodyLimitBytes} bytes`;
      // The rest of the body is never read, so this connection cannot carry another request;
      // saying so keeps clients from reusing it and failing their next delivery.
      throw new Problem(413, ERROR_CODES.bodyTooLarge, message, { Connection: 'close' });
    },
  });

  app.post('/v1/tasks', limit, async (c) => {
    const receivedAt = new Date();
    const body = decodeBody(await c.req.arrayBuffer());
    const qstashMessageId = c.req.header('upstash-message-id');
    const retryCount = Number(c.req.header('upstash-retried') ?? 0) || 0;
    const headers = {
      signature: c.req.header('upstash-signature'),
      authorization: c.req.header('authorization'),
    };

    noteIngress(c, {
      fields: { qstashMessageId, retryCount, receivedAt: receivedAt.toISOString() },
    });

    const sender = await authenticate(headers, body.text, c.req.path);
    noteIngress(c, { source: sender.source });
    const task = parseOrRefuse(body, qstashMessageId, sender);
    const { envelope, definition, taskId } = task;
    const route = resolveRoute(config.routes, definition, envelope, taskId);
    const workflowInput: TaskWorkflowInput = {
      taskId,
      type: definition.type,
      input: task.input,
      model: envelope.model ?? config.defaultModel ?? definition.model,
      fallbackModels: config.fallbackModels,
      tier: route.tier,
      tenantId: envelope.tenantId,
      priority: route.priority,
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
    noteIngress(c, { mode: route.mode, fields: observationFields(workflowInput, route) });
    const readToken = readTokenFor(config.readTokenSecret, taskId);

    if (route.mode === 'inline') {
      const result = await inline(c, task, workflowInput.model);
      return c.json({ taskId, mode: route.mode, result, readToken });
    }
    const outcome = await start(c, workflowInput, route);
    return c.json({ taskId, mode: route.mode, ...outcome, readToken });
  });

  async function start(c: Context, input: TaskWorkflowInput, route: Route) {
    try {
      const outcome = await backend.start(input, route);
      const { workflowId, runId, duplicate } = outcome;
      noteIngress(c, { duplicate, fields: { workflowId, runId } });
      return outcome;
    } catch (error) {
      noteIngress(c, { startError: startErrorReason(error) });
      if (!(error instanceof TemporalUnavailable)) throw error;
      throw unavailable('Temporal is unavailable; retry');
    }
  }

  async function inline(c: Context, task: ParsedTask, model: string) {
    if (!runInline)
      throw unavailable('inline mode has no LLM configured', ERROR_CODES.llmUnavailable);
    try {
      return await runInline(task.definition, { input: task.input, model }, c.req.raw.signal);
    } catch (error) {
      noteIngress(c, { fields: { inlineError: (error as Error).message } });
      throw unavailable('the inline run failed; retry', ERROR_CODES.llmUnavailable);
    }
  }

  return app;
}

/** The observation fields of DESIGN.md that a delivery carries, for its log line. */
function observationFields(task: TaskWorkflowInput, route: Route) {
  return {
    taskId: task.taskId,
    taskType: task.type,
    tenantId: task.tenantId,
    modelId: task.model,
    tier: route.tier,
    taskQueue: route.taskQueue,
    enqueuedAt: task.delivery.enqueuedAt,
  };
}
