/**
 * Inline mode, the old way: the gateway runs the task's steps itself and answers when they
 * are done, holding the QStash slot all along. It exists for gradual migration, instant
 * rollback, and as the honest baseline in benchmarks. Nothing is recorded in Temporal, so
 * a crash mid-run loses the work and QStash's retry starts it over.
 */
import { createLlmClient, type LlmSettings, streamCompletion } from '../activities/chat-stream.ts';
import { initialState, runTaskSteps } from '../protocol/task-steps.ts';
import type { TaskTypeDefinition } from '../protocol/task-types.ts';
import type { TaskResult } from '../protocol/workflow-api.ts';

export type InlineRunner = (
  definition: TaskTypeDefinition,
  task: { input: unknown; model: string },
  signal: AbortSignal,
) => Promise<TaskResult>;

export function createInlineRunner(settings: LlmSettings): InlineRunner {
  const client = createLlmClient(settings);
  // Inline runs never pause, so the runner always returns a result.
  return async (definition, task, signal) =>
    (await runTaskSteps(
      definition,
      task,
      (request) => streamCompletion(client, request, { signal }),
      initialState(definition, task.input, new Date().toISOString()),
    ))!;
}
