/**
 * The LLM activities. One call generates one chunk: it streams from an OpenAI-compatible
 * endpoint, heartbeats the text it has so far, and on a retry resumes from the last
 * heartbeat's text instead of paying for those tokens again.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { costUsd } from '../protocol/models.ts';
import type { ChunkRequest, ChunkResponse } from '../protocol/task-steps.ts';
import { countWords, createLlmClient, type LlmSettings, streamCompletion } from './chat-stream.ts';
import { toActivityFailure } from './llm-errors.ts';

export type { LlmSettings } from './chat-stream.ts';

interface ChunkHeartbeat {
  text: string;
  completionTokens: number;
}

class StreamStalled extends Error {
  override name = 'StreamStalled';
}

/**
 * Tokens and their cost by model, as worker metrics (served with the SDK's own on the
 * worker's metrics endpoint), so spend can be watched as it happens.
 */
function llmMeter(context: Context) {
  const tokens = context.metricMeter.createCounter(
    'ackflow_llm_tokens',
    'tokens',
    'LLM tokens, by model and kind (prompt or completion)',
  );
  const cost = context.metricMeter.createCounter(
    'ackflow_llm_cost_microdollars',
    'microdollars',
    'LLM cost in millionths of a US dollar, by model, for models with a known price',
  );
  return {
    record(model: string, usage: { promptTokens: number; completionTokens: number }) {
      if (usage.promptTokens > 0) tokens.add(usage.promptTokens, { model, kind: 'prompt' });
      if (usage.completionTokens > 0) {
        tokens.add(usage.completionTokens, { model, kind: 'completion' });
      }
      const dollars = costUsd(model, usage);
      if (dollars) cost.add(Math.round(dollars * 1_000_000), { model });
    },
  };
}

export function createLlmActivities(settings: LlmSettings) {
  const client = createLlmClient(settings);
  const idleTimeoutMs = settings.idleTimeoutMs ?? 30_000;
  const heartbeatIntervalMs = settings.heartbeatIntervalMs ?? 1_000;

  async function generateChunk(request: ChunkRequest): Promise<ChunkResponse> {
    const context = Context.current();
    const resumed = context.info.heartbeatDetails as ChunkHeartbeat | undefined;
    let text = resumed?.text ?? '';
    const earlierTokens = resumed?.completionTokens ?? 0;
    let completionTokens = earlierTokens;
    const beat = () => context.heartbeat({ text, completionTokens } satisfies ChunkHeartbeat);
    beat();

    const meter = llmMeter(context);
    const remaining = request.maxTokens - countWords(text);
    if (remaining <= 0) {
      return { text, finishReason: 'length', promptTokens: 0, completionTokens };
    }

    const abort = new AbortController();
    const onCancel = () => abort.abort(context.cancellationSignal.reason);
    context.cancellationSignal.addEventListener('abort', onCancel);
    let lastDelta = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - lastDelta > idleTimeoutMs) abort.abort(new StreamStalled());
      else beat();
    }, heartbeatIntervalMs);

    try {
      const response = await streamCompletion(
        client,
        { ...request, prefix: request.prefix + text, maxTokens: remaining },
        {
          signal: abort.signal,
          // No heartbeat per token: each one encodes the whole text so far, while the SDK
          // sends at most one a throttle interval; the watchdog's beat carries it instead.
          onDelta: (delta) => {
            lastDelta = Date.now();
            text += delta;
            completionTokens += 1;
          },
        },
      );
      const usage = {
        promptTokens: response.promptTokens,
        completionTokens: earlierTokens + response.completionTokens,
      };
      meter.record(request.model, { ...usage, completionTokens: response.completionTokens });
      return { text, finishReason: response.finishReason, ...usage };
    } catch (error) {
      beat(); // Whatever arrived before the fault is kept for the next attempt.
      // Tokens streamed before a fault are paid for all the same.
      const streamed = completionTokens - earlierTokens;
      meter.record(request.model, { promptTokens: 0, completionTokens: streamed });
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      if (abort.signal.reason instanceof StreamStalled) {
        throw ApplicationFailure.retryable(
          `LLM stream silent for over ${idleTimeoutMs} ms`,
          ERROR_CODES.llmStalled,
        );
      }
      throw toActivityFailure(error);
    } finally {
      clearInterval(watchdog);
      context.cancellationSignal.removeEventListener('abort', onCancel);
    }
  }

  return { generateChunk };
}

export type LlmActivities = ReturnType<typeof createLlmActivities>;
