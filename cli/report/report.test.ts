import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './index.ts';
import { readLogSource } from './logs.ts';
import { renderMarkdown } from './markdown.ts';
import { buildReport, type Report } from './report.ts';
import { spanOf } from './window.ts';

/** Ten tasks (real `ackflow dev` lines, times edited) with known percentiles. */
const STEADY_LOG = fileURLToPath(
  new URL('../../test/fixtures/report/steady.jsonl', import.meta.url),
);

async function steadyReport(): Promise<Report> {
  const records = await readLogSource(STEADY_LOG);
  const window = spanOf(records);
  if (!window) throw new Error('the fixture has no relevant lines');
  return buildReport({ records, window, windowSource: 'test' });
}

describe('the report of a log', () => {
  it('gives the nearest-rank percentiles of the three curves', async () => {
    const { overall } = await steadyReport();

    expect(overall.queueWait).toEqual({ count: 10, mean: 550, p50: 500, p90: 900, p99: 1000 });
    expect(overall.ack).toEqual({ count: 10, mean: 5.5, p50: 5, p90: 9, p99: 10 });
    expect(overall.execution).toEqual({
      count: 10,
      mean: 5500,
      p50: 5000,
      p90: 9000,
      p99: 10000,
    });
  });

  it('gives each queue, task type and model its own figures', async () => {
    const { byQueue, byTaskType, byModel } = await steadyReport();
    const heavy = byQueue.find((group) => group.key === 'ackflow-heavy');

    expect(byQueue.map((group) => group.key)).toEqual(['ackflow-heavy', 'ackflow-light']);
    expect(byTaskType.map((group) => group.key)).toEqual(['llm.generate', 'resume.tailor']);
    expect(byModel.map((group) => group.key)).toEqual(['mock-fast', 'mock-large']);
    expect(heavy?.queueWait).toMatchObject({ count: 3, p50: 600, p90: 900, p99: 900 });
    expect(heavy?.ack).toMatchObject({ count: 3, p50: 5, p99: 8 });
    expect(heavy?.execution).toMatchObject({ count: 3, p50: 7000, p99: 8000 });
    expect(heavy?.deliveries.byOutcome).toMatchObject({ accepted: 3, duplicate: 1 });
    expect(byQueue[1]?.queueWait).toMatchObject({ count: 7, p50: 500, p90: 1000, p99: 1000 });
  });

  it('counts end states, error and timeout rates, and deliveries by outcome', async () => {
    const { overall, byQueue } = await steadyReport();

    expect(overall.tasks).toEqual({
      ended: 10,
      completed: 8,
      failed: 1,
      cancelled: 1,
      timedOut: 0,
      terminated: 0,
      errorRate: 0.1,
      timeoutRate: 0,
    });
    expect(byQueue[1]?.tasks.errorRate).toBeCloseTo(1 / 7, 10);
    expect(overall.deliveries.byOutcome).toEqual({
      accepted: 10,
      duplicate: 1,
      unauthorized: 1,
      too_large: 0,
      invalid: 1,
      unavailable: 0,
      error: 0,
    });
    expect(overall.deliveries.duplicateShare).toBeCloseTo(1 / 13, 10);
  });

  it('says how many lines it skipped and why', async () => {
    const { input } = await steadyReport();

    expect(input).toEqual({
      logLines: 38,
      deliveries: 13,
      taskStarted: 10,
      taskFinished: 10,
      skipped: { notJson: 2, otherMessage: 2, unusable: 1 },
      visibility: null,
    });
  });

  it('estimates capacity from the observed rate and times', async () => {
    const { capacity, window } = await steadyReport();

    expect(window.seconds).toBeCloseTo(549.779, 6);
    expect(capacity.arrivalRate).toBeCloseTo(10 / 549.779, 10);
    expect(capacity.taskSeconds).toBe(5.5);
    expect(capacity.ackSeconds).toBeCloseTo(0.0055, 10);
    expect(capacity.workers?.slots).toBe(1);
  });

  it('prints the figures as Markdown tables', async () => {
    const markdown = renderMarkdown(await steadyReport());

    expect(markdown).toContain('| all | queue wait | 10 | 500 ms | 900 ms | 1 s |');
    expect(markdown).toContain('| all | ACK time | 10 | 5 ms | 9 ms | 10 ms |');
    expect(markdown).toContain('| all | execution time | 10 | 5 s | 9 s | 10 s |');
    expect(markdown).toContain('| all | 10 | 8 | 1 | 1 | 0 | 10.0% | 0.0% | 13 | 1 (7.7%) |');
    expect(markdown).toContain('| unauthorized | 1 | 7.7% |');
    expect(markdown).toContain('**No signal**');
    expect(markdown).toContain('| worker slots (tasks at once) | L = λ·W |');
  });
});

describe('ackflow report', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ackflow-report-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('writes JSON that reads back as the same report', async () => {
    const out = join(folder, 'report.json');
    const args = ['--logs', STEADY_LOG, '--format', 'json', '--out', out];

    expect(await report([...args, '--worker-slots', '4', '--qstash-parallelism', '10'])).toBe(0);
    const parsed: Report = JSON.parse(await readFile(out, 'utf8'));
    const records = await readLogSource(STEADY_LOG);
    const expected = buildReport({
      records,
      window: spanOf(records) as NonNullable<ReturnType<typeof spanOf>>,
      windowSource: 'the span of the log lines',
      workerSlots: { '*': 4 },
      qstashParallelism: 10,
    });
    expect(parsed).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(parsed).toEqual(expected);
    expect(parsed.capacity.maxRate?.withAckflow).toBeCloseTo(10 / 0.0055, 6);
  });

  it('takes the given arrival rate and task time over the observed ones', async () => {
    const out = join(folder, 'given.json');
    const args = ['--logs', STEADY_LOG, '--format', 'json', '--out', out];

    expect(await report([...args, '--arrival-rate', '2', '--task-seconds', '30'])).toBe(0);
    const { capacity }: Report = JSON.parse(await readFile(out, 'utf8'));
    expect(capacity).toMatchObject({
      arrivalRate: 2,
      arrivalSource: '--arrival-rate',
      taskSeconds: 30,
      workers: { average: 60, slots: 78 },
      qstashHoldingSlot: { average: 60, slots: 78 },
    });
  });

  it('reports only what falls inside --from and --to', async () => {
    const out = join(folder, 'window.json');
    const window = ['--from', '2026-12-03T20:00:00Z', '--to', '2026-12-03T20:04:59Z'];

    expect(await report(['--logs', STEADY_LOG, ...window, '--format', 'json', '--out', out])).toBe(
      0,
    );
    const { overall }: Report = JSON.parse(await readFile(out, 'utf8'));
    expect(overall.queueWait.count).toBe(5);
    expect(overall.ack).toMatchObject({ count: 5, p50: 5, p99: 9 });
  });

  it('refuses unknown flags and formats with a usage error', async () => {
    expect(await report(['--logs', STEADY_LOG, '--format', 'pdf'])).toBe(2);
    expect(await report(['--logs', STEADY_LOG, '--since', '1h', '--from', '2026-12-03'])).toBe(2);
    expect(await report(['--nonsense'])).toBe(2);
    expect(await report([])).toBe(2);
  });
});
