/**
 * The mock LLM as a Hono app: OpenAI's chat completions and models routes, plus an admin API
 * under `/_mock` so another process can queue faults and read counters.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';

import { completionHandler } from './completions.ts';
import { FaultQueue, FaultSpecError } from './faults.ts';
import { resolveOptions } from './options.ts';
import type { MockLlmOptions } from './options.ts';
import { StatsRecorder } from './stats.ts';
import type { MockLlmStats } from './stats.ts';
import { errorResponse } from './wire.ts';

/** Model ids listed by `GET /v1/models`; completions accept any id. */
export const MOCK_MODELS: readonly string[] = ['mock-fast', 'mock-large'];

/** A mock LLM that has not been bound to a port; serve `app.fetch` or call `app.request`. */
export interface MockLlm {
  app: Hono;
  stats(): MockLlmStats;
  faults: FaultQueue;
  /** Zeroes the counters and clears pending faults. */
  reset(): void;
}

/**
 * Creates the mock LLM app. Admin routes and `/healthz` never need the API key: they are the
 * test harness's controls, not part of the provider being imitated.
 */
export function createMockLlm(options: MockLlmOptions = {}): MockLlm {
  const { apiKey, ...defaults } = resolveOptions(options);
  const faults = new FaultQueue();
  const stats = new StatsRecorder();
  const reset = (): void => {
    stats.reset();
    faults.clear();
  };
  const authorize = (c: Context): Response | undefined => {
    if (apiKey === undefined || c.req.header('authorization') === `Bearer ${apiKey}`) return;
    return errorResponse(
      401,
      'Incorrect API key provided.',
      'invalid_request_error',
      'invalid_api_key',
    );
  };

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/v1/models', (c) => authorize(c) ?? c.json(modelList()));
  app.post('/v1/chat/completions', completionHandler({ defaults, faults, stats, authorize }));

  app.get('/_mock/stats', (c) => c.json(stats.snapshot()));
  app.get('/_mock/faults', (c) => c.json({ pending: faults.pending() }));
  app.post('/_mock/faults', async (c) => {
    try {
      faults.add(await c.req.json());
    } catch (error) {
      const message = error instanceof FaultSpecError ? error.message : 'Body is not valid JSON.';
      return errorResponse(400, message, 'invalid_request_error');
    }
    return c.json({ pending: faults.pending() });
  });
  app.post('/_mock/reset', (c) => {
    reset();
    return c.json({ ok: true });
  });

  app.notFound((c) =>
    errorResponse(404, `Unknown route ${c.req.method} ${c.req.path}.`, 'invalid_request_error'),
  );
  app.onError((error) => errorResponse(500, `Mock LLM failed: ${error.message}`, 'server_error'));

  return { app, stats: () => stats.snapshot(), faults, reset };
}

function modelList(): object {
  // A fixed creation time keeps the listing identical from run to run.
  const data = MOCK_MODELS.map((id) => ({
    id,
    object: 'model',
    created: 1_700_000_000,
    owned_by: 'ackflow-mock',
  }));
  return { object: 'list', data };
}
