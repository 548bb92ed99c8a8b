/**
 * Delivers messages to a URL the way QStash does, on this machine: every attempt signed anew,
 * at most `parallelism` deliveries awaiting an answer at once, non-2xx answers retried on a
 * backoff, and 489 with `Upstash-NonRetryable-Error` sent straight to the dead-letter list.
 * A delivery holds its slot from the send until its answer arrives; that hold is what an
 * endpoint answering only after the work is done makes long.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { qstashHeaders } from '../cli/qstash-signer.ts';

/**
 * Retry delays in real seconds, QStash-like: the first retry after about 12 s, then longer.
 * Not QStash's exact formula; the simulator divides these by `backoffScale`.
 */
export const BACKOFF_S = [12, 28, 60, 150, 300, 600] as const;

export interface QstashSimOptions {
  /** Where deliveries go, e.g. http://127.0.0.1:41234/v1/tasks. */
  url: string;
  /** The URL the signatures name, as QStash was given it; `url` by default. */
  signedUrl?: string;
  signingKey: string;
  /** Deliveries awaiting an answer at once, as QStash's parallelism setting. */
  parallelism: number;
  /** Retries after the first attempt before the message is dead-lettered. */
  maxRetries: number;
  /** Real backoff and `Retry-After` seconds are divided by this, so tests run fast. */
  backoffScale: number;
  /** An attempt without an answer after this long counts as failed. */
  timeoutMs?: number;
}

export interface Attempt {
  /** The `Upstash-Retried` value it carried: 0 for the first attempt. */
  retried: number;
  /** The HTTP status, or the error's name when none came back. */
  status: number | string;
  /** When it was sent, in epoch ms. */
  sentAt: number;
  /** From the send until the answer arrived: how long it held its slot. */
  holdMs: number;
}

export type Outcome = 'pending' | 'delivered' | 'dead-lettered';

export interface DeliveryRecord {
  messageId: string;
  body: string;
  /** Epoch ms, like every time here. */
  enqueuedAt: number;
  firstSentAt?: number;
  attempts: Attempt[];
  outcome: Outcome;
  /** Why it was dead-lettered: a non-retryable answer or retries running out. */
  reason?: 'non-retryable' | 'retries exhausted';
  settledAt?: number;
}

/** Epoch ms with sub-millisecond precision, so short slot holds still measure. */
const now = () => performance.timeOrigin + performance.now();

export class QstashSim {
  readonly deliveries: DeliveryRecord[] = [];
  readonly deadLetters: DeliveryRecord[] = [];
  /** The most deliveries that held a slot at once, for checking the limit. */
  maxInFlight = 0;
  private readonly queue: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: Array<() => void> = [];
  private inFlight = 0;
  private unsettled = 0;

  constructor(private readonly options: QstashSimOptions) {
    if (!(options.parallelism >= 1)) throw new RangeError('parallelism is at least 1');
  }

  /** Enqueues a message; it is sent when a slot is free, first in first out. */
  publish(body: string): DeliveryRecord {
    const record: DeliveryRecord = {
      messageId: `msg_${randomUUID().replaceAll('-', '')}`,
      body,
      enqueuedAt: now(),
      attempts: [],
      outcome: 'pending',
    };
    this.deliveries.push(record);
    this.unsettled += 1;
    this.queue.push(record);
    this.dispatch();
    return record;
  }

  /** Resolves once every published message is delivered or dead-lettered. */
  idle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops scheduled retries; attempts already sent still finish. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private dispatch(): void {
    while (this.inFlight < this.options.parallelism) {
      const record = this.queue.shift();
      if (!record) return;
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      void this.attempt(record).finally(() => {
        this.inFlight -= 1;
        this.dispatch();
      });
    }
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    const { url, signedUrl, signingKey, timeoutMs = 60_000 } = this.options;
    const retried = record.attempts.length;
    // Signed at the send, so each attempt carries a fresh jti and a current validity window.
    const headers = qstashHeaders({
      key: signingKey,
      url: signedUrl ?? url,
      body: record.body,
      messageId: record.messageId,
      retried,
    });
    const sentAt = now();
    record.firstSentAt ??= sentAt;
    let status: number | string;
    let response: Response | undefined;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: record.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      status = (error as Error).name;
    }
    record.attempts.push({ retried, status, sentAt, holdMs: now() - sentAt });

    if (typeof status === 'number' && status >= 200 && status < 300) {
      return this.settle(record, 'delivered');
    }
    if (status === 489 && response?.headers.get('upstash-nonretryable-error') === 'true') {
      return this.settle(record, 'dead-lettered', 'non-retryable');
    }
    if (retried >= this.options.maxRetries) {
      return this.settle(record, 'dead-lettered', 'retries exhausted');
    }
    this.retryLater(record, this.delayMs(retried, response?.headers.get('retry-after')));
  }

  /** The endpoint's `Retry-After` in seconds when it gave one, else the backoff schedule. */
  private delayMs(retried: number, retryAfter: string | null | undefined): number {
    const asked = retryAfter ? Number(retryAfter) : Number.NaN;
    const seconds =
      Number.isFinite(asked) && asked >= 0
        ? asked
        : (BACKOFF_S[Math.min(retried, BACKOFF_S.length - 1)] as number);
    return (seconds * 1000) / this.options.backoffScale;
  }

  // A waiting retry holds no slot: QStash schedules it again rather than keeping it open.
  private retryLater(record: DeliveryRecord, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push(record);
      this.dispatch();
    }, delayMs);
    this.timers.add(timer);
  }

  private settle(record: DeliveryRecord, outcome: Outcome, reason?: DeliveryRecord['reason']) {
    record.outcome = outcome;
    record.reason = reason;
    record.settledAt = now();
    if (outcome === 'dead-lettered') this.deadLetters.push(record);
    this.unsettled -= 1;
    if (this.unsettled === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }
}
