/**
 * When Temporal cannot take a task, the gateway answers 503 with Retry-After and never a
 * 2xx, so QStash keeps the message; once Temporal is back, the same delivery is accepted.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { provisionTemporalCli } from '../cli/temporal-cli.ts';
import { type DevServer, freePort, startDevServer } from '../cli/temporal-server.ts';
import { qstashHeaders } from '../cli/qstash-signer.ts';
import type { RunningGateway } from '../gateway/server.ts';
import {
  INGRESS_URL,
  startTestGateway,
  TEST_KEYS,
  testGatewayConfig,
  taskUrl,
} from './support/stack.ts';

/** One signed delivery, kept so that exactly the same request can be sent again. */
function signedDelivery(taskId: string) {
  const body = JSON.stringify({ version: 1, taskId, type: 'llm.generate', input: { prompt: 'x' } });
  const headers = qstashHeaders({
    key: TEST_KEYS.current,
    url: INGRESS_URL,
    body,
    ttlSeconds: 600,
  });
  return (gateway: RunningGateway) =>
    fetch(`${gateway.url}/v1/tasks`, { method: 'POST', headers, body });
}

describe('with Temporal stopped', () => {
  let server: DevServer;
  let port: number;
  let dbFile: string;
  let connection: Connection;
  let gateway: RunningGateway;

  beforeAll(async () => {
    port = await freePort();
    dbFile = join(await mkdtemp(join(tmpdir(), 'ackflow-unavailable-')), 'temporal.db');
    const cli = await provisionTemporalCli({
      env: { TEMPORAL_CLI_PATH: inject('temporalCliPath') },
    });
    server = await startDevServer({ cli, port, uiPort: false, dbFile });
    connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const client = new Client({ connection });
    gateway = await startTestGateway(
      client,
      testGatewayConfig('http://127.0.0.1:9/v1', {
        startTimeoutMs: 2_000,
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await connection?.close();
    await server?.stop();
  });

  it('answers 503 with Retry-After, never a 2xx, then accepts the same delivery', async () => {
    const send = signedDelivery(`unavailable-${Date.now()}`);
    expect((await send(gateway)).status).toBe(200); // Temporal is up: accepted.

    const again = signedDelivery(`while-down-${Date.now()}`);
    await server.stop();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await again(gateway);
      expect(response.status, await response.clone().text()).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await response.json()).error.code).toBe('temporal_unavailable');
    }
    const taskId = `while-down-probe`;
    const status = await fetch(taskUrl(gateway, taskId));
    expect(status.status, await status.clone().text()).toBe(503);

    const cli = await provisionTemporalCli({
      env: { TEMPORAL_CLI_PATH: inject('temporalCliPath') },
    });
    server = await startDevServer({ cli, port, uiPort: false, dbFile });
    // QStash would retry after Retry-After; the connection may need a moment to come back.
    let accepted: Response | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const response = await again(gateway);
      expect([200, 503]).toContain(response.status);
      if (response.status === 200) {
        accepted = response;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(accepted?.status).toBe(200);
    expect(await accepted!.json()).toMatchObject({ duplicate: false });
  });
});

describe('when the start deadline passes', () => {
  it('answers 503 with Retry-After', async () => {
    // A listener that accepts connections and never answers: every call hangs.
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as { port: number };
    const connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const gateway = await startTestGateway(
      new Client({ connection }),
      testGatewayConfig('http://127.0.0.1:9/v1', { startTimeoutMs: 500 }),
    );
    try {
      const started = Date.now();
      const response = await signedDelivery(`deadline-${Date.now()}`)(gateway);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await gateway.close();
      await connection.close().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    }
  });
});
