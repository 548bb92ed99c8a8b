/**
 * What one completion sends: the slice of the prompt's document after any assistant prefix,
 * bounded by the request's token limit.
 */
import type { ChatRequest } from './request.ts';
import { countWords, createDocument, type MockDocument, parseDirectives } from './text.ts';

/** Server-wide defaults a request can override. */
export interface PlanDefaults {
  seed: number;
  tokensPerSecond: number;
  minTokens: number;
  maxTokens: number;
}

/** The tokens of one response and how it ends. */
export interface CompletionPlan {
  tokens: string[];
  finishReason: 'stop' | 'length';
  promptTokens: number;
  /** Pacing for this response; 0 or Infinity means send as fast as possible. */
  tokensPerSecond: number;
}

/** Works out the response to a request; pure, so retries of a request plan identically. */
export function planCompletion(request: ChatRequest, defaults: PlanDefaults): CompletionPlan {
  const last = request.messages.at(-1);
  const prefix = last?.role === 'assistant' ? last.text : '';
  const prompt = request.messages.filter((m) => m.role !== 'assistant');
  const document = createDocument({
    prompt,
    seed: request.seed ?? defaults.seed,
    minTokens: defaults.minTokens,
    maxTokens: defaults.maxTokens,
  });

  const start = continuationStart(document, prefix);
  const remaining = Math.max(0, document.length - start);
  const count = Math.min(remaining, request.maxTokens ?? Infinity);
  const directives = parseDirectives(prompt.map((m) => m.text));

  return {
    tokens: document.slice(start, start + count),
    finishReason: count < remaining ? 'length' : 'stop',
    promptTokens: request.messages.reduce((sum, m) => sum + countWords(m.text), 0),
    tokensPerSecond: directives.tokensPerSecond ?? defaults.tokensPerSecond,
  };
}

/** Words of a prefix's end that locate it in the document; a random match is implausible. */
const TAIL_WORDS = 12;

/**
 * Where a continuation starts. A prefix that is the document's own first k tokens goes on
 * at k. Long generations send only the tail of their text (as a context window would), so
 * otherwise the prefix's last words are looked up in the document and it goes on after
 * them; text that is not from the document at all goes on at its word count.
 */
export function continuationStart(document: MockDocument, prefix: string): number {
  const words = prefix.match(/\S+/g) ?? [];
  if (words.length === 0) return 0;
  if (document.slice(0, words.length).join('') === prefix) return words.length;

  const probe = words.slice(-TAIL_WORDS);
  const tokens = document.slice(0, document.length);
  for (let end = probe.length; end <= tokens.length; end += 1) {
    let matches = true;
    for (let i = 0; i < probe.length && matches; i += 1) {
      matches = tokens[end - probe.length + i]?.trim() === probe[i];
    }
    if (matches) return end;
  }
  return words.length;
}
