/**
 * Routing: which task queue a task type runs on, at what priority, and whether it runs
 * `durable` (through Temporal) or `inline` (in the gateway, answering when done, the old
 * way). A percentage that is deterministic in the task id moves traffic gradually between
 * the two, so a migration or a rollback is a one-line change to the routes file.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TIERS, type EnvelopeV1, type Tier } from '../protocol/envelope.ts';
import {
  getTaskType,
  type ExecutionMode,
  type TaskTypeDefinition,
} from '../protocol/task-types.ts';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';

const routeSchema = z
  .object({
    tier: z.enum(TIERS).optional(),
    priority: z.number().int().min(1).max(5).optional(),
    /** Share of task ids (0–100) that run inline; the rest run durable. */
    inlinePercent: z.number().min(0).max(100).optional(),
  })
  .strict();

export const routesFileSchema = z.object({ routes: z.record(z.string(), routeSchema) }).strict();

export type RouteTable = z.infer<typeof routesFileSchema>['routes'];

export interface Route {
  tier: Tier;
  taskQueue: string;
  priority?: number;
  mode: ExecutionMode;
}

/** Parses and checks a routes file; every route must name a registered task type. */
export function parseRoutes(text: string, source = 'routes file'): RouteTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = routesFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${source} is invalid: ${problems.join('; ')}`);
  }
  for (const type of Object.keys(parsed.data.routes)) {
    if (!getTaskType(type)) throw new Error(`${source} routes unknown task type ${type}`);
  }
  return parsed.data.routes;
}

/** A stable bucket 0–99 for a task id: the same id always takes the same path. */
export function modeBucket(taskId: string): number {
  return createHash('sha256').update(taskId).digest().readUInt32BE(0) % 100;
}

export function resolveRoute(
  routes: RouteTable,
  definition: TaskTypeDefinition,
  envelope: Pick<EnvelopeV1, 'tier' | 'priority'>,
  taskId: string,
): Route {
  const route = routes[definition.type] ?? {};
  const tier = envelope.tier ?? route.tier ?? definition.tier;
  const inlinePercent = route.inlinePercent ?? (definition.mode === 'inline' ? 100 : 0);
  return {
    tier,
    taskQueue: TASK_QUEUES[tier],
    priority: envelope.priority ?? route.priority,
    mode: modeBucket(taskId) < inlinePercent ? 'inline' : 'durable',
  };
}
