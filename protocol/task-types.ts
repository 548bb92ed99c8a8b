/**
 * The task-type registry: each type's input schema, where it runs, which model it uses and
 * the ordered LLM steps it is made of. Prompt builders are pure functions, because the
 * workflow calls them and workflow code must be deterministic.
 */
import { z } from 'zod';
import type { Tier } from './envelope.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ExecutionMode = 'durable' | 'inline';

export interface StepDefinition<Input> {
  name: string;
  /** Builds the messages from the task input and the outputs of earlier steps, by name. */
  messages(input: Input, earlier: Readonly<Record<string, string>>): ChatMessage[];
  /** Upper bound on this step's whole output, across all its chunks. */
  maxOutputTokens: number;
}

export interface TaskTypeDefinition<Input = unknown> {
  type: string;
  description: string;
  input: z.ZodType<Input>;
  tier: Tier;
  model: string;
  mode: ExecutionMode;
  /** Tokens requested per chunk activity: the most a crash can cost. */
  chunkTokens: number;
  steps: StepDefinition<Input>[];
  /** Which step's output is the task's result. */
  resultStep: string;
}

const generateInput = z.object({
  prompt: z.string().min(1).max(200_000),
  system: z.string().max(20_000).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
});

export type GenerateInput = z.infer<typeof generateInput>;

const llmGenerate: TaskTypeDefinition<GenerateInput> = {
  type: 'llm.generate',
  description: 'One long generation from a prompt.',
  input: generateInput,
  tier: 'light',
  model: 'mock-fast',
  mode: 'durable',
  chunkTokens: 256,
  resultStep: 'generate',
  steps: [
    {
      name: 'generate',
      maxOutputTokens: 16_384,
      messages: (input) => [
        ...(input.system ? [{ role: 'system' as const, content: input.system }] : []),
        { role: 'user', content: input.prompt },
      ],
    },
  ],
};

const registry = new Map<string, TaskTypeDefinition>(
  [llmGenerate as TaskTypeDefinition].map((definition) => [definition.type, definition]),
);

/** The definition of a registered task type, or undefined for an unknown one. */
export function getTaskType(type: string): TaskTypeDefinition | undefined {
  return registry.get(type);
}

export function listTaskTypes(): TaskTypeDefinition[] {
  return [...registry.values()];
}
