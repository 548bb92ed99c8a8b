/**
 * The first vertical slice, end to end on real parts: a QStash-signed delivery becomes a
 * Temporal workflow that runs `llm.generate` against the mock LLM, and its result is
 * readable through the gateway.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import {
  deliver as deliverTo,
  startTestStack,
  taskUrl,
  TEST_KEYS,
  waitForState as waitFor,
  runsOf,
} from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.slice);
});
afterAll(() => stack?.stop());

const deliver = (envelope: object, options?: { key?: string; messageId?: string }) =>
  deliverTo(stack.gateway, envelope, options);
const waitForState = (taskId: string, states: string[]) => waitFor(stack.gateway, taskId, states);

describe('a signed delivery', () => {
  it('becomes a completed workflow whose result the gateway returns', async () => {
    const prompt = 'Summarise the history of queues. [[mock:tokens=700]]';
    const response = await deliver({
      version: 1,
      taskId: 'slice-1',
      type: 'llm.generate',
      input: { prompt },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ taskId: 'slice-1', duplicate: false });

    const view = await waitForState('slice-1', ['completed', 'failed']);
    expect(view.state).toBe('completed');

    // The same prompt asked directly, in one call, gives the reference text: the chunked
    // run must have produced exactly it.
    const openai = new OpenAI({ baseURL: stack.mock.url, apiKey: 'test' });
    const reference = await openai.chat.completions.create({
      model: 'mock-fast',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: 10_000,
    });
    expect(view.result.output).toBe(reference.choices[0]?.message.content);
    expect(view.result.steps[0].chunks).toBe(3); // 700 tokens in chunks of 256
    expect(view.result.usage.completionTokens).toBe(700);
    expect(view.timestamps.finishedAt).toBeTruthy();

    const description = await stack.client.workflow.getHandle('slice-1').describe();
    expect(description.status.name).toBe('COMPLETED');
  });

  it('signed with the next key is accepted, so keys can rotate', async () => {
    const response = await deliver(
      { version: 1, taskId: 'slice-rotated', type: 'llm.generate', input: { prompt: 'hi' } },
      { key: TEST_KEYS.next },
    );
    expect(response.status).toBe(200);
    await waitForState('slice-rotated', ['completed']);
  });

  it('delivered twice runs once and says so the second time', async () => {
    const envelope = { version: 1, type: 'llm.generate', input: { prompt: 'twice' } };
    const first = await deliver(envelope, { messageId: 'msg-slice-twice' });
    const second = await deliver(envelope, { messageId: 'msg-slice-twice' });
    expect(await first.json()).toMatchObject({ taskId: 'msg-slice-twice', duplicate: false });
    expect(await second.json()).toMatchObject({ taskId: 'msg-slice-twice', duplicate: true });
    await waitForState('msg-slice-twice', ['completed']);
    expect(await runsOf(stack.client, 'msg-slice-twice')).toBe(1);
  });
});

describe('an invalid signature', () => {
  it('is refused with 401 and starts nothing', async () => {
    const response = await deliver(
      { version: 1, taskId: 'slice-forged', type: 'llm.generate', input: { prompt: 'x' } },
      { key: 'sig_not_the_right_key' },
    );
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('signature_invalid');
    await expect(stack.client.workflow.getHandle('slice-forged').describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});

describe('the status endpoint', () => {
  it('answers 404 for a task that does not exist', async () => {
    const response = await fetch(taskUrl(stack.gateway, 'no-such-task'));
    expect(response.status).toBe(404);
  });
});

describe('a multi-step task', () => {
  it('runs resume.tailor step by step, each step seeing the ones before', async () => {
    const response = await deliver({
      version: 1,
      taskId: 'slice-resume',
      type: 'resume.tailor',
      input: {
        resume: 'Jane Doe. Eight years of backend work in Go and TypeScript.',
        jobDescription: 'Staff engineer, distributed systems, Temporal experience a plus.',
        sections: ['Summary', 'Skills'],
      },
    });
    expect(response.status).toBe(200);
    const view = await waitForState('slice-resume', ['completed', 'failed']);
    expect(view.state).toBe('completed');
    const steps = view.result.steps.map((step: { name: string }) => step.name);
    expect(steps).toEqual(['requirements', 'match', 'rewrite:Summary', 'rewrite:Skills']);
    expect(view.result.output).toMatch(/^## Summary\n\n.+\n\n## Skills\n\n.+/s);

    // Costs follow the price table: mock-large at $2.50 in and $10 out per million tokens.
    const { promptTokens, completionTokens, costUsd } = view.result.usageByModel['mock-large'];
    expect(costUsd).toBeCloseTo((promptTokens * 2.5 + completionTokens * 10) / 1e6, 6);
    expect(view.result.usage.costUsd).toBeCloseTo(costUsd, 6);

    const description = await stack.client.workflow.getHandle('slice-resume').describe();
    expect(description.searchAttributes.TotalTokens).toEqual([promptTokens + completionTokens]);
    expect(description.searchAttributes.TaskType).toEqual(['resume.tailor']);
    expect(description.searchAttributes.Tier).toEqual(['heavy']);
  });
});
