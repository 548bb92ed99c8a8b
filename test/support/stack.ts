/**
 * A test stack on real parts: the mock LLM over HTTP, SDK workers and a gateway over HTTP,
 * all against the shared Temporal dev server, in the test file's own namespace.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import { startMockLlm } from '../../bench/mock-llm/index.ts';
import { qstashHeaders } from '../../cli/qstash-signer.ts';
import { createBlobCodec } from '../../activities/blob-codec.ts';
import { createFolderBlobStore } from '../../activities/blob-store.ts';
import type { LlmSettings } from '../../activities/chat-stream.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import { readTokenFor } from '../../gateway/read-token.ts';
import { type RunningGateway, startGateway } from '../../gateway/server.ts';
import { TASK_QUEUES } from '../../protocol/workflow-api.ts';
import { installTemporalLogger } from '../../worker/runtime-logger.ts';
import { createWorkers, type WorkerRole } from '../../worker/worker.ts';

/** The URL signatures name: the gateway is "behind a proxy" at this address. */
export const PUBLIC_URL = 'https://gateway.ackflow.test';
export const INGRESS_URL = `${PUBLIC_URL}/v1/tasks`;
export const TEST_KEYS = { current: 'sig_test_current_key', next: 'sig_test_next_key' };
export const TEST_TOKEN_SECRET = 'test-read-token-secret';
export const TEST_API_KEY = 'test-api-key';
export const TEST_CALLBACK_SECRET = 'test-callback-secret';

export function testGatewayConfig(llmUrl: string, overrides: Partial<GatewayConfig> = {}) {
  const config: GatewayConfig = {
    publicUrl: PUBLIC_URL,
    signingKeys: { ...TEST_KEYS, development: false },
    apiKeys: [TEST_API_KEY],
    bodyLimitBytes: 1024 * 1024,
    startTimeoutMs: 5_000,
    routes: {},
    llm: { baseURL: llmUrl, apiKey: 'test' },
    readTokenSecret: TEST_TOKEN_SECRET,
    ...overrides,
  };
  return config;
}

export function startTestGateway(client: Client, config: GatewayConfig) {
  return startGateway({
    config,
    client,
    logger: pino({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
  });
}

export interface TestStackOptions {
  gateway?: Partial<GatewayConfig>;
  /** Worker-side LLM settings, such as a short idle timeout for stall tests. */
  llm?: Partial<LlmSettings>;
  /** Activity slots per task queue. */
  concurrency?: Record<string, number>;
  /** What the stack's worker hosts; `all` when absent. */
  role?: WorkerRole;
}

export async function startTestStack(namespace: string, options: TestStackOptions = {}) {
  const address = inject('temporalAddress');
  const mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });

  installTemporalLogger(pino({ level: 'warn' }), 'WARN');
  const blobDir = await mkdtemp(join(tmpdir(), 'ackflow-blobs-'));
  const blobStore = createFolderBlobStore(blobDir);
  const workerConnection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection: workerConnection,
    namespace,
    taskQueues: Object.values(TASK_QUEUES),
    llm: { baseURL: mock.url, apiKey: 'test', ...options.llm },
    callback: { secret: TEST_CALLBACK_SECRET, allowedHosts: [], allowPrivateAddresses: true },
    concurrency: options.concurrency,
    blobStore,
    role: options.role,
  });
  const workersDone = workers.run();

  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace,
    dataConverter: { payloadCodecs: [createBlobCodec(blobStore)] },
  });
  const gateway = await startTestGateway(client, testGatewayConfig(mock.url, options.gateway));

  return {
    mock,
    client,
    gateway,
    blobDir,
    async stop() {
      await gateway.close();
      workers.shutdown();
      await workersDone;
      await workerConnection.close();
      await connection.close();
      await mock.close();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

/** Delivers a body to the gateway the way QStash would, signed for the public URL. */
export function deliver(
  gateway: RunningGateway,
  body: string | object,
  options: { key?: string; messageId?: string; headers?: Record<string, string> } = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = {
    ...qstashHeaders({
      key: options.key ?? TEST_KEYS.current,
      url: INGRESS_URL,
      body: text,
      messageId: options.messageId,
    }),
    ...options.headers,
  };
  return fetch(`${gateway.url}/v1/tasks`, { method: 'POST', headers, body: text });
}

export function taskUrl(gateway: RunningGateway, taskId: string, suffix = '') {
  const token = readTokenFor(TEST_TOKEN_SECRET, taskId);
  return `${gateway.url}/v1/tasks/${taskId}${suffix}?token=${token}`;
}

/** Asks the gateway to stop a task, with an API key: a read token cannot cancel. */
export function cancelTask(gateway: RunningGateway, taskId: string) {
  return fetch(`${gateway.url}/v1/tasks/${taskId}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
}

/** Polls the status endpoint until the task reaches one of `states`. */
export async function waitForState(
  gateway: RunningGateway,
  taskId: string,
  states: string[],
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await (await fetch(taskUrl(gateway, taskId))).json();
    if (states.includes(view.state)) return view;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${view.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * How many runs carry this workflow id. Visibility, which counts them, lags behind a start
 * under load, so when `describe` (always current) finds the workflow the count is awaited
 * until it shows at least one run; when `describe` finds none, there is none.
 */
export async function runsOf(client: Client, workflowId: string): Promise<number> {
  const found = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      (error: Error) => {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      },
    );
  if (!found) return 0;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { count } = await client.workflow.count(`WorkflowId = '${workflowId}'`);
    if (count > 0 || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A task's pending activities, once it has any: its chunk scheduled, started or not. */
export async function pendingChunks(client: Client, taskId: string, timeoutMs = 30_000) {
  const handle = client.workflow.getHandle(taskId);
  for (const deadline = Date.now() + timeoutMs; ;) {
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities ?? [];
    if (pending.length > 0) return pending;
    if (Date.now() > deadline) throw new Error(`${taskId} has no chunk after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
