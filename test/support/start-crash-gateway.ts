/**
 * An in-process gateway that dies at the worst moment on purpose: on the first delivery of
 * each task it starts the workflow, then drops the connection before any answer goes out, as
 * a gateway killed between Temporal's acknowledgement and its reply would. Later deliveries
 * of the task pass through untouched. Deliveries must come one at a time (parallelism 1):
 * the drop cuts every open connection.
 */
import type { Socket } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createGatewayApp } from '../../gateway/app.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import { createTemporalTasks, type TaskBackend } from '../../gateway/temporal-tasks.ts';

export async function startStartCrashGateway(client: Client, config: GatewayConfig) {
  const real = createTemporalTasks(client, config.startTimeoutMs);
  const crashedOnce = new Set<string>();
  const sockets = new Set<Socket>();
  const backend: TaskBackend = {
    ...real,
    async start(task, route) {
      const outcome = await real.start(task, route);
      if (crashedOnce.has(task.taskId)) return outcome;
      crashedOnce.add(task.taskId);
      for (const socket of sockets) socket.destroy();
      throw new Error('the gateway died after the workflow start, before its answer');
    },
  };
  const app = createGatewayApp({ config, backend, logger: pino({ level: 'silent' }) });

  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    /** Tasks whose first delivery was cut off after the start. */
    crashes: () => crashedOnce.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
