/**
 * An open-loop load generator: the i-th request is sent at t0 + i / rate, whatever became of
 * the earlier ones, as independent producers would send. A closed loop (send, wait, send)
 * slows down with the system under test and hides its queueing; here queueing shows up as
 * latency, and a generator that cannot keep to its clock shows up as send lag.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SendOutcome {
  ok: boolean;
  /** What came back, for counting: an HTTP status, "started", an error name. */
  label: string;
}

/** One request; it must give up when the signal aborts. */
export type Send = (index: number, signal: AbortSignal) => Promise<SendOutcome>;

export interface OpenLoopOptions {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Each request's signal aborts after this long, so a run always ends. */
  timeoutMs: number;
  send: Send;
}

export interface Sample {
  /** When the request was due, in ms after the first one was. */
  dueMs: number;
  /** How late the generator sent it: its own clock, not the system under test. */
  lagMs: number;
  /** From the send to the complete answer. */
  latencyMs: number;
  ok: boolean;
  label: string;
}

export interface OpenLoopResult {
  rate: number;
  samples: Sample[];
  /** From the first request being due to the last answer, and never less than the schedule. */
  wallMs: number;
  /** The most requests awaiting an answer at once. */
  maxInFlight: number;
  /**
   * How late this process's event loop ran, in ms. The generator, and whatever else shares
   * the process, waited this long before it could send a request or read an answer.
   */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const count = Math.round((options.rate * options.durationMs) / 1000);
  const intervalMs = 1000 / options.rate;
  const samples: Sample[] = [];
  const answers: Array<Promise<void>> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const t0 = performance.now();

  const fire = async (index: number, dueMs: number) => {
    const sentAt = performance.now();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let outcome: SendOutcome;
    try {
      outcome = await options.send(index, AbortSignal.timeout(options.timeoutMs));
    } catch (error) {
      outcome = { ok: false, label: errorLabel(error) };
    }
    const latencyMs = performance.now() - sentAt;
    inFlight -= 1;
    samples[index] = { dueMs, lagMs: sentAt - t0 - dueMs, latencyMs, ...outcome };
  };

  for (let index = 0; index < count; index += 1) {
    const dueMs = index * intervalMs;
    // Timers may wake a little early; sleep again rather than send before the due time.
    for (let wait = dueMs - (performance.now() - t0); wait > 0;) {
      await sleep(wait);
      wait = dueMs - (performance.now() - t0);
    }
    answers.push(fire(index, dueMs));
  }
  await Promise.all(answers);
  loopDelay.disable();
  // Never shorter than the schedule, so a fast run cannot report more than its rate.
  const wallMs = Math.max(options.durationMs, performance.now() - t0);
  const loopDelayMs = {
    p50: loopDelay.percentile(50) / 1e6,
    p99: loopDelay.percentile(99) / 1e6,
    max: loopDelay.max / 1e6,
  };
  return { rate: options.rate, samples, wallMs, maxInFlight, loopDelayMs };
}

/** A short label for a failed request: the error's name and, for sockets, its code. */
export function errorLabel(error: unknown): string {
  if (!(error instanceof Error)) return 'error';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.name}(${code})` : error.name;
}
