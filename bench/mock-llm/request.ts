/**
 * Reading a chat completion request: the subset of OpenAI's body the mock acts on, checked
 * with zod. Fields the mock ignores (temperature, tools, …) pass through untouched.
 */
import { z } from 'zod';

import type { PromptMessage } from './text.ts';

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  seed: z.number().int().nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  max_completion_tokens: z.number().int().nonnegative().nullish(),
});

/** A validated request, reduced to what generation needs. */
export interface ChatRequest {
  model: string;
  messages: PromptMessage[];
  stream: boolean;
  includeUsage: boolean;
  seed?: number;
  /** Upper bound on tokens in this response, from `max_completion_tokens` or `max_tokens`. */
  maxTokens?: number;
}

/** The outcome of reading a body: a request, or a message saying what was wrong. */
export type ParsedChatRequest = { ok: true; request: ChatRequest } | { ok: false; message: string };

/** Validates a JSON body as a chat completion request. */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, message: `Invalid chat completion request: ${describe(parsed.error)}` };
  }
  const data = parsed.data;
  const maxTokens = data.max_completion_tokens ?? data.max_tokens ?? undefined;
  return {
    ok: true,
    request: {
      model: data.model,
      messages: data.messages.map((m) => ({ role: m.role, text: textOf(m.content) })),
      stream: data.stream ?? false,
      includeUsage: data.stream_options?.include_usage ?? false,
      ...(data.seed == null ? {} : { seed: data.seed }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
    },
  };
}

/** Formats zod issues as `path: message` pairs, one clause each. */
export function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}

// Array content keeps only its text parts; images and audio have no text to hash or count.
function textOf(content: string | { text?: string | undefined }[] | null | undefined): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => part.text ?? '').join('\n');
}
