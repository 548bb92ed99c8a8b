/** Serving the mock LLM over real HTTP, on a chosen or free port. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createAdaptorServer } from '@hono/node-server';

import { createMockLlm } from './app.ts';
import type { FaultQueue } from './faults.ts';
import type { MockLlmOptions } from './options.ts';
import type { MockLlmStats } from './stats.ts';

/** Where to listen, on top of the mock's own options. */
export interface StartMockLlmOptions extends MockLlmOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** A listening mock LLM. */
export interface RunningMockLlm {
  /** Base URL for the `openai` client, ending in `/v1`. */
  url: string;
  port: number;
  stats(): MockLlmStats;
  faults: FaultQueue;
  /** Zeroes the counters and clears pending faults. */
  reset(): void;
  /** Stops listening and cuts every open connection, stalled streams included. */
  close(): Promise<void>;
}

/** Starts the mock LLM on a port and resolves once it accepts connections. */
export async function startMockLlm(options: StartMockLlmOptions = {}): Promise<RunningMockLlm> {
  const { port = 0, host = '127.0.0.1', ...mockOptions } = options;
  const mock = createMockLlm(mockOptions);
  // The adaptor builds a plain node:http server unless told to use http2 or https.
  const server = createAdaptorServer({ fetch: mock.app.fetch }) as Server;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const bound = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${bound}/v1`,
    port: bound,
    stats: mock.stats,
    faults: mock.faults,
    reset: mock.reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Open streams and stalls would keep close() waiting forever; destroying their
        // sockets also aborts the generation behind each one.
        server.closeAllConnections();
      }),
  };
}
