import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { qstashHeaders } from '../cli/qstash-signer.ts';
import { createGatewayApp } from './app.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayMetrics, type GatewayMetrics, startErrorReason } from './metrics.ts';
import { type StartOutcome, type TaskBackend, TemporalUnavailable } from './temporal-tasks.ts';

const SIGNING_KEYS = { current: 'sig_metrics_current_secret', next: 'sig_metrics_next_secret' };
const API_KEY = 'api-key-metrics-secret';
const TOKEN_SECRET = 'read-token-metrics-secret';

const config: GatewayConfig = {
  publicUrl: 'https://gateway.ackflow.test',
  signingKeys: { ...SIGNING_KEYS, development: false },
  apiKeys: [API_KEY],
  bodyLimitBytes: 4096,
  startTimeoutMs: 5_000,
  routes: {},
  readTokenSecret: TOKEN_SECRET,
};

const envelope = (taskId: string) => ({
  version: 1,
  taskId,
  type: 'llm.generate',
  input: { prompt: 'hello' },
});

/** A delivery signed the way QStash signs it, for the gateway's public URL. */
function signed(body: unknown, key = SIGNING_KEYS.current): RequestInit {
  const text = JSON.stringify(body);
  const url = `${config.publicUrl}/v1/tasks`;
  return { method: 'POST', body: text, headers: qstashHeaders({ key, url, body: text }) };
}

function direct(body: unknown, apiKey = API_KEY): RequestInit {
  return {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
  };
}

/** Starts each task id once; ids beginning `down-` meet a Temporal that cannot be reached. */
function fakeBackend(start?: TaskBackend['start']): TaskBackend {
  const started = new Set<string>();
  return {
    start:
      start ??
      (async (task): Promise<StartOutcome> => {
        if (task.taskId.startsWith('down-')) throw new TemporalUnavailable('connection refused');
        const duplicate = started.has(task.taskId);
        started.add(task.taskId);
        return { duplicate, workflowId: task.taskId, runId: duplicate ? undefined : 'run-1' };
      }),
    read: async () => undefined,
    readOutput: async () => [],
    cancel: async () => 'not_found',
    ready: async () => true,
  };
}

function gateway(backend = fakeBackend()) {
  const metrics = createGatewayMetrics();
  const app = createGatewayApp({ config, backend, logger: pino({ level: 'silent' }), metrics });
  return { app, metrics };
}

async function deliveryCounts(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.deliveries.get();
  return Object.fromEntries(
    values.map(({ labels, value }) => [`${labels.outcome}/${labels.source}`, value]),
  );
}

async function ackCounts(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.ackSeconds.get();
  const counts = values.filter((v) => v.metricName?.endsWith('_count'));
  return Object.fromEntries(counts.map((v) => [String(v.labels.outcome), v.value]));
}

