import OpenAI from 'openai';
import type { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startMockLlm } from './index.ts';
import type { RunningMockLlm } from './index.ts';

let llm: RunningMockLlm;
let client: OpenAI;

beforeAll(async () => {
  llm = await startMockLlm({ tokensPerSecond: 0 });
  client = new OpenAI({ baseURL: llm.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => llm.close());
beforeEach(() => llm.reset());

const request = {
  model: 'mock-fast',
  messages: [{ role: 'user' as const, content: 'Write a long essay. [[mock:tokens=100]]' }],
};

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** Reads a stream, collecting content until it ends, throws or `signal` aborts it. */
async function drain(signal?: AbortSignal) {
  const stream = await client.chat.completions.create(
    { ...request, stream: true },
    signal ? { signal } : {},
  );
  const deltas: string[] = [];
  let finish: string | null = null;
  try {
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      finish = choice?.finish_reason ?? finish;
    }
    return { deltas, finish, error: undefined };
  } catch (error) {
    return { deltas, finish, error };
  }
}

describe('injected faults', () => {
  it('answers 429 with retry-after visible on the error headers', async () => {
    llm.faults.add({ kind: 'rate_limit', retryAfterSeconds: 3 });
    const error = await failureOf(client.chat.completions.create(request));

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as APIError;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('3');
    expect(apiError.type).toBe('rate_limit_exceeded');
  });

  it('answers 500 for a server_error and 400 for a bad_request', async () => {
    llm.faults.add([{ kind: 'server_error' }, { kind: 'bad_request' }]);
    const serverError = await failureOf(client.chat.completions.create(request));
    const badRequest = await failureOf(client.chat.completions.create(request));

    expect(serverError).toBeInstanceOf(OpenAI.InternalServerError);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badRequest as APIError).type).toBe('invalid_request_error');
    expect(llm.stats().byStatus).toEqual({ '400': 1, '500': 1 });
  });

  it('makes stream iteration throw after afterTokens tokens on a drop', async () => {
    llm.faults.add({ kind: 'drop', afterTokens: 12 });
    const { deltas, finish, error } = await drain();

    expect(error).toBeInstanceOf(Error);
    expect(deltas).toHaveLength(12);
    expect(finish).toBeNull();
  });

  it('cuts a non-streaming request off before answering on a drop', async () => {
    llm.faults.add({ kind: 'drop' });
    const error = await failureOf(client.chat.completions.create(request));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(llm.stats().byStatus).toEqual({});
  });

  it('leaves a stalled stream silent until the client gives up', async () => {
    llm.faults.add({ kind: 'stall', afterTokens: 5 });
    const started = Date.now();
    const { deltas, finish, error } = await drain(AbortSignal.timeout(300));

    // The openai client ends iteration quietly when its own signal aborts the stream.
    expect(error).toBeUndefined();
    expect(finish).toBeNull();
    expect(deltas).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(llm.stats()).toMatchObject({ tokensGenerated: 5, completed: 0 });
  });

  it('ends a stall with ms after that long, without a finish chunk', async () => {
    llm.faults.add({ kind: 'stall', afterTokens: 2, ms: 50 });
    const { deltas, finish } = await drain();
    expect(deltas).toHaveLength(2);
    expect(finish).toBeNull();
  });

  it('counts tokens of dropped and stalled streams as generated', async () => {
    llm.faults.add([
      { kind: 'drop', afterTokens: 30 },
      { kind: 'stall', afterTokens: 20, ms: 10 },
    ]);
    await drain();
    await drain();
    await drain();

    expect(llm.stats()).toMatchObject({
      requests: 3,
      completed: 1,
      tokensGenerated: 150,
      byStatus: { '200': 3 },
      faultsApplied: { drop: 1, stall: 1, rate_limit: 0 },
    });
  });

  it('applies a fault with match only to prompts that contain it, count times', async () => {
    llm.faults.add({ kind: 'server_error', match: 'chapter 2', count: 2 });
    const chapter = (n: number) =>
      client.chat.completions.create({
        ...request,
        messages: [{ role: 'user', content: `chapter ${n}` }],
      });

    await expect(chapter(1)).resolves.toBeDefined();
    await expect(chapter(2)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(chapter(2)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(chapter(2)).resolves.toBeDefined();
  });

  it('closes without hanging while a stream is stalled forever', async () => {
    const own = await startMockLlm({ tokensPerSecond: 0 });
    const ownClient = new OpenAI({ baseURL: own.url, apiKey: 'test', maxRetries: 0 });
    own.faults.add({ kind: 'stall', afterTokens: 1 });
    const stream = await ownClient.chat.completions.create({ ...request, stream: true });
    const reading = (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((error: unknown) => error);

    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    expect(await reading).toBeInstanceOf(Error);
  });
});
