/**
 * The read side against a real Temporal dev server: status while running, the event
 * stream with resume, cancellation, and who may read a task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTokenFor } from '../gateway/read-token.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { readEvents } from './support/sse.ts';
import {
  cancelTask,
  deliver,
  startTestStack,
  TEST_API_KEY,
  TEST_TOKEN_SECRET,
  taskUrl,
  waitForState,
} from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.reads, { gateway: { eventKeepAliveMs: 100 } });
});
afterAll(() => stack?.stop());

let sequence = 0;
const newTaskId = (label: string) => `reads-${label}-${Date.now()}-${(sequence += 1)}`;
const start = (taskId: string, prompt: string) =>
  deliver(stack.gateway, { version: 1, taskId, type: 'llm.generate', input: { prompt } });

describe('the event stream', () => {
  it('follows a running task and resumes after a reconnect with no gap and no repeat', async () => {
    const taskId = newTaskId('events');
    // 1,200 tokens at 200 per second: five chunks over about six seconds.
    await start(taskId, 'stream this [[mock:tokens=1200]] [[mock:tps=200]]');

    const first = await readEvents(taskUrl(stack.gateway, taskId, '/events'), (event) => {
      return event.event === 'output';
    });
    expect(first.status).toBe(200);
    const lastId = first.events.at(-1)!.id!;
    expect(lastId).toMatch(/^0\.\d+$/);

    const second = await readEvents(
      taskUrl(stack.gateway, taskId, '/events'),
      (event) => event.event === 'end',
      { 'last-event-id': lastId },
    );
    const pieces = [...first.events, ...second.events]
      .filter((event) => event.event === 'output')
      .map((event) => JSON.parse(event.data));
    let expectedOffset = 0;
    for (const piece of pieces) {
      expect(piece.offset).toBe(expectedOffset); // no gap, no repeat
      expectedOffset += piece.text.length;
    }
    const end = JSON.parse(second.events.at(-1)!.data);
    expect(end.state).toBe('completed');

    const view = await waitForState(stack.gateway, taskId, ['completed']);
    expect(pieces.map((piece) => piece.text).join('')).toBe(view.result.output);
    expect(pieces.length).toBeGreaterThan(1);
  });

  it('sends keep-alive comments while nothing happens', async () => {
    const taskId = newTaskId('quiet');
    // One chunk of 60 tokens at 20 a second: three seconds without an event.
    await start(taskId, 'quiet one [[mock:tokens=60]] [[mock:tps=20]]');
    let comments = 0;
    const { status } = await readEvents(
      taskUrl(stack.gateway, taskId, '/events'),
      () => false,
      {},
      () => {
        comments += 1;
        return comments >= 2;
      },
    );
    expect(status).toBe(200);
    expect(comments).toBe(2);
    await waitForState(stack.gateway, taskId, ['completed']);
  });

  it('replays a finished task from the start and ends with its final state', async () => {
    const taskId = newTaskId('finished');
    await start(taskId, 'short one [[mock:tokens=30]]');
    const view = await waitForState(stack.gateway, taskId, ['completed']);
    const { events } = await readEvents(
      taskUrl(stack.gateway, taskId, '/events'),
      (event) => event.event === 'end',
    );
    const text = events
      .filter((event) => event.event === 'output')
      .map((event) => JSON.parse(event.data).text)
      .join('');
    expect(text).toBe(view.result.output);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
  });
});

describe('the status endpoint', () => {
  it('shows a running task with its step and progress', async () => {
    const taskId = newTaskId('running');
    await start(taskId, 'slowly [[mock:tokens=900]] [[mock:tps=300]]');
    const deadline = Date.now() + 10_000;
    let view;
    do {
      view = await (await fetch(taskUrl(stack.gateway, taskId))).json();
    } while ((view.state !== 'running' || view.progress.chunks < 1) && Date.now() < deadline);
    expect(view).toMatchObject({ state: 'running', step: 'generate' });
    expect(view.progress).toMatchObject({ stepIndex: 0, stepCount: 1 });
    expect(view.progress.outputChars).toBeGreaterThan(0);
    await waitForState(stack.gateway, taskId, ['completed']);
  });
});

describe('cancel', () => {
  it('stops a running task and its activity promptly', async () => {
    const taskId = newTaskId('cancel');
    await start(taskId, 'a long one [[mock:tokens=5000]] [[mock:tps=100]]');
    await waitForState(stack.gateway, taskId, ['running']);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const response = await cancelTask(stack.gateway, taskId);
    expect(response.status).toBe(202);
    const view = await waitForState(stack.gateway, taskId, ['cancelled', 'completed'], 10_000);
    expect(view.state).toBe('cancelled');

    // The stream to the LLM was closed: no more tokens are being produced.
    const before = stack.mock.stats().tokensGenerated;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(stack.mock.stats().tokensGenerated).toBe(before);

    const again = await cancelTask(stack.gateway, taskId);
    expect(again.status).toBe(409);
  });

  it('answers 404 for a task that does not exist', async () => {
    const response = await cancelTask(stack.gateway, 'missing-task');
    expect(response.status).toBe(404);
  });

  it("is refused with the task's read token, which only reads, and the task goes on", async () => {
    const taskId = newTaskId('cancel-token');
    await start(taskId, 'keep going [[mock:tokens=600]] [[mock:tps=300]]');
    await waitForState(stack.gateway, taskId, ['running']);

    const byToken = await fetch(taskUrl(stack.gateway, taskId, '/cancel'), { method: 'POST' });
    expect(byToken.status).toBe(401);
    expect((await byToken.json()).error.code).toBe('access_denied');
    const headers = { 'x-read-token': readTokenFor(TEST_TOKEN_SECRET, taskId) };
    const base = `${stack.gateway.url}/v1/tasks/${taskId}`;
    expect((await fetch(`${base}/cancel`, { method: 'POST', headers })).status).toBe(401);

    const view = await waitForState(stack.gateway, taskId, ['completed', 'cancelled']);
    expect(view.state).toBe('completed');
  });
});

describe('read access', () => {
  it('needs the task read token or an API key', async () => {
    const taskId = newTaskId('access');
    const accepted = await (await start(taskId, 'access [[mock:tokens=10]]')).json();
    expect(accepted.readToken).toBe(readTokenFor(TEST_TOKEN_SECRET, taskId));
    await waitForState(stack.gateway, taskId, ['completed']);

    const base = `${stack.gateway.url}/v1/tasks/${taskId}`;
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}/events`)).status).toBe(401);
    expect((await fetch(`${base}/cancel`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}?token=${accepted.readToken}`)).status).toBe(200);
    const withKey = await fetch(base, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    expect(withKey.status).toBe(200);
  });

  it('does not let one task token read another task', async () => {
    const mine = newTaskId('mine');
    const theirs = newTaskId('theirs');
    await start(mine, 'mine [[mock:tokens=10]]');
    await start(theirs, 'theirs [[mock:tokens=10]]');
    const myToken = readTokenFor(TEST_TOKEN_SECRET, mine);
    const response = await fetch(`${stack.gateway.url}/v1/tasks/${theirs}?token=${myToken}`);
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('access_denied');
  });
});
