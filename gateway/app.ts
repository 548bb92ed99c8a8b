/**
 * The gateway's Hono app: ingress, the task API, health, metrics and the API description. It
 * holds no state of its own, so any number of gateways can run behind a load balancer.
 */
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import type { GatewayConfig } from './config.ts';
import { ingressRoutes } from './ingress.ts';
import {
  createGatewayMetrics,
  type GatewayMetrics,
  metricsRoutes,
  noteIngress,
  observeIngress,
} from './metrics.ts';
import { openApiRoutes } from './openapi.ts';
import { Problem, problemResponse } from './problems.ts';
import { taskRoutes } from './task-routes.ts';
import type { TaskBackend } from './temporal-tasks.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  backend: TaskBackend;
  logger: Logger;
  /** Pass one in to read its counts, as tests do; each app gets its own otherwise. */
  metrics?: GatewayMetrics;
}

export function createGatewayApp(deps: GatewayDeps): Hono {
  const { config, backend, logger, metrics = createGatewayMetrics() } = deps;
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const temporal = await backend.ready();
    return c.json({ ok: temporal, temporal }, temporal ? 200 : 503);
  });
  // Registered before the route, so that it wraps it and sees every delivery's final answer.
  app.on('POST', '/v1/tasks', observeIngress(metrics, logger));
  app.route('/', ingressRoutes(config, backend));
  app.route('/', taskRoutes(config, backend));
  app.route('/', metricsRoutes(metrics));
  app.route('/', openApiRoutes(config));

  app.notFound((c) =>
    c.json({ error: { code: ERROR_CODES.notFound, message: 'no such route' } }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof Problem) {
      // Refused deliveries are logged once, with their fields, by observeIngress.
      noteIngress(c, { errorCode: error.code, fields: { error: error.message } });
      return problemResponse(c, error);
    }
    logger.error({ err: error, path: c.req.path }, 'unexpected gateway error');
    return c.json({ error: { code: ERROR_CODES.internal, message: 'internal error; retry' } }, 500);
  });

  return app;
}
