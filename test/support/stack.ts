/**
 * A test stack on real parts: the mock LLM over HTTP, SDK workers and a gateway over HTTP,
 * all against the shared Temporal dev server, in the test file's own namespace.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import { startMockLlm } from '../../bench/mock-llm/index.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import { startGateway } from '../../gateway/server.ts';
import { TASK_QUEUES } from '../../protocol/workflow-api.ts';
import { QSTASH_DEV_SIGNING_KEYS } from '../../protocol/variables.ts';
import { installTemporalLogger } from '../../worker/runtime-logger.ts';
import { createWorkers } from '../../worker/worker.ts';

/** The URL signatures name: the gateway is "behind a proxy" at this address. */
export const PUBLIC_URL = 'https://gateway.ackflow.test';

export const TEST_KEYS = { current: 'sig_test_current_key', next: 'sig_test_next_key' };

export async function startTestStack(namespace: string, overrides: Partial<GatewayConfig> = {}) {
  const address = inject('temporalAddress');
  const mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });

  installTemporalLogger(pino({ level: 'warn' }), 'WARN');
  const workerConnection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection: workerConnection,
    namespace,
    taskQueues: Object.values(TASK_QUEUES),
    llm: { baseURL: mock.url, apiKey: 'test' },
  });
  const workersDone = workers.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const gateway = await startGateway({
    config: {
      publicUrl: PUBLIC_URL,
      signingKeys: { ...TEST_KEYS, development: false },
      apiKeys: ['test-api-key'],
      bodyLimitBytes: 1024 * 1024,
      startTimeoutMs: 5_000,
      ...overrides,
    },
    client,
    logger: pino({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
  });

  return {
    mock,
    client,
    gateway,
    devKeys: QSTASH_DEV_SIGNING_KEYS,
    async stop() {
      await gateway.close();
      workers.shutdown();
      await workersDone;
      await workerConnection.close();
      await connection.close();
      await mock.close();
    },
  };
}
