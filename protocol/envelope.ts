/**
 * The task envelope: what a producer publishes to QStash and what the gateway accepts.
 * Version 1 stays readable forever; unknown fields are ignored so producers can move first.
 */
import { z } from 'zod';

export const TIERS = ['light', 'heavy'] as const;
export type Tier = (typeof TIERS)[number];

/** Task ids become Temporal workflow ids, so they are kept short and printable. */
export const taskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');

export const envelopeV1Schema = z.object({
  version: z.literal(1),
  taskId: taskIdSchema.optional(),
  type: z.string().min(1).max(100),
  input: z.unknown(),
  tenantId: z.string().min(1).max(200).optional(),
  tier: z.enum(TIERS).optional(),
  model: z.string().min(1).max(200).optional(),
  priority: z.number().int().min(1).max(5).optional(),
  enqueuedAt: z.iso.datetime({ offset: true }).optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  metadata: z.record(z.string(), z.string().max(1000)).optional(),
});

export type EnvelopeV1 = z.infer<typeof envelopeV1Schema>;

/** Versions this gateway reads; a newer one is refused with a clear error. */
export const SUPPORTED_VERSIONS = [1] as const;
