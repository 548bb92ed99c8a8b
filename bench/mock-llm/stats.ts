/**
 * Counters for chat completion traffic. `tokensGenerated` counts tokens as they are written
 * to a client, including streams later dropped or stalled, so tests can see work done twice.
 */
import { FAULT_KINDS } from './faults.ts';
import type { FaultKind } from './faults.ts';

/** A snapshot of the counters, as returned by `stats()` and `GET /_mock/stats`. */
export interface MockLlmStats {
  /** Chat completion requests received, whatever their outcome. */
  requests: number;
  /** Responses delivered in full: a non-streaming 200, or a stream that reached `[DONE]`. */
  completed: number;
  /** Chat completion responses by HTTP status; sockets destroyed unanswered have none. */
  byStatus: Record<string, number>;
  faultsApplied: Record<FaultKind, number>;
  /** Completion tokens written to clients. */
  tokensGenerated: number;
  /** Prompt tokens of requests that reached generation. */
  promptTokens: number;
}

/** Mutable counters behind `MockLlmStats`. */
export class StatsRecorder {
  private counts = emptyStats();

  /** Counts one chat completion request. */
  request(): void {
    this.counts.requests += 1;
  }

  /** Counts the status a chat completion was answered with. */
  status(status: number): void {
    const key = String(status);
    this.counts.byStatus[key] = (this.counts.byStatus[key] ?? 0) + 1;
  }

  /** Counts a fault that was applied to a request. */
  fault(kind: FaultKind): void {
    this.counts.faultsApplied[kind] += 1;
  }

  /** Counts prompt tokens of a request that reached generation. */
  prompt(tokens: number): void {
    this.counts.promptTokens += tokens;
  }

  /** Counts completion tokens just written to a client. */
  tokens(count: number): void {
    this.counts.tokensGenerated += count;
  }

  /** Counts a response delivered in full. */
  completed(): void {
    this.counts.completed += 1;
  }

  /** A copy that later traffic does not change. */
  snapshot(): MockLlmStats {
    return {
      ...this.counts,
      byStatus: { ...this.counts.byStatus },
      faultsApplied: { ...this.counts.faultsApplied },
    };
  }

  /** Zeroes every counter. */
  reset(): void {
    this.counts = emptyStats();
  }
}

function emptyStats(): MockLlmStats {
  return {
    requests: 0,
    completed: 0,
    byStatus: {},
    faultsApplied: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<
      FaultKind,
      number
    >,
    tokensGenerated: 0,
    promptTokens: 0,
  };
}
