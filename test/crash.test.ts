/**
 * A worker killed with SIGKILL in the middle of a chunk: another worker finishes the task,
 * the output is byte-identical to an uninterrupted run, and at most one chunk's tokens were
 * generated twice, as the mock LLM's counters tell.
 */
import { Client, Connection } from '@temporalio/client';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningMockLlm, startMockLlm } from '../bench/mock-llm/index.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestGateway, testGatewayConfig, waitForState } from './support/stack.ts';
import { startWorkerProcess, type WorkerProcess } from '../bench/worker-process.ts';

const namespace = TEST_NAMESPACES.crash;
let mock: RunningMockLlm;
let connection: Connection;
let gateway: RunningGateway;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  gateway = await startTestGateway(
    new Client({ connection, namespace }),
    testGatewayConfig(mock.url),
  );
});
afterAll(async () => {
  for (const worker of workers) await worker.kill('SIGTERM');
  await gateway?.close();
  await connection?.close();
  await mock?.close();
});

function startWorker() {
  const worker = startWorkerProcess({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: namespace,
    LLM_BASE_URL: mock.url,
  });
  workers.push(worker);
  return worker;
}

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a worker killed mid-chunk', () => {
  it('costs at most one chunk, and the task completes byte-identical', async () => {
    const TOKENS = 1_500;
    const taskId = `crash-${Date.now()}`;
    // 1,500 tokens at 300 a second: six chunks of up to 256 tokens over five seconds.
    const prompt = `${taskId} [[mock:tokens=${TOKENS}]] [[mock:tps=300]]`;

    const first = startWorker();
    await first.ready;
    await deliver(gateway, { version: 1, taskId, type: 'llm.generate', input: { prompt } });

    // Kill it in the middle of the second chunk (tokens 256 to 512).
    await until(() => mock.stats().tokensGenerated >= 400, 30_000);
    await first.kill('SIGKILL');
    const atKill = mock.stats().tokensGenerated;
    expect(atKill).toBeLessThan(512);

    const second = startWorker();
    await second.ready;
    const view = await waitForState(gateway, taskId, ['completed', 'failed'], 90_000);
    expect(view.state).toBe('completed');

    const reference = await new OpenAI({
      baseURL: mock.url,
      apiKey: 'test',
    }).chat.completions.create({
      model: 'mock-fast',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: 100_000,
    });
    const tokensForTask = mock.stats().tokensGenerated - TOKENS; // less the reference call
    expect(view.result.output).toBe(reference.choices[0]!.message.content);
    expect(tokensForTask - TOKENS).toBeLessThanOrEqual(256);
    expect(tokensForTask - TOKENS).toBeGreaterThanOrEqual(0);
    console.log(`killed at ${atKill} tokens; ${tokensForTask - TOKENS} tokens generated twice`);
  });
});

describe('a worker stopped with SIGTERM mid-chunk', () => {
  it('exits within its grace time and hands the task on, at most one chunk repeated', async () => {
    const TOKENS = 600;
    const taskId = `sigterm-${Date.now()}`;
    // 600 tokens at 300 a second: three chunks over two seconds.
    const prompt = `${taskId} [[mock:tokens=${TOKENS}]] [[mock:tps=300]]`;
    const before = mock.stats().tokensGenerated;

    const first = startWorker();
    await first.ready;
    await deliver(gateway, { version: 1, taskId, type: 'llm.generate', input: { prompt } });
    await until(() => mock.stats().tokensGenerated - before >= 100, 30_000);
    const stopping = Date.now();
    await first.kill('SIGTERM');
    // The grace time is 10 s: the chunk under way either finishes or is handed back.
    expect(Date.now() - stopping).toBeLessThan(15_000);

    const second = startWorker();
    await second.ready;
    const view = await waitForState(gateway, taskId, ['completed', 'failed'], 60_000);
    expect(view.state).toBe('completed');
    expect(view.result.usage.completionTokens).toBe(TOKENS);
    const generated = mock.stats().tokensGenerated - before;
    expect(generated - TOKENS).toBeLessThanOrEqual(256);
    console.log(`SIGTERM: ${generated - TOKENS} tokens generated twice`);
    await second.kill('SIGTERM');
  });
});
