/**
 * Large inputs and very long outputs stay within Temporal's limits: payloads over 256 KB
 * travel through the blob store, a long generation continues as new every few hundred
 * chunks, and the output is still exactly that of one uninterrupted generation.
 */
import { readdir } from 'node:fs/promises';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMockLlm, startMockLlm } from '../bench/mock-llm/index.ts';
import { CHUNKS_PER_RUN } from '../workflows/task-workflow.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestStack, waitForState } from './support/stack.ts';

/** Chunks in the long generation; ACKFLOW_LONG_CHUNKS raises it for the long profile. */
const CHUNKS = Number(process.env.ACKFLOW_LONG_CHUNKS ?? 1_000);
const CHUNK_TOKENS = 4;

let stack: Awaited<ReturnType<typeof startTestStack>>;
let reference: RunningMockLlm;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.large, {
    gateway: { bodyLimitBytes: 2 * 1024 * 1024 },
  });
  reference = await startMockLlm({ port: 0, tokensPerSecond: 0 });
});
afterAll(async () => {
  await stack?.stop();
  await reference?.close();
});

async function referenceText(prompt: string) {
  const client = new OpenAI({ baseURL: reference.url, apiKey: 'test' });
  const completion = await client.chat.completions.create({
    model: 'mock-fast',
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 1_000_000,
  });
  return completion.choices[0]!.message.content!;
}

async function blobCount() {
  const folders = await readdir(stack.blobDir).catch(() => []);
  let count = 0;
  for (const folder of folders) count += (await readdir(`${stack.blobDir}/${folder}`)).length;
  return count;
}

/** Every run of a workflow id: continue-as-new makes one run per stretch of chunks. */
async function runsOf(taskId: string) {
  const runs = [];
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${taskId}'` })) {
    runs.push(run);
  }
  return runs;
}

describe('a 1 MB input', () => {
  it('completes, with the input kept out of the history', async () => {
    const taskId = `large-input-${Date.now()}`;
    const words = 'requirement evidence summary experience '.repeat(26_215);
    const prompt = `${taskId} ${words}[[mock:tokens=300]]`;
    expect(prompt.length).toBeGreaterThan(1024 * 1024);
    const input = { prompt };
    const envelope = { version: 1, taskId, type: 'llm.generate', input };
    const response = await deliver(stack.gateway, envelope);
    expect(response.status).toBe(200);
    const view = await waitForState(stack.gateway, taskId, ['completed', 'failed'], 60_000);
    expect(view.state).toBe('completed');
    expect(view.result.output).toBe(await referenceText(prompt));

    // The history holds references, not the megabyte: the input and each chunk's request
    // were written to the blob store instead.
    const description = await stack.client.workflow.getHandle(taskId).describe();
    const historyBytes = Number(description.raw.workflowExecutionInfo?.historySizeBytes);
    expect(historyBytes).toBeLessThan(100_000);
    expect(await blobCount()).toBeGreaterThanOrEqual(2);
  });
});

describe(`a ${CHUNKS}-chunk generation`, () => {
  it(
    'continues as new, keeps every history small, and matches one uninterrupted run',
    { timeout: 900_000 },
    async () => {
      const taskId = `large-output-${Date.now()}`;
      const tokens = CHUNKS * CHUNK_TOKENS;
      const prompt = `${taskId} [[mock:tokens=${tokens}]]`;
      const input = { prompt, chunkTokens: CHUNK_TOKENS, maxOutputTokens: tokens };
      await deliver(stack.gateway, { version: 1, taskId, type: 'llm.generate', input });
      const view = await waitForState(stack.gateway, taskId, ['completed', 'failed'], 600_000);
      expect(view.state).toBe('completed');
      expect(view.result.steps[0].chunks).toBe(CHUNKS);
      expect(view.result.output).toBe(await referenceText(prompt));
      expect(stack.mock.stats().tokensGenerated).toBeGreaterThanOrEqual(tokens);

      const runs = await runsOf(taskId);
      // At most CHUNKS_PER_RUN chunks a run; sooner when the server suggests it.
      expect(runs.length).toBeGreaterThanOrEqual(Math.ceil(CHUNKS / CHUNKS_PER_RUN));
      for (const run of runs) expect(run.historyLength).toBeLessThan(CHUNKS_PER_RUN * 8);
    },
  );
});
