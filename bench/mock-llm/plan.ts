/**
 * What one completion sends: the slice of the prompt's document after any assistant prefix,
 * bounded by the request's token limit.
 */
import type { ChatRequest } from './request.ts';
import { countWords, createDocument, parseDirectives } from './text.ts';

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

  // An assistant prefix is taken to be the document's own first k tokens, so we go on at k.
  const start = countWords(prefix);
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
