import { describe, expect, it } from 'vitest';

import { planCompletion } from './plan.ts';
import type { ChatRequest } from './request.ts';

const defaults = { seed: 7, tokensPerSecond: 0, minTokens: 40, maxTokens: 400 };

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'mock-fast',
    messages: [{ role: 'user', text: 'Tell a story. [[mock:tokens=50]]' }],
    stream: false,
    includeUsage: false,
    ...overrides,
  };
}

describe('planCompletion', () => {
  it('sends the whole document and stops when no limit applies', () => {
    const plan = planCompletion(request(), defaults);
    expect(plan.tokens).toHaveLength(50);
    expect(plan.finishReason).toBe('stop');
  });

  it('cuts at maxTokens with finish reason length', () => {
    const plan = planCompletion(request({ maxTokens: 20 }), defaults);
    expect(plan.tokens).toHaveLength(20);
    expect(plan.finishReason).toBe('length');
  });

  it('continues after an assistant prefix so the pieces join into the whole document', () => {
    const whole = planCompletion(request(), defaults).tokens.join('');
    const head = planCompletion(request({ maxTokens: 17 }), defaults).tokens.join('');
    const messages = [...request().messages, { role: 'assistant', text: head }];
    const tail = planCompletion(request({ messages }), defaults);

    expect(head + tail.tokens.join('')).toBe(whole);
    expect(tail.tokens).toHaveLength(33);
  });

  it('returns no tokens and stop once the prefix covers the document', () => {
    const whole = planCompletion(request(), defaults).tokens.join('');
    const messages = [...request().messages, { role: 'assistant', text: whole }];
    const plan = planCompletion(request({ messages, maxTokens: 10 }), defaults);
    expect(plan.tokens).toEqual([]);
    expect(plan.finishReason).toBe('stop');
  });

  it('counts prompt tokens over every message, the prefix included', () => {
    const messages = [
      { role: 'system', text: 'Be brief.' },
      { role: 'user', text: 'Tell a story.' },
      { role: 'assistant', text: 'Once upon a' },
    ];
    expect(planCompletion(request({ messages }), defaults).promptTokens).toBe(8);
  });

  it('prefers the request seed over the default and a tps directive over the default rate', () => {
    const seeded = planCompletion(request({ seed: 99 }), defaults).tokens.join('');
    expect(seeded).not.toBe(planCompletion(request(), defaults).tokens.join(''));

    const messages = [{ role: 'user', text: '[[mock:tps=25]]' }];
    expect(planCompletion(request({ messages }), defaults).tokensPerSecond).toBe(25);
  });
});

describe('continuing from a window of the text so far', () => {
  it('goes on exactly where the window ends, as from the whole text', () => {
    const defaults = { seed: 7, tokensPerSecond: 0, minTokens: 40, maxTokens: 400 };
    const prompt = { role: 'user', text: 'window [[mock:tokens=2000]]' };
    const plan = (prefix: string, maxTokens = 100_000) =>
      planCompletion(
        {
          model: 'mock-fast',
          messages: prefix ? [prompt, { role: 'assistant', text: prefix }] : [prompt],
          stream: false,
          maxTokens,
        } as Parameters<typeof planCompletion>[0],
        defaults,
      );
    const whole = plan('').tokens.join('');
    const first = plan('', 1_500).tokens.join('');
    const window = first.slice(-2_000).replace(/^\S*\s/, '');
    expect(first + plan(window).tokens.join('')).toBe(whole);
    expect(first + plan(first).tokens.join('')).toBe(whole);
  });
});
