/**
 * Turns a delivery's bytes into a task: parse the JSON, check the envelope and the task
 * type's input, and choose the task id. Every refusal says what was expected.
 */
import type { z } from 'zod';
import { envelopeV1Schema, SUPPORTED_VERSIONS, taskIdSchema } from '../protocol/envelope.ts';
import type { EnvelopeV1 } from '../protocol/envelope.ts';
import { ERROR_CODES, type ErrorCode } from '../protocol/error-codes.ts';
import { getTaskInput } from '../protocol/task-inputs.ts';
import { getTaskType, type TaskTypeDefinition } from '../protocol/task-types.ts';

/** A body that can never become a task, whoever sends it and however often. */
export class InvalidEnvelope extends Error {
  override name = 'InvalidEnvelope';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedTask {
  envelope: EnvelopeV1;
  definition: TaskTypeDefinition;
  taskId: string;
  input: unknown;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export function parseTask(body: string, qstashMessageId: string | undefined): ParsedTask {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidEnvelope(
      ERROR_CODES.malformedJson,
      `body is not JSON: ${(error as Error).message}`,
    );
  }

  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && !SUPPORTED_VERSIONS.includes(version as 1)) {
    throw new InvalidEnvelope(
      ERROR_CODES.unsupportedVersion,
      `envelope version ${version} is not supported; ` +
        `this gateway reads version ${SUPPORTED_VERSIONS.join(', ')}`,
    );
  }
  const parsed = envelopeV1Schema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidEnvelope(ERROR_CODES.invalidEnvelope, describeIssues(parsed.error));
  }
  const envelope = parsed.data;

  const definition = getTaskType(envelope.type);
  const inputSchema = getTaskInput(envelope.type);
  if (!definition || !inputSchema) {
    throw new InvalidEnvelope(ERROR_CODES.unknownTaskType, `unknown task type: ${envelope.type}`);
  }
  const input = inputSchema.safeParse(envelope.input);
  if (!input.success) {
    throw new InvalidEnvelope(ERROR_CODES.invalidInput, describeIssues(input.error));
  }

  const taskId = envelope.taskId ?? qstashMessageId;
  if (!taskId || !taskIdSchema.safeParse(taskId).success) {
    throw new InvalidEnvelope(
      ERROR_CODES.missingTaskId,
      'a taskId in the envelope, or an Upstash-Message-Id header, is required',
    );
  }
  return { envelope, definition, taskId, input: input.data };
}
