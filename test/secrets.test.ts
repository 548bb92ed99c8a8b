/**
 * No secret reaches a log line or an answer. A gateway and a worker run as real processes at
 * the chattiest log level, with every secret set to a value that cannot occur by chance; then
 * deliveries good and bad, reads with right and wrong credentials, a task with a callback, a
 * cancelled task and a failed one go through them. Their whole output and every answer body
 * are searched for each secret, and for the read tokens the gateway handed out.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../bench/service-process.ts';
import { startWorkerProcess, type WorkerProcess } from '../bench/worker-process.ts';
import { type RunningMockLlm, startMockLlm } from '../bench/mock-llm/index.ts';
import { qstashHeaders } from '../cli/qstash-signer.ts';
import { freePort } from '../cli/temporal-server.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';

const PUBLIC_URL = 'https://secrets.ackflow.test';

const SECRETS = {
  QSTASH_CURRENT_SIGNING_KEY: 'sig_SECRETcurrent7f3a9c',
  QSTASH_NEXT_SIGNING_KEY: 'sig_SECRETnext1b8e44',
  GATEWAY_API_KEYS: 'SECRETapikey5d2e71',
  GATEWAY_TOKEN_SECRET: 'SECRETtokensecret0c9b3a',
  CALLBACK_SIGNING_SECRET: 'SECRETcallback66e1f2',
  LLM_API_KEY: 'sk-SECRETllmkey93ad0b',
};

const GATEWAY = ['gateway', '--host', '127.0.0.1'];
let gateway: ServiceProcess;
let worker: WorkerProcess;
/** Everything both processes have printed so far. */
const output = () => gateway.output() + worker.output();
const bodies: string[] = [];
const readTokens: string[] = [];
let gatewayUrl: string;
let stopAll: () => Promise<void>;
let callbacks = 0;
let mock: RunningMockLlm;

beforeAll(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ackflow-secrets-'));
  mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      callbacks += 1;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const env = {
    ...SECRETS,
    NODE_ENV: 'production',
    LOG_LEVEL: 'trace',
    PORT: String(port),
    GATEWAY_PUBLIC_URL: PUBLIC_URL,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: TEST_NAMESPACES.secrets,
    LLM_BASE_URL: mock.url,
    LLM_MODEL: 'mock-fast',
    CALLBACK_ALLOW_PRIVATE: 'true',
    BLOB_DIR: join(folder, 'blobs'),
  };

  worker = startWorkerProcess(env);
  // Ready only once Temporal answers it too, so deliveries start tasks from the first one.
  gateway = await startServiceProcess(GATEWAY, env, port, '/readyz');
  stopAll = async () => {
    await gateway.close();
    await worker.kill('SIGTERM');
    await mock.close();
    await new Promise((resolve) => receiver.close(resolve));
    await rm(folder, { recursive: true, force: true });
  };
  gatewayUrl = gateway.url;
  await worker.ready;
  const receiverPort = (receiver.address() as { port: number }).port;
  await exercise(`http://127.0.0.1:${receiverPort}/done`);
}, 120_000);

afterAll(() => stopAll?.());

/** Sends a request and keeps its answer's body for the search. */
async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${gatewayUrl}${path}`, init);
  const body = await response.text();
  bodies.push(body);
  return { status: response.status, body };
}

function signed(body: string, key: string = SECRETS.QSTASH_CURRENT_SIGNING_KEY) {
  const headers = qstashHeaders({ key, url: `${PUBLIC_URL}/v1/tasks`, body });
  return { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body };
}

const apiKey = (key: string) => ({ authorization: `Bearer ${key}` });
const envelope = (taskId: string, extra: object = {}) =>
  JSON.stringify({ version: 1, taskId, type: 'llm.generate', input: { prompt: 'hi' }, ...extra });

/** Every path that handles a credential, once with it right and once with it wrong. */
async function exercise(callbackUrl: string) {
  const run = Date.now();
  const done = `secrets-done-${run}`;
  const accepted = await call('/v1/tasks', signed(envelope(done, { callbackUrl })));
  expect(accepted.status).toBe(200);
  readTokens.push(JSON.parse(accepted.body).readToken);

  await call('/v1/tasks', signed(envelope(`secrets-forged-${run}`), 'sig_forged'));
  await call('/v1/tasks', signed('{"version": 1, "type": "nope"}'));
  await call('/v1/tasks', {
    method: 'POST',
    headers: { ...apiKey(`${SECRETS.GATEWAY_API_KEYS}x`), 'content-type': 'application/json' },
    body: envelope(`secrets-wrong-key-${run}`),
  });
  const direct = await call('/v1/tasks', {
    method: 'POST',
    headers: { ...apiKey(SECRETS.GATEWAY_API_KEYS), 'content-type': 'application/json' },
    body: envelope(`secrets-long-${run}`, {
      input: { prompt: 'long [[mock:tokens=3000]] [[mock:tps=200]]' },
    }),
  });
  readTokens.push(JSON.parse(direct.body).readToken);
  // Refused as invalid by the LLM, on every model of the chain: the task fails at once.
  mock.faults.add({ kind: 'bad_request', match: 'refuse me', count: 5 });
  const failing = await call('/v1/tasks', {
    method: 'POST',
    headers: { ...apiKey(SECRETS.GATEWAY_API_KEYS), 'content-type': 'application/json' },
    body: envelope(`secrets-failed-${run}`, { input: { prompt: 'refuse me' } }),
  });
  readTokens.push(JSON.parse(failing.body).readToken);

  const [token] = readTokens;
  await call(`/v1/tasks/${done}?token=${token}`);
  await call(`/v1/tasks/${done}?token=${token}x`);
  await call(`/v1/tasks/${done}`, { headers: { 'x-read-token': token! } });
  await call(`/v1/tasks/secrets-long-${run}/cancel`, {
    method: 'POST',
    headers: apiKey(SECRETS.GATEWAY_API_KEYS),
  });
  await call(`/v1/tasks/secrets-long-${run}/cancel?token=${readTokens[1]}`, { method: 'POST' });
  await call('/metrics');
  await call('/openapi.json');

  // Let the tasks end, the callback go out and the workers log about it.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
    const view = JSON.parse((await call(`/v1/tasks/${done}?token=${token}`)).body);
    if (view.state === 'completed' && callbacks > 0) break;
  }
  await sleep(1_000);
}

describe('secrets', () => {
  it('were exercised: the task completed and its callback arrived', () => {
    expect(callbacks).toBeGreaterThan(0);
    // Both processes talked: delivery lines from the gateway, task lines from the worker.
    expect(gateway.output()).toContain('"taskId"');
    expect(worker.output()).toContain('task finished');
    // Both helpers keep only the end of what a process prints: all of it must still be there.
    expect(gateway.output()).toContain('"gateway listening"');
    expect(worker.output()).toContain('"worker running"');
    expect(readTokens.every((token) => typeof token === 'string' && token.length > 20)).toBe(true);
  });

  it.each(Object.entries(SECRETS))('never show %s in a log line or an answer', (_, secret) => {
    expect(output()).not.toContain(secret);
    for (const body of bodies) expect(body).not.toContain(secret);
  });

  it('never log the read tokens handed out, even from a URL that carried one', () => {
    for (const token of readTokens) expect(output()).not.toContain(token);
  });
});
