/**
 * The task-type registry: where each type runs, which models it uses and the ordered LLM
 * steps it is made of. Prompt builders are pure functions, because the workflow calls them
 * and workflow code must be deterministic. Input schemas live in task-inputs.ts, out of the
 * workflow bundle.
 */
import type { Tier } from './envelope.ts';
import { interviewPrep } from './task-types/interview-prep.ts';
import { llmGenerate } from './task-types/llm-generate.ts';
import { resumeTailor } from './task-types/resume-tailor.ts';

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
  /** Tokens per chunk for this step, when it differs from the type's. */
  chunkTokens?: number;
}

export interface TaskTypeDefinition<Input = unknown> {
  type: string;
  description: string;
  tier: Tier;
  /** The model used unless the envelope names one. */
  model: string;
  /** Tried in order when a model keeps failing; the decision is recorded in the history. */
  fallbackModels: string[];
  mode: ExecutionMode;
  /** Tokens requested per chunk activity: the most a crash can cost. */
  chunkTokens: number;
  /** The steps for this input, in order; a type may size its steps to its input. */
  steps(input: Input): StepDefinition<Input>[];
  /** The task's result text, from the outputs of its steps by name. */
  result(outputs: Readonly<Record<string, string>>): string;
}

const registry = new Map<string, TaskTypeDefinition>(
  [llmGenerate, resumeTailor, interviewPrep].map((definition) => [
    definition.type,
    definition as TaskTypeDefinition,
  ]),
);

/** The definition of a registered task type, or undefined for an unknown one. */
export function getTaskType(type: string): TaskTypeDefinition | undefined {
  return registry.get(type);
}

export function listTaskTypes(): TaskTypeDefinition[] {
  return [...registry.values()];
}
