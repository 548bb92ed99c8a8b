/**
 * OpenAI wire shapes: completion bodies, stream chunks, server-sent events and errors, kept
 * to what the official `openai` client parses.
 */

/** Why a response ended. */
export type FinishReason = 'stop' | 'length';

/** Token accounting as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Fields shared by every chunk of one response. */
export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

/** Builds a usage object from its two counts. */
export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** A non-streaming `chat.completion` body. */
export function completionBody(
  meta: ResponseMeta,
  content: string,
  finishReason: FinishReason,
  usage: Usage,
): object {
  return {
    ...meta,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
  };
}

/** One `chat.completion.chunk` with a single choice. */
export function chunkBody(
  meta: ResponseMeta,
  delta: { role?: 'assistant'; content?: string },
  finishReason: FinishReason | null = null,
): object {
  return {
    ...meta,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The trailing chunk sent when `stream_options.include_usage` is set. */
export function usageChunkBody(meta: ResponseMeta, usage: Usage): object {
  return { ...meta, object: 'chat.completion.chunk', choices: [], usage };
}

/** Frames one server-sent event. */
export function sseData(payload: object | '[DONE]'): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function errorBody(message: string, type: string, code: string | null = null): object {
  return { error: { message, type, param: null, code } };
}

/** A JSON error response in OpenAI's format. */
export function errorResponse(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  headers: Record<string, string> = {},
): Response {
  return Response.json(errorBody(message, type, code), { status, headers });
}
