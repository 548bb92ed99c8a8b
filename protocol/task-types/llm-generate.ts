/** `llm.generate`: one long generation from a prompt. */
import type { GenerateInput } from '../task-inputs.ts';
import type { TaskTypeDefinition } from '../task-types.ts';

/** Output tokens when the input names no bound. */
const DEFAULT_MAX_OUTPUT_TOKENS = 16_384;

export const llmGenerate: TaskTypeDefinition<GenerateInput> = {
  type: 'llm.generate',
  description: 'One long generation from a prompt.',
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
