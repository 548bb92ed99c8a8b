/**
 * `ackflow redrive` starts again exactly the tasks a filter chooses, under their own task
 * ids, and nothing else; a dry run starts nothing.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestStack, waitForState } from './support/stack.ts';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.redrive);
});
afterAll(() => stack?.stop());

async function redrive(...args: string[]) {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: TEST_NAMESPACES.redrive,
    BLOB_DIR: stack.blobDir,
  };
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'redrive', ...args], {
    env,
  });
  return stdout;
}

async function runs(taskId: string) {
  return (await stack.client.workflow.count(`WorkflowId = '${taskId}'`)).count;
}

describe('ackflow redrive', () => {
  it('restarts only the chosen failed tasks, under their own ids', async () => {
    const run = Date.now();
    const generate = `redrive-generate-${run}`;
    const tailor = `redrive-tailor-${run}`;
    const done = `redrive-done-${run}`;
    stack.mock.faults.add({ kind: 'bad_request', match: generate });
    stack.mock.faults.add({ kind: 'bad_request', match: tailor });
    await deliver(stack.gateway, {
      version: 1,
      taskId: generate,
      type: 'llm.generate',
      input: { prompt: `${generate} [[mock:tokens=50]]` },
    });
    await deliver(stack.gateway, {
      version: 1,
      taskId: tailor,
      type: 'resume.tailor',
      input: { resume: `${tailor} [[mock:tokens=50]]`, jobDescription: `${tailor} role` },
    });
    await deliver(stack.gateway, {
      version: 1,
      taskId: done,
      type: 'llm.generate',
      input: { prompt: `${done} [[mock:tokens=50]]` },
    });
    await waitForState(stack.gateway, generate, ['failed']);
    await waitForState(stack.gateway, tailor, ['failed']);
    await waitForState(stack.gateway, done, ['completed']);

    const dry = await redrive('--type', 'llm.generate', '--since', '1h', '--dry-run');
    expect(dry).toContain(`would redrive ${generate}`);
    expect(dry).not.toContain(tailor);
    expect(dry).not.toContain(done);
    expect(await runs(generate)).toBe(1);

    const real = await redrive('--type', 'llm.generate', '--error-code', 'llm_request_invalid');
    expect(real).toMatch(/1 redriven, 0 skipped/);
    const view = await waitForState(stack.gateway, generate, ['completed']);
    expect(view.result.usage.completionTokens).toBe(50);
    expect(await runs(generate)).toBe(2);
    expect(await runs(tailor)).toBe(1);
    expect(await runs(done)).toBe(1);
  });
});
