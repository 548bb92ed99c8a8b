import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, CancelledFailure, type LogLevel } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackPayload, verifyCallback } from '../protocol/callback.ts';
import {
  type CallbackSettings,
  createCallbackActivities,
  type SendCallbackOutcome,
  type SendCallbackParams,
} from './callback.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (response: ServerResponse) => void;

const secret = 'test-callback-secret';
const received: Received[] = [];
let handler: Handler = (response) => response.writeHead(204).end();
let baseUrl = '';

const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    handler(response);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  handler = (response) => response.writeHead(204).end();
});

const loopbackAllowed: CallbackSettings = {
  secret,
  allowedHosts: [],
  allowPrivateAddresses: true,
  timeoutMs: 2_000,
};

function params(overrides: Partial<SendCallbackParams> = {}): SendCallbackParams {
  return {
    callbackUrl: `${baseUrl}/hooks/ackflow?token=producer-token`,
    taskId: 'task-42',
    type: 'summarize',
    state: 'completed',
    result: {
      output: 'A short summary.',
      usage: { promptTokens: 12, completionTokens: 4 },
      usageByModel: {},
      steps: [],
    },
    tenantId: 'acme',
    metadata: { orderId: '7' },
    finishedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function environment(lines: string[] = []) {
  const record = (level: LogLevel) => (message: string, meta?: object) =>
    void lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const logger = {
    log: (level: LogLevel, message: string, meta?: object) => record(level)(message, meta),
    trace: record('TRACE'),
    debug: record('DEBUG'),
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
  };
  return new MockActivityEnvironment({ attempt: 1 }, { logger });
}

async function send(
  settings: CallbackSettings,
  input: SendCallbackParams = params(),
): Promise<SendCallbackOutcome> {
  const { sendCallback } = createCallbackActivities(settings);
  return environment().run(sendCallback, input);
}

async function failure(settings: CallbackSettings, input?: SendCallbackParams) {
  const error = await send(settings, input).then(
    () => expect.fail('the callback succeeded'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('sendCallback', () => {
  it('posts a signed payload the receiver can verify', async () => {
    const lines: string[] = [];
    const { sendCallback } = createCallbackActivities(loopbackAllowed);
    const outcome = await environment(lines).run(sendCallback, params());

    expect(outcome).toEqual({ status: 204, bytes: expect.any(Number), outputTruncated: false });
    const [delivery] = received;
    const signature = delivery?.headers['ackflow-signature'] as string;
    expect(() => verifyCallback(secret, delivery?.body ?? '', signature)).not.toThrow();
    expect(delivery?.headers).toMatchObject({
      'content-type': 'application/json',
      'ackflow-task-id': 'task-42',
      'idempotency-key': 'task-42:completed',
      'ackflow-delivery-attempt': '1',
    });
    expect(JSON.parse(delivery?.body ?? '')).toEqual({
      version: 1,
      taskId: 'task-42',
      type: 'summarize',
      state: 'completed',
      result: params().result,
      tenantId: 'acme',
      metadata: { orderId: '7' },
      finishedAt: '2025-01-01T00:00:00.000Z',
    } satisfies CallbackPayload);

    const log = lines.join('\n');
    expect(log).toMatch(/callback delivered/);
    for (const hidden of [secret, signature, 'producer-token']) expect(log).not.toContain(hidden);
  });

  it('sends the same body and idempotency key on every attempt', async () => {
    await send(loopbackAllowed);
    await send(loopbackAllowed);
    const [first, second] = received;
    expect(first?.body).toBe(second?.body);
    expect(first?.headers['idempotency-key']).toBe(second?.headers['idempotency-key']);
  });

  it('reports a failed task with its error and no result', async () => {
    const error = { code: 'llm_unavailable', message: 'provider down' };
    await send(loopbackAllowed, params({ state: 'failed', result: undefined, error }));
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ state: 'failed', error });
    expect(received[0]?.headers['idempotency-key']).toBe('task-42:failed');
  });

  it('connects to the vetted address, not to what DNS says later', async () => {
    const port = new URL(baseUrl).port;
    let lookups = 0;
    const resolve = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const settings = { ...loopbackAllowed, resolve };
    await send(settings, params({ callbackUrl: `http://hooks.invalid:${port}/cb` }));
    expect(lookups).toBe(1);
    expect(received[0]?.headers.host).toBe(`hooks.invalid:${port}`);
  });

  it('leaves out an oversized output and says so', async () => {
    const big = params();
    big.result = { ...big.result!, output: 'x'.repeat(5_000) };
    const outcome = await send({ ...loopbackAllowed, maxPayloadBytes: 2_000 }, big);

    expect(outcome.outputTruncated).toBe(true);
    const payload = JSON.parse(received[0]?.body ?? '') as CallbackPayload;
    expect(payload.result).toEqual({
      outputTruncated: true,
      usage: big.result.usage,
      usageByModel: {},
      steps: [],
    });
    expect(received[0]?.body.length).toBeLessThan(2_000);
  });

  it('says the output was left out when the workflow did not pass it', async () => {
    const usage = { promptTokens: 1, completionTokens: 1 };
    const outcome = await send(
      loopbackAllowed,
      params({ result: { usage, usageByModel: {}, steps: [] } }),
    );
    expect(outcome.outputTruncated).toBe(true);
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({
      result: { outputTruncated: true, usage },
    });
  });
});

describe('sendCallback failures', () => {
  it('refuses a loopback receiver by default, sending nothing', async () => {
    const error = await failure({ secret, allowedHosts: [], allowPrivateAddresses: false });
    expect(error.type).toBe('callback_forbidden');
    expect(error.nonRetryable).toBe(true);
    expect(error.message).toMatch(/address 127\.0\.0\.1 is loopback/);
    expect(received).toHaveLength(0);
  });

  it('refuses a host outside the allowlist', async () => {
    const settings = { ...loopbackAllowed, allowedHosts: ['*.producer.example'] };
    const error = await failure(settings);
    expect(error.type).toBe('callback_forbidden');
    expect(error.message).toMatch(/not in CALLBACK_ALLOWED_HOSTS/);
  });

  it('retries a 500', async () => {
    handler = (response) => response.writeHead(500).end('boom');
    const error = await failure(loopbackAllowed);
    expect(error).toMatchObject({ type: 'callback_failed', nonRetryable: false });
    expect(error.message).toMatch(/answered 500/);
    expect(error.nextRetryDelay).toBeUndefined();
  });

  it('retries a 429 after the delay the receiver asks for', async () => {
    handler = (response) => response.writeHead(429, { 'retry-after': '7' }).end();
    const error = await failure(loopbackAllowed);
    expect(error).toMatchObject({ type: 'callback_failed', nonRetryable: false });
    expect(error.nextRetryDelay).toBe(7_000);
  });

  it('caps the delay a receiver may ask for at ten minutes', async () => {
    handler = (response) => response.writeHead(503, { 'retry-after': '86400' }).end();
    const error = await failure(loopbackAllowed);
    expect(error.nextRetryDelay).toBe(600_000);
  });

  it('gives up on a 400', async () => {
    handler = (response) => response.writeHead(400).end();
    const error = await failure(loopbackAllowed);
    expect(error).toMatchObject({ type: 'callback_rejected', nonRetryable: true });
  });

  it('does not follow a redirect', async () => {
    handler = (response) => response.writeHead(302, { location: 'http://10.0.0.1/' }).end();
    const error = await failure(loopbackAllowed);
    expect(error).toMatchObject({ type: 'callback_rejected', nonRetryable: true });
    expect(error.message).toMatch(/redirects are not followed/);
    expect(received).toHaveLength(1);
  });

  it('times out a receiver that never answers, and retries', async () => {
    handler = () => undefined;
    const error = await failure({ ...loopbackAllowed, timeoutMs: 200 });
    expect(error).toMatchObject({ type: 'callback_failed', nonRetryable: false });
    expect(error.message).toMatch(/no answer within 200 ms/);
  });

  it('retries when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(
      loopbackAllowed,
      params({ callbackUrl: `http://127.0.0.1:${port}` }),
    );
    expect(error).toMatchObject({ type: 'callback_failed', nonRetryable: false });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('stops at once when the activity is cancelled', async () => {
    handler = () => undefined;
    const env = environment();
    const { sendCallback } = createCallbackActivities(loopbackAllowed);
    const running = env.run(sendCallback, params());
    await expect.poll(() => received.length).toBe(1);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });
});
