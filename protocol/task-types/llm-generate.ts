/** `llm.generate`: one long generation from a prompt. */
import { z } from 'zod';
import type { TaskTypeDefinition } from '../task-types.ts';

/** Output tokens when the input names no bound. */
const DEFAULT_MAX_OUTPUT_TOKENS = 16_384;

const input = z.object({
  // Inputs over 256 KB travel through the blob store; the gateway's body limit decides.
  prompt: z.string().min(1).max(4_000_000),
  system: z.string().max(20_000).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  /** Smaller chunks lose less to a crash and stream sooner; larger ones cost fewer calls. */
  chunkTokens: z.number().int().min(1).max(4_096).optional(),
});

export type GenerateInput = z.infer<typeof input>;

export const llmGenerate: TaskTypeDefinition<GenerateInput> = {
  type: 'llm.generate',
  description: 'One long generation from a prompt.',
  input,
  tier: 'light',
  model: 'mock-fast',
  fallbackModels: ['mock-large'],
  mode: 'durable',
  chunkTokens: 256,
  steps: (task) => [
    {
      name: 'generate',
      maxOutputTokens: task.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      chunkTokens: task.chunkTokens,
      messages: () => [
        ...(task.system ? [{ role: 'system' as const, content: task.system }] : []),
        { role: 'user', content: task.prompt },
      ],
    },
  ],
  result: (outputs) => outputs.generate ?? '',
};
