import OpenAI from 'openai';
import type { APIError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startMockLlm } from './index.ts';
import type { RunningMockLlm } from './index.ts';

let llm: RunningMockLlm;
let client: OpenAI;

beforeAll(async () => {
  llm = await startMockLlm({ port: 0, tokensPerSecond: 0 });
  client = new OpenAI({ baseURL: llm.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => llm.close());
beforeEach(() => llm.reset());

const user = (content: string): ChatCompletionMessageParam[] => [
  { role: 'system', content: 'You are a careful writer.' },
  { role: 'user', content },
];

async function complete(
  messages: ChatCompletionMessageParam[],
  extra: { seed?: number; max_completion_tokens?: number; max_tokens?: number } = {},
) {
  const response = await client.chat.completions.create({ model: 'mock-fast', messages, ...extra });
  const choice = response.choices[0]!;
  return { text: choice.message.content ?? '', finish: choice.finish_reason, response };
}

async function streamText(
  messages: ChatCompletionMessageParam[],
  extra: { seed?: number; max_completion_tokens?: number } = {},
) {
  const stream = await client.chat.completions.create({
    model: 'mock-large',
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  });
  const deltas: string[] = [];
  const roles: (string | undefined)[] = [];
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    roles.push(choice.delta.role);
    if (choice.delta.content) deltas.push(choice.delta.content);
    finish = choice.finish_reason ?? finish;
  }
  return { text: deltas.join(''), deltas, roles, finish, usage };
}

describe('chat completions over HTTP', () => {
  it('streams the same text it returns without streaming', async () => {
    const plain = await complete(user('Describe a harbour.'));
    const streamed = await streamText(user('Describe a harbour.'));

    expect(plain.text.length).toBeGreaterThan(0);
    expect(streamed.text).toBe(plain.text);
    expect(streamed.finish).toBe('stop');
    expect(plain.finish).toBe('stop');
  });

  it('streams a role delta first and then one token per content delta', async () => {
    const { deltas, roles } = await streamText(user('[[mock:tokens=30]] Go.'));
    expect(roles[0]).toBe('assistant');
    expect(deltas).toHaveLength(30);
    for (const delta of deltas) expect(delta.trim().split(/\s+/)).toHaveLength(1);
  });

  it('gives different text for a different seed and the same text for the same seed', async () => {
    const first = await complete(user('Describe a harbour.'), { seed: 1 });
    const again = await complete(user('Describe a harbour.'), { seed: 1 });
    const other = await complete(user('Describe a harbour.'), { seed: 2 });
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  it('resumes from an assistant prefix so the pieces equal one uninterrupted call', async () => {
    const prompt = user('Write chapter one. [[mock:tokens=120]]');
    const whole = await complete(prompt);

    const head = await streamText(prompt, { max_completion_tokens: 45 });
    expect(head.finish).toBe('length');
    const middle = await complete([...prompt, { role: 'assistant', content: head.text }], {
      max_tokens: 40,
    });
    expect(middle.finish).toBe('length');
    const soFar = head.text + middle.text;
    const tail = await streamText([...prompt, { role: 'assistant', content: soFar }]);

    expect(tail.finish).toBe('stop');
    expect(soFar + tail.text).toBe(whole.text);
  });

  it('answers empty content with stop once the prefix holds the whole document', async () => {
    const prompt = user('[[mock:tokens=20]]');
    const whole = await complete(prompt);
    const after = await complete([...prompt, { role: 'assistant', content: whole.text }]);
    expect(after.text).toBe('');
    expect(after.finish).toBe('stop');
  });

  it('reports usage as prompt words, tokens sent and their total', async () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Five words [[mock:tokens=64]] in here' },
      { role: 'assistant', content: 'Three words here' },
    ];
    const plain = await complete(messages);
    expect(plain.response.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 61,
      total_tokens: 69,
    });

    const streamed = await streamText(messages, { max_completion_tokens: 10 });
    expect(streamed.usage).toEqual({ prompt_tokens: 8, completion_tokens: 10, total_tokens: 18 });
    expect(llm.stats()).toMatchObject({ tokensGenerated: 71, promptTokens: 16, completed: 2 });
  });

  it('makes a document exactly as long as [[mock:tokens=N]] says', async () => {
    const { text } = await complete([{ role: 'user', content: 'List [[mock:tokens=777]] words' }]);
    expect(text.split(/\s+/)).toHaveLength(777);
  });

  it('lists mock models yet accepts any model id', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['mock-fast', 'mock-large']);

    const response = await client.chat.completions.create({
      model: 'gpt-something-else',
      messages: user('hi'),
    });
    expect(response.model).toBe('gpt-something-else');
  });

  it('rejects a malformed request with an OpenAI error naming the field', async () => {
    const error = await client.chat.completions
      .create({ model: 'mock-fast', messages: [{ role: 'wizard', content: 'x' }] } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).message).toMatch(/messages\.0\.role/);
    expect(llm.stats().byStatus).toEqual({ '400': 1 });
  });
});
