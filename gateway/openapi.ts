/**
 * `GET /openapi.json`: the API description, generated from the zod schemas that parse
 * envelopes and shape answers. Task types come from the registry, so a new type is described
 * without an edit here.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  cancelAcceptedSchema,
  healthSchema,
  problemBodySchema,
  readinessSchema,
  taskAcceptedSchema,
  taskStatusSchema,
} from '../protocol/api-schemas.ts';
import { envelopeV1Schema, taskIdSchema } from '../protocol/envelope.ts';
import { getTaskInput } from '../protocol/task-inputs.ts';
import { listTaskTypes } from '../protocol/task-types.ts';
import type { GatewayConfig } from './config.ts';
import { RETRY_AFTER_SECONDS } from './problems.ts';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (schema: JsonObject) => ({ 'application/json': { schema } });

/**
 * OpenAPI 3.1 names the JSON Schema dialect once for the whole document, and a bare fragment
 * is not a valid `$id`, so both are dropped from what zod emits.
 */
function bare(schema: JsonObject): JsonObject {
  const copy = { ...schema };
  delete copy.$schema;
  delete copy.$id;
  return copy;
}

// Input mode throughout: it omits `additionalProperties: false`, because the gateway ignores
// unknown envelope fields and answers may gain fields that readers should skip.
function schemaOf(schema: z.ZodType): JsonObject {
  return bare(z.toJSONSchema(schema, { io: 'input' }));
}

function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  registry.add(envelopeV1Schema, { id: 'EnvelopeV1' });
  registry.add(taskAcceptedSchema, { id: 'TaskAccepted' });
  registry.add(problemBodySchema, { id: 'Problem' });
  registry.add(taskStatusSchema, { id: 'TaskStatus' });
  registry.add(cancelAcceptedSchema, { id: 'CancelAccepted' });
  registry.add(healthSchema, { id: 'Health' });
  registry.add(readinessSchema, { id: 'Readiness' });

  // One envelope per task type, with `type` fixed and `input` checked by that type's schema.
  const envelopes = listTaskTypes().map((definition) => {
    const input = getTaskInput(definition.type);
    if (!input) throw new Error(`task type ${definition.type} has no input schema`);
    registry.add(input, { id: `TaskInput.${definition.type}` });
    const envelope = envelopeV1Schema
      .extend({ type: z.literal(definition.type), input })
      .meta({ description: definition.description });
    registry.add(envelope, { id: `Envelope.${definition.type}` });
    return envelope;
  });
  const [first, ...rest] = envelopes;
  if (!first) throw new Error('no task types are registered, so no task can be submitted');
  registry.add(z.discriminatedUnion('type', [first, ...rest]), { id: 'TaskSubmission' });

  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => ref(id).$ref });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema)]));
}

const answer = (description: string, id: string) => ({
  description,
  content: jsonContent(ref(id)),
});

function problem(description: string, headers?: JsonObject) {
  return { ...answer(description, 'Problem'), ...(headers && { headers }) };
}

function header(name: string, description: string, schema: z.ZodType) {
  return { name, in: 'header', required: false, description, schema: schemaOf(schema) };
}

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    required: true,
    schema: schemaOf(z.int().min(1)),
    example: RETRY_AFTER_SECONDS,
  },
};

const ingress = {
  operationId: 'submitTask',
  summary: 'Accept a task: a QStash-signed delivery, or a direct submission with an API key.',
  description:
    'Answers 200 only after Temporal has acknowledged the workflow start, and at most one ' +
    'workflow runs per task id however often the task is delivered.',
  security: [{ qstashSignature: [] }, { apiKey: [] }],
  parameters: [
    header('Upstash-Message-Id', 'The task id when the envelope has none.', z.string()),
    header('Upstash-Retried', 'How many times QStash has redelivered.', z.int().min(0)),
  ],
  requestBody: { required: true, content: jsonContent(ref('TaskSubmission')) },
  responses: {
    200: answer('Started, or already existed (`duplicate: true`), or run inline.', 'TaskAccepted'),
    400: problem('A direct submission whose body is not JSON.'),
    401: problem('The signature or API key is missing or invalid; QStash retries.'),
    413: problem('The body is over the size limit.'),
    422: problem('A direct submission whose envelope or input can never be valid.'),
    489: problem('A signed delivery that can never be valid; QStash moves it to its DLQ.', {
      'Upstash-NonRetryable-Error': {
        description: 'Tells QStash not to retry.',
        required: true,
        schema: schemaOf(z.literal('true')),
      },
    }),
    500: problem('An unexpected error; retry.'),
    503: problem('Temporal is unreachable or the start deadline passed; retry later.', retryAfter),
  },
};

