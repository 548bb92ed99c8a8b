/**
 * The streaming body of a chat completion: a role chunk, one content chunk per token (paced),
 * then the finish chunk, optional usage chunk and `[DONE]` — or, under a fault, an abrupt cut
 * or a silence after some tokens.
 */
import type { Fault } from './faults.ts';
import { Pacer, sleep } from './pacing.ts';
import type { CompletionPlan } from './plan.ts';
import type { StatsRecorder } from './stats.ts';
import { chunkBody, sseData, usageChunkBody, usageOf } from './wire.ts';
import type { ResponseMeta } from './wire.ts';

/** How bytes reach the client, and how to cut them off. */
export interface Transport {
  /** Aborts when the client goes away or the server closes its connection. */
  signal: AbortSignal;
  /**
   * Destroys the socket abruptly once bytes already written have left; absent for
   * in-process requests, which have no socket.
   */
  drop?: () => Promise<void>;
}

/** A fault that shapes a stream rather than replacing the response. */
export type StreamFault = Extract<Fault, { kind: 'drop' | 'stall' }>;

/** Everything one streaming response needs. */
export interface StreamInput {
  meta: ResponseMeta;
  plan: CompletionPlan;
  includeUsage: boolean;
  fault?: StreamFault | undefined;
  transport: Transport;
  stats: StatsRecorder;
}

/** Builds the SSE body; it is pulled on demand, so a slow reader slows generation too. */
export function streamCompletion(input: StreamInput): ReadableStream<Uint8Array> {
  const { meta, plan, fault, transport, stats } = input;
  const encoder = new TextEncoder();
  const cancelled = new AbortController();
  const signal = AbortSignal.any([transport.signal, cancelled.signal]);
  const limit = fault ? Math.min(fault.afterTokens, plan.tokens.length) : plan.tokens.length;
  let pacer: Pacer | undefined;
  let sent = 0;
  let finished = false;

  const pull = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const send = (events: string[]) => controller.enqueue(encoder.encode(events.join('')));
    if (finished) return;
    if (!pacer) {
      // Pacing starts with the role chunk, the moment the client sees the response begin.
      pacer = new Pacer(plan.tokensPerSecond, signal);
      send([sseData(chunkBody(meta, { role: 'assistant', content: '' }))]);
      return;
    }

    if (sent < limit) {
      const count = await pacer.take(limit - sent);
      // Once the reader has cancelled, enqueueing would throw; there is no one to tell.
      if (signal.aborted) return;
      const tokens = plan.tokens.slice(sent, sent + count);
      send(tokens.map((token) => sseData(chunkBody(meta, { content: token }))));
      sent += count;
      stats.tokens(count);
      return;
    }

    finished = true;
    if (!fault) {
      const events = [sseData(chunkBody(meta, {}, plan.finishReason))];
      if (input.includeUsage) {
        events.push(sseData(usageChunkBody(meta, usageOf(plan.promptTokens, sent))));
      }
      events.push(sseData('[DONE]'));
      send(events);
      stats.completed();
      controller.close();
    } else if (fault.kind === 'drop') {
      if (transport.drop) await transport.drop();
      else controller.error(new Error('Mock LLM dropped the connection (drop fault).'));
    } else {
      await sleep(fault.ms ?? Infinity, signal);
      if (!signal.aborted) controller.close();
    }
  };

  return new ReadableStream<Uint8Array>(
    { pull, cancel: () => cancelled.abort() },
    // Pull only when the reader asks, so a token counts as sent only once it is taken.
    { highWaterMark: 0 },
  );
}
