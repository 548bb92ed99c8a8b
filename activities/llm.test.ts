import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMockLlm, startMockLlm } from '../bench/mock-llm/index.ts';
import type { ChunkRequest, ChunkResponse } from '../protocol/task-steps.ts';
import { createLlmActivities } from './llm.ts';

let mock: RunningMockLlm;
beforeAll(async () => {
  mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });
});
afterAll(async () => {
  await mock?.close();
});

const request = (maxTokens: number): ChunkRequest => ({
  model: 'mock-fast',
  messages: [{ role: 'user', content: 'a chunk resumed from its heartbeat [[mock:tokens=500]]' }],
  prefix: '',
  maxTokens,
});

/** Runs one attempt of generateChunk, as a retry when `heartbeatDetails` is given. */
async function attempt(maxTokens: number, heartbeatDetails?: unknown) {
  const info: Partial<Info> = { attempt: heartbeatDetails ? 2 : 1, heartbeatDetails };
  const environment = new MockActivityEnvironment(info);
  const heartbeats: unknown[] = [];
  environment.on('heartbeat', (details) => heartbeats.push(details));
  const { generateChunk } = createLlmActivities({ baseURL: mock.url, apiKey: 'test' });
  const before = mock.stats().tokensGenerated;
  // run()'s result type cannot be inferred from the activity, so it is named here.
  const response = (await environment.run(generateChunk, request(maxTokens))) as ChunkResponse;
  return { response, heartbeats, generated: mock.stats().tokensGenerated - before };
}

describe('generateChunk on a retry', () => {
  it("continues from the last heartbeat's text and asks only for the tokens left", async () => {
    const whole = await attempt(100);
    const interrupted = await attempt(60);
    const text = interrupted.response.text;

    const retry = await attempt(100, { text, completionTokens: 60 });

    expect(retry.heartbeats[0]).toEqual({ text, completionTokens: 60 });
    expect(retry.generated).toBe(40);
    expect(retry.response.text).toBe(whole.response.text);
    expect(retry.response.completionTokens).toBe(100);
  });

  it('returns at once when the heartbeat already holds the whole chunk', async () => {
    const done = await attempt(30);
    const retry = await attempt(30, { text: done.response.text, completionTokens: 30 });

    expect(retry.generated).toBe(0);
    expect(retry.response).toMatchObject({ text: done.response.text, finishReason: 'length' });
  });
});

describe('generateChunk on a stream that ends without a finish reason', () => {
  it('fails the attempt as retryable, keeping the text so far for the retry', async () => {
    mock.faults.add({ kind: 'stall', afterTokens: 20, ms: 50 });
    const environment = new MockActivityEnvironment({ attempt: 1 });
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details) => heartbeats.push(details));
    const { generateChunk } = createLlmActivities({ baseURL: mock.url, apiKey: 'test' });

    const failure = await environment.run(generateChunk, request(100)).catch((error) => error);

    expect(failure).toMatchObject({ type: 'llm_unavailable', nonRetryable: false });
    expect(heartbeats.at(-1)).toMatchObject({ completionTokens: 20 });
  });
});
