/**
 * Output pacing. Tokens are released on a fixed schedule from the first one, so a slow
 * consumer or a busy event loop catches up in batches rather than drifting later and later.
 */

// Bounds one write, so a fast or unpaced stream still goes out as many moderate chunks.
const MAX_BATCH = 64;

/** Whether a rate means pacing at all; 0, Infinity and NaN all mean "as fast as possible". */
export function isPaced(tokensPerSecond: number): boolean {
  return tokensPerSecond > 0 && Number.isFinite(tokensPerSecond);
}

/**
 * Waits `ms` milliseconds, or until `signal` aborts, whichever comes first; never rejects.
 * An infinite (or absurdly long) wait ends only on abort.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    // setTimeout fires at once for delays above 2^31-1 ms, so treat those as "forever".
    const timer = ms < 2 ** 31 ? setTimeout(finish, Math.max(0, ms)) : undefined;
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** Releases tokens at a steady rate measured from the pacer's creation. */
export class Pacer {
  private readonly startedAt = performance.now();
  private readonly tokensPerSecond: number;
  private readonly signal: AbortSignal;
  private released = 0;

  constructor(tokensPerSecond: number, signal: AbortSignal) {
    this.tokensPerSecond = tokensPerSecond;
    this.signal = signal;
  }

  /** Waits until at least one token is due; returns how many may go now (0 once aborted). */
  async take(wanted: number): Promise<number> {
    if (!isPaced(this.tokensPerSecond)) return this.release(wanted);
    while (!this.signal.aborted) {
      const elapsed = performance.now() - this.startedAt;
      const due = Math.floor((elapsed * this.tokensPerSecond) / 1000) - this.released;
      if (due > 0) return this.release(Math.min(due, wanted));

      const nextAt = ((this.released + 1) * 1000) / this.tokensPerSecond;
      await sleep(Math.max(1, nextAt - elapsed), this.signal);
    }
    return 0;
  }

  private release(count: number): number {
    const granted = Math.min(count, MAX_BATCH);
    this.released += granted;
    return granted;
  }
}
