/**
 * The LLM activities. One call generates one chunk: it streams from an OpenAI-compatible
 * endpoint, heartbeats the text it has so far, and on a retry resumes from the last
 * heartbeat's text instead of paying for those tokens again.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import type { ChatMessage } from '../protocol/task-types.ts';
import { toActivityFailure } from './llm-errors.ts';

export interface LlmSettings {
  baseURL: string;
  apiKey: string;
  /** A stream silent for this long is abandoned and retried. */
  idleTimeoutMs?: number;
  /** Heartbeats go out at least this often while a chunk streams. */
  heartbeatIntervalMs?: number;
}

export interface GenerateChunkParams {
  model: string;
  messages: ChatMessage[];
  /** Text this step already produced; the model continues from it. */
  prefix: string;
  maxTokens: number;
}

export interface ChunkResult {
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

interface ChunkHeartbeat {
  text: string;
  completionTokens: number;
}

/** Words are a fair, provider-independent stand-in for tokens when resuming. */
function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

export function createLlmActivities(settings: LlmSettings) {
  const client = new OpenAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    maxRetries: 0, // Temporal owns retries, so every attempt is in the history.
    timeout: 10 * 60_000,
  });
  const idleTimeoutMs = settings.idleTimeoutMs ?? 30_000;
  const heartbeatIntervalMs = settings.heartbeatIntervalMs ?? 1_000;

  async function generateChunk(params: GenerateChunkParams): Promise<ChunkResult> {
    const context = Context.current();
    const resumed = context.info.heartbeatDetails as ChunkHeartbeat | undefined;
    let text = resumed?.text ?? '';
    let completionTokens = resumed?.completionTokens ?? 0;
    let promptTokens = 0;
    let finishReason: ChunkResult['finishReason'] = 'length';
    const beat = () => context.heartbeat({ text, completionTokens } satisfies ChunkHeartbeat);
    beat();

    const remaining = params.maxTokens - countWords(text);
    if (remaining <= 0) return { text, finishReason, promptTokens, completionTokens };

    const abort = new AbortController();
    const onCancel = () => abort.abort(context.cancellationSignal.reason);
    context.cancellationSignal.addEventListener('abort', onCancel);
    let lastDelta = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - lastDelta > idleTimeoutMs) abort.abort(new Error('stream stalled'));
      else beat();
    }, heartbeatIntervalMs);

    const prefix = params.prefix + text;
    const messages: ChatMessage[] = prefix
      ? [...params.messages, { role: 'assistant', content: prefix }]
      : params.messages;
    try {
      const stream = await client.chat.completions.create(
        {
          model: params.model,
          messages,
          max_tokens: remaining,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: abort.signal },
      );
      for await (const chunk of stream) {
        lastDelta = Date.now();
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          completionTokens += 1;
          beat();
        }
        if (choice?.finish_reason)
          finishReason = choice.finish_reason === 'stop' ? 'stop' : 'length';
        if (chunk.usage) {
          promptTokens = chunk.usage.prompt_tokens;
          completionTokens = (resumed?.completionTokens ?? 0) + chunk.usage.completion_tokens;
        }
      }
      // The client ends the loop quietly, without throwing, when our own signal aborts it.
      if (abort.signal.aborted) throw abort.signal.reason;
      return { text, finishReason, promptTokens, completionTokens };
    } catch (error) {
      beat(); // Whatever arrived before the fault is kept for the next attempt.
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      if (abort.signal.aborted) {
        throw ApplicationFailure.retryable('LLM stream stalled', ERROR_CODES.llmStalled);
      }
      throw toActivityFailure(error);
    } finally {
      clearInterval(timer);
      context.cancellationSignal.removeEventListener('abort', onCancel);
    }
  }

  return { generateChunk };
}

export type LlmActivities = ReturnType<typeof createLlmActivities>;
