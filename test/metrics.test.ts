/**
 * After a known load, the metrics count what was run: the gateway's deliveries, the
 * worker's completed workflows, and the LLM tokens by model, to the token.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/temporal-server.ts';
import { installTemporalRuntime } from '../worker/runtime-logger.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { deliver, startTestStack, waitForState } from './support/stack.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let workerMetrics: string;
beforeAll(async () => {
  // The runtime is installed once per process, so this comes before the stack's workers.
  const port = await freePort();
  installTemporalRuntime(pino({ level: 'warn' }), {
    level: 'WARN',
    metricsAddress: `127.0.0.1:${port}`,
  });
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
  stack = await startTestStack(TEST_NAMESPACES.metrics);
});
afterAll(() => stack?.stop());

/** Sum of a metric's samples whose labels include every given label. */
function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) =>
      line.includes(`${key}="${value}"`),
    );
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('after a known load', () => {
  it('the metrics count exactly the tasks and tokens that were run', async () => {
    const TASKS = 6;
    const TOKENS = 300;
    const ids = Array.from({ length: TASKS }, (_, i) => `metrics-${Date.now()}-${i}`);
    for (const id of ids) {
      const input = { prompt: `${id} [[mock:tokens=${TOKENS}]]` };
      await deliver(stack.gateway, { version: 1, taskId: id, type: 'llm.generate', input });
    }
    await deliver(stack.gateway, {
      version: 1,
      taskId: ids[0],
      type: 'llm.generate',
      input: { prompt: 'again' },
    });
    for (const id of ids) await waitForState(stack.gateway, id, ['completed']);

    const gateway = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(sum(gateway, 'ackflow_gateway_deliveries_total', { outcome: 'accepted' })).toBe(TASKS);
    expect(sum(gateway, 'ackflow_gateway_deliveries_total', { outcome: 'duplicate' })).toBe(1);

    // The SDK exports metrics from its own thread: the last few land a moment after the
    // tasks' results do.
    const byType = { task_type: 'llm.generate', tier: 'light' };
    let worker = '';
    for (let attempt = 0; attempt < 50; attempt += 1) {
      worker = await (await fetch(workerMetrics)).text();
      if (sum(worker, 'ackflow_tasks_total', byType) >= TASKS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sum(worker, 'temporal_workflow_completed', { workflow_type: 'taskWorkflow' })).toBe(
      TASKS,
    );
    const completion = { model: 'mock-fast', kind: 'completion' };
    expect(sum(worker, 'ackflow_llm_tokens', completion)).toBe(TASKS * TOKENS);
    expect(sum(worker, 'ackflow_llm_cost_microdollars', { model: 'mock-fast' })).toBeGreaterThan(0);
    expect(sum(worker, 'ackflow_tasks_total', { ...byType, outcome: 'completed' })).toBe(TASKS);
    expect(sum(worker, 'ackflow_task_execution_seconds_count', byType)).toBe(TASKS);
    expect(sum(worker, 'ackflow_task_queue_wait_seconds_count', byType)).toBe(TASKS);
  });
});
