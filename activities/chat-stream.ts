/**
 * One streamed chat completion against an OpenAI-compatible endpoint, continuing from a
 * prefix. Shared by the chunk activity (durable mode) and the gateway (inline mode).
 */
import OpenAI from 'openai';
import type { ChatMessage } from '../protocol/task-types.ts';
import type { ChunkRequest, ChunkResponse } from '../protocol/task-steps.ts';

export interface LlmSettings {
  baseURL: string;
  apiKey: string;
  /** A stream silent for this long is abandoned and retried. */
  idleTimeoutMs?: number;
  /** Heartbeats go out at least this often while a chunk streams. */
  heartbeatIntervalMs?: number;
}

export function createLlmClient(settings: LlmSettings): OpenAI {
  return new OpenAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    maxRetries: 0, // Temporal owns retries, so every attempt is in the history.
    timeout: 10 * 60_000,
  });
}

/**
 * The stream ended without a finish reason: the connection was closed cleanly but early, so
 * the text is a prefix of the answer, possibly an empty one. Retryable, like a dropped socket.
 */
export class StreamEndedEarly extends Error {
  override name = 'StreamEndedEarly';
}

/** Words are a fair, provider-independent stand-in for tokens when resuming. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

/** The prompt with the text so far as the assistant's message, for the model to continue. */
export function continuationMessages(messages: ChatMessage[], prefix: string): ChatMessage[] {
  return prefix ? [...messages, { role: 'assistant', content: prefix }] : messages;
}

/**
 * Streams one completion, calling `onDelta` for each piece of text. Resolves with the text
 * and usage, or rejects with the client's error; an abort through `signal` rejects too
 * (the client itself would end the stream quietly).
 */
export async function streamCompletion(
  client: OpenAI,
  request: ChunkRequest,
  options: { signal: AbortSignal; onDelta?: (text: string) => void },
): Promise<ChunkResponse> {
  let text = '';
  let finishReason: ChunkResponse['finishReason'] | undefined;
  let promptTokens = 0;
  let completionTokens = 0;
  const stream = await client.chat.completions.create(
    {
      model: request.model,
      messages: continuationMessages(request.messages, request.prefix),
      max_tokens: request.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: options.signal },
  );
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) {
      text += choice.delta.content;
      completionTokens += 1;
      options.onDelta?.(choice.delta.content);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason === 'stop' ? 'stop' : 'length';
    if (chunk.usage) {
      promptTokens = chunk.usage.prompt_tokens;
      completionTokens = chunk.usage.completion_tokens;
    }
  }
  if (options.signal.aborted) throw options.signal.reason;
  // Taken as a whole chunk, a cut-short stream would end the step early (an empty one at
  // once), and the task would complete with part of its text.
  if (!finishReason) {
    throw new StreamEndedEarly(`the stream ended after ${completionTokens} tokens, unfinished`);
  }
  return { text, finishReason, promptTokens, completionTokens };
}