describe('gateway metrics', () => {
  it('counts each delivery once, by outcome and authenticated source', async () => {
    const { app, metrics } = gateway();
    const statuses = [];
    for (const init of [
      signed(envelope('t-1')),
      signed(envelope('t-2')),
      direct(envelope('t-3')),
      signed(envelope('t-1')),
      signed(envelope('t-4'), 'sig_not_the_key'),
      direct(envelope('t-5'), 'not-an-api-key'),
      signed({ ...envelope('t-6'), type: 'no.such.type' }),
      signed(envelope('down-1')),
      signed({ ...envelope('t-7'), input: { prompt: 'x'.repeat(5000) } }),
    ]) {
      statuses.push((await app.request('/v1/tasks', init)).status);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 401, 401, 489, 503, 413]);
    expect(await deliveryCounts(metrics)).toEqual({
      'accepted/qstash': 2,
      'accepted/api': 1,
      'duplicate/qstash': 1,
      'unauthorized/unknown': 2,
      'invalid/qstash': 1,
      'unavailable/qstash': 1,
      'too_large/unknown': 1,
    });
    expect(await ackCounts(metrics)).toEqual({
      accepted: 3,
      duplicate: 1,
      unauthorized: 2,
      invalid: 1,
      unavailable: 1,
      too_large: 1,
    });
    const { values } = await metrics.startErrors.get();
    expect(values).toEqual([{ labels: { reason: 'unavailable' }, value: 1 }]);
  });

  it('holds the in-flight gauge up while a start is pending, and lets it fall after', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let starts = 0;
    const { app, metrics } = gateway(
      fakeBackend(async (task) => {
        starts += 1;
        await released;
        return { duplicate: false, workflowId: task.taskId, runId: 'run-1' };
      }),
    );
    const inFlight = async () => (await metrics.inFlight.get()).values[0]?.value;

    const pending = [
      app.request('/v1/tasks', signed(envelope('slow-1'))),
      app.request('/v1/tasks', signed(envelope('slow-2'))),
    ];
    await expect.poll(() => starts).toBe(2);
    expect(await inFlight()).toBe(2);

    release();
    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await inFlight()).toBe(0);
  });

  it('serves the Prometheus text with no key, secret or task id in it', async () => {
    const { app } = gateway();
    await app.request('/v1/tasks', signed(envelope('task-secretive-1')));
    await app.request('/v1/tasks', direct(envelope('task-secretive-2')));
    await app.request('/v1/tasks', direct(envelope('task-secretive-3'), 'wrong-api-key-secret'));
    await app.request('/v1/tasks', signed(envelope('task-secretive-4'), 'sig_wrong_key_secret'));

    const response = await app.request('/metrics');
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toContain(
      'ackflow_gateway_deliveries_total{outcome="accepted",source="qstash"} 1',
    );
    expect(text).toContain('ackflow_gateway_ack_duration_seconds_bucket');
    expect(text).toContain('ackflow_gateway_deliveries_in_flight 0');
    expect(text).toContain('ackflow_gateway_process_cpu_user_seconds_total');
    for (const secret of [
      ...Object.values(SIGNING_KEYS),
      API_KEY,
      TOKEN_SECRET,
      'wrong-api-key-secret',
      'sig_wrong_key_secret',
      'task-secretive',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps the counts of each app apart', async () => {
    const first = gateway();
    const second = gateway();
    await first.app.request('/v1/tasks', signed(envelope('t-1')));

    expect(await deliveryCounts(first.metrics)).toEqual({ 'accepted/qstash': 1 });
    expect(await deliveryCounts(second.metrics)).toEqual({});
  });
});

describe('startErrorReason', () => {
  it('tells a passed start deadline from an unreachable Temporal', () => {
    const deadline = Object.assign(new Error('deadline exceeded'), {
      code: 4,
      details: 'deadline exceeded',
      metadata: {},
    });

    expect(startErrorReason(new TemporalUnavailable('late', { cause: deadline }))).toBe(
      'deadline_exceeded',
    );
    expect(startErrorReason(new TemporalUnavailable('refused'))).toBe('unavailable');
    expect(startErrorReason(new Error('a bug'))).toBe('unexpected');
  });
});

describe('the delivery log', () => {
  it('writes one JSON line per delivery, with its observation fields and no secret', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const app = createGatewayApp({ config, backend: fakeBackend(), logger });

    await app.request('/v1/tasks', signed({ ...envelope('log-1'), tenantId: 'acme' }));
    await app.request('/v1/tasks', signed(envelope('log-2'), 'sig_wrong_key'));
    await app.request('/v1/tasks', direct(envelope('log-3'), 'wrong-api-key'));

    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      msg: 'delivery',
      taskId: 'log-1',
      taskType: 'llm.generate',
      tenantId: 'acme',
      modelId: 'mock-fast',
      tier: 'light',
      taskQueue: 'ackflow-light',
      retryCount: 0,
      workflowId: 'log-1',
      runId: 'run-1',
      outcome: 'accepted',
      source: 'qstash',
      mode: 'durable',
      status: 200,
    });
    expect(entries[0].qstashMessageId).toMatch(/^msg_/);
    expect(typeof entries[0].ackMs).toBe('number');
    expect(entries[0].receivedAt <= entries[0].ackedAt).toBe(true);
    expect(entries[1]).toMatchObject({ outcome: 'unauthorized', errorCode: 'signature_invalid' });
    expect(entries[2]).toMatchObject({ outcome: 'unauthorized', errorCode: 'api_key_invalid' });

    const text = lines.join('\n');
    for (const secret of [...Object.values(SIGNING_KEYS), API_KEY, TOKEN_SECRET, 'wrong-api-key']) {
      expect(text).not.toContain(secret);
    }
  });
});
