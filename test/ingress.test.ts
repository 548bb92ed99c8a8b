/**
 * The ingress contract of DESIGN.md, row by row, against a real Temporal dev server: every
 * answer, every way a signature can be wrong, and exactly one workflow per task however
 * often it is delivered.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignOptions, signQstashJwt } from '../cli/qstash-signer.ts';
import { startGateway } from '../gateway/server.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  deliver,
  INGRESS_URL,
  startTestGateway,
  startTestStack,
  TEST_API_KEY,
  TEST_KEYS,
  testGatewayConfig,
  waitForState,
  runsOf,
} from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.ingress);
});
afterAll(() => stack?.stop());

let sequence = 0;
const newTaskId = (label: string) => `ingress-${label}-${Date.now()}-${(sequence += 1)}`;
const envelope = (taskId: string, extra: object = {}) => ({
  version: 1,
  taskId,
  type: 'llm.generate',
  input: { prompt: `prompt for ${taskId}` },
  ...extra,
});

async function expectNoWorkflow(taskId: string) {
  await expect(stack.client.workflow.getHandle(taskId).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
}

/** Posts a body with a signature made from the given options instead of a valid one. */
function deliverSigned(body: string, token: string) {
  return fetch(`${stack.gateway.url}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'upstash-signature': token },
    body,
  });
}

function submit(body: string, apiKey = TEST_API_KEY) {
  return fetch(`${stack.gateway.url}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
  });
}

