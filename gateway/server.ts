/** Serves the gateway app over HTTP on Node. */
import { type ServerType, serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createGatewayApp } from './app.ts';
import type { GatewayConfig } from './config.ts';
import { createTemporalTasks } from './temporal-tasks.ts';

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * How long a client may take to send a whole request, headers and body. QStash sends a
 * delivery in milliseconds; a client trickling bytes (slowloris) is cut off with a 408 after
 * this, instead of holding a socket for Node's default of five minutes.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function startGateway(options: {
  config: GatewayConfig;
  client: Client;
  logger: Logger;
  port: number;
  host?: string;
  /** REQUEST_TIMEOUT_MS unless given; tests shorten it. */
  requestTimeoutMs?: number;
}): Promise<RunningGateway> {
  const backend = createTemporalTasks(options.client, options.config.startTimeoutMs);
  const app = createGatewayApp({ config: options.config, backend, logger: options.logger });
  const host = options.host ?? '0.0.0.0';
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const serverOptions = {
    requestTimeout,
    headersTimeout: requestTimeout,
    // Node looks for overdue requests this often (30 s by default), which bounds how late
    // the timeout can fire.
    connectionsCheckingInterval: Math.min(1_000, requestTimeout),
  };

  const server: ServerType = await new Promise((resolve, reject) => {
    const started = serve(
      { fetch: app.fetch, port: options.port, hostname: host, serverOptions },
      () => resolve(started),
    );
    started.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
