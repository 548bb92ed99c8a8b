/**
 * Property-based fuzzing of `POST /v1/tasks`: random bodies, headers and credentials, from
 * valid ones to forged, tampered and mutated signatures. Whatever arrives, the gateway
 * answers one of the documented statuses (no 5xx but the 503 of unavailability), starts a
 * workflow only for a genuine signature or API key, and keeps serving.
 *
 * ACKFLOW_FUZZ_RUNS sets the number of in-process runs (the HTTP run does a third as many);
 * ACKFLOW_FUZZ_SEED replays a failure with the seed the failing run printed.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../gateway/app.ts';
import { type TaskBackend, TemporalUnavailable } from '../gateway/temporal-tasks.ts';
import {
  bodyArbitrary,
  type Credential,
  credentialArbitrary,
  extraHeadersArbitrary,
} from './support/ingress-arbitraries.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  INGRESS_URL,
  startTestStack,
  TEST_API_KEY,
  TEST_KEYS,
  testGatewayConfig,
} from './support/stack.ts';

const RUNS = Number(process.env.ACKFLOW_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.ACKFLOW_FUZZ_SEED ?? 20_261_204);
const LIMIT = 4096;
const secrets = { signingKey: TEST_KEYS.current, apiKey: TEST_API_KEY, url: INGRESS_URL };

/** What a delivery may be answered, given who sent it and what was sent. */
function expectDocumentedAnswer(
  response: { status: number; headers: Headers },
  credential: Credential,
  body: Uint8Array,
) {
  if (body.length > LIMIT) {
    expect(response.status).toBe(413);
  } else if (!credential.valid || (credential.kind === 'valid signature' && !isUtf8(body))) {
    // The signature check hashes the body as text, so a body that is not UTF-8 (and so can
    // never be an envelope) fails it even when QStash signed its bytes: QStash retries it
    // and dead-letters it, as after a 489, and nothing starts.
    expect(response.status).toBe(401);
  } else {
    expect([200, 400, 422, 489, 503]).toContain(response.status);
  }
  if (response.status === 503) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  if (response.status === 489) {
    expect(response.headers.get('upstash-nonretryable-error')).toBe('true');
  }
}

/** Tallies for the figures in docs/reliability-abuse.md; printed after each property. */
function tally() {
  const statuses: Record<number, number> = {};
  return {
    statuses,
    requests: 0,
    fiveHundreds: 0,
    startsWithoutAuth: 0,
  };
}

function note(seen: ReturnType<typeof tally>, status: number) {
  seen.requests += 1;
  seen.statuses[status] = (seen.statuses[status] ?? 0) + 1;
  if (status >= 500 && status !== 503) seen.fiveHundreds += 1;
}

const delivery = fc.record({
  body: bodyArbitrary(LIMIT),
  extra: extraHeadersArbitrary,
  credential: credentialArbitrary(secrets),
  // Temporal is unreachable for one delivery in eight.
  temporalDown: fc.nat({ max: 7 }).map((n) => n === 0),
});

describe('the ingress under random deliveries, in process', () => {
  it('answers only documented statuses and starts nothing without valid auth', async () => {
    let down = false;
    const started: string[] = [];
    const backend: TaskBackend = {
      async start(task) {
        if (down) throw new TemporalUnavailable('connection refused');
        started.push(task.taskId);
        return { duplicate: false, workflowId: task.taskId, runId: 'run' };
      },
      read: async () => undefined,
      readOutput: async () => [],
      cancel: async () => 'not_found',
      ready: async () => !down,
    };
    const config = testGatewayConfig('http://127.0.0.1:9/v1', { bodyLimitBytes: LIMIT });
    const logger = pino({ level: 'silent' });
    const app = createGatewayApp({ config, backend, logger });
    const seen = tally();
    console.log(`fuzz in process: ${RUNS} runs, seed ${SEED}`);

    await fc.assert(
      fc.asyncProperty(delivery, async ({ body, extra, credential, temporalDown }) => {
        down = temporalDown;
        const before = started.length;
        const headers = { ...extra, ...credential.headers(body) };
        const response = await app.request('/v1/tasks', { method: 'POST', body, headers });
        await response.arrayBuffer();
        note(seen, response.status);
        if (!credential.valid) seen.startsWithoutAuth += started.length - before;

        expectDocumentedAnswer(response, credential, body);
        if (!credential.valid) expect(started.length).toBe(before);
      }),
      { numRuns: RUNS, seed: SEED },
    );

    down = false;
    expect((await app.request('/healthz')).status).toBe(200);
    console.log(`fuzz in process: ${JSON.stringify(seen)}, workflows started ${started.length}`);
    expect(seen.fiveHundreds).toBe(0);
    expect(seen.startsWithoutAuth).toBe(0);
  });
});

describe('the ingress under random deliveries, over HTTP against Temporal', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack(TEST_NAMESPACES.fuzz, { gateway: { bodyLimitBytes: LIMIT } });
  });
  afterAll(() => stack?.stop());

  it('starts exactly the workflows that valid deliveries were told were started', async () => {
    const runs = Math.ceil(RUNS / 3);
    const seen = tally();
    let acceptedNew = 0;
    console.log(`fuzz over HTTP: ${runs} runs, seed ${SEED}`);

    const overHttp = delivery.map(({ body, extra, credential }) => ({ body, extra, credential }));
    await fc.assert(
      fc.asyncProperty(overHttp, async ({ body, extra, credential }) => {
        const headers = { ...extra, ...credential.headers(body) };
        const init = { method: 'POST', body, headers };
        const response = await fetch(`${stack.gateway.url}/v1/tasks`, init);
        const answer = await response.text();
        note(seen, response.status);
        expectDocumentedAnswer(response, credential, body);
        if (response.status === 200 && JSON.parse(answer).duplicate === false) acceptedNew += 1;
      }),
      { numRuns: runs, seed: SEED },
    );

    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    // Visibility lags a moment behind the starts; wait for it, then for anything extra.
    const deadline = Date.now() + 10_000;
    let count = 0;
    while ((count = (await stack.client.workflow.count()).count) < acceptedNew) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    count = (await stack.client.workflow.count()).count;
    console.log(`fuzz over HTTP: ${JSON.stringify(seen)}, workflows ${count} of ${acceptedNew}`);
    expect(seen.fiveHundreds).toBe(0);
    expect(count).toBe(acceptedNew);
  });
});
