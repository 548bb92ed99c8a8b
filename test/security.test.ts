/**
 * Security edge cases against a real gateway and Temporal: signatures that must never pass
 * (other algorithms, no expiry, far outside their window, made for another URL or Host), a
 * read token that opens only its own task, and a production start without keys that
 * refuses to run. Ordinary signature cases live in ingress.test.ts.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SignOptions, signQstashJwt } from '../cli/qstash-signer.ts';
import { readTokenFor } from '../gateway/read-token.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  INGRESS_URL,
  PUBLIC_URL,
  startTestStack,
  TEST_API_KEY,
  TEST_KEYS,
  TEST_TOKEN_SECRET,
  taskUrl,
  waitForState,
  runsOf,
} from './support/stack.ts';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.security);
});
afterAll(() => stack?.stop());

let sequence = 0;
const newTaskId = (label: string) => `security-${label}-${Date.now()}-${(sequence += 1)}`;
const bodyOf = (taskId: string, prompt = 'hello [[mock:tokens=5]]') =>
  JSON.stringify({ version: 1, taskId, type: 'llm.generate', input: { prompt } });
const now = () => Math.floor(Date.now() / 1000);

/** A token as QStash makes it, with some options changed; `hash` re-signs it with HMAC-SHA*. */
function token(body: string, changes: Partial<SignOptions> = {}, hash?: 'sha384' | 'sha512') {
  const signed = signQstashJwt({ key: TEST_KEYS.current, url: INGRESS_URL, body, ...changes });
  if (!hash) return signed;
  const unsigned = signed.slice(0, signed.lastIndexOf('.'));
  const mac = createHmac(hash, changes.key ?? TEST_KEYS.current).update(unsigned);
  return `${unsigned}.${mac.digest('base64url')}`;
}

