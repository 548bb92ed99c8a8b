/**
 * The gateway's Prometheus metrics and `GET /metrics`. Each app gets a registry of its own,
 * so several apps in one process (as in tests) never share counts. Every label takes a value
 * from a small fixed set: never a task id, a tenant, a message or a key.
 */
import { isGrpcDeadlineError } from '@temporalio/client';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TemporalUnavailable } from './temporal-tasks.ts';

const PREFIX = 'ackflow_gateway_';

/** ACKs take milliseconds when all is well; the top buckets catch a slow Temporal start. */
const ACK_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type AckOutcome =
  'accepted' | 'duplicate' | 'unauthorized' | 'too_large' | 'invalid' | 'unavailable' | 'error';

export type DeliverySource = 'qstash' | 'api' | 'unknown';

export type StartErrorReason = 'unavailable' | 'deadline_exceeded' | 'unexpected';

/** What ingress learned about a delivery, left on the context for the middleware to count. */
export interface IngressFacts {
  /** Set once the sender is authenticated, so an unauthenticated delivery stays `unknown`. */
  source?: 'qstash' | 'api';
  duplicate?: boolean;
  startError?: StartErrorReason;
  mode?: 'durable' | 'inline';
  /** The stable code of a refusal. */
  errorCode?: string;
  /** Observation fields for the delivery's log line; merged across calls. */
  fields?: Record<string, unknown>;
}

declare module 'hono' {
  interface ContextVariableMap {
    ingressFacts?: IngressFacts;
  }
}

export interface GatewayMetrics {
  registry: Registry;
  ackSeconds: Histogram<'outcome' | 'mode'>;
  deliveries: Counter<'outcome' | 'source'>;
  inFlight: Gauge;
  startErrors: Counter<'reason'>;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  return {
    registry,
    ackSeconds: new Histogram({
      name: `${PREFIX}ack_duration_seconds`,
      help: 'Time from receiving POST /v1/tasks to answering it: the QStash slot hold time.',
      // Inline answers take as long as the LLM; the mode keeps them out of durable ACK times.
      labelNames: ['outcome', 'mode'],
      buckets: ACK_BUCKETS_SECONDS,
      registers,
    }),
    deliveries: new Counter({
      name: `${PREFIX}deliveries_total`,
      help: 'Deliveries to POST /v1/tasks, by outcome and authenticated source.',
      labelNames: ['outcome', 'source'],
      registers,
    }),
    inFlight: new Gauge({
      name: `${PREFIX}deliveries_in_flight`,
      help: 'POST /v1/tasks requests not yet answered: the QStash slots this gateway holds.',
      registers,
    }),
    startErrors: new Counter({
      name: `${PREFIX}workflow_start_errors_total`,
      help: 'Workflow starts that failed, so the delivery was not accepted.',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** Records a fact about the current delivery; later facts add to earlier ones. */
export function noteIngress(c: Context, facts: IngressFacts): void {
  const earlier = c.get('ingressFacts');
  const fields = { ...earlier?.fields, ...facts.fields };
  c.set('ingressFacts', { ...earlier, ...facts, fields });
}

/** Why a workflow start failed, as a label: the kind of failure, never its message. */
export function startErrorReason(error: unknown): StartErrorReason {
  if (!(error instanceof TemporalUnavailable)) return 'unexpected';
  return isGrpcDeadlineError(error) ? 'deadline_exceeded' : 'unavailable';
}

const OUTCOME_BY_STATUS: Readonly<Record<number, AckOutcome>> = {
  400: 'invalid',
  401: 'unauthorized',
  413: 'too_large',
  422: 'invalid',
  489: 'invalid',
  503: 'unavailable',
};

export function outcomeOf(status: number, duplicate = false): AckOutcome {
  if (status >= 200 && status < 300) return duplicate ? 'duplicate' : 'accepted';
  return OUTCOME_BY_STATUS[status] ?? 'error';
}

/**
 * Wraps the ingress route and accounts for each delivery once, from its final status: the
 * app's error handler has already turned any refusal into an answer by the time `next`
 * returns. One metric update and one JSON log line per delivery.
 */
export function observeIngress(metrics: GatewayMetrics, logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    metrics.inFlight.inc();
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const facts = c.get('ingressFacts') ?? {};
      const outcome = outcomeOf(status, facts.duplicate);
      const source: DeliverySource = facts.source ?? 'unknown';
      metrics.inFlight.dec();
      metrics.ackSeconds.observe({ outcome, mode: facts.mode ?? 'none' }, seconds);
      metrics.deliveries.inc({ outcome, source });
      if (facts.startError) metrics.startErrors.inc({ reason: facts.startError });
      logger.info(
        {
          ...facts.fields,
          ackedAt: new Date().toISOString(),
          ackMs: Math.round(seconds * 100_000) / 100,
          status,
          outcome,
          source,
          mode: facts.mode,
          duplicate: facts.duplicate,
          errorCode: facts.errorCode,
        },
        'delivery',
      );
    }
  };
}

export function metricsRoutes(metrics: GatewayMetrics) {
  const app = new Hono();

  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType });
  });

  return app;
}
