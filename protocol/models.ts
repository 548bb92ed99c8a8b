/**
 * What models cost, in US dollars per million tokens, so every task reports its cost per
 * step, per model and in total. A model missing here is reported with tokens only.
 */
import type { TokenUsage } from './workflow-api.ts';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // The mock LLM's models are priced like small and large hosted models, so cost figures in
  // development and benchmarks have realistic magnitudes.
  'mock-fast': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'mock-large': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
};

/** Cost in US dollars, rounded to a millionth; undefined for a model without a price. */
export function costUsd(model: string, usage: TokenUsage): number | undefined {
  const price = MODEL_PRICES[model];
  if (!price) return undefined;
  const dollars =
    (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) /
    1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