describe('answers 200', () => {
  it('once the workflow has started, and 200 with duplicate for the same task again', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const gateway = await startGateway({
      config: testGatewayConfig(stack.mock.url),
      client: stack.client,
      logger,
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const taskId = newTaskId('ok');
      const first = await deliver(gateway, envelope(taskId));
      expect(first.status).toBe(200);
      const started = await first.json();
      expect(started).toMatchObject({ taskId, duplicate: false, mode: 'durable' });
      expect(started.runId).toEqual(expect.any(String));
      const again = await deliver(gateway, envelope(taskId));
      expect(again.status).toBe(200);
      // The redelivery names the run the first delivery started, in its answer and its log.
      expect(await again.json()).toMatchObject({ taskId, duplicate: true, runId: started.runId });
      const logged = lines.map((line) => JSON.parse(line)).filter((l) => l.msg === 'delivery');
      expect(logged).toMatchObject([
        { taskId, duplicate: false, runId: started.runId },
        { taskId, duplicate: true, runId: started.runId },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it('for a direct submission with a valid API key', async () => {
    const taskId = newTaskId('api');
    const response = await submit(JSON.stringify(envelope(taskId)));
    expect(response.status).toBe(200);
    await waitForState(stack.gateway, taskId, ['completed']);
  });

  it('and records the delivery on the workflow', async () => {
    const taskId = newTaskId('record');
    await deliver(stack.gateway, envelope(taskId), {
      messageId: 'msg_record',
      headers: { 'upstash-retried': '2' },
    });
    const description = await stack.client.workflow.getHandle(taskId).describe();
    const memo = description.memo as { delivery: Record<string, unknown> };
    expect(memo.delivery).toMatchObject({
      source: 'qstash',
      qstashMessageId: 'msg_record',
      retryCount: 2,
    });
    expect(memo.delivery.signatureId).toMatch(/^jwt_/);
    expect(description.searchAttributes.QstashMessageId).toEqual(['msg_record']);
  });
});

describe('answers 401 and starts nothing', () => {
  const body = (taskId: string) => JSON.stringify(envelope(taskId));
  const now = () => Math.floor(Date.now() / 1000);
  /** Delivers the task's body with a token signed from it, with some claims changed. */
  const signedWith =
    (changes: Partial<SignOptions>, transform = (token: string) => token) =>
    (id: string) => {
      const signed = { key: TEST_KEYS.current, url: INGRESS_URL, body: body(id) };
      return deliverSigned(body(id), transform(signQstashJwt({ ...signed, ...changes })));
    };
  const unsigned = (token: string) => token.replace(/\.[^.]+$/, '.');
  const cases: Array<[string, (taskId: string) => Promise<Response>, string]> = [
    [
      'without a signature or key',
      (id) => fetch(`${stack.gateway.url}/v1/tasks`, { method: 'POST', body: body(id) }),
      'signature_missing',
    ],
    [
      'for a malformed signature',
      (id) => deliverSigned(body(id), 'not-a-jwt'),
      'signature_invalid',
    ],
    [
      'for a signature made with another key',
      (id) => deliver(stack.gateway, envelope(id), { key: 'sig_wrong' }),
      'signature_invalid',
    ],
    [
      'for a tampered body',
      (id) =>
        deliverSigned(
          body(id).replace('prompt', 'PROMPT'),
          signQstashJwt({ key: TEST_KEYS.current, url: INGRESS_URL, body: body(id) }),
        ),
      'signature_invalid',
    ],
    [
      'for a signature naming another URL',
      signedWith({ url: 'https://elsewhere.test/v1/tasks' }),
      'signature_invalid',
    ],
    ['for an expired signature', signedWith({ now: now() - 3600 }), 'signature_invalid'],
    ['for a signature not valid yet', signedWith({ now: now() + 3600 }), 'signature_invalid'],
    ['for a wrong issuer', signedWith({ issuer: 'Mallory' }), 'signature_invalid'],
    [
      'for an unsigned token (alg none)',
      signedWith({ header: { alg: 'none' } }, unsigned),
      'signature_invalid',
    ],
    ['for a wrong API key', (id) => submit(body(id), 'not-a-key'), 'api_key_invalid'],
  ];

  it.each(cases)('%s', async (_label, send, code) => {
    const taskId = newTaskId('unauthorized');
    const response = await send(taskId);
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe(code);
    await expectNoWorkflow(taskId);
  });

  it('but accepts the clock tolerance of a few seconds', async () => {
    const taskId = newTaskId('skew');
    const text = JSON.stringify(envelope(taskId));
    const token = signQstashJwt({
      key: TEST_KEYS.current,
      url: INGRESS_URL,
      body: text,
      now: Math.floor(Date.now() / 1000) + 3,
    });
    expect((await deliverSigned(text, token)).status).toBe(200);
  });
});

describe('answers 413', () => {
  it('for a body over the limit, signed or not, and starts nothing', async () => {
    const taskId = newTaskId('large');
    const huge = envelope(taskId, { input: { prompt: 'x'.repeat(1024 * 1024 + 1) } });
    const response = await deliver(stack.gateway, huge);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('body_too_large');
    expect((await submit(JSON.stringify(huge))).status).toBe(413);
    await expectNoWorkflow(taskId);
  });
});

describe('a signed delivery that can never be valid', () => {
  const cases: Array<[string, (taskId: string) => string, string]> = [
    ['malformed JSON', () => '{"version": 1, "type": ', 'malformed_json'],
    [
      'an unknown task type',
      (id) => JSON.stringify(envelope(id, { type: 'no.such.type' })),
      'unknown_task_type',
    ],
    [
      'invalid input',
      (id) => JSON.stringify(envelope(id, { input: { prompt: 42 } })),
      'invalid_input',
    ],
    [
      'a future envelope version',
      (id) => JSON.stringify(envelope(id, { version: 2 })),
      'unsupported_version',
    ],
    [
      'an invalid envelope',
      (id) => JSON.stringify(envelope(id, { tier: 'gold' })),
      'invalid_envelope',
    ],
  ];

  it.each(cases)('with %s answers 489 and goes straight to the DLQ', async (_l, make, code) => {
    const taskId = newTaskId('never');
    const response = await deliver(stack.gateway, make(taskId));
    expect(response.status).toBe(489);
    expect(response.headers.get('upstash-nonretryable-error')).toBe('true');
    expect((await response.json()).error.code).toBe(code);
    await expectNoWorkflow(taskId);
  });

  it('answers 400 or 422 when submitted directly instead', async () => {
    expect((await submit('{"version":')).status).toBe(400);
    const invalid = await submit(JSON.stringify(envelope(newTaskId('d'), { input: {} })));
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('upstash-nonretryable-error')).toBeNull();
  });
});

describe('one workflow per task', () => {
  it('from fifty concurrent deliveries of one message', async () => {
    const messageId = newTaskId('burst');
    const body = { version: 1, type: 'llm.generate', input: { prompt: 'burst' } };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => deliver(stack.gateway, body, { messageId })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(answers.map((answer) => answer.json()));
    expect(bodies.filter((b) => b.duplicate === false)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicate === true)).toHaveLength(49);
    await waitForState(stack.gateway, messageId, ['completed']);
    expect(await runsOf(stack.client, messageId)).toBe(1);
  });

  it('when the task is delivered again after it completed', async () => {
    const taskId = newTaskId('late');
    await deliver(stack.gateway, envelope(taskId));
    const done = await waitForState(stack.gateway, taskId, ['completed']);
    const again = await deliver(stack.gateway, envelope(taskId), { messageId: 'msg_retry' });
    const description = await stack.client.workflow.getHandle(taskId).describe();
    expect(await again.json()).toMatchObject({ duplicate: true, runId: description.runId });
    expect(description.status.name).toBe('COMPLETED');
    expect(description.closeTime?.toISOString()).toBe(done.timestamps.finishedAt);
    expect(await runsOf(stack.client, taskId)).toBe(1);
  });
});

describe('inline mode', () => {
  it('runs the steps in the gateway and answers with the result, no workflow', async () => {
    const config = testGatewayConfig(stack.mock.url, {
      routes: { 'llm.generate': { inlinePercent: 100 } },
    });
    const gateway = await startTestGateway(stack.client, config);
    try {
      const taskId = newTaskId('inline');
      const prompt = 'inline please [[mock:tokens=300]]';
      const response = await deliver(gateway, envelope(taskId, { input: { prompt } }));
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer).toMatchObject({ taskId, mode: 'inline' });
      expect(answer.result.usage.completionTokens).toBe(300);
      expect(answer.result.steps[0].chunks).toBe(2);
      await expectNoWorkflow(taskId);

      // The durable path produces the same output for the same prompt.
      const durableId = newTaskId('durable-twin');
      await deliver(stack.gateway, envelope(durableId, { input: { prompt } }));
      const durable = await waitForState(stack.gateway, durableId, ['completed']);
      expect(durable.result.output).toBe(answer.result.output);
    } finally {
      await gateway.close();
    }
  });
});
