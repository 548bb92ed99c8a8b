import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { QstashSim } from './qstash-sim.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A local endpoint that counts the requests it is answering at once. */
async function endpoint(handler: Handler) {
  const seen = { concurrent: 0, maxConcurrent: 0, headers: [] as IncomingMessage['headers'][] };
  const server = createServer((request, response) => {
    seen.concurrent += 1;
    seen.maxConcurrent = Math.max(seen.maxConcurrent, seen.concurrent);
    seen.headers.push(request.headers);
    request.resume();
    request.on('end', async () => {
      await handler(request, response);
      seen.concurrent -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/tasks`, seen };
}

const sim = (url: string, parallelism = 4, maxRetries = 3) =>
  new QstashSim({ url, signingKey: 'sig_test', parallelism, maxRetries, backoffScale: 100 });

describe('QstashSim', () => {
  it('never has more deliveries at the endpoint than its parallelism', async () => {
    const { url, seen } = await endpoint(async (_, response) => {
      await sleep(30);
      response.writeHead(200).end('{}');
    });
    const qstash = sim(url, 3);
    for (let i = 0; i < 12; i++) qstash.publish(`{"n":${i}}`);
    await qstash.idle();

    expect(seen.maxConcurrent).toBe(3);
    expect(qstash.maxInFlight).toBe(3);
    expect(qstash.deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
    for (const delivery of qstash.deliveries) {
      expect(delivery.attempts[0]?.holdMs).toBeGreaterThanOrEqual(25);
    }
  });

  it('finishes a message answered 200 in one attempt', async () => {
    const { url, seen } = await endpoint((_, response) => void response.writeHead(200).end());
    const qstash = sim(url);
    const record = qstash.publish('{}');
    await qstash.idle();

    expect(record.outcome).toBe('delivered');
    expect(record.attempts.map((a) => a.status)).toEqual([200]);
    expect(seen.headers[0]?.['upstash-retried']).toBe('0');
    expect(record.firstSentAt).toBeGreaterThanOrEqual(record.enqueuedAt);
  });

  it('retries a 503 after its Retry-After, signing each attempt anew', async () => {
    let calls = 0;
    const { url, seen } = await endpoint((_, response) => {
      calls += 1;
      // 30 s in real time is 300 ms here, longer than the 120 ms the backoff would wait.
      if (calls < 3) response.writeHead(503, { 'retry-after': '30' }).end();
      else response.writeHead(200).end();
    });
    const qstash = sim(url);
    const record = qstash.publish('{}');
    await qstash.idle();

    expect(record.outcome).toBe('delivered');
    expect(record.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    const [first, second] = record.attempts;
    expect(second!.sentAt - first!.sentAt).toBeGreaterThanOrEqual(295);
    expect(seen.headers.map((h) => h['upstash-retried'])).toEqual(['0', '1', '2']);
    expect(new Set(seen.headers.map((h) => h['upstash-message-id'])).size).toBe(1);
    expect(new Set(seen.headers.map((h) => h['upstash-signature'])).size).toBe(3);
  });

  it('dead-letters a non-retryable 489 without retrying', async () => {
    const { url } = await endpoint((_, response) => {
      response.writeHead(489, { 'upstash-nonretryable-error': 'true' }).end();
    });
    const qstash = sim(url);
    const record = qstash.publish('{}');
    await qstash.idle();

    expect(record.attempts).toHaveLength(1);
    expect(record.outcome).toBe('dead-lettered');
    expect(record.reason).toBe('non-retryable');
    expect(qstash.deadLetters).toEqual([record]);
  });

  it('dead-letters a message once its retries run out', async () => {
    const { url } = await endpoint((_, response) => void response.writeHead(500).end());
    const qstash = sim(url, 1, 1);
    const record = qstash.publish('{}');
    await qstash.idle();

    expect(record.attempts.map((a) => a.status)).toEqual([500, 500]);
    expect(record.reason).toBe('retries exhausted');
  });
});
