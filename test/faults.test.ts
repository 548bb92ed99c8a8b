/**
 * Each fault the mock LLM can inject, against a real Temporal dev server: the task either
 * completes with exactly the output of a fault-free run, or fails with a clear error code,
 * with retries and model fallbacks as configured.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultSpec, type RunningMockLlm, startMockLlm } from '../bench/mock-llm/index.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  deliver,
  startTestGateway,
  startTestStack,
  testGatewayConfig,
  waitForState,
} from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
/** A second, untouched mock: same seed, so it gives the fault-free reference text. */
let reference: RunningMockLlm;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.faults, { llm: { idleTimeoutMs: 1_000 } });
  reference = await startMockLlm({ port: 0, tokensPerSecond: 0 });
});
afterAll(async () => {
  await stack?.stop();
  await reference?.close();
});

const TOKENS = 600;
let sequence = 0;

async function referenceText(prompt: string) {
  const client = new OpenAI({ baseURL: reference.url, apiKey: 'test' });
  const completion = await client.chat.completions.create({
    model: 'mock-fast',
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 100_000,
  });
  return completion.choices[0]!.message.content!;
}

/**
 * Runs one task with `fault` queued for its prompt; reports what happened. `tokensPerSecond`
 * paces the task's streams (and the reference's, which runs alongside to save the time).
 */
async function runWithFault(
  label: string,
  fault: FaultSpec,
  { tokens = TOKENS, tokensPerSecond }: { tokens?: number; tokensPerSecond?: number } = {},
) {
  const taskId = `faults-${label}-${Date.now()}-${(sequence += 1)}`;
  const pace = tokensPerSecond ? ` [[mock:tps=${tokensPerSecond}]]` : '';
  const prompt = `${taskId} [[mock:tokens=${tokens}]]${pace}`;
  const expected = referenceText(prompt);
  stack.mock.faults.add({ ...fault, match: taskId });
  const tokensBefore = stack.mock.stats().tokensGenerated;
  const started = Date.now();
  await deliver(stack.gateway, { version: 1, taskId, type: 'llm.generate', input: { prompt } });
  const view = await waitForState(stack.gateway, taskId, ['completed', 'failed'], 60_000);
  const history = await stack.client.workflow.getHandle(taskId).fetchHistory();
  const attempts = (history.events ?? [])
    .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0)
    .filter((attempt) => attempt > 0);
  return {
    taskId,
    view,
    seconds: (Date.now() - started) / 1000,
    maxAttempt: Math.max(...attempts),
    tokensGenerated: stack.mock.stats().tokensGenerated - tokensBefore,
    expected: await expected,
  };
}

