import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLogSource } from './logs.ts';
import { renderMarkdown } from './markdown.ts';
import { buildReport } from './report.ts';
import type { Signal, WorkerSlots } from './signals.ts';
import { spanOf } from './window.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/report/${name}`, import.meta.url));

async function reportOn(name: string, workerSlots: WorkerSlots = {}) {
  const records = await readLogSource(fixture(name));
  const window = spanOf(records);
  if (!window) throw new Error(`${name} has no relevant lines`);
  return buildReport({ records, window, windowSource: 'test', workerSlots });
}

const find = (signals: Signal[], check: Signal['check']) =>
  signals.find((signal) => signal.check === check);

describe('upgrade signals', () => {
  it('fire with their evidence when queue wait, retries and ACK time climb', async () => {
    const { signals } = await reportOn('rising.jsonl', { '*': 4 });

    expect(find(signals, 'queue wait rising')).toMatchObject({
      scope: 'ackflow-light',
      status: 'signal',
      finding: expect.stringContaining('while workers sit idle'),
      evidence: expect.stringContaining('p50 queue wait 110 ms → 500 ms (+355%)'),
    });
    expect(find(signals, 'queue wait rising')?.evidence).toContain('at most 1 running');
    expect(find(signals, 'retries rising')).toMatchObject({
      status: 'signal',
      evidence: 'redelivered share 0.0% of 5 → 60.0% of 5 deliveries',
    });
    expect(find(signals, 'ACK time rising')).toMatchObject({
      status: 'signal',
      evidence: 'p99 ACK 9 ms → 50 ms (+456%)',
    });
  });

  it('blames the workers only when every slot was in use', async () => {
    const busy = await reportOn('rising.jsonl', { 'ackflow-light': 1 });
    const unknown = await reportOn('rising.jsonl');

    expect(find(busy.signals, 'queue wait rising')).toMatchObject({
      status: 'signal',
      finding: expect.stringContaining('workers are the limit'),
      action: expect.stringContaining('scale'),
    });
    expect(find(unknown.signals, 'queue wait rising')).toMatchObject({
      status: 'signal',
      finding: expect.stringContaining('without --worker-slots'),
      evidence: expect.stringContaining('worker slots unknown'),
    });
  });

  it('stay quiet, and say so, when the halves match', async () => {
    const report = await reportOn('steady.jsonl', { '*': 4 });

    expect(report.signals.filter((signal) => signal.status === 'signal')).toEqual([]);
    expect(find(report.signals, 'ACK time rising')).toMatchObject({
      status: 'no signal',
      evidence: 'p99 ACK 9 ms → 10 ms (+11%)',
    });
    expect(renderMarkdown(report)).toContain('**No signal**: nothing in this window asks');
  });

  it('say there is not enough data rather than guess', async () => {
    const { signals } = await reportOn('steady.jsonl');

    expect(signals.find((signal) => signal.scope === 'ackflow-heavy')).toMatchObject({
      status: 'not enough data',
      evidence: '1 and 2 measured starts in the two halves',
    });
  });
});
