/**
 * Faults on demand: a FIFO of specs, each applied to the next `count` chat completion
 * requests (optionally only those whose prompt contains `match`).
 */
import { z } from 'zod';

import { describe } from './request.ts';

const targeting = {
  /** How many matching requests the fault applies to. */
  count: z.number().int().positive().default(1),
  /** Only requests whose prompt text contains this substring. */
  match: z.string().min(1).optional(),
  /** Only requests for this model, so a test can fail one model and not its fallback. */
  model: z.string().min(1).optional(),
};
const afterTokens = z.number().int().nonnegative().default(0);

const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rate_limit'),
    retryAfterSeconds: z.number().nonnegative().default(1),
    ...targeting,
  }),
  z.strictObject({ kind: z.literal('server_error'), ...targeting }),
  z.strictObject({ kind: z.literal('bad_request'), ...targeting }),
  z.strictObject({ kind: z.literal('drop'), afterTokens, ...targeting }),
  z.strictObject({
    kind: z.literal('stall'),
    afterTokens,
    ms: z.number().nonnegative().optional(),
    ...targeting,
  }),
]);

/** A fault as callers write it; omitted fields take their defaults. */
export type FaultSpec = z.input<typeof faultSpecSchema>;
/** A queued fault with defaults filled in; `count` is what remains. */
export type Fault = z.output<typeof faultSpecSchema>;
/** The kinds of fault the mock can inject. */
export type FaultKind = Fault['kind'];

/** The fault kinds, in a stable order for counters. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit',
  'server_error',
  'bad_request',
  'drop',
  'stall',
];

/** Thrown when a fault spec does not validate; the message names each bad field. */
export class FaultSpecError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FaultSpecError';
  }
}

/** Pending faults, consumed by chat completion requests in the order they were added. */
export class FaultQueue {
  private queue: Fault[] = [];

  /** Validates and queues one spec or several; on any invalid spec nothing is queued. */
  add(specs: FaultSpec | readonly FaultSpec[]): void {
    const parsed = Array.isArray(specs)
      ? z.array(faultSpecSchema).safeParse(specs)
      : faultSpecSchema.transform((fault) => [fault]).safeParse(specs);
    if (!parsed.success) {
      throw new FaultSpecError(`Invalid fault spec: ${describe(parsed.error)}`, {
        cause: parsed.error,
      });
    }
    this.queue.push(...parsed.data);
  }

  /** Drops every pending fault. */
  clear(): void {
    this.queue = [];
  }

  /** Copies of the pending faults, first to apply first. */
  pending(): Fault[] {
    return this.queue.map((fault) => ({ ...fault }));
  }

  /** Takes one use of the first fault that applies to this prompt and model, if any. */
  take(prompt: string, model?: string): Fault | undefined {
    const index = this.queue.findIndex(
      (f) =>
        (f.match === undefined || prompt.includes(f.match)) &&
        (f.model === undefined || f.model === model),
    );
    const fault = this.queue[index];
    if (!fault) return undefined;

    fault.count -= 1;
    if (fault.count === 0) this.queue.splice(index, 1);
    return { ...fault, count: 1 };
  }
}