function post(body: string, headers: Record<string, string>) {
  return fetch(`${stack.gateway.url}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const workflowsNamed = (taskId: string) => runsOf(stack.client, taskId);

describe('a signature is refused, and nothing starts,', () => {
  const sixHours = 6 * 3600;
  const cases: Array<[string, (body: string) => string]> = [
    [
      'when signed with HS512 under the right key',
      (b) => token(b, { header: { alg: 'HS512' } }, 'sha512'),
    ],
    [
      'when signed with HS384 under the right key',
      (b) => token(b, { header: { alg: 'HS384' } }, 'sha384'),
    ],
    ['when it says alg none but keeps a valid MAC', (b) => token(b, { header: { alg: 'none' } })],
    [
      'when it says alg NONE with no MAC',
      (b) => token(b, { header: { alg: 'NONE' } }).replace(/[^.]+$/, ''),
    ],
    ['when it has no expiry, under the right key', (b) => token(b, { claims: { exp: undefined } })],
    [
      'when it embeds a key of its own (jwk)',
      (b) =>
        token(b, {
          key: 'mallory',
          header: { jwk: { kty: 'oct', k: Buffer.from('mallory').toString('base64url') } },
        }),
    ],
    ['when it was signed six hours ago', (b) => token(b, { now: now() - sixHours })],
    [
      'when it was signed a week ago, valid for an hour',
      (b) => token(b, { now: now() - 7 * 86400, ttlSeconds: 3600 }),
    ],
    ['when it becomes valid thirty days from now', (b) => token(b, { now: now() + 30 * 86400 })],
    [
      'when it expired just past the clock tolerance',
      (b) => token(b, { now: now() - 306, ttlSeconds: 300 }),
    ],
    ['when its issuer differs only in case', (b) => token(b, { issuer: 'upstash' })],
    [
      'when made for another path of this gateway',
      (b) => token(b, { url: `${PUBLIC_URL}/v1/tasks/x/cancel` }),
    ],
    ['when made for this URL with a query string', (b) => token(b, { url: `${INGRESS_URL}?a=1` })],
    ['when made for this URL with a trailing slash', (b) => token(b, { url: `${INGRESS_URL}/` })],
    [
      'when made for this URL over http',
      (b) => token(b, { url: INGRESS_URL.replace('https:', 'http:') }),
    ],
    [
      'when made for the address the gateway listens on',
      (b) => token(b, { url: `${stack.gateway.url}/v1/tasks` }),
    ],
    ['when its body claim is missing', (b) => token(b, { claims: { body: undefined } })],
    ['when its body claim is not a string', (b) => token(b, { claims: { body: 42 } })],
  ];

  it.each(cases)('%s', async (_label, make) => {
    const taskId = newTaskId('sig');
    const body = bodyOf(taskId);
    const response = await post(body, { 'upstash-signature': make(body) });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('signature_invalid');
    expect(await workflowsNamed(taskId)).toBe(0);
  });

  it('when made for the URL a forged Host header names', async () => {
    const taskId = newTaskId('host');
    const body = bodyOf(taskId);
    const signature = token(body, { url: 'http://evil.test/v1/tasks' });
    const { port } = new URL(stack.gateway.url);
    const status = await new Promise<number>((resolve, reject) => {
      const headers = { host: 'evil.test', 'upstash-signature': signature };
      const sent = request({ host: '127.0.0.1', port, path: '/v1/tasks', method: 'POST', headers });
      sent.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      sent.on('error', reject);
      sent.end(body);
    });
    expect(status).toBe(401);
    expect(await workflowsNamed(taskId)).toBe(0);
  });

  it('when forged, even if a valid API key comes with it', async () => {
    const taskId = newTaskId('both');
    const body = bodyOf(taskId);
    const forged = token(body, { key: 'sig_forged' });
    const response = await post(body, {
      'upstash-signature': forged,
      authorization: `Bearer ${TEST_API_KEY}`,
    });
    expect(response.status).toBe(401);
    expect(await workflowsNamed(taskId)).toBe(0);
  });
});

describe('a signature is accepted', () => {
  it('when signed with the next key, as during a key rotation', async () => {
    const taskId = newTaskId('next');
    const body = bodyOf(taskId);
    const response = await post(body, {
      'upstash-signature': token(body, { key: TEST_KEYS.next }),
    });
    expect(response.status).toBe(200);
    expect(await workflowsNamed(taskId)).toBe(1);
  });

  it('when it expired within the clock tolerance', async () => {
    const taskId = newTaskId('tolerance');
    const body = bodyOf(taskId);
    const signature = token(body, { now: now() - 303, ttlSeconds: 300 });
    expect((await post(body, { 'upstash-signature': signature })).status).toBe(200);
  });
});

describe("a task's read token", () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    mine = newTaskId('mine');
    theirs = newTaskId('theirs');
    await post(bodyOf(mine), { authorization: `Bearer ${TEST_API_KEY}` });
    // Long enough to still be running when the cancel below is tried.
    const slow = bodyOf(theirs, 'long [[mock:tokens=3000]] [[mock:tps=300]]');
    await post(slow, { authorization: `Bearer ${TEST_API_KEY}` });
    await waitForState(stack.gateway, theirs, ['running']);
  });

  const base = () => `${stack.gateway.url}/v1/tasks/${theirs}`;
  const myToken = () => readTokenFor(TEST_TOKEN_SECRET, mine);

  it("does not open another task's event stream", async () => {
    const response = await fetch(`${base()}/events?token=${myToken()}`);
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('access_denied');
  });

  it('does not cancel another task', async () => {
    const response = await fetch(`${base()}/cancel?token=${myToken()}`, { method: 'POST' });
    expect(response.status).toBe(401);
    const view = await (await fetch(taskUrl(stack.gateway, theirs))).json();
    expect(view.state).not.toBe('cancelled');
  });

  it('does not read another task from the X-Read-Token header', async () => {
    const response = await fetch(base(), { headers: { 'x-read-token': myToken() } });
    expect(response.status).toBe(401);
  });

  it('is not an API key: it submits nothing', async () => {
    const taskId = newTaskId('as-key');
    const response = await post(bodyOf(taskId), { authorization: `Bearer ${myToken()}` });
    expect(response.status).toBe(401);
    expect(await workflowsNamed(taskId)).toBe(0);
  });

  it('made with another secret, or empty, opens nothing', async () => {
    const forged = readTokenFor('not-the-secret', theirs);
    expect((await fetch(`${base()}?token=${forged}`)).status).toBe(401);
    expect((await fetch(`${base()}?token=`)).status).toBe(401);
    expect((await fetch(`${base()}/events?token=${forged}`)).status).toBe(401);
  });

  it('still opens its own task', async () => {
    expect((await fetch(taskUrl(stack.gateway, mine))).status).toBe(200);
    const events = await fetch(taskUrl(stack.gateway, mine, '/events'));
    expect(events.status).toBe(200);
    await events.body?.cancel();
    // The long task is not needed any more.
    const headers = { authorization: `Bearer ${TEST_API_KEY}` };
    expect((await fetch(`${base()}/cancel`, { method: 'POST', headers })).status).toBe(202);
  });
});

// Each start takes seconds (tsx compiles the sources), so they run side by side.
describe.concurrent('a production start', () => {
  /**
   * Runs `ackflow <command>` with only the given variables, and resolves with how it ended.
   * One that prints `until` instead is stopped there, by its own pid, as is one still
   * running after 20 s.
   */
  function runAckflow(args: string[], env: Record<string, string>, until?: RegExp) {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const GATEWAY = ['gateway', '--host', '127.0.0.1'];
  const production = {
    NODE_ENV: 'production',
    PORT: '0',
    // Nothing listens there: the gateway connects lazily, so a start would still succeed.
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    GATEWAY_TOKEN_SECRET: 'a-production-token-secret',
  };
  const keys = {
    QSTASH_CURRENT_SIGNING_KEY: 'sig_prod_current',
    QSTASH_NEXT_SIGNING_KEY: 'sig_prod_next',
  };

  it.each([
    [
      'without signing keys',
      production,
      /QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY are required in production/,
    ],
    [
      'with only one signing key',
      { ...production, QSTASH_CURRENT_SIGNING_KEY: 'sig_prod_current' },
      /set both QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY/,
    ],
    [
      'without a read-token secret',
      { ...production, ...keys, GATEWAY_TOKEN_SECRET: '' },
      /GATEWAY_TOKEN_SECRET is required in production/,
    ],
  ])('of the gateway %s refuses to run, with one clear line', async (_, env, reason) => {
    const { code, stdout, stderr } = await runAckflow(GATEWAY, env);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
    expect(stdout).not.toMatch(/gateway listening/);
  });

  it('of the gateway with its keys and secret does run', async () => {
    const { stdout } = await runAckflow(GATEWAY, { ...production, ...keys }, /gateway listening/);
    expect(stdout).toMatch(/"gateway listening"/);
    expect(stdout).not.toMatch(/PUBLIC local-development keys/);
  });

  it('of a worker without a callback signing secret refuses to run', async () => {
    // A worker connects to Temporal before it reads its callback settings.
    const env = { ...production, TEMPORAL_ADDRESS: inject('temporalAddress') };
    const { code, stderr } = await runAckflow(['worker'], env);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/CALLBACK_SIGNING_SECRET is required in production/);
  });
});
