/** `llm.generate`: one long generation from a prompt. */
import { z } from 'zod';
import type { TaskTypeDefinition } from '../task-types.ts';

/**
 * Each chunk is sent the step's text so far, so a step's history grows with the square of
 * its length; 16,384 tokens keeps it to a few megabytes. Longer outputs wait for the blob
 * store and continue-as-new.
 */
const MAX_OUTPUT_TOKENS = 16_384;

const input = z.object({
  prompt: z.string().min(1).max(200_000),
  system: z.string().max(20_000).optional(),
  maxOutputTokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS).optional(),
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
      maxOutputTokens: task.maxOutputTokens ?? MAX_OUTPUT_TOKENS,
      messages: () => [
        ...(task.system ? [{ role: 'system' as const, content: task.system }] : []),
        { role: 'user', content: task.prompt },
      ],
    },
  ],
  result: (outputs) => outputs.generate ?? '',
};
