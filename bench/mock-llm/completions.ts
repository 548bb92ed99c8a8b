/**
 * `POST /v1/chat/completions`: read the request, apply any queued fault, then answer with
 * the planned tokens as one JSON body or as a paced event stream.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

import type { Fault, FaultQueue } from './faults.ts';
import { isPaced, sleep } from './pacing.ts';
import { planCompletion } from './plan.ts';
import type { PlanDefaults } from './plan.ts';
import { parseChatRequest } from './request.ts';
import type { StatsRecorder } from './stats.ts';
import { streamCompletion } from './stream.ts';
import type { StreamFault, Transport } from './stream.ts';
import { completionBody, errorResponse, usageOf } from './wire.ts';

/** What the handler shares with the rest of the mock. */
export interface CompletionDeps {
  defaults: PlanDefaults;
  faults: FaultQueue;
  stats: StatsRecorder;
  /** Returns a 401 response when the request lacks the configured API key. */
  authorize: (c: Context) => Response | undefined;
}

// Chunked framing is set up front so the headers go out before the first token is ready.
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'transfer-encoding': 'chunked',
};

/** Builds the chat completions route handler. */
export function completionHandler(deps: CompletionDeps): (c: Context) => Promise<Response> {
  const { faults, stats } = deps;

  return async (c) => {
    stats.request();
    const answer = (response: Response): Response => {
      stats.status(response.status);
      return response;
    };

    const denied = deps.authorize(c);
    if (denied) return answer(denied);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return answer(
        errorResponse(400, 'The request body is not valid JSON.', 'invalid_request_error'),
      );
    }
    const parsed = parseChatRequest(body);
    if (!parsed.ok) return answer(errorResponse(400, parsed.message, 'invalid_request_error'));
    const request = parsed.request;

    const fault = faults.take(request.messages.map((m) => m.text).join('\n'), request.model);
    if (fault) stats.fault(fault.kind);
    if (fault && !isStreamFault(fault)) return answer(errorForFault(fault));

    const plan = planCompletion(request, deps.defaults);
    stats.prompt(plan.promptTokens);
    const transport = transportOf(c);
    const meta = {
      id: `chatcmpl-mock-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: request.model,
    };

    if (request.stream) {
      const { includeUsage } = request;
      const stream = streamCompletion({ meta, plan, includeUsage, fault, transport, stats });
      return answer(new Response(stream, { headers: SSE_HEADERS }));
    }
    if (fault) return hangUp(fault, transport);

    // A real provider answers only once the whole text exists, so pacing delays the body.
    if (isPaced(plan.tokensPerSecond)) {
      await sleep((plan.tokens.length * 1000) / plan.tokensPerSecond, transport.signal);
    }
    if (transport.signal.aborted) return new Response(null, { status: 499 });
    const usage = usageOf(plan.promptTokens, plan.tokens.length);
    stats.tokens(plan.tokens.length);
    stats.completed();
    return answer(
      Response.json(completionBody(meta, plan.tokens.join(''), plan.finishReason, usage)),
    );
  };
}

function isStreamFault(fault: Fault): fault is StreamFault {
  return fault.kind === 'drop' || fault.kind === 'stall';
}

/** The error answer an injected fault stands for, in the shape OpenAI would send. */
function errorForFault(fault: Exclude<Fault, StreamFault>): Response {
  const note = '(injected by the mock LLM)';
  switch (fault.kind) {
    case 'rate_limit':
      return errorResponse(
        429,
        `Rate limit reached ${note}.`,
        'rate_limit_exceeded',
        'rate_limit_exceeded',
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    case 'server_error':
      return errorResponse(500, `The server had an error ${note}.`, 'server_error');
    case 'bad_request':
      return errorResponse(400, `Bad request ${note}.`, 'invalid_request_error');
  }
}

/** Reads the client signal and, under Node, the socket a drop fault destroys. */
function transportOf(c: Context): Transport {
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket;
  return { signal: c.req.raw.signal, ...(socket ? { drop: () => cutWhenFlushed(socket) } : {}) };
}

// Tokens already handed to the socket were counted as sent, so let them leave before the cut.
function cutWhenFlushed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    setImmediate(() => {
      if (socket.writableLength === 0) socket.destroy();
      else socket.once('drain', () => socket.destroy());
    });
  });
}

/** A non-streaming drop or stall: no answer at all, at once or after the stall. */
async function hangUp(fault: StreamFault, transport: Transport): Promise<Response> {
  if (fault.kind === 'stall') await sleep(fault.ms ?? Infinity, transport.signal);
  if (transport.drop) {
    await transport.drop();
    // Nothing reaches the destroyed socket; the status only satisfies the router.
    return new Response(null, { status: 499 });
  }
  const broken = new ReadableStream({
    start: (controller) => controller.error(new Error('Mock LLM dropped the connection.')),
  });
  return new Response(broken);
}