const taskIdParameter = {
  name: 'taskId',
  in: 'path',
  required: true,
  schema: schemaOf(taskIdSchema),
};

/** Reading or cancelling a task takes an API key, or that task's read token. */
const taskAccess = {
  security: [{ apiKey: [] }, { readToken: [] }, { readTokenQuery: [] }],
  parameters: [taskIdParameter],
};

const taskRefusals = {
  401: problem("Neither an API key nor this task's read token."),
  404: problem('No task has this id.'),
  503: problem('Temporal is unreachable.', retryAfter),
};

const readTask = {
  ...taskAccess,
  operationId: 'getTask',
  summary: "A task's state, current step, progress, result or error, and timestamps.",
  responses: { 200: answer('The task.', 'TaskStatus'), ...taskRefusals },
};

const followTask = {
  ...taskAccess,
  operationId: 'streamTaskEvents',
  summary: "A server-sent event stream of a task's progress and output.",
  description:
    "Events are `output` (a piece of a step's text), `progress` and a final `end`. Each id " +
    'is an output cursor, so reconnecting with `Last-Event-ID` resumes with no gap or repeat.',
  parameters: [
    taskIdParameter,
    header('Last-Event-ID', 'Resume after this event.', z.string()),
    { name: 'lastEventId', in: 'query', required: false, schema: schemaOf(z.string()) },
  ],
  responses: {
    200: {
      description: 'The stream.',
      content: { 'text/event-stream': { schema: schemaOf(z.string()) } },
    },
    ...taskRefusals,
  },
};

const cancelTask = {
  security: [{ apiKey: [] }],
  parameters: [taskIdParameter],
  operationId: 'cancelTask',
  summary: 'Ask a running task to stop.',
  description:
    'Takes an API key. A read token does not cancel: it is handed to browsers and travels ' +
    'in URLs, so it may watch a task but not stop it.',
  responses: {
    202: answer('Cancellation requested.', 'CancelAccepted'),
    409: problem('The task has already finished.'),
    ...taskRefusals,
    401: problem('No valid API key; a read token is not enough.'),
  },
};

const SECURITY_SCHEMES = {
  qstashSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Upstash-Signature',
    description: "QStash's JWT over the raw body; its `sub` is the public URL plus the path.",
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A key from GATEWAY_API_KEYS: direct submissions, and reading or cancelling any task.',
  },
  readToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Read-Token',
    description:
      'The `readToken` of a 200 answer to a delivery; reads that task only, and cannot cancel it.',
  },
  readTokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: 'The read token again, for EventSource, which cannot set headers.',
  },
};

export function buildOpenApiDocument(publicUrl: string): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ackflow gateway',
      version: '1',
      description:
        'Receives QStash deliveries, starts one Temporal workflow per task, and answers as ' +
        'soon as the start is durable.',
    },
    // Paths below start with a slash, so the server URL must not end with one.
    servers: [{ url: publicUrl.replace(/\/+$/, '') }],
    paths: {
      '/v1/tasks': { post: ingress },
      '/v1/tasks/{taskId}': { get: readTask },
      '/v1/tasks/{taskId}/events': { get: followTask },
      '/v1/tasks/{taskId}/cancel': { post: cancelTask },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness.',
          responses: { 200: answer('Alive.', 'Health') },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          summary: 'Readiness, including the Temporal connection.',
          responses: {
            200: answer('Ready.', 'Readiness'),
            503: answer('Temporal did not answer.', 'Readiness'),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics in the text exposition format.',
          responses: {
            200: {
              description: 'The metrics.',
              content: { 'text/plain': { schema: schemaOf(z.string()) } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document.',
          responses: { 200: { description: 'The OpenAPI 3.1 description.' } },
        },
      },
    },
    components: { schemas: componentSchemas(), securitySchemes: SECURITY_SCHEMES },
  };
}

export function openApiRoutes(config: GatewayConfig) {
  const app = new Hono();
  // Built once: the schemas and the task-type registry are fixed for the process's life.
  const document = buildOpenApiDocument(config.publicUrl);

  app.get('/openapi.json', (c) => c.json(document));

  return app;
}
