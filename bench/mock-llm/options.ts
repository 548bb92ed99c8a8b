/** Options of the mock LLM, with their defaults and checks. */
import { z } from 'zod';

import type { PlanDefaults } from './plan.ts';
import { describe } from './request.ts';

/** How the mock LLM behaves when a request does not say otherwise. */
export interface MockLlmOptions {
  /** Seed used when the request has no `seed`. @default 7 */
  seed?: number;
  /** Output pacing; 0 or Infinity sends as fast as possible. @default 200 */
  tokensPerSecond?: number;
  /** Shortest document when the prompt has no `[[mock:tokens=N]]` directive. @default 40 */
  minTokens?: number;
  /** Longest document when the prompt has no directive. @default 400 */
  maxTokens?: number;
  /** When set, `/v1/*` requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

/** Options with every default applied. */
export interface ResolvedOptions extends PlanDefaults {
  apiKey?: string;
}

const optionsSchema = z
  .object({
    seed: z.number().int().default(7),
    tokensPerSecond: z.number().nonnegative().default(200),
    minTokens: z.number().int().nonnegative().default(40),
    maxTokens: z.number().int().nonnegative().default(400),
    apiKey: z.string().min(1).optional(),
  })
  .refine((o) => o.minTokens <= o.maxTokens, {
    message: 'minTokens must not exceed maxTokens',
    path: ['minTokens'],
  });

/** Applies defaults; throws with each bad field named when an option is out of range. */
export function resolveOptions(options: MockLlmOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new RangeError(`Invalid mock LLM options: ${describe(parsed.error)}`);
  return parsed.data;
}
