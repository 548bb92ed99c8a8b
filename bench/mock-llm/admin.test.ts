import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMockLlm, startMockLlm } from './index.ts';
import type { RunningMockLlm } from './index.ts';

const chat = (content: string) => ({
  model: 'mock-fast',
  messages: [{ role: 'user' as const, content }],
});

describe('admin API', () => {
  let llm: RunningMockLlm;
  let root: string;

  beforeAll(async () => {
    llm = await startMockLlm({ tokensPerSecond: 0, apiKey: 'sk-mock' });
    root = llm.url.replace(/\/v1$/, '');
  });
  afterAll(() => llm.close());

  const post = (path: string, body: unknown) =>
    fetch(`${root}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers /healthz with 200', async () => {
    expect((await fetch(`${root}/healthz`)).status).toBe(200);
  });

  it('queues faults posted over HTTP and reports them in the stats', async () => {
    const client = new OpenAI({ baseURL: llm.url, apiKey: 'sk-mock', maxRetries: 0 });
    const queued = await post('/_mock/faults', [{ kind: 'server_error' }, { kind: 'rate_limit' }]);
    expect(queued.status).toBe(200);
    expect(await post('/_mock/faults', { kind: 'bad_request', count: 2 })).toHaveProperty(
      'status',
      200,
    );

    await expect(client.chat.completions.create(chat('a'))).rejects.toHaveProperty('status', 500);
    await expect(client.chat.completions.create(chat('b'))).rejects.toHaveProperty('status', 429);
    const pending = await (await fetch(`${root}/_mock/faults`)).json();
    expect(pending).toEqual({ pending: [{ kind: 'bad_request', count: 2 }] });

    const stats = await (await fetch(`${root}/_mock/stats`)).json();
    expect(stats).toMatchObject({
      requests: 2,
      byStatus: { '429': 1, '500': 1 },
      faultsApplied: { server_error: 1, rate_limit: 1, bad_request: 0 },
    });
  });

  it('rejects an invalid fault spec with 400 and a message naming the field', async () => {
    const response = await post('/_mock/faults', { kind: 'stall', ms: -5 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/ms/);
  });

  it('zeroes counters and clears faults on reset', async () => {
    await post('/_mock/faults', { kind: 'drop' });
    expect((await post('/_mock/reset', {})).status).toBe(200);
    expect(llm.faults.pending()).toEqual([]);
    expect(llm.stats()).toMatchObject({ requests: 0, tokensGenerated: 0, byStatus: {} });
  });

  it('answers 401 without the right API key and serves the right one', async () => {
    const wrong = new OpenAI({ baseURL: llm.url, apiKey: 'sk-other', maxRetries: 0 });
    await expect(wrong.chat.completions.create(chat('x'))).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await expect(wrong.models.list()).rejects.toHaveProperty('status', 401);

    const right = new OpenAI({ baseURL: llm.url, apiKey: 'sk-mock', maxRetries: 0 });
    await expect(right.chat.completions.create(chat('x'))).resolves.toHaveProperty('object');
    expect(llm.stats().byStatus).toMatchObject({ '200': 1, '401': 1 });
  });
});

describe('pacing', () => {
  it('takes about a second per tokensPerSecond tokens when streaming', async () => {
    const llm = await startMockLlm({ tokensPerSecond: 100 });
    try {
      const client = new OpenAI({ baseURL: llm.url, apiKey: 'test', maxRetries: 0 });
      const started = performance.now();
      const stream = await client.chat.completions.create({
        ...chat('[[mock:tokens=50]]'),
        stream: true,
      });
      let firstTokenAt: number | undefined;
      let tokens = 0;
      for await (const chunk of stream) {
        if (!chunk.choices[0]?.delta.content) continue;
        firstTokenAt ??= performance.now() - started;
        tokens += 1;
      }
      const elapsed = performance.now() - started;

      expect(tokens).toBe(50);
      expect(elapsed).toBeGreaterThanOrEqual(400);
      // Tokens trickle in rather than arriving all at the end.
      expect(firstTokenAt).toBeLessThan(elapsed / 2);
    } finally {
      await llm.close();
    }
  });

  it('lets a [[mock:tps=N]] directive pace a request on an unpaced server', async () => {
    const mock = createMockLlm({ tokensPerSecond: 0 });
    const started = performance.now();
    const response = await mock.app.request('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chat('[[mock:tokens=20]] [[mock:tps=100]]')),
    });
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('createMockLlm in-process', () => {
  it('serves completions and a drop fault without a socket', async () => {
    const mock = createMockLlm({ tokensPerSecond: 0 });
    mock.faults.add({ kind: 'drop', afterTokens: 3 });
    const body = JSON.stringify({ ...chat('[[mock:tokens=10]]'), stream: true });
    const response = await mock.app.request('/v1/chat/completions', { method: 'POST', body });

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await expect(response.text()).rejects.toThrow();
    expect(mock.stats()).toMatchObject({ tokensGenerated: 3, faultsApplied: { drop: 1 } });

    mock.reset();
    const plain = await mock.app.request('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chat('[[mock:tokens=10]]')),
    });
    const completion = (await plain.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content.split(' ')).toHaveLength(10);
  });

  it('answers unknown routes with an OpenAI-shaped 404', async () => {
    const response = await createMockLlm().app.request('/v1/embeddings', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { param: null, code: null } });
  });

  it('refuses options whose length range is inverted', () => {
    expect(() => createMockLlm({ minTokens: 50, maxTokens: 10 })).toThrow(/minTokens/);
  });
});
