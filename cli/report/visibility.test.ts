/**
 * Visibility against the real Temporal dev server: tasks run through the gateway and
 * workers, then the report reads how they ended from Temporal alone, with no log lines.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TEST_NAMESPACES } from '../../test/support/namespaces.ts';
import { deliver, startTestStack, waitForState } from '../../test/support/stack.ts';
import { report } from './index.ts';
import type { Report } from './report.ts';
import { listTaskExecutions, type VisibilityRecord } from './visibility.ts';
import type { ReportWindow } from './window.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let folder: string;
let window: ReportWindow;
const run = `report-${Date.now()}`;
const enqueuedAt = new Date().toISOString();

beforeAll(async () => {
  stack = await startTestStack(TEST_NAMESPACES.report);
  folder = await mkdtemp(join(tmpdir(), 'ackflow-report-visibility-'));
  const from = Date.now() - 1_000;
  stack.mock.faults.add({ kind: 'bad_request', match: `${run}-bad`, count: 20 });
  for (const name of ['ok-1', 'ok-2', 'bad']) {
    const taskId = `${run}-${name}`;
    const envelope = { version: 1, taskId, type: 'llm.generate', input: { prompt: taskId } };
    const answer = await deliver(stack.gateway, { ...envelope, enqueuedAt });
    expect(answer.status).toBe(200);
    await waitForState(stack.gateway, taskId, ['completed', 'failed']);
  }
  window = { from, to: Date.now() + 1_000 };
});
afterAll(async () => {
  await stack?.stop();
  await rm(folder, { recursive: true, force: true });
});

/** Visibility is eventually consistent: wait until every task shows as closed. */
async function closedExecutions(): Promise<VisibilityRecord[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const records = await listTaskExecutions(stack.client, window);
    const closed = records.filter((record) => record.taskId.startsWith(run));
    if (closed.length === 3 && closed.every((record) => record.closeTime !== undefined)) {
      return closed;
    }
    if (Date.now() > deadline) throw new Error(`visibility shows ${closed.length} of 3 closed`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('reading task executions from visibility', () => {
  it('finds each task with its status, attributes and delivery memo', async () => {
    const records = await closedExecutions();
    const bad = records.find((record) => record.taskId === `${run}-bad`);

    expect(records.map((record) => record.status).sort()).toEqual([
      'completed',
      'completed',
      'failed',
    ]);
    expect(bad).toMatchObject({
      taskQueue: 'ackflow-light',
      taskType: 'llm.generate',
      tier: 'light',
      modelId: expect.any(String),
      errorCode: 'llm_request_invalid',
      enqueuedAt: Date.parse(enqueuedAt),
    });
    expect(bad?.closeTime).toBeGreaterThanOrEqual(bad?.startTime ?? Infinity);
  });

  it('reports execution time and error rate with no log lines at all', async () => {
    await closedExecutions();
    vi.stubEnv('TEMPORAL_ADDRESS', inject('temporalAddress'));
    vi.stubEnv('TEMPORAL_NAMESPACE', TEST_NAMESPACES.report);
    vi.stubEnv('BLOB_DIR', stack.blobDir);
    const out = join(folder, 'report.json');
    const flags = ['--from', new Date(window.from).toISOString()];
    try {
      expect(await report(['--visibility', ...flags, '--format', 'json', '--out', out])).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    const result: Report = JSON.parse(await readFile(out, 'utf8'));

    expect(result.input.visibility).toBe(3);
    expect(result.overall.tasks).toMatchObject({ ended: 3, completed: 2, failed: 1 });
    expect(result.overall.tasks.errorRate).toBeCloseTo(1 / 3, 10);
    expect(result.overall.execution.count).toBe(3);
    expect(result.overall.queueWait.count).toBe(0);
    expect(result.byQueue.map((group) => group.key)).toEqual(['ackflow-light']);
    expect(result.notes.join(' ')).toContain("from the workflow's start");
  });
});
