/**
 * The shapes of the gateway's answers as zod schemas. The OpenAPI document is generated from
 * them, and tests parse real answers with them, so the description cannot drift from the code.
 */
import { z } from 'zod';
import { taskIdSchema } from './envelope.ts';
import { ERROR_CODES } from './error-codes.ts';
import { TASK_STATES } from './task-state.ts';

const count = z.int().min(0);
const timestamp = z.iso.datetime({ offset: true });

export const problemBodySchema = z.object({
  error: z.object({
    code: z.string().meta({
      description: 'A stable code that producers may branch on; never renamed.',
      examples: Object.values(ERROR_CODES),
    }),
    message: z.string().meta({ description: 'What was expected and what came; never a secret.' }),
  }),
});

export const tokenUsageSchema = z.object({
  promptTokens: count,
  completionTokens: count,
  costUsd: z.number().min(0).optional().meta({
    description: 'US dollars, when every model involved has a known price.',
  }),
});

const modelFallbackSchema = z.object({
  step: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  errorCode: z.string().meta({ description: 'The failure that decided the fallback.' }),
});

export const taskResultSchema = z.object({
  output: z.string(),
  steps: z.array(
    tokenUsageSchema.extend({
      name: z.string(),
      model: z.string(),
      chunks: count,
      outputChars: count,
      finishReason: z.enum(['stop', 'length']),
    }),
  ),
  usage: tokenUsageSchema,
  usageByModel: z.record(z.string(), tokenUsageSchema),
  fallbacks: z.array(modelFallbackSchema).optional().meta({
    description: 'Steps that moved to the next model of their chain, in order.',
  }),
});

const acceptedFields = {
  taskId: taskIdSchema,
  readToken: z.string().meta({
    description: 'Lets a browser read this task, and only this task, without an API key.',
  }),
};

/** The 200 answer to a delivery: a started workflow, or an inline run's result. */
export const taskAcceptedSchema = z.discriminatedUnion('mode', [
  z.object({
    ...acceptedFields,
    mode: z.literal('durable'),
    workflowId: z.string(),
    runId: z
      .string()
      .optional()
      .meta({
        description:
          "The first run of the task's workflow, for a duplicate too; a duplicate omits it " +
          'when the run could not be looked up in time.',
      }),
    duplicate: z.boolean().meta({
      description: 'True when a workflow for this task id had already been started.',
    }),
  }),
  z.object({ ...acceptedFields, mode: z.literal('inline'), result: taskResultSchema }),
]);

export const taskStatusSchema = z.object({
  taskId: taskIdSchema,
  type: z.string(),
  state: z.enum(TASK_STATES),
  step: z.string().nullable().meta({ description: 'The step running now, if any.' }),
  progress: z
    .object({ stepIndex: count, stepCount: count, chunks: count, outputChars: count })
    .optional(),
  usage: tokenUsageSchema.optional(),
  result: taskResultSchema.optional().meta({ description: 'Present once the task completed.' }),
  error: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .meta({ description: 'Present once the task failed, was cancelled or timed out.' }),
  retryCount: count.optional().meta({ description: 'QStash redeliveries before the start.' }),
  timestamps: z.object({
    enqueuedAt: timestamp.optional(),
    receivedAt: timestamp.optional(),
    startedAt: timestamp,
    finishedAt: timestamp.optional(),
  }),
});

export const cancelAcceptedSchema = z.object({
  taskId: taskIdSchema,
  cancelRequested: z.literal(true),
});

export const healthSchema = z.object({ ok: z.literal(true) });

export const readinessSchema = z.object({
  ok: z.boolean(),
  temporal: z.boolean().meta({ description: 'Whether the Temporal frontend answered.' }),
});
