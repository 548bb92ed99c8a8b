/**
 * The producer hears how each task ended: a signed callback to its `callbackUrl` when the
 * task completes, fails or is cancelled. A callback that cannot be delivered never changes
 * the task's own outcome.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_HEADERS, verifyCallback } from '../protocol/callback.ts';
import { callbackWorkflowId } from '../workflows/callback-workflow.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  cancelTask,
  deliver,
  startTestStack,
  TEST_CALLBACK_SECRET,
  waitForState,
} from './support/stack.ts';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let stack: Awaited<ReturnType<typeof startTestStack>>;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.callbacks);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (data) => (body += data));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body });
      response.statusCode = request.url?.startsWith('/refuse') ? 400 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

async function callbackFor(taskId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = received.find((r) => r.headers['ackflow-task-id'] === taskId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no callback for ${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function start(taskId: string, prompt: string, path = '/hooks') {
  return deliver(stack.gateway, {
    version: 1,
    taskId,
    type: 'llm.generate',
    input: { prompt },
    callbackUrl: `${receiverUrl}${path}`,
    metadata: { orderId: '7' },
  });
}

describe('the result callback', () => {
  it('brings a completed task its signed result', async () => {
    const taskId = `callback-done-${Date.now()}`;
    await start(taskId, `${taskId} [[mock:tokens=40]]`);
    const view = await waitForState(stack.gateway, taskId, ['completed']);
    const callback = await callbackFor(taskId);

    const header = callback.headers[CALLBACK_HEADERS.signature.toLowerCase()] as string;
    expect(() => verifyCallback(TEST_CALLBACK_SECRET, callback.body, header)).not.toThrow();
    expect(() => verifyCallback('another-secret', callback.body, header)).toThrow();
    const payload = JSON.parse(callback.body);
    expect(payload).toMatchObject({
      version: 1,
      taskId,
      type: 'llm.generate',
      state: 'completed',
      metadata: { orderId: '7' },
    });
    expect(payload.result.output).toBe(view.result.output);
    expect(callback.headers['idempotency-key']).toBe(`${taskId}:completed`);

    // The callback's own workflow then closes too, rather than failing its last task.
    const child = stack.client.workflow.getHandle(callbackWorkflowId(taskId));
    await expect(child.result()).resolves.toBeUndefined();
  });

  it('tells of a failure with its error code', async () => {
    const taskId = `callback-failed-${Date.now()}`;
    stack.mock.faults.add({ kind: 'bad_request', match: taskId });
    await start(taskId, `${taskId} [[mock:tokens=40]]`);
    await waitForState(stack.gateway, taskId, ['failed']);
    const payload = JSON.parse((await callbackFor(taskId)).body);
    expect(payload).toMatchObject({ state: 'failed', error: { code: 'llm_request_invalid' } });
  });

  it('tells of a cancellation', async () => {
    const taskId = `callback-cancelled-${Date.now()}`;
    await start(taskId, `${taskId} [[mock:tokens=3000]] [[mock:tps=100]]`);
    await waitForState(stack.gateway, taskId, ['running']);
    await cancelTask(stack.gateway, taskId);
    await waitForState(stack.gateway, taskId, ['cancelled']);
    const payload = JSON.parse((await callbackFor(taskId)).body);
    expect(payload).toMatchObject({ state: 'cancelled', error: { code: 'task_cancelled' } });
  });

  it('refused by the producer leaves the task completed', async () => {
    const taskId = `callback-refused-${Date.now()}`;
    await start(taskId, `${taskId} [[mock:tokens=40]]`, '/refuse');
    await callbackFor(taskId);
    const view = await waitForState(stack.gateway, taskId, ['completed', 'failed']);
    expect(view.state).toBe('completed');
  });
});