describe('a task meeting a fault of the LLM', () => {
  it('waits as long as a 429 asks, then completes', async () => {
    const run = await runWithFault('429', { kind: 'rate_limit', retryAfterSeconds: 2 });
    expect(run.view.state).toBe('completed');
    expect(run.view.result.output).toBe(run.expected);
    expect(run.maxAttempt).toBe(2);
    expect(run.seconds).toBeGreaterThanOrEqual(2);
  });

  it('retries a 500 with backoff, then completes', async () => {
    const run = await runWithFault('500', { kind: 'server_error', count: 2 });
    expect(run.view.state).toBe('completed');
    expect(run.view.result.output).toBe(run.expected);
    expect(run.maxAttempt).toBe(3);
  });

  it('resumes a stream dropped mid-way, losing at most one chunk of tokens', async () => {
    const run = await runWithFault('drop', { kind: 'drop', afterTokens: 100 });
    expect(run.view.state).toBe('completed');
    expect(run.view.result.output).toBe(run.expected);
    expect(run.maxAttempt).toBe(2);
    expect(run.tokensGenerated - TOKENS).toBeLessThanOrEqual(256);
    expect(run.view.result.usage.completionTokens).toBe(TOKENS);
  });

  it('abandons a stalled stream after the idle timeout and completes', async () => {
    const run = await runWithFault('stall', { kind: 'stall', afterTokens: 50 });
    expect(run.view.state).toBe('completed');
    expect(run.view.result.output).toBe(run.expected);
    expect(run.maxAttempt).toBe(2);
    expect(run.tokensGenerated - TOKENS).toBeLessThanOrEqual(256);
  });

  // A restart from scratch would repeat every token streamed before the fault; resuming
  // from the last heartbeat repeats at most the few since it (heartbeats are ≤1 s apart).
  // The fault comes five seconds into the first chunk, after several heartbeats.
  it.each([
    ['dropped', { kind: 'drop', afterTokens: 200 }],
    ['stalled', { kind: 'stall', afterTokens: 200 }],
  ] as const)(
    'resumes a stream %s well into a chunk from its last heartbeat, not from scratch',
    async (label, fault) => {
      const run = await runWithFault(`resume-${label}`, fault, {
        tokens: 300,
        tokensPerSecond: 40,
      });
      expect(run.view.state).toBe('completed');
      expect(run.view.result.output).toBe(run.expected);
      expect(run.maxAttempt).toBe(2);
      const repeated = run.tokensGenerated - 300;
      console.log(`${label} after ${fault.afterTokens} tokens: ${repeated} generated twice`);
      expect(repeated).toBeGreaterThanOrEqual(0);
      expect(repeated).toBeLessThan(fault.afterTokens / 4);
      expect(run.view.result.usage.completionTokens).toBe(300);
    },
  );

  it('fails at once with a clear code when the provider refuses the request', async () => {
    const run = await runWithFault('400', { kind: 'bad_request' });
    expect(run.view.state).toBe('failed');
    expect(run.view.error.code).toBe('llm_request_invalid');
    expect(run.maxAttempt).toBe(1);
  });
});

describe('model fallback', () => {
  it('moves to the next model after three failures, and the history says so', async () => {
    const run = await runWithFault('fallback', {
      kind: 'server_error',
      model: 'mock-fast',
      count: 3,
    });
    expect(run.view.state).toBe('completed');
    expect(run.view.result.output).toBe(run.expected);
    expect(run.view.result.fallbacks).toEqual([
      { step: 'generate', from: 'mock-fast', to: 'mock-large', errorCode: 'llm_unavailable' },
    ]);
    expect(run.view.result.steps[0].model).toBe('mock-large');
    const description = await stack.client.workflow.getHandle(run.taskId).describe();
    expect(description.memo?.fallbacks).toHaveLength(1);
    expect(description.searchAttributes.ModelId).toEqual(['mock-large']);
  });

  it("follows the configured chain instead of the task type's", async () => {
    const config = testGatewayConfig(stack.mock.url, { fallbackModels: ['mock-custom'] });
    const gateway = await startTestGateway(stack.client, config);
    try {
      const taskId = `faults-chain-${Date.now()}`;
      stack.mock.faults.add({ kind: 'server_error', match: taskId, model: 'mock-fast', count: 3 });
      const input = { prompt: `${taskId} [[mock:tokens=50]]` };
      await deliver(gateway, { version: 1, taskId, type: 'llm.generate', input });
      const view = await waitForState(gateway, taskId, ['completed', 'failed'], 60_000);
      expect(view.result.fallbacks).toMatchObject([{ from: 'mock-fast', to: 'mock-custom' }]);
    } finally {
      await gateway.close();
    }
  });

  it('fails with the last error code when every model in the chain keeps failing', async () => {
    const run = await runWithFault('exhausted', { kind: 'server_error', count: 6 });
    expect(run.view.state).toBe('failed');
    expect(run.view.error.code).toBe('llm_unavailable');
    const description = await stack.client.workflow.getHandle(run.taskId).describe();
    expect(description.searchAttributes.ErrorCode).toEqual(['llm_unavailable']);
  });
});
