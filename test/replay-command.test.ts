/**
 * `ackflow replay` as a deploy gate: it replays histories from files or from the server
 * against the current code, and exits non-zero when any of them is nondeterministic.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestStack, waitForState } from './support/stack.ts';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));
const HISTORY = fileURLToPath(new URL('./histories/generate-completed.json', import.meta.url));
const CHANGED = fileURLToPath(new URL('./support/nondeterministic-workflows.ts', import.meta.url));

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.replay);
});
afterAll(() => stack?.stop());

async function replay(...args: string[]) {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: TEST_NAMESPACES.replay,
  };
  return promisify(execFile)(process.execPath, [BIN, 'replay', ...args], { env }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

describe('ackflow replay', () => {
  it('passes a recorded history and fails it against a nondeterministic change', async () => {
    expect(await replay('--file', HISTORY)).toMatchObject({ code: 0 });
    const changed = await replay('--file', HISTORY, '--workflows', CHANGED);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/FAIL generate-completed: .*nondeterminism/i);
  });

  it('replays a task from the server by id, and every open task', async () => {
    const done = `replay-done-${Date.now()}`;
    const open = `replay-open-${Date.now()}`;
    const input = (prompt: string) => ({ prompt });
    await deliver(stack.gateway, {
      version: 1,
      taskId: done,
      type: 'llm.generate',
      input: input('x [[mock:tokens=300]]'),
    });
    await waitForState(stack.gateway, done, ['completed']);
    await deliver(stack.gateway, {
      version: 1,
      taskId: open,
      type: 'llm.generate',
      input: input('y [[mock:tokens=3000]] [[mock:tps=200]]'),
    });
    await waitForState(stack.gateway, open, ['running']);

    const byId = await replay('--workflow-id', done);
    expect(byId).toMatchObject({ code: 0 });
    expect(byId.stdout).toContain(`ok   ${done}`);
    const running = await replay('--open');
    expect(running.code).toBe(0);
    expect(running.stdout).toContain(`ok   ${open}`);
    expect(running.stdout).not.toContain(done);

    await fetch(`${stack.gateway.url}/v1/tasks/${open}/cancel`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-key' },
    });
  });
});
