/**
 * The two ways a task is made durable that `bench ack` compares: a bare workflow start from
 * a Temporal client, and a QStash-signed delivery to the gateway, which verifies, parses and
 * makes that same start before it answers. Their difference is what the gateway costs.
 */
import type { Client } from '@temporalio/client';
import { qstashHeaders } from '../cli/qstash-signer.ts';
// The bare start makes the gateway's own call, with the same options.
import { startOptions } from '../gateway/start-options.ts';
import type { Tier } from '../protocol/envelope.ts';
import { getTaskType } from '../protocol/task-types.ts';
import {
  TASK_QUEUES,
  TASK_WORKFLOW_TYPE,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import type { Send } from './open-loop.ts';

/** The task both scenarios start: light, so the workers behind the benchmark keep up. */
export const BENCH_TASK_TYPE = 'llm.generate';
export const BENCH_PROMPT = 'Name one reason queues exist. [[mock:tokens=20]]';

export interface Scenario {
  name: string;
  /**
   * Builds one segment's requests before its clock starts (ids, bodies, signatures), so the
   * loop only sends. `segment` keeps task ids unique across segments and runs.
   */
  prepare(segment: string, count: number): Send;
}

function benchTaskType() {
  const definition = getTaskType(BENCH_TASK_TYPE);
  if (!definition) throw new Error(`task type ${BENCH_TASK_TYPE} is not registered`);
  return definition;
}

export interface BareStartOptions {
  /** The gateway's start deadline, so both give up alike. */
  startTimeoutMs: number;
  /** What the gateway's route gives the bench task type; its own defaults otherwise. */
  tier?: Tier;
  priority?: number;
}

/** Starts the workflow straight from a client, as the gateway would after its checks. */
export function bareStartScenario(client: Client, options: BareStartOptions): Scenario {
  const definition = benchTaskType();
  const tier = options.tier ?? definition.tier;
  const taskQueue = TASK_QUEUES[tier];
  return {
    name: 'bare start',
    prepare(segment) {
      return async (index) => {
        const taskId = `${segment}-${index}`;
        const task: TaskWorkflowInput = {
          taskId,
          type: definition.type,
          input: { prompt: BENCH_PROMPT },
          model: definition.model,
          tier,
          priority: options.priority,
          delivery: {
            source: 'qstash',
            qstashMessageId: `msg-${taskId}`,
            retryCount: 0,
            receivedAt: new Date().toISOString(),
          },
        };
        await client.connection.withDeadline(Date.now() + options.startTimeoutMs, () =>
          client.workflow.start(
            TASK_WORKFLOW_TYPE,
            startOptions(task, { taskQueue, priority: task.priority }),
          ),
        );
        return { ok: true, label: 'started' };
      };
    },
  };
}

export interface GatewayTarget {
  /** Where the gateway listens, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The public URL signatures name, as QStash was given it. */
  publicUrl: string;
  signingKey: string;
}

/** Delivers each task as QStash does: signed envelope, message id, then waits for the ACK. */
export function gatewayAckScenario(target: GatewayTarget): Scenario {
  const url = new URL('/v1/tasks', target.url).toString();
  const signedUrl = new URL('/v1/tasks', target.publicUrl).toString();
  return {
    name: 'gateway ACK',
    prepare(segment, count) {
      const deliveries = Array.from({ length: count }, (_, index) => {
        const taskId = `${segment}-${index}`;
        const body = JSON.stringify({
          version: 1,
          taskId,
          type: BENCH_TASK_TYPE,
          input: { prompt: BENCH_PROMPT },
          enqueuedAt: new Date().toISOString(),
        });
        const headers = qstashHeaders({
          key: target.signingKey,
          url: signedUrl,
          body,
          messageId: `msg-${taskId}`,
        });
        return { body, headers };
      });
      return async (index, signal) => {
        const delivery = deliveries[index];
        if (!delivery) throw new RangeError(`no delivery ${index} prepared in ${segment}`);
        // The global fetch is undici's, which keeps connections alive between requests.
        const response = await fetch(url, { method: 'POST', ...delivery, signal });
        await response.arrayBuffer();
        return { ok: response.status === 200, label: String(response.status) };
      };
    },
  };
}
