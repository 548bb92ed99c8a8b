import { pino } from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { qstashHeaders } from '../cli/qstash-signer.ts';
import {
  problemBodySchema,
  taskAcceptedSchema,
  type taskResultSchema,
  taskStatusSchema,
} from '../protocol/api-schemas.ts';
import { listTaskTypes } from '../protocol/task-types.ts';
import type { TaskResult } from '../protocol/workflow-api.ts';
import { createGatewayApp } from './app.ts';
import type { GatewayConfig } from './config.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { TaskBackend, TaskView } from './temporal-tasks.ts';

// A parsed JSON document is walked by property; the assertions, not the types, check it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const config: GatewayConfig = {
  publicUrl: 'https://gateway.ackflow.test',
  signingKeys: { current: 'sig_openapi_current', next: 'sig_openapi_next', development: false },
  apiKeys: ['openapi-api-key'],
  bodyLimitBytes: 4096,
  startTimeoutMs: 5_000,
  routes: {},
  readTokenSecret: 'openapi-read-token-secret',
};

const completed: TaskView = {
  taskId: 't-1',
  type: 'llm.generate',
  state: 'completed',
  result: {
    output: 'hello',
    steps: [
      {
        name: 'generate',
        model: 'mock-fast',
        chunks: 1,
        outputChars: 5,
        finishReason: 'stop',
        promptTokens: 3,
        completionTokens: 2,
        costUsd: 0.000002,
      },
    ],
    usage: { promptTokens: 3, completionTokens: 2, costUsd: 0.000002 },
    usageByModel: { 'mock-fast': { promptTokens: 3, completionTokens: 2, costUsd: 0.000002 } },
  },
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  delivery: { source: 'qstash', retryCount: 0, receivedAt: '2025-01-01T00:00:00.000Z' },
};

const backend: TaskBackend = {
  start: async (task) => ({ duplicate: false, workflowId: task.taskId, runId: 'run-1' }),
  read: async (taskId) => (taskId === completed.taskId ? completed : undefined),
  readOutput: async () => [],
  cancel: async () => 'not_found',
  ready: async () => true,
};

const app = createGatewayApp({ config, backend, logger: pino({ level: 'silent' }) });

async function openApiDocument(): Promise<Json> {
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  return JSON.parse(await response.text()) as Json;
}

/** Every `$ref` anywhere under `node`. */
function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  );
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document for the public URL', async () => {
    const document = await openApiDocument();

    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: config.publicUrl }]);
  });

  it('names a prefixed public URL as its server, without a slash before the paths', () => {
    const document = buildOpenApiDocument('https://example.com/ackflow/');
    expect(document.servers).toEqual([{ url: 'https://example.com/ackflow' }]);
  });

  it('describes every ingress answer, with the headers QStash acts on', async () => {
    const { paths } = await openApiDocument();
    const responses = paths['/v1/tasks'].post.responses;

    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '413', '422', '489', '503']),
    );
    expect(responses['489'].headers['Upstash-NonRetryable-Error'].schema.const).toBe('true');
    expect(responses['503'].headers['Retry-After'].required).toBe(true);
    expect(paths['/v1/tasks'].post.security).toEqual([{ qstashSignature: [] }, { apiKey: [] }]);
  });

  it('describes the task, health, readiness and metrics routes', async () => {
    const { paths } = await openApiDocument();

    expect(Object.keys(paths['/v1/tasks/{taskId}'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '503']),
    );
    expect(paths['/healthz'].get.responses['200']).toBeDefined();
    expect(Object.keys(paths['/readyz'].get.responses)).toEqual(['200', '503']);
    expect(paths['/metrics'].get.responses['200'].content['text/plain']).toBeDefined();
  });

  it('lets a read token read a task but asks an API key to cancel one', async () => {
    const { paths } = await openApiDocument();

    expect(paths['/v1/tasks/{taskId}'].get.security).toContainEqual({ readToken: [] });
    expect(paths['/v1/tasks/{taskId}/cancel'].post.security).toEqual([{ apiKey: [] }]);
  });

  it('names both ways to authenticate a delivery', async () => {
    const { components } = await openApiDocument();

    expect(components.securitySchemes.qstashSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Upstash-Signature',
    });
    expect(components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('generates the envelope and each task type input from their zod schemas', async () => {
    const { components } = await openApiDocument();
    const { schemas } = components;

    expect(schemas.EnvelopeV1.required).toEqual(
      expect.arrayContaining(['version', 'type', 'input']),
    );
    expect(schemas['TaskInput.llm.generate'].required).toEqual(['prompt']);
    for (const { type, description } of listTaskTypes()) {
      expect(schemas.TaskSubmission.oneOf).toContainEqual({
        $ref: `#/components/schemas/Envelope.${type}`,
      });
      expect(schemas[`Envelope.${type}`]).toMatchObject({
        description,
        properties: {
          type: { const: type },
          input: { $ref: `#/components/schemas/TaskInput.${type}` },
        },
      });
    }
  });

  it('refers only to schemas it defines', async () => {
    const document = await openApiDocument();
    const defined = Object.keys(document.components.schemas);

    for (const ref of refsIn(document)) {
      expect(defined).toContain(ref.replace('#/components/schemas/', ''));
    }
  });
});

/** The property names a component schema (or one of its `oneOf` variants) documents. */
function documentedFields(document: Json, id: string, variant?: number): string[] {
  const schema = document.components.schemas[id];
  return Object.keys((variant === undefined ? schema : schema.oneOf[variant]).properties);
}

async function answerTo(path: string, init?: RequestInit): Promise<Json> {
  return (await (await app.request(path, init)).json()) as Json;
}

describe('the documented answer schemas', () => {
  const body = JSON.stringify({
    version: 1,
    taskId: 't-1',
    type: 'llm.generate',
    input: { prompt: 'hi' },
  });

  it('match what ingress answers', async () => {
    const document = await openApiDocument();
    const url = `${config.publicUrl}/v1/tasks`;
    const headers = qstashHeaders({ key: config.signingKeys.current, url, body });

    const accepted = await answerTo('/v1/tasks', { method: 'POST', body, headers });
    const refused = await answerTo('/v1/tasks', { method: 'POST', body });

    const parsed = taskAcceptedSchema.parse(accepted);
    expect(parsed).toMatchObject({ mode: 'durable', duplicate: false });
    expect(documentedFields(document, 'TaskAccepted', 0)).toEqual(
      expect.arrayContaining(Object.keys(accepted)),
    );
    expect(problemBodySchema.parse(refused).error.code).toBe('signature_missing');
  });

  it("match what a task's status answers", async () => {
    const document = await openApiDocument();
    const headers = { authorization: `Bearer ${config.apiKeys[0]}` };

    const status = await answerTo('/v1/tasks/t-1', { headers });

    expect(taskStatusSchema.parse(status).state).toBe('completed');
    expect(documentedFields(document, 'TaskStatus')).toEqual(
      expect.arrayContaining(Object.keys(status)),
    );
  });

  it('cover the workflow result type', () => {
    expectTypeOf<TaskResult>().toExtend<z.infer<typeof taskResultSchema>>();
  });
});
