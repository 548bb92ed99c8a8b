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

export async function startGateway(options: {
  config: GatewayConfig;
  client: Client;
  logger: Logger;
  port: number;
  host?: string;
}): Promise<RunningGateway> {
  const backend = createTemporalTasks(options.client, options.config.startTimeoutMs);
  const app = createGatewayApp({ config: options.config, backend, logger: options.logger });
  const host = options.host ?? '0.0.0.0';

  const server: ServerType = await new Promise((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: host }, () =>
      resolve(started),
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
