import { describe, expect, it } from 'vitest';

import { countWords, createDocument, parseDirectives } from './text.ts';
import type { PromptMessage } from './text.ts';

const prompt: PromptMessage[] = [
  { role: 'system', text: 'You write reports.' },
  { role: 'user', text: 'Describe the river.' },
];
const base = { prompt, seed: 7, minTokens: 40, maxTokens: 400 };

function textOf(input: typeof base): string {
  const document = createDocument(input);
  return document.slice(0, document.length).join('');
}

describe('createDocument', () => {
  it('produces the same text for the same prompt and seed', () => {
    expect(textOf(base)).toBe(textOf({ ...base }));
  });

  it('produces different text for another seed, message or role', () => {
    const original = textOf(base);
    expect(textOf({ ...base, seed: 8 })).not.toBe(original);
    expect(
      textOf({ ...base, prompt: [prompt[0]!, { role: 'user', text: 'Describe it.' }] }),
    ).not.toBe(original);
    expect(
      textOf({ ...base, prompt: [prompt[0]!, { ...prompt[1]!, role: 'developer' }] }),
    ).not.toBe(original);
  });

  it('keeps the length within minTokens and maxTokens when no directive is given', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const { length } = createDocument({ ...base, seed, minTokens: 10, maxTokens: 20 });
      expect(length).toBeGreaterThanOrEqual(10);
      expect(length).toBeLessThanOrEqual(20);
    }
  });

  it('takes its length from a [[mock:tokens=N]] directive', () => {
    const document = createDocument({
      ...base,
      prompt: [{ role: 'user', text: 'Write [[mock:tokens=1234]] words.' }],
    });
    expect(document.length).toBe(1234);
  });

  it('counts one whitespace-separated word per token, for every prefix', () => {
    const document = createDocument(base);
    const tokens = document.slice(0, document.length);
    expect(tokens[0]).not.toMatch(/^\s/);
    for (let k = 0; k <= tokens.length; k += 1) {
      expect(countWords(tokens.slice(0, k).join(''))).toBe(k);
    }
  });

  it('returns the same tokens whether sliced in pieces or at once', () => {
    const document = createDocument(base);
    const whole = document.slice(0, 30).join('');
    expect(document.slice(0, 12).join('') + document.slice(12, 30).join('')).toBe(whole);
  });

  it('writes sentences with capitals and a closing mark at the end', () => {
    const text = textOf({ ...base, prompt: [{ role: 'user', text: '[[mock:tokens=300]]' }] });
    expect(text).toMatch(/^[A-Z]/);
    expect(text).toMatch(/[.?]$/);
    expect(text).toContain('\n\n');
    expect(text).toMatch(/[.?] [A-Z]/);
  });

  it('clamps slices that run past either end', () => {
    const document = createDocument({
      ...base,
      prompt: [{ role: 'user', text: '[[mock:tokens=5]]' }],
    });
    expect(document.slice(3, 99)).toHaveLength(2);
    expect(document.slice(9, 12)).toEqual([]);
  });
});

describe('parseDirectives', () => {
  it('reads tokens and tps, the last occurrence winning', () => {
    expect(parseDirectives(['[[mock:tokens=5]] [[mock:tps=50]]', '[[mock:tokens=9]]'])).toEqual({
      tokens: 9,
      tokensPerSecond: 50,
    });
  });

  it('accepts Infinity and fractions as a rate and ignores malformed directives', () => {
    expect(parseDirectives(['[[mock:tps=Infinity]]']).tokensPerSecond).toBe(Infinity);
    expect(parseDirectives(['[[mock:tps=2.5]]']).tokensPerSecond).toBe(2.5);
    expect(parseDirectives(['[[mock:tokens=-3]] [[mock:tokens=x]]'])).toEqual({});
  });
});
